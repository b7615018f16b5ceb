//! The headless client: waits that fail when they must, schema checks, and
//! the scenario runner driving a scripted backend through the real session.

mod dap_support;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use dap_support::schema_path;
use futures::{SinkExt, StreamExt};
use isvdbg::client::{self, Client, ClientError, Scenario, SchemaValidator, StepError, Transcript};
use isvdbg::dap::codec::Frame;
use isvdbg::dap::protocol::*;
use isvdbg::dap::{
    Backend, BackendEvent, Connection, DapError, EventSink, Session, ShutdownReason,
};
use serde_json::{Value, json};

fn transcript() -> Transcript {
    let mut t = Transcript::default();
    if let Some(path) = schema_path() {
        t.validate_with(Arc::new(SchemaValidator::load(&path).unwrap()));
    }
    t
}

#[tokio::test]
async fn pending_waits_fail_when_the_stream_closes() {
    let (mut server, client_end) = Connection::memory();
    let client = Arc::new(Client::from_connection(client_end, Transcript::default()));
    let pending = client.send_request("threads", None).await.unwrap();
    let waiter = {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .wait_event("event `stopped`", Duration::from_secs(30), |e| {
                    e.name() == "stopped"
                })
                .await
        })
    };
    // The adapter reads the request, then goes away without answering.
    assert!(matches!(
        server.reader.next().await,
        Some(Ok(Frame::Message(_)))
    ));
    drop(server);
    let err = pending.wait(Duration::from_secs(30)).await.unwrap_err();
    assert!(
        matches!(err, ClientError::StreamClosed(ref what) if what.contains("threads")),
        "{err}"
    );
    let err = waiter.await.unwrap().unwrap_err();
    assert!(matches!(err, ClientError::StreamClosed(_)), "{err}");
    assert!(err.to_string().contains("closed the connection"));
}

#[tokio::test]
async fn waits_time_out() {
    let (_server, client_end) = Connection::memory();
    let client = Client::from_connection(client_end, Transcript::default());
    let pending = client.send_request("threads", None).await.unwrap();
    let err = pending.wait(Duration::from_millis(50)).await.unwrap_err();
    assert!(matches!(err, ClientError::Timeout { .. }), "{err}");
    let err = client
        .wait_event("event `stopped`", Duration::from_millis(50), |_| true)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("timed out after 50ms waiting for event `stopped`"),
        "{err}"
    );
}

#[tokio::test]
async fn events_wait_by_predicate_and_unmatched_ones_stay_queued() {
    let (mut server, client_end) = Connection::memory();
    let client = Client::from_connection(client_end, Transcript::default());
    for (seq, body) in [
        (1, json!({"category": "stdout", "output": "a"})),
        (2, json!({"category": "stdout", "output": "b"})),
    ] {
        let event = json!({"seq": seq, "type": "event", "event": "output", "body": body});
        server.writer.send(&event).await.unwrap();
    }
    let b = client
        .wait_event(
            "output b",
            Duration::from_secs(5),
            |e| matches!(&e.kind, EventKind::Known(EventBody::Output(o)) if o.output == "b"),
        )
        .await
        .unwrap();
    assert_eq!(b.seq, 2);
    assert_eq!(client.queued_events(), vec!["output"]);
}

#[tokio::test]
async fn schema_violations_fail_with_their_json_path() {
    let Some(path) = schema_path() else { return };
    let mut t = Transcript::default();
    t.validate_with(Arc::new(SchemaValidator::load(&path).unwrap()));
    let (mut server, client_end) = Connection::memory();
    let client = Client::from_connection(client_end, t);
    let pending = client.send_request("threads", None).await.unwrap();
    let bad = json!({"seq": 1, "type": "response", "request_seq": 1, "success": true, "command": "threads",
                     "body": {"threads": [{"id": 1, "name": null}]}});
    server.writer.send(&bad).await.unwrap();
    let err = pending.wait(Duration::from_secs(5)).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, ClientError::Schema(_)), "{text}");
    assert!(
        text.contains("ThreadsResponse") && text.contains("$.body.threads[0].name"),
        "{text}"
    );
}

