//! A DAP client connection: requests awaited by `request_seq`, events by
//! predicate, both with timeouts.
//!
//! A reader task owns the incoming stream. When it ends, for whatever
//! reason, every pending and future wait fails at once; nobody waits forever.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde::Deserialize as _;
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::process::Child;
use tokio::sync::{Notify, oneshot};
use tokio::time::Instant;
use tokio_util::codec::{FramedRead, FramedWrite};
use tracing::{debug, warn};

use super::error::{ClientError, Fatal};
use super::transcript::{Direction, Transcript};
use crate::dap::codec::{DapCodec, Frame};
use crate::dap::protocol::typed::Request as TypedRequest;
use crate::dap::protocol::{Event, ProtocolMessage, Response};
use crate::dap::transport::{BoxRead, BoxWrite, Connection};

/// How long a wait lasts unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

type Waiter = oneshot::Sender<Result<Response, Fatal>>;

#[derive(Default)]
struct State {
    pending: HashMap<i64, Waiter>,
    events: VecDeque<Event>,
    fatal: Option<Fatal>,
}

struct Shared {
    state: Mutex<State>,
    events_changed: Notify,
    transcript: Mutex<Transcript>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn transcript(&self) -> MutexGuard<'_, Transcript> {
        self.transcript.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Ends the stream for everyone: pending requests fail, event waiters wake.
    fn fail(&self, fatal: Fatal) {
        let mut state = self.state();
        if state.fatal.is_none() {
            state.fatal = Some(fatal.clone());
        }
        let fatal = state.fatal.clone().unwrap_or(fatal);
        for (_, waiter) in state.pending.drain() {
            let _ = waiter.send(Err(fatal.clone()));
        }
        drop(state);
        self.events_changed.notify_waiters();
    }
}

/// A connection to a debug adapter.
pub struct Client {
    writer: tokio::sync::Mutex<Option<FramedWrite<BoxWrite, DapCodec>>>,
    shared: Arc<Shared>,
    next_seq: AtomicI64,
    child: Option<Child>,
    reader_task: Option<tokio::task::JoinHandle<()>>,
    /// How long each wait lasts unless a call says otherwise.
    pub timeout: Duration,
}

/// A request sent and not yet answered.
pub struct PendingResponse {
    command: String,
    rx: oneshot::Receiver<Result<Response, Fatal>>,
}

impl PendingResponse {
    /// Waits for the response, at most `timeout`.
    pub async fn wait(self, timeout: Duration) -> Result<Response, ClientError> {
        let what = format!("the response to `{}`", self.command);
        match tokio::time::timeout(timeout, self.rx).await {
            Err(_) => Err(ClientError::Timeout {
                what,
                after: timeout,
            }),
            Ok(Err(_)) => Err(ClientError::StreamClosed(what)),
            Ok(Ok(Err(fatal))) => Err(fatal.to_error(&what)),
            Ok(Ok(Ok(response))) => Ok(response),
        }
    }
}

impl Client {
    /// A client over any pair of byte streams, with `transcript` observing.
    pub fn new(
        reader: impl AsyncRead + Send + Unpin + 'static,
        writer: impl AsyncWrite + Send + Unpin + 'static,
        transcript: Transcript,
    ) -> Self {
        Self::from_connection(Connection::new(reader, writer), transcript)
    }

