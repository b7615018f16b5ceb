//! One client connection: its login, its calls, and where its messages go.
//!
//! Calls are read in order. A call that waits (for a request to finish, or for
//! a paused request to answer) is answered from its own task, so a long call
//! never blocks the next one. Closing the connection ends the debug sessions
//! nobody else listens to.

use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

use super::Sandbox;
use super::dispatch::{Reply, dispatch};
use super::protocol::{Outgoing, parse_call};

/// The in-process side of a connection (the DAP bridge's embedded mode).
#[derive(Debug)]
pub struct LocalConnection {
    /// Calls, as JSON text. Dropping it closes the connection.
    pub tx: UnboundedSender<String>,
    /// Answers and events, as JSON text.
    pub rx: UnboundedReceiver<String>,
}

/// The server's side of a connection.
#[derive(Debug)]
pub struct Conn {
    pub id: u64,
    /// The token this connection is logged in with.
    pub token: Mutex<Option<String>>,
    out: UnboundedSender<String>,
}

impl Conn {
    pub fn token(&self) -> Option<String> {
        self.token.lock().expect("token lock").clone()
    }

    pub fn set_token(&self, t: Option<String>) {
        *self.token.lock().expect("token lock") = t;
    }

    /// Sends a message; false once the peer is gone.
    pub fn send(&self, msg: &Outgoing) -> bool {
        match serde_json::to_string(msg) {
            Ok(text) => self.out.send(text).is_ok(),
            Err(_) => false,
        }
    }
}

impl Sandbox {
    /// Registers a connection whose outgoing messages go to `out`.
    pub fn open(&self, out: UnboundedSender<String>) -> Arc<Conn> {
        let id = self.next_id();
        self.conns.insert(id, out.clone());
        Arc::new(Conn {
            id,
            token: Mutex::new(None),
            out,
        })
    }

    /// Handles one incoming text message.
    pub fn handle(&self, conn: &Arc<Conn>, text: &str) {
        let call = match parse_call(text) {
            Ok(c) => c,
            Err(answer) => {
                conn.send(&answer);
                return;
            }
        };
        let id = call.id;
        let answer = move |r: Result<serde_json::Value, super::protocol::ApiError>| match r {
            Ok(result) => Outgoing::Result { id, result },
            Err(error) => Outgoing::Error {
                id: Some(id),
                error,
            },
        };
        match dispatch(self, conn, call) {
            Reply::Now(r) => {
                conn.send(&answer(r));
            }
            Reply::Later(fut) => {
                let conn = conn.clone();
                let sb = self.clone();
                sb.answer_pending();
                tokio::spawn(async move {
                    let r = fut.await;
                    conn.send(&answer(r));
                    sb.answer_sent();
                });
            }
        }
    }

    /// Forgets a connection and ends the sessions only it listened to.
    pub fn close(&self, conn: &Conn) {
        self.conns.remove(&conn.id);
        self.connection_closed(conn.id);
    }

    /// Opens an in-process connection. Needs a Tokio runtime.
    pub fn connect_local(&self) -> LocalConnection {
        let (call_tx, mut call_rx) = mpsc::unbounded_channel::<String>();
        let (out_tx, out_rx) = mpsc::unbounded_channel::<String>();
        let conn = self.open(out_tx);
        let sb = self.clone();
        tokio::spawn(async move {
            while let Some(text) = call_rx.recv().await {
                sb.handle(&conn, &text);
            }
            sb.close(&conn);
        });
        LocalConnection {
            tx: call_tx,
            rx: out_rx,
        }
    }
}
