//! Type names to types, class lookup from a context, assignability, and the
//! class-level checks (overrides, abstract methods).

use tree_sitter::Node;

use super::Compiler;
use super::syntax::children;
use crate::vm::program::ClassKind;
use crate::vm::types::{ClassId, NativeClass, NativeEnum, Ty};

/// Primitive and built-in type names (lower case) to types.
pub fn builtin_type(name: &str) -> Option<Ty> {
    Some(match name {
        "integer" => Ty::Integer,
        "long" => Ty::Long,
        "decimal" => Ty::Decimal,
        "double" => Ty::Double,
        "string" => Ty::String,
        "id" => Ty::Id,
        "boolean" => Ty::Boolean,
        "date" => Ty::Date,
        "datetime" => Ty::Datetime,
        "time" => Ty::Time,
        "blob" => Ty::Blob,
        "object" => Ty::Object,
        "sobject" => Ty::SObject(None),
        "void" => Ty::Void,
        "list" => Ty::list(Ty::Object),
        "set" => Ty::set(Ty::Object),
        "map" => Ty::map(Ty::Object, Ty::Object),
        "type" => Ty::Native(NativeClass::Type),
        "pattern" => Ty::Native(NativeClass::Pattern),
        "matcher" => Ty::Native(NativeClass::Matcher),
        "savepoint" => Ty::Native(NativeClass::Savepoint),
        "aggregateresult" => Ty::Native(NativeClass::AggregateResult),
        "restrequest" => Ty::Native(NativeClass::RestRequest),
        "restresponse" => Ty::Native(NativeClass::RestResponse),
        "jsongenerator" => Ty::Native(NativeClass::JsonGenerator),
        "queueablecontext" => Ty::Native(NativeClass::QueueableContext),
        "logginglevel" => Ty::NativeEnum(NativeEnum::LoggingLevel),
        "roundingmode" => Ty::NativeEnum(NativeEnum::RoundingMode),
        "triggeroperation" => Ty::NativeEnum(NativeEnum::TriggerOperation),
        "accesslevel" => Ty::NativeEnum(NativeEnum::AccessLevel),
        "displaytype" => Ty::NativeEnum(NativeEnum::DisplayType),
        "statuscode" => Ty::NativeEnum(NativeEnum::StatusCode),
        _ => return None,
    })
}

/// Types named with a built-in namespace (`Database.SaveResult`, `Schema.SObjectType`).
fn qualified_builtin(ns: &str, name: &str) -> Option<Ty> {
    Some(match (ns, name) {
        ("system", n) => return builtin_type(n),
        ("database", "saveresult") => Ty::Native(NativeClass::SaveResult),
        ("database", "deleteresult") => Ty::Native(NativeClass::DeleteResult),
        ("database", "upsertresult") => Ty::Native(NativeClass::UpsertResult),
        ("database", "undeleteresult") => Ty::Native(NativeClass::UndeleteResult),
        ("database", "error") => Ty::Native(NativeClass::DatabaseError),
        ("database", "querylocator") => Ty::Native(NativeClass::QueryLocator),
        ("database", "batchablecontext") => Ty::Any,
        ("schema", "sobjecttype") => Ty::Native(NativeClass::SObjectTypeToken),
        ("schema", "describesobjectresult") => Ty::Native(NativeClass::DescribeSObjectResult),
        ("schema", "describefieldresult") => Ty::Native(NativeClass::DescribeFieldResult),
        ("schema", "sobjectfield") => Ty::Native(NativeClass::SObjectFieldToken),
        _ => return None,
    })
}

impl<'t> Compiler<'t> {
    /// Resolves a type node in the context of a class.
    pub(super) fn resolve_type(&mut self, k: usize, n: Node<'t>, ctx: Option<ClassId>) -> Ty {
        match n.kind() {
            "void_type" => Ty::Void,
            "boolean_type" => Ty::Boolean,
            "annotated_type" => match children(n).into_iter().find(|c| c.kind() != "annotation") {
                Some(inner) => self.resolve_type(k, inner, ctx),
                None => Ty::Any,
            },
            "array_type" => {
                let e = n
                    .child_by_field_name("element")
                    .map(|e| self.resolve_type(k, e, ctx))
                    .unwrap_or(Ty::Any);
                Ty::list(e)
            }
            "generic_type" => self.resolve_generic(k, n, ctx),
            "type_identifier" | "identifier" | "scoped_type_identifier" | "java_type" => {
                let path = self.type_path(k, n);
                let parts: Vec<&str> = path.iter().map(String::as_str).collect();
                match self.resolve_type_path(&parts, ctx, k) {
                    Some(t) => {
                        match t {
                            Ty::SObject(Some(s)) => self.check_sobject_visible(k, n, s),
                            Ty::Class(c) => self.check_class_visible(k, n, c),
                            _ => {}
                        }
                        t
                    }
                    None => {
                        self.error(k, n, format!("Invalid type: {}", path.join(".")));
                        Ty::Any
                    }
                }
            }
            _ => {
                let t = self.text(k, n).to_string();
                self.error(k, n, format!("Invalid type: {t}"));
                Ty::Any
            }
        }
    }

