//! sObject instance methods and the platform's record-type tables.

use std::rc::Rc;

use crate::vm::builtins::{Method, Ret, arg_str, m};
use crate::vm::interp::{Interp, R};
use crate::vm::types::{NativeClass, Ty};
use crate::vm::value::{Key, OrderedMap, Value};

pub static SOBJECT_METHODS: &[Method] = &[
    m("get", 1, 1, Ret::Any, sobject_get),
    m("put", 2, 2, Ret::Any, sobject_put),
    m(
        "getsobjecttype",
        0,
        0,
        Ret::Native(NativeClass::SObjectTypeToken),
        get_sobject_type,
    ),
    m("adderror", 1, 3, Ret::Void, add_error),
    m("clone", 0, 4, Ret::Recv, clone),
    m("isset", 1, 1, Ret::Bool, is_set),
    m("getpopulatedfieldsasmap", 0, 0, Ret::MapStrObj, populated),
    m("getsobject", 1, 1, Ret::SObject, sobject_get),
    m("getsobjects", 1, 1, Ret::ListSObject, sobject_get),
    m("putsobject", 2, 2, Ret::SObject, sobject_put),
    m("geterrors", 0, 0, Ret::Any, get_errors),
    m("haserrors", 0, 0, Ret::Bool, has_errors),
];

fn sobject_get(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    match &a[0] {
        Value::Native(_) => {
            let f = super::describe::record_field(&a[0], "field").unwrap_or_default();
            let name = arg_str(i, &[f], 0)?;
            i.sobject_get(&r, &name)
        }
        _ => {
            let name = arg_str(i, a, 0)?;
            i.sobject_get(&r, &name)
        }
    }
}

fn sobject_put(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let name = match &a[0] {
        Value::Native(_) => {
            let f = super::describe::record_field(&a[0], "field").unwrap_or_default();
            arg_str(i, &[f], 0)?
        }
        _ => arg_str(i, a, 0)?,
    };
    // put returns the previous value, which may be an unqueried field: read it leniently.
    let old = i.sobject_get(&r, &name).unwrap_or_default();
    i.sobject_put(&r, &name, a[1].clone())?;
    Ok(old)
}

fn get_sobject_type(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let Value::SObj(s) = &r else {
        return Err(i.npe());
    };
    let t = s.borrow().sobject_type;
    super::describe::sobject_type_token(i, Value::Null, &[Value::Int(t as i32)])
}

fn add_error(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let Value::SObj(s) = &r else {
        return Err(i.npe());
    };
    // addError(msg), addError(msg, escape), addError(field, msg), addError(field, msg, escape).
    let (field, msg) = match a {
        [m] | [m, Value::Bool(_)] => (None, m.clone()),
        [f, m, ..] => (Some(f.clone()), m.clone()),
        [] => return Err(i.npe()),
    };
    let msg = match &msg {
        Value::Obj(_) => {
            let d = i.to_display(&msg)?;
            d.split_once(": ").map(|x| x.1.to_string()).unwrap_or(d)
        }
        v => i.to_display(v)?,
    };
    let field = match field {
        Some(Value::Native(_)) => {
            let f = field.and_then(|f| super::describe::record_field(&f, "field"));
            f.and_then(|f| f.as_str().map(str::to_string))
        }
        Some(f) => f.as_str().map(str::to_string),
        None => None,
    };
    s.borrow_mut().errors.push(crate::vm::sobject::RecordError {
        status: "FIELD_CUSTOM_VALIDATION_EXCEPTION".into(),
        message: msg,
        field,
    });
    Ok(Value::Null)
}

/// `record.Field__c.addError(msg)`: the compiler passes the field's API name first.
pub fn field_add_error(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    add_error(i, r, a)
}

fn clone(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let Value::SObj(s) = &r else {
        return Err(i.npe());
    };
    let preserve_id = matches!(a.first(), Some(Value::Bool(true)));
    let mut c = s.borrow().clone();
    c.errors.clear();
    if !preserve_id {
        c.fields.shift_remove("id");
    }
    Ok(Value::SObj(Rc::new(std::cell::RefCell::new(c))))
}

