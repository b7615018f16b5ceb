//! The event pump: sandbox events in, DAP events out.
//!
//! Runs as its own task for the life of a debug session. Each sandbox event
//! updates the shared state first (threads, paused flags, finished requests)
//! and then tells the client, so a handler that looks at the state after an
//! event never sees it lag behind.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::client::SandboxEvent;
use super::project::ANONYMOUS;
use super::source::source_for;
use super::state::{Settled, Shared};
use crate::dap::protocol::{
    ContinuedEventBody, EventBody, OutputEventBody, StoppedEventBody, ThreadEventBody,
};
use crate::dap::{BackendEvent, EventSink};

/// The name of the custom event with the session's timers.
pub const SESSION_TIMERS_EVENT: &str = "isv/sessionTimers";
/// The name of the custom event sent when a request the bridge started
/// finishes after its request (`isv/runApex`, `isv/invoke`) was answered.
pub const REQUEST_FINISHED_EVENT: &str = "isv/requestFinished";

/// Pumps `events` until the connection closes. `started` is the answer of
/// `debug.start` (or `debug.attach`), whose timers go to the client first.
pub async fn pump(
    mut events: mpsc::UnboundedReceiver<SandboxEvent>,
    shared: Arc<Shared>,
    sink: EventSink,
    session_id: String,
    started: Value,
) {
    let mut pump = Pump {
        shared,
        sink,
        session_id: session_id.clone(),
        held: Vec::new(),
        streamed: HashMap::new(),
        last_warning: None,
        last_timers: None,
    };
    pump.timers(&json!({
        "sessionId": session_id,
        "idleSecondsLeft": started["idleTimeoutSeconds"].clone(),
        "hardCapSecondsLeft": started["hardCapSeconds"].clone(),
    }));
    loop {
        let flushed = pump.shared.flush.notified();
        tokio::select! {
            event = events.recv() => match event {
                Some(event) => pump.handle(event),
                None => break,
            },
            _ = flushed => pump.release(),
        }
    }
    pump.release();
    if !pump.shared.ended.swap(true, Ordering::SeqCst) {
        let _ = pump.sink.send(BackendEvent::Ended {
            reason: "The connection to the sandbox was lost, so the debug session ended; \
                     check that the sandbox is running and start debugging again."
                .to_owned(),
        });
    }
}

/// Output waiting for a request this bridge just started to be recorded.
enum Held {
    /// The `output` of a finished request.
    Finished(i64, Value),
    /// One `System.debug` line (a `Debug` event's body).
    Line(Value),
}

struct Pump {
    shared: Arc<Shared>,
    sink: EventSink,
    session_id: String,
    /// Output held back until the file of the request that wrote it is known.
    held: Vec<Held>,
    /// `System.debug` lines (line, text) that arrived one by one as `Debug`
    /// events, per request: `RequestFinished` shows only the others.
    streamed: HashMap<i64, Vec<(i64, String)>>,
    /// The last timer warning shown, so its `SystemWarning` twin is not shown again.
    last_warning: Option<String>,
    /// The last timers sent to the client (idle, cap).
    last_timers: Option<(i64, i64)>,
}

/// The lines of a finished request's `output` that were not shown as they
/// were written (`streamed`, in order): those after its session ended, say.
/// The output may leave out some streamed lines (a customer's view omits the
/// package's), so each output line is matched forward in the streamed ones.
fn unseen(output: &Value, streamed: Option<Vec<(i64, String)>>) -> Value {
    let Some(streamed) = streamed else {
        return output.clone();
    };
    let mut next = 0;
    let mut out = Vec::new();
    for line in output.as_array().into_iter().flatten() {
        let key = (
            line["line"].as_i64().unwrap_or(0),
            line["message"].as_str().unwrap_or_default(),
        );
        match streamed[next..]
            .iter()
            .position(|(l, t)| (*l, t.as_str()) == key)
        {
            Some(at) => next += at + 1,
            None => out.push(line.clone()),
        }
    }
    Value::Array(out)
}

