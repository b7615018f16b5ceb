//! Compiling the data-platform parts of Apex: sObject fields and constructors,
//! schema tokens, custom settings, `Trigger.*`, `Database.*`, DML statements,
//! triggers and inline SOQL.

use tree_sitter::Node;

use super::Compiler;
use super::body::FnCtx;
use super::syntax::children;
use crate::vm::builtins::NativeFn;
use crate::vm::ir::{Expr, Place, SoqlExpr, Stmt};
use crate::vm::platform::soql::{NameContext, parse_inline};
use crate::vm::platform::{database, describe, rest, settings, triggers};
use crate::vm::schema::FieldType;
use crate::vm::schema::names::Member;
use crate::vm::types::{NativeClass, SObjectTypeId, Ty};

fn native(f: NativeFn, recv: Option<Expr>, args: Vec<Expr>) -> Expr {
    Expr::Native {
        f,
        recv: recv.map(Box::new),
        args,
        safe: false,
    }
}

fn sobj(t: Option<SObjectTypeId>) -> Ty {
    Ty::SObject(t)
}

impl<'t> Compiler<'t> {
    fn ns(&self, cx: &FnCtx) -> String {
        self.sources[cx.src].namespace.clone()
    }

    /// The sObject type a member of `ty` names, for typing relationship fields.
    fn target_type(&self, reference_to: Option<&str>) -> Ty {
        sobj(reference_to.and_then(|t| self.schema.find(t)))
    }

    /// Assignable platform statics: `RestContext.request` and `.response`, unless a
    /// class or variable named RestContext hides them.
    pub(super) fn platform_place(&mut self, cx: &mut FnCtx, n: Node<'t>) -> Option<(Place, Ty)> {
        let obj = n.child_by_field_name("object")?;
        let field = n.child_by_field_name("field")?;
        if obj.kind() != "identifier" || !self.text(cx.src, obj).eq_ignore_ascii_case("restcontext")
        {
            return None;
        }
        if cx.local("restcontext").is_some()
            || self
                .lookup_class(&["restcontext".to_string()], Some(cx.class), cx.src)
                .is_some()
        {
            return None;
        }
        let (get, set, class): (NativeFn, NativeFn, NativeClass) =
            match self.text(cx.src, field).to_ascii_lowercase().as_str() {
                "request" => (
                    rest::get_request,
                    rest::set_request,
                    NativeClass::RestRequest,
                ),
                "response" => (
                    rest::get_response,
                    rest::set_response,
                    NativeClass::RestResponse,
                ),
                _ => return None,
            };
        Some((
            Place::Native {
                get: Box::new(native(get, None, vec![])),
                set,
            },
            Ty::Native(class),
        ))
    }

    /// Static fields of built-in classes (`Math.PI`, `Trigger.new`).
    pub(super) fn builtin_static_field(
        &mut self,
        cx: &mut FnCtx,
        _n: Node<'t>,
        b: &str,
        lower: &str,
    ) -> Option<(Expr, Ty)> {
        match (b, lower) {
            ("math", "pi") => Some((Expr::Double(std::f64::consts::PI), Ty::Double)),
            ("math", "e") => Some((Expr::Double(std::f64::consts::E), Ty::Double)),
            ("trigger", var) => {
                let (code, ty) = triggers::variable(var, cx.trigger_object)?;
                Some((
                    native(triggers::trigger_var, None, vec![Expr::Int(code)]),
                    ty,
                ))
            }
            ("restcontext", "request") => Some((
                native(rest::get_request, None, vec![]),
                Ty::Native(NativeClass::RestRequest),
            )),
            ("restcontext", "response") => Some((
                native(rest::get_response, None, vec![]),
                Ty::Native(NativeClass::RestResponse),
            )),
            _ => None,
        }
    }

