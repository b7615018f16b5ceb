use serde_json::json;

use super::*;

fn config() -> LaunchConfig {
    LaunchConfig::isv(
        "Globex Corp (Full Sandbox)",
        "globex-full",
        "admin@globex.example.full",
        "support@acme.example",
        &SandboxRef::Url("ws://127.0.0.1:7070/".into()),
    )
}

fn parsed(text: &str) -> Value {
    jsonc::parse(text).unwrap().to_value()
}

fn ours() -> Value {
    json!({
        "name": "Debug Apex (ISV) — Globex Corp (Full Sandbox)",
        "type": "apex-isv",
        "request": "launch",
        "salesforceProject": "${workspaceFolder}",
        "subscriberOrg": "globex-full",
        "loginAsUser": "admin@globex.example.full",
        "lmoUser": "support@acme.example",
        "sandbox": "ws://127.0.0.1:7070/"
    })
}

#[test]
fn a_missing_file_becomes_a_new_launch_json() {
    let m = merge(None, &config()).unwrap();
    assert_eq!(m.outcome, Outcome::Created);
    assert_eq!(
        parsed(&m.text),
        json!({"version": "0.2.0", "configurations": [ours()]})
    );
    let name_at = m.text.find("\"name\"").unwrap();
    assert!(
        name_at < m.text.find("\"type\"").unwrap(),
        "keys keep their order"
    );
    assert_eq!(
        merge(Some(&m.text), &config()).unwrap().outcome,
        Outcome::Unchanged
    );
}

#[test]
fn the_embedded_sandbox_names_the_world() {
    let c = LaunchConfig::isv(
        "Globex",
        "globex-full",
        "a@b",
        "s@acme",
        &SandboxRef::Embedded {
            world: Some("/w/default".into()),
        },
    );
    let v = parsed(&merge(None, &c).unwrap().text);
    assert_eq!(v["configurations"][0]["sandbox"], "embedded");
    assert_eq!(v["configurations"][0]["world"], "/w/default");
    let default = LaunchConfig::isv("G", "g", "a", "s", &SandboxRef::Embedded { world: None });
    assert_eq!(default.get("sandbox"), Some(&Value::from("embedded")));
    assert_eq!(default.get("world"), None);
}

const USERS_FILE: &str = r#"{
  // My own settings: do not touch.
  "version": "0.2.0",
  "configurations": [
    {
      "name": "Node: current file", /* mine */
      "type": "node",
      "request": "launch",
    }, // trailing comma above and here
  ],
  "compounds": []
}
"#;

#[test]
fn a_new_configuration_goes_after_the_users_own_and_keeps_their_comments() {
    let m = merge(Some(USERS_FILE), &config()).unwrap();
    assert_eq!(m.outcome, Outcome::Added);
    assert!(
        m.text
            .starts_with(&USERS_FILE[..USERS_FILE.find("// trailing").unwrap()])
    );
    for kept in [
        "// My own settings",
        "/* mine */",
        "// trailing comma above",
    ] {
        assert!(m.text.contains(kept), "{kept} lost:\n{}", m.text);
    }
    let v = parsed(&m.text);
    assert_eq!(v["configurations"][0]["name"], "Node: current file");
    assert_eq!(v["configurations"][1], ours());
    assert_eq!(v["compounds"], json!([]));
    assert!(
        m.text
            .contains("\n    {\n      \"name\": \"Debug Apex (ISV)"),
        "indented like its neighbours:\n{}",
        m.text
    );
    assert_eq!(
        merge(Some(&m.text), &config()).unwrap().outcome,
        Outcome::Unchanged
    );
}

