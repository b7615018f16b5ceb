//! Turning matched records into [`Row`]s: selected fields, parents through
//! lookups (TYPEOF picks fields by the parent's type), and child subqueries run
//! once per batch of parents.

use std::collections::{HashMap, HashSet};

use super::ast::{FieldPath, Hop, Query, SelectItem};
use super::exec::{Env, Hit, eval, field, holds, window};
use super::{Row, SoqlError};
use crate::vm::platform::field_value::FieldValue;
use crate::vm::platform::ids::key15;
use crate::vm::platform::store::StoredRecord;
use crate::vm::schema::FieldType;
use crate::vm::types::SObjectTypeId;

/// What to read from one record: its fields, its parents, its child subqueries.
#[derive(Default)]
struct Plan<'q> {
    /// (canonical name, lower-case name, type).
    fields: Vec<(&'q str, &'q str, FieldType)>,
    parents: Vec<ParentPlan<'q>>,
    subqueries: Vec<&'q Query>,
}

/// What to read from a parent.
struct ParentPlan<'q> {
    rel: &'q str,
    lookup: &'q str,
    /// Read whatever the parent's type.
    common: Plan<'q>,
    /// TYPEOF: read these for a parent of this type...
    variants: Vec<(SObjectTypeId, Plan<'q>)>,
    /// ... and these for any other type.
    otherwise: Option<Plan<'q>>,
}

