//! Expressions: literals, names, operators, assignment, creation, casts.

use rust_decimal::Decimal;
use tree_sitter::Node;

use super::Compiler;
use super::body::FnCtx;
use super::syntax::{children, string_literal};
use crate::vm::ir::{BinOp, Expr, Place, UnOp};
use crate::vm::program::ClassKind;
use crate::vm::types::{ClassId, NativeEnum, Ty};

/// What the left side of a `.` names.
pub(super) enum Qual {
    Value(Expr, Ty),
    Class(ClassId),
    Namespace(String),
    /// A built-in class with static members (`System`, `Math`, `Trigger`, ...), lower case.
    Builtin(String),
    SObjectType(u32),
    NativeEnumType(NativeEnum),
    Super,
}

/// Built-in classes whose statics can be named.
const BUILTIN_STATICS: &[&str] = &[
    "system",
    "math",
    "string",
    "integer",
    "long",
    "decimal",
    "double",
    "boolean",
    "date",
    "datetime",
    "time",
    "json",
    "type",
    "pattern",
    "blob",
    "encodingutil",
    "id",
    "crypto",
    "database",
    "schema",
    "test",
    "assert",
    "userinfo",
    "limits",
    "trigger",
    "restcontext",
];

impl<'t> Compiler<'t> {
    /// Compiles an expression and gives its static type.
    pub(super) fn expr(&mut self, cx: &mut FnCtx, n: Node<'t>) -> (Expr, Ty) {
        let k = cx.src;
        match n.kind() {
            "int" => self.int_literal(k, n),
            "decimal_floating_point_literal" => self.decimal_literal(k, n),
            "string_literal" | "multi_line_string_literal" => {
                let s = string_literal(self.text(k, n));
                (Expr::Str(self.intern(&s)), Ty::String)
            }
            "boolean" => (
                Expr::Bool(self.text(k, n).eq_ignore_ascii_case("true")),
                Ty::Boolean,
            ),
            "null_literal" => (Expr::Null, Ty::Null),
            "parenthesized_expression" => match children(n).into_iter().next() {
                Some(e) => self.expr(cx, e),
                None => (Expr::Null, Ty::Any),
            },
            "this" => {
                if cx.is_static {
                    self.error(k, n, "This cannot be referenced in a static context");
                }
                (Expr::This, Ty::Class(cx.class))
            }
            "identifier" | "field_access" => match self.qualifier(cx, n) {
                Qual::Value(e, t) => (e, t),
                _ => {
                    let t = self.text(k, n).to_string();
                    self.error(k, n, format!("Variable does not exist: {t}"));
                    (Expr::Null, Ty::Any)
                }
            },
            "method_invocation" => self.call(cx, n),
            "assignment_expression" => self.assignment(cx, n),
            "update_expression" => self.update(cx, n),
            "unary_expression" => self.unary(cx, n),
            "binary_expression" => self.binary(cx, n),
            "ternary_expression" => {
                let c = n
                    .child_by_field_name("condition")
                    .map(|c| self.cond(cx, c))
                    .unwrap_or(Expr::Null);
                let (a, at) = self.expr_opt(cx, n.child_by_field_name("consequence"));
                let (b, bt) = self.expr_opt(cx, n.child_by_field_name("alternative"));
                let ty = self.common_type(&at, &bt);
                let a = self.coerce(a, &at, &ty);
                let b = self.coerce(b, &bt, &ty);
                (Expr::Ternary(Box::new(c), Box::new(a), Box::new(b)), ty)
            }
            "cast_expression" => {
                let ty = n
                    .child_by_field_name("type")
                    .map(|t| self.resolve_type(k, t, Some(cx.class)))
                    .unwrap_or(Ty::Any);
                let (e, et) = self.expr_opt(cx, n.child_by_field_name("value"));
                let compatible = self.assignable(&et, &ty)
                    || self.assignable(&ty, &et)
                    || (et.is_numeric() && ty.is_numeric());
                if !compatible {
                    let (a, b) = (self.ty_name(&et), self.ty_name(&ty));
                    self.error(k, n, format!("Incompatible types since {a} is not a {b}"));
                }
                (
                    Expr::Cast {
                        expr: Box::new(e),
                        ty: ty.clone(),
                    },
                    ty,
                )
            }
            "instanceof_expression" => {
                let (e, _) = self.expr_opt(cx, n.child_by_field_name("left"));
                let ty = n
                    .child_by_field_name("right")
                    .map(|t| self.resolve_type(k, t, Some(cx.class)))
                    .unwrap_or(Ty::Any);
                (
                    Expr::InstanceOf {
                        expr: Box::new(e),
                        ty,
                    },
                    Ty::Boolean,
                )
            }
            "array_access" => {
                let (l, lt) = self.expr_opt(cx, n.child_by_field_name("array"));
                let idx = n
                    .child_by_field_name("index")
                    .map(|i| self.expr_expect(cx, i, &Ty::Integer))
                    .unwrap_or(Expr::Int(0));
                let elem = match &lt {
                    Ty::List(e) => (**e).clone(),
                    Ty::Any => Ty::Any,
                    other => {
                        let t = self.ty_name(other);
                        self.error(k, n, format!("Expression must be a list type: {t}"));
                        Ty::Any
                    }
                };
                (
                    Expr::Index {
                        list: Box::new(l),
                        index: Box::new(idx),
                    },
                    elem,
                )
            }
            "object_creation_expression" => self.new_object(cx, n),
            "array_creation_expression" => self.new_array(cx, n),
            "map_creation_expression" => self.new_map(cx, n),
            "class_literal" => {
                let ty = children(n)
                    .into_iter()
                    .next()
                    .map(|t| self.resolve_type(k, t, Some(cx.class)))
                    .unwrap_or(Ty::Any);
                (
                    Expr::TypeLit(ty),
                    Ty::Native(crate::vm::types::NativeClass::Type),
                )
            }
            "query_expression" => self.soql_inline(cx, n),
            "dml_expression" => self.dml(cx, n),
            "array_initializer" => {
                self.error(k, n, "Array initializer needs a type: new T[]{...}");
                (Expr::Null, Ty::Any)
            }
            other => {
                self.error(k, n, format!("Unexpected expression: {other}"));
                (Expr::Null, Ty::Any)
            }
        }
    }

