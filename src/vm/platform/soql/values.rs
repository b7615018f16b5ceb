//! How SOQL compares field values: case-insensitive strings, ids by their
//! 15-character key, numbers across Integer/Decimal/Double, dates against
//! datetimes; LIKE patterns; hashable keys for IN sets and GROUP BY; sort keys.

use std::cmp::Ordering;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};

use crate::vm::platform::field_value::FieldValue;
use crate::vm::platform::ids::key15;
use crate::vm::schema::FieldType;

/// Whether values of a field type are record ids.
pub fn is_id_type(t: FieldType) -> bool {
    matches!(
        t,
        FieldType::Id | FieldType::Lookup | FieldType::MasterDetail
    )
}

/// Whether values of a field type are text.
pub fn is_text_type(t: FieldType) -> bool {
    matches!(
        t,
        FieldType::Text
            | FieldType::LongText
            | FieldType::Picklist
            | FieldType::Email
            | FieldType::Phone
            | FieldType::Url
            | FieldType::AutoNumber
    )
}

/// Whether values of a field type are numbers.
pub fn is_number_type(t: FieldType) -> bool {
    matches!(
        t,
        FieldType::Number | FieldType::Currency | FieldType::Percent
    )
}

/// Whether `s` is a well-formed 15- or 18-character record id.
pub fn is_valid_id(s: &str) -> bool {
    (s.len() == 15 || s.len() == 18)
        && s.bytes().all(|b| b.is_ascii_alphanumeric())
        && crate::vm::builtins::id::to_18(s).is_some()
}

/// Simple case folding, one char to one char.
fn fold(c: char) -> char {
    if c.is_ascii() {
        c.to_ascii_lowercase()
    } else {
        c.to_lowercase().next().unwrap_or(c)
    }
}

/// Case-insensitive string order.
pub fn cmp_ci(a: &str, b: &str) -> Ordering {
    a.chars().map(fold).cmp(b.chars().map(fold))
}

/// A value as a Decimal, for numbers.
pub fn as_decimal(v: &FieldValue) -> Option<Decimal> {
    match v {
        FieldValue::Int(i) => Some(Decimal::from(*i)),
        FieldValue::Dec(d) => Some(*d),
        FieldValue::Double(d) => Decimal::from_f64(*d),
        _ => None,
    }
}

fn as_datetime(v: &FieldValue) -> Option<NaiveDateTime> {
    match v {
        FieldValue::Date(d) => d.and_hms_opt(0, 0, 0),
        FieldValue::Datetime(d) => Some(*d),
        _ => None,
    }
}

/// The order of two non-null values, when they are comparable.
pub fn compare(a: &FieldValue, b: &FieldValue) -> Option<Ordering> {
    use FieldValue::*;
    match (a, b) {
        (Str(x) | Id(x), Str(y) | Id(y)) => Some(cmp_ci(x, y)),
        (Bool(x), Bool(y)) => Some(x.cmp(y)),
        (Date(x), Date(y)) => Some(x.cmp(y)),
        (Time(x), Time(y)) => Some(x.cmp(y)),
        (Double(x), Double(y)) => x.partial_cmp(y),
        (Date(_) | Datetime(_), Date(_) | Datetime(_)) => {
            Some(as_datetime(a)?.cmp(&as_datetime(b)?))
        }
        (Int(_) | Dec(_) | Double(_), Int(_) | Dec(_) | Double(_)) => {
            match (as_decimal(a), as_decimal(b)) {
                (Some(x), Some(y)) => Some(x.cmp(&y)),
                _ => as_f64(a)?.partial_cmp(&as_f64(b)?),
            }
        }
        _ => None,
    }
}

fn as_f64(v: &FieldValue) -> Option<f64> {
    match v {
        FieldValue::Int(i) => Some(*i as f64),
        FieldValue::Dec(d) => d.to_f64(),
        FieldValue::Double(d) => Some(*d),
        _ => None,
    }
}

