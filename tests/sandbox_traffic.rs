//! Scripted traffic: the world's customers running requests on a schedule,
//! timed on the virtual clock, and debugged when a session's LoginAs user is
//! the one who runs them.

mod sandbox_support;

use std::time::Duration;

use isvdbg::world::{Traffic, TrafficAction, World};
use sandbox_support::{ADMIN, Client, Server, line_of, recalculate_script};
use serde_json::{Value, json};

const SUPPORT: &str = "support@acme.example";
const SUPPORT2: &str = "support2@acme.example";
const BILLING: &str = "billing@globex.example.full";
const SCRIPT: &str = "recalculate-invoice.apex";

/// The world's scripted recalculation, rescheduled: `at` after the world's
/// start, then every `every`, run by `user`.
fn reschedule(w: &mut World, user: &str, at: u64, every: u64) {
    let action: TrafficAction = w.traffic[0].action.clone();
    w.traffic = vec![Traffic {
        org: "globex-full".into(),
        user: user.into(),
        action,
        at: Duration::from_secs(at),
        every: Some(Duration::from_secs(every)),
    }];
}

/// The instance time `secs` after the world's start, as the API prints it.
fn at(srv: &Server, secs: i64) -> String {
    isvdbg::sandbox::rfc3339(srv.sb.world.start + chrono::Duration::seconds(secs))
}

/// Moves the clock to `secs` after the world's start.
async fn advance_to(srv: &Server, secs: i64) {
    let target = srv.sb.world.start + chrono::Duration::seconds(secs);
    let left = (target - srv.sb.clock.now()).to_std().expect("not behind");
    srv.advance(left.as_secs()).await;
}

/// Waits for the next scripted request to start, stop at the breakpoint and
/// finish after `continue`; returns its RequestStarted body.
async fn one_run(c: &mut Client, line: u32) -> Value {
    let started = c.event("RequestStarted").await;
    let id = started["requestId"].as_str().unwrap().to_string();
    let stop = c
        .event_where("Stopped", |b| b["requestId"] == id.as_str())
        .await;
    assert_eq!(stop["line"], line, "{stop}");
    c.ok("debug.continue", json!({ "requestId": id })).await;
    c.event_where("RequestFinished", |b| b["requestId"] == id.as_str())
        .await;
    started
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scripted_traffic_runs_at_its_offset_then_every_period_and_is_debugged() {
    // "At T+2m the admin runs the recalculation, every 60 s."
    let srv = Server::start_with(|w| reschedule(w, ADMIN, 120, 60)).await;
    let mut c = srv.engineer(SUPPORT, "globex-full", ADMIN).await;
    let session = c.debug_start().await;
    let line = line_of(&recalculate_script(&srv.sb), "Account customer");
    c.ok(
        "debug.breakpoints",
        json!({ "sessionId": session, "typeref": "AnonymousBlock", "breakpoints": [{ "line": line }] }),
    )
    .await;
    srv.sb.start_traffic();

    advance_to(&srv, 119).await;
    c.no_event("RequestStarted").await;
    advance_to(&srv, 120).await;
    let first = one_run(&mut c, line).await;
    assert_eq!(first["startedAt"], at(&srv, 120));
    assert_eq!(
        (&first["kind"], &first["entryPoint"], &first["user"]),
        (&json!("EXECUTE_ANONYMOUS"), &json!(SCRIPT), &json!(ADMIN))
    );
    assert_eq!(first["sessionId"], session.as_str());
    assert_eq!(first["debugged"], true);

    advance_to(&srv, 179).await;
    c.no_event("RequestStarted").await;
    advance_to(&srv, 180).await;
    let second = one_run(&mut c, line).await;
    assert_eq!(second["startedAt"], at(&srv, 180));

    // A ten-minute jump runs the request once, for the latest slot it passed,
    // and the schedule goes on from there.
    advance_to(&srv, 780).await;
    let caught_up = one_run(&mut c, line).await;
    assert_eq!(caught_up["startedAt"], at(&srv, 780));
    c.no_event("RequestStarted").await;
    advance_to(&srv, 839).await;
    c.no_event("RequestStarted").await;
    advance_to(&srv, 840).await;
    let next = one_run(&mut c, line).await;
    assert_eq!(next["startedAt"], at(&srv, 840));

    // Each run left a debug log under the script's name.
    let mut customer = srv.subscriber("globex-full", ADMIN).await;
    let logs = customer.ok("logs.list", json!({})).await;
    let times: Vec<&str> = logs["logs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["entryPoint"] == SCRIPT)
        .map(|l| l["at"].as_str().unwrap())
        .collect();
    let (a, b, c3, d) = (at(&srv, 120), at(&srv, 180), at(&srv, 780), at(&srv, 840));
    assert_eq!(times, [a, b, c3, d]);
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_session_of_the_user_who_runs_the_traffic_sees_it() {
    let srv = Server::start_with(|w| {
        reschedule(w, BILLING, 120, 300);
        w.publisher.lmo.debug_sessions = 2;
        let full = w.orgs.iter_mut().find(|o| o.key == "globex-full").unwrap();
        let mut grant = full.grants[0].clone();
        grant.user = BILLING.into();
        full.grants.push(grant);
    })
    .await;
    let mut as_admin = srv.engineer(SUPPORT, "globex-full", ADMIN).await;
    as_admin.debug_start().await;
    let mut as_billing = srv.engineer(SUPPORT2, "globex-full", BILLING).await;
    let billing_session = as_billing.debug_start().await;
    srv.sb.start_traffic();
    advance_to(&srv, 120).await;
    let started = as_billing.event("RequestStarted").await;
    assert_eq!(started["user"], BILLING);
    assert_eq!(started["sessionId"], billing_session.as_str());
    let id = started["requestId"].as_str().unwrap().to_string();
    as_billing
        .event_where("RequestFinished", |b| b["requestId"] == id.as_str())
        .await;
    // The admin's session is not told about the billing clerk's request.
    as_admin.no_event("RequestStarted").await;
    srv.shutdown().await;
}
