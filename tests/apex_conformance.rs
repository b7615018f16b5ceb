//! The Apex conformance suite: every case under `tests/apex/` runs on the VM and its
//! output, exception or compile errors must match. `APEX_CASE=text` runs only cases
//! whose name contains the text.

mod apex_support;

use std::path::Path;
use std::time::Duration;

#[test]
fn apex_conformance_suite() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/apex");
    let filter = std::env::var("APEX_CASE").ok();
    let cases = apex_support::all_cases(&dir);
    assert!(
        cases.len() >= 150,
        "the suite holds at least 150 cases, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    let mut ran = 0;
    for case in &cases {
        if filter
            .as_ref()
            .is_some_and(|f| !case.name.contains(f.as_str()))
        {
            continue;
        }
        ran += 1;
        let actual = apex_support::run_case(case, Duration::from_millis(1500));
        if let Some(why) = apex_support::check(case, &actual) {
            failures.push(format!(
                "{}:{} `{}`: {why}",
                case.file, case.line, case.name
            ));
        }
    }
    if !failures.is_empty() {
        panic!(
            "{} of {ran} Apex cases failed:\n\n{}",
            failures.len(),
            failures.join("\n\n")
        );
    }
}
