use serde_json::json;

use super::*;
use crate::bridge::client::SandboxClient;

fn recording(lines: &[Value]) -> Recording {
    let text: Vec<String> = lines.iter().map(Value::to_string).collect();
    Recording::parse(&text.join("\n")).expect("a valid recording")
}

/// Fails instead of hanging when an answer never comes.
async fn within<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(std::time::Duration::from_secs(10), f)
        .await
        .expect("the replay sandbox answered in time")
}

fn normalizer() -> Normalizer {
    Normalizer::new(std::path::Path::new("/nowhere"))
}

#[tokio::test]
async fn answers_calls_with_their_ids_and_pushes_the_events_recorded_after_them() {
    let rec = recording(&[
        json!({"conn": 1, "dir": "send", "msg": {"id": 1, "method": "clock.now", "params": {}}}),
        json!({"conn": 1, "dir": "recv", "msg": {"id": 1, "result": {"now": "2024-05-20T16:00:00Z"}}}),
        json!({"conn": 1, "dir": "send", "msg": {"id": 2, "method": "auth.login", "params": {"username": "u", "code": "123456"}}}),
        json!({"conn": 1, "dir": "recv", "msg": {"event": "SessionTimers", "body": {"sessionId": "2"}}}),
        json!({"conn": 1, "dir": "recv", "msg": {"id": 2, "result": {"token": "t"}}}),
    ]);
    let sandbox = ReplaySandbox::start(&rec, normalizer()).await.unwrap();
    let (client, mut events) = within(SandboxClient::connect_ws(&sandbox.url))
        .await
        .unwrap();
    let now = within(client.call("clock.now", json!({}))).await.unwrap();
    assert_eq!(now["now"], "2024-05-20T16:00:00Z");
    // Another TOTP code than recorded is the same call.
    let login = within(client.call("auth.login", json!({"username": "u", "code": "654321"})))
        .await
        .unwrap();
    assert_eq!(login["token"], "t");
    assert_eq!(within(events.recv()).await.unwrap().name, "SessionTimers");
    assert_eq!(sandbox.finish(), Vec::<String>::new());
}

#[tokio::test]
async fn a_call_the_recording_lacks_fails_loudly_with_what_was_expected() {
    let rec = recording(&[
        json!({"conn": 1, "dir": "send", "msg": {"id": 1, "method": "debug.stack", "params": {"requestId": "4"}}}),
        json!({"conn": 1, "dir": "recv", "msg": {"id": 1, "result": {"frames": []}}}),
    ]);
    let sandbox = ReplaySandbox::start(&rec, normalizer()).await.unwrap();
    let (client, _events) = within(SandboxClient::connect_ws(&sandbox.url))
        .await
        .unwrap();
    let err = within(client.call("debug.stack", json!({"requestId": "5"})))
        .await
        .unwrap_err();
    assert_eq!(err.code, REPLAY_MISMATCH);
    assert!(
        err.message
            .contains(r#"has no call `debug.stack` {"requestId":"5"}"#),
        "{}",
        err.message
    );
    assert!(
        err.message
            .contains(r#"expects next are: `debug.stack` {"requestId":"4"}"#),
        "{}",
        err.message
    );
    let problems = sandbox.finish();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[1].contains("never made these recorded calls"),
        "{problems:?}"
    );
}

#[tokio::test]
async fn calls_made_in_another_order_get_their_own_answers() {
    let rec = recording(&[
        json!({"conn": 1, "dir": "send", "msg": {"id": 7, "method": "apex.run", "params": {"code": "x"}}}),
        json!({"conn": 1, "dir": "send", "msg": {"id": 8, "method": "clock.now", "params": {}}}),
        json!({"conn": 1, "dir": "recv", "msg": {"id": 8, "result": {"now": "t"}}}),
        json!({"conn": 1, "dir": "recv", "msg": {"id": 7, "result": {"requestId": "3"}}}),
    ]);
    let sandbox = ReplaySandbox::start(&rec, normalizer()).await.unwrap();
    let (client, _events) = within(SandboxClient::connect_ws(&sandbox.url))
        .await
        .unwrap();
    let now = within(client.call("clock.now", json!({}))).await.unwrap();
    assert_eq!(now["now"], "t");
    let run = within(client.call("apex.run", json!({"code": "x"})))
        .await
        .unwrap();
    assert_eq!(run["requestId"], "3");
    assert_eq!(sandbox.finish(), Vec::<String>::new());
}

#[tokio::test]
async fn each_connection_plays_its_own_part() {
    let rec = recording(&[
        json!({"conn": 1, "dir": "send", "msg": {"id": 1, "method": "debug.start", "params": {}}}),
        json!({"conn": 1, "dir": "recv", "msg": {"id": 1, "result": {"sessionId": "2"}}}),
        json!({"conn": 2, "dir": "send", "msg": {"id": 1, "method": "debug.start", "params": {}}}),
        json!({"conn": 2, "dir": "recv", "msg": {"id": 1, "error": {"code": "SESSION_IN_USE", "message": "taken"}}}),
    ]);
    let sandbox = ReplaySandbox::start(&rec, normalizer()).await.unwrap();
    let (first, _e1) = within(SandboxClient::connect_ws(&sandbox.url))
        .await
        .unwrap();
    assert_eq!(
        within(first.call("debug.start", json!({}))).await.unwrap()["sessionId"],
        "2"
    );
    let (second, _e2) = within(SandboxClient::connect_ws(&sandbox.url))
        .await
        .unwrap();
    let refused = within(second.call("debug.start", json!({})))
        .await
        .unwrap_err();
    assert_eq!(refused.code, "SESSION_IN_USE");
    let (third, _e3) = within(SandboxClient::connect_ws(&sandbox.url))
        .await
        .unwrap();
    // The recording has no third connection: the sandbox closes it.
    let lost = within(third.call("clock.now", json!({})))
        .await
        .unwrap_err();
    assert_eq!(lost.code, crate::bridge::client::CONNECTION_LOST);
    let problems = sandbox.finish();
    assert_eq!(
        problems,
        vec!["connection 3 was opened, and the recording has 2".to_owned()]
    );
}
