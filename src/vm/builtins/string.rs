//! `String` instance and static methods.
//!
//! Apex strings index by UTF-16 code unit; here they index by `char`, which is the
//! same for every character outside the astral planes.

use std::rc::Rc;

use super::{Method, Ret, arg_int, arg_str, m, recv_str};
use crate::vm::interp::{Interp, R};
use crate::vm::types::Ty;
use crate::vm::value::Value;

pub static METHODS: &[Method] = &[
    m("length", 0, 0, Ret::Int, length),
    m("substring", 1, 2, Ret::Str, substring),
    m("indexof", 1, 2, Ret::Int, index_of),
    m("lastindexof", 1, 2, Ret::Int, last_index_of),
    m("indexofignorecase", 1, 2, Ret::Int, index_of_ignore_case),
    m("indexofchar", 1, 2, Ret::Int, index_of_char),
    m("contains", 1, 1, Ret::Bool, contains),
    m("containsignorecase", 1, 1, Ret::Bool, contains_ignore_case),
    m("containsany", 1, 1, Ret::Bool, contains_any),
    m("containsnone", 1, 1, Ret::Bool, contains_none),
    m("containsonly", 1, 1, Ret::Bool, contains_only),
    m("containswhitespace", 0, 0, Ret::Bool, contains_whitespace),
    m("startswith", 1, 1, Ret::Bool, starts_with),
    m(
        "startswithignorecase",
        1,
        1,
        Ret::Bool,
        starts_with_ignore_case,
    ),
    m("endswith", 1, 1, Ret::Bool, ends_with),
    m("endswithignorecase", 1, 1, Ret::Bool, ends_with_ignore_case),
    m("touppercase", 0, 0, Ret::Str, to_upper),
    m("tolowercase", 0, 0, Ret::Str, to_lower),
    m("trim", 0, 0, Ret::Str, trim),
    m("strip", 0, 0, Ret::Str, trim),
    m("replace", 2, 2, Ret::Str, replace),
    m("replaceall", 2, 2, Ret::Str, replace_all),
    m("replacefirst", 2, 2, Ret::Str, replace_first),
    m("split", 1, 2, Ret::ListStr, split),
    m("equals", 1, 1, Ret::Bool, equals),
    m("equalsignorecase", 1, 1, Ret::Bool, equals_ignore_case),
    m("compareto", 1, 1, Ret::Int, compare_to),
    m("isblank", 0, 0, Ret::Bool, is_blank_instance),
    m("isnotblank", 0, 0, Ret::Bool, is_not_blank_instance),
    m("isempty", 0, 0, Ret::Bool, is_empty_instance),
    m("isnotempty", 0, 0, Ret::Bool, is_not_empty_instance),
    m("leftpad", 1, 2, Ret::Str, left_pad),
    m("rightpad", 1, 2, Ret::Str, right_pad),
    m("center", 1, 2, Ret::Str, center),
    m("repeat", 1, 2, Ret::Str, repeat),
    m("reverse", 0, 0, Ret::Str, reverse),
    m("capitalize", 0, 0, Ret::Str, capitalize),
    m("uncapitalize", 0, 0, Ret::Str, uncapitalize),
    m("swapcase", 0, 0, Ret::Str, swap_case),
    m("abbreviate", 1, 2, Ret::Str, abbreviate),
    m("left", 1, 1, Ret::Str, left),
    m("right", 1, 1, Ret::Str, right),
    m("mid", 2, 2, Ret::Str, mid),
    m("countmatches", 1, 1, Ret::Int, count_matches),
    m("remove", 1, 1, Ret::Str, remove),
    m("removestart", 1, 1, Ret::Str, remove_start),
    m(
        "removestartignorecase",
        1,
        1,
        Ret::Str,
        remove_start_ignore_case,
    ),
    m("removeend", 1, 1, Ret::Str, remove_end),
    m(
        "removeendignorecase",
        1,
        1,
        Ret::Str,
        remove_end_ignore_case,
    ),
    m("substringbefore", 1, 1, Ret::Str, substring_before),
    m("substringbeforelast", 1, 1, Ret::Str, substring_before_last),
    m("substringafter", 1, 1, Ret::Str, substring_after),
    m("substringafterlast", 1, 1, Ret::Str, substring_after_last),
    m("substringbetween", 1, 2, Ret::Str, substring_between),
    m("normalizespace", 0, 0, Ret::Str, normalize_space),
    m("deletewhitespace", 0, 0, Ret::Str, delete_whitespace),
    m("isnumeric", 0, 0, Ret::Bool, is_numeric),
    m("isnumericspace", 0, 0, Ret::Bool, is_numeric_space),
    m("isalpha", 0, 0, Ret::Bool, is_alpha),
    m("isalphaspace", 0, 0, Ret::Bool, is_alpha_space),
    m("isalphanumeric", 0, 0, Ret::Bool, is_alphanumeric),
    m(
        "isalphanumericspace",
        0,
        0,
        Ret::Bool,
        is_alphanumeric_space,
    ),
    m("iswhitespace", 0, 0, Ret::Bool, is_whitespace),
    m("isalluppercase", 0, 0, Ret::Bool, is_all_upper),
    m("isalllowercase", 0, 0, Ret::Bool, is_all_lower),
    m("isasciiprintable", 0, 0, Ret::Bool, is_ascii_printable),
    m("charat", 1, 1, Ret::Int, char_at),
    m("codepointat", 1, 1, Ret::Int, char_at),
    m("getchars", 0, 0, Ret::ListInt, get_chars),
    m("hashcode", 0, 0, Ret::Int, hash_code),
    m("tostring", 0, 0, Ret::Str, to_string),
    m(
        "escapesinglequotes",
        0,
        0,
        Ret::Str,
        escape_single_quotes_instance,
    ),
    m("escapehtml4", 0, 0, Ret::Str, escape_html4),
    m("unescapehtml4", 0, 0, Ret::Str, unescape_html4),
    m("escapecsv", 0, 0, Ret::Str, escape_csv),
    m("escapejava", 0, 0, Ret::Str, escape_java),
    m("escapeecmascript", 0, 0, Ret::Str, escape_java),
    m("striphtmltags", 0, 0, Ret::Str, strip_html_tags),
    m(
        "splitbycharactertype",
        0,
        0,
        Ret::ListStr,
        split_by_character_type,
    ),
    m(
        "splitbycharactertypecamelcase",
        0,
        0,
        Ret::ListStr,
        split_by_character_type_camel,
    ),
    m("difference", 1, 1, Ret::Str, difference),
    m("indexofdifference", 1, 1, Ret::Int, index_of_difference),
    m("indexofany", 1, 1, Ret::Int, index_of_any),
    m("indexofanybut", 1, 1, Ret::Int, index_of_any_but),
    m("format", 1, 1, Ret::Str, format_instance),
];

