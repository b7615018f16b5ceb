//! A parsed query with every name resolved to its canonical API name.

use std::fmt::Write;

use crate::vm::platform::field_value::FieldValue;
use crate::vm::schema::FieldType;
use crate::vm::types::SObjectTypeId;

/// A parsed, resolved query (or subquery).
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The queried type (for a child subquery: the child type).
    pub sobject: SObjectTypeId,
    /// Its canonical API name.
    pub object_name: String,
    /// For a child subquery: the canonical child relationship name and the
    /// lower-case lookup field on the child that points at the parent.
    pub child_of: Option<(String, String)>,
    /// `SELECT COUNT()`.
    pub count_only: bool,
    /// The select list in order (empty for `COUNT()`).
    pub select: Vec<SelectItem>,
    pub filter: Option<Condition>,
    pub group_by: Vec<Expr>,
    pub having: Option<Condition>,
    pub order_by: Vec<OrderBy>,
    /// `Literal(Int)` or a bind.
    pub limit: Option<Operand>,
    pub offset: Option<Operand>,
    /// `FOR UPDATE` (also `FOR VIEW` / `FOR REFERENCE`, kept as written upper-case).
    pub for_clauses: Vec<String>,
    /// `WITH SECURITY_ENFORCED`, `WITH USER_MODE`, ... as written upper-case; not enforced.
    pub with: Option<String>,
    /// `ALL ROWS`: deleted records too.
    pub all_rows: bool,
}

/// A bind a query uses: by the index the compiler assigned (inline) or by name (dynamic).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BindRef {
    Index(u32),
    Name(String),
}

/// One item of a select list.
#[derive(Debug, Clone, PartialEq)]
pub enum SelectItem {
    /// A field, parent path, date function or aggregate, maybe with an alias.
    Expr { expr: Expr, alias: Option<String> },
    /// A child relationship subquery.
    Children(Box<Query>),
    /// `TYPEOF rel WHEN Type THEN fields ... ELSE fields END`.
    TypeOf(TypeOf),
}

/// A polymorphic parent: which fields to read depends on the parent's type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeOf {
    /// The hops to the parent; the last one is the polymorphic relationship.
    pub hops: Vec<Hop>,
    /// (type, fields of that type).
    pub whens: Vec<(SObjectTypeId, String, Vec<FieldPath>)>,
    /// Fields (of the lookup's declared target) for any other type.
    pub otherwise: Vec<FieldPath>,
}

/// One step from a record to its parent through a lookup.
#[derive(Debug, Clone, PartialEq)]
pub struct Hop {
    /// Canonical relationship name (`Account`, `acme__Account__r`).
    pub relationship: String,
    /// Lower-case lookup field holding the parent id (`accountid`).
    pub lookup: String,
    pub target: SObjectTypeId,
}

/// A field of the queried record or of one of its ancestors.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldPath {
    pub hops: Vec<Hop>,
    /// Canonical API name.
    pub name: String,
    /// Lower-case API name (the key records store it under).
    pub lower: String,
    pub ty: FieldType,
    /// The type that owns the field.
    pub object: SObjectTypeId,
}

impl FieldPath {
    /// `Account.Owner.Name`.
    pub fn dotted(&self) -> String {
        let mut s = String::new();
        for h in &self.hops {
            s.push_str(&h.relationship);
            s.push('.');
        }
        s.push_str(&self.name);
        s
    }
}

/// Aggregate functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    Count,
    CountDistinct,
    Sum,
    Avg,
    Min,
    Max,
}

impl Aggregate {
    /// The SOQL spelling.
    pub fn name(self) -> &'static str {
        match self {
            Aggregate::Count => "COUNT",
            Aggregate::CountDistinct => "COUNT_DISTINCT",
            Aggregate::Sum => "SUM",
            Aggregate::Avg => "AVG",
            Aggregate::Min => "MIN",
            Aggregate::Max => "MAX",
        }
    }
}

/// Date functions (calendar = fiscal: the fiscal year starts in January).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateFunction {
    CalendarMonth,
    CalendarQuarter,
    CalendarYear,
    DayInMonth,
    DayInWeek,
    DayInYear,
    DayOnly,
    FiscalMonth,
    FiscalQuarter,
    FiscalYear,
    HourInDay,
    WeekInMonth,
    WeekInYear,
}

