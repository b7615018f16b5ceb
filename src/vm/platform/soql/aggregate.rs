//! Aggregate queries: GROUP BY, aggregate functions, HAVING, and ordering and
//! windowing of the groups.

use std::borrow::Cow;
use std::collections::HashSet;

use indexmap::IndexMap;
use rust_decimal::Decimal;

use super::ast::{Aggregate, Condition, Expr, Query, SelectItem};
use super::exec::{Env, Hit, eval, holds, is_id_expr, path_value, window};
use super::values::{Key, SortKey, as_decimal, compare, is_id_type};
use super::{AggregateRow, SoqlError};
use crate::vm::platform::field_value::FieldValue;

/// A running aggregate.
enum Acc {
    Count(i64),
    Distinct(HashSet<Key>),
    Sum(Option<Decimal>),
    Avg(Decimal, i64),
    Min(Option<FieldValue>),
    Max(Option<FieldValue>),
}

impl Acc {
    fn new(a: Aggregate) -> Acc {
        match a {
            Aggregate::Count => Acc::Count(0),
            Aggregate::CountDistinct => Acc::Distinct(HashSet::new()),
            Aggregate::Sum => Acc::Sum(None),
            Aggregate::Avg => Acc::Avg(Decimal::ZERO, 0),
            Aggregate::Min => Acc::Min(None),
            Aggregate::Max => Acc::Max(None),
        }
    }

    /// Adds one record's value; `None` for `COUNT()`, which counts records.
    fn add(&mut self, v: Option<&FieldValue>, id: bool) {
        let Some(v) = v else {
            if let Acc::Count(n) = self {
                *n += 1;
            }
            return;
        };
        if v.is_blank() {
            return;
        }
        match self {
            Acc::Count(n) => *n += 1,
            Acc::Distinct(s) => {
                s.insert(Key::of(v, id));
            }
            Acc::Sum(s) => {
                if let Some(d) = as_decimal(v) {
                    *s = Some(s.unwrap_or_default().saturating_add(d));
                }
            }
            Acc::Avg(s, n) => {
                if let Some(d) = as_decimal(v) {
                    *s = s.saturating_add(d);
                    *n += 1;
                }
            }
            Acc::Min(m) => {
                if m.as_ref()
                    .is_none_or(|m| compare(v, m).is_some_and(|o| o.is_lt()))
                {
                    *m = Some(v.clone());
                }
            }
            Acc::Max(m) => {
                if m.as_ref()
                    .is_none_or(|m| compare(v, m).is_some_and(|o| o.is_gt()))
                {
                    *m = Some(v.clone());
                }
            }
        }
    }

    fn finish(&self) -> FieldValue {
        match self {
            Acc::Count(n) => FieldValue::Int(*n),
            Acc::Distinct(s) => FieldValue::Int(s.len() as i64),
            Acc::Sum(s) => s.map(FieldValue::Dec).unwrap_or(FieldValue::Null),
            Acc::Avg(_, 0) => FieldValue::Null,
            Acc::Avg(s, n) => FieldValue::Dec((*s / Decimal::from(*n)).normalize()),
            Acc::Min(m) | Acc::Max(m) => m.clone().unwrap_or(FieldValue::Null),
        }
    }
}

/// One group: its GROUP BY values and its aggregates.
struct Group {
    values: Vec<FieldValue>,
    accs: Vec<Acc>,
}

/// The aggregate expressions a query computes (select list, HAVING, ORDER BY), once each.
fn aggregates(q: &Query) -> Vec<&Expr> {
    fn from_cond<'q>(c: &'q Condition, out: &mut Vec<&'q Expr>) {
        match c {
            Condition::And(cs) | Condition::Or(cs) => cs.iter().for_each(|c| from_cond(c, out)),
            Condition::Not(c) => from_cond(c, out),
            Condition::Compare { left, .. } => out.push(left),
        }
    }
    let mut all: Vec<&Expr> = Vec::new();
    for s in &q.select {
        if let SelectItem::Expr { expr, .. } = s {
            all.push(expr);
        }
    }
    if let Some(h) = &q.having {
        from_cond(h, &mut all);
    }
    all.extend(q.order_by.iter().map(|o| &o.expr));
    let mut out: Vec<&Expr> = Vec::new();
    for e in all {
        if e.is_aggregate() && !out.contains(&e) {
            out.push(e);
        }
    }
    out
}