    pub(super) fn expr_opt(&mut self, cx: &mut FnCtx, n: Option<Node<'t>>) -> (Expr, Ty) {
        match n {
            Some(n) => self.expr(cx, n),
            None => (Expr::Null, Ty::Any),
        }
    }

    /// Compiles an expression that must be Boolean.
    pub(super) fn cond(&mut self, cx: &mut FnCtx, n: Node<'t>) -> Expr {
        let (e, t) = self.expr(cx, n);
        if !matches!(t, Ty::Boolean | Ty::Any | Ty::Null | Ty::Object) {
            let tn = self.ty_name(&t);
            self.error(
                cx.src,
                n,
                format!("Expression must be of type Boolean: {tn}"),
            );
        }
        e
    }

    /// Compiles an expression for a slot of type `want`, converting numbers, or reports
    /// `Illegal assignment from X to Y`.
    pub(super) fn expr_expect(&mut self, cx: &mut FnCtx, n: Node<'t>, want: &Ty) -> Expr {
        self.expr_as(cx, n, want, "Illegal assignment from")
    }

    pub(super) fn expr_as(&mut self, cx: &mut FnCtx, n: Node<'t>, want: &Ty, what: &str) -> Expr {
        if n.kind() == "array_initializer" {
            return self.initializer_for(cx, n, want);
        }
        let (e, t) = self.expr(cx, n);
        // `Account a = [SELECT ...]`: a query assigned to one record takes its only row.
        if let (
            Ty::List(elem),
            Ty::SObject(_) | Ty::Native(crate::vm::types::NativeClass::AggregateResult),
        ) = (&t, want)
            && matches!(e, Expr::Soql(_))
            && self.assignable(elem, want)
        {
            return Expr::SingleRow(Box::new(e));
        }
        if !self.assignable(&t, want) {
            let (a, b) = (self.ty_name(&t), self.ty_name(want));
            self.error(cx.src, n, format!("{what} {a} to {b}"));
            return e;
        }
        self.coerce(e, &t, want)
    }

    fn initializer_for(&mut self, cx: &mut FnCtx, n: Node<'t>, want: &Ty) -> Expr {
        let elem = match want {
            Ty::List(e) => (**e).clone(),
            _ => Ty::Any,
        };
        let items = children(n)
            .into_iter()
            .map(|i| self.expr_expect(cx, i, &elem))
            .collect();
        Expr::NewList { elem, items }
    }

    /// Inserts an implicit numeric widening or Id check when `from` differs from `to`.
    pub(super) fn coerce(&self, e: Expr, from: &Ty, to: &Ty) -> Expr {
        if from == to {
            return e;
        }
        if to.is_numeric() && (from.is_numeric() || matches!(from, Ty::Any)) {
            return Expr::Convert {
                expr: Box::new(e),
                ty: to.clone(),
            };
        }
        if *to == Ty::Id && *from == Ty::String {
            return Expr::Cast {
                expr: Box::new(e),
                ty: Ty::Id,
            };
        }
        e
    }

    fn common_type(&self, a: &Ty, b: &Ty) -> Ty {
        if a == b {
            return a.clone();
        }
        match (a, b) {
            (Ty::Null, t) | (t, Ty::Null) => t.clone(),
            (x, y) if x.is_numeric() && y.is_numeric() => {
                if x.numeric_rank() > y.numeric_rank() {
                    x.clone()
                } else {
                    y.clone()
                }
            }
            (x, y) if self.assignable(x, y) => y.clone(),
            (x, y) if self.assignable(y, x) => x.clone(),
            _ => Ty::Object,
        }
    }

    fn int_literal(&mut self, k: usize, n: Node<'t>) -> (Expr, Ty) {
        let t = self.text(k, n).replace('_', "");
        if let Some(d) = t.strip_suffix(['l', 'L']) {
            return match d.parse::<i64>() {
                Ok(v) => (Expr::Long(v), Ty::Long),
                Err(_) => {
                    self.error(k, n, format!("Illegal long: {t}"));
                    (Expr::Long(0), Ty::Long)
                }
            };
        }
        match t.parse::<i64>() {
            Ok(v) if v <= i32::MAX as i64 + 1 => (Expr::Int(v as i32), Ty::Integer),
            _ => {
                self.error(k, n, format!("Illegal integer: {t}"));
                (Expr::Int(0), Ty::Integer)
            }
        }
    }

