//! Refusals of the inspection commands over the WebSocket, and the `Resumed`
//! event of a continued request.

mod sandbox_support;

use sandbox_support::{ADMIN, Server, line_of};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspection_refusals_name_their_cause_and_a_continue_sends_resumed() {
    let srv = Server::start().await;
    let mut c = srv
        .engineer("support@acme.example", "globex-full", ADMIN)
        .await;
    let session = c.debug_start().await;
    let code = "Integer n = 41;\nn++; // #HERE\nSystem.debug(n);";
    c.ok(
        "debug.breakpoints",
        json!({ "sessionId": session, "typeref": "AnonymousBlock", "breakpoints": [{ "line": line_of(code, "#HERE") }] }),
    )
    .await;
    let run = c
        .ok("apex.run", json!({ "code": code, "wait": false }))
        .await;
    let request = run["requestId"].as_str().unwrap().to_string();
    c.event("Stopped").await;

    let e = c
        .fails("debug.stack", json!({ "requestId": "999999" }))
        .await;
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        (
            "UNKNOWN_REQUEST",
            "there is no request 999999; list them with debug.requests"
        )
    );
    let e = c
        .fails("debug.exceptionInfo", json!({ "requestId": request }))
        .await;
    assert_eq!(
        (e.code.as_str(), e.message),
        (
            "NO_EXCEPTION",
            format!("request {request} is not stopped on an exception")
        )
    );
    let e = c
        .fails(
            "debug.variables",
            json!({ "requestId": request, "reference": 999999 }),
        )
        .await;
    assert_eq!(e.code, "BAD_REFERENCE", "{e:?}");
    assert!(!e.message.is_empty());
    let e = c
        .fails(
            "debug.evaluate",
            json!({ "requestId": request, "frame": 0, "expression": "n +" }),
        )
        .await;
    assert_eq!(e.code, "EVALUATION_FAILED", "{e:?}");
    let scopes = c
        .ok("debug.scopes", json!({ "requestId": request, "frame": 0 }))
        .await;
    let locals = scopes["scopes"][0]["reference"].clone();
    let e = c
        .fails(
            "debug.setVariable",
            json!({ "requestId": request, "reference": locals, "name": "missing", "value": "1" }),
        )
        .await;
    assert_eq!(e.code, "SET_FAILED", "{e:?}");

    c.ok("debug.continue", json!({ "requestId": request }))
        .await;
    let resumed = c.event("Resumed").await;
    assert_eq!(
        resumed,
        json!({ "requestId": request, "sessionId": session })
    );
    let done = c.event("RequestFinished").await;
    assert_eq!(done["output"][0]["message"], "42");
    srv.shutdown().await;
}
