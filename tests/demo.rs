//! `isvdbg demo` tells the whole story and exits 0 only when every act
//! behaved as documented; 1 when one did not; 2 when it cannot start.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// `isvdbg demo ARGS`, with no log filter from the environment.
fn demo(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_isvdbg"));
    cmd.arg("demo").args(args).env_remove("ISVDBG_LOG");
    cmd
}

fn texts(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A copy of the default world in a temporary folder, to be changed.
fn default_world_copy() -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/worlds/default"),
        dir.path(),
    );
    dir
}

/// Replaces the first `from` in the file by `to` (it must be there).
fn edit(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    assert!(text.contains(from), "`{from}` is not in {}", file.display());
    std::fs::write(file, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn the_demo_tells_the_story_and_every_act_passes() {
    let out = demo(&[]).output().expect("isvdbg runs");
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "the demo failed:\n{stdout}\n{stderr}");
    // Not a terminal: no colour codes.
    assert!(!stdout.contains("\x1b["), "colour on a pipe:\n{stdout}");
    // Nothing but the story: no warnings from the parts it runs on.
    for text in [&stdout, &stderr] {
        assert!(!text.contains("WARN"), "a warning in the demo:\n{text}");
    }
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

const PROMPT: &str = "(press Enter for the next act)";

#[test]
fn with_step_the_demo_waits_for_enter_between_acts() {
    let mut child = demo(&["--step"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("isvdbg runs");
    let mut stdout = child.stdout.take().unwrap();
    let (chunks, seen) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 || chunks.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    // Up to the first pause: act 1 is told, and the demo waits there.
    let mut before = Vec::new();
    while !String::from_utf8_lossy(&before).contains(PROMPT) {
        let chunk = seen
            .recv_timeout(Duration::from_secs(60))
            .expect("the demo pauses after the first act");
        before.extend(chunk);
    }
    let before = String::from_utf8_lossy(&before).into_owned();
    assert!(before.contains(" 1. "), "{before}");
    assert!(
        !before.contains(" 2. "),
        "act 2 began before Enter:\n{before}"
    );
    assert!(
        child.try_wait().unwrap().is_none(),
        "the demo ended without waiting:\n{before}"
    );
    // Enter for every remaining act; then the end of input.
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all("\n".repeat(15).as_bytes()).unwrap();
    drop(stdin);
    let status = child.wait().unwrap();
    reader.join().unwrap();
    let rest: Vec<u8> = seen.try_iter().flatten().collect();
    let all = format!("{before}{}", String::from_utf8_lossy(&rest));
    assert!(status.success(), "the demo failed:\n{all}");
    assert_eq!(
        all.matches(PROMPT).count(),
        15,
        "one pause between each of 16 acts:\n{all}"
    );
    assert!(all.contains("16. "), "{all}");
    assert!(all.contains("16 checks passed, 0 failed"), "{all}");
}

#[test]
fn an_act_that_does_not_behave_makes_the_demo_exit_1() {
    // A world without the bug: Cypress Creek's billing state is the code the
    // tax table is keyed by, so the act that expects the full state name fails.
    let world = default_world_copy();
    edit(
        &world.path().join("orgs/globex-full/data/Account.json"),
        "\"BillingState\": \"California\"",
        "\"BillingState\": \"CA\"",
    );
    let out = demo(&["--world", world.path().to_str().unwrap()])
        .output()
        .expect("isvdbg runs");
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains("✗ unexpected billing state"), "{stdout}");
    assert!(stdout.contains(", 1 failed"), "{stdout}");
    assert!(
        stderr.contains("isvdbg demo: unexpected billing state"),
        "{stderr}"
    );
}

#[test]
fn a_world_without_the_storys_cast_is_refused_naming_what_it_lacks() {
    let world = default_world_copy();
    std::fs::remove_dir_all(world.path().join("orgs/globex-prod")).unwrap();
    edit(
        &world.path().join("world.toml"),
        "username = \"support2@acme.example\"",
        "username = \"someone-else@acme.example\"",
    );
    let out = demo(&["--world", world.path().to_str().unwrap()])
        .output()
        .expect("isvdbg runs");
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    for named in [
        "does not fit the demo's story",
        "the LMO user support2@acme.example",
        "the org globex-prod",
        "fixtures/worlds/default",
    ] {
        assert!(
            stderr.contains(named),
            "`{named}` is not named in:\n{stderr}"
        );
    }
    assert!(!stdout.contains(" 1. "), "the story started:\n{stdout}");
}

#[test]
fn the_demo_refuses_a_world_folder_that_does_not_exist() {
    let out = demo(&["--world", "no/such/world"])
        .output()
        .expect("isvdbg runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no/such/world"), "{stderr}");
}
