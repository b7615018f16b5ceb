//! `isvdbg sandbox` as a user starts it: it prints where it listens, serves
//! the API, and shuts down cleanly on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use futures::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn the_sandbox_serves_the_api_and_stops_cleanly_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_isvdbg"))
        .args(["sandbox", "--listen", "127.0.0.1:0", "--clock", "virtual"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("isvdbg runs");
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("world `default` (7 orgs)"), "{first}");
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("ws://"))
        .expect("the URL is printed")
        .to_string();
    let (mut ws, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    ws.send(Message::text("not json")).await.unwrap();
    let answer = ws.next().await.unwrap().unwrap();
    let v: serde_json::Value = serde_json::from_str(answer.to_text().unwrap()).unwrap();
    assert_eq!(v["error"]["code"], "BAD_MESSAGE", "{v}");
    ws.send(Message::text(r#"{"id": 1, "method": "clock.now"}"#))
        .await
        .unwrap();
    let answer = ws.next().await.unwrap().unwrap();
    let v: serde_json::Value = serde_json::from_str(answer.to_text().unwrap()).unwrap();
    assert_eq!(v["result"]["virtual"], true, "{v}");

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("shutting down"), "{stderr}");
}

#[test]
fn bad_options_are_refused_with_the_fix() {
    let out = Command::new(env!("CARGO_BIN_EXE_isvdbg"))
        .args(["sandbox", "--time-scale", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--time-scale must be a positive number"),
        "{stderr}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_isvdbg"))
        .args(["sandbox", "--clock", "virtual", "--time-scale", "60"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("only applies to --clock real"), "{stderr}");
}
