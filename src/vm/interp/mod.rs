//! The interpreter: one per request, on the request's own thread.
//!
//! Locals of every frame live on one value stack (`stack[base + slot]`), so a call
//! allocates nothing beyond the stack's growth. Statements go through [`Interp::tick`],
//! the one place that counts CPU, tracks the current line and asks the debugger hook.

mod call;
pub mod eval;
mod exec;
pub mod format;
pub mod logging;
pub mod ops;
mod sobject_ops;

use std::rc::Rc;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;

use super::debug::RequestDebugger;
use super::program::{Function, Program};
use super::types::{ClassId, FnId};
use super::value::{ExcData, Obj, Value};

/// An exception in flight.
#[derive(Debug, Clone)]
pub struct Throw(pub Rc<Obj>);

/// Result of evaluating or executing something that may throw.
pub type R<T> = Result<T, Throw>;

/// How a statement completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Normal,
    Break,
    Continue,
    Return,
}

/// One active call.
#[derive(Debug, Clone)]
pub struct Frame<'p> {
    pub func: &'p Function,
    pub base: usize,
    pub this: Value,
    /// Line and column of the statement being executed (updated when this frame calls out).
    pub line: u32,
    pub col: u32,
}

/// A `System.debug` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebugLine {
    pub line: u32,
    pub level: String,
    pub message: String,
    /// The namespace of the code that wrote it (`""` for the subscriber's own).
    pub namespace: String,
}

/// Settings for one request.
#[derive(Debug, Clone)]
pub struct RequestEnv {
    pub user_name: String,
    pub user_id: String,
    pub org_id: String,
    pub org_name: String,
    /// CPU time allowed (10 s for a synchronous request).
    pub cpu_limit: Duration,
    /// Heap allowed in bytes (6 MB synchronous).
    pub heap_limit: usize,
    /// The time `System.now()` returns at the start of the request (GMT).
    pub start_time: NaiveDateTime,
    /// The org's records; a fresh empty org when None.
    pub store: Option<std::sync::Arc<super::platform::store::OrgStore>>,
    /// Namespaces whose protected custom settings the request may use.
    pub isv_access: Vec<String>,
    pub profile_id: String,
    /// Debug log levels; no log is written when None.
    pub log_levels: Option<super::platform::log::LogLevels>,
    /// Anonymous source, for the log's `Execute Anonymous:` lines.
    pub log_source: Option<String>,
    /// Whether this request is an Apex test (`Test.isRunningTest()`).
    pub running_test: bool,
}

impl Default for RequestEnv {
    fn default() -> Self {
        RequestEnv {
            user_name: "user@example.com".into(),
            user_id: "005000000000001AAA".into(),
            org_id: "00D000000000001EAA".into(),
            org_name: "Example".into(),
            cpu_limit: Duration::from_secs(10),
            heap_limit: 6_000_000,
            start_time: chrono::Utc::now().naive_utc(),
            store: None,
            isv_access: Vec::new(),
            profile_id: "00e000000000001AAA".into(),
            log_levels: None,
            log_source: None,
            running_test: false,
        }
    }
}

/// Maximum call depth, as on the platform.
pub const MAX_DEPTH: usize = 1000;

/// Statements between CPU checks.
const TICK_BATCH: u32 = 1024;

/// The interpreter state for one request.
pub struct Interp<'p> {
    pub prog: &'p Program,
    pub env: RequestEnv,
    pub stack: Vec<Value>,
    pub frames: Vec<Frame<'p>>,
    /// Base of the current frame's locals.
    base: usize,
    pub statics: Vec<Value>,
    /// Per class: 0 = not initialised, 1 = running its static initializer, 2 = done.
    class_state: Vec<u8>,
    consts: Vec<Option<Value>>,
    /// The value of the last `return`.
    ret: Value,
    /// Line and column of the current statement.
    pub line: u32,
    pub col: u32,
    countdown: u32,
    cpu_start: Instant,
    /// Time spent paused in the debugger, not counted against the CPU limit.
    pub paused: Duration,
    /// Catch clauses currently on the stack, innermost last, to tell caught from uncaught.
    handlers: Vec<&'p [super::ir::Catch]>,
    pub output: Vec<DebugLine>,
    pub dbg: Option<Box<RequestDebugger>>,
    pub platform: super::platform::context::PlatformState,
    /// The debug log being written, when the request's log levels ask for one.
    pub log: Option<Box<super::platform::log::LogWriter>>,
    /// String constants of an expression being evaluated in the debugger.
    extra_strings: Vec<std::sync::Arc<str>>,
    /// While evaluating in a frame: the depth at which `this` is that frame's.
    pub(crate) eval_this: Option<(usize, Value)>,
}

