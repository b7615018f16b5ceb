//! `Database.*` and DML statements, and the result records
//! (SaveResult, DeleteResult, UpsertResult, Database.Error).

use std::rc::Rc;

use super::dml::{self, DmlOp, RowOutcome};
use crate::vm::builtins::arg_str;
use crate::vm::interp::{Interp, R};
use crate::vm::types::{NativeClass, Ty};
use crate::vm::value::{NativeObj, Value};

/// The code the compiler passes for a DML operation name.
pub fn dml_op_code(op: &str) -> i32 {
    match op {
        "insert" => 0,
        "update" => 1,
        "upsert" => 2,
        "delete" => 3,
        "undelete" => 4,
        _ => 0,
    }
}

fn op_of(code: &Value) -> DmlOp {
    match code.as_i64().unwrap_or(0) {
        1 => DmlOp::Update,
        2 => DmlOp::Upsert,
        3 => DmlOp::Delete,
        4 => DmlOp::Undelete,
        _ => DmlOp::Insert,
    }
}

/// The records a DML target holds, and whether it was a list.
fn targets(i: &mut Interp<'_>, v: &Value) -> R<(Vec<Value>, bool)> {
    match v {
        Value::SObj(_) => Ok((vec![v.clone()], false)),
        Value::Id(_) | Value::Str(_) => Ok((vec![record_for_id(i, v)?], false)),
        Value::List(l) => {
            let items = l.borrow().items.clone();
            let mut out = Vec::with_capacity(items.len());
            for x in items {
                out.push(match x {
                    Value::Id(_) | Value::Str(_) => record_for_id(i, &x)?,
                    other => other,
                });
            }
            Ok((out, true))
        }
        Value::Null => Err(i.npe()),
        _ => Err(i.throw_sys(
            "TypeException",
            "DML requires an SObject or a list of SObjects".into(),
        )),
    }
}

/// A record holding only an Id, for `Database.delete(id)`.
fn record_for_id(i: &mut Interp<'_>, id: &Value) -> R<Value> {
    let text = id.as_str().unwrap_or("").to_string();
    let ty = i
        .prog
        .schema
        .by_prefix
        .get(super::ids::prefix_of(&text))
        .copied();
    match ty {
        Some(t) => i.new_sobject(t, vec![("Id".into(), id.clone())]),
        None => Err(i.throw_sys("StringException", format!("Invalid id: {text}"))),
    }
}

/// `insert x;` and friends: throws DmlException on the first failed row.
pub fn dml_statement(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let op = op_of(&a[0]);
    let (recs, _) = targets(i, &a[1])?;
    let key = a.get(2).and_then(|k| k.as_str().map(str::to_string));
    dml::run(i, op, recs, true, key.as_deref())?;
    Ok(Value::Null)
}

/// `Database.insert(records, allOrNone)` and friends: result records per row.
pub fn database_dml(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let op = op_of(&a[0]);
    let (recs, many) = targets(i, &a[1])?;
    let mut key = None;
    let mut all_or_none = true;
    for extra in &a[2..] {
        match extra {
            Value::Bool(b) => all_or_none = *b,
            Value::Native(n) => {
                if let NativeObj::Record { fields, .. } = &*n.borrow()
                    && let Some((_, Value::Str(f))) = fields.iter().find(|(k, _)| *k == "field")
                {
                    key = Some(f.to_string());
                }
            }
            Value::Str(s) => key = Some(s.to_string()),
            _ => {}
        }
    }
    let outcomes = dml::run(i, op, recs, all_or_none, key.as_deref())?;
    let kind = match op {
        DmlOp::Delete => NativeClass::DeleteResult,
        DmlOp::Undelete => NativeClass::UndeleteResult,
        DmlOp::Upsert => NativeClass::UpsertResult,
        _ => NativeClass::SaveResult,
    };
    let results: Vec<Value> = outcomes.iter().map(|o| result_record(kind, o)).collect();
    if many {
        Ok(Value::list(Ty::Native(kind), results))
    } else {
        Ok(results.into_iter().next().unwrap_or_default())
    }
}

fn result_record(kind: NativeClass, o: &RowOutcome) -> Value {
    let errors: Vec<Value> = o
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
                            e.fields.iter().map(|f| Value::str(f.clone())).collect(),
                        ),
                    ),
                ],
            )
        })
        .collect();
    let id = match (&o.id, o.errors.is_empty()) {
        (Some(id), true) => Value::Id(Rc::new(id.clone())),
        _ => Value::Null,
    };
    let mut fields = vec![
        ("success", Value::Bool(o.errors.is_empty())),
        ("id", id),
        (
            "errors",
            Value::list(Ty::Native(NativeClass::DatabaseError), errors),
        ),
    ];
    if kind == NativeClass::UpsertResult {
        fields.push(("created", Value::Bool(o.created)));
    }
    Value::record(kind, fields)
}

/// `Database.setSavepoint()`.
pub fn set_savepoint(i: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    i.ns_limits().dml_statements += 1;
    let sp = i.platform.tx.savepoint();
    Ok(Value::record(
        NativeClass::Savepoint,
        vec![("index", Value::Int(sp as i32))],
    ))
}

/// `Database.rollback(sp)`.
pub fn rollback(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let sp = match a.first() {
        Some(Value::Native(n)) => match &*n.borrow() {
            NativeObj::Record { fields, .. } => fields
                .iter()
                .find(|(k, _)| *k == "index")
                .and_then(|(_, v)| v.as_i64()),
            _ => None,
        },
        _ => None,
    };
    let Some(sp) = sp else {
        return Err(i.npe());
    };
    if !i.platform.tx.rollback_to(sp as usize) {
        return Err(i.throw_sys(
            "TypeException",
            "Savepoint does not exist in this context".into(),
        ));
    }
    i.ns_limits().dml_statements += 1;
    Ok(Value::Null)
}

/// `Database.query(q)` / `Database.countQuery(q)`.
pub fn dynamic_query(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let text = arg_str(i, a, 1)?;
    super::query::run_dynamic(i, &text, None, a[0].as_i64() == Some(1))
}

/// `Database.queryWithBinds(q, binds, accessLevel)`.
pub fn query_with_binds(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let text = arg_str(i, a, 1)?;
    let binds = a.get(2).cloned().unwrap_or_default();
    super::query::run_dynamic(i, &text, Some(binds), false)
}
