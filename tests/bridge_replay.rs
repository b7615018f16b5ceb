//! The DAP bridge without the Apex VM: `isvdbg dap` talks to a replay sandbox
//! (`isvdbg::bridge::replay`) that answers from a recorded sandbox
//! transcript, and what the bridge says on the DAP side must match the DAP
//! transcript recorded with it. Both live in `fixtures/transcripts/bridge/`.
//!
//! `UPDATE_TRANSCRIPTS=1 cargo test --test bridge_replay` records them again:
//! `isvdbg sandbox --clock virtual --record` serves the default world, and
//! the scenario of `fixtures/transcripts/scenarios/` runs against it through
//! `isvdbg dap` with `sandbox` set to its URL.

mod transcripts_support;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use isvdbg::bridge::client::SandboxClient;
use isvdbg::bridge::replay::ReplaySandbox;
use isvdbg::client::Scenario;
use isvdbg::client::replay::{self, Adapter, Options, Play, Recording};
use isvdbg::client::scenario::Action;
use transcripts_support::*;

/// The LMO users of the default world the clients log in as (fixture
/// credentials, not secrets): client 1 is Sam, client 2 Jordan.
const ENGINEERS: [(&str, &str); 2] = [
    ("demo-password-1", "HSLYWIK65KNHTIEUCCNQH2GWPBBI2OZR"),
    ("demo-password-2", "723XRCWWRR4WLI64EY52EJW65WCWHPID"),
];

fn adapter() -> Adapter {
    let mut conn_env = HashMap::new();
    for (i, (password, totp)) in ENGINEERS.iter().enumerate() {
        conn_env.insert(
            i as u32 + 1,
            vec![
                ("ISVDBG_PASSWORD".to_owned(), password.to_string()),
                ("ISVDBG_TOTP_SECRET".to_owned(), totp.to_string()),
            ],
        );
    }
    Adapter {
        program: BIN.into(),
        args: vec!["dap".into()],
        conn_env,
        ..Adapter::default()
    }
}

fn files(name: &str) -> (PathBuf, PathBuf) {
    let dir = transcripts().join("bridge");
    (
        dir.join(format!("{name}.dap.jsonl")),
        dir.join(format!("{name}.sandbox.jsonl")),
    )
}

