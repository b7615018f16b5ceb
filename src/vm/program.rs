//! A compiled program: classes, functions and constants, shared read-only by
//! every request thread.

use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::builtins::NativeFn;
use super::ir::{SigId, Stmt};
use super::types::{ClassId, FnId, SObjectTypeId, Ty, TyDisplay};

/// What kind of type a class entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassKind {
    Class,
    Interface,
    Enum,
    /// The body of a trigger.
    Trigger,
    /// An anonymous block.
    Anonymous,
}

/// Access level of a member or class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    Private,
    Protected,
    Public,
    Global,
}

/// A field (or automatic property) of a class.
#[derive(Debug, Clone)]
pub struct FieldInfo {
    pub name: String,
    pub ty: Ty,
    pub is_static: bool,
    pub access: Access,
    /// Instance fields: index in the object's field vector. Statics: global static slot.
    pub slot: u32,
    pub line: u32,
    /// For properties with bodies: the accessor functions.
    pub getter: Option<FnId>,
    pub setter: Option<FnId>,
    /// Whether this is a property (for display) rather than a plain field.
    pub is_property: bool,
    pub is_final: bool,
}

/// A class, interface, enum, trigger or anonymous block.
#[derive(Debug)]
pub struct Class {
    pub id: ClassId,
    /// Simple name as declared (`Inner`).
    pub name: String,
    /// Dotted name without namespace (`Outer.Inner`).
    pub qualified: String,
    /// Namespace prefix (`acme`), or empty for subscriber code; `System` for built-ins.
    pub namespace: String,
    pub outer: Option<ClassId>,
    pub kind: ClassKind,
    pub access: Access,
    pub is_abstract: bool,
    pub is_virtual: bool,
    pub superclass: Option<ClassId>,
    pub interfaces: Vec<ClassId>,
    /// Instance fields in layout order, including inherited ones first.
    pub fields: Vec<FieldInfo>,
    /// Static fields declared by this class.
    pub statics: Vec<FieldInfo>,
    /// Methods declared by this class, by lower-case name.
    pub methods: HashMap<String, Vec<FnId>>,
    pub ctors: Vec<FnId>,
    /// Run once per request before the class is first used.
    pub static_init: Option<FnId>,
    /// Field initializers and instance blocks, run by constructors.
    pub instance_init: Option<FnId>,
    /// Virtual dispatch: signature to implementation, inherited entries included.
    pub vtable: FxHashMap<SigId, FnId>,
    /// Enum constants, in ordinal order.
    pub enum_constants: Vec<String>,
    /// Source file name (`Foo.cls`), shared by inner classes.
    pub file: Arc<str>,
    /// Lines where a statement starts, for breakpoint verification (top-level classes
    /// hold the lines of their inner classes too).
    pub valid_lines: Vec<u32>,
    /// Whether this class is (or extends) System.Exception.
    pub is_exception: bool,
    pub annotations: Vec<String>,
    /// Annotation arguments: (annotation, lower-case key, value), e.g.
    /// `("restresource", "urlmapping", "/acme/invoices/*")`.
    pub annotation_args: Vec<(String, String, String)>,
    pub line: u32,
    /// For triggers: the sObject type and the events the trigger handles.
    pub trigger: Option<(SObjectTypeId, Vec<super::platform::context::TriggerEvent>)>,
}

impl Class {
    /// The name Apex prints for instances and type names, namespace-qualified when a package owns it.
    pub fn type_name(&self) -> String {
        if self.namespace.is_empty() {
            self.qualified.clone()
        } else {
            format!("{}.{}", self.namespace, self.qualified)
        }
    }

    /// The Salesforce typeref: `ns/Class`, `ns/Class$Inner`, `__sfdc_trigger/ns/Name`.
    pub fn typeref(&self) -> String {
        let local = self.qualified.replace('.', "$");
        let ns = if self.namespace.is_empty() || self.namespace == "System" {
            String::new()
        } else {
            format!("{}/", self.namespace)
        };
        match self.kind {
            ClassKind::Trigger => format!("__sfdc_trigger/{ns}{local}"),
            _ => format!("{ns}{local}"),
        }
    }
}

/// The body of a function.
#[derive(Debug)]
pub enum FnBody {
    Apex(Vec<Stmt>),
    Native(NativeFn),
    /// Abstract and interface methods.
    None,
}