pub static STATICS: &[Method] = &[
    m("valueof", 1, 1, Ret::Str, value_of),
    m("valueofgmt", 1, 1, Ret::Str, value_of_gmt),
    m("format", 2, 2, Ret::Str, format),
    m("join", 2, 2, Ret::Str, join),
    m("isblank", 1, 1, Ret::Bool, is_blank),
    m("isnotblank", 1, 1, Ret::Bool, is_not_blank),
    m("isempty", 1, 1, Ret::Bool, is_empty),
    m("isnotempty", 1, 1, Ret::Bool, is_not_empty),
    m("escapesinglequotes", 1, 1, Ret::Str, escape_single_quotes),
    m("fromchararray", 1, 1, Ret::Str, from_char_array),
];

fn s(v: impl Into<String>) -> R<Value> {
    Ok(Value::str(v))
}

fn chars(x: &str) -> Vec<char> {
    x.chars().collect()
}

fn char_len(x: &str) -> usize {
    if x.is_ascii() {
        x.len()
    } else {
        x.chars().count()
    }
}

/// Byte offset of the `n`th char (or the end).
fn byte_at(x: &str, n: usize) -> usize {
    if x.is_ascii() {
        return n.min(x.len());
    }
    x.char_indices().nth(n).map(|(b, _)| b).unwrap_or(x.len())
}

/// Char index of a byte offset.
fn char_index(x: &str, b: usize) -> usize {
    if x.is_ascii() {
        b
    } else {
        x[..b].chars().count()
    }
}

fn length(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    Ok(Value::Int(char_len(&x) as i32))
}

