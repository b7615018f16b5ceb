//! The debugger hook: breakpoints, stepping, pausing, exception stops, and the
//! inspection commands a stopped request serves on its own thread.
//!
//! A debug session shares one [`DebugControl`] (breakpoints and filters) among its
//! requests. Each debugged request owns a [`RequestDebugger`]. When it stops it
//! reports a [`VmEvent::Stopped`] to the [`EventSink`] and then blocks on its command
//! channel, answering [`DebugCommand`]s until told to resume. If the channel closes,
//! the request resumes and runs to completion without stopping again.

mod control;
mod evaluate;
pub mod inspect;
mod output;

use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;
use std::time::Instant;

pub use control::{
    DebugControl, ExceptionFilter, FunctionBreakpoint, LineBreakpoint, hit_condition_met,
    valid_hit_condition,
};
pub use inspect::{FrameInfo, Snapshot, VarInfo};

use super::interp::{Interp, R};
use super::value::{Obj, Value};

/// Why a request stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    Breakpoint,
    FunctionBreakpoint,
    Step,
    Exception,
    Pause,
    Entry,
}

impl StopReason {
    /// The DAP name of the reason.
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::Breakpoint => "breakpoint",
            StopReason::FunctionBreakpoint => "function breakpoint",
            StopReason::Step => "step",
            StopReason::Exception => "exception",
            StopReason::Pause => "pause",
            StopReason::Entry => "entry",
        }
    }
}

/// An exception a request stopped on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionStop {
    pub type_name: String,
    pub message: String,
    /// The Apex stack string (`Class.Foo.bar: line 3, column 1`, one per line).
    pub stack: String,
    pub caught: bool,
}

/// Where and why a request stopped.
#[derive(Debug, Clone)]
pub struct StopInfo {
    pub reason: StopReason,
    pub typeref: String,
    pub line: u32,
    /// Ids of the line breakpoints that caused the stop.
    pub breakpoints: Vec<u64>,
    pub exception: Option<ExceptionStop>,
    /// What a debugger reads first, taken at the stop when the control asks
    /// for it ([`DebugControl::stop_snapshots`]).
    pub snapshot: Option<Snapshot>,
}

/// Something a request tells its debugger.
#[derive(Debug, Clone)]
pub enum VmEvent {
    Stopped(StopInfo),
    Resumed,
    /// A logpoint's message, with where it fired.
    Logpoint {
        text: String,
        typeref: String,
        line: u32,
    },
    /// A `System.debug` line, with the class and line that wrote it, reported
    /// as it is written.
    Debug {
        typeref: String,
        line: u32,
        level: String,
        message: String,
    },
    /// An exception was thrown (each throw once, caught or not), with where.
    Exception {
        exception: ExceptionStop,
        typeref: String,
        line: u32,
    },
}

/// Receives events from debugged requests (any thread).
pub trait EventSink: Send + Sync {
    fn event(&self, request: u64, event: VmEvent);
}

/// How to resume a stopped request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResumeKind {
    Continue,
    StepIn,
    StepOver,
    StepOut,
}

/// A one-shot answer channel.
pub type Reply<T> = Box<dyn FnOnce(T) + Send>;

/// A command served by a stopped request.
pub enum DebugCommand {
    /// Frames, innermost first.
    Stack(Reply<Vec<FrameInfo>>),
    /// Frames, the top frame's scopes and its locals, in one visit: what a
    /// debugger's UI reads first after every stop.
    Snapshot(Reply<Snapshot>),
    /// The scopes of a frame: Locals, This (instance frames) and Statics.
    Scopes {
        frame: usize,
        reply: Reply<Vec<VarInfo>>,
    },
    /// Children of a reference, paged.
    Variables {
        reference: u64,
        offset: usize,
        count: Option<usize>,
        reply: Reply<Result<Vec<VarInfo>, String>>,
    },
    /// Evaluates an Apex expression in a frame.
    Evaluate {
        frame: usize,
        expression: String,
        reply: Reply<Result<VarInfo, String>>,
    },
    /// Sets a named child of a reference to the value of an Apex expression.
    SetVariable {
        reference: u64,
        name: String,
        value: String,
        reply: Reply<Result<VarInfo, String>>,
    },
    /// Completion candidates for a prefix in a frame: locals, fields, methods.
    Completions {
        frame: usize,
        text: String,
        reply: Reply<Vec<String>>,
    },
    Resume(ResumeKind),
}

