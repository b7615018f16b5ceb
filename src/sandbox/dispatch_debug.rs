//! The `debug.*` methods: sessions, breakpoints, execution control and
//! inspection. Each counts as debugger activity for the idle timeout.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Value, json};

use super::Sandbox;
use super::connection::Conn;
use super::context::{Caller, needs_login_as};
use super::debug::{DebugSession, FilterParams};
use super::dispatch::{Reply, parse_id};
use super::protocol::{ApiError, params};
use crate::vm::debug::{
    ExceptionFilter, FunctionBreakpoint, LineBreakpoint, ResumeKind, valid_hit_condition,
};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SessionParam {
    session_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Lines {
    typeref: String,
    #[serde(default)]
    session_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Bp {
    line: u32,
    #[serde(default)]
    condition: Option<String>,
    #[serde(default)]
    hit_condition: Option<String>,
    #[serde(default)]
    log_message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Bps {
    session_id: String,
    typeref: String,
    breakpoints: Vec<Bp>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FnBps {
    session_id: String,
    names: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ExcBps {
    session_id: String,
    #[serde(default)]
    all: bool,
    #[serde(default)]
    uncaught: bool,
    #[serde(default)]
    types: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ReqParam {
    request_id: String,
    #[serde(default)]
    frame: usize,
    #[serde(default)]
    reference: u64,
    #[serde(default)]
    offset: usize,
    #[serde(default)]
    count: Option<usize>,
    #[serde(default)]
    expression: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    value: Option<String>,
    /// `debug.stack`: also the top frame's scopes and locals.
    #[serde(default)]
    top: bool,
}

fn err(code: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(code, message)
}

/// The session methods; the request commands are in [`REQUEST_COMMANDS`].
const SESSION_METHODS: [&str; 8] = [
    "debug.start",
    "debug.attach",
    "debug.stop",
    "debug.lines",
    "debug.breakpoints",
    "debug.functionBreakpoints",
    "debug.exceptionBreakpoints",
    "debug.requests",
];

/// Commands to one request of a session.
const REQUEST_COMMANDS: [&str; 12] = [
    "debug.continue",
    "debug.stepIn",
    "debug.stepOver",
    "debug.stepOut",
    "debug.pause",
    "debug.stack",
    "debug.scopes",
    "debug.variables",
    "debug.evaluate",
    "debug.setVariable",
    "debug.completions",
    "debug.exceptionInfo",
];

pub(super) fn dispatch(sb: &Sandbox, conn: &Arc<Conn>, m: &str, p: &Value) -> Reply {
    // An unknown method is named as such whoever calls it, as for other methods.
    if !SESSION_METHODS.contains(&m) && !REQUEST_COMMANDS.contains(&m) {
        return Reply::Now(Err(err(
            "UNKNOWN_METHOD",
            format!("unknown method `{m}`; docs/sandbox-api.md lists the methods"),
        )));
    }
    match run(sb, conn, m, p) {
        Ok(r) => r,
        Err(e) => Reply::Now(Err(e)),
    }
}

fn run(sb: &Sandbox, conn: &Arc<Conn>, m: &str, p: &Value) -> Result<Reply, ApiError> {
    let caller = sb.caller(conn.token().as_deref())?;
    let Caller::Lmo { session: login, .. } = &caller else {
        return Err(needs_login_as(m));
    };
    let token_id = login.token_id.clone();
    let acting = sb.acting(&caller, m)?;
    let now = sb.clock.now();
    let session = |id: &str| -> Result<Arc<DebugSession>, ApiError> {
        let s = sb.session_of(&token_id, parse_id("debug session", id)?)?;
        s.touch(now);
        Ok(s)
    };
    let ok = |v: Value| Ok(Reply::Now(Ok(v)));
    match m {
        "debug.start" => {
            ok(sb.start_session(&acting, &token_id, params::<FilterParams>(m, p)?, conn.id)?)
        }
        "debug.attach" => {
            let s: SessionParam = params(m, p)?;
            ok(sb.attach_session(
                &token_id,
                parse_id("debug session", &s.session_id)?,
                conn.id,
            )?)
        }
        "debug.stop" => {
            let s = session(&params::<SessionParam>(m, p)?.session_id)?;
            sb.end_session(
                s.id,
                "STOPPED",
                "the debug session was stopped; paused requests were resumed and finished",
            );
            ok(json!({}))
        }
        "debug.lines" => {
            let l: Lines = params(m, p)?;
            if let Some(id) = &l.session_id {
                session(id)?;
            }
            ok(json!({ "lines": valid_lines(&acting, &l.typeref)? }))
        }
        "debug.breakpoints" => {
            let b: Bps = params(m, p)?;
            let s = session(&b.session_id)?;
            ok(set_breakpoints(sb, &acting, &s, b)?)
        }
        "debug.functionBreakpoints" => {
            let b: FnBps = params(m, p)?;
            let s = session(&b.session_id)?;
            let mut out = Vec::new();
            let mut bps = Vec::new();
            for name in b.names {
                let id = sb.next_id();
                let found = function_exists(&acting, &name);
                out.push(match &found {
                    Ok(()) => json!({ "id": id, "verified": true }),
                    Err(msg) => json!({ "id": id, "verified": false, "message": msg }),
                });
                bps.push(FunctionBreakpoint { id, name });
            }
            s.control.set_function_breakpoints(bps);
            ok(json!({ "breakpoints": out }))
        }
        "debug.exceptionBreakpoints" => {
            let e: ExcBps = params(m, p)?;
            let s = session(&e.session_id)?;
            s.control.set_exception_filter(ExceptionFilter {
                all: e.all,
                uncaught: e.uncaught,
                // Type names are matched without regard to case, as Apex does.
                types: e.types.iter().map(|t| t.to_ascii_lowercase()).collect(),
            });
            ok(json!({}))
        }
        "debug.requests" => {
            let s = session(&params::<SessionParam>(m, p)?.session_id)?;
            let list: Vec<Value> = sb
                .requests
                .of_session(s.id)
                .iter()
                .map(|r| r.json())
                .collect();
            ok(json!({ "requests": list }))
        }
        _ => request_command(sb, &token_id, m, p, now),
    }
}

fn request_command(
    sb: &Sandbox,
    token_id: &str,
    m: &str,
    p: &Value,
    now: chrono::NaiveDateTime,
) -> Result<Reply, ApiError> {
    let a: ReqParam = params(m, p)?;
    let id = parse_id("request", &a.request_id)?;
    let r = sb.requests.get(id).ok_or_else(|| {
        err(
            "UNKNOWN_REQUEST",
            format!("there is no request {id}; list them with debug.requests"),
        )
    })?;
    let sid = r.debug.as_ref().map(|d| d.session).ok_or_else(|| {
        err("NOT_DEBUGGED", format!("request {id} is not debugged; only requests that a session debugs take debugger commands"))
    })?;
    let s = sb.session_of(token_id, sid)?;
    s.touch(now);
    let r = sb.debugged_request(&s, id)?;
    super::timers::report(sb, &s, None);
    let resume = |k| sb.resume(&r, k).map(|_| Reply::Now(Ok(json!({}))));
    let missing = |what: &str| err("BAD_PARAMS", format!("{m} needs `{what}`"));
    match m {
        "debug.continue" => resume(ResumeKind::Continue),
        "debug.stepIn" => resume(ResumeKind::StepIn),
        "debug.stepOver" => resume(ResumeKind::StepOver),
        "debug.stepOut" => resume(ResumeKind::StepOut),
        "debug.pause" => sb.pause(&r).map(|_| Reply::Now(Ok(json!({})))),
        "debug.exceptionInfo" => Ok(Reply::Now(sb.exception_info(&r))),
        _ => {
            let sb = sb.clone();
            let m = m.to_string();
            let expression = a.expression.clone();
            let (name, value, text) = (a.name.clone(), a.value.clone(), a.text.clone());
            if m == "debug.evaluate" && expression.is_none() {
                return Err(missing("expression"));
            }
            if m == "debug.setVariable" && (name.is_none() || value.is_none()) {
                return Err(missing("name and value"));
            }
            Ok(Reply::Later(Box::pin(async move {
                match m.as_str() {
                    "debug.stack" => sb.stack(&r, a.top).await,
                    "debug.scopes" => sb.scopes(&r, a.frame).await,
                    "debug.variables" => sb.variables(&r, a.reference, a.offset, a.count).await,
                    "debug.evaluate" => {
                        sb.evaluate(&r, a.frame, expression.unwrap_or_default())
                            .await
                    }
                    "debug.setVariable" => {
                        sb.set_variable(
                            &r,
                            a.reference,
                            name.unwrap_or_default(),
                            value.unwrap_or_default(),
                        )
                        .await
                    }
                    _ => sb.completions(&r, a.frame, text.unwrap_or_default()).await,
                }
            })))
        }
    }
}

fn valid_lines(acting: &super::context::Acting, typeref: &str) -> Result<Vec<u32>, ApiError> {
    if typeref.eq_ignore_ascii_case("AnonymousBlock") {
        return Ok(Vec::new());
    }
    let prog = &acting.org.program;
    let c = prog.find_typeref(typeref).ok_or_else(|| {
        err("UNKNOWN_SOURCE", format!("no class or trigger with typeref `{typeref}` in this org; list them with source.list"))
    })?;
    Ok(prog.class(prog.top_level(c)).valid_lines.clone())
}

fn set_breakpoints(
    sb: &Sandbox,
    acting: &super::context::Acting,
    s: &DebugSession,
    b: Bps,
) -> Result<Value, ApiError> {
    let anonymous = b.typeref.eq_ignore_ascii_case("AnonymousBlock");
    let lines = valid_lines(acting, &b.typeref)?;
    let mut out = Vec::new();
    let mut set = Vec::new();
    for bp in b.breakpoints {
        let id = sb.next_id();
        if let Some(h) = bp
            .hit_condition
            .as_deref()
            .filter(|h| !valid_hit_condition(h))
        {
            out.push(json!({ "id": id, "verified": false, "line": bp.line,
                "message": format!("hit condition `{h}` is not understood; use >= N, == N or % N") }));
            continue;
        }
        let line = if anonymous {
            Some(bp.line)
        } else {
            placement(acting, &b.typeref, &lines, bp.line)
        };
        match line {
            Some(l) => {
                let mut v = json!({ "id": id, "verified": true, "line": l });
                if l != bp.line {
                    v["message"] = json!(format!(
                        "line {} has no statement; the breakpoint moved to line {l}",
                        bp.line
                    ));
                }
                out.push(v);
                set.push(LineBreakpoint::new(
                    id,
                    b.typeref.clone(),
                    l,
                    bp.condition,
                    bp.hit_condition,
                    bp.log_message,
                ));
            }
            None => out.push(json!({ "id": id, "verified": false, "line": bp.line,
                "message": format!("{} has no statement to stop at", b.typeref) })),
        }
    }
    s.control.set_line_breakpoints(&b.typeref, set);
    Ok(json!({ "breakpoints": out }))
}

/// Where a breakpoint asked for at `line` goes: that line when it has a
/// statement; else the next statement of the same method (as Salesforce
/// moves breakpoints forward); else the method's last statement before it
/// (a line after the method's last statement); else the nearest statement
/// of the class, the next one first.
fn placement(
    acting: &super::context::Acting,
    typeref: &str,
    valid: &[u32],
    line: u32,
) -> Option<u32> {
    if valid.contains(&line) {
        return Some(line);
    }
    let prog = &acting.org.program;
    let file = prog.find_typeref(typeref).map(|c| prog.top_level(c));
    // The method a line belongs to: the one of this file that starts last at or before it.
    let starts: Vec<u32> = prog
        .functions
        .iter()
        .filter(|f| Some(f.file_class) == file && f.line > 0)
        .map(|f| f.line)
        .collect();
    let method_of = |l: u32| starts.iter().copied().filter(|s| *s <= l).max();
    let next = valid.iter().copied().find(|l| *l > line);
    let prev = valid.iter().copied().rev().find(|l| *l < line);
    let here = method_of(line);
    let same = |l: &u32| here.is_some() && method_of(*l) == here;
    next.filter(same).or(prev.filter(same)).or(next).or(prev)
}

/// Whether `ns.Class.method` (or `Class.method`) names a method of the org's code.
fn function_exists(acting: &super::context::Acting, name: &str) -> Result<(), String> {
    let prog = &acting.org.program;
    let (class, method) = name.rsplit_once('.').ok_or_else(|| {
        format!("`{name}` is not a method name; use ns.Class.method or Class.method")
    })?;
    let c = prog
        .classes
        .iter()
        .find(|c| {
            c.type_name().eq_ignore_ascii_case(class) || c.qualified.eq_ignore_ascii_case(class)
        })
        .ok_or_else(|| format!("no class `{class}` in this org"))?;
    if c.methods.contains_key(&method.to_ascii_lowercase()) {
        Ok(())
    } else {
        Err(format!("{class} has no method `{method}`"))
    }
}