fn substring(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let n = char_len(&x) as i64;
    let start = arg_int(i, a, 0)?;
    let end = if a.len() > 1 { arg_int(i, a, 1)? } else { n };
    if start < 0 || start > n {
        return Err(i.throw_sys(
            "StringException",
            format!("Starting position out of bounds: {start}"),
        ));
    }
    if end > n || end < start {
        return Err(i.throw_sys(
            "StringException",
            format!("Ending position out of bounds: {end}"),
        ));
    }
    let (b0, b1) = (byte_at(&x, start as usize), byte_at(&x, end as usize));
    s(&x[b0..b1])
}

fn find_from(hay: &str, needle: &str, from: i64) -> i32 {
    let from = from.max(0) as usize;
    if from > char_len(hay) {
        return -1;
    }
    let b = byte_at(hay, from);
    match memchr::memmem::find(&hay.as_bytes()[b..], needle.as_bytes()) {
        Some(p) => char_index(hay, b + p) as i32,
        None => -1,
    }
}

fn index_of(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let n = match a.first() {
        Some(Value::Null) => return Ok(Value::Int(-1)),
        _ => arg_str(i, a, 0)?,
    };
    let from = if a.len() > 1 { arg_int(i, a, 1)? } else { 0 };
    Ok(Value::Int(find_from(&x, &n, from)))
}

fn last_index_of(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let n = arg_str(i, a, 0)?;
    let limit = if a.len() > 1 {
        let from = arg_int(i, a, 1)?;
        if from < 0 {
            return Ok(Value::Int(-1));
        }
        byte_at(&x, from as usize) + n.len()
    } else {
        x.len()
    };
    let hay = &x[..limit.min(x.len())];
    Ok(Value::Int(
        hay.rfind(n.as_str())
            .map(|p| char_index(&x, p) as i32)
            .unwrap_or(-1),
    ))
}

fn index_of_ignore_case(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?.to_lowercase();
    let n = arg_str(i, a, 0)?.to_lowercase();
    let from = if a.len() > 1 { arg_int(i, a, 1)? } else { 0 };
    Ok(Value::Int(find_from(&x, &n, from)))
}

fn index_of_char(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let c = arg_int(i, a, 0)?;
    let from = if a.len() > 1 { arg_int(i, a, 1)? } else { 0 };
    let Some(ch) = char::from_u32(c as u32) else {
        return Ok(Value::Int(-1));
    };
    Ok(Value::Int(find_from(&x, &ch.to_string(), from)))
}

fn bool_op(i: &mut Interp<'_>, r: &Value, a: &[Value], f: fn(&str, &str) -> bool) -> R<Value> {
    let x = recv_str(i, r)?;
    match a.first() {
        Some(Value::Null) => Ok(Value::Bool(false)),
        _ => {
            let y = arg_str(i, a, 0)?;
            Ok(Value::Bool(f(&x, &y)))
        }
    }
}

fn contains(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    if a.first().is_some_and(Value::is_null) {
        return Err(i.npe());
    }
    bool_op(i, &r, a, |x, y| {
        memchr::memmem::find(x.as_bytes(), y.as_bytes()).is_some()
    })
}

fn contains_ignore_case(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    bool_op(i, &r, a, |x, y| {
        x.to_lowercase().contains(&y.to_lowercase())
    })
}

fn contains_any(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    bool_op(i, &r, a, |x, y| x.chars().any(|c| y.contains(c)))
}

fn contains_none(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    bool_op(i, &r, a, |x, y| !x.chars().any(|c| y.contains(c)))
}

fn contains_only(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    bool_op(i, &r, a, |x, y| x.chars().all(|c| y.contains(c)))
}

fn contains_whitespace(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    Ok(Value::Bool(x.chars().any(char::is_whitespace)))
}

fn starts_with(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    bool_op(i, &r, a, |x, y| x.starts_with(y))
}

fn starts_with_ignore_case(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    bool_op(i, &r, a, |x, y| {
        x.to_lowercase().starts_with(&y.to_lowercase())
    })
}

fn ends_with(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    bool_op(i, &r, a, |x, y| x.ends_with(y))
}

fn ends_with_ignore_case(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    bool_op(i, &r, a, |x, y| {
        x.to_lowercase().ends_with(&y.to_lowercase())
    })
}