/// Runs an aggregate query.
pub(super) fn run(env: &Env, q: &Query) -> Result<Vec<AggregateRow>, SoqlError> {
    let aggs = aggregates(q);
    let pred = env.predicate(q.filter.as_ref())?;
    let new_group = |values: Vec<FieldValue>| Group {
        values,
        accs: aggs
            .iter()
            .map(|e| match e {
                Expr::Aggregate(a, _) => Acc::new(*a),
                _ => Acc::Count(0),
            })
            .collect(),
    };
    let mut groups: IndexMap<Vec<Key>, Group> = IndexMap::new();
    if q.group_by.is_empty() {
        // Without GROUP BY there is exactly one row, even over no records.
        groups.insert(Vec::new(), new_group(Vec::new()));
    }
    env.view.scan(q.sobject, q.all_rows, &mut |rec| {
        if !holds(&pred, &mut |e| eval(env.view, rec, e)) {
            return;
        }
        let values: Vec<FieldValue> = q
            .group_by
            .iter()
            .map(|e| eval(env.view, rec, e).into_owned())
            .collect();
        let key: Vec<Key> = values
            .iter()
            .zip(&q.group_by)
            .map(|(v, e)| Key::of(v, is_id_expr(e)))
            .collect();
        let g = groups.entry(key).or_insert_with(|| new_group(values));
        for (acc, e) in g.accs.iter_mut().zip(&aggs) {
            if let Expr::Aggregate(_, arg) = e {
                let v = arg.as_ref().map(|f| path_value(env.view, rec, f));
                let id = arg.as_ref().is_some_and(|f| is_id_type(f.ty));
                acc.add(v.as_deref(), id);
            }
        }
    });

    // Each group's values: GROUP BY values, then the aggregates.
    let results: Vec<(Vec<FieldValue>, Vec<FieldValue>)> = groups
        .into_values()
        .map(|g| (g.values, g.accs.iter().map(Acc::finish).collect()))
        .collect();
    let value = |i: usize, e: &Expr| -> Cow<'_, FieldValue> {
        let (values, agg_values) = &results[i];
        if let Some(k) = aggs.iter().position(|a| *a == e) {
            Cow::Borrowed(&agg_values[k])
        } else if let Some(k) = q.group_by.iter().position(|g| g == e) {
            Cow::Borrowed(&values[k])
        } else {
            Cow::Owned(FieldValue::Null)
        }
    };
    let having = env.predicate(q.having.as_ref())?;
    let mut hits: Vec<Hit> = Vec::new();
    for i in 0..results.len() {
        if !holds(&having, &mut |e| value(i, e)) {
            continue;
        }
        let keys = q
            .order_by
            .iter()
            .map(|o| SortKey::of(&value(i, &o.expr), is_id_expr(&o.expr)))
            .collect();
        hits.push(Hit {
            id: String::new(),
            keys,
            seq: i,
        });
    }
    let (offset, limit) = env.bounds(q)?;
    window(&mut hits, &q.order_by, offset, limit);

    Ok(hits
        .iter()
        .map(|h| {
            let mut n = 0;
            let fields = q
                .select
                .iter()
                .filter_map(|s| match s {
                    SelectItem::Expr { expr, alias } => Some((expr, alias)),
                    _ => None,
                })
                .map(|(expr, alias)| {
                    let name = match (alias, expr) {
                        (Some(a), _) => a.clone(),
                        (None, Expr::Field(f)) => f.name.clone(),
                        (None, _) => {
                            n += 1;
                            format!("expr{}", n - 1)
                        }
                    };
                    (name, value(h.seq, expr).into_owned())
                })
                .collect();
            AggregateRow { fields }
        })
        .collect())
}
