//! The real session loop over an in-memory stream: no process, no pipes.

mod dap_support;

use std::sync::Arc;

use dap_support::{RawPeer, schema_path};
use isvdbg::client::SchemaValidator;
use isvdbg::dap::codec::{DapCodec, MAX_BODY, frame_bytes};
use isvdbg::dap::protocol::*;
use isvdbg::dap::{
    Backend, BackendEvent, Connection, DapError, EventSink, NoRuntime, Session, ShutdownReason,
};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::codec::FramedRead;

/// Starts a session with `backend`; returns the raw client end.
fn start<B: Backend>(backend: B) -> (RawPeer, JoinHandle<std::io::Result<()>>) {
    let (server, client) = tokio::io::duplex(1 << 16);
    let (sr, sw) = tokio::io::split(server);
    let (cr, cw) = tokio::io::split(client);
    let session = Session::new(Connection::new(sr, sw), backend);
    let handle = tokio::spawn(session.run());
    let peer = RawPeer {
        writer: cw,
        reader: FramedRead::new(cr, DapCodec::new()),
    };
    (peer, handle)
}

fn req(seq: i64, command: &str, arguments: Value) -> Value {
    json!({"seq": seq, "type": "request", "command": command, "arguments": arguments})
}

fn schema() -> Option<Arc<SchemaValidator>> {
    schema_path().map(|p| Arc::new(SchemaValidator::load(&p).unwrap()))
}

/// Checks `msg` against the schema when there is one.
fn valid(schema: &Option<Arc<SchemaValidator>>, msg: &Value) {
    if let Some(s) = schema {
        s.check(msg).unwrap_or_else(|e| panic!("{e}\n{msg}"));
    }
}

async fn initialize(peer: &mut RawPeer, seq: i64) -> Value {
    peer.send(&req(seq, "initialize", json!({"adapterID": "apex-isv"})))
        .await;
    let response = peer.recv().await;
    let event = peer.recv().await;
    assert_eq!(event["event"], "initialized");
    response
}

#[tokio::test]
async fn unknown_command_gets_an_error_with_the_right_request_seq() {
    let (mut peer, _) = start(NoRuntime);
    let schema = schema();
    peer.send(&req(17, "frobnicate", json!({}))).await;
    let r = peer.recv().await;
    valid(&schema, &r);
    assert_eq!(r["success"], false);
    assert_eq!(r["request_seq"], 17);
    assert_eq!(r["command"], "frobnicate");
    assert_eq!(r["message"], "unknown command: frobnicate");
    assert_eq!(r["body"]["error"]["format"], "unknown command: frobnicate");

    // Custom commands are unknown until something handles them.
    peer.send(&req(18, "isv/runApex", json!({"code": "1"})))
        .await;
    let r = peer.recv().await;
    assert_eq!(
        (r["request_seq"].clone(), r["message"].clone()),
        (json!(18), json!("unknown command: isv/runApex"))
    );
}

