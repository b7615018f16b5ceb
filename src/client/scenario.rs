//! The scenario file format (YAML or JSON); see `docs/scenarios.md`.
//!
//! A scenario is a list of steps. Each step is a map with one action key
//! (`request`, `initialize`, `stopped`, ...) plus optional `name` and
//! `timeout_ms`. Paths are relative to the scenario file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

mod actors;
mod check;
mod steps;

pub use actors::*;
pub use check::ScenarioError;
pub use steps::*;

/// A parsed scenario and where it came from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Title shown in reports.
    #[serde(default)]
    pub name: Option<String>,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
    /// Default wait for every step, in milliseconds.
    #[serde(default)]
    pub timeout_ms: Option<u64>,
    /// Named clients, each with its own adapter; default: one unnamed client.
    #[serde(default)]
    pub clients: Vec<ClientSpec>,
    /// A sandbox server the clients and customer steps share.
    #[serde(default)]
    pub sandbox: Option<SandboxSpec>,
    /// The steps, run in order.
    pub steps: Vec<Step>,
    /// The file the scenario was read from.
    #[serde(skip)]
    pub path: PathBuf,
}

impl Scenario {
    /// Reads a scenario; `.json` files are JSON, anything else YAML.
    pub fn load(path: &Path) -> anyhow::Result<Scenario> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("could not read the scenario {}: {e}", path.display()))?;
        let is_json = path.extension().is_some_and(|e| e == "json");
        let mut scenario: Scenario = if is_json {
            serde_json::from_str(&text).map_err(|e| {
                anyhow::anyhow!(
                    "{} is not a valid scenario: {e}; see docs/scenarios.md",
                    path.display()
                )
            })?
        } else {
            serde_yaml_ng::from_str(&text).map_err(|e| {
                anyhow::anyhow!(
                    "{} is not a valid scenario: {e}; see docs/scenarios.md",
                    path.display()
                )
            })?
        };
        scenario.path = path.to_owned();
        scenario
            .check()
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        Ok(scenario)
    }

    /// The folder relative paths are resolved against.
    pub fn dir(&self) -> PathBuf {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        }
    }
}

/// One step: an action and how to report it.
#[derive(Debug, Clone)]
pub struct Step {
    /// Name shown in reports; defaults to the action.
    pub name: Option<String>,
    /// Wait for this step, in milliseconds.
    pub timeout_ms: Option<u64>,
    /// The client the step goes to, by name; default: the only client.
    pub client: Option<String>,
    /// What to do.
    pub action: Action,
}

/// Keys a step may carry beside its one action key.
const STEP_KEYS: [&str; 3] = ["name", "timeout_ms", "client"];

impl<'de> Deserialize<'de> for Step {
    /// A map with exactly one action key plus optional `name` and
    /// `timeout_ms`; a typo or a second action is an error, not ignored.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut map = serde_json::Map::<String, Value>::deserialize(deserializer)?;
        let name = match map.remove("name") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s),
            Some(other) => {
                return Err(D::Error::custom(format!(
                    "step `name` must be text, not {other}"
                )));
            }
        };
        let client = match map.remove("client") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s),
            Some(other) => {
                return Err(D::Error::custom(format!(
                    "step `client` must be a client's name, not {other}"
                )));
            }
        };
        let timeout_ms = match map.remove("timeout_ms") {
            None | Some(Value::Null) => None,
            Some(v) => Some(v.as_u64().ok_or_else(|| {
                D::Error::custom(format!(
                    "step `timeout_ms` must be a whole number of milliseconds, not {v}"
                ))
            })?),
        };
        let keys: Vec<String> = map.keys().cloned().collect();
        if keys.len() != 1 {
            let what = if keys.is_empty() {
                "no action".to_owned()
            } else {
                format!("several keys {keys:?}")
            };
            return Err(D::Error::custom(format!(
                "a step needs exactly one action (such as `request`, `initialize`, `stopped`) besides {STEP_KEYS:?}, \
                 but this one has {what}"
            )));
        }
        let action = Action::deserialize(Value::Object(map))
            .map_err(|e| D::Error::custom(format!("step `{}`: {e}", keys[0])))?;
        Ok(Step {
            name,
            timeout_ms,
            client,
            action,
        })
    }
}