/// SOQL equality of two non-null values; `id` when the field holds record ids
/// (compared by their case-sensitive 15-character key).
pub fn equals(a: &FieldValue, b: &FieldValue, id: bool) -> bool {
    match (a.as_text(), b.as_text()) {
        (Some(x), Some(y)) if id => key15(x) == key15(y),
        (Some(x), Some(y)) if x.is_ascii() && y.is_ascii() => x.eq_ignore_ascii_case(y),
        (Some(x), Some(y)) => cmp_ci(x, y) == Ordering::Equal,
        _ => compare(a, b) == Some(Ordering::Equal),
    }
}

/// A hashable form of a value: equal keys for values SOQL treats as equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    Null,
    Text(String),
    Num(Decimal),
    Bool(bool),
    Date(NaiveDate),
    Datetime(NaiveDateTime),
    Time(NaiveTime),
    /// Doubles that have no Decimal form (NaN, infinities), by bits.
    Bits(u64),
}

impl Key {
    /// The key of a value; `id` when it is a record id.
    pub fn of(v: &FieldValue, id: bool) -> Key {
        match v {
            FieldValue::Null => Key::Null,
            FieldValue::Str(s) | FieldValue::Id(s) if s.is_empty() => Key::Null,
            FieldValue::Str(s) | FieldValue::Id(s) if id => Key::Text(key15(s).to_string()),
            FieldValue::Str(s) | FieldValue::Id(s) => Key::Text(s.chars().map(fold).collect()),
            FieldValue::Bool(b) => Key::Bool(*b),
            FieldValue::Int(_) | FieldValue::Dec(_) => {
                Key::Num(as_decimal(v).unwrap_or_default().normalize())
            }
            FieldValue::Double(d) => match Decimal::from_f64(*d) {
                Some(x) => Key::Num(x.normalize()),
                None => Key::Bits(d.to_bits()),
            },
            FieldValue::Date(d) => Key::Date(*d),
            FieldValue::Datetime(d) => Key::Datetime(*d),
            FieldValue::Time(t) => Key::Time(*t),
        }
    }
}

/// A compiled LIKE pattern: `%` any run, `_` one character, `\` escapes; case-insensitive.
#[derive(Debug, Clone)]
pub struct Like {
    toks: Vec<Tok>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok {
    Char(char),
    One,
    Any,
}

impl Like {
    /// Compiles a pattern.
    pub fn new(pattern: &str) -> Like {
        let mut toks = Vec::new();
        let mut it = pattern.chars();
        while let Some(c) = it.next() {
            toks.push(match c {
                '\\' => Tok::Char(fold(it.next().unwrap_or('\\'))),
                '%' => Tok::Any,
                '_' => Tok::One,
                c => Tok::Char(fold(c)),
            });
        }
        Like { toks }
    }

    /// Whether `s` matches; the classic wildcard match, backtracking to the last `%`.
    pub fn matches(&self, s: &str) -> bool {
        let s: Vec<char> = s.chars().map(fold).collect();
        let p = &self.toks;
        let (mut i, mut j) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None;
        while i < s.len() {
            match p.get(j) {
                Some(Tok::Any) => {
                    star = Some((j, i));
                    j += 1;
                }
                Some(Tok::One) => {
                    i += 1;
                    j += 1;
                }
                Some(Tok::Char(c)) if *c == s[i] => {
                    i += 1;
                    j += 1;
                }
                _ => match star {
                    Some((sj, si)) => {
                        j = sj + 1;
                        i = si + 1;
                        star = Some((sj, si + 1));
                    }
                    None => return false,
                },
            }
        }
        p[j..].iter().all(|t| *t == Tok::Any)
    }
}

/// A record's ORDER BY keys; most queries sort by one or two.
pub type SortKeys = smallvec::SmallVec<[SortKey; 2]>;

/// An ORDER BY key, built once per matching record.
#[derive(Debug, Clone)]
pub enum SortKey {
    Null,
    Bool(bool),
    Num(Decimal),
    Double(f64),
    /// Case-folded text (ids keep their case).
    Text(String),
    Datetime(NaiveDateTime),
    Time(NaiveTime),
}

impl SortKey {
    /// The sort key of a value.
    pub fn of(v: &FieldValue, id: bool) -> SortKey {
        match v {
            FieldValue::Null => SortKey::Null,
            FieldValue::Str(s) | FieldValue::Id(s) if s.is_empty() => SortKey::Null,
            FieldValue::Str(s) | FieldValue::Id(s) if id => SortKey::Text(s.clone()),
            FieldValue::Str(s) | FieldValue::Id(s) => SortKey::Text(s.chars().map(fold).collect()),
            FieldValue::Bool(b) => SortKey::Bool(*b),
            FieldValue::Int(_) | FieldValue::Dec(_) => {
                SortKey::Num(as_decimal(v).unwrap_or_default())
            }
            FieldValue::Double(d) => SortKey::Double(*d),
            FieldValue::Date(_) | FieldValue::Datetime(_) => as_datetime(v)
                .map(SortKey::Datetime)
                .unwrap_or(SortKey::Null),
            FieldValue::Time(t) => SortKey::Time(*t),
        }
    }