#[tokio::test]
async fn session_survives_every_kind_of_bad_input_and_still_initializes() {
    let (mut peer, handle) = start(NoRuntime);
    let schema = schema();

    // Content-Length that is not a number: an important output event.
    peer.send_bytes(b"Content-Length: many\r\n\r\n").await;
    let e = peer.recv().await;
    valid(&schema, &e);
    assert_eq!(
        (e["event"].as_str(), e["body"]["category"].as_str()),
        (Some("output"), Some("important"))
    );
    assert!(
        e["body"]["output"]
            .as_str()
            .unwrap()
            .contains("Content-Length")
    );

    // No Content-Length at all.
    peer.send_bytes(b"X-Nothing: here\r\n\r\n").await;
    let e = peer.recv().await;
    assert!(
        e["body"]["output"]
            .as_str()
            .unwrap()
            .contains("without a Content-Length")
    );

    // A body over the limit is skipped, and says so.
    let big = MAX_BODY + 1;
    peer.send_bytes(format!("Content-Length: {big}\r\n\r\n").as_bytes())
        .await;
    let e = peer.recv().await;
    assert!(
        e["body"]["output"].as_str().unwrap().contains("16 MiB"),
        "{e}"
    );
    let filler = vec![b' '; big];
    peer.send_bytes(&filler).await;

    // Invalid JSON whose seq can be read: an error response for that seq.
    peer.send_bytes(&frame_bytes(
        br#"{"seq": 5, "type": "request", "command": "threads", }"#,
    ))
    .await;
    let r = peer.recv().await;
    valid(&schema, &r);
    assert_eq!(
        (
            r["type"].as_str(),
            r["request_seq"].as_i64(),
            r["success"].as_bool()
        ),
        (Some("response"), Some(5), Some(false))
    );
    assert_eq!(r["command"], "threads");

    // Invalid JSON with no seq: an important output event.
    peer.send_bytes(&frame_bytes(b"\xff\xfe garbage")).await;
    let e = peer.recv().await;
    assert_eq!(e["body"]["category"], "important");
    assert!(
        e["body"]["output"]
            .as_str()
            .unwrap()
            .contains("not valid JSON")
    );

    // Valid JSON that is not a DAP message, with a seq: error response.
    peer.send(&json!({"seq": 6, "type": "request"})).await;
    let r = peer.recv().await;
    valid(&schema, &r);
    assert_eq!(
        (r["request_seq"].as_i64(), r["success"].as_bool()),
        (Some(6), Some(false))
    );

    // Valid JSON that is not a DAP message, without a seq: output event.
    peer.send(&json!([1, 2, 3])).await;
    let e = peer.recv().await;
    assert_eq!(e["body"]["category"], "important");

    // Known command with bad arguments: error naming the arguments.
    peer.send(&req(7, "stackTrace", json!({"threadId": "one"})))
        .await;
    let r = peer.recv().await;
    valid(&schema, &r);
    assert_eq!(r["request_seq"], 7);
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .starts_with("invalid arguments for `stackTrace`"),
        "{r}"
    );

    // A frame from a web page is refused silently: it must not initialize.
    let body = req(8, "initialize", json!({"adapterID": "x"})).to_string();
    peer.send_bytes(
        format!(
            "Origin: http://evil.example\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    )
    .await;

    // Unknown command.
    peer.send(&req(9, "frobnicate", json!(null))).await;
    let r = peer.recv().await;
    assert_eq!(
        (r["request_seq"].as_i64(), r["message"].as_str()),
        (Some(9), Some("unknown command: frobnicate"))
    );

    // And initialize still works: the refused one did not count.
    let r = initialize(&mut peer, 10).await;
    valid(&schema, &r);
    assert_eq!(
        (r["request_seq"].as_i64(), r["success"].as_bool()),
        (Some(10), Some(true))
    );
    assert_eq!(r["body"]["supportsConfigurationDoneRequest"], true);

    peer.send(&req(11, "disconnect", json!({}))).await;
    assert_eq!(peer.recv().await["command"], "disconnect");
    assert_eq!(peer.recv_or_end().await, None);
    handle.await.unwrap().unwrap();
}

#[tokio::test]
async fn lifecycle_without_a_runtime() {
    let (mut peer, handle) = start(NoRuntime);
    let schema = schema();

    peer.send(&req(1, "threads", json!({}))).await;
    let r = peer.recv().await;
    assert_eq!(r["success"], false);
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .contains("before `initialize`")
    );

    let r = initialize(&mut peer, 2).await;
    valid(&schema, &r);
    let caps: Capabilities = serde_json::from_value(r["body"].clone()).unwrap();
    // Honest capabilities: only what works today.
    assert_eq!(
        caps,
        Capabilities {
            supports_configuration_done_request: Some(true),
            supports_terminate_request: Some(true),
            ..Default::default()
        }
    );

    peer.send(&req(3, "initialize", json!({"adapterID": "apex-isv"})))
        .await;
    let r = peer.recv().await;
    assert_eq!(r["success"], false);
    assert!(r["message"].as_str().unwrap().contains("already"));

    // No second `initialized` event: the next message answers the next request.
    peer.send(&req(4, "disconnect", json!(null))).await;
    assert_eq!(peer.recv().await["request_seq"], 4);
    assert_eq!(peer.recv_or_end().await, None);
    handle.await.unwrap().unwrap();
}

#[tokio::test]
async fn launch_says_no_runtime_and_threads_is_empty() {
    let (mut peer, handle) = start(NoRuntime);
    let schema = schema();
    initialize(&mut peer, 1).await;

    peer.send(&req(2, "launch", json!({"world": "default"})))
        .await;
    let r = peer.recv().await;
    valid(&schema, &r);
    assert_eq!(r["success"], false);
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .contains("no sandbox runtime is available yet"),
        "{r}"
    );
    assert_eq!(r["body"]["error"]["showUser"], true);

    peer.send(&req(
        3,
        "setBreakpoints",
        json!({"source": {"path": "/x/A.cls"}, "breakpoints": [{"line": 3}, {"line": 9}]}),
    ))
    .await;
    let r = peer.recv().await;
    valid(&schema, &r);
    let body: SetBreakpointsResponseBody = serde_json::from_value(r["body"].clone()).unwrap();
    assert_eq!(body.breakpoints.len(), 2);
    assert!(body.breakpoints.iter().all(|b| !b.verified));

    peer.send(&req(4, "configurationDone", json!(null))).await;
    let r = peer.recv().await;
    valid(&schema, &r);
    assert_eq!(r["success"], true);

    peer.send(&req(5, "threads", json!(null))).await;
    let r = peer.recv().await;
    valid(&schema, &r);
    assert_eq!(r["body"], json!({"threads": []}));

    peer.send(&req(6, "stackTrace", json!({"threadId": 1})))
        .await;
    let r = peer.recv().await;
    valid(&schema, &r);
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .contains("no sandbox runtime")
    );

    // terminate: response, then `terminated`, once.
    peer.send(&req(7, "terminate", json!({}))).await;
    let r = peer.recv().await;
    valid(&schema, &r);
    assert_eq!(
        (r["command"].as_str(), r["success"].as_bool()),
        (Some("terminate"), Some(true))
    );
    let e = peer.recv().await;
    valid(&schema, &e);
    assert_eq!(e["event"], "terminated");

    peer.send(&req(8, "disconnect", json!({"terminateDebuggee": true})))
        .await;
    let r = peer.recv().await;
    valid(&schema, &r);
    assert_eq!(
        (r["command"].as_str(), r["success"].as_bool()),
        (Some("disconnect"), Some(true))
    );
    assert_eq!(
        peer.recv_or_end().await,
        None,
        "the session ends after disconnect"
    );
    handle.await.unwrap().unwrap();
}