    fn type_path(&self, k: usize, n: Node<'t>) -> Vec<String> {
        match n.kind() {
            "scoped_type_identifier" | "java_type" => children(n)
                .into_iter()
                .filter(|c| c.kind() != "annotation")
                .flat_map(|c| self.type_path(k, c))
                .collect(),
            _ => vec![self.text(k, n).to_string()],
        }
    }

    fn resolve_generic(&mut self, k: usize, n: Node<'t>, ctx: Option<ClassId>) -> Ty {
        let kids = children(n);
        let base = kids
            .first()
            .map(|b| self.type_path(k, *b))
            .unwrap_or_default();
        let base_name = base
            .last()
            .map(|s| s.to_ascii_lowercase())
            .unwrap_or_default();
        let args: Vec<Ty> = kids
            .iter()
            .filter(|c| c.kind() == "type_arguments")
            .flat_map(|ta| children(*ta))
            .map(|a| self.resolve_type(k, a, ctx))
            .collect();
        let arg = |i: usize| args.get(i).cloned().unwrap_or(Ty::Object);
        match base_name.as_str() {
            "list" => Ty::list(arg(0)),
            "set" => Ty::set(arg(0)),
            "map" => Ty::map(arg(0), arg(1)),
            "iterator" | "iterable" => Ty::Iter(Box::new(arg(0))),
            _ => {
                let parts: Vec<&str> = base.iter().map(String::as_str).collect();
                match self.resolve_type_path(&parts, ctx, k) {
                    Some(t) => t,
                    None => {
                        self.error(k, n, format!("Invalid type: {}", base.join(".")));
                        Ty::Any
                    }
                }
            }
        }
    }

    /// Resolves a dotted type name from a class context.
    pub(super) fn resolve_type_path(
        &self,
        parts: &[&str],
        ctx: Option<ClassId>,
        k: usize,
    ) -> Option<Ty> {
        let lower: Vec<String> = parts.iter().map(|p| p.to_ascii_lowercase()).collect();
        if lower.len() == 1
            && let Some(t) = builtin_type(&lower[0])
        {
            return Some(t);
        }
        if let Some(c) = self.lookup_class(&lower, ctx, k) {
            return Some(Ty::Class(c));
        }
        if lower.len() == 2 {
            if let Some(t) = qualified_builtin(&lower[0], &lower[1]) {
                return Some(t);
            }
            if lower[0] == "schema"
                && let Some(s) = self
                    .schema
                    .lookup_object(&lower[1], &self.sources[k].namespace)
            {
                return Some(Ty::SObject(Some(s)));
            }
        }
        if lower.len() == 1 {
            if let Some(s) = self
                .schema
                .lookup_object(&lower[0], &self.sources[k].namespace)
            {
                return Some(Ty::SObject(Some(s)));
            }
            if let Some(&c) = self.prog.system_exceptions.get(&lower[0]) {
                return Some(Ty::Class(c));
            }
            if let Some(&c) = self.prog.class_index.get(&format!("system.{}", lower[0])) {
                return Some(Ty::Class(c));
            }
        }
        None
    }

    /// Finds a class by a lower-case dotted path, as seen from `ctx` in source `k`.
    pub(super) fn lookup_class(
        &self,
        parts: &[String],
        ctx: Option<ClassId>,
        k: usize,
    ) -> Option<ClassId> {
        let (first, rest) = parts.split_first()?;
        let ns = self.sources[k].namespace.to_ascii_lowercase();
        let descend = |mut c: ClassId, rest: &[String]| -> Option<ClassId> {
            for r in rest {
                c = *self
                    .prog
                    .class_index
                    .get(&format!("{}.{}", self.class_key(c), r))?;
            }
            Some(c)
        };
        // Inner classes of the context, its outer classes and their superclasses.
        let mut scope = ctx;
        while let Some(c) = scope {
            let mut s = Some(c);
            while let Some(x) = s {
                if let Some(&inner) =
                    self.prog
                        .class_index
                        .get(&format!("{}.{}", self.class_key(x), first))
                    && let Some(found) = descend(inner, rest)
                {
                    return Some(found);
                }
                if self.prog.class(x).name.eq_ignore_ascii_case(first)
                    && self.prog.class(x).outer.is_none()
                    && self.prog.class(x).kind != ClassKind::Anonymous
                    && let Some(found) = descend(x, rest)
                {
                    return Some(found);
                }
                s = self.prog.class(x).superclass;
            }
            scope = self.prog.class(c).outer;
        }
        // Top-level classes of this namespace.
        let key = if ns.is_empty() {
            first.clone()
        } else {
            format!("{ns}.{first}")
        };
        if let Some(&c) = self.prog.class_index.get(&key)
            && let Some(found) = descend(c, rest)
        {
            return Some(found);
        }
        // A namespace prefix: `acme.Foo`, `System.Exception`.
        if let Some((second, rest2)) = rest.split_first()
            && let Some(&c) = self.prog.class_index.get(&format!("{first}.{second}"))
        {
            return descend(c, rest2);
        }
        None
    }

