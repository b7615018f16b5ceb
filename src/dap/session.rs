//! One debug session: a single task that owns all session state.
//!
//! [`Session::run`] is a `select!` over the client's frames and the backend's
//! events. Requests are handled one at a time, in arrival order, by one
//! exhaustive `match` over [`RequestArguments`] that calls `handle_*` methods.
//! Every request gets exactly one response, even when it cannot be parsed.

use std::collections::{HashSet, VecDeque};

use futures::{SinkExt, StreamExt};
use serde::{Deserialize as _, Serialize};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_util::codec::{FramedRead, FramedWrite};
use tracing::{debug, info, warn};

use super::backend::{Backend, BackendEvent, ShutdownReason};
use super::codec::{DapCodec, Frame, FrameError};
use super::error::{DapError, ids};
use super::launch::{Trace, TraceTopic};
use super::protocol::*;
use super::transport::{BoxRead, BoxWrite, Connection};

/// The log target of `trace: "protocol"`.
const PROTOCOL_TARGET: &str = "isvdbg::trace::protocol";

/// What happens after a request's response is sent.
#[derive(Debug, Default)]
struct Then {
    /// Events to send right after the response.
    events: Vec<EventBody>,
    /// End the session after the response.
    end: bool,
}

/// Where the session is in the DAP lifecycle.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for `initialize`.
    #[default]
    New,
    /// `initialize` answered; configuring, launching or debugging.
    Initialized,
    /// `disconnect` answered or the client is gone.
    Ended,
}

/// A debug session over one connection, driving backend `B`.
pub struct Session<B: Backend> {
    reader: FramedRead<BoxRead, DapCodec>,
    writer: FramedWrite<BoxWrite, DapCodec>,
    next_seq: i64,
    phase: Phase,
    /// Whether a debuggee was launched or attached.
    debugging: bool,
    /// Whether `terminated` was already sent; it goes out at most once.
    terminated_sent: bool,
    backend: B,
    events_tx: mpsc::UnboundedSender<BackendEvent>,
    events_rx: mpsc::UnboundedReceiver<BackendEvent>,
    /// Backend events that came while a launch was in progress, to send
    /// after its response (progress events go out at once).
    held: Vec<BackendEvent>,
    /// Client input read while a cancellable request ran, in arrival order.
    queued: VecDeque<ClientInput>,
    /// Queued requests the client cancelled; they are answered `cancelled`.
    cancelled: HashSet<i64>,
    /// The client's stream ended or failed; it is not read again.
    client_done: bool,
    /// Log every message with the client (launch.json `trace: "protocol"`).
    trace_protocol: bool,
}

/// What reading the client's stream gave: a frame, an error, or its end.
type ClientInput = Option<std::io::Result<Frame>>;

/// One thing the loop reacts to.
// Events are moved a handful of times and then sent; boxing would only add
// an allocation per event.
#[allow(clippy::large_enum_variant)]
enum Input {
    /// A frame from the client, or `None` when its stream ended.
    Client(ClientInput),
    /// An event from the backend.
    Backend(BackendEvent),
}

impl<B: Backend> Session<B> {
    /// A session over `connection`, driving `backend`.
    pub fn new(connection: Connection, backend: B) -> Self {
        let (events_tx, events_rx) = mpsc::unbounded_channel();
        Session {
            reader: connection.reader,
            writer: connection.writer,
            next_seq: 1,
            phase: Phase::New,
            debugging: false,
            terminated_sent: false,
            backend,
            events_tx,
            events_rx,
            held: Vec::new(),
            queued: VecDeque::new(),
            cancelled: HashSet::new(),
            client_done: false,
            trace_protocol: false,
        }
    }

    /// Runs until the client disconnects or its stream closes.
    pub async fn run(mut self) -> std::io::Result<()> {
        let outcome = self.run_loop().await;
        if self.phase != Phase::Ended {
            // The client went away without `disconnect`; a paused customer
            // request must still finish.
            self.backend.shutdown(ShutdownReason::ClientGone).await;
        }
        let _ = SinkExt::<ProtocolMessage>::close(&mut self.writer).await;
        outcome
    }

    async fn run_loop(&mut self) -> std::io::Result<()> {
        while self.phase != Phase::Ended {
            let input = match self.queued.pop_front() {
                Some(queued) => Input::Client(queued),
                None => tokio::select! {
                    frame = self.reader.next(), if !self.client_done => Input::Client(frame),
                    Some(event) = self.events_rx.recv() => Input::Backend(event),
                },
            };
            match input {
                Input::Client(None) => {
                    info!("the client closed the connection");
                    return Ok(());
                }
                Input::Client(Some(Err(e))) => {
                    warn!("reading from the client failed: {e}");
                    return Err(e);
                }
                Input::Client(Some(Ok(frame))) => self.handle_frame(frame).await?,
                Input::Backend(event) => self.handle_backend_event(event).await?,
            }
        }
        Ok(())
    }