    /// `record.Field__c` on an sObject.
    pub(super) fn sobject_field(
        &mut self,
        cx: &mut FnCtx,
        n: Node<'t>,
        e: Expr,
        s: Option<u32>,
        name: &str,
        safe: bool,
    ) -> (Expr, Ty) {
        let Some(s) = s else {
            return (
                Expr::DynGet {
                    obj: Box::new(e),
                    name: name.into(),
                    safe,
                },
                Ty::Any,
            );
        };
        let ns = self.ns(cx);
        let tname = self.schema.get(s).name.clone();
        let mut readonly = None;
        let resolved = match self.schema.lookup_member(s, name, &ns) {
            Some(Member::Field(f)) => {
                let generated = matches!(f.ty, FieldType::Formula | FieldType::AutoNumber)
                    || matches!(
                        f.name.to_ascii_lowercase().as_str(),
                        "createddate"
                            | "createdbyid"
                            | "lastmodifieddate"
                            | "lastmodifiedbyid"
                            | "systemmodstamp"
                            | "isdeleted"
                    );
                if generated {
                    readonly = Some(format!("{tname}.{}", f.name).into_boxed_str());
                }
                Some((f.name.clone(), f.apex_ty.clone()))
            }
            Some(Member::Parent(f)) => {
                let rel = f.relationship_name.clone().unwrap_or_default();
                Some((rel, self.target_type(f.reference_to.as_deref())))
            }
            Some(Member::Children(c)) => {
                let child = self.schema.find(&c.1);
                Some((c.0.clone(), Ty::list(sobj(child))))
            }
            None => None,
        };
        match resolved {
            Some((api, ty)) => (
                Expr::SField {
                    obj: Box::new(e),
                    key: api.to_ascii_lowercase().into(),
                    api: api.into(),
                    safe,
                    readonly,
                },
                ty,
            ),
            None => {
                self.error(cx.src, n, format!("Invalid field {name} for {tname}"));
                (Expr::Null, Ty::Any)
            }
        }
    }

    /// `Account.SObjectType`, `Account.Name` (a field token), `Schema.SObjectType.Account`.
    pub(super) fn sobject_static(
        &mut self,
        cx: &mut FnCtx,
        _n: Node<'t>,
        s: u32,
        lower: &str,
    ) -> Option<(Expr, Ty)> {
        if lower == "sobjecttype" {
            return Some((
                native(
                    describe::sobject_type_token,
                    None,
                    vec![Expr::Int(s as i32)],
                ),
                Ty::Native(NativeClass::SObjectTypeToken),
            ));
        }
        let ns = self.ns(cx);
        let name = self.schema.lookup_field(s, lower, &ns)?.name.clone();
        let field = self.intern(&name);
        Some((
            native(
                describe::field_token,
                None,
                vec![Expr::Int(s as i32), Expr::Str(field)],
            ),
            Ty::Native(NativeClass::SObjectFieldToken),
        ))
    }

    /// `Schema.SObjectType.Account`: the type's describe result.
    pub(super) fn schema_describe(&mut self, s: u32) -> (Expr, Ty) {
        (
            native(describe::describe_sobject, None, vec![Expr::Int(s as i32)]),
            Ty::Native(NativeClass::DescribeSObjectResult),
        )
    }

