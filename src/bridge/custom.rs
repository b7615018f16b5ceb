//! The bridge's own requests (`isv/...`), documented in `docs/dap.md`.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::Bridge;
use super::connect::api;
use super::wait::{Answer, Starting, request_id};
use crate::dap::error::ids;
use crate::dap::protocol::{BreakpointEventBody, EventBody};
use crate::dap::{BackendEvent, DapError};

/// The custom requests that wait for Apex to run, and so may be cancelled.
pub const CANCELLABLE: [&str; 2] = ["isv/runApex", "isv/invoke"];

/// Answers one custom request.
pub async fn handle(
    bridge: &mut Bridge,
    command: &str,
    args: Value,
) -> Result<Option<Value>, DapError> {
    if command == "setExpression" {
        let body = bridge.inspect()?.set_expression(&args).await?;
        return super::body(body);
    }
    if !command.starts_with("isv/") {
        return Err(DapError::unknown_command(command));
    }
    let known = [
        "isv/runApex",
        "isv/invoke",
        "isv/debugLog",
        "isv/requests",
        "isv/advanceClock",
    ];
    if !known.contains(&command) {
        return Err(DapError::unknown_command(command));
    }
    if !args.is_null() && !args.is_object() {
        return Err(bad(command, "its arguments must be a JSON object"));
    }
    if bridge.live.is_none() {
        return Err(DapError::new(
            ids::NO_RUNTIME,
            format!("`{command}` needs a running debug session; launch or attach first"),
        ));
    }
    let answer = match command {
        "isv/runApex" => run_apex(bridge, &args).await?,
        "isv/invoke" => invoke(bridge, &args).await?,
        "isv/debugLog" => debug_log(bridge, &args).await?,
        "isv/requests" => requests(bridge).await?,
        _ => advance_clock(bridge, &args).await?,
    };
    Ok(Some(answer))
}

fn bad(command: &str, why: &str) -> DapError {
    DapError::new(
        ids::INVALID_ARGUMENTS,
        format!("invalid arguments for `{command}`: {why}"),
    )
}

fn text_arg<'a>(command: &str, args: &'a Value, key: &str) -> Result<Option<&'a str>, DapError> {
    match &args[key] {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        _ => Err(bad(command, &format!("`{key}` must be text"))),
    }
}

/// `isv/runApex {code | path, asUser?, wait?}` → `{requestId, success, output,
/// exception?}`, or `{requestId, paused: true}` when the request stops in the
/// debugger first, or `{requestId}` at once with `wait: false`. A request
/// that ends after the answer is reported by an `isv/requestFinished` event.
async fn run_apex(bridge: &mut Bridge, args: &Value) -> Result<Value, DapError> {
    const C: &str = "isv/runApex";
    let live = bridge.live.as_ref().expect("checked by handle");
    if let Some(user) = text_arg(C, args, "asUser")?
        && !user.eq_ignore_ascii_case(&live.login_as_user)
    {
        return Err(DapError::new(
            ids::RUNTIME,
            format!(
                "`asUser` {user} is not supported: under login access the sandbox runs \
                 anonymous Apex as the user you logged in as ({}), and the ISV debugger debugs \
                 only that user's requests; to run as {user}, set `loginAsUser` to {user} in \
                 the launch configuration and start a new session",
                live.login_as_user
            ),
        )
        .shown());
    }
    let wait = match &args["wait"] {
        Value::Null => true,
        Value::Bool(b) => *b,
        _ => return Err(bad(C, "`wait` must be true or false")),
    };
    let code = text_arg(C, args, "code")?;
    let path = text_arg(C, args, "path")?;
    let (code, file) = match (code, path) {
        (Some(code), None) => (code.to_owned(), None),
        (None, Some(path)) => {
            let file = resolve(bridge, path);
            if file
                .extension()
                .is_none_or(|e| !e.eq_ignore_ascii_case("apex"))
            {
                return Err(bad(
                    C,
                    &format!(
                        "{} is not an anonymous Apex file; give a `.apex` file",
                        file.display()
                    ),
                ));
            }
            let code = std::fs::read_to_string(&file)
                .map_err(|e| bad(C, &format!("could not read {} ({e})", file.display())))?;
            (code, Some(file))
        }
        (Some(_), Some(_)) => return Err(bad(C, "give `code` or `path`, not both")),
        (None, None) => {
            return Err(bad(
                C,
                "give `code` (Apex text) or `path` (a .apex file of the project)",
            ));
        }
    };
    // The file's breakpoints are anonymous Apex's while it runs.
    let live_bp = super::breakpoints::Live {
        client: &live.client,
        session_id: &live.session_id,
    };
    let placed = bridge
        .breakpoints
        .place_anonymous(&bridge.shared, file.as_deref(), live_bp)
        .await
        .map_err(|m| DapError::new(ids::RUNTIME, m))?;
    let events = bridge.sink.clone();
    for b in bridge.client_lines(placed) {
        if let Some(sink) = &events {
            let _ = sink.send(BackendEvent::Event(EventBody::Breakpoint(
                BreakpointEventBody {
                    reason: "changed".to_owned(),
                    breakpoint: b,
                },
            )));
        }
    }
    let live = bridge.live.as_ref().expect("checked by handle");
    let mut params = json!({ "code": code, "wait": false });
    if let Some(f) = &file
        && let Some(name) = f.file_name()
    {
        params["name"] = json!(name.to_string_lossy());
    }
    // The start and the wait run on their own task: a `cancel` (or a client
    // that goes away) ends the wait, never the start, so a request that
    // starts is always followed to its end (`isv/requestFinished`).
    let (client, shared, reporter) = (
        live.client.clone(),
        bridge.shared.clone(),
        bridge.reporter(),
    );
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let starting = Starting::new(shared.clone());
        let started = client.call("apex.run", params).await;
        let id = started
            .as_ref()
            .ok()
            .and_then(|s| request_id(&s["requestId"]));
        if let (Some(id), Some(f)) = (id, file) {
            shared.anonymous_files.insert(id, f);
        }
        if let (Some(id), Ok(mut last)) = (id, shared.last_started.lock()) {
            *last = Some(id);
        }
        drop(starting);
        let id = match (started, id) {
            (Err(e), _) => return drop(tx.send(Err(api(e)))),
            (Ok(started), None) => return drop(tx.send(Err(no_id(&started)))),
            (Ok(_), Some(id)) => id,
        };
        if wait {
            reporter.wait_apex(id, tx).await;
        } else {
            reporter.follow(id, None);
            let _ = tx.send(Ok(json!({ "requestId": id.to_string() })));
        }
    });
    answer(rx).await
}

