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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn step_over_stays_in_the_method_and_step_out_returns_to_the_caller() {
    let srv = Server::start().await;
    let mut c = srv
        .engineer("support@acme.example", "globex-full", ADMIN)
        .await;
    let session = c.debug_start().await;
    let line = sandbox_support::marker_line(&srv.sb, "TaxCalculator.cls", "#BP_TAX");
    c.ok(
        "debug.breakpoints",
        json!({ "sessionId": session, "typeref": "acme/TaxCalculator", "breakpoints": [{ "line": line }] }),
    )
    .await;
    let run = c
        .ok(
            "apex.run",
            json!({ "code": sandbox_support::recalculate_script(&srv.sb), "wait": false }),
        )
        .await;
    let request = run["requestId"].as_str().unwrap().to_string();
    c.event("Stopped").await;
    c.ok("debug.stepOver", json!({ "requestId": request }))
        .await;
    let over = c.event("Stopped").await;
    assert_eq!(
        (&over["reason"], &over["typeref"], &over["line"]),
        (
            &json!("step"),
            &json!("acme/TaxCalculator"),
            &json!(line + 1)
        )
    );
    c.ok("debug.stepIn", json!({ "requestId": request })).await;
    let into = c.event("Stopped").await;
    assert_eq!(into["typeref"], "acme/TaxContext", "{into}");
    c.ok("debug.stepOut", json!({ "requestId": request })).await;
    let out = c.event("Stopped").await;
    assert_eq!(
        (&out["reason"], &out["typeref"]),
        (&json!("step"), &json!("acme/TaxCalculator")),
        "{out}"
    );
    c.ok("debug.continue", json!({ "requestId": request }))
        .await;
    c.event_where("RequestFinished", |b| b["requestId"] == request.as_str())
        .await;
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exception_breakpoint_by_type_stops_only_on_that_type() {
    let srv = Server::start().await;
    let mut c = srv
        .engineer("support@acme.example", "globex-full", ADMIN)
        .await;
    let session = c.debug_start().await;
    c.ok(
        "debug.exceptionBreakpoints",
        json!({ "sessionId": session, "types": ["System.NullPointerException"] }),
    )
    .await;
    let code = "Integer zero = 0;\ntry { Integer q = 1 / zero; } catch (MathException e) {}\n\
                String s;\nInteger n = s.length(); // #NPE\n";
    let run = c
        .ok("apex.run", json!({ "code": code, "wait": false }))
        .await;
    let request = run["requestId"].as_str().unwrap().to_string();
    let stop = c.event("Stopped").await;
    assert_eq!(stop["reason"], "exception");
    assert_eq!(stop["line"], line_of(code, "#NPE"));
    assert_eq!(stop["exception"]["typeName"], "System.NullPointerException");
    let info = c
        .ok("debug.exceptionInfo", json!({ "requestId": request }))
        .await;
    assert_eq!(info["typeName"], "System.NullPointerException", "{info}");
    assert_eq!(info["caught"], false);
    c.ok("debug.continue", json!({ "requestId": request }))
        .await;
    let done = c.event("RequestFinished").await;
    assert_eq!(done["success"], false);
    // The MathException before it did not stop.
    c.no_event("Stopped").await;
    srv.shutdown().await;
}
