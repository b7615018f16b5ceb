//! Declaring classes and their members: names, supertypes, fields, signatures,
//! layouts and virtual tables.

use std::sync::Arc;

use tree_sitter::Node;

use super::body::{InitPart, Job, JobKind};
use super::prelude::{add_function, blank_class};
use super::syntax::{self, Modifiers, Parsed, SourceKind, children, modifiers, pos};
use super::{Compiler, Pending};
use crate::vm::program::{Access, ClassKind, FieldInfo, FnBody, FnKind};
use crate::vm::types::{ClassId, FnId, Ty};

fn access_of(m: &Modifiers) -> Access {
    if m.has("global") {
        Access::Global
    } else if m.has("public") {
        Access::Public
    } else if m.has("protected") {
        Access::Protected
    } else {
        Access::Private
    }
}

impl<'t> Compiler<'t> {
    /// The index key of a class: its namespace-qualified, lower-case dotted name.
    pub(super) fn class_key(&self, id: ClassId) -> String {
        let c = self.prog.class(id);
        match c.outer {
            Some(o) => format!("{}.{}", self.class_key(o), c.name.to_ascii_lowercase()),
            None if c.namespace.is_empty() => c.qualified.to_ascii_lowercase(),
            None => format!("{}.{}", c.namespace, c.qualified).to_ascii_lowercase(),
        }
    }

    pub(super) fn declare_source(&mut self, k: usize, src: &'t Parsed) {
        let root = src.tree.root_node();
        match src.kind {
            SourceKind::Class | SourceKind::Trigger => {
                let decls: Vec<Node<'t>> = children(root);
                if decls.len() != 1 {
                    let n = decls.get(1).copied().unwrap_or(root);
                    self.error(k, n, "A file must hold exactly one top-level type");
                    return;
                }
                let d = decls[0];
                match d.kind() {
                    "class_declaration" | "interface_declaration" | "enum_declaration"
                        if src.kind == SourceKind::Class =>
                    {
                        self.declare_class(k, d, None);
                    }
                    "trigger_declaration" if src.kind == SourceKind::Trigger => {
                        self.declare_trigger(k, d);
                    }
                    _ => self.error(k, d, "Unexpected declaration at the top of the file"),
                }
            }
            SourceKind::Anonymous => self.declare_anonymous(k, root),
        }
    }

    fn new_class(
        &mut self,
        k: usize,
        name: &str,
        kind: ClassKind,
        outer: Option<ClassId>,
    ) -> ClassId {
        let id = self.prog.classes.len() as ClassId;
        let src = &self.sources[k];
        let mut c = blank_class(id, name, &src.namespace, kind, src.file.clone());
        c.is_virtual = false;
        c.outer = outer;
        c.qualified = match outer {
            Some(o) if self.prog.class(o).kind != ClassKind::Anonymous => {
                format!("{}.{}", self.prog.class(o).qualified, name)
            }
            _ => name.to_string(),
        };
        self.prog.classes.push(Arc::new(c));
        id
    }

    fn register(&mut self, k: usize, node: Node, id: ClassId) {
        let key = self.class_key(id);
        if self.prog.class_index.contains_key(&key) {
            let name = self.prog.class(id).qualified.clone();
            self.error(k, node, format!("Duplicate type name: {name}"));
            return;
        }
        self.prog.class_index.insert(key, id);
    }

    fn declare_class(&mut self, k: usize, node: Node<'t>, outer: Option<ClassId>) -> ClassId {
        let name_node = node.child_by_field_name("name").unwrap_or(node);
        let name = self.text(k, name_node).to_string();
        let kind = match node.kind() {
            "interface_declaration" => ClassKind::Interface,
            "enum_declaration" => ClassKind::Enum,
            _ => ClassKind::Class,
        };
        let id = self.new_class(k, &name, kind, outer);
        self.register(k, name_node, id);
        let m = modifiers(node, &self.sources[k].text);
        let (line, _) = pos(node);
        {
            let c = self.class_mut(id);
            c.access = access_of(&m);
            c.is_abstract = m.has("abstract") || kind == ClassKind::Interface;
            c.is_virtual = m.has("virtual") || m.has("abstract");
            c.annotations = m.annotations.clone();
            c.annotation_args = m.annotation_args.clone();
            c.line = line;
        }
        if let Some(body) = node.child_by_field_name("body") {
            for member in children(body) {
                match member.kind() {
                    "class_declaration" | "interface_declaration" | "enum_declaration" => {
                        self.declare_class(k, member, Some(id));
                    }
                    "enum_constant" => {
                        let n = member.child_by_field_name("name").unwrap_or(member);
                        let t = self.text(k, n).to_string();
                        self.class_mut(id).enum_constants.push(t);
                    }
                    _ => {}
                }
            }
        }
        self.pending.push(Pending {
            class: id,
            node,
            src: k,
        });
        id
    }

