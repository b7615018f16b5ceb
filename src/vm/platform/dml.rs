//! The DML engine: insert, update, upsert, delete and undelete, with defaults,
//! required fields, system fields, auto-numbers, triggers, `addError`, and the
//! all-or-none rule.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use super::context::{TriggerEvent, limit};
use super::field_value::FieldValue;
use super::store::StoredRecord;
use super::triggers;
use crate::vm::interp::{Interp, R};
use crate::vm::schema::{FieldType, SObjectDesc};
use crate::vm::sobject::SObject;
use crate::vm::types::SObjectTypeId;
use crate::vm::value::{DmlFailure, Value};

/// A DML operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DmlOp {
    Insert,
    Update,
    Upsert,
    Delete,
    Undelete,
}

impl DmlOp {
    /// As messages name it (`Insert failed.`).
    pub fn title(self) -> &'static str {
        match self {
            DmlOp::Insert => "Insert",
            DmlOp::Update => "Update",
            DmlOp::Upsert => "Upsert",
            DmlOp::Delete => "Delete",
            DmlOp::Undelete => "Undelete",
        }
    }
}

/// One row's error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub status: String,
    pub message: String,
    pub fields: Vec<String>,
}

/// What happened to one row.
#[derive(Debug, Clone, Default)]
pub struct RowOutcome {
    pub id: Option<String>,
    pub errors: Vec<RowError>,
    /// Upsert: whether the row was inserted.
    pub created: bool,
}

type Rec = Rc<RefCell<SObject>>;

fn err(status: &str, message: impl Into<String>, fields: &[&str]) -> RowError {
    RowError {
        status: status.to_string(),
        message: message.into(),
        fields: fields.iter().map(|f| f.to_string()).collect(),
    }
}

/// Runs a DML operation over records. With `all_or_none`, any row error rolls the
/// whole operation back and throws DmlException; otherwise failed rows are left out.
pub fn run(
    i: &mut Interp<'_>,
    op: DmlOp,
    records: Vec<Value>,
    all_or_none: bool,
    upsert_key: Option<&str>,
) -> R<Vec<RowOutcome>> {
    let mut recs: Vec<Rec> = Vec::with_capacity(records.len());
    for r in records {
        match r {
            Value::SObj(s) => recs.push(s),
            _ => return Err(i.npe()),
        }
    }
    count_limits(i, recs.len())?;
    i.log_dml_begin(op.title(), &recs);
    let sp = i.platform.tx.savepoint();
    let result = run_rows(i, op, &recs, all_or_none, upsert_key);
    match &result {
        Ok(outcomes) if !all_or_none || outcomes.iter().all(|o| o.errors.is_empty()) => {
            i.platform.tx.release_savepoint(sp);
        }
        _ => {
            i.platform.tx.rollback_to(sp);
            i.platform.tx.release_savepoint(sp);
        }
    }
    i.log_dml_end();
    let outcomes = result?;
    if all_or_none
        && let Some((row, _)) = outcomes
            .iter()
            .enumerate()
            .find(|(_, o)| !o.errors.is_empty())
    {
        return Err(dml_exception(i, op, &outcomes, row));
    }
    Ok(outcomes)
}

fn count_limits(i: &mut Interp<'_>, rows: usize) -> R<()> {
    let l = i.ns_limits();
    l.dml_statements += 1;
    l.dml_rows += rows as u32;
    let (stmts, total) = (l.dml_statements, l.dml_rows);
    if stmts > limit::DML_STATEMENTS {
        return Err(i.throw_ns_limit(format!("Too many DML statements: {stmts}")));
    }
    if total > limit::DML_ROWS {
        // Salesforce names the first row over the limit, not the running total.
        let over = limit::DML_ROWS + 1;
        return Err(i.throw_ns_limit(format!("Too many DML rows: {over}")));
    }
    Ok(())
}