    fn decimal_literal(&mut self, k: usize, n: Node<'t>) -> (Expr, Ty) {
        let t = self.text(k, n);
        if let Some(d) = t.strip_suffix(['d', 'D']) {
            return (Expr::Double(d.parse().unwrap_or(0.0)), Ty::Double);
        }
        if t.contains(['e', 'E']) {
            return (Expr::Double(t.parse().unwrap_or(0.0)), Ty::Double);
        }
        match t.parse::<Decimal>() {
            Ok(d) => (Expr::Dec(d), Ty::Decimal),
            Err(_) => (Expr::Double(t.parse().unwrap_or(0.0)), Ty::Double),
        }
    }

    /// Resolves what a name or dotted path names.
    pub(super) fn qualifier(&mut self, cx: &mut FnCtx, n: Node<'t>) -> Qual {
        let k = cx.src;
        match n.kind() {
            "identifier" => {
                let name = self.text(k, n);
                let lower = name.to_ascii_lowercase();
                if let Some(v) = self.name_value(cx, n, &lower) {
                    return v;
                }
                if let Some(c) = self.lookup_class(std::slice::from_ref(&lower), Some(cx.class), k)
                {
                    return Qual::Class(c);
                }
                if BUILTIN_STATICS.contains(&lower.as_str()) {
                    return Qual::Builtin(lower);
                }
                if let Some(&c) = self.prog.system_exceptions.get(&lower) {
                    return Qual::Class(c);
                }
                if let Some(Ty::NativeEnum(e)) = super::types::builtin_type(&lower) {
                    return Qual::NativeEnumType(e);
                }
                if let Some(s) = self
                    .schema
                    .lookup_object(&lower, &self.sources[k].namespace.clone())
                {
                    self.check_sobject_visible(k, n, s);
                    return Qual::SObjectType(s);
                }
                let prefix = format!("{lower}.");
                if self
                    .prog
                    .class_index
                    .keys()
                    .any(|key| key.starts_with(&prefix))
                {
                    return Qual::Namespace(lower);
                }
                self.error(k, n, format!("Variable does not exist: {name}"));
                Qual::Value(Expr::Null, Ty::Any)
            }
            "field_access" => {
                let Some(obj) = n.child_by_field_name("object") else {
                    return Qual::Value(Expr::Null, Ty::Any);
                };
                let Some(field) = n.child_by_field_name("field") else {
                    return Qual::Value(Expr::Null, Ty::Any);
                };
                let safe = children(n)
                    .iter()
                    .any(|c| c.kind() == "safe_navigation_operator");
                let name = self.text(k, field).to_string();
                let q = if obj.kind() == "super" {
                    Qual::Super
                } else {
                    self.qualifier(cx, obj)
                };
                self.member(cx, n, q, &name, safe)
            }
            "this" => {
                if cx.is_static {
                    self.error(k, n, "This cannot be referenced in a static context");
                }
                Qual::Value(Expr::This, Ty::Class(cx.class))
            }
            "super" => Qual::Super,
            _ => {
                let (e, t) = self.expr(cx, n);
                Qual::Value(e, t)
            }
        }
    }

    /// A bare name that is a local, a field or a static of the current class chain.
    fn name_value(&mut self, cx: &mut FnCtx, n: Node<'t>, lower: &str) -> Option<Qual> {
        if let Some((slot, ty)) = cx.local(lower) {
            return Some(Qual::Value(Expr::Local(slot), ty));
        }
        if let Some((name, slot)) = &cx.accessor
            && name == lower
        {
            let ty = self.field_type(cx.class, lower).unwrap_or(Ty::Any);
            let e = if cx.is_static {
                Expr::Static {
                    class: cx.class,
                    slot: *slot,
                }
            } else {
                Expr::Field {
                    obj: Box::new(Expr::This),
                    idx: *slot,
                    safe: false,
                }
            };
            return Some(Qual::Value(e, ty));
        }
        let mut scope = Some(cx.class);
        let mut first = true;
        while let Some(c) = scope {
            if let Some(q) = self.class_member(cx, n, c, lower, first) {
                return Some(q);
            }
            first = false;
            scope = self.prog.class(c).outer;
        }
        if let Some(t) = cx.trigger_object
            && lower == "trigger"
        {
            let _ = t;
        }
        None
    }

    fn field_type(&self, c: ClassId, lower: &str) -> Option<Ty> {
        let cls = self.prog.class(c);
        cls.fields
            .iter()
            .chain(cls.statics.iter())
            .find(|f| f.name.eq_ignore_ascii_case(lower))
            .map(|f| f.ty.clone())
    }

