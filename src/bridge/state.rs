//! State shared between the request handlers and the event pump.
//!
//! The handlers run on the DAP session's task; the pump runs on its own and
//! turns sandbox events into DAP events. What both need lives here, in
//! `dashmap`s and short-held locks; nothing is held across an `.await`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, RwLock};

use dashmap::{DashMap, DashSet};
use serde_json::Value;
use tokio::sync::oneshot;

use super::project::Project;

/// One debugged request, shown as a thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadInfo {
    /// The DAP thread id: 1, 2, 3, ... in the order requests appear.
    pub thread: i64,
    /// `Request 12 · EXECUTE_ANONYMOUS create-invoice.apex`.
    pub name: String,
    /// Whether it is stopped in the debugger.
    pub paused: bool,
}

/// How a request that was waited for came to rest.
#[derive(Debug, Clone, PartialEq)]
pub enum Settled {
    /// It stopped in the debugger.
    Paused,
    /// It finished; the `RequestFinished` body.
    Finished(Value),
}

/// Someone waiting for a request: `true` to wait for its end only.
type Waiter = (bool, oneshot::Sender<Settled>);

/// Everything the handlers and the pump share.
#[derive(Debug, Default)]
pub struct Shared {
    /// The SFDX project; handlers learn new files, the pump maps frames.
    pub project: RwLock<Project>,
    /// Debugged requests by request id.
    pub threads: DashMap<i64, ThreadInfo>,
    /// DAP thread id → request id, for every thread ever shown.
    thread_requests: DashMap<i64, i64>,
    next_thread: std::sync::atomic::AtomicI64,
    /// Threads the bridge itself just resumed: their `Resumed` needs no `continued`.
    pub resuming: DashSet<i64>,
    /// Sandbox breakpoint id → DAP breakpoint id.
    pub breakpoint_ids: DashMap<u64, i64>,
    /// Request id → the `.apex` file it runs, for anonymous Apex frames and output.
    pub anonymous_files: DashMap<i64, PathBuf>,
    /// `RequestFinished` bodies of requests someone may still wait for.
    pub finished: DashMap<i64, Value>,
    /// Waiters for a request to stop or finish (`true`: to finish only).
    waiters: Mutex<HashMap<i64, Vec<Waiter>>>,
    /// Debugged requests as they started: (id, kind, entry point).
    pub started: Mutex<Vec<(i64, String, String)>>,
    /// Wakes whoever waits for a request to start.
    pub started_notify: tokio::sync::Notify,
    /// The debug session ended on the sandbox's side.
    pub ended: AtomicBool,
    /// `sourceReference`s of code shown from the org rather than from disk.
    pub sources: SourceRefs,
    /// Calls that start a request whose id is not known yet; while any is in
    /// flight, the pump holds back the output of requests it cannot place.
    pub starts_in_flight: std::sync::atomic::AtomicUsize,
    /// Wakes the pump to send the output it held back.
    pub flush: tokio::sync::Notify,
    /// How many times each request stopped or resumed: what was read during
    /// one stop is good until this moves.
    stops: DashMap<i64, u64>,
    /// What was read ahead of the client for a request's current stop.
    pub prefetched: DashMap<i64, (u64, tokio::sync::watch::Receiver<super::prefetch::Fetched>)>,
    /// The last request this bridge started (`isv/runApex`, `isv/invoke`).
    pub last_started: Mutex<Option<i64>>,
}

/// `sourceReference` numbers for typerefs whose code is not in the project.
#[derive(Debug, Default)]
pub struct SourceRefs {
    by_typeref: DashMap<String, i64>,
    by_id: DashMap<i64, String>,
    next: std::sync::atomic::AtomicI64,
}

impl SourceRefs {
    /// The reference of `typeref` (outer class), allocated on first use.
    pub fn of(&self, typeref: &str) -> i64 {
        let key = typeref.to_ascii_lowercase();
        *self.by_typeref.entry(key).or_insert_with(|| {
            let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
            self.by_id.insert(id, typeref.to_owned());
            id
        })
    }

    /// The typeref behind a reference.
    pub fn typeref(&self, id: i64) -> Option<String> {
        self.by_id.get(&id).map(|t| t.clone())
    }
}

impl Shared {
    /// A state over `project`.
    pub fn new(project: Project) -> Shared {
        Shared {
            project: RwLock::new(project),
            ..Default::default()
        }
    }

    /// Waits until request `id` stops or finishes, whichever comes first
    /// (or, with `finished_only`, until it finishes).
    pub async fn settled(&self, id: i64, finished_only: bool) -> Settled {
        let (tx, rx) = oneshot::channel();
        if let Ok(mut w) = self.waiters.lock() {
            w.entry(id).or_default().push((finished_only, tx));
        }
        // Registered first, then checked: an event the pump handled before
        // the registration is seen here, one after it wakes the waiter.
        let already = if let Some(body) = self.finished.get(&id) {
            Some(Settled::Finished(body.clone()))
        } else if !finished_only && self.threads.get(&id).is_some_and(|t| t.paused) {
            Some(Settled::Paused)
        } else {
            None
        };
        match already {
            Some(how) => {
                drop(rx);
                self.prune_waiters(id);
                how
            }
            None => rx.await.unwrap_or(Settled::Finished(Value::Null)),
        }
    }