/// The request id in an event body, as a thread id.
fn request_of(body: &Value) -> Option<i64> {
    match &body["requestId"] {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
}

impl Pump {
    fn send(&self, body: EventBody) {
        let _ = self.sink.send(BackendEvent::Event(body));
    }

    fn output(&self, category: &str, text: String) {
        let text = if text.ends_with('\n') {
            text
        } else {
            format!("{text}\n")
        };
        self.send(EventBody::Output(OutputEventBody::new(category, text)));
    }

    /// Whether an event belongs to another debug session.
    fn foreign(&self, body: &Value) -> bool {
        body["sessionId"]
            .as_str()
            .is_some_and(|s| s != self.session_id)
    }

    fn handle(&mut self, event: SandboxEvent) {
        let body = &event.body;
        match event.name.as_str() {
            "RequestStarted" => self.started(body),
            "Stopped" => self.stopped(body),
            "Resumed" => self.resumed(body),
            "Debug" if body["origin"] == "System.debug" => self.debug_line(body),
            "Debug" => self.logpoint(body),
            "RequestFinished" => self.finished(body),
            "SessionTerminated" => self.terminated(body),
            "SystemWarning" => {
                let message = body["message"].as_str().unwrap_or_default();
                let twin = self.last_warning.take().is_some_and(|w| w == message);
                if !self.foreign(body) && !twin {
                    let prefix = request_of(body)
                        .map(|r| format!("Request {r}: "))
                        .unwrap_or_default();
                    self.output("important", format!("{prefix}{message}"));
                }
            }
            "SessionTimers" => self.timers(body),
            other => tracing::debug!("ignoring the sandbox event {other}"),
        }
    }

    fn started(&self, body: &Value) {
        let Some(id) = request_of(body) else { return };
        if body["debugged"].as_bool() != Some(true) || self.foreign(body) {
            return;
        }
        let kind = body["kind"].as_str().unwrap_or("REQUEST");
        let entry = body["entryPoint"].as_str().unwrap_or_default();
        let name = format!("Request {id} · {kind} {entry}")
            .trim_end()
            .to_owned();
        let thread = self.shared.add_thread(id, name, false);
        if let Ok(mut started) = self.shared.started.lock() {
            if started.len() >= 64 {
                started.remove(0);
            }
            started.push((id, kind.to_owned(), entry.to_owned()));
        }
        self.shared.started_notify.notify_waiters();
        self.send(EventBody::Thread(ThreadEventBody {
            reason: "started".to_owned(),
            thread_id: thread,
        }));
    }

    fn stopped(&self, body: &Value) {
        let Some(id) = request_of(body) else { return };
        if self.foreign(body) {
            return;
        }
        self.shared.bump_stop(id);
        if body["top"].is_object() {
            super::prefetch::seed(&self.shared, id, &body["top"]);
        }
        let thread = self.shared.add_thread(id, format!("Request {id}"), true);
        let reason = body["reason"].as_str().unwrap_or("breakpoint").to_owned();
        let hit: Vec<i64> = body["breakpoints"]
            .as_array()
            .map(|ids| {
                ids.iter()
                    .filter_map(Value::as_u64)
                    .filter_map(|b| self.shared.breakpoint_ids.get(&b).map(|d| *d))
                    .collect()
            })
            .unwrap_or_default();
        let exception = &body["exception"];
        let (description, text) = if exception.is_object() {
            let type_name = exception["typeName"].as_str().unwrap_or("Exception");
            let message = exception["message"].as_str().unwrap_or_default();
            (
                Some(format!("Paused on {type_name}")),
                Some(format!("{type_name}: {message}")),
            )
        } else {
            (None, None)
        };
        self.send(EventBody::Stopped(StoppedEventBody {
            reason,
            description,
            thread_id: Some(thread),
            text,
            all_threads_stopped: Some(false),
            hit_breakpoint_ids: (!hit.is_empty()).then_some(hit),
            ..Default::default()
        }));
        self.shared.settle(id, Settled::Paused);
    }

    fn resumed(&self, body: &Value) {
        let Some(id) = request_of(body) else { return };
        self.shared.bump_stop(id);
        if let Some(mut t) = self.shared.threads.get_mut(&id) {
            t.paused = false;
        }
        // A resume the client asked for needs no event; any other does.
        if self.shared.resuming.remove(&id).is_none()
            && let Some(thread) = self.shared.thread_of(id)
        {
            self.send(EventBody::Continued(ContinuedEventBody {
                thread_id: thread,
                all_threads_continued: Some(false),
            }));
        }
    }

    fn logpoint(&self, body: &Value) {
        if self.foreign(body) {
            return;
        }
        let text = body["text"].as_str().unwrap_or_default();
        let mut out = OutputEventBody::new("console", format!("{text}\n"));
        if let Some(typeref) = body["typeref"].as_str() {
            out.source = source_for(&self.shared, typeref, request_of(body), None);
        }
        out.line = body["line"].as_i64();
        self.send(EventBody::Output(out));
    }

    fn finished(&mut self, body: &Value) {
        let Some(id) = request_of(body) else { return };
        let output = unseen(&body["output"], self.streamed.remove(&id));
        if self.must_hold(id) {
            // Maybe a request this bridge just started, whose file is about
            // to be recorded: show its output once it is.
            self.held.push(Held::Finished(id, output));
        } else {
            self.debug_lines(id, &output);
        }
        if body["success"].as_bool() == Some(false) {
            let e = &body["exception"];
            let type_name = e["typeName"].as_str().unwrap_or("Exception");
            let message = e["message"].as_str().unwrap_or("the request failed");
            self.output(
                "stderr",
                format!("Request {id} failed: {type_name}: {message}"),
            );
        }
        self.shared.finished.insert(id, body.clone());
        if let Some((_, t)) = self.shared.threads.remove(&id) {
            self.shared.resuming.remove(&id);
            self.send(EventBody::Thread(ThreadEventBody {
                reason: "exited".to_owned(),
                thread_id: t.thread,
            }));
        }
        self.shared.settle(id, Settled::Finished(body.clone()));
    }

    /// Whether output of request `id` waits: a call that starts a request is
    /// in flight and may be about to record the request's file, or earlier
    /// output waits already (order is kept).
    fn must_hold(&self, id: i64) -> bool {
        !self.held.is_empty()
            || (!self.shared.anonymous_files.contains_key(&id)
                && self.shared.starts_in_flight.load(Ordering::SeqCst) > 0)
    }

    /// Sends the output held back, now that the calls in flight are answered.
    fn release(&mut self) {
        if self.shared.starts_in_flight.load(Ordering::SeqCst) > 0 {
            return;
        }
        for held in std::mem::take(&mut self.held) {
            match held {
                Held::Finished(id, output) => self.debug_lines(id, &output),
                Held::Line(body) => self.send_debug_line(&body),
            }
        }
    }

    /// A `System.debug` line of a debugged request, as it is written: `stdout`
    /// at the class (or `.apex` file) and line that wrote it.
    fn debug_line(&mut self, body: &Value) {
        let Some(id) = request_of(body) else { return };
        if self.foreign(body) {
            return;
        }
        self.streamed.entry(id).or_default().push((
            body["line"].as_i64().unwrap_or(0),
            body["text"].as_str().unwrap_or_default().to_owned(),
        ));
        let anonymous = body["typeref"]
            .as_str()
            .is_some_and(|t| t.eq_ignore_ascii_case(ANONYMOUS));
        if (anonymous || !self.held.is_empty()) && self.must_hold(id) {
            self.held.push(Held::Line(body.clone()));
        } else {
            self.send_debug_line(body);
        }
    }

    fn send_debug_line(&self, body: &Value) {
        let text = body["text"].as_str().unwrap_or_default();
        let mut out = OutputEventBody::new("stdout", format!("{text}\n"));
        if let Some(typeref) = body["typeref"].as_str() {
            out.source = source_for(&self.shared, typeref, request_of(body), None);
        }
        if out.source.is_some() {
            out.line = body["line"].as_i64();
        }
        self.send(EventBody::Output(out));
    }

    /// `System.debug` lines of request `id`, as `stdout`. Lines of an `.apex`
    /// file the bridge ran carry that file and line; the output does not say
    /// which lines the package's code wrote, so only lines where the file has
    /// a `debug(` call are placed.
    fn debug_lines(&self, id: i64, output: &Value) {
        let Some(lines) = output.as_array() else {
            return;
        };
        let file = self.shared.anonymous_files.get(&id).map(|p| p.clone());
        let text = file
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .unwrap_or_default();
        let file_lines: Vec<&str> = text.lines().collect();
        for line in lines {
            let message = line["message"].as_str().unwrap_or_default();
            let mut out = OutputEventBody::new("stdout", format!("{message}\n"));
            let n = line["line"].as_i64().unwrap_or(0);
            let in_file = n >= 1
                && file_lines
                    .get(n as usize - 1)
                    .is_some_and(|l| l.to_ascii_lowercase().contains("debug("));
            if let (Some(path), true) = (&file, in_file) {
                out.source = Some(super::source::from_path(path));
                out.line = Some(n);
            }
            self.send(EventBody::Output(out));
        }
    }

    /// Timers go to the client when they carry a warning or have moved;
    /// the sandbox reports them after every debugger command.
    fn timers(&mut self, body: &Value) {
        if self.foreign(body) {
            return;
        }
        let idle = body["idleSecondsLeft"].as_i64().unwrap_or(0);
        let cap = body["hardCapSecondsLeft"].as_i64().unwrap_or(0);
        let warning = body["warning"].as_str();
        if warning.is_none() && self.last_timers == Some((idle, cap)) {
            return;
        }
        self.last_timers = Some((idle, cap));
        let mut custom = json!({
            "sessionId": body["sessionId"].clone(),
            "idleSecondsLeft": idle,
            "hardCapSecondsLeft": cap,
        });
        if let Some(warning) = warning {
            custom["warning"] = json!(warning);
            self.output("important", warning.to_owned());
            self.last_warning = Some(warning.to_owned());
        }
        let _ = self.sink.send(BackendEvent::Custom {
            event: SESSION_TIMERS_EVENT.to_owned(),
            body: custom,
        });
    }

    fn terminated(&self, body: &Value) {
        if self.foreign(body) {
            return;
        }
        if self.shared.ended.swap(true, Ordering::SeqCst) {
            return;
        }
        let message = body["message"]
            .as_str()
            .unwrap_or("The debug session ended.")
            .to_owned();
        let _ = self.sink.send(BackendEvent::Ended { reason: message });
    }
}