/// What a step does.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Any request, by command name (custom ones included).
    Request(RequestStep),
    /// `initialize`, with sensible default arguments.
    Initialize(Option<Call>),
    /// `launch`.
    Launch(Option<Call>),
    /// `attach`.
    Attach(Option<Call>),
    /// `configurationDone`.
    ConfigurationDone(Option<Call>),
    /// `threads`.
    Threads(Option<Call>),
    /// `disconnect`.
    Disconnect(Option<Call>),
    /// `terminate`.
    Terminate(Option<Call>),
    /// `setBreakpoints` by marker.
    SetBreakpoints(BreakpointsStep),
    /// Wait for any event.
    Event(EventStep),
    /// Wait for `stopped`.
    Stopped(StoppedStep),
    /// Wait for `output` matching a pattern.
    Output(OutputStep),
    /// Check the call stack of the stopped thread.
    Stack(StackStep),
    /// Check a variable by path.
    Variable(VariableStep),
    /// `setVariable` on a variable found by path.
    SetVariable(SetVariableStep),
    /// Evaluate an expression.
    Evaluate(EvaluateStep),
    /// `continue` the stopped thread.
    Continue(Option<MoveStep>),
    /// `next`.
    Next(Option<MoveStep>),
    /// `stepIn`.
    StepIn(Option<MoveStep>),
    /// `stepOut`.
    StepOut(Option<MoveStep>),
    /// `stepBack`.
    StepBack(Option<MoveStep>),
    /// `reverseContinue`.
    ReverseContinue(Option<MoveStep>),
    /// `pause`.
    Pause(Option<MoveStep>),
    /// Close a client's connection without a word.
    Close(Option<CloseStep>),
    /// A call of the sandbox API by a subscriber user.
    Customer(CustomerStep),
}

impl Action {
    /// Short name of the action for reports.
    pub fn label(&self) -> String {
        match self {
            Action::Request(r) => format!("request {}", r.command),
            Action::Initialize(_) => "initialize".into(),
            Action::Launch(_) => "launch".into(),
            Action::Attach(_) => "attach".into(),
            Action::ConfigurationDone(_) => "configurationDone".into(),
            Action::Threads(_) => "threads".into(),
            Action::Disconnect(_) => "disconnect".into(),
            Action::Terminate(_) => "terminate".into(),
            Action::SetBreakpoints(b) => format!("setBreakpoints {}", b.source),
            Action::Event(e) => format!("wait for event {}", e.event),
            Action::Stopped(_) => "wait for stopped".into(),
            Action::Output(o) => format!("wait for output /{}/", o.pattern),
            Action::Stack(_) => "check stack".into(),
            Action::Variable(v) => format!("check variable {}", v.path),
            Action::SetVariable(v) => format!("set variable {} = {}", v.path, v.value),
            Action::Evaluate(e) => format!("evaluate {}", e.expression),
            Action::Continue(_) => "continue".into(),
            Action::Next(_) => "next".into(),
            Action::StepIn(_) => "stepIn".into(),
            Action::StepOut(_) => "stepOut".into(),
            Action::StepBack(_) => "stepBack".into(),
            Action::ReverseContinue(_) => "reverseContinue".into(),
            Action::Pause(_) => "pause".into(),
            Action::Close(c) => match c.as_ref().and_then(|c| c.client.as_deref()) {
                Some(name) => format!("close client {name}"),
                None => "close the client".into(),
            },
            Action::Customer(c) => format!("customer {} calls {}", c.login, c.call),
        }
    }
}

/// A request with a known command: optional arguments and expectations.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Call {
    /// Arguments; `${scenarioDir}` in strings becomes the scenario's folder.
    #[serde(default)]
    pub arguments: Option<Value>,
    /// What the response must look like; by default, success.
    #[serde(default)]
    pub expect: Option<Expect>,
}

/// Any request by command name.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestStep {
    /// Command name, such as `threads` or `isv/runApex`.
    pub command: String,
    /// Arguments; `${scenarioDir}` in strings becomes the scenario's folder.
    #[serde(default)]
    pub arguments: Option<Value>,
    /// Adds `frameId`: the id of this frame (index from the top) of `thread`.
    #[serde(default)]
    pub frame: Option<usize>,
    /// Adds `variablesReference`: the reference of the variable at this path,
    /// found as a `variable` step finds it (in `frame`, default 0).
    #[serde(default)]
    pub variables_of: Option<String>,
    /// Thread for `frame` and `variables_of`; defaults to the last one that stopped.
    #[serde(default)]
    pub thread: Option<i64>,
    /// What the response must look like; by default, success.
    #[serde(default)]
    pub expect: Option<Expect>,
}

/// Expectations on a response.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Whether it must succeed; defaults to true, or false when `error` is set.
    #[serde(default)]
    pub success: Option<bool>,
    /// It must fail with a message containing this text.
    #[serde(default)]
    pub error: Option<String>,
    /// JSON path in the body → the exact value there.
    #[serde(default)]
    pub body: BTreeMap<String, Value>,
    /// JSON path in the body → a regex the value (as text) must match.
    #[serde(default)]
    pub matches: BTreeMap<String, String>,
    /// JSON paths that must not exist in the body.
    #[serde(default)]
    pub absent: Vec<String>,
}
