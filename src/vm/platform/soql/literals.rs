//! SOQL literals: their values, and whether they fit the field they are compared with.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate};
use rust_decimal::Decimal;

use super::ast::FieldPath;
use super::values::{is_id_type, is_number_type, is_text_type, is_valid_id};
use crate::vm::platform::field_value::FieldValue;
use crate::vm::schema::FieldType;

/// The value of a literal node of grammar kind `kind` written `text`; `like` keeps
/// a LIKE pattern's escapes. `None` when the text is not a valid literal.
pub fn literal(kind: &str, text: &str, like: bool) -> Option<FieldValue> {
    let t = text;
    Some(match kind {
        "int" | "decimal" if !t.contains('.') => match t.parse::<i64>() {
            Ok(i) => FieldValue::Int(i),
            Err(_) => FieldValue::Dec(Decimal::from_str(t).ok()?),
        },
        "decimal" => FieldValue::Dec(Decimal::from_str(t).ok()?),
        // `USD100`: a single-currency org ignores the code.
        "currency_literal" => FieldValue::Dec(Decimal::from_str(t.get(3..)?).ok()?),
        "string_literal" => FieldValue::Str(unescape(t.get(1..t.len().checked_sub(1)?)?, like)),
        "boolean" => FieldValue::Bool(t.eq_ignore_ascii_case("true")),
        "null_literal" => FieldValue::Null,
        "date" => FieldValue::Date(NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()?),
        "date_time" => FieldValue::Datetime(DateTime::parse_from_rfc3339(t).ok()?.naive_utc()),
        _ => return None,
    })
}

/// The message for a literal of the wrong type for a field.
fn filter_type_error(field: &str, ty: &str, quoted: bool) -> String {
    let q = if quoted { "should be" } else { "should not be" };
    format!(
        "value of filter criterion for field '{field}' must be of type {ty} and {q} enclosed in quotes"
    )
}

/// Whether a literal (`None`: a date literal such as `TODAY`) may be compared with
/// a field; the error is Salesforce's.
pub fn check(f: &FieldPath, v: Option<&FieldValue>) -> Result<(), String> {
    if matches!(v, Some(FieldValue::Null)) || f.ty == FieldType::Formula {
        return Ok(());
    }
    let is_str = matches!(v, Some(FieldValue::Str(_)));
    let ok = match f.ty {
        t if is_text_type(t) || is_id_type(t) => is_str,
        t if is_number_type(t) => matches!(v, Some(FieldValue::Int(_) | FieldValue::Dec(_))),
        FieldType::Checkbox => matches!(v, Some(FieldValue::Bool(_))),
        FieldType::Date => matches!(v, None | Some(FieldValue::Date(_))),
        FieldType::DateTime => matches!(v, None | Some(FieldValue::Datetime(_))),
        _ => true,
    };
    if !ok {
        let (ty, quoted) = match f.ty {
            t if is_text_type(t) => ("string", true),
            t if is_id_type(t) => ("id", true),
            t if is_number_type(t) => ("double", false),
            FieldType::Checkbox => ("boolean", false),
            FieldType::Date => ("date", false),
            _ => ("dateTime", false),
        };
        return Err(filter_type_error(&f.name, ty, quoted));
    }
    match v {
        Some(FieldValue::Str(s)) if is_id_type(f.ty) && !s.is_empty() && !is_valid_id(s) => {
            Err(format!("invalid ID field: {s}"))
        }
        _ => Ok(()),
    }
}

/// The value of a SOQL string literal's body. In LIKE patterns `\%`, `\_` and
/// `\\` stay escaped for the pattern matcher.
fn unescape(s: &str, like: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = it.next() else {
            out.push('\\');
            break;
        };
        match e {
            'n' | 'N' => out.push('\n'),
            'r' | 'R' => out.push('\r'),
            't' | 'T' => out.push('\t'),
            'b' | 'B' => out.push('\u{8}'),
            'f' | 'F' => out.push('\u{c}'),
            '%' | '_' | '\\' if like => {
                out.push('\\');
                out.push(e);
            }
            'u' | 'U' => {
                let hex: String = (0..4)
                    .filter_map(|_| it.next_if(|h| h.is_ascii_hexdigit()))
                    .collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => out.push_str(&hex),
                }
            }
            other => out.push(other),
        }
    }
    out
}
