//! Field values as stored in an org: plain data that can cross threads.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;

use crate::vm::value::Value;

/// A stored field value.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Null,
    Bool(bool),
    Int(i64),
    Dec(Decimal),
    Double(f64),
    Str(String),
    Id(String),
    Date(NaiveDate),
    Datetime(NaiveDateTime),
    Time(NaiveTime),
}

impl FieldValue {
    /// The Apex value of a stored value.
    pub fn to_value(&self) -> Value {
        match self {
            FieldValue::Null => Value::Null,
            FieldValue::Bool(b) => Value::Bool(*b),
            FieldValue::Int(i) => match i32::try_from(*i) {
                Ok(x) => Value::Int(x),
                Err(_) => Value::Long(*i),
            },
            FieldValue::Dec(d) => Value::Dec(*d),
            FieldValue::Double(d) => Value::Double(*d),
            FieldValue::Str(s) => Value::str(s.clone()),
            FieldValue::Id(s) => Value::Id(std::rc::Rc::new(s.clone())),
            FieldValue::Date(d) => Value::Date(*d),
            FieldValue::Datetime(d) => Value::Datetime(*d),
            FieldValue::Time(t) => Value::Time(*t),
        }
    }

    /// The stored form of an Apex value, if it is a field value at all.
    pub fn from_value(v: &Value) -> Option<FieldValue> {
        Some(match v {
            Value::Null => FieldValue::Null,
            Value::Bool(b) => FieldValue::Bool(*b),
            Value::Int(i) => FieldValue::Int(*i as i64),
            Value::Long(l) => FieldValue::Int(*l),
            Value::Dec(d) => FieldValue::Dec(*d),
            Value::Double(d) => FieldValue::Double(*d),
            Value::Str(s) => FieldValue::Str(s.to_string()),
            Value::Id(s) => FieldValue::Id(s.to_string()),
            Value::Date(d) => FieldValue::Date(*d),
            Value::Datetime(d) => FieldValue::Datetime(*d),
            Value::Time(t) => FieldValue::Time(*t),
            _ => return None,
        })
    }

    /// Whether the value is null (or an empty string, which the platform stores as null).
    pub fn is_blank(&self) -> bool {
        match self {
            FieldValue::Null => true,
            FieldValue::Str(s) => s.is_empty(),
            _ => false,
        }
    }

    /// Text for messages and sorting of strings.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            FieldValue::Str(s) | FieldValue::Id(s) => Some(s),
            _ => None,
        }
    }
}