/// `Insert failed. First exception on row 0; first error: STATUS, message: [fields]`.
fn dml_exception(
    i: &mut Interp<'_>,
    op: DmlOp,
    outcomes: &[RowOutcome],
    row: usize,
) -> crate::vm::interp::Throw {
    let o = &outcomes[row];
    let e = &o.errors[0];
    let with_id =
        o.id.as_ref()
            .map(|id| format!(" with id {id}"))
            .unwrap_or_default();
    let message = format!(
        "{} failed. First exception on row {row}{with_id}; first error: {}, {}: [{}]",
        op.title(),
        e.status,
        e.message,
        e.fields.join(", ")
    );
    let class = i.prog.exception_class("DmlException");
    let obj = i.new_exception(class, Value::str(message), Value::Null);
    {
        let mut ext = obj.ext.borrow_mut();
        let d = ext.get_or_insert_with(Default::default);
        for (index, o) in outcomes.iter().enumerate() {
            for e in &o.errors {
                d.dml.push(DmlFailure {
                    index,
                    status: e.status.clone(),
                    message: e.message.clone(),
                    fields: e.fields.clone(),
                    id: o.id.clone(),
                });
            }
        }
    }
    i.raise(obj)
}

fn run_rows(
    i: &mut Interp<'_>,
    op: DmlOp,
    recs: &[Rec],
    all_or_none: bool,
    upsert_key: Option<&str>,
) -> R<Vec<RowOutcome>> {
    let mut outcomes: Vec<RowOutcome> = vec![RowOutcome::default(); recs.len()];
    // Rows of one type are processed together, in runs, as the platform chunks mixed lists.
    let mut start = 0;
    while start < recs.len() {
        let ty = recs[start].borrow().sobject_type;
        let mut end = start + 1;
        while end < recs.len() && recs[end].borrow().sobject_type == ty {
            end += 1;
        }
        let rows: Vec<usize> = (start..end).collect();
        match op {
            DmlOp::Insert => insert(i, ty, recs, &rows, &mut outcomes, all_or_none)?,
            DmlOp::Update => update(i, ty, recs, &rows, &mut outcomes, all_or_none)?,
            DmlOp::Upsert => upsert(i, ty, recs, &rows, &mut outcomes, all_or_none, upsert_key)?,
            DmlOp::Delete => delete(i, ty, recs, &rows, &mut outcomes, all_or_none)?,
            DmlOp::Undelete => undelete(i, ty, recs, &rows, &mut outcomes)?,
        }
        start = end;
    }
    Ok(outcomes)
}

fn id_of(r: &Rec) -> Option<String> {
    match r.borrow().get("id") {
        Value::Id(s) | Value::Str(s) => Some(s.to_string()),
        _ => None,
    }
}

/// A copy of a record for the trigger lists, so triggers never touch the caller's objects.
fn copy(r: &SObject) -> Rec {
    let mut c = r.clone();
    c.queried = None;
    c.errors.clear();
    Rc::new(RefCell::new(c))
}

/// The record as stored, as an sObject with every field set.
pub fn from_stored(i: &Interp<'_>, r: &StoredRecord) -> Rec {
    let desc = i.prog.schema.get(r.ty);
    let mut s = SObject::new(r.ty);
    for f in &desc.fields {
        let v = r.get(&f.name.to_ascii_lowercase());
        s.set(&f.name, v.to_value());
    }
    Rc::new(RefCell::new(s))
}

/// The stored form of an sObject: schema fields only.
fn to_stored(desc: &SObjectDesc, s: &SObject, id: &str, deleted: bool) -> StoredRecord {
    let mut fields = HashMap::new();
    for f in &desc.fields {
        let key = f.name.to_ascii_lowercase();
        if let Some((_, v)) = s.fields.get(&key)
            && let Some(fv) = FieldValue::from_value(v)
        {
            fields.insert(key, fv);
        }
    }
    fields.insert("id".into(), FieldValue::Id(id.to_string()));
    StoredRecord {
        id: id.to_string(),
        ty: desc.id,
        fields,
        deleted,
    }
}

fn take_added_errors(r: &Rec) -> Vec<RowError> {
    r.borrow_mut()
        .errors
        .drain(..)
        .map(|e| RowError {
            status: e.status,
            message: e.message,
            fields: e.field.into_iter().collect(),
        })
        .collect()
}

/// Required fields that are empty, by API name.
fn missing_required(desc: &SObjectDesc, s: &SObject) -> Vec<String> {
    desc.fields
        .iter()
        .filter(|f| f.required && !is_generated(f.ty) && f.name != "Id")
        .filter(|f| {
            FieldValue::from_value(&s.get(&f.name.to_ascii_lowercase()))
                .is_none_or(|v| v.is_blank())
        })
        .map(|f| f.name.clone())
        .collect()
}

