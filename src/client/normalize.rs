//! Normalising recorded messages, so that two runs of the same story compare
//! equal when only their incidentals differ: sequence numbers, ids handed
//! out by counters, times, durations, absolute paths, tokens and TOTP codes.
//!
//! Ids are renumbered by kind in order of first appearance: the third thread
//! anybody mentions is thread 3, whatever its raw id. The same walk also
//! masks ids (for matching messages whatever their order), lists them (to
//! pair a recorded message's ids with a live one's) and rewrites them (to
//! send recorded requests with the ids the live adapter handed out).

use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value};

/// What an id identifies; each kind is numbered on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdKind {
    /// A DAP thread (an Apex request, as the client sees it).
    Thread,
    /// A DAP stack frame.
    Frame,
    /// A `variablesReference` (DAP) or `reference` (sandbox); 0 is not an id.
    Variables,
    /// A breakpoint id.
    Breakpoint,
    /// An Apex request id.
    Request,
    /// A debug session id.
    Session,
    /// A DAP `sourceReference`; 0 is not an id.
    Source,
    /// The id of a sandbox API call and of its answer.
    Call,
}

/// The placeholder that masks every id.
pub const MASKED_ID: &str = "<id>";

static RFC3339: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")
        .expect("valid regex")
});
/// A debug log line's time: `13:05:00.4 (4103512)`.
static LOG_TIME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b\d{2}:\d{2}:\d{2}\.\d+ \(\d+\)").expect("valid regex"));
static DURATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b\d+(?:\.\d+)? ?(?:ms|µs|us|ns)\b|\b\d+\.\d+ ?s\b").expect("valid regex")
});
/// Ids written into text: `Request 12 · ...`, `ISV debugger session 3 started`.
static TEXT_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b([Rr]equest|[Ss]ession) (\d+)\b").expect("valid regex"));
static TOTP: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\d{6}$").expect("valid regex"));

/// The kind of id a value holds, judged by its key and where it sits.
fn id_kind(key: &str, container: Option<&str>, at_root: bool, value: &Value) -> Option<IdKind> {
    let kind = match key {
        "threadId" => IdKind::Thread,
        "frameId" => IdKind::Frame,
        "variablesReference" | "reference" => IdKind::Variables,
        "hitBreakpointIds" => IdKind::Breakpoint,
        "requestId" => IdKind::Request,
        "sessionId" => IdKind::Session,
        "sourceReference" => IdKind::Source,
        "id" if at_root => IdKind::Call,
        "id" => match container? {
            "stackFrames" => IdKind::Frame,
            "threads" => IdKind::Thread,
            "breakpoints" | "breakpoint" => IdKind::Breakpoint,
            "requests" => IdKind::Request,
            _ => return None,
        },
        // The sandbox's `Stopped` lists the ids of the breakpoints hit.
        "breakpoints" if value.is_number() => IdKind::Breakpoint,
        _ => return None,
    };
    let zero = matches!(kind, IdKind::Variables | IdKind::Source) && value.as_i64() == Some(0);
    let id_like = value.is_number() || value.as_str().is_some_and(|s| s.parse::<u64>().is_ok());
    (id_like && !zero).then_some(kind)
}

