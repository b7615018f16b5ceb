//! ISV debugger sessions: who holds one, what they filter, their breakpoints,
//! and how they end.
//!
//! A session belongs to a LoginAs (the LMO login's token id) in a sandbox org.
//! Each publisher's LMO may hold as many at once as it bought (one by
//! default); another LMO's sessions do not count against it. However a
//! session ends, its requests' command channels are dropped and their pause
//! flags cleared, so every paused request resumes and runs to its end.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use chrono::NaiveDateTime;
use dashmap::DashMap;
use regex::Regex;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::Notify;

use super::context::Acting;
use super::protocol::{ApiError, EventName};
use super::{Sandbox, rfc3339};
use crate::vm::debug::DebugControl;
use crate::world::OrgType;

/// Requests debugged at once, per session.
pub const MAX_DEBUGGED: usize = 2;
/// The warning a session gets when a third request would be debugged.
pub const TOO_MANY: &str =
    "Too many concurrent debugged requests. This request will not be debugged";

/// Which of the LoginAs user's requests a session debugs, and what it hears of them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FilterParams {
    /// Send each debugged request's debug log as `LogLine` events.
    #[serde(default)]
    pub log_lines: bool,
    /// Every `Stopped` event carries `top`: the frames, the top frame's
    /// scopes and its locals, as `debug.stack` with `top` answers.
    #[serde(default)]
    pub stop_snapshots: bool,
    #[serde(default)]
    pub user_id_filter: Vec<String>,
    #[serde(default)]
    pub request_type_filter: Vec<String>,
    #[serde(default)]
    pub entry_point_filter: Option<String>,
}

/// The request kinds the sandbox runs.
pub const KINDS: [&str; 5] = [
    "EXECUTE_ANONYMOUS",
    "REST",
    "SYNCHRONOUS",
    "QUEUEABLE",
    "FUTURE",
];

/// A live debug session.
#[derive(Debug)]
pub struct DebugSession {
    pub id: u64,
    /// The org's key.
    pub org: String,
    /// The LMO login (token id) whose LoginAs started it.
    pub token_id: String,
    pub lmo_user: String,
    /// The publisher whose LMO holds the session (it counts against that
    /// LMO's allowance only).
    pub publisher: String,
    /// The LoginAs user: only their requests are debugged.
    pub user: String,
    pub user_id: String,
    user_ids: Vec<String>,
    kinds: Vec<String>,
    entry: Option<Regex>,
    /// Whether the session asked for `LogLine` events.
    pub log_lines: bool,
    pub control: Arc<DebugControl>,
    pub started: NaiveDateTime,
    last_activity: Mutex<NaiveDateTime>,
    /// Connections that get the session's events.
    listeners: Mutex<Vec<u64>>,
    /// Wakes the timer task after activity or a setting change.
    pub(super) poke: Notify,
    ended: AtomicBool,
    /// Held while a request is admitted for debugging, so that concurrent
    /// starts cannot both take the last of the [`MAX_DEBUGGED`] places.
    pub(super) admitting: Mutex<()>,
}

impl DebugSession {
    /// Whether this session debugs a request of `kind` at `entry_point` by `user`.
    pub fn wants(
        &self,
        org: &str,
        username: &str,
        user_id: &str,
        kind: &str,
        entry_point: &str,
    ) -> bool {
        if self.is_ended() || org != self.org || !username.eq_ignore_ascii_case(&self.user) {
            return false;
        }
        if !self.user_ids.is_empty() && !self.user_ids.iter().any(|u| same_id(u, user_id)) {
            return false;
        }
        if !self.kinds.is_empty() && !self.kinds.iter().any(|k| k.eq_ignore_ascii_case(kind)) {
            return false;
        }
        self.entry.as_ref().is_none_or(|r| r.is_match(entry_point))
    }

    pub fn is_ended(&self) -> bool {
        self.ended.load(Ordering::Acquire)
    }

    /// Records debugger activity: the idle timer starts again.
    pub fn touch(&self, now: NaiveDateTime) {
        *self.last_activity.lock().expect("activity lock") = now;
        self.poke.notify_one();
    }

    pub fn last_activity(&self) -> NaiveDateTime {
        *self.last_activity.lock().expect("activity lock")
    }

    pub fn listeners(&self) -> Vec<u64> {
        self.listeners.lock().expect("listener lock").clone()
    }

