//! Smaller built-ins: Object and enum methods, iterators, Type, Pattern and Matcher,
//! Blob, EncodingUtil and Crypto.

use std::cell::RefCell;
use std::rc::Rc;

use base64::Engine;

use super::{Method, Ret, arg_int, arg_str, m, recv_str};
use crate::vm::interp::{Interp, R};
use crate::vm::types::{NativeClass, Ty};
use crate::vm::value::{Key, NativeObj, Value};

pub static OBJECT_METHODS: &[Method] = &[
    m("equals", 1, 1, Ret::Bool, equals),
    m("hashcode", 0, 0, Ret::Int, hash_code),
    m("tostring", 0, 0, Ret::Str, to_string),
];

pub static ENUM_METHODS: &[Method] = &[
    m("name", 0, 0, Ret::Str, enum_name),
    m("ordinal", 0, 0, Ret::Int, enum_ordinal),
    m("equals", 1, 1, Ret::Bool, equals),
    m("hashcode", 0, 0, Ret::Int, hash_code),
    m("tostring", 0, 0, Ret::Str, to_string),
];

pub static ITERATOR_METHODS: &[Method] = &[
    m("hasnext", 0, 0, Ret::Bool, iter_has_next),
    m("next", 0, 0, Ret::Elem, iter_next),
];

static TYPE_METHODS: &[Method] = &[
    m("getname", 0, 0, Ret::Str, type_get_name),
    m("newinstance", 0, 0, Ret::Any, type_new_instance),
    m("isassignablefrom", 1, 1, Ret::Bool, type_is_assignable_from),
];

static PATTERN_METHODS: &[Method] = &[
    m(
        "matcher",
        1,
        1,
        Ret::Native(NativeClass::Matcher),
        pattern_matcher,
    ),
    m("pattern", 0, 0, Ret::Str, pattern_pattern),
    m("split", 1, 1, Ret::ListStr, pattern_split),
];

static MATCHER_METHODS: &[Method] = &[
    m("matches", 0, 0, Ret::Bool, matcher_matches),
    m("find", 0, 0, Ret::Bool, matcher_find),
    m("lookingat", 0, 0, Ret::Bool, matcher_looking_at),
    m("group", 0, 1, Ret::Str, matcher_group),
    m("groupcount", 0, 0, Ret::Int, matcher_group_count),
    m("start", 0, 1, Ret::Int, matcher_start),
    m("end", 0, 1, Ret::Int, matcher_end),
    m("replaceall", 1, 1, Ret::Str, matcher_replace_all),
    m("replacefirst", 1, 1, Ret::Str, matcher_replace_first),
    m(
        "reset",
        0,
        1,
        Ret::Native(NativeClass::Matcher),
        matcher_reset,
    ),
];

pub static BLOB_METHODS: &[Method] = &[
    m("tostring", 0, 0, Ret::Str, blob_to_string),
    m("size", 0, 0, Ret::Int, blob_size),
];

pub static TYPE_STATICS: &[Method] = &[m(
    "forname",
    1,
    2,
    Ret::Native(NativeClass::Type),
    type_for_name,
)];

pub static PATTERN_STATICS: &[Method] = &[
    m(
        "compile",
        1,
        1,
        Ret::Native(NativeClass::Pattern),
        pattern_compile,
    ),
    m("matches", 2, 2, Ret::Bool, pattern_matches),
    m("quote", 1, 1, Ret::Str, pattern_quote),
];

pub static BLOB_STATICS: &[Method] = &[m("valueof", 1, 1, Ret::Blob, blob_value_of)];

pub static ENCODING_STATICS: &[Method] = &[
    m("base64encode", 1, 1, Ret::Str, base64_encode),
    m("base64decode", 1, 1, Ret::Blob, base64_decode),
    m("urlencode", 2, 2, Ret::Str, url_encode),
    m("urldecode", 2, 2, Ret::Str, url_decode),
    m("converttohex", 1, 1, Ret::Str, convert_to_hex),
];

pub static CRYPTO_STATICS: &[Method] = &[
    m("generatedigest", 2, 2, Ret::Blob, generate_digest),
    m("getrandominteger", 0, 0, Ret::Int, random_integer),
    m("getrandomlong", 0, 0, Ret::Long, random_long),
];

/// The method table of a built-in reference type.
pub fn native_table(k: NativeClass) -> &'static [Method] {
    match k {
        NativeClass::Type => TYPE_METHODS,
        NativeClass::Pattern => PATTERN_METHODS,
        NativeClass::Matcher => MATCHER_METHODS,
        NativeClass::Iterator => ITERATOR_METHODS,
        _ => crate::vm::platform::builtins::record_table(k),
    }
}

