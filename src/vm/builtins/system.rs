//! `System`, `Assert`, `UserInfo`, `Limits` and `Test`.

use super::{Method, Ret, m};
use crate::vm::interp::{Interp, R};
use crate::vm::value::Value;

pub static SYSTEM: &[Method] = &[
    m("debug", 1, 2, Ret::Void, debug),
    m("assert", 1, 2, Ret::Void, assert),
    m("assertequals", 2, 3, Ret::Void, assert_equals),
    m("assertnotequals", 2, 3, Ret::Void, assert_not_equals),
    m("now", 0, 0, Ret::Datetime, now),
    m("today", 0, 0, Ret::Date, today),
    m("currenttimemillis", 0, 0, Ret::Long, current_time_millis),
    m("nanotime", 0, 0, Ret::Long, nano_time),
    m("isbatch", 0, 0, Ret::Bool, false_fn),
    m("isfuture", 0, 0, Ret::Bool, false_fn),
    m("isqueueable", 0, 0, Ret::Bool, false_fn),
    m("isscheduled", 0, 0, Ret::Bool, false_fn),
    m(
        "enqueuejob",
        1,
        2,
        Ret::Id,
        crate::vm::platform::builtins::enqueue_job,
    ),
    m("requestversion", 0, 0, Ret::Any, request_version),
    m("equals", 2, 2, Ret::Bool, equals),
    m("hashcode", 1, 1, Ret::Int, hash_code),
];

pub static ASSERT: &[Method] = &[
    m("areequal", 2, 3, Ret::Void, assert_are_equal),
    m("arenotequal", 2, 3, Ret::Void, assert_are_not_equal),
    m("istrue", 1, 2, Ret::Void, assert_is_true),
    m("isfalse", 1, 2, Ret::Void, assert_is_false),
    m("isnull", 1, 2, Ret::Void, assert_is_null),
    m("isnotnull", 1, 2, Ret::Void, assert_is_not_null),
    m("fail", 0, 1, Ret::Void, assert_fail),
    m("isinstanceoftype", 2, 3, Ret::Void, assert_instance_of),
    m(
        "isnotinstanceoftype",
        2,
        3,
        Ret::Void,
        assert_not_instance_of,
    ),
];

pub static USERINFO: &[Method] = &[
    m("getusername", 0, 0, Ret::Str, user_name),
    m("getuserid", 0, 0, Ret::Id, user_id),
    m("getname", 0, 0, Ret::Str, user_display_name),
    m("getfirstname", 0, 0, Ret::Str, user_first_name),
    m("getlastname", 0, 0, Ret::Str, user_last_name),
    m("getuseremail", 0, 0, Ret::Str, user_name),
    m("getorganizationid", 0, 0, Ret::Id, org_id),
    m("getorganizationname", 0, 0, Ret::Str, org_name),
    m("getprofileid", 0, 0, Ret::Id, profile_id),
    m("getusertype", 0, 0, Ret::Str, user_type),
    m("getlocale", 0, 0, Ret::Str, locale),
    m("getlanguage", 0, 0, Ret::Str, locale),
    m("getdefaultcurrency", 0, 0, Ret::Str, currency),
    m("ismulticurrencyorganization", 0, 0, Ret::Bool, false_fn),
    m("getuirhemedisplayed", 0, 0, Ret::Str, theme),
    m("getuithemedisplayed", 0, 0, Ret::Str, theme),
];

