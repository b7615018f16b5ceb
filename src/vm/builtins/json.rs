//! `JSON.serialize`, `serializePretty`, `deserialize`, `deserializeStrict` and
//! `deserializeUntyped`. Numbers keep their text so Decimals keep their scale.

use std::rc::Rc;

use base64::Engine;
use rust_decimal::Decimal;

use super::{Method, Ret, arg_str, m};
use crate::vm::interp::format::format_double;
use crate::vm::interp::{Interp, R};
use crate::vm::types::Ty;
use crate::vm::value::{Key, OrderedMap, Value};

pub static STATICS: &[Method] = &[
    m("serialize", 1, 2, Ret::Str, serialize),
    m("serializepretty", 1, 2, Ret::Str, serialize_pretty),
    m("deserialize", 2, 2, Ret::Any, deserialize),
    m("deserializestrict", 2, 2, Ret::Any, deserialize_strict),
    m("deserializeuntyped", 1, 1, Ret::Any, deserialize_untyped),
];

/// A parsed JSON document.
#[derive(Debug, Clone)]
pub enum Json {
    Null,
    Bool(bool),
    /// The number's text, as written.
    Num(String),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

fn serialize(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let skip_nulls = matches!(a.get(1), Some(Value::Bool(true)));
    let j = to_json(i, &a[0], skip_nulls, 0)?;
    let mut out = String::new();
    write_compact(&j, &mut out);
    Ok(Value::str(out))
}

fn serialize_pretty(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let skip_nulls = matches!(a.get(1), Some(Value::Bool(true)));
    let j = to_json(i, &a[0], skip_nulls, 0)?;
    let mut out = String::new();
    write_pretty(&j, &mut out, 0);
    Ok(Value::str(out))
}

/// Converts an Apex value to JSON, as `JSON.serialize` sees it.
pub fn to_json(i: &mut Interp<'_>, v: &Value, skip_nulls: bool, depth: usize) -> R<Json> {
    if depth > 100 {
        return Err(i.throw_sys(
            "JSONException",
            "Cannot serialize a value that refers to itself".into(),
        ));
    }
    Ok(match v {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(x) => Json::Num(x.to_string()),
        Value::Long(x) => Json::Num(x.to_string()),
        Value::Dec(d) => Json::Num(d.to_string()),
        Value::Double(d) => Json::Num(format_double(*d)),
        Value::Str(s) | Value::Id(s) => Json::Str(s.to_string()),
        Value::Date(d) => Json::Str(d.format("%Y-%m-%d").to_string()),
        Value::Datetime(d) => Json::Str(d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()),
        Value::Time(t) => Json::Str(format!("{}Z", t.format("%H:%M:%S%.3f"))),
        Value::Blob(b) => Json::Str(base64::engine::general_purpose::STANDARD.encode(&**b)),
        Value::Enum(..) | Value::NativeEnum(..) => Json::Str(i.to_display(v)?),
        Value::List(_) | Value::Set(_) => {
            let items = super::collections::items_of(i, v)?;
            let mut out = Vec::with_capacity(items.len());
            for x in &items {
                out.push(to_json(i, x, skip_nulls, depth + 1)?);
            }
            Json::Arr(out)
        }
        Value::Map(m) => {
            let items: Vec<(Value, Value)> = m
                .borrow()
                .items
                .iter()
                .map(|(k, v)| (k.0.clone(), v.clone()))
                .collect();
            let mut out = Vec::with_capacity(items.len());
            for (k, x) in &items {
                if skip_nulls && x.is_null() {
                    continue;
                }
                let key = i.to_display(k)?;
                out.push((key, to_json(i, x, skip_nulls, depth + 1)?));
            }
            Json::Obj(out)
        }
        Value::Obj(o) => {
            let class = i.prog.class(o.class);
            let names: Vec<String> = class.fields.iter().map(|f| f.name.clone()).collect();
            let values = o.fields.borrow().clone();
            let mut out = Vec::new();
            for (n, x) in names.into_iter().zip(values.iter()) {
                if skip_nulls && x.is_null() {
                    continue;
                }
                out.push((n, to_json(i, x, skip_nulls, depth + 1)?));
            }
            Json::Obj(out)
        }
        Value::SObj(s) => {
            let (ty, fields) = {
                let r = s.borrow();
                let f: Vec<(String, Value)> = r.fields.values().cloned().collect();
                (r.sobject_type, f)
            };
            let name = i.sobject_type_name(ty);
            let mut attrs = vec![("type".to_string(), Json::Str(name.clone()))];
            if let Some((_, Value::Id(id))) =
                fields.iter().find(|(n, _)| n.eq_ignore_ascii_case("id"))
            {
                attrs.push((
                    "url".into(),
                    Json::Str(format!("/services/data/v61.0/sobjects/{name}/{id}")),
                ));
            }
            let mut out = vec![("attributes".to_string(), Json::Obj(attrs))];
            for (n, x) in &fields {
                if skip_nulls && x.is_null() {
                    continue;
                }
                out.push((n.clone(), to_json(i, x, skip_nulls, depth + 1)?));
            }
            Json::Obj(out)
        }
        Value::Type(_) | Value::Native(_) => Json::Str(i.to_display(v)?),
    })
}

fn escape_into(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Compact JSON, as `JSON.serialize` writes it.
pub fn write_compact(j: &Json, out: &mut String) {
    match j {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Num(n) => out.push_str(n),
        Json::Str(s) => escape_into(s, out),
        Json::Arr(xs) => {
            out.push('[');
            for (k, x) in xs.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                write_compact(x, out);
            }
            out.push(']');
        }
        Json::Obj(fs) => {
            out.push('{');
            for (k, (n, x)) in fs.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                escape_into(n, out);
                out.push(':');
                write_compact(x, out);
            }
            out.push('}');
        }
    }
}

