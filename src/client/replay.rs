//! Recorded DAP transcripts replayed against an adapter: the client's side
//! is sent again, what the adapter says today is collected and compared
//! with what it said when the transcript was recorded.
//!
//! A transcript is JSON lines `{"dir":"send"|"recv","msg":{...}}` (what
//! `isvdbg client --record` writes), optionally tagged `"conn": N` when
//! several clients talk to one adapter. The replay:
//!
//! - sends each client message once the adapter messages recorded before it
//!   have arrived (counted per connection, then matched by content), or
//!   gives up after a timeout and reports what never came;
//! - sends recorded ids as the ids the adapter hands out today (a thread,
//!   frame or variables reference is paired with its recorded twin when the
//!   message that introduced it arrives);
//! - compares both sides normalised ([`super::normalize`]), with today's
//!   messages put in the recorded order where only their timing differs, and
//!   explains a difference with a unified diff.
//!
//! See docs/transcripts.md.

mod diff;
mod drive;
pub mod matching;
mod process;
mod record;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

pub use drive::replay;
pub use record::{Play, PlayPart, record};

use super::normalize::{Normalizer, canonical};
use super::transcript::Direction;

/// One message of a transcript.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Which client connection (1 when there is one).
    pub conn: u32,
    /// Which way it went.
    pub dir: Direction,
    /// The message.
    pub msg: Value,
}

/// A transcript, in the order its messages went.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recording {
    /// The messages.
    pub entries: Vec<Entry>,
}

impl Recording {
    /// Reads a JSON lines transcript.
    pub fn load(path: &Path) -> anyhow::Result<Recording> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            anyhow::anyhow!("could not read the transcript {}: {e}", path.display())
        })?;
        Recording::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    /// Parses JSON lines `{"conn"?, "dir", "msg"}`; blank lines are skipped.
    pub fn parse(text: &str) -> Result<Recording, String> {
        let mut entries = Vec::new();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let bad = |why: &str| format!("line {}: {why}", n + 1);
            let v: Value = serde_json::from_str(line).map_err(|e| bad(&e.to_string()))?;
            let dir = match v["dir"].as_str() {
                Some("send") => Direction::Send,
                Some("recv") => Direction::Recv,
                _ => return Err(bad("`dir` must be \"send\" or \"recv\"")),
            };
            let conn = match &v["conn"] {
                Value::Null => 1,
                c => c
                    .as_u64()
                    .and_then(|c| u32::try_from(c).ok())
                    .ok_or_else(|| bad("`conn` must be a connection number"))?,
            };
            let msg = v.get("msg").cloned().ok_or_else(|| bad("no `msg`"))?;
            entries.push(Entry { conn, dir, msg });
        }
        Ok(Recording { entries })
    }

    /// The transcript as JSON lines, tagged with connections only when there
    /// are several.
    pub fn to_jsonl(&self) -> String {
        let multi = self.conns().len() > 1;
        let mut out = String::new();
        for e in &self.entries {
            let line = if multi {
                json!({ "conn": e.conn, "dir": e.dir.as_str(), "msg": e.msg })
            } else {
                json!({ "dir": e.dir.as_str(), "msg": e.msg })
            };
            out.push_str(&line.to_string());
            out.push('\n');
        }
        out
    }

    /// The connections, in order of first appearance.
    pub fn conns(&self) -> Vec<u32> {
        let mut seen = Vec::new();
        for e in &self.entries {
            if !seen.contains(&e.conn) {
                seen.push(e.conn);
            }
        }
        seen
    }

    /// Replaces `from` by `to` in every string of every message.
    pub fn substitute(&mut self, from: &str, to: &str) {
        for e in &mut self.entries {
            substitute_in(&mut e.msg, from, to);
        }
    }
}

/// Replaces `from` by `to` in every string of `value`.
pub fn substitute_in(value: &mut Value, from: &str, to: &str) {
    match value {
        Value::String(s) if s.contains(from) => *s = s.replace(from, to),
        Value::Array(items) => items.iter_mut().for_each(|v| substitute_in(v, from, to)),
        Value::Object(map) => map.values_mut().for_each(|v| substitute_in(v, from, to)),
        _ => {}
    }
}