#[test]
fn a_rerun_fills_only_missing_keys_and_keeps_the_users_edits() {
    let first = merge(None, &config()).unwrap().text;
    let edited = first
        .replace(
            "\"loginAsUser\": \"admin@globex.example.full\"",
            "\"loginAsUser\": \"ops@globex.example.full\", // switched\n            \"userIdFilter\": [\"005A\"]",
        )
        .replace("\"lmoUser\": \"support@acme.example\",\n", "");
    let m = merge(Some(&edited), &config()).unwrap();
    assert_eq!(m.outcome, Outcome::Filled(vec!["lmoUser".into()]));
    assert_eq!(
        m.kept,
        vec![Kept {
            key: "loginAsUser".into(),
            yours: "ops@globex.example.full".into(),
            ours: "admin@globex.example.full".into(),
        }]
    );
    let c = &parsed(&m.text)["configurations"][0];
    assert_eq!(c["loginAsUser"], "ops@globex.example.full");
    assert_eq!(c["userIdFilter"], json!(["005A"]));
    assert_eq!(c["lmoUser"], "support@acme.example");
    assert!(m.text.contains("// switched"));
    let keys: Vec<&str> = ["\"name\"", "\"userIdFilter\"", "\"sandbox\"", "\"lmoUser\""]
        .into_iter()
        .filter(|k| m.text.contains(k))
        .collect();
    assert_eq!(keys.len(), 4);
    let at = |k: &str| m.text.find(k).unwrap();
    assert!(at("\"name\"") < at("\"userIdFilter\""));
    assert!(at("\"sandbox\"") < at("\"lmoUser\""), "filled keys go last");
}

#[test]
fn a_line_comment_after_the_last_member_stays_on_its_line() {
    let text = "{\n  \"configurations\": [\n    {\"name\": \"Debug Apex (ISV) — Globex Corp (Full Sandbox)\"} // ours\n  ]\n}";
    let m = merge(Some(text), &config()).unwrap();
    assert!(m.text.contains("// ours"), "{}", m.text);
    assert_eq!(parsed(&m.text)["configurations"][0], ours());
    assert_eq!(
        parsed(&m.text)["configurations"].as_array().unwrap().len(),
        1
    );
}

#[test]
fn configurations_are_added_when_absent_or_empty() {
    for text in [
        "{\"version\": \"0.2.0\"}",
        "{}",
        "{\n    \"configurations\": []\n}",
        "{\"configurations\": [\n  // none yet\n]}",
    ] {
        let m = merge(Some(text), &config()).unwrap();
        assert_eq!(m.outcome, Outcome::Added, "{text}");
        assert_eq!(
            parsed(&m.text)["configurations"],
            json!([ours()]),
            "{}",
            m.text
        );
    }
}

#[test]
fn windows_line_ends_stay_windows_line_ends() {
    let text = "{\r\n  \"configurations\": [\r\n    {\"name\": \"x\"}\r\n  ]\r\n}\r\n";
    let m = merge(Some(text), &config()).unwrap();
    assert!(!m.text.replace("\r\n", "").contains('\n'), "{:?}", m.text);
    assert_eq!(parsed(&m.text)["configurations"][1], ours());
}

#[test]
fn a_comment_only_file_keeps_its_comments() {
    let m = merge(Some("// launch configurations\n"), &config()).unwrap();
    assert_eq!(m.outcome, Outcome::Created);
    assert!(m.text.starts_with("// launch configurations\n{"));
    assert_eq!(parsed(&m.text)["configurations"], json!([ours()]));
}

#[test]
fn a_broken_file_is_refused_not_overwritten() {
    let e = merge(Some("{\"configurations\": [ {\"name\": }"), &config()).unwrap_err();
    assert!(matches!(e, LaunchError::Unreadable(_)));
    assert!(e.to_string().contains("left unchanged"), "{e}");
    assert!(matches!(
        merge(Some("[]"), &config()).unwrap_err(),
        LaunchError::NotAnObject
    ));
    assert!(matches!(
        merge(Some("{\"configurations\": {}}"), &config()).unwrap_err(),
        LaunchError::ConfigurationsNotAList
    ));
}

#[test]
fn no_secret_is_ever_written() {
    let text = merge(None, &config()).unwrap().text.to_lowercase();
    for secret in ["password", "token", "totp", "secret"] {
        assert!(!text.contains(secret), "{secret} in launch.json");
    }
}
