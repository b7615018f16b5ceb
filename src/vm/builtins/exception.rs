//! Methods every exception has, and the four standard constructors.

use super::{Method, Ret, arg_int, m};
use crate::vm::interp::{Interp, R};
use crate::vm::types::Ty;
use crate::vm::value::{ExcData, Value};

pub static METHODS: &[Method] = &[
    m("getmessage", 0, 0, Ret::Str, get_message),
    m("setmessage", 1, 1, Ret::Void, set_message),
    m("getcause", 0, 0, Ret::Any, get_cause),
    m("initcause", 1, 1, Ret::Void, init_cause),
    m("gettypename", 0, 0, Ret::Str, get_type_name),
    m("getlinenumber", 0, 0, Ret::Int, get_line_number),
    m(
        "getstacktracestring",
        0,
        0,
        Ret::Str,
        get_stack_trace_string,
    ),
    m("getnumdml", 0, 0, Ret::Int, get_num_dml),
    m("getdmlmessage", 1, 1, Ret::Str, get_dml_message),
    m("getdmlstatuscode", 1, 1, Ret::Str, get_dml_status_code),
    m("getdmltype", 1, 1, Ret::Any, get_dml_type),
    m("getdmlfieldnames", 1, 1, Ret::ListStr, get_dml_field_names),
    m("getdmlid", 1, 1, Ret::Id, get_dml_id),
    m("getdmlindex", 1, 1, Ret::Int, get_dml_index),
    m("tostring", 0, 0, Ret::Str, to_string),
];

fn with_data<T>(i: &mut Interp<'_>, r: &Value, f: impl FnOnce(&mut ExcData) -> T) -> R<T> {
    match r {
        Value::Obj(o) => {
            let mut ext = o.ext.borrow_mut();
            Ok(f(ext.get_or_insert_with(Default::default)))
        }
        _ => Err(i.npe()),
    }
}

fn get_message(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    with_data(i, &r, |d| d.message.clone())
}

fn set_message(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let v = a[0].clone();
    with_data(i, &r, |d| d.message = v)?;
    Ok(Value::Null)
}

fn get_cause(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    with_data(i, &r, |d| d.cause.clone())
}

fn init_cause(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let v = a[0].clone();
    with_data(i, &r, |d| d.cause = v)?;
    Ok(Value::Null)
}

fn get_type_name(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let Value::Obj(o) = &r else {
        return Err(i.npe());
    };
    Ok(Value::str(i.prog.class(o.class).type_name()))
}

fn get_line_number(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    with_data(i, &r, |d| {
        if d.thrown {
            Value::Int(d.line as i32)
        } else {
            Value::Int(-1)
        }
    })
}

/// Formats a stack as Apex prints it: `Class.Foo.bar: line 3, column 1`, one per line.
pub fn format_stack(stack: &[crate::vm::value::StackFrame]) -> String {
    stack
        .iter()
        .map(|f| format!("{}: line {}, column {}", f.name, f.line, f.column))
        .collect::<Vec<_>>()
        .join("\n")
}

fn get_stack_trace_string(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let stack = with_data(i, &r, |d| d.stack.clone())?;
    Ok(Value::str(format_stack(&stack)))
}

fn dml_row<T>(
    i: &mut Interp<'_>,
    r: &Value,
    a: &[Value],
    f: impl FnOnce(&crate::vm::value::DmlFailure) -> T,
) -> R<Option<T>> {
    let n = arg_int(i, a, 0)?;
    with_data(i, r, |d| d.dml.get(n as usize).map(f))
}

fn get_num_dml(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    with_data(i, &r, |d| Value::Int(d.dml.len() as i32))
}

fn get_dml_message(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    Ok(dml_row(i, &r, a, |f| Value::str(f.message.clone()))?.unwrap_or_default())
}

fn get_dml_status_code(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    Ok(dml_row(i, &r, a, |f| Value::str(f.status.clone()))?.unwrap_or_default())
}

/// A status code as a `System.StatusCode` value (or its text for codes outside the enum).
pub fn status_value(code: &str) -> Value {
    use crate::vm::types::NativeEnum;
    match NativeEnum::StatusCode.value_of(code) {
        Some(o) => Value::NativeEnum(NativeEnum::StatusCode, o),
        None => Value::str(code.to_string()),
    }
}

fn get_dml_type(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    Ok(dml_row(i, &r, a, |f| status_value(&f.status))?.unwrap_or_default())
}

fn get_dml_field_names(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    Ok(dml_row(i, &r, a, |f| {
        Value::list(
            Ty::String,
            f.fields.iter().map(|x| Value::str(x.clone())).collect(),
        )
    })?
    .unwrap_or_default())
}

fn get_dml_id(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    Ok(dml_row(i, &r, a, |f| {
        f.id.clone()
            .map(|id| Value::Id(std::rc::Rc::new(id)))
            .unwrap_or_default()
    })?
    .unwrap_or_default())
}

fn get_dml_index(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    Ok(dml_row(i, &r, a, |f| Value::Int(f.index as i32))?.unwrap_or_default())
}

fn to_string(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let s = i.to_display(&r)?;
    Ok(Value::str(s))
}

/// The native body of the standard exception constructors: `()`, `(String)`,
/// `(Exception)` and `(String, Exception)`.
pub fn standard_ctor(i: &mut Interp<'_>, this: Value, a: &[Value]) -> R<Value> {
    let (message, cause) = match a {
        [] => (Value::Null, Value::Null),
        [Value::Obj(c)] if i.prog.class(c.class).is_exception => {
            let text = i.to_display(&a[0])?;
            (Value::str(text), Value::Obj(c.clone()))
        }
        [m] => (m.clone(), Value::Null),
        [m, c, ..] => (m.clone(), c.clone()),
    };
    with_data(i, &this, |d| {
        d.message = message;
        d.cause = cause;
    })?;
    Ok(Value::Null)
}
