//! The classes every program starts with: System exceptions and the system
//! interfaces user classes implement (Comparable, Queueable, ...).

use std::collections::HashMap;
use std::sync::Arc;

use crate::vm::builtins::exception::standard_ctor;
use crate::vm::program::{Access, Class, ClassKind, FnBody, FnKind, Function, Program};
use crate::vm::schema::Schema;
use crate::vm::types::{ClassId, FnId, NativeClass, Ty};

/// System exception classes, all direct subclasses of `Exception`.
pub const SYSTEM_EXCEPTIONS: &[&str] = &[
    "NullPointerException",
    "ListException",
    "MathException",
    "TypeException",
    "StringException",
    "IllegalArgumentException",
    "NoSuchElementException",
    "LimitException",
    "AssertException",
    "QueryException",
    "DmlException",
    "SObjectException",
    "JSONException",
    "CalloutException",
    "FinalException",
    "InvalidParameterValueException",
    "NoAccessException",
    "SecurityException",
    "SerializationException",
    "UnexpectedException",
    "XmlException",
    "AsyncException",
    "EmailException",
    "NoDataFoundException",
    "SearchException",
    "VisualforceException",
    "HandledException",
    "AuraHandledException",
    "RequiredFeatureMissingException",
    "InvalidHeaderException",
    "ProcedureException",
];

/// A system interface: namespace, name, and methods as (name, params, return).
type IfaceSpec = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static [Ty], Ty)],
);

fn interfaces() -> Vec<IfaceSpec> {
    vec![
        (
            "System",
            "Comparable",
            &[("compareTo", &[Ty::Object], Ty::Integer)],
        ),
        (
            "System",
            "Comparator",
            &[("compare", &[Ty::Object, Ty::Object], Ty::Integer)],
        ),
        (
            "System",
            "Queueable",
            &[(
                "execute",
                &[Ty::Native(NativeClass::QueueableContext)],
                Ty::Void,
            )],
        ),
        (
            "System",
            "Schedulable",
            &[("execute", &[Ty::Any], Ty::Void)],
        ),
        ("System", "Iterable", &[("iterator", &[], Ty::Any)]),
        (
            "System",
            "Iterator",
            &[("hasNext", &[], Ty::Boolean), ("next", &[], Ty::Any)],
        ),
        (
            "System",
            "Callable",
            &[("call", &[Ty::String, Ty::Any], Ty::Object)],
        ),
        ("System", "Finalizer", &[("execute", &[Ty::Any], Ty::Void)]),
        (
            "Database",
            "Batchable",
            &[
                ("start", &[Ty::Any], Ty::Any),
                ("execute", &[Ty::Any, Ty::Any], Ty::Void),
                ("finish", &[Ty::Any], Ty::Void),
            ],
        ),
        ("Database", "Stateful", &[]),
        ("Database", "AllowsCallouts", &[]),
        ("Database", "RaisesPlatformEvents", &[]),
    ]
}

/// Adds a function to a program and returns its id.
#[allow(clippy::too_many_arguments)]
pub fn add_function(
    prog: &mut Program,
    class: ClassId,
    name: &str,
    kind: FnKind,
    params: Vec<Ty>,
    ret: Ty,
    is_static: bool,
    body: FnBody,
) -> FnId {
    let id = prog.functions.len() as FnId;
    let n = params.len() as u32;
    prog.functions.push(Arc::new(Function {
        id,
        class,
        file_class: class,
        name: name.to_string(),
        kind,
        param_names: (0..n).map(|k| format!("p{k}")).collect(),
        params,
        ret,
        is_static,
        is_virtual: false,
        is_abstract: matches!(body, FnBody::None),
        access: Access::Global,
        body,
        n_locals: n,
        locals: Vec::new(),
        line: 0,
        annotations: Vec::new(),
        sig: None,
    }));
    id
}

/// A new, empty class entry.
pub fn blank_class(
    id: ClassId,
    name: &str,
    namespace: &str,
    kind: ClassKind,
    file: Arc<str>,
) -> Class {
    Class {
        id,
        name: name.to_string(),
        qualified: name.to_string(),
        namespace: namespace.to_string(),
        outer: None,
        kind,
        access: Access::Global,
        is_abstract: false,
        is_virtual: true,
        superclass: None,
        interfaces: Vec::new(),
        fields: Vec::new(),
        statics: Vec::new(),
        methods: HashMap::new(),
        ctors: Vec::new(),
        static_init: None,
        instance_init: None,
        vtable: Default::default(),
        enum_constants: Vec::new(),
        file,
        valid_lines: Vec::new(),
        is_exception: false,
        annotations: Vec::new(),
        annotation_args: Vec::new(),
        line: 0,
        trigger: None,
    }
}

/// The four standard exception constructors, as native functions of `class`.
pub fn add_standard_ctors(prog: &mut Program, class: ClassId, exception: ClassId) -> Vec<FnId> {
    let shapes = [
        vec![],
        vec![Ty::String],
        vec![Ty::Class(exception)],
        vec![Ty::String, Ty::Class(exception)],
    ];
    shapes
        .into_iter()
        .map(|params| {
            add_function(
                prog,
                class,
                "<init>",
                FnKind::Constructor,
                params,
                Ty::Void,
                false,
                FnBody::Native(standard_ctor),
            )
        })
        .collect()
}

/// The program every compilation starts from.
pub fn system_program(schema: Arc<Schema>) -> Program {
    let mut prog = Program {
        schema,
        ..Program::default()
    };
    let file: Arc<str> = Arc::from("System");
    let add_class = |prog: &mut Program, ns: &str, name: &str, kind: ClassKind| -> ClassId {
        let id = prog.classes.len() as ClassId;
        let mut c = blank_class(id, name, ns, kind, file.clone());
        c.is_virtual = true;
        prog.classes.push(Arc::new(c));
        prog.class_index
            .insert(format!("{}.{}", ns, name).to_ascii_lowercase(), id);
        id
    };
    let exc = add_class(&mut prog, "System", "Exception", ClassKind::Class);
    let ctors = add_standard_ctors(&mut prog, exc, exc);
    {
        let c = Arc::get_mut(&mut prog.classes[exc as usize]).expect("new");
        c.is_exception = true;
        c.ctors = ctors;
    }
    prog.system_exceptions.insert("exception".into(), exc);
    for name in SYSTEM_EXCEPTIONS {
        let id = add_class(&mut prog, "System", name, ClassKind::Class);
        let ctors = add_standard_ctors(&mut prog, id, exc);
        let c = Arc::get_mut(&mut prog.classes[id as usize]).expect("new");
        c.is_exception = true;
        c.superclass = Some(exc);
        c.ctors = ctors;
        prog.system_exceptions.insert(name.to_ascii_lowercase(), id);
    }
    for (ns, name, methods) in interfaces() {
        let id = add_class(&mut prog, ns, name, ClassKind::Interface);
        let mut by_name: HashMap<String, Vec<FnId>> = HashMap::new();
        for (mname, params, ret) in methods {
            let f = add_function(
                &mut prog,
                id,
                mname,
                FnKind::Method,
                params.to_vec(),
                ret.clone(),
                false,
                FnBody::None,
            );
            by_name
                .entry(mname.to_ascii_lowercase())
                .or_default()
                .push(f);
        }
        let c = Arc::get_mut(&mut prog.classes[id as usize]).expect("new");
        c.methods = by_name;
        c.is_abstract = true;
    }
    prog
}
