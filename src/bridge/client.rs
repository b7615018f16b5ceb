//! The sandbox API client: calls with ids, answers matched to their callers in
//! any order, and pushed events delivered on a channel.
//!
//! One type serves both transports: a WebSocket (`ws://` URL) or the in-process
//! channel pair of an embedded sandbox. Both carry the same JSON text; a
//! WebSocket is turned into a channel pair by two small pump tasks, so the
//! client itself only ever sees strings.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use dashmap::DashMap;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;
use tracing::{debug, warn};

/// A refusal or failure of a sandbox call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    /// The sandbox's stable error code (`NOT_SANDBOX`), or one of this
    /// module's own codes for transport failures.
    pub code: String,
    /// Text for people, naming the cause and the fix.
    pub message: String,
}

/// Code of the error every pending and later call gets once the connection is gone.
pub const CONNECTION_LOST: &str = "CONNECTION_LOST";
/// Code of the error for an answer that could not be read.
pub const BAD_ANSWER: &str = "BAD_ANSWER";

impl ApiError {
    /// An error with `code` and `message`.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError {
            code: code.into(),
            message: message.into(),
        }
    }

    fn connection_lost(cause: &str) -> Self {
        ApiError::new(
            CONNECTION_LOST,
            format!(
                "the connection to the sandbox was lost ({cause}); check that the sandbox is \
                 still running and start the debug session again"
            ),
        )
    }
}

/// An event the sandbox pushed: its name (`Stopped`) and body.
#[derive(Debug, Clone, PartialEq)]
pub struct SandboxEvent {
    /// Event name as the sandbox spells it.
    pub name: String,
    /// Event body.
    pub body: Value,
}

type Waiter = oneshot::Sender<Result<Value, ApiError>>;

/// What the reader task shares with the callers. It does not hold the
/// sending side, so the connection closes once the last client is dropped.
struct Inner {
    pending: DashMap<u64, Waiter>,
    next_id: AtomicU64,
    closed: AtomicBool,
    /// Log every message at info level (launch.json `trace: "sandbox"`).
    trace: AtomicBool,
    /// Why the connection closed, once it has.
    close_cause: std::sync::Mutex<Option<String>>,
}

impl Inner {
    fn lost(&self) -> ApiError {
        let cause = self
            .close_cause
            .lock()
            .ok()
            .and_then(|c| c.clone())
            .unwrap_or_else(|| "it was closed".to_owned());
        ApiError::connection_lost(&cause)
    }

    /// Marks the connection closed and fails every waiting call.
    fn close(&self, cause: &str) {
        if let Ok(mut c) = self.close_cause.lock()
            && c.is_none()
        {
            *c = Some(cause.to_owned());
        }
        self.closed.store(true, Ordering::SeqCst);
        let ids: Vec<u64> = self.pending.iter().map(|e| *e.key()).collect();
        for id in ids {
            if let Some((_, waiter)) = self.pending.remove(&id) {
                let _ = waiter.send(Err(self.lost()));
            }
        }
    }
}

/// A connection to the sandbox API; cheap to clone, usable from any task.
#[derive(Clone)]
pub struct SandboxClient {
    /// Calls to the sandbox; dropping the last clone closes the connection.
    tx: mpsc::UnboundedSender<String>,
    inner: Arc<Inner>,
}

impl std::fmt::Debug for SandboxClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxClient")
            .field("pending", &self.inner.pending.len())
            .field("closed", &self.inner.closed.load(Ordering::Relaxed))
            .finish()
    }
}

impl SandboxClient {
    /// A client over a pair of text channels (the embedded sandbox's local
    /// connection). Events go to the returned receiver; it ends when the
    /// connection does.
    pub fn over_channels(
        tx: mpsc::UnboundedSender<String>,
        mut rx: mpsc::UnboundedReceiver<String>,
    ) -> (SandboxClient, mpsc::UnboundedReceiver<SandboxEvent>) {
        let inner = Arc::new(Inner {
            pending: DashMap::new(),
            next_id: AtomicU64::new(1),
            closed: AtomicBool::new(false),
            trace: AtomicBool::new(false),
            close_cause: std::sync::Mutex::new(None),
        });
        let (events_tx, events_rx) = mpsc::unbounded_channel();
        let reader = inner.clone();
        tokio::spawn(async move {
            while let Some(text) = rx.recv().await {
                if reader.trace.load(Ordering::Relaxed) {
                    tracing::info!(target: "isvdbg::trace::sandbox", "<- {text}");
                }
                route(&reader, &events_tx, &text);
            }
            debug!("the sandbox connection closed");
            reader.close("the sandbox closed it");
        });
        (SandboxClient { tx, inner }, events_rx)
    }

