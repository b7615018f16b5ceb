//! The sandbox's JSON API: one message per WebSocket text frame.
//!
//! - A call: `{"id": 7, "method": "apex.run", "params": {...}}`.
//! - Its answer: `{"id": 7, "result": {...}}` or
//!   `{"id": 7, "error": {"code": "NOT_SANDBOX", "message": "..."}}`.
//! - An event, pushed at any time: `{"event": "Stopped", "body": {...}}`.
//!
//! docs/sandbox-api.md documents every method and event.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The largest message the sandbox reads; anything bigger is refused.
pub const MAX_MESSAGE: usize = 1 << 20;

/// A call from a client.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Call {
    pub id: u64,
    pub method: String,
    #[serde(default)]
    pub params: Value,
}

/// Something the sandbox sends.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Outgoing {
    Result {
        id: u64,
        result: Value,
    },
    Error {
        /// None when the call was too broken to have an id.
        id: Option<u64>,
        error: ApiError,
    },
    Event {
        event: EventName,
        body: Value,
    },
}

/// An error answer: a stable code and a message for people, naming the cause and the fix.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

impl ApiError {
    pub fn new(code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            code: code.to_string(),
            message: message.into(),
        }
    }
}

/// The events, named as Salesforce's debugger streams name them.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum EventName {
    RequestStarted,
    Stopped,
    Resumed,
    RequestFinished,
    SessionTerminated,
    SystemWarning,
    Debug,
    ApexException,
    LogLine,
    /// Remaining idle and hard-cap time of a debug session, after each command.
    SessionTimers,
}

/// Reads a call from a frame's text, or says what is wrong with it.
pub fn parse_call(text: &str) -> Result<Call, Outgoing> {
    let bad = |id: Option<u64>, message: String| Outgoing::Error {
        id,
        error: ApiError::new("BAD_MESSAGE", message),
    };
    if text.len() > MAX_MESSAGE {
        return Err(Outgoing::Error {
            id: None,
            error: ApiError::new(
                "TOO_LARGE",
                format!(
                    "message of {} bytes refused: the limit is {MAX_MESSAGE} bytes; send smaller pieces",
                    text.len()
                ),
            ),
        });
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        bad(
            None,
            format!("not JSON ({e}); send {{\"id\": N, \"method\": \"...\", \"params\": {{...}}}}"),
        )
    })?;
    let id = value.get("id").and_then(Value::as_u64);
    serde_json::from_value(value).map_err(|e| {
        bad(
            id,
            format!(
                "not a call ({e}); send {{\"id\": N, \"method\": \"...\", \"params\": {{...}}}}"
            ),
        )
    })
}

/// Reads a method's parameters, or answers `BAD_PARAMS` naming what is wrong.
pub fn params<T: serde::de::DeserializeOwned>(method: &str, p: &Value) -> Result<T, ApiError> {
    let p = if p.is_null() {
        Value::Object(Default::default())
    } else {
        p.clone()
    };
    serde_json::from_value(p).map_err(|e| {
        ApiError::new(
            "BAD_PARAMS",
            format!("bad params for {method}: {e}; see docs/sandbox-api.md"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_parse_and_garbage_is_explained() {
        let c =
            parse_call(r#"{"id": 3, "method": "lma.search", "params": {"query": "glo"}}"#).unwrap();
        assert_eq!((c.id, c.method.as_str()), (3, "lma.search"));
        let Err(Outgoing::Error { id, error }) = parse_call("{nope") else {
            panic!()
        };
        assert_eq!((id, error.code.as_str()), (None, "BAD_MESSAGE"));
        let Err(Outgoing::Error { id, error }) = parse_call(r#"{"id": 4, "params": {}}"#) else {
            panic!()
        };
        assert_eq!(id, Some(4));
        assert!(
            error.message.contains("missing field `method`"),
            "{}",
            error.message
        );
        let big = format!("\"{}\"", "x".repeat(MAX_MESSAGE));
        let Err(Outgoing::Error { error, .. }) = parse_call(&big) else {
            panic!()
        };
        assert_eq!(error.code, "TOO_LARGE");
    }

    #[test]
    fn answers_serialise_without_nulls_where_ids_exist() {
        let r = Outgoing::Result {
            id: 1,
            result: serde_json::json!({"ok": true}),
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"id":1,"result":{"ok":true}}"#
        );
        let e = Outgoing::Event {
            event: EventName::Stopped,
            body: serde_json::json!({}),
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"event":"Stopped","body":{}}"#
        );
    }
}
