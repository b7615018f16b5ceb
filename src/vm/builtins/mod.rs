//! Built-in classes and methods: System, String, Math, collections, dates, JSON, ...
//!
//! Each built-in is a [`Method`] in a per-receiver table. The compiler resolves a call
//! to the method's function pointer once, so a call at run time is a direct call.

pub mod collections;
pub mod datetime;
pub mod exception;
pub mod id;
pub mod json;
pub mod misc;
pub mod number;
pub mod string;
pub mod system;

use std::rc::Rc;

use super::interp::{Interp, R};
use super::types::{NativeClass, Ty};
use super::value::{NativeObj, Value};

/// A built-in function: receiver (null for statics) and evaluated arguments.
pub type NativeFn = fn(&mut Interp<'_>, Value, &[Value]) -> R<Value>;

/// The static return type of a built-in, possibly depending on the receiver or arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ret {
    Void,
    Bool,
    Int,
    Long,
    Dec,
    Double,
    Str,
    Id,
    Date,
    Datetime,
    Time,
    Blob,
    Object,
    Any,
    /// The receiver collection's element type (`List<T>.get`).
    Elem,
    /// The receiver map's value type.
    Val,
    /// The receiver's own type (`clone`).
    Recv,
    /// `Set<K>` of the receiver map's key type.
    SetKey,
    /// `List<V>` of the receiver map's value type.
    ListVal,
    ListStr,
    SetStr,
    ListObj,
    ListInt,
    MapStrObj,
    /// The first argument's static type.
    Arg0,
    /// The wider numeric type of the arguments (`Math.max`).
    NumArgs,
    Native(NativeClass),
    /// An sObject of unknown type.
    SObject,
    ListSObject,
    /// `Iterator<T>` of the receiver's element type.
    IterElem,
}

/// One built-in method.
#[derive(Clone, Copy)]
pub struct Method {
    pub name: &'static str,
    pub min: u8,
    pub max: u8,
    pub ret: Ret,
    pub f: NativeFn,
}

impl std::fmt::Debug for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.name, self.min)
    }
}

/// Shorthand to build a table entry.
pub const fn m(name: &'static str, min: u8, max: u8, ret: Ret, f: NativeFn) -> Method {
    Method {
        name,
        min,
        max,
        ret,
        f,
    }
}

pub fn find_public(table: &'static [Method], name: &str, arity: usize) -> Option<&'static Method> {
    table
        .iter()
        .find(|m| m.name == name && (m.min as usize..=m.max as usize).contains(&arity))
}

/// Whether some method of this name exists in the table, whatever the arity.
fn has_name(table: &'static [Method], name: &str) -> bool {
    table.iter().any(|m| m.name == name)
}

/// The instance-method table for values of a static type.
pub fn instance_table(ty: &Ty) -> &'static [Method] {
    match ty {
        Ty::String => string::METHODS,
        Ty::Id => id::METHODS,
        Ty::Integer | Ty::Long | Ty::Decimal | Ty::Double => number::METHODS,
        Ty::Boolean => number::BOOLEAN_METHODS,
        Ty::Date => datetime::DATE_METHODS,
        Ty::Datetime => datetime::DATETIME_METHODS,
        Ty::Time => datetime::TIME_METHODS,
        Ty::Blob => misc::BLOB_METHODS,
        Ty::List(_) => collections::LIST_METHODS,
        Ty::Set(_) => collections::SET_METHODS,
        Ty::Map(_, _) => collections::MAP_METHODS,
        Ty::Iter(_) => misc::ITERATOR_METHODS,
        Ty::NativeEnum(_) => misc::ENUM_METHODS,
        Ty::Native(k) => misc::native_table(*k),
        Ty::SObject(_) => crate::vm::platform::builtins::SOBJECT_METHODS,
        _ => &[],
    }
}

/// Finds an instance method by static receiver type, lower-case name and arity.
pub fn instance_method(ty: &Ty, name: &str, arity: usize) -> Option<&'static Method> {
    find_public(instance_table(ty), name, arity)
        .or_else(|| find_public(misc::OBJECT_METHODS, name, arity))
}