pub static LIMITS: &[Method] = &[
    m("getcputime", 0, 0, Ret::Int, cpu_time),
    m("getlimitcputime", 0, 0, Ret::Int, limit_cpu_time),
    m("getheapsize", 0, 0, Ret::Int, heap_size),
    m("getlimitheapsize", 0, 0, Ret::Int, limit_heap_size),
    m("getqueries", 0, 0, Ret::Int, queries),
    m("getlimitqueries", 0, 0, Ret::Int, limit_queries),
    m("getqueryrows", 0, 0, Ret::Int, query_rows),
    m("getlimitqueryrows", 0, 0, Ret::Int, limit_query_rows),
    m("getdmlstatements", 0, 0, Ret::Int, dml_statements),
    m(
        "getlimitdmlstatements",
        0,
        0,
        Ret::Int,
        limit_dml_statements,
    ),
    m("getdmlrows", 0, 0, Ret::Int, dml_rows),
    m("getlimitdmlrows", 0, 0, Ret::Int, limit_dml_rows),
    m("getqueueablejobs", 0, 0, Ret::Int, queueable_jobs),
    m(
        "getlimitqueueablejobs",
        0,
        0,
        Ret::Int,
        limit_queueable_jobs,
    ),
    m("getfuturecalls", 0, 0, Ret::Int, future_calls),
    m("getlimitfuturecalls", 0, 0, Ret::Int, limit_future_calls),
    m("getcallouts", 0, 0, Ret::Int, zero),
    m("getlimitcallouts", 0, 0, Ret::Int, limit_callouts),
];

pub static TEST: &[Method] = &[
    m("isrunningtest", 0, 0, Ret::Bool, is_running_test),
    m("starttest", 0, 0, Ret::Void, start_test),
    m("stoptest", 0, 0, Ret::Void, stop_test),
];

fn false_fn(_: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Bool(false))
}

fn zero(_: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Int(0))
}

/// The level name of a `LoggingLevel` argument.
fn level_name(v: &Value) -> &'static str {
    match v {
        Value::NativeEnum(e, o) => e.constants()[*o as usize],
        _ => "DEBUG",
    }
}

fn debug(i: &mut Interp<'_>, _: Value, args: &[Value]) -> R<Value> {
    let (level, v) = if args.len() == 2 {
        (level_name(&args[0]), &args[1])
    } else {
        ("DEBUG", &args[0])
    };
    let msg = match v {
        // System.debug shows a Date as the midnight Datetime the platform stores.
        Value::Date(d) => format!("{} 00:00:00", d.format("%Y-%m-%d")),
        v => i.to_display(v)?,
    };
    i.log_debug(level, &msg);
    i.debug_out(level, msg);
    Ok(Value::Null)
}

fn assert_failed(i: &mut Interp<'_>, detail: String) -> crate::vm::interp::Throw {
    i.throw_sys("AssertException", format!("Assertion Failed{detail}"))
}

fn opt_msg(i: &mut Interp<'_>, args: &[Value], n: usize) -> R<Option<String>> {
    match args.get(n) {
        Some(v) if !v.is_null() => Ok(Some(i.to_display(v)?)),
        _ => Ok(None),
    }
}

fn assert(i: &mut Interp<'_>, _: Value, args: &[Value]) -> R<Value> {
    if matches!(args[0], Value::Bool(true)) {
        return Ok(Value::Null);
    }
    let detail = match opt_msg(i, args, 1)? {
        Some(m) => format!(": {m}"),
        None => String::new(),
    };
    Err(assert_failed(i, detail))
}

fn expected_actual(i: &mut Interp<'_>, args: &[Value]) -> R<String> {
    let msg = opt_msg(i, args, 2)?;
    let e = i.to_display(&args[0])?;
    let a = i.to_display(&args[1])?;
    Ok(match msg {
        Some(m) => format!(": {m}: Expected: {e}, Actual: {a}"),
        None => format!(": Expected: {e}, Actual: {a}"),
    })
}

fn assert_equals(i: &mut Interp<'_>, _: Value, args: &[Value]) -> R<Value> {
    if i.apex_eq(&args[0], &args[1])? {
        return Ok(Value::Null);
    }
    let d = expected_actual(i, args)?;
    Err(assert_failed(i, d))
}

fn assert_not_equals(i: &mut Interp<'_>, _: Value, args: &[Value]) -> R<Value> {
    if !i.apex_eq(&args[0], &args[1])? {
        return Ok(Value::Null);
    }
    let msg = opt_msg(i, args, 2)?;
    let v = i.to_display(&args[0])?;
    let d = match msg {
        Some(m) => format!(": {m}: Same value: {v}"),
        None => format!(": Same value: {v}"),
    };
    Err(assert_failed(i, d))
}