impl<'q> Plan<'q> {
    fn of(q: &'q Query) -> Plan<'q> {
        let mut root = Plan::default();
        for s in &q.select {
            match s {
                SelectItem::Expr { expr, .. } => {
                    if let Some(f) = expr.field() {
                        root.add(f);
                    }
                }
                SelectItem::Children(sub) => root.subqueries.push(sub),
                SelectItem::TypeOf(t) => {
                    let Some((last, rest)) = t.hops.split_last() else {
                        continue;
                    };
                    let pp = root.descend(rest).parent(last);
                    for (ty, _, fields) in &t.whens {
                        let i = match pp.variants.iter().position(|(t, _)| t == ty) {
                            Some(i) => i,
                            None => {
                                pp.variants.push((*ty, Plan::default()));
                                pp.variants.len() - 1
                            }
                        };
                        fields.iter().for_each(|f| pp.variants[i].1.add(f));
                    }
                    let other = pp.otherwise.get_or_insert_with(Plan::default);
                    t.otherwise.iter().for_each(|f| other.add(f));
                }
            }
        }
        root
    }

    fn parent(&mut self, h: &'q Hop) -> &mut ParentPlan<'q> {
        let i = match self
            .parents
            .iter()
            .position(|p| p.rel.eq_ignore_ascii_case(&h.relationship))
        {
            Some(i) => i,
            None => {
                self.parents.push(ParentPlan {
                    rel: &h.relationship,
                    lookup: &h.lookup,
                    common: Plan::default(),
                    variants: Vec::new(),
                    otherwise: None,
                });
                self.parents.len() - 1
            }
        };
        &mut self.parents[i]
    }

    fn descend(&mut self, hops: &'q [Hop]) -> &mut Plan<'q> {
        let mut cur = self;
        for h in hops {
            cur = &mut cur.parent(h).common;
        }
        cur
    }

    fn add(&mut self, f: &'q FieldPath) {
        let node = self.descend(&f.hops);
        if !node.fields.iter().any(|x| x.1 == f.lower) {
            node.fields.push((&f.name, &f.lower, f.ty));
        }
    }
}

/// A row with just the id.
fn bare(rec: &StoredRecord) -> Row {
    Row {
        ty: rec.ty,
        id: rec.id.clone(),
        fields: vec![("Id".to_string(), FieldValue::Id(rec.id.clone()))],
        parents: Vec::new(),
        children: Vec::new(),
        queried: vec!["id".to_string()],
    }
}

/// Adds a plan's fields and parents of `rec` to `row`.
fn fill(env: &Env, plan: &Plan, rec: &StoredRecord, row: &mut Row) {
    for (name, lower, ty) in &plan.fields {
        if row.queried.iter().any(|q| q == lower) {
            continue;
        }
        row.fields
            .push((name.to_string(), field(rec, lower, *ty).into_owned()));
        row.queried.push(lower.to_string());
    }
    for pp in &plan.parents {
        let parent = rec
            .get(pp.lookup)
            .as_text()
            .filter(|s| !s.is_empty())
            .and_then(|id| env.view.get(id));
        let prow = parent.map(|p| {
            let mut r = bare(p);
            fill(env, &pp.common, p, &mut r);
            let variant = pp.variants.iter().find(|(t, _)| *t == p.ty).map(|(_, v)| v);
            if let Some(v) = variant.or(pp.otherwise.as_ref()) {
                fill(env, v, p, &mut r);
            }
            r
        });
        let lower = pp.rel.to_ascii_lowercase();
        if !row.queried.contains(&lower) {
            row.queried.push(lower);
        }
        row.parents.push((pp.rel.to_string(), prow));
    }
}

/// The rows of a (sub)query for its matched records, in order, children included.
pub(super) fn rows(env: &Env, q: &Query, recs: &[&StoredRecord]) -> Result<Vec<Row>, SoqlError> {
    let plan = Plan::of(q);
    let mut out: Vec<Row> = recs
        .iter()
        .map(|r| {
            let mut row = bare(r);
            fill(env, &plan, r, &mut row);
            row
        })
        .collect();
    for sub in &plan.subqueries {
        let Some((rel, _)) = &sub.child_of else {
            continue;
        };
        let mut by_parent = children(env, sub, recs, q.all_rows)?;
        for row in &mut out {
            let kids = by_parent.remove(key15(&row.id)).unwrap_or_default();
            row.children.push((rel.clone(), kids));
            row.queried.push(rel.to_ascii_lowercase());
        }
    }
    Ok(out)
}

/// A child subquery's rows for a batch of parents, by the parent's 15-character id:
/// one scan of the child type, then ORDER BY, OFFSET and LIMIT per parent.
fn children(
    env: &Env,
    sub: &Query,
    parents: &[&StoredRecord],
    all_rows: bool,
) -> Result<HashMap<String, Vec<Row>>, SoqlError> {
    let Some((_, lookup)) = &sub.child_of else {
        return Ok(HashMap::new());
    };
    let wanted: HashSet<&str> = parents.iter().map(|r| key15(&r.id)).collect();
    let pred = env.predicate(sub.filter.as_ref())?;
    let (offset, limit) = env.bounds(sub)?;
    let mut groups: HashMap<String, Vec<Hit>> = HashMap::new();
    let mut seq = 0;
    env.view
        .scan(sub.sobject, all_rows || sub.all_rows, &mut |rec| {
            let Some(parent) = rec.get(lookup).as_text().map(key15) else {
                return;
            };
            if !wanted.contains(parent) || !holds(&pred, &mut |e| eval(env.view, rec, e)) {
                return;
            }
            groups
                .entry(parent.to_string())
                .or_default()
                .push(env.hit(rec, &sub.order_by, seq));
            seq += 1;
        });
    let mut recs: Vec<&StoredRecord> = Vec::new();
    let mut spans: Vec<(String, usize)> = Vec::with_capacity(groups.len());
    for (parent, mut hits) in groups {
        window(&mut hits, &sub.order_by, offset, limit);
        let before = recs.len();
        recs.extend(hits.iter().filter_map(|h| env.view.get_any(&h.id)));
        spans.push((parent, recs.len() - before));
    }
    let mut rows = rows(env, sub, &recs)?.into_iter();
    Ok(spans
        .into_iter()
        .map(|(parent, n)| (parent, rows.by_ref().take(n).collect()))
        .collect())
}
