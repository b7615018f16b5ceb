//! The compiler: tree-sitter syntax tree to the resolved IR, with the checks
//! Salesforce makes when code is saved.
//!
//! Phases: declare every class (names), resolve headers (supertypes, fields,
//! method signatures, layouts, vtables), then compile bodies. Errors are collected,
//! never panicked on, and reported as `File.cls:LINE:COL: message`.

mod body;
mod call;
mod declare;
mod expr;
mod platform;
mod prelude;
pub mod syntax;
mod types;
mod visibility;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

use tree_sitter::Node;

use syntax::Parsed;
pub use syntax::{SourceFile, SourceKind};

use super::program::Program;
use super::schema::Schema;
use super::types::{ClassId, FnId};

/// A compile error at a position in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    pub file: String,
    pub line: u32,
    pub col: u32,
    pub message: String,
}

impl CompileError {
    /// An error in `file` at `line:col`.
    pub fn new(file: &str, line: u32, col: u32, message: impl Into<String>) -> CompileError {
        CompileError {
            file: file.to_string(),
            line,
            col,
            message: message.into(),
        }
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.col, self.message
        )
    }
}

/// A class declared in this compilation, with the node that declares it.
struct Pending<'t> {
    class: ClassId,
    node: Node<'t>,
    src: usize,
}

/// Compiler state for one compilation.
struct Compiler<'t> {
    prog: Program,
    schema: Arc<Schema>,
    sources: &'t [Parsed],
    errors: Vec<CompileError>,
    pending: Vec<Pending<'t>>,
    string_index: HashMap<String, u32>,
    /// Function bodies still to compile.
    jobs: Vec<body::Job<'t>>,
    /// For anonymous sources: the function holding the top-level statements.
    anonymous_entry: Option<FnId>,
    /// Lines that start a statement, per top-level class (file).
    lines: HashMap<ClassId, Vec<u32>>,
    /// Packages whose protected settings this code may name (login access).
    isv_access: Vec<String>,
    /// `@TestVisible` fields and statics of this compilation: (declaring class, lower-case name).
    test_visible_fields: HashSet<(ClassId, String)>,
}

/// The result of compiling: the program and, for anonymous code, its entry function.
pub struct Compiled {
    pub program: Program,
    pub entry: Option<FnId>,
}

/// Compiles source files on top of an optional base program (already compiled classes).
pub fn compile(
    files: &[SourceFile],
    base: Option<&Program>,
    schema: Arc<Schema>,
) -> Result<Compiled, Vec<CompileError>> {
    compile_with(files, base, schema, &[])
}

/// Compiles with login access to the protected settings of the `isv_access` packages.
pub fn compile_with(
    files: &[SourceFile],
    base: Option<&Program>,
    schema: Arc<Schema>,
    isv_access: &[String],
) -> Result<Compiled, Vec<CompileError>> {
    let parsed: Vec<Parsed> = files.iter().map(syntax::parse).collect();
    let mut syntax_errors = Vec::new();
    let mut clean = Vec::new();
    for p in parsed {
        let errors = syntax::syntax_errors(&p);
        if errors.is_empty() {
            clean.push(p);
        } else {
            syntax_errors.extend(errors);
        }
    }
    if syntax_errors.is_empty() {
        return compile_parsed(&clean, base, schema, isv_access);
    }
    // A file that does not parse is left out, and the others are still compiled, so
    // one typo does not hide every other file's errors (as a deploy reports them all).
    let mut errors = syntax_errors;
    if !clean.is_empty()
        && let Err(more) = compile_parsed(&clean, base, schema, isv_access)
    {
        errors.extend(more);
    }
    sort_errors(&mut errors);
    Err(errors)
}

fn sort_errors(errors: &mut Vec<CompileError>) {
    errors.sort_by(|a, b| (&a.file, a.line, a.col).cmp(&(&b.file, b.line, b.col)));
    errors.dedup();
}

/// Compiles parsed files that have no syntax errors.
fn compile_parsed(
    parsed: &[Parsed],
    base: Option<&Program>,
    schema: Arc<Schema>,
    isv_access: &[String],
) -> Result<Compiled, Vec<CompileError>> {
    let prog = match base {
        Some(b) => b.clone_shallow(),
        None => prelude::system_program(schema.clone()),
    };
    let string_index = prog
        .strings
        .iter()
        .enumerate()
        .map(|(k, s)| (s.to_string(), k as u32))
        .collect();
    let mut c = Compiler {
        prog,
        schema,
        sources: parsed,
        errors: Vec::new(),
        pending: Vec::new(),
        string_index,
        jobs: Vec::new(),
        anonymous_entry: None,
        lines: HashMap::new(),
        isv_access: isv_access.to_vec(),
        test_visible_fields: HashSet::new(),
    };
    c.run();
    if !c.errors.is_empty() {
        let mut errors = c.errors;
        sort_errors(&mut errors);
        return Err(errors);
    }
    Ok(Compiled {
        program: c.prog,
        entry: c.anonymous_entry,
    })
}

