//! Load on one sandbox process: 500 LMOs, each with an active ISV debugger
//! session that holds two requests paused at a breakpoint (1,000 paused
//! requests, each on its own OS thread), then the latency of `debug.stack`
//! under that load and the process's resident memory.
//! Budget: p99 < 5 ms, RSS < 1 GiB.
//!
//! The world is built in code: 500 publishers, each with its own LMO (one
//! support engineer with the *Log in to Subscriber Org* permission and MFA,
//! and the real allowance of one debugger session) and its own one-class
//! package. One subscriber sandbox installed all 500 packages, and each of its
//! 500 users granted login access to one publisher. Each engineer connects
//! over its own loopback WebSocket, logs in to its LMO with TOTP, logs in as
//! the user who granted its publisher access, starts a session and runs two
//! requests that stop at a breakpoint. Everything runs on the virtual clock
//! (no timer fires while it runs). The clients live in the same process, so
//! the RSS includes their side too.
//!
//! Run with `cargo bench --bench sandbox_load`. It stops by itself within
//! its time limit, and exits 1 if it cannot set the load up or misses a budget.

#[path = "sandbox_load/world.rs"]
mod sandbox_load_world;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt, TryStreamExt, stream};
use isvdbg::sandbox::Sandbox;
use isvdbg::sandbox::auth::current_code;
use isvdbg::sandbox::clock::Clock;
use sandbox_load_world::{LMOS, ORG, SECRET, customer, engineer, namespace, probe};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Paused requests per session.
const PAUSED_PER_SESSION: usize = 2;
/// `debug.stack` calls measured one at a time.
const SEQUENTIAL_CALLS: usize = 10_000;
/// Rounds in which every engineer sends one `debug.stack` at once.
const BURST_ROUNDS: usize = 10;
/// Engineers set up at once.
const SETUP_PARALLELISM: usize = 32;
/// The whole run's limit.
const LIMIT: Duration = Duration::from_secs(600);
const P99_BUDGET_MS: f64 = 5.0;
const RSS_BUDGET_KIB: u64 = 1 << 20;

/// The anonymous Apex engineer `i`'s requests run: it calls its publisher's
/// package, then stops on line 2.
fn code(i: usize) -> String {
    format!(
        "Integer n = {}.{}.one();\nn = n + 41;\nSystem.debug(n);",
        namespace(i),
        probe(i)
    )
}

/// A WebSocket client that matches answers to calls and keeps events.
struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next: u64,
    events: VecDeque<Value>,
}

