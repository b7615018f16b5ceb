//! Apex requests: each runs on its own OS thread, as a user of an org, and may
//! be debugged by a matching session (at most two at once per session).
//!
//! When a request finishes, its log is kept, `RequestFinished` goes out, and
//! the async work it queued (queueables, `@future` calls) runs as new requests
//! of type QUEUEABLE or FUTURE. Whatever happens to the debugger, a request
//! always runs to its end: its command channel lives in [`DebugHandle`], and
//! dropping it lets the request go.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex};

use chrono::NaiveDateTime;
use dashmap::DashMap;
use serde_json::{Value, json};
use tokio::sync::{Notify, oneshot};

use super::context::Acting;
use super::debug::{MAX_DEBUGGED, TOO_MANY};
use super::orgs::LogRecord;
use super::protocol::{ApiError, EventName};
use super::{Sandbox, rfc3339};
use crate::vm::debug::{DebugCommand, DebuggerSetup, StopInfo};
use crate::vm::interp::{DebugLine, RequestEnv};
use crate::vm::platform::context::AsyncJob;
use crate::vm::platform::dml::RowOutcome;
use crate::vm::platform::log::LogLevels;
use crate::vm::program::Program;
use crate::vm::request::RestReply;
use crate::vm::{self, Entry, UncaughtException};

/// Where a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Running,
    Paused,
    Finished,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Running => "running",
            State::Paused => "paused",
            State::Finished => "finished",
        }
    }
}

/// The debugger's hold on a debugged request.
#[derive(Debug)]
pub struct DebugHandle {
    pub session: u64,
    /// Dropped (set to None) to let the request run free.
    pub commands: Mutex<Option<Sender<DebugCommand>>>,
    pub pause: Arc<AtomicBool>,
    pub last_stop: Mutex<Option<StopInfo>>,
}

/// One request.
#[derive(Debug)]
pub struct RequestInfo {
    pub id: u64,
    /// The org's key.
    pub org: String,
    pub kind: &'static str,
    pub entry_point: String,
    pub user: String,
    pub started: NaiveDateTime,
    pub state: Mutex<State>,
    /// The session that saw it start (debugged or not).
    pub session: Option<u64>,
    pub debug: Option<DebugHandle>,
}

impl RequestInfo {
    pub fn state(&self) -> State {
        *self.state.lock().expect("state lock")
    }

    pub(super) fn set_state(&self, s: State) {
        *self.state.lock().expect("state lock") = s;
    }

    pub fn json(&self) -> Value {
        json!({
            "requestId": self.id.to_string(),
            "kind": self.kind,
            "entryPoint": self.entry_point,
            "user": self.user,
            "state": self.state().as_str(),
            "debugged": self.debug.is_some(),
            "startedAt": rfc3339(self.started),
        })
    }
}

/// How a request ended.
#[derive(Debug, Clone)]
pub struct Finished {
    pub id: u64,
    pub exception: Option<UncaughtException>,
    pub output: Vec<DebugLine>,
    pub rest: Option<RestReply>,
    /// For `data.dml`: what happened to each row (none when the request failed).
    pub rows: Option<Vec<RowOutcome>>,
}

impl Finished {
    /// The result of a waited-for call, as the API shows it to someone who
    /// sees inside the packages `open` (namespaces): their `System.debug`
    /// lines and the org's own; no other package's.
    pub fn json(&self, open: &[String]) -> Value {
        let output: Vec<Value> = self
            .output
            .iter()
            .filter(|d| d.namespace.is_empty() || open.contains(&d.namespace))
            .map(|d| json!({ "line": d.line, "level": d.level, "message": d.message }))
            .collect();
        let mut v = json!({
            "requestId": self.id.to_string(),
            "success": self.exception.is_none(),
            "output": output,
        });
        if let Some(e) = &self.exception {
            v["exception"] = exception_json(e);
        }
        if let Some(rows) = &self.rows {
            v["results"] = super::data::rows_json(rows);
        }
        v
    }
}

pub fn exception_json(e: &UncaughtException) -> Value {
    json!({ "typeName": e.type_name, "message": e.message, "stack": e.stack })
}

/// What a request runs.
pub enum Work {
    /// Compiled anonymous Apex: its program (the org's plus the block) and entry.
    Anonymous {
        prog: Arc<Program>,
        entry: crate::vm::types::FnId,
        source: String,
    },
    /// An entry into the org's own program.
    Entry(Entry),
    /// DML through the API (`data.dml`), firing the object's triggers.
    Dml(super::data::Dml),
}

/// Every request of the instance, and how many still run.
#[derive(Debug, Default)]
pub struct Tracker {
    by_id: DashMap<u64, Arc<RequestInfo>>,
    running: AtomicUsize,
    idle: Notify,
}

impl Tracker {
    pub fn get(&self, id: u64) -> Option<Arc<RequestInfo>> {
        self.by_id.get(&id).map(|r| r.clone())
    }

    /// Requests a session saw, oldest first.
    pub fn of_session(&self, session: u64) -> Vec<Arc<RequestInfo>> {
        let mut v: Vec<_> = self
            .by_id
            .iter()
            .filter(|r| r.session == Some(session))
            .map(|r| r.value().clone())
            .collect();
        v.sort_by_key(|r| r.id);
        v
    }

