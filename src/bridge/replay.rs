//! A fake sandbox that answers from a recorded sandbox transcript (what
//! `isvdbg sandbox --record` writes), so the bridge can be tested without
//! the Apex VM.
//!
//! It serves `ws://127.0.0.1:PORT/`; the Nth connection plays recorded
//! connection N. A call is matched with the first recorded call of its
//! connection not yet made that has the same method and the same parameters
//! (normalised: times, tokens, TOTP codes); its answer goes back with the
//! caller's id, followed by the events recorded before the next call. A call
//! the recording does not have is answered with `REPLAY_MISMATCH` naming the
//! calls expected next, and noted in [`ReplaySandbox::problems`], as are the
//! recorded calls never made.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::client::normalize::{Normalizer, canonical};
use crate::client::replay::Recording;
use crate::client::transcript::Direction;

/// The error code of a call the recording does not have.
pub const REPLAY_MISMATCH: &str = "REPLAY_MISMATCH";

/// One recorded connection, as it is being played.
#[derive(Debug)]
struct Script {
    conn: u32,
    entries: Vec<(Direction, Value)>,
    done: Vec<bool>,
    /// Recorded call id → the caller's id today.
    ids: HashMap<u64, Value>,
    /// Answers whose call has not been made yet.
    held: Vec<usize>,
}

#[derive(Debug, Default)]
struct State {
    scripts: Vec<Script>,
    accepted: usize,
    problems: Vec<String>,
}

/// A running replay sandbox.
#[derive(Debug)]
pub struct ReplaySandbox {
    /// Where it listens: `ws://127.0.0.1:PORT/`.
    pub url: String,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl ReplaySandbox {
    /// Starts serving `recording` on a free loopback port.
    pub async fn start(recording: &Recording, normalizer: Normalizer) -> std::io::Result<Self> {
        let scripts = recording
            .conns()
            .into_iter()
            .map(|conn| {
                let entries: Vec<(Direction, Value)> = recording
                    .entries
                    .iter()
                    .filter(|e| e.conn == conn)
                    .map(|e| (e.dir, e.msg.clone()))
                    .collect();
                Script {
                    conn,
                    done: vec![false; entries.len()],
                    entries,
                    ids: HashMap::new(),
                    held: Vec::new(),
                }
            })
            .collect();
        let state = Arc::new(Mutex::new(State {
            scripts,
            ..State::default()
        }));
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("ws://{}/", listener.local_addr()?);
        let normalizer = Arc::new(normalizer);
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = shared.clone();
                let normalizer = normalizer.clone();
                tokio::spawn(async move {
                    let index = {
                        let mut s = lock(&state);
                        s.accepted += 1;
                        s.accepted - 1
                    };
                    serve(stream, index, state, normalizer).await;
                });
            }
        });
        Ok(ReplaySandbox { url, state, task })
    }

    /// What went wrong so far: calls the recording does not have, and
    /// connections it does not have.
    pub fn problems(&self) -> Vec<String> {
        lock(&self.state).problems.clone()
    }

    /// Stops serving; the problems, with the recorded calls never made.
    pub fn finish(self) -> Vec<String> {
        self.task.abort();
        let s = lock(&self.state);
        let mut problems = s.problems.clone();
        for script in &s.scripts {
            let missing: Vec<String> = script
                .pending_calls()
                .map(|(_, msg)| describe(msg))
                .collect();
            if !missing.is_empty() {
                problems.push(format!(
                    "connection {}: the bridge never made these recorded calls: {}",
                    script.conn,
                    missing.join("; ")
                ));
            }
        }
        problems
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

impl Script {
    /// Calls not made yet, with their positions.
    fn pending_calls(&self) -> impl Iterator<Item = (usize, &Value)> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(i, (dir, _))| *dir == Direction::Send && !self.done[*i])
            .map(|(i, (_, msg))| (i, msg))
    }

    /// What goes out from position `from` until the next call: events as
    /// recorded, answers of calls already made with today's ids. Answers of
    /// calls not made yet are held until they are.
    fn block(&mut self, from: usize) -> Vec<String> {
        let mut out = Vec::new();
        for i in from..self.entries.len() {
            if self.entries[i].0 == Direction::Send {
                break;
            }
            match self.emit(i) {
                Some(text) => out.push(text),
                None if !self.done[i] => self.held.push(i),
                None => {}
            }
        }
        let held = std::mem::take(&mut self.held);
        for i in held {
            match self.emit(i) {
                Some(text) => out.push(text),
                None => self.held.push(i),
            }
        }
        out
    }

    fn emit(&mut self, i: usize) -> Option<String> {
        if self.done[i] {
            return None;
        }
        let mut msg = self.entries[i].1.clone();
        if let Some(recorded) = msg.get("id").and_then(Value::as_u64) {
            msg["id"] = self.ids.get(&recorded)?.clone();
        }
        self.done[i] = true;
        Some(match msg {
            Value::String(text) => text,
            other => other.to_string(),
        })
    }
}

/// `method {params}`, shortened, for reports.
fn describe(msg: &Value) -> String {
    let text = format!(
        "`{}` {}",
        msg["method"].as_str().unwrap_or("?"),
        canonical(&msg["params"])
    );
    match text.char_indices().nth(240) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

async fn serve(
    stream: tokio::net::TcpStream,
    index: usize,
    state: Arc<Mutex<State>>,
    normalizer: Arc<Normalizer>,
) {
    let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let (mut sink, mut source) = ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let writer = tokio::spawn(async move {
        while let Some(text) = rx.recv().await {
            if sink.send(Message::text(text)).await.is_err() {
                break;
            }
        }
        let _ = sink.close().await;
    });
    let send_all = |texts: Vec<String>| {
        for t in texts {
            let _ = tx.send(t);
        }
    };
    {
        let mut s = lock(&state);
        if index >= s.scripts.len() {
            let n = s.scripts.len();
            s.problems.push(format!(
                "connection {} was opened, and the recording has {n}",
                index + 1
            ));
            return;
        }
        send_all(s.scripts[index].block(0));
    }
    while let Some(Ok(frame)) = source.next().await {
        let text = match frame {
            Message::Text(t) => t.as_str().to_owned(),
            Message::Close(_) => break,
            _ => continue,
        };
        let call: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let mut s = lock(&state);
        let script = &mut s.scripts[index];
        let wanted = normalizer.content(&call["params"]);
        let found = script
            .pending_calls()
            .find(|(_, m)| {
                m["method"] == call["method"] && normalizer.content(&m["params"]) == wanted
            })
            .map(|(i, m)| (i, m["id"].as_u64()));
        match found {
            Some((i, recorded_id)) => {
                script.done[i] = true;
                if let Some(id) = recorded_id {
                    script.ids.insert(id, call["id"].clone());
                }
                let out = script.block(i + 1);
                send_all(out);
            }
            None => {
                let next: Vec<String> = script
                    .pending_calls()
                    .take(3)
                    .map(|(_, m)| describe(m))
                    .collect();
                let message = format!(
                    "the recording of connection {} has no call {}; the calls it expects next are: {}",
                    script.conn,
                    describe(&call),
                    if next.is_empty() {
                        "none".to_owned()
                    } else {
                        next.join("; ")
                    }
                );
                s.problems.push(message.clone());
                let answer = json!({
                    "id": call["id"],
                    "error": { "code": REPLAY_MISMATCH, "message": message },
                });
                let _ = tx.send(answer.to_string());
            }
        }
    }
    drop(tx);
    let _ = writer.await;
}

#[cfg(test)]
mod tests;
