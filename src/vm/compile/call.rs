//! Calls and creation: overload resolution, built-in methods, `new`.

use tree_sitter::Node;

use super::Compiler;
use super::body::FnCtx;
use super::expr::Qual;
use super::syntax::children;
use crate::vm::builtins::{self, Method, Ret};
use crate::vm::ir::Expr;
use crate::vm::platform::rest;
use crate::vm::program::ClassKind;
use crate::vm::types::{ClassId, FnId, NativeClass, Ty};

impl<'t> Compiler<'t> {
    /// Compiles argument expressions.
    pub(super) fn args(&mut self, cx: &mut FnCtx, nodes: &[Node<'t>]) -> (Vec<Expr>, Vec<Ty>) {
        nodes.iter().map(|a| self.expr(cx, *a)).unzip()
    }

    /// Converts arguments to the parameter types of the chosen function.
    pub(super) fn coerce_args(&self, f: FnId, args: Vec<Expr>, tys: &[Ty]) -> Vec<Expr> {
        let params = self.prog.func(f).params.clone();
        args.into_iter()
            .zip(tys)
            .zip(params.iter())
            .map(|((a, t), p)| self.coerce(a, t, p))
            .collect()
    }

    /// The cost of passing an argument of type `a` for a parameter of type `p`, or None.
    fn arg_cost(&self, a: &Ty, p: &Ty) -> Option<u32> {
        if a == p {
            return Some(0);
        }
        if !self.assignable(a, p) {
            return None;
        }
        Some(match (a, p) {
            (Ty::Null, _) | (Ty::Any, _) => 5,
            (x, y) if x.is_numeric() && y.is_numeric() => {
                let (rx, ry) = (
                    x.numeric_rank().unwrap_or(0) as u32,
                    y.numeric_rank().unwrap_or(0) as u32,
                );
                if ry >= rx { ry - rx } else { 10 }
            }
            (Ty::Class(x), Ty::Class(y)) => {
                let mut d = 0;
                let mut c = Some(*x);
                while let Some(cc) = c {
                    if cc == *y {
                        break;
                    }
                    d += 1;
                    c = self.prog.class(cc).superclass;
                }
                d.max(1)
            }
            (_, Ty::Object) => 20,
            _ => 2,
        })
    }

    /// Picks the best overload for the argument types.
    pub(super) fn pick(&self, candidates: &[FnId], tys: &[Ty]) -> Option<FnId> {
        let mut best: Option<(u32, FnId)> = None;
        for &f in candidates {
            let params = &self.prog.func(f).params;
            if params.len() != tys.len() {
                continue;
            }
            let mut total = 0;
            let mut ok = true;
            for (a, p) in tys.iter().zip(params) {
                match self.arg_cost(a, p) {
                    Some(c) => total += c,
                    None => {
                        ok = false;
                        break;
                    }
                }
            }
            if ok && best.is_none_or(|(c, _)| total < c) {
                best = Some((total, f));
            }
        }
        best.map(|(_, f)| f)
    }

    /// A constructor of `class` for these argument types.
    pub(super) fn resolve_ctor(&self, class: ClassId, tys: &[Ty]) -> Option<FnId> {
        let ctors = self.prog.class(class).ctors.clone();
        self.pick(&ctors, tys)
    }

    /// Methods named `lower` visible on a class: its own, then its superclasses' and interfaces'.
    fn methods_named(&self, c: ClassId, lower: &str) -> Vec<FnId> {
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut stack = vec![c];
        while let Some(x) = stack.pop() {
            if !seen.insert(x) {
                continue;
            }
            let cls = self.prog.class(x);
            if let Some(fs) = cls.methods.get(lower) {
                for &f in fs {
                    let params = &self.prog.func(f).params;
                    // A subclass method hides the same signature further up.
                    if !out
                        .iter()
                        .any(|&g: &FnId| self.prog.func(g).params == *params)
                    {
                        out.push(f);
                    }
                }
            }
            stack.extend(cls.interfaces.iter().rev().copied());
            if let Some(s) = cls.superclass {
                stack.push(s);
            }
        }
        out
    }

    /// `Method does not exist or incorrect signature: void name(Types) from the type X`.
    pub(super) fn no_method_pub(
        &mut self,
        k: usize,
        n: Node<'t>,
        name: &str,
        tys: &[Ty],
        on: &str,
    ) {
        self.no_method(k, n, name, tys, on)
    }

    fn no_method(&mut self, k: usize, n: Node<'t>, name: &str, tys: &[Ty], on: &str) {
        let names: Vec<String> = tys.iter().map(|t| self.ty_name(t)).collect();
        self.error(
            k,
            n,
            format!(
                "Method does not exist or incorrect signature: void {name}({}) from the type {on}",
                names.join(", ")
            ),
        );
    }

    /// A method invocation.
    pub(super) fn call(&mut self, cx: &mut FnCtx, n: Node<'t>) -> (Expr, Ty) {
        let k = cx.src;
        let Some(name_node) = n.child_by_field_name("name") else {
            return (Expr::Null, Ty::Any);
        };
        let name = self.text(k, name_node).to_string();
        let lower = name.to_ascii_lowercase();
        let arg_nodes = n
            .child_by_field_name("arguments")
            .map(children)
            .unwrap_or_default();
        let safe = children(n)
            .iter()
            .any(|c| c.kind() == "safe_navigation_operator");
        let q = match n.child_by_field_name("object") {
            None => return self.unqualified_call(cx, n, &name, &arg_nodes),
            Some(o) if o.kind() == "super" => Qual::Super,
            Some(o) => self.qualifier(cx, o),
        };
        match q {
            Qual::Super => {
                let (args, tys) = self.args(cx, &arg_nodes);
                let Some(sup) = self.prog.class(cx.class).superclass else {
                    self.error(k, n, "No superclass");
                    return (Expr::Null, Ty::Any);
                };
                let cands = self.methods_named(sup, &lower);
                match self.pick(&cands, &tys) {
                    Some(f) => {
                        let args = self.coerce_args(f, args, &tys);
                        let ret = self.prog.func(f).ret.clone();
                        (
                            Expr::Call {
                                func: f,
                                recv: Some(Box::new(Expr::This)),
                                args,
                                safe: false,
                            },
                            ret,
                        )
                    }
                    None => {
                        if let Some(m) =
                            builtins::find_public(builtins::misc::OBJECT_METHODS, &lower, tys.len())
                        {
                            return (
                                Expr::Native {
                                    f: m.f,
                                    recv: Some(Box::new(Expr::This)),
                                    args,
                                    safe: false,
                                },
                                ret_of(m.ret, &Ty::Object, &tys),
                            );
                        }
                        let on = self.prog.class(sup).type_name();
                        self.no_method(k, n, &name, &tys, &on);
                        (Expr::Null, Ty::Any)
                    }
                }
            }
            Qual::Class(c) => self.static_call(cx, n, c, &name, &arg_nodes),
            Qual::Builtin(b) => self.builtin_call(cx, n, &b, &name, &arg_nodes),
            Qual::SObjectType(s) => self.sobject_type_call(cx, n, s, &name, &arg_nodes),
            Qual::NativeEnumType(e) => {
                let (args, tys) = self.args(cx, &arg_nodes);
                match lower.as_str() {
                    "values" => (
                        Expr::NewList {
                            elem: Ty::NativeEnum(e),
                            items: (0..e.constants().len() as u32)
                                .map(|o| Expr::NativeEnumConst { e, ordinal: o })
                                .collect(),
                        },
                        Ty::list(Ty::NativeEnum(e)),
                    ),
                    _ => {
                        let _ = args;
                        self.no_method(k, n, &name, &tys, e.name());
                        (Expr::Null, Ty::Any)
                    }
                }
            }
            Qual::Namespace(ns) => {
                self.error(
                    k,
                    n,
                    format!("Method does not exist or incorrect signature: {ns}.{name}"),
                );
                (Expr::Null, Ty::Any)
            }
            Qual::Value(recv, rty) => self.instance_call(cx, n, recv, rty, &name, &arg_nodes, safe),
        }
    }

    /// `foo(args)` with no receiver: a method of this class, an outer class, or the anonymous block.
    fn unqualified_call(
        &mut self,
        cx: &mut FnCtx,
        n: Node<'t>,
        name: &str,
        arg_nodes: &[Node<'t>],
    ) -> (Expr, Ty) {
        let k = cx.src;
        let lower = name.to_ascii_lowercase();
        let (args, tys) = self.args(cx, arg_nodes);
        let mut scope = Some(cx.class);
        let mut own = true;
        while let Some(c) = scope {
            let cands = self.methods_named(c, &lower);
            let cands: Vec<FnId> = if own {
                cands
            } else {
                cands
                    .into_iter()
                    .filter(|&f| self.prog.func(f).is_static)
                    .collect()
            };
            if let Some(f) = self.pick(&cands, &tys) {
                let func = self.prog.func(f);
                let ret = func.ret.clone();
                let args = self.coerce_args(f, args, &tys);
                if func.is_static {
                    return (
                        Expr::Call {
                            func: f,
                            recv: None,
                            args,
                            safe: false,
                        },
                        ret,
                    );
                }
                if cx.is_static {
                    let d = self.describe_fn(f);
                    self.error(
                        k,
                        n,
                        format!(
                            "Non static method cannot be referenced from a static context: {d}"
                        ),
                    );
                }
                return (self.instance_dispatch(f, Expr::This, args, false), ret);
            }
            if own && !cx.is_static {
                let table: &'static [Method] = if self.prog.class(c).is_exception {
                    builtins::exception::METHODS
                } else {
                    builtins::misc::OBJECT_METHODS
                };
                if let Some(m) = builtins::find_public(table, &lower, tys.len()) {
                    let ret = match (m.ret, lower.as_str()) {
                        (_, "getcause") => Ty::Class(self.prog.exception_class("Exception")),
                        (r, _) => ret_of(r, &Ty::Class(c), &tys),
                    };
                    return (
                        Expr::Native {
                            f: m.f,
                            recv: Some(Box::new(Expr::This)),
                            args,
                            safe: false,
                        },
                        ret,
                    );
                }
            }
            own = false;
            scope = self.prog.class(c).outer;
        }
        let on = self.prog.class(cx.class).type_name();
        self.no_method(k, n, name, &tys, &on);
        (Expr::Null, Ty::Any)
    }

    /// A direct call for final methods, a virtual dispatch otherwise.
    fn instance_dispatch(&self, f: FnId, recv: Expr, args: Vec<Expr>, safe: bool) -> Expr {
        let func = self.prog.func(f);
        let class_kind = self.prog.class(func.class).kind;
        let dynamic = func.is_virtual || func.is_abstract || class_kind == ClassKind::Interface;
        match (dynamic, func.sig) {
            (true, Some(sig)) => Expr::VCall {
                sig,
                recv: Box::new(recv),
                args,
                safe,
                cache: Default::default(),
            },
            _ => Expr::Call {
                func: f,
                recv: Some(Box::new(recv)),
                args,
                safe,
            },
        }
    }

    /// `Class.method(args)`: a static method, or an enum's `values()` / `valueOf()`.
    fn static_call(
        &mut self,
        cx: &mut FnCtx,
        n: Node<'t>,
        c: ClassId,
        name: &str,
        arg_nodes: &[Node<'t>],
    ) -> (Expr, Ty) {
        let k = cx.src;
        let lower = name.to_ascii_lowercase();
        let (args, tys) = self.args(cx, arg_nodes);
        if self.prog.class(c).kind == ClassKind::Enum {
            match (lower.as_str(), args.len()) {
                ("values", 0) => return (Expr::EnumValues(c), Ty::list(Ty::Class(c))),
                ("valueof", 1) => {
                    let a = args.into_iter().next().expect("one arg");
                    return (Expr::EnumValueOf(c, Box::new(a)), Ty::Class(c));
                }
                _ => {}
            }
        }
        let cands: Vec<FnId> = self
            .methods_named(c, &lower)
            .into_iter()
            .filter(|&f| self.prog.func(f).is_static)
            .collect();
        match self.pick(&cands, &tys) {
            Some(f) => {
                self.check_access(cx, n, f);
                let ret = self.prog.func(f).ret.clone();
                let args = self.coerce_args(f, args, &tys);
                if self.prog.func(f).annotations.iter().any(|a| a == "future") {
                    // An @future call only queues the work; it runs after the request.
                    let mut all = vec![Expr::Int(f as i32)];
                    all.extend(args);
                    return (
                        Expr::Native {
                            f: crate::vm::platform::builtins::future_call,
                            recv: None,
                            args: all,
                            safe: false,
                        },
                        Ty::Void,
                    );
                }
                (
                    Expr::Call {
                        func: f,
                        recv: None,
                        args,
                        safe: false,
                    },
                    ret,
                )
            }
            None => {
                let inst = self.methods_named(c, &lower);
                if let Some(f) = self.pick(&inst, &tys) {
                    let d = self.describe_fn(f);
                    self.error(
                        k,
                        n,
                        format!(
                            "Non static method cannot be referenced from a static context: {d}"
                        ),
                    );
                    return (Expr::Null, Ty::Any);
                }
                let on = self.prog.class(c).type_name();
                self.no_method(k, n, name, &tys, &on);
                (Expr::Null, Ty::Any)
            }
        }
    }

    /// `System.debug(...)`, `Math.max(...)` and other built-in statics.
    fn builtin_call(
        &mut self,
        cx: &mut FnCtx,
        n: Node<'t>,
        b: &str,
        name: &str,
        arg_nodes: &[Node<'t>],
    ) -> (Expr, Ty) {
        let lower = name.to_ascii_lowercase();
        if let Some(r) = self.platform_static_call(cx, n, b, &lower, arg_nodes) {
            return r;
        }
        let (args, tys) = self.args(cx, arg_nodes);
        if b == "math" && lower == "mod" && tys == [Ty::Integer, Ty::Integer] {
            let mut it = args.into_iter();
            let (x, y) = (it.next().expect("two"), it.next().expect("two"));
            return (
                Expr::IntOp(crate::vm::ir::BinOp::Rem, Box::new(x), Box::new(y)),
                Ty::Integer,
            );
        }
        match builtins::static_method(b, &lower, args.len()) {
            Some(m) => {
                let ret = ret_of(m.ret, &Ty::Any, &tys);
                let args = self.coerce_builtin_args(b, &lower, args, &tys);
                (
                    Expr::Native {
                        f: m.f,
                        recv: None,
                        args,
                        safe: false,
                    },
                    ret,
                )
            }
            None => {
                let on = builtin_display(b);
                self.no_method(cx.src, n, name, &tys, &on);
                (Expr::Null, Ty::Any)
            }
        }
    }

    /// Numeric arguments of a few built-ins are converted as their signatures say.
    fn coerce_builtin_args(&self, _b: &str, _m: &str, args: Vec<Expr>, _tys: &[Ty]) -> Vec<Expr> {
        args
    }

    /// `recv.method(args)` by the receiver's static type.
    #[allow(clippy::too_many_arguments)]
    fn instance_call(
        &mut self,
        cx: &mut FnCtx,
        n: Node<'t>,
        recv: Expr,
        rty: Ty,
        name: &str,
        arg_nodes: &[Node<'t>],
        safe: bool,
    ) -> (Expr, Ty) {
        let k = cx.src;
        let lower = name.to_ascii_lowercase();
        let (args, tys) = self.args(cx, arg_nodes);
        let recv = match recv {
            Expr::SField { obj, api, .. } if lower == "adderror" => {
                // `record.Field__c.addError('msg')`: an error on that field of the record.
                let field = self.intern(&api);
                let mut all = vec![Expr::Str(field)];
                all.extend(args);
                return (
                    Expr::Native {
                        f: crate::vm::platform::builtins::field_add_error,
                        recv: Some(obj),
                        args: all,
                        safe,
                    },
                    Ty::Void,
                );
            }
            other => other,
        };
        match &rty {
            Ty::Any | Ty::Iter(_) => (
                Expr::DynCall {
                    recv: Box::new(recv),
                    name: lower.clone().into(),
                    args,
                    safe,
                },
                match (&rty, lower.as_str()) {
                    (Ty::Iter(e), "next") => (**e).clone(),
                    (Ty::Iter(_), "hasnext") => Ty::Boolean,
                    _ => Ty::Any,
                },
            ),
            Ty::Class(c) => {
                let c = *c;
                let cands: Vec<FnId> = self
                    .methods_named(c, &lower)
                    .into_iter()
                    .filter(|&f| !self.prog.func(f).is_static)
                    .collect();
                if let Some(f) = self.pick(&cands, &tys) {
                    self.check_access(cx, n, f);
                    let ret = self.prog.func(f).ret.clone();
                    let args = self.coerce_args(f, args, &tys);
                    if self.prog.class(self.prog.func(f).class).namespace == "System"
                        && self.prog.class(c).kind == ClassKind::Interface
                    {
                        // System interface methods dispatch by name (their generic parameters vary).
                        return (
                            Expr::DynCall {
                                recv: Box::new(recv),
                                name: lower.into(),
                                args,
                                safe,
                            },
                            ret,
                        );
                    }
                    return (self.instance_dispatch(f, recv, args, safe), ret);
                }
                let cls = self.prog.class(c);
                let table: &'static [Method] = if cls.is_exception {
                    builtins::exception::METHODS
                } else if cls.kind == ClassKind::Enum {
                    builtins::misc::ENUM_METHODS
                } else {
                    builtins::misc::OBJECT_METHODS
                };
                let m = builtins::find_public(table, &lower, tys.len()).or_else(|| {
                    builtins::find_public(builtins::misc::OBJECT_METHODS, &lower, tys.len())
                });
                match m {
                    Some(m) => {
                        let ret = match (m.ret, lower.as_str()) {
                            (_, "getcause") => Ty::Class(self.prog.exception_class("Exception")),
                            (r, _) => ret_of(r, &rty, &tys),
                        };
                        (
                            Expr::Native {
                                f: m.f,
                                recv: Some(Box::new(recv)),
                                args,
                                safe,
                            },
                            ret,
                        )
                    }
                    None => {
                        let on = self.prog.class(c).type_name();
                        self.no_method(k, n, name, &tys, &on);
                        (Expr::Null, Ty::Any)
                    }
                }
            }
            _ => {
                if let Some(r) =
                    self.platform_instance_call(cx, n, &recv, &rty, &lower, &args, &tys, safe)
                {
                    return r;
                }
                match builtins::instance_method(&rty, &lower, tys.len())
                    .filter(|_| self.element_args_fit(&rty, &lower, &tys))
                {
                    Some(m) => {
                        let ret = ret_of(m.ret, &rty, &tys);
                        let args = self.coerce_instance_args(&rty, &lower, args, &tys);
                        (
                            Expr::Native {
                                f: m.f,
                                recv: Some(Box::new(recv)),
                                args,
                                safe,
                            },
                            ret,
                        )
                    }
                    None => {
                        let on = self.ty_name(&rty);
                        self.no_method(k, n, name, &tys, &on);
                        (Expr::Null, Ty::Any)
                    }
                }
            }
        }
    }

    /// Collection element arguments must fit the element type, as the platform checks.
    fn element_args_fit(&self, rty: &Ty, m: &str, tys: &[Ty]) -> bool {
        let (want, positions): (Vec<Ty>, Vec<usize>) = match (rty, m, tys.len()) {
            (Ty::List(e), "add", 1) | (Ty::Set(e), "add", 1) => (vec![(**e).clone()], vec![0]),
            (Ty::List(e), "add", 2) | (Ty::List(e), "set", 2) => (vec![(**e).clone()], vec![1]),
            (Ty::Map(k, v), "put", 2) => (vec![(**k).clone(), (**v).clone()], vec![0, 1]),
            _ => return true,
        };
        want.iter()
            .zip(positions)
            .all(|(w, p)| self.assignable(&tys[p], w))
    }

    fn coerce_instance_args(&self, _rty: &Ty, _m: &str, args: Vec<Expr>, _tys: &[Ty]) -> Vec<Expr> {
        args
    }

    /// `new C(args)`, `new List<T>()`, `new Account(Name = 'x')`.
    pub(super) fn new_object(&mut self, cx: &mut FnCtx, n: Node<'t>) -> (Expr, Ty) {
        let k = cx.src;
        let ty = n
            .child_by_field_name("type")
            .map(|t| self.resolve_type(k, t, Some(cx.class)))
            .unwrap_or(Ty::Any);
        let arg_nodes = n
            .child_by_field_name("arguments")
            .map(children)
            .unwrap_or_default();
        match &ty {
            Ty::Class(c) => {
                let c = *c;
                let cls = self.prog.class(c);
                if cls.kind == ClassKind::Interface || cls.is_abstract {
                    let t = cls.type_name();
                    self.error(k, n, format!("Abstract classes cannot be constructed: {t}"));
                    return (Expr::Null, ty);
                }
                if cls.kind == ClassKind::Enum {
                    self.error(k, n, "Enums cannot be constructed");
                    return (Expr::Null, ty);
                }
                let (args, tys) = self.args(cx, &arg_nodes);
                match self.resolve_ctor(c, &tys) {
                    Some(f) => {
                        let args = self.coerce_args(f, args, &tys);
                        (
                            Expr::New {
                                class: c,
                                ctor: f,
                                args,
                            },
                            ty,
                        )
                    }
                    None => {
                        let msg = self.ctor_not_defined(c, &tys);
                        self.error(k, n, msg);
                        (Expr::Null, ty)
                    }
                }
            }
            Ty::List(e) | Ty::Set(e) => {
                let e = (**e).clone();
                let is_list = matches!(ty, Ty::List(_));
                match arg_nodes.as_slice() {
                    [] if is_list => (
                        Expr::NewList {
                            elem: e,
                            items: vec![],
                        },
                        ty,
                    ),
                    [] => (
                        Expr::NewSet {
                            elem: e,
                            items: vec![],
                        },
                        ty,
                    ),
                    [a] => {
                        let (src, _) = self.expr(cx, *a);
                        (
                            Expr::CopyCollection {
                                target: ty.clone(),
                                source: Box::new(src),
                            },
                            ty,
                        )
                    }
                    _ => {
                        self.error(k, n, "Too many arguments for a collection constructor");
                        (Expr::Null, ty)
                    }
                }
            }
            Ty::Map(kt, vt) => match arg_nodes.as_slice() {
                [] => (
                    Expr::NewMap {
                        key: (**kt).clone(),
                        value: (**vt).clone(),
                        entries: vec![],
                    },
                    ty,
                ),
                [a] => {
                    let (src, _) = self.expr(cx, *a);
                    (
                        Expr::CopyCollection {
                            target: ty.clone(),
                            source: Box::new(src),
                        },
                        ty,
                    )
                }
                _ => {
                    self.error(k, n, "Too many arguments for a map constructor");
                    (Expr::Null, ty)
                }
            },
            Ty::SObject(Some(s)) => self.new_sobject_expr(cx, n, *s, &arg_nodes),
            Ty::Native(c) if arg_nodes.is_empty() && rest::constructor(*c).is_some() => (
                Expr::Native {
                    f: rest::constructor(*c).expect("checked"),
                    recv: None,
                    args: Vec::new(),
                    safe: false,
                },
                ty,
            ),
            Ty::Any => (Expr::Null, Ty::Any),
            other => {
                let t = self.ty_name(other);
                self.error(k, n, format!("Type cannot be constructed: {t}"));
                (Expr::Null, ty)
            }
        }
    }

    /// `new T[n]`, `new T[]{...}`, `new List<T>{...}`, `new Set<T>{...}`.
    pub(super) fn new_array(&mut self, cx: &mut FnCtx, n: Node<'t>) -> (Expr, Ty) {
        let k = cx.src;
        let base = n
            .child_by_field_name("type")
            .map(|t| self.resolve_type(k, t, Some(cx.class)))
            .unwrap_or(Ty::Any);
        let mut c = n.walk();
        let dims: Vec<Node<'t>> = n.children_by_field_name("dimensions", &mut c).collect();
        let init = n.child_by_field_name("value");
        let sized = dims.iter().find(|d| d.kind() == "dimensions_expr").copied();
        let (coll, elem) = match (&base, dims.is_empty()) {
            (Ty::List(e), true) => (base.clone(), (**e).clone()),
            (Ty::Set(e), true) => (base.clone(), (**e).clone()),
            _ => (Ty::list(base.clone()), base.clone()),
        };
        if let Some(d) = sized {
            let size = children(d)
                .into_iter()
                .next()
                .map(|e| self.expr_expect(cx, e, &Ty::Integer))
                .unwrap_or(Expr::Int(0));
            return (
                Expr::NewArray {
                    elem,
                    size: Box::new(size),
                },
                coll,
            );
        }
        let items: Vec<Expr> = match init {
            Some(i) => children(i)
                .into_iter()
                .map(|x| self.expr_expect(cx, x, &elem))
                .collect(),
            None => Vec::new(),
        };
        match coll {
            Ty::Set(_) => (Expr::NewSet { elem, items }, coll),
            _ => (Expr::NewList { elem, items }, coll),
        }
    }

    /// `new Map<K,V>{k => v, ...}`.
    pub(super) fn new_map(&mut self, cx: &mut FnCtx, n: Node<'t>) -> (Expr, Ty) {
        let k = cx.src;
        let ty = n
            .child_by_field_name("type")
            .map(|t| self.resolve_type(k, t, Some(cx.class)))
            .unwrap_or(Ty::Any);
        let (kt, vt) = match &ty {
            Ty::Map(a, b) => ((**a).clone(), (**b).clone()),
            _ => (Ty::Any, Ty::Any),
        };
        let mut entries = Vec::new();
        if let Some(init) = n.child_by_field_name("value") {
            for e in children(init) {
                let parts = children(e);
                if parts.len() != 2 {
                    continue;
                }
                let key = self.expr_expect(cx, parts[0], &kt);
                let val = self.expr_expect(cx, parts[1], &vt);
                entries.push((key, val));
            }
        }
        (
            Expr::NewMap {
                key: kt,
                value: vt,
                entries,
            },
            ty,
        )
    }
}

/// How a built-in static class is named in messages.
fn builtin_display(b: &str) -> String {
    match b {
        "json" => "JSON".into(),
        "userinfo" => "UserInfo".into(),
        "encodingutil" => "EncodingUtil".into(),
        other => {
            let mut c = other.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        }
    }
}

/// The static type a built-in returns, given its receiver and argument types.
pub(super) fn ret_of(r: Ret, recv: &Ty, args: &[Ty]) -> Ty {
    let elem = || match recv {
        Ty::List(e) | Ty::Set(e) | Ty::Iter(e) => (**e).clone(),
        _ => Ty::Any,
    };
    match r {
        Ret::Void => Ty::Void,
        Ret::Bool => Ty::Boolean,
        Ret::Int => Ty::Integer,
        Ret::Long => Ty::Long,
        Ret::Dec => Ty::Decimal,
        Ret::Double => Ty::Double,
        Ret::Str => Ty::String,
        Ret::Id => Ty::Id,
        Ret::Date => Ty::Date,
        Ret::Datetime => Ty::Datetime,
        Ret::Time => Ty::Time,
        Ret::Blob => Ty::Blob,
        Ret::Object => Ty::Object,
        Ret::Any => Ty::Any,
        Ret::Elem => elem(),
        Ret::Val => match recv {
            Ty::Map(_, v) => (**v).clone(),
            _ => Ty::Any,
        },
        Ret::Recv => match recv {
            Ty::Any => Ty::Any,
            t => t.clone(),
        },
        Ret::SetKey => match recv {
            Ty::Map(k, _) => Ty::Set(k.clone()),
            _ => Ty::set(Ty::Any),
        },
        Ret::ListVal => match recv {
            Ty::Map(_, v) => Ty::List(v.clone()),
            _ => Ty::list(Ty::Any),
        },
        Ret::ListStr => Ty::list(Ty::String),
        Ret::SetStr => Ty::set(Ty::String),
        Ret::ListObj => Ty::list(Ty::Object),
        Ret::ListInt => Ty::list(Ty::Integer),
        Ret::MapStrObj => Ty::map(Ty::String, Ty::Object),
        Ret::Arg0 => args.first().cloned().unwrap_or(Ty::Any),
        Ret::NumArgs => {
            let mut best: Option<Ty> = None;
            for a in args {
                if a.is_numeric()
                    && best
                        .as_ref()
                        .is_none_or(|b| a.numeric_rank() > b.numeric_rank())
                {
                    best = Some(a.clone());
                }
            }
            best.unwrap_or(Ty::Any)
        }
        Ret::Native(k) => Ty::Native(k),
        Ret::SObject => Ty::SObject(None),
        Ret::ListSObject => Ty::list(Ty::SObject(None)),
        Ret::IterElem => Ty::Iter(Box::new(elem())),
    }
}

/// Keeps `NativeClass` in scope for the platform compile helpers.
#[allow(dead_code)]
fn _native(_: NativeClass) {}