/// What kind of function this is, for stack traces and stepping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FnKind {
    Method,
    Constructor,
    Getter,
    Setter,
    StaticInit,
    InstanceInit,
    Trigger,
    Anonymous,
}

/// A local variable, for the debugger and for `evaluate`.
#[derive(Debug, Clone)]
pub struct LocalInfo {
    pub name: String,
    pub ty: Ty,
    pub slot: u32,
    /// First and last line where the variable is in scope.
    pub from_line: u32,
    pub to_line: u32,
}

/// A method, constructor, accessor or initializer.
#[derive(Debug)]
pub struct Function {
    pub id: FnId,
    pub class: ClassId,
    /// The top-level class of the file that holds this function (breakpoints are per file).
    pub file_class: ClassId,
    pub name: String,
    pub kind: FnKind,
    pub params: Vec<Ty>,
    pub param_names: Vec<String>,
    pub ret: Ty,
    pub is_static: bool,
    pub is_virtual: bool,
    pub is_abstract: bool,
    pub access: Access,
    pub body: FnBody,
    /// Number of local slots (parameters first).
    pub n_locals: u32,
    pub locals: Vec<LocalInfo>,
    pub line: u32,
    pub annotations: Vec<String>,
    /// For virtual methods: the dispatch signature.
    pub sig: Option<SigId>,
}

/// A compiled set of classes.
#[derive(Debug, Default)]
pub struct Program {
    pub classes: Vec<Arc<Class>>,
    pub functions: Vec<Arc<Function>>,
    /// Lower-case fully qualified name (`acme.foo.inner`, `foo`) to class.
    pub class_index: HashMap<String, ClassId>,
    /// String constants referenced by `Expr::Str`.
    pub strings: Vec<Arc<str>>,
    /// Virtual signatures, by `name(type,type)` key.
    pub sigs: Vec<String>,
    pub sig_index: HashMap<String, SigId>,
    /// Total number of static slots.
    pub n_statics: u32,
    /// Built-in exception classes by simple lower-case name (`nullpointerexception`).
    pub system_exceptions: HashMap<String, ClassId>,
    /// The org's sObject types.
    pub schema: Arc<super::schema::Schema>,
}

impl Program {
    /// The class with this id.
    pub fn class(&self, id: ClassId) -> &Class {
        &self.classes[id as usize]
    }

    /// The function with this id.
    pub fn func(&self, id: FnId) -> &Function {
        &self.functions[id as usize]
    }

    /// Looks up a class by name, case-insensitively (`Foo`, `Outer.Inner`, `acme.Foo`).
    pub fn find_class(&self, name: &str) -> Option<ClassId> {
        self.class_index.get(&name.to_ascii_lowercase()).copied()
    }

    /// The id of a system exception class by simple name (`NullPointerException`).
    pub fn exception_class(&self, simple: &str) -> ClassId {
        self.system_exceptions[&simple.to_ascii_lowercase()]
    }

    /// Whether `sub` is `sup` or inherits from it (classes and interfaces).
    pub fn is_subclass(&self, sub: ClassId, sup: ClassId) -> bool {
        if sub == sup {
            return true;
        }
        let c = self.class(sub);
        if let Some(s) = c.superclass
            && self.is_subclass(s, sup)
        {
            return true;
        }
        c.interfaces.iter().any(|&i| self.is_subclass(i, sup))
    }

    /// Prints a type with this program's class names.
    pub fn ty_name(&self, ty: &Ty) -> String {
        let cn = |c: ClassId| self.class(c).type_name();
        let sn = |s: u32| self.schema.get(s).name.clone();
        TyDisplay {
            ty,
            class_name: &cn,
            sobject_name: &sn,
        }
        .to_string()
    }

    /// The top-level class that holds `id` (itself when it is top-level).
    pub fn top_level(&self, mut id: ClassId) -> ClassId {
        while let Some(o) = self.class(id).outer {
            id = o;
        }
        id
    }

    /// Finds a class by its typeref (`ns/Class`, `ns/Class$Inner`, `__sfdc_trigger/ns/T`), case-insensitively.
    pub fn find_typeref(&self, typeref: &str) -> Option<ClassId> {
        self.classes
            .iter()
            .find(|c| c.typeref().eq_ignore_ascii_case(typeref))
            .map(|c| c.id)
    }
}