impl Client {
    async fn connect(url: &str) -> Result<Client, String> {
        let (ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .map_err(|e| format!("cannot connect to {url}: {e}"))?;
        Ok(Client {
            ws,
            next: 1,
            events: VecDeque::new(),
        })
    }

    async fn read(&mut self) -> Result<Value, String> {
        loop {
            match self.ws.next().await {
                Some(Ok(Message::Text(t))) => {
                    return serde_json::from_str(t.as_str()).map_err(|e| e.to_string());
                }
                Some(Ok(_)) => {}
                other => return Err(format!("the connection ended: {other:?}")),
            }
        }
    }

    /// Calls a method; a refusal is an error naming the call.
    async fn call(&mut self, method: &str, params: Value) -> Result<Value, String> {
        let id = self.next;
        self.next += 1;
        let text = json!({ "id": id, "method": method, "params": params }).to_string();
        self.ws
            .send(Message::text(text))
            .await
            .map_err(|e| format!("{method}: cannot send: {e}"))?;
        loop {
            let v = self.read().await?;
            if v.get("event").is_some() {
                // Each debugger command is followed by a SessionTimers event; keep the rest.
                if v["event"] != "SessionTimers" {
                    self.events.push_back(v);
                }
            } else if v["id"] == json!(id) {
                return match v.get("error") {
                    Some(e) => Err(format!("{method} was refused: {e}")),
                    None => Ok(v["result"].clone()),
                };
            }
        }
    }

    async fn event(&mut self, name: &str) -> Result<Value, String> {
        loop {
            if let Some(i) = self.events.iter().position(|e| e["event"] == name) {
                return Ok(self.events.remove(i).unwrap_or_default()["body"].clone());
            }
            let v = self.read().await?;
            if v.get("event").is_some() {
                self.events.push_back(v);
            }
        }
    }
}

/// One LMO's engineer with a session and two paused requests.
struct Engineer {
    client: Client,
    paused: Vec<String>,
}

async fn set_up(url: String, sb: Sandbox, i: usize) -> Result<Engineer, String> {
    let mut c = Client::connect(&url).await?;
    let code_now = current_code(SECRET, sb.clock.now()).map_err(|e| e.to_string())?;
    let login = c
        .call(
            "auth.login",
            json!({ "username": engineer(i), "password": "load-password", "code": code_now }),
        )
        .await?;
    if login["lmo"]["publisher"] != json!(sandbox_load_world::publisher(i)) {
        return Err(format!(
            "{} logged in to the wrong LMO: {login}",
            engineer(i)
        ));
    }
    c.call("loginAs.start", json!({ "org": ORG, "user": customer(i) }))
        .await?;
    let s = c.call("debug.start", json!({})).await?;
    let session = s["sessionId"].as_str().unwrap_or_default().to_string();
    c.call(
        "debug.breakpoints",
        json!({ "sessionId": session, "typeref": "AnonymousBlock", "breakpoints": [{ "line": 2 }] }),
    )
    .await?;
    let mut paused = Vec::new();
    for _ in 0..PAUSED_PER_SESSION {
        let r = c
            .call("apex.run", json!({ "code": code(i), "wait": false }))
            .await?;
        paused.push(r["requestId"].as_str().unwrap_or_default().to_string());
    }
    for _ in 0..PAUSED_PER_SESSION {
        c.event("Stopped").await?;
    }
    Ok(Engineer { client: c, paused })
}

fn rss_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .map(|d| d.count())
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e3
}

fn report(label: &str, mut samples: Vec<Duration>) -> f64 {
    samples.sort();
    let p99 = percentile(&samples, 0.99);
    println!(
        "  {label}: {} calls, p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        samples.len(),
        percentile(&samples, 0.50),
        p99,
        samples.last().map_or(0.0, |d| d.as_secs_f64() * 1e3)
    );
    p99
}