#[test]
fn schema_definitions_are_picked_by_message_kind() {
    let Some(path) = schema_path() else { return };
    let s = SchemaValidator::load(&path).unwrap();
    let pick = |v: Value| s.definition_for(&v);
    assert_eq!(
        pick(json!({"type": "response", "command": "stackTrace", "success": true})),
        "StackTraceResponse"
    );
    assert_eq!(
        pick(json!({"type": "response", "command": "stackTrace", "success": false})),
        "ErrorResponse"
    );
    assert_eq!(
        pick(json!({"type": "response", "command": "isv/runApex", "success": true})),
        "Response"
    );
    assert_eq!(
        pick(json!({"type": "event", "event": "progressStart"})),
        "ProgressStartEvent"
    );
    assert_eq!(pick(json!({"type": "event", "event": "isv/log"})), "Event");
    // An error response must carry a body.
    let no_body = json!({"seq": 1, "type": "response", "request_seq": 1, "success": false, "command": "launch", "message": "x"});
    assert!(s.check(&no_body).unwrap_err().contains("ErrorResponse"));
}

#[test]
fn a_schema_that_is_not_the_dap_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    std::fs::write(&path, r#"{"definitions": {}}"#).unwrap();
    let err = SchemaValidator::load(&path).err().unwrap().to_string();
    assert!(err.contains("debugAdapterProtocol.json"), "{err}");
}

/// A backend that plays back a fixed debugging session over the fixture file.
struct Scripted {
    file: PathBuf,
    bp2: i64,
    call: i64,
    line: i64,
    events: Option<EventSink>,
}

impl Scripted {
    fn new(file: &Path) -> Self {
        let text = std::fs::read_to_string(file).unwrap();
        let line_of = |m: &str| text.lines().position(|l| l.contains(m)).unwrap() as i64 + 1;
        let (bp1, bp2, call) = (line_of("#BP1"), line_of("#BP2"), line_of("#CALL"));
        Scripted {
            file: file.to_owned(),
            bp2,
            call,
            line: bp1,
            events: None,
        }
    }

    fn emit(&self, body: EventBody) {
        self.events
            .as_ref()
            .unwrap()
            .send(BackendEvent::Event(body))
            .unwrap();
    }

    fn stop(&self, reason: &str) {
        self.emit(EventBody::Stopped(StoppedEventBody {
            reason: reason.into(),
            thread_id: Some(7),
            ..Default::default()
        }));
    }
}

fn var(name: &str, value: &str, reference: i64) -> Value {
    json!({"name": name, "value": value, "variablesReference": reference})
}

impl Backend for Scripted {
    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }
    async fn launch(
        &mut self,
        _args: LaunchRequestArguments,
        events: EventSink,
    ) -> Result<(), DapError> {
        self.events = Some(events);
        Ok(())
    }
    async fn attach(
        &mut self,
        args: LaunchRequestArguments,
        events: EventSink,
    ) -> Result<(), DapError> {
        self.launch(args, events).await
    }
    async fn configuration_done(&mut self) -> Result<(), DapError> {
        self.emit(EventBody::Output(OutputEventBody::new(
            "stdout",
            "12:00:01.0 (1)|USER_DEBUG|[12]|DEBUG|total=6\n",
        )));
        self.stop("breakpoint");
        Ok(())
    }
    async fn request(&mut self, args: RequestArguments) -> Result<Option<Value>, DapError> {
        use RequestArguments as R;
        let source = json!({"name": "InvoiceService.cls", "path": self.file.to_string_lossy()});
        let body = match args {
            R::SetBreakpoints(a) => {
                let bps: Vec<Value> = a
                    .breakpoints
                    .unwrap_or_default()
                    .iter()
                    .enumerate()
                    .map(|(i, b)| json!({"id": i + 1, "verified": true, "line": b.line}))
                    .collect();
                json!({ "breakpoints": bps })
            }
            R::Threads(_) => json!({"threads": [{"id": 7, "name": "Invoice request"}]}),
            R::StackTrace(_) => json!({"stackFrames": [
                {"id": 100, "name": "InvoiceService.total", "line": self.line, "column": 1, "source": source},
                {"id": 101, "name": "InvoiceService.run", "line": self.call, "column": 1, "source": source},
            ]}),
            R::Scopes(_) => {
                json!({"scopes": [{"name": "Locals", "variablesReference": 1, "expensive": false}]})
            }
            R::Variables(a) => {
                let vars = match a.variables_reference {
                    1 => vec![var("invoice", "Invoice", 2), var("count", "3", 0)],
                    2 => vec![var("lines", "List<InvoiceLine> (1)", 3)],
                    3 => vec![var("[0]", "InvoiceLine", 4)],
                    _ => vec![
                        json!({"name": "amount", "value": "12.50", "type": "Decimal", "variablesReference": 0}),
                    ],
                };
                json!({ "variables": vars })
            }
            R::Evaluate(a) if a.expression == "count * 2" => {
                json!({"result": "6", "variablesReference": 0})
            }
            R::Evaluate(a) => {
                return Err(DapError::new(
                    2000,
                    format!("Variable does not exist: {}", a.expression),
                ));
            }
            R::Next(_) => {
                self.line = self.bp2;
                self.stop("step");
                return Ok(None);
            }
            R::Continue(_) => {
                self.events
                    .as_ref()
                    .unwrap()
                    .send(BackendEvent::Ended {
                        reason: "the request finished".into(),
                    })
                    .unwrap();
                json!({"allThreadsContinued": true})
            }
            other => return Err(DapError::unknown_command(other.command())),
        };
        Ok(Some(body))
    }
    async fn shutdown(&mut self, _reason: ShutdownReason) {}
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/client_fixtures")
}

