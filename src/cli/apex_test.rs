//! `isvdbg apex test DIR`: runs a project's @IsTest methods and reports them.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use crate::vm::{self, apex_tests};

/// Runs the tests and prints one line per test, then a summary.
pub fn run(dir: &Path, packages: &[&Path], filter: Option<&str>) -> anyhow::Result<ExitCode> {
    let Some(d) = super::apex::deploy_or_report(packages, Some(dir))? else {
        return Ok(ExitCode::from(1));
    };
    let own_files: Vec<String> = crate::sfdx::load_sources(dir)?
        .files
        .iter()
        .map(|f| f.name.clone())
        .collect();
    let prog = Arc::new(d.program);
    let tests = apex_tests::find(&prog, &own_files, filter);
    if tests.is_empty() {
        anyhow::bail!(
            "no @IsTest methods under {}{}",
            dir.display(),
            filter
                .map(|f| format!(" matching `{f}`"))
                .unwrap_or_default()
        );
    }
    let mut failed = 0;
    for t in &tests {
        let (prog, test) = (prog.clone(), t.clone());
        // Each test is a request: its own thread, with room for deep recursion.
        let outcome = std::thread::Builder::new()
            .name("apex-test".into())
            .stack_size(vm::REQUEST_STACK)
            .spawn(move || apex_tests::run(&prog, &test))?
            .join()
            .map_err(|_| anyhow::anyhow!("the thread of test {} failed", t.name))?;
        match outcome.exception {
            None => println!("PASS {}", t.name),
            Some(e) => {
                failed += 1;
                println!("FAIL {}: {e}", t.name);
                for line in e.stack.lines() {
                    println!("    {line}");
                }
            }
        }
    }
    println!(
        "{} passed, {} failed, {} run",
        tests.len() - failed,
        failed,
        tests.len()
    );
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
