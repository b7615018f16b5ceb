//! `data.dml`: insert, update, upsert or delete records of an org through the
//! API, as the calling user. Each call is one request of kind SYNCHRONOUS
//! whose triggers run (and can be debugged) like any Apex; its entry point is
//! `<sObject> <operation>` (`acme__Invoice__c insert`).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value as Json, json};

use super::protocol::ApiError;
use crate::vm::debug::{DebuggerSetup, RequestDebugger};
use crate::vm::interp::{Interp, RequestEnv};
use crate::vm::platform::dml::{self, DmlOp, RowOutcome};
use crate::vm::platform::field_value::FieldValue;
use crate::vm::platform::log::LogWriter;
use crate::vm::program::Program;
use crate::vm::sobject::SObject;
use crate::vm::types::{SObjectTypeId, Ty};
use crate::vm::value::Value;
use crate::vm::{RunOutcome, describe_throw};

/// The parameters of `data.dml`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DmlParams {
    pub operation: String,
    pub sobject: String,
    pub records: Vec<serde_json::Map<String, Json>>,
    /// All rows or none (the default), as an Apex DML statement; with
    /// false, failing rows are reported and the others saved.
    #[serde(default)]
    pub all_or_none: Option<bool>,
    #[serde(default)]
    pub wait: Option<bool>,
}

/// A checked DML call, ready to run on a request thread.
#[derive(Debug, Clone)]
pub struct Dml {
    pub op: DmlOp,
    pub sobject: SObjectTypeId,
    /// `Account`, as the org's schema spells it.
    pub sobject_name: String,
    /// Field API name to value, per record.
    pub rows: Vec<BTreeMap<String, FieldValue>>,
    pub all_or_none: bool,
}

impl Dml {
    /// The request's entry point: `acme__Invoice__c insert`.
    pub fn entry_point(&self) -> String {
        format!(
            "{} {}",
            self.sobject_name,
            self.op.title().to_ascii_lowercase()
        )
    }
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::new("BAD_PARAMS", message)
}

/// Checks a call against the org's schema: the operation, the object, each
/// field and value. Custom settings are refused (`settings.set` changes them).
pub fn check(prog: &Program, p: DmlParams) -> Result<Dml, ApiError> {
    let op = match p.operation.to_ascii_lowercase().as_str() {
        "insert" => DmlOp::Insert,
        "update" => DmlOp::Update,
        "upsert" => DmlOp::Upsert,
        "delete" => DmlOp::Delete,
        other => {
            return Err(bad(format!(
                "data.dml: `{other}` is not an operation; use insert, update, upsert or delete"
            )));
        }
    };
    let schema = &prog.schema;
    let ty = schema.find(&p.sobject).ok_or_else(|| {
        ApiError::new(
            "UNKNOWN_SOBJECT",
            format!(
                "data.dml: this org has no sObject `{}`; give its API name, such as Account or acme__Invoice__c",
                p.sobject
            ),
        )
    })?;
    let desc = schema.get(ty);
    if desc.custom_setting.is_some() {
        return Err(bad(format!(
            "data.dml: {} is a custom setting; change it with settings.set",
            desc.name
        )));
    }
    if p.records.is_empty() {
        return Err(bad(
            "data.dml: `records` is empty; give at least one record",
        ));
    }
    if p.records.len() > 200 {
        return Err(bad(format!(
            "data.dml: {} records in one call; the API takes at most 200",
            p.records.len()
        )));
    }
    let mut rows = Vec::with_capacity(p.records.len());
    for (n, record) in p.records.iter().enumerate() {
        let mut row = BTreeMap::new();
        for (name, v) in record {
            let f = desc.field(name).ok_or_else(|| {
                bad(format!(
                    "data.dml: record {n}: {} has no field `{name}`",
                    desc.name
                ))
            })?;
            let value = convert(&f.apex_ty, v).map_err(|want| {
                bad(format!(
                    "data.dml: record {n}: {}.{} takes {want}, not {v}",
                    desc.name, f.name
                ))
            })?;
            row.insert(f.name.clone(), value);
        }
        let has_id = row.get("Id").is_some_and(|v| !v.is_blank());
        if matches!(op, DmlOp::Update | DmlOp::Delete) && !has_id {
            return Err(bad(format!(
                "data.dml: record {n} has no Id; {} needs the Id of each record",
                p.operation.to_ascii_lowercase()
            )));
        }
        if op == DmlOp::Insert && has_id {
            return Err(bad(format!(
                "data.dml: record {n} has an Id; insert creates records, so leave it out (or use upsert)"
            )));
        }
        rows.push(row);
    }
    Ok(Dml {
        op,
        sobject: ty,
        sobject_name: desc.name.clone(),
        rows,
        all_or_none: p.all_or_none.unwrap_or(true),
    })
}

