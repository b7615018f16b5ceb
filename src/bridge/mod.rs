//! The DAP bridge: a [`Backend`] that drives ISV Customer Debugger sessions
//! in a sandbox (embedded in this process, or `isvdbg sandbox` over
//! WebSocket) through the sandbox's JSON API.
//!
//! - [`client`]: the API client (ids, out-of-order answers, events);
//! - [`live`]: launch, attach and the end of a debug session;
//! - [`connect`] and [`credentials`]: reaching the sandbox and logging in;
//! - [`project`]: SFDX files ↔ Apex typerefs;
//! - [`breakpoints`], [`execution`], [`inspect`], [`settings_scope`],
//!   [`source`]: the DAP requests;
//! - [`events`]: sandbox events → DAP events, on its own task;
//! - [`custom`]: the `isv/...` requests;
//! - [`replay`]: a fake sandbox answering from a recorded transcript (tests).

pub mod breakpoints;
pub mod client;
pub mod connect;
pub mod credentials;
pub mod custom;
pub mod events;
pub mod execution;
pub mod inspect;
pub mod live;
pub mod prefetch;
pub mod progress;
pub mod project;
pub mod replay;
pub mod settings;
pub mod settings_scope;
pub mod source;
pub mod state;
pub mod wait;

use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

pub use connect::EmbeddedSandboxes;
pub use live::Live;

use breakpoints::Breakpoints;
use execution::Move;
use inspect::{Bases, Inspect};
use state::{Refs, Shared};

use crate::dap::error::ids;
use crate::dap::protocol::*;
use crate::dap::{Backend, DapError, EventSink, ShutdownReason};

/// Looks up an environment variable (the process environment, or a map in tests).
pub type EnvLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// The backend of `isvdbg dap`.
pub struct Bridge {
    env: EnvLookup,
    /// Sandboxes shared with the other sessions of this process (TCP mode).
    registry: Option<EmbeddedSandboxes>,
    progress: bool,
    bases: Bases,
    shared: Arc<Shared>,
    refs: Refs,
    breakpoints: Breakpoints,
    live: Option<Live>,
    /// Where events go once a session runs (custom requests send some).
    sink: Option<EventSink>,
}

impl Default for Bridge {
    fn default() -> Self {
        Bridge::new()
    }
}

impl Bridge {
    /// A bridge that starts its own embedded sandbox when asked (one session per process).
    pub fn new() -> Bridge {
        Bridge {
            env: Arc::new(|name| std::env::var(name).ok()),
            registry: None,
            progress: false,
            bases: Bases::default(),
            shared: Arc::new(Shared::default()),
            refs: Refs::default(),
            breakpoints: Breakpoints::default(),
            live: None,
            sink: None,
        }
    }

    /// A bridge whose embedded sandboxes are shared with other sessions of
    /// this process, as on one Salesforce instance.
    pub fn sharing(registry: EmbeddedSandboxes) -> Bridge {
        Bridge {
            registry: Some(registry),
            ..Bridge::new()
        }
    }

    /// Reads credentials from `env` instead of the process environment.
    pub fn with_env(mut self, env: EnvLookup) -> Bridge {
        self.env = env;
        self
    }

    fn live(&self) -> Result<&Live, DapError> {
        self.live.as_ref().ok_or_else(|| {
            DapError::new(
                ids::NO_RUNTIME,
                "no debug session is running; start one with a launch or attach configuration",
            )
        })
    }

    /// Reports the ends of requests that custom requests started.
    fn reporter(&self) -> wait::Reporter {
        wait::Reporter {
            shared: self.shared.clone(),
            sink: self.sink.clone(),
        }
    }

