//! The arguments of the scenario steps that are more than a plain request.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::Expect;

/// A line: a number, `"#MARKER"` (in the step's source) or `"path#MARKER"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum LineRef {
    /// A literal line number (prefer markers).
    Number(i64),
    /// A marker, optionally prefixed by a file path.
    Marker(String),
}

/// One breakpoint: a line, or a line with options.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum BreakpointSpec {
    /// Just a line.
    Line(LineRef),
    /// A line with a condition, hit condition or log message.
    Detailed {
        /// The line.
        line: LineRef,
        /// Stop only when this is true.
        #[serde(default)]
        condition: Option<String>,
        /// Stop only on these hits.
        #[serde(default)]
        hit_condition: Option<String>,
        /// Log this instead of stopping.
        #[serde(default)]
        log_message: Option<String>,
    },
}

/// `setBreakpoints` for one file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakpointsStep {
    /// The file, relative to the scenario.
    pub source: String,
    /// Its breakpoints.
    #[serde(default)]
    pub breakpoints: Vec<BreakpointSpec>,
    /// Each breakpoint must come back with this `verified` value.
    #[serde(default)]
    pub verified: Option<bool>,
    /// Further expectations on the response.
    #[serde(default)]
    pub expect: Option<Expect>,
}

/// Wait for an event.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventStep {
    /// Event name.
    pub event: String,
    /// JSON path in the body → exact value; events that differ are skipped.
    #[serde(default)]
    pub body: BTreeMap<String, Value>,
    /// JSON path in the body → regex; events that differ are skipped.
    #[serde(default)]
    pub matches: BTreeMap<String, String>,
}

/// Wait for `stopped`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoppedStep {
    /// Required reason (`breakpoint`, `step`, `exception`, ...).
    #[serde(default)]
    pub reason: Option<String>,
    /// File for `line` markers.
    #[serde(default)]
    pub source: Option<String>,
    /// The top frame must be on this line.
    #[serde(default)]
    pub line: Option<LineRef>,
}

/// Wait for `output`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputStep {
    /// Regex the output text must match.
    pub pattern: String,
    /// Required category (`stdout`, `console`, `important`, ...).
    #[serde(default)]
    pub category: Option<String>,
    /// The event must name this file (relative to the scenario) as its source.
    #[serde(default)]
    pub source: Option<String>,
    /// The event must carry this line (markers are looked up in `source`).
    #[serde(default)]
    pub line: Option<LineRef>,
}

/// Check the stack of the stopped thread.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StackStep {
    /// Thread; defaults to the last one that stopped.
    #[serde(default)]
    pub thread: Option<i64>,
    /// Expected frames from the top; frames below the list are not checked.
    pub frames: Vec<FrameSpec>,
}

/// One expected frame.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameSpec {
    /// Exact frame name.
    #[serde(default)]
    pub name: Option<String>,
    /// Regex for the frame name.
    #[serde(default)]
    pub name_matches: Option<String>,
    /// File the frame is in, relative to the scenario.
    #[serde(default)]
    pub source: Option<String>,
    /// Line of the frame.
    #[serde(default)]
    pub line: Option<LineRef>,
}

/// Check a variable by path in a frame's scopes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariableStep {
    /// Path such as `invoice.lines[0].amount`.
    pub path: String,
    /// Frame index from the top (0 = innermost).
    #[serde(default)]
    pub frame: usize,
    /// Thread; defaults to the last one that stopped.
    #[serde(default)]
    pub thread: Option<i64>,
    /// Exact value text.
    #[serde(default)]
    pub value: Option<String>,
    /// Regex for the value text.
    #[serde(default)]
    pub value_matches: Option<String>,
    /// Exact type text.
    #[serde(default, rename = "type")]
    pub type_: Option<String>,
}

/// `setVariable` on a variable found by path, as a `variable` step finds it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetVariableStep {
    /// Path such as `key` or `config.defaultRegion`; the last segment is the
    /// variable set, the rest leads to its container.
    pub path: String,
    /// The new value, as an expression of the debuggee's language.
    pub value: String,
    /// Frame index from the top (0 = innermost).
    #[serde(default)]
    pub frame: usize,
    /// Thread; defaults to the last one that stopped.
    #[serde(default)]
    pub thread: Option<i64>,
    /// Exact `value` text of the response; defaults to `value`.
    #[serde(default)]
    pub result: Option<String>,
    /// Regex for the response's `value` text, instead of `result`.
    #[serde(default)]
    pub result_matches: Option<String>,
    /// Exact `type` text of the response.
    #[serde(default, rename = "type")]
    pub type_: Option<String>,
    /// It must fail with a message containing this text.
    #[serde(default)]
    pub error: Option<String>,
}

/// Evaluate an expression.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluateStep {
    /// The expression.
    pub expression: String,
    /// Frame index from the top; global scope when absent.
    #[serde(default)]
    pub frame: Option<usize>,
    /// Thread; defaults to the last one that stopped.
    #[serde(default)]
    pub thread: Option<i64>,
    /// `repl`, `watch`, `hover`, ...; defaults to `repl`.
    #[serde(default)]
    pub context: Option<String>,
    /// Exact result text.
    #[serde(default)]
    pub result: Option<String>,
    /// Regex for the result text.
    #[serde(default)]
    pub result_matches: Option<String>,
    /// It must fail with a message containing this text.
    #[serde(default)]
    pub error: Option<String>,
}

/// A stepping or running request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoveStep {
    /// Thread; defaults to the last one that stopped.
    #[serde(default)]
    pub thread: Option<i64>,
    /// `statement`, `line` or `instruction`.
    #[serde(default)]
    pub granularity: Option<String>,
    /// Sent as `singleThread`: move only this thread, leave the others stopped.
    #[serde(default)]
    pub single_thread: Option<bool>,
    /// What the response must look like; by default, success.
    #[serde(default)]
    pub expect: Option<Expect>,
}