    /// Drops the waiters of `id` that stopped waiting.
    fn prune_waiters(&self, id: i64) {
        if let Ok(mut w) = self.waiters.lock()
            && let Some(list) = w.get_mut(&id)
        {
            list.retain(|(_, s)| !s.is_closed());
            if list.is_empty() {
                w.remove(&id);
            }
        }
    }

    /// Wakes everyone waiting for request `id` to come to rest `how`.
    pub fn settle(&self, id: i64, how: Settled) {
        let finished = matches!(how, Settled::Finished(_));
        let woken = match self.waiters.lock() {
            Ok(mut w) => match w.get_mut(&id) {
                Some(list) => {
                    let (wake, keep): (Vec<_>, Vec<_>) =
                        list.drain(..).partition(|(only, _)| finished || !only);
                    *list = keep;
                    if list.is_empty() {
                        w.remove(&id);
                    }
                    wake
                }
                None => Vec::new(),
            },
            Err(_) => Vec::new(),
        };
        for (_, w) in woken {
            let _ = w.send(how.clone());
        }
    }

    /// Notes that request `id` stopped or resumed.
    pub fn bump_stop(&self, id: i64) {
        *self.stops.entry(id).or_insert(0) += 1;
    }

    /// Which stop of request `id` this is.
    pub fn stop_generation(&self, id: i64) -> u64 {
        self.stops.get(&id).map_or(0, |g| *g)
    }

    /// Shows request `id` as a thread (numbered on first sight); its thread id.
    pub fn add_thread(&self, id: i64, name: String, paused: bool) -> i64 {
        if let Some(mut t) = self.threads.get_mut(&id) {
            t.paused |= paused;
            return t.thread;
        }
        let thread = self
            .thread_requests
            .iter()
            .find(|e| *e.value() == id)
            .map(|e| *e.key())
            .unwrap_or_else(|| self.next_thread.fetch_add(1, Ordering::Relaxed) + 1);
        self.thread_requests.insert(thread, id);
        self.threads.insert(
            id,
            ThreadInfo {
                thread,
                name,
                paused,
            },
        );
        thread
    }

    /// The DAP thread id of a debugged request.
    pub fn thread_of(&self, request: i64) -> Option<i64> {
        self.threads.get(&request).map(|t| t.thread)
    }

    /// The request behind a DAP thread id.
    pub fn request_of(&self, thread: i64) -> Option<i64> {
        self.thread_requests.get(&thread).map(|r| *r)
    }

    /// The paused requests, lowest id first.
    pub fn paused_threads(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .threads
            .iter()
            .filter(|t| t.paused)
            .map(|t| *t.key())
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Marks the start of a call that starts a request; see [`Shared::start_known`].
    pub fn start_pending(&self) {
        self.starts_in_flight.fetch_add(1, Ordering::SeqCst);
    }

    /// Ends a call that started a request (its id and file are recorded).
    pub fn start_known(&self) {
        self.starts_in_flight.fetch_sub(1, Ordering::SeqCst);
        self.flush.notify_one();
    }

    /// Whether the sandbox ended the debug session.
    pub fn is_ended(&self) -> bool {
        self.ended.load(Ordering::SeqCst)
    }
}

/// What a DAP `variablesReference` stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefTarget {
    /// A sandbox reference inside a stopped request, with its child counts.
    Sandbox {
        request: i64,
        /// The stop it was handed out in (the sandbox renumbers at each stop).
        generation: u64,
        reference: u64,
        indexed: Option<i64>,
        named: Option<i64>,
    },
    /// The `Custom Settings (protected)` scope.
    Settings,
    /// The records of one protected custom setting.
    SettingRecords { setting: String },
    /// The fields of one record of a protected custom setting.
    SettingRecord { setting: String, index: usize },
}

/// Frame ids and variable references handed to the client during stops.
///
/// Ids are never reused within a session, so a stale id from an earlier
/// stop is recognised and refused rather than pointing somewhere else.
#[derive(Debug, Default)]
pub struct Refs {
    next: i64,
    frames: HashMap<i64, (i64, usize)>,
    vars: HashMap<i64, RefTarget>,
    /// Frames handed out per request, to forget them on resume.
    by_request: HashMap<i64, Vec<i64>>,
    /// The frame id of each (request, frame index) during the current stop.
    frame_ids: HashMap<(i64, usize), i64>,
    /// A stopped request's frames as the sandbox gave them, with the stop
    /// they belong to: they do not change until it moves.
    stacks: HashMap<i64, (u64, Vec<serde_json::Value>)>,
    /// The scopes of (request, frame index) during the current stop.
    scopes: HashMap<(i64, usize), Vec<crate::dap::protocol::Scope>>,
}