    fn inspect(&mut self) -> Result<Inspect<'_>, DapError> {
        let live = self.live.as_ref().ok_or_else(|| {
            DapError::new(
                ids::NO_RUNTIME,
                "no debug session is running, so there is nothing to inspect; start one first",
            )
        })?;
        Ok(Inspect {
            client: &live.client,
            shared: &self.shared,
            refs: &mut self.refs,
            bases: self.bases,
        })
    }

    async fn set_breakpoints(
        &mut self,
        a: SetBreakpointsArguments,
    ) -> Result<Option<Value>, DapError> {
        let requested: Vec<SourceBreakpoint> = match (a.breakpoints, a.lines) {
            (Some(b), _) => b,
            (None, Some(lines)) => lines
                .into_iter()
                .map(|line| SourceBreakpoint {
                    line,
                    ..Default::default()
                })
                .collect(),
            (None, None) => vec![],
        };
        let bases = self.bases;
        let requested = requested
            .into_iter()
            .map(|mut b| {
                b.line = bases.to_apex_line(b.line);
                b
            })
            .collect();
        let live = self.live.as_ref().map(|l| breakpoints::Live {
            client: &l.client,
            session_id: &l.session_id,
        });
        let placed = self
            .breakpoints
            .set_file(&self.shared, a.source, requested, live)
            .await;
        body(SetBreakpointsResponseBody {
            breakpoints: self.client_lines(placed),
        })
    }

    /// Breakpoint lines as the client counts them.
    fn client_lines(&self, mut placed: Vec<Breakpoint>) -> Vec<Breakpoint> {
        for b in &mut placed {
            b.line = b.line.map(|l| self.bases.to_client_line(l));
        }
        placed
    }

    async fn dispatch(&mut self, args: RequestArguments) -> Result<Option<Value>, DapError> {
        use RequestArguments as R;
        match args {
            R::SetBreakpoints(a) => self.set_breakpoints(a).await,
            R::SetFunctionBreakpoints(a) => {
                let live = self.live.as_ref().map(|l| breakpoints::Live {
                    client: &l.client,
                    session_id: &l.session_id,
                });
                let placed = self
                    .breakpoints
                    .set_functions(&self.shared, a.breakpoints, live)
                    .await;
                body(SetBreakpointsResponseBody {
                    breakpoints: placed,
                })
            }
            R::SetExceptionBreakpoints(a) => {
                let live = self.live.as_ref().map(|l| breakpoints::Live {
                    client: &l.client,
                    session_id: &l.session_id,
                });
                let placed = self
                    .breakpoints
                    .set_exceptions(a, live)
                    .await
                    .map_err(|m| DapError::new(ids::RUNTIME, m))?;
                body(SetExceptionBreakpointsResponseBody {
                    breakpoints: Some(placed),
                })
            }
            R::BreakpointLocations(a) => {
                let client = self.live.as_ref().map(|l| &l.client);
                let line = self.bases.to_apex_line(a.line);
                let end = a.end_line.map(|l| self.bases.to_apex_line(l));
                let mut found = self
                    .breakpoints
                    .locations(&self.shared, &a.source, line, end, client)
                    .await
                    .map_err(|m| DapError::new(ids::RUNTIME, m))?;
                for l in &mut found {
                    l.line = self.bases.to_client_line(l.line);
                }
                body(BreakpointLocationsResponseBody { breakpoints: found })
            }
            R::Threads(_) => {
                let mut threads: Vec<Thread> = self
                    .shared
                    .threads
                    .iter()
                    .map(|t| Thread {
                        id: t.thread,
                        name: t.name.clone(),
                    })
                    .collect();
                threads.sort_by_key(|t| t.id);
                body(ThreadsResponseBody { threads })
            }
            R::StackTrace(mut a) => {
                a.thread_id = self.request_of(a.thread_id)?;
                body(self.inspect()?.stack(a).await?)
            }
            R::Scopes(a) => body(self.inspect()?.scopes(a.frame_id).await?),
            R::Variables(a) => body(self.inspect()?.variables(a).await?),
            R::SetVariable(a) => body(self.inspect()?.set_variable(a).await?),
            R::Evaluate(a) => body(self.inspect()?.evaluate(a).await?),
            R::Completions(a) => body(self.inspect()?.completions(a).await?),
            R::ExceptionInfo(a) => {
                let request = self.request_of(a.thread_id)?;
                body(self.inspect()?.exception_info(request).await?)
            }
            R::Continue(a) => self.step(Move::Continue, a).await,
            R::Next(a) => self.step(Move::StepOver, a).await,
            R::StepIn(a) => self.step(Move::StepIn, a).await,
            R::StepOut(a) => self.step(Move::StepOut, a).await,
            R::Pause(a) => {
                let request = self.request_of(a.thread_id)?;
                execution::pause(&self.live()?.client, request).await?;
                Ok(None)
            }
            R::Source(a) => {
                let live = self.live()?;
                let reference = a
                    .source
                    .as_ref()
                    .and_then(|s| s.source_reference)
                    .unwrap_or(a.source_reference);
                body(source::content(&live.client, &self.shared, reference).await?)
            }
            R::LoadedSources(_) => body(source::loaded(&self.live()?.client, &self.shared).await?),
            R::StepBack(_) | R::ReverseContinue(_) => Err(DapError::new(
                ids::RUNTIME,
                "stepping back is not available for live requests; step forward, or restart \
                 the request with a breakpoint earlier",
            )),
            other => Err(DapError::unknown_command(other.command())),
        }
    }

    /// The request behind a DAP thread id.
    fn request_of(&self, thread: i64) -> Result<i64, DapError> {
        self.live()?;
        self.shared.request_of(thread).ok_or_else(|| {
            DapError::new(
                ids::INVALID_ARGUMENTS,
                format!("there is no thread {thread}; ask for the threads again"),
            )
        })
    }

    async fn step(&mut self, how: Move, mut a: StepArguments) -> Result<Option<Value>, DapError> {
        a.thread_id = self.request_of(a.thread_id)?;
        let live = self.live.as_ref().ok_or_else(|| {
            DapError::new(
                ids::NO_RUNTIME,
                "no debug session is running; nothing can move",
            )
        })?;
        match execution::step(&live.client, &self.shared, &mut self.refs, how, &a).await? {
            Some(b) => body(b),
            None => Ok(None),
        }
    }
}