    /// A field or static of class `c` (or its superclasses) as a value.
    fn class_member(
        &mut self,
        cx: &FnCtx,
        n: Node<'t>,
        c: ClassId,
        lower: &str,
        own: bool,
    ) -> Option<Qual> {
        let mut s = Some(c);
        while let Some(x) = s {
            let cls = self.prog.class(x);
            if own
                && let Some(idx) = cls
                    .fields
                    .iter()
                    .rposition(|f| f.name.eq_ignore_ascii_case(lower))
            {
                let f = cls.fields[idx].clone();
                let owner = self.field_owner(x, idx);
                self.check_field_visible(cx, n, owner, &f);
                if cx.is_static {
                    self.error(
                        cx.src,
                        n,
                        format!(
                            "Non static field cannot be referenced from a static context: {}",
                            f.name
                        ),
                    );
                }
                let e = match f.getter {
                    Some(g) => Expr::PropGet {
                        obj: Some(Box::new(Expr::This)),
                        getter: g,
                        class: x,
                        safe: false,
                    },
                    None => Expr::Field {
                        obj: Box::new(Expr::This),
                        idx: f.slot,
                        safe: false,
                    },
                };
                return Some(Qual::Value(e, f.ty));
            }
            if let Some(f) = cls
                .statics
                .iter()
                .find(|f| f.name.eq_ignore_ascii_case(lower))
            {
                let f = f.clone();
                self.check_field_visible(cx, n, x, &f);
                let e = match f.getter {
                    Some(g) => Expr::PropGet {
                        obj: None,
                        getter: g,
                        class: x,
                        safe: false,
                    },
                    None => Expr::Static {
                        class: x,
                        slot: f.slot,
                    },
                };
                return Some(Qual::Value(e, f.ty));
            }
            s = cls.superclass;
        }
        None
    }

    /// `q.name`: a field, a static, an inner class, an enum constant.
    fn member(&mut self, cx: &mut FnCtx, n: Node<'t>, q: Qual, name: &str, safe: bool) -> Qual {
        let k = cx.src;
        let lower = name.to_ascii_lowercase();
        match q {
            Qual::Value(e, ty) => {
                let (e, t) = self.value_member(cx, n, e, ty, &lower, name, safe);
                Qual::Value(e, t)
            }
            Qual::Class(c) => {
                if lower == "class" {
                    return Qual::Value(
                        Expr::TypeLit(Ty::Class(c)),
                        crate::vm::types::Ty::Native(crate::vm::types::NativeClass::Type),
                    );
                }
                if let Some(&inner) =
                    self.prog
                        .class_index
                        .get(&format!("{}.{}", self.class_key(c), lower))
                {
                    return Qual::Class(inner);
                }
                let cls = self.prog.class(c);
                if cls.kind == ClassKind::Enum
                    && let Some(o) = cls
                        .enum_constants
                        .iter()
                        .position(|x| x.eq_ignore_ascii_case(name))
                {
                    return Qual::Value(
                        Expr::EnumConst {
                            class: c,
                            ordinal: o as u32,
                        },
                        Ty::Class(c),
                    );
                }
                if let Some(q) = self.class_member(cx, n, c, &lower, false) {
                    return q;
                }
                let cname = self.prog.class(c).type_name();
                self.error(k, n, format!("Variable does not exist: {cname}.{name}"));
                Qual::Value(Expr::Null, Ty::Any)
            }
            Qual::Namespace(ns) => {
                if let Some(&c) = self.prog.class_index.get(&format!("{ns}.{lower}")) {
                    self.check_class_visible(k, n, c);
                    return Qual::Class(c);
                }
                if ns == "system" {
                    if BUILTIN_STATICS.contains(&lower.as_str()) {
                        return Qual::Builtin(lower);
                    }
                    if let Some(&c) = self.prog.system_exceptions.get(&lower) {
                        return Qual::Class(c);
                    }
                    if let Some(Ty::NativeEnum(e)) = super::types::builtin_type(&lower) {
                        return Qual::NativeEnumType(e);
                    }
                }
                if ns == "schema"
                    && let Some(s) = self.schema.find(&lower)
                {
                    return Qual::SObjectType(s);
                }
                self.error(k, n, format!("Variable does not exist: {ns}.{name}"));
                Qual::Value(Expr::Null, Ty::Any)
            }
            Qual::Builtin(b) if lower == "class" => match super::types::builtin_type(&b) {
                Some(t) => Qual::Value(
                    Expr::TypeLit(t),
                    Ty::Native(crate::vm::types::NativeClass::Type),
                ),
                None => {
                    self.error(k, n, format!("Invalid type: {b}"));
                    Qual::Value(Expr::Null, Ty::Any)
                }
            },
            Qual::SObjectType(s) if lower == "class" => Qual::Value(
                Expr::TypeLit(Ty::SObject(Some(s))),
                Ty::Native(crate::vm::types::NativeClass::Type),
            ),
            Qual::Builtin(b) if b == "schema" && lower == "sobjecttype" => {
                Qual::Builtin("schema.sobjecttype".into())
            }
            Qual::Builtin(b)
                if b == "schema"
                    && self
                        .schema
                        .lookup_object(name, &self.sources[k].namespace.clone())
                        .is_some() =>
            {
                let s = self
                    .schema
                    .lookup_object(name, &self.sources[k].namespace.clone())
                    .expect("checked");
                Qual::SObjectType(s)
            }
            Qual::Builtin(b) if b == "schema.sobjecttype" => match self
                .schema
                .lookup_object(name, &self.sources[k].namespace.clone())
            {
                Some(s) => {
                    let (e, t) = self.schema_describe(s);
                    Qual::Value(e, t)
                }
                None => {
                    self.error(k, n, format!("Invalid sObject type: {name}"));
                    Qual::Value(Expr::Null, Ty::Any)
                }
            },
            Qual::Builtin(b) => match self.builtin_static_field(cx, n, &b, &lower) {
                Some((e, t)) => Qual::Value(e, t),
                None => {
                    if let Some(Ty::NativeEnum(e)) = super::types::builtin_type(&lower) {
                        return Qual::NativeEnumType(e);
                    }
                    self.error(k, n, format!("Variable does not exist: {name}"));
                    Qual::Value(Expr::Null, Ty::Any)
                }
            },
            Qual::NativeEnumType(e) => match e
                .constants()
                .iter()
                .position(|c| c.eq_ignore_ascii_case(name))
            {
                Some(o) => Qual::Value(
                    Expr::NativeEnumConst {
                        e,
                        ordinal: o as u32,
                    },
                    Ty::NativeEnum(e),
                ),
                None => {
                    self.error(k, n, format!("Variable does not exist: {name}"));
                    Qual::Value(Expr::Null, Ty::Any)
                }
            },
            Qual::SObjectType(s) => match self.sobject_static(cx, n, s, &lower) {
                Some((e, t)) => Qual::Value(e, t),
                None => {
                    self.error(k, n, format!("Variable does not exist: {name}"));
                    Qual::Value(Expr::Null, Ty::Any)
                }
            },
            Qual::Super => {
                let Some(sup) = self.prog.class(cx.class).superclass else {
                    self.error(k, n, "No superclass");
                    return Qual::Value(Expr::Null, Ty::Any);
                };
                let (e, t) =
                    self.value_member(cx, n, Expr::This, Ty::Class(sup), &lower, name, safe);
                Qual::Value(e, t)
            }
        }
    }

