//! `isvdbg sandbox` as a user starts it: it prints where it listens, serves
//! the API, opens the instance controls as its flags say, and shuts down
//! cleanly on SIGTERM and SIGINT, letting paused requests finish.

mod sandbox_support;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

use futures::{SinkExt, StreamExt};
use isvdbg::sandbox::Sandbox;
use isvdbg::sandbox::auth::current_code;
use isvdbg::sandbox::clock::Clock;
use sandbox_support::{ADMIN, Client, line_of};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

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

/// A running `isvdbg sandbox` and a connection to it.
struct Spawned {
    child: Child,
    client: Client,
    url: String,
    local: Sandbox,
}

impl Spawned {
    /// Starts `isvdbg sandbox` on a free loopback port with `args` and connects.
    async fn start(args: &[&str]) -> Spawned {
        let mut child = Command::new(env!("CARGO_BIN_EXE_isvdbg"))
            .args(["sandbox", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("isvdbg runs");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("ws://"))
            .unwrap_or_else(|| panic!("the URL is printed: {first}"))
            .to_string();
        // The local sandbox only serves the client's fixture lookups; every
        // call goes to the spawned process.
        let loaded = isvdbg::world::resolve(None).expect("the default world loads");
        let local = Sandbox::new(loaded.world.clone(), Clock::real(1.0)).expect("the orgs come up");
        let client = Client::connect(&url, local.clone()).await;
        Spawned {
            child,
            client,
            url,
            local,
        }
    }

    /// The Globex sandbox's admin grants login access for a day, from a
    /// connection of their own.
    async fn customer_grants_access(&self) {
        let rt = self.local.org("globex-full").unwrap();
        let admin = rt.info().user(ADMIN).unwrap().clone();
        let mut customer = Client::connect(&self.url, self.local.clone()).await;
        customer
            .ok(
                "auth.loginSubscriber",
                json!({ "org": "globex-full", "username": ADMIN, "password": admin.password }),
            )
            .await;
        customer
            .ok("access.grant", json!({ "duration": "1d" }))
            .await;
    }

    /// Logs in to the LMO as `user` with the code for the process's own clock.
    async fn login_lmo(&mut self, user: &str) {
        let loaded = isvdbg::world::resolve(None).expect("the default world loads");
        let u = loaded.world.publisher.lmo.user(user).expect("an LMO user");
        let now = self.client.ok("clock.now", json!({})).await;
        let now = chrono::DateTime::parse_from_rfc3339(now["now"].as_str().unwrap())
            .unwrap()
            .naive_utc();
        let code = current_code(u.totp_secret.as_deref().unwrap(), now).unwrap();
        self.client
            .ok(
                "auth.login",
                json!({ "username": user, "password": u.password, "code": code }),
            )
            .await;
    }

    /// Logs in to the LMO as `user`, then in as the Globex sandbox's admin.
    async fn engineer(&mut self, user: &str) {
        self.login_lmo(user).await;
        self.client
            .ok(
                "loginAs.start",
                json!({ "org": "globex-full", "user": ADMIN }),
            )
            .await;
    }

    /// Sends `signal` and waits for the process to exit; returns its stderr.
    /// Sends `signal` to the process.
    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the process to exit successfully; returns its stderr.
    fn exits_cleanly(&mut self) -> String {
        let mut stderr = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{status:?}: {stderr}");
        stderr
    }

    /// Sends `signal` and waits for the process to exit successfully.
    fn signal_and_wait(mut self, signal: &str) -> String {
        self.signal(signal);
        self.exits_cleanly()
    }
}

impl Drop for Spawned {
    /// A failed test does not leave the process behind.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn admin_closed(method: &str) -> String {
    format!(
        "{method} acts on the whole instance, so it is open only on a sandbox with a virtual clock (isvdbg sandbox --clock virtual) or one started with --admin-api; restart the sandbox with one of them"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_admin_api_a_real_clock_sandbox_takes_the_instance_controls() {
    let mut sb = Spawned::start(&["--clock", "real", "--admin-api"]).await;
    let c = &mut sb.client;
    assert_eq!(c.ok("clock.now", json!({})).await["virtual"], false);
    // Peak load halves the idle timeout of the sessions that start under it.
    assert_eq!(
        c.ok("admin.peakLoad", json!({ "on": true })).await,
        json!({})
    );
    sb.customer_grants_access().await;
    sb.engineer("support@acme.example").await;
    let c = &mut sb.client;
    let started = c.ok("debug.start", json!({})).await;
    assert_eq!(started["idleTimeoutSeconds"], 1800, "{started}");
    let session = started["sessionId"].clone();
    // Maintenance ends every session with the operator's message.
    let ended = c
        .ok(
            "admin.maintenance",
            json!({ "message": "patching the instance; back at 11:00 UTC" }),
        )
        .await;
    assert_eq!(ended, json!({ "ended": 1 }));
    let t = c.event("SessionTerminated").await;
    assert_eq!(
        t,
        json!({ "sessionId": session, "code": "MAINTENANCE", "message": "patching the instance; back at 11:00 UTC" })
    );
    c.ok("admin.peakLoad", json!({ "on": false })).await;
    let again = c.ok("debug.start", json!({})).await;
    assert_eq!(again["idleTimeoutSeconds"], 3600, "{again}");
    // Without a message, maintenance says what happened.
    c.ok("admin.maintenance", json!({})).await;
    let t = c.event("SessionTerminated").await;
    assert_eq!(
        t["message"],
        "the instance is going down for maintenance; debug sessions ended"
    );
    // The flag opens the admin calls, not the clock: a real clock does not jump.
    let e = c.fails("clock.advance", json!({ "seconds": 60 })).await;
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        (
            "CLOCK_NOT_VIRTUAL",
            "the clock is real; start the sandbox with --clock virtual to advance it"
        )
    );
    sb.signal_and_wait("TERM");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_admin_api_a_real_clock_sandbox_refuses_the_instance_controls() {
    let mut sb = Spawned::start(&["--clock", "real"]).await;
    let c = &mut sb.client;
    for (method, params) in [
        ("admin.peakLoad", json!({ "on": true })),
        ("admin.maintenance", json!({})),
    ] {
        let e = c.fails(method, params).await;
        assert_eq!(
            (e.code.as_str(), e.message),
            ("ADMIN_API_CLOSED", admin_closed(method))
        );
    }
    // Nothing changed: a session starts with the normal idle timeout and
    // lives on.
    sb.customer_grants_access().await;
    sb.engineer("support@acme.example").await;
    let c = &mut sb.client;
    let started = c.ok("debug.start", json!({})).await;
    assert_eq!(started["idleTimeoutSeconds"], 3600, "{started}");
    let e = c.fails("admin.maintenance", json!({})).await;
    assert_eq!(e.code, "ADMIN_API_CLOSED");
    c.no_event("SessionTerminated").await;
    sb.signal_and_wait("TERM");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_virtual_clock_the_instance_controls_and_the_clock_are_open() {
    let mut sb = Spawned::start(&["--clock", "virtual", "--admin-api"]).await;
    let c = &mut sb.client;
    let now = c.ok("clock.now", json!({})).await;
    assert_eq!(now["virtual"], true);
    let later = c.ok("clock.advance", json!({ "seconds": 90 })).await;
    let at = |v: &serde_json::Value| {
        chrono::DateTime::parse_from_rfc3339(v["now"].as_str().unwrap()).unwrap()
    };
    assert_eq!((at(&later) - at(&now)).num_seconds(), 90);
    c.ok("admin.peakLoad", json!({ "on": true })).await;
    assert_eq!(
        c.ok("admin.maintenance", json!({})).await,
        json!({ "ended": 0 })
    );
    sb.signal_and_wait("TERM");
}

/// A signal with a request paused in a debug session: the session ends, the
/// request finishes (its insert is seen by the query after it), the
/// connection closes with 1001, and the process exits 0.
async fn a_signal_lets_the_paused_request_finish(signal: &str) {
    let mut sb = Spawned::start(&["--clock", "virtual"]).await;
    sb.engineer("support@acme.example").await;
    let c = &mut sb.client;
    let session = c.debug_start().await;
    let name = format!("Signal {signal}");
    let code = format!(
        "insert new Account(Name = '{name}');\nSystem.debug([SELECT COUNT() FROM Account WHERE Name = '{name}']); // #AFTER"
    );
    c.ok(
        "debug.breakpoints",
        json!({ "sessionId": session, "typeref": "AnonymousBlock", "breakpoints": [{ "line": line_of(&code, "#AFTER") }] }),
    )
    .await;
    let run = c
        .ok("apex.run", json!({ "code": code, "wait": false }))
        .await;
    let request = run["requestId"].clone();
    c.event("Stopped").await;
    sb.signal(signal);
    let c = &mut sb.client;
    let t = c.event("SessionTerminated").await;
    assert_eq!(
        t,
        json!({ "sessionId": session, "code": "SHUTDOWN", "message": "the sandbox is shutting down; paused requests were resumed and finished" })
    );
    let done = c.event("RequestFinished").await;
    assert_eq!(done["requestId"], request);
    assert_eq!(done["success"], true, "{done}");
    assert_eq!(done["output"][0]["message"], "1", "{done}");
    let frame = c.closed().await.expect("a close frame");
    assert_eq!(frame.code, CloseCode::Away);
    let stderr = sb.exits_cleanly();
    assert!(
        stderr.contains(
            "isvdbg sandbox: shutting down: ending debug sessions and letting requests finish"
        ),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_a_paused_request_finish_before_the_process_exits() {
    a_signal_lets_the_paused_request_finish("TERM").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_lets_a_paused_request_finish_before_the_process_exits() {
    a_signal_lets_the_paused_request_finish("INT").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_real_clock_the_world_starts_now_so_its_grants_hold() {
    let before = chrono::Utc::now();
    let mut sb = Spawned::start(&["--clock", "real"]).await;
    // The instance reads wall time (so an authenticator app's codes match)…
    let now = sb.client.ok("clock.now", json!({})).await;
    assert_eq!(now["virtual"], false);
    let at = chrono::DateTime::parse_from_rfc3339(now["now"].as_str().unwrap()).unwrap();
    let since = (at.with_timezone(&chrono::Utc) - before).num_seconds();
    assert!((0..60).contains(&since), "{now}");
    // …and the world starts now: the default world's 1-week grant to Globex
    // Full is active, and its expired one at Initech is expired, as
    // docs/worlds.md says.
    sb.login_lmo("support@acme.example").await;
    sb.client
        .ok(
            "loginAs.start",
            json!({ "org": "globex-full", "user": ADMIN }),
        )
        .await;
    let e = sb
        .client
        .fails(
            "loginAs.start",
            json!({ "org": "initech-sandbox", "user": "admin@initech.example.uat" }),
        )
        .await;
    assert_eq!(e.code, "GRANT_EXPIRED", "{e:?}");
    sb.signal_and_wait("TERM");
}