fn map_str(i: &mut Interp<'_>, r: &Value, f: impl Fn(&str) -> String) -> R<Value> {
    let x = recv_str(i, r)?;
    s(f(&x))
}

fn to_upper(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    map_str(i, &r, str::to_uppercase)
}

fn to_lower(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    map_str(i, &r, str::to_lowercase)
}

fn trim(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    // Java's trim removes every character up to and including U+0020.
    map_str(i, &r, |x| x.trim_matches(|c: char| c <= ' ').to_string())
}

fn replace(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let from = arg_str(i, a, 0)?;
    let to = arg_str(i, a, 1)?;
    if from.is_empty() {
        let mut out = String::new();
        for c in x.chars() {
            out.push_str(&to);
            out.push(c);
        }
        out.push_str(&to);
        return s(out);
    }
    s(x.replace(from.as_str(), &to))
}

/// Compiles an Apex (Java) regex with the `regex` crate, as written: the syntax the
/// two share works; what only Java has (look-around, backreferences, atomic groups,
/// `\Q...\E`) fails here with `StringException: Invalid regex` and the crate's reason,
/// and possessive quantifiers act as greedy ones. The replacement syntax is translated
/// separately (`java_replacement`).
pub fn java_regex(i: &mut Interp<'_>, pattern: &str) -> R<regex::Regex> {
    regex::Regex::new(pattern).map_err(|e| {
        i.throw_sys(
            "StringException",
            format!("Invalid regex: {pattern}: {}", first_line(&e.to_string())),
        )
    })
}

fn first_line(s: &str) -> &str {
    s.lines().last().unwrap_or(s)
}

/// Java replacement syntax (`$1`, `\$`) to the regex crate's (`${1}`, `$$`).
pub fn java_replacement(rep: &str) -> String {
    let mut out = String::with_capacity(rep.len());
    let mut it = rep.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\\' => match it.next() {
                Some('$') => out.push_str("$$"),
                Some(n) => out.push(n),
                None => {}
            },
            '$' => {
                let mut digits = String::new();
                while let Some(d) = it.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    it.next();
                }
                if digits.is_empty() {
                    out.push_str("$$");
                } else {
                    out.push_str(&format!("${{{digits}}}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

fn replace_all(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let re = arg_str(i, a, 0)?;
    let rep = arg_str(i, a, 1)?;
    let re = java_regex(i, &re)?;
    s(re.replace_all(&x, java_replacement(&rep).as_str())
        .into_owned())
}

fn replace_first(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let re = arg_str(i, a, 0)?;
    let rep = arg_str(i, a, 1)?;
    let re = java_regex(i, &re)?;
    s(re.replace(&x, java_replacement(&rep).as_str()).into_owned())
}

/// Java's `String.split(regex, limit)`.
pub fn java_split(re: &regex::Regex, x: &str, limit: i64) -> Vec<String> {
    if x.is_empty() {
        return vec![String::new()];
    }
    let mut out = Vec::new();
    let mut last = 0;
    for m in re.find_iter(x) {
        if limit > 0 && out.len() as i64 == limit - 1 {
            break;
        }
        if m.end() == 0 {
            // A zero-width match at the start yields no leading empty string.
            continue;
        }
        if m.start() == 0 && m.end() > 0 && last == 0 {
            out.push(String::new());
            last = m.end();
            continue;
        }
        if m.start() == m.end() && m.start() == last {
            continue;
        }
        out.push(x[last..m.start()].to_string());
        last = m.end();
    }
    out.push(x[last..].to_string());
    if limit == 0 {
        while out.len() > 1 && out.last().is_some_and(String::is_empty) {
            out.pop();
        }
        if out.len() == 1 && out[0].is_empty() && !x.is_empty() {
            out.clear();
        }
    }
    out
}

fn split(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let re = arg_str(i, a, 0)?;
    let limit = if a.len() > 1 { arg_int(i, a, 1)? } else { 0 };
    let re = java_regex(i, &re)?;
    let parts = java_split(&re, &x, limit);
    Ok(Value::list(
        Ty::String,
        parts.into_iter().map(Value::str).collect(),
    ))
}

fn equals(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    Ok(Value::Bool(
        matches!(&a[0], Value::Str(y) | Value::Id(y) if **y == *x),
    ))
}

fn equals_ignore_case(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    Ok(Value::Bool(
        matches!(&a[0], Value::Str(y) | Value::Id(y) if y.to_lowercase() == x.to_lowercase()),
    ))
}

fn compare_to(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let y = arg_str(i, a, 0)?;
    // Java's compareTo: difference of the first differing UTF-16 units, else of lengths.
    let xs: Vec<u16> = x.encode_utf16().collect();
    let ys: Vec<u16> = y.encode_utf16().collect();
    for (p, q) in xs.iter().zip(&ys) {
        if p != q {
            return Ok(Value::Int(*p as i32 - *q as i32));
        }
    }
    Ok(Value::Int(xs.len() as i32 - ys.len() as i32))
}

fn blank(v: &Value) -> bool {
    match v {
        Value::Str(x) | Value::Id(x) => x.trim().is_empty(),
        _ => true,
    }
}

fn empty(v: &Value) -> bool {
    match v {
        Value::Str(x) | Value::Id(x) => x.is_empty(),
        _ => true,
    }
}

fn is_blank(_: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    Ok(Value::Bool(blank(&a[0])))
}

fn is_not_blank(_: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    Ok(Value::Bool(!blank(&a[0])))
}

fn is_empty(_: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    Ok(Value::Bool(empty(&a[0])))
}

fn is_not_empty(_: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    Ok(Value::Bool(!empty(&a[0])))
}

fn is_blank_instance(_: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Bool(blank(&r)))
}

fn is_not_blank_instance(_: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Bool(!blank(&r)))
}

fn is_empty_instance(_: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Bool(empty(&r)))
}

