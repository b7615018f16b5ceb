//! Request arguments, and the enum that routes a request by its `command`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::types::{
    ExceptionFilterOptions, ExceptionOptions, FunctionBreakpoint, Source, SourceBreakpoint,
    StackFrameFormat, ValueFormat,
};

/// Arguments of `initialize`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InitializeRequestArguments {
    /// Id of the client (`vscode`).
    #[serde(rename = "clientID", skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Human-readable client name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    /// Debugger type the client asked for (`apex-isv`).
    #[serde(rename = "adapterID")]
    pub adapter_id: String,
    /// Client locale, such as `en-US`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Lines are 1-based (the default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines_start_at1: Option<bool>,
    /// Columns are 1-based (the default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub columns_start_at1: Option<bool>,
    /// `path` or `uri`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_format: Option<String>,
    /// The client shows variable types.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_variable_type: Option<bool>,
    /// The client pages variables.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_variable_paging: Option<bool>,
    /// The client answers `runInTerminal`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_run_in_terminal_request: Option<bool>,
    /// The client understands memory references.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_memory_references: Option<bool>,
    /// The client shows progress events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_progress_reporting: Option<bool>,
    /// The client understands `invalidated` events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_invalidated_event: Option<bool>,
    /// The client renders ANSI escapes in output.
    #[serde(
        rename = "supportsANSIStyling",
        skip_serializing_if = "Option::is_none"
    )]
    pub supports_ansi_styling: Option<bool>,
}

/// Arguments of `launch` and `attach`. The attributes are the product's, so
/// they stay raw here; the part that starts debugging reads them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LaunchRequestArguments {
    /// Run without debugging.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_debug: Option<bool>,
    /// Data from a previous `terminated` event asking for a restart.
    #[serde(rename = "__restart", skip_serializing_if = "Option::is_none")]
    pub restart: Option<Value>,
    /// Every other attribute of the launch configuration.
    #[serde(flatten)]
    pub attributes: Map<String, Value>,
}

/// Arguments of `disconnect`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DisconnectArguments {
    /// The client will restart the session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart: Option<bool>,
    /// End the debuggee too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terminate_debuggee: Option<bool>,
    /// Leave the debuggee suspended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspend_debuggee: Option<bool>,
}

/// Arguments of `terminate`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TerminateArguments {
    /// The client will restart the session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart: Option<bool>,
}

/// Arguments of `setBreakpoints`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetBreakpointsArguments {
    /// The file the breakpoints are in.
    pub source: Source,
    /// Every breakpoint of that file; replaces the previous set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breakpoints: Option<Vec<SourceBreakpoint>>,
    /// Deprecated: lines only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<i64>>,
    /// The file was edited since it was loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_modified: Option<bool>,
}

/// Arguments of `setFunctionBreakpoints`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SetFunctionBreakpointsArguments {
    /// Every function breakpoint; replaces the previous set.
    pub breakpoints: Vec<FunctionBreakpoint>,
}

/// Arguments of `setExceptionBreakpoints`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetExceptionBreakpointsArguments {
    /// Ids of the filters turned on.
    pub filters: Vec<String>,
    /// Filters with options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter_options: Option<Vec<ExceptionFilterOptions>>,
    /// Per-exception options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception_options: Option<Vec<ExceptionOptions>>,
}

/// Arguments of `breakpointLocations`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BreakpointLocationsArguments {
    /// The file to look in.
    pub source: Source,
    /// First line of the range.
    pub line: i64,
    /// First column of the range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<i64>,
    /// Last line of the range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<i64>,
    /// Last column of the range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<i64>,
}

/// Arguments of requests that name only a thread (`pause`, `exceptionInfo`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadArguments {
    /// The thread.
    pub thread_id: i64,
}

/// Arguments of `continue`, `next`, `stepIn`, `stepOut`, `stepBack` and `reverseContinue`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepArguments {
    /// The thread to move.
    pub thread_id: i64,
    /// Move this thread only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub single_thread: Option<bool>,
    /// `statement`, `line` or `instruction`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub granularity: Option<String>,
    /// Step into this target (`stepIn` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_id: Option<i64>,
}

/// Arguments of `stackTrace`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StackTraceArguments {
    /// The thread.
    pub thread_id: i64,
    /// First frame to return.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_frame: Option<i64>,
    /// Number of frames; all when absent or 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub levels: Option<i64>,
    /// How to format the frames.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<StackFrameFormat>,
}

/// Arguments of `scopes`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScopesArguments {
    /// The frame.
    pub frame_id: i64,
}

/// Arguments of `variables`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VariablesArguments {
    /// The container.
    pub variables_reference: i64,
    /// `indexed` or `named`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// First child to return.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<i64>,
    /// Number of children; all when absent or 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
    /// How to format values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<ValueFormat>,
}

/// Arguments of `setVariable`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetVariableArguments {
    /// The container.
    pub variables_reference: i64,
    /// Name of the variable in the container.
    pub name: String,
    /// New value, as an expression.
    pub value: String,
    /// How to format the result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<ValueFormat>,
}

/// Arguments of `evaluate`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EvaluateArguments {
    /// The expression.
    pub expression: String,
    /// Frame to evaluate in; global scope when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame_id: Option<i64>,
    /// `watch`, `repl`, `hover`, `clipboard` or `variables`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// How to format the result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<ValueFormat>,
}