impl std::fmt::Debug for DebugCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            DebugCommand::Stack(_) => "Stack",
            DebugCommand::Snapshot(_) => "Snapshot",
            DebugCommand::Scopes { .. } => "Scopes",
            DebugCommand::Variables { .. } => "Variables",
            DebugCommand::Evaluate { .. } => "Evaluate",
            DebugCommand::SetVariable { .. } => "SetVariable",
            DebugCommand::Completions { .. } => "Completions",
            DebugCommand::Resume(_) => "Resume",
        };
        f.write_str(name)
    }
}

/// What a reference number points at while stopped.
#[derive(Debug, Clone)]
pub(crate) enum RefTarget {
    Locals(usize),
    This(usize),
    Statics(u32),
    /// A value and the expression that evaluates to it.
    Value(Value, String),
}

#[derive(Debug, Clone, Copy)]
struct Step {
    kind: ResumeKind,
    depth: usize,
}

/// Per-request debugger state, owned by the request's interpreter.
pub struct RequestDebugger {
    pub request: u64,
    control: Arc<DebugControl>,
    pause: Arc<AtomicBool>,
    sink: Arc<dyn EventSink>,
    commands: Receiver<DebugCommand>,
    /// Breakpoint lines per file class, rebuilt when the control's generation moves.
    bits: Vec<Vec<u64>>,
    generation: u64,
    functions: Vec<u32>,
    step: Option<Step>,
    stop_on_entry: bool,
    /// Set on entering a function with a function breakpoint; stops at its first statement.
    function_pending: bool,
    /// References handed out during the current stop.
    pub(crate) refs: Vec<RefTarget>,
    detached: bool,
    /// How many of the request's `System.debug` lines were reported.
    reported: usize,
    /// The class (file) of the frame on top at the last hook: it wrote any
    /// debug lines that appeared since.
    writer: Option<u32>,
}

/// Everything a request needs to be debugged; built by the controller and moved to
/// the request's thread, where it becomes a [`RequestDebugger`].
pub struct DebuggerSetup {
    pub request: u64,
    pub control: Arc<DebugControl>,
    /// Set from another thread to stop the request at its next statement.
    pub pause: Arc<AtomicBool>,
    pub sink: Arc<dyn EventSink>,
    pub commands: Receiver<DebugCommand>,
    pub stop_on_entry: bool,
}

impl RequestDebugger {
    /// The debugger of one request, on the request's own thread.
    pub fn new(setup: DebuggerSetup) -> RequestDebugger {
        let DebuggerSetup {
            request,
            control,
            pause,
            sink,
            commands,
            stop_on_entry,
        } = setup;
        RequestDebugger {
            request,
            control,
            pause,
            sink,
            commands,
            bits: Vec::new(),
            generation: u64::MAX,
            functions: Vec::new(),
            step: None,
            stop_on_entry,
            function_pending: false,
            refs: Vec::new(),
            detached: false,
            reported: 0,
            writer: None,
        }
    }

    fn sync(&mut self, i: &Interp<'_>) {
        let g = self.control.generation();
        if g == self.generation {
            return;
        }
        self.generation = g;
        let (bits, functions) = self.control.resolve(i.prog);
        self.bits = bits;
        self.functions = functions;
    }

    /// The per-statement test: whether anything could make this statement stop. It
    /// reads a few words and no locks, so that an attached debugger costs little.
    #[inline(always)]
    pub fn wants(&self, file: u32, line: u32) -> bool {
        !self.detached
            && (self.step.is_some()
                || self.function_pending
                || self.stop_on_entry
                || self.pause.load(Ordering::Relaxed)
                || self.control.generation() != self.generation
                || self.control.is_ended()
                || self.has_line(file, line))
    }

