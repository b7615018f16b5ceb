//! Routes each method of the API (docs/sandbox-api.md) to the sandbox.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};

use super::connection::Conn;
use super::context::{Caller, lmo_only, subscriber_only};
use super::protocol::{ApiError, Call, params};
use super::requests::Work;
use super::{Sandbox, rfc3339};
use crate::vm::Entry;
use crate::world::Publisher;

/// An answer now, or one that comes when something finishes.
pub(super) enum Reply {
    Now(Result<Value, ApiError>),
    Later(Pin<Box<dyn Future<Output = Result<Value, ApiError>> + Send>>),
}

impl From<Result<Value, ApiError>> for Reply {
    fn from(r: Result<Value, ApiError>) -> Reply {
        Reply::Now(r)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    username: String,
    password: String,
    #[serde(default)]
    code: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubLogin {
    org: String,
    username: String,
    password: String,
    #[serde(default)]
    code: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenParam {
    token: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Query {
    query: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrgParam {
    org: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginAsParams {
    org: String,
    user: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GrantParams {
    duration: String,
    #[serde(default)]
    publisher: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PublisherParam {
    #[serde(default)]
    publisher: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceParams {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    typeref: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingParams {
    name: String,
    #[serde(default)]
    values: serde_json::Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RunParams {
    code: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    wait: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RestParams {
    method: String,
    path: String,
    #[serde(default)]
    body: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LogParams {
    #[serde(rename = "requestId")]
    request_id: String,
    #[serde(default)]
    view: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OAuthParams {
    client: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Seconds {
    seconds: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OnParam {
    on: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct MessageParam {
    #[serde(default)]
    message: Option<String>,
}

/// Parses an id given as a string of digits (or a number).
pub(super) fn parse_id(what: &str, s: &str) -> Result<u64, ApiError> {
    s.trim().parse().map_err(|_| {
        ApiError::new(
            "BAD_PARAMS",
            format!("`{s}` is not a {what} id; ids are strings of digits such as \"12\""),
        )
    })
}

fn auth_err(e: super::auth::AuthError) -> ApiError {
    ApiError::new(e.code(), e.to_string())
}

pub(super) fn dispatch(sb: &Sandbox, conn: &Arc<Conn>, call: Call) -> Reply {
    let m = call.method.as_str();
    let p = &call.params;
    match m {
        "auth.login" => login(sb, conn, p).into(),
        "auth.loginSubscriber" => login_subscriber(sb, conn, p).into(),
        "auth.resume" => resume(sb, conn, p).into(),
        "auth.signOut" => sign_out(sb, conn).into(),
        "clock.now" => {
            Ok(json!({ "now": rfc3339(sb.clock.now()), "virtual": sb.clock.is_virtual() })).into()
        }
        "clock.advance" => advance(sb, p).into(),
        _ if m.starts_with("admin.") && !sb.admin_api_open() => {
            Err(super::context::admin_closed(m)).into()
        }
        "admin.peakLoad" => params::<OnParam>(m, p)
            .map(|o| {
                sb.set_peak_load(o.on);
                json!({})
            })
            .into(),
        "admin.maintenance" => maintenance(sb, p).into(),
        _ if m.starts_with("debug.") => super::dispatch_debug::dispatch(sb, conn, m, p),
        _ => org_method(sb, conn, m, p),
    }
}

fn login(sb: &Sandbox, conn: &Conn, p: &Value) -> Result<Value, ApiError> {
    let l: Login = params("auth.login", p)?;
    let (token, s) = sb
        .auth
        .login_lmo(&l.username, &l.password, l.code.as_deref())
        .map_err(auth_err)?;
    let token = token.into_string();
    conn.set_token(Some(token.clone()));
    let found = sb.world.lmo_user(&l.username);
    Ok(json!({
        "token": token,
        "tokenId": s.token_id,
        "user": found.map(|(_, u)| json!({ "id": u.id, "username": u.username, "name": u.name })),
        "lmo": found.map(|(p, _)| json!({ "id": p.lmo.org_id, "name": p.lmo.name, "publisher": p.name })),
        "expiresAt": rfc3339(s.expires_at()),
    }))
}

fn login_subscriber(sb: &Sandbox, conn: &Conn, p: &Value) -> Result<Value, ApiError> {
    let l: SubLogin = params("auth.loginSubscriber", p)?;
    let rt = sb
        .org(&l.org)
        .cloned()
        .ok_or_else(|| super::access::unknown_org(&l.org))?;
    let info = rt.info();
    let (token, s) = sb
        .auth
        .login_subscriber(&info.key, &l.username, &l.password, l.code.as_deref())
        .map_err(auth_err)?;
    let token = token.into_string();
    conn.set_token(Some(token.clone()));
    let u = info.user(&l.username).cloned();
    Ok(json!({
        "token": token,
        "tokenId": s.token_id,
        "org": { "key": info.key, "id": info.id, "name": info.name },
        "user": u.map(|u| json!({ "id": u.id, "username": u.username, "name": u.name })),
        "expiresAt": rfc3339(s.expires_at()),
    }))
}

fn resume(sb: &Sandbox, conn: &Conn, p: &Value) -> Result<Value, ApiError> {
    let t: TokenParam = params("auth.resume", p)?;
    let caller = sb.caller(Some(&t.token))?;
    conn.set_token(Some(t.token));
    Ok(match caller {
        Caller::Lmo {
            session,
            user,
            login_as,
        } => json!({
            "tokenId": session.token_id,
            "principal": { "kind": "lmo", "username": user.username },
            "loginAs": login_as.map(|l| json!({ "org": l.org, "user": l.user, "since": rfc3339(l.since) })),
        }),
        Caller::Subscriber { session, org, user } => json!({
            "tokenId": session.token_id,
            "principal": { "kind": "subscriber", "username": user.username, "org": org.info().key },
        }),
    })
}

fn sign_out(sb: &Sandbox, conn: &Conn) -> Result<Value, ApiError> {
    let token = conn.token().ok_or_else(super::context::not_logged_in)?;
    let session = sb.auth.check(&token).map_err(auth_err)?;
    sb.end_login_as(
        &session.token_id,
        "LOGIN_AS_ENDED",
        "the engineer signed out",
    );
    sb.auth.logout(&token).map_err(auth_err)?;
    conn.set_token(None);
    Ok(json!({}))
}

fn advance(sb: &Sandbox, p: &Value) -> Result<Value, ApiError> {
    let s: Seconds = params("clock.advance", p)?;
    if !(s.seconds.is_finite() && s.seconds >= 0.0) {
        return Err(ApiError::new(
            "BAD_PARAMS",
            "seconds must be a non-negative number",
        ));
    }
    let now = sb
        .clock
        .advance(Duration::from_secs_f64(s.seconds))
        .map_err(|e| ApiError::new("CLOCK_NOT_VIRTUAL", e.to_string()))?;
    Ok(json!({ "now": rfc3339(now) }))
}

fn maintenance(sb: &Sandbox, p: &Value) -> Result<Value, ApiError> {
    let m: MessageParam = params("admin.maintenance", p)?;
    let message = m.message.unwrap_or_else(|| {
        "the instance is going down for maintenance; debug sessions ended".into()
    });
    let ids = sb.debug.ids();
    for id in &ids {
        sb.end_session(*id, "MAINTENANCE", &message);
    }
    Ok(json!({ "ended": ids.len() }))
}

/// Methods that need a login: the LMA, login access, and work inside an org.
fn org_method(sb: &Sandbox, conn: &Conn, m: &str, p: &Value) -> Reply {
    let known = [
        "lma.search",
        "lma.org",
        "access.grant",
        "access.revoke",
        "access.list",
        "loginAs.start",
        "loginAs.end",
        "audit.trail",
        "source.list",
        "source.get",
        "settings.get",
        "settings.set",
        "oauth.authorize",
        "apex.run",
        "rest.invoke",
        "data.dml",
        "logs.list",
        "logs.get",
    ];
    if !known.contains(&m) {
        return Reply::Now(Err(ApiError::new(
            "UNKNOWN_METHOD",
            format!("unknown method `{m}`; docs/sandbox-api.md lists the methods"),
        )));
    }
    let caller = match sb.caller(conn.token().as_deref()) {
        Ok(c) => c,
        Err(e) => return Reply::Now(Err(e)),
    };
    let is_lmo = matches!(caller, Caller::Lmo { .. });
    let lmo_method =
        |f: &dyn Fn() -> Result<Value, ApiError>| if is_lmo { f() } else { Err(lmo_only(m)) };
    match m {
        "lma.search" => lmo_method(&|| {
            let q = params::<Query>(m, p)?;
            Ok(sb.search(lmo_publisher(sb, &caller)?, &q.query))
        })
        .into(),
        "lma.org" => lmo_method(&|| {
            let o = params::<OrgParam>(m, p)?;
            sb.org_detail(lmo_publisher(sb, &caller)?, &o.org)
        })
        .into(),
        "loginAs.start" => {
            let r = params::<LoginAsParams>(m, p)
                .and_then(|l| sb.start_login_as(&caller, &l.org, &l.user));
            r.into()
        }
        "loginAs.end" => match &caller {
            Caller::Lmo {
                session,
                login_as: Some(_),
                ..
            } => {
                sb.end_login_as(
                    &session.token_id,
                    "LOGIN_AS_ENDED",
                    "the engineer returned to the subscriber overview",
                );
                Ok(json!({})).into()
            }
            Caller::Lmo { .. } => Err(super::context::needs_login_as(m)).into(),
            _ => Err(lmo_only(m)).into(),
        },
        _ => {
            let acting = match sb.acting(&caller, m) {
                Ok(a) => a,
                Err(e) => return Reply::Now(Err(e)),
            };
            in_org(sb, conn, &acting, m, p)
        }
    }
}

/// The publisher whose LMO the caller is logged in to.
fn lmo_publisher<'w>(sb: &'w Sandbox, caller: &Caller) -> Result<&'w Publisher, ApiError> {
    match caller {
        Caller::Lmo { user, .. } => sb
            .world
            .lmo_user(&user.username)
            .map(|(p, _)| p)
            .ok_or_else(super::context::not_logged_in),
        Caller::Subscriber { .. } => Err(lmo_only("lma")),
    }
}

fn in_org(sb: &Sandbox, conn: &Conn, acting: &super::context::Acting, m: &str, p: &Value) -> Reply {
    let customer_only = |f: &dyn Fn() -> Result<Value, ApiError>| {
        if acting.is_publisher() {
            Err(subscriber_only(m))
        } else {
            f()
        }
    };
    match m {
        "access.grant" => customer_only(&|| {
            let g: GrantParams = params(m, p)?;
            sb.grant(acting, &g.duration, g.publisher.as_deref())
        })
        .into(),
        "access.revoke" => customer_only(&|| {
            let pb = params::<PublisherParam>(m, p)?.publisher;
            sb.revoke(acting, pb.as_deref())
        })
        .into(),
        "access.list" => customer_only(&|| Ok(sb.list_grants(&acting.org))).into(),
        "audit.trail" => Ok(json!({ "entries": acting.org.audit_trail() })).into(),
        "source.list" => Ok(sb.source_list(acting)).into(),
        "source.get" => params::<SourceParams>(m, p)
            .and_then(|s| sb.source_get(acting, s.name.as_deref(), s.typeref.as_deref()))
            .into(),
        "settings.get" => params::<SettingParams>(m, p)
            .and_then(|s| sb.settings_get(acting, &s.name))
            .into(),
        "settings.set" => params::<SettingParams>(m, p)
            .and_then(|s| sb.settings_set(acting, &s.name, &s.values))
            .into(),
        "oauth.authorize" => params::<OAuthParams>(m, p)
            .and_then(|o| sb.oauth_authorize(acting, &o.client))
            .into(),
        "logs.list" => Ok(sb.logs_list(acting)).into(),
        "logs.get" => params::<LogParams>(m, p)
            .and_then(|l| {
                sb.logs_get(
                    acting,
                    parse_id("request", &l.request_id)?,
                    l.view.as_deref(),
                )
            })
            .into(),
        "apex.run" => run_apex(sb, conn, acting, p),
        "rest.invoke" => invoke_rest(sb, conn, acting, p),
        "data.dml" => run_dml(sb, conn, acting, p),
        _ => Err(ApiError::new(
            "UNKNOWN_METHOD",
            format!("unknown method `{m}`"),
        ))
        .into(),
    }
}

fn run_apex(sb: &Sandbox, conn: &Conn, acting: &super::context::Acting, p: &Value) -> Reply {
    let r = (|| {
        let a: RunParams = params("apex.run", p)?;
        let work = sb.compile_anonymous(acting, &a.code)?;
        let entry = a.name.clone().unwrap_or_else(|| "AnonymousBlock".into());
        if acting.is_publisher() {
            sb.audit_as(acting, "Execute anonymous Apex", entry.clone());
        }
        let started = sb.start_request(acting, "EXECUTE_ANONYMOUS", entry, work, Some(conn.id))?;
        Ok((a.wait.unwrap_or(true), started))
    })();
    match r {
        Err(e) => Reply::Now(Err(e)),
        Ok((false, (info, _))) => Reply::Now(Ok(json!({ "requestId": info.id.to_string() }))),
        Ok((true, (_, done))) => {
            let open = acting.isv_access();
            Reply::Later(Box::pin(async move {
                let f = done.await.map_err(|_| {
                    ApiError::new("RUNTIME", "the request thread ended without an answer")
                })?;
                Ok(f.json(&open))
            }))
        }
    }
}

fn run_dml(sb: &Sandbox, conn: &Conn, acting: &super::context::Acting, p: &Value) -> Reply {
    let r = (|| {
        let a: super::data::DmlParams = params("data.dml", p)?;
        let wait = a.wait.unwrap_or(true);
        let dml = super::data::check(&acting.org.program, a)?;
        let entry = dml.entry_point();
        if acting.is_publisher() {
            sb.audit_as(acting, "DML through the API", entry.clone());
        }
        let started =
            sb.start_request(acting, "SYNCHRONOUS", entry, Work::Dml(dml), Some(conn.id))?;
        Ok((wait, started))
    })();
    waited(r, acting.isv_access())
}

/// A started request and where its end will be told.
type Started = (
    Arc<super::requests::RequestInfo>,
    tokio::sync::oneshot::Receiver<super::requests::Finished>,
);

/// The answer of a call that starts a request: its id at once, or with
/// `wait`, the request's result once it finishes.
fn waited(r: Result<(bool, Started), ApiError>, open: Vec<String>) -> Reply {
    match r {
        Err(e) => Reply::Now(Err(e)),
        Ok((false, (info, _))) => Reply::Now(Ok(json!({ "requestId": info.id.to_string() }))),
        Ok((true, (_, done))) => Reply::Later(Box::pin(async move {
            let f = done.await.map_err(|_| {
                ApiError::new("RUNTIME", "the request thread ended without an answer")
            })?;
            Ok(f.json(&open))
        })),
    }
}

fn invoke_rest(sb: &Sandbox, conn: &Conn, acting: &super::context::Acting, p: &Value) -> Reply {
    let r = (|| {
        let a: RestParams = params("rest.invoke", p)?;
        let path = a.path.trim_start_matches("/services/apexrest").to_string();
        let entry = Entry::Rest {
            method: a.method.to_uppercase(),
            path: path.clone(),
            body: a.body.map(String::into_bytes),
        };
        let entry_point = format!("{} {path}", a.method.to_uppercase());
        if acting.is_publisher() {
            sb.audit_as(acting, "REST call", entry_point.clone());
        }
        sb.start_request(
            acting,
            "REST",
            entry_point,
            Work::Entry(entry),
            Some(conn.id),
        )
    })();
    let open = acting.isv_access();
    match r {
        Err(e) => Reply::Now(Err(e)),
        Ok((_, done)) => Reply::Later(Box::pin(async move {
            let f = done.await.map_err(|_| {
                ApiError::new("RUNTIME", "the request thread ended without an answer")
            })?;
            let rest = f.rest.clone();
            let mut v = f.json(&open);
            if let Some(r) = rest {
                v["status"] = json!(r.status);
                v["body"] = json!(r.body);
            }
            Ok(v)
        })),
    }
}
