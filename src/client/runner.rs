//! Runs a [`Scenario`] against a connected [`Client`] and explains the first
//! expectation that fails.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::connection::Client;
use super::expect::check_response;
use super::markers::Markers;
use super::report::{Failure, StepError, mismatch};
use super::scenario::*;
use crate::dap::protocol::{Event, EventKind, Response, StackFrame};

mod actors;
mod customer;
mod inspect;
mod waits;

use actors::{Conn, Slot};
pub use actors::{Finished, Harness, SandboxPlan, run_with};

/// Runs `scenario` over `client`; `Ok` when every step passed. A scenario
/// with named clients or a shared sandbox needs [`run_with`](super::run_with),
/// which starts them.
pub async fn run(client: &Client, scenario: &Scenario) -> Result<(), Box<Failure>> {
    let mut runner = Runner::new(scenario, client.timeout);
    if !scenario.clients.is_empty() || scenario.sandbox.is_some() {
        return Err(runner.header_failure(
            scenario,
            "this scenario declares `clients` or a `sandbox`, which the runner must start \
             itself; run it with `isvdbg client` (or `client::run_with`)",
        ));
    }
    runner.clients.push(Slot {
        name: None,
        conn: Conn::Borrowed(client),
        last_thread: None,
    });
    runner.run_steps(scenario).await
}

pub(super) struct Runner<'a> {
    pub(super) clients: Vec<Slot<'a>>,
    /// The client of the step being run.
    current: usize,
    /// The 1-based number of the step being run.
    step_number: usize,
    dir: PathBuf,
    markers: Markers,
    pub(super) timeout: Duration,
    /// The shared sandbox, when the scenario asks for one.
    pub(super) sandbox: Option<customer::Shared>,
    /// The customers' own connections, by login.
    customers: customer::Customers,
}