    /// Whether a value of type `from` may be assigned to `to` without a cast.
    pub(super) fn assignable(&self, from: &Ty, to: &Ty) -> bool {
        if from == to {
            return true;
        }
        match (from, to) {
            (Ty::Null | Ty::Any, _) | (_, Ty::Any | Ty::Object) => {
                *to != Ty::Void && *from != Ty::Void
            }
            (Ty::Void, _) | (_, Ty::Void) => false,
            (a, b) if a.is_numeric() && b.is_numeric() => {
                a.numeric_rank() <= b.numeric_rank() || matches!((a, b), (Ty::Double, Ty::Decimal))
            }
            (Ty::Id, Ty::String) | (Ty::String, Ty::Id) => true,
            (Ty::Class(a), Ty::Class(b)) => self.prog.is_subclass(*a, *b),
            (Ty::Class(a), Ty::Iter(_)) => {
                self.implements_named(*a, "iterator") || self.implements_named(*a, "iterable")
            }
            (Ty::SObject(Some(_)), Ty::SObject(None)) => true,
            (Ty::List(a), Ty::List(b)) | (Ty::Set(a), Ty::Set(b)) => self.elem_assignable(a, b),
            (Ty::List(a), Ty::Iter(b)) | (Ty::Set(a), Ty::Iter(b)) => self.elem_assignable(a, b),
            (Ty::Map(k1, v1), Ty::Map(k2, v2)) => {
                self.elem_assignable(k1, k2) && self.elem_assignable(v1, v2)
            }
            (Ty::Iter(a), Ty::Iter(b)) => self.elem_assignable(a, b),
            _ => false,
        }
    }

    fn elem_assignable(&self, a: &Ty, b: &Ty) -> bool {
        a == b
            || matches!(b, Ty::Object | Ty::Any)
            || matches!(a, Ty::Any)
            || match (a, b) {
                (Ty::Class(x), Ty::Class(y)) => self.prog.is_subclass(*x, *y),
                (Ty::SObject(Some(_)), Ty::SObject(None)) => true,
                (Ty::SObject(None), Ty::SObject(Some(_))) => true,
                (Ty::Id, Ty::String) | (Ty::String, Ty::Id) => true,
                (Ty::List(x), Ty::List(y)) => self.elem_assignable(x, y),
                _ => false,
            }
    }

    /// Whether a class implements a system interface by simple name.
    pub(super) fn implements_named(&self, c: ClassId, iface: &str) -> bool {
        let cls = self.prog.class(c);
        if cls.name.eq_ignore_ascii_case(iface) && cls.namespace == "System" {
            return true;
        }
        cls.interfaces
            .iter()
            .any(|&i| self.implements_named(i, iface))
            || cls
                .superclass
                .is_some_and(|s| self.implements_named(s, iface))
    }

    /// The name Apex uses for a type in messages.
    pub(super) fn ty_name(&self, t: &Ty) -> String {
        match t {
            Ty::SObject(Some(s)) => self.schema.get(*s).name.clone(),
            Ty::List(e) => format!("List<{}>", self.ty_name(e)),
            Ty::Set(e) => format!("Set<{}>", self.ty_name(e)),
            Ty::Map(a, b) => format!("Map<{},{}>", self.ty_name(a), self.ty_name(b)),
            _ => self.prog.ty_name(t),
        }
    }