/// The answer a waiting task hands back.
async fn answer(rx: tokio::sync::oneshot::Receiver<Answer>) -> Result<Value, DapError> {
    rx.await.unwrap_or_else(|_| {
        Err(DapError::new(
            ids::RUNTIME,
            "the wait for the request ended early; its end is reported by `isv/requestFinished`",
        ))
    })
}

fn no_id(answer: &Value) -> DapError {
    DapError::new(
        ids::RUNTIME,
        format!("the sandbox started a request but gave no id ({answer}); update isvdbg"),
    )
}

/// A path relative to the project (or as given when absolute).
fn resolve(bridge: &Bridge, path: &str) -> PathBuf {
    let p = Path::new(path);
    if p.is_absolute() {
        return super::project::clean(p);
    }
    let root = bridge
        .shared
        .project
        .read()
        .ok()
        .and_then(|pr| pr.root().map(Path::to_owned));
    super::project::clean(&match root {
        Some(r) => r.join(p),
        None => p.to_owned(),
    })
}

/// `isv/invoke {restPath, method, body?}` → `{requestId, status, body, success,
/// output}`, or `{requestId, paused: true}` when the request stops first.
///
/// `rest.invoke` answers only when the request ends, so the call runs on its
/// own task while this waits for a REST request with the same method and path
/// to start and stop.
async fn invoke(bridge: &mut Bridge, args: &Value) -> Result<Value, DapError> {
    const C: &str = "isv/invoke";
    let path = text_arg(C, args, "restPath")?
        .ok_or_else(|| bad(C, "`restPath` is required, such as /acme/invoices/"))?;
    let method = text_arg(C, args, "method")?
        .unwrap_or("GET")
        .to_ascii_uppercase();
    if !matches!(method.as_str(), "GET" | "POST" | "PUT" | "PATCH" | "DELETE") {
        return Err(bad(
            C,
            &format!("`method` {method} is not GET, POST, PUT, PATCH or DELETE"),
        ));
    }
    let mut params = json!({ "method": method, "path": path });
    match &args["body"] {
        Value::Null => {}
        Value::String(s) => params["body"] = json!(s),
        other => params["body"] = json!(other.to_string()),
    }
    let entry = format!("{method} {}", path.trim_start_matches("/services/apexrest"));
    let live = bridge.live.as_ref().expect("checked by handle");
    let already: Vec<i64> = bridge
        .shared
        .started
        .lock()
        .map(|s| s.iter().map(|(id, ..)| *id).collect())
        .unwrap_or_default();
    let (reply_tx, reply_rx) = tokio::sync::oneshot::channel();
    let client = live.client.clone();
    tokio::spawn(async move {
        let _ = reply_tx.send(client.call("rest.invoke", params).await);
    });
    // Our request is the first REST request on that method and path that
    // starts after the call.
    let find = move |shared: &super::state::Shared| {
        shared.started.lock().ok().and_then(|s| {
            s.iter()
                .find(|(id, kind, ep)| kind == "REST" && ep == &entry && !already.contains(id))
                .map(|(id, ..)| *id)
        })
    };
    answer(bridge.reporter().invoke(find, reply_rx)).await
}