    fn listen(&self, conn: u64) {
        let mut l = self.listeners.lock().expect("listener lock");
        if !l.contains(&conn) {
            l.push(conn);
        }
    }

    /// Drops a connection; true when nobody listens any more.
    pub(super) fn unlisten(&self, conn: u64) -> bool {
        let mut l = self.listeners.lock().expect("listener lock");
        l.retain(|c| *c != conn);
        l.is_empty()
    }
}

/// 15- and 18-character ids of the same record compare equal.
fn same_id(a: &str, b: &str) -> bool {
    let n = a.len().min(b.len()).min(15);
    a.len() >= 15 && b.len() >= 15 && a[..n] == b[..n]
}

/// Every live session of the instance.
#[derive(Debug, Default)]
pub struct Sessions {
    by_id: DashMap<u64, Arc<DebugSession>>,
    /// Held while a session is admitted, so that concurrent starts cannot both
    /// take the LMO's last allowed session.
    admitting: Mutex<()>,
}

impl Sessions {
    pub fn get(&self, id: u64) -> Option<Arc<DebugSession>> {
        self.by_id.get(&id).map(|s| s.clone())
    }

    pub fn ids(&self) -> Vec<u64> {
        self.by_id.iter().map(|s| *s.key()).collect()
    }

    pub fn all(&self) -> Vec<Arc<DebugSession>> {
        self.by_id.iter().map(|s| s.value().clone()).collect()
    }

    /// Sessions started from a login's LoginAs.
    pub fn of_login(&self, token_id: &str) -> Vec<u64> {
        self.by_id
            .iter()
            .filter(|s| s.token_id == token_id)
            .map(|s| s.id)
            .collect()
    }

    /// Wakes every timer (after a change of the idle rule).
    pub fn poke_all(&self) {
        for s in self.by_id.iter() {
            s.poke.notify_one();
        }
    }

    /// The first live session in `org` that debugs this request.
    pub fn matching(
        &self,
        org: &str,
        username: &str,
        user_id: &str,
        kind: &str,
        entry_point: &str,
    ) -> Option<Arc<DebugSession>> {
        let mut found: Vec<Arc<DebugSession>> = self
            .by_id
            .iter()
            .filter(|s| s.wants(org, username, user_id, kind, entry_point))
            .map(|s| s.value().clone())
            .collect();
        found.sort_by_key(|s| s.id);
        found.into_iter().next()
    }
}

fn err(code: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(code, message)
}

impl Sandbox {
    /// Starts a session from a LoginAs, for the connection `conn`.
    pub fn start_session(
        &self,
        acting: &Acting,
        token_id: &str,
        filters: FilterParams,
        conn: u64,
    ) -> Result<Value, ApiError> {
        let Some(l) = &acting.login_as else {
            return Err(super::context::needs_login_as("debug.start"));
        };
        if self.is_shutting_down() {
            return Err(err(
                "SHUTTING_DOWN",
                "the sandbox is shutting down; start it again",
            ));
        }
        let info = acting.org.info();
        if info.org_type != OrgType::Sandbox {
            return Err(err(
                "NOT_SANDBOX",
                format!(
                    "{} is a {} org: the ISV Customer Debugger works in sandbox orgs only; ask the customer to reproduce the problem in a sandbox and grant login access there",
                    info.name,
                    info.org_type.as_str()
                ),
            ));
        }
        for k in &filters.request_type_filter {
            if !KINDS.iter().any(|x| x.eq_ignore_ascii_case(k)) {
                return Err(err(
                    "BAD_PARAMS",
                    format!(
                        "requestTypeFilter: `{k}` is not a request type; use {}",
                        KINDS.join(", ")
                    ),
                ));
            }
        }
        let entry = filters
            .entry_point_filter
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(Regex::new)
            .transpose()
            .map_err(|e| {
                err(
                    "BAD_PARAMS",
                    format!("entryPointFilter is not a regular expression: {e}"),
                )
            })?;
        let allowance = self
            .world
            .publisher_named(&l.publisher)
            .map_or(1, |p| p.lmo.debug_sessions.max(1)) as usize;
        let _admitting = self.debug.admitting.lock().expect("admission lock");
        let mut held = self.debug.all();
        held.retain(|s| s.publisher == l.publisher);
        if held.len() >= allowance {
            let h = held.iter().min_by_key(|s| s.started).expect("a session");
            return Err(err(
                "SESSION_IN_USE",
                format!(
                    "{} already uses this LMO's debug session ({} of {allowance}), in {} since {}; wait until it ends, or ask them to stop it",
                    h.lmo_user,
                    held.len(),
                    self.orgs
                        .get(&h.org)
                        .map(|o| o.info().name)
                        .unwrap_or_default(),
                    rfc3339(h.started)
                ),
            ));
        }
        let now = self.clock.now();
        let id = self.next_id();
        let s = Arc::new(DebugSession {
            id,
            org: info.key.clone(),
            token_id: token_id.to_string(),
            lmo_user: l.lmo_user.clone(),
            publisher: l.publisher.clone(),
            user: acting.user.username.clone(),
            user_id: acting.user.id.clone(),
            user_ids: filters.user_id_filter,
            kinds: filters.request_type_filter,
            entry,
            log_lines: filters.log_lines,
            control: {
                let c = DebugControl::new();
                c.set_stop_snapshots(filters.stop_snapshots);
                Arc::new(c)
            },
            started: now,
            last_activity: Mutex::new(now),
            listeners: Mutex::new(vec![conn]),
            poke: Notify::new(),
            ended: AtomicBool::new(false),
            admitting: Mutex::new(()),
        });
        self.debug.by_id.insert(id, s.clone());
        drop(_admitting);
        self.audit_as(
            acting,
            "Start ISV debugger session",
            format!("session {id}"),
        );
        super::timers::spawn(self.clone(), s.clone());
        Ok(self.session_json(&s))
    }