impl Refs {
    fn take(&mut self) -> i64 {
        self.next += 1;
        self.next
    }

    /// The frame id of frame `index` of `request`, the same for the whole stop.
    pub fn frame(&mut self, request: i64, index: usize) -> i64 {
        if let Some(id) = self.frame_ids.get(&(request, index)) {
            return *id;
        }
        let id = self.take();
        self.frames.insert(id, (request, index));
        self.frame_ids.insert((request, index), id);
        self.by_request.entry(request).or_default().push(id);
        id
    }

    /// The frames kept for `request`, if they are from stop `generation`;
    /// older ones are forgotten with every reference of the request.
    pub fn stack(&mut self, request: i64, generation: u64) -> Option<Vec<serde_json::Value>> {
        match self.stacks.get(&request) {
            Some((g, frames)) if *g == generation => Some(frames.clone()),
            Some(_) => {
                self.forget(request);
                None
            }
            None => None,
        }
    }

    /// The stop whose frames are kept for `request`.
    pub fn stack_generation(&self, request: i64) -> Option<u64> {
        self.stacks.get(&request).map(|(g, _)| *g)
    }

    /// Keeps `request`'s frames of stop `generation`.
    pub fn keep_stack(&mut self, request: i64, generation: u64, frames: Vec<serde_json::Value>) {
        self.stacks.insert(request, (generation, frames));
    }

    /// The scopes kept for a frame during this stop.
    pub fn scopes(&self, request: i64, index: usize) -> Option<Vec<crate::dap::protocol::Scope>> {
        self.scopes.get(&(request, index)).cloned()
    }

    /// Keeps a frame's scopes for this stop.
    pub fn keep_scopes(
        &mut self,
        request: i64,
        index: usize,
        scopes: Vec<crate::dap::protocol::Scope>,
    ) {
        self.scopes.insert((request, index), scopes);
    }

    /// The request and frame index of a frame id.
    pub fn frame_of(&self, id: i64) -> Option<(i64, usize)> {
        self.frames.get(&id).copied()
    }

    /// A variables reference for `target`.
    pub fn var(&mut self, target: RefTarget) -> i64 {
        let id = self.take();
        if let RefTarget::Sandbox { request, .. } = &target {
            self.by_request.entry(*request).or_default().push(id);
        }
        self.vars.insert(id, target);
        id
    }

    /// What a variables reference stands for.
    pub fn var_of(&self, id: i64) -> Option<&RefTarget> {
        self.vars.get(&id)
    }

    /// Forgets the frames and references of `request` (it resumed).
    pub fn forget(&mut self, request: i64) {
        for id in self.by_request.remove(&request).unwrap_or_default() {
            self.frames.remove(&id);
            self.vars.remove(&id);
        }
        self.frame_ids.retain(|(r, _), _| *r != request);
        self.scopes.retain(|(r, _), _| *r != request);
        self.stacks.remove(&request);
    }

    /// Forgets the custom-setting references (their values may change on resume).
    pub fn forget_settings(&mut self) {
        self.vars
            .retain(|_, t| matches!(t, RefTarget::Sandbox { .. }));
        // Kept scopes hold references to the settings scope.
        self.scopes.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_waiter_sees_a_stop_that_came_first_or_later() {
        let shared = std::sync::Arc::new(Shared::default());
        assert_eq!(shared.add_thread(7, "x".into(), true), 1);
        assert_eq!(shared.add_thread(9, "y".into(), false), 2);
        assert_eq!(shared.add_thread(7, "x".into(), true), 1);
        assert_eq!(shared.request_of(2), Some(9));
        assert_eq!(shared.thread_of(7), Some(1));
        assert_eq!(shared.settled(7, false).await, Settled::Paused);
        let waiter = tokio::spawn({
            let s = shared.clone();
            async move { s.settled(8, true).await }
        });
        tokio::task::yield_now().await;
        shared.settle(8, Settled::Paused);
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished(), "woken by a pause");
        tokio::task::yield_now().await;
        shared
            .finished
            .insert(8, serde_json::json!({"success": true}));
        shared.settle(8, Settled::Finished(serde_json::json!({"success": true})));
        assert!(matches!(waiter.await.unwrap(), Settled::Finished(_)));
    }

    #[test]
    fn references_of_a_resumed_request_are_forgotten() {
        let mut refs = Refs::default();
        let f = refs.frame(3, 0);
        let v = refs.var(RefTarget::Sandbox {
            request: 3,
            generation: 1,
            reference: 9,
            indexed: None,
            named: None,
        });
        let s = refs.var(RefTarget::Settings);
        assert_eq!(refs.frame_of(f), Some((3, 0)));
        refs.forget(3);
        assert_eq!(refs.frame_of(f), None);
        assert!(refs.var_of(v).is_none());
        assert_eq!(refs.var_of(s), Some(&RefTarget::Settings));
        refs.forget_settings();
        assert!(refs.var_of(s).is_none());
    }
}