    /// `expr.name` on a value of static type `ty`.
    #[allow(clippy::too_many_arguments)]
    fn value_member(
        &mut self,
        cx: &mut FnCtx,
        n: Node<'t>,
        e: Expr,
        ty: Ty,
        lower: &str,
        name: &str,
        safe: bool,
    ) -> (Expr, Ty) {
        // `[SELECT Name FROM Account LIMIT 1].Name` reads the query's one row.
        let (e, ty) = match (e, ty) {
            (e @ Expr::Soql(_), Ty::List(elem)) => (Expr::SingleRow(Box::new(e)), *elem),
            other => other,
        };
        match &ty {
            Ty::Class(c) => {
                let cls = self.prog.class(*c);
                if let Some(idx) = cls
                    .fields
                    .iter()
                    .rposition(|f| f.name.eq_ignore_ascii_case(lower))
                {
                    let f = cls.fields[idx].clone();
                    let owner = self.field_owner(*c, idx);
                    self.check_field_visible(cx, n, owner, &f);
                    let e = match f.getter {
                        Some(g) => Expr::PropGet {
                            obj: Some(Box::new(e)),
                            getter: g,
                            class: *c,
                            safe,
                        },
                        None => Expr::Field {
                            obj: Box::new(e),
                            idx: f.slot,
                            safe,
                        },
                    };
                    return (e, f.ty);
                }
                if let Some(Qual::Value(se, st)) = self.class_member(cx, n, *c, lower, false) {
                    return (se, st);
                }
                let cname = self.prog.class(*c).type_name();
                self.error(
                    cx.src,
                    n,
                    format!("Variable does not exist: {name} on {cname}"),
                );
                (Expr::Null, Ty::Any)
            }
            Ty::SObject(s) => self.sobject_field(cx, n, e, *s, name, safe),
            Ty::Native(c) if let Some(t) = crate::vm::platform::rest::property(*c, lower) => (
                Expr::DynGet {
                    obj: Box::new(e),
                    name: name.into(),
                    safe,
                },
                t,
            ),
            Ty::Any | Ty::Native(_) => (
                Expr::DynGet {
                    obj: Box::new(e),
                    name: name.into(),
                    safe,
                },
                Ty::Any,
            ),
            other => {
                let t = self.ty_name(other);
                self.error(cx.src, n, format!("Variable does not exist: {name} on {t}"));
                (Expr::Null, Ty::Any)
            }
        }
    }

