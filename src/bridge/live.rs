//! A running debug session: how `launch` and `attach` start one, and how it
//! ends so that no request stays paused.

use std::path::Path;
use std::sync::atomic::Ordering;

use serde_json::{Value, json};
use tokio::task::JoinHandle;

use super::Bridge;
use super::client::SandboxClient;
use super::connect::{self, Embedded, LoginPlan, api, refused};
use super::credentials::SavedSession;
use super::events;
use super::execution;
use super::progress::Progress;
use super::project::Project;
use super::settings::{self, SandboxAt};
use super::state::Shared;
use crate::dap::protocol::{
    BreakpointEventBody, EventBody, LaunchRequestArguments, OutputEventBody,
};
use crate::dap::{BackendEvent, DapError, EventSink, ShutdownReason};

/// A debug session in progress.
pub struct Live {
    /// The sandbox connection.
    pub client: SandboxClient,
    /// The sandbox's debug session id.
    pub session_id: String,
    /// The subscriber org, as given to LoginAs.
    pub org: String,
    /// The subscriber user whose requests are debugged.
    pub login_as_user: String,
    /// Whether the sandbox's clock is virtual (None: not known, a remote sandbox).
    pub virtual_clock: Option<bool>,
    /// Joined with `attach` rather than started.
    pub attached: bool,
    pump: JoinHandle<()>,
    /// Keeps an embedded sandbox alive while the session runs.
    _embedded: Option<Embedded>,
    /// Keeps this process's later launches off the session's remote login.
    _held: Option<connect::HeldLogin>,
}

impl Live {
    /// Ends the session for `reason`. A launched session is stopped: the
    /// sandbox resumes its paused requests. An attached one is left to the
    /// clients still in it (its requests stay theirs to step), unless asked
    /// to terminate; when this was its last client, closing the connection
    /// ends it and its requests resume.
    pub async fn end(self, shared: &Shared, reason: ShutdownReason) {
        let keep_session = self.attached
            && !matches!(
                reason,
                ShutdownReason::Terminate
                    | ShutdownReason::Disconnect {
                        terminate_debuggee: true
                    }
            );
        if !shared.is_ended() && !keep_session {
            execution::stop_session(&self.client, shared, &self.session_id).await;
        }
        self.pump.abort();
    }
}

fn console(events: &EventSink, text: String) {
    let _ = events.send(BackendEvent::Event(EventBody::Output(
        OutputEventBody::new("console", format!("{text}\n")),
    )));
}

/// Loads the project and its saved session, if one was given.
fn project_and_session(
    bridge: &Bridge,
    root: Option<&Path>,
) -> Result<Option<SavedSession>, DapError> {
    let Some(root) = root else {
        return Ok(None);
    };
    let project = Project::load(root).map_err(refused)?;
    if let Ok(mut p) = bridge.shared.project.write() {
        *p = project;
    }
    SavedSession::read(root).map_err(refused)
}

/// The embedded sandbox a launch asks for.
fn embedded_for(
    bridge: &Bridge,
    world: Option<&Path>,
    virtual_clock: bool,
) -> Result<Embedded, DapError> {
    match &bridge.registry {
        Some(registry) => registry.get_or_start(world, virtual_clock),
        None => connect::start_embedded(world, virtual_clock),
    }
}