/// Whether a method of that name exists on the type at all (to word errors).
pub fn instance_has_name(ty: &Ty, name: &str) -> bool {
    has_name(instance_table(ty), name)
}

/// The static-method table of a built-in class, by lower-case name.
pub fn static_table(class: &str) -> Option<&'static [Method]> {
    Some(match class {
        "system" => system::SYSTEM,
        "assert" => system::ASSERT,
        "userinfo" => system::USERINFO,
        "limits" => system::LIMITS,
        "math" => number::MATH,
        "string" => string::STATICS,
        "integer" => number::INTEGER_STATICS,
        "long" => number::LONG_STATICS,
        "decimal" => number::DECIMAL_STATICS,
        "double" => number::DOUBLE_STATICS,
        "boolean" => number::BOOLEAN_STATICS,
        "date" => datetime::DATE_STATICS,
        "datetime" => datetime::DATETIME_STATICS,
        "time" => datetime::TIME_STATICS,
        "json" => json::STATICS,
        "type" => misc::TYPE_STATICS,
        "pattern" => misc::PATTERN_STATICS,
        "blob" => misc::BLOB_STATICS,
        "encodingutil" => misc::ENCODING_STATICS,
        "id" => id::STATICS,
        "crypto" => misc::CRYPTO_STATICS,
        "database" => &[],
        "schema" => &[],
        "test" => system::TEST,
        _ => return None,
    })
}

/// Finds a static built-in, e.g. `("math", "max", 2)`.
pub fn static_method(class: &str, name: &str, arity: usize) -> Option<&'static Method> {
    find_public(static_table(class)?, name, arity)
}

/// Resolves a method on a value at run time (untyped receivers).
pub fn lookup_runtime(i: &Interp<'_>, recv: &Value, name: &str, arity: usize) -> Option<NativeFn> {
    let ty = match recv {
        Value::Str(_) => Ty::String,
        Value::Id(_) => Ty::Id,
        Value::Int(_) => Ty::Integer,
        Value::Long(_) => Ty::Long,
        Value::Dec(_) => Ty::Decimal,
        Value::Double(_) => Ty::Double,
        Value::Bool(_) => Ty::Boolean,
        Value::Date(_) => Ty::Date,
        Value::Datetime(_) => Ty::Datetime,
        Value::Time(_) => Ty::Time,
        Value::Blob(_) => Ty::Blob,
        Value::List(_) => Ty::list(Ty::Any),
        Value::Set(_) => Ty::set(Ty::Any),
        Value::Map(_) => Ty::map(Ty::Any, Ty::Any),
        Value::SObj(_) => Ty::SObject(None),
        Value::NativeEnum(e, _) => Ty::NativeEnum(*e),
        Value::Enum(c, _) => Ty::Class(*c),
        Value::Type(_) => Ty::Native(NativeClass::Type),
        Value::Obj(o) if i.prog.class(o.class).is_exception => {
            return find_public(exception::METHODS, name, arity).map(|m| m.f);
        }
        Value::Native(n) => match &*n.borrow() {
            NativeObj::Pattern { .. } => Ty::Native(NativeClass::Pattern),
            NativeObj::Matcher { .. } => Ty::Native(NativeClass::Matcher),
            NativeObj::Iterator { .. } => Ty::Iter(Box::new(Ty::Any)),
            NativeObj::Record { kind, .. } => Ty::Native(*kind),
            NativeObj::Aggregate(_) => Ty::Native(NativeClass::AggregateResult),
        },
        _ => Ty::Object,
    };
    if let Ty::Class(_) = ty {
        return find_public(misc::ENUM_METHODS, name, arity)
            .or_else(|| find_public(misc::OBJECT_METHODS, name, arity))
            .map(|m| m.f);
    }
    instance_method(&ty, name, arity).map(|m| m.f)
}

