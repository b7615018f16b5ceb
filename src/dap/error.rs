//! Errors the adapter reports to the client in an error response.

use serde_json::{Value, json};

/// An error answered to a request: `message` becomes the response's `message`
/// and `body.error.format`. The text names the cause and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DapError {
    /// Stable id of the kind of error, for `body.error.id`.
    pub id: i64,
    /// Text for the user.
    pub message: String,
    /// Whether the client should show it in the UI rather than only in the console.
    pub show_user: bool,
}

/// Ids of the error kinds, stable across releases.
pub mod ids {
    /// The command is not known.
    pub const UNKNOWN_COMMAND: i64 = 1000;
    /// The arguments did not parse.
    pub const INVALID_ARGUMENTS: i64 = 1001;
    /// A request came before `initialize`, or `initialize` came twice.
    pub const BAD_SEQUENCE: i64 = 1002;
    /// The message is not a valid DAP message.
    pub const INVALID_MESSAGE: i64 = 1003;
    /// No runtime is there to serve the request.
    pub const NO_RUNTIME: i64 = 1004;
    /// The runtime refused the request.
    pub const RUNTIME: i64 = 1005;
    /// The client cancelled the request.
    pub const CANCELLED: i64 = 1006;
}

impl DapError {
    /// An error with `id` and `message`, shown only in the console.
    pub fn new(id: i64, message: impl Into<String>) -> Self {
        DapError {
            id,
            message: message.into(),
            show_user: false,
        }
    }

    /// The same error, shown to the user in the UI.
    pub fn shown(mut self) -> Self {
        self.show_user = true;
        self
    }

    /// `unknown command: X`, the answer to a command nobody handles.
    pub fn unknown_command(command: &str) -> Self {
        DapError::new(ids::UNKNOWN_COMMAND, format!("unknown command: {command}"))
    }

    /// `cancelled`, the answer to a request the client cancelled, worded as
    /// the protocol prescribes.
    pub fn cancelled() -> Self {
        DapError::new(ids::CANCELLED, "cancelled")
    }

    /// The `body` of the error response, as `ErrorResponse` in the schema requires.
    pub fn body(&self) -> Value {
        let mut error = json!({ "id": self.id, "format": self.message });
        if self.show_user {
            error["showUser"] = Value::Bool(true);
        }
        json!({ "error": error })
    }
}

impl std::fmt::Display for DapError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DapError {}
