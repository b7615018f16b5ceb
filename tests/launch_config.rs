//! Launch and attach configurations as a client sends them: what parses (and
//! with which defaults), the message for each kind of mistake, and the
//! schemas `isvdbg dap --print-schema` prints for the VS Code extension.

use std::path::PathBuf;
use std::process::Command;

use isvdbg::dap::launch::{
    AttachConfig, ClockMode, ConfigError, ConnectType, LaunchConfig, RequestType, Sandbox,
    TraceTopic, attach_schema, launch_schema, parse_attach, parse_launch,
};
use serde_json::{Value, json};

/// What VS Code sends for a launch.json entry, plus `extra`.
fn vscode_launch(extra: Value) -> Value {
    let mut config = json!({
        "type": "apex-isv",
        "request": "launch",
        "name": "Debug Globex (Full)",
        "__sessionId": "6f1c0e52-6d0e-4c1b-9a43-4d2c6b8f7f0d",
        "__configurationTarget": 6,
        "salesforceProject": "/home/me/globex-support",
    });
    merge(&mut config, extra);
    config
}

fn merge(config: &mut Value, extra: Value) {
    for (k, v) in extra.as_object().unwrap() {
        config[k] = v.clone();
    }
}

fn launch_error(extra: Value) -> String {
    parse_launch(&vscode_launch(extra)).unwrap_err().to_string()
}

#[test]
fn minimal_launch_gets_the_documented_defaults() {
    let config = parse_launch(&vscode_launch(json!({}))).unwrap();
    assert_eq!(
        config,
        LaunchConfig {
            salesforce_project: Some(PathBuf::from("/home/me/globex-support")),
            user_id_filter: vec![],
            request_type_filter: vec![],
            entry_point_filter: None,
            connect_type: ConnectType::IsvDebugger,
            trace: Default::default(),
            sandbox: Sandbox::Embedded,
            world: None,
            subscriber_org: None,
            login_as_user: None,
            lmo_user: None,
            clock: ClockMode::Real,
            log_file: None,
        }
    );
    assert!(config.trace.is_off());
}

#[test]
fn full_launch_parses_every_attribute() {
    let config = parse_launch(&vscode_launch(json!({
        "userIdFilter": ["005A0000006Vm9r", "005A0000006Vm9rIAC"],
        "requestTypeFilter": ["EXECUTE_ANONYMOUS", "REST"],
        "entryPointFilter": ".*InvoiceService.*",
        "connectType": "ISV_DEBUGGER",
        "trace": ["protocol"],
        "sandbox": "embedded",
        "world": "fixtures/worlds/default",
        "subscriberOrg": "globex-full",
        "loginAsUser": "admin@globex.example.full",
        "lmoUser": "support@acme.example",
        "clock": "virtual",
    })))
    .unwrap();
    assert_eq!(config.user_id_filter.len(), 2);
    assert_eq!(
        config.request_type_filter,
        [RequestType::ExecuteAnonymous, RequestType::Rest]
    );
    let filter = config.entry_point_filter.as_ref().unwrap();
    assert!(filter.matches("acme.InvoiceService.recalculate(Id)"));
    assert!(
        config.trace.is_enabled(TraceTopic::Protocol)
            && !config.trace.is_enabled(TraceTopic::Sandbox)
    );
    assert_eq!(config.world, Some(PathBuf::from("fixtures/worlds/default")));
    assert_eq!(config.subscriber_org.as_deref(), Some("globex-full"));
    assert_eq!(config.clock, ClockMode::Virtual);
}

#[test]
fn launch_without_a_project_needs_org_user_and_lmo_user() {
    let headless = json!({
        "type": "apex-isv", "request": "launch", "name": "x",
        "subscriberOrg": "globex-full",
        "loginAsUser": "admin@globex.example.full",
        "lmoUser": "support@acme.example",
        "clock": "virtual",
    });
    let config = parse_launch(&headless).unwrap();
    assert_eq!(config.salesforce_project, None);

    let err = parse_launch(&json!({"subscriberOrg": "globex-full"})).unwrap_err();
    assert_eq!(err.path(), Some("salesforceProject"));
    let text = err.to_string();
    assert!(text.contains("(missing: loginAsUser, lmoUser)"), "{text}");
    assert!(text.contains("`isvdbg setup`"), "{text}");
}

