//! ISV debugger sessions: where they may run, how many, whose requests they
//! debug, the two-request limit, the idle timeout, the hard cap, and every way
//! a session ends, each of which lets the paused requests finish.

mod sandbox_support;

use std::time::Duration;

use sandbox_support::{ADMIN, Client, Server, line_of};
use serde_json::{Value, json};

const SUPPORT: &str = "support@acme.example";
const SUPPORT2: &str = "support2@acme.example";
const TOO_MANY: &str = "Too many concurrent debugged requests. This request will not be debugged";

/// Anonymous Apex that inserts an Account named `name`, then logs a line a
/// breakpoint can stop on.
fn insert_code(name: &str) -> String {
    format!("insert new Account(Name = '{name}');\nSystem.debug('inserted {name}');")
}

/// Sets a breakpoint after the insert of [`insert_code`] (every anonymous block
/// shares the typeref, so one breakpoint serves every such request).
async fn break_after_insert(c: &mut Client, session: &str) {
    let line = line_of(&insert_code("x"), "inserted");
    let set = c
        .ok(
            "debug.breakpoints",
            json!({ "sessionId": session, "typeref": "AnonymousBlock", "breakpoints": [{ "line": line }] }),
        )
        .await;
    assert_eq!(set["breakpoints"][0]["verified"], true, "{set}");
}

/// Starts a request that inserts an Account named `name` and waits for it to stop
/// after the insert (before its commit); returns the request id.
async fn paused_insert(c: &mut Client, name: &str) -> String {
    let r = c
        .ok(
            "apex.run",
            json!({ "code": insert_code(name), "wait": false }),
        )
        .await;
    let id = r["requestId"].as_str().unwrap().to_string();
    let stop = c
        .event_where("Stopped", |b| b["requestId"] == id.as_str())
        .await;
    assert_eq!(stop["reason"], "breakpoint");
    id
}

/// How many Accounts named `name` the org holds, read by a new request.
async fn accounts_named(c: &mut Client, name: &str) -> String {
    let r = c
        .ok(
            "apex.run",
            json!({ "code": format!("System.debug([SELECT COUNT() FROM Account WHERE Name = '{name}']);") }),
        )
        .await;
    assert_eq!(r["success"], true, "{r}");
    r["output"][0]["message"].as_str().unwrap().to_string()
}

/// Waits for a request to finish, as seen by the client that started it.
async fn finished(c: &mut Client, id: &str) -> Value {
    let done = c
        .event_where("RequestFinished", |b| b["requestId"] == id)
        .await;
    assert_eq!(done["success"], true, "{done}");
    done
}

