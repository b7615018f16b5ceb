//! Body types shared by requests, responses and events (DAP 1.71).
//!
//! Every optional field is skipped when `None`: the schema forbids `null` for
//! nearly all of them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What the adapter can do; the body of the `initialize` response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Capabilities {
    /// The adapter supports the `configurationDone` request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_configuration_done_request: Option<bool>,
    /// The adapter supports function breakpoints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_function_breakpoints: Option<bool>,
    /// The adapter supports conditional breakpoints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_conditional_breakpoints: Option<bool>,
    /// The adapter supports breakpoints that break after a hit count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_hit_conditional_breakpoints: Option<bool>,
    /// The adapter supports `evaluate` for hovers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_evaluate_for_hovers: Option<bool>,
    /// Exception breakpoint filters shown in the UI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception_breakpoint_filters: Option<Vec<ExceptionBreakpointsFilter>>,
    /// The adapter supports `stepBack` and `reverseContinue`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_step_back: Option<bool>,
    /// The adapter supports `setVariable`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_set_variable: Option<bool>,
    /// The adapter supports `completions`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_completions_request: Option<bool>,
    /// Characters that trigger completion in the REPL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completion_trigger_characters: Option<Vec<String>>,
    /// The adapter supports `exceptionOptions` on `setExceptionBreakpoints`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_exception_options: Option<bool>,
    /// The adapter supports `exceptionInfo`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_exception_info_request: Option<bool>,
    /// The adapter honours `terminateDebuggee` on `disconnect`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support_terminate_debuggee: Option<bool>,
    /// The adapter honours `suspendDebuggee` on `disconnect`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support_suspend_debuggee: Option<bool>,
    /// `stackTrace` honours `startFrame` and `levels`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_delayed_stack_trace_loading: Option<bool>,
    /// The adapter supports `loadedSources`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_loaded_sources_request: Option<bool>,
    /// The adapter supports logpoints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_log_points: Option<bool>,
    /// The adapter supports `terminate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_terminate_request: Option<bool>,
    /// The adapter supports `cancel`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_cancel_request: Option<bool>,
    /// The adapter supports `breakpointLocations`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_breakpoint_locations_request: Option<bool>,
    /// `evaluate` accepts the `clipboard` context.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_clipboard_context: Option<bool>,
    /// Stepping requests accept a `granularity`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_stepping_granularity: Option<bool>,
    /// `setExceptionBreakpoints` accepts `filterOptions`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_exception_filter_options: Option<bool>,
    /// Stepping requests honour `singleThread`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_single_thread_execution_requests: Option<bool>,
    /// `variables` and `evaluate` accept a `format`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_value_formatting_options: Option<bool>,
    /// The adapter may send ANSI escape sequences in output.
    #[serde(
        rename = "supportsANSIStyling",
        skip_serializing_if = "Option::is_none"
    )]
    pub supports_ansi_styling: Option<bool>,
}

/// An exception filter the UI offers as a checkbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExceptionBreakpointsFilter {
    /// Id passed back in `setExceptionBreakpoints`.
    pub filter: String,
    /// Label shown in the UI.
    pub label: String,
    /// Tooltip text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the filter is on initially.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
    /// Whether the filter takes a condition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_condition: Option<bool>,
    /// Help for the condition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition_description: Option<String>,
}

/// A source file, by path or by reference.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    /// Short name shown in the UI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Path on disk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// When > 0, the content comes from the `source` request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_reference: Option<i64>,
    /// `normal`, `emphasize` or `deemphasize`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presentation_hint: Option<String>,
    /// Where the source comes from, shown in the UI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Related sources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<Source>>,
    /// Opaque data for the adapter, round-tripped by the client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adapter_data: Option<Value>,
}

/// A breakpoint requested in a source file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceBreakpoint {
    /// Line of the breakpoint.
    pub line: i64,
    /// Column of the breakpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<i64>,
    /// Expression that must be true to stop.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// Hit count expression.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hit_condition: Option<String>,
    /// Log this message instead of stopping (a logpoint).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_message: Option<String>,
    /// Breakpoint mode, if the adapter declares any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
}

/// A breakpoint by function name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionBreakpoint {
    /// Function name.
    pub name: String,
    /// Expression that must be true to stop.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// Hit count expression.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hit_condition: Option<String>,
}

/// A breakpoint as the adapter placed it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Breakpoint {
    /// Adapter-assigned id, used by `breakpoint` events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Whether the breakpoint could be set.
    pub verified: bool,
    /// Why it is not verified, or other information.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The source holding the breakpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// Actual line; may differ from the requested one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<i64>,
    /// Actual column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<i64>,
    /// End line of the range covered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<i64>,
    /// End column of the range covered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<i64>,
    /// `pending`, `failed`: why the breakpoint is unverified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A place where a breakpoint can be set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BreakpointLocation {
    /// Start line.
    pub line: i64,
    /// Start column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<i64>,
    /// End line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<i64>,
    /// End column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<i64>,
}

