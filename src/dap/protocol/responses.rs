//! Response bodies. The `initialize` response body is [`Capabilities`](super::Capabilities).

use serde::{Deserialize, Serialize};

use super::types::{
    Breakpoint, BreakpointLocation, CompletionItem, ExceptionDetails, Scope, Source, StackFrame,
    Thread, Variable, VariablePresentationHint,
};

/// Body of the `setBreakpoints` and `setFunctionBreakpoints` responses.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SetBreakpointsResponseBody {
    /// One entry per requested breakpoint, in the same order.
    pub breakpoints: Vec<Breakpoint>,
}

/// Body of the `setExceptionBreakpoints` response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SetExceptionBreakpointsResponseBody {
    /// One entry per filter or option, when the adapter reports them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breakpoints: Option<Vec<Breakpoint>>,
}

/// Body of the `breakpointLocations` response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BreakpointLocationsResponseBody {
    /// Valid places for a breakpoint in the range.
    pub breakpoints: Vec<BreakpointLocation>,
}

/// Body of the `threads` response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ThreadsResponseBody {
    /// Every thread.
    pub threads: Vec<Thread>,
}

/// Body of the `stackTrace` response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StackTraceResponseBody {
    /// The frames, innermost first.
    pub stack_frames: Vec<StackFrame>,
    /// Number of frames in all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_frames: Option<i64>,
}

/// Body of the `scopes` response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScopesResponseBody {
    /// Scopes of the frame.
    pub scopes: Vec<Scope>,
}

/// Body of the `variables` response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VariablesResponseBody {
    /// The children.
    pub variables: Vec<Variable>,
}

/// Body of the `setVariable` response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetVariableResponseBody {
    /// The new value.
    pub value: String,
    /// Its type.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// When > 0, the value has children.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variables_reference: Option<i64>,
    /// Number of named children.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub named_variables: Option<i64>,
    /// Number of indexed children.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indexed_variables: Option<i64>,
}

/// Body of the `evaluate` response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EvaluateResponseBody {
    /// The value as text.
    pub result: String,
    /// Its type.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// How to show it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presentation_hint: Option<VariablePresentationHint>,
    /// When > 0, the value has children.
    pub variables_reference: i64,
    /// Number of named children.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub named_variables: Option<i64>,
    /// Number of indexed children.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indexed_variables: Option<i64>,
}

/// Body of the `completions` response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CompletionsResponseBody {
    /// The proposals.
    pub targets: Vec<CompletionItem>,
}

/// Body of the `continue` response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContinueResponseBody {
    /// Every thread continued, not just the one asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all_threads_continued: Option<bool>,
}

/// Body of the `source` response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceResponseBody {
    /// The text of the source.
    pub content: String,
    /// Its MIME type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
}

/// Body of the `loadedSources` response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LoadedSourcesResponseBody {
    /// Every source loaded.
    pub sources: Vec<Source>,
}

/// Body of the `exceptionInfo` response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExceptionInfoResponseBody {
    /// Id of the exception (its type name).
    pub exception_id: String,
    /// Description shown in the UI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `never`, `always`, `unhandled` or `userUnhandled`.
    pub break_mode: String,
    /// Details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<ExceptionDetails>,
}