/// A random number in [0, 1).
pub fn random_f64() -> f64 {
    fastrand::f64()
}

fn equals(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    Ok(Value::Bool(i.apex_eq(&r, &a[0])?))
}

/// `hashCode()` for any value: Java's for strings, a content hash otherwise.
pub fn hash_code(_: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Int(match &r {
        Value::Str(s) | Value::Id(s) => super::string::java_hash(s),
        Value::Int(i) => *i,
        Value::Long(l) => (*l ^ (*l >> 32)) as i32,
        Value::Bool(b) => {
            if *b {
                1231
            } else {
                1237
            }
        }
        v => {
            use std::hash::{Hash, Hasher};
            let mut h = rustc_hash::FxHasher::default();
            Key(v.clone()).hash(&mut h);
            h.finish() as i32
        }
    }))
}

fn to_string(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let s = i.to_display(&r)?;
    Ok(Value::str(s))
}

fn enum_name(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    match r {
        Value::Enum(..) | Value::NativeEnum(..) => to_string(i, r, &[]),
        _ => Err(i.npe()),
    }
}

fn enum_ordinal(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    match r {
        Value::Enum(_, o) | Value::NativeEnum(_, o) => Ok(Value::Int(o as i32)),
        _ => Err(i.npe()),
    }
}

fn with_native<T>(
    i: &mut Interp<'_>,
    r: &Value,
    f: impl FnOnce(&mut NativeObj) -> Option<T>,
) -> R<T> {
    let res = match r {
        Value::Native(n) => f(&mut n.borrow_mut()),
        _ => None,
    };
    res.ok_or_else(|| i.npe())
}

fn iter_has_next(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    with_native(i, &r, |n| match n {
        NativeObj::Iterator { items, pos } => Some(Value::Bool(*pos < items.len())),
        _ => None,
    })
}

fn iter_next(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let v = with_native(i, &r, |n| match n {
        NativeObj::Iterator { items, pos } => {
            let v = items.get(*pos).cloned();
            *pos += 1;
            Some(v)
        }
        _ => None,
    })?;
    v.ok_or_else(|| {
        i.throw_sys(
            "NoSuchElementException",
            "Iterator has no more elements.".into(),
        )
    })
}

fn type_of(i: &mut Interp<'_>, r: &Value) -> R<Ty> {
    match r {
        Value::Type(t) => Ok((**t).clone()),
        _ => Err(i.npe()),
    }
}

fn type_get_name(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let t = type_of(i, &r)?;
    Ok(Value::str(i.prog.ty_name(&t)))
}

fn type_new_instance(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let t = type_of(i, &r)?;
    match t {
        Ty::Class(c) => {
            let ctor = i
                .prog
                .class(c)
                .ctors
                .iter()
                .copied()
                .find(|&f| i.prog.func(f).params.is_empty());
            match ctor {
                Some(f) => i.construct_with(c, f, Vec::new()),
                None => {
                    let name = i.prog.class(c).type_name();
                    Err(i.throw_sys(
                        "TypeException",
                        format!("Type cannot be constructed: {name}"),
                    ))
                }
            }
        }
        Ty::List(e) => Ok(Value::list(*e, Vec::new())),
        Ty::Set(e) => Ok(Value::set(*e, Default::default())),
        Ty::Map(k, v) => Ok(Value::map(*k, *v, Default::default())),
        Ty::SObject(Some(s)) => i.new_sobject(s, Vec::new()),
        other => {
            let name = i.prog.ty_name(&other);
            Err(i.throw_sys(
                "TypeException",
                format!("Type cannot be constructed: {name}"),
            ))
        }
    }
}

fn type_is_assignable_from(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let t = type_of(i, &r)?;
    let o = type_of(i, &a[0])?;
    Ok(Value::Bool(match (&t, &o) {
        (Ty::Class(x), Ty::Class(y)) => i.prog.is_subclass(*y, *x),
        (Ty::Object, _) => true,
        (x, y) => x == y,
    }))
}

fn type_for_name(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let name = if a.len() == 2 {
        let ns = match &a[0] {
            Value::Null => String::new(),
            _ => arg_str(i, a, 0)?.to_string(),
        };
        let n = arg_str(i, a, 1)?;
        if ns.is_empty() {
            n.to_string()
        } else {
            format!("{ns}.{n}")
        }
    } else {
        arg_str(i, a, 0)?.to_string()
    };
    let ty = match name.to_ascii_lowercase().as_str() {
        "string" => Some(Ty::String),
        "integer" => Some(Ty::Integer),
        "long" => Some(Ty::Long),
        "decimal" => Some(Ty::Decimal),
        "double" => Some(Ty::Double),
        "boolean" => Some(Ty::Boolean),
        "date" => Some(Ty::Date),
        "datetime" => Some(Ty::Datetime),
        "id" => Some(Ty::Id),
        "object" => Some(Ty::Object),
        _ => None,
    };
    let ty = ty.or_else(|| i.prog.find_class(&name).map(Ty::Class));
    let ty = ty.or_else(|| i.find_sobject_type(&name).map(|s| Ty::SObject(Some(s))));
    Ok(ty.map(|t| Value::Type(Rc::new(t))).unwrap_or_default())
}