fn is_not_empty_instance(_: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Bool(!empty(&r)))
}

fn pad(i: &mut Interp<'_>, r: &Value, a: &[Value], left: bool) -> R<Value> {
    let x = recv_str(i, r)?;
    let n = arg_int(i, a, 0)?.max(0) as usize;
    let p = if a.len() > 1 {
        arg_str(i, a, 1)?.to_string()
    } else {
        " ".to_string()
    };
    let len = char_len(&x);
    if len >= n || p.is_empty() {
        return s(x.to_string());
    }
    let fill: String = p.chars().cycle().take(n - len).collect();
    s(if left {
        fill + &x
    } else {
        x.to_string() + &fill
    })
}

fn left_pad(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    pad(i, &r, a, true)
}

fn right_pad(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    pad(i, &r, a, false)
}

fn center(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let n = arg_int(i, a, 0)?.max(0) as usize;
    let p = if a.len() > 1 {
        arg_str(i, a, 1)?.to_string()
    } else {
        " ".into()
    };
    let len = char_len(&x);
    if len >= n || p.is_empty() {
        return s(x.to_string());
    }
    let total = n - len;
    let l = total / 2;
    let left: String = p.chars().cycle().take(l).collect();
    let right: String = p.chars().cycle().take(total - l).collect();
    s(format!("{left}{x}{right}"))
}

fn repeat(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    if a.len() == 2 {
        let sep = arg_str(i, a, 0)?;
        let n = arg_int(i, a, 1)?.max(0) as usize;
        return s(vec![x.as_str(); n].join(&sep));
    }
    let n = arg_int(i, a, 0)?.max(0) as usize;
    s(x.repeat(n))
}

fn reverse(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    map_str(i, &r, |x| x.chars().rev().collect())
}

fn capitalize(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    map_str(i, &r, |x| {
        let mut c = x.chars();
        match c.next() {
            Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
            None => String::new(),
        }
    })
}

fn uncapitalize(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    map_str(i, &r, |x| {
        let mut c = x.chars();
        match c.next() {
            Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
            None => String::new(),
        }
    })
}

fn swap_case(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    map_str(i, &r, |x| {
        x.chars()
            .map(|c| {
                if c.is_uppercase() {
                    c.to_lowercase().next().unwrap_or(c)
                } else {
                    c.to_uppercase().next().unwrap_or(c)
                }
            })
            .collect()
    })
}

fn abbreviate(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let max = arg_int(i, a, 0)?;
    if max < 4 {
        return Err(i.throw_sys("StringException", "Minimum abbreviation width is 4".into()));
    }
    let cs = chars(&x);
    if cs.len() as i64 <= max {
        return s(x.to_string());
    }
    let keep: String = cs[..(max - 3) as usize].iter().collect();
    s(keep + "...")
}