    async fn handle_frame(&mut self, frame: Frame) -> std::io::Result<()> {
        match frame {
            Frame::Message(value) => self.handle_value(value).await,
            Frame::InvalidJson {
                error,
                seq,
                command,
            } => {
                let text = format!(
                    "a message was not valid JSON ({error}); the client must send UTF-8 JSON bodies"
                );
                warn!("{text}");
                match seq {
                    Some(seq) => {
                        let command = command.unwrap_or_else(|| "unknown".to_owned());
                        let error = DapError::new(ids::INVALID_MESSAGE, text);
                        self.send_error(seq, &command, &error).await
                    }
                    None => self.send_important(text).await,
                }
            }
            Frame::Rejected(reason) => {
                warn!("{reason}");
                match reason {
                    // Say nothing to a web page: it is not a debugger client.
                    FrameError::OriginRefused { .. } => Ok(()),
                    other => self.send_important(other.to_string()).await,
                }
            }
        }
    }

    async fn handle_value(&mut self, value: Value) -> std::io::Result<()> {
        if self.trace_protocol {
            info!(target: PROTOCOL_TARGET, "<- {value}");
        }
        match ProtocolMessage::deserialize(&value) {
            Ok(ProtocolMessage::Request(request)) => self.dispatch(request).await,
            Ok(ProtocolMessage::Response(response)) => {
                debug!(
                    "ignoring a response to request {}: this adapter sends no requests",
                    response.request_seq
                );
                Ok(())
            }
            Ok(ProtocolMessage::Event(event)) => {
                warn!(
                    "ignoring event `{}` from the client: clients send requests",
                    event.name()
                );
                Ok(())
            }
            Err(e) => {
                let text = format!(
                    "a message is not a valid DAP message ({e}); \
                     each needs `seq`, `type` and, for a request, `command`"
                );
                warn!("{text}");
                match value.get("seq").and_then(Value::as_i64) {
                    Some(seq) => {
                        let command = value
                            .get("command")
                            .and_then(Value::as_str)
                            .unwrap_or("unknown")
                            .to_owned();
                        let error = DapError::new(ids::INVALID_MESSAGE, text);
                        self.send_error(seq, &command, &error).await
                    }
                    None => self.send_important(text).await,
                }
            }
        }
    }

    /// Routes one request and sends its response, then any follow-up events.
    async fn dispatch(&mut self, request: Request) -> std::io::Result<()> {
        let seq = request.seq;
        let command = request.command.name().to_owned();
        debug!(seq, %command, "request");
        if self.cancelled.remove(&seq) {
            debug!(seq, %command, "cancelled before it ran");
            return self.send_error(seq, &command, &DapError::cancelled()).await;
        }
        let mut then = Then::default();
        let result = match request.command {
            Command::Known(args) => self.handle_request(args, &mut then).await,
            Command::Other { command, arguments }
                if self.phase != Phase::New && !RequestArguments::is_known(&command) =>
            {
                if self.backend.cancellable(&command) {
                    self.cancellable_custom(seq, &command, arguments).await
                } else {
                    self.backend.custom(&command, arguments).await
                }
            }
            Command::Other { command, arguments } => Err(invalid_or_unknown(&command, arguments)),
        };
        match result {
            Ok(body) => self.send_response(seq, &command, body).await?,
            Err(error) => {
                debug!(seq, %command, "request failed: {error}");
                self.send_error(seq, &command, &error).await?
            }
        }
        for event in then.events {
            self.send_event(event).await?;
        }
        for event in std::mem::take(&mut self.held) {
            self.handle_backend_event(event).await?;
        }
        if then.end {
            self.phase = Phase::Ended;
        }
        Ok(())
    }

