//! `isvdbg setup` refusals, against a sandbox on 127.0.0.1:0: each names the
//! step that failed and carries the sandbox's own message, exits 1, and
//! leaves no session file or launch.json behind.

mod sandbox_support;
mod setup_support;

use std::path::Path;

use isvdbg::sandbox::auth::code_at_step_offset;
use sandbox_support::Server;
use serde_json::json;
use setup_support::{LMO, Run, isvdbg, lmo_env, setup};

fn assert_nothing_written(project: &Path) {
    for file in [".isvdbg/session.json", ".vscode/launch.json"] {
        assert!(
            !project.join(file).exists(),
            "{file} written after a refusal"
        );
    }
}

/// The one `✗` line on stderr.
fn failure(run: &Run) -> String {
    assert_eq!(
        run.code,
        Some(1),
        "stdout:\n{}\nstderr:\n{}",
        run.stdout,
        run.stderr
    );
    run.stderr
        .lines()
        .find_map(|l| l.strip_prefix("✗ "))
        .unwrap_or_else(|| panic!("no ✗ line in:\n{}", run.stderr))
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_production_org_is_refused_with_the_sandboxs_message() {
    let server = Server::start().await;
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("prod");
    let env = lmo_env(&server.sb, LMO);
    let run = setup(
        &server.url,
        "globex-prod",
        "admin@globex.example",
        &project,
        &env,
    )
    .await;
    let line = failure(&run);
    assert!(
        run.stdout
            .contains("✓ Logged in as admin@globex.example in Globex Corp"),
        "LoginAs itself works in production:\n{}",
        run.stdout
    );

    let mut engineer = server
        .engineer(
            "support2@acme.example",
            "globex-prod",
            "admin@globex.example",
        )
        .await;
    let refusal = engineer.fails("debug.start", json!({})).await;
    assert_eq!(refusal.code, "NOT_SANDBOX");
    assert_eq!(line, format!("ISV debugging refused: {}", refusal.message));
    assert_nothing_written(&project);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_verification_code_is_refused_at_the_lmo_login() {
    let server = Server::start().await;
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("p");
    let secret = server
        .sb
        .world
        .publisher
        .lmo
        .user(LMO)
        .unwrap()
        .totp_secret
        .clone()
        .unwrap();
    // Ten steps (five minutes) away: outside the one-step window either way.
    let stale = code_at_step_offset(&secret, server.sb.clock.now(), 10).unwrap();
    let password = server
        .sb
        .world
        .publisher
        .lmo
        .user(LMO)
        .unwrap()
        .password
        .clone();
    let dir = project.to_str().unwrap();
    let args = [
        "setup",
        "--sandbox",
        &server.url,
        "--lmo-user",
        LMO,
        "--org",
        "globex-full",
        "--login-as",
        "admin@globex.example.full",
        "--dir",
        dir,
        "--totp-code",
        &stale,
    ];
    let run = isvdbg(&args, &[("ISVDBG_PASSWORD", password)], None).await;
    let line = failure(&run);
    assert!(
        line.starts_with("LMO login refused: wrong verification code"),
        "{line}"
    );
    assert!(
        !run.stdout.contains("✓"),
        "no step succeeded:\n{}",
        run.stdout
    );
    assert_nothing_written(&project);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_grant_is_refused_at_login_as() {
    let server = Server::start().await;
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("initech");
    let env = lmo_env(&server.sb, LMO);
    let run = setup(
        &server.url,
        "initech-sandbox",
        "admin@initech.example.uat",
        &project,
        &env,
    )
    .await;
    let line = failure(&run);
    assert!(line.starts_with("LoginAs refused: "), "{line}");
    assert!(line.contains("expired"), "{line}");

    // The sandbox says the same to anyone who tries.
    let mut engineer = server.client().await;
    engineer.login_lmo("support2@acme.example").await.unwrap();
    let refusal = engineer
        .fails(
            "loginAs.start",
            json!({"org": "initech-sandbox", "user": "admin@initech.example.uat"}),
        )
        .await;
    assert_eq!(refusal.code, "GRANT_EXPIRED");
    assert_eq!(line, format!("LoginAs refused: {}", refusal.message));
    assert_nothing_written(&project);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_password_setup_says_where_to_give_one() {
    let server = Server::start().await;
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("p");
    let run = setup(
        &server.url,
        "globex-full",
        "admin@globex.example.full",
        &project,
        &[],
    )
    .await;
    let line = failure(&run);
    assert!(
        line.contains("ISVDBG_PASSWORD") && line.contains(LMO),
        "{line}"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_launch_json_that_cannot_be_read_stops_setup_before_it_logs_in() {
    let server = Server::start().await;
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("p");
    std::fs::create_dir_all(project.join(".vscode")).unwrap();
    let broken = "{ \"configurations\": [ { \"name\": } ] }";
    std::fs::write(project.join(".vscode/launch.json"), broken).unwrap();
    let env = lmo_env(&server.sb, LMO);
    let run = setup(
        &server.url,
        "globex-full",
        "admin@globex.example.full",
        &project,
        &env,
    )
    .await;
    let line = failure(&run);
    assert!(
        line.contains(".vscode/launch.json cannot be read"),
        "{line}"
    );
    assert!(line.contains("left unchanged"), "{line}");
    assert!(!run.stdout.contains("Logged in"), "{}", run.stdout);
    assert_eq!(
        std::fs::read_to_string(project.join(".vscode/launch.json")).unwrap(),
        broken
    );
    assert!(!project.join(".isvdbg").exists());
    server.shutdown().await;
}
