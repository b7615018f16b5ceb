//! The Debug Adapter Protocol's messages as serde types (DAP 1.71).
//!
//! These are our own types rather than the `dap` crate's: see ARCHITECTURE.md.
//! Optional fields are omitted when `None`, never sent as `null`.

mod events;
mod requests;
mod responses;
pub mod typed;
mod types;

pub use events::*;
pub use requests::*;
pub use responses::*;
pub use types::*;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Any message on the wire, routed by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ProtocolMessage {
    /// A request (client to adapter here).
    Request(Request),
    /// A response to a request.
    Response(Response),
    /// An event (adapter to client).
    Event(Event),
}

impl ProtocolMessage {
    /// The message's sequence number.
    pub fn seq(&self) -> i64 {
        match self {
            ProtocolMessage::Request(r) => r.seq,
            ProtocolMessage::Response(r) => r.seq,
            ProtocolMessage::Event(e) => e.seq,
        }
    }
}

/// A request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// Sequence number, echoed as `request_seq` in the response.
    pub seq: i64,
    /// Command and arguments.
    #[serde(flatten)]
    pub command: Command,
}

/// A response. The body stays raw: its type depends on the command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// Sequence number.
    pub seq: i64,
    /// `seq` of the request answered.
    pub request_seq: i64,
    /// Whether the request succeeded.
    pub success: bool,
    /// The command answered.
    pub command: String,
    /// Short error text when `success` is false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Result, or error details (`{"error": Message}`) when `success` is false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

impl Response {
    /// The error text of a failed response: `body.error.format`, else `message`.
    pub fn error_text(&self) -> Option<String> {
        if self.success {
            return None;
        }
        let format = self
            .body
            .as_ref()
            .and_then(|b| b.pointer("/error/format"))
            .and_then(Value::as_str);
        match (format, &self.message) {
            (Some(f), _) => Some(f.to_owned()),
            (None, Some(m)) => Some(m.clone()),
            (None, None) => Some(String::new()),
        }
    }
}

/// An event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Sequence number.
    pub seq: i64,
    /// Event name and body.
    #[serde(flatten)]
    pub kind: EventKind,
}

impl Event {
    /// The event's name, such as `stopped`.
    pub fn name(&self) -> &str {
        match &self.kind {
            EventKind::Known(body) => body.name(),
            EventKind::Other { event, .. } => event,
        }
    }
}

#[cfg(test)]
mod tests;