/// Starts `isvdbg sandbox` on a free port, recording to `record` when given.
fn start_sandbox(record: Option<&Path>) -> (Child, String) {
    let mut cmd = Command::new(BIN);
    cmd.args(["sandbox", "--clock", "virtual", "--listen", "127.0.0.1:0"]);
    if let Some(path) = record {
        cmd.arg("--record").arg(path);
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .expect("isvdbg sandbox starts");
    let mut banner = String::new();
    BufReader::new(child.stdout.take().expect("stdout is piped"))
        .read_line(&mut banner)
        .expect("the sandbox prints its banner");
    let url = banner
        .split_whitespace()
        .find(|w| w.starts_with("ws://"))
        .unwrap_or_else(|| panic!("no ws:// URL in the sandbox's banner: {banner}"))
        .to_owned();
    (child, url)
}

/// The scenario's parts, launching against the sandbox at `url`.
fn parts_for(name: &str, url: &str) -> Vec<(u32, Scenario)> {
    let dir = transcripts().join("scenarios");
    let play = dir.join(format!("{name}.play.yaml"));
    let mut parts = if play.is_file() {
        Play::load(&play)
            .and_then(|p| p.scenarios(&play))
            .unwrap_or_else(|e| panic!("{e}"))
    } else {
        vec![(
            1,
            Scenario::load(&dir.join(format!("{name}.yaml"))).unwrap_or_else(|e| panic!("{e}")),
        )]
    };
    for (_, scenario) in &mut parts {
        for step in &mut scenario.steps {
            if let Action::Launch(Some(call)) = &mut step.action
                && let Some(Value::Object(args)) = &mut call.arguments
            {
                // The clock is the remote sandbox's own.
                args.remove("clock");
                args.insert("sandbox".into(), json!(url));
            }
        }
    }
    parts
}

fn record(name: &str) {
    let (dap, sandbox) = files(name);
    let pid = std::process::id();
    let raw_dap = std::env::temp_dir().join(format!("isvdbg-bridge-{pid}-{name}.dap.jsonl"));
    let raw_sandbox =
        std::env::temp_dir().join(format!("isvdbg-bridge-{pid}-{name}.sandbox.jsonl"));
    let (mut child, url) = start_sandbox(Some(&raw_sandbox));
    let parts = parts_for(name, &url);
    let schema = schema_path().map(|p| {
        std::sync::Arc::new(isvdbg::client::SchemaValidator::load(&p).expect("the schema loads"))
    });
    let options = Options::for_repo(&repo());
    let recorded = runtime().block_on(replay::record(
        &parts,
        &adapter(),
        &options,
        schema,
        &raw_dap,
    ));
    let _ = child.kill();
    let _ = child.wait();
    if let Err(e) = recorded {
        panic!(
            "the scenario {name} failed against `isvdbg sandbox`, so it cannot be recorded:\n{e}"
        );
    }
    // `ws://127.0.0.1:PORT/` is stored as `<sandbox>/`.
    let base = url.trim_end_matches('/').to_owned();
    store(&raw_dap, &dap, &[(base, "<sandbox>")]);
    store(&raw_sandbox, &sandbox, &[]);
    let _ = std::fs::remove_file(raw_dap);
    let _ = std::fs::remove_file(raw_sandbox);
}

fn check(name: &str) {
    if updating() {
        record(name);
    }
    let (dap, sandbox) = files(name);
    let rerecord = format!(
        "UPDATE_TRANSCRIPTS=1 cargo test --test bridge_replay {}",
        name.replace('-', "_")
    );
    let load =
        |p: &Path| Recording::load(p).unwrap_or_else(|e| panic!("{e}; record it with {rerecord}"));
    let (dap_recording, sandbox_recording) = (load(&dap), load(&sandbox));
    let rt = runtime();
    let (outcome, options, problems) = rt.block_on(async {
        let mut options = Options::for_repo(&repo());
        let fake = ReplaySandbox::start(&sandbox_recording, options.normalizer.clone())
            .await
            .expect("the replay sandbox starts");
        let base = fake.url.trim_end_matches('/').to_owned();
        options.normalizer.add_path(&base, "<sandbox>");
        options.placeholders.push(("<sandbox>".into(), base));
        let outcome = replay::replay(&dap_recording, &adapter(), &options).await;
        (outcome, options, fake.finish())
    });
    assert!(
        problems.is_empty(),
        "the bridge's calls to the sandbox differ from fixtures/transcripts/bridge/{name}.sandbox.jsonl:\n- {}\n\
         If today's calls are the right ones, record again: {rerecord}",
        problems.join("\n- ")
    );
    assert_same(
        &format!("fixtures/transcripts/bridge/{name}.dap.jsonl"),
        &outcome,
        &options,
        &rerecord,
    );
}

#[test]
fn tax_bug_hunt() {
    check("tax-bug-hunt");
}

#[test]
fn production_refused() {
    check("production-refused");
}

#[test]
fn disconnect_resumes() {
    check("disconnect-resumes");
    // What the DAP side cannot see: the client's disconnect, with a request
    // paused, makes the bridge stop the session, and the sandbox ends it by
    // resuming its paused requests.
    let (_, sandbox) = files("disconnect-resumes");
    let recording = Recording::load(&sandbox).expect("the recording loads");
    let messages: Vec<&Value> = recording.entries.iter().map(|e| &e.msg).collect();
    let paused = messages
        .iter()
        .position(|m| m["event"] == "Stopped")
        .expect("the request stops");
    let stop = messages
        .iter()
        .position(|m| m["method"] == "debug.stop")
        .expect("the bridge stops the session when the client disconnects");
    assert!(paused < stop);
    assert!(
        messages[paused..stop]
            .iter()
            .all(|m| m["event"] != "Resumed"),
        "nothing resumed the request before the disconnect"
    );
    let ended = messages[stop..]
        .iter()
        .find(|m| m["event"] == "SessionTerminated")
        .expect("the session ends");
    assert_eq!(ended["body"]["code"], "STOPPED");
    assert!(
        ended["body"]["message"]
            .as_str()
            .is_some_and(|t| t.contains("paused requests were resumed")),
        "{ended}"
    );
}

#[test]
fn second_session_refused() {
    check("second-session-refused");
}

#[test]
fn the_sandbox_records_every_call_answer_and_event() {
    let path = std::env::temp_dir().join(format!("isvdbg-record-{}.jsonl", std::process::id()));
    let (mut child, url) = start_sandbox(Some(&path));
    runtime().block_on(async {
        let (client, _events) = SandboxClient::connect_ws(&url).await.expect("connects");
        client
            .call("clock.now", json!({}))
            .await
            .expect("clock.now answers");
        let refused = client.call("debug.start", json!({})).await.unwrap_err();
        assert_eq!(refused.code, "NOT_LOGGED_IN");
    });
    let _ = child.kill();
    let _ = child.wait();
    let recording = Recording::load(&path).expect("the recording loads");
    let _ = std::fs::remove_file(&path);
    let lines: Vec<(u32, &str, &Value)> = recording
        .entries
        .iter()
        .map(|e| (e.conn, e.dir.as_str(), &e.msg))
        .collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert_eq!((lines[0].0, lines[0].1), (1, "send"));
    assert_eq!(lines[0].2["method"], "clock.now");
    assert_eq!((lines[1].1, &lines[1].2["id"]), ("recv", &lines[0].2["id"]));
    assert_eq!(lines[1].2["result"]["now"], "2024-05-20T16:00:00Z");
    assert_eq!(lines[3].2["error"]["code"], "NOT_LOGGED_IN");
}