fn is_set(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let Value::SObj(s) = &r else {
        return Err(i.npe());
    };
    let name = arg_str(i, a, 0)?;
    let ty = s.borrow().sobject_type;
    let ns = i.code_namespace();
    let key = i
        .prog
        .schema
        .lookup_field(ty, &name, ns)
        .map(|f| f.name.to_ascii_lowercase())
        .unwrap_or_else(|| name.to_ascii_lowercase());
    Ok(Value::Bool(s.borrow().fields.contains_key(&key)))
}

fn populated(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let Value::SObj(s) = &r else {
        return Err(i.npe());
    };
    let mut m = OrderedMap::default();
    for (api, v) in s.borrow().fields.values() {
        m.insert(Key(Value::str(api.clone())), v.clone());
    }
    Ok(Value::map(Ty::String, Ty::Object, m))
}

fn get_errors(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let Value::SObj(s) = &r else {
        return Err(i.npe());
    };
    let errors: Vec<Value> = s
        .borrow()
        .errors
        .iter()
        .map(|e| {
            Value::record(
                NativeClass::DatabaseError,
                vec![
                    ("message", Value::str(e.message.clone())),
                    (
                        "statusCode",
                        crate::vm::builtins::exception::status_value(&e.status),
                    ),
                    (
                        "fields",
                        Value::list(
                            Ty::String,
                            e.field.iter().map(|x| Value::str(x.clone())).collect(),
                        ),
                    ),
                ],
            )
        })
        .collect();
    Ok(Value::list(Ty::Native(NativeClass::DatabaseError), errors))
}

fn has_errors(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let Value::SObj(s) = &r else {
        return Err(i.npe());
    };
    Ok(Value::Bool(!s.borrow().errors.is_empty()))
}

/// `System.enqueueJob(queueable)`: records the job on the request; it runs afterwards.
pub fn enqueue_job(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let l = i.ns_limits();
    l.queueable_jobs += 1;
    let n = l.queueable_jobs;
    if n > super::context::limit::QUEUEABLE_JOBS {
        return Err(i.throw_ns_limit(format!("Too many queueable jobs added to the queue: {n}")));
    }
    let Value::Obj(o) = &a[0] else {
        return Err(i.npe());
    };
    let class = i.prog.class(o.class).type_name();
    let state = crate::vm::builtins::json::to_json(i, &a[0], false, 0)?;
    let mut text = String::new();
    crate::vm::builtins::json::write_compact(&state, &mut text);
    let store = i.platform.tx.store().clone();
    let job_id = store.next_id_with_prefix("707");
    i.platform
        .async_jobs
        .push(super::context::AsyncJob::Queueable {
            job_id: job_id.clone(),
            class,
            state: text,
        });
    Ok(Value::Id(Rc::new(job_id)))
}

/// A call to an `@future` method: queued on the request, run after it.
pub fn future_call(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let f = a[0].as_i64().unwrap_or(0) as u32;
    let l = i.ns_limits();
    l.future_calls += 1;
    let n = l.future_calls;
    if n > super::context::limit::FUTURE_CALLS {
        return Err(i.throw_ns_limit(format!("Too many future calls: {n}")));
    }
    let func = i.prog.func(f);
    let method = format!("{}.{}", i.prog.class(func.class).type_name(), func.name);
    let args = Value::list(Ty::Object, a[1..].to_vec());
    let json = crate::vm::builtins::json::to_json(i, &args, false, 0)?;
    let mut text = String::new();
    crate::vm::builtins::json::write_compact(&json, &mut text);
    i.platform
        .async_jobs
        .push(super::context::AsyncJob::Future { method, args: text });
    Ok(Value::Null)
}

/// `Id.getSObjectType()`.
pub fn id_sobject_type(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let id = r.as_str().unwrap_or("").to_string();
    match i
        .prog
        .schema
        .by_prefix
        .get(super::ids::prefix_of(&id))
        .copied()
    {
        Some(t) => super::describe::sobject_type_token(i, Value::Null, &[Value::Int(t as i32)]),
        None => Err(i.throw_sys("SObjectException", format!("Invalid id: {id}"))),
    }
}

/// Methods of built-in record types (SaveResult, Database.Error, ...).
pub fn record_table(k: NativeClass) -> &'static [Method] {
    super::describe::table(k)
}
