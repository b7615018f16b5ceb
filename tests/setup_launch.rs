//! The launch configuration `isvdbg setup` writes into .vscode/launch.json,
//! launched as VS Code would launch it: read from the file (JSONC), with
//! `${workspaceFolder}` resolved to the project, and nothing added. Against
//! the sandbox setup talked to, it reaches a breakpoint in the retrieved
//! package source.

mod bridge_support;
mod sandbox_support;
mod setup_support;

use std::path::Path;

use bridge_support::{connect, env, repo};
use isvdbg::bridge::Bridge;
use isvdbg::client::Client;
use isvdbg::workflow::jsonc;
use sandbox_support::{ADMIN, Server};
use serde_json::{Value, json};
use setup_support::{LMO, lmo_env, setup};

/// The `apex-isv` configurations of a project's launch.json.
fn apex_configurations(project: &Path) -> Vec<Value> {
    let file = project.join(".vscode/launch.json");
    let text = std::fs::read_to_string(&file).unwrap();
    let parsed = jsonc::parse(&text).unwrap_or_else(|e| panic!("{}: {e:?}", file.display()));
    parsed.to_value()["configurations"]
        .as_array()
        .expect("a configurations array")
        .iter()
        .filter(|c| c["type"] == "apex-isv")
        .cloned()
        .collect()
}

/// What VS Code does to a configuration before it sends `launch`: replaces
/// `${workspaceFolder}` in every string by the folder that is open.
fn resolve_variables(config: &mut Value, workspace: &Path) {
    match config {
        Value::String(s) => {
            *s = s.replace("${workspaceFolder}", workspace.to_str().unwrap());
            assert!(
                !s.contains("${"),
                "a variable VS Code would not resolve: {s}"
            );
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| resolve_variables(v, workspace)),
        Value::Object(map) => map
            .values_mut()
            .for_each(|v| resolve_variables(v, workspace)),
        _ => {}
    }
}

fn marker_line(file: &Path, marker: &str) -> i64 {
    let text = std::fs::read_to_string(file).unwrap();
    let at = text.lines().position(|l| l.contains(marker));
    at.unwrap_or_else(|| panic!("no {marker} in {}", file.display())) as i64 + 1
}

/// Sends a request and returns its body, panicking with the adapter's error.
async fn ok(client: &Client, command: &str, args: Value) -> Value {
    let r = client.request_raw(command, Some(args)).await.unwrap();
    assert!(r.success, "{command} failed: {:?}", r.error_text());
    r.body.unwrap_or(Value::Null)
}

/// The body of the next event named `name`.
async fn event(client: &Client, name: &str) -> Value {
    let e = client.wait_event_named(name).await.unwrap();
    serde_json::to_value(&e).unwrap()["body"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_configuration_setup_writes_launches_and_reaches_a_breakpoint() {
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

    let configs = apex_configurations(&project);
    assert_eq!(configs.len(), 1, "one apex-isv configuration: {configs:#?}");
    let mut launch = configs[0].clone();
    assert_eq!(launch["request"], "launch");
    assert_eq!(launch["sandbox"], server.url, "the sandbox setup talked to");
    resolve_variables(&mut launch, &project);

    let tax = project.join(".sfdx/tools/installed-packages/acme/classes/TaxCalculator.cls");
    let line = marker_line(&tax, "#BP_TAX");

    // No credentials in the environment: the login setup saved is the one used.
    let (client, _session) = connect(Bridge::new().with_env(env(&[])));
    ok(
        &client,
        "initialize",
        json!({ "adapterID": "apex-isv", "clientID": "vscode", "linesStartAt1": true,
                "columnsStartAt1": true, "pathFormat": "path" }),
    )
    .await;
    ok(&client, "launch", launch).await;
    event(&client, "initialized").await;
    let set = ok(
        &client,
        "setBreakpoints",
        json!({ "source": { "path": tax }, "breakpoints": [{ "line": line }] }),
    )
    .await;
    assert_eq!(set["breakpoints"][0]["verified"], true, "{set}");
    ok(&client, "configurationDone", json!({})).await;

    let code = std::fs::read_to_string(
        repo().join("fixtures/worlds/default/orgs/globex-full/scripts/create-invoice.apex"),
    )
    .unwrap();
    let run = client
        .send_request("isv/runApex", Some(json!({ "code": code })))
        .await
        .unwrap();
    let stopped = event(&client, "stopped").await;
    assert_eq!(stopped["reason"], "breakpoint", "{stopped}");
    let stack = ok(
        &client,
        "stackTrace",
        json!({ "threadId": stopped["threadId"], "levels": 1 }),
    )
    .await;
    let top = &stack["stackFrames"][0];
    assert_eq!(top["name"], "acme.TaxCalculator.calculate", "{top}");
    assert_eq!(top["line"], line, "{top}");
    // Exactly the retrieved file's path, as VS Code matches editor tabs.
    assert_eq!(
        top["source"]["path"],
        tax.to_str().unwrap(),
        "the frame is in the retrieved file: {top}"
    );

    ok(
        &client,
        "continue",
        json!({ "threadId": stopped["threadId"] }),
    )
    .await;
    let finished = run.wait(client.timeout).await.unwrap();
    assert!(finished.success, "{:?}", finished.error_text());
    ok(&client, "disconnect", json!({})).await;
    server.shutdown().await;
}
