//! Breakpoints and exception filters shared by every request of a debug session.

use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::vm::program::Program;

/// A line breakpoint, by typeref (`acme/TaxCalculator`) and line.
#[derive(Debug)]
pub struct LineBreakpoint {
    pub id: u64,
    pub typeref: String,
    pub line: u32,
    pub condition: Option<String>,
    pub hit_condition: Option<String>,
    pub log_message: Option<String>,
    hits: AtomicU64,
}

impl LineBreakpoint {
    /// A breakpoint that has not been hit yet.
    pub fn new(
        id: u64,
        typeref: impl Into<String>,
        line: u32,
        condition: Option<String>,
        hit_condition: Option<String>,
        log_message: Option<String>,
    ) -> LineBreakpoint {
        LineBreakpoint {
            id,
            typeref: typeref.into(),
            line,
            condition,
            hit_condition,
            log_message,
            hits: AtomicU64::new(0),
        }
    }

    /// Counts a hit and returns the new count.
    pub fn hit(&self) -> u64 {
        self.hits.fetch_add(1, Ordering::Relaxed) + 1
    }
}

impl Clone for LineBreakpoint {
    fn clone(&self) -> Self {
        LineBreakpoint {
            id: self.id,
            typeref: self.typeref.clone(),
            line: self.line,
            condition: self.condition.clone(),
            hit_condition: self.hit_condition.clone(),
            log_message: self.log_message.clone(),
            hits: AtomicU64::new(self.hits.load(Ordering::Relaxed)),
        }
    }
}

/// A breakpoint on entry to a method: `ns.Class.method`, `Class.Inner.method`.
#[derive(Debug, Clone)]
pub struct FunctionBreakpoint {
    pub id: u64,
    pub name: String,
}

/// Which exceptions stop a request.
#[derive(Debug, Clone, Default)]
pub struct ExceptionFilter {
    /// Stop on every throw.
    pub all: bool,
    /// Stop when nothing will catch the exception.
    pub uncaught: bool,
    /// Stop on these types (lower-case type names such as `system.nullpointerexception`).
    pub types: Vec<String>,
}

impl ExceptionFilter {
    /// Whether an exception whose class answers to `names` stops.
    pub fn matches(&self, names: &[String], caught: bool) -> bool {
        if self.all || (self.uncaught && !caught) {
            return true;
        }
        self.types.iter().any(|t| {
            names
                .iter()
                .any(|n| n == t || n.rsplit('.').next() == Some(t.as_str()))
        })
    }
}

/// Breakpoints, filters and the session's end flag.
#[derive(Debug, Default)]
pub struct DebugControl {
    generation: AtomicU64,
    lines: RwLock<Vec<std::sync::Arc<LineBreakpoint>>>,
    functions: RwLock<Vec<FunctionBreakpoint>>,
    exceptions: RwLock<ExceptionFilter>,
    ended: AtomicBool,
    stop_snapshots: AtomicBool,
}

impl DebugControl {
    /// An empty control.
    pub fn new() -> DebugControl {
        DebugControl::default()
    }

