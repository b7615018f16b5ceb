//! Inspection through the bridge with the references the adapter hands out:
//! setVariable, paged variables and frames, evaluation contexts,
//! completions, protected custom settings, clients that count from 0, and
//! breakpoints in anonymous Apex files.

mod bridge_support;

use bridge_support::{
    bridge, connect, event, globex_launch, marker_line, package_class, req, req_err, transcript,
};
use isvdbg::client::Client;
use isvdbg::dap::{Connection, Session};
use serde_json::{Value, json};

async fn start(client: &Client, init: Value) {
    req(client, "initialize", init).await;
    req(client, "launch", globex_launch("virtual")).await;
    req(client, "configurationDone", json!({})).await;
}

fn init() -> Value {
    json!({ "adapterID": "apex-isv", "linesStartAt1": true, "columnsStartAt1": true, "pathFormat": "path" })
}

async fn set_line(client: &Client, file: &std::path::Path, line: i64) -> Value {
    req(
        client,
        "setBreakpoints",
        json!({ "source": { "path": file }, "breakpoints": [{ "line": line }] }),
    )
    .await
}

/// A child of a variables container by name.
async fn child(client: &Client, reference: i64, name: &str) -> Value {
    let vars = req(
        client,
        "variables",
        json!({ "variablesReference": reference }),
    )
    .await;
    vars["variables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no {name} in {vars}"))
}

async fn frames(client: &Client, thread: i64) -> Vec<Value> {
    req(client, "stackTrace", json!({ "threadId": thread })).await["stackFrames"]
        .as_array()
        .unwrap()
        .clone()
}

