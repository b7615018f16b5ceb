//! Triggers: running the triggers of an sObject type for a DML event, and the
//! `Trigger` context variables.

use super::context::{TriggerEvent, TriggerFrame};
use crate::vm::interp::{Interp, R};
use crate::vm::program::ClassKind;
use crate::vm::types::{NativeEnum, SObjectTypeId, Ty};
use crate::vm::value::{Key, OrderedMap, Value};

/// Records per trigger invocation, as on the platform.
pub const CHUNK: usize = 200;

const VARS: &[&str] = &[
    "new",
    "old",
    "newmap",
    "oldmap",
    "isbefore",
    "isafter",
    "isinsert",
    "isupdate",
    "isdelete",
    "isundelete",
    "isexecuting",
    "size",
    "operationtype",
];

/// The code and static type of a `Trigger.x` variable; `object` types `Trigger.new` in a trigger body.
pub fn variable(name: &str, object: Option<SObjectTypeId>) -> Option<(i32, Ty)> {
    let code = VARS.iter().position(|v| *v == name)? as i32;
    let rec = Ty::SObject(object);
    let ty = match name {
        "new" | "old" => Ty::list(rec),
        "newmap" | "oldmap" => Ty::map(Ty::Id, rec),
        "size" => Ty::Integer,
        "operationtype" => Ty::NativeEnum(NativeEnum::TriggerOperation),
        _ => Ty::Boolean,
    };
    Some((code, ty))
}

/// `Trigger.x` at run time: the innermost running trigger's value (null outside triggers,
/// false for the flags).
pub fn trigger_var(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let code = a.first().and_then(Value::as_i64).unwrap_or(0) as usize;
    let name = VARS.get(code).copied().unwrap_or("");
    let Some(f) = i.platform.triggers.last() else {
        return Ok(match name {
            "new" | "old" | "newmap" | "oldmap" | "operationtype" => Value::Null,
            "size" => Value::Int(0),
            _ => Value::Bool(false),
        });
    };
    use TriggerEvent::*;
    let e = f.event;
    Ok(match name {
        "new" => f.new.clone(),
        "old" => f.old.clone(),
        "newmap" => f.new_map.clone(),
        "oldmap" => f.old_map.clone(),
        "isbefore" => Value::Bool(e.is_before()),
        "isafter" => Value::Bool(!e.is_before()),
        "isinsert" => Value::Bool(matches!(e, BeforeInsert | AfterInsert)),
        "isupdate" => Value::Bool(matches!(e, BeforeUpdate | AfterUpdate)),
        "isdelete" => Value::Bool(matches!(e, BeforeDelete | AfterDelete)),
        "isundelete" => Value::Bool(matches!(e, AfterUndelete)),
        "isexecuting" => Value::Bool(true),
        "size" => Value::Int(f.size as i32),
        "operationtype" => Value::NativeEnum(NativeEnum::TriggerOperation, e.ordinal()),
        _ => Value::Null,
    })
}

/// A map of records by Id, as `Trigger.newMap` holds them.
fn id_map(i: &mut Interp<'_>, ty: SObjectTypeId, records: &[Value]) -> R<Value> {
    let mut m = OrderedMap::default();
    for r in records {
        let id = i.sobject_get_key(r, "id", "Id")?;
        if !id.is_null() {
            m.insert(Key(id), r.clone());
        }
    }
    Ok(Value::map(Ty::Id, Ty::SObject(Some(ty)), m))
}

/// How deeply triggers may fire triggers.
pub const MAX_DEPTH: usize = 16;

fn fail_chunk(records: &[Value], message: String) {
    for r in records {
        if let Value::SObj(o) = r {
            o.borrow_mut().errors.push(crate::vm::sobject::RecordError {
                status: "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY".into(),
                message: message.clone(),
                field: None,
            });
        }
    }
}

fn set_read_only(r: &Value, on: bool) {
    if let Value::SObj(o) = r {
        o.borrow_mut().read_only = on;
    }
}