    fn declare_trigger(&mut self, k: usize, node: Node<'t>) {
        let name_node = node.child_by_field_name("name").unwrap_or(node);
        let name = self.text(k, name_node).to_string();
        let id = self.new_class(k, &name, ClassKind::Trigger, None);
        let key = format!("__sfdc_trigger/{}", self.class_key(id));
        self.prog.class_index.insert(key, id);
        let (line, _) = pos(node);
        self.class_mut(id).line = line;
        let ns = self.sources[k].namespace.clone();
        if let Some(obj) = node.child_by_field_name("object") {
            let oname = self.text(k, obj).to_string();
            match self.schema.lookup_object(&oname, &ns) {
                Some(t) => {
                    let mut events = Vec::new();
                    let mut c = node.walk();
                    let nodes: Vec<Node<'t>> =
                        node.children_by_field_name("events", &mut c).collect();
                    for e in nodes {
                        if e.kind() != "trigger_event" {
                            continue;
                        }
                        let text = self.text(k, e).to_string();
                        match crate::vm::platform::context::TriggerEvent::parse(&text) {
                            Some(ev) => events.push(ev),
                            None => self.error(k, e, format!("Invalid trigger event: {text}")),
                        }
                    }
                    self.class_mut(id).trigger = Some((t, events));
                }
                None => self.error(k, obj, format!("Invalid SObject type: {oname}")),
            }
        }
        let f = self.new_fn(
            id,
            "trigger",
            FnKind::Trigger,
            vec![],
            vec![],
            Ty::Void,
            true,
            line,
        );
        self.class_mut(id).static_init = None;
        self.class_mut(id)
            .methods
            .insert("<trigger>".into(), vec![f]);
        if let Some(body) = node.child_by_field_name("body") {
            self.jobs.push(Job {
                func: f,
                src: k,
                kind: JobKind::Trigger(body, node),
            });
        }
    }

