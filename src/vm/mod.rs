//! The Apex language runtime: parse, compile, run, and stop anywhere.
//!
//! The VM knows nothing of DAP, WebSockets or orgs: the sandbox drives it through
//! [`run`] and the debugger hook in [`debug`].

pub mod apex_tests;
pub mod builtins;
pub mod compile;
pub mod debug;
pub mod interp;
pub mod ir;
pub mod platform;
pub mod program;
pub mod request;
pub mod schema;
pub mod sobject;
pub mod types;
pub mod value;

use std::sync::Arc;

pub use compile::{CompileError, SourceFile};
use interp::{DebugLine, Interp, RequestEnv};
use program::Program;
pub use request::{Entry, RestReply};

/// Stack size of a request thread: enough for the platform's 1,000 frames.
pub const REQUEST_STACK: usize = 256 << 20;

/// How a request ended.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    pub output: Vec<DebugLine>,
    /// The uncaught exception, as `(type name, message, stack trace)`.
    pub exception: Option<UncaughtException>,
    /// Queueable and future work the request queued, to run after it.
    pub async_jobs: Vec<platform::context::AsyncJob>,
    /// The debug log, when log levels were given.
    pub log: Option<platform::log::DebugLog>,
    /// For REST calls: the HTTP reply.
    pub rest: Option<request::RestReply>,
}

/// `FATAL_ERROR` with the stack, package frames marked for the subscriber view.
fn log_fatal(i: &mut Interp<'_>, t: &interp::Throw, d: &UncaughtException) {
    if i.log.is_none() {
        return;
    }
    let stack =
        t.0.ext
            .borrow()
            .as_ref()
            .map(|e| e.stack.clone())
            .unwrap_or_default();
    let frames: Vec<(String, bool)> = stack
        .iter()
        .map(|f| {
            (
                format!("{}: line {}, column {}", f.name, f.line, f.column),
                !f.namespace.is_empty(),
            )
        })
        .collect();
    if let Some(l) = i.log.as_mut() {
        l.fatal_error(&d.to_string(), &frames);
    }
}

/// An exception that ended a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UncaughtException {
    pub type_name: String,
    pub message: String,
    pub stack: String,
}

impl std::fmt::Display for UncaughtException {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.type_name, self.message)
    }
}

/// Compiles classes into a program.
pub fn compile_classes(
    files: &[SourceFile],
    schema: Arc<schema::Schema>,
) -> Result<Program, Vec<CompileError>> {
    compile::compile(files, None, schema).map(|c| c.program)
}

/// Compiles anonymous Apex against a program; gives the extended program and its entry.
pub fn compile_anonymous(
    base: &Program,
    text: &str,
) -> Result<(Program, types::FnId), Vec<CompileError>> {
    compile_anonymous_with(base, text, &[])
}

/// Compiles anonymous Apex with login access to the protected settings of `isv_access`.
pub fn compile_anonymous_with(
    base: &Program,
    text: &str,
    isv_access: &[String],
) -> Result<(Program, types::FnId), Vec<CompileError>> {
    let file = SourceFile {
        name: "AnonymousBlock".into(),
        text: text.to_string(),
        namespace: String::new(),
        kind: compile::SourceKind::Anonymous,
    };
    let c = compile::compile_with(&[file], Some(base), base.schema.clone(), isv_access)?;
    let entry = c.entry.expect("anonymous code has an entry");
    Ok((c.program, entry))
}

/// Runs a function (normally an anonymous block's entry) to completion on this thread.
pub fn run_entry(prog: &Program, entry: types::FnId, env: RequestEnv) -> RunOutcome {
    run_entry_with(prog, entry, env, None)
}

/// Runs anonymous Apex with a debugger attached (or not).
pub fn run_entry_with(
    prog: &Program,
    entry: types::FnId,
    env: RequestEnv,
    debugger: Option<debug::DebuggerSetup>,
) -> RunOutcome {
    run_request(prog, &Entry::Anonymous(entry), env, debugger)
}

/// Runs a request to completion on this thread: its code, then commit, or on an
/// uncaught exception, rollback of all its DML and async work.
pub fn run_request(
    prog: &Program,
    entry: &Entry,
    env: RequestEnv,
    debugger: Option<debug::DebuggerSetup>,
) -> RunOutcome {
    let log = env.log_levels.map(|levels| {
        Box::new(platform::log::LogWriter::new(
            levels,
            env.start_time,
            env.log_source.as_deref(),
        ))
    });
    let (user_id, user_name) = (env.user_id.clone(), env.user_name.clone());
    let mut i = Interp::new(prog, env);
    i.dbg = debugger.map(|d| Box::new(debug::RequestDebugger::new(d)));
    i.log = log;
    if let Some(l) = i.log.as_mut() {
        l.execution_started(&user_id, &user_name);
    }
    let (r, rest) = match entry {
        Entry::Rest { method, path, body } => {
            let (r, reply) = request::run_rest(&mut i, method, path, body.as_deref());
            (r, Some(reply))
        }
        other => (request::run(&mut i, other), None),
    };
    let exception = match r {
        Ok(()) => {
            i.platform.tx.commit();
            None
        }
        Err(t) => {
            // An uncaught exception undoes all of the request's DML, and its async work.
            i.platform.tx.rollback();
            i.platform.async_jobs.clear();
            let d = describe_throw(&mut i, &t);
            log_fatal(&mut i, &t, &d);
            Some(d)
        }
    };
    i.log_code_unit_end();
    if let Some(l) = i.log.as_mut() {
        l.execution_finished();
    }
    RunOutcome {
        output: std::mem::take(&mut i.output),
        exception,
        async_jobs: std::mem::take(&mut i.platform.async_jobs),
        log: i.log.as_ref().map(|l| l.finish()),
        rest,
    }
}

/// Type, message and stack of a thrown exception.
pub fn describe_throw(i: &mut Interp<'_>, t: &interp::Throw) -> UncaughtException {
    let class = i.prog.class(t.0.class);
    let type_name = class.type_name();
    let (msg, stack) = {
        let ext = t.0.ext.borrow();
        let d = ext.as_ref();
        (
            d.map(|d| d.message.clone()).unwrap_or_default(),
            d.map(|d| builtins::exception::format_stack(&d.stack))
                .unwrap_or_default(),
        )
    };
    let message = if msg.is_null() {
        "Script-thrown exception".to_string()
    } else {
        i.to_display(&msg).unwrap_or_default()
    };
    UncaughtException {
        type_name,
        message,
        stack,
    }
}