fn pattern_compile(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let src = arg_str(i, a, 0)?;
    let regex = super::string::java_regex(i, &src)?;
    Ok(Value::Native(Rc::new(RefCell::new(NativeObj::Pattern {
        source: src.to_string(),
        regex,
    }))))
}

fn pattern_matches(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let src = arg_str(i, a, 0)?;
    let s = arg_str(i, a, 1)?;
    let re = super::string::java_regex(i, &format!("^(?:{src})$"))?;
    Ok(Value::Bool(re.is_match(&s)))
}

fn pattern_quote(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let s = arg_str(i, a, 0)?;
    Ok(Value::str(regex::escape(&s)))
}

fn pattern_regex(i: &mut Interp<'_>, r: &Value) -> R<(regex::Regex, String)> {
    with_native(i, r, |n| match n {
        NativeObj::Pattern { regex, source } => Some((regex.clone(), source.clone())),
        _ => None,
    })
}

fn pattern_matcher(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let (regex, _) = pattern_regex(i, &r)?;
    let input = arg_str(i, a, 0)?.to_string();
    Ok(Value::Native(Rc::new(RefCell::new(NativeObj::Matcher {
        regex,
        input,
        groups: Vec::new(),
        pos: 0,
    }))))
}

fn pattern_pattern(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let (_, src) = pattern_regex(i, &r)?;
    Ok(Value::str(src))
}

fn pattern_split(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let (re, _) = pattern_regex(i, &r)?;
    let s = arg_str(i, a, 0)?;
    Ok(Value::list(
        Ty::String,
        super::string::java_split(&re, &s, 0)
            .into_iter()
            .map(Value::str)
            .collect(),
    ))
}

/// Runs a match on a matcher: anchored to the whole input, at its start, or the next find.
fn matcher_run(i: &mut Interp<'_>, r: &Value, mode: u8) -> R<Value> {
    with_native(i, r, |n| match n {
        NativeObj::Matcher {
            regex,
            input,
            groups,
            pos,
        } => {
            let start = if mode == 2 { *pos } else { 0 };
            let caps = regex.captures_at(input, start);
            let ok = match &caps {
                Some(c) => {
                    let m0 = c.get(0).expect("group 0");
                    match mode {
                        0 => m0.start() == 0 && m0.end() == input.len(),
                        1 => m0.start() == 0,
                        _ => true,
                    }
                }
                None => false,
            };
            if ok {
                let c = caps.expect("matched");
                *groups = (0..c.len())
                    .map(|k| c.get(k).map(|g| (g.start(), g.end())))
                    .collect();
                let m0 = groups[0].expect("group 0");
                *pos = if m0.1 == m0.0 { m0.1 + 1 } else { m0.1 };
            } else {
                groups.clear();
            }
            Some(Value::Bool(ok))
        }
        _ => None,
    })
}

fn matcher_matches(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    matcher_run(i, &r, 0)
}

fn matcher_looking_at(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    matcher_run(i, &r, 1)
}

fn matcher_find(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    matcher_run(i, &r, 2)
}

fn matcher_group_span(
    i: &mut Interp<'_>,
    r: &Value,
    a: &[Value],
) -> R<Option<(usize, usize, String)>> {
    let n = if a.is_empty() {
        0
    } else {
        arg_int(i, a, 0)? as usize
    };
    let res = with_native(i, r, |o| match o {
        NativeObj::Matcher { groups, input, .. } => Some(if groups.is_empty() {
            Err(())
        } else {
            Ok(groups
                .get(n)
                .copied()
                .flatten()
                .map(|(s, e)| (s, e, input.clone())))
        }),
        _ => None,
    })?;
    res.map_err(|_| i.throw_sys("StringException", "No match found".into()))
}

fn matcher_group(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    Ok(match matcher_group_span(i, &r, a)? {
        Some((s, e, input)) => Value::str(&input[s..e]),
        None => Value::Null,
    })
}

fn matcher_start(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    Ok(match matcher_group_span(i, &r, a)? {
        Some((s, _, input)) => Value::Int(input[..s].chars().count() as i32),
        None => Value::Int(-1),
    })
}

