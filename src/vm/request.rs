//! What a request runs: anonymous Apex or a static method, a queued async job
//! (Queueable or `@future`), or an Apex REST call routed by `@RestResource`.

use std::rc::Rc;

use super::interp::{Interp, R};
use super::platform::context::AsyncJob;
use super::platform::log::CodeUnit;
use super::platform::rest;
use super::types::{ClassId, FnId, NativeClass, Ty};
use super::value::Value;

/// The entry point of a request.
#[derive(Debug, Clone)]
pub enum Entry {
    /// Anonymous Apex (compiled into an entry function).
    Anonymous(FnId),
    /// A static method without parameters (an Apex test).
    Method(FnId),
    /// Queued async work.
    Job(AsyncJob),
    /// An Apex REST call: `GET /acme/invoices/a01...` (the path under `/services/apexrest`).
    Rest {
        method: String,
        path: String,
        body: Option<Vec<u8>>,
    },
}

/// The HTTP answer to a REST call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestReply {
    pub status: u16,
    pub body: String,
    pub headers: Vec<(String, String)>,
}

/// Runs the entry's code (REST calls run through [`run_rest`]).
pub(super) fn run(i: &mut Interp<'_>, entry: &Entry) -> R<()> {
    match entry {
        Entry::Anonymous(f) => {
            i.log_code_unit_start(CodeUnit::Anonymous);
            i.call_function(*f, Value::Null, Vec::new()).map(|_| ())
        }
        Entry::Method(f) => {
            i.log_code_unit_start(entry_unit(i, *f));
            i.call_function(*f, Value::Null, Vec::new()).map(|_| ())
        }
        Entry::Job(job) => execute_job(i, job, true),
        Entry::Rest { .. } => unreachable!("REST calls run through run_rest"),
    }
}

fn entry_unit(i: &Interp<'_>, f: FnId) -> CodeUnit {
    let func = i.prog.func(f);
    let c = i.prog.class(func.class);
    CodeUnit::Entry {
        id: super::interp::logging::class_id15("01p", func.class),
        signature: i.callee(func).signature,
        namespace: c.namespace.clone(),
    }
}

fn class_named(i: &mut Interp<'_>, name: &str) -> R<ClassId> {
    i.prog.find_class(name).ok_or_else(|| {
        i.throw_sys(
            "TypeException",
            format!("Class {name} does not exist in this org"),
        )
    })
}

fn parse_json(i: &mut Interp<'_>, text: &str) -> R<super::builtins::json::Json> {
    super::builtins::json::parse(text).map_err(|e| i.throw_sys("JSONException", e))
}

/// Runs one async job in the current request: `execute(context)` of a Queueable
/// rebuilt from its state, or an `@future` method with its arguments. With
/// `unit`, the job is its own code unit (a separate async request).
pub fn execute_job(i: &mut Interp<'_>, job: &AsyncJob, unit: bool) -> R<()> {
    match job {
        AsyncJob::Queueable {
            job_id,
            class,
            state,
        } => {
            let c = class_named(i, class)?;
            let json = parse_json(i, state)?;
            let obj = super::builtins::json::typed(i, &json, &Ty::Class(c), false)?;
            let f = method_of(i, c, "execute", 1).ok_or_else(|| {
                i.throw_sys(
                    "TypeException",
                    format!("{class} does not implement Queueable.execute"),
                )
            })?;
            if unit {
                let u = entry_unit(i, f);
                i.log_code_unit_start(u);
            }
            let ctx = Value::record(
                NativeClass::QueueableContext,
                vec![("jobId", Value::Id(Rc::new(job_id.clone())))],
            );
            i.call_function(f, obj, vec![ctx]).map(|_| ())
        }
        AsyncJob::Future { method, args } => {
            let (class, name) = method.rsplit_once('.').unwrap_or(("", method));
            let c = class_named(i, class)?;
            let json = parse_json(i, args)?;
            let super::builtins::json::Json::Arr(items) = json else {
                return Err(i.throw_sys("JSONException", "future arguments are not a list".into()));
            };
            let f = method_of(i, c, name, items.len()).ok_or_else(|| {
                i.throw_sys("TypeException", format!("Method {method} does not exist"))
            })?;
            let params = i.prog.func(f).params.clone();
            let mut vals = Vec::with_capacity(items.len());
            for (j, t) in items.iter().zip(&params) {
                vals.push(super::builtins::json::typed(i, j, t, false)?);
            }
            if unit {
                let u = entry_unit(i, f);
                i.log_code_unit_start(u);
            }
            i.call_function(f, Value::Null, vals).map(|_| ())
        }
    }
}

