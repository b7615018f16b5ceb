//! A sandbox on 127.0.0.1:0 over a real WebSocket, on the virtual clock, and a
//! small client that reads answers and buffers events.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use isvdbg::sandbox::Sandbox;
use isvdbg::sandbox::auth::{code_at_step_offset, current_code};
use isvdbg::sandbox::clock::Clock;
use isvdbg::world::World;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for an answer or an event (real time) before failing.
const WAIT: Duration = Duration::from_secs(30);

pub const ADMIN: &str = "admin@globex.example.full";

pub struct Server {
    pub url: String,
    pub sb: Sandbox,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    _world: isvdbg::world::LoadedWorld,
}

impl Server {
    /// The default world on a virtual clock.
    pub async fn start() -> Server {
        let loaded = isvdbg::world::resolve(None).expect("the default world loads");
        let world = loaded.world.clone();
        let clock = Clock::virtual_at(world.start);
        let sb = Sandbox::new(world, clock).expect("the orgs come up");
        Server::serve(sb, loaded).await
    }

    /// The default world on a real clock (wall time), started now, as
    /// `isvdbg sandbox` runs by default.
    pub async fn start_real() -> Server {
        let loaded = isvdbg::world::resolve(None).expect("the default world loads");
        let mut world = loaded.world.clone();
        world.start_at(chrono::Utc::now().naive_utc());
        let sb = Sandbox::new(world, Clock::real(1.0)).expect("the orgs come up");
        Server::serve(sb, loaded).await
    }

    /// The default world, changed by `edit` before the orgs come up.
    pub async fn start_with(edit: impl FnOnce(&mut World)) -> Server {
        let mut loaded = isvdbg::world::resolve(None).expect("the default world loads");
        edit(&mut loaded.world);
        let world = loaded.world.clone();
        let clock = Clock::virtual_at(world.start);
        let sb = Sandbox::new(world, clock).expect("the orgs come up");
        Server::serve(sb, loaded).await
    }

    pub async fn serve(sb: Sandbox, loaded: isvdbg::world::LoadedWorld) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}/", listener.local_addr().unwrap());
        let (stop, rx) = watch::channel(false);
        let task = tokio::spawn(isvdbg::sandbox::server::serve(sb.clone(), listener, rx));
        Server {
            url,
            sb,
            stop,
            task,
            _world: loaded,
        }
    }

    pub async fn client(&self) -> Client {
        Client::connect(&self.url, self.sb.clone()).await
    }

    /// Moves the virtual clock and lets the timers run.
    pub async fn advance(&self, seconds: u64) {
        self.sb.clock.advance(Duration::from_secs(seconds)).unwrap();
        tokio::task::yield_now().await;
    }

    /// An LMO client logged in as `user` and logged in as `as_user` of `org`.
    pub async fn engineer(&self, user: &str, org: &str, as_user: &str) -> Client {
        let mut c = self.client().await;
        c.login_lmo(user).await.expect("LMO login");
        c.ok("loginAs.start", json!({ "org": org, "user": as_user }))
            .await;
        c
    }

    /// A client logged in as a subscriber user (with a TOTP code where the org
    /// requires MFA).
    pub async fn subscriber(&self, org: &str, user: &str) -> Client {
        let mut c = self.client().await;
        c.login_subscriber(org, user)
            .await
            .expect("subscriber login");
        c
    }

    /// The instance time as the API prints it (RFC 3339).
    pub fn now(&self) -> String {
        isvdbg::sandbox::rfc3339(self.sb.clock.now())
    }

    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        self.task.await.unwrap().unwrap();
    }
}

/// An API error as the client sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub code: String,
    pub message: String,
}

pub struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next: u64,
    events: VecDeque<Value>,
    answers: Vec<Value>,
    sb: Sandbox,
}

