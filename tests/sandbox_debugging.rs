//! The ISV debugger over a real WebSocket: breakpoints, stepping, inspection,
//! and the bug hunt in the Globex tax calculation.

mod sandbox_support;

use sandbox_support::{ADMIN, Server, line_of, marker_line, recalculate_script};
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

/// The `Debug` events of `System.debug` lines among `events`, in order.
fn debug_lines(events: &[serde_json::Value]) -> Vec<serde_json::Value> {
    events
        .iter()
        .filter(|e| e["event"] == "Debug" && e["body"]["origin"] == "System.debug")
        .map(|e| e["body"].clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_system_debug_of_a_debugged_request_is_a_debug_event_at_its_class_and_line() {
    let srv = Server::start().await;
    let mut c = srv
        .engineer("support@acme.example", "globex-full", ADMIN)
        .await;
    let session = c.debug_start().await;
    let script = recalculate_script(&srv.sb);
    let run = c.ok("apex.run", json!({ "code": script })).await;
    let events = c.all_events().await;
    let lines = debug_lines(&events);
    // One event per line of the request's output, in the same order.
    let output = run["output"].as_array().unwrap();
    assert_eq!(lines.len(), output.len(), "{lines:?}");
    for (event, out) in lines.iter().zip(output) {
        assert_eq!(event["text"], out["message"]);
        assert_eq!(event["line"], out["line"]);
        assert_eq!(event["level"], out["level"]);
        assert_eq!(event["sessionId"], session.as_str());
        assert_eq!(event["requestId"], run["requestId"]);
    }
    // The package's line is placed in its class; the script's in the block.
    let package_line = marker_line(
        &srv.sb,
        "TaxCalculator.cls",
        "System.debug(LoggingLevel.DEBUG, 'Invoice '",
    );
    let package = lines
        .iter()
        .find(|l| l["typeref"] == "acme/TaxCalculator")
        .expect("the package's debug line");
    assert_eq!(package["file"], "TaxCalculator.cls");
    assert_eq!(package["line"], package_line);
    assert_eq!(package["level"], "DEBUG");
    let tax = lines
        .iter()
        .find(|l| l["text"].as_str().unwrap().starts_with("tax="))
        .expect("the script's tax line");
    assert_eq!(tax["typeref"], "AnonymousBlock");
    assert_eq!(tax["file"], "AnonymousBlock");
    assert_eq!(tax["line"], line_of(&script, "'tax='"));
    // They all come before the request's end; no debug log was asked for.
    let finished = events
        .iter()
        .position(|e| e["event"] == "RequestFinished")
        .unwrap();
    let last_debug = events.iter().rposition(|e| e["event"] == "Debug").unwrap();
    assert!(last_debug < finished, "{events:?}");
    assert!(events.iter().all(|e| e["event"] != "LogLine"), "{events:?}");
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_nobody_debugs_send_no_debug_events() {
    let srv = Server::start().await;
    let mut c = srv
        .engineer("support@acme.example", "globex-full", ADMIN)
        .await;
    let run = c
        .ok("apex.run", json!({ "code": "System.debug('quiet');" }))
        .await;
    assert_eq!(run["output"][0]["message"], "quiet");
    c.no_event("Debug").await;
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_throw_of_a_debugged_request_is_an_apex_exception_caught_or_not() {
    let srv = Server::start().await;
    let mut c = srv
        .engineer("support@acme.example", "globex-full", ADMIN)
        .await;
    let session = c.debug_start().await;
    let code = "Integer zero = 0;\n\
                try {\n    Integer q = 1 / zero; // #CAUGHT\n} catch (MathException e) {\n    System.debug('caught');\n}\n\
                String s;\n\
                Integer n = s.length(); // #UNCAUGHT\n";
    let run = c.ok("apex.run", json!({ "code": code })).await;
    assert_eq!(run["success"], false, "{run}");
    let thrown = c.drain("ApexException").await;
    assert_eq!(thrown.len(), 2, "{thrown:?}");
    let (caught, uncaught) = (&thrown[0], &thrown[1]);
    assert_eq!(caught["typeName"], "System.MathException");
    assert_eq!(caught["message"], "Divide by 0");
    assert_eq!(caught["caught"], true);
    assert_eq!(caught["typeref"], "AnonymousBlock");
    assert_eq!(caught["line"], line_of(code, "#CAUGHT"));
    assert_eq!(caught["sessionId"], session.as_str());
    assert_eq!(caught["requestId"], run["requestId"]);
    assert_eq!(uncaught["typeName"], "System.NullPointerException");
    assert_eq!(uncaught["message"], "Attempt to de-reference a null object");
    assert_eq!(uncaught["caught"], false);
    assert_eq!(uncaught["line"], line_of(code, "#UNCAUGHT"));
    assert_eq!(
        uncaught["stack"],
        format!(
            "AnonymousBlock: line {}, column 1",
            line_of(code, "#UNCAUGHT")
        ),
        "{uncaught}"
    );
    // Without exception breakpoints nothing stopped.
    c.no_event("Stopped").await;
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_that_asks_for_log_lines_gets_the_debug_log_line_by_line() {
    let srv = Server::start().await;
    let mut c = srv
        .engineer("support@acme.example", "globex-full", ADMIN)
        .await;
    let s = c.ok("debug.start", json!({ "logLines": true })).await;
    let session = s["sessionId"].as_str().unwrap().to_string();
    let run = c
        .ok("apex.run", json!({ "code": "System.debug('hello');" }))
        .await;
    let request = run["requestId"].as_str().unwrap();
    let events = c.all_events().await;
    let lines: Vec<&serde_json::Value> = events
        .iter()
        .filter(|e| e["event"] == "LogLine")
        .map(|e| &e["body"])
        .collect();
    let log = c
        .ok("logs.get", json!({ "requestId": request, "view": "full" }))
        .await;
    let text: Vec<&str> = log["text"].as_str().unwrap().lines().collect();
    assert_eq!(lines.len(), text.len(), "{lines:?}");
    for (n, (event, want)) in lines.iter().zip(&text).enumerate() {
        assert_eq!(event["text"], *want);
        assert_eq!(event["index"], n + 1);
        assert_eq!(event["requestId"], request);
        assert_eq!(event["sessionId"], session.as_str());
    }
    assert!(
        text.iter()
            .any(|l| l.contains("USER_DEBUG|[1]|DEBUG|hello")),
        "{text:?}"
    );
    let finished = events
        .iter()
        .position(|e| e["event"] == "RequestFinished")
        .unwrap();
    let last = events
        .iter()
        .rposition(|e| e["event"] == "LogLine")
        .unwrap();
    assert!(last < finished);
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_line_without_a_statement_moves_to_the_nearest_statement_of_its_method() {
    let srv = Server::start().await;
    let mut c = srv
        .engineer("support@acme.example", "globex-full", ADMIN)
        .await;
    let session = c.debug_start().await;
    let typeref = "acme/TaxCalculator";
    let valid: Vec<u64> = c.ok("debug.lines", json!({ "typeref": typeref })).await["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_u64().unwrap())
        .collect();
    let bp_tax = marker_line(&srv.sb, "TaxCalculator.cls", "#BP_TAX") as u64;
    let blank = bp_tax - 1;
    assert!(!valid.contains(&blank));
    // After the constructor's closing brace, before the next method.
    let ctor = marker_line(&srv.sb, "TaxCalculator.cls", "this.config = config;") as u64;
    let after_ctor = ctor + 2;
    let last = *valid.last().unwrap();
    let set = c
        .ok(
            "debug.breakpoints",
            json!({ "sessionId": session, "typeref": typeref, "breakpoints": [
                { "line": blank }, { "line": after_ctor }, { "line": last + 40 }, { "line": bp_tax }
            ] }),
        )
        .await;
    let bps = set["breakpoints"].as_array().unwrap();
    // Forward within the method first.
    assert_eq!(bps[0]["line"], bp_tax);
    assert_eq!(
        bps[0]["message"],
        format!("line {blank} has no statement; the breakpoint moved to line {bp_tax}")
    );
    // Back to the method's last statement rather than into the next method.
    assert_eq!(bps[1]["line"], ctor);
    assert_eq!(
        bps[1]["message"],
        format!("line {after_ctor} has no statement; the breakpoint moved to line {ctor}")
    );
    // Past the end of the class: its last statement.
    assert_eq!(bps[2]["line"], last);
    assert_eq!(bps[2]["verified"], true);
    // A line with a statement stays, without a message.
    assert_eq!(bps[3]["line"], bp_tax);
    assert!(bps[3].get("message").is_none(), "{set}");
    srv.shutdown().await;
}