/// A method of a class (or its superclasses) by name and parameter count.
fn method_of(i: &Interp<'_>, class: ClassId, name: &str, params: usize) -> Option<FnId> {
    let mut c = Some(class);
    while let Some(id) = c {
        let cls = i.prog.class(id);
        if let Some(fs) = cls.methods.get(&name.to_ascii_lowercase())
            && let Some(f) = fs
                .iter()
                .copied()
                .find(|f| i.prog.func(*f).params.len() == params)
        {
            return Some(f);
        }
        c = cls.superclass;
    }
    None
}

/// The `@RestResource` class whose URL mapping matches `path`, and its method for
/// the HTTP verb.
fn route(i: &Interp<'_>, verb: &str, path: &str) -> Result<FnId, (u16, &'static str, String)> {
    let annotation = format!("http{}", verb.to_ascii_lowercase());
    let class = i.prog.classes.iter().find(|c| {
        c.annotation_args
            .iter()
            .any(|(a, k, v)| a == "restresource" && k == "urlmapping" && rest::url_matches(v, path))
    });
    let Some(class) = class else {
        return Err((
            404,
            "NOT_FOUND",
            format!("Could not find a match for URL {path}"),
        ));
    };
    class
        .methods
        .values()
        .flatten()
        .copied()
        .find(|f| i.prog.func(*f).annotations.contains(&annotation))
        .ok_or((
            405,
            "METHOD_NOT_ALLOWED",
            format!("HTTP {verb} not allowed on {}", class.type_name()),
        ))
}

fn error_body(code: &str, message: &str) -> String {
    let e = serde_json::json!([{ "errorCode": code, "message": message }]);
    e.to_string()
}

/// Runs a REST call; the reply says what the caller receives.
pub(super) fn run_rest(
    i: &mut Interp<'_>,
    verb: &str,
    path: &str,
    body: Option<&[u8]>,
) -> (R<()>, RestReply) {
    let f = match route(i, verb, path) {
        Ok(f) => f,
        Err((status, code, message)) => {
            let reply = RestReply {
                status,
                body: error_body(code, &message),
                headers: Vec::new(),
            };
            return (Ok(()), reply);
        }
    };
    let uri = format!("/services/apexrest{path}");
    i.platform.rest_request = Some(rest::request_value(
        verb,
        &uri,
        path,
        body.map(<[u8]>::to_vec),
    ));
    i.platform.rest_response = Some(rest::response_value());
    let u = entry_unit(i, f);
    i.log_code_unit_start(u);
    let result = rest_call(i, f, body);
    let reply = match &result {
        Ok(ret) => reply_of(i, ret),
        Err(t) => {
            let d = super::describe_throw(i, t);
            RestReply {
                status: 500,
                body: error_body("APEX_ERROR", &format!("{d}\n\n{}", d.stack)),
                headers: Vec::new(),
            }
        }
    };
    (result.map(|_| ()), reply)
}

/// Calls the resource method, binding a JSON object body to its parameters by name.
fn rest_call(i: &mut Interp<'_>, f: FnId, body: Option<&[u8]>) -> R<Value> {
    let func = i.prog.func(f);
    let mut args = Vec::new();
    if !func.params.is_empty() {
        let text = String::from_utf8_lossy(body.unwrap_or_default()).into_owned();
        let json = parse_json(i, &text)?;
        for (name, ty) in func.param_names.iter().zip(&func.params) {
            let v = match &json {
                super::builtins::json::Json::Obj(fields) => fields
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.clone()),
                _ => None,
            };
            args.push(match v {
                Some(v) => super::builtins::json::typed(i, &v, ty, false)?,
                None => Value::Null,
            });
        }
    }
    i.call_function(f, Value::Null, args)
}

/// The reply: the method's return value as JSON, or else `RestContext.response`.
fn reply_of(i: &mut Interp<'_>, ret: &Value) -> RestReply {
    let resp = i.platform.rest_response.clone().unwrap_or_default();
    let field = |name: &str| rest_field(&resp, name);
    let status = field("statusCode").and_then(|v| v.as_i64()).unwrap_or(200) as u16;
    let headers = match field("headers") {
        Some(Value::Map(m)) => m
            .borrow()
            .items
            .iter()
            .map(|(k, v)| {
                (
                    k.0.as_str().unwrap_or_default().to_string(),
                    v.as_str().unwrap_or_default().to_string(),
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    let body = if !ret.is_null() {
        match super::builtins::json::to_json(i, ret, false, 0) {
            Ok(j) => {
                let mut s = String::new();
                super::builtins::json::write_compact(&j, &mut s);
                s
            }
            Err(_) => String::new(),
        }
    } else {
        match field("responseBody") {
            Some(Value::Blob(b)) => String::from_utf8_lossy(&b).into_owned(),
            _ => String::new(),
        }
    };
    RestReply {
        status,
        body,
        headers,
    }
}

fn rest_field(v: &Value, name: &str) -> Option<Value> {
    super::platform::describe::record_field(v, name)
}