    /// Connects to `isvdbg sandbox` at a `ws://` URL.
    pub async fn connect_ws(
        url: &str,
    ) -> Result<(SandboxClient, mpsc::UnboundedReceiver<SandboxEvent>), ApiError> {
        let (stream, _) = tokio_tungstenite::connect_async_with_config(url, None, true)
            .await
            .map_err(|e| {
                ApiError::new(
                    CONNECTION_LOST,
                    format!(
                        "could not connect to the sandbox at {url} ({e}); start it with \
                     `isvdbg sandbox` or set `sandbox` to `embedded` in launch.json"
                    ),
                )
            })?;
        let (mut sink, mut source) = stream.split();
        let (out_tx, mut out_rx) = mpsc::unbounded_channel::<String>();
        let (in_tx, in_rx) = mpsc::unbounded_channel::<String>();
        // Set once this side has started the closing handshake: a peer that
        // then drops the TCP connection without echoing the close frame has
        // done nothing wrong that anyone needs to hear about.
        let closing = Arc::new(AtomicBool::new(false));
        let we_close = closing.clone();
        tokio::spawn(async move {
            while let Some(text) = out_rx.recv().await {
                if let Err(e) = sink.send(Message::text(text)).await {
                    warn!("writing to the sandbox failed: {e}");
                    break;
                }
            }
            we_close.store(true, Ordering::SeqCst);
            if let Err(e) = sink.close().await {
                debug!("closing the sandbox connection: {e}");
            }
        });
        tokio::spawn(async move {
            while let Some(frame) = source.next().await {
                match frame {
                    Ok(Message::Text(text)) => {
                        if in_tx.send(text.as_str().to_owned()).is_err() {
                            break;
                        }
                    }
                    Ok(Message::Close(_)) => break,
                    Ok(_) => {}
                    Err(e) if closing.load(Ordering::SeqCst) => {
                        debug!("the sandbox connection ended after our close frame: {e}");
                        break;
                    }
                    Err(e) => {
                        warn!("reading from the sandbox failed: {e}");
                        break;
                    }
                }
            }
        });
        Ok(SandboxClient::over_channels(out_tx, in_rx))
    }

    /// Calls `method` with `params` and waits for its answer.
    pub async fn call(&self, method: &str, params: Value) -> Result<Value, ApiError> {
        let inner = &self.inner;
        if inner.closed.load(Ordering::SeqCst) {
            return Err(inner.lost());
        }
        let id = inner.next_id.fetch_add(1, Ordering::Relaxed);
        let (waiter, answer) = oneshot::channel();
        inner.pending.insert(id, waiter);
        // The reader may have closed between the check and the insert; it
        // sets `closed` before draining, so one of the two sees the other.
        if inner.closed.load(Ordering::SeqCst) {
            inner.pending.remove(&id);
            return Err(inner.lost());
        }
        let text = json!({ "id": id, "method": method, "params": params }).to_string();
        if inner.trace.load(Ordering::Relaxed) {
            tracing::info!(target: "isvdbg::trace::sandbox", "-> {text}");
        }
        if self.tx.send(text).is_err() {
            inner.pending.remove(&id);
            inner.close("it could not be written to");
            return Err(inner.lost());
        }
        match answer.await {
            Ok(result) => result,
            Err(_) => Err(inner.lost()),
        }
    }

    /// Logs every message to and from the sandbox (at info level) while on.
    pub fn set_trace(&self, on: bool) {
        self.inner.trace.store(on, Ordering::Relaxed);
    }

    /// Whether the connection is gone.
    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::SeqCst)
    }
}