fn matcher_end(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    Ok(match matcher_group_span(i, &r, a)? {
        Some((_, e, input)) => Value::Int(input[..e].chars().count() as i32),
        None => Value::Int(-1),
    })
}

fn matcher_group_count(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    with_native(i, &r, |n| match n {
        NativeObj::Matcher { regex, .. } => Some(Value::Int(regex.captures_len() as i32 - 1)),
        _ => None,
    })
}

fn matcher_replace(i: &mut Interp<'_>, r: &Value, a: &[Value], all: bool) -> R<Value> {
    let rep = super::string::java_replacement(&arg_str(i, a, 0)?);
    with_native(i, r, |n| match n {
        NativeObj::Matcher { regex, input, .. } => Some(Value::str(if all {
            regex.replace_all(input, rep.as_str()).into_owned()
        } else {
            regex.replace(input, rep.as_str()).into_owned()
        })),
        _ => None,
    })
}

fn matcher_replace_all(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    matcher_replace(i, &r, a, true)
}

fn matcher_replace_first(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    matcher_replace(i, &r, a, false)
}

fn matcher_reset(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let new_input = if a.is_empty() {
        None
    } else {
        Some(arg_str(i, a, 0)?.to_string())
    };
    with_native(i, &r, |n| match n {
        NativeObj::Matcher {
            input, groups, pos, ..
        } => {
            if let Some(s) = new_input {
                *input = s;
            }
            groups.clear();
            *pos = 0;
            Some(())
        }
        _ => None,
    })?;
    Ok(r)
}

fn blob_bytes(i: &mut Interp<'_>, v: &Value) -> R<Rc<Vec<u8>>> {
    match v {
        Value::Blob(b) => Ok(b.clone()),
        _ => Err(i.npe()),
    }
}

fn blob_to_string(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let b = blob_bytes(i, &r)?;
    Ok(Value::str(String::from_utf8_lossy(&b).into_owned()))
}

fn blob_size(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let b = blob_bytes(i, &r)?;
    Ok(Value::Int(b.len() as i32))
}

fn blob_value_of(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let s = arg_str(i, a, 0)?;
    Ok(Value::Blob(Rc::new(s.as_bytes().to_vec())))
}

fn base64_encode(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let b = blob_bytes(i, &a[0])?;
    Ok(Value::str(
        base64::engine::general_purpose::STANDARD.encode(&*b),
    ))
}

fn base64_decode(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let s = arg_str(i, a, 0)?;
    match base64::engine::general_purpose::STANDARD.decode(s.trim()) {
        Ok(b) => Ok(Value::Blob(Rc::new(b))),
        Err(_) => Err(i.throw_sys("StringException", "Unable to decode base64 string".into())),
    }
}

/// application/x-www-form-urlencoded, as Java's URLEncoder writes it.
const FORM: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'.')
    .remove(b'-')
    .remove(b'*')
    .remove(b'_')
    .remove(b' ');

fn url_encode(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let s = arg_str(i, a, 0)?;
    let enc = percent_encoding::utf8_percent_encode(&s, FORM).to_string();
    Ok(Value::str(enc.replace(' ', "+")))
}

fn url_decode(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let s = arg_str(i, a, 0)?.replace('+', " ");
    Ok(Value::str(
        percent_encoding::percent_decode_str(&s)
            .decode_utf8_lossy()
            .into_owned(),
    ))
}

fn convert_to_hex(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let b = blob_bytes(i, &a[0])?;
    Ok(Value::str(
        b.iter().map(|x| format!("{x:02x}")).collect::<String>(),
    ))
}

fn generate_digest(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    use sha2::Digest;
    let alg = arg_str(i, a, 0)?.to_ascii_uppercase();
    let b = blob_bytes(i, &a[1])?;
    let out: Vec<u8> = match alg.as_str() {
        "MD5" => md5::Md5::digest(&*b).to_vec(),
        "SHA1" | "SHA-1" => sha1::Sha1::digest(&*b).to_vec(),
        "SHA-256" | "SHA256" => sha2::Sha256::digest(&*b).to_vec(),
        "SHA-512" | "SHA512" => sha2::Sha512::digest(&*b).to_vec(),
        _ => {
            return Err(i.throw_sys(
                "InvalidParameterValueException",
                format!("Invalid algorithm: {alg}. Use MD5, SHA1, SHA-256 or SHA-512."),
            ));
        }
    };
    Ok(Value::Blob(Rc::new(out)))
}

fn random_integer(_: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Int(fastrand::i32(..)))
}

fn random_long(_: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Long(fastrand::i64(..)))
}

/// Whether a receiver string is present (for built-ins that take a String receiver).
pub fn require_str(i: &mut Interp<'_>, r: &Value) -> R<Rc<String>> {
    recv_str(i, r)
}