#[test]
fn salesforce_style_empty_filters_mean_no_filter() {
    let config = parse_launch(&vscode_launch(json!({
        "userIdFilter": [], "requestTypeFilter": [], "entryPointFilter": "", "trace": false,
    })))
    .unwrap();
    assert!(config.entry_point_filter.is_none() && config.trace.is_off());
}

#[test]
fn vscode_keys_are_tolerated() {
    let config = parse_launch(&vscode_launch(json!({
        "noDebug": true,
        "__restart": {"reason": "x"},
        "presentation": {"group": "apex", "order": 1},
        "preLaunchTask": "deploy",
        "postDebugTask": "clean",
        "internalConsoleOptions": "openOnSessionStart",
        "debugServer": 4711,
        "suppressMultipleSessionWarning": true,
    })));
    assert!(config.is_ok(), "{config:?}");
}

#[test]
fn null_counts_as_absent() {
    let config = parse_launch(&vscode_launch(json!({"world": null, "trace": null}))).unwrap();
    assert_eq!(config.world, None);
}

#[test]
fn each_bad_attribute_is_named_with_what_is_allowed() {
    let cases = [
        (
            json!({"requestTypeFilter": ["REST", "EXECUTE_ANON"]}),
            "`requestTypeFilter[1]`: `EXECUTE_ANON` is not a request type; did you mean EXECUTE_ANONYMOUS? allowed: EXECUTE_ANONYMOUS, RUN_TESTS_SYNCHRONOUS, RUN_TESTS_ASYNCHRONOUS, QUEUEABLE, FUTURE, REST",
        ),
        (
            json!({"requestTypeFilter": "REST"}),
            "`requestTypeFilter`: expected a list of strings, found the string \"REST\"",
        ),
        (
            json!({"sandbox": "http://x"}),
            "`sandbox`: `http://x` is not a WebSocket URL; use \"embedded\" or ws://host:port",
        ),
        (
            json!({"userIdFilter": ["005A0000006Vm9r", "admin"]}),
            "`userIdFilter[1]`: `admin` is not a user id; a user id has 15 or 18 letters and digits, such as 005000000000001",
        ),
        (
            json!({"entryPointFilter": "[a-"}),
            "`entryPointFilter`: `[a-` is not a valid regular expression (unclosed character class); in JSON, escape a special character with two backslashes, as in \\\\.",
        ),
        (
            json!({"connectType": "DEFAULT"}),
            "`connectType`: `DEFAULT` is Salesforce's Apex Debugger for your own orgs; isvdbg debugs subscriber sandboxes as the ISV Customer Debugger only; allowed: ISV_DEBUGGER",
        ),
        (
            json!({"trace": ["protocol", "verbose"]}),
            "`trace[1]`: `verbose` is not a trace topic; allowed: protocol, sandbox, all",
        ),
        (
            json!({"clock": "fast"}),
            "`clock`: `fast` is not a clock mode; allowed: real, virtual",
        ),
        (
            json!({"subscriberOrg": ""}),
            "`subscriberOrg`: is empty; give a value or leave the attribute out",
        ),
        (
            json!({"salesforceProject": "${workspaceFolder}"}),
            "`salesforceProject`: `${workspaceFolder}` was not replaced: VS Code replaces such variables, other clients must send the value itself",
        ),
        (
            json!({"world": 7}),
            "`world`: expected a folder or file path, found 7",
        ),
    ];
    for (extra, message) in cases {
        assert_eq!(launch_error(extra.clone()), message, "for {extra}");
    }
}

#[test]
fn world_and_clock_need_the_embedded_sandbox() {
    let err = parse_launch(&vscode_launch(json!({
        "sandbox": "ws://127.0.0.1:7421", "world": "fixtures/worlds/default",
    })))
    .unwrap_err();
    assert_eq!(err.path(), Some("world"));
    assert_eq!(
        err.to_string(),
        "`world`: can only be used with sandbox \"embedded\"; the sandbox at ws://127.0.0.1:7421 has its own. Remove `world`, or set `sandbox` to \"embedded\""
    );
    let err = launch_error(json!({"sandbox": "wss://sb.example.com", "clock": "virtual"}));
    assert!(
        err.starts_with("`clock`: can only be used with sandbox \"embedded\""),
        "{err}"
    );
    // A remote sandbox alone is fine.
    let config = parse_launch(&vscode_launch(json!({"sandbox": "wss://sb.example.com"}))).unwrap();
    assert_eq!(
        config.sandbox,
        Sandbox::Remote("wss://sb.example.com".into())
    );
}