    fn declare_anonymous(&mut self, k: usize, root: Node<'t>) {
        let id = self.new_class(k, "AnonymousBlock", ClassKind::Anonymous, None);
        self.prog.class_index.insert(self.class_key(id), id);
        let mut statements = Vec::new();
        for n in children(root) {
            match n.kind() {
                "class_declaration" | "interface_declaration" | "enum_declaration" => {
                    self.declare_class(k, n, Some(id));
                }
                "method_declaration" => {}
                _ => statements.push(n),
            }
        }
        let f = self.new_fn(
            id,
            "execute",
            FnKind::Anonymous,
            vec![],
            vec![],
            Ty::Void,
            true,
            1,
        );
        self.anonymous_entry = Some(f);
        self.jobs.push(Job {
            func: f,
            src: k,
            kind: JobKind::Anonymous(statements),
        });
        // Methods declared in anonymous code are static members of the block.
        self.pending.push(Pending {
            class: id,
            node: root,
            src: k,
        });
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn new_fn(
        &mut self,
        class: ClassId,
        name: &str,
        kind: FnKind,
        params: Vec<Ty>,
        names: Vec<String>,
        ret: Ty,
        is_static: bool,
        line: u32,
    ) -> FnId {
        let f = add_function(
            &mut self.prog,
            class,
            name,
            kind,
            params,
            ret,
            is_static,
            FnBody::None,
        );
        let top = self.prog.top_level(class);
        let func = self.func_mut(f);
        func.param_names = names;
        func.line = line;
        func.file_class = top;
        func.is_abstract = false;
        func.access = Access::Public;
        f
    }

    /// Resolves `extends` and `implements` for every class of this compilation.
    pub(super) fn resolve_supertypes(&mut self) {
        for p in 0..self.pending.len() {
            let (id, node, k) = (
                self.pending[p].class,
                self.pending[p].node,
                self.pending[p].src,
            );
            if let Some(sup) = node.child_by_field_name("superclass") {
                let tnode = children(sup).into_iter().next().unwrap_or(sup);
                match self.resolve_type(k, tnode, Some(id)) {
                    Ty::Class(s) => {
                        let sc = self.prog.class(s);
                        let extendable = sc.is_virtual || sc.is_abstract || sc.is_exception;
                        if sc.kind == ClassKind::Interface {
                            let n = sc.type_name();
                            self.error(k, tnode, format!("Classes cannot extend interfaces: {n}"));
                        } else if !extendable {
                            let n = sc.type_name();
                            self.error(
                                k,
                                tnode,
                                format!(
                                    "Non-virtual and non-abstract type cannot be extended: {n}"
                                ),
                            );
                        } else if self.prog.is_subclass(s, id) {
                            self.error(k, tnode, "Cyclic class inheritance");
                        } else {
                            self.class_mut(id).superclass = Some(s);
                        }
                    }
                    Ty::Any => {}
                    _ => {
                        let t = self.text(k, tnode).to_string();
                        self.error(k, tnode, format!("Invalid type: {t}"));
                    }
                }
            }
            let iface_nodes: Vec<Node> = children(node)
                .into_iter()
                .filter(|c| matches!(c.kind(), "interfaces" | "extends_interfaces"))
                .collect();
            for list in iface_nodes {
                for tl in children(list) {
                    for tnode in children(tl) {
                        match self.resolve_type(k, tnode, Some(id)) {
                            Ty::Class(i) if self.prog.class(i).kind == ClassKind::Interface => {
                                self.class_mut(id).interfaces.push(i);
                            }
                            Ty::Any | Ty::Iter(_) => {}
                            _ => {
                                let t = self.text(k, tnode).to_string();
                                self.error(k, tnode, format!("Invalid interface: {t}"));
                            }
                        }
                    }
                }
            }
        }
        // Exception-ness follows the superclass chain.
        let ids: Vec<ClassId> = self.pending.iter().map(|p| p.class).collect();
        for &id in &ids {
            let mut s = self.prog.class(id).superclass;
            let mut exc = false;
            while let Some(c) = s {
                if self.prog.class(c).is_exception {
                    exc = true;
                    break;
                }
                s = self.prog.class(c).superclass;
            }
            if exc {
                self.class_mut(id).is_exception = true;
            }
        }
    }

    /// Inheritance depth, so that superclasses are laid out first.
    fn depth(&self, mut id: ClassId) -> usize {
        let mut d = 0;
        while let Some(s) = self.prog.class(id).superclass {
            d += 1;
            id = s;
            if d > 100 {
                break;
            }
        }
        d
    }

    /// Fields, properties, methods, constructors and initializers of every class.
    pub(super) fn declare_members(&mut self) {
        let mut order: Vec<usize> = (0..self.pending.len()).collect();
        order.sort_by_key(|&p| self.depth(self.pending[p].class));
        for p in order {
            let (id, node, k) = (
                self.pending[p].class,
                self.pending[p].node,
                self.pending[p].src,
            );
            if let Some(s) = self.prog.class(id).superclass {
                let inherited = self.prog.class(s).fields.clone();
                self.class_mut(id).fields = inherited;
            }
            let kind = self.prog.class(id).kind;
            let members: Vec<Node<'t>> = match kind {
                ClassKind::Anonymous => children(node)
                    .into_iter()
                    .filter(|n| n.kind() == "method_declaration")
                    .collect(),
                _ => node
                    .child_by_field_name("body")
                    .map(children)
                    .unwrap_or_default(),
            };
            let mut static_parts = Vec::new();
            let mut instance_parts = Vec::new();
            for m in members {
                match m.kind() {
                    "field_declaration" | "constant_declaration" => {
                        self.declare_field(k, id, m, &mut static_parts, &mut instance_parts)
                    }
                    "method_declaration" => self.declare_method(k, id, m),
                    "constructor_declaration" => self.declare_ctor(k, id, m),
                    "static_initializer" => static_parts.push(InitPart::Block(m)),
                    "block" => instance_parts.push(InitPart::Block(m)),
                    _ => {}
                }
            }
            if kind == ClassKind::Enum {
                self.declare_enum_statics(id);
            }
            let line = self.prog.class(id).line;
            if !static_parts.is_empty() {
                let f = self.new_fn(
                    id,
                    "<clinit>",
                    FnKind::StaticInit,
                    vec![],
                    vec![],
                    Ty::Void,
                    true,
                    line,
                );
                self.class_mut(id).static_init = Some(f);
                self.jobs.push(Job {
                    func: f,
                    src: k,
                    kind: JobKind::Init(static_parts),
                });
            }
            if !instance_parts.is_empty() {
                let f = self.new_fn(
                    id,
                    "<init>",
                    FnKind::InstanceInit,
                    vec![],
                    vec![],
                    Ty::Void,
                    false,
                    line,
                );
                self.class_mut(id).instance_init = Some(f);
                self.jobs.push(Job {
                    func: f,
                    src: k,
                    kind: JobKind::Init(instance_parts),
                });
            }
            if kind == ClassKind::Class && self.prog.class(id).ctors.is_empty() {
                self.default_ctors(id, k);
            } else if kind == ClassKind::Class && self.prog.class(id).is_exception {
                self.exception_ctors(id, k);
            }
        }
    }