    /// Bumped whenever breakpoints change, so requests rebuild their line sets.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Replaces the line breakpoints of one file (typeref), keeping the others.
    pub fn set_line_breakpoints(&self, typeref: &str, bps: Vec<LineBreakpoint>) {
        let mut lines = self.lines.write().expect("breakpoint lock");
        lines.retain(|b| !b.typeref.eq_ignore_ascii_case(typeref));
        lines.extend(bps.into_iter().map(std::sync::Arc::new));
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Replaces the function breakpoints.
    pub fn set_function_breakpoints(&self, bps: Vec<FunctionBreakpoint>) {
        *self.functions.write().expect("breakpoint lock") = bps;
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Replaces the exception filter.
    pub fn set_exception_filter(&self, f: ExceptionFilter) {
        *self.exceptions.write().expect("filter lock") = f;
    }

    /// The current exception filter.
    pub fn exception_filter(&self) -> ExceptionFilter {
        self.exceptions.read().expect("filter lock").clone()
    }

    /// The line breakpoints on a line of a file.
    pub fn breakpoints_at(&self, typeref: &str, line: u32) -> Vec<std::sync::Arc<LineBreakpoint>> {
        self.lines
            .read()
            .expect("breakpoint lock")
            .iter()
            .filter(|b| b.line == line && b.typeref.eq_ignore_ascii_case(typeref))
            .cloned()
            .collect()
    }

    /// Ends the session: requests stop checking and never stop again.
    pub fn end(&self) {
        self.ended.store(true, Ordering::Release);
    }

    /// Whether the session has ended.
    pub fn is_ended(&self) -> bool {
        self.ended.load(Ordering::Acquire)
    }

    /// Whether every stop carries a [`super::Snapshot`] of what a debugger
    /// reads first (frames, the top frame's scopes and locals).
    pub fn stop_snapshots(&self) -> bool {
        self.stop_snapshots.load(Ordering::Acquire)
    }

    /// Asks for (or stops) a [`super::Snapshot`] with every stop.
    pub fn set_stop_snapshots(&self, on: bool) {
        self.stop_snapshots.store(on, Ordering::Release);
    }

    /// Resolves breakpoints against a program: per file class, a bitset of lines; and
    /// the function ids with function breakpoints.
    pub fn resolve(&self, prog: &Program) -> (Vec<Vec<u64>>, Vec<u32>) {
        let mut bits: Vec<Vec<u64>> = vec![Vec::new(); prog.classes.len()];
        for b in self.lines.read().expect("breakpoint lock").iter() {
            if let Some(c) = prog.find_typeref(&b.typeref) {
                let words = &mut bits[c as usize];
                let w = (b.line / 64) as usize;
                if words.len() <= w {
                    words.resize(w + 1, 0);
                }
                words[w] |= 1 << (b.line % 64);
            }
        }
        let mut fns = Vec::new();
        for fb in self.functions.read().expect("breakpoint lock").iter() {
            fns.extend(find_functions(prog, &fb.name));
        }
        (bits, fns)
    }
}

/// Functions named `ns.Class.method` / `Class.method` (case-insensitive).
pub fn find_functions(prog: &Program, name: &str) -> Vec<u32> {
    let Some((class, method)) = name.rsplit_once('.') else {
        return Vec::new();
    };
    let Some(c) = prog.find_class(class) else {
        return Vec::new();
    };
    prog.class(c)
        .methods
        .get(&method.to_ascii_lowercase())
        .cloned()
        .unwrap_or_default()
}

/// Whether a hit condition (`>= N`, `== N`, `% N`, `> N`, or a bare `N`) holds for a hit count.
pub fn hit_condition_met(cond: &str, hits: u64) -> bool {
    let c = cond.trim();
    let num = |s: &str| s.trim().parse::<u64>().ok();
    if let Some(n) = c.strip_prefix(">=").and_then(num) {
        hits >= n
    } else if let Some(n) = c.strip_prefix("==").and_then(num) {
        hits == n
    } else if let Some(n) = c.strip_prefix('%').and_then(num) {
        n != 0 && hits.is_multiple_of(n)
    } else if let Some(n) = c.strip_prefix('>').and_then(num) {
        hits > n
    } else if let Some(n) = c.strip_prefix("<=").and_then(num) {
        hits <= n
    } else if let Some(n) = c.strip_prefix('<').and_then(num) {
        hits < n
    } else if let Some(n) = num(c) {
        hits >= n
    } else {
        true
    }
}

/// Whether a hit condition is well formed, for verification messages.
pub fn valid_hit_condition(cond: &str) -> bool {
    let c = cond.trim();
    let rest = [">=", "==", "<=", "%", ">", "<"]
        .iter()
        .find_map(|p| c.strip_prefix(p))
        .unwrap_or(c);
    rest.trim().parse::<u64>().is_ok()
}