impl DateFunction {
    const ALL: [(DateFunction, &'static str); 13] = [
        (DateFunction::CalendarMonth, "CALENDAR_MONTH"),
        (DateFunction::CalendarQuarter, "CALENDAR_QUARTER"),
        (DateFunction::CalendarYear, "CALENDAR_YEAR"),
        (DateFunction::DayInMonth, "DAY_IN_MONTH"),
        (DateFunction::DayInWeek, "DAY_IN_WEEK"),
        (DateFunction::DayInYear, "DAY_IN_YEAR"),
        (DateFunction::DayOnly, "DAY_ONLY"),
        (DateFunction::FiscalMonth, "FISCAL_MONTH"),
        (DateFunction::FiscalQuarter, "FISCAL_QUARTER"),
        (DateFunction::FiscalYear, "FISCAL_YEAR"),
        (DateFunction::HourInDay, "HOUR_IN_DAY"),
        (DateFunction::WeekInMonth, "WEEK_IN_MONTH"),
        (DateFunction::WeekInYear, "WEEK_IN_YEAR"),
    ];

    /// By SOQL name, case-insensitively.
    pub fn by_name(name: &str) -> Option<DateFunction> {
        Self::ALL
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(name))
            .map(|(f, _)| *f)
    }

    /// The SOQL spelling.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(f, _)| *f == self)
            .map(|(_, n)| *n)
            .unwrap_or("")
    }
}

/// A value a query reads or computes.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Field(FieldPath),
    Date(DateFunction, FieldPath),
    /// An aggregate; `None` for `COUNT()` with no argument.
    Aggregate(Aggregate, Option<FieldPath>),
}

impl Expr {
    /// Whether this is an aggregate function.
    pub fn is_aggregate(&self) -> bool {
        matches!(self, Expr::Aggregate(..))
    }

    /// The field it reads, if any.
    pub fn field(&self) -> Option<&FieldPath> {
        match self {
            Expr::Field(f) | Expr::Date(_, f) | Expr::Aggregate(_, Some(f)) => Some(f),
            Expr::Aggregate(_, None) => None,
        }
    }

    fn write(&self, out: &mut String) {
        match self {
            Expr::Field(f) => out.push_str(&f.dotted()),
            Expr::Date(d, f) => {
                let _ = write!(out, "{}({})", d.name(), f.dotted());
            }
            Expr::Aggregate(a, f) => {
                let arg = f.as_ref().map(FieldPath::dotted).unwrap_or_default();
                let _ = write!(out, "{}({arg})", a.name());
            }
        }
    }
}

/// A WHERE or HAVING condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Not(Box<Condition>),
    Compare { left: Expr, op: Op, right: Operand },
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Like,
    In,
    NotIn,
    Includes,
    Excludes,
}

impl Op {
    /// The SOQL spelling.
    pub fn text(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Like => "LIKE",
            Op::In => "IN",
            Op::NotIn => "NOT IN",
            Op::Includes => "INCLUDES",
            Op::Excludes => "EXCLUDES",
        }
    }

    /// Whether the right side is a set (`IN`, `NOT IN`, `INCLUDES`, `EXCLUDES`).
    pub fn is_set(self) -> bool {
        matches!(self, Op::In | Op::NotIn | Op::Includes | Op::Excludes)
    }
}

/// The right side of a comparison, or a LIMIT / OFFSET; binds are filled in at run time.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Literal(FieldValue),
    /// `TODAY`, `LAST_N_DAYS:7`, ...
    DateLiteral(DateLiteral),
    /// `('a', 'b', :c)`.
    List(Vec<Operand>),
    /// An inline bind, by the index the compiler assigned.
    Bind(u32),
    /// A dynamic bind by name: `:name` or `:a.b`.
    NamedBind(String),
    /// A semi-join: `Id IN (SELECT AccountId FROM Contact)`.
    SubQuery(Box<Query>),
}

/// A relative date range such as `THIS_MONTH` or `LAST_N_DAYS:30`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateLiteral {
    /// Upper-case as written: `THIS_MONTH`, `LAST_N_DAYS:30`.
    pub text: String,
    pub unit: DateUnit,
    pub kind: DateRangeKind,
}

/// The unit of a relative date literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateUnit {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

