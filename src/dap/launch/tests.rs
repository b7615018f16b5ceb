//! Unit tests of the attribute values and of the tables the checks use. The
//! behaviour of `parse_launch` and `parse_attach` as a whole is tested in
//! tests/launch_config.rs.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::check::{ATTACH_ATTRIBUTES, ATTACH_NAMES, LAUNCH_ATTRIBUTES, LAUNCH_NAMES};
use super::*;

#[test]
fn request_types_parse_by_salesforce_name() {
    for (name, kind) in RequestType::NAMES.iter().zip(RequestType::ALL) {
        assert_eq!(name.parse::<RequestType>().unwrap(), *kind);
        assert_eq!(kind.to_string(), *name);
    }
}

#[test]
fn request_type_typo_suggests_the_near_name_and_lists_all() {
    let err = "EXECUTE_ANON".parse::<RequestType>().unwrap_err();
    assert!(
        err.starts_with("`EXECUTE_ANON` is not a request type; did you mean EXECUTE_ANONYMOUS?"),
        "{err}"
    );
    assert!(
        err.ends_with(&format!("allowed: {}", RequestType::NAMES.join(", "))),
        "{err}"
    );
}

#[test]
fn salesforce_request_types_the_sandbox_never_runs_are_explained() {
    let err = "VISUALFORCE".parse::<RequestType>().unwrap_err();
    assert!(err.contains("do not exist in the isvdbg sandbox"), "{err}");
    let err = "TRIGGER".parse::<RequestType>().unwrap_err();
    assert!(
        err.contains("a trigger runs inside the request whose DML fired it"),
        "{err}"
    );
}

#[test]
fn connect_type_default_is_explained() {
    let err = "DEFAULT".parse::<ConnectType>().unwrap_err();
    assert!(
        err.contains("isvdbg debugs subscriber sandboxes as the ISV Customer Debugger only"),
        "{err}"
    );
    assert!(err.ends_with("allowed: ISV_DEBUGGER"), "{err}");
}

#[test]
fn trace_forms() {
    let t = |v: Value| Trace::from_json(&v);
    assert!(t(json!(false)).unwrap().is_off());
    let all = t(json!(true)).unwrap();
    assert!(TraceTopic::ALL.iter().all(|&topic| all.is_enabled(topic)));
    assert_eq!(t(json!("all")).unwrap(), Trace::all());
    let some = t(json!(["protocol", "protocol"])).unwrap();
    assert!(some.is_enabled(TraceTopic::Protocol));
    assert!(!some.is_enabled(TraceTopic::Sandbox));
    assert_eq!(serde_json::to_value(&some).unwrap(), json!(["protocol"]));
    assert_eq!(serde_json::to_value(Trace::all()).unwrap(), json!(true));

    let (at, err) = t(json!(["protocol", "wire"])).unwrap_err();
    assert_eq!(at, "[1]");
    assert!(
        err.starts_with("`wire` is not a trace topic; allowed: protocol, sandbox, all"),
        "{err}"
    );
    let (at, err) = t(json!(1)).unwrap_err();
    assert_eq!(at, "");
    assert_eq!(
        err,
        "expected true, false, a trace topic or a list of them, found 1"
    );
}

#[test]
fn sandbox_addresses() {
    assert_eq!("embedded".parse::<Sandbox>().unwrap(), Sandbox::Embedded);
    for ok in [
        "ws://127.0.0.1:7421",
        "wss://sandbox.example.com/api",
        "ws://[::1]:7421",
        "WS://localhost",
    ] {
        assert_eq!(
            ok.parse::<Sandbox>().unwrap(),
            Sandbox::Remote(ok.into()),
            "{ok}"
        );
    }
    let err = |text: &str| text.parse::<Sandbox>().unwrap_err();
    assert_eq!(
        err("http://x"),
        "`http://x` is not a WebSocket URL; use \"embedded\" or ws://host:port"
    );
    assert!(err("local").contains("neither \"embedded\" nor a WebSocket URL"));
    assert!(err("Embedded").contains("lower case"));
    assert!(err("ws://").contains("no valid host"));
    assert!(err("ws://host:99999").contains("a port is a number from 1 to 65535"));
    assert!(err("ws://host:0").contains("a port is a number from 1 to 65535"));
    assert!(err("ws://me:secret@host:1").contains("credentials never go in launch.json"));
    assert!(err("ws://ho st").contains("spaces"));
}

#[test]
fn user_ids() {
    let id15 = "005A0000006Vm9r".parse::<UserId>().unwrap();
    // The case-safe suffix Salesforce gives this id.
    let id18 = "005A0000006Vm9rIAC".parse::<UserId>().unwrap();
    assert!(id18.matches(id15.as_str()) && id15.matches(id18.as_str()));
    assert!(!id15.matches("005A0000006VM9R"));
    assert!("005000000000001AAA".parse::<UserId>().is_ok());

    let err = |text: &str| text.parse::<UserId>().unwrap_err();
    assert!(err("005A0000006Vm9rIAD").contains("do not match the first fifteen"));
    assert!(err("001A0000006Vm9r").contains("user ids start with 005"));
    assert!(err("admin@globex.example").contains("15 or 18 letters and digits"));
}

#[test]
fn entry_point_filter_matches_the_whole_entry_point() {
    let f = ".*InvoiceService.*".parse::<EntryPointFilter>().unwrap();
    assert!(f.matches("acme.InvoiceService.recalculate()"));
    let f = "InvoiceService".parse::<EntryPointFilter>().unwrap();
    assert!(!f.matches("acme.InvoiceService.recalculate()"));
    let f = "a|b".parse::<EntryPointFilter>().unwrap();
    assert!(f.matches("a") && f.matches("b") && !f.matches("ab"));
    assert!("a)|(b".parse::<EntryPointFilter>().is_err());
    let err = "(unclosed".parse::<EntryPointFilter>().unwrap_err();
    assert!(
        err.starts_with("`(unclosed` is not a valid regular expression (unclosed group)"),
        "{err}"
    );
}

fn schema_properties(schema: &Value) -> BTreeSet<String> {
    schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

#[test]
fn check_tables_cover_exactly_the_typed_attributes() {
    let set = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<BTreeSet<_>>();
    let launch = schema_properties(&launch_schema());
    assert_eq!(set(LAUNCH_NAMES), launch);
    assert_eq!(
        set(&LAUNCH_ATTRIBUTES
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()),
        launch
    );
    let attach = schema_properties(&attach_schema());
    assert_eq!(set(ATTACH_NAMES), attach);
    assert_eq!(
        set(&ATTACH_ATTRIBUTES
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()),
        attach
    );
}

#[test]
fn client_keys_are_not_attributes() {
    for key in CLIENT_KEYS {
        assert!(
            !LAUNCH_NAMES.contains(key) && !ATTACH_NAMES.contains(key),
            "{key}"
        );
    }
}

#[test]
fn schemas_have_no_refs_and_no_null() {
    for schema in [launch_schema(), attach_schema()] {
        let text = schema.to_string();
        assert!(!text.contains("$ref") && !text.contains("$defs") && !text.contains("definitions"));
        assert!(!text.contains("\"null\""), "{text}");
        assert!(
            !text.contains("\\n"),
            "descriptions keep no line breaks: {text}"
        );
    }
}
