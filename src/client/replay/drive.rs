//! Running a replay: starting the adapter, sending the client's side when
//! its time comes, and collecting everything the adapter says.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::process::Child;
use tokio::sync::Notify;
use tokio::time::Instant;
use tokio_util::codec::{FramedRead, FramedWrite};

use super::matching::Matcher;
use super::process::{command, spawn_tcp, start_failed};
use super::{Adapter, Entry, Options, Outcome, Recording, substitute_in};
use crate::client::normalize::canonical;
use crate::client::transcript::Direction;
use crate::dap::codec::{DapCodec, Frame};
use crate::dap::transport::{BoxRead, BoxWrite, Connection};

/// How long an adapter gets to close and exit once its input is closed.
const EXIT_WAIT: Duration = Duration::from_secs(10);

struct Live {
    entries: Vec<Entry>,
    slot_of: Vec<Option<usize>>,
    received: HashMap<u32, usize>,
    closed: HashSet<u32>,
    matcher: Matcher,
    problems: Vec<String>,
}

struct Shared {
    live: Mutex<Live>,
    changed: Notify,
}

impl Shared {
    fn live(&self) -> MutexGuard<'_, Live> {
        self.live.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Replays `recording` against a fresh `adapter` and collects what it says.
pub async fn replay(recording: &Recording, adapter: &Adapter, options: &Options) -> Outcome {
    let normalizer = Arc::new(options.normalizer.clone());
    let recvs: Vec<(u32, &Value)> = recording
        .entries
        .iter()
        .filter(|e| e.dir == Direction::Recv)
        .map(|e| (e.conn, &e.msg))
        .collect();
    let shared = Arc::new(Shared {
        live: Mutex::new(Live {
            entries: Vec::new(),
            slot_of: Vec::new(),
            received: HashMap::new(),
            closed: HashSet::new(),
            matcher: Matcher::new(normalizer.clone(), &recvs),
            problems: Vec::new(),
        }),
        changed: Notify::new(),
    });
    let mut run = Run {
        recording,
        options,
        shared: shared.clone(),
        writers: HashMap::new(),
        readers: Vec::new(),
        children: Vec::new(),
        diverged: false,
    };
    if let Err(problem) = run.start(adapter).await {
        shared.live().problems.push(problem);
    } else {
        run.play().await;
    }
    run.finish(adapter.tcp).await;
    let live = std::mem::replace(
        &mut *shared.live(),
        Live {
            entries: vec![],
            slot_of: vec![],
            received: HashMap::new(),
            closed: HashSet::new(),
            matcher: Matcher::new(normalizer, &[]),
            problems: vec![],
        },
    );
    Outcome {
        recorded: recording.clone(),
        live: Recording {
            entries: live.entries,
        },
        slot_of_live: live.slot_of,
        problems: live.problems,
    }
}

struct Run<'a> {
    recording: &'a Recording,
    options: &'a Options,
    shared: Arc<Shared>,
    writers: HashMap<u32, FramedWrite<BoxWrite, DapCodec>>,
    readers: Vec<tokio::task::JoinHandle<()>>,
    children: Vec<Child>,
    /// Today's messages already differ from the recording: wait less.
    diverged: bool,
}