    #[inline(always)]
    fn has_line(&self, file: u32, line: u32) -> bool {
        self.bits
            .get(file as usize)
            .and_then(|b| b.get((line / 64) as usize))
            .is_some_and(|w| w & (1 << (line % 64)) != 0)
    }

    /// Called before every statement while a debugger is attached.
    pub fn on_statement(&mut self, i: &mut Interp<'_>) -> R<()> {
        if self.detached {
            return Ok(());
        }
        if self.control.is_ended() {
            self.detached = true;
            return Ok(());
        }
        self.sync(i);
        let depth = i.frames.len();
        let reason = if self.stop_on_entry {
            self.stop_on_entry = false;
            Some(StopReason::Entry)
        } else if self.pause.load(Ordering::Relaxed) && self.pause.swap(false, Ordering::Relaxed) {
            Some(StopReason::Pause)
        } else if self.function_pending {
            self.function_pending = false;
            Some(StopReason::FunctionBreakpoint)
        } else {
            match self.step {
                Some(Step {
                    kind: ResumeKind::StepIn,
                    ..
                }) => Some(StopReason::Step),
                Some(Step {
                    kind: ResumeKind::StepOver,
                    depth: d,
                }) if depth <= d => Some(StopReason::Step),
                Some(Step {
                    kind: ResumeKind::StepOut,
                    depth: d,
                }) if depth < d => Some(StopReason::Step),
                _ => None,
            }
        };
        let file = i.frames.last().map(|f| f.func.file_class).unwrap_or(0);
        let mut hit = Vec::new();
        if self.has_line(file, i.line) {
            hit = self.check_breakpoints(i, file)?;
        }
        let reason = match (reason, hit.is_empty()) {
            (Some(r), _) => Some(r),
            (None, false) => Some(StopReason::Breakpoint),
            (None, true) => None,
        };
        if let Some(r) = reason {
            self.stop(i, r, hit, None);
        }
        Ok(())
    }

    /// Evaluates conditions, hit counts and logpoints of the breakpoints on this line;
    /// returns the ids of those that stop.
    fn check_breakpoints(&mut self, i: &mut Interp<'_>, file: u32) -> R<Vec<u64>> {
        let typeref = i.prog.class(file).typeref();
        let line = i.line;
        let top = 0;
        let mut stops = Vec::new();
        for bp in self.control.breakpoints_at(&typeref, line) {
            if let Some(cond) = &bp.condition {
                match self.evaluate_in(i, top, cond) {
                    Ok(Value::Bool(true)) => {}
                    Ok(_) => continue,
                    // A condition that fails to evaluate stops, so the user can see why.
                    Err(_) => {}
                }
            }
            let hits = bp.hit();
            if let Some(hc) = &bp.hit_condition
                && !control::hit_condition_met(hc, hits)
            {
                continue;
            }
            if let Some(msg) = &bp.log_message {
                let text = self.interpolate(i, top, msg);
                self.sink.event(
                    self.request,
                    VmEvent::Logpoint {
                        text,
                        typeref: typeref.clone(),
                        line,
                    },
                );
                continue;
            }
            stops.push(bp.id);
        }
        Ok(stops)
    }

    /// Called when an exception is thrown.
    /// Every throw is reported as [`VmEvent::Exception`]; it stops when the
    /// session's exception filter asks for it.
    pub fn on_throw(&mut self, i: &mut Interp<'_>, exc: &Rc<Obj>, caught: bool) {
        if self.detached || self.control.is_ended() {
            return;
        }
        self.report_output(i);
        let d = super::describe_throw(i, &super::interp::Throw(exc.clone()));
        let info = ExceptionStop {
            type_name: d.type_name,
            message: d.message,
            stack: d.stack,
            caught,
        };
        let file = i.frames.last().map(|f| f.func.file_class).unwrap_or(0);
        self.sink.event(
            self.request,
            VmEvent::Exception {
                exception: info.clone(),
                typeref: i.prog.class(file).typeref(),
                line: i.line,
            },
        );
        let names = exception_names(i, exc.class);
        if !self.control.exception_filter().matches(&names, caught) {
            return;
        }
        self.stop(i, StopReason::Exception, Vec::new(), Some(info));
    }

