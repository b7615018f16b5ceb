//! Running SOQL from Apex: inline queries and `Database.query`, with the query
//! limits, and results turned into sObject values.

use std::cell::RefCell;
use std::rc::Rc;

use super::context::limit;
use super::field_value::FieldValue;
use super::soql::{
    BindRef, BindValue, NameContext, Query, QueryResult, Row, execute, parse_dynamic,
};
use crate::vm::debug::inspect::local_value as inspect_locals;
use crate::vm::interp::{Interp, R};
use crate::vm::ir::SoqlExpr;
use crate::vm::schema::Schema;
use crate::vm::sobject::SObject;
use crate::vm::types::{NativeClass, Ty};
use crate::vm::value::{NativeObj, Value};

/// A bind value from an Apex value: lists and sets are many, sObjects their ids.
fn bind_value(v: &Value) -> Result<BindValue, String> {
    let one = |x: &Value| match x {
        Value::SObj(s) => Ok(match s.borrow().get("id") {
            Value::Id(id) | Value::Str(id) => FieldValue::Id(id.to_string()),
            _ => FieldValue::Null,
        }),
        other => FieldValue::from_value(other)
            .ok_or_else(|| "Invalid bind expression type for a SOQL query".to_string()),
    };
    match v {
        Value::List(l) => {
            let items = l.borrow().items.clone();
            if items.iter().any(|x| matches!(x, Value::SObj(_))) {
                let ids = items
                    .iter()
                    .filter_map(|x| match one(x) {
                        Ok(FieldValue::Id(id)) => Some(id),
                        _ => None,
                    })
                    .collect();
                return Ok(BindValue::Records(ids));
            }
            items
                .iter()
                .map(one)
                .collect::<Result<_, _>>()
                .map(BindValue::Many)
        }
        Value::Set(s) => {
            let items: Vec<Value> = s.borrow().items.iter().map(|k| k.0.clone()).collect();
            items
                .iter()
                .map(one)
                .collect::<Result<_, _>>()
                .map(BindValue::Many)
        }
        other => one(other).map(BindValue::One),
    }
}

/// Runs an inline query.
pub fn run_inline(i: &mut Interp<'_>, q: &SoqlExpr) -> R<Value> {
    let mut values = Vec::with_capacity(q.binds.len());
    for b in &q.binds {
        values.push(i.eval(b)?);
    }
    let binds = |r: &BindRef| match r {
        BindRef::Index(k) => values
            .get(*k as usize)
            .ok_or_else(|| format!("missing bind {k}"))
            .and_then(bind_value),
        BindRef::Name(n) => Err(format!("Variable does not exist: {n}")),
    };
    run(i, &q.query, &binds)
}

/// `Database.query(text)` / `countQuery` / `queryWithBinds(text, binds, level)`.
pub fn run_dynamic(i: &mut Interp<'_>, text: &str, map: Option<Value>, count: bool) -> R<Value> {
    let ns = i.code_namespace();
    let schema = i.prog.schema.clone();
    let ctx = NameContext {
        schema: &schema,
        namespace: ns,
    };
    let q = match parse_dynamic(text, &ctx) {
        Ok(q) => q,
        Err(e) => return Err(i.throw_sys("QueryException", e.message)),
    };
    if count && !q.count_only {
        return Err(i.throw_sys(
            "QueryException",
            "countQuery needs a query of the form SELECT COUNT() FROM ...".into(),
        ));
    }
    // Named binds read the caller's locals (or the map given to queryWithBinds).
    let mut resolved: Vec<(String, Result<BindValue, String>)> = Vec::new();
    for r in q.binds() {
        if let BindRef::Name(n) = r {
            let v = match &map {
                Some(Value::Map(m)) => {
                    let found = m
                        .borrow()
                        .items
                        .iter()
                        .find(|(k, _)| k.0.as_str().is_some_and(|s| s.eq_ignore_ascii_case(&n)))
                        .map(|(_, v)| v.clone());
                    found.ok_or_else(|| format!("Variable does not exist: {n}"))
                }
                Some(Value::Null) => Err("Attempt to de-reference a null object".to_string()),
                _ => local_path(i, &n),
            };
            let v = match v {
                Ok(v) => bind_value(&v),
                Err(e) => Err(e),
            };
            resolved.push((n, v));
        }
    }
    let binds = |r: &BindRef| match r {
        BindRef::Name(n) => resolved
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| Err(format!("Variable does not exist: {n}"))),
        BindRef::Index(k) => Err(format!("missing bind {k}")),
    };
    run(i, &q, &binds)
}

/// `name` or `a.b.c` among the caller's locals (and fields of `this`).
fn local_path(i: &mut Interp<'_>, path: &str) -> Result<Value, String> {
    let mut parts = path.split('.');
    let first = parts.next().unwrap_or("");
    let mut v =
        inspect_locals(i, first).ok_or_else(|| format!("Variable does not exist: {first}"))?;
    for p in parts {
        v = i
            .get_member(v, p)
            .map_err(|t| crate::vm::describe_throw(i, &t).message)?;
    }
    Ok(v)
}