/// Pretty JSON in the layout of Jackson's default pretty printer, which Apex uses.
pub fn write_pretty(j: &Json, out: &mut String, level: usize) {
    match j {
        Json::Arr(xs) => {
            if xs.is_empty() {
                out.push_str("[ ]");
                return;
            }
            out.push_str("[ ");
            for (k, x) in xs.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                write_pretty(x, out, level);
            }
            out.push_str(" ]");
        }
        Json::Obj(fs) => {
            if fs.is_empty() {
                out.push_str("{ }");
                return;
            }
            out.push('{');
            for (k, (n, x)) in fs.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                out.push('\n');
                out.push_str(&"  ".repeat(level + 1));
                escape_into(n, out);
                out.push_str(" : ");
                write_pretty(x, out, level + 1);
            }
            out.push('\n');
            out.push_str(&"  ".repeat(level));
            out.push('}');
        }
        other => write_compact(other, out),
    }
}

/// Parses JSON text.
pub fn parse(text: &str) -> Result<Json, String> {
    let mut p = Parser {
        s: text.as_bytes(),
        pos: 0,
    };
    p.ws();
    let v = p.value()?;
    p.ws();
    if p.pos != p.s.len() {
        return Err(p.error("Unexpected character"));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> String {
        let ch = self
            .s
            .get(self.pos)
            .map(|c| format!("('{}' (code {}))", *c as char, c))
            .unwrap_or_else(|| "end-of-input".into());
        format!(
            "{what} {ch} at input location [line:1, column:{}]",
            self.pos + 1
        )
    }

    fn ws(&mut self) {
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.s.get(self.pos) == Some(&c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn lit(&mut self, word: &str, v: Json) -> Result<Json, String> {
        if self.s[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(v)
        } else {
            Err(self.error("Unrecognized token"))
        }
    }

    fn value(&mut self) -> Result<Json, String> {
        self.ws();
        match self.s.get(self.pos) {
            Some(b'{') => {
                self.pos += 1;
                let mut fs = Vec::new();
                self.ws();
                if self.eat(b'}') {
                    return Ok(Json::Obj(fs));
                }
                loop {
                    self.ws();
                    if self.s.get(self.pos) != Some(&b'"') {
                        return Err(self.error("Unexpected character"));
                    }
                    let k = self.string()?;
                    self.ws();
                    if !self.eat(b':') {
                        return Err(self.error("Unexpected character"));
                    }
                    let v = self.value()?;
                    fs.push((k, v));
                    self.ws();
                    if self.eat(b',') {
                        continue;
                    }
                    if self.eat(b'}') {
                        return Ok(Json::Obj(fs));
                    }
                    return Err(self.error("Unexpected character"));
                }
            }
            Some(b'[') => {
                self.pos += 1;
                let mut xs = Vec::new();
                self.ws();
                if self.eat(b']') {
                    return Ok(Json::Arr(xs));
                }
                loop {
                    xs.push(self.value()?);
                    self.ws();
                    if self.eat(b',') {
                        continue;
                    }
                    if self.eat(b']') {
                        return Ok(Json::Arr(xs));
                    }
                    return Err(self.error("Unexpected character"));
                }
            }
            Some(b'"') => Ok(Json::Str(self.string()?)),
            Some(b't') => self.lit("true", Json::Bool(true)),
            Some(b'f') => self.lit("false", Json::Bool(false)),
            Some(b'n') => self.lit("null", Json::Null),
            Some(c) if *c == b'-' || c.is_ascii_digit() => {
                let start = self.pos;
                while self.pos < self.s.len()
                    && matches!(
                        self.s[self.pos],
                        b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'
                    )
                {
                    self.pos += 1;
                }
                Ok(Json::Num(
                    String::from_utf8_lossy(&self.s[start..self.pos]).into_owned(),
                ))
            }
            _ => Err(self.error("Unexpected character")),
        }
    }

    fn string(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut out = Vec::new();
        while let Some(&c) = self.s.get(self.pos) {
            self.pos += 1;
            match c {
                b'"' => return String::from_utf8(out).map_err(|_| "Invalid UTF-8".into()),
                b'\\' => {
                    let e = *self.s.get(self.pos).ok_or("Unexpected end-of-input")?;
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'u' => {
                            let hex = std::str::from_utf8(
                                self.s.get(self.pos..self.pos + 4).unwrap_or(b""),
                            )
                            .ok()
                            .and_then(|h| u32::from_str_radix(h, 16).ok())
                            .ok_or("Invalid escape")?;
                            self.pos += 4;
                            let ch = char::from_u32(hex).unwrap_or('\u{fffd}');
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        other => out.push(other),
                    }
                }
                c => out.push(c),
            }
        }
        Err(self.error("Unexpected end-of-input"))
    }
}

fn json_error(i: &mut Interp<'_>, msg: String) -> crate::vm::interp::Throw {
    i.throw_sys("JSONException", msg)
}

/// A JSON number as the Apex value `deserializeUntyped` gives: Integer, Long or Decimal.
fn untyped_number(n: &str) -> Value {
    if let Ok(x) = n.parse::<i32>() {
        return Value::Int(x);
    }
    if let Ok(x) = n.parse::<i64>() {
        return Value::Long(x);
    }
    super::number::parse_decimal(n)
        .map(Value::Dec)
        .unwrap_or_else(|| Value::Double(n.parse().unwrap_or(0.0)))
}

/// Converts JSON to untyped Apex values (`Map<String,Object>`, `List<Object>`).
pub fn untyped(j: &Json) -> Value {
    match j {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Num(n) => untyped_number(n),
        Json::Str(s) => Value::str(s.clone()),
        Json::Arr(xs) => Value::list(Ty::Object, xs.iter().map(untyped).collect()),
        Json::Obj(fs) => {
            let mut m = OrderedMap::default();
            for (k, v) in fs {
                m.insert(Key(Value::str(k.clone())), untyped(v));
            }
            Value::map(Ty::String, Ty::Object, m)
        }
    }
}

fn deserialize_untyped(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let text = arg_str(i, a, 0)?;
    match parse(&text) {
        Ok(j) => Ok(untyped(&j)),
        Err(e) => Err(json_error(i, e)),
    }
}

fn deserialize_with(i: &mut Interp<'_>, a: &[Value], strict: bool) -> R<Value> {
    let text = arg_str(i, a, 0)?;
    let Value::Type(t) = &a[1] else {
        return Err(i.npe());
    };
    let j = parse(&text).map_err(|e| json_error(i, e))?;
    typed(i, &j, t, strict)
}

fn deserialize(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    deserialize_with(i, a, false)
}

fn deserialize_strict(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    deserialize_with(i, a, true)
}

fn mismatch(i: &mut Interp<'_>, what: &str, ty: &Ty) -> crate::vm::interp::Throw {
    let t = i.prog.ty_name(ty);
    json_error(i, format!("Illegal value for {t}: {what}"))
}

/// Converts JSON into a value of the given Apex type (user classes included).
pub fn typed(i: &mut Interp<'_>, j: &Json, ty: &Ty, strict: bool) -> R<Value> {
    if let Json::Null = j {
        return Ok(Value::Null);
    }
    Ok(match ty {
        Ty::Object | Ty::Any => untyped(j),
        Ty::Boolean => match j {
            Json::Bool(b) => Value::Bool(*b),
            Json::Str(s) => Value::Bool(s.eq_ignore_ascii_case("true")),
            _ => return Err(mismatch(i, "not a Boolean", ty)),
        },
        Ty::Integer | Ty::Long | Ty::Decimal | Ty::Double => {
            let n = match j {
                Json::Num(n) => n.clone(),
                Json::Str(s) => s.clone(),
                _ => return Err(mismatch(i, "not a number", ty)),
            };
            let d: Decimal = super::number::parse_decimal(&n).ok_or_else(|| mismatch(i, &n, ty))?;
            crate::vm::interp::ops::convert_num(Value::Dec(d), ty)
        }
        Ty::String => match j {
            Json::Str(s) => Value::str(s.clone()),
            Json::Num(n) => Value::str(n.clone()),
            Json::Bool(b) => Value::str(b.to_string()),
            _ => return Err(mismatch(i, "not a String", ty)),
        },
        Ty::Id => match j {
            Json::Str(s) => match super::id::to_18(s) {
                Some(id) => Value::Id(Rc::new(id)),
                None => return Err(mismatch(i, s, ty)),
            },
            _ => return Err(mismatch(i, "not an Id", ty)),
        },
        Ty::Date => match j {
            Json::Str(s) => {
                Value::Date(super::datetime::parse_date(s).ok_or_else(|| mismatch(i, s, ty))?)
            }
            _ => return Err(mismatch(i, "not a Date", ty)),
        },
        Ty::Datetime => match j {
            Json::Str(s) => Value::Datetime(
                super::datetime::parse_datetime(s).ok_or_else(|| mismatch(i, s, ty))?,
            ),
            _ => return Err(mismatch(i, "not a Datetime", ty)),
        },
        Ty::List(e) | Ty::Set(e) => {
            let Json::Arr(xs) = j else {
                return Err(mismatch(i, "not an array", ty));
            };
            let mut out = Vec::with_capacity(xs.len());
            for x in xs {
                out.push(typed(i, x, e, strict)?);
            }
            if let Ty::Set(_) = ty {
                Value::set((**e).clone(), out.into_iter().map(Key).collect())
            } else {
                Value::list((**e).clone(), out)
            }
        }
        Ty::Map(k, v) => {
            let Json::Obj(fs) = j else {
                return Err(mismatch(i, "not an object", ty));
            };
            let mut m = OrderedMap::default();
            for (name, x) in fs {
                let key = typed(i, &Json::Str(name.clone()), k, strict)?;
                m.insert(Key(key), typed(i, x, v, strict)?);
            }
            Value::map((**k).clone(), (**v).clone(), m)
        }
        Ty::Class(c) => {
            let class = i.prog.class(*c);
            if class.kind == crate::vm::program::ClassKind::Enum {
                let Json::Str(s) = j else {
                    return Err(mismatch(i, "not an enum name", ty));
                };
                return match class
                    .enum_constants
                    .iter()
                    .position(|n| n.eq_ignore_ascii_case(s))
                {
                    Some(o) => Ok(Value::Enum(*c, o as u32)),
                    None => Err(mismatch(i, s, ty)),
                };
            }
            let Json::Obj(fs) = j else {
                return Err(mismatch(i, "not an object", ty));
            };
            let obj = i.alloc(*c)?;
            let fields = i.prog.class(*c).fields.clone();
            for (name, x) in fs {
                match fields.iter().find(|f| f.name.eq_ignore_ascii_case(name)) {
                    Some(f) => {
                        let v = typed(i, x, &f.ty, strict)?;
                        obj.fields.borrow_mut()[f.slot as usize] = v;
                    }
                    None if strict => {
                        let t = i.prog.ty_name(ty);
                        return Err(json_error(
                            i,
                            format!("No such column '{name}' on object of type {t}"),
                        ));
                    }
                    None => {}
                }
            }
            Value::Obj(obj)
        }
        Ty::SObject(Some(s)) => {
            let Json::Obj(fs) = j else {
                return Err(mismatch(i, "not an object", ty));
            };
            let mut vals = Vec::new();
            for (name, x) in fs {
                if name == "attributes" {
                    continue;
                }
                vals.push((name.clone(), untyped(x)));
            }
            i.new_sobject(*s, vals)?
        }
        _ => untyped(j),
    })
}