fn is_generated(t: FieldType) -> bool {
    matches!(t, FieldType::AutoNumber | FieldType::Formula)
}

/// Fields the platform sets itself and code may not.
fn is_system_field(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "createddate"
            | "createdbyid"
            | "lastmodifieddate"
            | "lastmodifiedbyid"
            | "systemmodstamp"
            | "isdeleted"
    )
}

/// Sets each absent field that has a default value to that value.
pub fn apply_defaults(desc: &SObjectDesc, s: &mut SObject) {
    for f in &desc.fields {
        let key = f.name.to_ascii_lowercase();
        if s.fields.contains_key(&key) {
            continue;
        }
        if let Some(d) = &f.default
            && f.ty != FieldType::AutoNumber
        {
            let v = match f.ty {
                FieldType::Checkbox => Value::Bool(d.eq_ignore_ascii_case("true")),
                FieldType::Number | FieldType::Currency | FieldType::Percent => {
                    match crate::vm::builtins::number::parse_decimal(d) {
                        Some(x) => Value::Dec(x),
                        None => continue,
                    }
                }
                _ => Value::str(d.trim_matches('\'').trim_matches('"').to_string()),
            };
            s.set(&f.name, v);
        } else if f.ty == FieldType::Checkbox {
            s.set(&f.name, Value::Bool(false));
        }
    }
}

fn stamp(i: &Interp<'_>, desc: &SObjectDesc, s: &mut SObject, creating: bool) {
    let now = Value::Datetime(crate::vm::builtins::system::current_datetime(i));
    let user = Value::Id(Rc::new(i.env.user_id.clone()));
    if creating {
        s.set("CreatedDate", now.clone());
        s.set("CreatedById", user.clone());
        if desc.field("OwnerId").is_some() && s.get("ownerid").is_null() {
            s.set("OwnerId", user.clone());
        }
        s.set("IsDeleted", Value::Bool(false));
    }
    s.set("LastModifiedDate", now.clone());
    s.set("LastModifiedById", user);
    s.set("SystemModstamp", now);
}

fn assign_autonumbers(i: &Interp<'_>, desc: &SObjectDesc, s: &mut SObject) {
    for f in desc.fields.iter().filter(|f| f.ty == FieldType::AutoNumber) {
        let n = i.platform.tx.store().next_autonumber(desc.id, &f.name);
        let fmt = f.default.clone().unwrap_or_else(|| "{0}".into());
        s.set(&f.name, Value::str(format_autonumber(&fmt, n)));
    }
}

/// `INV-{0000}` with 7 gives `INV-0007`.
pub fn format_autonumber(fmt: &str, n: u64) -> String {
    match (fmt.find('{'), fmt.find('}')) {
        (Some(a), Some(b)) if b > a => {
            let width = fmt[a + 1..b].chars().filter(|c| *c == '0').count().max(1);
            format!("{}{:0width$}{}", &fmt[..a], n, &fmt[b + 1..])
        }
        _ => format!("{fmt}{n}"),
    }
}

/// Errors for records triggers or validation rejected, or drops the rows (partial success).
fn check_rows(
    desc: &SObjectDesc,
    recs: &[Rec],
    rows: &[usize],
    news: &[Rec],
    outcomes: &mut [RowOutcome],
    required: bool,
) {
    for (k, &row) in rows.iter().enumerate() {
        if !outcomes[row].errors.is_empty() {
            continue;
        }
        let mut errors = take_added_errors(&news[k]);
        errors.extend(take_added_errors(&recs[row]));
        if errors.is_empty() && required {
            let missing = missing_required(desc, &news[k].borrow());
            if !missing.is_empty() {
                let list = missing.join(", ");
                let fields: Vec<&str> = missing.iter().map(String::as_str).collect();
                errors.push(err(
                    "REQUIRED_FIELD_MISSING",
                    format!("Required fields are missing: [{list}]"),
                    &fields,
                ));
            }
        }
        outcomes[row].errors = errors;
    }
}

