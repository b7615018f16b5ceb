//! Salesforce record ids: 15-character case-sensitive and 18-character case-safe forms.

use std::rc::Rc;

use super::{Method, Ret, arg_str, m, recv_str};
use crate::vm::interp::{Interp, R};
use crate::vm::value::Value;

pub static METHODS: &[Method] = &[
    m("to15", 0, 0, Ret::Str, to15),
    m(
        "getsobjecttype",
        0,
        0,
        Ret::Native(crate::vm::types::NativeClass::SObjectTypeToken),
        crate::vm::platform::builtins::id_sobject_type,
    ),
    m("equals", 1, 1, Ret::Bool, equals),
];

pub static STATICS: &[Method] = &[m("valueof", 1, 1, Ret::Id, value_of)];

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/// The three-character suffix that makes a 15-character id case-insensitive.
pub fn checksum(id15: &str) -> String {
    let b = id15.as_bytes();
    (0..3)
        .map(|chunk| {
            let mut bits = 0usize;
            for k in 0..5 {
                if b[chunk * 5 + k].is_ascii_uppercase() {
                    bits |= 1 << k;
                }
            }
            ALPHABET[bits] as char
        })
        .collect()
}

/// The 18-character form of a 15- or 18-character id, if it is well formed.
pub fn to_18(s: &str) -> Option<String> {
    if !s.bytes().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    match s.len() {
        15 => Some(format!("{s}{}", checksum(s))),
        18 => {
            let base = &s[..15];
            if checksum(base).eq_ignore_ascii_case(&s[15..]) {
                Some(format!("{base}{}", checksum(base)))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Whether a string is a valid id.
pub fn is_valid_id(s: &str) -> bool {
    to_18(s).is_some()
}

fn to15(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let s = recv_str(i, &r)?;
    Ok(Value::str(&s[..15.min(s.len())]))
}

fn equals(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    Ok(Value::Bool(i.apex_eq(&r, &a[0])?))
}

fn value_of(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let s = arg_str(i, a, 0)?;
    match to_18(&s) {
        Some(id) => Ok(Value::Id(Rc::new(id))),
        None => Err(i.throw_sys("StringException", format!("Invalid id: {s}"))),
    }
}
