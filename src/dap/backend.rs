//! The seam between the DAP session and whatever runs the code being debugged.
//!
//! The session owns the protocol (ordering, lifecycle, errors); a [`Backend`]
//! owns the debuggee. A backend answers requests when asked and pushes
//! [`BackendEvent`]s into the session's loop through an [`EventSink`], so
//! everything the session reacts to arrives in one `select!`.

use std::future::Future;

use serde_json::Value;
use tokio::sync::mpsc;

use super::error::{DapError, ids};
use super::protocol::{
    Breakpoint, Capabilities, EventBody, InitializeRequestArguments, LaunchRequestArguments,
    RequestArguments, SetBreakpointsResponseBody, ThreadsResponseBody,
};

/// Something a backend tells the session without being asked.
#[derive(Debug, Clone, PartialEq)]
// Events are moved a handful of times and then sent; boxing would only add
// an allocation per event.
#[allow(clippy::large_enum_variant)]
pub enum BackendEvent {
    /// Send this event to the client as it is.
    Event(EventBody),
    /// The debuggee is gone for `reason`; the session sends `terminated`.
    Ended {
        /// Why, in words for the user.
        reason: String,
    },
    /// A custom event (`isv/...`) that is not part of the protocol.
    Custom {
        /// Event name.
        event: String,
        /// Event body.
        body: Value,
    },
}

/// Where a backend sends its events; cheap to clone.
pub type EventSink = mpsc::UnboundedSender<BackendEvent>;

/// Why a debug session is ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShutdownReason {
    /// The client sent `disconnect`.
    Disconnect {
        /// The client asked to end the debuggee too.
        terminate_debuggee: bool,
    },
    /// The client sent `terminate`.
    Terminate,
    /// The client's stream closed without a `disconnect`.
    ClientGone,
}

/// A runtime that a debug session drives.
///
/// Requests arrive one at a time and in order. When a session ends for any
/// reason, [`Backend::shutdown`] must let every paused request run to its end.
pub trait Backend: Send + 'static {
    /// What this backend supports; the session adds the lifecycle requests it
    /// answers itself.
    fn capabilities(&self) -> Capabilities;

    /// What the client said about itself in `initialize` (progress
    /// reporting, line and column bases); called before [`Backend::capabilities`].
    fn initialize(&mut self, _args: &InitializeRequestArguments) {}

    /// Starts debugging as a `launch` asks; events flow back through `events`.
    fn launch(
        &mut self,
        args: LaunchRequestArguments,
        events: EventSink,
    ) -> impl Future<Output = Result<(), DapError>> + Send;

    /// Joins a running debuggee as an `attach` asks.
    fn attach(
        &mut self,
        args: LaunchRequestArguments,
        events: EventSink,
    ) -> impl Future<Output = Result<(), DapError>> + Send;

    /// The client finished configuring (breakpoints and so on).
    fn configuration_done(&mut self) -> impl Future<Output = Result<(), DapError>> + Send;

    /// Answers any request the session does not answer itself; returns the body.
    fn request(
        &mut self,
        args: RequestArguments,
    ) -> impl Future<Output = Result<Option<Value>, DapError>> + Send;

    /// Answers a request the protocol does not define (`isv/...`); by default,
    /// `unknown command: X`.
    fn custom(
        &mut self,
        command: &str,
        _arguments: Option<Value>,
    ) -> impl Future<Output = Result<Option<Value>, DapError>> + Send {
        let error = DapError::unknown_command(command);
        async move { Err(error) }
    }

    /// Whether the custom request `command` may be cancelled while it runs:
    /// its future can be dropped at any await, and the backend finishes or
    /// reports its work elsewhere. By default, none.
    fn cancellable(&self, _command: &str) -> bool {
        false
    }

    /// Ends debugging: resumes everything paused and lets it finish.
    fn shutdown(&mut self, reason: ShutdownReason) -> impl Future<Output = ()> + Send;
}

/// The backend used until a sandbox runtime is plugged in: it answers the
/// requests that need no debuggee and refuses to launch, saying why.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoRuntime;

const NO_RUNTIME: &str = "no sandbox runtime is available yet: this build of isvdbg can answer \
     protocol requests but cannot run Apex; use a build that includes the sandbox bridge";

impl Backend for NoRuntime {
    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }

    async fn launch(
        &mut self,
        _args: LaunchRequestArguments,
        _events: EventSink,
    ) -> Result<(), DapError> {
        Err(DapError::new(ids::NO_RUNTIME, NO_RUNTIME).shown())
    }

    async fn attach(
        &mut self,
        _args: LaunchRequestArguments,
        _events: EventSink,
    ) -> Result<(), DapError> {
        Err(DapError::new(ids::NO_RUNTIME, NO_RUNTIME).shown())
    }

    async fn configuration_done(&mut self) -> Result<(), DapError> {
        Ok(())
    }

    async fn request(&mut self, args: RequestArguments) -> Result<Option<Value>, DapError> {
        match args {
            RequestArguments::Threads(_) => body(ThreadsResponseBody { threads: vec![] }),
            // Breakpoints are part of configuration, so answer them as
            // unverified rather than failing the whole configuration.
            RequestArguments::SetBreakpoints(a) => {
                let count = a
                    .breakpoints
                    .map(|b| b.len())
                    .or(a.lines.map(|l| l.len()))
                    .unwrap_or(0);
                body(unverified(count))
            }
            RequestArguments::SetFunctionBreakpoints(a) => body(unverified(a.breakpoints.len())),
            RequestArguments::SetExceptionBreakpoints(_) => Ok(None),
            other => Err(DapError::new(
                ids::NO_RUNTIME,
                format!("cannot answer `{}`: {NO_RUNTIME}", other.command()),
            )),
        }
    }

    async fn shutdown(&mut self, _reason: ShutdownReason) {}
}

fn unverified(count: usize) -> SetBreakpointsResponseBody {
    let breakpoint = Breakpoint {
        verified: false,
        message: Some(NO_RUNTIME.to_owned()),
        ..Default::default()
    };
    SetBreakpointsResponseBody {
        breakpoints: vec![breakpoint; count],
    }
}

fn body<T: serde::Serialize>(value: T) -> Result<Option<Value>, DapError> {
    serde_json::to_value(value)
        .map(Some)
        .map_err(|e| DapError::new(ids::RUNTIME, format!("could not encode a response: {e}")))
}