/// `launch`: connect, log in, LoginAs, `debug.start`, then set breakpoints.
pub async fn launch(
    bridge: &mut Bridge,
    args: LaunchRequestArguments,
    events: EventSink,
) -> Result<Live, DapError> {
    let s = settings::launch(&args.attributes)?;
    let progress = Progress::start(
        bridge.progress,
        &events,
        "isvdbg-launch",
        "Starting the ISV debugger session",
    );
    let saved = project_and_session(bridge, s.salesforce_project.as_deref())?;
    let at = s.sandbox.clone();
    progress.update(
        &match &at {
            SandboxAt::Embedded => "Starting the embedded sandbox".to_owned(),
            SandboxAt::Remote(url) => format!("Connecting to {url}"),
        },
        5.0,
    );
    let embedded = match at {
        SandboxAt::Embedded => Some(embedded_for(bridge, s.world.as_deref(), s.virtual_clock)?),
        SandboxAt::Remote(_) => None,
    };
    let virtual_clock = embedded.as_ref().map(|e| e.virtual_clock);
    let reached = connect::reach(&at, embedded).await?;
    reached.client.set_trace(s.trace_sandbox);
    let plan = LoginPlan {
        sandbox: at.as_str().to_owned(),
        saved,
        lmo_user: s.lmo_user.clone(),
        org: s.subscriber_org.clone(),
        login_as_user: s.login_as_user.clone(),
    };
    let logged = connect::log_in(
        &reached.client,
        &plan,
        reached.embedded.as_ref(),
        &*bridge.env,
        &progress,
    )
    .await?;
    for note in &logged.notes {
        console(&events, note.clone());
    }

    progress.update("Starting the debug session", 65.0);
    // Each stop brings what the client reads first, so that stackTrace,
    // scopes and variables need no further call to the sandbox.
    let mut params = json!({ "stopSnapshots": true });
    if !s.user_id_filter.is_empty() {
        params["userIdFilter"] = json!(s.user_id_filter);
    }
    if !s.request_type_filter.is_empty() {
        params["requestTypeFilter"] = json!(s.request_type_filter);
    }
    if let Some(f) = &s.entry_point_filter {
        params["entryPointFilter"] = json!(f);
    }
    let started = reached
        .client
        .call("debug.start", params)
        .await
        .map_err(api)?;
    let mut live = begin(
        bridge,
        reached.client,
        reached.events,
        reached.embedded,
        &started,
        &logged.org,
        &logged.login_as_user,
        virtual_clock,
        false,
        &events,
        &progress,
    )
    .await?;
    live._held = logged.remote_token.clone().map(connect::HeldLogin::hold);
    console(
        &events,
        format!(
            "ISV debugger session {} started in {} as {} (LMO user {}); {}",
            live.session_id,
            logged.org,
            logged.login_as_user,
            logged.lmo_user,
            limits(&started)
        ),
    );
    progress.end("Debug session started");
    Ok(live)
}

/// `attach`: log in like a launch, then `debug.attach` to a running session.
pub async fn attach(
    bridge: &mut Bridge,
    args: LaunchRequestArguments,
    events: EventSink,
) -> Result<Live, DapError> {
    let s = settings::attach(&args.attributes)?;
    let progress = Progress::start(
        bridge.progress,
        &events,
        "isvdbg-attach",
        "Joining the ISV debugger session",
    );
    let saved = project_and_session(bridge, s.salesforce_project.as_deref())?;
    let at = s.sandbox.clone();
    let embedded = match &at {
        SandboxAt::Embedded => Some(
            bridge
                .registry
                .as_ref()
                .and_then(|r| r.latest())
                .ok_or_else(|| {
                    refused(
                        "attach with sandbox \"embedded\" joins a session of this adapter \
                         process, and none is running; attach to the ws:// URL of a running \
                         `isvdbg sandbox`, or run the adapter with --port so its sessions \
                         share one sandbox",
                    )
                })?,
        ),
        SandboxAt::Remote(_) => None,
    };
    let virtual_clock = embedded.as_ref().map(|e| e.virtual_clock);
    let reached = connect::reach(&at, embedded).await?;
    reached.client.set_trace(s.trace_sandbox);
    progress.update(&format!("Joining debug session {}", s.session_id), 30.0);
    let joined = match &reached.embedded {
        Some(e) => join_with_process_logins(&reached.client, e, &s.session_id).await?,
        None => None,
    };
    let (started, org, user) = match joined {
        Some(j) => j,
        None => {
            let plan = LoginPlan {
                sandbox: at.as_str().to_owned(),
                saved,
                ..Default::default()
            };
            let logged = connect::log_in(
                &reached.client,
                &plan,
                reached.embedded.as_ref(),
                &*bridge.env,
                &progress,
            )
            .await?;
            let started = reached
                .client
                .call("debug.attach", json!({ "sessionId": s.session_id }))
                .await
                .map_err(api)?;
            (started, logged.org, logged.login_as_user)
        }
    };
    let live = begin(
        bridge,
        reached.client,
        reached.events,
        reached.embedded,
        &started,
        &org,
        &user,
        virtual_clock,
        true,
        &events,
        &progress,
    )
    .await?;
    // Requests already running in the session become threads now.
    if let Ok(r) = live
        .client
        .call("debug.requests", json!({ "sessionId": live.session_id }))
        .await
    {
        for req in r["requests"].as_array().cloned().unwrap_or_default() {
            add_thread(&bridge.shared, &req, &events);
        }
    }
    console(
        &events,
        format!(
            "Joined ISV debugger session {} in {org} as {user}; {}",
            live.session_id,
            limits(&started)
        ),
    );
    progress.end("Joined the debug session");
    Ok(live)
}

