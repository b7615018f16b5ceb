//! Building a [`Query`] from tree-sitter nodes (the Apex grammar's inline
//! `soql_query_body`, or the SOQL grammar's for dynamic text), resolving every
//! name against the schema.

use std::cell::RefCell;
use std::collections::HashMap;

use tree_sitter::Node;

use super::ast::*;
use super::dynamic::{self, Placeholder};
use super::names::{bad_child_relationship, unknown_object};
use super::values::is_number_type;
use super::{NameContext, SoqlError, dates, literals};
use crate::vm::platform::field_value::FieldValue;
use crate::vm::schema::FieldType;
use crate::vm::types::SObjectTypeId;

/// Parses an inline query. `node` is the `query_expression` or its
/// `soql_query_body`; `src` the Apex source it comes from. `bind` is called for
/// the expression node of every `:expr` bind, in source order, and returns the
/// index the caller gave it; the query refers to it as `Operand::Bind(index)`.
pub fn parse_inline<'t>(
    node: Node<'t>,
    src: &str,
    ctx: &NameContext<'_>,
    bind: &mut dyn FnMut(Node<'t>) -> u32,
) -> Result<Query, SoqlError> {
    let body = if node.kind() == "soql_query_body" {
        Some(node)
    } else {
        named(node)
            .into_iter()
            .find(|c| c.kind() == "soql_query_body")
    };
    let Some(body) = body else {
        return Err(dynamic::syntax_error(node, src));
    };
    if body.has_error() {
        return Err(dynamic::syntax_error(body, src));
    }
    let mut p = Parser {
        src,
        ctx: *ctx,
        binds: Binds::Inline(bind),
    };
    p.query(body, Scope::Root)
}

thread_local! {
    static SOQL_PARSER: RefCell<Option<tree_sitter::Parser>> = const { RefCell::new(None) };
}

/// Parses a dynamic query (`Database.query`). Binds become `Operand::NamedBind`
/// (`:name`, or `"a.b"` for `:a.b`); a trailing `ALL ROWS` is honoured. Error
/// spans are byte ranges of `text`.
pub fn parse_dynamic(text: &str, ctx: &NameContext<'_>) -> Result<Query, SoqlError> {
    let pre = dynamic::prepare(text);
    let tree = SOQL_PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let parser = slot.get_or_insert_with(|| {
            let mut p = tree_sitter::Parser::new();
            p.set_language(&tree_sitter_sfapex::soql::LANGUAGE.into())
                .expect("the SOQL grammar matches the tree-sitter version");
            p
        });
        parser.parse(&pre.text, None)
    });
    let result = match &tree {
        None => Err(SoqlError::new("unexpected token: '<EOF>'")),
        Some(t) if t.root_node().has_error() => {
            Err(dynamic::syntax_error(t.root_node(), &pre.text))
        }
        Some(t) => match named(t.root_node())
            .into_iter()
            .find(|c| c.kind() == "soql_query_body")
        {
            None => Err(dynamic::syntax_error(t.root_node(), &pre.text)),
            Some(body) => {
                let mut p = Parser {
                    src: &pre.text,
                    ctx: *ctx,
                    binds: Binds::Dynamic(&pre.binds),
                };
                p.query(body, Scope::Root).map(|mut q| {
                    q.all_rows |= pre.all_rows;
                    q
                })
            }
        },
    };
    result.map_err(|mut e| {
        e.span = e
            .span
            .map(|s| pre.original_offset(s.start)..pre.original_offset(s.end).min(text.len()));
        e
    })
}

enum Binds<'t, 'a> {
    Inline(&'a mut dyn FnMut(Node<'t>) -> u32),
    Dynamic(&'a HashMap<usize, Placeholder>),
}

#[derive(Clone, Copy)]
enum Scope {
    /// A top-level query or a semi-join: FROM names an object.
    Root,
    /// A child subquery: FROM names a child relationship of this type.
    Child(SObjectTypeId),
}

/// The object a (sub)query reads and its FROM alias, for resolving field paths.
struct Level {
    ty: SObjectTypeId,
    alias: Option<String>,
}

/// A resolved FROM: the level, the object's canonical name and, for a child
/// subquery, (relationship name, lower-case lookup field).
type Source = (Level, String, Option<(String, String)>);

struct Parser<'t, 'a> {
    src: &'a str,
    ctx: NameContext<'a>,
    binds: Binds<'t, 'a>,
}