    /// A client over an already framed connection, such as `Connection::memory()`.
    pub fn from_connection(connection: Connection, transcript: Transcript) -> Self {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            events_changed: Notify::new(),
            transcript: Mutex::new(transcript),
        });
        let reader_task = tokio::spawn(read_loop(connection.reader, shared.clone()));
        Client {
            reader_task: Some(reader_task),
            writer: tokio::sync::Mutex::new(Some(connection.writer)),
            shared,
            next_seq: AtomicI64::new(1),
            child: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Starts `program args...` as an adapter speaking DAP on its stdio.
    /// Its stderr goes to ours, so its log stays visible.
    pub fn spawn(program: &str, args: &[String], transcript: Transcript) -> anyhow::Result<Self> {
        Self::spawn_with_env(program, args, &[], transcript)
    }

    /// As [`spawn`](Self::spawn), with `env` added to the adapter's environment.
    pub fn spawn_with_env(
        program: &str,
        args: &[String],
        env: &[(String, String)],
        transcript: Transcript,
    ) -> anyhow::Result<Self> {
        let mut child = tokio::process::Command::new(program)
            .args(args)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                anyhow::anyhow!(
                    "could not start the adapter `{program}`: {e}; check the --adapter command"
                )
            })?;
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut client = Client::new(stdout, stdin, transcript);
        client.child = Some(child);
        Ok(client)
    }

    /// Connects to an adapter listening on `addr`.
    pub async fn connect(addr: &str, transcript: Transcript) -> anyhow::Result<Self> {
        let stream = tokio::net::TcpStream::connect(addr).await.map_err(|e| {
            anyhow::anyhow!(
                "could not connect to the adapter at {addr}: {e}; start it with `isvdbg dap --port N`"
            )
        })?;
        let connection = Connection::tcp(stream)?;
        Ok(Client::from_connection(connection, transcript))
    }

    /// Sends a request without waiting for its response.
    pub async fn send_request(
        &self,
        command: &str,
        arguments: Option<Value>,
    ) -> Result<PendingResponse, ClientError> {
        let seq = self.next_seq.fetch_add(1, Ordering::Relaxed);
        let mut msg = json!({ "seq": seq, "type": "request", "command": command });
        if let Some(arguments) = arguments {
            msg["arguments"] = arguments;
        }
        let (tx, rx) = oneshot::channel();
        {
            let mut state = self.shared.state();
            if let Some(fatal) = &state.fatal {
                return Err(fatal.to_error(&format!("sending `{command}`")));
            }
            state.pending.insert(seq, tx);
        }
        let _ = self.shared.transcript().note(Direction::Send, &msg);
        match self.writer.lock().await.as_mut() {
            Some(writer) => writer.send(&msg).await?,
            None => return Err(ClientError::StreamClosed(format!("sending `{command}`"))),
        }
        Ok(PendingResponse {
            command: command.to_owned(),
            rx,
        })
    }

    /// Sends a request and waits for its response, failed or not.
    pub async fn request_raw(
        &self,
        command: &str,
        arguments: Option<Value>,
    ) -> Result<Response, ClientError> {
        self.send_request(command, arguments)
            .await?
            .wait(self.timeout)
            .await
    }

    /// Sends a typed request; an error response becomes [`ClientError::Failed`].
    pub async fn request<R: TypedRequest>(
        &self,
        arguments: R::Arguments,
    ) -> Result<R::Result, ClientError> {
        let arguments = serde_json::to_value(arguments)
            .map_err(|e| ClientError::Parse(format!("could not encode the arguments: {e}")))?;
        let response = self.request_raw(R::COMMAND, Some(arguments)).await?;
        if !response.success {
            return Err(ClientError::Failed {
                command: R::COMMAND.to_owned(),
                message: response.error_text().unwrap_or_default(),
            });
        }
        parse_body::<R::Result>(R::COMMAND, response.body)
    }

    /// Waits for the first event, old or new, that `matches`, and takes it
    /// out of the queue. Events that do not match stay queued.
    pub async fn wait_event(
        &self,
        what: &str,
        timeout: Duration,
        mut matches: impl FnMut(&Event) -> bool,
    ) -> Result<Event, ClientError> {
        let deadline = Instant::now() + timeout;
        loop {
            let notified = self.shared.events_changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut state = self.shared.state();
                if let Some(i) = state.events.iter().position(&mut matches) {
                    return Ok(state.events.remove(i).expect("index is in range"));
                }
                if let Some(fatal) = &state.fatal {
                    return Err(fatal.to_error(what));
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return Err(ClientError::Timeout {
                    what: what.to_owned(),
                    after: timeout,
                });
            }
        }
    }

    /// Waits for an event named `name`.
    pub async fn wait_event_named(&self, name: &str) -> Result<Event, ClientError> {
        self.wait_event(&format!("event `{name}`"), self.timeout, |e| {
            e.name() == name
        })
        .await
    }

    /// Names of the events queued and not yet taken, oldest first.
    pub fn queued_events(&self) -> Vec<String> {
        let state = self.shared.state();
        state.events.iter().map(|e| e.name().to_owned()).collect()
    }

    /// The last few messages exchanged, oldest first.
    pub fn recent(&self) -> Vec<(Direction, Value)> {
        self.shared.transcript().recent()
    }

    /// Closes our side, waits (briefly) for the adapter to close its side and,
    /// when we spawned it, to exit.
    pub async fn shutdown(&mut self) -> Shutdown {
        // Dropping the writer closes the stream; `close` alone leaves a
        // child's stdin open.
        if let Some(mut writer) = self.writer.lock().await.take() {
            let _ = SinkExt::<&Value>::close(&mut writer).await;
        }
        let mut outcome = Shutdown::default();
        if let Some(child) = self.child.as_mut() {
            match tokio::time::timeout(Duration::from_secs(5), child.wait()).await {
                Ok(Ok(status)) => outcome.exit_code = status.code(),
                _ => {
                    outcome.problem = Some(
                        "the adapter did not exit within 5 s of its input closing; it was killed"
                            .to_owned(),
                    );
                    let _ = child.kill().await;
                }
            }
        }
        if let Some(task) = self.reader_task.take()
            && tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
        {
            outcome.problem.get_or_insert_with(|| {
                "the adapter kept its side of the connection open for 5 s after ours closed"
                    .to_owned()
            });
        }
        if let Some(Fatal::Parse(m) | Fatal::Schema(m)) = &self.shared.state().fatal {
            outcome.problem = Some(m.clone());
        }
        outcome
    }
}