    async fn handle_request(
        &mut self,
        args: RequestArguments,
        then: &mut Then,
    ) -> Result<Option<Value>, DapError> {
        use RequestArguments as R;
        match (&args, self.phase) {
            (R::Initialize(_), Phase::New) => {}
            (R::Initialize(_), _) => {
                return Err(DapError::new(
                    ids::BAD_SEQUENCE,
                    "`initialize` was already answered; send it once per session",
                ));
            }
            (_, Phase::New) => {
                return Err(DapError::new(
                    ids::BAD_SEQUENCE,
                    format!(
                        "`{}` came before `initialize`; the first request must be `initialize`",
                        args.command()
                    ),
                ));
            }
            _ => {}
        }
        match args {
            R::Initialize(a) => self.handle_initialize(a, then),
            R::Launch(a) => self.handle_launch(a, false).await,
            R::Attach(a) => self.handle_launch(a, true).await,
            R::ConfigurationDone(_) => self.handle_configuration_done().await,
            R::Disconnect(a) => self.handle_disconnect(a.unwrap_or_default(), then).await,
            R::Terminate(_) => self.handle_terminate(then).await,
            R::Cancel(_) => self.handle_cancel(),
            args @ (R::SetBreakpoints(_)
            | R::SetFunctionBreakpoints(_)
            | R::SetExceptionBreakpoints(_)
            | R::BreakpointLocations(_)
            | R::Threads(_)
            | R::StackTrace(_)
            | R::Scopes(_)
            | R::Variables(_)
            | R::SetVariable(_)
            | R::Evaluate(_)
            | R::Completions(_)
            | R::Continue(_)
            | R::Next(_)
            | R::StepIn(_)
            | R::StepOut(_)
            | R::StepBack(_)
            | R::ReverseContinue(_)
            | R::Pause(_)
            | R::Source(_)
            | R::LoadedSources(_)
            | R::ExceptionInfo(_)) => self.handle_runtime_request(args).await,
        }
    }

    fn handle_initialize(
        &mut self,
        args: InitializeRequestArguments,
        then: &mut Then,
    ) -> Result<Option<Value>, DapError> {
        info!(
            client = args.client_id.as_deref().unwrap_or("?"),
            adapter = %args.adapter_id,
            "initialize"
        );
        self.phase = Phase::Initialized;
        self.backend.initialize(&args);
        let mut caps = self.backend.capabilities();
        // Answered by the session itself, whatever the backend.
        caps.supports_configuration_done_request = Some(true);
        caps.supports_terminate_request = Some(true);
        // Configuration requests are welcome from now on.
        then.events.push(EventBody::Initialized);
        to_body(caps)
    }

    async fn handle_launch(
        &mut self,
        args: LaunchRequestArguments,
        attach: bool,
    ) -> Result<Option<Value>, DapError> {
        if self.debugging {
            return Err(DapError::new(
                ids::BAD_SEQUENCE,
                "a debuggee is already running in this session; end it before launching another",
            ));
        }
        let trace = args.attributes.get("trace").map(Trace::from_json);
        let trace_protocol = matches!(trace, Some(Ok(t)) if t.is_enabled(TraceTopic::Protocol));
        if trace_protocol && !self.trace_protocol {
            let command = if attach { "attach" } else { "launch" };
            info!(target: PROTOCOL_TARGET, "tracing the protocol from this `{command}` on");
        }
        self.trace_protocol = trace_protocol;
        let sink = self.events_tx.clone();
        let started = if attach {
            futures::future::Either::Left(self.backend.attach(args, sink))
        } else {
            futures::future::Either::Right(self.backend.launch(args, sink))
        };
        tokio::pin!(started);
        // Connecting can take a while: let its progress reach the client now.
        let outcome = loop {
            tokio::select! {
                outcome = &mut started => break outcome,
                Some(event) = self.events_rx.recv() => match event {
                    BackendEvent::Event(body @ (EventBody::ProgressStart(_)
                    | EventBody::ProgressUpdate(_)
                    | EventBody::ProgressEnd(_))) => {
                        let seq = self.next_seq;
                        self.next_seq += 1;
                        let event = Event { seq, kind: EventKind::Known(body) };
                        if self.trace_protocol
                            && let Ok(text) = serde_json::to_string(&event)
                        {
                            info!(target: PROTOCOL_TARGET, "-> {text}");
                        }
                        if let Err(e) = self.writer.send(ProtocolMessage::Event(event)).await {
                            warn!("writing a progress event failed: {e}");
                        }
                    }
                    other => self.held.push(other),
                },
            }
        };
        outcome?;
        self.debugging = true;
        self.terminated_sent = false;
        Ok(None)
    }

    async fn handle_configuration_done(&mut self) -> Result<Option<Value>, DapError> {
        self.backend.configuration_done().await?;
        Ok(None)
    }

    async fn handle_disconnect(
        &mut self,
        args: DisconnectArguments,
        then: &mut Then,
    ) -> Result<Option<Value>, DapError> {
        let reason = ShutdownReason::Disconnect {
            terminate_debuggee: args.terminate_debuggee.unwrap_or(false),
        };
        self.backend.shutdown(reason).await;
        if self.debugging && !self.terminated_sent {
            self.terminated_sent = true;
            then.events.push(EventBody::Terminated(Default::default()));
        }
        self.debugging = false;
        then.end = true;
        Ok(None)
    }