    /// Whether this is the null key.
    pub fn is_null(&self) -> bool {
        matches!(self, SortKey::Null)
    }

    fn rank(&self) -> u8 {
        match self {
            SortKey::Null => 0,
            SortKey::Bool(_) => 1,
            SortKey::Num(_) | SortKey::Double(_) => 2,
            SortKey::Text(_) => 3,
            SortKey::Datetime(_) => 4,
            SortKey::Time(_) => 5,
        }
    }

    /// The order of two non-null keys.
    pub fn cmp(&self, other: &SortKey) -> Ordering {
        use SortKey::*;
        match (self, other) {
            (Bool(a), Bool(b)) => a.cmp(b),
            (Num(a), Num(b)) => a.cmp(b),
            (Double(a), Double(b)) => a.total_cmp(b),
            (Num(a), Double(b)) => a.to_f64().unwrap_or(0.0).total_cmp(b),
            (Double(a), Num(b)) => a.total_cmp(&b.to_f64().unwrap_or(0.0)),
            (Text(a), Text(b)) => a.cmp(b),
            (Datetime(a), Datetime(b)) => a.cmp(b),
            (Time(a), Time(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

/// One ORDER BY item's order of two values given whether each is null and,
/// for two non-null values, their ascending order.
fn directed(
    nulls: (bool, bool),
    asc: impl FnOnce() -> Ordering,
    desc: bool,
    nulls_first: bool,
) -> Ordering {
    let null_side = if nulls_first {
        Ordering::Less
    } else {
        Ordering::Greater
    };
    match nulls {
        (true, true) => Ordering::Equal,
        (true, false) => null_side,
        (false, true) => null_side.reverse(),
        (false, false) if desc => asc().reverse(),
        (false, false) => asc(),
    }
}

/// Orders two rows' keys by ORDER BY items: (descending, nulls first) per key.
pub fn cmp_keys(a: &[SortKey], b: &[SortKey], dirs: &[(bool, bool)]) -> Ordering {
    for ((x, y), &(desc, nulls_first)) in a.iter().zip(b).zip(dirs) {
        let o = directed((x.is_null(), y.is_null()), || x.cmp(y), desc, nulls_first);
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// How `SortKey::of(v, id)` would order against `key` for one ORDER BY item,
/// without copying text.
pub fn cmp_with_key(v: &FieldValue, id: bool, key: &SortKey, dir: (bool, bool)) -> Ordering {
    let v_null = matches!(v, FieldValue::Null) || v.as_text().is_some_and(str::is_empty);
    let asc = || match (v, key) {
        (FieldValue::Str(s) | FieldValue::Id(s), SortKey::Text(t)) if !id => {
            s.chars().map(fold).cmp(t.chars())
        }
        (FieldValue::Str(s) | FieldValue::Id(s), SortKey::Text(t)) => s.as_str().cmp(t),
        _ => SortKey::of(v, id).cmp(key),
    };
    directed((v_null, key.is_null()), asc, dir.0, dir.1)
}