fn assert_are_equal(i: &mut Interp<'_>, r: Value, args: &[Value]) -> R<Value> {
    assert_equals(i, r, args)
}

fn assert_are_not_equal(i: &mut Interp<'_>, r: Value, args: &[Value]) -> R<Value> {
    assert_not_equals(i, r, args)
}

fn check_bool(i: &mut Interp<'_>, args: &[Value], want: bool) -> R<Value> {
    if args[0].as_bool() == Some(want) {
        return Ok(Value::Null);
    }
    let msg = opt_msg(i, args, 1)?;
    let actual = i.to_display(&args[0])?;
    let d = match msg {
        Some(m) => format!(": {m}: Expected: {want}, Actual: {actual}"),
        None => format!(": Expected: {want}, Actual: {actual}"),
    };
    Err(assert_failed(i, d))
}

fn assert_is_true(i: &mut Interp<'_>, _: Value, args: &[Value]) -> R<Value> {
    check_bool(i, args, true)
}

fn assert_is_false(i: &mut Interp<'_>, _: Value, args: &[Value]) -> R<Value> {
    check_bool(i, args, false)
}

fn assert_is_null(i: &mut Interp<'_>, _: Value, args: &[Value]) -> R<Value> {
    if args[0].is_null() {
        return Ok(Value::Null);
    }
    let msg = opt_msg(i, args, 1)?;
    let actual = i.to_display(&args[0])?;
    let d = match msg {
        Some(m) => format!(": {m}: Expected: null, Actual: {actual}"),
        None => format!(": Expected: null, Actual: {actual}"),
    };
    Err(assert_failed(i, d))
}

fn assert_is_not_null(i: &mut Interp<'_>, _: Value, args: &[Value]) -> R<Value> {
    if !args[0].is_null() {
        return Ok(Value::Null);
    }
    let d = match opt_msg(i, args, 1)? {
        Some(m) => format!(": {m}"),
        None => String::new(),
    };
    Err(assert_failed(i, d))
}

fn assert_fail(i: &mut Interp<'_>, _: Value, args: &[Value]) -> R<Value> {
    let d = match opt_msg(i, args, 0)? {
        Some(m) => format!(": {m}"),
        None => String::new(),
    };
    Err(assert_failed(i, d))
}

fn instance_check(i: &mut Interp<'_>, args: &[Value], want: bool) -> R<Value> {
    let Value::Type(t) = &args[1] else {
        return Err(i.npe());
    };
    let is = !args[0].is_null() && i.is_instance(&args[0], t);
    if is == want {
        return Ok(Value::Null);
    }
    let tn = i.prog.ty_name(t);
    let d = match opt_msg(i, args, 2)? {
        Some(m) => format!(": {m}"),
        None if want => format!(": Expected instance of {tn}"),
        None => format!(": Expected not instance of {tn}"),
    };
    Err(assert_failed(i, d))
}

fn assert_instance_of(i: &mut Interp<'_>, _: Value, args: &[Value]) -> R<Value> {
    instance_check(i, args, true)
}

fn assert_not_instance_of(i: &mut Interp<'_>, _: Value, args: &[Value]) -> R<Value> {
    instance_check(i, args, false)
}

/// The request's notion of now: its start time plus the time it has run.
pub fn current_datetime(i: &Interp<'_>) -> chrono::NaiveDateTime {
    let elapsed = chrono::Duration::from_std(i.cpu_time()).unwrap_or_default();
    let t = i.env.start_time + elapsed;
    // Salesforce Datetimes carry milliseconds.
    t - chrono::Duration::nanoseconds(t.and_utc().timestamp_subsec_nanos() as i64 % 1_000_000)
}

fn now(i: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Datetime(current_datetime(i)))
}

fn today(i: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Date(current_datetime(i).date()))
}

fn current_time_millis(i: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Long(
        current_datetime(i).and_utc().timestamp_millis(),
    ))
}