/// Runs every trigger on `ty` for `event`, in chunks of 200 records. `new` and `old`
/// are parallel (either may be empty). Errors added with `addError` stay on the records.
pub fn fire(
    i: &mut Interp<'_>,
    ty: SObjectTypeId,
    event: TriggerEvent,
    new: &[Value],
    old: &[Value],
) -> R<()> {
    let prog = i.prog;
    let triggers: Vec<u32> = prog
        .classes
        .iter()
        .filter(|c| c.kind == ClassKind::Trigger)
        .filter(|c| {
            c.trigger
                .as_ref()
                .is_some_and(|(t, evs)| *t == ty && evs.contains(&event))
        })
        .map(|c| c.id)
        .collect();
    if triggers.is_empty() {
        return Ok(());
    }
    // Trigger.old is always read-only; Trigger.new is once the records are saved.
    for r in old {
        set_read_only(r, true);
    }
    if !event.is_before() {
        for r in new {
            set_read_only(r, true);
        }
    }
    let n = new.len().max(old.len());
    let rec_ty = Ty::SObject(Some(ty));
    let mut start = 0;
    while start < n {
        let end = (start + CHUNK).min(n);
        let new_chunk: Vec<Value> = new
            .get(start..end.min(new.len()))
            .unwrap_or_default()
            .to_vec();
        let old_chunk: Vec<Value> = old
            .get(start..end.min(old.len()))
            .unwrap_or_default()
            .to_vec();
        let frame = TriggerFrame {
            event,
            new: if new.is_empty() {
                Value::Null
            } else {
                Value::list(rec_ty.clone(), new_chunk.clone())
            },
            old: if old.is_empty() {
                Value::Null
            } else {
                Value::list(rec_ty.clone(), old_chunk.clone())
            },
            // Before insert, records have no Id yet: there is no newMap.
            new_map: if new.is_empty() || event == TriggerEvent::BeforeInsert {
                Value::Null
            } else {
                id_map(i, ty, &new_chunk)?
            },
            old_map: if old.is_empty() {
                Value::Null
            } else {
                id_map(i, ty, &old_chunk)?
            },
            size: end - start,
        };
        for &t in &triggers {
            let f = prog
                .class(t)
                .methods
                .get("<trigger>")
                .and_then(|fs| fs.first().copied());
            let Some(f) = f else { continue };
            let cls = prog.class(t);
            let chunk = if new_chunk.is_empty() {
                &old_chunk
            } else {
                &new_chunk
            };
            if i.platform.triggers.len() >= MAX_DEPTH {
                let sobject = &prog.schema.get(ty).name;
                let message = format!(
                    "{}: maximum trigger depth exceeded\n{sobject} trigger event {}",
                    cls.name,
                    event.log_name()
                );
                fail_chunk(chunk, message);
                break;
            }
            i.platform.triggers.push(frame.clone());
            i.log_code_unit_start(crate::vm::platform::log::CodeUnit::Trigger {
                id: crate::vm::interp::logging::class_id15("01q", t),
                name: cls.name.clone(),
                sobject: prog.schema.get(ty).name.clone(),
                event: event.log_name(),
                typeref: cls.typeref(),
                namespace: cls.namespace.clone(),
            });
            let r = i.call_function(f, Value::Null, Vec::new());
            i.log_code_unit_end();
            i.platform.triggers.pop();
            match r {
                Ok(_) => {}
                Err(t) if i.is_uncatchable(t.0.class) => return Err(t),
                Err(t) => {
                    // An unhandled exception fails every record of the chunk.
                    let d = crate::vm::describe_throw(i, &t);
                    let message = format!(
                        "{}: execution of {}\n\ncaused by: {}: {}\n\n{}",
                        cls.name,
                        event.log_name(),
                        d.type_name,
                        d.message,
                        d.stack
                    );
                    fail_chunk(chunk, message);
                    break;
                }
            }
        }
        start = end;
    }
    Ok(())
}
