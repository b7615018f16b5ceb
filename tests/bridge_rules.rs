//! The rules that need more than one actor: two engineers of one LMO, a
//! customer revoking access, a second client joining a session, and a client
//! that goes away while a request is paused. Sessions share one embedded
//! sandbox, as the sessions of `isvdbg dap --port` do.

mod bridge_support;

use std::time::Duration;

use bridge_support::{connect, globex_launch, run_steps, scenario_path, sharing};
use isvdbg::bridge::EmbeddedSandboxes;
use isvdbg::bridge::client::SandboxClient;
use isvdbg::client::Client;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(60);

/// The scenario file relative paths are resolved against.
fn here() -> std::path::PathBuf {
    scenario_path("rules.json")
}

/// Initializes and launches in the Globex Full sandbox as `lmo`.
async fn launch_as(client: &Client, lmo: &str) {
    let mut args = globex_launch("virtual");
    args["lmoUser"] = json!(lmo);
    run_steps(
        client,
        &here(),
        json!([
            { "initialize": {} },
            { "event": { "event": "initialized" } },
            {
                "set_breakpoints": {
                    "source": "../../fixtures/worlds/default/packages/acme-billing/force-app/main/default/classes/TaxCalculator.cls",
                    "breakpoints": ["#BP_TAX"]
                }
            },
            { "launch": { "arguments": args } },
            { "configuration_done": {} }
        ]),
    )
    .await;
}

/// Runs the Globex reproduction, which stops at `#BP_TAX`.
async fn stop_in_tax_calculation(client: &Client) {
    run_steps(
        client,
        &here(),
        json!([
            {
                "request": {
                    "command": "isv/runApex",
                    "arguments": { "path": "scripts/create-invoice.apex" },
                    "expect": { "body": { "paused": true } }
                }
            },
            { "stopped": { "reason": "breakpoint" } }
        ]),
    )
    .await;
}

/// The body of the next event named `name`.
async fn event_body(client: &Client, name: &str) -> Value {
    let e = client
        .wait_event(name, WAIT, |e| e.name() == name)
        .await
        .unwrap();
    serde_json::to_value(&e).unwrap()["body"].clone()
}