    /// An assignable place.
    pub(super) fn place(&mut self, cx: &mut FnCtx, n: Node<'t>) -> (Place, Ty) {
        let k = cx.src;
        match n.kind() {
            "identifier" => {
                let lower = self.text(k, n).to_ascii_lowercase();
                match self.name_value(cx, n, &lower) {
                    Some(Qual::Value(e, t)) => (self.place_of(cx, n, e, &t), t),
                    _ => {
                        let t = self.text(k, n).to_string();
                        self.error(k, n, format!("Variable does not exist: {t}"));
                        (Place::Local(0), Ty::Any)
                    }
                }
            }
            "field_access" if let Some(p) = self.platform_place(cx, n) => p,
            "field_access" => match self.qualifier(cx, n) {
                Qual::Value(e, t) => (self.place_of(cx, n, e, &t), t),
                _ => {
                    let t = self.text(k, n).to_string();
                    self.error(k, n, format!("Variable does not exist: {t}"));
                    (Place::Local(0), Ty::Any)
                }
            },
            "array_access" => {
                let (l, lt) = self.expr_opt(cx, n.child_by_field_name("array"));
                let idx = n
                    .child_by_field_name("index")
                    .map(|i| self.expr_expect(cx, i, &Ty::Integer))
                    .unwrap_or(Expr::Int(0));
                let elem = match lt {
                    Ty::List(e) => *e,
                    _ => Ty::Any,
                };
                (
                    Place::Index {
                        list: Box::new(l),
                        index: Box::new(idx),
                    },
                    elem,
                )
            }
            "parenthesized_expression" => match children(n).into_iter().next() {
                Some(inner) => self.place(cx, inner),
                None => (Place::Local(0), Ty::Any),
            },
            _ => {
                self.error(k, n, "Expression cannot be assigned");
                (Place::Local(0), Ty::Any)
            }
        }
    }

    /// Turns a value expression into the place it reads.
    fn place_of(&mut self, cx: &FnCtx, n: Node<'t>, e: Expr, ty: &Ty) -> Place {
        match e {
            Expr::SField {
                obj,
                key,
                api,
                readonly,
                ..
            } => {
                if let Some(what) = readonly {
                    self.error(cx.src, n, format!("Field is not writeable: {what}"));
                }
                Place::SField {
                    obj,
                    key,
                    api,
                    ty: ty.clone(),
                }
            }
            Expr::Local(s) => Place::Local(s),
            Expr::Field { obj, idx, .. } => Place::Field { obj, idx },
            Expr::Static { class, slot } => {
                if let Some(f) = self
                    .prog
                    .class(class)
                    .statics
                    .iter()
                    .find(|f| f.slot == slot)
                    && let Some(setter) = f.setter
                {
                    return Place::Prop {
                        obj: None,
                        getter: f.getter,
                        getter_field: Some(slot),
                        setter,
                        class,
                    };
                }
                Place::Static { class, slot }
            }
            Expr::PropGet {
                obj, getter, class, ..
            } => {
                let info = self
                    .prog
                    .class(class)
                    .fields
                    .iter()
                    .chain(self.prog.class(class).statics.iter())
                    .find(|f| f.getter == Some(getter))
                    .cloned();
                match info.and_then(|f| f.setter.map(|s| (s, f.slot))) {
                    Some((setter, slot)) => Place::Prop {
                        obj,
                        getter: Some(getter),
                        getter_field: Some(slot),
                        setter,
                        class,
                    },
                    None => {
                        let info = self
                            .prog
                            .class(class)
                            .fields
                            .iter()
                            .chain(self.prog.class(class).statics.iter())
                            .find(|f| f.getter == Some(getter))
                            .cloned();
                        match (info, obj) {
                            (Some(f), Some(o)) => Place::Field {
                                obj: o,
                                idx: f.slot,
                            },
                            (Some(f), None) => Place::Static {
                                class,
                                slot: f.slot,
                            },
                            _ => {
                                self.error(cx.src, n, "Property cannot be assigned");
                                Place::Local(0)
                            }
                        }
                    }
                }
            }
            Expr::DynGet { obj, name, .. } => Place::Dyn { obj, name },
            Expr::Index { list, index } => Place::Index { list, index },
            _ => {
                self.error(cx.src, n, "Expression cannot be assigned");
                Place::Local(0)
            }
        }
    }

    /// Setter functions apply to writes from outside the property's own accessors.
    fn with_setter(&self, place: Place, cx: &FnCtx) -> Place {
        match place {
            Place::Field { obj, idx } => {
                if cx.accessor.as_ref().is_some_and(|(_, s)| *s == idx) {
                    return Place::Field { obj, idx };
                }
                if let Expr::This = *obj {
                    let setter = self
                        .prog
                        .class(cx.class)
                        .fields
                        .iter()
                        .find(|f| f.slot == idx)
                        .and_then(|f| f.setter);
                    if let Some(s) = setter {
                        return Place::Prop {
                            obj: Some(obj),
                            getter: None,
                            getter_field: Some(idx),
                            setter: s,
                            class: cx.class,
                        };
                    }
                }
                Place::Field { obj, idx }
            }
            p => p,
        }
    }