/// Joins `session_id` with one of the logins this process holds (a session
/// belongs to the login that started it). `None` when the process holds no
/// login; the sandbox's refusal when none of them owns the session.
async fn join_with_process_logins(
    client: &SandboxClient,
    embedded: &Embedded,
    session_id: &str,
) -> Result<Option<(Value, String, String)>, DapError> {
    let mut refusal = None;
    for token in embedded.tokens() {
        let Ok(resumed) = client.call("auth.resume", json!({ "token": token })).await else {
            continue;
        };
        match client
            .call("debug.attach", json!({ "sessionId": session_id }))
            .await
        {
            Ok(started) => {
                let la = &resumed["loginAs"];
                let org = la["org"].as_str().unwrap_or_default().to_owned();
                let user = la["user"].as_str().unwrap_or_default().to_owned();
                return Ok(Some((started, org, user)));
            }
            Err(e) if e.code == "NO_SESSION" => refusal = Some(e),
            Err(e) => return Err(api(e)),
        }
    }
    match refusal {
        Some(e) => Err(api(e)),
        None => Ok(None),
    }
}

/// A request listed by `debug.requests` as a thread, if it is debugged.
fn add_thread(shared: &Shared, req: &Value, events: &EventSink) {
    let Some(id) = req["requestId"]
        .as_str()
        .and_then(|r| r.parse::<i64>().ok())
    else {
        return;
    };
    if req["debugged"].as_bool() != Some(true) || req["state"].as_str() == Some("finished") {
        return;
    }
    let kind = req["kind"].as_str().unwrap_or("REQUEST");
    let entry = req["entryPoint"].as_str().unwrap_or_default();
    let paused = req["state"].as_str() == Some("paused");
    let name = format!("Request {id} · {kind} {entry}")
        .trim_end()
        .to_owned();
    let thread = shared.add_thread(id, name, paused);
    let _ = events.send(BackendEvent::Event(EventBody::Thread(
        crate::dap::protocol::ThreadEventBody {
            reason: "started".to_owned(),
            thread_id: thread,
        },
    )));
}

/// "idle timeout 60 min, hard cap 4 h".
fn limits(started: &Value) -> String {
    let idle = started["idleTimeoutSeconds"].as_i64().unwrap_or(3600) / 60;
    let cap = started["hardCapSeconds"].as_i64().unwrap_or(14_400) / 60;
    let cap = if cap % 60 == 0 {
        format!("{} h", cap / 60)
    } else {
        format!("{cap} min")
    };
    format!("it ends after {idle} min without debugger activity, and after {cap} in any case")
}

/// The common end of launch and attach: start the pump, send breakpoints.
#[allow(clippy::too_many_arguments)]
async fn begin(
    bridge: &mut Bridge,
    client: SandboxClient,
    sandbox_events: tokio::sync::mpsc::UnboundedReceiver<super::client::SandboxEvent>,
    embedded: Option<Embedded>,
    started: &Value,
    org: &str,
    login_as_user: &str,
    virtual_clock: Option<bool>,
    attached: bool,
    events: &EventSink,
    progress: &Progress,
) -> Result<Live, DapError> {
    let session_id = match &started["sessionId"] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => {
            return Err(refused(
                "the sandbox started a debug session without an id; update isvdbg",
            ));
        }
    };
    bridge.shared.ended.store(false, Ordering::SeqCst);

    progress.update("Retrieving the org's source list", 75.0);
    if let Ok(list) = client.call("source.list", json!({})).await {
        let n = list["files"].as_array().map_or(0, Vec::len);
        progress.update(&format!("{n} classes and triggers in the org"), 80.0);
    }

    // The pump sends the timers first, for the status bar.
    let pump = tokio::spawn(events::pump(
        sandbox_events,
        bridge.shared.clone(),
        events.clone(),
        session_id.clone(),
        started.clone(),
    ));

    progress.update("Setting breakpoints", 90.0);
    let live_bp = super::breakpoints::Live {
        client: &client,
        session_id: &session_id,
    };
    let placed = bridge.breakpoints.place_all(&bridge.shared, live_bp).await;
    for b in bridge.client_lines(placed) {
        let _ = events.send(BackendEvent::Event(EventBody::Breakpoint(
            BreakpointEventBody {
                reason: "changed".to_owned(),
                breakpoint: b,
            },
        )));
    }
    let live_bp = super::breakpoints::Live {
        client: &client,
        session_id: &session_id,
    };
    if let Err(why) = bridge.breakpoints.place_exceptions(live_bp).await {
        console(
            events,
            format!("Exception breakpoints could not be set: {why}"),
        );
    }
    Ok(Live {
        client,
        session_id,
        org: org.to_owned(),
        login_as_user: login_as_user.to_owned(),
        virtual_clock,
        attached,
        pump,
        _embedded: embedded,
        _held: None,
    })
}
