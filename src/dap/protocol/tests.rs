use serde_json::{Value, json};

use super::*;

fn parse(v: Value) -> ProtocolMessage {
    serde_json::from_value(v).unwrap()
}

#[test]
fn known_requests_parse_into_typed_arguments() {
    let msg = parse(json!({
        "seq": 3, "type": "request", "command": "setBreakpoints",
        "arguments": {"source": {"path": "/p/A.cls"}, "breakpoints": [{"line": 4, "condition": "x > 1"}]}
    }));
    let ProtocolMessage::Request(Request {
        seq: 3,
        command: Command::Known(RequestArguments::SetBreakpoints(args)),
    }) = msg
    else {
        panic!("not a setBreakpoints request: {msg:?}");
    };
    assert_eq!(args.source.path.as_deref(), Some("/p/A.cls"));
    assert_eq!(
        args.breakpoints.unwrap()[0].condition.as_deref(),
        Some("x > 1")
    );
}

#[test]
fn requests_without_arguments_parse() {
    for command in [
        "configurationDone",
        "threads",
        "disconnect",
        "terminate",
        "loadedSources",
        "cancel",
    ] {
        let msg = parse(json!({"seq": 1, "type": "request", "command": command}));
        match msg {
            ProtocolMessage::Request(Request {
                command: Command::Known(args),
                ..
            }) => {
                assert_eq!(args.command(), command)
            }
            other => panic!("{command} did not parse as known: {other:?}"),
        }
    }
}

#[test]
fn custom_commands_parse_with_raw_arguments() {
    let msg = parse(json!({
        "seq": 5, "type": "request", "command": "isv/runApex",
        "arguments": {"code": "System.debug(1);"}
    }));
    let ProtocolMessage::Request(Request {
        command: Command::Other { command, arguments },
        ..
    }) = msg
    else {
        panic!("custom command did not parse: {msg:?}");
    };
    assert_eq!(command, "isv/runApex");
    assert_eq!(arguments, Some(json!({"code": "System.debug(1);"})));
}

#[test]
fn known_commands_are_told_from_unknown_ones() {
    for known in [
        "initialize",
        "launch",
        "setBreakpoints",
        "stackTrace",
        "continue",
        "cancel",
    ] {
        assert!(RequestArguments::is_known(known), "{known}");
    }
    for unknown in ["isv/runApex", "frobnicate", "", "Initialize"] {
        assert!(!RequestArguments::is_known(unknown), "{unknown}");
    }
}

#[test]
fn known_command_with_bad_arguments_falls_back_to_other() {
    let msg = parse(
        json!({"seq": 2, "type": "request", "command": "stackTrace", "arguments": {"threadId": "one"}}),
    );
    assert!(matches!(
        msg,
        ProtocolMessage::Request(Request { command: Command::Other { ref command, .. }, .. }) if command == "stackTrace"
    ));
}

#[test]
fn launch_keeps_every_attribute() {
    let msg = parse(json!({
        "seq": 2, "type": "request", "command": "launch",
        "arguments": {"noDebug": false, "world": "default", "userIdFilter": ["005"]}
    }));
    let ProtocolMessage::Request(Request {
        command: Command::Known(RequestArguments::Launch(args)),
        ..
    }) = msg
    else {
        panic!("launch did not parse");
    };
    assert_eq!(args.no_debug, Some(false));
    assert_eq!(args.attributes["world"], json!("default"));
}

#[test]
fn none_fields_are_omitted_never_null() {
    let response = Response {
        seq: 1,
        request_seq: 1,
        success: true,
        command: "threads".into(),
        message: None,
        body: None,
    };
    let v = serde_json::to_value(ProtocolMessage::Response(response)).unwrap();
    assert_eq!(
        v,
        json!({"type": "response", "seq": 1, "request_seq": 1, "success": true, "command": "threads"})
    );

    let caps = serde_json::to_value(Capabilities {
        supports_configuration_done_request: Some(true),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(caps, json!({"supportsConfigurationDoneRequest": true}));

    let text = serde_json::to_string(&StackFrame {
        id: 1,
        name: "A.b".into(),
        line: 3,
        column: 1,
        ..Default::default()
    })
    .unwrap();
    assert!(!text.contains("null"), "{text}");
}

#[test]
fn events_serialise_as_the_schema_wants() {
    let event = |body| {
        serde_json::to_value(ProtocolMessage::Event(Event {
            seq: 4,
            kind: EventKind::Known(body),
        }))
        .unwrap()
    };
    assert_eq!(
        event(EventBody::Initialized),
        json!({"type": "event", "seq": 4, "event": "initialized"})
    );
    assert_eq!(
        event(EventBody::Terminated(TerminatedEventBody::default())),
        json!({"type": "event", "seq": 4, "event": "terminated", "body": {}})
    );
    assert_eq!(
        event(EventBody::Output(OutputEventBody::new("important", "hi\n"))),
        json!({"type": "event", "seq": 4, "event": "output", "body": {"category": "important", "output": "hi\n"}})
    );
    let stopped = event(EventBody::Stopped(StoppedEventBody {
        reason: "breakpoint".into(),
        thread_id: Some(1),
        hit_breakpoint_ids: Some(vec![2]),
        ..Default::default()
    }));
    assert_eq!(
        stopped["body"],
        json!({"reason": "breakpoint", "threadId": 1, "hitBreakpointIds": [2]})
    );
}

#[test]
fn events_round_trip_and_unknown_events_are_kept() {
    let v = json!({"type": "event", "seq": 9, "event": "thread", "body": {"reason": "started", "threadId": 2}});
    let msg = parse(v.clone());
    assert_eq!(serde_json::to_value(&msg).unwrap(), v);
    let custom =
        parse(json!({"type": "event", "seq": 10, "event": "isv/log", "body": {"line": "x"}}));
    let ProtocolMessage::Event(e) = custom else {
        panic!()
    };
    assert_eq!(e.name(), "isv/log");
}

#[test]
fn error_text_prefers_the_structured_error() {
    let mut r = Response {
        seq: 1,
        request_seq: 1,
        success: false,
        command: "launch".into(),
        message: Some("short".into()),
        body: Some(json!({"error": {"id": 1, "format": "long form"}})),
    };
    assert_eq!(r.error_text().as_deref(), Some("long form"));
    r.body = None;
    assert_eq!(r.error_text().as_deref(), Some("short"));
    r.success = true;
    assert_eq!(r.error_text(), None);
}

#[test]
fn typed_requests_name_their_commands() {
    use typed::Request as _;
    assert_eq!(typed::Initialize::COMMAND, "initialize");
    assert_eq!(typed::SourceRequest::COMMAND, "source");
    assert_eq!(typed::ReverseContinue::COMMAND, "reverseContinue");
}