    fn assignment(&mut self, cx: &mut FnCtx, n: Node<'t>) -> (Expr, Ty) {
        let k = cx.src;
        let Some(left) = n.child_by_field_name("left") else {
            return (Expr::Null, Ty::Any);
        };
        let op = n
            .child_by_field_name("operator")
            .map(|o| self.text(k, o).to_string())
            .unwrap_or_else(|| "=".into());
        let (place, pty) = self.place(cx, left);
        let place = self.with_setter_typed(place, cx, left);
        let Some(right) = n.child_by_field_name("right") else {
            return (Expr::Null, Ty::Any);
        };
        let conv = if pty.is_numeric() {
            Some(pty.clone())
        } else {
            None
        };
        if op == "=" {
            let v = self.expr_expect(cx, right, &pty);
            return (
                Expr::Assign {
                    place,
                    value: Box::new(v),
                    conv: None,
                },
                pty,
            );
        }
        let bop = match op.trim_end_matches('=') {
            "+" => BinOp::Add,
            "-" => BinOp::Sub,
            "*" => BinOp::Mul,
            "/" => BinOp::Div,
            "%" => BinOp::Rem,
            "&" => BinOp::BitAnd,
            "|" => BinOp::BitOr,
            "^" => BinOp::BitXor,
            "<<" => BinOp::Shl,
            ">>" => BinOp::Shr,
            ">>>" => BinOp::UShr,
            _ => {
                self.error(k, n, format!("Unknown operator {op}"));
                BinOp::Add
            }
        };
        let (v, vt) = self.expr(cx, right);
        let result = self.binary_type(cx, n, bop, &pty, &vt);
        if !self.assignable(&result, &pty) && result != Ty::Any {
            let (a, b) = (self.ty_name(&result), self.ty_name(&pty));
            self.error(k, n, format!("Illegal assignment from {a} to {b}"));
        }
        if let Place::Local(slot) = place {
            return (
                Expr::CompoundLocal {
                    slot,
                    op: bop,
                    value: Box::new(v),
                    conv,
                },
                pty,
            );
        }
        (
            Expr::Compound {
                place,
                op: bop,
                value: Box::new(v),
                conv,
            },
            pty,
        )
    }

    fn with_setter_typed(&self, place: Place, cx: &FnCtx, _n: Node<'t>) -> Place {
        self.with_setter(place, cx)
    }

    fn update(&mut self, cx: &mut FnCtx, n: Node<'t>) -> (Expr, Ty) {
        let Some(operand) = n.child_by_field_name("operand") else {
            return (Expr::Null, Ty::Any);
        };
        let op = n.child_by_field_name("operator");
        let prefix = op.is_some_and(|o| o.start_byte() < operand.start_byte());
        let delta = match op.map(|o| self.text(cx.src, o)) {
            Some("--") => -1,
            _ => 1,
        };
        let (place, ty) = self.place(cx, operand);
        let place = self.with_setter(place, cx);
        if !(ty.is_numeric() || ty == Ty::Any) {
            let t = self.ty_name(&ty);
            self.error(
                cx.src,
                n,
                format!("Increment and decrement need a numeric variable: {t}"),
            );
        }
        if let (Place::Local(slot), Ty::Integer) = (&place, &ty) {
            return (
                Expr::IncLocal {
                    slot: *slot,
                    delta: delta as i32,
                    prefix,
                },
                ty,
            );
        }
        (
            Expr::IncDec {
                place,
                delta,
                prefix,
            },
            ty,
        )
    }

    fn unary(&mut self, cx: &mut FnCtx, n: Node<'t>) -> (Expr, Ty) {
        let op = n
            .child_by_field_name("operator")
            .map(|o| self.text(cx.src, o))
            .unwrap_or("-");
        let Some(operand) = n.child_by_field_name("operand") else {
            return (Expr::Null, Ty::Any);
        };
        // Fold negative literals so that -2147483648 is an Integer.
        if op == "-" && operand.kind() == "int" {
            let t = self.text(cx.src, operand).replace('_', "");
            if let Some(d) = t.strip_suffix(['l', 'L']) {
                if let Ok(v) = format!("-{d}").parse::<i64>() {
                    return (Expr::Long(v), Ty::Long);
                }
            } else if let Ok(v) = format!("-{t}").parse::<i32>() {
                return (Expr::Int(v), Ty::Integer);
            }
        }
        let (e, t) = self.expr(cx, operand);
        let (uop, ty) = match op {
            "!" => {
                if !matches!(t, Ty::Boolean | Ty::Any) {
                    let tn = self.ty_name(&t);
                    self.error(
                        cx.src,
                        n,
                        format!("Expression must be of type Boolean: {tn}"),
                    );
                }
                (UnOp::Not, Ty::Boolean)
            }
            "~" => (UnOp::BitNot, t.clone()),
            "+" => (UnOp::Plus, t.clone()),
            _ => {
                if !(t.is_numeric() || t == Ty::Any) {
                    let tn = self.ty_name(&t);
                    self.error(
                        cx.src,
                        n,
                        format!("Arithmetic expressions must use numeric arguments: {tn}"),
                    );
                }
                (UnOp::Neg, t.clone())
            }
        };
        (Expr::Unary(uop, Box::new(e)), ty)
    }