/// Arguments of `completions`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompletionsArguments {
    /// Frame to complete in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame_id: Option<i64>,
    /// The text typed so far.
    pub text: String,
    /// Cursor column within `text`.
    pub column: i64,
    /// Cursor line within `text`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<i64>,
}

/// Arguments of `source`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceArguments {
    /// The source, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// Reference of the source.
    pub source_reference: i64,
}

/// Arguments of `cancel`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelArguments {
    /// `seq` of the request to cancel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<i64>,
    /// Progress to cancel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress_id: Option<String>,
}

/// Arguments of requests that take none (`threads`, `loadedSources`, `configurationDone`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NoArguments {}

/// Every request the adapter understands, routed by `command`.
///
/// Adding a request means adding a variant here, a name in [`RequestArguments::command`]
/// and an arm in the session's dispatch `match`; the compiler finds the last two.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "command", content = "arguments", rename_all = "camelCase")]
pub enum RequestArguments {
    /// `initialize`.
    Initialize(InitializeRequestArguments),
    /// `launch`.
    Launch(LaunchRequestArguments),
    /// `attach`.
    Attach(LaunchRequestArguments),
    /// `configurationDone`.
    ConfigurationDone(Option<NoArguments>),
    /// `disconnect`.
    Disconnect(Option<DisconnectArguments>),
    /// `terminate`.
    Terminate(Option<TerminateArguments>),
    /// `setBreakpoints`.
    SetBreakpoints(SetBreakpointsArguments),
    /// `setFunctionBreakpoints`.
    SetFunctionBreakpoints(SetFunctionBreakpointsArguments),
    /// `setExceptionBreakpoints`.
    SetExceptionBreakpoints(SetExceptionBreakpointsArguments),
    /// `breakpointLocations`.
    BreakpointLocations(BreakpointLocationsArguments),
    /// `threads`.
    Threads(Option<NoArguments>),
    /// `stackTrace`.
    StackTrace(StackTraceArguments),
    /// `scopes`.
    Scopes(ScopesArguments),
    /// `variables`.
    Variables(VariablesArguments),
    /// `setVariable`.
    SetVariable(SetVariableArguments),
    /// `evaluate`.
    Evaluate(EvaluateArguments),
    /// `completions`.
    Completions(CompletionsArguments),
    /// `continue`.
    Continue(StepArguments),
    /// `next`.
    Next(StepArguments),
    /// `stepIn`.
    StepIn(StepArguments),
    /// `stepOut`.
    StepOut(StepArguments),
    /// `stepBack`.
    StepBack(StepArguments),
    /// `reverseContinue`.
    ReverseContinue(StepArguments),
    /// `pause`.
    Pause(ThreadArguments),
    /// `source`.
    Source(SourceArguments),
    /// `loadedSources`.
    LoadedSources(Option<NoArguments>),
    /// `exceptionInfo`.
    ExceptionInfo(ThreadArguments),
    /// `cancel`.
    Cancel(Option<CancelArguments>),
}

impl RequestArguments {
    /// The wire name of the request.
    pub fn command(&self) -> &'static str {
        use RequestArguments::*;
        match self {
            Initialize(_) => "initialize",
            Launch(_) => "launch",
            Attach(_) => "attach",
            ConfigurationDone(_) => "configurationDone",
            Disconnect(_) => "disconnect",
            Terminate(_) => "terminate",
            SetBreakpoints(_) => "setBreakpoints",
            SetFunctionBreakpoints(_) => "setFunctionBreakpoints",
            SetExceptionBreakpoints(_) => "setExceptionBreakpoints",
            BreakpointLocations(_) => "breakpointLocations",
            Threads(_) => "threads",
            StackTrace(_) => "stackTrace",
            Scopes(_) => "scopes",
            Variables(_) => "variables",
            SetVariable(_) => "setVariable",
            Evaluate(_) => "evaluate",
            Completions(_) => "completions",
            Continue(_) => "continue",
            Next(_) => "next",
            StepIn(_) => "stepIn",
            StepOut(_) => "stepOut",
            StepBack(_) => "stepBack",
            ReverseContinue(_) => "reverseContinue",
            Pause(_) => "pause",
            Source(_) => "source",
            LoadedSources(_) => "loadedSources",
            ExceptionInfo(_) => "exceptionInfo",
            Cancel(_) => "cancel",
        }
    }

    /// True when `command` names a variant of this enum, whatever its arguments.
    ///
    /// Lets the session tell "unknown command" from "known command, bad
    /// arguments" without keeping a second list of names in step.
    pub fn is_known(command: &str) -> bool {
        let probe = serde_json::json!({ "command": command });
        match serde_json::from_value::<RequestArguments>(probe) {
            Ok(_) => true,
            // serde words an unmatched tag as "unknown variant `X`, expected ...".
            Err(e) => !e.to_string().starts_with("unknown variant"),
        }
    }
}

/// The command part of a request: a known one with typed arguments, or any
/// other command (a custom `isv/...` request, say) with its raw arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Command {
    /// A request this adapter knows, with arguments that parsed.
    Known(RequestArguments),
    /// Anything else: an unknown command, or a known one whose arguments did not parse.
    Other {
        /// The command name.
        command: String,
        /// The raw arguments.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        arguments: Option<Value>,
    },
}

impl Command {
    /// The wire name of the command.
    pub fn name(&self) -> &str {
        match self {
            Command::Known(args) => args.command(),
            Command::Other { command, .. } => command,
        }
    }
}