/// Options for one exception filter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExceptionFilterOptions {
    /// The filter's id.
    pub filter_id: String,
    /// Expression that must be true to stop.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// Breakpoint mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
}

/// When to break on exceptions matching a path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExceptionOptions {
    /// Exception path; matches everything when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<Vec<ExceptionPathSegment>>,
    /// `never`, `always`, `unhandled` or `userUnhandled`.
    pub break_mode: String,
}

/// One segment of an exception path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExceptionPathSegment {
    /// Match anything but `names`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negate: Option<bool>,
    /// Names to match.
    pub names: Vec<String>,
}

/// A thread (in Apex: one debugged request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thread {
    /// Thread id.
    pub id: i64,
    /// Name shown in the UI.
    pub name: String,
}

/// One frame of a call stack.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StackFrame {
    /// Frame id, used by `scopes` and `evaluate`.
    pub id: i64,
    /// Name shown in the UI.
    pub name: String,
    /// Source of the frame.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// Current line.
    pub line: i64,
    /// Current column.
    pub column: i64,
    /// End line of the current range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<i64>,
    /// End column of the current range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<i64>,
    /// Whether `restartFrame` works on this frame.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_restart: Option<bool>,
    /// `normal`, `label` or `subtle`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presentation_hint: Option<String>,
}

/// How to format stack frames.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StackFrameFormat {
    /// Show hex values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hex: Option<bool>,
    /// Show parameters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<bool>,
    /// Show parameter types.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter_types: Option<bool>,
    /// Show parameter names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter_names: Option<bool>,
    /// Show parameter values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter_values: Option<bool>,
    /// Show the line number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<bool>,
    /// Show the module.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module: Option<bool>,
    /// Include every frame, even hidden ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_all: Option<bool>,
}

/// How to format values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ValueFormat {
    /// Show hex values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hex: Option<bool>,
}

/// A named group of variables in a frame.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Scope {
    /// Name shown in the UI (`Locals`, `Statics`).
    pub name: String,
    /// `arguments`, `locals` or `registers`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presentation_hint: Option<String>,
    /// Reference for the `variables` request.
    pub variables_reference: i64,
    /// Number of named children.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub named_variables: Option<i64>,
    /// Number of indexed children.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indexed_variables: Option<i64>,
    /// Whether fetching the variables is costly.
    pub expensive: bool,
    /// Source of the scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// Start line of the scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<i64>,
    /// End line of the scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<i64>,
}

/// How the UI should show a variable.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VariablePresentationHint {
    /// `property`, `method`, `class`, `data`, ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `static`, `constant`, `readOnly`, ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Vec<String>>,
    /// `public`, `private`, `protected`, ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visibility: Option<String>,
    /// Fetch the value only when the user asks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lazy: Option<bool>,
}

/// A variable or a child of one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Variable {
    /// Name.
    pub name: String,
    /// Value as text.
    pub value: String,
    /// Type as text.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// How to show it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presentation_hint: Option<VariablePresentationHint>,
    /// Expression that evaluates to this variable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evaluate_name: Option<String>,
    /// When > 0, the variable has children.
    pub variables_reference: i64,
    /// Number of named children.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub named_variables: Option<i64>,
    /// Number of indexed children.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indexed_variables: Option<i64>,
}

/// A completion proposal.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompletionItem {
    /// Label shown in the list.
    pub label: String,
    /// Text inserted, when it differs from the label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Sort key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort_text: Option<String>,
    /// Extra detail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// `method`, `field`, `class`, ...
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// Start of the text replaced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<i64>,
    /// Length of the text replaced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<i64>,
}

/// Details of an exception.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExceptionDetails {
    /// Message of the exception.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Short type name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_name: Option<String>,
    /// Fully qualified type name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_type_name: Option<String>,
    /// Expression that evaluates to the exception.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evaluate_name: Option<String>,
    /// Stack trace as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack_trace: Option<String>,
    /// Causes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inner_exception: Option<Vec<ExceptionDetails>>,
}

/// A structured error message, carried in `ErrorResponse.body.error`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Unique id of the message kind.
    pub id: i64,
    /// Text with `{name}` placeholders.
    pub format: String,
    /// Values for the placeholders.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variables: Option<std::collections::BTreeMap<String, String>>,
    /// Whether the client may send this to telemetry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub send_telemetry: Option<bool>,
    /// Whether the client shows the message to the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub show_user: Option<bool>,
    /// Link for more information.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Label of the link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url_label: Option<String>,
}