    fn declare_enum_statics(&mut self, _id: ClassId) {}

    /// The implicit no-argument constructor, or the four standard ones for exceptions.
    fn default_ctors(&mut self, id: ClassId, k: usize) {
        if self.prog.class(id).is_exception {
            self.exception_ctors(id, k);
            return;
        }
        let line = self.prog.class(id).line;
        let f = self.new_fn(
            id,
            "<init>",
            FnKind::Constructor,
            vec![],
            vec![],
            Ty::Void,
            false,
            line,
        );
        self.class_mut(id).ctors.push(f);
        self.jobs.push(Job {
            func: f,
            src: k,
            kind: JobKind::DefaultCtor,
        });
    }

    /// Custom exceptions get `()`, `(String)`, `(Exception)` and `(String, Exception)`
    /// unless they declare a constructor of that shape.
    fn exception_ctors(&mut self, id: ClassId, k: usize) {
        let exc = self.prog.exception_class("Exception");
        let shapes = [
            vec![],
            vec![Ty::String],
            vec![Ty::Class(exc)],
            vec![Ty::String, Ty::Class(exc)],
        ];
        let line = self.prog.class(id).line;
        for params in shapes {
            let exists = self
                .prog
                .class(id)
                .ctors
                .iter()
                .any(|&c| self.prog.func(c).params == params);
            if exists {
                continue;
            }
            let names = (0..params.len()).map(|n| format!("p{n}")).collect();
            let f = self.new_fn(
                id,
                "<init>",
                FnKind::Constructor,
                params,
                names,
                Ty::Void,
                false,
                line,
            );
            self.class_mut(id).ctors.push(f);
            self.jobs.push(Job {
                func: f,
                src: k,
                kind: JobKind::ExceptionCtor,
            });
        }
    }