/// A JSON value as a value of a field of type `ty`, or what the field takes.
fn convert(ty: &Ty, v: &Json) -> Result<FieldValue, &'static str> {
    if v.is_null() {
        return Ok(FieldValue::Null);
    }
    let text = v.as_str();
    Ok(match ty {
        Ty::Id => FieldValue::Id(
            text.and_then(crate::vm::builtins::id::to_18)
                .ok_or("a 15- or 18-character id")?,
        ),
        Ty::Boolean => FieldValue::Bool(v.as_bool().ok_or("true or false")?),
        Ty::Integer | Ty::Long => FieldValue::Int(v.as_i64().ok_or("a whole number")?),
        Ty::Double => FieldValue::Double(v.as_f64().ok_or("a number")?),
        Ty::Decimal => FieldValue::Dec(
            v.as_number()
                .and_then(|n| n.to_string().parse::<Decimal>().ok())
                .ok_or("a number")?,
        ),
        Ty::Date => FieldValue::Date(
            text.and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                .ok_or("a date (2024-05-02)")?,
        ),
        Ty::Datetime => FieldValue::Datetime(
            text.and_then(|s| {
                chrono::DateTime::parse_from_rfc3339(s)
                    .ok()
                    .map(|d| d.naive_utc())
                    .or_else(|| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").ok())
            })
            .ok_or("a date and time (2024-05-02T10:00:00Z)")?,
        ),
        _ => FieldValue::Str(text.ok_or("text")?.to_string()),
    })
}

/// Runs the DML on this thread as one request: its triggers, then commit, or
/// on an exception nothing caught, rollback. The row outcomes are empty when
/// the request failed.
pub fn run(
    prog: &Program,
    dml: &Dml,
    env: RequestEnv,
    debugger: Option<DebuggerSetup>,
) -> (RunOutcome, Vec<RowOutcome>) {
    let log = env
        .log_levels
        .map(|levels| Box::new(LogWriter::new(levels, env.start_time, None)));
    let (user_id, user_name) = (env.user_id.clone(), env.user_name.clone());
    let mut i = Interp::new(prog, env);
    i.dbg = debugger.map(|d| Box::new(RequestDebugger::new(d)));
    i.log = log;
    if let Some(l) = i.log.as_mut() {
        l.execution_started(&user_id, &user_name);
    }
    let records: Vec<Value> = dml
        .rows
        .iter()
        .map(|row| {
            let mut s = SObject::new(dml.sobject);
            for (name, v) in row {
                s.set(name, v.to_value());
            }
            Value::SObj(Rc::new(RefCell::new(s)))
        })
        .collect();
    let (exception, rows) = match dml::run(&mut i, dml.op, records, dml.all_or_none, None) {
        Ok(mut rows) => {
            i.platform.tx.commit();
            // Rows that were not created still name their record.
            for (row, given) in rows.iter_mut().zip(&dml.rows) {
                if row.id.is_none()
                    && let Some(FieldValue::Id(id)) = given.get("Id")
                {
                    row.id = Some(id.clone());
                }
            }
            (None, rows)
        }
        Err(t) => {
            i.platform.tx.rollback();
            i.platform.async_jobs.clear();
            let d = describe_throw(&mut i, &t);
            if let Some(l) = i.log.as_mut() {
                l.fatal_error(&d.to_string(), &[]);
            }
            (Some(d), Vec::new())
        }
    };
    if let Some(l) = i.log.as_mut() {
        l.execution_finished();
    }
    let outcome = RunOutcome {
        output: std::mem::take(&mut i.output),
        exception,
        async_jobs: std::mem::take(&mut i.platform.async_jobs),
        log: i.log.as_ref().map(|l| l.finish()),
        rest: None,
    };
    (outcome, rows)
}

/// The rows of a DML result as the API shows them.
pub fn rows_json(rows: &[RowOutcome]) -> Json {
    Json::Array(
        rows.iter()
            .map(|r| {
                json!({
                    "id": r.id,
                    "success": r.errors.is_empty(),
                    "created": r.created,
                    "errors": r.errors.iter().map(|e| json!({
                        "statusCode": e.status, "message": e.message, "fields": e.fields,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}
