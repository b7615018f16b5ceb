//! `isvdbg demo` tells the whole story and exits 0 only when every act
//! behaved as documented.

use std::process::Command;

#[test]
fn the_demo_tells_the_story_and_every_act_passes() {
    let out = Command::new(env!("CARGO_BIN_EXE_isvdbg"))
        .arg("demo")
        .output()
        .expect("isvdbg runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the demo failed:\n{stdout}\n{stderr}");
    // Not a terminal: no colour codes.
    assert!(!stdout.contains("\x1b["), "colour on a pipe:\n{stdout}");
    for expected in [
        "The customer grants login access",
        "Logged in to the LMO as support@acme.example (MFA)",
        "stopped: Request",
        "invoice.Account__r.BillingState = 'California'",
        "key = 'US_California'",
        "tax=387.79",
        "already uses this LMO's debug session",
        "Too many concurrent debugged requests. This request will not be debugged",
        "without debugger activity",
        "reached its 4-hour limit",
        "sandbox orgs only",
        "expired",
        "16 checks passed, 0 failed",
    ] {
        assert!(
            stdout.contains(expected),
            "missing `{expected}` in:\n{stdout}"
        );
    }
    assert!(!stdout.contains('✗'), "an act failed:\n{stdout}");
}

#[test]
fn the_demo_refuses_a_world_folder_that_does_not_exist() {
    let out = Command::new(env!("CARGO_BIN_EXE_isvdbg"))
        .args(["demo", "--world", "no/such/world"])
        .output()
        .expect("isvdbg runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no/such/world"), "{stderr}");
}
