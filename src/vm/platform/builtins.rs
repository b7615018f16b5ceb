//! Built-ins that belong to the data platform: sObject methods, `Database`, `Schema`.

use crate::vm::builtins::{Method, Ret, arg_str, m};
use crate::vm::interp::{Interp, R};
use crate::vm::types::NativeClass;
use crate::vm::value::Value;

pub static SOBJECT_METHODS: &[Method] = &[
    m("get", 1, 1, Ret::Any, sobject_get),
    m("put", 2, 2, Ret::Any, sobject_put),
];

pub static DATABASE: &[Method] = &[];
pub static SCHEMA: &[Method] = &[];

fn sobject_get(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let name = arg_str(i, a, 0)?;
    i.sobject_get(&r, &name)
}

fn sobject_put(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let name = arg_str(i, a, 0)?;
    let old = i.sobject_get(&r, &name)?;
    i.sobject_put(&r, &name, a[1].clone())?;
    Ok(old)
}

/// `System.enqueueJob(queueable)`: records the job on the request.
pub fn enqueue_job(i: &mut Interp<'_>, _: Value, _a: &[Value]) -> R<Value> {
    i.limits.queueable_jobs += 1;
    Ok(Value::Null)
}

/// `Id.getSObjectType()`.
pub fn id_sobject_type(i: &mut Interp<'_>, _r: Value, _: &[Value]) -> R<Value> {
    Err(i.throw_sys("UnexpectedException", "Schema is not available".into()))
}

/// Methods of built-in record types (SaveResult, Database.Error, ...).
pub fn record_table(_k: NativeClass) -> &'static [Method] {
    &[]
}
