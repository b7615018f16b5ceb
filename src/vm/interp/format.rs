//! How values print (`System.debug`, `String.valueOf`, string concatenation),
//! and run-time type checks (casts, `instanceof`).

use std::fmt::Write;

use rust_decimal::Decimal;

use super::ops::{convert_num, num_kind};
use super::{Interp, R};
use crate::vm::types::{NativeClass, Ty};
use crate::vm::value::{NativeObj, Value};

/// Java's `Double.toString`: plain between 10^-3 and 10^7, scientific otherwise.
pub fn format_double(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    if d == 0.0 {
        return if d.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    let a = d.abs();
    if (1e-3..1e7).contains(&a) {
        let s = format!("{d}");
        if s.contains('.') { s } else { format!("{s}.0") }
    } else {
        // Shortest digits, then Java's d.dddE±n layout.
        let s = format!("{d:e}");
        let (mant, exp) = s.split_once('e').expect("exponent");
        let mant = if mant.contains('.') {
            mant.to_string()
        } else {
            format!("{mant}.0")
        };
        format!("{mant}E{exp}")
    }
}

/// Decimals print with their scale, never in exponent form.
pub fn format_decimal(d: &Decimal) -> String {
    d.to_string()
}

impl Interp<'_> {
    /// The text of a value as `String.valueOf` and `System.debug` produce it.
    pub fn to_display(&mut self, v: &Value) -> R<String> {
        let mut out = String::new();
        self.write_value(&mut out, v, 0)?;
        Ok(out)
    }

    fn write_value(&mut self, out: &mut String, v: &Value, depth: usize) -> R<()> {
        if depth > 20 {
            out.push_str("...");
            return Ok(());
        }
        match v {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => write!(out, "{b}").unwrap(),
            Value::Int(i) => write!(out, "{i}").unwrap(),
            Value::Long(l) => write!(out, "{l}").unwrap(),
            Value::Double(d) => out.push_str(&format_double(*d)),
            Value::Dec(d) => out.push_str(&format_decimal(d)),
            Value::Str(s) | Value::Id(s) => out.push_str(s),
            Value::Date(d) => write!(out, "{}", d.format("%Y-%m-%d")).unwrap(),
            Value::Datetime(d) => write!(out, "{}", d.format("%Y-%m-%d %H:%M:%S")).unwrap(),
            Value::Time(t) => write!(out, "{}Z", t.format("%H:%M:%S%.3f")).unwrap(),
            Value::Blob(b) => write!(out, "Blob[{}]", b.len()).unwrap(),
            Value::List(l) => {
                let items = l.borrow().items.clone();
                out.push('(');
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write_value(out, x, depth + 1)?;
                }
                out.push(')');
            }
            Value::Set(s) => {
                let items: Vec<Value> = s.borrow().items.iter().map(|k| k.0.clone()).collect();
                out.push('{');
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write_value(out, x, depth + 1)?;
                }
                out.push('}');
            }
            Value::Map(m) => {
                let items: Vec<(Value, Value)> = m
                    .borrow()
                    .items
                    .iter()
                    .map(|(k, v)| (k.0.clone(), v.clone()))
                    .collect();
                out.push('{');
                for (i, (k, x)) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write_value(out, k, depth + 1)?;
                    out.push('=');
                    self.write_value(out, x, depth + 1)?;
                }
                out.push('}');
            }
            Value::Obj(o) => {
                let class = self.prog.class(o.class);
                if class.is_exception {
                    let msg = o
                        .ext
                        .borrow()
                        .as_ref()
                        .map(|e| e.message.clone())
                        .unwrap_or_default();
                    out.push_str(&class.type_name());
                    out.push_str(": ");
                    self.write_value(out, &msg, depth + 1)?;
                    return Ok(());
                }
                if let Some(f) = self.find_method(o.class, "tostring", 0) {
                    let r = self.call_function(f, v.clone(), Vec::new())?;
                    self.write_value(out, &r, depth + 1)?;
                    return Ok(());
                }
                let fields = o.fields.borrow().clone();
                out.push_str(&class.type_name());
                out.push_str(":[");
                let names: Vec<String> = class.fields.iter().map(|f| f.name.clone()).collect();
                for (i, (name, x)) in names.iter().zip(fields.iter()).enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(name);
                    out.push('=');
                    self.write_value(out, x, depth + 1)?;
                }
                out.push(']');
            }
            Value::SObj(s) => {
                let (name, fields) = {
                    let r = s.borrow();
                    let name = self.sobject_type_name(r.sobject_type);
                    let fields: Vec<(String, Value)> = r
                        .fields
                        .values()
                        .map(|(n, v)| (n.clone(), v.clone()))
                        .collect();
                    (name, fields)
                };
                out.push_str(&name);
                out.push_str(":{");
                for (i, (n, x)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(n);
                    out.push('=');
                    self.write_value(out, x, depth + 1)?;
                }
                out.push('}');
            }
            Value::Enum(c, o) => out.push_str(&self.prog.class(*c).enum_constants[*o as usize]),
            Value::NativeEnum(e, o) => out.push_str(e.constants()[*o as usize]),
            Value::Type(t) => out.push_str(&self.prog.ty_name(t)),
            Value::Native(n) => {
                let n = n.borrow();
                match &*n {
                    NativeObj::Pattern { source, .. } => out.push_str(source),
                    NativeObj::Matcher { .. } => out.push_str("System.Matcher"),
                    NativeObj::Iterator { .. } => out.push_str("Iterator"),
                    NativeObj::Aggregate(fields) => {
                        let fields = fields.clone();
                        drop(n);
                        out.push_str("AggregateResult:{");
                        for (i, (k, x)) in fields.iter().enumerate() {
                            if i > 0 {
                                out.push_str(", ");
                            }
                            out.push_str(k);
                            out.push('=');
                            self.write_value(out, x, depth + 1)?;
                        }
                        out.push('}');
                    }
                    NativeObj::Record { kind, fields } => {
                        let fields = fields.clone();
                        let kind = *kind;
                        drop(n);
                        if let Some(name) = self.token_display(kind, &fields) {
                            out.push_str(&name);
                            return Ok(());
                        }
                        out.push_str(kind.name());
                        out.push_str(":[");
                        for (i, (k, x)) in fields.iter().enumerate() {
                            if i > 0 {
                                out.push_str(", ");
                            }
                            out.push_str(k);
                            out.push('=');
                            self.write_value(out, x, depth + 1)?;
                        }
                        out.push(']');
                    }
                }
            }
        }
        Ok(())
    }

    /// Schema tokens print as the name they stand for (`Account`, `Name`).
    fn token_display(&self, kind: NativeClass, fields: &[(&'static str, Value)]) -> Option<String> {
        let get = |k: &str| fields.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone());
        match kind {
            NativeClass::SObjectTypeToken | NativeClass::DescribeSObjectResult => {
                let s = get("sobject")?.as_i64()?;
                Some(self.prog.schema.get(s as u32).name.clone())
            }
            NativeClass::SObjectFieldToken | NativeClass::DescribeFieldResult => {
                get("field")?.as_str().map(str::to_string)
            }
            NativeClass::DatabaseError => {
                let m = get("message")?;
                let s = get("statusCode")?;
                let (m, s) = (m.as_str().unwrap_or("").to_string(), s);
                let status = match s {
                    Value::NativeEnum(e, o) => e.constants()[o as usize].to_string(),
                    v => v.as_str().unwrap_or("").to_string(),
                };
                Some(format!(
                    "Database.Error[getFields=();getMessage={m};getStatusCode={status};]"
                ))
            }
            _ => None,
        }
    }

    /// The run-time type name of a value, as error messages show it.
    pub fn runtime_type_name(&self, v: &Value) -> String {
        match v {
            Value::Null => "null".into(),
            Value::Bool(_) => "Boolean".into(),
            Value::Int(_) => "Integer".into(),
            Value::Long(_) => "Long".into(),
            Value::Double(_) => "Double".into(),
            Value::Dec(_) => "Decimal".into(),
            Value::Str(_) => "String".into(),
            Value::Id(_) => "Id".into(),
            Value::Date(_) => "Date".into(),
            Value::Datetime(_) => "Datetime".into(),
            Value::Time(_) => "Time".into(),
            Value::Blob(_) => "Blob".into(),
            Value::List(l) => format!("List<{}>", self.prog.ty_name(&l.borrow().elem)),
            Value::Set(s) => format!("Set<{}>", self.prog.ty_name(&s.borrow().elem)),
            Value::Map(m) => {
                let m = m.borrow();
                format!(
                    "Map<{},{}>",
                    self.prog.ty_name(&m.key),
                    self.prog.ty_name(&m.value)
                )
            }
            Value::Obj(o) => self.prog.class(o.class).type_name(),
            Value::SObj(s) => self.sobject_type_name(s.borrow().sobject_type),
            Value::Enum(c, _) => self.prog.class(*c).type_name(),
            Value::NativeEnum(e, _) => e.name().to_string(),
            Value::Type(_) => "System.Type".into(),
            Value::Native(n) => match &*n.borrow() {
                NativeObj::Pattern { .. } => NativeClass::Pattern.name().into(),
                NativeObj::Matcher { .. } => NativeClass::Matcher.name().into(),
                NativeObj::Iterator { .. } => NativeClass::Iterator.name().into(),
                NativeObj::Record { kind, .. } => kind.name().into(),
                NativeObj::Aggregate(_) => NativeClass::AggregateResult.name().into(),
            },
        }
    }

    /// Whether a (non-null) value is an instance of a type.
    pub fn is_instance(&self, v: &Value, ty: &Ty) -> bool {
        match (ty, v) {
            (Ty::Object | Ty::Any, _) => true,
            (Ty::Boolean, Value::Bool(_)) => true,
            (Ty::Integer, Value::Int(_)) => true,
            (Ty::Long, Value::Long(_)) => true,
            (Ty::Decimal, Value::Dec(_)) => true,
            (Ty::Double, Value::Double(_)) => true,
            (Ty::String, Value::Str(_) | Value::Id(_)) => true,
            (Ty::Id, Value::Id(_)) => true,
            (Ty::Id, Value::Str(s)) => crate::vm::builtins::id::is_valid_id(s),
            (Ty::Date, Value::Date(_)) => true,
            (Ty::Datetime, Value::Datetime(_)) => true,
            (Ty::Time, Value::Time(_)) => true,
            (Ty::Blob, Value::Blob(_)) => true,
            (Ty::List(e), Value::List(l)) => elem_compatible(self, &l.borrow().elem, e),
            (Ty::Set(e), Value::Set(s)) => elem_compatible(self, &s.borrow().elem, e),
            (Ty::Map(k, w), Value::Map(m)) => {
                let m = m.borrow();
                elem_compatible(self, &m.key, k) && elem_compatible(self, &m.value, w)
            }
            (Ty::Class(c), Value::Obj(o)) => self.prog.is_subclass(o.class, *c),
            (Ty::Class(c), Value::Enum(e, _)) => e == c,
            (Ty::SObject(None), Value::SObj(_)) => true,
            (Ty::SObject(Some(t)), Value::SObj(s)) => s.borrow().sobject_type == *t,
            (Ty::NativeEnum(e), Value::NativeEnum(f, _)) => e == f,
            (Ty::Native(NativeClass::Type), Value::Type(_)) => true,
            (Ty::Native(k), Value::Native(n)) => match &*n.borrow() {
                NativeObj::Pattern { .. } => *k == NativeClass::Pattern,
                NativeObj::Matcher { .. } => *k == NativeClass::Matcher,
                NativeObj::Iterator { .. } => *k == NativeClass::Iterator,
                NativeObj::Record { kind, .. } => kind == k,
                NativeObj::Aggregate(_) => *k == NativeClass::AggregateResult,
            },
            (Ty::Iter(_), Value::Native(n)) => matches!(&*n.borrow(), NativeObj::Iterator { .. }),
            _ => false,
        }
    }

    /// An explicit cast: numeric conversion between numbers, a checked reference cast otherwise.
    pub fn cast(&mut self, v: Value, ty: &Ty) -> R<Value> {
        if v.is_null() {
            return Ok(v);
        }
        if ty.is_numeric() && num_kind(&v).is_some() {
            return Ok(convert_num(v, ty));
        }
        if let (Ty::Id, Value::Str(s)) = (ty, &v) {
            return match crate::vm::builtins::id::to_18(s) {
                Some(id) => Ok(Value::Id(std::rc::Rc::new(id))),
                None => Err(self.throw_sys("StringException", format!("Invalid id: {s}"))),
            };
        }
        if self.is_instance(&v, ty) {
            return Ok(v);
        }
        let from = self.runtime_type_name(&v);
        let to = self.prog.ty_name(ty);
        Err(self.throw_sys(
            "TypeException",
            format!("Invalid conversion from runtime type {from} to {to}"),
        ))
    }
}

/// Whether a collection declared with element type `have` may be used as one of `want`.
fn elem_compatible(i: &Interp<'_>, have: &Ty, want: &Ty) -> bool {
    match (have, want) {
        (_, Ty::Object | Ty::Any) => true,
        (Ty::Any, _) => true,
        (Ty::Class(a), Ty::Class(b)) => i.prog.is_subclass(*a, *b),
        (Ty::SObject(Some(_)), Ty::SObject(None)) => true,
        (Ty::Id, Ty::String) => true,
        (a, b) => a == b,
    }
}
