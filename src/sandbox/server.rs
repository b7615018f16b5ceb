//! The WebSocket server: one [`Conn`](super::connection::Conn) per client.
//!
//! Text frames carry calls. Binary frames and malformed calls get an error and
//! the connection lives on. Frames over the sandbox's 1 MiB message limit get
//! `TOO_LARGE`; anything over [`MAX_FRAME`] is refused by the WebSocket layer,
//! which closes the connection with code 1009 (message too big).

use std::net::SocketAddr;

use futures::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::protocol::frame::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::Sandbox;
use super::protocol::{ApiError, Outgoing};

/// The largest frame the WebSocket layer reads.
pub const MAX_FRAME: usize = 4 << 20;

/// How long shutdown waits for connections to send their last messages.
const CLOSE_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// Serves connections until `stop` turns true, then ends every debug session
/// and waits for every running request to finish. Connections stay open until
/// then, so that their clients get `SessionTerminated` and `RequestFinished`
/// before the close frame.
pub async fn serve(
    sb: Sandbox,
    listener: TcpListener,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let (closing_tx, closing) = watch::channel(false);
    let mut conns = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(x) => x,
                    Err(e) => {
                        tracing::warn!("accept failed: {e}");
                        continue;
                    }
                };
                let sb = sb.clone();
                let closing = closing.clone();
                conns.spawn(async move {
                    if let Err(e) = connection(sb, stream, peer, closing).await {
                        tracing::debug!("connection {peer}: {e}");
                    }
                });
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            _ = stop.changed() => break,
        }
    }
    sb.shutdown().await;
    let _ = closing_tx.send(true);
    let all_closed = async { while conns.join_next().await.is_some() {} };
    if tokio::time::timeout(CLOSE_GRACE, all_closed).await.is_err() {
        tracing::warn!("some connections did not close in time");
    }
    Ok(())
}

async fn connection(
    sb: Sandbox,
    stream: TcpStream,
    peer: SocketAddr,
    mut closing: watch::Receiver<bool>,
) -> Result<(), tokio_tungstenite::tungstenite::Error> {
    let _ = stream.set_nodelay(true);
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_FRAME))
        .max_frame_size(Some(MAX_FRAME));
    let ws = tokio_tungstenite::accept_async_with_config(stream, Some(config)).await?;
    tracing::debug!("connection from {peer}");
    let (mut sink, mut source) = ws.split();
    let (out_tx, mut out_rx) = mpsc::unbounded_channel::<String>();
    let conn = sb.open(out_tx);
    let result = loop {
        tokio::select! {
            Some(text) = out_rx.recv() => {
                if let Err(e) = sink.send(Message::text(text)).await {
                    break Err(e);
                }
            }
            incoming = source.next() => match incoming {
                Some(Ok(Message::Text(t))) => sb.handle(&conn, t.as_str()),
                Some(Ok(Message::Binary(_))) => {
                    conn.send(&Outgoing::Error {
                        id: None,
                        error: ApiError::new("BAD_MESSAGE", "binary frames are not understood; send each call as a JSON text frame"),
                    });
                }
                Some(Ok(Message::Close(_))) | None => break Ok(()),
                Some(Ok(_)) => {}
                Some(Err(tokio_tungstenite::tungstenite::Error::Capacity(e))) => {
                    let frame = CloseFrame { code: CloseCode::Size, reason: format!("{e}; the limit is {MAX_FRAME} bytes").into() };
                    let _ = sink.send(Message::Close(Some(frame))).await;
                    break Ok(());
                }
                Some(Err(e)) => break Err(e),
            },
            _ = closing.changed() => {
                let frame = CloseFrame { code: CloseCode::Away, reason: "the sandbox is shutting down".into() };
                // Let the session-ended events out first.
                while let Ok(text) = out_rx.try_recv() {
                    let _ = sink.send(Message::text(text)).await;
                }
                let _ = sink.send(Message::Close(Some(frame))).await;
                break Ok(());
            }
        }
    };
    sb.close(&conn);
    result
}
