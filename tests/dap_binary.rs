//! The real `isvdbg` binary: stdio hygiene, and the handshake scenario over
//! stdio and TCP through `isvdbg client --schema`.

mod dap_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use dap_support::schema_path;
use isvdbg::dap::codec::frame_bytes;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_isvdbg");

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn scenario(name: &str) -> PathBuf {
    repo().join("tests/scenarios").join(name)
}

fn req(seq: i64, command: &str, arguments: Value) -> Vec<u8> {
    let msg = json!({"seq": seq, "type": "request", "command": command, "arguments": arguments});
    frame_bytes(msg.to_string().as_bytes())
}

/// Splits `out` into frames; panics on any byte that is not part of a frame.
fn strict_frames(mut out: &[u8]) -> Vec<Value> {
    let mut frames = Vec::new();
    while !out.is_empty() {
        let header_end = out
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("stray bytes on stdout: {:?}", String::from_utf8_lossy(out)));
        let header = std::str::from_utf8(&out[..header_end]).unwrap();
        let len: usize = header
            .strip_prefix("Content-Length: ")
            .unwrap_or_else(|| panic!("not a frame header on stdout: {header:?}"))
            .parse()
            .unwrap();
        let body = &out[header_end + 4..header_end + 4 + len];
        frames.push(serde_json::from_slice(body).expect("each body is JSON"));
        out = &out[header_end + 4 + len..];
    }
    frames
}