    /// Override and abstract-method rules, checked once every signature is known.
    pub(super) fn check_classes(&mut self) {
        for p in 0..self.pending.len() {
            let (id, node, k) = (
                self.pending[p].class,
                self.pending[p].node,
                self.pending[p].src,
            );
            if self.prog.class(id).kind != ClassKind::Class {
                continue;
            }
            let superclass = self.prog.class(id).superclass;
            let name_node = node.child_by_field_name("name").unwrap_or(node);
            // Overrides must name a virtual or abstract ancestor method.
            let own: Vec<u32> = self
                .prog
                .class(id)
                .methods
                .values()
                .flatten()
                .copied()
                .collect();
            for f in own {
                let func = self.prog.func(f);
                if func.is_static {
                    continue;
                }
                let marked = func.annotations.iter().any(|a| a == "override");
                let Some(sig) = func.sig else { continue };
                let parent = superclass.and_then(|s| self.prog.class(s).vtable.get(&sig).copied());
                let line = func.line;
                let fname = func.name.clone();
                match (marked, parent) {
                    (true, None) => {
                        let is_object_method = matches!(
                            fname.to_ascii_lowercase().as_str(),
                            "tostring" | "equals" | "hashcode"
                        );
                        if !is_object_method {
                            self.error_line(
                                k,
                                line,
                                format!(
                                    "Method does not override an ancestor method: {}",
                                    self.describe_fn(f)
                                ),
                            );
                        }
                    }
                    (false, Some(pf)) => {
                        let pfunc = self.prog.func(pf);
                        if pfunc.is_virtual || pfunc.is_abstract {
                            self.error_line(
                                k,
                                line,
                                format!(
                                    "Method must use the override keyword: {}",
                                    self.describe_fn(f)
                                ),
                            );
                        } else {
                            self.error_line(
                                k,
                                line,
                                format!(
                                    "Cannot override non-virtual method: {}",
                                    self.describe_fn(pf)
                                ),
                            );
                        }
                    }
                    (true, Some(pf)) => {
                        let pfunc = self.prog.func(pf);
                        if !(pfunc.is_virtual || pfunc.is_abstract) {
                            self.error_line(
                                k,
                                line,
                                format!(
                                    "Cannot override non-virtual method: {}",
                                    self.describe_fn(pf)
                                ),
                            );
                        }
                    }
                    _ => {}
                }
            }
            // A concrete class implements every abstract and interface method.
            if !self.prog.class(id).is_abstract {
                let missing = self.missing_methods(id);
                if let Some(m) = missing.first() {
                    let cname = self.prog.class(id).type_name();
                    let d = self.describe_fn(*m);
                    self.error(
                        k,
                        name_node,
                        format!("Class {cname} must implement the method: {d}"),
                    );
                }
            }
        }
    }

    fn error_line(&mut self, k: usize, line: u32, message: String) {
        let file = self.sources[k].file.to_string();
        self.errors
            .push(super::CompileError::new(&file, line, 1, message));
    }

    /// `void Runner.run()`, as Salesforce names a method in errors.
    pub(super) fn describe_fn(&self, f: u32) -> String {
        let func = self.prog.func(f);
        let params: Vec<String> = func.params.iter().map(|t| self.ty_name(t)).collect();
        format!(
            "{} {}.{}({})",
            self.ty_name(&func.ret),
            self.prog.class(func.class).type_name(),
            func.name,
            params.join(", ")
        )
    }

    fn missing_methods(&self, id: ClassId) -> Vec<u32> {
        let cls = self.prog.class(id);
        let mut required = Vec::new();
        let mut stack: Vec<ClassId> = cls.interfaces.clone();
        let mut s = cls.superclass;
        while let Some(c) = s {
            stack.extend(self.prog.class(c).interfaces.iter().copied());
            s = self.prog.class(c).superclass;
        }
        while let Some(i) = stack.pop() {
            let ic = self.prog.class(i);
            stack.extend(ic.interfaces.iter().copied());
            for &f in ic.methods.values().flatten() {
                required.push((f, ic.namespace == "System"));
            }
        }
        // Abstract methods left by superclasses.
        for (_, &f) in cls.vtable.iter() {
            if self.prog.func(f).is_abstract
                && self.prog.class(self.prog.func(f).class).kind == ClassKind::Class
            {
                required.push((f, false));
            }
        }
        let mut out = Vec::new();
        for (f, by_name) in required {
            let func = self.prog.func(f);
            let found = if by_name {
                self.find_instance_method(id, &func.name.to_ascii_lowercase(), func.params.len())
                    .is_some()
            } else {
                let key = self.sig_key(f);
                self.prog
                    .sig_index
                    .get(&key)
                    .and_then(|s| cls.vtable.get(s))
                    .is_some_and(|&g| !self.prog.func(g).is_abstract)
            };
            if !found {
                out.push(f);
            }
        }
        out
    }

    /// A non-abstract instance method by name and arity on a class or its superclasses.
    pub(super) fn find_instance_method(
        &self,
        mut c: ClassId,
        name: &str,
        arity: usize,
    ) -> Option<u32> {
        loop {
            let cls = self.prog.class(c);
            if let Some(fs) = cls.methods.get(name) {
                for &f in fs {
                    let func = self.prog.func(f);
                    if !func.is_static && !func.is_abstract && func.params.len() == arity {
                        return Some(f);
                    }
                }
            }
            c = cls.superclass?;
        }
    }
}
