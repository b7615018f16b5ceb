//! Load on one sandbox process: 500 LMO engineers, each with an active ISV
//! debugger session that holds two requests paused at a breakpoint (1,000
//! paused requests, each on its own OS thread), then the latency of
//! `debug.stack` under that load and the process's resident memory.
//! Budget: p99 < 5 ms, RSS < 1 GiB.
//!
//! How the 500 LMOs are modelled: a world holds one LMO, so the default world
//! is cloned and given 500 support engineers with the *Log in to Subscriber
//! Org* permission and an allowance of 500 debug sessions
//! (`publisher.lmo.debug_sessions = 500`); Globex's Full sandbox gets 500 more
//! users, each with an active login-access grant, so that every engineer logs
//! in as a user of their own (a session debugs only its LoginAs user's
//! requests). Everything goes over real WebSocket connections on loopback, one
//! per engineer, on the virtual clock (no timer fires while it runs). The
//! clients live in the same process, so the RSS includes their side too.
//!
//! Run with `cargo bench --bench sandbox_load`. It stops by itself and fails
//! (exit 1) if it cannot set the load up within its time limit.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt, stream};
use isvdbg::sandbox::Sandbox;
use isvdbg::sandbox::auth::current_code;
use isvdbg::sandbox::clock::Clock;
use isvdbg::world::{Grant, GrantDuration, LOG_IN_TO_SUBSCRIBER_ORG, LmoUser, OrgUser, World};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Engineers, each with one session.
const ENGINEERS: usize = 500;
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
/// The fixture TOTP secret every synthetic engineer enrolled with.
const SECRET: &str = "HSLYWIK65KNHTIEUCCNQH2GWPBBI2OZR";
const ORG: &str = "globex-full";
/// The anonymous Apex each request runs; it stops on line 2.
const CODE: &str = "Integer n = 41;\nn = n + 1;\nSystem.debug(n);";
const P99_BUDGET_MS: f64 = 5.0;
const RSS_BUDGET_KIB: u64 = 1 << 20;

fn engineer(i: usize) -> String {
    format!("load{i:03}@acme.example")
}

fn customer(i: usize) -> String {
    format!("load{i:03}@globex.example.full")
}

/// The default world with 500 engineers and 500 granting Globex users.
fn load_world(world: &mut World) {
    world.traffic.clear();
    let lmo = &mut world.publisher.lmo;
    lmo.debug_sessions = ENGINEERS as u32;
    for i in 0..ENGINEERS {
        lmo.users.push(LmoUser {
            id: format!("0055g0000L{i:05}AAA"),
            username: engineer(i),
            name: format!("Load Engineer {i}"),
            password: "load-password".into(),
            totp_secret: Some(SECRET.into()),
            permissions: vec![LOG_IN_TO_SUBSCRIBER_ORG.into()],
            permission_sets: Vec::new(),
            active: true,
        });
    }
    let start = world.start;
    let publisher = world.publisher.name.clone();
    let org = world
        .orgs
        .iter_mut()
        .find(|o| o.key == ORG)
        .expect("globex-full");
    for i in 0..ENGINEERS {
        org.users.push(OrgUser {
            id: format!("0051x0000L{i:05}AAA"),
            username: customer(i),
            name: format!("Load User {i}"),
            profile: "Standard User".into(),
            manage_users: false,
            password: "load-password".into(),
            totp_secret: None,
            package_licenses: vec!["acme".into()],
            active: true,
        });
        org.grants.push(Grant {
            user: customer(i),
            publisher: publisher.clone(),
            granted_at: start,
            duration: GrantDuration::OneWeek,
            revoked: false,
        });
    }
}

/// A WebSocket client that matches answers to calls and counts events.
struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next: u64,
    events: VecDeque<Value>,
}

impl Client {
    async fn connect(url: &str) -> Client {
        let (ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("connects");
        Client {
            ws,
            next: 1,
            events: VecDeque::new(),
        }
    }

    async fn send(&mut self, method: &str, params: Value) -> u64 {
        let id = self.next;
        self.next += 1;
        let text = json!({ "id": id, "method": method, "params": params }).to_string();
        self.ws.send(Message::text(text)).await.expect("sends");
        id
    }

    async fn read(&mut self) -> Value {
        loop {
            match self.ws.next().await {
                Some(Ok(Message::Text(t))) => return serde_json::from_str(t.as_str()).unwrap(),
                Some(Ok(_)) => {}
                other => panic!("connection ended: {other:?}"),
            }
        }
    }

    async fn answer(&mut self, id: u64) -> Value {
        loop {
            let v = self.read().await;
            if v.get("event").is_some() {
                // Each debugger command is followed by a SessionTimers event; keep the rest.
                if v["event"] != "SessionTimers" {
                    self.events.push_back(v);
                }
                continue;
            }
            if v["id"] == json!(id) {
                if let Some(e) = v.get("error") {
                    panic!("call {id} failed: {e}");
                }
                return v["result"].clone();
            }
        }
    }

    async fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.send(method, params).await;
        self.answer(id).await
    }

    async fn event(&mut self, name: &str) -> Value {
        loop {
            if let Some(i) = self.events.iter().position(|e| e["event"] == name) {
                return self.events.remove(i).unwrap()["body"].clone();
            }
            let v = self.read().await;
            if v.get("event").is_some() {
                self.events.push_back(v);
            }
        }
    }
}