    /// `Tax_Rate__c.getInstance('x')` and the other custom setting statics.
    pub(super) fn sobject_type_call(
        &mut self,
        cx: &mut FnCtx,
        n: Node<'t>,
        s: u32,
        name: &str,
        arg_nodes: &[Node<'t>],
    ) -> (Expr, Ty) {
        let (args, tys) = self.args(cx, arg_nodes);
        let lower = name.to_ascii_lowercase();
        let d = self.schema.get(s);
        let kind = d.custom_setting;
        let tname = d.name.clone();
        let Some(kind) = kind else {
            self.no_method_pub(cx.src, n, name, &tys, &tname);
            return (Expr::Null, Ty::Any);
        };
        let f: Option<(NativeFn, Ty)> = match (lower.as_str(), args.len()) {
            ("getinstance", 0 | 1) | ("getvalues", 1) => {
                Some((settings::get_instance, sobj(Some(s))))
            }
            ("getall", 0) => Some((settings::get_all, Ty::map(Ty::String, sobj(Some(s))))),
            ("getorgdefaults", 0) => Some((settings::get_org_defaults, sobj(Some(s)))),
            _ => None,
        };
        let list_only_ok =
            !(lower == "getall" && kind != crate::vm::schema::CustomSettingKind::List);
        match f {
            Some((f, ty)) if list_only_ok => {
                let code = if lower == "getvalues" { 1 } else { 0 };
                let mut all = vec![Expr::Int(s as i32), Expr::Int(code)];
                all.extend(args);
                (native(f, None, all), ty)
            }
            _ => {
                self.no_method_pub(cx.src, n, name, &tys, &tname);
                (Expr::Null, Ty::Any)
            }
        }
    }

    /// `Database.*` and `Schema.*` statics whose types depend on their arguments.
    pub(super) fn platform_static_call(
        &mut self,
        cx: &mut FnCtx,
        n: Node<'t>,
        b: &str,
        lower: &str,
        arg_nodes: &[Node<'t>],
    ) -> Option<(Expr, Ty)> {
        match (b, lower) {
            ("database", "insert" | "update" | "upsert" | "delete" | "undelete") => {
                let (args, tys) = self.args(cx, arg_nodes);
                let many = matches!(tys.first(), Some(Ty::List(_)) | Some(Ty::Any));
                let result = match lower {
                    "delete" => NativeClass::DeleteResult,
                    "undelete" => NativeClass::UndeleteResult,
                    "upsert" => NativeClass::UpsertResult,
                    _ => NativeClass::SaveResult,
                };
                if let Some(t) = tys.first() {
                    self.check_dml_target(cx, n, t);
                }
                let ty = if many {
                    Ty::list(Ty::Native(result))
                } else {
                    Ty::Native(result)
                };
                let op = database::dml_op_code(lower);
                let mut all = vec![Expr::Int(op)];
                all.extend(args);
                Some((native(database::database_dml, None, all), ty))
            }
            ("database", "query" | "querywithbinds" | "countquery" | "getquerylocator") => {
                let (args, _) = self.args(cx, arg_nodes);
                let ty = match lower {
                    "countquery" => Ty::Integer,
                    "getquerylocator" => Ty::Native(NativeClass::QueryLocator),
                    _ => Ty::list(sobj(None)),
                };
                let code = match lower {
                    "countquery" => 1,
                    _ => 0,
                };
                let f: NativeFn = if lower == "querywithbinds" {
                    database::query_with_binds
                } else {
                    database::dynamic_query
                };
                let mut all = vec![Expr::Int(code)];
                all.extend(args);
                Some((native(f, None, all), ty))
            }
            ("database", "setsavepoint") => Some((
                native(database::set_savepoint, None, vec![]),
                Ty::Native(NativeClass::Savepoint),
            )),
            ("database", "rollback") => {
                let (args, _) = self.args(cx, arg_nodes);
                Some((native(database::rollback, None, args), Ty::Void))
            }
            ("schema", "getglobaldescribe") => Some((
                native(describe::global_describe, None, vec![]),
                Ty::map(Ty::String, Ty::Native(NativeClass::SObjectTypeToken)),
            )),
            _ => None,
        }
    }

    /// Instance methods handled by the platform (none beyond the tables yet).
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

    /// `new Account(Name = 'x')`: every field checked against the schema.
    pub(super) fn new_sobject_expr(
        &mut self,
        cx: &mut FnCtx,
        _n: Node<'t>,
        s: u32,
        args: &[Node<'t>],
    ) -> (Expr, Ty) {
        let ns = self.ns(cx);
        let tname = self.schema.get(s).name.clone();
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
            let want = match self.schema.lookup_member(s, &name, &ns) {
                Some(Member::Field(f)) => Some((f.name.clone(), f.apex_ty.clone())),
                Some(Member::Parent(f)) => Some((
                    f.relationship_name.clone().unwrap_or_default(),
                    self.target_type(f.reference_to.as_deref()),
                )),
                _ => None,
            };
            let Some((api, ty)) = want else {
                self.error(cx.src, l, format!("Invalid field {name} for {tname}"));
                continue;
            };
            let (v, vt) = self.expr(cx, r);
            if !self.assignable(&vt, &ty) {
                let tn = self.ty_name(&ty);
                self.error(
                    cx.src,
                    r,
                    format!(
                        "Invalid initial expression type for field {tname}.{api}, expecting: {tn}"
                    ),
                );
            }
            let v = self.coerce(v, &vt, &ty);
            fields.push((api.into_boxed_str(), v));
        }
        (Expr::NewSObject { sobject: s, fields }, sobj(Some(s)))
    }

    fn check_dml_target(&mut self, cx: &FnCtx, n: Node<'t>, t: &Ty) {
        let ok = match t {
            Ty::SObject(_) | Ty::Any | Ty::Object | Ty::Null | Ty::Id => true,
            Ty::List(e) => matches!(**e, Ty::SObject(_) | Ty::Any | Ty::Object | Ty::Id),
            _ => false,
        };
        if !ok {
            let tn = self.ty_name(t);
            self.error(
                cx.src,
                n,
                format!("DML requires SObject or SObject list type: {tn}"),
            );
        }
    }

    /// A DML statement: `insert x;`, `upsert recs Ext__c;`.
    pub(super) fn dml(&mut self, cx: &mut FnCtx, n: Node<'t>) -> (Expr, Ty) {
        let op = children(n)
            .into_iter()
            .find(|c| c.kind() == "dml_type")
            .map(|c| self.text(cx.src, c).to_ascii_lowercase())
            .unwrap_or_default();
        let Some(target) = n.child_by_field_name("target") else {
            return (Expr::Null, Ty::Void);
        };
        let (e, t) = self.expr(cx, target);
        self.check_dml_target(cx, target, &t);
        if op == "merge" {
            self.error(
                cx.src,
                n,
                "merge is not supported; update and delete the records instead",
            );
        }
        let mut args = vec![Expr::Int(database::dml_op_code(&op)), e];
        if let Some(k) = n.child_by_field_name("upsert_key") {
            let field = self.text(cx.src, k).to_string();
            let id = self.intern(&field);
            args.push(Expr::Str(id));
        }
        (native(database::dml_statement, None, args), Ty::Void)
    }

    /// A trigger body, with `Trigger.new` typed by the trigger's object.
    pub(super) fn trigger_body(
        &mut self,
        cx: &mut FnCtx,
        b: Node<'t>,
        _decl: Node<'t>,
        out: &mut Vec<Stmt>,
    ) {
        cx.trigger_object = self.prog.class(cx.class).trigger.as_ref().map(|t| t.0);
        let block = children(b)
            .into_iter()
            .find(|c| c.kind() == "block")
            .unwrap_or(b);
        self.block_into(cx, block, out);
    }

    /// An inline `[SELECT ...]` query: parsed now, its binds compiled as Apex.
    pub(super) fn soql_inline(&mut self, cx: &mut FnCtx, n: Node<'t>) -> (Expr, Ty) {
        let ns = self.ns(cx);
        let schema = self.schema.clone();
        let ctx = NameContext {
            schema: &schema,
            namespace: &ns,
        };
        let text = &self.sources[cx.src].text;
        let mut bind_nodes: Vec<Node<'t>> = Vec::new();
        let parsed = parse_inline(n, text, &ctx, &mut |b| {
            bind_nodes.push(b);
            (bind_nodes.len() - 1) as u32
        });
        let q = match parsed {
            Ok(q) => q,
            Err(e) => {
                self.soql_error(cx, n, &e);
                return (Expr::Null, Ty::Any);
            }
        };
        self.check_sobject_visible(cx.src, n, q.sobject);
        let binds = bind_nodes.into_iter().map(|b| self.expr(cx, b).0).collect();
        let ty = if q.count_only {
            Ty::Integer
        } else if q.has_aggregates() {
            Ty::list(Ty::Native(NativeClass::AggregateResult))
        } else {
            Ty::list(sobj(Some(q.sobject)))
        };
        (
            Expr::Soql(Box::new(SoqlExpr {
                query: std::sync::Arc::new(q),
                binds,
            })),
            ty,
        )
    }

    fn soql_error(&mut self, cx: &FnCtx, n: Node<'t>, e: &crate::vm::platform::soql::SoqlError) {
        let (line, col) = match &e.span {
            Some(r) => {
                let text = &self.sources[cx.src].text;
                let before = &text[..r.start.min(text.len())];
                let line = before.matches('\n').count() as u32 + 1;
                let col = before.rsplit('\n').next().map(|l| l.len()).unwrap_or(0) as u32 + 1;
                (line, col)
            }
            None => super::syntax::pos(n),
        };
        let file = self.sources[cx.src].file.to_string();
        self.errors.push(super::CompileError::new(
            &file,
            line,
            col,
            e.message.clone(),
        ));
    }
}