impl Client {
    pub async fn connect(url: &str, sb: Sandbox) -> Client {
        let (ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("connects");
        Client {
            ws,
            next: 1,
            events: VecDeque::new(),
            answers: Vec::new(),
            sb,
        }
    }

    pub async fn send_raw(&mut self, msg: Message) {
        self.ws.send(msg).await.expect("sends");
    }

    /// The next message of any kind.
    pub async fn recv(&mut self) -> Option<Message> {
        tokio::time::timeout(WAIT, self.ws.next())
            .await
            .expect("a message in time")
            .map(|m| m.expect("a good frame"))
    }

    async fn read_one(&mut self) {
        match self.recv().await {
            Some(Message::Text(t)) => {
                let v: Value = serde_json::from_str(t.as_str()).expect("JSON from the sandbox");
                if v.get("event").is_some() {
                    self.events.push_back(v);
                } else {
                    self.answers.push(v);
                }
            }
            Some(Message::Close(f)) => panic!("connection closed: {f:?}"),
            Some(_) => {}
            None => panic!("connection ended"),
        }
    }

    /// Sends a call without waiting; returns its id.
    pub async fn send(&mut self, method: &str, params: Value) -> u64 {
        let id = self.next;
        self.next += 1;
        let text = json!({ "id": id, "method": method, "params": params }).to_string();
        self.ws.send(Message::text(text)).await.expect("sends");
        id
    }

    /// Waits for the answer to call `id`.
    pub async fn answer(&mut self, id: u64) -> Result<Value, Failure> {
        loop {
            if let Some(i) = self.answers.iter().position(|a| a["id"] == json!(id)) {
                let a = self.answers.remove(i);
                return match a.get("error") {
                    Some(e) => Err(Failure {
                        code: e["code"].as_str().unwrap().into(),
                        message: e["message"].as_str().unwrap().into(),
                    }),
                    None => Ok(a["result"].clone()),
                };
            }
            self.read_one().await;
        }
    }

    /// Waits for the first answer that has no id (a frame too broken to have one).
    pub async fn anonymous_error(&mut self) -> Failure {
        loop {
            if let Some(i) = self
                .answers
                .iter()
                .position(|a| a.get("id").is_none_or(Value::is_null))
            {
                let e = self.answers.remove(i)["error"].clone();
                return Failure {
                    code: e["code"].as_str().unwrap().into(),
                    message: e["message"].as_str().unwrap().into(),
                };
            }
            self.read_one().await;
        }
    }

    pub async fn call(&mut self, method: &str, params: Value) -> Result<Value, Failure> {
        let id = self.send(method, params).await;
        self.answer(id).await
    }

    /// A call that must succeed.
    pub async fn ok(&mut self, method: &str, params: Value) -> Value {
        match self.call(method, params.clone()).await {
            Ok(v) => v,
            Err(e) => panic!("{method} {params} failed: {e:?}"),
        }
    }

    /// A call that must fail; returns the error.
    pub async fn fails(&mut self, method: &str, params: Value) -> Failure {
        match self.call(method, params).await {
            Ok(v) => panic!("{method} succeeded: {v}"),
            Err(e) => e,
        }
    }

    /// The next event named `name` (earlier events of other names stay buffered).
    pub async fn event(&mut self, name: &str) -> Value {
        self.event_where(name, |_| true).await
    }

    pub async fn event_where(&mut self, name: &str, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            if let Some(i) = self
                .events
                .iter()
                .position(|e| e["event"] == name && pred(&e["body"]))
            {
                return self.events.remove(i).unwrap()["body"].clone();
            }
            self.read_one().await;
        }
    }

    /// Buffered events named `name`, after reading what has arrived so far.
    pub async fn drain(&mut self, name: &str) -> Vec<Value> {
        // A round trip makes sure everything sent before it has arrived.
        self.ok("clock.now", json!({})).await;
        let (hit, rest): (Vec<Value>, Vec<Value>) =
            self.events.drain(..).partition(|e| e["event"] == name);
        self.events = rest.into();
        hit.into_iter().map(|e| e["body"].clone()).collect()
    }

    /// Asserts that no event named `name` has arrived (after a round trip).
    pub async fn no_event(&mut self, name: &str) {
        let got = self.drain(name).await;
        assert!(got.is_empty(), "unexpected {name} events: {got:?}");
    }

