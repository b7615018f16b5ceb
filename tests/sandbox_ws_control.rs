//! Pausing a running request, function breakpoints and completions over the
//! WebSocket, with the refusals of each.

mod sandbox_support;

use sandbox_support::{ADMIN, Client, Server, line_of, marker_line, recalculate_script};
use serde_json::{Value, json};

/// The reference of the Locals scope of a paused request's top frame.
async fn locals(c: &mut Client, request: &str) -> Value {
    let scopes = c
        .ok("debug.scopes", json!({ "requestId": request, "frame": 0 }))
        .await;
    assert_eq!(scopes["scopes"][0]["name"], "Locals", "{scopes}");
    scopes["scopes"][0]["reference"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_stops_a_running_request_where_it_is() {
    let srv = Server::start().await;
    let mut c = srv
        .engineer("support@acme.example", "globex-full", ADMIN)
        .await;
    c.debug_start().await;
    // The loop ends only when the debugger clears `spin`.
    let code = "Boolean spin = true;\nInteger laps = 0;\nSystem.debug('spinning');\n\
                while (spin) { laps++; }\nSystem.debug('stopped spinning');";
    let run = c
        .ok("apex.run", json!({ "code": code, "wait": false }))
        .await;
    let request = run["requestId"].as_str().unwrap().to_string();
    // The Debug event goes out as the line runs: the request is in the loop.
    c.event_where("Debug", |b| b["text"] == "spinning").await;
    assert_eq!(
        c.ok("debug.pause", json!({ "requestId": request })).await,
        json!({})
    );
    let stop = c.event("Stopped").await;
    assert_eq!(
        (&stop["requestId"], &stop["reason"], &stop["typeref"]),
        (&json!(request), &json!("pause"), &json!("AnonymousBlock")),
        "{stop}"
    );
    assert_eq!(stop["line"], line_of(code, "while (spin)"), "{stop}");
    // Pausing a paused request changes nothing.
    c.ok("debug.pause", json!({ "requestId": request })).await;
    let reference = locals(&mut c, &request).await;
    c.ok(
        "debug.setVariable",
        json!({ "requestId": request, "reference": reference, "name": "spin", "value": "false" }),
    )
    .await;
    c.ok("debug.continue", json!({ "requestId": request }))
        .await;
    let done = c.event("RequestFinished").await;
    assert_eq!(done["success"], true, "{done}");
    assert_eq!(done["output"][1]["message"], "stopped spinning");
    let e = c
        .fails("debug.pause", json!({ "requestId": request }))
        .await;
    assert_eq!(
        (e.code.as_str(), e.message),
        ("NOT_PAUSED", format!("request {request} has finished"))
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_function_breakpoint_stops_on_entry_to_the_method() {
    let srv = Server::start().await;
    let mut c = srv
        .engineer("support@acme.example", "globex-full", ADMIN)
        .await;
    let session = c.debug_start().await;
    let set = c
        .ok(
            "debug.functionBreakpoints",
            json!({ "sessionId": session, "names": [
                "acme.TaxCalculator.calculate",
                "acme.TaxCalculator.nope",
                "Nope.run",
                "calculate",
            ] }),
        )
        .await;
    let b = set["breakpoints"].as_array().unwrap();
    assert_eq!(b.len(), 4, "{set}");
    assert_eq!(b[0]["verified"], true, "{set}");
    let refusals: Vec<(&Value, &Value)> = b[1..]
        .iter()
        .map(|b| (&b["verified"], &b["message"]))
        .collect();
    assert_eq!(
        refusals,
        [
            (
                &json!(false),
                &json!("acme.TaxCalculator has no method `nope`")
            ),
            (&json!(false), &json!("no class `Nope` in this org")),
            (
                &json!(false),
                &json!("`calculate` is not a method name; use ns.Class.method or Class.method")
            ),
        ]
    );
    let run = c
        .ok(
            "apex.run",
            json!({ "code": recalculate_script(&srv.sb), "wait": false }),
        )
        .await;
    let request = run["requestId"].as_str().unwrap().to_string();
    let stop = c.event("Stopped").await;
    assert_eq!(
        (&stop["reason"], &stop["typeref"]),
        (&json!("function breakpoint"), &json!("acme/TaxCalculator")),
        "{stop}"
    );
    let stack = c.ok("debug.stack", json!({ "requestId": request })).await;
    assert_eq!(
        stack["frames"][0]["name"], "Class.acme.TaxCalculator.calculate",
        "{stack}"
    );
    // The first statement of the method.
    let declared = marker_line(&srv.sb, "TaxCalculator.cls", "public Result calculate(");
    assert_eq!(stop["line"], declared + 1, "{stop}");
    // Clearing the list clears the breakpoint: the next run goes through.
    c.ok(
        "debug.functionBreakpoints",
        json!({ "sessionId": session, "names": [] }),
    )
    .await;
    c.ok("debug.continue", json!({ "requestId": request }))
        .await;
    c.event_where("RequestFinished", |b| b["requestId"] == request.as_str())
        .await;
    let again = c
        .ok("apex.run", json!({ "code": recalculate_script(&srv.sb) }))
        .await;
    assert_eq!(again["success"], true, "{again}");
    c.no_event("Stopped").await;
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completions_offer_the_names_in_scope() {
    let srv = Server::start().await;
    let mut c = srv
        .engineer("support@acme.example", "globex-full", ADMIN)
        .await;
    let session = c.debug_start().await;
    let code = "Integer total = 1;\nString totalName = 'x';\nInteger other = 2;\n\
                System.debug(total); // #HERE";
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
    let got = c
        .ok(
            "debug.completions",
            json!({ "requestId": request, "frame": 0, "text": "tot" }),
        )
        .await;
    assert_eq!(got, json!({ "targets": ["total", "totalName"] }));
    c.ok("debug.continue", json!({ "requestId": request }))
        .await;
    c.event("RequestFinished").await;
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debugger_commands_name_what_is_missing_or_unknown() {
    let srv = Server::start().await;
    let mut c = srv
        .engineer("support@acme.example", "globex-full", ADMIN)
        .await;
    let session = c.debug_start().await;
    let e = c
        .fails("debug.lines", json!({ "typeref": "acme/Nope" }))
        .await;
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        (
            "UNKNOWN_SOURCE",
            "no class or trigger with typeref `acme/Nope` in this org; list them with source.list"
        )
    );
    let e = c
        .fails(
            "debug.breakpoints",
            json!({ "sessionId": session, "typeref": "acme/Nope", "breakpoints": [{ "line": 3 }] }),
        )
        .await;
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        (
            "UNKNOWN_SOURCE",
            "no class or trigger with typeref `acme/Nope` in this org; list them with source.list"
        )
    );
    let e = c
        .fails("debug.start", json!({ "entryPointFilter": "recalculate(" }))
        .await;
    // FIXME: the message names the cause but not the fix; it should add how
    // to match the character itself ("escape it with a backslash: \\(").
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        (
            "BAD_PARAMS",
            "entryPointFilter is not a regular expression: regex parse error:\n    recalculate(\n               ^\nerror: unclosed group"
        )
    );
    let code = "Integer n = 1;\nSystem.debug(n);";
    c.ok(
        "debug.breakpoints",
        json!({ "sessionId": session, "typeref": "AnonymousBlock", "breakpoints": [{ "line": 2 }] }),
    )
    .await;
    let run = c
        .ok("apex.run", json!({ "code": code, "wait": false }))
        .await;
    let request = run["requestId"].as_str().unwrap().to_string();
    c.event("Stopped").await;
    let e = c
        .fails(
            "debug.evaluate",
            json!({ "requestId": request, "frame": 0 }),
        )
        .await;
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("BAD_PARAMS", "debug.evaluate needs `expression`")
    );
    let e = c
        .fails(
            "debug.setVariable",
            json!({ "requestId": request, "reference": 1, "name": "n" }),
        )
        .await;
    // FIXME: two parameters in one code span; it should read "needs `name`
    // and `value`" (or name the one that is missing).
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("BAD_PARAMS", "debug.setVariable needs `name and value`")
    );
    let e = c
        .fails("debug.variables", json!({ "requestId": request }))
        .await;
    // FIXME: a call without `reference` should get BAD_PARAMS ("debug.variables
    // needs `reference`: take it from debug.scopes"); today the missing
    // parameter reads as reference 0, which looks like a stale reference.
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        (
            "BAD_REFERENCE",
            "Unknown variables reference 0; references last only while the request is stopped"
        )
    );
    c.ok("debug.continue", json!({ "requestId": request }))
        .await;
    c.event("RequestFinished").await;
    srv.shutdown().await;
}
