//! Function bodies: scopes, locals and statements, and the flow checks
//! (missing return, unreachable statements).

use tree_sitter::Node;

use super::Compiler;
use super::syntax::{children, pos};
use crate::vm::ir::{Catch, Expr, Place, Stmt, StmtKind, SwitchArm, SwitchValue};
use crate::vm::program::{ClassKind, FnBody, FnKind, LocalInfo};
use crate::vm::types::{ClassId, FnId, Ty};

/// A field initializer or initializer block, in source order.
pub(super) enum InitPart<'t> {
    Field {
        is_static: bool,
        slot: u32,
        ty: Ty,
        value: Node<'t>,
        decl: Node<'t>,
    },
    Block(Node<'t>),
}

/// What a job compiles.
pub(super) enum JobKind<'t> {
    Method(Node<'t>),
    Ctor(Node<'t>),
    DefaultCtor,
    ExceptionCtor,
    /// A property accessor body, with the property's lower-case name and storage slot.
    Accessor(Node<'t>, String, u32),
    Init(Vec<InitPart<'t>>),
    Anonymous(Vec<Node<'t>>),
    /// A trigger's body block and its declaration.
    Trigger(Node<'t>, Node<'t>),
}

/// A function body waiting to be compiled.
pub(super) struct Job<'t> {
    pub func: FnId,
    pub src: usize,
    pub kind: JobKind<'t>,
}

/// Per-function compile state.
pub(super) struct FnCtx {
    pub class: ClassId,
    pub file_class: ClassId,
    pub is_static: bool,
    pub ret: Ty,
    pub kind: FnKind,
    pub src: usize,
    scopes: Vec<Vec<(String, u32, Ty, usize)>>,
    pub n_slots: u32,
    pub locals: Vec<LocalInfo>,
    pub loops: u32,
    /// Inside a property accessor: the property's name and storage slot.
    pub accessor: Option<(String, u32)>,
    /// Trigger bodies: the sObject type of the trigger.
    pub trigger_object: Option<u32>,
}

impl FnCtx {
    /// A context for evaluating an expression in a stopped frame.
    pub fn for_eval(scope: &super::EvalScope, file_class: ClassId) -> FnCtx {
        let mut locals = Vec::new();
        let mut names = Vec::new();
        for (k, (name, slot, ty)) in scope.locals.iter().enumerate() {
            names.push((name.to_ascii_lowercase(), *slot, ty.clone(), k));
            locals.push(LocalInfo {
                name: name.clone(),
                ty: ty.clone(),
                slot: *slot,
                from_line: 0,
                to_line: u32::MAX,
            });
        }
        let n_slots = scope.locals.iter().map(|l| l.1 + 1).max().unwrap_or(0);
        FnCtx {
            class: scope.class,
            file_class,
            is_static: scope.is_static,
            ret: Ty::Any,
            kind: FnKind::Method,
            src: 0,
            scopes: vec![names],
            n_slots,
            locals,
            loops: 0,
            accessor: None,
            trigger_object: None,
        }
    }

    /// Looks a local up by lower-case name, innermost first.
    pub fn local(&self, name: &str) -> Option<(u32, Ty)> {
        for s in self.scopes.iter().rev() {
            for (n, slot, ty, _) in s.iter().rev() {
                if n == name {
                    return Some((*slot, ty.clone()));
                }
            }
        }
        None
    }
}

impl<'t> Compiler<'t> {
    fn new_ctx(&self, f: FnId, src: usize) -> FnCtx {
        let func = self.prog.func(f);
        FnCtx {
            class: func.class,
            file_class: func.file_class,
            is_static: func.is_static,
            ret: func.ret.clone(),
            kind: func.kind,
            src,
            scopes: vec![Vec::new()],
            n_slots: 0,
            locals: Vec::new(),
            loops: 0,
            accessor: None,
            trigger_object: None,
        }
    }

    pub(super) fn push_scope(&mut self, cx: &mut FnCtx) {
        cx.scopes.push(Vec::new());
    }

    pub(super) fn pop_scope(&mut self, cx: &mut FnCtx, end_line: u32) {
        if let Some(s) = cx.scopes.pop() {
            for (_, _, _, idx) in s {
                cx.locals[idx].to_line = end_line;
            }
        }
    }

    /// Declares a local in the innermost scope.
    pub(super) fn declare_local(&mut self, cx: &mut FnCtx, at: Node, name: &str, ty: Ty) -> u32 {
        let lower = name.to_ascii_lowercase();
        if cx.local(&lower).is_some() {
            self.error(cx.src, at, format!("Duplicate variable: {name}"));
        }
        let slot = cx.n_slots;
        cx.n_slots += 1;
        let (line, _) = pos(at);
        cx.locals.push(LocalInfo {
            name: name.to_string(),
            ty: ty.clone(),
            slot,
            from_line: line,
            to_line: u32::MAX,
        });
        let idx = cx.locals.len() - 1;
        cx.scopes
            .last_mut()
            .expect("a scope")
            .push((lower, slot, ty, idx));
        slot
    }

    fn record_line(&mut self, cx: &FnCtx, line: u32) {
        self.lines.entry(cx.file_class).or_default().push(line);
    }

    /// Compiles a job and stores the body in its function.
    pub(super) fn compile_job(&mut self, job: Job<'t>) {
        let mut cx = self.new_ctx(job.func, job.src);
        let params: Vec<(String, Ty)> = {
            let f = self.prog.func(job.func);
            f.param_names
                .iter()
                .cloned()
                .zip(f.params.iter().cloned())
                .collect()
        };
        let fline = self.prog.func(job.func).line;
        for (name, ty) in &params {
            let lower = name.to_ascii_lowercase();
            let slot = cx.n_slots;
            cx.n_slots += 1;
            cx.locals.push(LocalInfo {
                name: name.clone(),
                ty: ty.clone(),
                slot,
                from_line: fline,
                to_line: u32::MAX,
            });
            let idx = cx.locals.len() - 1;
            cx.scopes[0].push((lower, slot, ty.clone(), idx));
        }
        let mut body = Vec::new();
        let k = job.src;
        let mut check_return: Option<Node> = None;
        match job.kind {
            JobKind::Method(b) => {
                self.block_into(&mut cx, b, &mut body);
                check_return = Some(b);
            }
            JobKind::Ctor(b) => self.ctor_body(&mut cx, job.func, b, &mut body),
            JobKind::DefaultCtor => self.implicit_super(&mut cx, job.func, None, &mut body),
            JobKind::ExceptionCtor => self.exception_ctor_body(&cx, job.func, &mut body),
            JobKind::Accessor(b, name, slot) => {
                cx.accessor = Some((name, slot));
                self.block_into(&mut cx, b, &mut body);
                if cx.kind == FnKind::Getter {
                    check_return = Some(b);
                }
            }
            JobKind::Init(parts) => {
                for part in parts {
                    self.init_part(&mut cx, part, &mut body);
                }
            }
            JobKind::Anonymous(stmts) => {
                for s in stmts {
                    self.stmt_into(&mut cx, s, &mut body);
                }
            }
            JobKind::Trigger(b, decl) => self.trigger_body(&mut cx, b, decl, &mut body),
        }
        self.check_unreachable(k, &body);
        if let Some(b) = check_return
            && cx.ret != Ty::Void
            && can_complete(&body)
        {
            let t = self.ty_name(&cx.ret);
            let end = b.end_position();
            let file = self.sources[k].file.to_string();
            self.errors.push(super::CompileError::new(
                &file,
                end.row as u32 + 1,
                end.column as u32,
                format!("Missing return statement required return type: {t}"),
            ));
        }
        let f = self.func_mut(job.func);
        f.body = FnBody::Apex(body);
        f.n_locals = cx.n_slots;
        f.locals = cx.locals;
    }

    fn init_part(&mut self, cx: &mut FnCtx, part: InitPart<'t>, out: &mut Vec<Stmt>) {
        match part {
            InitPart::Field {
                is_static,
                slot,
                ty,
                value,
                decl,
            } => {
                let (line, col) = pos(decl);
                self.record_line(cx, line);
                let v = self.expr_expect(cx, value, &ty);
                let place = if is_static {
                    Place::Static {
                        class: cx.class,
                        slot,
                    }
                } else {
                    Place::Field {
                        obj: Box::new(Expr::This),
                        idx: slot,
                    }
                };
                out.push(Stmt {
                    line,
                    col,
                    kind: StmtKind::Expr(Expr::Assign {
                        place,
                        value: Box::new(v),
                        conv: None,
                    }),
                });
            }
            InitPart::Block(b) => {
                let block = if b.kind() == "static_initializer" {
                    children(b)
                        .into_iter()
                        .find(|c| c.kind() == "block")
                        .unwrap_or(b)
                } else {
                    b
                };
                self.block_into(cx, block, out);
            }
        }
    }

    /// Compiles a `block` node's statements in a new scope.
    pub(super) fn block_into(&mut self, cx: &mut FnCtx, b: Node<'t>, out: &mut Vec<Stmt>) {
        self.push_scope(cx);
        for s in children(b) {
            self.stmt_into(cx, s, out);
        }
        let end = b.end_position().row as u32 + 1;
        self.pop_scope(cx, end);
    }

    /// Compiles one statement as a single IR statement (wrapping declarations in a block).
    pub(super) fn stmt_one(&mut self, cx: &mut FnCtx, n: Node<'t>) -> Stmt {
        let mut out = Vec::new();
        self.stmt_into(cx, n, &mut out);
        let (line, col) = pos(n);
        if out.len() == 1 {
            out.pop().expect("one")
        } else {
            Stmt {
                line,
                col,
                kind: StmtKind::Block(out),
            }
        }
    }

    /// Compiles a statement, appending to `out`.
    pub(super) fn stmt_into(&mut self, cx: &mut FnCtx, n: Node<'t>, out: &mut Vec<Stmt>) {
        let (line, col) = pos(n);
        let kind: Option<StmtKind> = match n.kind() {
            "block" => {
                let mut inner = Vec::new();
                self.block_into(cx, n, &mut inner);
                Some(StmtKind::Block(inner))
            }
            ";" => Some(StmtKind::Empty),
            "local_variable_declaration" => {
                let Some(tn) = n.child_by_field_name("type") else {
                    return;
                };
                let ty = self.resolve_type(cx.src, tn, Some(cx.class));
                let mut c = n.walk();
                let decls: Vec<Node<'t>> = n.children_by_field_name("declarator", &mut c).collect();
                for d in decls {
                    let Some(name_node) = d.child_by_field_name("name") else {
                        continue;
                    };
                    let dty = if d.child_by_field_name("dimensions").is_some() {
                        Ty::list(ty.clone())
                    } else {
                        ty.clone()
                    };
                    // The initializer sees the variables declared before it, not this one.
                    let init = d
                        .child_by_field_name("value")
                        .map(|v| self.expr_expect(cx, v, &dty));
                    let name = self.text(cx.src, name_node).to_string();
                    let slot = self.declare_local(cx, name_node, &name, dty);
                    let (dl, dc) = pos(d);
                    self.record_line(cx, dl);
                    out.push(Stmt {
                        line: dl,
                        col: if dl == line { col } else { dc },
                        kind: StmtKind::Local { slot, init },
                    });
                }
                None
            }
            "expression_statement" => {
                let Some(e) = children(n).into_iter().next() else {
                    return;
                };
                if let Some(d) = self.misparsed_declaration(cx, e) {
                    let (ty, var, value) = d;
                    let init = self.expr_expect(cx, value, &ty);
                    let name = self.text(cx.src, var).to_string();
                    let slot = self.declare_local(cx, var, &name, ty);
                    self.record_line(cx, line);
                    out.push(Stmt {
                        line,
                        col,
                        kind: StmtKind::Local {
                            slot,
                            init: Some(init),
                        },
                    });
                    return;
                }
                if !is_statement_expression(e) {
                    self.error(cx.src, e, "Expression cannot be a statement.");
                }
                let (ex, _) = self.expr(cx, e);
                Some(StmtKind::Expr(ex))
            }
            "if_statement" => {
                let cond = n
                    .child_by_field_name("condition")
                    .map(|c| self.cond(cx, c))
                    .unwrap_or(Expr::Bool(false));
                let then = match n.child_by_field_name("consequence") {
                    Some(s) => self.scoped_stmt(cx, s),
                    None => empty(line),
                };
                let els = n
                    .child_by_field_name("alternative")
                    .map(|s| Box::new(self.scoped_stmt(cx, s)));
                Some(StmtKind::If {
                    cond,
                    then: Box::new(then),
                    els,
                })
            }
            "while_statement" => {
                let cond = n
                    .child_by_field_name("condition")
                    .map(|c| self.cond(cx, c))
                    .unwrap_or(Expr::Bool(false));
                let body = self.loop_body(cx, n.child_by_field_name("body"), line);
                Some(StmtKind::While {
                    cond,
                    body: Box::new(body),
                })
            }
            "do_statement" => {
                let body = self.loop_body(cx, n.child_by_field_name("body"), line);
                let cond = n
                    .child_by_field_name("condition")
                    .map(|c| self.cond(cx, c))
                    .unwrap_or(Expr::Bool(false));
                Some(StmtKind::DoWhile {
                    body: Box::new(body),
                    cond,
                })
            }
            "for_statement" => {
                self.push_scope(cx);
                let mut init = Vec::new();
                let mut c = n.walk();
                let inits: Vec<Node<'t>> = n.children_by_field_name("init", &mut c).collect();
                for i in inits {
                    if i.kind() == "local_variable_declaration" {
                        self.stmt_into(cx, i, &mut init);
                    } else {
                        let (e, _) = self.expr(cx, i);
                        let (il, ic) = pos(i);
                        init.push(Stmt {
                            line: il,
                            col: ic,
                            kind: StmtKind::Expr(e),
                        });
                    }
                }
                let cond = n.child_by_field_name("condition").map(|c| self.cond(cx, c));
                let mut c = n.walk();
                let updates: Vec<Node<'t>> = n.children_by_field_name("update", &mut c).collect();
                let update = updates.into_iter().map(|u| self.expr(cx, u).0).collect();
                let body = self.loop_body(cx, n.child_by_field_name("body"), line);
                let end = n.end_position().row as u32 + 1;
                self.pop_scope(cx, end);
                Some(StmtKind::For {
                    init,
                    cond,
                    update,
                    body: Box::new(body),
                })
            }
            "enhanced_for_statement" => {
                self.foreach(cx, n, out);
                None
            }
            "break_statement" | "continue_statement" => {
                if cx.loops == 0 {
                    let what = if n.kind() == "break_statement" {
                        "break"
                    } else {
                        "continue"
                    };
                    self.error(cx.src, n, format!("{what} must be inside a loop"));
                }
                let k = if n.kind() == "break_statement" {
                    StmtKind::Break
                } else {
                    StmtKind::Continue
                };
                Some(k)
            }
            "return_statement" => {
                let value = children(n).into_iter().next();
                let e = match (value, &cx.ret) {
                    (None, Ty::Void) => None,
                    (None, t) => {
                        if !matches!(
                            cx.kind,
                            FnKind::Constructor
                                | FnKind::Setter
                                | FnKind::StaticInit
                                | FnKind::InstanceInit
                                | FnKind::Anonymous
                                | FnKind::Trigger
                        ) {
                            let t = self.ty_name(t);
                            self.error(cx.src, n, format!("Missing return value of type: {t}"));
                        }
                        None
                    }
                    (Some(v), Ty::Void) => {
                        self.error(cx.src, v, "Void method must not return a value");
                        Some(self.expr(cx, v).0)
                    }
                    (Some(v), t) => {
                        let t = t.clone();
                        Some(self.expr_as(cx, v, &t, "Illegal conversion from"))
                    }
                };
                Some(StmtKind::Return(e))
            }
            "throw_statement" => {
                let Some(v) = children(n).into_iter().next() else {
                    return;
                };
                let (e, t) = self.expr(cx, v);
                let ok = match &t {
                    Ty::Class(c) => self.prog.class(*c).is_exception,
                    Ty::Any | Ty::Object | Ty::Null => true,
                    _ => false,
                };
                if !ok {
                    let tn = self.ty_name(&t);
                    self.error(
                        cx.src,
                        v,
                        format!("Throw expression must be of type Exception: {tn}"),
                    );
                }
                Some(StmtKind::Throw(e))
            }
            "try_statement" => {
                self.try_stmt(cx, n, out);
                None
            }
            "switch_expression" => {
                self.switch_stmt(cx, n, out);
                None
            }
            "run_as_statement" => match children(n).into_iter().find(|c| c.kind() == "block") {
                Some(b) => {
                    let mut inner = Vec::new();
                    self.block_into(cx, b, &mut inner);
                    Some(StmtKind::Block(inner))
                }
                None => None,
            },
            "class_declaration"
            | "interface_declaration"
            | "enum_declaration"
            | "method_declaration" => None,
            "explicit_constructor_invocation" => {
                self.error(
                    cx.src,
                    n,
                    "Constructor call must be the first statement in a constructor",
                );
                None
            }
            other => {
                self.error(cx.src, n, format!("Unexpected statement: {other}"));
                None
            }
        };
        if let Some(kind) = kind {
            if !matches!(kind, StmtKind::Block(_) | StmtKind::Empty) {
                self.record_line(cx, line);
            }
            out.push(Stmt { line, col, kind });
        }
    }

    /// tree-sitter-sfapex reads `List<Account> rows = [SELECT ...];` at the top of
    /// anonymous code as `List < Account > (rows = ...)`. Recognise that shape and
    /// give back the declaration it is: (type, variable node, value node).
    fn misparsed_declaration(
        &mut self,
        cx: &FnCtx,
        e: Node<'t>,
    ) -> Option<(Ty, Node<'t>, Node<'t>)> {
        if e.kind() != "binary_expression" {
            return None;
        }
        let op = |n: Node<'t>| {
            n.child_by_field_name("operator")
                .map(|o| self.text(cx.src, o))
        };
        if op(e) != Some(">") {
            return None;
        }
        let left = e.child_by_field_name("left")?;
        let right = e.child_by_field_name("right")?;
        if left.kind() != "binary_expression"
            || op(left) != Some("<")
            || right.kind() != "assignment_expression"
        {
            return None;
        }
        let base = left.child_by_field_name("left")?;
        let arg = left.child_by_field_name("right")?;
        let var = right.child_by_field_name("left")?;
        let value = right.child_by_field_name("right")?;
        if base.kind() != "identifier"
            || var.kind() != "identifier"
            || !matches!(arg.kind(), "identifier" | "field_access")
        {
            return None;
        }
        if cx
            .local(&self.text(cx.src, base).to_ascii_lowercase())
            .is_some()
        {
            return None;
        }
        let parts: Vec<&str> = self.text(cx.src, arg).split('.').map(str::trim).collect();
        let elem = self.resolve_type_path(&parts, Some(cx.class), cx.src)?;
        let ty = match self.text(cx.src, base).to_ascii_lowercase().as_str() {
            "list" => Ty::list(elem),
            "set" => Ty::set(elem),
            "iterator" | "iterable" => Ty::Iter(Box::new(elem)),
            _ => return None,
        };
        Some((ty, var, value))
    }

    /// A statement in its own scope (if/else branches).
    fn scoped_stmt(&mut self, cx: &mut FnCtx, n: Node<'t>) -> Stmt {
        self.push_scope(cx);
        let s = self.stmt_one(cx, n);
        let end = n.end_position().row as u32 + 1;
        self.pop_scope(cx, end);
        s
    }

    fn loop_body(&mut self, cx: &mut FnCtx, n: Option<Node<'t>>, line: u32) -> Stmt {
        cx.loops += 1;
        let s = match n {
            Some(b) => self.scoped_stmt(cx, b),
            None => empty(line),
        };
        cx.loops -= 1;
        s
    }

    fn foreach(&mut self, cx: &mut FnCtx, n: Node<'t>, out: &mut Vec<Stmt>) {
        let (line, col) = pos(n);
        self.push_scope(cx);
        let declared = n
            .child_by_field_name("type")
            .map(|t| self.resolve_type(cx.src, t, Some(cx.class)))
            .unwrap_or(Ty::Any);
        let (mut iter, mut ity) = match n.child_by_field_name("value") {
            Some(v) => self.expr(cx, v),
            None => (Expr::Null, Ty::Any),
        };
        // `for (List<Account> batch : [SELECT ...])` runs over batches of 200 records.
        if let (Ty::List(_), Ty::List(inner), Expr::Soql(_)) = (&declared, &ity, &iter)
            && matches!(**inner, Ty::SObject(_))
        {
            iter = Expr::Native {
                f: crate::vm::platform::query::batches,
                recv: None,
                args: vec![iter],
                safe: false,
            };
            ity = Ty::list(ity.clone());
        }
        let elem = match &ity {
            Ty::List(e) | Ty::Set(e) | Ty::Iter(e) => (**e).clone(),
            Ty::Any | Ty::Object => Ty::Any,
            Ty::Class(c)
                if self.implements_named(*c, "iterable")
                    || self.implements_named(*c, "iterator") =>
            {
                Ty::Any
            }
            Ty::Map(..) => {
                if let Some(v) = n.child_by_field_name("value") {
                    self.error(cx.src, v, "Loop must iterate over collection type: Map");
                }
                Ty::Any
            }
            other => {
                let t = self.ty_name(other);
                if let Some(v) = n.child_by_field_name("value") {
                    self.error(
                        cx.src,
                        v,
                        format!("Loop must iterate over collection type: {t}"),
                    );
                }
                Ty::Any
            }
        };
        if !self.assignable(&elem, &declared) && !self.assignable(&declared, &elem) {
            let (a, b) = (self.ty_name(&elem), self.ty_name(&declared));
            self.error(
                cx.src,
                n,
                format!("Loop variable must be of type {a}, not {b}"),
            );
        }
        let name_node = n.child_by_field_name("name").unwrap_or(n);
        let name = self.text(cx.src, name_node).to_string();
        let slot = self.declare_local(cx, name_node, &name, declared.clone());
        let body = self.loop_body(cx, n.child_by_field_name("body"), line);
        let end = n.end_position().row as u32 + 1;
        self.pop_scope(cx, end);
        self.record_line(cx, line);
        out.push(Stmt {
            line,
            col,
            kind: StmtKind::ForEach {
                slot,
                elem: declared,
                iter,
                body: Box::new(body),
            },
        });
    }

    fn try_stmt(&mut self, cx: &mut FnCtx, n: Node<'t>, out: &mut Vec<Stmt>) {
        let (line, col) = pos(n);
        let body = match n.child_by_field_name("body") {
            Some(b) => self.stmt_one(cx, b),
            None => empty(line),
        };
        let mut catches = Vec::new();
        let mut finally = None;
        for c in children(n) {
            match c.kind() {
                "catch_clause" => {
                    self.push_scope(cx);
                    let param = children(c)
                        .into_iter()
                        .find(|p| p.kind() == "formal_parameter");
                    let (class, slot) = match param {
                        Some(p) => {
                            let ty = p
                                .child_by_field_name("type")
                                .map(|t| self.resolve_type(cx.src, t, Some(cx.class)))
                                .unwrap_or(Ty::Any);
                            let class = match ty {
                                Ty::Class(c) if self.prog.class(c).is_exception => c,
                                Ty::Any => self.prog.exception_class("Exception"),
                                other => {
                                    let t = self.ty_name(&other);
                                    self.error(
                                        cx.src,
                                        p,
                                        format!("Catch type must be an Exception: {t}"),
                                    );
                                    self.prog.exception_class("Exception")
                                }
                            };
                            let nn = p.child_by_field_name("name").unwrap_or(p);
                            let name = self.text(cx.src, nn).to_string();
                            let slot = self.declare_local(cx, nn, &name, Ty::Class(class));
                            (class, slot)
                        }
                        None => (self.prog.exception_class("Exception"), 0),
                    };
                    let cbody = match c.child_by_field_name("body") {
                        Some(b) => self.stmt_one(cx, b),
                        None => empty(line),
                    };
                    let end = c.end_position().row as u32 + 1;
                    self.pop_scope(cx, end);
                    catches.push(Catch {
                        class,
                        slot,
                        body: cbody,
                    });
                }
                "finally_clause" => {
                    if let Some(b) = children(c).into_iter().find(|x| x.kind() == "block") {
                        finally = Some(Box::new(self.stmt_one(cx, b)));
                    }
                }
                _ => {}
            }
        }
        self.record_line(cx, line);
        out.push(Stmt {
            line,
            col,
            kind: StmtKind::Try {
                body: Box::new(body),
                catches,
                finally,
            },
        });
    }

    fn switch_stmt(&mut self, cx: &mut FnCtx, n: Node<'t>, out: &mut Vec<Stmt>) {
        let (line, col) = pos(n);
        let (subject, sty) = match n.child_by_field_name("condition") {
            Some(c) => self.expr(cx, c),
            None => (Expr::Null, Ty::Any),
        };
        let mut arms = Vec::new();
        let mut default = None;
        let rules = n
            .child_by_field_name("body")
            .map(children)
            .unwrap_or_default();
        for rule in rules {
            if rule.kind() != "switch_rule" {
                continue;
            }
            let kids = children(rule);
            let label = kids.iter().find(|k| k.kind() == "switch_label").copied();
            let block = kids.iter().find(|k| k.kind() == "block").copied();
            self.push_scope(cx);
            let mut values = Vec::new();
            let mut is_else = false;
            if let Some(l) = label {
                let items = children(l);
                if items.is_empty() {
                    is_else = true;
                }
                for item in items {
                    if let Some(v) = self.switch_value(cx, item, &sty) {
                        values.push(v);
                    }
                }
            }
            let body = match block {
                Some(b) => self.stmt_one(cx, b),
                None => empty(line),
            };
            let end = rule.end_position().row as u32 + 1;
            self.pop_scope(cx, end);
            if is_else {
                default = Some(Box::new(body));
            } else {
                arms.push(SwitchArm { values, body });
            }
        }
        self.record_line(cx, line);
        out.push(Stmt {
            line,
            col,
            kind: StmtKind::Switch {
                subject,
                arms,
                default,
            },
        });
    }

    fn switch_value(&mut self, cx: &mut FnCtx, item: Node<'t>, sty: &Ty) -> Option<SwitchValue> {
        let t = self.text(cx.src, item);
        match item.kind() {
            "null_literal" => Some(SwitchValue::Null),
            "int" => {
                let digits = t.trim_end_matches(['l', 'L']);
                digits.parse::<i64>().ok().map(SwitchValue::Int)
            }
            "unary_expression" => {
                let digits = t.replace(' ', "");
                let digits = digits.trim_end_matches(['l', 'L']);
                digits.parse::<i64>().ok().map(SwitchValue::Int)
            }
            "string_literal" => {
                let s = super::syntax::string_literal(t);
                Some(SwitchValue::Str(self.intern(&s)))
            }
            "identifier" | "field_access" => {
                let name = t.rsplit('.').next().unwrap_or(t).trim();
                let consts: Option<Vec<String>> = match sty {
                    Ty::Class(c) if self.prog.class(*c).kind == ClassKind::Enum => {
                        Some(self.prog.class(*c).enum_constants.clone())
                    }
                    Ty::NativeEnum(e) => {
                        Some(e.constants().iter().map(|s| s.to_string()).collect())
                    }
                    _ => None,
                };
                match consts.and_then(|cs| cs.iter().position(|c| c.eq_ignore_ascii_case(name))) {
                    Some(o) => Some(SwitchValue::Enum(o as u32)),
                    None => {
                        self.error(cx.src, item, format!("Invalid switch value: {t}"));
                        None
                    }
                }
            }
            "when_sobject_type" => {
                let kids = children(item);
                let tn = kids.first().copied()?;
                let ty = self.resolve_type(cx.src, tn, Some(cx.class));
                let Ty::SObject(Some(s)) = ty else {
                    self.error(cx.src, tn, "when type must be an SObject type");
                    return None;
                };
                let vn = kids.get(1).copied().unwrap_or(tn);
                let name = self.text(cx.src, vn).to_string();
                let slot = self.declare_local(cx, vn, &name, ty);
                Some(SwitchValue::SObjectType { sobject: s, slot })
            }
            _ => {
                self.error(cx.src, item, format!("Invalid switch value: {t}"));
                None
            }
        }
    }

    /// A constructor body: an explicit `this(...)`/`super(...)` or the implicit `super()`.
    fn ctor_body(&mut self, cx: &mut FnCtx, f: FnId, b: Node<'t>, out: &mut Vec<Stmt>) {
        self.push_scope(cx);
        let kids = children(b);
        let mut rest = kids.as_slice();
        match kids.first() {
            Some(first) if first.kind() == "explicit_constructor_invocation" => {
                self.explicit_ctor_call(cx, *first, out);
                rest = &kids[1..];
            }
            _ => self.implicit_super(cx, f, Some(b), out),
        }
        for s in rest {
            self.stmt_into(cx, *s, out);
        }
        let end = b.end_position().row as u32 + 1;
        self.pop_scope(cx, end);
    }

    fn explicit_ctor_call(&mut self, cx: &mut FnCtx, n: Node<'t>, out: &mut Vec<Stmt>) {
        let (line, col) = pos(n);
        let is_super = n
            .child_by_field_name("constructor")
            .is_some_and(|c| c.kind() == "super");
        let target = if is_super {
            self.prog.class(cx.class).superclass
        } else {
            Some(cx.class)
        };
        let arg_nodes = n
            .child_by_field_name("arguments")
            .map(children)
            .unwrap_or_default();
        self.record_line(cx, line);
        let Some(target) = target else {
            // `super()` without a superclass: only the instance initializer runs.
            out.push(Stmt {
                line,
                col,
                kind: StmtKind::InstanceInit { class: cx.class },
            });
            return;
        };
        let (args, tys) = self.args(cx, &arg_nodes);
        match self.resolve_ctor(target, &tys) {
            Some(ctor) => {
                let args = self.coerce_args(ctor, args, &tys);
                out.push(Stmt {
                    line,
                    col,
                    kind: StmtKind::CtorCall {
                        func: ctor,
                        args,
                        run_init: is_super,
                    },
                });
            }
            None => {
                let msg = self.ctor_not_defined(target, &tys);
                self.error(cx.src, n, msg);
            }
        }
    }

    /// `super()` inserted at the start of constructors that call no other constructor.
    fn implicit_super(
        &mut self,
        cx: &mut FnCtx,
        _f: FnId,
        at: Option<Node<'t>>,
        out: &mut Vec<Stmt>,
    ) {
        let line = self.prog.func(_f).line;
        match self.prog.class(cx.class).superclass {
            Some(s) => match self.resolve_ctor(s, &[]) {
                Some(ctor) => out.push(Stmt {
                    line,
                    col: 1,
                    kind: StmtKind::CtorCall {
                        func: ctor,
                        args: Vec::new(),
                        run_init: true,
                    },
                }),
                None => {
                    let msg = self.ctor_not_defined(s, &[]);
                    match at {
                        Some(n) => self.error(cx.src, n, msg),
                        None => self.error_at_line(cx.src, line, msg),
                    }
                }
            },
            None => out.push(Stmt {
                line,
                col: 1,
                kind: StmtKind::InstanceInit { class: cx.class },
            }),
        }
    }

    fn exception_ctor_body(&mut self, cx: &FnCtx, f: FnId, out: &mut Vec<Stmt>) {
        let params = self.prog.func(f).params.clone();
        let line = self.prog.func(f).line;
        let Some(sup) = self.prog.class(cx.class).superclass else {
            return;
        };
        let ctor = self.resolve_ctor(sup, &params);
        let Some(ctor) = ctor else {
            return;
        };
        let args = (0..params.len() as u32).map(Expr::Local).collect();
        out.push(Stmt {
            line,
            col: 1,
            kind: StmtKind::CtorCall {
                func: ctor,
                args,
                run_init: true,
            },
        });
    }

    pub(super) fn error_at_line(&mut self, k: usize, line: u32, msg: String) {
        let file = self.sources[k].file.to_string();
        self.errors
            .push(super::CompileError::new(&file, line, 1, msg));
    }

    /// `Constructor not defined: [Pt].<Constructor>(Integer)`.
    pub(super) fn ctor_not_defined(&self, class: ClassId, tys: &[Ty]) -> String {
        let names: Vec<String> = tys.iter().map(|t| self.ty_name(t)).collect();
        format!(
            "Constructor not defined: [{}].<Constructor>({})",
            self.prog.class(class).type_name(),
            names.join(", ")
        )
    }

    fn check_unreachable(&mut self, k: usize, body: &[Stmt]) {
        let mut dead = Vec::new();
        find_unreachable(body, &mut dead);
        for (line, col) in dead {
            let file = self.sources[k].file.to_string();
            self.errors.push(super::CompileError::new(
                &file,
                line,
                col,
                "Unreachable statement",
            ));
        }
    }

    /// Stores each file's valid breakpoint lines on its top-level class.
    pub(super) fn finish_lines(&mut self) {
        let lines = std::mem::take(&mut self.lines);
        for (class, mut ls) in lines {
            ls.sort_unstable();
            ls.dedup();
            if let Some(c) = std::sync::Arc::get_mut(&mut self.prog.classes[class as usize]) {
                c.valid_lines = ls;
            }
        }
    }
}

fn empty(line: u32) -> Stmt {
    Stmt {
        line,
        col: 1,
        kind: StmtKind::Empty,
    }
}

/// Expressions Apex accepts as statements.
fn is_statement_expression(e: Node) -> bool {
    matches!(
        e.kind(),
        "assignment_expression"
            | "method_invocation"
            | "update_expression"
            | "object_creation_expression"
            | "dml_expression"
    )
}

/// Whether a statement can complete normally (fall through to the next one).
pub fn stmt_completes(s: &Stmt) -> bool {
    match &s.kind {
        StmtKind::Return(_) | StmtKind::Throw(_) => false,
        StmtKind::Break | StmtKind::Continue => false,
        StmtKind::Block(b) => can_complete(b),
        StmtKind::If {
            then, els: Some(e), ..
        } => stmt_completes(then) || stmt_completes(e),
        StmtKind::While { cond, body } => !is_true(cond) || breaks(body),
        StmtKind::DoWhile { body, cond } => {
            (stmt_completes(body) && !is_true(cond)) || breaks(body)
        }
        StmtKind::For { cond, body, .. } => {
            cond.as_ref().is_some_and(|c| !is_true(c)) || breaks(body)
        }
        StmtKind::Try {
            body,
            catches,
            finally,
        } => {
            let inner = stmt_completes(body) || catches.iter().any(|c| stmt_completes(&c.body));
            inner && finally.as_ref().is_none_or(|f| stmt_completes(f))
        }
        StmtKind::Switch {
            arms,
            default: Some(d),
            ..
        } => stmt_completes(d) || arms.iter().any(|a| stmt_completes(&a.body)),
        _ => true,
    }
}

fn is_true(e: &Expr) -> bool {
    matches!(e, Expr::Bool(true))
}

/// Whether a loop body contains a `break` for this loop.
fn breaks(s: &Stmt) -> bool {
    match &s.kind {
        StmtKind::Break => true,
        StmtKind::Block(b) => b.iter().any(breaks),
        StmtKind::If { then, els, .. } => breaks(then) || els.as_ref().is_some_and(|e| breaks(e)),
        StmtKind::Try {
            body,
            catches,
            finally,
        } => {
            breaks(body)
                || catches.iter().any(|c| breaks(&c.body))
                || finally.as_ref().is_some_and(|f| breaks(f))
        }
        StmtKind::Switch { arms, default, .. } => {
            arms.iter().any(|a| breaks(&a.body)) || default.as_ref().is_some_and(|d| breaks(d))
        }
        _ => false,
    }
}

/// Whether a statement list can complete normally.
pub fn can_complete(stmts: &[Stmt]) -> bool {
    stmts.iter().all(stmt_completes)
}

fn find_unreachable(stmts: &[Stmt], out: &mut Vec<(u32, u32)>) {
    let mut done = false;
    for s in stmts {
        if done && !matches!(s.kind, StmtKind::Empty) {
            out.push((s.line, s.col));
            return;
        }
        match &s.kind {
            StmtKind::Block(b) => find_unreachable(b, out),
            StmtKind::If { then, els, .. } => {
                find_unreachable(std::slice::from_ref(then), out);
                if let Some(e) = els {
                    find_unreachable(std::slice::from_ref(e), out);
                }
            }
            StmtKind::While { body, .. }
            | StmtKind::DoWhile { body, .. }
            | StmtKind::For { body, .. }
            | StmtKind::ForEach { body, .. } => find_unreachable(std::slice::from_ref(body), out),
            StmtKind::Try {
                body,
                catches,
                finally,
            } => {
                find_unreachable(std::slice::from_ref(body), out);
                for c in catches {
                    find_unreachable(std::slice::from_ref(&c.body), out);
                }
                if let Some(f) = finally {
                    find_unreachable(std::slice::from_ref(f), out);
                }
            }
            _ => {}
        }
        if !stmt_completes(s) {
            done = true;
        }
    }
}