#[tokio::test]
async fn sequence_numbers_count_up_from_one() {
    let (mut peer, _) = start(NoRuntime);
    let r = initialize(&mut peer, 1).await;
    assert_eq!(r["seq"], 1);
    peer.send(&req(2, "threads", json!({}))).await;
    assert_eq!(peer.recv().await["seq"], 3);
}

/// A backend that launches, reports a stop, then ends on its own.
struct Scripted {
    shutdowns: mpsc::UnboundedSender<ShutdownReason>,
}

impl Backend for Scripted {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            supports_step_back: Some(true),
            ..Default::default()
        }
    }
    async fn launch(
        &mut self,
        _args: LaunchRequestArguments,
        events: EventSink,
    ) -> Result<(), DapError> {
        let stopped = StoppedEventBody {
            reason: "breakpoint".into(),
            thread_id: Some(1),
            ..Default::default()
        };
        events
            .send(BackendEvent::Event(EventBody::Stopped(stopped)))
            .unwrap();
        events
            .send(BackendEvent::Ended {
                reason: "the debug session hit its 4 hour limit".into(),
            })
            .unwrap();
        Ok(())
    }
    async fn attach(
        &mut self,
        args: LaunchRequestArguments,
        events: EventSink,
    ) -> Result<(), DapError> {
        self.launch(args, events).await
    }
    async fn configuration_done(&mut self) -> Result<(), DapError> {
        Ok(())
    }
    async fn request(&mut self, args: RequestArguments) -> Result<Option<Value>, DapError> {
        Err(DapError::unknown_command(args.command()))
    }
    async fn shutdown(&mut self, reason: ShutdownReason) {
        let _ = self.shutdowns.send(reason);
    }
}

#[tokio::test]
async fn backend_events_flow_through_the_same_loop() {
    let (tx, mut shutdowns) = mpsc::unbounded_channel();
    let (mut peer, handle) = start(Scripted { shutdowns: tx });
    let schema = schema();
    let r = initialize(&mut peer, 1).await;
    assert_eq!(r["body"]["supportsStepBack"], true);

    peer.send(&req(2, "launch", json!({}))).await;
    let mut got = Vec::new();
    for _ in 0..4 {
        let m = peer.recv().await;
        valid(&schema, &m);
        got.push(m);
    }
    assert_eq!(got[0]["command"], "launch");
    assert_eq!(got[1]["event"], "stopped");
    assert_eq!(got[2]["body"]["category"], "important");
    assert!(
        got[2]["body"]["output"]
            .as_str()
            .unwrap()
            .contains("4 hour limit")
    );
    assert_eq!(got[3]["event"], "terminated");

    // The client leaves without `disconnect`: the backend is still told.
    drop(peer);
    handle.await.unwrap().unwrap();
    assert_eq!(shutdowns.recv().await, Some(ShutdownReason::ClientGone));
}

#[tokio::test]
async fn memory_pair_runs_the_real_loop_with_the_client() {
    use isvdbg::client::{Client, ClientError, Transcript};
    use isvdbg::dap::protocol::typed;

    let (server, client_end) = Connection::memory();
    let handle = tokio::spawn(Session::new(server, NoRuntime).run());
    let client = Client::from_connection(client_end, Transcript::default());

    let caps = client
        .request::<typed::Initialize>(InitializeRequestArguments {
            adapter_id: "apex-isv".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(caps.supports_configuration_done_request, Some(true));
    client.wait_event_named("initialized").await.unwrap();
    let threads = client
        .request::<typed::Threads>(NoArguments {})
        .await
        .unwrap();
    assert!(threads.threads.is_empty());
    let err = client
        .request::<typed::Launch>(LaunchRequestArguments::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ClientError::Failed { ref message, .. } if message.contains("no sandbox runtime")),
        "{err}"
    );
    client
        .request::<typed::Disconnect>(DisconnectArguments::default())
        .await
        .unwrap();
    handle.await.unwrap().unwrap();
    // The stream is closed now: any further request fails at once.
    let err = client
        .request::<typed::Threads>(NoArguments {})
        .await
        .unwrap_err();
    assert!(
        matches!(err, ClientError::StreamClosed(_) | ClientError::Io(_)),
        "{err}"
    );
}