/// How a connection ended.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Shutdown {
    /// Exit code of a spawned adapter, when it exited by itself.
    pub exit_code: Option<i32>,
    /// Anything wrong seen while closing, or late in the stream.
    pub problem: Option<String>,
}

fn parse_body<T: serde::de::DeserializeOwned>(
    command: &str,
    body: Option<Value>,
) -> Result<T, ClientError> {
    let had_body = body.is_some();
    let value = body.unwrap_or(Value::Null);
    match serde_json::from_value::<T>(value) {
        Ok(v) => Ok(v),
        // A missing body means "nothing to say": an empty object for struct results.
        Err(_) if !had_body => serde_json::from_value::<T>(json!({}))
            .map_err(|e| ClientError::Parse(format!("the `{command}` response has no body: {e}"))),
        Err(e) => Err(ClientError::Parse(format!(
            "the `{command}` response body does not match the protocol: {e}"
        ))),
    }
}

async fn read_loop(mut reader: FramedRead<BoxRead, DapCodec>, shared: Arc<Shared>) {
    while let Some(frame) = reader.next().await {
        let value = match frame {
            Ok(Frame::Message(value)) => value,
            Ok(Frame::InvalidJson { error, .. }) => {
                shared.fail(Fatal::Parse(format!("a body is not JSON: {error}")));
                return;
            }
            Ok(Frame::Rejected(reason)) => {
                shared.fail(Fatal::Parse(reason.to_string()));
                return;
            }
            Err(e) => {
                shared.fail(Fatal::Parse(format!("reading failed: {e}")));
                return;
            }
        };
        if let Err(violation) = shared.transcript().note(Direction::Recv, &value) {
            shared.fail(Fatal::Schema(violation));
            return;
        }
        match ProtocolMessage::deserialize(&value) {
            Ok(ProtocolMessage::Response(response)) => {
                let waiter = shared.state().pending.remove(&response.request_seq);
                match waiter {
                    Some(waiter) => {
                        let _ = waiter.send(Ok(response));
                    }
                    None => warn!(
                        "the adapter answered request {} that is not pending",
                        response.request_seq
                    ),
                }
            }
            Ok(ProtocolMessage::Event(event)) => {
                debug!(event = event.name(), "event");
                shared.state().events.push_back(event);
                shared.events_changed.notify_waiters();
            }
            Ok(ProtocolMessage::Request(request)) => {
                warn!(
                    "ignoring reverse request `{}`: the headless client runs nothing for the adapter",
                    request.command.name()
                );
            }
            Err(e) => {
                shared.fail(Fatal::Parse(format!(
                    "{e}: {}",
                    truncate(&value.to_string(), 200)
                )));
                return;
            }
        }
    }
    shared.fail(Fatal::Closed);
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}