fn named(n: Node<'_>) -> Vec<Node<'_>> {
    let mut c = n.walk();
    n.named_children(&mut c).collect()
}

fn err(msg: impl Into<String>, n: Node) -> SoqlError {
    SoqlError::at(msg, n.byte_range())
}

impl<'t> Parser<'t, '_> {
    fn text(&self, n: Node) -> &str {
        &self.src[n.byte_range()]
    }

    fn dynamic(&self) -> bool {
        matches!(self.binds, Binds::Dynamic(_))
    }

    fn unexpected(&self, n: Node) -> SoqlError {
        let t = self.text(n).split_whitespace().next().unwrap_or("");
        err(format!("unexpected token: '{t}'"), n)
    }

    fn query(&mut self, body: Node<'t>, scope: Scope) -> Result<Query, SoqlError> {
        let from = body
            .child_by_field_name("from_clause")
            .ok_or_else(|| self.unexpected(body))?;
        let (lvl, object_name, child_of) = self.from(from, scope)?;
        let mut q = Query {
            sobject: lvl.ty,
            object_name,
            child_of,
            count_only: false,
            select: Vec::new(),
            filter: None,
            group_by: Vec::new(),
            having: None,
            order_by: Vec::new(),
            limit: None,
            offset: None,
            for_clauses: Vec::new(),
            with: None,
            all_rows: false,
        };
        if let Some(s) = body.child_by_field_name("select_clause") {
            self.select(s, &lvl, &mut q)?;
        }
        if let Some(w) = body.child_by_field_name("where_clause") {
            let c = w.named_child(0).ok_or_else(|| self.unexpected(w))?;
            q.filter = Some(self.cond(c, &lvl, false)?);
        }
        if let Some(g) = body.child_by_field_name("group_by_clause") {
            for ch in named(g) {
                if ch.kind() == "having_clause" {
                    let c = ch.named_child(0).ok_or_else(|| self.unexpected(ch))?;
                    q.having = Some(self.cond(c, &lvl, true)?);
                    continue;
                }
                let e = self.expr(ch, &lvl)?;
                if let Some(f) = e.field().filter(|f| f.ty == FieldType::LongText) {
                    return Err(err(
                        format!("field '{}' can not be grouped in a query call", f.name),
                        ch,
                    ));
                }
                q.group_by.push(e);
            }
        }
        if let Some(o) = body.child_by_field_name("order_by_clause") {
            for ch in named(o) {
                q.order_by.push(self.order(ch, &lvl)?);
            }
        }
        if let Some(l) = body.child_by_field_name("limit_clause") {
            q.limit = Some(self.count_operand(l)?);
        }
        if let Some(l) = body.child_by_field_name("offset_clause") {
            q.offset = Some(self.count_operand(l)?);
        }
        if let Some(f) = body.child_by_field_name("for_clause") {
            q.for_clauses = named(f)
                .iter()
                .map(|t| self.text(*t).to_ascii_uppercase())
                .collect();
        }
        if let Some(w) = body.child_by_field_name("with_clause") {
            let t = w.named_child(0).map(|t| self.text(t)).unwrap_or("");
            q.with = Some(t.to_ascii_uppercase());
        }
        q.all_rows = body.child_by_field_name("all_rows_clause").is_some();
        self.validate(&q, body)?;
        Ok(q)
    }

    fn from(&self, from: Node<'t>, scope: Scope) -> Result<Source, SoqlError> {
        let items = named(from);
        let item = *items.first().ok_or_else(|| self.unexpected(from))?;
        if let Some(extra) = items.get(1) {
            return Err(self.unexpected(*extra));
        }
        let (ident, alias) = match item.kind() {
            "storage_alias" => {
                let kids = named(item);
                let alias = kids.last().map(|a| self.text(*a).to_string());
                (kids[0], alias)
            }
            _ => (item, None),
        };
        let name = self.text(ident).trim();
        let schema = self.ctx.schema;
        match scope {
            Scope::Child(parent) => {
                let (rel, child, lookup) = self
                    .ctx
                    .child(parent, name)
                    .ok_or_else(|| err(bad_child_relationship(name), ident))?;
                let ty = schema
                    .find(child)
                    .ok_or_else(|| err(bad_child_relationship(name), ident))?;
                let lvl = Level { ty, alias };
                let child_of = Some((rel.clone(), lookup.to_ascii_lowercase()));
                Ok((lvl, schema.get(ty).name.clone(), child_of))
            }
            Scope::Root => {
                let ty = self
                    .ctx
                    .object(name)
                    .ok_or_else(|| err(unknown_object(name, self.dynamic()), ident))?;
                Ok((Level { ty, alias }, schema.get(ty).name.clone(), None))
            }
        }
    }

    fn select(&mut self, sel: Node<'t>, lvl: &Level, q: &mut Query) -> Result<(), SoqlError> {
        let mut seen: Vec<String> = Vec::new();
        let mut aliases: Vec<String> = Vec::new();
        for ch in named(sel) {
            let item = match ch.kind() {
                "count_expression" => {
                    let f = ch
                        .child_by_field_name("function_name")
                        .map(|f| self.text(f));
                    if !f.is_some_and(|f| f.eq_ignore_ascii_case("COUNT")) {
                        return Err(self.unexpected(ch));
                    }
                    q.count_only = true;
                    continue;
                }
                "field_identifier" | "function_expression" => SelectItem::Expr {
                    expr: self.expr(ch, lvl)?,
                    alias: None,
                },
                "alias_expression" => {
                    let kids = named(ch);
                    let alias = self.text(*kids.last().unwrap_or(&ch)).to_string();
                    if aliases.iter().any(|a| a.eq_ignore_ascii_case(&alias)) {
                        return Err(err(format!("duplicate alias: {alias}"), ch));
                    }
                    aliases.push(alias.clone());
                    SelectItem::Expr {
                        expr: self.expr(kids[0], lvl)?,
                        alias: Some(alias),
                    }
                }
                "subquery" => {
                    let body = named(ch)
                        .into_iter()
                        .find(|c| c.kind() == "soql_query_body")
                        .ok_or_else(|| self.unexpected(ch))?;
                    SelectItem::Children(Box::new(self.query(body, Scope::Child(lvl.ty))?))
                }
                "type_of_clause" => SelectItem::TypeOf(self.type_of(ch, lvl)?),
                "fields_expression" => {
                    self.fields_all(ch, lvl, q, &mut seen)?;
                    continue;
                }
                _ => return Err(self.unexpected(ch)),
            };
            if let SelectItem::Expr {
                expr: Expr::Field(f),
                alias: None,
            } = &item
            {
                let key = f.dotted().to_ascii_lowercase();
                if seen.contains(&key) {
                    return Err(err(format!("duplicate field selected: {}", f.dotted()), ch));
                }
                seen.push(key);
            }
            q.select.push(item);
        }
        Ok(())
    }

    /// `FIELDS(ALL | STANDARD | CUSTOM)`.
    fn fields_all(
        &self,
        n: Node,
        lvl: &Level,
        q: &mut Query,
        seen: &mut Vec<String>,
    ) -> Result<(), SoqlError> {
        let kind = n
            .named_child(0)
            .map(|k| self.text(k).to_ascii_uppercase())
            .unwrap_or_default();
        for f in &self.ctx.schema.get(lvl.ty).fields {
            let custom = f.name.to_ascii_lowercase().ends_with("__c");
            let take = match kind.as_str() {
                "ALL" => true,
                "STANDARD" => !custom,
                "CUSTOM" => custom,
                _ => return Err(self.unexpected(n)),
            };
            let key = f.name.to_ascii_lowercase();
            if take && !seen.contains(&key) {
                seen.push(key.clone());
                q.select.push(SelectItem::Expr {
                    expr: Expr::Field(FieldPath {
                        hops: Vec::new(),
                        name: f.name.clone(),
                        lower: key,
                        ty: f.ty,
                        object: lvl.ty,
                    }),
                    alias: None,
                });
            }
        }
        Ok(())
    }

    fn segments(&self, n: Node<'t>) -> Vec<&str> {
        let inner = match n.kind() {
            "field_identifier" => n.named_child(0).unwrap_or(n),
            _ => n,
        };
        match inner.kind() {
            "dotted_identifier" => named(inner).iter().map(|i| self.text(*i)).collect(),
            _ => vec![self.text(inner)],
        }
    }

    fn path(
        &self,
        n: Node<'t>,
        lvl: &Level,
        on: Option<SObjectTypeId>,
    ) -> Result<FieldPath, SoqlError> {
        let segs = self.segments(n);
        let alias = if on.is_some() {
            None
        } else {
            lvl.alias.as_deref()
        };
        self.ctx
            .path(on.unwrap_or(lvl.ty), alias, &segs)
            .map_err(|m| err(m, n))
    }

    fn type_of(&self, n: Node<'t>, lvl: &Level) -> Result<TypeOf, SoqlError> {
        let kids = named(n);
        let rel = kids.first().ok_or_else(|| self.unexpected(n))?;
        let mut hops = Vec::new();
        let mut cur = lvl.ty;
        for seg in self.segments(*rel) {
            let h = self.ctx.hop(cur, seg).map_err(|m| err(m, *rel))?;
            cur = h.target;
            hops.push(h);
        }
        let mut t = TypeOf {
            hops,
            whens: Vec::new(),
            otherwise: Vec::new(),
        };
        let fields =
            |p: &Self, list: Node<'t>, ty: SObjectTypeId| -> Result<Vec<FieldPath>, SoqlError> {
                named(list)
                    .into_iter()
                    .map(|f| p.path(f, lvl, Some(ty)))
                    .collect()
            };
        for k in &kids[1..] {
            let parts = named(*k);
            match (k.kind(), parts.as_slice()) {
                ("when_expression", [ty, list]) => {
                    let name = self.text(*ty);
                    let id = self
                        .ctx
                        .object(name)
                        .ok_or_else(|| err(unknown_object(name, self.dynamic()), *ty))?;
                    let canonical = self.ctx.schema.get(id).name.clone();
                    t.whens.push((id, canonical, fields(self, *list, id)?));
                }
                ("else_expression", [list]) => t.otherwise = fields(self, *list, cur)?,
                _ => return Err(self.unexpected(*k)),
            }
        }
        Ok(t)
    }

    fn expr(&self, n: Node<'t>, lvl: &Level) -> Result<Expr, SoqlError> {
        match n.kind() {
            "field_identifier" => Ok(Expr::Field(self.path(n, lvl, None)?)),
            "function_expression" => {
                let fname = n
                    .child_by_field_name("function_name")
                    .ok_or_else(|| self.unexpected(n))?;
                let name = self.text(fname).to_ascii_uppercase();
                let args: Vec<Node<'t>> = named(n)
                    .into_iter()
                    .filter(|a| a.id() != fname.id())
                    .collect();
                let field_arg = |p: &Self| -> Result<FieldPath, SoqlError> {
                    match args.as_slice() {
                        [a] => match p.expr(*a, lvl)? {
                            Expr::Field(f) => Ok(f),
                            _ => Err(p.unexpected(*a)),
                        },
                        _ => Err(p.unexpected(n)),
                    }
                };
                let agg = match name.as_str() {
                    "COUNT" if args.is_empty() => {
                        return Ok(Expr::Aggregate(Aggregate::Count, None));
                    }
                    "COUNT" => Some(Aggregate::Count),
                    "COUNT_DISTINCT" => Some(Aggregate::CountDistinct),
                    "SUM" => Some(Aggregate::Sum),
                    "AVG" => Some(Aggregate::Avg),
                    "MIN" => Some(Aggregate::Min),
                    "MAX" => Some(Aggregate::Max),
                    _ => None,
                };
                if let Some(a) = agg {
                    let f = field_arg(self)?;
                    let numeric = is_number_type(f.ty) || f.ty == FieldType::Formula;
                    if matches!(a, Aggregate::Sum | Aggregate::Avg) && !numeric {
                        let msg = format!(
                            "field {} does not support aggregate operator {}",
                            f.name,
                            a.name()
                        );
                        return Err(err(msg, n));
                    }
                    return Ok(Expr::Aggregate(a, Some(f)));
                }
                if let Some(d) = DateFunction::by_name(&name) {
                    let f = field_arg(self)?;
                    if !matches!(
                        f.ty,
                        FieldType::Date | FieldType::DateTime | FieldType::Formula
                    ) {
                        return Err(err(
                            format!("Invalid date function argument: {}", f.name),
                            n,
                        ));
                    }
                    return Ok(Expr::Date(d, f));
                }
                match name.as_str() {
                    // Labels, formatting and currency or time zone conversion do not
                    // change values in a single-currency UTC org.
                    "TOLABEL" | "FORMAT" | "CONVERTCURRENCY" | "CONVERTTIMEZONE" => {
                        match args.as_slice() {
                            [a] => self.expr(*a, lvl),
                            _ => Err(self.unexpected(n)),
                        }
                    }
                    _ => Err(err(format!("unknown function {}", self.text(fname)), fname)),
                }
            }
            _ => Err(self.unexpected(n)),
        }
    }

    fn cond(&mut self, n: Node<'t>, lvl: &Level, having: bool) -> Result<Condition, SoqlError> {
        match n.kind() {
            "and_expression" | "or_expression" => {
                let parts = named(n)
                    .into_iter()
                    .map(|c| self.cond(c, lvl, having))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(if n.kind() == "and_expression" {
                    Condition::And(parts)
                } else {
                    Condition::Or(parts)
                })
            }
            "not_expression" => {
                let c = n.named_child(0).ok_or_else(|| self.unexpected(n))?;
                Ok(Condition::Not(Box::new(self.cond(c, lvl, having)?)))
            }
            "comparison_expression" => {
                let kids = named(n);
                let [left, op, right] = kids.as_slice() else {
                    return Err(self.unexpected(n));
                };
                let left_e = self.expr(*left, lvl)?;
                if let Expr::Aggregate(a, _) = &left_e
                    && !having
                {
                    return Err(err(
                        format!("Aggregate function {} is not allowed in WHERE", a.name()),
                        *left,
                    ));
                }
                if let Some(f) = left_e.field().filter(|f| f.ty == FieldType::LongText) {
                    return Err(err(
                        format!("field '{}' can not be filtered in a query call", f.name),
                        *left,
                    ));
                }
                let op_e = self.op(*op)?;
                let right_e = self.operand(*right, op_e)?;
                if let Operand::SubQuery(_) = right_e
                    && !matches!(op_e, Op::In | Op::NotIn)
                {
                    return Err(self.unexpected(*right));
                }
                if let Expr::Field(f) = &left_e {
                    self.check(f, &right_e, *right)?;
                }
                Ok(Condition::Compare {
                    left: left_e,
                    op: op_e,
                    right: right_e,
                })
            }
            _ => Err(self.unexpected(n)),
        }
    }

    fn op(&self, n: Node) -> Result<Op, SoqlError> {
        let t = self
            .text(n)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        Ok(match t.to_ascii_uppercase().as_str() {
            "=" => Op::Eq,
            "!=" | "<>" => Op::Ne,
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            "LIKE" => Op::Like,
            "IN" => Op::In,
            "NOT IN" => Op::NotIn,
            "INCLUDES" => Op::Includes,
            "EXCLUDES" => Op::Excludes,
            _ => return Err(self.unexpected(n)),
        })
    }

    /// The dynamic bind a placeholder node stands for.
    fn placeholder(&self, n: Node) -> Option<String> {
        let Binds::Dynamic(map) = &self.binds else {
            return None;
        };
        match n.kind() {
            "int" | "decimal" => map
                .get(&n.start_byte())
                .filter(|p| !p.list)
                .map(|p| p.name.clone()),
            "comparable_list" if n.named_child_count() == 1 => {
                let c = n.named_child(0)?;
                map.get(&c.start_byte())
                    .filter(|p| p.list)
                    .map(|p| p.name.clone())
            }
            _ => None,
        }
    }

    fn bind(&mut self, n: Node<'t>) -> Result<Operand, SoqlError> {
        let e = n.named_child(0).ok_or_else(|| self.unexpected(n))?;
        match &mut self.binds {
            Binds::Inline(f) => Ok(Operand::Bind(f(e))),
            Binds::Dynamic(_) => Err(self.unexpected(n)),
        }
    }

    fn operand(&mut self, n: Node<'t>, op: Op) -> Result<Operand, SoqlError> {
        if let Some(name) = self.placeholder(n) {
            return Ok(Operand::NamedBind(name));
        }
        match n.kind() {
            "bound_apex_expression" => self.bind(n),
            "comparable_list" => Ok(Operand::List(
                named(n)
                    .into_iter()
                    .map(|c| self.operand(c, op))
                    .collect::<Result<_, _>>()?,
            )),
            "subquery" => {
                let body = named(n)
                    .into_iter()
                    .find(|c| c.kind() == "soql_query_body")
                    .ok_or_else(|| self.unexpected(n))?;
                let q = self.query(body, Scope::Root)?;
                match q.select.as_slice() {
                    [
                        SelectItem::Expr {
                            expr: Expr::Field(_),
                            alias: None,
                        },
                    ] if !q.count_only => {}
                    _ => {
                        return Err(err(
                            "The inner select field must be a single field of the subquery",
                            n,
                        ));
                    }
                }
                Ok(Operand::SubQuery(Box::new(q)))
            }
            "date_literal" => {
                let t = self.text(n);
                dates::literal(t, None)
                    .map(Operand::DateLiteral)
                    .ok_or_else(|| self.unexpected(n))
            }
            "date_literal_with_param" => {
                let kids = named(n);
                let (Some(name), Some(num)) = (kids.first(), kids.get(1)) else {
                    return Err(self.unexpected(n));
                };
                let k: i64 = self.text(*num).parse().map_err(|_| self.unexpected(*num))?;
                dates::literal(self.text(*name), Some(k))
                    .map(Operand::DateLiteral)
                    .ok_or_else(|| self.unexpected(n))
            }
            _ => Ok(Operand::Literal(self.literal(n, op == Op::Like)?)),
        }
    }

    fn literal(&self, n: Node, like: bool) -> Result<FieldValue, SoqlError> {
        literals::literal(n.kind(), self.text(n), like).ok_or_else(|| self.unexpected(n))
    }

    /// Rejects literals whose type does not fit the field, as Salesforce does.
    fn check(&self, f: &FieldPath, right: &Operand, n: Node) -> Result<(), SoqlError> {
        match right {
            Operand::List(items) => {
                let kids = named(n);
                for (i, it) in items.iter().enumerate() {
                    self.check(f, it, kids.get(i).copied().unwrap_or(n))?;
                }
                Ok(())
            }
            Operand::Literal(v) => literals::check(f, Some(v)).map_err(|m| err(m, n)),
            Operand::DateLiteral(_) => literals::check(f, None).map_err(|m| err(m, n)),
            _ => Ok(()),
        }
    }

    fn order(&self, n: Node<'t>, lvl: &Level) -> Result<OrderBy, SoqlError> {
        let kids = named(n);
        let first = *kids.first().ok_or_else(|| self.unexpected(n))?;
        let expr = self.expr(first, lvl)?;
        if let Some(f) = expr.field().filter(|f| f.ty == FieldType::LongText) {
            return Err(err(
                format!("field '{}' can not be sorted in a query call", f.name),
                first,
            ));
        }
        let mut o = OrderBy {
            expr,
            descending: false,
            nulls_first: None,
        };
        for k in &kids[1..] {
            let t = self.text(*k).to_ascii_uppercase();
            match k.kind() {
                "order_direction" => o.descending = t == "DESC",
                "order_null_direction" => o.nulls_first = Some(t.ends_with("FIRST")),
                _ => return Err(self.unexpected(*k)),
            }
        }
        Ok(o)
    }

    /// A LIMIT or OFFSET value: an integer or a bind.
    fn count_operand(&mut self, clause: Node<'t>) -> Result<Operand, SoqlError> {
        let n = clause
            .named_child(0)
            .ok_or_else(|| self.unexpected(clause))?;
        if let Some(name) = self.placeholder(n) {
            return Ok(Operand::NamedBind(name));
        }
        match n.kind() {
            "bound_apex_expression" => self.bind(n),
            "int" => Ok(Operand::Literal(FieldValue::Int(
                self.text(n).parse().map_err(|_| self.unexpected(n))?,
            ))),
            _ => Err(self.unexpected(n)),
        }
    }

    fn validate(&self, q: &Query, body: Node) -> Result<(), SoqlError> {
        let at = |msg: String| err(msg, body);
        if !q.has_aggregates() {
            if q.select
                .iter()
                .any(|s| matches!(s, SelectItem::Expr { alias: Some(_), .. }))
            {
                return Err(at("Only aggregate expressions use field aliasing".into()));
            }
            return Ok(());
        }
        let grouped = |e: &Expr| q.group_by.contains(e);
        for s in &q.select {
            match s {
                SelectItem::Expr { expr, .. } if !expr.is_aggregate() && !grouped(expr) => {
                    let name = expr.field().map(|f| f.name.clone()).unwrap_or_default();
                    return Err(at(format!("Field must be grouped or aggregated: {name}")));
                }
                SelectItem::Children(_) | SelectItem::TypeOf(_) => {
                    return Err(at(
                        "Aggregate queries do not support subqueries or TYPEOF".into()
                    ));
                }
                _ => {}
            }
        }
        for o in &q.order_by {
            if !o.expr.is_aggregate() && !grouped(&o.expr) {
                let name = o.expr.field().map(|f| f.name.clone()).unwrap_or_default();
                return Err(at(format!(
                    "Ordered field must be grouped or aggregated: {name}"
                )));
            }
        }
        Ok(())
    }
}
