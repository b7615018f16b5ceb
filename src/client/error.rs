//! What can go wrong while talking to an adapter.

use std::time::Duration;

/// An error from the headless client.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The adapter sent something that is not a DAP message.
    #[error("the adapter sent a malformed message: {0}")]
    Parse(String),
    /// Reading or writing the stream failed.
    #[error("talking to the adapter failed: {0}")]
    Io(#[from] std::io::Error),
    /// Nothing arrived in time.
    #[error("timed out after {after:?} waiting for {what}")]
    Timeout {
        /// What was awaited.
        what: String,
        /// How long we waited.
        after: Duration,
    },
    /// The adapter closed the stream while we were waiting.
    #[error("the adapter closed the connection before {0}; check its log on stderr")]
    StreamClosed(String),
    /// A message from the adapter does not match the DAP schema.
    #[error("{0}")]
    Schema(String),
    /// The adapter answered a typed request with an error response.
    #[error("`{command}` failed: {message}")]
    Failed {
        /// The command.
        command: String,
        /// The adapter's error text.
        message: String,
    },
}

/// Why the stream is no longer usable; cloned into every waiter it fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fatal {
    Closed,
    Parse(String),
    Schema(String),
}

impl Fatal {
    pub(crate) fn to_error(&self, waiting_for: &str) -> ClientError {
        match self {
            Fatal::Closed => ClientError::StreamClosed(waiting_for.to_owned()),
            Fatal::Parse(m) => ClientError::Parse(m.clone()),
            Fatal::Schema(m) => ClientError::Schema(m.clone()),
        }
    }
}
