//! Running a [`Query`] over a [`View`].
//!
//! The view is borrowed under the org's lock, so the work there is kept small:
//! binds and date literals are resolved once into a predicate, records are
//! tested in place, and only the ids and sort keys of matches are copied. After
//! ORDER BY, OFFSET and LIMIT the surviving records are looked up again by id
//! and projected into [`Row`]s.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashSet;

use chrono::{NaiveDate, NaiveDateTime};

use super::ast::{
    BindRef, Condition, Expr, FieldPath, Hop, Op, Operand, OrderBy, Query, SelectItem,
};
use super::values::{
    Key, Like, SortKey, SortKeys, cmp_keys, cmp_with_key, compare, equals, is_id_type, is_valid_id,
};
use super::{BindValue, QueryResult, SoqlError, aggregate, dates, project};
use crate::vm::platform::field_value::FieldValue;
use crate::vm::platform::store::{StoredRecord, View};
use crate::vm::schema::FieldType;

/// The largest OFFSET Salesforce accepts.
const MAX_OFFSET: i64 = 2000;

/// Runs a query. `binds` gives each bind's value (an `Err` becomes the query's
/// error message); `today` anchors date literals such as `THIS_WEEK`. `now` is
/// the request's clock; date literals cover whole days, so only `today` is read.
pub fn execute(
    q: &Query,
    view: &View<'_>,
    binds: &dyn Fn(&BindRef) -> Result<BindValue, String>,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<QueryResult, SoqlError> {
    // Date literals cover whole days, so the time of day does not matter.
    let _ = now;
    let env = Env { view, binds, today };
    if q.count_only {
        return count(&env, q).map(QueryResult::Count);
    }
    if q.has_aggregates() {
        return aggregate::run(&env, q).map(QueryResult::Aggregates);
    }
    let pred = env.predicate(q.filter.as_ref())?;
    let (offset, limit) = env.bounds(q)?;
    let hits = env.collect(q.sobject, q.all_rows, &pred, &q.order_by, offset, limit);
    let recs: Vec<&StoredRecord> = hits.iter().filter_map(|h| view.get_any(&h.id)).collect();
    project::rows(&env, q, &recs).map(QueryResult::Rows)
}

/// What a running query reads: the records, the binds and the date.
pub(super) struct Env<'e, 'v> {
    pub view: &'e View<'v>,
    binds: &'e dyn Fn(&BindRef) -> Result<BindValue, String>,
    today: NaiveDate,
}

static NULL: FieldValue = FieldValue::Null;

/// The parent a chain of lookups leads to, if every lookup is set and live.
pub(super) fn follow<'r>(
    view: &'r View<'_>,
    mut rec: &'r StoredRecord,
    hops: &[Hop],
) -> Option<&'r StoredRecord> {
    for h in hops {
        let id = rec.get(&h.lookup).as_text().filter(|s| !s.is_empty())?;
        rec = view.get(id)?;
    }
    Some(rec)
}

/// A field of a record as a query sees it: the id and the deleted flag come from
/// the record itself, an unset checkbox is false, and a person's `Name` formula
/// is computed when it was not stored.
pub(super) fn field<'r>(rec: &'r StoredRecord, lower: &str, ty: FieldType) -> Cow<'r, FieldValue> {
    match lower {
        "id" => match rec.fields.get("id") {
            Some(v @ FieldValue::Id(_)) => Cow::Borrowed(v),
            _ => Cow::Owned(FieldValue::Id(rec.id.clone())),
        },
        "isdeleted" => Cow::Owned(FieldValue::Bool(rec.deleted)),
        _ => {
            let v = rec.get(lower);
            if !v.is_blank() {
                return Cow::Borrowed(v);
            }
            match ty {
                FieldType::Checkbox => Cow::Owned(FieldValue::Bool(false)),
                FieldType::Formula if lower == "name" => {
                    let part = |k: &str| rec.get(k).as_text().unwrap_or("").to_string();
                    let full = format!("{} {}", part("firstname"), part("lastname"));
                    match full.trim() {
                        "" => Cow::Borrowed(&NULL),
                        t => Cow::Owned(FieldValue::Str(t.to_string())),
                    }
                }
                _ => Cow::Borrowed(v),
            }
        }
    }
}

