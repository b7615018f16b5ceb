//! What a request carries for the data platform: its transaction, the trigger
//! frames, the async work it queued, its limit counters and its access grants.

use std::collections::HashMap;
use std::sync::Arc;

use super::store::{OrgStore, Transaction};
use crate::vm::value::Value;

/// Governor-limit counters of one namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamespaceLimits {
    pub soql_queries: u32,
    pub query_rows: u32,
    pub dml_statements: u32,
    pub dml_rows: u32,
    pub queueable_jobs: u32,
    pub future_calls: u32,
}

/// The synchronous limits of the platform.
pub mod limit {
    pub const SOQL_QUERIES: u32 = 100;
    pub const QUERY_ROWS: u32 = 50_000;
    pub const DML_STATEMENTS: u32 = 150;
    pub const DML_ROWS: u32 = 10_000;
    pub const QUEUEABLE_JOBS: u32 = 50;
    pub const FUTURE_CALLS: u32 = 50;
}

/// The trigger event being handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriggerEvent {
    BeforeInsert,
    BeforeUpdate,
    BeforeDelete,
    AfterInsert,
    AfterUpdate,
    AfterDelete,
    AfterUndelete,
}

impl TriggerEvent {
    /// Ordinal in `System.TriggerOperation`.
    pub fn ordinal(self) -> u32 {
        self as u32
    }

    /// As debug logs name it (`BeforeInsert`).
    pub fn log_name(self) -> &'static str {
        match self {
            TriggerEvent::BeforeInsert => "BeforeInsert",
            TriggerEvent::BeforeUpdate => "BeforeUpdate",
            TriggerEvent::BeforeDelete => "BeforeDelete",
            TriggerEvent::AfterInsert => "AfterInsert",
            TriggerEvent::AfterUpdate => "AfterUpdate",
            TriggerEvent::AfterDelete => "AfterDelete",
            TriggerEvent::AfterUndelete => "AfterUndelete",
        }
    }

    /// Whether this is a before event.
    pub fn is_before(self) -> bool {
        matches!(
            self,
            TriggerEvent::BeforeInsert | TriggerEvent::BeforeUpdate | TriggerEvent::BeforeDelete
        )
    }

    /// From the trigger declaration keyword pair (`before insert`).
    pub fn parse(text: &str) -> Option<TriggerEvent> {
        let t: Vec<String> = text
            .split_whitespace()
            .map(|w| w.to_ascii_lowercase())
            .collect();
        Some(match (t.first()?.as_str(), t.get(1)?.as_str()) {
            ("before", "insert") => TriggerEvent::BeforeInsert,
            ("before", "update") => TriggerEvent::BeforeUpdate,
            ("before", "delete") => TriggerEvent::BeforeDelete,
            ("after", "insert") => TriggerEvent::AfterInsert,
            ("after", "update") => TriggerEvent::AfterUpdate,
            ("after", "delete") => TriggerEvent::AfterDelete,
            ("after", "undelete") => TriggerEvent::AfterUndelete,
            _ => return None,
        })
    }
}

/// One running trigger invocation: what `Trigger.*` returns.
#[derive(Debug, Clone)]
pub struct TriggerFrame {
    pub event: TriggerEvent,
    pub new: Value,
    pub old: Value,
    pub new_map: Value,
    pub old_map: Value,
    pub size: usize,
}

/// Async work a request queued, run after it as separate requests.
#[derive(Debug, Clone, PartialEq)]
pub enum AsyncJob {
    /// `System.enqueueJob(obj)`: the class and the object's state as JSON.
    Queueable {
        job_id: String,
        class: String,
        state: String,
    },
    /// A call to an `@future` method: `Class.method` and its arguments as JSON.
    Future { method: String, args: String },
}

/// Platform state of one request.
pub struct PlatformState {
    pub tx: Transaction,
    pub triggers: Vec<TriggerFrame>,
    pub async_jobs: Vec<AsyncJob>,
    /// Namespaces whose protected custom settings this request may use (the
    /// publisher's support engineer, logged in through login access).
    pub isv_access: Vec<String>,
    /// Limit counters per namespace (`""` is the subscriber's own code).
    pub limits: HashMap<String, NamespaceLimits>,
    /// Savepoints handed out, by number.
    pub savepoints: u32,
    /// `RestContext.request` / `.response` during a REST call.
    pub rest_request: Option<Value>,
    pub rest_response: Option<Value>,
    /// In an Apex test, after `Test.startTest()`: how many async jobs were queued before it.
    pub test_started: Option<usize>,
}

impl PlatformState {
    /// Fresh state over an org.
    pub fn new(store: Arc<OrgStore>, isv_access: Vec<String>) -> PlatformState {
        PlatformState {
            tx: Transaction::new(store),
            triggers: Vec::new(),
            async_jobs: Vec::new(),
            isv_access,
            limits: HashMap::new(),
            savepoints: 0,
            rest_request: None,
            rest_response: None,
            test_started: None,
        }
    }

    /// The counters of a namespace.
    pub fn limits_mut(&mut self, ns: &str) -> &mut NamespaceLimits {
        self.limits.entry(ns.to_string()).or_default()
    }
}
