//! Debugger round trips through the whole stack: the headless client sends
//! DAP over stdio to the release `isvdbg dap`, whose bridge drives its
//! embedded sandbox and the Apex VM. Each operation runs N times (default
//! 1000, `BENCH_N` to change) on a request stopped in a loop:
//!
//! - `continue` until the breakpoint in the loop is hit again (`stopped`);
//! - `next` until the step has stopped;
//! - `stackTrace` + `scopes` + `variables` (the Locals) in sequence, right
//!   after a stop (so nothing is cached from an earlier one).
//!
//! Budget: 0.3 ms median each. When `lldb-dap` is on PATH the same work runs
//! against it on a C loop, side by side; otherwise a note says it was skipped.
//!
//! Run with `cargo bench --bench dap_stack`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use isvdbg::client::{Client, Transcript};
use serde_json::{Value, json};

const BUDGET: Duration = Duration::from_micros(300);
const WAIT: Duration = Duration::from_secs(60);

/// An adapter to measure, stopped at a breakpoint in a loop.
struct Target {
    name: &'static str,
    client: Client,
    thread: i64,
}

async fn call(client: &Client, command: &str, args: Value) -> Value {
    let r = client
        .request_raw(command, Some(args))
        .await
        .unwrap_or_else(|e| panic!("{command}: {e}"));
    assert!(r.success, "{command} failed: {:?}", r.error_text());
    r.body.unwrap_or(Value::Null)
}

async fn stopped(client: &Client) -> Value {
    let e = client
        .wait_event("stopped", WAIT, |e| e.name() == "stopped")
        .await
        .expect("a stop");
    serde_json::to_value(&e).unwrap()["body"].clone()
}

fn marker_line(file: &Path, marker: &str) -> i64 {
    let text = std::fs::read_to_string(file).unwrap();
    text.lines().position(|l| l.contains(marker)).unwrap() as i64 + 1
}

/// A running `isvdbg sandbox` on a loopback port, and its URL.
fn sandbox_process() -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_isvdbg"))
        .args(["sandbox", "--listen", "127.0.0.1:0", "--clock", "virtual"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("isvdbg sandbox starts");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("ws://"))
        .unwrap_or_else(|| panic!("no URL in the sandbox's first line: {line}"))
        .to_owned();
    (child, url)
}

/// `isvdbg dap` stopped in an anonymous Apex loop, with its sandbox embedded
/// (`sandbox` None) or reached over WebSocket.
async fn isvdbg(dir: &Path, name: &'static str, sandbox: Option<&str>) -> Target {
    let file = dir.join("loop.apex");
    std::fs::write(
        &file,
        "Integer total = 0;\n\
         for (Integer i = 0; i < 1000000; i++) {\n\
         \x20   total += i; // #HIT\n\
         }\n\
         System.debug(total);\n",
    )
    .unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let client = Client::spawn(
        env!("CARGO_BIN_EXE_isvdbg"),
        &["dap".to_owned()],
        Transcript::default(),
    )
    .unwrap();
    call(&client, "initialize", json!({ "adapterID": "apex-isv" })).await;
    let mut launch = json!({
        "subscriberOrg": "globex-full",
        "loginAsUser": "admin@globex.example.full",
        "lmoUser": "support@acme.example",
        "salesforceProject": root.join("fixtures/worlds/default/orgs/globex-full"),
    });
    match sandbox {
        Some(url) => launch["sandbox"] = json!(url),
        None => launch["clock"] = json!("virtual"),
    }
    call(&client, "launch", launch).await;
    let line = marker_line(&file, "#HIT");
    call(
        &client,
        "setBreakpoints",
        json!({ "source": { "path": file }, "breakpoints": [{ "line": line }] }),
    )
    .await;
    call(&client, "configurationDone", json!({})).await;
    let ran = call(&client, "isv/runApex", json!({ "path": file })).await;
    let thread = ran["threadId"].as_i64().expect("the run stopped");
    stopped(&client).await;
    Target {
        name,
        client,
        thread,
    }
}

