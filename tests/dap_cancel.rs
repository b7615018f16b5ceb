//! `cancel`: a request that waits for the debuggee can be cancelled while it
//! runs, and requests read meanwhile can be cancelled before they run.

mod dap_support;

use dap_support::RawPeer;
use isvdbg::dap::codec::DapCodec;
use isvdbg::dap::protocol::*;
use isvdbg::dap::{Backend, Connection, DapError, EventSink, Session, ShutdownReason};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_util::codec::FramedRead;

/// `x/wait` waits until the test says so and may be cancelled; `x/echo`
/// answers at once and may not. Every custom call is reported.
struct Waiting {
    release: Option<tokio::sync::oneshot::Receiver<()>>,
    calls: mpsc::UnboundedSender<String>,
}

impl Backend for Waiting {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            supports_cancel_request: Some(true),
            ..Default::default()
        }
    }
    async fn launch(&mut self, _: LaunchRequestArguments, _: EventSink) -> Result<(), DapError> {
        Ok(())
    }
    async fn attach(&mut self, _: LaunchRequestArguments, _: EventSink) -> Result<(), DapError> {
        Ok(())
    }
    async fn configuration_done(&mut self) -> Result<(), DapError> {
        Ok(())
    }
    async fn request(&mut self, _: RequestArguments) -> Result<Option<Value>, DapError> {
        Ok(Some(json!({ "threads": [] })))
    }
    fn cancellable(&self, command: &str) -> bool {
        command == "x/wait"
    }
    async fn custom(
        &mut self,
        command: &str,
        _arguments: Option<Value>,
    ) -> Result<Option<Value>, DapError> {
        let _ = self.calls.send(command.to_owned());
        if command == "x/wait"
            && let Some(release) = self.release.take()
        {
            let _ = release.await;
        }
        Ok(Some(json!({ "done": command })))
    }
    async fn shutdown(&mut self, _: ShutdownReason) {}
}

fn start() -> (
    RawPeer,
    tokio::sync::oneshot::Sender<()>,
    mpsc::UnboundedReceiver<String>,
) {
    let (server, client) = tokio::io::duplex(1 << 16);
    let (sr, sw) = tokio::io::split(server);
    let (cr, cw) = tokio::io::split(client);
    let (release_tx, release) = tokio::sync::oneshot::channel();
    let (calls, calls_rx) = mpsc::unbounded_channel();
    let backend = Waiting {
        release: Some(release),
        calls,
    };
    tokio::spawn(Session::new(Connection::new(sr, sw), backend).run());
    let peer = RawPeer {
        writer: cw,
        reader: FramedRead::new(cr, DapCodec::new()),
    };
    (peer, release_tx, calls_rx)
}

fn req(seq: i64, command: &str, arguments: Value) -> Value {
    json!({"seq": seq, "type": "request", "command": command, "arguments": arguments})
}

async fn initialize(peer: &mut RawPeer) {
    peer.send(&req(1, "initialize", json!({"adapterID": "apex-isv"})))
        .await;
    assert_eq!(peer.recv().await["body"]["supportsCancelRequest"], true);
    assert_eq!(peer.recv().await["event"], "initialized");
}

/// The next response, skipping events.
async fn response(peer: &mut RawPeer) -> Value {
    loop {
        let m = peer.recv().await;
        if m["type"] == "response" {
            return m;
        }
    }
}

fn assert_cancelled(r: &Value, seq: i64) {
    assert_eq!(r["request_seq"], seq, "{r}");
    assert_eq!(r["success"], false, "{r}");
    assert_eq!(r["message"], "cancelled", "{r}");
}

fn assert_ok(r: &Value, seq: i64) {
    assert_eq!(r["request_seq"], seq, "{r}");
    assert_eq!(r["success"], true, "{r}");
}

#[tokio::test]
async fn a_waiting_request_and_queued_ones_are_answered_cancelled() {
    let (mut peer, _release, mut calls) = start();
    initialize(&mut peer).await;
    peer.send(&req(2, "x/wait", json!({}))).await;
    assert_eq!(calls.recv().await.as_deref(), Some("x/wait"));
    // Read while x/wait runs: queued, and 4 is cancelled before it runs.
    peer.send(&req(3, "threads", json!({}))).await;
    peer.send(&req(4, "x/echo", json!({}))).await;
    peer.send(&req(5, "cancel", json!({"requestId": 4}))).await;
    peer.send(&req(6, "cancel", json!({"requestId": 2}))).await;

    assert_cancelled(&response(&mut peer).await, 2);
    assert_ok(&response(&mut peer).await, 3);
    assert_cancelled(&response(&mut peer).await, 4);
    assert_ok(&response(&mut peer).await, 5);
    assert_ok(&response(&mut peer).await, 6);
    // The cancelled x/echo never reached the backend.
    peer.send(&req(7, "x/echo", json!({}))).await;
    let r = response(&mut peer).await;
    assert_ok(&r, 7);
    assert_eq!(calls.recv().await.as_deref(), Some("x/echo"));
    assert!(calls.try_recv().is_err());
}

#[tokio::test]
async fn a_request_that_ends_first_is_answered_and_a_late_cancel_does_nothing() {
    let (mut peer, release, _calls) = start();
    initialize(&mut peer).await;
    peer.send(&req(2, "x/wait", json!({}))).await;
    peer.send(&req(3, "threads", json!({}))).await;
    release.send(()).unwrap();
    let r = response(&mut peer).await;
    assert_ok(&r, 2);
    assert_eq!(r["body"]["done"], "x/wait");
    assert_ok(&response(&mut peer).await, 3);
    peer.send(&req(4, "cancel", json!({"requestId": 2}))).await;
    assert_ok(&response(&mut peer).await, 4);
    // Not cancellable: x/echo is answered whatever comes after it.
    peer.send(&req(5, "x/echo", json!({}))).await;
    peer.send(&req(6, "cancel", json!({"requestId": 5}))).await;
    assert_ok(&response(&mut peer).await, 5);
    assert_ok(&response(&mut peer).await, 6);
}
