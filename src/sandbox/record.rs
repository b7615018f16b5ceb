//! Recording a sandbox's traffic: a WebSocket proxy in front of a sandbox
//! that writes every call, answer and event of every connection as JSON
//! lines, `{"conn":1,"dir":"send"|"recv","msg":{...}}` (`send`: from the
//! client), in the order it forwards them. `isvdbg sandbox --record FILE`
//! puts one in front of its server; the DAP bridge's replay sandbox
//! (`crate::bridge::replay`) answers from such a recording.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;

/// Where recorded messages go.
#[derive(Debug)]
pub struct Recorder {
    out: Mutex<BufWriter<File>>,
    next_conn: AtomicU32,
}

impl Recorder {
    /// A recorder writing to a new (or emptied) `path`.
    pub fn create(path: &Path) -> std::io::Result<Arc<Recorder>> {
        let file = File::create(path).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("could not create the recording {}: {e}", path.display()),
            )
        })?;
        Ok(Arc::new(Recorder {
            out: Mutex::new(BufWriter::new(file)),
            next_conn: AtomicU32::new(1),
        }))
    }

    /// Writes one message; text that is not JSON is kept as a string.
    pub fn note(&self, conn: u32, sent: bool, text: &str) {
        let msg = serde_json::from_str::<Value>(text).unwrap_or_else(|_| Value::from(text));
        let dir = if sent { "send" } else { "recv" };
        let line = json!({ "conn": conn, "dir": dir, "msg": msg });
        let mut out = self.out.lock().unwrap_or_else(|p| p.into_inner());
        // Flushed line by line: a recording is read while, or right after,
        // the sandbox is stopped.
        if let Err(e) = writeln!(out, "{line}").and_then(|()| out.flush()) {
            tracing::warn!("could not write the sandbox recording: {e}");
        }
    }
}

/// Serves `listener`: each WebSocket connection is forwarded to `upstream`
/// (a `ws://` URL) and recorded both ways, as connection 1, 2, ... in the
/// order they were accepted.
pub async fn proxy(
    listener: TcpListener,
    upstream: String,
    recorder: Arc<Recorder>,
) -> std::io::Result<()> {
    loop {
        let (stream, peer) = listener.accept().await?;
        let upstream = upstream.clone();
        let recorder = recorder.clone();
        tokio::spawn(async move {
            let conn = recorder.next_conn.fetch_add(1, Ordering::Relaxed);
            if let Err(e) = forward(stream, &upstream, conn, &recorder).await {
                tracing::debug!("recorded connection {conn} from {peer}: {e}");
            }
        });
    }
}

async fn forward(
    stream: TcpStream,
    upstream: &str,
    conn: u32,
    recorder: &Recorder,
) -> Result<(), tokio_tungstenite::tungstenite::Error> {
    let _ = stream.set_nodelay(true);
    let client = tokio_tungstenite::accept_async(stream).await?;
    let (sandbox, _) = tokio_tungstenite::connect_async_with_config(upstream, None, true).await?;
    let (mut to_client, mut from_client) = client.split();
    let (mut to_sandbox, mut from_sandbox) = sandbox.split();
    // One task forwards both ways, so the recording has the order it forwarded in.
    loop {
        tokio::select! {
            m = from_client.next() => match m {
                Some(Ok(Message::Text(t))) => {
                    recorder.note(conn, true, t.as_str());
                    to_sandbox.send(Message::Text(t)).await?;
                }
                Some(Ok(Message::Close(_))) | None => break,
                Some(Ok(other)) => to_sandbox.send(other).await?,
                Some(Err(e)) => return Err(e),
            },
            m = from_sandbox.next() => match m {
                Some(Ok(Message::Text(t))) => {
                    recorder.note(conn, false, t.as_str());
                    to_client.send(Message::Text(t)).await?;
                }
                Some(Ok(Message::Close(frame))) => {
                    let _ = to_client.send(Message::Close(frame)).await;
                    break;
                }
                None => break,
                Some(Ok(other)) => to_client.send(other).await?,
                Some(Err(e)) => return Err(e),
            },
        }
    }
    let _ = to_sandbox.close().await;
    let _ = to_client.close().await;
    Ok(())
}
