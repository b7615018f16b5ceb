//! The headless client: waits that fail when they must, schema checks, and
//! the scenario runner driving a scripted backend through the real session.

#[path = "client_fixtures/actors.rs"]
mod actors;
mod dap_support;
#[path = "client_fixtures/scripted.rs"]
mod scripted;

use std::sync::Arc;
use std::time::Duration;

use dap_support::schema_path;
use futures::{SinkExt, StreamExt};
use isvdbg::client::{self, Client, ClientError, Scenario, SchemaValidator, StepError, Transcript};
use isvdbg::dap::codec::Frame;
use isvdbg::dap::protocol::*;
use isvdbg::dap::{Connection, Session};
use scripted::{Scripted, fixtures};
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

/// The index of the first step of the scripted scenario that `pick` accepts.
fn step_of(scenario: &Scenario, pick: impl Fn(&client::scenario::Action) -> bool) -> usize {
    scenario.steps.iter().position(|s| pick(&s.action)).unwrap()
}

#[tokio::test]
async fn set_variable_fails_when_the_adapter_answers_another_value() {
    use client::scenario::Action;
    let mut scenario = Scenario::load(&fixtures().join("scripted.yaml")).unwrap();
    let index = step_of(&scenario, |a| matches!(a, Action::SetVariable(_)));
    if let Action::SetVariable(v) = &mut scenario.steps[index].action {
        // Without `result`, the answer must be the value sent ("2 + 2"),
        // and the backend answers "2+2".
        v.result = None;
    }
    let failure = run_scripted(&scenario).await.unwrap_err();
    assert_eq!(failure.step, index + 1);
    assert!(
        matches!(&failure.error, StepError::Mismatch { expected, actual }
        if expected == "count set to 2 + 2" && actual == "count = 2+2 (Integer)"),
        "{failure}"
    );
}

#[tokio::test]
async fn output_steps_skip_events_from_another_line() {
    use client::scenario::{Action, LineRef};
    let mut scenario = Scenario::load(&fixtures().join("scripted.yaml")).unwrap();
    let index = step_of(
        &scenario,
        |a| matches!(a, Action::Output(o) if o.line.is_some()),
    );
    scenario.steps[index].timeout_ms = Some(200);
    if let Action::Output(o) = &mut scenario.steps[index].action {
        o.line = Some(LineRef::Marker("#BP1".into()));
    }
    let failure = run_scripted(&scenario).await.unwrap_err();
    assert_eq!(failure.step, index + 1);
    let report = failure.to_string();
    assert!(
        report.contains("InvoiceService.cls at line 4"),
        "the wait names the file and line it wanted: {report}"
    );
}