/// Sets the load up, measures, shuts down; whether every budget was met.
async fn run() -> Result<bool, String> {
    let rss_start = rss_kib("VmRSS:");
    let files = tempfile::Builder::new()
        .prefix("isvdbg-sandbox-load-")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary folder for the packages: {e}"))?;
    let world = sandbox_load_world::build(files.path())?;
    let sb = Sandbox::new(world.clone(), Clock::virtual_at(world.start))
        .map_err(|e| format!("the subscriber org does not come up: {e}"))?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("cannot listen on loopback: {e}"))?;
    let url = format!(
        "ws://{}/",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    let server = tokio::spawn(isvdbg::sandbox::server::serve(
        sb.clone(),
        listener,
        stop_rx,
    ));
    let rss_idle = rss_kib("VmRSS:");

    let t = Instant::now();
    let mut engineers: Vec<Engineer> = stream::iter(0..LMOS)
        .map(|i| set_up(url.clone(), sb.clone(), i))
        .buffer_unordered(SETUP_PARALLELISM)
        .try_collect()
        .await?;
    let setup = t.elapsed();
    let paused = engineers.iter().map(|e| e.paused.len()).sum::<usize>();
    if sb.debug.ids().len() != LMOS || sb.requests.running() != LMOS * PAUSED_PER_SESSION {
        return Err(format!(
            "set-up left {} sessions and {} running requests, not {LMOS} and {}",
            sb.debug.ids().len(),
            sb.requests.running(),
            LMOS * PAUSED_PER_SESSION
        ));
    }
    // The real rule under load: each LMO's one session is taken, so a second
    // one is refused, whatever the other 499 LMOs hold.
    let refused = engineers[0].client.call("debug.start", json!({})).await;
    match &refused {
        Err(e) if e.contains("SESSION_IN_USE") && e.contains("(1 of 1)") => {}
        other => {
            return Err(format!(
                "a second session in one LMO was not refused: {other:?}"
            ));
        }
    }
    let rss_loaded = rss_kib("VmRSS:");
    println!(
        "sandbox_load: {LMOS} publishers, each with its own LMO (allowance 1 session) and package; \
         each LMO's engineer holds 1 debug session with {PAUSED_PER_SESSION} paused requests: \
         {paused} paused requests, {} threads in the process, set up in {:.1} s",
        threads(),
        setup.as_secs_f64()
    );

    // One call at a time, round robin over engineers and their requests.
    let mut sequential = Vec::with_capacity(SEQUENTIAL_CALLS);
    for k in 0..SEQUENTIAL_CALLS {
        let e = &mut engineers[k % LMOS];
        let request = e.paused[(k / LMOS) % PAUSED_PER_SESSION].clone();
        let t = Instant::now();
        let r = e
            .client
            .call("debug.stack", json!({ "requestId": request }))
            .await?;
        sequential.push(t.elapsed());
        if r["frames"][0]["line"] != 2 {
            return Err(format!("request {request} is not paused on line 2: {r}"));
        }
    }
    // Every engineer at once.
    let mut burst = Vec::with_capacity(BURST_ROUNDS * LMOS);
    for round in 0..BURST_ROUNDS {
        let calls = engineers.iter_mut().map(|e| {
            let request = e.paused[round % PAUSED_PER_SESSION].clone();
            async move {
                let t = Instant::now();
                e.client
                    .call("debug.stack", json!({ "requestId": request }))
                    .await
                    .map(|_| t.elapsed())
            }
        });
        for d in futures::future::join_all(calls).await {
            burst.push(d?);
        }
    }
    let rss_measured = rss_kib("VmRSS:");
    let hwm = rss_kib("VmHWM:");

    println!("debug.stack latency (client send to answer, loopback WebSocket):");
    let p99 = report("one at a time", sequential);
    report(
        &format!("{LMOS} engineers at once ({BURST_ROUNDS} rounds)"),
        burst,
    );
    println!(
        "RSS: {} MiB at start, {} MiB with the world up, {} MiB under load, {} MiB after the calls (peak {} MiB)",
        rss_start >> 10,
        rss_idle >> 10,
        rss_loaded >> 10,
        rss_measured >> 10,
        hwm >> 10
    );
    let p99_ok = p99 < P99_BUDGET_MS;
    let rss_ok = hwm < RSS_BUDGET_KIB;
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    println!(
        "budget: p99 (one at a time) < {P99_BUDGET_MS} ms: {}; RSS < 1 GiB: {}",
        verdict(p99_ok),
        verdict(rss_ok)
    );

    // Shutdown ends every session; all 1,000 requests resume and finish.
    let t = Instant::now();
    let _ = stop.send(true);
    server
        .await
        .map_err(|e| format!("the server task failed: {e}"))?
        .map_err(|e| format!("the server failed: {e}"))?;
    if sb.requests.running() != 0 {
        return Err(format!(
            "{} requests still run after shutdown",
            sb.requests.running()
        ));
    }
    println!(
        "shutdown: {LMOS} sessions ended and {paused} requests finished in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    drop(engineers);
    Ok(p99_ok && rss_ok)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let done = runtime.block_on(async { tokio::time::timeout(LIMIT, run()).await });
    let code = match done {
        Ok(Ok(true)) => 0,
        Ok(Ok(false)) => 1,
        Ok(Err(e)) => {
            eprintln!("sandbox_load: {e}");
            1
        }
        Err(_) => {
            eprintln!("sandbox_load: did not finish within {} s", LIMIT.as_secs());
            1
        }
    };
    // The paused requests' threads may still be winding down; do not wait.
    runtime.shutdown_background();
    std::process::exit(code);
}
