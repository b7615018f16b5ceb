//! The Debug Adapter Protocol side: framing, message types, the session loop
//! and its transports. Nothing here knows about Apex or Salesforce; a
//! [`Backend`](backend::Backend) brings the runtime.

pub mod backend;
pub mod codec;
pub mod error;
pub mod launch;
pub mod protocol;
pub mod server;
pub mod session;
pub mod transport;

pub use backend::{Backend, BackendEvent, EventSink, NoRuntime, ShutdownReason};
pub use codec::{DapCodec, Frame, FrameError};
pub use error::DapError;
pub use session::Session;
pub use transport::Connection;