/// `lldb-dap` stopped in the same loop, in C.
async fn lldb_dap(dir: &Path) -> Option<Target> {
    let program = ["lldb-dap", "lldb-dap-20", "lldb-dap-19", "lldb-dap-18"]
        .into_iter()
        .find_map(which)?;
    let source = dir.join("loop.c");
    std::fs::write(
        &source,
        "int main(void) {\n    long total = 0;\n    for (long i = 0; i < 1000000; i++) {\n        total += i; // #HIT\n    }\n    return (int)(total & 1);\n}\n",
    )
    .unwrap();
    let binary = dir.join("loop");
    let built = std::process::Command::new("cc")
        .args(["-g", "-O0", "-o"])
        .arg(&binary)
        .arg(&source)
        .status()
        .ok()?;
    if !built.success() {
        println!("note: lldb-dap found, but cc could not build the C loop; skipped");
        return None;
    }
    let client = Client::spawn(program.to_str()?, &[], Transcript::default()).ok()?;
    call(&client, "initialize", json!({ "adapterID": "lldb-dap" })).await;
    let launched = client
        .send_request("launch", Some(json!({ "program": binary })))
        .await
        .ok()?;
    client
        .wait_event("initialized", WAIT, |e| e.name() == "initialized")
        .await
        .ok()?;
    let line = marker_line(&source, "#HIT");
    call(
        &client,
        "setBreakpoints",
        json!({ "source": { "path": source }, "breakpoints": [{ "line": line }] }),
    )
    .await;
    call(&client, "configurationDone", json!({})).await;
    launched.wait(WAIT).await.ok()?;
    let body = stopped(&client).await;
    let thread = body["threadId"].as_i64()?;
    Some(Target {
        name: "lldb-dap",
        client,
        thread,
    })
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(program))
        .find(|p| p.is_file())
}

/// The medians (and 90th percentiles) of the three operations.
struct Times {
    continue_hit: Vec<Duration>,
    next_stop: Vec<Duration>,
    inspect: Vec<Duration>,
    /// The three parts of `inspect`, each on its own.
    parts: [Vec<Duration>; 3],
}

async fn measure(t: &Target, n: usize) -> Times {
    let c = &t.client;
    let thread = t.thread;
    let mut times = Times {
        continue_hit: Vec::with_capacity(n),
        next_stop: Vec::with_capacity(n),
        inspect: Vec::with_capacity(n),
        parts: Default::default(),
    };
    for _ in 0..n {
        let started = Instant::now();
        call(c, "continue", json!({ "threadId": thread })).await;
        stopped(c).await;
        times.continue_hit.push(started.elapsed());
    }
    for _ in 0..n {
        let started = Instant::now();
        call(c, "next", json!({ "threadId": thread })).await;
        stopped(c).await;
        times.next_stop.push(started.elapsed());
    }
    for _ in 0..n {
        // Each inspection follows a fresh stop, as in a debugger's UI:
        // nothing read during the previous stop can be reused.
        call(c, "next", json!({ "threadId": thread })).await;
        stopped(c).await;
        let started = Instant::now();
        let stack = call(c, "stackTrace", json!({ "threadId": thread, "levels": 20 })).await;
        let t1 = Instant::now();
        let frame = stack["stackFrames"][0]["id"].as_i64().unwrap();
        let scopes = call(c, "scopes", json!({ "frameId": frame })).await;
        let t2 = Instant::now();
        let locals = scopes["scopes"][0]["variablesReference"].as_i64().unwrap();
        call(c, "variables", json!({ "variablesReference": locals })).await;
        let t3 = Instant::now();
        times.inspect.push(t3 - started);
        times.parts[0].push(t1 - started);
        times.parts[1].push(t2 - t1);
        times.parts[2].push(t3 - t2);
    }
    times
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort_unstable();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i]
}