/// One engineer with a session and two paused requests.
struct Engineer {
    client: Client,
    paused: Vec<String>,
}

async fn set_up(url: String, sb: Sandbox, i: usize) -> Engineer {
    let mut c = Client::connect(&url).await;
    let code = current_code(SECRET, sb.clock.now()).unwrap();
    c.call(
        "auth.login",
        json!({ "username": engineer(i), "password": "load-password", "code": code }),
    )
    .await;
    c.call("loginAs.start", json!({ "org": ORG, "user": customer(i) }))
        .await;
    let s = c.call("debug.start", json!({})).await;
    let session = s["sessionId"].as_str().unwrap().to_string();
    c.call(
        "debug.breakpoints",
        json!({ "sessionId": session, "typeref": "AnonymousBlock", "breakpoints": [{ "line": 2 }] }),
    )
    .await;
    let mut paused = Vec::new();
    for _ in 0..PAUSED_PER_SESSION {
        let r = c
            .call("apex.run", json!({ "code": CODE, "wait": false }))
            .await;
        paused.push(r["requestId"].as_str().unwrap().to_string());
    }
    for _ in 0..PAUSED_PER_SESSION {
        c.event("Stopped").await;
    }
    Engineer { client: c, paused }
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
        samples.last().unwrap().as_secs_f64() * 1e3
    );
    p99
}

async fn run() {
    let rss_start = rss_kib("VmRSS:");
    let mut loaded = isvdbg::world::resolve(None).expect("the default world loads");
    load_world(&mut loaded.world);
    let world = loaded.world.clone();
    let sb = Sandbox::new(world.clone(), Clock::virtual_at(world.start)).expect("orgs come up");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    let server = tokio::spawn(isvdbg::sandbox::server::serve(
        sb.clone(),
        listener,
        stop_rx,
    ));
    let rss_idle = rss_kib("VmRSS:");

    let t = Instant::now();
    let mut engineers: Vec<Engineer> = stream::iter(0..ENGINEERS)
        .map(|i| set_up(url.clone(), sb.clone(), i))
        .buffer_unordered(SETUP_PARALLELISM)
        .collect()
        .await;
    let setup = t.elapsed();
    assert_eq!(sb.debug.ids().len(), ENGINEERS);
    let paused = engineers.iter().map(|e| e.paused.len()).sum::<usize>();
    assert_eq!(paused, ENGINEERS * PAUSED_PER_SESSION);
    assert_eq!(sb.requests.running(), paused);
    let rss_loaded = rss_kib("VmRSS:");
    println!(
        "sandbox_load: {ENGINEERS} LMO engineers (synthetic users of the default world's one LMO, allowance {ENGINEERS} sessions), \
         each with 1 debug session holding {PAUSED_PER_SESSION} paused requests: {paused} paused requests, {} threads in the process, set up in {:.1} s",
        threads(),
        setup.as_secs_f64()
    );

    // One call at a time, round robin over engineers and their requests.
    let mut sequential = Vec::with_capacity(SEQUENTIAL_CALLS);
    for k in 0..SEQUENTIAL_CALLS {
        let e = &mut engineers[k % ENGINEERS];
        let request = e.paused[(k / ENGINEERS) % PAUSED_PER_SESSION].clone();
        let t = Instant::now();
        let r = e
            .client
            .call("debug.stack", json!({ "requestId": request }))
            .await;
        sequential.push(t.elapsed());
        assert_eq!(r["frames"][0]["line"], 2);
    }
    // Every engineer at once.
    let mut burst = Vec::with_capacity(BURST_ROUNDS * ENGINEERS);
    for round in 0..BURST_ROUNDS {
        let calls = engineers.iter_mut().map(|e| {
            let request = e.paused[round % PAUSED_PER_SESSION].clone();
            async move {
                let t = Instant::now();
                e.client
                    .call("debug.stack", json!({ "requestId": request }))
                    .await;
                t.elapsed()
            }
        });
        burst.extend(futures::future::join_all(calls).await);
    }
    let rss_measured = rss_kib("VmRSS:");
    let hwm = rss_kib("VmHWM:");

    println!("debug.stack latency (client send to answer, loopback WebSocket):");
    let p99 = report("one at a time", sequential);
    report(
        &format!("{ENGINEERS} engineers at once ({BURST_ROUNDS} rounds)"),
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
    println!(
        "budget: p99 (one at a time) < {P99_BUDGET_MS} ms: {}; RSS < 1 GiB: {}",
        if p99_ok { "met" } else { "MISSED" },
        if rss_ok { "met" } else { "MISSED" }
    );

    // Shutdown ends every session; all 1,000 requests resume and finish.
    let t = Instant::now();
    let _ = stop.send(true);
    server.await.unwrap().unwrap();
    assert_eq!(sb.requests.running(), 0);
    println!(
        "shutdown: {ENGINEERS} sessions ended and {paused} requests finished in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    drop(engineers);
    drop(loaded);
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let done = runtime.block_on(async { tokio::time::timeout(LIMIT, run()).await });
    if done.is_err() {
        eprintln!("sandbox_load: did not finish within {} s", LIMIT.as_secs());
        std::process::exit(1);
    }
}