fn left(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let n = arg_int(i, a, 0)?.max(0) as usize;
    s(&x[..byte_at(&x, n)])
}

fn right(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let n = arg_int(i, a, 0)?.max(0) as usize;
    let len = char_len(&x);
    s(&x[byte_at(&x, len.saturating_sub(n))..])
}

fn mid(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let start = arg_int(i, a, 0)?.max(0) as usize;
    let n = arg_int(i, a, 1)?.max(0) as usize;
    let b0 = byte_at(&x, start);
    let b1 = byte_at(&x, start + n);
    s(&x[b0..b1])
}

fn count_matches(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let y = arg_str(i, a, 0)?;
    if y.is_empty() {
        return Ok(Value::Int(0));
    }
    let n = match y.as_bytes() {
        // One byte: a plain count vectorises, where a search restarts at every match.
        [b] => x.bytes().filter(|c| c == b).count(),
        needle => memchr::memmem::find_iter(x.as_bytes(), needle).count(),
    };
    Ok(Value::Int(n as i32))
}

fn remove(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let y = arg_str(i, a, 0)?;
    if y.is_empty() {
        return s(x.to_string());
    }
    s(x.replace(y.as_str(), ""))
}

fn remove_start(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let y = arg_str(i, a, 0)?;
    s(x.strip_prefix(y.as_str()).unwrap_or(&x).to_string())
}

fn remove_end(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let y = arg_str(i, a, 0)?;
    s(x.strip_suffix(y.as_str()).unwrap_or(&x).to_string())
}

fn remove_start_ignore_case(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let y = arg_str(i, a, 0)?;
    if x.to_lowercase().starts_with(&y.to_lowercase()) {
        return s(&x[byte_at(&x, char_len(&y))..]);
    }
    s(x.to_string())
}

fn remove_end_ignore_case(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let y = arg_str(i, a, 0)?;
    if x.to_lowercase().ends_with(&y.to_lowercase()) {
        return s(&x[..byte_at(&x, char_len(&x) - char_len(&y))]);
    }
    s(x.to_string())
}

fn substring_before(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let y = arg_str(i, a, 0)?;
    s(match x.find(y.as_str()) {
        Some(p) => &x[..p],
        None => &x,
    })
}

fn substring_before_last(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let y = arg_str(i, a, 0)?;
    s(match x.rfind(y.as_str()) {
        Some(p) if !y.is_empty() => &x[..p],
        _ => &x,
    })
}

fn substring_after(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let y = arg_str(i, a, 0)?;
    s(match x.find(y.as_str()) {
        Some(p) => &x[p + y.len()..],
        None => "",
    })
}

fn substring_after_last(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let y = arg_str(i, a, 0)?;
    s(match x.rfind(y.as_str()) {
        Some(p) if !y.is_empty() => &x[p + y.len()..],
        _ => "",
    })
}

fn substring_between(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let open = arg_str(i, a, 0)?;
    let close = if a.len() > 1 {
        arg_str(i, a, 1)?
    } else {
        open.clone()
    };
    let Some(p) = x.find(open.as_str()) else {
        return Ok(Value::Null);
    };
    let rest = &x[p + open.len()..];
    match rest.find(close.as_str()) {
        Some(q) => s(&rest[..q]),
        None => Ok(Value::Null),
    }
}

fn normalize_space(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    map_str(i, &r, |x| {
        x.split_whitespace().collect::<Vec<_>>().join(" ")
    })
}

fn delete_whitespace(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    map_str(i, &r, |x| {
        x.chars().filter(|c| !c.is_whitespace()).collect()
    })
}

fn test_chars(i: &mut Interp<'_>, r: &Value, nonempty: bool, f: impl Fn(char) -> bool) -> R<Value> {
    let x = recv_str(i, r)?;
    Ok(Value::Bool(
        (!nonempty || !x.is_empty()) && x.chars().all(f),
    ))
}

fn is_numeric(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    test_chars(i, &r, true, |c| c.is_numeric())
}

fn is_numeric_space(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    test_chars(i, &r, false, |c| c.is_numeric() || c == ' ')
}

fn is_alpha(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    test_chars(i, &r, true, char::is_alphabetic)
}

fn is_alpha_space(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    test_chars(i, &r, false, |c| c.is_alphabetic() || c == ' ')
}