async fn scope(client: &Client, frame: i64, name: &str) -> i64 {
    let scopes = req(client, "scopes", json!({ "frameId": frame })).await;
    scopes["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no scope {name} in {scopes}"))["variablesReference"]
        .as_i64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn variables_page_set_and_evaluate_in_a_stopped_request() {
    let (client, _s) = connect(bridge());
    start(&client, init()).await;
    let resolver = package_class("RegionResolver.cls");
    let line = marker_line(&resolver, "#BP_REGION");
    let placed = set_line(&client, &resolver, line).await;
    assert_eq!(placed["breakpoints"][0]["verified"], true, "{placed}");
    let ran = req(
        &client,
        "isv/runApex",
        json!({ "path": "scripts/create-invoice.apex" }),
    )
    .await;
    assert_eq!(ran["paused"], true, "{ran}");
    let thread = ran["threadId"].as_i64().unwrap();
    event(&client, "stopped", |_| true).await;

    // Frames come whole or in pages, with the same total.
    let all = frames(&client, thread).await;
    assert!(all.len() >= 3, "{all:?}");
    let page = req(
        &client,
        "stackTrace",
        json!({ "threadId": thread, "startFrame": 1, "levels": 1 }),
    )
    .await;
    assert_eq!(page["totalFrames"], all.len());
    assert_eq!(page["stackFrames"].as_array().unwrap().len(), 1);
    assert_eq!(
        page["stackFrames"][0]["name"],
        "acme.TaxCalculator.calculate"
    );

    // setVariable on a local, by the reference of its scope.
    let top = all[0]["id"].as_i64().unwrap();
    let locals = scope(&client, top, "Locals").await;
    assert_eq!(
        child(&client, locals, "key").await["value"],
        "'US_California'"
    );
    let set = req(
        &client,
        "setVariable",
        json!({ "variablesReference": locals, "name": "key", "value": "'US_' + 'CA'" }),
    )
    .await;
    assert_eq!(set["value"], "'US_CA'");
    assert_eq!(set["type"], "String");
    assert_eq!(child(&client, locals, "key").await["value"], "'US_CA'");
    let bad = req_err(
        &client,
        "setVariable",
        json!({ "variablesReference": locals, "name": "nothing", "value": "1" }),
    )
    .await;
    assert!(bad.contains("nothing"), "{bad}");

    // A list's items, a page at a time.
    let caller = all[1]["id"].as_i64().unwrap();
    let lines = child(&client, scope(&client, caller, "Locals").await, "lines").await;
    assert_eq!(lines["indexedVariables"], 3, "{lines}");
    let lines_ref = lines["variablesReference"].as_i64().unwrap();
    let second = req(
        &client,
        "variables",
        json!({ "variablesReference": lines_ref, "filter": "indexed", "start": 1, "count": 1 }),
    )
    .await;
    assert_eq!(second["variables"].as_array().unwrap().len(), 1, "{second}");
    assert_eq!(second["variables"][0]["name"], "[1]");
    assert_eq!(second["variables"][0]["evaluateName"], "lines[1]");
    let named = req(
        &client,
        "variables",
        json!({ "variablesReference": lines_ref, "filter": "named" }),
    )
    .await;
    assert_eq!(
        named["variables"],
        json!([]),
        "a list has no named children"
    );

    // Evaluation: in a frame, without one (the only stopped request), for
    // the clipboard (the whole value), and errors.
    let e = req(
        &client,
        "evaluate",
        json!({ "expression": "lines.size()", "frameId": caller, "context": "watch" }),
    )
    .await;
    assert_eq!(e["result"], "3");
    let e = req(
        &client,
        "evaluate",
        json!({ "expression": "key", "context": "repl" }),
    )
    .await;
    assert_eq!(e["result"], "'US_CA'");
    let e = req(
        &client,
        "evaluate",
        json!({ "expression": "config.defaultRegion + '/' + country", "frameId": top, "context": "clipboard" }),
    )
    .await;
    assert_eq!(e["result"], "US_NY/US");
    let err = req_err(
        &client,
        "evaluate",
        json!({ "expression": "noSuchThing + 1", "frameId": top, "context": "hover" }),
    )
    .await;
    assert!(err.contains("noSuchThing"), "{err}");
    let err = req_err(
        &client,
        "evaluate",
        json!({ "expression": "  ", "frameId": top }),
    )
    .await;
    assert!(err.contains("nothing to evaluate"), "{err}");

    // Completions replace the word at the cursor.
    let c = req(
        &client,
        "completions",
        json!({ "frameId": top, "text": "config.defa", "column": 12 }),
    )
    .await;
    let target = &c["targets"][0];
    assert_eq!(target["label"], "defaultRegion", "{c}");
    assert_eq!(target["start"], 8);
    assert_eq!(target["length"], 4);
    let c = req(
        &client,
        "completions",
        json!({ "frameId": top, "text": "sta", "column": 4 }),
    )
    .await;
    assert!(
        c["targets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["label"] == "state"),
        "{c}"
    );

    // The protected settings: read, edit the first record, refuse the others.
    let settings = scope(&client, top, "Custom Settings (protected)").await;
    let config = child(&client, settings, "acme__Billing_Config__c").await;
    let org_default = child(
        &client,
        config["variablesReference"].as_i64().unwrap(),
        "Org default",
    )
    .await;
    let record = org_default["variablesReference"].as_i64().unwrap();
    assert_eq!(
        child(&client, record, "acme__Rounding_Scale__c").await["value"],
        "2"
    );
    let set = req(
        &client,
        "setVariable",
        json!({ "variablesReference": record, "name": "acme__External_System__c", "value": "'NetSuite'" }),
    )
    .await;
    assert_eq!(set["value"], "'NetSuite'");
    assert_eq!(
        child(&client, record, "acme__External_System__c").await["value"],
        "'NetSuite'"
    );
    let rates = child(&client, settings, "acme__Tax_Rate__c").await;
    let rates_ref = rates["variablesReference"].as_i64().unwrap();
    let ny = child(&client, rates_ref, "US_NY").await;
    let refused = req_err(
        &client,
        "setVariable",
        json!({ "variablesReference": ny["variablesReference"], "name": "acme__Rate__c", "value": "7.25" }),
    )
    .await;
    assert!(
        refused.contains("only the first record of acme__Tax_Rate__c (US_CA)"),
        "{refused}"
    );

    // Once the request moves on, its old references are refused.
    req(
        &client,
        "setBreakpoints",
        json!({ "source": { "path": resolver }, "breakpoints": [] }),
    )
    .await;
    req(&client, "continue", json!({ "threadId": thread })).await;
    let stale = req_err(&client, "scopes", json!({ "frameId": top })).await;
    assert!(stale.contains("from an earlier stop"), "{stale}");
    let finished = event(&client, "isv/requestFinished", |_| true).await;
    assert_eq!(finished["success"], true, "{finished}");
    let total = finished["output"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["message"].as_str().unwrap().starts_with("total="))
        .cloned()
        .unwrap();
    assert_eq!(
        total["message"], "total=5736.57",
        "the fixed key taxes at 7.25 %"
    );
    req(&client, "disconnect", json!({})).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_counting_lines_and_columns_from_zero_gets_them_so() {
    let (client, _s) = connect(bridge());
    start(
        &client,
        json!({ "adapterID": "apex-isv", "linesStartAt1": false, "columnsStartAt1": false }),
    )
    .await;
    let tax = package_class("TaxCalculator.cls");
    let line = marker_line(&tax, "#BP_TAX") - 1;
    let placed = set_line(&client, &tax, line).await;
    assert_eq!(placed["breakpoints"][0]["line"], line, "{placed}");
    let locations = req(
        &client,
        "breakpointLocations",
        json!({ "source": { "path": tax }, "line": line, "endLine": line }),
    )
    .await;
    assert_eq!(locations["breakpoints"], json!([{ "line": line }]));
    let ran = req(
        &client,
        "isv/runApex",
        json!({ "path": "scripts/create-invoice.apex" }),
    )
    .await;
    event(&client, "stopped", |_| true).await;
    let top = &frames(&client, ran["threadId"].as_i64().unwrap()).await[0];
    assert_eq!(top["line"], line);
    assert_eq!(top["column"], 8, "column 9 counted from 0");
    req(&client, "disconnect", json!({})).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn breakpoints_in_an_apex_file_wait_until_it_runs_then_stop_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("check-rates.apex");
    std::fs::write(
        &file,
        "// Which regions have rates?\nSet<String> keys = new Set<String>{ 'US_CA', 'US_NY' };\n\
         Integer n = keys.size(); // #HERE\nSystem.debug('regions=' + n);\n",
    )
    .unwrap();
    let file = file.canonicalize().unwrap();
    let (client, _s) = connect(bridge());
    start(&client, init()).await;
    let line = marker_line(&file, "#HERE");
    let placed = set_line(&client, &file, line).await;
    let bp = &placed["breakpoints"][0];
    assert_eq!(bp["verified"], false, "{placed}");
    assert_eq!(bp["reason"], "pending");
    assert!(
        bp["message"]
            .as_str()
            .unwrap()
            .contains("runs as anonymous Apex"),
        "{bp}"
    );

    let ran = req(&client, "isv/runApex", json!({ "path": file })).await;
    assert_eq!(ran["paused"], true, "{ran}");
    let changed = event(&client, "breakpoint", |b| {
        b["breakpoint"]["verified"] == true
    })
    .await;
    assert_eq!(changed["breakpoint"]["id"], bp["id"]);
    event(&client, "stopped", |s| s["reason"] == "breakpoint").await;
    let top = &frames(&client, ran["threadId"].as_i64().unwrap()).await[0];
    assert_eq!(top["line"], line);
    assert_eq!(top["source"]["path"], file.to_str().unwrap());
    req(&client, "continue", json!({ "threadId": ran["threadId"] })).await;
    let out = event(&client, "output", |o| o["output"] == "regions=2\n").await;
    assert_eq!(out["source"]["path"], file.to_str().unwrap());
    assert_eq!(out["line"], line + 1);

    // Code run inline is anonymous Apex too, but not that file: it does not stop there.
    let inline = req(
        &client,
        "isv/runApex",
        json!({ "code": "Integer a = 1;\nInteger b = 2;\nInteger n = a + b;\nSystem.debug(n);" }),
    )
    .await;
    assert_eq!(inline["success"], true, "{inline}");
    req(&client, "disconnect", json!({})).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn continue_with_single_thread_resumes_only_that_request() {
    let (client, _s) = connect(bridge());
    start(&client, init()).await;
    let tax = package_class("TaxCalculator.cls");
    set_line(&client, &tax, marker_line(&tax, "#BP_TAX")).await;
    let first = req(
        &client,
        "isv/runApex",
        json!({ "path": "scripts/create-invoice.apex" }),
    )
    .await;
    let second = req(
        &client,
        "isv/runApex",
        json!({ "path": "scripts/create-invoice.apex" }),
    )
    .await;
    let (one, two) = (first["threadId"].clone(), second["threadId"].clone());
    assert_eq!(
        (one.as_i64(), two.as_i64()),
        (Some(1), Some(2)),
        "{first} {second}"
    );

    let answer = req(
        &client,
        "continue",
        json!({ "threadId": one, "singleThread": true }),
    )
    .await;
    assert_eq!(answer["allThreadsContinued"], false);
    event(&client, "thread", |t| {
        t["reason"] == "exited" && t["threadId"] == one
    })
    .await;
    // The other request is still stopped and answers.
    let stack = frames(&client, 2).await;
    assert_eq!(stack[0]["name"], "acme.TaxCalculator.calculate");
    let threads = req(&client, "threads", json!({})).await;
    assert_eq!(threads["threads"].as_array().unwrap().len(), 1, "{threads}");
    let gone = req_err(&client, "next", json!({ "threadId": 7 })).await;
    assert!(gone.contains("there is no thread 7"), "{gone}");
    req(&client, "disconnect", json!({})).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_goes_only_to_clients_that_asked_and_arrives_during_the_launch() {
    for asked in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let record = dir.path().join("messages.jsonl");
        let mut transcript = transcript();
        transcript.record_to(&record).unwrap();
        let (server, client_end) = Connection::memory();
        let _session = tokio::spawn(Session::new(server, bridge()).run());
        let client = Client::from_connection(client_end, transcript);
        let mut args = init();
        args["supportsProgressReporting"] = json!(asked);
        req(&client, "initialize", args).await;
        req(&client, "launch", globex_launch("virtual")).await;
        req(&client, "disconnect", json!({})).await;
        let seen: Vec<(String, String)> = std::fs::read_to_string(&record)
            .unwrap()
            .lines()
            .filter_map(|l| {
                let m: Value = serde_json::from_str(l).ok()?;
                let m = &m["msg"];
                let kind = m["type"].as_str()?;
                let name = m["event"].as_str().or(m["command"].as_str())?;
                Some((kind.to_owned(), name.to_owned()))
            })
            .collect();
        let position =
            |kind: &str, name: &str| seen.iter().position(|(k, n)| k == kind && n == name);
        let launched = position("response", "launch").unwrap();
        if asked {
            let start = position("event", "progressStart").expect("a progressStart");
            let end = position("event", "progressEnd").expect("a progressEnd");
            assert!(
                start < launched,
                "progress starts before the launch answer: {seen:?}"
            );
            assert!(
                position("event", "progressUpdate").unwrap() < launched,
                "{seen:?}"
            );
            assert!(end > start, "{seen:?}");
        } else {
            assert_eq!(position("event", "progressStart"), None, "{seen:?}");
        }
    }
}
