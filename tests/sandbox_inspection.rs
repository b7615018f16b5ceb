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
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        (
            "BAD_REFERENCE",
            "Unknown variables reference 999999; references last only while the request is stopped"
        )
    );
    let e = c
        .fails(
            "debug.evaluate",
            json!({ "requestId": request, "frame": 0, "expression": "n +" }),
        )
        .await;
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        (
            "EVALUATION_FAILED",
            "`n +` is not a complete Apex expression: Missing 'identifier' at column 4"
        )
    );
    for (expression, message) in [
        ("nope + 1", "Variable does not exist: nope"),
        ("n / 0", "System.MathException: Divide by 0"),
    ] {
        let e = c
            .fails(
                "debug.evaluate",
                json!({ "requestId": request, "frame": 0, "expression": expression }),
            )
            .await;
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("EVALUATION_FAILED", message),
            "{expression}"
        );
    }
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
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        (
            "SET_FAILED",
            "No local variable named missing in this frame"
        )
    );
    let e = c
        .fails(
            "debug.setVariable",
            json!({ "requestId": request, "reference": locals, "name": "n", "value": "'forty'" }),
        )
        .await;
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("SET_FAILED", "Illegal assignment from String to Integer")
    );
    let e = c
        .fails(
            "debug.setVariable",
            json!({ "requestId": request, "reference": locals, "name": "n", "value": "n +" }),
        )
        .await;
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        (
            "SET_FAILED",
            "`n +` is not a complete Apex expression: Missing 'identifier' at column 4"
        )
    );

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

/// Stops anonymous Apex `code` at the line holding `marker`; returns the request id.
async fn stop_at(c: &mut sandbox_support::Client, code: &str, marker: &str) -> String {
    let session = c.debug_start().await;
    c.ok(
        "debug.breakpoints",
        json!({ "sessionId": session, "typeref": "AnonymousBlock", "breakpoints": [{ "line": line_of(code, marker) }] }),
    )
    .await;
    let run = c
        .ok("apex.run", json!({ "code": code, "wait": false }))
        .await;
    let request = run["requestId"].as_str().unwrap().to_string();
    let stop = c.event("Stopped").await;
    assert_eq!(stop["line"], line_of(code, marker), "{stop}");
    request
}

/// The variable named `name` among a `debug.variables` or `debug.scopes` answer's.
fn named<'a>(vars: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    vars.as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {vars}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_list_is_read_a_page_at_a_time() {
    let srv = Server::start().await;
    let mut c = srv
        .engineer("support@acme.example", "globex-full", ADMIN)
        .await;
    let code = "List<Integer> big = new List<Integer>();\n\
                for (Integer k = 0; k < 250; k++) { big.add(k * 2); }\n\
                System.debug(big.size()); // #READ";
    let request = stop_at(&mut c, code, "#READ").await;
    let scopes = c
        .ok("debug.scopes", json!({ "requestId": request, "frame": 0 }))
        .await;
    let locals = named(&scopes["scopes"], "Locals")["reference"].clone();
    let vars = c
        .ok(
            "debug.variables",
            json!({ "requestId": request, "reference": locals }),
        )
        .await;
    let big = named(&vars["variables"], "big").clone();
    assert_eq!(
        big["indexed"], 250,
        "the size comes with the variable: {big}"
    );
    let list = big["reference"].clone();
    assert_ne!(list, 0, "a list has children: {big}");
    let page = |offset: u64, count: u64| json!({ "requestId": request, "reference": list, "offset": offset, "count": count });
    let got = c.ok("debug.variables", page(100, 3)).await;
    let want: Vec<_> = (100..103)
        .map(|k| {
            json!({ "name": format!("[{k}]"), "value": (k * 2).to_string(), "typeName": "Integer", "reference": 0, "evaluateName": format!("big[{k}]") })
        })
        .collect();
    assert_eq!(got["variables"], json!(want));
    // A page that runs past the end stops at the end; one past it is empty.
    let tail = c.ok("debug.variables", page(248, 10)).await;
    let names: Vec<&str> = tail["variables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["[248]", "[249]"]);
    let past = c.ok("debug.variables", page(300, 10)).await;
    assert_eq!(past["variables"], json!([]));
    // Without a page, every element.
    let all = c
        .ok(
            "debug.variables",
            json!({ "requestId": request, "reference": list }),
        )
        .await;
    assert_eq!(all["variables"].as_array().unwrap().len(), 250);
    assert_eq!(all["variables"][249]["value"], "498");
    c.ok("debug.continue", json!({ "requestId": request }))
        .await;
    let done = c.event("RequestFinished").await;
    assert_eq!(done["output"][0]["message"], "250");
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_value_set_in_the_debugger_is_what_the_request_saves() {
    let srv = Server::start().await;
    let mut c = srv
        .engineer("support@acme.example", "globex-full", ADMIN)
        .await;
    let code = "String name = 'Set Before';\n\
                Account a = new Account(Name = name); // #SET\n\
                insert a;\n\
                System.debug([SELECT Name FROM Account WHERE Id = :a.Id].Name);";
    let request = stop_at(&mut c, code, "#SET").await;
    let scopes = c
        .ok("debug.scopes", json!({ "requestId": request, "frame": 0 }))
        .await;
    let locals = named(&scopes["scopes"], "Locals")["reference"].clone();
    let set = c
        .ok(
            "debug.setVariable",
            json!({ "requestId": request, "reference": locals, "name": "name", "value": "'Set By ' + 'Debugger'" }),
        )
        .await;
    assert_eq!(
        set["variable"],
        json!({ "name": "name", "value": "'Set By Debugger'", "typeName": "String", "reference": 0, "evaluateName": "name" })
    );
    // The frame shows the new value, and the request runs on with it.
    let vars = c
        .ok(
            "debug.variables",
            json!({ "requestId": request, "reference": locals }),
        )
        .await;
    assert_eq!(
        named(&vars["variables"], "name")["value"],
        "'Set By Debugger'"
    );
    c.ok("debug.continue", json!({ "requestId": request }))
        .await;
    let done = c.event("RequestFinished").await;
    assert_eq!(done["success"], true, "{done}");
    assert_eq!(done["output"][0]["message"], "Set By Debugger");
    // The insert committed the new name, and nothing under the old one.
    let count = |name: &str| json!({ "code": format!("System.debug([SELECT COUNT() FROM Account WHERE Name = '{name}']);") });
    let after = c.ok("apex.run", count("Set By Debugger")).await;
    assert_eq!(after["output"][0]["message"], "1", "{after}");
    let before = c.ok("apex.run", count("Set Before")).await;
    assert_eq!(before["output"][0]["message"], "0", "{before}");
    srv.shutdown().await;
}
