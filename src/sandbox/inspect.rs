//! Debugger commands to requests: resuming, pausing, and the inspection
//! commands a paused request answers on its own thread.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use serde_json::{Value, json};
use tokio::sync::oneshot;

use super::Sandbox;
use super::debug::DebugSession;
use super::protocol::ApiError;
use super::requests::{RequestInfo, State};
use crate::vm::debug::{DebugCommand, FrameInfo, ResumeKind, Snapshot, VarInfo};

fn err(code: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(code, message)
}

/// A variable as the API shows it.
pub fn var_json(v: &VarInfo) -> Value {
    let mut o = json!({
        "name": v.name,
        "value": v.value,
        "typeName": v.type_name,
        "reference": v.reference,
    });
    if let Some(n) = v.indexed {
        o["indexed"] = json!(n);
    }
    if let Some(n) = v.named {
        o["named"] = json!(n);
    }
    if let Some(e) = &v.evaluate_name {
        o["evaluateName"] = json!(e);
    }
    o
}

/// The top frame's `scopes` and `locals` of a snapshot, as the API shows them.
pub fn top_json(s: &Snapshot) -> Value {
    json!({
        "scopes": s.scopes.iter().map(var_json).collect::<Vec<_>>(),
        "locals": s.locals.iter().map(var_json).collect::<Vec<_>>(),
    })
}

fn frames_json(frames: &[FrameInfo]) -> Vec<Value> {
    frames.iter().map(frame_json).collect()
}

/// A stop's snapshot as a `Stopped` event carries it: `frames`, `scopes`, `locals`.
pub fn snapshot_json(s: &Snapshot) -> Value {
    let mut v = top_json(s);
    v["frames"] = json!(frames_json(&s.frames));
    v
}

pub fn frame_json(f: &FrameInfo) -> Value {
    json!({
        "index": f.index, "name": f.name, "typeref": f.typeref,
        "file": f.file, "line": f.line, "column": f.column,
    })
}

impl Sandbox {
    /// A request of this session, for a debugger command.
    pub fn debugged_request(
        &self,
        s: &DebugSession,
        id: u64,
    ) -> Result<Arc<RequestInfo>, ApiError> {
        let r = self.requests.get(id).ok_or_else(|| {
            err(
                "UNKNOWN_REQUEST",
                format!("there is no request {id}; list them with debug.requests"),
            )
        })?;
        match &r.debug {
            Some(d) if d.session == s.id => Ok(r),
            _ => Err(err(
                "NOT_DEBUGGED",
                format!(
                    "request {id} is not debugged by session {}; only requests that stopped in it take debugger commands",
                    s.id
                ),
            )),
        }
    }