fn live(rows: &[usize], news: &[Rec], outcomes: &[RowOutcome]) -> (Vec<usize>, Vec<Value>) {
    let mut idx = Vec::new();
    let mut vals = Vec::new();
    for (k, &row) in rows.iter().enumerate() {
        if outcomes[row].errors.is_empty() {
            idx.push(k);
            vals.push(Value::SObj(news[k].clone()));
        }
    }
    (idx, vals)
}

fn failed(outcomes: &[RowOutcome], all_or_none: bool) -> bool {
    all_or_none && outcomes.iter().any(|o| !o.errors.is_empty())
}

fn insert(
    i: &mut Interp<'_>,
    ty: SObjectTypeId,
    recs: &[Rec],
    rows: &[usize],
    outcomes: &mut [RowOutcome],
    all_or_none: bool,
) -> R<()> {
    let prog = i.prog;
    let desc = prog.schema.get(ty);
    let mut news = Vec::with_capacity(rows.len());
    for &row in rows {
        if let Some(id) = id_of(&recs[row]) {
            outcomes[row].id = Some(id);
            outcomes[row].errors.push(err(
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                "cannot specify Id in an insert call",
                &["Id"],
            ));
        }
        let mut c = copy(&recs[row].borrow()).borrow().clone();
        apply_defaults(desc, &mut c);
        news.push(Rc::new(RefCell::new(c)));
    }
    let (_, before) = live(rows, &news, outcomes);
    triggers::fire(i, ty, TriggerEvent::BeforeInsert, &before, &[])?;
    check_rows(desc, recs, rows, &news, outcomes, true);
    super::save::validate_rows(i, desc, rows, &news, outcomes);
    if failed(outcomes, all_or_none) {
        return Ok(());
    }
    let (idx, _) = live(rows, &news, outcomes);
    for &k in &idx {
        let id = i.platform.tx.store().next_id(ty);
        let mut s = news[k].borrow_mut();
        stamp(i, desc, &mut s, true);
        assign_autonumbers(i, desc, &mut s);
        s.set("Id", Value::Id(Rc::new(id.clone())));
        let mut stored = to_stored(desc, &s, &id, false);
        drop(s);
        super::save::compute_formulas(i, desc, &mut stored);
        i.platform.tx.put(stored);
        let row = rows[k];
        recs[row]
            .borrow_mut()
            .set("Id", Value::Id(Rc::new(id.clone())));
        outcomes[row].id = Some(id);
    }
    let (_, after) = live(rows, &news, outcomes);
    triggers::fire(i, ty, TriggerEvent::AfterInsert, &after, &[])?;
    check_rows(desc, recs, rows, &news, outcomes, false);
    Ok(())
}

/// Loads the stored versions of records being updated or deleted.
fn load_old(
    i: &mut Interp<'_>,
    op: DmlOp,
    recs: &[Rec],
    rows: &[usize],
    outcomes: &mut [RowOutcome],
    want_deleted: bool,
) -> Vec<Option<StoredRecord>> {
    rows.iter()
        .map(|&row| {
            let Some(id) = id_of(&recs[row]) else {
                let what = op.title().to_ascii_lowercase();
                outcomes[row].errors.push(err(
                    "MISSING_ARGUMENT",
                    format!("Id not specified in an {what} call"),
                    &[],
                ));
                return None;
            };
            outcomes[row].id = Some(id.clone());
            match i.platform.tx.get_any(&id) {
                Some(r) if r.deleted == want_deleted => Some(r),
                Some(_) if want_deleted => {
                    outcomes[row].errors.push(err(
                        "UNDELETE_FAILED",
                        "Entity is not in the recycle bin",
                        &[],
                    ));
                    None
                }
                Some(_) => {
                    outcomes[row]
                        .errors
                        .push(err("ENTITY_IS_DELETED", "entity is deleted", &[]));
                    None
                }
                None => {
                    outcomes[row].errors.push(err(
                        "INVALID_CROSS_REFERENCE_KEY",
                        "invalid cross reference id",
                        &[],
                    ));
                    None
                }
            }
        })
        .collect()
}