    /// Called after a frame is pushed.
    pub fn on_call(&mut self, i: &mut Interp<'_>) {
        if self.detached || self.control.is_ended() {
            return;
        }
        self.report_output(i);
        self.sync(i);
        let Some(f) = i.frames.last() else { return };
        if self.functions.contains(&f.func.id) {
            self.function_pending = true;
        }
    }

    /// Called after a frame is popped, with the caller's position restored: a step
    /// that leaves its frame stops in the caller, at the call.
    pub fn on_return(&mut self, i: &mut Interp<'_>) {
        if self.detached {
            return;
        }
        self.report_output(i);
        if i.frames.is_empty() {
            return;
        }
        if let Some(step) = self.step
            && i.frames.len() < step.depth
        {
            self.stop(i, StopReason::Step, Vec::new(), None);
        }
    }

    fn stop(
        &mut self,
        i: &mut Interp<'_>,
        reason: StopReason,
        breakpoints: Vec<u64>,
        exception: Option<ExceptionStop>,
    ) {
        let file = i.frames.last().map(|f| f.func.file_class).unwrap_or(0);
        let mut info = StopInfo {
            reason,
            typeref: i.prog.class(file).typeref(),
            line: i.line,
            breakpoints,
            exception,
            snapshot: None,
        };
        self.report_output(i);
        self.step = None;
        self.refs.clear();
        // Time at a stop is the debugger's, not the request's: so is the snapshot.
        let started = Instant::now();
        if self.control.stop_snapshots() {
            info.snapshot = Some(self.snapshot(i));
        }
        self.sink.event(self.request, VmEvent::Stopped(info));
        loop {
            let cmd = match self.commands.recv() {
                Ok(c) => c,
                Err(_) => {
                    // The debugger went away: finish the request without stopping again.
                    self.detached = true;
                    break;
                }
            };
            match cmd {
                DebugCommand::Resume(kind) => {
                    if kind != ResumeKind::Continue {
                        self.step = Some(Step {
                            kind,
                            depth: i.frames.len(),
                        });
                    }
                    break;
                }
                other => self.serve(i, other),
            }
        }
        self.refs.clear();
        i.paused += started.elapsed();
        self.sink.event(self.request, VmEvent::Resumed);
    }

    fn serve(&mut self, i: &mut Interp<'_>, cmd: DebugCommand) {
        match cmd {
            DebugCommand::Stack(reply) => reply(inspect::stack(i)),
            DebugCommand::Snapshot(reply) => reply(self.snapshot(i)),
            DebugCommand::Scopes { frame, reply } => reply(self.scopes(i, frame)),
            DebugCommand::Variables {
                reference,
                offset,
                count,
                reply,
            } => reply(self.variables(i, reference, offset, count)),
            DebugCommand::Evaluate {
                frame,
                expression,
                reply,
            } => {
                let r = self
                    .evaluate_in(i, frame, &expression)
                    .map(|v| self.describe(i, "result", &v, expression.clone()));
                reply(r)
            }
            DebugCommand::SetVariable {
                reference,
                name,
                value,
                reply,
            } => reply(self.set_variable(i, reference, &name, &value)),
            DebugCommand::Completions { frame, text, reply } => {
                reply(self.completions(i, frame, &text))
            }
            DebugCommand::Resume(_) => {}
        }
    }
}

/// The type names an exception answers to: its class and every superclass.
fn exception_names(i: &Interp<'_>, mut class: u32) -> Vec<String> {
    let mut out = Vec::new();
    loop {
        let c = i.prog.class(class);
        out.push(c.type_name().to_ascii_lowercase());
        match c.superclass {
            Some(s) => class = s,
            None => break,
        }
    }
    out
}