/// Which periods a relative date literal covers, counted from the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateRangeKind {
    /// The single period `n` periods from the current one (`LAST_MONTH` is -1,
    /// `N_DAYS_AGO:3` is -3, `TODAY` is 0).
    Single(i64),
    /// `LAST_N_x:n`: the n periods before the current one (for days: and today).
    LastN(i64),
    /// `NEXT_N_x:n`: the n periods after the current one.
    NextN(i64),
}

/// One ORDER BY key.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderBy {
    pub expr: Expr,
    pub descending: bool,
    /// `NULLS FIRST` / `NULLS LAST` as written; the default is first for ASC, last for DESC.
    pub nulls_first: Option<bool>,
}

impl OrderBy {
    /// Whether nulls sort first, with the default applied.
    pub fn nulls_first(&self) -> bool {
        self.nulls_first.unwrap_or(!self.descending)
    }
}

impl Query {
    /// `SELECT COUNT()`.
    pub fn is_count(&self) -> bool {
        self.count_only
    }

    /// Whether the query gives aggregate rows (an aggregate function or GROUP BY).
    pub fn has_aggregates(&self) -> bool {
        !self.count_only
            && (!self.group_by.is_empty()
                || self
                    .select
                    .iter()
                    .any(|s| matches!(s, SelectItem::Expr { expr, .. } if expr.is_aggregate())))
    }

    /// `FOR UPDATE`.
    pub fn for_update(&self) -> bool {
        self.for_clauses.iter().any(|f| f == "UPDATE")
    }

    /// Every bind the query uses, subqueries included, in the order they appear.
    pub fn binds(&self) -> Vec<BindRef> {
        let mut out = Vec::new();
        self.visit_binds(&mut |o| match o {
            Operand::Bind(i) => out.push(BindRef::Index(*i)),
            Operand::NamedBind(n) => out.push(BindRef::Name(n.clone())),
            _ => {}
        });
        out
    }

    fn visit_binds(&self, f: &mut dyn FnMut(&Operand)) {
        for s in &self.select {
            if let SelectItem::Children(q) = s {
                q.visit_binds(f);
            }
        }
        for c in [&self.filter, &self.having].into_iter().flatten() {
            c.visit_operands(f);
        }
        for o in [&self.limit, &self.offset].into_iter().flatten() {
            visit_operand(o, f);
        }
    }

    /// The normalised query text for debug logs: canonical names, upper-case
    /// keywords, inline binds as `:tmpVar1`, `:tmpVar2`, ... in order.
    pub fn to_soql(&self) -> String {
        let mut out = String::new();
        let mut n = 0;
        self.write(&mut out, &mut n);
        out
    }

    fn write(&self, out: &mut String, n: &mut u32) {
        out.push_str("SELECT ");
        if self.count_only {
            out.push_str("COUNT()");
        }
        for (i, s) in self.select.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            match s {
                SelectItem::Expr { expr, alias } => {
                    expr.write(out);
                    if let Some(a) = alias {
                        out.push(' ');
                        out.push_str(a);
                    }
                }
                SelectItem::Children(q) => {
                    out.push('(');
                    q.write(out, n);
                    out.push(')');
                }
                SelectItem::TypeOf(t) => t.write(out),
            }
        }
        out.push_str(" FROM ");
        match &self.child_of {
            Some((rel, _)) => out.push_str(rel),
            None => out.push_str(&self.object_name),
        }
        if let Some(w) = &self.filter {
            out.push_str(" WHERE ");
            w.write(out, n);
        }
        if let Some(w) = &self.with {
            let _ = write!(out, " WITH {w}");
        }
        if !self.group_by.is_empty() {
            out.push_str(" GROUP BY ");
            for (i, g) in self.group_by.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                g.write(out);
            }
        }
        if let Some(h) = &self.having {
            out.push_str(" HAVING ");
            h.write(out, n);
        }
        if !self.order_by.is_empty() {
            out.push_str(" ORDER BY ");
            for (i, o) in self.order_by.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                o.expr.write(out);
                if o.descending {
                    out.push_str(" DESC");
                }
                match o.nulls_first {
                    Some(true) => out.push_str(" NULLS FIRST"),
                    Some(false) => out.push_str(" NULLS LAST"),
                    None => {}
                }
            }
        }
        if let Some(l) = &self.limit {
            out.push_str(" LIMIT ");
            l.write(out, n);
        }
        if let Some(o) = &self.offset {
            out.push_str(" OFFSET ");
            o.write(out, n);
        }
        if !self.for_clauses.is_empty() {
            let _ = write!(out, " FOR {}", self.for_clauses.join(", "));
        }
        if self.all_rows {
            out.push_str(" ALL ROWS");
        }
    }
}