fn nano_time(i: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Long(i.cpu_time().as_nanos() as i64))
}

fn request_version(_: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(Value::str("61.0"))
}

fn equals(i: &mut Interp<'_>, _: Value, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(i.apex_eq(&args[0], &args[1])?))
}

fn hash_code(i: &mut Interp<'_>, _: Value, args: &[Value]) -> R<Value> {
    super::misc::hash_code(i, args[0].clone(), &[])
}

fn user_name(i: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(Value::str(i.env.user_name.clone()))
}

fn user_id(i: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Id(std::rc::Rc::new(i.env.user_id.clone())))
}

fn user_display_name(i: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    let (f, l) = split_name(&i.env.user_name);
    Ok(Value::str(format!("{f} {l}")))
}

fn user_first_name(i: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(Value::str(split_name(&i.env.user_name).0))
}

fn user_last_name(i: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(Value::str(split_name(&i.env.user_name).1))
}

/// A display name derived from a user name (`jane.doe@x` gives Jane, Doe).
fn split_name(user: &str) -> (String, String) {
    let local = user.split('@').next().unwrap_or(user);
    let mut parts = local.split(['.', '_']);
    let cap = |s: &str| {
        let mut c = s.chars();
        c.next()
            .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
            .unwrap_or_default()
    };
    let first = cap(parts.next().unwrap_or(""));
    let last = cap(parts.next().unwrap_or("User"));
    (first, last)
}

fn org_id(i: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Id(std::rc::Rc::new(i.env.org_id.clone())))
}

fn org_name(i: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(Value::str(i.env.org_name.clone()))
}

fn profile_id(_: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Id(std::rc::Rc::new("00e000000000001AAA".into())))
}

fn user_type(_: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(Value::str("Standard"))
}

fn locale(_: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(Value::str("en_US"))
}

fn currency(_: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(Value::str("USD"))
}

fn theme(_: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(Value::str("Theme4d"))
}

fn cpu_time(i: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Int(i.cpu_time().as_millis() as i32))
}

fn limit_cpu_time(_: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Int(10_000))
}

fn heap_size(i: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Int(i.heap_size() as i32))
}

fn limit_heap_size(i: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Int(i.env.heap_limit as i32))
}

macro_rules! counter {
    ($name:ident, $field:ident) => {
        fn $name(i: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
            Ok(Value::Int(i.ns_limits().$field as i32))
        }
    };
}

counter!(queries, soql_queries);
counter!(query_rows, query_rows);
counter!(dml_statements, dml_statements);
counter!(dml_rows, dml_rows);
counter!(queueable_jobs, queueable_jobs);
counter!(future_calls, future_calls);

macro_rules! constant {
    ($name:ident, $v:expr) => {
        fn $name(_: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
            Ok(Value::Int($v))
        }
    };
}

constant!(limit_queries, 100);
constant!(limit_query_rows, 50_000);
constant!(limit_dml_statements, 150);
constant!(limit_dml_rows, 10_000);
constant!(limit_queueable_jobs, 50);
constant!(limit_future_calls, 50);
constant!(limit_callouts, 100);

fn is_running_test(i: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Bool(i.env.running_test))
}

/// `Test.startTest()`: async work queued from here runs at `Test.stopTest()`.
fn start_test(i: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    i.platform.test_started = Some(i.platform.async_jobs.len());
    Ok(Value::Null)
}

/// `Test.stopTest()`: runs the async work queued since `Test.startTest()`, now.
fn stop_test(i: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    let Some(mark) = i.platform.test_started.take() else {
        return Ok(Value::Null);
    };
    // Jobs the jobs queue run too, a bounded number of rounds deep.
    for _ in 0..5 {
        if i.platform.async_jobs.len() <= mark {
            break;
        }
        let jobs: Vec<_> = i.platform.async_jobs.drain(mark..).collect();
        for job in &jobs {
            crate::vm::request::execute_job(i, job, false)?;
        }
    }
    Ok(Value::Null)
}