impl<'a> Runner<'a> {
    pub(super) fn new(scenario: &Scenario, default_timeout: Duration) -> Runner<'a> {
        Runner {
            clients: Vec::new(),
            current: 0,
            step_number: 0,
            dir: scenario.dir(),
            markers: Markers::default(),
            timeout: scenario
                .timeout_ms
                .map_or(default_timeout, Duration::from_millis),
            sandbox: None,
            customers: customer::Customers::default(),
        }
    }

    /// Runs every step; the first that fails ends the run.
    pub(super) async fn run_steps(&mut self, scenario: &Scenario) -> Result<(), Box<Failure>> {
        if let Err(e) = scenario.check() {
            let step = e.step.unwrap_or(0);
            return Err(self.failure(scenario, step, e.name, StepError::Scenario(e.message)));
        }
        for (i, step) in scenario.steps.iter().enumerate() {
            let timeout = step.timeout_ms.map_or(self.timeout, Duration::from_millis);
            let name = step.name.clone().unwrap_or_else(|| step.action.label());
            self.step_number = i + 1;
            let outcome = match self.route(step) {
                Ok(()) => self.step(&step.action, timeout).await,
                Err(e) => Err(e),
            };
            if let Err(error) = outcome {
                return Err(self.failure(scenario, i + 1, name, error));
            }
        }
        Ok(())
    }

    async fn step(&mut self, action: &Action, timeout: Duration) -> Result<(), StepError> {
        match action {
            Action::Request(r) => {
                let args = self.request_arguments(r, timeout).await?;
                self.call(&r.command, args, r.expect.as_ref(), timeout)
                    .await
                    .map(drop)
            }
            Action::Initialize(c) => {
                let c = c.clone().unwrap_or_default();
                let mut args = json!({
                    "clientID": "isvdbg-client",
                    "clientName": "isvdbg headless client",
                    "adapterID": "apex-isv",
                    "locale": "en-US",
                    "linesStartAt1": true,
                    "columnsStartAt1": true,
                    "pathFormat": "path",
                    "supportsVariableType": true,
                });
                if let (Some(Value::Object(extra)), Some(base)) =
                    (c.arguments, args.as_object_mut())
                {
                    base.extend(extra);
                }
                self.call("initialize", Some(args), c.expect.as_ref(), timeout)
                    .await
                    .map(drop)
            }
            Action::Launch(c) => self.simple("launch", c, json!({}), timeout).await,
            Action::Attach(c) => self.simple("attach", c, json!({}), timeout).await,
            Action::ConfigurationDone(c) => {
                self.simple("configurationDone", c, json!({}), timeout)
                    .await
            }
            Action::Threads(c) => self.simple("threads", c, json!({}), timeout).await,
            Action::Disconnect(c) => self.simple("disconnect", c, json!({}), timeout).await,
            Action::Terminate(c) => self.simple("terminate", c, json!({}), timeout).await,
            Action::SetBreakpoints(b) => self.set_breakpoints(b, timeout).await,
            Action::Event(e) => self.wait_event(e, timeout).await,
            Action::Stopped(s) => self.stopped(s, timeout).await,
            Action::Output(o) => self.output(o, timeout).await,
            Action::Stack(s) => self.stack(s, timeout).await,
            Action::Variable(v) => self.variable(v, timeout).await,
            Action::SetVariable(v) => self.set_variable(v, timeout).await,
            Action::Evaluate(e) => self.evaluate(e, timeout).await,
            Action::Continue(m) => self.movement("continue", m, timeout).await,
            Action::Next(m) => self.movement("next", m, timeout).await,
            Action::StepIn(m) => self.movement("stepIn", m, timeout).await,
            Action::StepOut(m) => self.movement("stepOut", m, timeout).await,
            Action::StepBack(m) => self.movement("stepBack", m, timeout).await,
            Action::ReverseContinue(m) => self.movement("reverseContinue", m, timeout).await,
            Action::Pause(m) => self.movement("pause", m, timeout).await,
            Action::Close(_) => self.close().await,
            Action::Customer(c) => self.customer(c, timeout).await,
        }
    }

    async fn simple(
        &mut self,
        command: &str,
        call: &Option<Call>,
        default_args: Value,
        timeout: Duration,
    ) -> Result<(), StepError> {
        let call = call.clone().unwrap_or_default();
        let args = call.arguments.unwrap_or(default_args);
        self.call(command, Some(args), call.expect.as_ref(), timeout)
            .await
            .map(drop)
    }

    /// Sends a request and checks the response against `expect`.
    async fn call(
        &mut self,
        command: &str,
        arguments: Option<Value>,
        expect: Option<&Expect>,
        timeout: Duration,
    ) -> Result<Response, StepError> {
        let arguments = arguments.map(|a| self.substitute(a));
        let response = self
            .client()
            .send_request(command, arguments)
            .await?
            .wait(timeout)
            .await?;
        check_response(&response, expect.unwrap_or(&Expect::default()))?;
        Ok(response)
    }

    /// A request whose success is required and whose body is returned.
    async fn fetch(
        &mut self,
        command: &str,
        arguments: Value,
        timeout: Duration,
    ) -> Result<Value, StepError> {
        let response = self.call(command, Some(arguments), None, timeout).await?;
        Ok(response.body.unwrap_or(Value::Null))
    }

    async fn set_breakpoints(
        &mut self,
        step: &BreakpointsStep,
        timeout: Duration,
    ) -> Result<(), StepError> {
        let file = self.resolve(&step.source);
        let mut breakpoints = Vec::new();
        for spec in &step.breakpoints {
            let (line, extra) = match spec {
                BreakpointSpec::Line(line) => (line, Map::new()),
                BreakpointSpec::Detailed {
                    line,
                    condition,
                    hit_condition,
                    log_message,
                } => {
                    let mut extra = Map::new();
                    let fields = [
                        ("condition", condition),
                        ("hitCondition", hit_condition),
                        ("logMessage", log_message),
                    ];
                    for (k, v) in fields {
                        if let Some(v) = v {
                            extra.insert(k.to_owned(), Value::String(v.clone()));
                        }
                    }
                    (line, extra)
                }
            };
            let mut bp = extra;
            bp.insert("line".into(), json!(self.line(line, Some(&file))?));
            breakpoints.push(Value::Object(bp));
        }
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let args = json!({
            "source": { "name": name, "path": file.to_string_lossy() },
            "breakpoints": breakpoints,
        });
        let response = self
            .call("setBreakpoints", Some(args), step.expect.as_ref(), timeout)
            .await?;
        if let Some(want) = step.verified {
            let body = response.body.unwrap_or(Value::Null);
            let got: Vec<Value> = body["breakpoints"].as_array().cloned().unwrap_or_default();
            for (i, bp) in got.iter().enumerate() {
                if bp["verified"].as_bool() != Some(want) {
                    return Err(mismatch(
                        format!("breakpoint {i} with verified = {want}"),
                        bp.to_string(),
                    ));
                }
            }
        }
        Ok(())
    }

    async fn movement(
        &mut self,
        command: &str,
        step: &Option<MoveStep>,
        timeout: Duration,
    ) -> Result<(), StepError> {
        let step = step.clone().unwrap_or_default();
        let thread = self.thread(step.thread, command)?;
        let mut args = json!({ "threadId": thread });
        if let Some(g) = &step.granularity {
            args["granularity"] = json!(g);
        }
        if let Some(single) = step.single_thread {
            args["singleThread"] = json!(single);
        }
        self.call(command, Some(args), step.expect.as_ref(), timeout)
            .await
            .map(drop)
    }

    fn thread(&self, given: Option<i64>, command: &str) -> Result<i64, StepError> {
        given.or(self.clients[self.current].last_thread).ok_or_else(|| {
            StepError::Scenario(format!(
                "`{command}` needs a thread, and none has stopped yet; add a `stopped` step first or give `thread`"
            ))
        })
    }

    fn note_thread(&mut self, event: &Event) {
        if let Some(id) = event_body(event)["threadId"].as_i64() {
            self.clients[self.current].last_thread = Some(id);
        }
    }

    fn resolve(&self, relative: &str) -> PathBuf {
        let joined = self.dir.join(relative);
        joined.canonicalize().unwrap_or(joined)
    }

    fn line(&mut self, line: &LineRef, source: Option<&Path>) -> Result<i64, StepError> {
        match line {
            LineRef::Number(n) => Ok(*n),
            LineRef::Marker(text) => {
                let (file, marker) = text.rsplit_once('#').ok_or_else(|| {
                    StepError::Scenario(format!(
                        "line `{text}` is neither a number nor a `#MARKER`"
                    ))
                })?;
                let file = if file.is_empty() {
                    source.map(Path::to_owned).ok_or_else(|| {
                        StepError::Scenario(format!(
                            "marker #{marker} needs a file: set `source` on the step or write `path#{marker}`"
                        ))
                    })?
                } else {
                    self.resolve(file)
                };
                self.markers
                    .line_of(&file, marker)
                    .map_err(StepError::Scenario)
            }
        }
    }

    /// Replaces `${scenarioDir}` and `${sandboxUrl}` in every string of `value`.
    fn substitute(&self, value: Value) -> Value {
        let dir = self.dir.canonicalize().unwrap_or_else(|_| self.dir.clone());
        let mut vars = vec![("${scenarioDir}", dir.to_string_lossy().into_owned())];
        if let Some(sandbox) = &self.sandbox {
            vars.push(("${sandboxUrl}", sandbox.url.clone()));
        }
        substitute_in(value, &vars)
    }
}

