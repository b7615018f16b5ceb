//! The bridge against `isvdbg sandbox` over a real WebSocket: the project and
//! saved login that `isvdbg setup` writes, credentials from the environment,
//! and a sandbox that shuts down under a session.

mod bridge_support;
mod sandbox_support;
mod setup_support;

use std::path::Path;

use bridge_support::{connect, env, repo, run_steps, scenario_path};
use isvdbg::bridge::Bridge;
use sandbox_support::{ADMIN, Server};
use serde_json::json;
use setup_support::{LMO, lmo_env, setup};

/// The Globex reproduction, as code to run inline.
fn reproduction() -> String {
    std::fs::read_to_string(
        repo().join("fixtures/worlds/default/orgs/globex-full/scripts/create-invoice.apex"),
    )
    .unwrap()
}

/// ISVDBG_PASSWORD and ISVDBG_TOTP_SECRET of the LMO user, as the adapter's environment.
fn lmo_creds(server: &Server) -> isvdbg::bridge::EnvLookup {
    let vars = lmo_env(&server.sb, LMO);
    let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    env(&pairs)
}

fn marker_line(file: &Path, marker: &str) -> usize {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .position(|l| l.contains(marker))
        .unwrap()
        + 1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_project_from_isvdbg_setup_resumes_its_login_and_maps_the_retrieved_package() {
    let server = Server::start().await;
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("globex");
    setup(
        &server.url,
        "globex-full",
        ADMIN,
        &project,
        &lmo_env(&server.sb, LMO),
    )
    .await
    .expect_ok();
    let project = project.canonicalize().unwrap();
    let tax = project.join(".sfdx/tools/installed-packages/acme/classes/TaxCalculator.cls");
    assert!(
        tax.is_file(),
        "setup retrieved the package into {}",
        tax.display()
    );
    let line = marker_line(&tax, "#BP_TAX");

    // No credentials in the environment: the saved session is the login.
    let (client, _session) = connect(Bridge::new().with_env(env(&[])));
    run_steps(
        &client,
        &scenario_path("remote.json"),
        json!([
            { "initialize": {} },
            { "event": { "event": "initialized" } },
            {
                "request": {
                    "command": "setBreakpoints",
                    "arguments": { "source": { "path": tax }, "breakpoints": [{ "line": line }] }
                }
            },
            { "launch": { "arguments": { "sandbox": server.url, "salesforceProject": project, "trace": "sandbox" } } },
            { "output": { "pattern": "^ISV debugger session \\d+ started in globex-full as admin@globex\\.example\\.full \\(LMO user support@acme\\.example\\)" } },
            { "event": { "event": "breakpoint", "body": { "breakpoint.verified": true, "breakpoint.line": line } } },
            { "configuration_done": {} },
            { "request": { "command": "isv/runApex", "arguments": { "code": reproduction() }, "expect": { "body": { "paused": true } } } },
            { "stopped": { "reason": "breakpoint" } },
            { "stack": { "frames": [{ "name": "acme.TaxCalculator.calculate", "source": tax.to_str().unwrap(), "line": line }] } },
            {
                "name": "the protected settings the package reads, found in its code",
                "variable": { "path": "acme__Tax_Rate__c", "value": "List setting, 10 records" }
            },
            { "variable": { "path": "acme__Tax_Rate__c.US_CA.acme__Rate__c", "value": "7.250", "type": "Decimal" } },
            { "variable": { "path": "acme__Billing_Config__c", "value": "Hierarchy setting, 1 record" } },
            { "variable": { "path": "acme__Billing_Config__c.Org default.acme__Default_Region__c", "value": "'US_NY'" } },
            { "continue": {} },
            { "output": { "pattern": "^total=5823\\.49\\n$" } },
            { "disconnect": {} }
        ]),
    )
    .await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_come_from_the_environment_and_a_wrong_code_is_refused() {
    let server = Server::start().await;
    let user = server
        .sb
        .world
        .publisher
        .lmo
        .user("support2@acme.example")
        .unwrap()
        .clone();
    let launch = json!({
        "sandbox": server.url,
        "subscriberOrg": "globex-full",
        "loginAsUser": ADMIN,
        "lmoUser": "support2@acme.example",
    });

    // A secret that is not the user's makes a code the sandbox refuses.
    let wrong = env(&[
        ("ISVDBG_PASSWORD", &user.password),
        ("ISVDBG_TOTP_SECRET", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"),
    ]);
    let (client, _s) = connect(Bridge::new().with_env(wrong));
    run_steps(
        &client,
        &scenario_path("remote.json"),
        json!([
            { "initialize": {} },
            { "launch": { "arguments": launch.clone(), "expect": { "error": "code", "body": { "error.showUser": true } } } },
            { "disconnect": {} }
        ]),
    )
    .await;

    // Half the secrets is refused before any login.
    let half = env(&[("ISVDBG_PASSWORD", &user.password)]);
    let (client, _s) = connect(Bridge::new().with_env(half));
    run_steps(
        &client,
        &scenario_path("remote.json"),
        json!([
            { "initialize": {} },
            { "launch": { "arguments": launch.clone(), "expect": { "error": "ISVDBG_PASSWORD is set but ISVDBG_TOTP_SECRET is not" } } },
            { "disconnect": {} }
        ]),
    )
    .await;

    // A remote sandbox has no fixture credentials to fall back on.
    let (client, _s) = connect(Bridge::new().with_env(env(&[])));
    run_steps(
        &client,
        &scenario_path("remote.json"),
        json!([
            { "initialize": {} },
            { "launch": { "arguments": launch.clone(), "expect": { "error": "no credentials for support2@acme.example: run `isvdbg setup`" } } },
            { "disconnect": {} }
        ]),
    )
    .await;

    // The right ones log in.
    let right = env(&[
        ("ISVDBG_PASSWORD", &user.password),
        ("ISVDBG_TOTP_SECRET", user.totp_secret.as_deref().unwrap()),
    ]);
    let (client, _s) = connect(Bridge::new().with_env(right));
    run_steps(
        &client,
        &scenario_path("remote.json"),
        json!([
            { "initialize": {} },
            { "launch": { "arguments": launch } },
            { "name": "the sandbox's clock is its own", "request": { "command": "isv/advanceClock", "arguments": { "seconds": 60 } } },
            { "disconnect": {} }
        ]),
    )
    .await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sandbox_that_shuts_down_ends_the_session_with_its_reason() {
    let server = Server::start().await;
    let creds = lmo_creds(&server);
    let (client, _s) = connect(Bridge::new().with_env(creds));
    run_steps(
        &client,
        &scenario_path("remote.json"),
        json!([
            { "initialize": {} },
            { "launch": { "arguments": { "sandbox": server.url, "subscriberOrg": "globex-full", "loginAsUser": ADMIN, "lmoUser": LMO } } }
        ]),
    )
    .await;
    server.shutdown().await;
    run_steps(
        &client,
        &scenario_path("remote.json"),
        json!([
            { "output": { "pattern": "^isvdbg: the sandbox is shutting down", "category": "important" } },
            { "event": { "event": "terminated" } },
            { "request": { "command": "isv/runApex", "arguments": { "code": "System.debug(1);" }, "expect": { "error": "connection to the sandbox was lost" } } },
            { "disconnect": {} }
        ]),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_launch_after_a_refused_one_resumes_the_login_instead_of_reusing_the_code() {
    // The clock is virtual and does not move: a second login would need the
    // TOTP code the first one used.
    let server = Server::start().await;
    let creds = lmo_creds(&server);
    let launch = |org: &str, as_user: &str| json!({ "sandbox": server.url, "subscriberOrg": org, "loginAsUser": as_user, "lmoUser": LMO });
    // Production is refused after the login and the LoginAs.
    let (first, _s1) = connect(Bridge::new().with_env(creds.clone()));
    run_steps(
        &first,
        &scenario_path("remote.json"),
        json!([
            { "initialize": {} },
            { "launch": { "arguments": launch("globex-prod", "admin@globex.example"), "expect": { "error": "production" } } },
            { "disconnect": {} }
        ]),
    )
    .await;
    // Another debug session of the same adapter process, at the same instant.
    let (second, _s2) = connect(Bridge::new().with_env(creds));
    run_steps(
        &second,
        &scenario_path("remote.json"),
        json!([
            { "initialize": {} },
            { "launch": { "arguments": launch("globex-full", ADMIN) } },
            { "disconnect": {} }
        ]),
    )
    .await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_sessions_login_is_not_taken_over_by_another_launch() {
    let server = Server::start().await;
    let creds = lmo_creds(&server);
    let launch = |org: &str, as_user: &str| json!({ "sandbox": server.url, "subscriberOrg": org, "loginAsUser": as_user, "lmoUser": LMO });
    let (first, _s1) = connect(Bridge::new().with_env(creds.clone()));
    run_steps(
        &first,
        &scenario_path("remote.json"),
        json!([
            { "initialize": {} },
            { "launch": { "arguments": launch("globex-full", ADMIN) } },
            { "configuration_done": {} }
        ]),
    )
    .await;
    // A second session of the process, at the same instant, for another
    // org: it must not move the live session's LoginAs. It logs in on its
    // own, and the code the first used is refused.
    let (second, _s2) = connect(Bridge::new().with_env(creds));
    run_steps(
        &second,
        &scenario_path("remote.json"),
        json!([
            { "initialize": {} },
            { "launch": { "arguments": launch("globex-prod", "admin@globex.example"), "expect": { "error": "this verification code was already used" } } },
            { "disconnect": {} }
        ]),
    )
    .await;
    // The first session still runs Apex as its LoginAs user.
    run_steps(
        &first,
        &scenario_path("remote.json"),
        json!([
            { "request": { "command": "isv/runApex", "arguments": { "code": "System.debug('still here');" }, "expect": { "body": { "success": true } } } },
            { "disconnect": {} }
        ]),
    )
    .await;
    server.shutdown().await;
}