fn update(
    i: &mut Interp<'_>,
    ty: SObjectTypeId,
    recs: &[Rec],
    rows: &[usize],
    outcomes: &mut [RowOutcome],
    all_or_none: bool,
) -> R<()> {
    let prog = i.prog;
    let desc = prog.schema.get(ty);
    let olds = load_old(i, DmlOp::Update, recs, rows, outcomes, false);
    let mut news = Vec::with_capacity(rows.len());
    let mut old_recs = Vec::with_capacity(rows.len());
    for (k, &row) in rows.iter().enumerate() {
        let (old, merged) = match &olds[k] {
            Some(o) => {
                let old = from_stored(i, o);
                let mut m = old.borrow().clone();
                for (key, (api, v)) in recs[row].borrow().fields.iter() {
                    if desc.field(api).is_some() && !is_system_field(key) {
                        m.fields.insert(key.clone(), (api.clone(), v.clone()));
                    }
                }
                (old, m)
            }
            None => (Rc::new(RefCell::new(SObject::new(ty))), SObject::new(ty)),
        };
        old_recs.push(old);
        news.push(Rc::new(RefCell::new(merged)));
    }
    let (_, before) = live(rows, &news, outcomes);
    let (_, old_vals) = live(rows, &old_recs, outcomes);
    triggers::fire(i, ty, TriggerEvent::BeforeUpdate, &before, &old_vals)?;
    check_rows(desc, recs, rows, &news, outcomes, true);
    super::save::validate_rows(i, desc, rows, &news, outcomes);
    if failed(outcomes, all_or_none) {
        return Ok(());
    }
    let (idx, after) = live(rows, &news, outcomes);
    let (_, old_vals) = live(rows, &old_recs, outcomes);
    for &k in &idx {
        let id = outcomes[rows[k]].id.clone().unwrap_or_default();
        let mut s = news[k].borrow_mut();
        stamp(i, desc, &mut s, false);
        let mut stored = to_stored(desc, &s, &id, false);
        drop(s);
        super::save::compute_formulas(i, desc, &mut stored);
        i.platform.tx.put(stored);
    }
    triggers::fire(i, ty, TriggerEvent::AfterUpdate, &after, &old_vals)?;
    check_rows(desc, recs, rows, &news, outcomes, false);
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn upsert(
    i: &mut Interp<'_>,
    ty: SObjectTypeId,
    recs: &[Rec],
    rows: &[usize],
    outcomes: &mut [RowOutcome],
    all_or_none: bool,
    key: Option<&str>,
) -> R<()> {
    let prog = i.prog;
    let desc = prog.schema.get(ty);
    let key_field = match key {
        Some(k) if !k.eq_ignore_ascii_case("id") => {
            let ns = i.code_namespace();
            match prog.schema.lookup_field(ty, k, ns) {
                Some(f) => Some(f.name.clone()),
                None => {
                    return Err(i.throw_sys(
                        "SObjectException",
                        format!("Invalid field {k} for {}", desc.name),
                    ));
                }
            }
        }
        _ => None,
    };
    let mut inserts = Vec::new();
    let mut updates = Vec::new();
    for &row in rows {
        let existing = match &key_field {
            None => id_of(&recs[row]),
            Some(f) => {
                let want = FieldValue::from_value(&recs[row].borrow().get(&f.to_ascii_lowercase()));
                let lower = f.to_ascii_lowercase();
                let matches: Vec<String> = i.platform.tx.with_view(|v| {
                    let mut ids = Vec::new();
                    v.scan(ty, false, &mut |r| {
                        let same = match (&want, r.get(&lower)) {
                            (Some(FieldValue::Str(a)), FieldValue::Str(b)) => {
                                a.eq_ignore_ascii_case(b)
                            }
                            (Some(a), b) => !a.is_blank() && a == b,
                            _ => false,
                        };
                        if same {
                            ids.push(r.id.clone());
                        }
                    });
                    ids
                });
                if matches.len() > 1 {
                    outcomes[row].errors.push(err(
                        "DUPLICATE_EXTERNAL_ID",
                        format!("{f}: more than one record found for external id field"),
                        &[f.as_str()],
                    ));
                    continue;
                }
                if let Some(id) = matches.first() {
                    recs[row]
                        .borrow_mut()
                        .set("Id", Value::Id(Rc::new(id.clone())));
                }
                matches.into_iter().next()
            }
        };
        match existing {
            Some(_) => updates.push(row),
            None => inserts.push(row),
        }
    }
    insert(i, ty, recs, &inserts, outcomes, all_or_none)?;
    for &r in &inserts {
        outcomes[r].created = outcomes[r].errors.is_empty();
    }
    if failed(outcomes, all_or_none) {
        return Ok(());
    }
    update(i, ty, recs, &updates, outcomes, all_or_none)
}

fn delete(
    i: &mut Interp<'_>,
    ty: SObjectTypeId,
    recs: &[Rec],
    rows: &[usize],
    outcomes: &mut [RowOutcome],
    all_or_none: bool,
) -> R<()> {
    let prog = i.prog;
    let desc = prog.schema.get(ty);
    let olds = load_old(i, DmlOp::Delete, recs, rows, outcomes, false);
    let old_recs: Vec<Rec> = olds
        .iter()
        .map(|o| match o {
            Some(o) => from_stored(i, o),
            None => Rc::new(RefCell::new(SObject::new(ty))),
        })
        .collect();
    let (_, before) = live(rows, &old_recs, outcomes);
    triggers::fire(i, ty, TriggerEvent::BeforeDelete, &[], &before)?;
    check_rows(desc, recs, rows, &old_recs, outcomes, false);
    if failed(outcomes, all_or_none) {
        return Ok(());
    }
    let (idx, after) = live(rows, &old_recs, outcomes);
    for &k in &idx {
        if let Some(mut r) = olds[k].clone() {
            r.deleted = true;
            r.fields.insert("isdeleted".into(), FieldValue::Bool(true));
            cascade(i, &r.id, true);
            i.platform.tx.put(r);
        }
    }
    triggers::fire(i, ty, TriggerEvent::AfterDelete, &[], &after)?;
    check_rows(desc, recs, rows, &old_recs, outcomes, false);
    Ok(())
}

/// Deleting a master record deletes its detail records (and undeleting restores
/// them); deleting a lookup parent clears the lookup on its children.
fn cascade(i: &mut Interp<'_>, master: &str, deleted: bool) {
    let schema = &i.prog.schema;
    let mut refs = Vec::new();
    for o in &schema.objects {
        for f in &o.fields {
            let detail = f.ty == FieldType::MasterDetail;
            if detail || (deleted && f.ty == FieldType::Lookup) {
                refs.push((o.id, f.name.to_ascii_lowercase(), detail));
            }
        }
    }
    for (ty, field, detail) in refs {
        let children: Vec<StoredRecord> = i.platform.tx.with_view(|v| {
            let mut out = Vec::new();
            v.scan(ty, true, &mut |r| {
                if (r.deleted != deleted || !detail)
                    && let FieldValue::Id(p) = r.get(&field)
                    && super::ids::key15(p) == super::ids::key15(master)
                {
                    out.push(r.clone());
                }
            });
            out
        });
        for mut c in children {
            if detail {
                c.deleted = deleted;
                c.fields
                    .insert("isdeleted".into(), FieldValue::Bool(deleted));
            } else {
                c.fields.insert(field.clone(), FieldValue::Null);
            }
            i.platform.tx.put(c);
        }
    }
}

fn undelete(
    i: &mut Interp<'_>,
    ty: SObjectTypeId,
    recs: &[Rec],
    rows: &[usize],
    outcomes: &mut [RowOutcome],
) -> R<()> {
    let prog = i.prog;
    let desc = prog.schema.get(ty);
    let olds = load_old(i, DmlOp::Undelete, recs, rows, outcomes, true);
    let mut news = Vec::new();
    for (k, o) in olds.iter().enumerate() {
        match o {
            Some(o) if outcomes[rows[k]].errors.is_empty() => {
                let mut r = o.clone();
                r.deleted = false;
                r.fields.insert("isdeleted".into(), FieldValue::Bool(false));
                cascade(i, &r.id, false);
                news.push(from_stored(i, &r));
                i.platform.tx.put(r);
            }
            _ => news.push(Rc::new(RefCell::new(SObject::new(ty)))),
        }
    }
    let (_, after) = live(rows, &news, outcomes);
    triggers::fire(i, ty, TriggerEvent::AfterUndelete, &after, &[])?;
    check_rows(desc, recs, rows, &news, outcomes, false);
    Ok(())
}
