//! `System.debug` output through the bridge: each line of a debugged request
//! becomes one DAP `output` event at the class or `.apex` file and line that
//! wrote it, package code included, and is not shown a second time when the
//! request finishes.

mod bridge_support;

use bridge_support::{
    bridge, connect, event, globex_launch, marker_line, package_class, repo, req,
};
use isvdbg::client::Client;
use serde_json::{Value, json};

/// Every event queued so far, oldest first, as `{event, body}`.
async fn take_all(client: &Client) -> Vec<Value> {
    let mut out = Vec::new();
    while !client.queued_events().is_empty() {
        let e = client
            .wait_event("any event", client.timeout, |_| true)
            .await
            .unwrap();
        out.push(serde_json::to_value(&e).unwrap());
    }
    out
}

fn outputs_starting(events: &[Value], prefix: &str) -> Vec<Value> {
    events
        .iter()
        .filter(|e| e["event"] == "output")
        .map(|e| e["body"].clone())
        .filter(|b| b["output"].as_str().is_some_and(|o| o.starts_with(prefix)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn system_debug_lines_of_package_code_and_apex_files_carry_their_source_and_line() {
    let (client, _s) = connect(bridge());
    req(
        &client,
        "initialize",
        json!({ "adapterID": "apex-isv", "linesStartAt1": true, "columnsStartAt1": true, "pathFormat": "path" }),
    )
    .await;
    req(&client, "launch", globex_launch("virtual")).await;
    req(&client, "configurationDone", json!({})).await;
    let script = repo()
        .join("fixtures/worlds/default/orgs/globex-full/scripts/recalculate-invoice.apex")
        .canonicalize()
        .unwrap();
    let ran = req(&client, "isv/runApex", json!({ "path": script })).await;
    assert_eq!(ran["success"], true, "{ran}");
    // A later request's line comes after every line of the first.
    req(
        &client,
        "isv/runApex",
        json!({ "code": "System.debug('the end');" }),
    )
    .await;
    event(&client, "output", |o| o["output"] == "the end\n").await;
    let events = take_all(&client).await;

    let package = outputs_starting(&events, "Invoice ");
    assert_eq!(package.len(), 1, "{package:?}");
    let line = marker_line(
        &package_class("TaxCalculator.cls"),
        "System.debug(LoggingLevel.DEBUG, 'Invoice '",
    );
    assert_eq!(package[0]["category"], "stdout");
    assert_eq!(
        package[0]["source"]["name"], "TaxCalculator.cls",
        "{:?}",
        package[0]
    );
    assert_eq!(package[0]["line"], line);

    let tax = outputs_starting(&events, "tax=");
    assert_eq!(tax.len(), 1, "shown once: {tax:?}");
    assert_eq!(tax[0]["source"]["path"], script.to_str().unwrap());
    assert_eq!(tax[0]["line"], marker_line(&script, "'tax='"));
    // The package's line was written before the script's last lines.
    let at = |prefix: &str| {
        events
            .iter()
            .position(|e| {
                e["body"]["output"]
                    .as_str()
                    .is_some_and(|o| o.starts_with(prefix))
            })
            .unwrap()
    };
    assert!(at("Invoice ") < at("tax="));
    req(&client, "disconnect", json!({})).await;
}