impl TypeOf {
    fn write(&self, out: &mut String) {
        let path: Vec<&str> = self.hops.iter().map(|h| h.relationship.as_str()).collect();
        let _ = write!(out, "TYPEOF {}", path.join("."));
        let list = |fs: &[FieldPath]| {
            fs.iter()
                .map(FieldPath::dotted)
                .collect::<Vec<_>>()
                .join(", ")
        };
        for (_, name, fs) in &self.whens {
            let _ = write!(out, " WHEN {name} THEN {}", list(fs));
        }
        if !self.otherwise.is_empty() {
            let _ = write!(out, " ELSE {}", list(&self.otherwise));
        }
        out.push_str(" END");
    }
}

impl Condition {
    fn visit_operands(&self, f: &mut dyn FnMut(&Operand)) {
        match self {
            Condition::And(cs) | Condition::Or(cs) => cs.iter().for_each(|c| c.visit_operands(f)),
            Condition::Not(c) => c.visit_operands(f),
            Condition::Compare { right, .. } => visit_operand(right, f),
        }
    }

    fn write(&self, out: &mut String, n: &mut u32) {
        match self {
            Condition::And(cs) | Condition::Or(cs) => {
                let sep = if matches!(self, Condition::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                for (i, c) in cs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(sep);
                    }
                    let paren =
                        matches!(c, Condition::And(_) | Condition::Or(_) | Condition::Not(_));
                    if paren {
                        out.push('(');
                    }
                    c.write(out, n);
                    if paren {
                        out.push(')');
                    }
                }
            }
            Condition::Not(c) => {
                out.push_str("NOT (");
                c.write(out, n);
                out.push(')');
            }
            Condition::Compare { left, op, right } => {
                left.write(out);
                let _ = write!(out, " {} ", op.text());
                match (op, right) {
                    // LIKE patterns keep their escapes as written.
                    (Op::Like, Operand::Literal(FieldValue::Str(s))) => {
                        let _ = write!(out, "'{}'", s.replace('\'', "\\'"));
                    }
                    _ => right.write(out, n),
                }
            }
        }
    }
}

fn visit_operand(o: &Operand, f: &mut dyn FnMut(&Operand)) {
    match o {
        Operand::List(items) => items.iter().for_each(|i| visit_operand(i, f)),
        Operand::SubQuery(q) => q.visit_binds(f),
        _ => f(o),
    }
}

impl Operand {
    fn write(&self, out: &mut String, n: &mut u32) {
        match self {
            Operand::Literal(v) => write_literal(v, out),
            Operand::DateLiteral(d) => out.push_str(&d.text),
            Operand::List(items) => {
                out.push('(');
                for (i, it) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    it.write(out, n);
                }
                out.push(')');
            }
            Operand::Bind(_) => {
                *n += 1;
                let _ = write!(out, ":tmpVar{n}");
            }
            Operand::NamedBind(name) => {
                out.push(':');
                out.push_str(name);
            }
            Operand::SubQuery(q) => {
                out.push('(');
                q.write(out, n);
                out.push(')');
            }
        }
    }
}

fn write_literal(v: &FieldValue, out: &mut String) {
    match v {
        FieldValue::Null => out.push_str("null"),
        FieldValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        FieldValue::Int(i) => {
            let _ = write!(out, "{i}");
        }
        FieldValue::Dec(d) => {
            let _ = write!(out, "{d}");
        }
        FieldValue::Double(d) => {
            let _ = write!(out, "{d}");
        }
        FieldValue::Str(s) | FieldValue::Id(s) => {
            out.push('\'');
            for c in s.chars() {
                match c {
                    '\'' => out.push_str("\\'"),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    c => out.push(c),
                }
            }
            out.push('\'');
        }
        FieldValue::Date(d) => {
            let _ = write!(out, "{}", d.format("%Y-%m-%d"));
        }
        FieldValue::Datetime(d) => {
            let _ = write!(out, "{}", d.format("%Y-%m-%dT%H:%M:%SZ"));
        }
        FieldValue::Time(t) => {
            let _ = write!(out, "{}", t.format("%H:%M:%S%.3fZ"));
        }
    }
}
