//! Custom settings: `getInstance`, `getValues`, `getAll`, `getOrgDefaults`, and the
//! rule that protected settings belong to their package's code (and to the
//! publisher's support engineer through login access).

use super::dml::from_stored;
use super::field_value::FieldValue;
use super::store::StoredRecord;
use crate::vm::interp::{Interp, R};
use crate::vm::schema::CustomSettingKind;
use crate::vm::sobject::SObject;
use crate::vm::types::{SObjectTypeId, Ty};
use crate::vm::value::{Key, OrderedMap, Value};

/// Throws unless the running code may use a protected custom setting.
pub fn check_access(i: &mut Interp<'_>, ty: SObjectTypeId) -> R<()> {
    let desc = i.prog.schema.get(ty);
    if !desc.protected || desc.namespace.is_empty() {
        return Ok(());
    }
    let ns = i.code_namespace();
    if ns.eq_ignore_ascii_case(&desc.namespace)
        || i.platform
            .isv_access
            .iter()
            .any(|a| a.eq_ignore_ascii_case(&desc.namespace))
    {
        return Ok(());
    }
    let (name, owner) = (desc.name.clone(), desc.namespace.clone());
    Err(i.throw_sys(
        "NoAccessException",
        format!(
            "Protected custom setting {name} is visible only to code in the {owner} package and to its publisher through login access"
        ),
    ))
}

fn records(i: &Interp<'_>, ty: SObjectTypeId) -> Vec<StoredRecord> {
    i.platform.tx.with_view(|v| {
        let mut out = Vec::new();
        v.scan(ty, false, &mut |r| out.push(r.clone()));
        out
    })
}

fn name_of(r: &StoredRecord) -> Option<&str> {
    r.get("name").as_text()
}

fn owner_of(r: &StoredRecord) -> Option<&str> {
    r.get("setupownerid").as_text()
}

fn same_id(a: &str, b: &str) -> bool {
    super::ids::key15(a) == super::ids::key15(b)
}

/// The record of a hierarchy setting at one level: user, profile, or org (no owner, or the org id).
fn at_level(i: &Interp<'_>, recs: &[StoredRecord], owner: Option<&str>) -> Option<StoredRecord> {
    recs.iter()
        .find(|r| match (owner, owner_of(r)) {
            (Some(o), Some(x)) => same_id(o, x),
            (None, None) => true,
            (None, Some(x)) => same_id(x, &i.env.org_id),
            _ => false,
        })
        .cloned()
}

/// An empty setting record with the fields' default values.
fn empty(i: &mut Interp<'_>, ty: SObjectTypeId) -> Value {
    let desc = i.prog.schema.get(ty);
    let mut s = SObject::new(ty);
    for f in &desc.fields {
        if let Some(d) = &f.default {
            let v = match f.apex_ty {
                Ty::Boolean => Value::Bool(d.eq_ignore_ascii_case("true")),
                Ty::Decimal => match crate::vm::builtins::number::parse_decimal(d) {
                    Some(x) => Value::Dec(x),
                    None => continue,
                },
                _ => Value::str(d.trim_matches('\'').trim_matches('"').to_string()),
            };
            s.set(&f.name, v);
        }
    }
    Value::SObj(std::rc::Rc::new(std::cell::RefCell::new(s)))
}

/// Merges hierarchy levels: fields set at a lower level win.
fn merged(i: &mut Interp<'_>, ty: SObjectTypeId, levels: Vec<StoredRecord>) -> Value {
    let Some(first) = levels.first() else {
        return empty(i, ty);
    };
    let mut base = first.clone();
    for r in &levels[1..] {
        for (k, v) in &r.fields {
            if base.fields.get(k).is_none_or(FieldValue::is_blank) {
                base.fields.insert(k.clone(), v.clone());
            }
        }
    }
    Value::SObj(from_stored(i, &base))
}

fn arg_id(a: &[Value], n: usize) -> Option<String> {
    a.get(n).and_then(|v| v.as_str().map(str::to_string))
}

/// `getInstance()`, `getInstance(x)`, `getValues(x)`.
pub fn get_instance(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let ty = a[0].as_i64().unwrap_or(0) as SObjectTypeId;
    let values_only = a[1].as_i64() == Some(1);
    check_access(i, ty)?;
    let recs = records(i, ty);
    let kind = i.prog.schema.get(ty).custom_setting;
    match kind {
        Some(CustomSettingKind::List) => {
            let Some(name) = arg_id(a, 2) else {
                return Err(i.npe());
            };
            Ok(recs
                .iter()
                .find(|r| name_of(r) == Some(name.as_str()))
                .map(|r| Value::SObj(from_stored(i, r)))
                .unwrap_or_default())
        }
        _ => {
            let user = i.env.user_id.clone();
            let profile = i.env.profile_id.clone();
            let who = arg_id(a, 2);
            if values_only {
                let who = who.unwrap_or(user);
                return Ok(at_level(i, &recs, Some(&who))
                    .map(|r| Value::SObj(from_stored(i, &r)))
                    .unwrap_or_default());
            }
            let owner = who.clone().unwrap_or(user);
            let own = at_level(i, &recs, Some(&owner));
            let mut higher = Vec::new();
            if !owner.starts_with("00e") {
                higher.extend(at_level(i, &recs, Some(&profile)));
            }
            higher.extend(at_level(i, &recs, None));
            // The owner's own record, with unset fields inherited; or a new record for
            // the owner (no Id) with every field inherited.
            let v = match own {
                Some(r) => {
                    let mut levels = vec![r];
                    levels.extend(higher);
                    merged(i, ty, levels)
                }
                None => {
                    let v = merged(i, ty, higher);
                    if let Value::SObj(s) = &v {
                        let mut s = s.borrow_mut();
                        s.fields.shift_remove("id");
                        s.set("SetupOwnerId", Value::Id(std::rc::Rc::new(owner)));
                    }
                    v
                }
            };
            Ok(v)
        }
    }
}

/// `getAll()`: every record of a list setting, by Name.
pub fn get_all(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let ty = a[0].as_i64().unwrap_or(0) as SObjectTypeId;
    check_access(i, ty)?;
    let recs = records(i, ty);
    let mut m = OrderedMap::default();
    for r in &recs {
        if let Some(n) = name_of(r) {
            m.insert(
                Key(Value::str(n.to_string())),
                Value::SObj(from_stored(i, r)),
            );
        }
    }
    Ok(Value::map(Ty::String, Ty::SObject(Some(ty)), m))
}

/// `getOrgDefaults()`.
pub fn get_org_defaults(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let ty = a[0].as_i64().unwrap_or(0) as SObjectTypeId;
    check_access(i, ty)?;
    let recs = records(i, ty);
    match at_level(i, &recs, None) {
        Some(r) => Ok(Value::SObj(from_stored(i, &r))),
        None => Ok(empty(i, ty)),
    }
}
