//! The ISV debugger over a real WebSocket: breakpoints, stepping, inspection,
//! and the bug hunt in the Globex tax calculation.

mod sandbox_support;

use sandbox_support::{ADMIN, Server, marker_line, recalculate_script};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_breakpoint_in_package_code_stops_the_request_and_shows_its_state() {
    let srv = Server::start().await;
    let mut c = srv
        .engineer("support@acme.example", "globex-full", ADMIN)
        .await;
    let session = c.debug_start().await;
    let line = marker_line(&srv.sb, "TaxCalculator.cls", "#BP_TAX");
    let set = c
        .ok("debug.breakpoints", json!({ "sessionId": session, "typeref": "acme/TaxCalculator", "breakpoints": [{ "line": line }] }))
        .await;
    assert_eq!(set["breakpoints"][0]["verified"], true, "{set}");
    let run = c
        .ok(
            "apex.run",
            json!({ "code": recalculate_script(&srv.sb), "wait": false }),
        )
        .await;
    let request = run["requestId"].as_str().unwrap().to_string();
    let started = c.event("RequestStarted").await;
    assert_eq!(started["debugged"], true);
    let stop = c.event("Stopped").await;
    assert_eq!(stop["requestId"], request.as_str());
    assert_eq!(stop["typeref"], "acme/TaxCalculator");
    assert_eq!(stop["line"], line);
    assert_eq!(stop["reason"], "breakpoint");
    let stack = c.ok("debug.stack", json!({ "requestId": request })).await;
    let top = &stack["frames"][0];
    assert_eq!(top["typeref"], "acme/TaxCalculator");
    assert!(stack["frames"].as_array().unwrap().len() >= 3, "{stack}");
    let scopes = c
        .ok("debug.scopes", json!({ "requestId": request, "frame": 0 }))
        .await;
    assert_eq!(scopes["scopes"][0]["name"], "Locals", "{scopes}");
    let v = c.ok("debug.evaluate", json!({ "requestId": request, "frame": 0, "expression": "invoice.Account__r.BillingState" })).await;
    assert_eq!(v["variable"]["value"], "'California'", "{v}");
    c.ok("debug.stepIn", json!({ "requestId": request })).await;
    let step = c.event("Stopped").await;
    assert_eq!(step["reason"], "step");
    assert_eq!(step["typeref"], "acme/RegionResolver", "{step}");
    c.ok("debug.continue", json!({ "requestId": request }))
        .await;
    let done = c.event("RequestFinished").await;
    assert_eq!(done["requestId"], request.as_str());
    assert_eq!(done["success"], true, "{done}");
    let out: Vec<String> = done["output"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["message"].as_str().unwrap().to_string())
        .collect();
    assert!(out.iter().any(|l| l.starts_with("tax=")), "{out:?}");
    srv.shutdown().await;
}