/// The raw text of an id value (numbers and digit strings alike).
fn raw(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// An id value with new text, keeping its JSON type where it can.
fn retyped(original: &Value, text: String) -> Value {
    match (original, text.parse::<i64>()) {
        (Value::Number(_), Ok(n)) => Value::from(n),
        _ => Value::String(text),
    }
}

/// Renumbers the text-ids in `s` through `ids`.
fn text_ids(s: &str, ids: &mut dyn FnMut(IdKind, &str) -> String) -> String {
    if !TEXT_ID.is_match(s) {
        return s.to_owned();
    }
    TEXT_ID
        .replace_all(s, |c: &regex::Captures| {
            let kind = if c[1].eq_ignore_ascii_case("request") {
                IdKind::Request
            } else {
                IdKind::Session
            };
            format!("{} {}", &c[1], ids(kind, &c[2]))
        })
        .into_owned()
}

/// `text` with `prefix` written as `placeholder` where it is a whole path
/// prefix: `/work/repo` in `/work/repo/a`, not in `/work/repository`.
fn replace_path(text: &str, prefix: &str, placeholder: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(prefix) {
        let after = &rest[at + prefix.len()..];
        let whole = after
            .chars()
            .next()
            .is_none_or(|c| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.')));
        out.push_str(&rest[..at]);
        out.push_str(if whole { placeholder } else { prefix });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Normalises messages; keeps the numbering of everything it has seen, so
/// one instance normalises one transcript.
#[derive(Debug, Clone, Default)]
pub struct Normalizer {
    /// Absolute path prefixes and their placeholders, longest first.
    paths: Vec<(String, String)>,
    /// A pattern for folders under the system's temporary folder.
    temp: Option<Regex>,
    ids: HashMap<IdKind, HashMap<String, u64>>,
    /// Raw `seq` → renumbered, per connection and direction (true: sent).
    seqs: HashMap<(u32, bool), HashMap<i64, i64>>,
}

impl Normalizer {
    /// A normaliser that writes `repo` as `<repo>` and any folder directly
    /// under the temporary folder (a project, an extracted world) as `<project>`.
    pub fn new(repo: &Path) -> Normalizer {
        let mut n = Normalizer::default();
        n.add_path(&repo.to_string_lossy(), "<repo>");
        if let Ok(canonical) = repo.canonicalize() {
            n.add_path(&canonical.to_string_lossy(), "<repo>");
        }
        let temp = std::env::temp_dir();
        let temp = temp.to_string_lossy();
        let temp = regex::escape(temp.trim_end_matches('/'));
        n.temp = Regex::new(&format!(r#"{temp}/[^/\s"']+"#)).ok();
        n
    }

    /// Also writes `prefix` as `placeholder` (such as a sandbox URL as `<sandbox>`).
    pub fn add_path(&mut self, prefix: &str, placeholder: &str) {
        let prefix = prefix.trim_end_matches('/');
        if prefix.is_empty() || self.paths.iter().any(|(p, _)| p == prefix) {
            return;
        }
        self.paths.push((prefix.to_owned(), placeholder.to_owned()));
        self.paths.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    }

    /// Times, durations, paths and placeholders in one piece of text; ids
    /// written in text are left alone.
    pub fn text(&self, s: &str) -> String {
        let mut out = s.to_owned();
        for (prefix, placeholder) in &self.paths {
            if out.contains(prefix.as_str()) {
                out = replace_path(&out, prefix, placeholder);
            }
        }
        if let Some(temp) = &self.temp {
            out = temp.replace_all(&out, "<project>").into_owned();
        }
        let out = RFC3339.replace_all(&out, "<time>");
        let out = LOG_TIME.replace_all(&out, "<time>");
        DURATION.replace_all(&out, "<duration>").into_owned()
    }

    /// Everything but ids and sequence numbers normalised (the form the
    /// replay sandbox compares call parameters in).
    pub fn content(&self, value: &Value) -> Value {
        self.walk(value, None, true, &mut |_, v| v.clone(), false)
    }

    /// The message with ids masked and `seq` removed: equal for two
    /// messages that say the same thing in any order of events.
    pub fn masked(&self, msg: &Value) -> Value {
        let mut v = self.walk(msg, None, true, &mut |_, _| Value::from(MASKED_ID), true);
        if let Value::Object(m) = &mut v {
            m.remove("seq");
        }
        v
    }

    /// The ids in a message, in the order of a walk (same shape, same order).
    pub fn ids_of(&self, msg: &Value) -> Vec<(IdKind, String)> {
        let mut found = Vec::new();
        self.walk(
            msg,
            None,
            true,
            &mut |k, v| {
                found.push((k, raw(v)));
                v.clone()
            },
            true,
        );
        found
    }

    /// The message with each id replaced by `map(kind, raw)` when it gives one.
    pub fn map_ids(
        &self,
        msg: &Value,
        map: &mut dyn FnMut(IdKind, &str) -> Option<String>,
    ) -> Value {
        self.walk(
            msg,
            None,
            true,
            &mut |k, v| match map(k, &raw(v)) {
                Some(new) => retyped(v, new),
                None => v.clone(),
            },
            false,
        )
    }

    /// Fully normalised: ids renumbered by kind in order of first appearance,
    /// `seq` renumbered per connection and direction, `request_seq` through
    /// the renumbering of the connection's requests.
    pub fn message(&mut self, conn: u32, sent: bool, msg: &Value) -> Value {
        let mut ids = std::mem::take(&mut self.ids);
        let mut renumber = |kind: IdKind, v: &Value| {
            let table = ids.entry(kind).or_default();
            let next = table.len() as u64 + 1;
            retyped(v, table.entry(raw(v)).or_insert(next).to_string())
        };
        let mut out = self.walk(msg, None, true, &mut renumber, true);
        self.ids = ids;
        if let Value::Object(m) = &mut out {
            if let Some(seq) = m.get("seq").and_then(Value::as_i64) {
                m.insert("seq".into(), self.seq(conn, sent, seq).into());
            }
            if let Some(rs) = m.get("request_seq").and_then(Value::as_i64) {
                m.insert("request_seq".into(), self.seq(conn, true, rs).into());
            }
        }
        out
    }

    fn seq(&mut self, conn: u32, sent: bool, raw: i64) -> i64 {
        let table = self.seqs.entry((conn, sent)).or_default();
        let next = table.len() as i64 + 1;
        *table.entry(raw).or_insert(next)
    }

    /// One walk for every use: `ids` decides what an id becomes; `in_text`
    /// also sends ids written in text through it.
    fn walk(
        &self,
        value: &Value,
        container: Option<&str>,
        at_root: bool,
        ids: &mut dyn FnMut(IdKind, &Value) -> Value,
        in_text: bool,
    ) -> Value {
        match value {
            Value::Object(map) => {
                let mut out = Map::new();
                for (key, v) in map {
                    out.insert(
                        key.clone(),
                        self.field(key, v, container, at_root, ids, in_text),
                    );
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|v| self.walk(v, container, false, ids, in_text))
                    .collect(),
            ),
            Value::String(s) => Value::String(self.string(s, ids, in_text)),
            other => other.clone(),
        }
    }

    fn field(
        &self,
        key: &str,
        v: &Value,
        container: Option<&str>,
        at_root: bool,
        ids: &mut dyn FnMut(IdKind, &Value) -> Value,
        in_text: bool,
    ) -> Value {
        match (key, v) {
            ("token" | "tokenId", Value::String(_)) => return Value::from("<token>"),
            ("code", Value::String(s)) if TOTP.is_match(s) => return Value::from("<totp>"),
            _ => {}
        }
        // Arrays of ids: `hitBreakpointIds`, the sandbox's `breakpoints`.
        if let Some(items) = v.as_array()
            && let Some(kind) = items
                .first()
                .and_then(|i| id_kind(key, container, false, i))
            && items.iter().all(Value::is_number)
        {
            return Value::Array(items.iter().map(|i| ids(kind, i)).collect());
        }
        if v.is_array() || v.is_object() {
            return self.walk(v, Some(key), false, ids, in_text);
        }
        match id_kind(key, container, at_root, v) {
            Some(kind) => ids(kind, v),
            None => self.walk(v, Some(key), false, ids, in_text),
        }
    }

    fn string(
        &self,
        s: &str,
        ids: &mut dyn FnMut(IdKind, &Value) -> Value,
        in_text: bool,
    ) -> String {
        let text = self.text(s);
        if !in_text {
            return text;
        }
        text_ids(&text, &mut |kind, raw| {
            let v = ids(kind, &Value::from(raw));
            match v {
                Value::String(s) => s,
                other => other.to_string(),
            }
        })
    }
}

/// A JSON value as text with object keys sorted, whatever the map type.
pub fn canonical(value: &Value) -> String {
    fn write(v: &Value, out: &mut String) {
        match v {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::from(k.as_str()).to_string());
                    out.push(':');
                    write(&map[k], out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(item, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(value, &mut out);
    out
}

#[cfg(test)]
mod tests;