impl<'p> Interp<'p> {
    /// A fresh interpreter for one request over `prog`.
    pub fn new(prog: &'p Program, env: RequestEnv) -> Interp<'p> {
        let store = env.store.clone().unwrap_or_else(|| {
            std::sync::Arc::new(super::platform::store::OrgStore::new(prog.schema.clone()))
        });
        let platform = super::platform::context::PlatformState::new(store, env.isv_access.clone());
        Interp {
            prog,
            env,
            stack: Vec::with_capacity(256),
            frames: Vec::with_capacity(64),
            base: 0,
            statics: vec![Value::Null; prog.n_statics as usize],
            class_state: vec![0; prog.classes.len()],
            consts: vec![None; prog.strings.len()],
            ret: Value::Null,
            line: 0,
            col: 0,
            countdown: TICK_BATCH,
            cpu_start: Instant::now(),
            paused: Duration::ZERO,
            handlers: Vec::new(),
            output: Vec::new(),
            dbg: None,
            platform,
            log: None,
            extra_strings: Vec::new(),
            eval_this: None,
        }
    }

    /// CPU time used so far, excluding time paused in the debugger.
    pub fn cpu_time(&self) -> Duration {
        self.cpu_start.elapsed().saturating_sub(self.paused)
    }

    /// A string constant, materialised once per request.
    #[inline]
    pub fn const_str(&mut self, id: u32) -> Value {
        let n = self.consts.len();
        if id as usize >= n {
            let s = self.extra_strings[id as usize - n].to_string();
            return Value::str(s);
        }
        if let Some(v) = &self.consts[id as usize] {
            return v.clone();
        }
        let v = Value::str(self.prog.strings[id as usize].to_string());
        self.consts[id as usize] = Some(v.clone());
        v
    }

    /// Bookkeeping before every statement: position, CPU limit, debugger.
    #[inline(always)]
    fn tick(&mut self, line: u32, col: u32) -> R<()> {
        self.line = line;
        self.col = col;
        self.countdown -= 1;
        if self.countdown == 0 {
            self.countdown = TICK_BATCH;
            self.check_cpu()?;
        }
        if let Some(d) = &self.dbg {
            let file = self.frames.last().map(|f| f.func.file_class).unwrap_or(0);
            if d.wants(file, line) {
                self.debug_statement()?;
            }
        }
        if self.log.is_some() {
            self.log_statement();
        }
        Ok(())
    }

    fn check_cpu(&mut self) -> R<()> {
        if self.cpu_time() > self.env.cpu_limit {
            return Err(self.throw_limit("Apex CPU time limit exceeded".into()));
        }
        Ok(())
    }

    fn debug_statement(&mut self) -> R<()> {
        let mut d = self.dbg.take().expect("debugger present");
        let r = d.on_statement(self);
        self.dbg = Some(d);
        r
    }

    /// Runs a class's static initializer the first time the class is used.
    #[inline]
    pub fn ensure_init(&mut self, class: ClassId) -> R<()> {
        if self.class_state[class as usize] != 0 {
            return Ok(());
        }
        self.init_class(class)
    }

    fn init_class(&mut self, class: ClassId) -> R<()> {
        self.class_state[class as usize] = 1;
        let c = self.prog.class(class);
        if let Some(s) = c.superclass {
            self.ensure_init(s)?;
        }
        if let Some(o) = c.outer {
            self.ensure_init(o)?;
        }
        if let Some(f) = c.static_init {
            self.call_function(f, Value::Null, Vec::new())?;
        }
        self.class_state[class as usize] = 2;
        Ok(())
    }

    /// Creates an exception object of a system exception class, with a message.
    pub fn new_exception(&mut self, class: ClassId, message: Value, cause: Value) -> Rc<Obj> {
        let n = self.prog.class(class).fields.len();
        Rc::new(Obj {
            class,
            fields: std::cell::RefCell::new(vec![Value::Null; n]),
            ext: std::cell::RefCell::new(Some(Box::new(ExcData {
                message,
                cause,
                ..Default::default()
            }))),
        })
    }

    /// Throws `System.<kind>` with a message, stopping for the debugger if it asks.
    pub fn throw_sys(&mut self, kind: &str, message: String) -> Throw {
        let class = self.prog.exception_class(kind);
        let obj = self.new_exception(class, Value::str(message), Value::Null);
        self.raise(obj)
    }

    /// A NullPointerException for dereferencing null.
    pub fn npe(&mut self) -> Throw {
        self.throw_sys(
            "NullPointerException",
            "Attempt to de-reference a null object".into(),
        )
    }

    /// Throws an uncatchable LimitException.
    pub fn throw_limit(&mut self, message: String) -> Throw {
        self.throw_sys("LimitException", message)
    }

    /// Throws the LimitException of a per-namespace limit; a package's own limits
    /// name the package (`acme:Too many SOQL queries: 101`).
    pub fn throw_ns_limit(&mut self, message: String) -> Throw {
        let message = match self.code_namespace() {
            "" => message,
            ns => format!("{ns}:{message}"),
        };
        self.throw_sys("LimitException", message)
    }

    /// Marks an exception as thrown here (stack, line) and tells the debugger.
    pub fn raise(&mut self, obj: Rc<Obj>) -> Throw {
        {
            let mut ext = obj.ext.borrow_mut();
            let data = ext.get_or_insert_with(Default::default);
            if !data.thrown {
                data.thrown = true;
                data.line = self.line;
                data.col = self.col;
                data.stack = self.stack_trace();
            }
        }
        if self.log.is_some() {
            let d = crate::vm::describe_throw(self, &Throw(obj.clone()));
            self.log_exception(&d.to_string());
        }
        if self.dbg.is_some() {
            let caught = self.is_caught(obj.class);
            let mut d = self.dbg.take().expect("debugger present");
            d.on_throw(self, &obj, caught);
            self.dbg = Some(d);
        }
        Throw(obj)
    }

    /// Whether some enclosing catch clause catches an exception of this class.
    pub fn is_caught(&self, class: ClassId) -> bool {
        if self.is_uncatchable(class) {
            return false;
        }
        self.handlers
            .iter()
            .any(|cs| cs.iter().any(|c| self.prog.is_subclass(class, c.class)))
    }

    /// LimitException cannot be caught.
    pub fn is_uncatchable(&self, class: ClassId) -> bool {
        self.prog.system_exceptions.get("limitexception") == Some(&class)
            || self.prog.system_exceptions.get("assertexception") == Some(&class)
    }

    /// The stack at this point, innermost first, as `(Class.Foo.bar, line, column)`.
    pub fn stack_trace(&self) -> Vec<super::value::StackFrame> {
        let mut out = Vec::with_capacity(self.frames.len());
        for (k, f) in self.frames.iter().enumerate().rev() {
            let (line, column) = if k + 1 == self.frames.len() {
                (self.line, self.col)
            } else {
                (f.line, f.col)
            };
            let ns = &self.prog.class(f.func.class).namespace;
            out.push(super::value::StackFrame {
                name: self.frame_name(f.func),
                line,
                column,
                namespace: if ns == "System" {
                    String::new()
                } else {
                    ns.clone()
                },
            });
        }
        out
    }

    /// How a function appears in stack traces: `Class.Outer.Inner.method`, `AnonymousBlock`.
    pub fn frame_name(&self, f: &Function) -> String {
        let c = self.prog.class(f.class);
        use super::program::{ClassKind, FnKind};
        match (c.kind, f.kind) {
            (ClassKind::Anonymous, FnKind::Anonymous) => "AnonymousBlock".into(),
            (ClassKind::Trigger, _) => format!("Trigger.{}", c.type_name()),
            _ => {
                let m = match f.kind {
                    FnKind::Constructor => "<init>".to_string(),
                    FnKind::StaticInit => "<clinit>".to_string(),
                    FnKind::InstanceInit => "<init>".to_string(),
                    FnKind::Getter => format!("{}.get", f.name),
                    FnKind::Setter => format!("{}.set", f.name),
                    _ => f.name.clone(),
                };
                if c.kind == ClassKind::Anonymous {
                    format!("AnonymousBlock.{m}")
                } else {
                    format!("Class.{}.{m}", c.type_name())
                }
            }
        }
    }

    /// Finds a method by name and arity on a class or its superclasses.
    pub fn find_method(&self, mut class: ClassId, name: &str, arity: usize) -> Option<FnId> {
        loop {
            let c = self.prog.class(class);
            if let Some(fs) = c.methods.get(name) {
                for &f in fs {
                    let func = self.prog.func(f);
                    if func.params.len() == arity && !func.is_static {
                        if let super::program::FnBody::None = func.body {
                            continue;
                        }
                        return Some(f);
                    }
                }
            }
            class = c.superclass?;
        }
    }

    /// Locals of the current frame.
    #[inline]
    pub fn local(&self, slot: u32) -> &Value {
        &self.stack[self.base + slot as usize]
    }

    /// Frame base of the current frame.
    pub fn current_base(&self) -> usize {
        self.base
    }

    /// An estimate of the heap in use: the bytes reachable from the stack and statics.
    pub fn heap_size(&self) -> usize {
        let mut seen = rustc_hash::FxHashSet::default();
        let mut total = 0;
        for v in self.stack.iter().chain(self.statics.iter()) {
            total += super::value::heap_bytes(v, &mut seen);
        }
        total
    }

    /// Evaluates an expression as if in frame `pos` (an index into `frames`), with
    /// a CPU budget, restoring the interpreter's position afterwards.
    pub fn eval_in_frame(
        &mut self,
        pos: usize,
        e: &super::ir::Expr,
        strings: Vec<std::sync::Arc<str>>,
        budget: Duration,
    ) -> R<Value> {
        let saved = (
            self.base,
            self.line,
            self.col,
            std::mem::take(&mut self.ret),
            self.stack.len(),
        );
        let saved_limit = self.env.cpu_limit;
        let saved_this = self.eval_this.take();
        let saved_strings = std::mem::replace(&mut self.extra_strings, strings);
        self.env.cpu_limit = self.cpu_time() + budget;
        self.base = self.frames[pos].base;
        self.eval_this = Some((self.frames.len(), self.frames[pos].this.clone()));
        let r = self.eval(e);
        self.eval_this = saved_this;
        self.extra_strings = saved_strings;
        self.env.cpu_limit = saved_limit;
        self.stack.truncate(saved.4);
        self.base = saved.0;
        self.line = saved.1;
        self.col = saved.2;
        self.ret = saved.3;
        r
    }

    /// The namespace of the code running now (`""` for the subscriber's own code).
    pub fn code_namespace(&self) -> &'p str {
        let prog = self.prog;
        self.frames
            .last()
            .map(|f| prog.class(f.func.class).namespace.as_str())
            .filter(|ns| *ns != "System")
            .unwrap_or("")
    }

    /// The limit counters of the namespace running now.
    pub fn ns_limits(&mut self) -> &mut super::platform::context::NamespaceLimits {
        let ns = self.code_namespace();
        self.platform.limits_mut(ns)
    }

    /// Pushes a `System.debug` line.
    pub fn debug_out(&mut self, level: &str, message: String) {
        let namespace = self.code_namespace().to_string();
        self.output.push(DebugLine {
            namespace,
            line: self.line,
            level: level.to_string(),
            message,
        });
        // A debugger hears each line as it is written, not at the next call:
        // a loop without calls would otherwise hold its output back.
        if let Some(mut d) = self.dbg.take() {
            d.report_output(self);
            self.dbg = Some(d);
        }
    }
}