#[test]
fn unknown_attributes_are_named_with_a_suggestion_and_the_allowed_ones() {
    let err = parse_launch(&vscode_launch(json!({"subscribrOrg": "globex-full"}))).unwrap_err();
    assert!(matches!(&err, ConfigError::UnknownAttribute { name, .. } if name == "subscribrOrg"));
    assert_eq!(
        err.to_string(),
        "`subscribrOrg` is not a launch attribute; did you mean `subscriberOrg`? allowed: salesforceProject, userIdFilter, requestTypeFilter, entryPointFilter, connectType, trace, sandbox, world, subscriberOrg, loginAsUser, lmoUser, clock, logFile"
    );
    // The sandbox cannot stop a request at its first statement, so the
    // attribute other debuggers have is not offered.
    let err = launch_error(json!({"stopOnEntry": true}));
    assert!(
        err.starts_with("`stopOnEntry` is not a launch attribute;"),
        "{err}"
    );
    let err = launch_error(json!({"program": "x.cls"}));
    assert!(
        err.starts_with("`program` is not a launch attribute; allowed: salesforceProject,"),
        "{err}"
    );
}

#[test]
fn credentials_are_refused_whatever_their_case() {
    for key in [
        "password",
        "totpSecret",
        "totpCode",
        "token",
        "Password",
        "accessToken",
    ] {
        let err = parse_launch(&vscode_launch(json!({ key: "hunter2" }))).unwrap_err();
        assert_eq!(err, ConfigError::Credential { name: key.into() });
        let text = err.to_string();
        assert!(
            text.starts_with(&format!("`{key}` must not be in launch.json")),
            "{text}"
        );
        assert!(text.contains("`isvdbg setup`"), "{text}");
        assert!(
            text.contains("ISVDBG_PASSWORD and ISVDBG_TOTP_SECRET"),
            "{text}"
        );
        assert!(
            !text.contains("hunter2"),
            "the secret must not be echoed: {text}"
        );
    }
    // In attach configurations too.
    let err = parse_attach(&json!({"sessionId": "07aXX", "password": "x"})).unwrap_err();
    assert!(matches!(err, ConfigError::Credential { .. }));
}

#[test]
fn log_file_is_refused_until_replay_exists() {
    let err = parse_launch(&vscode_launch(json!({"logFile": "/tmp/apex.log"}))).unwrap_err();
    assert_eq!(err, ConfigError::LogReplayUnavailable);
    assert_eq!(err.path(), Some("logFile"));
    assert!(
        err.to_string()
            .starts_with("`logFile`: replaying a debug log is not available yet; remove `logFile`"),
        "{err}"
    );
}

#[test]
fn a_configuration_must_be_an_object() {
    let err = parse_launch(&json!(["sandbox"])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the launch configuration must be a JSON object, found a list"
    );
    let err = parse_attach(&json!("x")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the attach configuration must be a JSON object, found the string \"x\""
    );
}

#[test]
fn attach_joins_a_session_by_id() {
    let config = parse_attach(&json!({
        "type": "apex-isv", "request": "attach", "name": "Join",
        "sessionId": "07aGlobex0000001", "sandbox": "ws://127.0.0.1:7421", "trace": "sandbox",
    }))
    .unwrap();
    assert_eq!(
        config,
        AttachConfig {
            session_id: "07aGlobex0000001".into(),
            sandbox: Sandbox::Remote("ws://127.0.0.1:7421".into()),
            salesforce_project: None,
            trace: serde_json::from_value(json!("sandbox")).unwrap(),
        }
    );

    let err =
        parse_attach(&json!({"type": "apex-isv", "request": "attach", "name": "x"})).unwrap_err();
    assert_eq!(err.path(), Some("sessionId"));
    assert!(
        err.to_string()
            .starts_with("`sessionId`: missing; an attach joins a running debug session")
    );

    let err = parse_attach(&json!({"sessionId": "s", "world": "w"})).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`world` is a launch attribute; an attach joins a running session and takes only: sessionId, sandbox, salesforceProject, trace"
    );
    let err = parse_attach(&json!({"sessionID": "s"})).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("`sessionID` is not an attach attribute; did you mean `sessionId`?")
    );
}

