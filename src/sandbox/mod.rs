//! The sandbox runtime: the simulated Salesforce instance.
//!
//! One [`Sandbox`] hosts a world's orgs, runs their Apex requests on OS threads,
//! and enforces the rules of login access, MFA and ISV debugger sessions.
//! Clients talk to it in JSON messages (docs/sandbox-api.md) over a connection:
//! the WebSocket server ([`server`]) and the in-process channel of the DAP
//! bridge's embedded mode ([`Sandbox::connect_local`]) carry the same messages.

pub mod access;
pub mod auth;
pub mod clock;
pub mod connection;
pub mod context;
mod data;
pub mod debug;
mod dispatch;
mod dispatch_debug;
mod inspect;
pub mod lma;
pub mod orgs;
pub mod protocol;
pub mod record;
pub mod requests;
pub mod server;
mod timers;
mod traffic;
pub mod visibility;
mod vm_events;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use dashmap::DashMap;
use tokio::sync::mpsc::UnboundedSender;

use crate::world::World;
use access::LoginAs;
use clock::Clock;
use orgs::{OrgError, OrgRuntime};
use protocol::{EventName, Outgoing};

/// The instance: shared by every connection and request thread; cheap to clone.
#[derive(Clone)]
pub struct Sandbox(Arc<Shared>);

/// The state behind a [`Sandbox`].
pub struct Shared {
    pub world: Arc<World>,
    pub clock: Clock,
    pub auth: auth::Auth,
    /// Live orgs by key.
    pub orgs: HashMap<String, Arc<OrgRuntime>>,
    /// LoginAs sessions by the LMO login's token id.
    pub login_as: DashMap<String, LoginAs>,
    pub debug: debug::Sessions,
    pub requests: requests::Tracker,
    /// Open connections: where their outgoing messages go.
    conns: DashMap<u64, UnboundedSender<String>>,
    next_id: AtomicU64,
    /// "Peak load" on the instance: the idle timeout is 30 minutes instead of 60.
    peak_load: AtomicBool,
    /// Set once shutdown starts: no new requests or sessions.
    shutting_down: AtomicBool,
    /// Answers being prepared by their own tasks (a waited `apex.run`, say):
    /// shutdown waits until they are sent, so they precede the close frame.
    pending_answers: AtomicU64,
    answered: tokio::sync::Notify,
}

impl std::ops::Deref for Sandbox {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("world", &self.world.name)
            .field("orgs", &self.orgs.len())
            .finish()
    }
}

impl Sandbox {
    /// Brings a world's orgs up: every org's code is deployed and its data
    /// loaded. Scripted traffic starts when [`Sandbox::start_traffic`] is called.
    pub fn new(world: World, clock: Clock) -> Result<Sandbox, OrgError> {
        let mut orgs = HashMap::new();
        for org in &world.orgs {
            let rt = OrgRuntime::load(&world, org)?;
            orgs.insert(org.key.clone(), Arc::new(rt));
        }
        let peak = world.instance.peak_load;
        let world = Arc::new(world);
        Ok(Sandbox(Arc::new(Shared {
            auth: auth::Auth::new(world.clone(), clock.clone()),
            debug: debug::Sessions::default(),
            requests: requests::Tracker::default(),
            login_as: DashMap::new(),
            conns: DashMap::new(),
            next_id: AtomicU64::new(1),
            peak_load: AtomicBool::new(peak),
            shutting_down: AtomicBool::new(false),
            pending_answers: AtomicU64::new(0),
            answered: tokio::sync::Notify::new(),
            world,
            clock,
            orgs,
        })))
    }

    /// A fresh id for requests, debug sessions, breakpoints and connections.
    pub fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// An org by key, name or id.
    pub fn org(&self, which: &str) -> Option<&Arc<OrgRuntime>> {
        let org = self.world.org(which)?;
        self.orgs.get(&org.key)
    }

    /// Whether the instance is under peak load.
    pub fn peak_load(&self) -> bool {
        self.peak_load.load(Ordering::Relaxed)
    }

    /// Turns peak load on or off; running idle timers pick the change up.
    pub fn set_peak_load(&self, on: bool) {
        self.peak_load.store(on, Ordering::Relaxed);
        self.debug.poke_all();
    }

    /// Whether shutdown has started.
    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::Acquire)
    }

    /// Sends an event to some connections (closed ones are skipped).
    pub fn emit(&self, to: &[u64], event: EventName, body: serde_json::Value) {
        let msg = Outgoing::Event { event, body };
        let Ok(text) = serde_json::to_string(&msg) else {
            return;
        };
        for c in to {
            if let Some(out) = self.conns.get(c) {
                let _ = out.send(text.clone());
            }
        }
    }

    /// Ends every debug session and waits for every running request to finish.
    pub async fn shutdown(&self) {
        self.shutting_down.store(true, Ordering::Release);
        for id in self.debug.ids() {
            self.end_session(
                id,
                "SHUTDOWN",
                "the sandbox is shutting down; paused requests were resumed and finished",
            );
        }
        self.requests.wait_idle().await;
        loop {
            let answered = self.answered.notified();
            if self.pending_answers.load(Ordering::Acquire) == 0 {
                return;
            }
            answered.await;
        }
    }

    /// Counts an answer that its own task will send.
    pub(crate) fn answer_pending(&self) {
        self.pending_answers.fetch_add(1, Ordering::AcqRel);
    }

    /// That answer was sent.
    pub(crate) fn answer_sent(&self) {
        if self.pending_answers.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.answered.notify_waiters();
        }
    }
}

/// Formats an instance time as RFC 3339 UTC.
pub fn rfc3339(t: chrono::NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