    /// Sends a command to a paused request and waits for its answer.
    pub async fn ask<T: Send + 'static>(
        &self,
        r: &RequestInfo,
        make: impl FnOnce(Box<dyn FnOnce(T) + Send>) -> DebugCommand,
    ) -> Result<T, ApiError> {
        if r.state() != State::Paused {
            return Err(not_paused(r));
        }
        let (tx, rx) = oneshot::channel();
        let cmd = make(Box::new(move |v| {
            let _ = tx.send(v);
        }));
        let sent = {
            let d = r.debug.as_ref().expect("debugged request");
            let guard = d.commands.lock().expect("command lock");
            guard.as_ref().map(|c| c.send(cmd).is_ok()).unwrap_or(false)
        };
        if !sent {
            return Err(not_paused(r));
        }
        rx.await.map_err(|_| not_paused(r))
    }

    /// Resumes a paused request. The request counts as running from here on,
    /// so a second resume cannot slip into its next stop.
    pub fn resume(&self, r: &RequestInfo, kind: ResumeKind) -> Result<(), ApiError> {
        let mut state = r.state.lock().expect("state lock");
        if *state != State::Paused {
            drop(state);
            return Err(not_paused(r));
        }
        let d = r.debug.as_ref().expect("debugged request");
        let guard = d.commands.lock().expect("command lock");
        match guard.as_ref() {
            Some(c) if c.send(DebugCommand::Resume(kind)).is_ok() => {
                *state = State::Running;
                Ok(())
            }
            _ => {
                drop(state);
                Err(not_paused(r))
            }
        }
    }

    /// Asks a running request to stop at its next statement.
    pub fn pause(&self, r: &RequestInfo) -> Result<(), ApiError> {
        match r.state() {
            State::Finished => Err(err("NOT_PAUSED", format!("request {} has finished", r.id))),
            // Already stopped: nothing to do (and no stale flag for later).
            State::Paused => Ok(()),
            State::Running => {
                r.debug
                    .as_ref()
                    .expect("debugged request")
                    .pause
                    .store(true, Ordering::Release);
                Ok(())
            }
        }
    }

    /// The stack of a paused request, innermost first; with `top`, also the
    /// top frame's scopes and locals, read in the same visit to the request.
    pub async fn stack(&self, r: &RequestInfo, top: bool) -> Result<Value, ApiError> {
        if !top {
            let frames = self.ask(r, DebugCommand::Stack).await?;
            return Ok(json!({ "frames": frames_json(&frames) }));
        }
        let snap = self.ask(r, DebugCommand::Snapshot).await?;
        Ok(json!({ "frames": frames_json(&snap.frames), "top": top_json(&snap) }))
    }

    pub async fn scopes(&self, r: &RequestInfo, frame: usize) -> Result<Value, ApiError> {
        let scopes = self
            .ask(r, |reply| DebugCommand::Scopes { frame, reply })
            .await?;
        Ok(json!({ "scopes": scopes.iter().map(var_json).collect::<Vec<_>>() }))
    }

    pub async fn variables(
        &self,
        r: &RequestInfo,
        reference: u64,
        offset: usize,
        count: Option<usize>,
    ) -> Result<Value, ApiError> {
        let vars = self
            .ask(r, |reply| DebugCommand::Variables {
                reference,
                offset,
                count,
                reply,
            })
            .await?
            .map_err(|m| err("BAD_REFERENCE", m))?;
        Ok(json!({ "variables": vars.iter().map(var_json).collect::<Vec<_>>() }))
    }

    pub async fn evaluate(
        &self,
        r: &RequestInfo,
        frame: usize,
        expression: String,
    ) -> Result<Value, ApiError> {
        let v = self
            .ask(r, |reply| DebugCommand::Evaluate {
                frame,
                expression,
                reply,
            })
            .await?
            .map_err(|m| err("EVALUATION_FAILED", m))?;
        Ok(json!({ "variable": var_json(&v) }))
    }

    pub async fn set_variable(
        &self,
        r: &RequestInfo,
        reference: u64,
        name: String,
        value: String,
    ) -> Result<Value, ApiError> {
        let v = self
            .ask(r, |reply| DebugCommand::SetVariable {
                reference,
                name,
                value,
                reply,
            })
            .await?
            .map_err(|m| err("SET_FAILED", m))?;
        Ok(json!({ "variable": var_json(&v) }))
    }

    pub async fn completions(
        &self,
        r: &RequestInfo,
        frame: usize,
        text: String,
    ) -> Result<Value, ApiError> {
        let t = self
            .ask(r, |reply| DebugCommand::Completions { frame, text, reply })
            .await?;
        Ok(json!({ "targets": t }))
    }

    /// The exception a request stopped on.
    pub fn exception_info(&self, r: &RequestInfo) -> Result<Value, ApiError> {
        let d = r.debug.as_ref().expect("debugged request");
        let stop = d.last_stop.lock().expect("stop lock").clone();
        match stop.and_then(|s| s.exception) {
            Some(e) if r.state() == State::Paused => Ok(json!({
                "typeName": e.type_name, "message": e.message, "stack": e.stack, "caught": e.caught,
            })),
            _ => Err(err(
                "NO_EXCEPTION",
                format!("request {} is not stopped on an exception", r.id),
            )),
        }
    }
}

fn not_paused(r: &RequestInfo) -> ApiError {
    err(
        "NOT_PAUSED",
        format!(
            "request {} is {}, not paused; debugger commands need a paused request",
            r.id,
            r.state().as_str()
        ),
    )
}