fn run(
    i: &mut Interp<'_>,
    q: &Query,
    binds: &dyn Fn(&BindRef) -> Result<BindValue, String>,
) -> R<Value> {
    let desc = i.prog.schema.get(q.sobject);
    if desc.protected && !desc.namespace.is_empty() {
        let ns = i.code_namespace();
        let owner = desc.namespace.clone();
        let name = desc.name.clone();
        if !ns.eq_ignore_ascii_case(&owner)
            && !i
                .platform
                .isv_access
                .iter()
                .any(|a| a.eq_ignore_ascii_case(&owner))
        {
            return Err(i.throw_sys(
                "QueryException",
                format!("sObject type '{name}' is not supported."),
            ));
        }
    }
    let l = i.ns_limits();
    l.soql_queries += 1;
    let n = l.soql_queries;
    if n > limit::SOQL_QUERIES {
        return Err(i.throw_ns_limit(format!("Too many SOQL queries: {n}")));
    }
    let aggregations = q
        .select
        .iter()
        .filter(|s| matches!(s, super::soql::ast::SelectItem::Children(_)))
        .count();
    if i.log.is_some() {
        i.log_soql_begin(aggregations, &q.to_soql());
    }
    let now = crate::vm::builtins::system::current_datetime(i);
    let result = i
        .platform
        .tx
        .with_view(|v| execute(q, v, binds, now.date(), now));
    let result = match result {
        Ok(r) => r,
        Err(e) => return Err(i.throw_sys("QueryException", e.message)),
    };
    let rows = match &result {
        QueryResult::Rows(r) => r.len() + r.iter().map(child_rows).sum::<usize>(),
        QueryResult::Count(_) => 0,
        QueryResult::Aggregates(a) => a.len(),
    };
    if i.log.is_some() {
        i.log_soql_end(rows);
    }
    let l = i.ns_limits();
    l.query_rows += rows as u32;
    if l.query_rows > limit::QUERY_ROWS {
        // Salesforce names the first row over the limit, not the running total.
        let over = limit::QUERY_ROWS + 1;
        return Err(i.throw_ns_limit(format!("Too many query rows: {over}")));
    }
    Ok(match result {
        QueryResult::Count(n) => Value::Int(n as i32),
        QueryResult::Rows(rows) => Value::list(
            Ty::SObject(Some(q.sobject)),
            rows.iter().map(|r| row_value(&i.prog.schema, r)).collect(),
        ),
        QueryResult::Aggregates(rows) => Value::list(
            Ty::Native(NativeClass::AggregateResult),
            rows.iter()
                .map(|r| {
                    let fields = r
                        .fields
                        .iter()
                        .map(|(k, v)| (k.clone(), v.to_value()))
                        .collect();
                    Value::Native(Rc::new(RefCell::new(NativeObj::Aggregate(fields))))
                })
                .collect(),
        ),
    })
}

fn child_rows(r: &Row) -> usize {
    r.children.iter().map(|(_, c)| c.len()).sum()
}

/// A result row as an sObject: fields, nested parents and child lists, and the
/// queried set that makes unselected fields throw.
fn row_value(schema: &Schema, r: &Row) -> Value {
    let mut s = SObject::new(r.ty);
    let mut queried = r.queried.clone();
    for (name, v) in &r.fields {
        s.set(name, v.to_value());
    }
    let desc = schema.get(r.ty);
    for (rel, parent) in &r.parents {
        // Selecting `Account.Name` also brings back the lookup field, `AccountId`.
        if let Some(f) = desc.fields.iter().find(|f| {
            f.relationship_name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(rel))
        }) {
            let key = f.name.to_ascii_lowercase();
            if !queried.contains(&key) {
                let id = parent
                    .as_ref()
                    .map(|p| Value::Id(Rc::new(p.id.clone())))
                    .unwrap_or_default();
                s.set(&f.name, id);
                queried.push(key);
            }
        }
        let v = parent
            .as_ref()
            .map(|p| row_value(schema, p))
            .unwrap_or_default();
        s.set(rel, v);
    }
    for (rel, kids) in &r.children {
        let child_ty = kids.first().map(|k| k.ty);
        let items: Vec<Value> = kids.iter().map(|k| row_value(schema, k)).collect();
        s.set(rel, Value::list(Ty::SObject(child_ty), items));
    }
    s.queried = Some(queried);
    Value::SObj(Rc::new(RefCell::new(s)))
}

/// The records of a query in lists of 200, for list-form SOQL for loops.
pub fn batches(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let Value::List(l) = &a[0] else {
        return Err(i.npe());
    };
    let l = l.borrow();
    let elem = l.elem.clone();
    let chunks: Vec<Value> = l
        .items
        .chunks(200)
        .map(|c| Value::list(elem.clone(), c.to_vec()))
        .collect();
    Ok(Value::list(Ty::list(elem), chunks))
}

/// The one row of a query result assigned to a single record.
pub fn single_row(i: &mut Interp<'_>, v: Value) -> R<Value> {
    let Value::List(l) = &v else {
        return Ok(v);
    };
    let n = l.borrow().items.len();
    match n {
        1 => Ok(l.borrow().items[0].clone()),
        0 => Err(i.throw_sys(
            "QueryException",
            "List has no rows for assignment to SObject".into(),
        )),
        _ => Err(i.throw_sys(
            "QueryException",
            "List has more than 1 row for assignment to SObject".into(),
        )),
    }
}
