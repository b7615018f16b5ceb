//! Requests in a subscriber org: anonymous Apex, REST calls, DML through
//! triggers, queueable and future work as requests of their own, and requests
//! running side by side.

mod sandbox_support;

use sandbox_support::{ADMIN, Client, Server, line_of, marker_line};
use serde_json::{Value, json};

const SUPPORT: &str = "support@acme.example";

/// The `System.debug` messages of a waited-for run.
fn messages(run: &Value) -> Vec<String> {
    run["output"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["message"].as_str().unwrap().to_string())
        .collect()
}

/// Runs anonymous Apex that must succeed; returns its debug messages.
async fn apex(c: &mut Client, code: &str) -> Vec<String> {
    let r = c.ok("apex.run", json!({ "code": code })).await;
    assert_eq!(r["success"], true, "{r}");
    messages(&r)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_apex_runs_from_text() {
    let srv = Server::start().await;
    let mut c = srv.subscriber("globex-full", ADMIN).await;
    let r = c
        .ok(
            "apex.run",
            json!({ "code": "Integer n = 6 * 7;\nSystem.debug('n=' + n);" }),
        )
        .await;
    assert_eq!(r["success"], true);
    assert_eq!(
        r["output"],
        json!([{ "line": 2, "level": "DEBUG", "message": "n=42" }])
    );
    assert!(r["requestId"].as_str().unwrap().parse::<u64>().is_ok());
    // An uncaught exception is reported, not lost.
    let r = c
        .ok(
            "apex.run",
            json!({ "code": "Integer x = null;\nx = x + 1;" }),
        )
        .await;
    assert_eq!(r["success"], false);
    assert_eq!(r["exception"]["typeName"], "System.NullPointerException");
    // Code that does not compile never runs.
    let e = c
        .fails("apex.run", json!({ "code": "Integer x = ;" }))
        .await;
    // FIXME: the token at fault is the `;` at column 13 (the expression is
    // missing), as Salesforce reports it ("Unexpected token ';'."); the `=`
    // before it is where a declaration with a value should be.
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        (
            "COMPILE_ERROR",
            "AnonymousBlock:1:11: Unexpected token '='."
        )
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rest_call_reaches_the_packages_rest_resource() {
    let srv = Server::start().await;
    let mut c = srv.subscriber("globex-full", ADMIN).await;
    let ids = apex(
        &mut c,
        "for (acme__Invoice__c i : [SELECT Id, Name FROM acme__Invoice__c ORDER BY Name LIMIT 1]) { System.debug(i.Id); System.debug(i.Name); }",
    )
    .await;
    let (id, name) = (&ids[0], &ids[1]);
    let r = c
        .ok(
            "rest.invoke",
            json!({ "method": "GET", "path": format!("/services/apexrest/acme/invoices/{id}") }),
        )
        .await;
    assert_eq!(r["status"], 200, "{r}");
    let body: Value = serde_json::from_str(r["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["id"], id.as_str(), "{body}");
    assert_eq!(body["invoiceNumber"], name.as_str());
    assert!(!body["lines"].as_array().unwrap().is_empty());
    let r = c
        .ok(
            "rest.invoke",
            json!({ "method": "GET", "path": "/services/apexrest/acme/invoices/not-an-id" }),
        )
        .await;
    assert_eq!(r["status"], 400, "{r}");
    let r = c
        .ok(
            "rest.invoke",
            json!({ "method": "GET", "path": "/services/apexrest/nothing/here" }),
        )
        .await;
    assert_eq!(r["status"], 404, "{r}");
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dml_fires_the_packages_triggers_inside_the_request() {
    let srv = Server::start().await;
    let mut c = srv.engineer(SUPPORT, "globex-full", ADMIN).await;
    let session = c.debug_start().await;
    let typeref = "__sfdc_trigger/acme/InvoiceLineTrigger";
    let line = marker_line(
        &srv.sb,
        "InvoiceLineTrigger.trigger",
        "new InvoiceLineTriggerHandler",
    );
    let set = c
        .ok(
            "debug.breakpoints",
            json!({ "sessionId": session, "typeref": typeref, "breakpoints": [{ "line": line }] }),
        )
        .await;
    assert_eq!(set["breakpoints"][0]["verified"], true, "{set}");
    let rt = srv.sb.org("globex-full").unwrap().clone();
    let dir = rt.info().project.unwrap();
    let script = std::fs::read_to_string(dir.join("scripts/create-invoice.apex")).unwrap();
    let run = c
        .ok("apex.run", json!({ "code": script, "wait": false }))
        .await;
    let request = run["requestId"].as_str().unwrap().to_string();
    let stop = c.event("Stopped").await;
    assert_eq!(stop["requestId"], request.as_str());
    assert_eq!(stop["typeref"], typeref);
    assert_eq!(stop["line"], line);
    let stack = c.ok("debug.stack", json!({ "requestId": request })).await;
    let frames = stack["frames"].as_array().unwrap();
    assert_eq!(frames[0]["typeref"], typeref);
    assert_eq!(
        frames.last().unwrap()["name"],
        "AnonymousBlock",
        "the trigger runs inside the anonymous request: {stack}"
    );
    // Clear the breakpoint and let the request finish.
    c.ok(
        "debug.breakpoints",
        json!({ "sessionId": session, "typeref": typeref, "breakpoints": [] }),
    )
    .await;
    c.ok("debug.continue", json!({ "requestId": request }))
        .await;
    let done = c
        .event_where("RequestFinished", |b| b["requestId"] == request.as_str())
        .await;
    assert_eq!(done["success"], true, "{done}");
    let out: Vec<&str> = done["output"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["message"].as_str().unwrap())
        .collect();
    // The line trigger rolled the amounts up to the invoice.
    assert!(out.contains(&"subtotal=5348.78"), "{out:?}");
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_and_future_work_run_afterwards_as_debuggable_requests() {
    let srv = Server::start().await;
    let mut c = srv.engineer(SUPPORT, "globex-full", ADMIN).await;
    let session = c.debug_start().await;
    let q_line = marker_line(
        &srv.sb,
        "InvoiceSyncQueueable.cls",
        "List<Id> chunk = new List<Id>();",
    );
    let f_line = marker_line(
        &srv.sb,
        "InvoiceNotifier.cls",
        "createFollowUpTasks(invoiceIds, FOLLOW_UP_SUBJECT);",
    );
    for (typeref, line) in [
        ("acme/InvoiceSyncQueueable", q_line),
        ("acme/InvoiceNotifier", f_line),
    ] {
        let set = c
            .ok(
                "debug.breakpoints",
                json!({ "sessionId": session, "typeref": typeref, "breakpoints": [{ "line": line }] }),
            )
            .await;
        assert_eq!(set["breakpoints"][0]["verified"], true, "{set}");
    }
    let code = "Account a = [SELECT Id FROM Account WHERE Name = 'Cypress Creek Outfitters' LIMIT 1];\n\
        acme__Invoice__c inv = [SELECT Id FROM acme__Invoice__c WHERE acme__Account__c = :a.Id AND acme__Status__c = 'Approved' LIMIT 1];\n\
        acme.BillingApi.sendInvoice(inv.Id);\n\
        System.debug(inv.Id);";
    let run = c.ok("apex.run", json!({ "code": code })).await;
    assert_eq!(run["success"], true, "{run}");
    // Under login access the output also holds the package's own debug lines.
    let invoice = messages(&run).last().unwrap().clone();
    let anon = run["requestId"].as_str().unwrap().to_string();
    // Two new requests start once the anonymous one has committed.
    let mut jobs = Vec::new();
    for _ in 0..2 {
        let started = c
            .event_where("RequestStarted", |b| b["requestId"] != anon.as_str())
            .await;
        assert_eq!(started["debugged"], true, "{started}");
        assert_eq!(started["user"], ADMIN);
        assert_eq!(started["sessionId"], session.as_str());
        jobs.push(started);
    }
    let mut kinds: Vec<&str> = jobs.iter().map(|j| j["kind"].as_str().unwrap()).collect();
    kinds.sort();
    assert_eq!(kinds, ["FUTURE", "QUEUEABLE"]);
    for j in &jobs {
        let id = j["requestId"].as_str().unwrap();
        let stop = c.event_where("Stopped", |b| b["requestId"] == id).await;
        let (typeref, line) = if j["kind"] == "QUEUEABLE" {
            ("acme/InvoiceSyncQueueable", q_line)
        } else {
            ("acme/InvoiceNotifier", f_line)
        };
        assert_eq!(stop["typeref"], typeref, "{stop}");
        assert_eq!(stop["line"], line);
        let frames = c.ok("debug.stack", json!({ "requestId": id })).await;
        assert_eq!(frames["frames"][0]["typeref"], typeref);
    }
    let listed = c
        .ok("debug.requests", json!({ "sessionId": session }))
        .await;
    let paused = listed["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["state"] == "paused")
        .count();
    assert_eq!(paused, 2, "{listed}");
    for j in &jobs {
        let id = j["requestId"].as_str().unwrap();
        c.ok("debug.continue", json!({ "requestId": id })).await;
        let done = c
            .event_where("RequestFinished", |b| b["requestId"] == id)
            .await;
        assert_eq!(done["success"], true, "{done}");
    }
    // Their work committed: the invoice is staged for the ERP, and a follow-up task exists.
    let out = apex(
        &mut c,
        &format!(
            "acme__Invoice__c i = [SELECT acme__Status__c, acme__Sync_Status__c FROM acme__Invoice__c WHERE Id = '{invoice}'];\n\
             System.debug(i.acme__Status__c + '/' + i.acme__Sync_Status__c);\n\
             System.debug([SELECT COUNT() FROM Task WHERE WhatId = '{invoice}']);"
        ),
    )
    .await;
    assert_eq!(out[out.len() - 2..], ["Sent/Ready", "1"]);
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_requests_pause_at_once_on_their_own_threads() {
    let srv = Server::start().await;
    let mut c = srv.engineer(SUPPORT, "globex-full", ADMIN).await;
    let session = c.debug_start().await;
    let code = "Integer here = 1;\nSystem.debug('stop here');\nSystem.debug('done');";
    c.ok(
        "debug.breakpoints",
        json!({ "sessionId": session, "typeref": "AnonymousBlock", "breakpoints": [{ "line": line_of(code, "stop here") }] }),
    )
    .await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let r = c
            .ok("apex.run", json!({ "code": code, "wait": false }))
            .await;
        ids.push(r["requestId"].as_str().unwrap().to_string());
    }
    for id in &ids {
        let stop = c
            .event_where("Stopped", |b| b["requestId"] == id.as_str())
            .await;
        assert_eq!(stop["typeref"], "AnonymousBlock");
        assert_eq!(stop["line"], 2);
    }
    let listed = c
        .ok("debug.requests", json!({ "sessionId": session }))
        .await;
    let states: Vec<(&str, &str)> = listed["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["requestId"].as_str().unwrap(),
                r["state"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [(ids[0].as_str(), "paused"), (ids[1].as_str(), "paused")]
    );
    // Each answers on its own: step one while the other stays paused.
    c.ok("debug.stepOver", json!({ "requestId": ids[1] })).await;
    let step = c
        .event_where("Stopped", |b| b["requestId"] == ids[1].as_str())
        .await;
    assert_eq!(step["line"], 3);
    let stack = c.ok("debug.stack", json!({ "requestId": ids[0] })).await;
    assert_eq!(stack["frames"][0]["line"], 2);
    for id in ids.iter().rev() {
        c.ok("debug.continue", json!({ "requestId": id })).await;
        let done = c
            .event_where("RequestFinished", |b| b["requestId"] == id.as_str())
            .await;
        assert_eq!(done["success"], true);
    }
    srv.shutdown().await;
}

/// The instance does not keep every request it ever ran: a finished request
/// is remembered only while a live session can still list it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finished_requests_are_forgotten_once_no_session_can_list_them() {
    let srv = Server::start().await;
    let mut customer = srv.subscriber("globex-full", ADMIN).await;
    for i in 0..20 {
        apex(&mut customer, &format!("System.debug({i});")).await;
    }
    assert_eq!(
        srv.sb.requests.len(),
        0,
        "requests no session saw are forgotten when they finish"
    );

    let mut engineer = srv.engineer(SUPPORT, "globex-full", ADMIN).await;
    let session = engineer.debug_start().await;
    apex(&mut engineer, "System.debug('seen by the session');").await;
    let listed = engineer
        .ok("debug.requests", json!({ "sessionId": session }))
        .await;
    assert_eq!(listed["requests"].as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed["requests"][0]["state"], "finished", "{listed}");
    assert_eq!(srv.sb.requests.len(), 1);

    engineer
        .ok("debug.stop", json!({ "sessionId": session }))
        .await;
    assert_eq!(
        srv.sb.requests.len(),
        0,
        "a session's finished requests go with it"
    );
    srv.shutdown().await;
}
