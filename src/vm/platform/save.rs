//! What saving a record checks and computes beyond required fields: email
//! format, unique fields (a list setting's Name is always unique), and formula
//! fields.

use std::collections::HashMap;

use super::dml::{RowError, RowOutcome};
use super::field_value::FieldValue;
use super::formula;
use super::ids::key15;
use super::store::StoredRecord;
use crate::vm::interp::Interp;
use crate::vm::schema::{FieldDesc, FieldType, SObjectDesc};
use crate::vm::sobject::SObject;
use crate::vm::types::Ty;
use std::cell::RefCell;
use std::rc::Rc;

fn row_error(status: &str, message: String, field: &str) -> RowError {
    RowError {
        status: status.into(),
        message,
        fields: vec![field.to_string()],
    }
}

/// A plausible email address: one `@`, a local part, and a dotted domain.
fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !s.chars().any(char::is_whitespace)
        && domain.split('.').count() >= 2
        && domain.split('.').all(|p| !p.is_empty())
}

fn is_unique(desc: &SObjectDesc, f: &FieldDesc) -> bool {
    f.unique || (desc.custom_setting.is_some() && f.name == "Name")
}

fn unique_key(v: &FieldValue) -> Option<String> {
    match v {
        FieldValue::Null => None,
        FieldValue::Str(s) if s.is_empty() => None,
        FieldValue::Str(s) => Some(s.to_lowercase()),
        other => Some(format!("{other:?}")),
    }
}

/// Checks the rows about to be saved (`news[k]` is row `rows[k]`; `ids` the ids
/// of rows being updated) and records the failures in `outcomes`.
pub fn validate_rows(
    i: &Interp<'_>,
    desc: &SObjectDesc,
    rows: &[usize],
    news: &[Rc<RefCell<SObject>>],
    outcomes: &mut [RowOutcome],
) {
    let unique: Vec<&FieldDesc> = desc.fields.iter().filter(|f| is_unique(desc, f)).collect();
    // Existing values of each unique field: value -> record id.
    let mut taken: Vec<HashMap<String, String>> = vec![HashMap::new(); unique.len()];
    if !unique.is_empty() {
        i.platform.tx.with_view(|v| {
            v.scan(desc.id, false, &mut |r| {
                for (k, f) in unique.iter().enumerate() {
                    if let Some(key) = unique_key(r.get(&f.name.to_ascii_lowercase())) {
                        taken[k].insert(key, r.id.clone());
                    }
                }
            });
        });
    }
    for (k, &row) in rows.iter().enumerate() {
        if !outcomes[row].errors.is_empty() {
            continue;
        }
        let rec = news[k].borrow();
        let own_id = outcomes[row].id.clone().unwrap_or_default();
        let mut errors = Vec::new();
        for f in desc.fields.iter().filter(|f| f.ty == FieldType::Email) {
            if let Some(FieldValue::Str(s)) =
                FieldValue::from_value(&rec.get(&f.name.to_ascii_lowercase()))
                && !s.is_empty()
                && !valid_email(&s)
            {
                errors.push(row_error(
                    "INVALID_EMAIL_ADDRESS",
                    format!("{}: invalid email address: {s}", f.label),
                    &f.name,
                ));
            }
        }
        for (u, f) in unique.iter().enumerate() {
            let v = FieldValue::from_value(&rec.get(&f.name.to_ascii_lowercase()));
            let Some(key) = v.as_ref().and_then(unique_key) else {
                continue;
            };
            match taken[u].get(&key) {
                Some(other) if own_id.is_empty() || key15(other) != key15(&own_id) => {
                    errors.push(row_error(
                        "DUPLICATE_VALUE",
                        format!(
                            "duplicate value found: {} duplicates value on record with id: {other}",
                            f.name
                        ),
                        &f.name,
                    ));
                }
                _ => {
                    // Later rows of the same statement may not reuse the value.
                    let id = if own_id.is_empty() {
                        format!("row {row}")
                    } else {
                        own_id.clone()
                    };
                    taken[u].insert(key, id);
                }
            }
        }
        drop(rec);
        outcomes[row].errors = errors;
    }
}

/// Fills in the formula fields of a record about to be stored.
pub fn compute_formulas(i: &Interp<'_>, desc: &SObjectDesc, rec: &mut StoredRecord) {
    let formulas: Vec<&FieldDesc> = desc
        .fields
        .iter()
        .filter(|f| f.ty == FieldType::Formula && f.formula.is_some())
        .collect();
    if formulas.is_empty() {
        return;
    }
    let today = crate::vm::builtins::system::current_datetime(i).date();
    let schema = &i.prog.schema;
    for f in formulas {
        let text = f.formula.as_deref().unwrap_or_default();
        let value = {
            let snapshot: &StoredRecord = rec;
            let mut resolve = |path: &[&str]| resolve_path(i, schema, desc, snapshot, path);
            formula::evaluate(text, today, &mut resolve)
        };
        let value = to_field_type(value, f);
        rec.fields.insert(f.name.to_ascii_lowercase(), value);
    }
}

/// A field path from a record: `Field`, or `Rel__r.Field` through stored parents.
fn resolve_path(
    i: &Interp<'_>,
    schema: &crate::vm::schema::Schema,
    desc: &SObjectDesc,
    rec: &StoredRecord,
    path: &[&str],
) -> FieldValue {
    match path {
        [] => FieldValue::Null,
        [field] => rec.get(&field.to_ascii_lowercase()).clone(),
        [rel, rest @ ..] => {
            let Some(lookup) = desc.fields.iter().find(|f| {
                f.relationship_name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(rel))
            }) else {
                return FieldValue::Null;
            };
            let FieldValue::Id(parent_id) = rec.get(&lookup.name.to_ascii_lowercase()) else {
                return FieldValue::Null;
            };
            let Some(parent) = i.platform.tx.get(parent_id) else {
                return FieldValue::Null;
            };
            let parent_desc = schema.get(parent.ty);
            resolve_path(i, schema, parent_desc, &parent, rest)
        }
    }
}

fn to_field_type(v: FieldValue, f: &FieldDesc) -> FieldValue {
    match (&f.apex_ty, v) {
        (Ty::Decimal, FieldValue::Dec(d)) if f.scale > 0 => FieldValue::Dec(d.round_dp(f.scale)),
        (Ty::Integer | Ty::Long, FieldValue::Dec(d)) => {
            use rust_decimal::prelude::ToPrimitive;
            d.round()
                .to_i64()
                .map(FieldValue::Int)
                .unwrap_or(FieldValue::Null)
        }
        (Ty::Double, FieldValue::Dec(d)) => {
            use rust_decimal::prelude::ToPrimitive;
            d.to_f64()
                .map(FieldValue::Double)
                .unwrap_or(FieldValue::Null)
        }
        (_, v) => v,
    }
}