    /// Waits for the server to close the connection; returns its close frame.
    /// Answers and events that arrive first are kept.
    pub async fn closed(&mut self) -> Option<CloseFrame> {
        loop {
            match tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("the close in time")
            {
                Some(Ok(Message::Close(f))) => return f,
                Some(Ok(Message::Text(t))) => {
                    let v: Value = serde_json::from_str(t.as_str()).expect("JSON");
                    if v.get("event").is_some() {
                        self.events.push_back(v);
                    } else {
                        self.answers.push(v);
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => panic!("connection failed before its close frame: {e}"),
                None => return None,
            }
        }
    }

    /// Every event that arrived so far, by name (after a round trip).
    pub async fn all_events(&mut self) -> Vec<Value> {
        self.ok("clock.now", json!({})).await;
        self.events.drain(..).collect()
    }

    /// The world's fixture secret and password of an LMO user.
    fn lmo_credentials(&self, user: &str) -> (String, Option<String>) {
        let u = self
            .sb
            .world
            .publisher
            .lmo
            .user(user)
            .expect("an LMO user of the world");
        (u.password.clone(), u.totp_secret.clone())
    }

    /// Logs in to the LMO with the fixture password and a fresh TOTP code (the
    /// clock moves 30 s first so that no code is reused).
    pub async fn login_lmo(&mut self, user: &str) -> Result<Value, Failure> {
        let (password, secret) = self.lmo_credentials(user);
        self.sb.clock.advance(Duration::from_secs(30)).unwrap();
        let code = secret.map(|s| current_code(&s, self.sb.clock.now()).unwrap());
        self.call(
            "auth.login",
            json!({ "username": user, "password": password, "code": code }),
        )
        .await
    }

    /// Logs in as a subscriber user with the fixture password.
    pub async fn login_subscriber(&mut self, org: &str, user: &str) -> Result<Value, Failure> {
        let rt = self.sb.org(org).expect("an org of the world").clone();
        let u = rt.info().user(user).expect("a user of the org").clone();
        self.sb.clock.advance(Duration::from_secs(30)).unwrap();
        let code = u
            .totp_secret
            .map(|s| current_code(&s, self.sb.clock.now()).unwrap());
        self.call(
            "auth.loginSubscriber",
            json!({ "org": org, "username": user, "password": u.password, "code": code }),
        )
        .await
    }

    /// Starts a debug session; returns its id.
    pub async fn debug_start(&mut self) -> String {
        let s = self.ok("debug.start", json!({})).await;
        s["sessionId"].as_str().unwrap().to_string()
    }
}

/// The TOTP code a user's authenticator shows now.
pub fn code_now(sb: &Sandbox, secret: &str) -> String {
    current_code(secret, sb.clock.now()).unwrap()
}

/// A six-digit code that no step of the accepted window (one step either side)
/// produces for `secret` now.
pub fn wrong_code(sb: &Sandbox, secret: &str) -> String {
    let now = sb.clock.now();
    let window: Vec<String> = (-1..=1)
        .map(|o| code_at_step_offset(secret, now, o).unwrap())
        .collect();
    (0..1_000_000u32)
        .map(|n| format!("{n:06}"))
        .find(|c| !window.contains(c))
        .unwrap()
}

/// The LMO user's fixture password and TOTP secret.
pub fn lmo_secret(sb: &Sandbox, user: &str) -> (String, String) {
    let (_, u) = sb.world.lmo_user(user).expect("an LMO user");
    (
        u.password.clone(),
        u.totp_secret.clone().expect("enrolled in MFA"),
    )
}

/// The 1-based line of the first line of anonymous Apex `code` that contains `marker`.
pub fn line_of(code: &str, marker: &str) -> u32 {
    code.lines()
        .position(|l| l.contains(marker))
        .expect("the marker") as u32
        + 1
}

/// The 1-based line of a marker comment in a package class.
pub fn marker_line(sb: &Sandbox, class_file: &str, marker: &str) -> u32 {
    let rt = sb.org("globex-full").unwrap();
    let (f, _) = rt
        .sources
        .iter()
        .find(|(f, _)| f.name == class_file)
        .expect("the class");
    f.text
        .lines()
        .position(|l| l.contains(marker))
        .expect("the marker") as u32
        + 1
}

/// Anonymous Apex that recalculates the Globex invoice (the bug's reproduction).
pub fn recalculate_script(sb: &Sandbox) -> String {
    let rt = sb.org("globex-full").unwrap();
    let dir = rt.info().project.expect("globex-full has a project");
    std::fs::read_to_string(dir.join("scripts/recalculate-invoice.apex")).unwrap()
}