/// Reads a property of a built-in object by name (`saveResult.success` is not Apex, but
/// records such as AggregateResult are read through `get`).
pub fn get_native_member(i: &mut Interp<'_>, o: Value, name: &str) -> R<Value> {
    if let Value::Native(n) = &o
        && matches!(
            &*n.borrow(),
            NativeObj::Record {
                kind: NativeClass::SObjectTypeFields,
                ..
            }
        )
    {
        let token = crate::vm::platform::describe::fields_member(i, &o, name)?;
        return crate::vm::platform::describe::field_describe_of(i, &token);
    }
    if let Value::Native(n) = &o
        && let NativeObj::Record { fields, .. } = &*n.borrow()
        && let Some((_, v)) = fields.iter().find(|(k, _)| k.eq_ignore_ascii_case(name))
    {
        return Ok(v.clone());
    }
    let t = i.runtime_type_name(&o);
    Err(i.throw_sys(
        "TypeException",
        format!("Variable does not exist: {name} on {t}"),
    ))
}

// ---- argument helpers shared by the built-in modules ----

/// The string argument at `n`; null throws NullPointerException.
pub fn arg_str(i: &mut Interp<'_>, args: &[Value], n: usize) -> R<Rc<String>> {
    match args.get(n) {
        Some(Value::Str(s) | Value::Id(s)) => Ok(s.clone()),
        Some(Value::Null) | None => Err(i.npe()),
        Some(v) => {
            let s = i.to_display(v)?;
            Ok(Rc::new(s))
        }
    }
}

/// The integer argument at `n`; null throws NullPointerException.
pub fn arg_int(i: &mut Interp<'_>, args: &[Value], n: usize) -> R<i64> {
    match args.get(n) {
        Some(v) if super::interp::ops::num_kind(v).is_some() => Ok(super::interp::ops::to_i64(v)),
        _ => Err(i.npe()),
    }
}

/// The receiver as a string.
pub fn recv_str(i: &mut Interp<'_>, recv: &Value) -> R<Rc<String>> {
    match recv {
        Value::Str(s) | Value::Id(s) => Ok(s.clone()),
        _ => Err(i.npe()),
    }
}

/// The Boolean argument at `n`.
pub fn arg_bool(i: &mut Interp<'_>, args: &[Value], n: usize) -> R<bool> {
    match args.get(n) {
        Some(Value::Bool(b)) => Ok(*b),
        _ => Err(i.npe()),
    }
}

/// Names of the built-in instance methods of a type (lower case; Apex ignores case).
pub fn method_names(ty: &Ty) -> Vec<String> {
    instance_table(ty)
        .iter()
        .map(|m| m.name.to_string())
        .collect()
}

/// `Class.method` of a built-in function, for debug logs.
pub fn native_label(f: NativeFn) -> Option<&'static str> {
    use std::collections::HashMap;
    use std::sync::OnceLock;
    static LABELS: OnceLock<HashMap<usize, String>> = OnceLock::new();
    let labels = LABELS.get_or_init(|| {
        let mut m = HashMap::new();
        let statics = [
            "System",
            "Assert",
            "UserInfo",
            "Limits",
            "Math",
            "String",
            "Integer",
            "Long",
            "Decimal",
            "Double",
            "Boolean",
            "Date",
            "Datetime",
            "Time",
            "JSON",
            "Type",
            "Pattern",
            "Blob",
            "EncodingUtil",
            "Id",
            "Crypto",
            "Database",
            "Schema",
            "Test",
        ];
        for class in statics {
            if let Some(t) = static_table(&class.to_ascii_lowercase()) {
                for meth in t {
                    m.entry(meth.f as usize)
                        .or_insert_with(|| format!("{class}.{}", meth.name));
                }
            }
        }
        let instances = [
            ("String", Ty::String),
            ("Decimal", Ty::Decimal),
            ("Date", Ty::Date),
            ("Datetime", Ty::Datetime),
            ("List", Ty::list(Ty::Any)),
            ("Set", Ty::set(Ty::Any)),
            ("Map", Ty::map(Ty::Any, Ty::Any)),
        ];
        for (class, ty) in instances {
            for meth in instance_table(&ty) {
                m.entry(meth.f as usize)
                    .or_insert_with(|| format!("{class}.{}", meth.name));
            }
        }
        m
    });
    labels.get(&(f as usize)).map(String::as_str)
}
