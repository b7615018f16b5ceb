//! Who may use what: namespace visibility of types, members and protected custom
//! settings, `private` members, and `@TestVisible`.
//!
//! Inside one namespace a `private` member is visible to its top-level class and
//! everything nested in it; `@TestVisible` opens it to test classes too. Across
//! namespaces only `global` types and members are visible.

use tree_sitter::Node;

use super::Compiler;
use super::body::FnCtx;
use crate::vm::program::{Access, FieldInfo};
use crate::vm::types::{ClassId, FnId};

impl<'t> Compiler<'t> {
    /// Whether `owner`'s namespace is another package's, seen from source `k`.
    fn other_namespace(&self, k: usize, owner: ClassId) -> bool {
        let ns = &self.prog.class(self.prog.top_level(owner)).namespace;
        !(ns.is_empty() || ns == "System" || ns.eq_ignore_ascii_case(&self.sources[k].namespace))
    }

    /// Whether the code being compiled is test code: an `@IsTest` class or one nested in it.
    fn in_test_class(&self, cx: &FnCtx) -> bool {
        let top = self.prog.top_level(cx.class);
        self.prog
            .class(top)
            .annotations
            .iter()
            .any(|a| a == "istest")
    }

    /// Whether a `private` member of `owner` is visible from `cx`: from the same
    /// top-level class, or from test code when the member is `@TestVisible`.
    fn private_visible(&self, cx: &FnCtx, owner: ClassId, test_visible: bool) -> bool {
        self.prog.top_level(owner) == self.prog.top_level(cx.class)
            || (test_visible && self.in_test_class(cx))
    }

    /// A class of another namespace is usable only when it (and every class around it)
    /// is `global`.
    pub(super) fn check_class_visible(&mut self, k: usize, n: Node<'t>, c: ClassId) {
        if !self.other_namespace(k, c) {
            return;
        }
        let mut x = Some(c);
        while let Some(cc) = x {
            let cls = self.prog.class(cc);
            if cls.access != Access::Global {
                let name = self.prog.class(c).type_name();
                self.error(k, n, format!("Type is not visible: {name}"));
                return;
            }
            x = cls.outer;
        }
    }

    /// A field or static `f` declared by class `owner`: from another namespace only
    /// `global` ones are usable, and `private` ones only from their own class (or,
    /// when `@TestVisible`, from test code).
    pub(super) fn check_field_visible(
        &mut self,
        cx: &FnCtx,
        n: Node<'t>,
        owner: ClassId,
        f: &FieldInfo,
    ) {
        let visible = if self.other_namespace(cx.src, owner) {
            f.access == Access::Global
        } else if f.access == Access::Private {
            let tv = self
                .test_visible_fields
                .contains(&(owner, f.name.to_ascii_lowercase()));
            self.private_visible(cx, owner, tv)
        } else {
            true
        };
        if !visible {
            let name = format!("{}.{}", self.prog.class(owner).type_name(), f.name);
            self.error(cx.src, n, format!("Variable is not visible: {name}"));
        }
    }

    /// The class that declares instance field number `idx` of class `c`'s layout
    /// (inherited fields come first).
    pub(super) fn field_owner(&self, c: ClassId, idx: usize) -> ClassId {
        let mut owner = c;
        while let Some(s) = self.prog.class(owner).superclass
            && idx < self.prog.class(s).fields.len()
        {
            owner = s;
        }
        owner
    }

    /// A method call: from another namespace only `global` methods are callable, and
    /// `private` ones only from their own class (or, when `@TestVisible`, from test code).
    pub(super) fn check_access(&mut self, cx: &FnCtx, n: Node<'t>, f: FnId) {
        let func = self.prog.func(f);
        let owner = func.class;
        let owner_ns = &self.prog.class(owner).namespace;
        let caller_ns = &self.sources[cx.src].namespace;
        let visible = if owner_ns == "System" || owner_ns.eq_ignore_ascii_case(caller_ns) {
            func.access != Access::Private
                || self.private_visible(
                    cx,
                    owner,
                    func.annotations.iter().any(|a| a == "testvisible"),
                )
        } else {
            // @NamespaceAccessible shares code between packages of one namespace only.
            func.access == Access::Global
        };
        if !visible {
            let d = self.describe_fn(f);
            self.error(cx.src, n, format!("Method is not visible: {d}"));
        }
    }

    /// Protected custom settings of another package are invisible to code outside it,
    /// unless the publisher's support engineer compiles it through login access.
    pub(super) fn check_sobject_visible(&mut self, k: usize, n: Node<'t>, s: u32) {
        let d = self.schema.get(s);
        if !d.protected || d.namespace.is_empty() {
            return;
        }
        let ns = &self.sources[k].namespace;
        if d.namespace.eq_ignore_ascii_case(ns)
            || self
                .isv_access
                .iter()
                .any(|a| a.eq_ignore_ascii_case(&d.namespace))
        {
            return;
        }
        let name = d.name.clone();
        self.error(k, n, format!("Type is not visible: {name}"));
    }
}