    /// Debugged requests of a session that have not finished.
    fn debugged_live(&self, session: u64) -> usize {
        self.by_id
            .iter()
            .filter(|r| {
                r.debug.as_ref().is_some_and(|d| d.session == session)
                    && r.state() != State::Finished
            })
            .count()
    }

    /// Lets every request of a session go: no more stops, paused ones resume.
    pub fn release_session(&self, session: u64) {
        for r in self.by_id.iter() {
            if let Some(d) = r.debug.as_ref().filter(|d| d.session == session) {
                d.pause.store(false, Ordering::Release);
                d.commands.lock().expect("command lock").take();
            }
        }
    }

    /// Forgets the finished requests no live session can ask about: those
    /// no session saw, and those of sessions that ended (`live` says which
    /// are still on). Their debug logs stay with their org.
    pub fn forget_finished(&self, live: impl Fn(u64) -> bool) {
        self.by_id
            .retain(|_, r| r.state() != State::Finished || r.session.is_some_and(&live));
    }

    /// How many requests are remembered: those running or paused, and the
    /// finished ones of live sessions.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether no request is remembered.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// Waits until no request runs.
    pub async fn wait_idle(&self) {
        loop {
            let notified = self.idle.notified();
            if self.running.load(Ordering::Acquire) == 0 {
                return;
            }
            notified.await;
        }
    }

    /// How many requests run now.
    pub fn running(&self) -> usize {
        self.running.load(Ordering::Acquire)
    }
}

impl Sandbox {
    /// Starts a request as the acting user; `origin` also gets `RequestFinished`.
    pub fn start_request(
        &self,
        acting: &Acting,
        kind: &'static str,
        entry_point: String,
        work: Work,
        origin: Option<u64>,
    ) -> Result<(Arc<RequestInfo>, oneshot::Receiver<Finished>), ApiError> {
        self.start(acting, kind, entry_point, work, origin, false)
    }

