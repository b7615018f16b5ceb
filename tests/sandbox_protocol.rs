//! The wire protocol: malformed and oversized frames, unknown methods, bad
//! parameters, calls before login, and a graceful shutdown.

mod sandbox_support;

use futures::{SinkExt, StreamExt};
use sandbox_support::{ADMIN, Server, line_of};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_and_binary_frames_get_bad_message_and_the_connection_lives() {
    let srv = Server::start().await;
    let mut c = srv.client().await;
    c.send_raw(Message::text("{nope")).await;
    let e = c.anonymous_error().await;
    assert_eq!(e.code, "BAD_MESSAGE");
    assert_eq!(
        e.message,
        "not JSON (key must be a string at line 1 column 2); send {\"id\": N, \"method\": \"...\", \"params\": {...}}"
    );
    // JSON that is not a call: the answer carries the id it could read.
    c.send_raw(Message::text(r#"{"id": 9001, "params": {}}"#))
        .await;
    let e = c.answer(9001).await.unwrap_err();
    assert_eq!(e.code, "BAD_MESSAGE");
    assert_eq!(
        e.message,
        "not a call (missing field `method`); send {\"id\": N, \"method\": \"...\", \"params\": {...}}"
    );
    c.send_raw(Message::binary(vec![1u8, 2, 3])).await;
    let e = c.anonymous_error().await;
    assert_eq!(e.code, "BAD_MESSAGE");
    assert_eq!(
        e.message,
        "binary frames are not understood; send each call as a JSON text frame"
    );
    let now = c.ok("clock.now", json!({})).await;
    assert_eq!(
        now,
        json!({ "now": "2024-05-20T16:00:00Z", "virtual": true })
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frame_over_one_mib_is_refused_and_the_connection_lives() {
    let srv = Server::start().await;
    let mut c = srv.client().await;
    let pad = "x".repeat(3 << 19);
    let text = json!({ "id": 1, "method": "clock.now", "params": { "pad": pad } }).to_string();
    let len = text.len();
    assert!(len > 1 << 20 && len < 2 << 20);
    c.send_raw(Message::text(text)).await;
    let e = c.anonymous_error().await;
    assert_eq!(e.code, "TOO_LARGE");
    assert_eq!(
        e.message,
        format!("message of {len} bytes refused: the limit is 1048576 bytes; send smaller pieces")
    );
    c.ok("clock.now", json!({})).await;
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frame_over_four_mib_closes_the_connection_with_1009() {
    let srv = Server::start().await;
    let (ws, _) = tokio_tungstenite::connect_async(&srv.url).await.unwrap();
    let (mut sink, mut stream) = ws.split();
    // The server stops reading mid-frame, so the write may fail: send on its own task.
    let writer = tokio::spawn(async move {
        let _ = sink.send(Message::text("y".repeat(5 << 20))).await;
        sink
    });
    let next = tokio::time::timeout(std::time::Duration::from_secs(30), stream.next())
        .await
        .expect("the close in time");
    let frame = match next {
        Some(Ok(Message::Close(f))) => f.expect("a close frame with a code"),
        Some(Ok(other)) => panic!("unexpected message: {other:?}"),
        Some(Err(e)) => panic!("the connection failed before its close frame: {e}"),
        None => panic!("the connection ended without a close frame"),
    };
    assert_eq!(frame.code, CloseCode::Size);
    assert_eq!(u16::from(frame.code), 1009);
    assert_eq!(
        frame.reason.as_str(),
        "Message too long: 5242880 > 4194304; the limit is 4194304 bytes"
    );
    drop(writer);
    // Other connections are unaffected.
    let mut c = srv.client().await;
    c.ok("clock.now", json!({})).await;
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_methods_are_named() {
    let srv = Server::start().await;
    let mut c = srv.client().await;
    for m in ["nope.nothing", "debug.nothing", "lma.nothing"] {
        let e = c.fails(m, json!({})).await;
        assert_eq!(e.code, "UNKNOWN_METHOD", "{m}");
        assert_eq!(
            e.message,
            format!("unknown method `{m}`; docs/sandbox-api.md lists the methods")
        );
    }
    // Logged in as the LMO, and as it, inside an org: the same answer.
    c.login_lmo("support@acme.example").await.unwrap();
    let e = c.fails("debug.nothing", json!({})).await;
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        (
            "UNKNOWN_METHOD",
            "unknown method `debug.nothing`; docs/sandbox-api.md lists the methods"
        )
    );
    c.ok(
        "loginAs.start",
        json!({ "org": "globex-full", "user": ADMIN }),
    )
    .await;
    let e = c.fails("debug.nothing", json!({})).await;
    assert_eq!(e.code, "UNKNOWN_METHOD");
    assert_eq!(
        e.message,
        "unknown method `debug.nothing`; docs/sandbox-api.md lists the methods"
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_params_name_the_field() {
    let srv = Server::start().await;
    let mut c = srv.client().await;
    let e = c
        .fails("auth.login", json!({ "username": "support@acme.example" }))
        .await;
    assert_eq!(e.code, "BAD_PARAMS");
    assert_eq!(
        e.message,
        "bad params for auth.login: missing field `password`; see docs/sandbox-api.md"
    );
    let e = c
        .fails(
            "auth.login",
            json!({ "username": "support@acme.example", "password": "x", "pin": "1" }),
        )
        .await;
    assert_eq!(e.code, "BAD_PARAMS");
    assert_eq!(
        e.message,
        "bad params for auth.login: unknown field `pin`, expected one of `username`, `password`, `code`; see docs/sandbox-api.md"
    );
    let e = c.fails("clock.advance", json!({ "seconds": "soon" })).await;
    assert_eq!(e.code, "BAD_PARAMS");
    assert_eq!(
        e.message,
        "bad params for clock.advance: invalid type: string \"soon\", expected f64; see docs/sandbox-api.md"
    );
    let e = c.fails("clock.advance", json!({ "seconds": -5 })).await;
    assert_eq!(e.code, "BAD_PARAMS");
    assert_eq!(e.message, "seconds must be a non-negative number");
    let mut eng = srv
        .engineer("support@acme.example", "globex-full", ADMIN)
        .await;
    let e = eng
        .fails("debug.stack", json!({ "requestId": "twelve" }))
        .await;
    assert_eq!(e.code, "BAD_PARAMS");
    assert_eq!(
        e.message,
        "`twelve` is not a request id; ids are strings of digits such as \"12\""
    );
    let e = eng.fails("apex.run", json!({ "source": "x" })).await;
    assert_eq!(e.code, "BAD_PARAMS");
    assert_eq!(
        e.message,
        "bad params for apex.run: unknown field `source`, expected one of `code`, `name`, `wait`; see docs/sandbox-api.md"
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_before_login_are_refused() {
    let srv = Server::start().await;
    let mut c = srv.client().await;
    let not_logged_in = "this connection is not logged in; call auth.login (LMO) or auth.loginSubscriber first, or auth.resume with a saved token";
    for (m, p) in [
        ("lma.search", json!({ "query": "globex" })),
        (
            "loginAs.start",
            json!({ "org": "globex-full", "user": ADMIN }),
        ),
        ("apex.run", json!({ "code": "System.debug(1);" })),
        ("debug.start", json!({})),
        ("debug.stack", json!({ "requestId": "1" })),
        ("auth.signOut", json!({})),
    ] {
        let e = c.fails(m, p).await;
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("NOT_LOGGED_IN", not_logged_in),
            "{m}"
        );
    }
    let e = c.fails("auth.resume", json!({ "token": "abc.def" })).await;
    assert_eq!(e.code, "INVALID_TOKEN");
    assert_eq!(
        e.message,
        "the session token is not valid: it is malformed (a token is the <id>.<secret> text returned by the login); log in again to get a new token"
    );
    // The instance methods need no login.
    c.ok("clock.now", json!({})).await;
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_clock_cannot_be_advanced() {
    let loaded = isvdbg::world::resolve(None).unwrap();
    let sb = isvdbg::sandbox::Sandbox::new(
        loaded.world.clone(),
        isvdbg::sandbox::clock::Clock::real(1.0),
    )
    .unwrap();
    let srv = Server::serve(sb, loaded).await;
    let mut c = srv.client().await;
    let now = c.ok("clock.now", json!({})).await;
    assert_eq!(now["virtual"], false);
    let e = c.fails("clock.advance", json!({ "seconds": 60 })).await;
    assert_eq!(e.code, "CLOCK_NOT_VIRTUAL");
    assert_eq!(
        e.message,
        "the clock is real; start the sandbox with --clock virtual to advance it"
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graceful_shutdown_finishes_paused_requests_and_tells_the_debugger() {
    let srv = Server::start().await;
    let mut c = srv
        .engineer("support@acme.example", "globex-full", ADMIN)
        .await;
    let session = c.debug_start().await;
    let code = "insert new Account(Name = 'Shutdown Paused');\nSystem.debug('inserted');";
    c.ok(
        "debug.breakpoints",
        json!({ "sessionId": session, "typeref": "AnonymousBlock", "breakpoints": [{ "line": line_of(code, "inserted") }] }),
    )
    .await;
    let run = c
        .ok("apex.run", json!({ "code": code, "wait": false }))
        .await;
    let request: u64 = run["requestId"].as_str().unwrap().parse().unwrap();
    c.event("Stopped").await;
    let sb = srv.sb.clone();
    let rt = sb.org("globex-full").unwrap().clone();
    let accounts = rt.store.schema.find("Account").unwrap();
    let before = rt.store.count(accounts);
    srv.shutdown().await;
    let t = c.event("SessionTerminated").await;
    assert_eq!(
        t,
        json!({ "sessionId": session, "code": "SHUTDOWN", "message": "the sandbox is shutting down; paused requests were resumed and finished" })
    );
    let frame = c.closed().await.expect("a close frame");
    assert_eq!(frame.code, CloseCode::Away);
    assert_eq!(frame.reason.as_str(), "the sandbox is shutting down");
    // The request finished: nothing runs, the ended session's finished
    // request is forgotten, its log is kept and its insert committed.
    assert_eq!(sb.requests.running(), 0);
    assert!(sb.requests.get(request).is_none());
    assert!(rt.log(request).is_some());
    assert_eq!(rt.store.count(accounts), before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn work_queued_by_a_request_that_finishes_during_shutdown_still_runs() {
    let srv = Server::start().await;
    let mut c = srv
        .engineer("support@acme.example", "globex-full", ADMIN)
        .await;
    let session = c.debug_start().await;
    let code = "Account a = [SELECT Id FROM Account WHERE Name = 'Cypress Creek Outfitters' LIMIT 1];\n\
        acme__Invoice__c inv = [SELECT Id FROM acme__Invoice__c WHERE acme__Account__c = :a.Id AND acme__Status__c = 'Approved' LIMIT 1];\n\
        acme.BillingApi.sendInvoice(inv.Id);\n\
        System.debug('queued');";
    c.ok(
        "debug.breakpoints",
        json!({ "sessionId": session, "typeref": "AnonymousBlock", "breakpoints": [{ "line": line_of(code, "queued") }] }),
    )
    .await;
    let run = c
        .ok("apex.run", json!({ "code": code, "wait": false }))
        .await;
    let request: u64 = run["requestId"].as_str().unwrap().parse().unwrap();
    c.event("Stopped").await;
    let sb = srv.sb.clone();
    let rt = sb.org("globex-full").unwrap().clone();
    srv.shutdown().await;
    // The paused request finished and committed; the queueable and the
    // future call it queued ran to their end before the sandbox stopped.
    assert_eq!(sb.requests.running(), 0);
    let kinds: Vec<&str> = rt
        .logs()
        .iter()
        .filter(|l| l.request > request)
        .map(|l| l.kind)
        .collect();
    assert!(kinds.contains(&"QUEUEABLE"), "{kinds:?}");
    assert!(kinds.contains(&"FUTURE"), "{kinds:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_answer_to_a_waited_run_goes_out_before_the_shutdown_close_frame() {
    let srv = Server::start().await;
    let mut c = srv
        .engineer("support@acme.example", "globex-full", ADMIN)
        .await;
    let session = c.debug_start().await;
    let code = "Integer n = 41;\nn++;\nSystem.debug(n);";
    c.ok(
        "debug.breakpoints",
        json!({ "sessionId": session, "typeref": "AnonymousBlock", "breakpoints": [{ "line": 2 }] }),
    )
    .await;
    let waited = c.send("apex.run", json!({ "code": code })).await;
    c.event("Stopped").await;
    srv.shutdown().await;
    c.closed().await.expect("a close frame");
    // Read before the close frame: answer() finds it among what arrived.
    let run = c.answer(waited).await.expect("the waited run's answer");
    assert_eq!(run["success"], true, "{run}");
    assert_eq!(run["output"][0]["message"], "42");
}