fn substitute_in(value: Value, vars: &[(&str, String)]) -> Value {
    match value {
        Value::String(mut s) => {
            for (name, with) in vars {
                s = s.replace(name, with);
            }
            Value::String(s)
        }
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|v| substitute_in(v, vars)).collect())
        }
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, substitute_in(v, vars)))
                .collect(),
        ),
        other => other,
    }
}

fn event_body(event: &Event) -> Value {
    match &event.kind {
        EventKind::Known(body) => serde_json::to_value(body)
            .ok()
            .and_then(|v| v.get("body").cloned())
            .unwrap_or(Value::Null),
        EventKind::Other { body, .. } => body.clone().unwrap_or(Value::Null),
    }
}

fn frame_names(frames: &[StackFrame]) -> String {
    frames
        .iter()
        .map(|f| f.name.as_str())
        .collect::<Vec<_>>()
        .join(" < ")
}

fn same_file(want: &Path, path: Option<&str>, name: Option<&str>) -> bool {
    if let Some(path) = path {
        let got = Path::new(path);
        return got == want || got.canonicalize().is_ok_and(|g| g == want);
    }
    name.is_some_and(|n| want.file_name().is_some_and(|f| f == n))
}

fn describe_filter(body: &BTreeMap<String, Value>, matches: &BTreeMap<String, String>) -> String {
    let mut parts: Vec<String> = body.iter().map(|(k, v)| format!("{k} = {v}")).collect();
    parts.extend(matches.iter().map(|(k, v)| format!("{k} =~ /{v}/")));
    if parts.is_empty() {
        String::new()
    } else {
        format!(" with {}", parts.join(", "))
    }
}
