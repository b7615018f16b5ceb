//! Compiling the data-platform parts of Apex: sObjects, SOQL, DML, triggers,
//! custom settings and platform statics.

use tree_sitter::Node;

use super::Compiler;
use super::body::FnCtx;
use crate::vm::ir::{Expr, Stmt};
use crate::vm::types::Ty;

impl<'t> Compiler<'t> {
    /// Static fields of built-in classes (`Math.PI`, `Trigger.new`).
    pub(super) fn builtin_static_field(
        &mut self,
        _cx: &mut FnCtx,
        _n: Node<'t>,
        b: &str,
        lower: &str,
    ) -> Option<(Expr, Ty)> {
        match (b, lower) {
            ("math", "pi") => Some((Expr::Double(std::f64::consts::PI), Ty::Double)),
            ("math", "e") => Some((Expr::Double(std::f64::consts::E), Ty::Double)),
            _ => None,
        }
    }

    /// `record.Field__c` on an sObject.
    pub(super) fn sobject_field(
        &mut self,
        _cx: &mut FnCtx,
        _n: Node<'t>,
        e: Expr,
        _s: Option<u32>,
        name: &str,
        safe: bool,
    ) -> (Expr, Ty) {
        (
            Expr::DynGet {
                obj: Box::new(e),
                name: name.into(),
                safe,
            },
            Ty::Any,
        )
    }

    /// `Account.SObjectType`, `Account.Name` (a field token).
    pub(super) fn sobject_static(
        &mut self,
        _cx: &mut FnCtx,
        _n: Node<'t>,
        _s: u32,
        _lower: &str,
    ) -> Option<(Expr, Ty)> {
        None
    }

    /// `Tax_Rate__c.getInstance('x')` and other sObject-type statics.
    pub(super) fn sobject_type_call(
        &mut self,
        cx: &mut FnCtx,
        n: Node<'t>,
        _s: u32,
        name: &str,
        _args: &[Node<'t>],
    ) -> (Expr, Ty) {
        self.error(
            cx.src,
            n,
            format!("Method does not exist or incorrect signature: {name}"),
        );
        (Expr::Null, Ty::Any)
    }

    /// Statics handled by the platform (`Database.insert`, `JSON.deserialize` typing).
    pub(super) fn platform_static_call(
        &mut self,
        _cx: &mut FnCtx,
        _n: Node<'t>,
        _b: &str,
        _lower: &str,
        _args: &[Node<'t>],
    ) -> Option<(Expr, Ty)> {
        None
    }

    /// Instance methods handled by the platform.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn platform_instance_call(
        &mut self,
        _cx: &mut FnCtx,
        _n: Node<'t>,
        _recv: &Expr,
        _rty: &Ty,
        _lower: &str,
        _args: &[Expr],
        _tys: &[Ty],
        _safe: bool,
    ) -> Option<(Expr, Ty)> {
        None
    }

    /// `new Account(Name = 'x')`.
    pub(super) fn new_sobject_expr(
        &mut self,
        cx: &mut FnCtx,
        n: Node<'t>,
        s: u32,
        args: &[Node<'t>],
    ) -> (Expr, Ty) {
        let mut fields = Vec::new();
        for a in args {
            if a.kind() != "assignment_expression" {
                self.error(
                    cx.src,
                    *a,
                    "SObject constructor arguments must be Field = value pairs",
                );
                continue;
            }
            let (Some(l), Some(r)) = (
                a.child_by_field_name("left"),
                a.child_by_field_name("right"),
            ) else {
                continue;
            };
            let name = self.text(cx.src, l).to_string();
            let (v, _) = self.expr(cx, r);
            fields.push((name.into_boxed_str(), v));
        }
        let _ = n;
        (
            Expr::NewSObject { sobject: s, fields },
            Ty::SObject(Some(s)),
        )
    }

    /// An inline `[SELECT ...]` query.
    pub(super) fn soql_inline(&mut self, cx: &mut FnCtx, n: Node<'t>) -> (Expr, Ty) {
        self.error(cx.src, n, "SOQL is not supported yet");
        (Expr::Null, Ty::Any)
    }

    /// A DML statement.
    pub(super) fn dml(&mut self, cx: &mut FnCtx, n: Node<'t>) -> (Expr, Ty) {
        self.error(cx.src, n, "DML is not supported yet");
        (Expr::Null, Ty::Any)
    }

    /// A trigger body.
    pub(super) fn trigger_body(
        &mut self,
        cx: &mut FnCtx,
        b: Node<'t>,
        _decl: Node<'t>,
        out: &mut Vec<Stmt>,
    ) {
        let block = super::syntax::children(b)
            .into_iter()
            .find(|c| c.kind() == "block")
            .unwrap_or(b);
        self.block_into(cx, block, out);
    }
}
