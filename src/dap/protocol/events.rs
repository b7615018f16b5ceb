//! Event bodies, and the enum that routes an event by its name.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::types::{Breakpoint, Capabilities, Source};

/// Body of `stopped`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoppedEventBody {
    /// `step`, `breakpoint`, `exception`, `pause`, `entry`, `goto`, ...
    pub reason: String,
    /// Text shown in the UI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The thread that stopped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<i64>,
    /// Keep the focus where it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preserve_focus_hint: Option<bool>,
    /// Extra text, such as an exception message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Every thread stopped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all_threads_stopped: Option<bool>,
    /// Ids of the breakpoints hit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hit_breakpoint_ids: Option<Vec<i64>>,
}

/// Body of `continued`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContinuedEventBody {
    /// The thread that continued.
    pub thread_id: i64,
    /// Every thread continued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all_threads_continued: Option<bool>,
}

/// Body of `exited`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExitedEventBody {
    /// Exit code of the debuggee.
    pub exit_code: i64,
}

/// Body of `terminated`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TerminatedEventBody {
    /// Ask the client to restart with this data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart: Option<Value>,
}

/// Body of `thread`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadEventBody {
    /// `started` or `exited`.
    pub reason: String,
    /// The thread.
    pub thread_id: i64,
}

/// Body of `output`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputEventBody {
    /// `console`, `important`, `stdout`, `stderr` or `telemetry`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The text.
    pub output: String,
    /// `start`, `startCollapsed` or `end` of a group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// When > 0, the output has structured children.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variables_reference: Option<i64>,
    /// Where the output was produced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// Line where the output was produced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<i64>,
    /// Column where the output was produced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<i64>,
    /// Extra data for telemetry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl OutputEventBody {
    /// Output of `category` with `text`.
    pub fn new(category: &str, text: impl Into<String>) -> Self {
        OutputEventBody {
            category: Some(category.to_owned()),
            output: text.into(),
            ..Default::default()
        }
    }
}

/// Body of `breakpoint`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BreakpointEventBody {
    /// `changed`, `new` or `removed`.
    pub reason: String,
    /// The breakpoint, identified by its `id`.
    pub breakpoint: Breakpoint,
}

/// Body of `loadedSource`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LoadedSourceEventBody {
    /// `new`, `changed` or `removed`.
    pub reason: String,
    /// The source.
    pub source: Source,
}

/// Body of `capabilities`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CapabilitiesEventBody {
    /// The capabilities that changed.
    pub capabilities: Capabilities,
}

/// Body of `progressStart`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProgressStartEventBody {
    /// Id for the matching update and end events.
    pub progress_id: String,
    /// Title of the progress.
    pub title: String,
    /// The request this progress belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<i64>,
    /// The client may offer to cancel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellable: Option<bool>,
    /// Detail text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// 0 to 100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percentage: Option<f64>,
}

/// Body of `progressUpdate`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProgressUpdateEventBody {
    /// Id from `progressStart`.
    pub progress_id: String,
    /// Detail text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// 0 to 100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percentage: Option<f64>,
}

/// Body of `progressEnd`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProgressEndEventBody {
    /// Id from `progressStart`.
    pub progress_id: String,
    /// Final text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Body of `invalidated`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvalidatedEventBody {
    /// `all`, `stacks`, `threads` or `variables`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub areas: Option<Vec<String>>,
    /// Only this thread.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<i64>,
    /// Only this frame.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack_frame_id: Option<i64>,
}

/// Every event the adapter sends, routed by `event`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", content = "body", rename_all = "camelCase")]
pub enum EventBody {
    /// `initialized`: ready for configuration requests.
    Initialized,
    /// `stopped`.
    Stopped(StoppedEventBody),
    /// `continued`.
    Continued(ContinuedEventBody),
    /// `exited`.
    Exited(ExitedEventBody),
    /// `terminated`: the debug session is over.
    Terminated(TerminatedEventBody),
    /// `thread`.
    Thread(ThreadEventBody),
    /// `output`.
    Output(OutputEventBody),
    /// `breakpoint`.
    Breakpoint(BreakpointEventBody),
    /// `loadedSource`.
    LoadedSource(LoadedSourceEventBody),
    /// `capabilities`.
    Capabilities(CapabilitiesEventBody),
    /// `progressStart`.
    ProgressStart(ProgressStartEventBody),
    /// `progressUpdate`.
    ProgressUpdate(ProgressUpdateEventBody),
    /// `progressEnd`.
    ProgressEnd(ProgressEndEventBody),
    /// `invalidated`.
    Invalidated(InvalidatedEventBody),
}

impl EventBody {
    /// The wire name of the event.
    pub fn name(&self) -> &'static str {
        use EventBody::*;
        match self {
            Initialized => "initialized",
            Stopped(_) => "stopped",
            Continued(_) => "continued",
            Exited(_) => "exited",
            Terminated(_) => "terminated",
            Thread(_) => "thread",
            Output(_) => "output",
            Breakpoint(_) => "breakpoint",
            LoadedSource(_) => "loadedSource",
            Capabilities(_) => "capabilities",
            ProgressStart(_) => "progressStart",
            ProgressUpdate(_) => "progressUpdate",
            ProgressEnd(_) => "progressEnd",
            Invalidated(_) => "invalidated",
        }
    }
}

/// An event as read from the wire: a known one, or any other (custom) event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
// Events are moved a handful of times and then sent; boxing would only add
// an allocation per event.
#[allow(clippy::large_enum_variant)]
pub enum EventKind {
    /// An event of the protocol.
    Known(EventBody),
    /// Any other event, with its raw body.
    Other {
        /// Event name.
        event: String,
        /// Raw body.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<Value>,
    },
}