/// Sends one frame from the sandbox to its waiter or to the event channel.
fn route(inner: &Inner, events: &mpsc::UnboundedSender<SandboxEvent>, text: &str) {
    let Ok(Value::Object(mut message)) = serde_json::from_str::<Value>(text) else {
        warn!("ignoring a frame from the sandbox that is not a JSON object: {text:.200}");
        return;
    };
    if let Some(Value::String(name)) = message.remove("event") {
        let body = message.remove("body").unwrap_or(Value::Null);
        let _ = events.send(SandboxEvent { name, body });
        return;
    }
    let Some(id) = message.get("id").and_then(Value::as_u64) else {
        warn!("ignoring a frame from the sandbox with neither an id nor an event: {text:.200}");
        return;
    };
    let Some((_, waiter)) = inner.pending.remove(&id) else {
        debug!(id, "an answer came for a call nobody waits for");
        return;
    };
    let outcome = if let Some(error) = message.remove("error") {
        Err(ApiError {
            code: error["code"].as_str().unwrap_or("ERROR").to_owned(),
            message: error["message"]
                .as_str()
                .unwrap_or("the sandbox refused the call without saying why")
                .to_owned(),
        })
    } else if let Some(result) = message.remove("result") {
        Ok(result)
    } else {
        Err(ApiError::new(
            BAD_ANSWER,
            format!("the sandbox answered call {id} with neither a result nor an error"),
        ))
    };
    let _ = waiter.send(outcome);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake sandbox over channels: returns the client and the far ends.
    fn pair() -> (
        SandboxClient,
        mpsc::UnboundedReceiver<SandboxEvent>,
        mpsc::UnboundedReceiver<String>,
        mpsc::UnboundedSender<String>,
    ) {
        let (to_sandbox, calls) = mpsc::unbounded_channel();
        let (answers, from_sandbox) = mpsc::unbounded_channel();
        let (client, events) = SandboxClient::over_channels(to_sandbox, from_sandbox);
        (client, events, calls, answers)
    }

    #[tokio::test]
    async fn answers_out_of_order_reach_their_callers_and_events_the_channel() {
        let (client, mut events, mut calls, answers) = pair();
        let a = tokio::spawn({
            let c = client.clone();
            async move { c.call("clock.now", json!({})).await }
        });
        let b = tokio::spawn({
            let c = client.clone();
            async move { c.call("debug.start", json!({})).await }
        });
        let first: Value = serde_json::from_str(&calls.recv().await.unwrap()).unwrap();
        let second: Value = serde_json::from_str(&calls.recv().await.unwrap()).unwrap();
        let (now_id, start_id) = if first["method"] == "clock.now" {
            (first["id"].clone(), second["id"].clone())
        } else {
            (second["id"].clone(), first["id"].clone())
        };
        answers
            .send(json!({"event": "SessionTimers", "body": {"sessionId": "1"}}).to_string())
            .unwrap();
        answers
            .send(
                json!({"id": start_id, "error": {"code": "NOT_SANDBOX", "message": "no"}})
                    .to_string(),
            )
            .unwrap();
        answers
            .send(json!({"id": now_id, "result": {"now": "x"}}).to_string())
            .unwrap();
        assert_eq!(a.await.unwrap().unwrap(), json!({"now": "x"}));
        let refused = b.await.unwrap().unwrap_err();
        assert_eq!(refused.code, "NOT_SANDBOX");
        let event = events.recv().await.unwrap();
        assert_eq!(event.name, "SessionTimers");
        assert_eq!(event.body["sessionId"], "1");
    }

    #[tokio::test]
    async fn losing_the_connection_fails_pending_and_later_calls() {
        let (client, mut events, mut calls, answers) = pair();
        let waiting = tokio::spawn({
            let c = client.clone();
            async move { c.call("apex.run", json!({})).await }
        });
        calls.recv().await.unwrap();
        drop(answers);
        let err = waiting.await.unwrap().unwrap_err();
        assert_eq!(err.code, CONNECTION_LOST);
        assert!(
            err.message.contains("start the debug session again"),
            "{err}"
        );
        assert!(events.recv().await.is_none());
        let later = client.call("clock.now", json!({})).await.unwrap_err();
        assert_eq!(later.code, CONNECTION_LOST);
        assert!(client.is_closed());
    }

    #[tokio::test]
    async fn dropping_the_last_client_closes_the_connection() {
        let (client, _events, mut calls, _answers) = pair();
        let other = client.clone();
        drop(client);
        assert!(matches!(
            calls.try_recv(),
            Err(mpsc::error::TryRecvError::Empty)
        ));
        drop(other);
        assert!(calls.recv().await.is_none(), "the sandbox sees the end");
    }

    #[tokio::test]
    async fn junk_from_the_sandbox_is_skipped() {
        let (client, _events, mut calls, answers) = pair();
        let waiting = tokio::spawn({
            let c = client.clone();
            async move { c.call("clock.now", json!({})).await }
        });
        let call: Value = serde_json::from_str(&calls.recv().await.unwrap()).unwrap();
        answers.send("not json".into()).unwrap();
        answers
            .send(json!({"id": 999, "result": {}}).to_string())
            .unwrap();
        answers.send(json!({"id": call["id"]}).to_string()).unwrap();
        let err = waiting.await.unwrap().unwrap_err();
        assert_eq!(err.code, BAD_ANSWER);
    }
}
