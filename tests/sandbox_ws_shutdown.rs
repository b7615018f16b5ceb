//! Calls that arrive while the sandbox shuts down gracefully: running
//! requests finish, new requests and sessions are refused.

mod sandbox_support;

use sandbox_support::{ADMIN, Server, line_of};
use serde_json::json;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

const NO_NEW_REQUESTS: &str = "the sandbox is shutting down; no new requests run";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_requests_and_sessions_are_refused_while_the_sandbox_shuts_down() {
    let srv = Server::start().await;
    let mut c = srv
        .engineer("support@acme.example", "globex-full", ADMIN)
        .await;
    let session = c.debug_start().await;
    let code = "insert new Account(Name = 'During Shutdown');\nSystem.debug('inserted'); // #AFTER";
    c.ok(
        "debug.breakpoints",
        json!({ "sessionId": session, "typeref": "AnonymousBlock", "breakpoints": [{ "line": line_of(code, "#AFTER") }] }),
    )
    .await;
    let run = c
        .ok("apex.run", json!({ "code": code, "wait": false }))
        .await;
    let request = run["requestId"].as_str().unwrap().to_string();
    c.event("Stopped").await;
    let rt = srv.sb.org("globex-full").unwrap().clone();
    let accounts = rt.store.schema.find("Account").unwrap();
    let before = rt.store.count(accounts);
    let mut customer = srv.subscriber("globex-full", ADMIN).await;

    // What the server does on SIGTERM, before it closes the connections: the
    // connections stay open, so calls still arrive.
    let sb = srv.sb.clone();
    let shutdown = tokio::spawn(async move { sb.shutdown().await });
    let ended = c.event("SessionTerminated").await;
    assert_eq!(ended["code"], "SHUTDOWN", "{ended}");

    let e = c
        .fails("apex.run", json!({ "code": "System.debug(1);" }))
        .await;
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("SHUTTING_DOWN", NO_NEW_REQUESTS)
    );
    let e = c
        .fails(
            "rest.invoke",
            json!({ "method": "GET", "path": "/services/apexrest/acme/invoices" }),
        )
        .await;
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("SHUTTING_DOWN", NO_NEW_REQUESTS)
    );
    let e = customer
        .fails(
            "data.dml",
            json!({ "operation": "insert", "sobject": "Account", "records": [{ "Name": "Too Late" }] }),
        )
        .await;
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("SHUTTING_DOWN", NO_NEW_REQUESTS)
    );
    let e = c.fails("debug.start", json!({})).await;
    // FIXME: "start it again" reads as "start the session again", which is
    // what just failed; the fix is to restart the sandbox and then start the
    // session ("...; start the sandbox again, then debug.start").
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        (
            "SHUTTING_DOWN",
            "the sandbox is shutting down; start it again"
        )
    );
    // Reading what exists still works, and the paused request ran to its end.
    c.ok("clock.now", json!({})).await;
    let done = c
        .event_where("RequestFinished", |b| b["requestId"] == request.as_str())
        .await;
    assert_eq!(done["success"], true, "{done}");
    assert_eq!(done["output"][0]["message"], "inserted");
    shutdown.await.unwrap();
    // The paused insert committed; the refused one did not run.
    assert_eq!(rt.store.count(accounts), before + 1);

    // Then the server closes every connection as it stops.
    let sb = srv.sb.clone();
    srv.shutdown().await;
    let frame = c.closed().await.expect("a close frame");
    assert_eq!(frame.code, CloseCode::Away);
    assert_eq!(sb.requests.running(), 0);
}