fn is_alphanumeric(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    test_chars(i, &r, true, char::is_alphanumeric)
}

fn is_alphanumeric_space(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    test_chars(i, &r, false, |c| c.is_alphanumeric() || c == ' ')
}

fn is_whitespace(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    test_chars(i, &r, true, char::is_whitespace)
}

fn is_all_upper(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    test_chars(i, &r, true, char::is_uppercase)
}

fn is_all_lower(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    test_chars(i, &r, true, char::is_lowercase)
}

fn is_ascii_printable(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    test_chars(i, &r, false, |c| (' '..='~').contains(&c))
}

fn char_at(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let n = arg_int(i, a, 0)?;
    match x.chars().nth(n.max(0) as usize) {
        Some(c) if n >= 0 => Ok(Value::Int(c as i32)),
        _ => Err(i.throw_sys("StringException", format!("Char index out of bounds: {n}"))),
    }
}

fn get_chars(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    Ok(Value::list(
        Ty::Integer,
        x.chars().map(|c| Value::Int(c as i32)).collect(),
    ))
}

/// Java's `String.hashCode`.
pub fn java_hash(x: &str) -> i32 {
    x.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(c as i32))
}

fn hash_code(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    Ok(Value::Int(java_hash(&x)))
}

fn to_string(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    Ok(Value::Str(x))
}

fn escape_quotes(x: &str) -> String {
    x.replace('\'', "\\'")
}

fn escape_single_quotes(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let x = arg_str(i, a, 0)?;
    s(escape_quotes(&x))
}

fn escape_single_quotes_instance(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    map_str(i, &r, escape_quotes)
}

fn escape_html4(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    map_str(i, &r, |x| {
        x.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    })
}

fn unescape_html4(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    map_str(i, &r, |x| {
        x.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    })
}

fn escape_csv(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    map_str(i, &r, |x| {
        if x.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", x.replace('"', "\"\""))
        } else {
            x.to_string()
        }
    })
}

fn escape_java(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    map_str(i, &r, |x| {
        let mut o = String::new();
        for c in x.chars() {
            match c {
                '"' => o.push_str("\\\""),
                '\\' => o.push_str("\\\\"),
                '\n' => o.push_str("\\n"),
                '\t' => o.push_str("\\t"),
                '\r' => o.push_str("\\r"),
                c => o.push(c),
            }
        }
        o
    })
}

fn strip_html_tags(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    map_str(i, &r, |x| {
        let re = regex::Regex::new(r"<[^>]*>").expect("static regex");
        re.replace_all(x, "").trim().to_string()
    })
}

fn char_class(c: char) -> u8 {
    if c.is_uppercase() {
        1
    } else if c.is_lowercase() {
        2
    } else if c.is_numeric() {
        3
    } else if c.is_whitespace() {
        4
    } else {
        5
    }
}

fn split_types(x: &str, camel: bool) -> Vec<String> {
    let cs = chars(x);
    let mut out: Vec<String> = Vec::new();
    let mut start = 0;
    for k in 1..cs.len() {
        let (a, b) = (char_class(cs[k - 1]), char_class(cs[k]));
        if a == b {
            continue;
        }
        if camel && a == 1 && b == 2 {
            // "ABCdef" splits as "AB", "Cdef".
            if k - 1 > start {
                out.push(cs[start..k - 1].iter().collect());
                start = k - 1;
            }
            continue;
        }
        out.push(cs[start..k].iter().collect());
        start = k;
    }
    if start < cs.len() {
        out.push(cs[start..].iter().collect());
    }
    out
}

fn split_by_character_type(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    Ok(Value::list(
        Ty::String,
        split_types(&x, false).into_iter().map(Value::str).collect(),
    ))
}

fn split_by_character_type_camel(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    Ok(Value::list(
        Ty::String,
        split_types(&x, true).into_iter().map(Value::str).collect(),
    ))
}

fn diff_index(x: &str, y: &str) -> i32 {
    let (a, b) = (chars(x), chars(y));
    for k in 0..a.len().min(b.len()) {
        if a[k] != b[k] {
            return k as i32;
        }
    }
    if a.len() == b.len() {
        -1
    } else {
        a.len().min(b.len()) as i32
    }
}