/// The next timer warning of a session.
async fn warning(c: &mut Client, session: &str) -> Value {
    c.event_where("SessionTimers", |b| {
        b["sessionId"] == session && b.get("warning").is_some()
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_starts_in_a_sandbox_with_the_limits_it_runs_under() {
    let srv = Server::start().await;
    let mut c = srv.engineer(SUPPORT, "globex-full", ADMIN).await;
    let s = c.ok("debug.start", json!({})).await;
    assert_eq!(s["org"], "globex-full");
    assert_eq!(s["startedAt"], srv.now().as_str());
    assert_eq!(s["idleTimeoutSeconds"], 3600);
    assert_eq!(s["hardCapSeconds"], 4 * 3600);
    let e = c
        .fails("debug.requests", json!({ "sessionId": "999999" }))
        .await;
    assert_eq!(e.code, "NO_SESSION");
    assert_eq!(
        e.message,
        "there is no debug session 999999; it ended or never existed: start one with debug.start"
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_session_per_lmo_and_the_refusal_names_the_holder() {
    let srv = Server::start().await;
    let mut holder = srv.engineer(SUPPORT, "globex-full", ADMIN).await;
    let since = srv.now();
    let session = holder.debug_start().await;
    srv.advance(300).await;
    let busy = format!(
        "support@acme.example already uses this LMO's debug session (1 of 1), in Globex Corp (Full Sandbox) since {since}; wait until it ends, or ask them to stop it"
    );
    // Another engineer, in another org...
    let mut other = srv
        .engineer(SUPPORT2, "hooli-sandbox", "richard@hooli.example.qa")
        .await;
    let e = other.fails("debug.start", json!({})).await;
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("SESSION_IN_USE", busy.as_str())
    );
    // ...or in the same org as the same user.
    let mut same = srv.engineer(SUPPORT2, "globex-full", ADMIN).await;
    let e = same.fails("debug.start", json!({})).await;
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("SESSION_IN_USE", busy.as_str())
    );
    // The holder cannot open a second one either.
    let e = holder.fails("debug.start", json!({})).await;
    assert_eq!(e.code, "SESSION_IN_USE");
    // Another login cannot take over or stop the session.
    let e = same
        .fails("debug.attach", json!({ "sessionId": session }))
        .await;
    assert_eq!(e.code, "NO_SESSION");
    assert_eq!(
        e.message,
        format!(
            "debug session {session} belongs to another login; start your own with debug.start"
        )
    );
    let e = same
        .fails("debug.stop", json!({ "sessionId": session }))
        .await;
    assert_eq!(e.code, "NO_SESSION");
    // Once it stops, the allowance is free again.
    holder
        .ok("debug.stop", json!({ "sessionId": session }))
        .await;
    let t = holder.event("SessionTerminated").await;
    assert_eq!(
        t,
        json!({ "sessionId": session, "code": "STOPPED", "message": "the debug session was stopped; paused requests were resumed and finished" })
    );
    other.debug_start().await;
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_lmo_that_bought_more_sessions_holds_that_many() {
    let srv = Server::start_with(|w| w.publisher.lmo.debug_sessions = 2).await;
    let mut a = srv.engineer(SUPPORT, "globex-full", ADMIN).await;
    let since = srv.now();
    a.debug_start().await;
    let mut b = srv
        .engineer(SUPPORT2, "hooli-sandbox", "richard@hooli.example.qa")
        .await;
    b.debug_start().await;
    let mut c = srv.engineer(SUPPORT2, "globex-full", ADMIN).await;
    let e = c.fails("debug.start", json!({})).await;
    assert_eq!(e.code, "SESSION_IN_USE");
    assert_eq!(
        e.message,
        format!(
            "support@acme.example already uses this LMO's debug session (2 of 2), in Globex Corp (Full Sandbox) since {since}; wait until it ends, or ask them to stop it"
        )
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_loginas_users_requests_are_debugged() {
    let srv = Server::start().await;
    let mut eng = srv.engineer(SUPPORT, "globex-full", ADMIN).await;
    let session = eng.debug_start().await;
    break_after_insert(&mut eng, &session).await;
    // Another user of the org runs the same code: it does not stop.
    let mut billing = srv
        .subscriber("globex-full", "billing@globex.example.full")
        .await;
    let r = billing
        .ok("apex.run", json!({ "code": insert_code("By Billing") }))
        .await;
    assert_eq!(r["success"], true);
    eng.no_event("RequestStarted").await;
    eng.no_event("Stopped").await;
    // The LoginAs user's own request, run by the customer, does stop.
    let mut customer = srv.subscriber("globex-full", ADMIN).await;
    let r = customer
        .ok(
            "apex.run",
            json!({ "code": insert_code("By Admin"), "wait": false }),
        )
        .await;
    let id = r["requestId"].as_str().unwrap().to_string();
    let started = eng.event("RequestStarted").await;
    assert_eq!(started["requestId"], id.as_str());
    assert_eq!(started["user"], ADMIN);
    assert_eq!(started["debugged"], true);
    eng.event_where("Stopped", |b| b["requestId"] == id.as_str())
        .await;
    // The customer's connection gets no debug events...
    customer.no_event("Stopped").await;
    eng.ok("debug.continue", json!({ "requestId": id })).await;
    // ...but learns that its request finished.
    finished(&mut customer, &id).await;
    finished(&mut eng, &id).await;
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_narrow_what_a_session_debugs() {
    let srv = Server::start().await;
    let mut c = srv.engineer(SUPPORT, "globex-full", ADMIN).await;
    let code = "Integer n = 1;\nSystem.debug('n=' + n);";
    let bp = |session: &str| json!({ "sessionId": session, "typeref": "AnonymousBlock", "breakpoints": [{ "line": 2 }] });
    let cases: Vec<(Value, &str, bool)> = vec![
        (json!({}), "any.apex", true),
        (
            json!({ "userIdFilter": ["0051x00004pMbXDAA0"] }),
            "any.apex",
            false,
        ),
        // A 15-character id matches its 18-character form.
        (
            json!({ "userIdFilter": ["0051x00001Hedcm"] }),
            "any.apex",
            true,
        ),
        (json!({ "requestTypeFilter": ["REST"] }), "any.apex", false),
        (
            json!({ "requestTypeFilter": ["EXECUTE_ANONYMOUS"] }),
            "any.apex",
            true,
        ),
        (
            json!({ "entryPointFilter": "^recalc" }),
            "other.apex",
            false,
        ),
        (
            json!({ "entryPointFilter": "^recalc" }),
            "recalculate.apex",
            true,
        ),
    ];
    for (filters, name, debugged) in cases {
        let s = c.ok("debug.start", filters.clone()).await;
        let session = s["sessionId"].as_str().unwrap().to_string();
        c.ok("debug.breakpoints", bp(&session)).await;
        let r = c
            .ok(
                "apex.run",
                json!({ "code": code, "name": name, "wait": false }),
            )
            .await;
        let id = r["requestId"].as_str().unwrap().to_string();
        if debugged {
            let stop = c
                .event_where("Stopped", |b| b["requestId"] == id.as_str())
                .await;
            assert_eq!(stop["line"], 2, "{filters}");
            c.ok("debug.continue", json!({ "requestId": id })).await;
        }
        let done = finished(&mut c, &id).await;
        if debugged {
            assert_eq!(done["sessionId"], session.as_str(), "{filters}");
        } else {
            assert!(done.get("sessionId").is_none(), "{filters}: {done}");
            let stops = c.drain("Stopped").await;
            assert!(
                stops.iter().all(|s| s["requestId"] != id.as_str()),
                "{filters}"
            );
        }
        c.ok("debug.stop", json!({ "sessionId": session })).await;
        c.event("SessionTerminated").await;
    }
    // A REST-only session stops in the REST resource.
    let s = c
        .ok("debug.start", json!({ "requestTypeFilter": ["REST"] }))
        .await;
    let session = s["sessionId"].as_str().unwrap().to_string();
    let line = sandbox_support::marker_line(
        &srv.sb,
        "InvoiceRestResource.cls",
        "RestRequest req = RestContext.request;",
    );
    c.ok(
        "debug.breakpoints",
        json!({ "sessionId": session, "typeref": "acme/InvoiceRestResource", "breakpoints": [{ "line": line }] }),
    )
    .await;
    let call = c
        .send(
            "rest.invoke",
            json!({ "method": "GET", "path": "/services/apexrest/acme/invoices" }),
        )
        .await;
    let started = c
        .event_where("RequestStarted", |b| b["kind"] == "REST")
        .await;
    assert_eq!(started["entryPoint"], "GET /acme/invoices");
    let stop = c
        .event_where("Stopped", |b| b["requestId"] == started["requestId"])
        .await;
    assert_eq!(stop["typeref"], "acme/InvoiceRestResource");
    c.ok("debug.continue", json!({ "requestId": stop["requestId"] }))
        .await;
    let r = c.answer(call).await.unwrap();
    assert_eq!(r["status"], 200, "{r}");
    // Filters are checked.
    let e = c
        .fails("debug.start", json!({ "requestTypeFilter": ["BATCH"] }))
        .await;
    assert_eq!(e.code, "BAD_PARAMS");
    assert_eq!(
        e.message,
        "requestTypeFilter: `BATCH` is not a request type; use EXECUTE_ANONYMOUS, REST, SYNCHRONOUS, QUEUEABLE, FUTURE"
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_third_concurrent_request_runs_undebugged_with_a_warning() {
    let srv = Server::start().await;
    let mut c = srv.engineer(SUPPORT, "globex-full", ADMIN).await;
    let session = c.debug_start().await;
    break_after_insert(&mut c, &session).await;
    let first = paused_insert(&mut c, "Third One").await;
    let second = paused_insert(&mut c, "Third Two").await;
    let r = c
        .ok(
            "apex.run",
            json!({ "code": insert_code("Third Three"), "wait": false }),
        )
        .await;
    let third = r["requestId"].as_str().unwrap().to_string();
    let w = c.event("SystemWarning").await;
    assert_eq!(
        w,
        json!({ "sessionId": session, "requestId": third, "message": TOO_MANY })
    );
    let started = c
        .event_where("RequestStarted", |b| b["requestId"] == third.as_str())
        .await;
    assert_eq!(started["debugged"], false);
    // It runs to its end while the other two stay paused.
    finished(&mut c, &third).await;
    let listed = c
        .ok("debug.requests", json!({ "sessionId": session }))
        .await;
    let states: Vec<(&str, &str, bool)> = listed["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["requestId"].as_str().unwrap(),
                r["state"].as_str().unwrap(),
                r["debugged"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            (first.as_str(), "paused", true),
            (second.as_str(), "paused", true),
            (third.as_str(), "finished", false)
        ]
    );
    let e = c.fails("debug.stack", json!({ "requestId": third })).await;
    assert_eq!(e.code, "NOT_DEBUGGED");
    assert_eq!(
        e.message,
        format!(
            "request {third} is not debugged; only requests that a session debugs take debugger commands"
        )
    );
    // Once one of the two finishes, the next request is debugged again.
    c.ok("debug.continue", json!({ "requestId": first })).await;
    finished(&mut c, &first).await;
    let fourth = paused_insert(&mut c, "Third Four").await;
    for id in [&second, &fourth] {
        c.ok("debug.continue", json!({ "requestId": id })).await;
        finished(&mut c, id).await;
    }
    let e = c.fails("debug.stack", json!({ "requestId": first })).await;
    assert_eq!(e.code, "NOT_PAUSED");
    assert_eq!(
        e.message,
        format!("request {first} is finished, not paused; debugger commands need a paused request")
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_session_is_warned_then_ends_and_its_paused_request_finishes() {
    let srv = Server::start().await;
    let mut c = srv.engineer(SUPPORT, "globex-full", ADMIN).await;
    let session = c.debug_start().await;
    break_after_insert(&mut c, &session).await;
    let id = paused_insert(&mut c, "Idle Paused").await;
    let steps = [
        (
            45 * 60,
            15 * 60,
            "The debug session ends in 15 minutes unless there is debugger activity",
        ),
        (
            10 * 60,
            5 * 60,
            "The debug session ends in 5 minutes unless there is debugger activity",
        ),
        (
            4 * 60,
            60,
            "The debug session ends in 1 minute unless there is debugger activity",
        ),
    ];
    for (advance, left, text) in steps {
        srv.advance(advance).await;
        let w = warning(&mut c, &session).await;
        assert_eq!(w["sessionId"], session.as_str());
        assert_eq!(w["idleSecondsLeft"], left);
        assert_eq!(w["warning"], text);
        let sw = c.event("SystemWarning").await;
        assert_eq!(sw, json!({ "sessionId": session, "message": text }));
    }
    srv.advance(60).await;
    let t = c.event("SessionTerminated").await;
    assert_eq!(
        t,
        json!({ "sessionId": session, "code": "IDLE_TIMEOUT", "message": "the debug session ended after 60 minutes without debugger activity; start a new one to go on" })
    );
    finished(&mut c, &id).await;
    assert_eq!(accounts_named(&mut c, "Idle Paused").await, "1");
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_clock_jump_only_the_warning_that_still_holds_goes_out() {
    let srv = Server::start().await;
    let mut c = srv.engineer(SUPPORT, "globex-full", ADMIN).await;
    let session = c.debug_start().await;
    // 58 minutes at once: the 15- and 5-minute warnings are both due; only the
    // 5-minute one is still true.
    srv.advance(58 * 60).await;
    let w = warning(&mut c, &session).await;
    assert_eq!(
        w["warning"],
        "The debug session ends in 5 minutes unless there is debugger activity"
    );
    assert_eq!(w["idleSecondsLeft"], 120);
    let stale: Vec<Value> = c
        .drain("SessionTimers")
        .await
        .into_iter()
        .filter(|t| t.get("warning").is_some())
        .collect();
    assert!(stale.is_empty(), "{stale:?}");
    // Past the deadline: the session ends, with no last-minute warning first.
    srv.advance(10 * 60).await;
    let t = c.event("SessionTerminated").await;
    assert_eq!(t["code"], "IDLE_TIMEOUT");
    let stale: Vec<Value> = c
        .drain("SessionTimers")
        .await
        .into_iter()
        .filter(|t| t.get("warning").is_some())
        .collect();
    assert!(stale.is_empty(), "{stale:?}");
    let warnings = c.drain("SystemWarning").await;
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debugger_activity_pushes_the_idle_timeout_back() {
    let srv = Server::start().await;
    let mut c = srv.engineer(SUPPORT, "globex-full", ADMIN).await;
    let session = c.debug_start().await;
    break_after_insert(&mut c, &session).await;
    let id = paused_insert(&mut c, "Busy Paused").await;
    srv.advance(50 * 60).await;
    let w = warning(&mut c, &session).await;
    assert_eq!(w["idleSecondsLeft"], 10 * 60);
    // A debugger command restarts the hour.
    c.ok("debug.stack", json!({ "requestId": id })).await;
    let timers = c
        .event_where("SessionTimers", |b| b.get("warning").is_none())
        .await;
    assert_eq!(timers["idleSecondsLeft"], 3600);
    srv.advance(50 * 60).await;
    // 100 minutes after the start, the session lives: its new deadline is 10 minutes away.
    let w = warning(&mut c, &session).await;
    assert_eq!(
        w["warning"],
        "The debug session ends in 15 minutes unless there is debugger activity"
    );
    assert_eq!(w["idleSecondsLeft"], 10 * 60);
    assert!(srv.sb.debug.get(session.parse().unwrap()).is_some());
    c.ok("debug.requests", json!({ "sessionId": session }))
        .await;
    srv.advance(60 * 60).await;
    let t = c.event("SessionTerminated").await;
    assert_eq!(t["code"], "IDLE_TIMEOUT");
    finished(&mut c, &id).await;
    assert_eq!(accounts_named(&mut c, "Busy Paused").await, "1");
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_peak_load_the_idle_timeout_is_thirty_minutes() {
    let srv = Server::start().await;
    let mut c = srv.engineer(SUPPORT, "globex-full", ADMIN).await;
    c.ok("admin.peakLoad", json!({ "on": true })).await;
    let s = c.ok("debug.start", json!({})).await;
    assert_eq!(s["idleTimeoutSeconds"], 1800);
    let session = s["sessionId"].as_str().unwrap().to_string();
    srv.advance(15 * 60).await;
    let w = warning(&mut c, &session).await;
    assert_eq!(w["idleSecondsLeft"], 15 * 60);
    assert_eq!(
        w["warning"],
        "The debug session ends in 15 minutes unless there is debugger activity"
    );
    srv.advance(15 * 60).await;
    let t = c.event("SessionTerminated").await;
    assert_eq!(
        t,
        json!({ "sessionId": session, "code": "IDLE_TIMEOUT", "message": "the debug session ended after 30 minutes without debugger activity; start a new one to go on" })
    );
    // Peak load that starts during a session shortens it too.
    c.ok("admin.peakLoad", json!({ "on": false })).await;
    let session = c.debug_start().await;
    srv.advance(20 * 60).await;
    c.no_event("SessionTerminated").await;
    c.ok("admin.peakLoad", json!({ "on": true })).await;
    let w = warning(&mut c, &session).await;
    assert_eq!(w["idleSecondsLeft"], 10 * 60);
    srv.advance(10 * 60).await;
    let t = c.event("SessionTerminated").await;
    assert_eq!(t["sessionId"], session.as_str());
    assert_eq!(t["code"], "IDLE_TIMEOUT");
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hard_cap_ends_a_busy_session_after_four_hours() {
    let srv = Server::start().await;
    let mut c = srv.engineer(SUPPORT, "globex-full", ADMIN).await;
    let session = c.debug_start().await;
    break_after_insert(&mut c, &session).await;
    let id = paused_insert(&mut c, "Capped Paused").await;
    // Busy all along: a command every 30 minutes, up to 3 h 30.
    for _ in 0..7 {
        srv.advance(30 * 60).await;
        c.ok("debug.stack", json!({ "requestId": id })).await;
    }
    srv.advance(15 * 60).await;
    let w = warning(&mut c, &session).await;
    assert_eq!(
        w["warning"],
        "The debug session reaches its 4-hour limit in 15 minutes"
    );
    assert_eq!(w["hardCapSecondsLeft"], 15 * 60);
    c.ok("debug.stack", json!({ "requestId": id })).await;
    srv.advance(14 * 60).await;
    let w = warning(&mut c, &session).await;
    assert_eq!(
        w["warning"],
        "The debug session reaches its 4-hour limit in 1 minute"
    );
    assert_eq!(w["hardCapSecondsLeft"], 60);
    c.ok("debug.stack", json!({ "requestId": id })).await;
    srv.advance(60).await;
    let t = c.event("SessionTerminated").await;
    assert_eq!(
        t,
        json!({ "sessionId": session, "code": "HARD_CAP", "message": "the debug session reached its 4-hour limit and ended; start a new one to go on" })
    );
    finished(&mut c, &id).await;
    // No idle warning ever went out.
    let idle: Vec<Value> = c
        .drain("SessionTimers")
        .await
        .into_iter()
        .filter(|t| {
            t["warning"]
                .as_str()
                .is_some_and(|w| w.contains("unless there is debugger activity"))
        })
        .collect();
    assert!(idle.is_empty(), "{idle:?}");
    assert_eq!(accounts_named(&mut c, "Capped Paused").await, "1");
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maintenance_ends_sessions_and_paused_requests_finish() {
    let srv = Server::start().await;
    let mut c = srv.engineer(SUPPORT, "globex-full", ADMIN).await;
    let session = c.debug_start().await;
    break_after_insert(&mut c, &session).await;
    let a = paused_insert(&mut c, "Maintenance One").await;
    let b = paused_insert(&mut c, "Maintenance Two").await;
    let r = c.ok("admin.maintenance", json!({})).await;
    assert_eq!(r, json!({ "ended": 1 }));
    let t = c.event("SessionTerminated").await;
    assert_eq!(
        t,
        json!({ "sessionId": session, "code": "MAINTENANCE", "message": "the instance is going down for maintenance; debug sessions ended" })
    );
    finished(&mut c, &a).await;
    finished(&mut c, &b).await;
    assert_eq!(accounts_named(&mut c, "Maintenance One").await, "1");
    assert_eq!(accounts_named(&mut c, "Maintenance Two").await, "1");
    let e = c
        .fails("debug.requests", json!({ "sessionId": session }))
        .await;
    assert_eq!(e.code, "NO_SESSION");
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_a_session_lets_its_paused_request_finish() {
    let srv = Server::start().await;
    let mut c = srv.engineer(SUPPORT, "globex-full", ADMIN).await;
    let session = c.debug_start().await;
    break_after_insert(&mut c, &session).await;
    let id = paused_insert(&mut c, "Stopped Paused").await;
    c.ok("debug.stop", json!({ "sessionId": session })).await;
    assert_eq!(c.event("SessionTerminated").await["code"], "STOPPED");
    let done = finished(&mut c, &id).await;
    assert!(done.get("sessionId").is_some(), "{done}");
    assert_eq!(accounts_named(&mut c, "Stopped Paused").await, "1");
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_connection_lets_both_paused_requests_finish_and_commit() {
    let srv = Server::start().await;
    let mut c = srv.client().await;
    let login = c.login_lmo(SUPPORT).await.unwrap();
    c.ok(
        "loginAs.start",
        json!({ "org": "globex-full", "user": ADMIN }),
    )
    .await;
    let session = c.debug_start().await;
    break_after_insert(&mut c, &session).await;
    let a = paused_insert(&mut c, "Dropped One").await;
    let b = paused_insert(&mut c, "Dropped Two").await;
    // The client goes away without a word.
    drop(c);
    tokio::time::timeout(Duration::from_secs(30), srv.sb.requests.wait_idle())
        .await
        .expect("both requests finish");
    assert!(srv.sb.debug.ids().is_empty(), "the session ended");
    // The same login, on a new connection, finds both inserts committed.
    let mut again = srv.client().await;
    again
        .ok("auth.resume", json!({ "token": login["token"] }))
        .await;
    assert_eq!(accounts_named(&mut again, "Dropped One").await, "1");
    assert_eq!(accounts_named(&mut again, "Dropped Two").await, "1");
    let logs = again.ok("logs.list", json!({})).await;
    for id in [&a, &b] {
        assert!(
            logs["logs"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["requestId"] == id.as_str()),
            "{id} left no log: {logs}"
        );
    }
    let trail = again.ok("audit.trail", json!({})).await;
    let ended: Vec<&Value> = trail["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "End ISV debugger session")
        .collect();
    assert_eq!(ended.len(), 1, "{trail}");
    assert_eq!(
        ended[0]["detail"],
        format!("session {session}: CONNECTION_CLOSED")
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_lives_while_another_connection_listens() {
    let srv = Server::start().await;
    let mut first = srv.client().await;
    let login = first.login_lmo(SUPPORT).await.unwrap();
    first
        .ok(
            "loginAs.start",
            json!({ "org": "globex-full", "user": ADMIN }),
        )
        .await;
    let session = first.debug_start().await;
    break_after_insert(&mut first, &session).await;
    // A second connection of the same login joins the session.
    let mut second = srv.client().await;
    let resumed = second
        .ok("auth.resume", json!({ "token": login["token"] }))
        .await;
    assert_eq!(resumed["loginAs"]["user"], ADMIN);
    let attached = second
        .ok("debug.attach", json!({ "sessionId": session }))
        .await;
    assert_eq!(attached["sessionId"], session.as_str());
    let id = paused_insert(&mut first, "Shared Paused").await;
    // Both connections got the stop.
    second
        .event_where("Stopped", |b| b["requestId"] == id.as_str())
        .await;
    drop(first);
    // The session goes on for the connection that still listens.
    second.ok("debug.stack", json!({ "requestId": id })).await;
    assert!(srv.sb.debug.get(session.parse().unwrap()).is_some());
    second
        .ok("debug.continue", json!({ "requestId": id }))
        .await;
    finished(&mut second, &id).await;
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_started_at_once_from_several_connections_still_debug_at_most_two() {
    let srv = Server::start().await;
    let mut eng = srv.client().await;
    let login = eng.login_lmo(SUPPORT).await.unwrap();
    eng.ok(
        "loginAs.start",
        json!({ "org": "globex-full", "user": ADMIN }),
    )
    .await;
    let session = eng.debug_start().await;
    break_after_insert(&mut eng, &session).await;
    // Three connections run as the LoginAs user: the engineer's two and the customer.
    let mut eng2 = srv.client().await;
    eng2.ok("auth.resume", json!({ "token": login["token"] }))
        .await;
    let mut customer = srv.subscriber("globex-full", ADMIN).await;
    const EACH: usize = 4;
    for k in 0..EACH {
        for (n, c) in [&mut eng, &mut eng2, &mut customer].into_iter().enumerate() {
            c.send(
                "apex.run",
                json!({ "code": insert_code(&format!("Crowd {n}-{k}")), "wait": false }),
            )
            .await;
        }
    }
    let mut started = Vec::new();
    for _ in 0..3 * EACH {
        started.push(eng.event("RequestStarted").await);
    }
    let debugged: Vec<&str> = started
        .iter()
        .filter(|s| s["debugged"] == true)
        .map(|s| s["requestId"].as_str().unwrap())
        .collect();
    assert_eq!(debugged.len(), 2, "{started:?}");
    let mut warned = 0;
    for _ in 0..3 * EACH - 2 {
        let w = eng.event("SystemWarning").await;
        assert_eq!(w["message"], TOO_MANY);
        warned += 1;
    }
    assert_eq!(warned, 3 * EACH - 2);
    let debugged: Vec<String> = debugged.into_iter().map(String::from).collect();
    for id in &debugged {
        eng.event_where("Stopped", |b| b["requestId"] == id.as_str())
            .await;
        eng.ok("debug.continue", json!({ "requestId": id })).await;
    }
    tokio::time::timeout(Duration::from_secs(30), srv.sb.requests.wait_idle())
        .await
        .expect("every request finishes");
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_engineers_starting_at_once_get_one_session() {
    let srv = Server::start().await;
    let mut a = srv.engineer(SUPPORT, "globex-full", ADMIN).await;
    let mut b = srv
        .engineer(SUPPORT2, "hooli-sandbox", "richard@hooli.example.qa")
        .await;
    for _ in 0..20 {
        let ia = a.send("debug.start", json!({})).await;
        let ib = b.send("debug.start", json!({})).await;
        let ra = a.answer(ia).await;
        let rb = b.answer(ib).await;
        let (winner, loser, won) = match (ra, rb) {
            (Ok(s), Err(e)) => (&mut a, e, s),
            (Err(e), Ok(s)) => (&mut b, e, s),
            other => panic!("exactly one start must succeed: {other:?}"),
        };
        assert_eq!(loser.code, "SESSION_IN_USE");
        winner
            .ok("debug.stop", json!({ "sessionId": won["sessionId"] }))
            .await;
        winner.event("SessionTerminated").await;
    }
    srv.shutdown().await;
}