fn assert_every_property_described(schema: &Value) {
    for (name, property) in schema["properties"].as_object().unwrap() {
        let description = property["description"].as_str().unwrap_or_default();
        assert!(description.len() > 20, "`{name}` has no real description");
    }
}

#[test]
fn schemas_describe_every_attribute_with_defaults_and_enums() {
    let launch = launch_schema();
    let properties = launch["properties"].as_object().unwrap();
    let names: Vec<&str> = properties.keys().map(String::as_str).collect();
    for expected in [
        "salesforceProject",
        "userIdFilter",
        "requestTypeFilter",
        "entryPointFilter",
        "connectType",
        "trace",
        "sandbox",
        "world",
        "subscriberOrg",
        "loginAsUser",
        "lmoUser",
        "clock",
        "logFile",
    ] {
        assert!(names.contains(&expected), "launch schema lacks {expected}");
    }
    assert_eq!(properties.len(), 13);
    assert_every_property_described(&launch);
    assert_eq!(
        launch["properties"]["salesforceProject"]["default"],
        "${workspaceFolder}"
    );
    assert_eq!(launch["properties"]["sandbox"]["default"], "embedded");
    assert_eq!(launch["properties"]["clock"]["default"], "real");
    assert_eq!(
        launch["properties"]["connectType"]["enum"],
        json!(["ISV_DEBUGGER"])
    );
    let types = &launch["properties"]["requestTypeFilter"]["items"];
    assert_eq!(
        types["enum"].as_array().unwrap().len(),
        RequestType::ALL.len()
    );
    assert_eq!(
        types["enumDescriptions"].as_array().unwrap().len(),
        RequestType::ALL.len()
    );
    assert!(launch.get("required").is_none());

    let attach = attach_schema();
    assert_every_property_described(&attach);
    assert_eq!(attach["required"], json!(["sessionId"]));
}

/// The schema as VS Code applies it: its own keys added, the object closed.
fn as_vscode_applies(schema: &Value) -> Value {
    let mut schema = schema.clone();
    for key in [
        "type",
        "request",
        "name",
        "__sessionId",
        "__configurationTarget",
    ] {
        schema["properties"][key] = json!({});
    }
    schema["additionalProperties"] = json!(false);
    schema
}

#[test]
fn what_parses_validates_against_the_schema_and_typos_do_not() {
    let launch = jsonschema::validator_for(&as_vscode_applies(&launch_schema())).unwrap();
    let good = vscode_launch(json!({
        "userIdFilter": ["005A0000006Vm9r"], "requestTypeFilter": ["FUTURE"],
        "trace": ["protocol"], "sandbox": "ws://127.0.0.1:7421",
    }));
    parse_launch(&good).unwrap();
    assert!(launch.is_valid(&good));
    for bad in [
        json!({"requestTypeFilter": ["EXECUTE_ANON"]}),
        json!({"sandbox": "http://x"}),
        json!({"userIdFilter": ["admin"]}),
        json!({"stopOnEntri": true}),
        json!({"stopOnEntry": true}),
        json!({"clock": "fast"}),
    ] {
        let config = vscode_launch(bad.clone());
        assert!(parse_launch(&config).is_err(), "{bad}");
        assert!(!launch.is_valid(&config), "the schema lets {bad} through");
    }
    let attach = jsonschema::validator_for(&as_vscode_applies(&attach_schema())).unwrap();
    assert!(attach.is_valid(
        &json!({"type": "apex-isv", "request": "attach", "name": "x", "sessionId": "s"})
    ));
    assert!(!attach.is_valid(&json!({"type": "apex-isv", "request": "attach", "name": "x"})));
}

#[test]
fn print_schema_prints_both_schemas() {
    let out = Command::new(env!("CARGO_BIN_EXE_isvdbg"))
        .args(["dap", "--print-schema"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        printed,
        json!({"launch": launch_schema(), "attach": attach_schema()})
    );
}