/// A field path's value on a record; null when a lookup on the way is empty.
pub(super) fn path_value<'r>(
    view: &'r View<'_>,
    rec: &'r StoredRecord,
    p: &FieldPath,
) -> Cow<'r, FieldValue> {
    match follow(view, rec, &p.hops) {
        Some(r) => field(r, &p.lower, p.ty),
        None => Cow::Borrowed(&NULL),
    }
}

/// A non-aggregate expression's value on a record (aggregates read as null).
pub(super) fn eval<'r>(view: &'r View<'_>, rec: &'r StoredRecord, e: &Expr) -> Cow<'r, FieldValue> {
    match e {
        Expr::Field(p) => path_value(view, rec, p),
        Expr::Date(f, p) => Cow::Owned(dates::apply(*f, &path_value(view, rec, p))),
        Expr::Aggregate(..) => Cow::Borrowed(&NULL),
    }
}

/// Whether an expression's values are record ids.
pub(super) fn is_id_expr(e: &Expr) -> bool {
    matches!(e, Expr::Field(f) if is_id_type(f.ty))
}

/// A condition with binds and date literals resolved.
pub(super) enum Pred<'q> {
    True,
    False,
    And(Vec<Pred<'q>>),
    Or(Vec<Pred<'q>>),
    Not(Box<Pred<'q>>),
    Test(&'q Expr, Test),
}

/// One resolved comparison.
pub(super) enum Test {
    /// `= null` (false) or `!= null` (true).
    IsNull(bool),
    /// A comparison with a value; the flag says the values are ids.
    Cmp(Op, FieldValue, bool),
    /// A comparison with a date range `[start, end)`.
    Range(Op, NaiveDateTime, NaiveDateTime),
    /// `IN` (false) / `NOT IN` (true): keys, whether null is in the list, negated, ids.
    In(HashSet<Key>, bool, bool, bool),
    Like(Like),
    /// `INCLUDES` (false) / `EXCLUDES` (true): groups of `;`-joined values.
    Includes(Vec<Vec<String>>, bool),
}

/// A right-hand side with binds filled in.
enum Resolved {
    One(FieldValue),
    Many(Vec<FieldValue>),
    Range(NaiveDateTime, NaiveDateTime),
    Keys(HashSet<Key>),
}

/// Whether a resolved condition holds, reading values through `get`.
pub(super) fn holds<'x>(p: &Pred, get: &mut dyn FnMut(&Expr) -> Cow<'x, FieldValue>) -> bool {
    match p {
        Pred::True => true,
        Pred::False => false,
        Pred::And(ps) => ps.iter().all(|p| holds(p, get)),
        Pred::Or(ps) => ps.iter().any(|p| holds(p, get)),
        Pred::Not(p) => !holds(p, get),
        Pred::Test(e, t) => test(t, &get(e)),
    }
}

fn test(t: &Test, x: &FieldValue) -> bool {
    match t {
        Test::IsNull(negated) => x.is_blank() != *negated,
        // SOQL's != matches nulls, unlike SQL's.
        Test::Cmp(op, _, _) if x.is_blank() => *op == Op::Ne,
        Test::Cmp(Op::Eq, v, id) => equals(x, v, *id),
        Test::Cmp(Op::Ne, v, id) => !equals(x, v, *id),
        Test::Cmp(op, v, _) => compare(x, v).is_some_and(|o| match op {
            Op::Lt => o.is_lt(),
            Op::Le => o.is_le(),
            Op::Gt => o.is_gt(),
            Op::Ge => o.is_ge(),
            _ => false,
        }),
        Test::Range(op, start, end) => {
            let d = match x {
                FieldValue::Date(d) => d.and_hms_opt(0, 0, 0).unwrap_or_default(),
                FieldValue::Datetime(d) => *d,
                _ => return *op == Op::Ne,
            };
            let inside = *start <= d && d < *end;
            match op {
                Op::Eq => inside,
                Op::Ne => !inside,
                Op::Lt => d < *start,
                Op::Le => d < *end,
                Op::Gt => d >= *end,
                Op::Ge => d >= *start,
                _ => false,
            }
        }
        Test::In(keys, has_null, negated, id) => {
            let hit = if x.is_blank() {
                *has_null
            } else {
                keys.contains(&Key::of(x, *id))
            };
            hit != *negated
        }
        Test::Like(p) => x.as_text().is_some_and(|s| !s.is_empty() && p.matches(s)),
        Test::Includes(groups, negated) => {
            let Some(s) = x.as_text().filter(|s| !s.is_empty()) else {
                return *negated;
            };
            let have: Vec<String> = s.split(';').map(|p| p.trim().to_lowercase()).collect();
            groups.iter().any(|g| g.iter().all(|v| have.contains(v))) != *negated
        }
    }
}

/// One matching record: its id, its ORDER BY keys and its position in the scan.
pub(super) struct Hit {
    pub id: String,
    pub keys: SortKeys,
    pub seq: usize,
}

/// The matches worth keeping for ORDER BY with OFFSET + LIMIT = `want`: once
/// enough are in hand, a match that sorts after the worst kept one is dropped
/// without copying anything (under the org lock, most of them).
struct TopK<'o> {
    order: &'o [OrderBy],
    dirs: Vec<(bool, bool)>,
    ids: Vec<bool>,
    want: Option<usize>,
    hits: Vec<Hit>,
    /// The keys of the last hit kept at the latest pruning.
    worst: Option<SortKeys>,
}

impl<'o> TopK<'o> {
    fn new(order: &'o [OrderBy], want: Option<usize>) -> TopK<'o> {
        TopK {
            order,
            dirs: order
                .iter()
                .map(|o| (o.descending, o.nulls_first()))
                .collect(),
            ids: order.iter().map(|o| is_id_expr(&o.expr)).collect(),
            want,
            hits: Vec::new(),
            worst: None,
        }
    }

    /// Without ORDER BY the first `want` matches are the answer.
    fn full(&self) -> bool {
        self.want == Some(0)
            || (self.order.is_empty() && self.want.is_some_and(|w| self.hits.len() >= w))
    }

    fn offer(&mut self, env: &Env, rec: &StoredRecord, seq: usize) {
        if let Some(worst) = &self.worst {
            let mut ord = Ordering::Equal;
            for (i, o) in self.order.iter().enumerate() {
                let v = eval(env.view, rec, &o.expr);
                ord = cmp_with_key(&v, self.ids[i], &worst[i], self.dirs[i]);
                if ord != Ordering::Equal {
                    break;
                }
            }
            // On equal keys the kept hit came first in the scan, so it stays ahead.
            if ord != Ordering::Less {
                return;
            }
        }
        self.hits.push(env.hit(rec, self.order, seq));
        let Some(k) = self.want.filter(|_| !self.order.is_empty()) else {
            return;
        };
        if self.hits.len() >= k.saturating_mul(2).max(64) {
            let dirs = &self.dirs;
            self.hits.select_nth_unstable_by(k - 1, |a, b| {
                cmp_keys(&a.keys, &b.keys, dirs).then(a.seq.cmp(&b.seq))
            });
            self.hits.truncate(k);
            self.worst = Some(self.hits[k - 1].keys.clone());
        }
    }
}

/// Sorts hits by ORDER BY (scan order breaks ties), then applies OFFSET and LIMIT.
pub(super) fn window(hits: &mut Vec<Hit>, order: &[OrderBy], offset: usize, limit: Option<usize>) {
    if limit == Some(0) {
        hits.clear();
        return;
    }
    if !order.is_empty() {
        let dirs: Vec<(bool, bool)> = order
            .iter()
            .map(|o| (o.descending, o.nulls_first()))
            .collect();
        let cmp = |a: &Hit, b: &Hit| cmp_keys(&a.keys, &b.keys, &dirs).then(a.seq.cmp(&b.seq));
        // Only the first OFFSET + LIMIT need sorting: select them first.
        if let Some(k) = limit
            .map(|l| offset.saturating_add(l))
            .filter(|&k| k < hits.len())
        {
            hits.select_nth_unstable_by(k - 1, cmp);
            hits.truncate(k);
        }
        hits.sort_unstable_by(cmp);
    }
    hits.drain(..offset.min(hits.len()));
    if let Some(l) = limit {
        hits.truncate(l);
    }
}

impl Env<'_, '_> {
    fn bind(&self, r: BindRef) -> Result<Resolved, SoqlError> {
        Ok(match (self.binds)(&r).map_err(SoqlError::new)? {
            BindValue::One(v) => Resolved::One(v),
            BindValue::Many(vs) => Resolved::Many(vs),
            BindValue::Records(ids) => {
                Resolved::Many(ids.into_iter().map(FieldValue::Id).collect())
            }
        })
    }

    fn resolve(&self, o: &Operand, id: bool) -> Result<Resolved, SoqlError> {
        Ok(match o {
            Operand::Literal(v) => Resolved::One(v.clone()),
            Operand::DateLiteral(d) => {
                let (s, e) = dates::range(d, self.today);
                let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).unwrap_or_default();
                Resolved::Range(midnight(s), midnight(e))
            }
            Operand::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for it in items {
                    match self.resolve(it, id)? {
                        Resolved::One(v) => out.push(v),
                        Resolved::Many(vs) => out.extend(vs),
                        _ => return Err(SoqlError::new("unexpected token: '('")),
                    }
                }
                Resolved::Many(out)
            }
            Operand::Bind(i) => self.bind(BindRef::Index(*i))?,
            Operand::NamedBind(n) => self.bind(BindRef::Name(n.clone()))?,
            Operand::SubQuery(q) => Resolved::Keys(self.semi_join(q, id)?),
        })
    }

    /// The values the inner query of `x IN (SELECT f FROM ...)` selects.
    fn semi_join(&self, q: &Query, id: bool) -> Result<HashSet<Key>, SoqlError> {
        let Some(SelectItem::Expr { expr, .. }) = q.select.first() else {
            return Ok(HashSet::new());
        };
        let pred = self.predicate(q.filter.as_ref())?;
        let mut keys = HashSet::new();
        self.view.scan(q.sobject, q.all_rows, &mut |rec| {
            if holds(&pred, &mut |e| eval(self.view, rec, e)) {
                let v = eval(self.view, rec, expr);
                if !v.is_blank() {
                    keys.insert(Key::of(&v, id));
                }
            }
        });
        Ok(keys)
    }

    /// Resolves a WHERE or HAVING condition; no condition always holds.
    pub(super) fn predicate<'q>(&self, c: Option<&'q Condition>) -> Result<Pred<'q>, SoqlError> {
        match c {
            None => Ok(Pred::True),
            Some(c) => self.prepare(c),
        }
    }

    fn prepare<'q>(&self, c: &'q Condition) -> Result<Pred<'q>, SoqlError> {
        let all = |cs: &'q [Condition]| {
            cs.iter()
                .map(|c| self.prepare(c))
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(match c {
            Condition::And(cs) => Pred::And(all(cs)?),
            Condition::Or(cs) => Pred::Or(all(cs)?),
            Condition::Not(c) => Pred::Not(Box::new(self.prepare(c)?)),
            Condition::Compare { left, op, right } => {
                let id = is_id_expr(left);
                let r = self.resolve(right, id)?;
                match make_test(*op, r, id)? {
                    Some(t) => Pred::Test(left, t),
                    None => Pred::False,
                }
            }
        })
    }

    fn count_value(&self, o: &Operand, what: &str) -> Result<usize, SoqlError> {
        let v = match self.resolve(o, false)? {
            Resolved::One(v) => v,
            _ => return Err(SoqlError::new(format!("{what} must be an integer"))),
        };
        let n = match v {
            FieldValue::Int(i) => i,
            FieldValue::Dec(d) if d.fract().is_zero() => d.try_into().unwrap_or(i64::MAX),
            _ => return Err(SoqlError::new(format!("{what} must be an integer"))),
        };
        if n < 0 {
            return Err(SoqlError::new(format!(
                "{what} must be a non-negative integer"
            )));
        }
        if what == "OFFSET" && n > MAX_OFFSET {
            return Err(SoqlError::new(format!(
                "Maximum SOQL offset allowed is {MAX_OFFSET}"
            )));
        }
        Ok(n as usize)
    }

    /// The query's OFFSET (0 when absent) and LIMIT.
    pub(super) fn bounds(&self, q: &Query) -> Result<(usize, Option<usize>), SoqlError> {
        let offset = match &q.offset {
            Some(o) => self.count_value(o, "OFFSET")?,
            None => 0,
        };
        let limit = q
            .limit
            .as_ref()
            .map(|l| self.count_value(l, "LIMIT"))
            .transpose()?;
        Ok((offset, limit))
    }

    /// The matching records of a type, sorted and windowed.
    pub(super) fn collect(
        &self,
        ty: crate::vm::types::SObjectTypeId,
        all_rows: bool,
        pred: &Pred,
        order: &[OrderBy],
        offset: usize,
        limit: Option<usize>,
    ) -> Vec<Hit> {
        let mut top = TopK::new(order, limit.map(|l| offset.saturating_add(l)));
        let mut seq = 0;
        self.view.scan(ty, all_rows, &mut |rec| {
            if top.full() || !holds(pred, &mut |e| eval(self.view, rec, e)) {
                return;
            }
            top.offer(self, rec, seq);
            seq += 1;
        });
        let mut hits = top.hits;
        window(&mut hits, order, offset, limit);
        hits
    }

    /// A matching record's id and sort keys.
    pub(super) fn hit(&self, rec: &StoredRecord, order: &[OrderBy], seq: usize) -> Hit {
        let keys = order
            .iter()
            .map(|o| SortKey::of(&eval(self.view, rec, &o.expr), is_id_expr(&o.expr)))
            .collect();
        Hit {
            id: rec.id.clone(),
            keys,
            seq,
        }
    }
}