    fn declare_field(
        &mut self,
        k: usize,
        id: ClassId,
        m: Node<'t>,
        static_parts: &mut Vec<InitPart<'t>>,
        instance_parts: &mut Vec<InitPart<'t>>,
    ) {
        let mods = modifiers(m, &self.sources[k].text);
        let is_static = mods.has("static") || self.prog.class(id).kind == ClassKind::Interface;
        let Some(tnode) = m.child_by_field_name("type") else {
            return;
        };
        let ty = self.resolve_type(k, tnode, Some(id));
        let accessors = syntax::child_of_kind(m, "accessor_list");
        let mut c = m.walk();
        let declarators: Vec<Node<'t>> = m.children_by_field_name("declarator", &mut c).collect();
        for d in declarators {
            let Some(name_node) = d.child_by_field_name("name") else {
                continue;
            };
            let name = self.text(k, name_node).to_string();
            let lower = name.to_ascii_lowercase();
            let (line, _) = pos(d);
            let duplicate = {
                let cls = self.prog.class(id);
                cls.statics
                    .iter()
                    .any(|f| f.name.eq_ignore_ascii_case(&name))
                    || cls
                        .fields
                        .iter()
                        .skip(self.inherited_count(id))
                        .any(|f| f.name.eq_ignore_ascii_case(&name))
            };
            if duplicate {
                self.error(k, name_node, format!("Duplicate field: {name}"));
                continue;
            }
            let slot = if is_static {
                let s = self.prog.n_statics;
                self.prog.n_statics += 1;
                s
            } else {
                self.prog.class(id).fields.len() as u32
            };
            if mods.has_annotation("testvisible") {
                self.test_visible_fields.insert((id, lower.clone()));
            }
            let mut info = FieldInfo {
                name: name.clone(),
                ty: ty.clone(),
                is_static,
                access: access_of(&mods),
                slot,
                line,
                getter: None,
                setter: None,
                is_property: accessors.is_some(),
                is_final: mods.has("final"),
            };
            if let Some(acc) = accessors {
                for a in children(acc) {
                    let Some(body) = a.child_by_field_name("body") else {
                        continue;
                    };
                    let is_get = a
                        .child_by_field_name("accessor")
                        .is_some_and(|x| self.text(k, x).eq_ignore_ascii_case("get"));
                    let (aline, _) = pos(a);
                    if is_get {
                        let f = self.new_fn(
                            id,
                            &name,
                            FnKind::Getter,
                            vec![],
                            vec![],
                            ty.clone(),
                            is_static,
                            aline,
                        );
                        info.getter = Some(f);
                        self.jobs.push(Job {
                            func: f,
                            src: k,
                            kind: JobKind::Accessor(body, lower.clone(), slot),
                        });
                    } else {
                        let f = self.new_fn(
                            id,
                            &name,
                            FnKind::Setter,
                            vec![ty.clone()],
                            vec!["value".into()],
                            Ty::Void,
                            is_static,
                            aline,
                        );
                        info.setter = Some(f);
                        self.jobs.push(Job {
                            func: f,
                            src: k,
                            kind: JobKind::Accessor(body, lower.clone(), slot),
                        });
                    }
                }
            }
            if let Some(v) = d.child_by_field_name("value") {
                let part = InitPart::Field {
                    is_static,
                    slot,
                    ty: ty.clone(),
                    value: v,
                    decl: d,
                };
                if is_static {
                    static_parts.push(part);
                } else {
                    instance_parts.push(part);
                }
            }
            let cls = self.class_mut(id);
            if is_static {
                cls.statics.push(info);
            } else {
                cls.fields.push(info);
            }
        }
    }

    /// How many of a class's fields come from its superclass.
    pub(super) fn inherited_count(&self, id: ClassId) -> usize {
        self.prog
            .class(id)
            .superclass
            .map(|s| self.prog.class(s).fields.len())
            .unwrap_or(0)
    }

    fn params(&mut self, k: usize, n: Node<'t>, ctx: ClassId) -> (Vec<Ty>, Vec<String>) {
        let mut tys = Vec::new();
        let mut names = Vec::new();
        if let Some(ps) = n.child_by_field_name("parameters") {
            for p in children(ps) {
                if p.kind() != "formal_parameter" {
                    continue;
                }
                let ty = p
                    .child_by_field_name("type")
                    .map(|t| self.resolve_type(k, t, Some(ctx)))
                    .unwrap_or(Ty::Any);
                let ty = if p.child_by_field_name("dimensions").is_some() {
                    Ty::list(ty)
                } else {
                    ty
                };
                let name = p
                    .child_by_field_name("name")
                    .map(|x| self.text(k, x).to_string())
                    .unwrap_or_default();
                tys.push(ty);
                names.push(name);
            }
        }
        (tys, names)
    }