/// A connection of the customer's own to the shared sandbox.
async fn customer(sandboxes: &EmbeddedSandboxes) -> SandboxClient {
    let embedded = sandboxes.get_or_start(None, true).unwrap();
    let local = embedded.sandbox.connect_local();
    let (client, _events) = SandboxClient::over_channels(local.tx, local.rx);
    client
        .call(
            "auth.loginSubscriber",
            json!({ "org": "globex-full", "username": "admin@globex.example.full", "password": "demo-password-1" }),
        )
        .await
        .unwrap();
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_session_of_the_lmo_is_refused_naming_its_holder_and_since_when() {
    let sandboxes = EmbeddedSandboxes::default();
    let (first, _s1) = connect(sharing(&sandboxes));
    launch_as(&first, "support@acme.example").await;

    let (second, _s2) = connect(sharing(&sandboxes));
    let mut args = globex_launch("virtual");
    args["lmoUser"] = json!("support2@acme.example");
    run_steps(
        &second,
        &here(),
        json!([
            { "initialize": {} },
            {
                "launch": {
                    "arguments": args.clone(),
                    "expect": {
                        "error": "support@acme.example already uses this LMO's debug session (1 of 1), in Globex Corp (Full Sandbox) since 2024-05-20T16:00:00Z",
                        "body": { "error.showUser": true }
                    }
                }
            }
        ]),
    )
    .await;

    // Once the first engineer is done, the second gets the session.
    run_steps(&first, &here(), json!([{ "disconnect": {} }])).await;
    run_steps(
        &second,
        &here(),
        json!([{ "launch": { "arguments": args } }]),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_login_access_ends_the_session_with_the_reason_and_the_request_finishes() {
    let sandboxes = EmbeddedSandboxes::default();
    let (engineer, _s) = connect(sharing(&sandboxes));
    launch_as(&engineer, "support@acme.example").await;
    stop_in_tax_calculation(&engineer).await;

    let globex = customer(&sandboxes).await;
    globex.call("access.revoke", json!({})).await.unwrap();

    run_steps(
        &engineer,
        &here(),
        json!([
            { "output": { "pattern": "^isvdbg: the customer revoked login access; the debug session ended\\n$", "category": "important" } },
            { "event": { "event": "terminated" } },
            { "name": "the paused request resumed and finished", "output": { "pattern": "^total=5823\\.49\\n$" } },
            { "request": { "command": "isv/requests", "expect": { "error": "the debug session has ended" } } },
            { "disconnect": {} }
        ]),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_goes_away_leaves_no_request_paused() {
    let sandboxes = EmbeddedSandboxes::default();
    let (mut engineer, session) = connect(sharing(&sandboxes));
    launch_as(&engineer, "support@acme.example").await;
    stop_in_tax_calculation(&engineer).await;
    let sandbox = sandboxes.get_or_start(None, true).unwrap().sandbox;
    assert_eq!(sandbox.requests.running(), 1, "the request waits, paused");

    // No disconnect: the client's stream just closes.
    engineer.shutdown().await;
    tokio::time::timeout(WAIT, session)
        .await
        .expect("the session ends")
        .unwrap()
        .unwrap();
    tokio::time::timeout(WAIT, sandbox.requests.wait_idle())
        .await
        .expect("the paused request resumed and finished");
    assert!(sandbox.debug.ids().is_empty(), "the debug session ended");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disconnect_resumes_paused_requests() {
    let sandboxes = EmbeddedSandboxes::default();
    let (engineer, session) = connect(sharing(&sandboxes));
    launch_as(&engineer, "support@acme.example").await;
    stop_in_tax_calculation(&engineer).await;
    run_steps(
        &engineer,
        &here(),
        json!([{ "disconnect": {} }, { "event": { "event": "terminated" } }]),
    )
    .await;
    tokio::time::timeout(WAIT, session)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let sandbox = sandboxes.get_or_start(None, true).unwrap().sandbox;
    tokio::time::timeout(WAIT, sandbox.requests.wait_idle())
        .await
        .expect("the paused request resumed and finished");
}

/// How many invoices Globex has, as its admin counts them.
async fn invoices(globex: &SandboxClient) -> String {
    let run = globex
        .call(
            "apex.run",
            json!({ "code": "System.debug([SELECT Id FROM acme__Invoice__c].size());" }),
        )
        .await
        .unwrap();
    run["output"][0]["message"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminate_resumes_paused_requests_and_their_work_commits() {
    let sandboxes = EmbeddedSandboxes::default();
    let (engineer, session) = connect(sharing(&sandboxes));
    let globex = customer(&sandboxes).await;
    let before: usize = invoices(&globex).await.parse().unwrap();
    launch_as(&engineer, "support@acme.example").await;
    stop_in_tax_calculation(&engineer).await;
    let sandbox = sandboxes.get_or_start(None, true).unwrap().sandbox;
    assert_eq!(sandbox.requests.running(), 1, "the request waits, paused");

    run_steps(
        &engineer,
        &here(),
        json!([
            { "request": { "command": "terminate" } },
            { "event": { "event": "terminated" } }
        ]),
    )
    .await;
    tokio::time::timeout(WAIT, sandbox.requests.wait_idle())
        .await
        .expect("the paused request resumed and finished");
    assert!(sandbox.debug.ids().is_empty(), "the debug session ended");
    assert_eq!(
        invoices(&globex).await,
        (before + 1).to_string(),
        "the invoice the request created is committed"
    );
    run_steps(&engineer, &here(), json!([{ "disconnect": {} }])).await;
    tokio::time::timeout(WAIT, session)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_client_attaches_to_a_running_session() {
    let sandboxes = EmbeddedSandboxes::default();
    let (owner, _s1) = connect(sharing(&sandboxes));
    launch_as(&owner, "support@acme.example").await;
    let timers = event_body(&owner, "isv/sessionTimers").await;
    let session_id = timers["sessionId"].as_str().unwrap().to_owned();
    stop_in_tax_calculation(&owner).await;

    let (guest, _s2) = connect(sharing(&sandboxes));
    run_steps(
        &guest,
        &here(),
        json!([
            { "initialize": {} },
            { "attach": { "arguments": { "sessionId": "999999" }, "expect": { "error": "there is no debug session 999999" } } },
            { "attach": { "arguments": { "sessionId": session_id } } },
            { "output": { "pattern": format!("^Joined ISV debugger session {session_id} in globex-full as admin@globex\\.example\\.full") } },
            { "event": { "event": "thread", "body": { "reason": "started", "threadId": 1 } } },
            {
                "threads": {
                    "expect": { "matches": { "threads[0].name": "^Request \\d+ · EXECUTE_ANONYMOUS create-invoice\\.apex$" } }
                }
            },
            {
                "request": {
                    "command": "stackTrace",
                    "arguments": { "threadId": 1, "levels": 1 },
                    "expect": { "body": { "stackFrames[0].name": "acme.TaxCalculator.calculate" } }
                }
            },
            { "name": "leaving an attached session leaves it to its owner", "disconnect": {} }
        ]),
    )
    .await;

    // The owner still holds the paused request.
    run_steps(
        &owner,
        &here(),
        json!([
            { "stack": { "thread": 1, "frames": [{ "name": "acme.TaxCalculator.calculate" }] } },
            { "continue": { "thread": 1 } },
            { "output": { "pattern": "^total=5823\\.49\\n$" } },
            { "disconnect": {} }
        ]),
    )
    .await;
}