impl Backend for Bridge {
    fn initialize(&mut self, args: &InitializeRequestArguments) {
        self.progress = args.supports_progress_reporting.unwrap_or(false);
        self.bases = Bases {
            line: if args.lines_start_at1 == Some(false) {
                0
            } else {
                1
            },
            column: if args.columns_start_at1 == Some(false) {
                0
            } else {
                1
            },
        };
    }

    fn capabilities(&self) -> Capabilities {
        capabilities()
    }

    async fn launch(
        &mut self,
        args: LaunchRequestArguments,
        events: EventSink,
    ) -> Result<(), DapError> {
        let live = live::launch(self, args, events.clone()).await?;
        self.live = Some(live);
        self.sink = Some(events);
        Ok(())
    }

    async fn attach(
        &mut self,
        args: LaunchRequestArguments,
        events: EventSink,
    ) -> Result<(), DapError> {
        let live = live::attach(self, args, events.clone()).await?;
        self.live = Some(live);
        self.sink = Some(events);
        Ok(())
    }

    async fn configuration_done(&mut self) -> Result<(), DapError> {
        Ok(())
    }

    async fn request(&mut self, args: RequestArguments) -> Result<Option<Value>, DapError> {
        self.dispatch(args).await
    }

    async fn custom(
        &mut self,
        command: &str,
        arguments: Option<Value>,
    ) -> Result<Option<Value>, DapError> {
        custom::handle(self, command, arguments.unwrap_or(Value::Null)).await
    }

    fn cancellable(&self, command: &str) -> bool {
        custom::CANCELLABLE.contains(&command)
    }

    async fn shutdown(&mut self, reason: ShutdownReason) {
        if let Some(live) = self.live.take() {
            live.end(&self.shared, reason).await;
        }
    }
}

/// What the bridge supports, exactly.
pub fn capabilities() -> Capabilities {
    let filter = |id: &str, label: &str, description: &str| ExceptionBreakpointsFilter {
        filter: id.to_owned(),
        label: label.to_owned(),
        description: Some(description.to_owned()),
        default: Some(false),
        supports_condition: None,
        condition_description: None,
    };
    Capabilities {
        supports_configuration_done_request: Some(true),
        supports_function_breakpoints: Some(true),
        supports_conditional_breakpoints: Some(true),
        supports_hit_conditional_breakpoints: Some(true),
        supports_evaluate_for_hovers: Some(true),
        exception_breakpoint_filters: Some(vec![
            filter(
                "all",
                "All Exceptions",
                "Stop whenever Apex throws, caught or not",
            ),
            filter(
                "uncaught",
                "Uncaught Exceptions",
                "Stop when nothing will catch the exception",
            ),
        ]),
        supports_set_variable: Some(true),
        supports_completions_request: Some(true),
        completion_trigger_characters: Some(vec![".".to_owned()]),
        supports_exception_options: Some(true),
        supports_exception_info_request: Some(true),
        support_terminate_debuggee: Some(true),
        supports_delayed_stack_trace_loading: Some(true),
        supports_loaded_sources_request: Some(true),
        supports_log_points: Some(true),
        supports_terminate_request: Some(true),
        supports_cancel_request: Some(true),
        supports_breakpoint_locations_request: Some(true),
        supports_clipboard_context: Some(true),
        supports_single_thread_execution_requests: Some(true),
        ..Default::default()
    }
}

/// A response body as JSON.
fn body<T: Serialize>(value: T) -> Result<Option<Value>, DapError> {
    serde_json::to_value(value)
        .map(Some)
        .map_err(|e| DapError::new(ids::RUNTIME, format!("could not encode a response: {e}")))
}