    /// Starts a request; `queued` work (a committed request's async jobs)
    /// starts even during shutdown, which waits for it, as the platform
    /// runs every job a committed transaction queued.
    fn start(
        &self,
        acting: &Acting,
        kind: &'static str,
        entry_point: String,
        work: Work,
        origin: Option<u64>,
        queued: bool,
    ) -> Result<(Arc<RequestInfo>, oneshot::Receiver<Finished>), ApiError> {
        if self.is_shutting_down() && !queued {
            return Err(ApiError::new(
                "SHUTTING_DOWN",
                "the sandbox is shutting down; no new requests run",
            ));
        }
        let org = acting.org.clone();
        let info = org.info();
        let id = self.next_id();
        let session = self.debug.matching(
            &info.key,
            &acting.user.username,
            &acting.user.id,
            kind,
            &entry_point,
        );
        let mut setup = None;
        let mut handle = None;
        // Counting the debugged requests and registering this one happen under
        // the session's lock, so two starts at once cannot make a third.
        let admitting = session
            .as_ref()
            .map(|s| s.admitting.lock().expect("admission lock"));
        if let Some(s) = &session {
            if self.requests.debugged_live(s.id) < MAX_DEBUGGED {
                let (tx, rx) = channel();
                let pause = Arc::new(AtomicBool::new(false));
                setup = Some(DebuggerSetup {
                    request: id,
                    control: s.control.clone(),
                    pause: pause.clone(),
                    sink: Arc::new(super::vm_events::Sink::new(self.clone(), s.id)),
                    commands: rx,
                    stop_on_entry: false,
                });
                handle = Some(DebugHandle {
                    session: s.id,
                    commands: Mutex::new(Some(tx)),
                    pause,
                    last_stop: Mutex::new(None),
                });
            } else {
                self.emit(
                    &s.listeners(),
                    EventName::SystemWarning,
                    json!({ "sessionId": s.id.to_string(), "requestId": id.to_string(), "message": TOO_MANY }),
                );
            }
        }
        let now = self.clock.now();
        let r = Arc::new(RequestInfo {
            id,
            org: info.key.clone(),
            kind,
            entry_point: entry_point.clone(),
            user: acting.user.username.clone(),
            started: now,
            state: Mutex::new(State::Running),
            session: session.as_ref().map(|s| s.id),
            debug: handle,
        });
        self.requests.by_id.insert(id, r.clone());
        drop(admitting);
        self.requests.running.fetch_add(1, Ordering::AcqRel);
        if let Some(s) = &session {
            let mut body = r.json();
            body["sessionId"] = json!(s.id.to_string());
            self.emit(&s.listeners(), EventName::RequestStarted, body);
        }
        let env = RequestEnv {
            user_name: acting.user.username.clone(),
            user_id: acting.user.id.clone(),
            org_id: info.id.clone(),
            org_name: info.name.clone(),
            start_time: now,
            store: Some(org.store.clone()),
            isv_access: acting.isv_access(),
            log_levels: Some(LogLevels::default()),
            log_source: match &work {
                Work::Anonymous { source, .. } => Some(source.clone()),
                Work::Entry(_) | Work::Dml(_) => None,
            },
            ..RequestEnv::default()
        };
        let (done_tx, done_rx) = oneshot::channel();
        let sb = self.clone();
        let acting = acting.clone();
        let thread_r = r.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("apex-request-{id}"))
            .stack_size(vm::REQUEST_STACK)
            .spawn(move || {
                let (outcome, rows) = match &work {
                    Work::Anonymous { prog, entry, .. } => (
                        vm::run_request(prog, &Entry::Anonymous(*entry), env, setup),
                        None,
                    ),
                    Work::Entry(e) => (vm::run_request(&acting.org.program, e, env, setup), None),
                    Work::Dml(d) => {
                        let (outcome, rows) = super::data::run(&acting.org.program, d, env, setup);
                        (outcome, Some(rows))
                    }
                };
                sb.finish(&acting, &thread_r, outcome, rows, origin, done_tx);
            });
        if let Err(e) = spawned {
            self.requests.running.fetch_sub(1, Ordering::AcqRel);
            r.set_state(State::Finished);
            return Err(ApiError::new(
                "RUNTIME",
                format!("could not start the request thread: {e}"),
            ));
        }
        Ok((r, done_rx))
    }

    fn finish(
        &self,
        acting: &Acting,
        r: &RequestInfo,
        outcome: vm::RunOutcome,
        rows: Option<Vec<RowOutcome>>,
        origin: Option<u64>,
        done: oneshot::Sender<Finished>,
    ) {
        r.set_state(State::Finished);
        if let Some(d) = &r.debug {
            d.commands.lock().expect("command lock").take();
        }
        if let Some(log) = outcome.log.clone() {
            acting.org.keep_log(LogRecord {
                request: r.id,
                kind: r.kind,
                entry_point: r.entry_point.clone(),
                user: r.user.clone(),
                at: r.started,
                log,
            });
        }
        if let Some(log) = &outcome.log {
            self.send_log_lines(r, log);
        }
        let finished = Finished {
            id: r.id,
            exception: outcome.exception,
            output: outcome.output,
            rest: outcome.rest,
            rows,
        };
        let mut to: Vec<u64> = r
            .session
            .and_then(|s| self.debug.get(s))
            .map(|s| s.listeners())
            .unwrap_or_default();
        if let Some(o) = origin.filter(|o| !to.contains(o)) {
            to.push(o);
        }
        let mut body = finished.json(&acting.isv_access());
        if let Some(s) = r.session {
            body["sessionId"] = json!(s.to_string());
        }
        self.emit(&to, EventName::RequestFinished, body);
        self.requests
            .forget_finished(|s| self.debug.get(s).is_some());
        let _ = done.send(finished);
        for job in outcome.async_jobs {
            let (kind, entry) = match &job {
                AsyncJob::Queueable { class, .. } => ("QUEUEABLE", format!("{class}.execute")),
                AsyncJob::Future { method, .. } => ("FUTURE", method.clone()),
            };
            // Started before this request stops counting as running, so a
            // shutdown waiting for idle waits for the job too.
            let work = Work::Entry(Entry::Job(job));
            if let Err(e) = self.start(acting, kind, entry.clone(), work, None, true) {
                tracing::warn!(
                    "the {kind} job {entry} queued by request {} did not run: {}",
                    r.id,
                    e.message
                );
            }
        }
        if self.requests.running.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.requests.idle.notify_waiters();
        }
    }

    /// `LogLine` events, one per line of a debugged request's full debug log,
    /// when its session asked for them.
    /// The session's engineer reads the full log unless it shows another
    /// publisher's package; then the subscriber view.
    fn send_log_lines(&self, r: &RequestInfo, log: &crate::vm::platform::log::DebugLog) {
        let Some(s) = r
            .debug
            .as_ref()
            .and_then(|d| self.debug.get(d.session))
            .filter(|s| s.log_lines)
        else {
            return;
        };
        let publisher = self
            .world
            .lmo_user(&s.lmo_user)
            .map(|(p, _)| p.name.as_str());
        let (log, _) = log.view_for(|ns| {
            self.world
                .package_publisher(ns)
                .is_some_and(|p| Some(p.name.as_str()) == publisher)
        });
        let (to, rid, sid) = (s.listeners(), r.id.to_string(), s.id.to_string());
        for (n, text) in log.lines().enumerate() {
            self.emit(
                &to,
                EventName::LogLine,
                json!({ "requestId": rid, "sessionId": sid, "index": n + 1, "text": text }),
            );
        }
    }

    /// Compiles anonymous Apex against the org's code, as the acting user may see it.
    pub fn compile_anonymous(&self, acting: &Acting, code: &str) -> Result<Work, ApiError> {
        match vm::compile_anonymous_with(&acting.org.program, code, &acting.isv_access()) {
            Ok((prog, entry)) => Ok(Work::Anonymous {
                prog: Arc::new(prog),
                entry,
                source: code.to_string(),
            }),
            Err(errors) => Err(ApiError::new(
                "COMPILE_ERROR",
                errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n"),
            )),
        }
    }
}
