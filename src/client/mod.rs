//! The headless DAP client: drives any debug adapter from a scenario file and
//! checks what comes back. CI uses it; so can anyone debugging an adapter.
//!
//! - [`connection`]: the client itself (typed requests, event waits, timeouts);
//! - [`scenario`] and [`runner`]: the scenario format and its interpreter;
//! - [`transcript`] and [`schema`]: recording and schema validation;
//! - [`normalize`] and [`replay`]: recorded transcripts replayed against an
//!   adapter and compared with what it says today.

pub mod connection;
pub mod error;
pub mod expect;
pub mod jsonpath;
pub mod markers;
pub mod normalize;
pub mod replay;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod schema;
pub mod transcript;

pub use connection::{Client, DEFAULT_TIMEOUT, PendingResponse, Shutdown};
pub use error::ClientError;
pub use report::{Failure, StepError};
pub use runner::{Finished, Harness, SandboxPlan, run, run_with};
pub use scenario::Scenario;
pub use schema::SchemaValidator;
pub use transcript::{Direction, Transcript};