/// `isv/debugLog {requestId, view}` → `{text}`.
async fn debug_log(bridge: &mut Bridge, args: &Value) -> Result<Value, DapError> {
    const C: &str = "isv/debugLog";
    let id = match (&args["requestId"], &args["threadId"]) {
        (Value::String(s), _) => s.clone(),
        (Value::Number(n), _) => n.to_string(),
        (Value::Null, Value::Number(t)) => {
            let thread = t.as_i64().unwrap_or(0);
            let request = bridge.shared.request_of(thread).ok_or_else(|| {
                bad(
                    C,
                    &format!("there is no thread {thread}; ask for the threads again"),
                )
            })?;
            request.to_string()
        }
        (Value::Null, Value::Null) => {
            let last = bridge.shared.last_started.lock().ok().and_then(|l| *l);
            last.map(|r| r.to_string()).ok_or_else(|| {
                bad(
                    C,
                    "give `requestId` (or `threadId`); no request was run from this session yet",
                )
            })?
        }
        _ => return Err(bad(C, "`requestId` must be a request id such as \"12\"")),
    };
    let view = text_arg(C, args, "view")?.unwrap_or("full");
    if !matches!(view, "full" | "subscriber") {
        return Err(bad(
            C,
            &format!("`view` {view} is neither `full` nor `subscriber`"),
        ));
    }
    let live = bridge.live.as_ref().expect("checked by handle");
    let log = live
        .client
        .call("logs.get", json!({ "requestId": id, "view": view }))
        .await
        .map_err(api)?;
    Ok(json!({ "text": log["text"].clone(), "view": log["view"].clone() }))
}

/// `isv/requests` → `{requests: [{id, type, entryPoint, status}]}`.
async fn requests(bridge: &mut Bridge) -> Result<Value, DapError> {
    if bridge.shared.is_ended() {
        return Err(DapError::new(
            ids::RUNTIME,
            "the debug session has ended, so it has no requests; start a new one to go on",
        ));
    }
    let live = bridge.live.as_ref().expect("checked by handle");
    let r = live
        .client
        .call("debug.requests", json!({ "sessionId": live.session_id }))
        .await
        .map_err(api)?;
    let list: Vec<Value> = r["requests"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|q| {
            let thread = request_id(&q["requestId"]).and_then(|r| bridge.shared.thread_of(r));
            let mut entry = json!({
                "id": q["requestId"].clone(),
                "type": q["kind"].clone(),
                "entryPoint": q["entryPoint"].clone(),
                "status": q["state"].clone(),
                "debugged": q["debugged"].clone(),
            });
            // Only debugged requests are threads; the others have none
            // (omitted, not null).
            if let Some(thread) = thread {
                entry["threadId"] = json!(thread);
            }
            entry
        })
        .collect();
    Ok(json!({ "requests": list }))
}

/// `isv/advanceClock {seconds}` → `{now}`; only with a virtual clock.
async fn advance_clock(bridge: &mut Bridge, args: &Value) -> Result<Value, DapError> {
    const C: &str = "isv/advanceClock";
    let seconds = args["seconds"]
        .as_f64()
        .filter(|s| *s >= 0.0 && s.is_finite())
        .ok_or_else(|| bad(C, "`seconds` must be a number of seconds, 0 or more"))?;
    let live = bridge.live.as_ref().expect("checked by handle");
    if live.virtual_clock == Some(false) {
        return Err(DapError::new(
            ids::RUNTIME,
            "isv/advanceClock needs a virtual clock, and this sandbox runs on real time; \
             launch with \"clock\": \"virtual\" to move time by request",
        )
        .shown());
    }
    let r = live
        .client
        .call("clock.advance", json!({ "seconds": seconds }))
        .await
        .map_err(api)?;
    Ok(json!({ "now": r["now"].clone() }))
}