/// Prints one adapter's figures; its three medians.
fn report(name: &str, times: &mut Times) -> [Duration; 3] {
    let mut medians = [Duration::ZERO; 3];
    for (i, (op, samples)) in [
        ("continue → breakpoint hit", &mut times.continue_hit),
        ("next → stopped", &mut times.next_stop),
        ("stackTrace + scopes + variables", &mut times.inspect),
    ]
    .into_iter()
    .enumerate()
    {
        let median = percentile(samples, 0.5);
        medians[i] = median;
        let p90 = percentile(samples, 0.9);
        // The budget is isvdbg's; the peer is shown for comparison only.
        let verdict = match (name, median <= BUDGET) {
            (n, true) if n.starts_with("isvdbg") => {
                format!(", budget {} µs: ok", BUDGET.as_micros())
            }
            (n, false) if n.starts_with("isvdbg") => {
                format!(", budget {} µs: OVER BUDGET", BUDGET.as_micros())
            }
            _ => String::new(),
        };
        println!(
            "{name:<12} {op:<34} median {:>7.1} µs  p90 {:>7.1} µs  (n = {}{verdict})",
            median.as_secs_f64() * 1e6,
            p90.as_secs_f64() * 1e6,
            samples.len(),
        );
    }
    let [stack, scopes, variables] = &mut times.parts;
    let us = |s: &mut Vec<Duration>| percentile(s, 0.5).as_secs_f64() * 1e6;
    println!(
        "{name:<12}   of which: stackTrace {:.1} µs, scopes {:.1} µs, variables {:.1} µs (medians)",
        us(stack),
        us(scopes),
        us(variables)
    );
    medians
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs it once, small.
    let quick =
        std::env::args().any(|a| a == "--test") || !std::env::args().any(|a| a == "--bench");
    let n: usize = std::env::var("BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if quick { 10 } else { 1000 });
    // The WebSocket run logs in from the environment, with the default
    // world's fixture credentials (demo values, not secrets).
    let world = isvdbg::world::default_world().expect("the default world loads");
    let lmo = world
        .world
        .publisher
        .lmo
        .users
        .iter()
        .find(|u| u.username == "support@acme.example")
        .expect("the default world's support engineer")
        .clone();
    // SAFETY: no other thread runs yet.
    unsafe {
        std::env::set_var("ISVDBG_PASSWORD", &lmo.password);
        std::env::set_var("ISVDBG_TOTP_SECRET", lmo.totp_secret.as_deref().unwrap());
    }
    drop(world);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let (mut sandbox, url) = sandbox_process();
        let mut targets = vec![
            isvdbg(dir.path(), "isvdbg dap", None).await,
            isvdbg(dir.path(), "isvdbg dap+ws", Some(&url)).await,
        ];
        match lldb_dap(dir.path()).await {
            Some(t) => targets.push(t),
            None => println!(
                "note: lldb-dap (or lldb-dap-19) is not on PATH; the side-by-side run is skipped \
                 (apt-get install lldb-19 to add it)"
            ),
        }
        let mut medians = Vec::new();
        for t in &targets {
            // Warm up caches and the VM's paths before measuring.
            measure(t, n.min(50)).await;
            let mut times = measure(t, n).await;
            medians.push(report(t.name, &mut times));
        }
        if let [embedded, ws, lldb] = medians.as_slice() {
            for (ours, name) in [(embedded, "isvdbg dap"), (ws, "isvdbg dap+ws")] {
                let ops = [
                    "continue → breakpoint hit",
                    "next → stopped",
                    "stackTrace + scopes + variables",
                ];
                for (i, op) in ops.iter().enumerate() {
                    println!(
                        "ratio        {op:<34} {name} ÷ lldb-dap = {:.2}",
                        ours[i].as_secs_f64() / lldb[i].as_secs_f64()
                    );
                }
            }
        }
        for mut t in targets {
            let _ = t
                .client
                .request_raw("disconnect", Some(json!({ "terminateDebuggee": true })))
                .await;
            t.client.shutdown().await;
        }
        let _ = sandbox.kill();
        let _ = sandbox.wait();
    });
}