    async fn handle_terminate(&mut self, then: &mut Then) -> Result<Option<Value>, DapError> {
        self.backend.shutdown(ShutdownReason::Terminate).await;
        self.debugging = false;
        // The client waits for `terminated` before it sends `disconnect`.
        if !self.terminated_sent {
            self.terminated_sent = true;
            then.events.push(EventBody::Terminated(Default::default()));
        }
        Ok(None)
    }

    /// A `cancel` takes effect when it is read (see
    /// [`Session::cancellable_custom`]); by the time its turn comes, the
    /// request it names has been answered, `cancelled` or not.
    fn handle_cancel(&mut self) -> Result<Option<Value>, DapError> {
        Ok(None)
    }

    async fn handle_runtime_request(
        &mut self,
        args: RequestArguments,
    ) -> Result<Option<Value>, DapError> {
        self.backend.request(args).await
    }

    async fn handle_backend_event(&mut self, event: BackendEvent) -> std::io::Result<()> {
        match event {
            BackendEvent::Event(EventBody::Terminated(body)) => {
                if !self.terminated_sent {
                    self.terminated_sent = true;
                    self.debugging = false;
                    self.send_event(EventBody::Terminated(body)).await?;
                }
                Ok(())
            }
            BackendEvent::Event(body) => self.send_event(body).await,
            BackendEvent::Custom { event, body } => {
                let event = Event {
                    seq: self.take_seq(),
                    kind: EventKind::Other {
                        event,
                        body: Some(body),
                    },
                };
                self.send(ProtocolMessage::Event(event)).await
            }
            BackendEvent::Ended { reason } => {
                self.send_important(format!("{reason}\n")).await?;
                if !self.terminated_sent {
                    self.terminated_sent = true;
                    self.debugging = false;
                    self.send_event(EventBody::Terminated(Default::default()))
                        .await?;
                }
                Ok(())
            }
        }
    }

    fn take_seq(&mut self) -> i64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    async fn send<T: Serialize>(&mut self, message: T) -> std::io::Result<()> {
        if self.trace_protocol
            && let Ok(text) = serde_json::to_string(&message)
        {
            info!(target: PROTOCOL_TARGET, "-> {text}");
        }
        self.writer.send(message).await
    }

    async fn send_response(
        &mut self,
        request_seq: i64,
        command: &str,
        body: Option<Value>,
    ) -> std::io::Result<()> {
        let response = Response {
            seq: self.take_seq(),
            request_seq,
            success: true,
            command: command.to_owned(),
            message: None,
            body,
        };
        self.send(ProtocolMessage::Response(response)).await
    }

    async fn send_error(
        &mut self,
        request_seq: i64,
        command: &str,
        error: &DapError,
    ) -> std::io::Result<()> {
        let response = Response {
            seq: self.take_seq(),
            request_seq,
            success: false,
            command: command.to_owned(),
            message: Some(error.message.clone()),
            body: Some(error.body()),
        };
        self.send(ProtocolMessage::Response(response)).await
    }

    async fn send_event(&mut self, body: EventBody) -> std::io::Result<()> {
        let event = Event {
            seq: self.take_seq(),
            kind: EventKind::Known(body),
        };
        self.send(ProtocolMessage::Event(event)).await
    }

    /// An `output` event of category `important`, which clients show prominently.
    async fn send_important(&mut self, text: String) -> std::io::Result<()> {
        let text = if text.ends_with('\n') {
            text
        } else {
            format!("{text}\n")
        };
        let body = OutputEventBody::new("important", format!("isvdbg: {text}"));
        self.send_event(EventBody::Output(body)).await
    }
}

/// The error for a request that did not parse into a known command.
fn invalid_or_unknown(command: &str, arguments: Option<Value>) -> DapError {
    if !RequestArguments::is_known(command) {
        return DapError::unknown_command(command);
    }
    let probe = json!({ "command": command, "arguments": arguments });
    let detail = match serde_json::from_value::<RequestArguments>(probe) {
        Err(e) => e.to_string(),
        Ok(_) => "they do not match the protocol".to_owned(),
    };
    DapError::new(
        ids::INVALID_ARGUMENTS,
        format!(
            "invalid arguments for `{command}`: {detail}; fix the request to match the DAP specification"
        ),
    )
}

fn to_body<T: Serialize>(value: T) -> Result<Option<Value>, DapError> {
    serde_json::to_value(value)
        .map(Some)
        .map_err(|e| DapError::new(ids::RUNTIME, format!("could not encode a response: {e}")))
}

mod cancel;