    fn declare_method(&mut self, k: usize, id: ClassId, m: Node<'t>) {
        let mods = modifiers(m, &self.sources[k].text);
        let Some(name_node) = m.child_by_field_name("name") else {
            return;
        };
        let name = self.text(k, name_node).to_string();
        let kind = self.prog.class(id).kind;
        let ret = m
            .child_by_field_name("type")
            .map(|t| self.resolve_type(k, t, Some(id)))
            .unwrap_or(Ty::Void);
        let (params, names) = self.params(k, m, id);
        let (line, _) = pos(m);
        let is_static = mods.has("static") || kind == ClassKind::Anonymous;
        let dup = self
            .prog
            .class(id)
            .methods
            .get(&name.to_ascii_lowercase())
            .is_some_and(|fs| fs.iter().any(|&f| self.prog.func(f).params == params));
        if dup {
            self.error(k, name_node, format!("Method already defined: {name}"));
            return;
        }
        let f = self.new_fn(
            id,
            &name,
            FnKind::Method,
            params,
            names,
            ret,
            is_static,
            line,
        );
        let body = m.child_by_field_name("body");
        let is_abstract = mods.has("abstract") || (kind == ClassKind::Interface && body.is_none());
        {
            let func = self.func_mut(f);
            func.is_virtual = mods.has("virtual")
                || mods.has("abstract")
                || mods.has("override")
                || kind == ClassKind::Interface;
            func.is_abstract = is_abstract;
            func.access = if kind == ClassKind::Interface {
                Access::Public
            } else {
                access_of(&mods)
            };
            func.annotations = mods.annotations.clone();
            // The old `testMethod` keyword is `@IsTest`.
            if mods.has("testmethod") {
                func.annotations.push("istest".into());
            }
            if mods.has("override") {
                func.annotations.push("override".into());
            }
        }
        self.class_mut(id)
            .methods
            .entry(name.to_ascii_lowercase())
            .or_default()
            .push(f);
        match body {
            Some(b) => self.jobs.push(Job {
                func: f,
                src: k,
                kind: JobKind::Method(b),
            }),
            None if !is_abstract => {
                self.error(k, name_node, format!("Method must have a body: {name}"));
            }
            None => {}
        }
    }

    fn declare_ctor(&mut self, k: usize, id: ClassId, m: Node<'t>) {
        let mods = modifiers(m, &self.sources[k].text);
        let (params, names) = self.params(k, m, id);
        let (line, _) = pos(m);
        if let Some(n) = m.child_by_field_name("name") {
            let cname = self.prog.class(id).name.clone();
            if !self.text(k, n).eq_ignore_ascii_case(&cname) {
                self.error(k, n, "Invalid constructor name");
                return;
            }
        }
        let f = self.new_fn(
            id,
            "<init>",
            FnKind::Constructor,
            params,
            names,
            Ty::Void,
            false,
            line,
        );
        self.func_mut(f).access = access_of(&mods);
        self.class_mut(id).ctors.push(f);
        if let Some(b) = m.child_by_field_name("body") {
            self.jobs.push(Job {
                func: f,
                src: k,
                kind: JobKind::Ctor(b),
            });
        }
    }

    /// The dispatch key of a method: lower-case name and parameter types.
    pub(super) fn sig_key(&self, f: FnId) -> String {
        let func = self.prog.func(f);
        let params: Vec<String> = func
            .params
            .iter()
            .map(|t| self.prog.ty_name(t).to_ascii_lowercase())
            .collect();
        format!("{}({})", func.name.to_ascii_lowercase(), params.join(","))
    }

    pub(super) fn intern_sig(&mut self, key: String) -> u32 {
        if let Some(&s) = self.prog.sig_index.get(&key) {
            return s;
        }
        let s = self.prog.sigs.len() as u32;
        self.prog.sigs.push(key.clone());
        self.prog.sig_index.insert(key, s);
        s
    }

    /// Virtual tables: inherited entries, then this class's instance methods.
    pub(super) fn build_vtables(&mut self) {
        let mut order: Vec<ClassId> = self.pending.iter().map(|p| p.class).collect();
        order.sort_by_key(|&c| self.depth(c));
        for id in order {
            let mut vt = match self.prog.class(id).superclass {
                Some(s) => self.prog.class(s).vtable.clone(),
                None => Default::default(),
            };
            let methods: Vec<FnId> = self
                .prog
                .class(id)
                .methods
                .values()
                .flatten()
                .copied()
                .collect();
            for f in methods {
                if self.prog.func(f).is_static {
                    continue;
                }
                let key = self.sig_key(f);
                let sig = self.intern_sig(key);
                self.func_mut(f).sig = Some(sig);
                vt.insert(sig, f);
            }
            self.class_mut(id).vtable = vt;
        }
    }
}