/// How to start the adapter under test.
#[derive(Debug, Clone, Default)]
pub struct Adapter {
    /// The program, such as the `isvdbg` binary.
    pub program: PathBuf,
    /// Its arguments (`["dap"]`; with `tcp`, `["dap", "--port", "0"]`).
    pub args: Vec<String>,
    /// Environment for every process.
    pub env: Vec<(String, String)>,
    /// More environment per connection (with stdio, each is its own process).
    pub conn_env: HashMap<u32, Vec<(String, String)>>,
    /// One process serves every connection over TCP (it prints
    /// `listening on ADDR` on stderr), instead of one stdio process each.
    pub tcp: bool,
}

/// How a replay runs and compares.
#[derive(Debug, Clone)]
pub struct Options {
    /// How long to wait for the messages a send waits for.
    pub timeout: Duration,
    /// Once as many messages as recorded have come, how much longer to wait
    /// for the recorded ones among them that are still missing.
    pub settle: Duration,
    /// The normaliser both sides are compared through.
    pub normalizer: Normalizer,
    /// Placeholders in the recording and what they stand for today, such as
    /// `("<repo>", "/home/me/isvdbg")`; applied to the messages sent.
    pub placeholders: Vec<(String, String)>,
}

impl Options {
    /// Options for transcripts of this repository: `<repo>` is `repo`.
    pub fn for_repo(repo: &Path) -> Options {
        Options {
            timeout: Duration::from_secs(30),
            settle: Duration::from_secs(5),
            normalizer: Normalizer::new(repo),
            placeholders: vec![("<repo>".into(), repo.to_string_lossy().into_owned())],
        }
    }
}

/// What a replay saw.
#[derive(Debug)]
pub struct Outcome {
    /// The transcript replayed.
    pub recorded: Recording,
    /// Everything exchanged today, in the order it happened.
    pub live: Recording,
    /// For each live message, the recorded one it stands for.
    pub slot_of_live: Vec<Option<usize>>,
    /// What went wrong beside the messages themselves: timeouts, exit codes.
    pub problems: Vec<String>,
}

impl Outcome {
    /// None when today's adapter said what the recording says; otherwise a
    /// report with the problems and a unified diff of the normalised messages.
    pub fn differences(&self, normalizer: &Normalizer) -> Option<String> {
        let multi = self.recorded.conns().len() > 1 || self.live.conns().len() > 1;
        let recorded: Vec<&Entry> = self.recorded.entries.iter().collect();
        let expected = render(&recorded, normalizer, multi);
        let actual = render(&self.aligned(), normalizer, multi);
        let diff = diff::unified(&expected, &actual, 3, 4);
        if diff.is_none() && self.problems.is_empty() {
            return None;
        }
        let mut report = String::new();
        for p in &self.problems {
            report.push_str(&format!("- {p}\n"));
        }
        if let Some(diff) = diff {
            report.push_str(&diff);
        }
        Some(report)
    }

    /// Today's messages in the recorded order: a client message where its
    /// recorded twin was, an adapter message where the recorded message it
    /// matched was, any other right after what arrived before it.
    fn aligned(&self) -> Vec<&Entry> {
        let sends: Vec<usize> = (0..self.recorded.entries.len())
            .filter(|&i| self.recorded.entries[i].dir == Direction::Send)
            .collect();
        let recvs: Vec<usize> = (0..self.recorded.entries.len())
            .filter(|&i| self.recorded.entries[i].dir == Direction::Recv)
            .collect();
        let (mut sent, mut keys, mut last) = (0, Vec::new(), (0usize, 0usize));
        for (j, e) in self.live.entries.iter().enumerate() {
            let place = match e.dir {
                Direction::Send => {
                    sent += 1;
                    sends.get(sent - 1).copied()
                }
                Direction::Recv => self.slot_of_live[j].map(|s| recvs[s]),
            };
            let key = match place {
                Some(pos) => {
                    last = (pos, 0);
                    (pos, 0, j)
                }
                None => (last.0, 1, j),
            };
            keys.push(key);
        }
        let mut order: Vec<usize> = (0..self.live.entries.len()).collect();
        order.sort_by_key(|&j| keys[j]);
        order.iter().map(|&j| &self.live.entries[j]).collect()
    }
}

/// One line per message, normalised from the first message on.
fn render(entries: &[&Entry], normalizer: &Normalizer, multi: bool) -> Vec<String> {
    let mut n = normalizer.clone();
    entries
        .iter()
        .map(|e| {
            let msg = n.message(e.conn, e.dir == Direction::Send, &e.msg);
            let dir = e.dir.as_str();
            if multi {
                format!("{}:{dir} {}", e.conn, canonical(&msg))
            } else {
                format!("{dir} {}", canonical(&msg))
            }
        })
        .collect()
}