/// Runs `scenario` against a fresh scripted session.
async fn run_scripted(scenario: &Scenario) -> Result<(), Box<client::Failure>> {
    let backend = Scripted::new(&fixtures().join("InvoiceService.cls"));
    let (server, client_end) = Connection::memory();
    tokio::spawn(Session::new(server, backend).run());
    let client = Client::from_connection(client_end, transcript());
    client::run(&client, scenario).await
}

#[tokio::test]
async fn scenario_steps_cover_a_whole_debugging_session() {
    let scenario = Scenario::load(&fixtures().join("scripted.yaml")).unwrap();
    if let Err(failure) = run_scripted(&scenario).await {
        panic!("{failure}");
    }
}

#[tokio::test]
async fn failures_name_the_step_what_was_expected_and_what_came() {
    let mut scenario = Scenario::load(&fixtures().join("scripted.yaml")).unwrap();
    // Expect the wrong value for the variable.
    let index = scenario
        .steps
        .iter()
        .position(|s| matches!(s.action, client::scenario::Action::Variable(_)))
        .unwrap();
    if let client::scenario::Action::Variable(v) = &mut scenario.steps[index].action {
        v.value = Some("99.00".into());
    }
    let failure = run_scripted(&scenario).await.unwrap_err();
    assert_eq!(failure.step, index + 1);
    assert!(
        matches!(&failure.error, StepError::Mismatch { expected, actual }
        if expected == "invoice.lines[0].amount = 99.00" && actual.starts_with("invoice.lines[0].amount = 12.50")),
        "{failure}"
    );
    let report = failure.to_string();
    assert!(
        report.contains(&format!(
            "at step {} (check variable invoice.lines[0].amount)",
            index + 1
        )),
        "{report}"
    );
    assert!(report.contains("<- {"), "{report}");
}

#[tokio::test]
async fn markers_that_do_not_exist_are_scenario_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.yaml");
    let cls = fixtures().join("InvoiceService.cls");
    std::fs::write(&file, format!(
        "steps:\n  - initialize:\n  - set_breakpoints:\n      source: {}\n      breakpoints: ['#NOPE']\n",
        cls.display()
    )).unwrap();
    let scenario = Scenario::load(&file).unwrap();
    let failure = run_scripted(&scenario).await.unwrap_err();
    assert!(
        matches!(&failure.error, StepError::Scenario(m) if m.contains("marker #NOPE is not in")),
        "{failure}"
    );
}

#[test]
fn json_scenarios_load_too_and_bad_ones_say_where_to_look() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("s.json");
    std::fs::write(&good, r#"{"steps": [{"initialize": null}, {"request": {"command": "isv/x", "arguments": {"a": 1}}}]}"#).unwrap();
    assert_eq!(Scenario::load(&good).unwrap().steps.len(), 2);
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "steps:\n  - frobnicate: {}\n").unwrap();
    let err = Scenario::load(&bad).unwrap_err().to_string();
    assert!(err.contains("docs/scenarios.md"), "{err}");
}

#[test]
fn steps_with_typos_or_two_actions_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (text, wanted) in [
        ("steps:\n  - initialize:\n    nmae: x\n", "several keys"),
        ("steps:\n  - initialize:\n    threads:\n", "several keys"),
        ("steps:\n  - name: only a name\n", "no action"),
        (
            "steps:\n  - stopped: { reason: step, lines: 3 }\n",
            "unknown field `lines`",
        ),
        (
            "steps:\n  - initialize:\n    timeout_ms: soon\n",
            "whole number",
        ),
    ] {
        let path = dir.path().join("s.yaml");
        std::fs::write(&path, text).unwrap();
        let err = Scenario::load(&path).unwrap_err().to_string();
        assert!(err.contains(wanted), "{text}: {err}");
    }
}