/// Rejects a string that is not an id where ids are compared.
fn check_id(v: &FieldValue, id: bool) -> Result<(), SoqlError> {
    match v.as_text() {
        Some(s) if id && !s.is_empty() && !is_valid_id(s) => {
            Err(SoqlError::new(format!("invalid ID field: {s}")))
        }
        _ => Ok(()),
    }
}

/// The test for `op` against a resolved right side; `None` when it can never hold.
fn make_test(op: Op, r: Resolved, id: bool) -> Result<Option<Test>, SoqlError> {
    let bad = || SoqlError::new(format!("invalid bind value for operator {}", op.text()));
    Ok(Some(match (op, r) {
        (Op::Eq | Op::Ne, Resolved::One(v)) if v.is_blank() => Test::IsNull(op == Op::Ne),
        (Op::Lt | Op::Le | Op::Gt | Op::Ge | Op::Like, Resolved::One(v)) if v.is_blank() => {
            return Ok(None);
        }
        (Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge, Resolved::One(v)) => {
            check_id(&v, id)?;
            Test::Cmp(op, v, id)
        }
        (Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge, Resolved::Range(s, e)) => {
            Test::Range(op, s, e)
        }
        (Op::Like, Resolved::One(v)) => Test::Like(Like::new(v.as_text().ok_or_else(bad)?)),
        (Op::Eq | Op::Ne, Resolved::Many(vs)) => {
            return make_test(
                if op == Op::Eq { Op::In } else { Op::NotIn },
                Resolved::Many(vs),
                id,
            );
        }
        (Op::In | Op::NotIn, Resolved::One(v)) => {
            return make_test(op, Resolved::Many(vec![v]), id);
        }
        (Op::In | Op::NotIn, Resolved::Many(vs)) => {
            let mut keys = HashSet::with_capacity(vs.len());
            let mut has_null = false;
            for v in &vs {
                check_id(v, id)?;
                if v.is_blank() {
                    has_null = true;
                } else {
                    keys.insert(Key::of(v, id));
                }
            }
            Test::In(keys, has_null, op == Op::NotIn, id)
        }
        (Op::In | Op::NotIn, Resolved::Keys(keys)) => Test::In(keys, false, op == Op::NotIn, id),
        (Op::Includes | Op::Excludes, Resolved::One(v)) => {
            return make_test(op, Resolved::Many(vec![v]), id);
        }
        (Op::Includes | Op::Excludes, Resolved::Many(vs)) => {
            let groups = vs
                .iter()
                .filter_map(|v| v.as_text())
                .map(|s| s.split(';').map(|p| p.trim().to_lowercase()).collect())
                .collect();
            Test::Includes(groups, op == Op::Excludes)
        }
        _ => return Err(bad()),
    }))
}

/// `SELECT COUNT()`: the number of matches after OFFSET and LIMIT.
fn count(env: &Env, q: &Query) -> Result<i64, SoqlError> {
    let pred = env.predicate(q.filter.as_ref())?;
    let (offset, limit) = env.bounds(q)?;
    let mut n: usize = 0;
    env.view.scan(q.sobject, q.all_rows, &mut |rec| {
        if holds(&pred, &mut |e| eval(env.view, rec, e)) {
            n += 1;
        }
    });
    let mut n = n.saturating_sub(offset);
    if let Some(l) = limit {
        n = n.min(l);
    }
    Ok(n as i64)
}