    /// Joins a running session from another connection of the same login.
    pub fn attach_session(&self, token_id: &str, id: u64, conn: u64) -> Result<Value, ApiError> {
        let s = self.session_of(token_id, id)?;
        s.listen(conn);
        s.touch(self.clock.now());
        Ok(self.session_json(&s))
    }

    /// A live session this login owns.
    pub fn session_of(&self, token_id: &str, id: u64) -> Result<Arc<DebugSession>, ApiError> {
        match self.debug.get(id) {
            Some(s) if s.token_id == token_id => Ok(s),
            Some(_) => Err(err(
                "NO_SESSION",
                format!(
                    "debug session {id} belongs to another login; start your own with debug.start"
                ),
            )),
            None => Err(err(
                "NO_SESSION",
                format!(
                    "there is no debug session {id}; it ended or never existed: start one with debug.start"
                ),
            )),
        }
    }

    fn session_json(&self, s: &DebugSession) -> Value {
        json!({
            "sessionId": s.id.to_string(),
            "org": s.org,
            "startedAt": rfc3339(s.started),
            "idleTimeoutSeconds": super::timers::idle_limit(self).as_secs(),
            "hardCapSeconds": super::timers::HARD_CAP.as_secs(),
        })
    }

    /// Ends a session: every paused request resumes and finishes, and the
    /// session's connections get `SessionTerminated` with the reason.
    pub fn end_session(&self, id: u64, code: &str, message: &str) -> bool {
        let Some((_, s)) = self.debug.by_id.remove(&id) else {
            return false;
        };
        s.ended.store(true, Ordering::Release);
        s.control.end();
        s.poke.notify_one();
        self.requests.release_session(id);
        self.requests
            .forget_finished(|s| self.debug.get(s).is_some());
        self.emit(
            &s.listeners(),
            EventName::SessionTerminated,
            json!({ "sessionId": id.to_string(), "code": code, "message": message }),
        );
        if let Some(rt) = self.orgs.get(&s.org) {
            rt.audit(super::orgs::AuditEntry {
                at: self.clock.now(),
                user: s.lmo_user.clone(),
                as_user: Some(s.user.clone()),
                action: "End ISV debugger session".into(),
                detail: format!("session {id}: {code}"),
            });
        }
        true
    }

    /// Ends every session whose last connection closed.
    pub fn connection_closed(&self, conn: u64) {
        for s in self.debug.all() {
            if s.listeners().contains(&conn) && s.unlisten(conn) {
                self.end_session(
                    s.id,
                    "CONNECTION_CLOSED",
                    "the debugger disconnected; paused requests were resumed and finished",
                );
            }
        }
    }
}