#[test]
fn stdout_in_stdio_mode_holds_nothing_but_frames() {
    let mut child = Command::new(BIN)
        .args(["--log", "debug", "dap"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = Vec::new();
    input.extend(b"Content-Length: nope\r\n\r\n");
    input.extend(frame_bytes(b"{not json"));
    input.extend(req(1, "frobnicate", json!({})));
    input.extend(req(2, "initialize", json!({"adapterID": "apex-isv"})));
    input.extend(req(3, "launch", json!({})));
    input.extend(req(4, "threads", json!({})));
    input.extend(req(5, "disconnect", json!({})));
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "exit status {:?}", out.status);
    let frames = strict_frames(&out.stdout);
    let responses: Vec<(i64, bool)> = frames
        .iter()
        .filter(|f| f["type"] == "response")
        .map(|f| {
            (
                f["request_seq"].as_i64().unwrap(),
                f["success"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        responses,
        vec![(1, false), (2, true), (3, false), (4, true), (5, true)]
    );
    // Logging was on, and went to stderr.
    assert!(!out.stderr.is_empty(), "debug logs should reach stderr");
}

#[test]
fn log_file_gets_the_logs_the_origin_refusal_and_the_protocol_trace() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("adapter.log");
    let mut child = Command::new(BIN)
        .args(["--log-file"])
        .arg(&log)
        .arg("dap")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let body = json!({"seq": 1, "type": "request", "command": "initialize"}).to_string();
    let mut input = format!(
        "Origin: http://evil.example\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes();
    input.extend(req(2, "initialize", json!({"adapterID": "apex-isv"})));
    // Refused (the clock is not a mode), but the trace is on from here.
    input.extend(req(
        3,
        "launch",
        json!({"trace": "protocol", "clock": "sideways"}),
    ));
    input.extend(req(4, "threads", json!({})));
    input.extend(req(5, "disconnect", json!({})));
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "exit status {:?}", out.status);
    let seqs: Vec<i64> = strict_frames(&out.stdout)
        .iter()
        .filter_map(|f| f["request_seq"].as_i64())
        .collect();
    assert_eq!(seqs, vec![2, 3, 4, 5], "the refused frame is not answered");
    assert!(out.stderr.is_empty(), "logs went to the file, not stderr");

    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines.iter().any(|l| l.contains("WARN")
            && l.contains("refused a message with an Origin header (http://evil.example)")),
        "{text}"
    );
    let traced = |needles: &[&str]| {
        lines
            .iter()
            .any(|l| l.contains("isvdbg::trace::protocol") && needles.iter().all(|n| l.contains(n)))
    };
    assert!(
        traced(&["<- {", r#""command":"threads""#, r#""seq":4"#]),
        "{text}"
    );
    assert!(traced(&["-> {", r#""request_seq":4"#]), "{text}");
    assert!(
        !traced(&[r#""command":"initialize""#]),
        "no trace before the launch: {text}"
    );
}

fn run_client(args: &[&str]) -> Output {
    Command::new(BIN).arg("client").args(args).output().unwrap()
}

fn assert_passed(out: &Output) {
    assert!(
        out.status.success(),
        "client failed\nstdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `--schema FILE` when a schema is available.
fn schema_args() -> Vec<String> {
    match schema_path() {
        Some(p) => vec!["--schema".into(), p.to_string_lossy().into_owned()],
        None => vec![],
    }
}

#[test]
fn handshake_scenario_passes_over_stdio() {
    let path = scenario("handshake.yaml");
    let mut args = vec![path.to_str().unwrap().to_owned()];
    args.extend(schema_args());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run_client(&args);
    assert_passed(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 passed, 0 failed"));
}

/// `isvdbg dap --port 0`, and the port it picked.
fn start_tcp_server() -> (Child, u16) {
    let mut child = Command::new(BIN)
        .args(["dap", "--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let port = loop {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "the server exited before listening"
        );
        if let Some(addr) = line.trim().strip_prefix("isvdbg dap: listening on ") {
            break addr.rsplit(':').next().unwrap().parse().unwrap();
        }
    };
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut stderr, &mut std::io::sink());
    });
    (child, port)
}

#[test]
fn handshake_scenario_passes_over_tcp_with_sessions_in_parallel() {
    let (mut server, port) = start_tcp_server();
    let port = port.to_string();
    let path = scenario("handshake.yaml");
    let mut args = vec![path.to_str().unwrap().to_owned(), "--port".into(), port];
    args.extend(schema_args());
    // Three clients at once: each connection is its own session.
    let runs: Vec<_> = (0..3)
        .map(|_| {
            let args = args.clone();
            std::thread::spawn(move || {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                run_client(&args)
            })
        })
        .collect();
    for run in runs {
        assert_passed(&run.join().unwrap());
    }
    // The server outlives its sessions.
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_passed(&run_client(&args));
    server.kill().unwrap();
    server.wait().unwrap();
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_failed_expectation_exits_non_zero_with_a_readable_report() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "bad.yaml",
        "steps:\n  - initialize:\n  - name: threads are listed\n    threads:\n      expect:\n        body:\n          threads[0].name: main\n",
    );
    let out = run_client(&[path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(report.contains("step 2 (threads are listed)"), "{report}");
    assert!(
        report.contains("expected: body.threads[0].name = \"main\""),
        "{report}"
    );
    assert!(
        report.contains("got:      body.threads[0].name = (missing)"),
        "{report}"
    );
    assert!(report.contains("last 5 messages"), "{report}");
    assert!(
        report.contains(r#"-> {"arguments":{},"command":"threads""#),
        "{report}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 passed, 1 failed"));
}

#[test]
fn record_writes_every_message_as_a_json_line() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("transcript.jsonl");
    let path = scenario("handshake.yaml");
    let out = run_client(&[path.to_str().unwrap(), "--record", record.to_str().unwrap()]);
    assert_passed(&out);
    let mut text = String::new();
    std::fs::File::open(&record)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let dirs: Vec<&str> = lines.iter().map(|l| l["dir"].as_str().unwrap()).collect();
    assert_eq!(
        dirs,
        [
            "send", "recv", "recv", "send", "recv", "send", "recv", "send", "recv"
        ]
    );
    assert_eq!(lines[0]["msg"]["command"], "initialize");
    assert_eq!(lines[2]["msg"]["event"], "initialized");
}

#[test]
fn an_adapter_command_can_be_given() {
    let path = scenario("handshake.yaml");
    let out = run_client(&[
        path.to_str().unwrap(),
        "--adapter",
        BIN,
        "--log",
        "warn",
        "dap",
    ]);
    assert_passed(&out);
}

#[test]
fn help_lists_each_subcommand_on_one_line() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for sub in ["dap", "client"] {
        assert!(
            help.lines()
                .any(|l| l.trim_start().starts_with(sub) && l.len() > sub.len() + 10),
            "{sub} missing from:\n{help}"
        );
    }
}