impl<'t> Compiler<'t> {
    fn run(&mut self) {
        for (k, src) in self.sources.iter().enumerate() {
            self.declare_source(k, src);
        }
        self.resolve_supertypes();
        self.declare_members();
        self.build_vtables();
        self.check_classes();
        let jobs = std::mem::take(&mut self.jobs);
        for job in jobs {
            self.compile_job(job);
        }
        self.finish_lines();
    }

    /// Records an error at a node.
    fn error(&mut self, src: usize, n: Node, message: impl Into<String>) {
        let (line, col) = syntax::pos(n);
        let file = self.sources[src].file.to_string();
        self.errors
            .push(CompileError::new(&file, line, col, message));
    }

    /// Interns a string constant.
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&k) = self.string_index.get(s) {
            return k;
        }
        let k = self.prog.strings.len() as u32;
        self.prog.strings.push(Arc::from(s));
        self.string_index.insert(s.to_string(), k);
        k
    }

    /// The text of a node in its source.
    fn text(&self, src: usize, n: Node) -> &'t str {
        syntax::text(n, &self.sources[src].text)
    }

    /// Mutable access to a class created by this compilation.
    fn class_mut(&mut self, id: ClassId) -> &mut super::program::Class {
        Arc::get_mut(&mut self.prog.classes[id as usize]).expect("class built by this compilation")
    }

    /// Mutable access to a function created by this compilation.
    fn func_mut(&mut self, id: FnId) -> &mut super::program::Function {
        Arc::get_mut(&mut self.prog.functions[id as usize])
            .expect("function built by this compilation")
    }
}

/// Where an expression is evaluated: the frame's class and its visible locals.
pub struct EvalScope {
    pub class: ClassId,
    pub is_static: bool,
    pub namespace: String,
    pub locals: Vec<(String, u32, super::types::Ty)>,
}

/// Compiles an expression (or assignment) typed in a debugger, in a frame's scope.
/// Gives the IR and the string constants it added beyond the base program's.
pub fn compile_expression(
    base: &Program,
    scope: &EvalScope,
    text: &str,
) -> Result<(super::ir::Expr, Vec<Arc<str>>), Vec<CompileError>> {
    let trimmed = text.trim().trim_end_matches(';');
    let file = SourceFile {
        name: "Evaluate".into(),
        text: format!("{trimmed};"),
        namespace: scope.namespace.clone(),
        kind: SourceKind::Anonymous,
    };
    let parsed = vec![syntax::parse(&file)];
    let errors = syntax::syntax_errors(&parsed[0]);
    if !errors.is_empty() {
        // Said about the text as typed, where the error is in it: a bare
        // "Missing 'identifier'" names neither.
        return Err(errors
            .into_iter()
            .map(|e| {
                let at = if e.line == 1 {
                    format!(" at column {}", e.col)
                } else {
                    format!(" at line {}, column {}", e.line, e.col)
                };
                CompileError {
                    message: format!(
                        "`{trimmed}` is not a complete Apex expression: {}{at}",
                        e.message
                    ),
                    ..e
                }
            })
            .collect());
    }
    let root = parsed[0].tree.root_node();
    let stmts = syntax::children(root);
    let expr_node = match stmts.as_slice() {
        [s] if s.kind() == "expression_statement" => syntax::children(*s).into_iter().next(),
        _ => None,
    };
    let Some(expr_node) = expr_node else {
        return Err(vec![CompileError::new(
            "Evaluate",
            1,
            1,
            "Enter one Apex expression, such as invoice.Total__c or rates.get(key)",
        )]);
    };
    let prog = base.clone_shallow();
    let base_strings = prog.strings.len();
    let string_index = prog
        .strings
        .iter()
        .enumerate()
        .map(|(k, s)| (s.to_string(), k as u32))
        .collect();
    let mut c = Compiler {
        schema: prog.schema.clone(),
        prog,
        sources: &parsed,
        errors: Vec::new(),
        pending: Vec::new(),
        string_index,
        jobs: Vec::new(),
        anonymous_entry: None,
        lines: HashMap::new(),
        isv_access: Vec::new(),
        test_visible_fields: HashSet::new(),
    };
    let mut cx = body::FnCtx::for_eval(scope, file_class_of(base, scope.class));
    let (e, _) = c.expr(&mut cx, expr_node);
    if !c.errors.is_empty() {
        return Err(c.errors);
    }
    let extra = c.prog.strings[base_strings..].to_vec();
    Ok((e, extra))
}

fn file_class_of(prog: &Program, class: ClassId) -> ClassId {
    prog.top_level(class)
}

impl Program {
    /// A copy that shares every class and function with `self`, ready to be extended.
    pub fn clone_shallow(&self) -> Program {
        Program {
            classes: self.classes.clone(),
            functions: self.functions.clone(),
            class_index: self.class_index.clone(),
            strings: self.strings.clone(),
            sigs: self.sigs.clone(),
            sig_index: self.sig_index.clone(),
            n_statics: self.n_statics,
            system_exceptions: self.system_exceptions.clone(),
            schema: self.schema.clone(),
        }
    }
}