impl Run<'_> {
    async fn start(&mut self, adapter: &Adapter) -> Result<(), String> {
        let conns = self.recording.conns();
        if adapter.tcp {
            let (child, addr) = spawn_tcp(adapter, self.options.timeout).await?;
            self.children.push(child);
            for conn in conns {
                let stream = tokio::net::TcpStream::connect(&addr)
                    .await
                    .map_err(|e| format!("could not connect to the adapter at {addr}: {e}"))?;
                let c = Connection::tcp(stream).map_err(|e| e.to_string())?;
                self.attach(conn, c.reader, c.writer);
            }
        } else {
            for conn in conns {
                let mut child = command(adapter, Some(conn))
                    .stdin(std::process::Stdio::piped())
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::inherit())
                    .spawn()
                    .map_err(|e| start_failed(adapter, e))?;
                let stdout = child.stdout.take().expect("stdout is piped");
                let stdin = child.stdin.take().expect("stdin is piped");
                self.children.push(child);
                let c = Connection::new(stdout, stdin);
                self.attach(conn, c.reader, c.writer);
            }
        }
        Ok(())
    }

    fn attach(
        &mut self,
        conn: u32,
        mut reader: FramedRead<BoxRead, DapCodec>,
        writer: FramedWrite<BoxWrite, DapCodec>,
    ) {
        self.writers.insert(conn, writer);
        let shared = self.shared.clone();
        self.readers.push(tokio::spawn(async move {
            while let Some(frame) = reader.next().await {
                let mut live = shared.live();
                match frame {
                    Ok(Frame::Message(msg)) => {
                        let index = live.entries.len();
                        let slot = live.matcher.add_live(index, conn, &msg);
                        live.entries.push(Entry {
                            conn,
                            dir: Direction::Recv,
                            msg,
                        });
                        live.slot_of.push(slot);
                        *live.received.entry(conn).or_default() += 1;
                    }
                    Ok(other) => live
                        .problems
                        .push(format!("connection {conn}: a broken frame: {other:?}")),
                    Err(e) => {
                        live.problems
                            .push(format!("connection {conn}: reading failed: {e}"));
                        break;
                    }
                }
                drop(live);
                shared.changed.notify_waiters();
            }
            shared.live().closed.insert(conn);
            shared.changed.notify_waiters();
        }));
    }

    /// Sends the client's side, each message when its time comes.
    async fn play(&mut self) {
        let mut before: HashMap<u32, usize> = HashMap::new();
        let mut slots = 0;
        for entry in &self.recording.entries {
            if entry.dir == Direction::Recv {
                *before.entry(entry.conn).or_default() += 1;
                slots += 1;
                continue;
            }
            let what = describe(entry);
            self.gate(&before, slots, &format!("sending {what}")).await;
            let msg = {
                let live = self.shared.live();
                let pairs = &live.matcher.pairs;
                let mut msg = self
                    .options
                    .normalizer
                    .map_ids(&entry.msg, &mut |kind, raw| {
                        pairs.live(kind, raw).map(str::to_owned)
                    });
                for (placeholder, today) in &self.options.placeholders {
                    substitute_in(&mut msg, placeholder, today);
                }
                msg
            };
            {
                let mut live = self.shared.live();
                live.entries.push(Entry {
                    conn: entry.conn,
                    dir: Direction::Send,
                    msg: msg.clone(),
                });
                live.slot_of.push(None);
            }
            let sent = match self.writers.get_mut(&entry.conn) {
                Some(w) => w.send(&msg).await.map_err(|e| e.to_string()),
                None => Err("it is not open".to_owned()),
            };
            if let Err(e) = sent {
                let problem = format!("connection {}: {what} failed: {e}", entry.conn);
                self.shared.live().problems.push(problem);
                return;
            }
        }
        self.gate(&before, slots, "ending").await;
    }

    /// Waits until the adapter has sent as many messages on each connection
    /// as the recording has before this point, then (briefly) until each of
    /// those recorded messages has its live twin.
    async fn gate(&mut self, counts: &HashMap<u32, usize>, slots: usize, doing: &str) {
        let wait = if self.diverged {
            self.options.settle
        } else {
            self.options.timeout
        };
        let counted = self
            .wait(wait, |live| {
                counts.iter().all(|(conn, &n)| {
                    live.received.get(conn).copied().unwrap_or(0) >= n || live.closed.contains(conn)
                })
            })
            .await;
        let short: Vec<String> = {
            let live = self.shared.live();
            counts
                .iter()
                .filter(|(conn, n)| live.received.get(conn).copied().unwrap_or(0) < **n)
                .map(|(conn, n)| {
                    let got = live.received.get(conn).copied().unwrap_or(0);
                    let why = if live.closed.contains(conn) {
                        "before it closed"
                    } else {
                        "in time"
                    };
                    format!("{got} of the {n} recorded messages on connection {conn} came {why}")
                })
                .collect()
        };
        if !counted || !short.is_empty() {
            let waited = if counted {
                String::new()
            } else {
                format!(" (waited {wait:?})")
            };
            let next = self.first_missing(slots);
            let problem = format!("before {doing}: {}{waited}; {next}", short.join(", "));
            self.shared.live().problems.push(problem);
            self.diverged = true;
            return;
        }
        if !self.diverged {
            let settle = self.options.settle;
            if !self
                .wait(settle, |live| live.matcher.all_matched_before(slots))
                .await
            {
                self.diverged = true;
            }
        }
    }

    /// The first recorded adapter message before `slots` that has not come.
    fn first_missing(&self, slots: usize) -> String {
        let live = self.shared.live();
        let recvs = self
            .recording
            .entries
            .iter()
            .filter(|e| e.dir == Direction::Recv)
            .take(slots);
        for (slot, e) in recvs.enumerate() {
            if !live.slot_of.contains(&Some(slot)) {
                let text = canonical(&self.options.normalizer.masked(&e.msg));
                let text: String = text.chars().take(300).collect();
                return format!("the first one missing is {text}");
            }
        }
        "every recorded one came, but not enough of them".to_owned()
    }

    /// Waits until `done` holds, at most `limit`; whether it held.
    async fn wait(&self, limit: Duration, done: impl Fn(&Live) -> bool) -> bool {
        let deadline = Instant::now() + limit;
        loop {
            let notified = self.shared.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if done(&self.shared.live()) {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return done(&self.shared.live());
            }
        }
    }

    /// Closes the client side, lets the adapter finish, and checks how it ended.
    async fn finish(&mut self, tcp: bool) {
        for (_, mut writer) in self.writers.drain() {
            let _ = SinkExt::<&Value>::close(&mut writer).await;
        }
        if tcp {
            // A TCP adapter serves until stopped; once every connection has
            // closed, stop it.
            for reader in self.readers.drain(..) {
                let _ = tokio::time::timeout(EXIT_WAIT, reader).await;
            }
            for child in &mut self.children {
                let _ = child.kill().await;
            }
            return;
        }
        for (i, child) in self.children.iter_mut().enumerate() {
            let problem = match tokio::time::timeout(EXIT_WAIT, child.wait()).await {
                Ok(Ok(status)) if status.success() => None,
                Ok(Ok(status)) => Some(format!("adapter {} exited with {status}", i + 1)),
                Ok(Err(e)) => Some(format!("adapter {} could not be waited for: {e}", i + 1)),
                Err(_) => {
                    let _ = child.kill().await;
                    Some(format!(
                        "adapter {} did not exit within {EXIT_WAIT:?} of its input closing",
                        i + 1
                    ))
                }
            };
            if let Some(p) = problem {
                self.shared.live().problems.push(p);
            }
        }
        for reader in self.readers.drain(..) {
            if tokio::time::timeout(EXIT_WAIT, reader).await.is_err() {
                let problem = "an adapter kept its output open after exiting".to_owned();
                self.shared.live().problems.push(problem);
            }
        }
    }
}

/// `request `stackTrace` (seq 12) on connection 1`, for reports.
fn describe(entry: &Entry) -> String {
    let command = entry.msg["command"].as_str().unwrap_or("?");
    let seq = &entry.msg["seq"];
    format!(
        "request `{command}` (seq {seq}) on connection {}",
        entry.conn
    )
}