    fn binary(&mut self, cx: &mut FnCtx, n: Node<'t>) -> (Expr, Ty) {
        let k = cx.src;
        let op = n
            .child_by_field_name("operator")
            .map(|o| self.text(k, o).to_string())
            .unwrap_or_default();
        let (l, lt) = self.expr_opt(cx, n.child_by_field_name("left"));
        let (r, rt) = self.expr_opt(cx, n.child_by_field_name("right"));
        let b = |x: Expr| Box::new(x);
        match op.as_str() {
            "&&" | "||" => {
                for (t, side) in [(&lt, "left"), (&rt, "right")] {
                    if !matches!(t, Ty::Boolean | Ty::Any | Ty::Null) {
                        let tn = self.ty_name(t);
                        self.error(
                            k,
                            n,
                            format!("Expression must be of type Boolean: {tn} ({side} of {op})"),
                        );
                    }
                }
                let e = if op == "&&" {
                    Expr::And(b(l), b(r))
                } else {
                    Expr::Or(b(l), b(r))
                };
                (e, Ty::Boolean)
            }
            "??" => {
                let ty = self.common_type(&lt, &rt);
                (Expr::Coalesce(b(l), b(r)), ty)
            }
            _ => {
                let bop = match op.as_str() {
                    "+" => BinOp::Add,
                    "-" => BinOp::Sub,
                    "*" => BinOp::Mul,
                    "/" => BinOp::Div,
                    "%" => BinOp::Rem,
                    "==" => BinOp::Eq,
                    "!=" | "<>" => BinOp::Ne,
                    "===" => BinOp::ExactEq,
                    "!==" => BinOp::ExactNe,
                    "<" => BinOp::Lt,
                    "<=" => BinOp::Le,
                    ">" => BinOp::Gt,
                    ">=" => BinOp::Ge,
                    "&" => BinOp::BitAnd,
                    "|" => BinOp::BitOr,
                    "^" => BinOp::BitXor,
                    "<<" => BinOp::Shl,
                    ">>" => BinOp::Shr,
                    ">>>" => BinOp::UShr,
                    _ => {
                        self.error(k, n, format!("Unknown operator {op}"));
                        BinOp::Add
                    }
                };
                let ty = self.binary_type(cx, n, bop, &lt, &rt);
                let bitwise = matches!(
                    bop,
                    BinOp::Shl
                        | BinOp::Shr
                        | BinOp::UShr
                        | BinOp::BitAnd
                        | BinOp::BitOr
                        | BinOp::BitXor
                );
                if lt == Ty::Integer && rt == Ty::Integer && !bitwise {
                    let e = match (l, r) {
                        (Expr::Local(s), Expr::Int(k)) => Expr::IntOpLocalConst(bop, s, k),
                        (Expr::Local(s), Expr::Local(t)) => Expr::IntOpLocals(bop, s, t),
                        (l, r) => Expr::IntOp(bop, b(l), b(r)),
                    };
                    return (e, ty);
                }
                (Expr::Binary(bop, b(l), b(r)), ty)
            }
        }
    }

    /// The result type of a binary operator, reporting type errors.
    fn binary_type(&mut self, cx: &FnCtx, n: Node<'t>, op: BinOp, a: &Ty, b: &Ty) -> Ty {
        let dynamic = matches!(a, Ty::Any) || matches!(b, Ty::Any);
        match op {
            BinOp::Add if a.is_stringy() || b.is_stringy() => Ty::String,
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => {
                if a.is_numeric() && b.is_numeric() {
                    if a.numeric_rank() >= b.numeric_rank() {
                        a.clone()
                    } else {
                        b.clone()
                    }
                } else if matches!(op, BinOp::Add | BinOp::Sub)
                    && matches!(a, Ty::Date | Ty::Datetime)
                    && (b.is_numeric() || dynamic)
                {
                    a.clone()
                } else if dynamic {
                    Ty::Any
                } else {
                    let (x, y) = (self.ty_name(a), self.ty_name(b));
                    self.error_node(
                        cx.src,
                        n,
                        format!("Arithmetic expressions must use numeric arguments: {x}, {y}"),
                    );
                    Ty::Any
                }
            }
            BinOp::Eq | BinOp::Ne | BinOp::ExactEq | BinOp::ExactNe => {
                if !dynamic && !self.comparable(a, b) {
                    let (x, y) = (self.ty_name(a), self.ty_name(b));
                    self.error_node(
                        cx.src,
                        n,
                        format!("Comparison arguments must be compatible types: {x}, {y}"),
                    );
                }
                Ty::Boolean
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let ok = dynamic
                    || (a.is_numeric() && b.is_numeric())
                    || (a.is_stringy() && b.is_stringy())
                    || (a == b && matches!(a, Ty::Date | Ty::Datetime | Ty::Time))
                    || matches!(a, Ty::Null)
                    || matches!(b, Ty::Null);
                if !ok {
                    let (x, y) = (self.ty_name(a), self.ty_name(b));
                    self.error_node(
                        cx.src,
                        n,
                        format!("Comparison arguments must be compatible types: {x}, {y}"),
                    );
                }
                Ty::Boolean
            }
            BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => {
                if *a == Ty::Boolean && *b == Ty::Boolean {
                    Ty::Boolean
                } else if a == &Ty::Long || b == &Ty::Long {
                    Ty::Long
                } else {
                    a.clone()
                }
            }
            BinOp::Shl | BinOp::Shr | BinOp::UShr => a.clone(),
        }
    }

    fn error_node(&mut self, k: usize, n: Node<'t>, msg: String) {
        self.error(k, n, msg);
    }

    fn comparable(&self, a: &Ty, b: &Ty) -> bool {
        (a.is_numeric() && b.is_numeric())
            || self.assignable(a, b)
            || self.assignable(b, a)
            || matches!(a, Ty::Object)
            || matches!(b, Ty::Object)
    }
}