fn difference(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let y = arg_str(i, a, 0)?;
    let d = diff_index(&x, &y);
    if d < 0 {
        return s("");
    }
    s(&y[byte_at(&y, d as usize)..])
}

fn index_of_difference(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let y = arg_str(i, a, 0)?;
    Ok(Value::Int(diff_index(&x, &y)))
}

fn index_of_any(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let y = arg_str(i, a, 0)?;
    Ok(Value::Int(
        x.chars()
            .position(|c| y.contains(c))
            .map(|p| p as i32)
            .unwrap_or(-1),
    ))
}

fn index_of_any_but(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = recv_str(i, &r)?;
    let y = arg_str(i, a, 0)?;
    Ok(Value::Int(
        x.chars()
            .position(|c| !y.contains(c))
            .map(|p| p as i32)
            .unwrap_or(-1),
    ))
}

fn value_of(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    if a[0].is_null() {
        return Ok(Value::Null);
    }
    let x = i.to_display(&a[0])?;
    s(x)
}

fn value_of_gmt(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    value_of(i, Value::Null, a)
}

/// `String.format`: `{0}` placeholders with Java MessageFormat quoting and number formatting.
pub fn message_format(i: &mut Interp<'_>, pattern: &str, args: &[Value]) -> R<String> {
    let cs = chars(pattern);
    let mut out = String::new();
    let mut k = 0;
    while k < cs.len() {
        match cs[k] {
            '\'' => {
                if cs.get(k + 1) == Some(&'\'') {
                    out.push('\'');
                    k += 2;
                    continue;
                }
                k += 1;
                while k < cs.len() {
                    if cs[k] == '\'' {
                        if cs.get(k + 1) == Some(&'\'') {
                            out.push('\'');
                            k += 2;
                            continue;
                        }
                        break;
                    }
                    out.push(cs[k]);
                    k += 1;
                }
                k += 1;
            }
            '{' => {
                let close = cs[k..].iter().position(|&c| c == '}').map(|p| p + k);
                let Some(close) = close else {
                    out.push('{');
                    k += 1;
                    continue;
                };
                let inner: String = cs[k + 1..close].iter().collect();
                let idx = inner.split(',').next().unwrap_or("").trim();
                match idx.parse::<usize>() {
                    Ok(n) => match args.get(n) {
                        Some(v) => {
                            let text = match v {
                                Value::Int(_)
                                | Value::Long(_)
                                | Value::Dec(_)
                                | Value::Double(_) => super::number::format_number(v, 3),
                                _ => i.to_display(v)?,
                            };
                            out.push_str(&text);
                        }
                        None => {
                            out.push('{');
                            out.push_str(&inner);
                            out.push('}');
                        }
                    },
                    Err(_) => {
                        out.push('{');
                        out.push_str(&inner);
                        out.push('}');
                    }
                }
                k = close + 1;
            }
            c => {
                out.push(c);
                k += 1;
            }
        }
    }
    Ok(out)
}

fn format(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let p = arg_str(i, a, 0)?;
    let items = match &a[1] {
        Value::List(l) => l.borrow().items.clone(),
        Value::Null => return Err(i.npe()),
        _ => Vec::new(),
    };
    let out = message_format(i, &p, &items)?;
    s(out)
}

fn format_instance(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    format(i, Value::Null, &[r, a[0].clone()])
}

fn join(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let sep = match &a[1] {
        Value::Null => String::new(),
        v => i.to_display(v)?,
    };
    let items: Vec<Value> = match &a[0] {
        Value::List(l) => l.borrow().items.clone(),
        Value::Set(st) => st.borrow().items.iter().map(|k| k.0.clone()).collect(),
        Value::Null => return Err(i.npe()),
        _ => Vec::new(),
    };
    let mut parts = Vec::with_capacity(items.len());
    for v in &items {
        parts.push(i.to_display(v)?);
    }
    s(parts.join(&sep))
}

fn from_char_array(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let items = match &a[0] {
        Value::List(l) => l.borrow().items.clone(),
        _ => return Err(i.npe()),
    };
    let out: String = items
        .iter()
        .filter_map(|v| v.as_i64().and_then(|c| char::from_u32(c as u32)))
        .collect();
    s(out)
}

/// A string value from an `Rc<String>`.
pub fn rc(x: Rc<String>) -> Value {
    Value::Str(x)
}
