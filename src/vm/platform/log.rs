//! Debug logs in Salesforce's format (see `docs/debug-logs.md`), written in two
//! views: full (the publisher through login access) and subscriber (the customer:
//! package internals replaced by `ENTERING_MANAGED_PKG|ns` markers).
//!
//! The interpreter reports events as they happen; each event carries the
//! namespace of the code that caused it, so the subscriber view is a filter over
//! the same entries.

use std::time::Instant;

use chrono::NaiveDateTime;

use super::context::NamespaceLimits;

/// Log levels, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    None,
    Error,
    Warn,
    Info,
    Debug,
    Fine,
    Finer,
    Finest,
}

impl Level {
    /// Parses `FINEST`, `debug`, ...
    pub fn parse(s: &str) -> Option<Level> {
        Some(match s.trim().to_ascii_uppercase().as_str() {
            "NONE" => Level::None,
            "ERROR" => Level::Error,
            "WARN" => Level::Warn,
            "INFO" => Level::Info,
            "DEBUG" => Level::Debug,
            "FINE" => Level::Fine,
            "FINER" => Level::Finer,
            "FINEST" => Level::Finest,
            _ => return None,
        })
    }

    /// The name as logs write it.
    pub fn name(self) -> &'static str {
        match self {
            Level::None => "NONE",
            Level::Error => "ERROR",
            Level::Warn => "WARN",
            Level::Info => "INFO",
            Level::Debug => "DEBUG",
            Level::Fine => "FINE",
            Level::Finer => "FINER",
            Level::Finest => "FINEST",
        }
    }
}

/// Log categories, in header order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    ApexCode,
    ApexProfiling,
    Callout,
    Db,
    Nba,
    System,
    Validation,
    Visualforce,
    Wave,
    Workflow,
}

impl Category {
    /// Every category, in header order.
    pub const ALL: [Category; 10] = [
        Category::ApexCode,
        Category::ApexProfiling,
        Category::Callout,
        Category::Db,
        Category::Nba,
        Category::System,
        Category::Validation,
        Category::Visualforce,
        Category::Wave,
        Category::Workflow,
    ];

    /// The name as logs write it.
    pub fn name(self) -> &'static str {
        match self {
            Category::ApexCode => "APEX_CODE",
            Category::ApexProfiling => "APEX_PROFILING",
            Category::Callout => "CALLOUT",
            Category::Db => "DB",
            Category::Nba => "NBA",
            Category::System => "SYSTEM",
            Category::Validation => "VALIDATION",
            Category::Visualforce => "VISUALFORCE",
            Category::Wave => "WAVE",
            Category::Workflow => "WORKFLOW",
        }
    }
}

/// The level of each category for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogLevels(pub [Level; 10]);

impl Default for LogLevels {
    /// The Developer Console's defaults.
    fn default() -> Self {
        use Level::*;
        LogLevels([
            Finest, Info, Info, Info, Info, Debug, Info, Info, Info, Info,
        ])
    }
}

impl LogLevels {
    /// Everything at FINEST.
    pub fn finest() -> LogLevels {
        LogLevels([Level::Finest; 10])
    }

    /// The level of a category.
    pub fn get(&self, c: Category) -> Level {
        self.0[c as usize]
    }

    /// Parses `APEX_CODE,FINEST;DB,INFO` over the defaults.
    pub fn parse(spec: &str) -> Result<LogLevels, String> {
        let mut l = LogLevels::default();
        for part in spec.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (c, v) = part.split_once(',').ok_or_else(|| {
                format!("bad log level `{part}`; write CATEGORY,LEVEL such as APEX_CODE,FINEST")
            })?;
            let cat = Category::ALL
                .iter()
                .find(|x| x.name().eq_ignore_ascii_case(c.trim()))
                .ok_or_else(|| format!("unknown log category `{c}`; use one of APEX_CODE, APEX_PROFILING, CALLOUT, DB, NBA, SYSTEM, VALIDATION, VISUALFORCE, WAVE, WORKFLOW"))?;
            let lvl = Level::parse(v)
                .ok_or_else(|| format!("unknown log level `{v}`; use NONE, ERROR, WARN, INFO, DEBUG, FINE, FINER or FINEST"))?;
            l.0[*cat as usize] = lvl;
        }
        Ok(l)
    }

    /// The header line: `61.0 APEX_CODE,FINEST;...` (categories at NONE left out).
    pub fn header(&self) -> String {
        let parts: Vec<String> = Category::ALL
            .iter()
            .filter(|c| self.get(**c) != Level::None)
            .map(|c| format!("{},{}", c.name(), self.get(*c).name()))
            .collect();
        format!("61.0 {}", parts.join(";"))
    }
}

/// A code unit: what starts a block of execution.
#[derive(Debug, Clone)]
pub enum CodeUnit {
    Anonymous,
    Trigger {
        /// The trigger's 15-character id (`01q...`).
        id: String,
        name: String,
        sobject: String,
        event: &'static str,
        typeref: String,
        namespace: String,
    },
    /// A class entry point (queueable, future, REST): `ns.Class.method(Types)`.
    Entry {
        id: String,
        signature: String,
        namespace: String,
    },
}

/// The callee of a method or constructor entry.
#[derive(Debug, Clone)]
pub struct Callee {
    /// The class's 15-character id (`01p...`), empty for classes of anonymous code.
    pub class_id: String,
    /// `ns.Class.method(Types)`, or for constructors `<init>(Types)`.
    pub signature: String,
    /// `ns.Class`, for constructors and static initialisers.
    pub class_name: String,
    pub namespace: String,
    pub constructor: bool,
}

/// Limit usage for the `CUMULATIVE_LIMIT_USAGE` block.
#[derive(Debug, Clone, Default)]
pub struct LimitSnapshot {
    /// `""` is the subscriber's own code, written `(default)`.
    pub namespaces: Vec<(String, NamespaceLimits)>,
    pub cpu_ms: u64,
    pub heap: usize,
}

/// A finished log, in both views.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DebugLog {
    pub full: String,
    pub subscriber: String,
    /// The packages (namespaces) whose code the log shows, sorted: the full
    /// view shows their internals.
    pub namespaces: Vec<String>,
}

impl DebugLog {
    /// The view for someone who sees inside the packages `sees_inside` says
    /// yes to: the full log when it shows no other package's code, else the
    /// subscriber view. Returns the text and whether it is the full view.
    pub fn view_for(&self, sees_inside: impl Fn(&str) -> bool) -> (&str, bool) {
        if self.namespaces.iter().all(|ns| sees_inside(ns)) {
            (&self.full, true)
        } else {
            (&self.subscriber, false)
        }
    }
}

/// One logged event: its time, the code's namespace, and its text after the time.
#[derive(Debug, Clone)]
struct Entry {
    nanos: u128,
    namespace: String,
    kind: Kind,
    text: String,
}

/// How the subscriber view treats an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Always kept.
    Keep,
    /// Removed when the code is a package's.
    Internal,
    /// Kept, with `[EXTERNAL]` instead of the line when the code is a package's.
    Exception,
    /// A package's code unit: removed.
    PackageUnit,
    /// A fatal error: package frames removed.
    Fatal,
}

/// Writes a request's debug log.
#[derive(Debug)]
pub struct LogWriter {
    levels: LogLevels,
    start: Instant,
    start_time: NaiveDateTime,
    header: Vec<String>,
    entries: Vec<Entry>,
    /// Code units open, innermost last, with their names for the finish lines.
    units: Vec<(String, bool)>,
}

impl LogWriter {
    /// A log for a request started now at `start_time` (GMT).
    pub fn new(levels: LogLevels, start_time: NaiveDateTime, anonymous: Option<&str>) -> LogWriter {
        let mut header = vec![levels.header()];
        if let Some(src) = anonymous {
            header.extend(src.lines().map(|l| format!("Execute Anonymous: {l}")));
        }
        LogWriter {
            levels,
            start: Instant::now(),
            start_time,
            header,
            entries: Vec::new(),
            units: Vec::new(),
        }
    }

    fn on(&self, c: Category, l: Level) -> bool {
        self.levels.get(c) >= l && self.levels.get(c) != Level::None
    }

    /// Whether statements are logged (APEX_CODE FINER).
    pub fn statements(&self) -> bool {
        self.on(Category::ApexCode, Level::Finer)
    }

    /// Whether method entries are logged (APEX_CODE FINE).
    pub fn methods(&self) -> bool {
        self.on(Category::ApexCode, Level::Fine)
    }

    /// Whether variables are logged (APEX_CODE FINEST).
    pub fn variables(&self) -> bool {
        self.on(Category::ApexCode, Level::Finest)
    }

    /// Whether system method calls are logged (SYSTEM FINE).
    pub fn system_methods(&self) -> bool {
        self.on(Category::System, Level::Fine)
    }

    fn push(&mut self, ns: &str, kind: Kind, text: String) {
        self.entries.push(Entry {
            nanos: self.start.elapsed().as_nanos(),
            namespace: ns.to_string(),
            kind,
            text,
        });
    }

    /// `USER_INFO` and `EXECUTION_STARTED`.
    pub fn execution_started(&mut self, user_id: &str, user_name: &str) {
        if !self.on(Category::ApexCode, Level::Error) {
            return;
        }
        let id15 = &user_id[..15.min(user_id.len())];
        self.push(
            "",
            Kind::Keep,
            format!("USER_INFO|[EXTERNAL]|{id15}|{user_name}|(GMT+00:00) Greenwich Mean Time (GMT)|GMT+00:00"),
        );
        self.push("", Kind::Keep, "EXECUTION_STARTED".into());
    }

    /// `CODE_UNIT_STARTED`.
    pub fn code_unit_started(&mut self, unit: &CodeUnit) {
        let (text, ns, name) = match unit {
            CodeUnit::Anonymous => (
                "CODE_UNIT_STARTED|[EXTERNAL]|execute_anonymous_apex".to_string(),
                String::new(),
                "execute_anonymous_apex".to_string(),
            ),
            CodeUnit::Trigger {
                id,
                name,
                sobject,
                event,
                typeref,
                namespace,
            } => {
                let what = format!("{name} on {sobject} trigger event {event}|{typeref}");
                (
                    format!("CODE_UNIT_STARTED|[EXTERNAL]|{id}|{what}"),
                    namespace.clone(),
                    what,
                )
            }
            CodeUnit::Entry {
                id,
                signature,
                namespace,
            } => (
                format!("CODE_UNIT_STARTED|[EXTERNAL]|{id}|{signature}"),
                namespace.clone(),
                signature.clone(),
            ),
        };
        let package = !ns.is_empty();
        self.units.push((name, package));
        if self.on(Category::ApexCode, Level::Error) {
            let kind = if package {
                Kind::PackageUnit
            } else {
                Kind::Keep
            };
            self.push(&ns, kind, text);
            if package && self.methods() {
                self.push("", Kind::Keep, format!("ENTERING_MANAGED_PKG|{ns}"));
            }
        }
    }

    /// The limits block, then `CODE_UNIT_FINISHED`.
    pub fn code_unit_finished(&mut self, limits: &LimitSnapshot) {
        let Some((name, package)) = self.units.pop() else {
            return;
        };
        if self.on(Category::ApexProfiling, Level::Info) {
            self.push("", Kind::Keep, "CUMULATIVE_LIMIT_USAGE".into());
            for (ns, l) in &limits.namespaces {
                let label = if ns.is_empty() {
                    "(default)".to_string()
                } else {
                    ns.clone()
                };
                let (cpu, heap) = if ns.is_empty() {
                    (limits.cpu_ms, limits.heap)
                } else {
                    (0, 0)
                };
                let rows = [
                    ("Number of SOQL queries", l.soql_queries as u64, 100),
                    ("Number of query rows", l.query_rows as u64, 50_000),
                    ("Number of SOSL queries", 0, 20),
                    ("Number of DML statements", l.dml_statements as u64, 150),
                    ("Number of Publish Immediate DML", 0, 150),
                    ("Number of DML rows", l.dml_rows as u64, 10_000),
                    ("Maximum CPU time", cpu, 10_000),
                    ("Maximum heap size", heap as u64, 6_000_000),
                    ("Number of callouts", 0, 100),
                    ("Number of Email Invocations", 0, 10),
                    ("Number of future calls", l.future_calls as u64, 50),
                    (
                        "Number of queueable jobs added to the queue",
                        l.queueable_jobs as u64,
                        50,
                    ),
                    ("Number of Mobile Apex push calls", 0, 10),
                ];
                let mut text = format!("LIMIT_USAGE_FOR_NS|{label}|");
                for (what, used, max) in rows {
                    text.push_str(&format!("\n  {what}: {used} out of {max}"));
                    if used * 2 >= max && used > 0 {
                        text.push_str(" ******* CLOSE TO LIMIT");
                    }
                }
                text.push('\n');
                self.push("", Kind::Keep, text);
            }
            self.push("", Kind::Keep, "CUMULATIVE_LIMIT_USAGE_END\n".into());
        }
        if self.on(Category::ApexCode, Level::Error) {
            let kind = if package {
                Kind::PackageUnit
            } else {
                Kind::Keep
            };
            self.push("", kind, format!("CODE_UNIT_FINISHED|{name}"));
        }
    }

    /// `METHOD_ENTRY` or `CONSTRUCTOR_ENTRY`, and `ENTERING_MANAGED_PKG` when the callee is a package's.
    pub fn method_entry(&mut self, line: u32, caller_ns: &str, callee: &Callee) {
        if !self.methods() {
            return;
        }
        let text = if callee.constructor {
            format!(
                "CONSTRUCTOR_ENTRY|[{line}]|{}|{}|{}",
                callee.class_id, callee.signature, callee.class_name
            )
        } else {
            format!(
                "METHOD_ENTRY|[{line}]|{}|{}",
                callee.class_id, callee.signature
            )
        };
        self.push(caller_ns, Kind::Internal, text);
        if !callee.namespace.is_empty() {
            self.push(
                "",
                Kind::Keep,
                format!("ENTERING_MANAGED_PKG|{}", callee.namespace),
            );
        }
    }

    /// `METHOD_EXIT` or `CONSTRUCTOR_EXIT`.
    pub fn method_exit(&mut self, line: u32, caller_ns: &str, callee: &Callee) {
        if !self.methods() {
            return;
        }
        let text = if callee.constructor {
            format!(
                "CONSTRUCTOR_EXIT|[{line}]|{}|{}|{}",
                callee.class_id, callee.signature, callee.class_name
            )
        } else {
            format!(
                "METHOD_EXIT|[{line}]|{}|{}",
                callee.class_id, callee.signature
            )
        };
        self.push(caller_ns, Kind::Internal, text);
    }

    /// `SYSTEM_METHOD_ENTRY` / `SYSTEM_METHOD_EXIT`.
    pub fn system_method(&mut self, line: u32, ns: &str, signature: &str, entry: bool) {
        if !self.system_methods() {
            return;
        }
        let what = if entry { "ENTRY" } else { "EXIT" };
        self.push(
            ns,
            Kind::Internal,
            format!("SYSTEM_METHOD_{what}|[{line}]|{signature}"),
        );
    }

    /// `STATEMENT_EXECUTE`.
    pub fn statement(&mut self, line: u32, ns: &str) {
        if self.statements() {
            self.push(ns, Kind::Internal, format!("STATEMENT_EXECUTE|[{line}]"));
        }
    }

    /// `HEAP_ALLOCATE`.
    pub fn heap_allocate(&mut self, line: u32, ns: &str, bytes: usize) {
        if self.statements() {
            self.push(
                ns,
                Kind::Internal,
                format!("HEAP_ALLOCATE|[{line}]|Bytes:{bytes}"),
            );
        }
    }

    /// `VARIABLE_SCOPE_BEGIN`.
    pub fn variable_scope(
        &mut self,
        line: u32,
        ns: &str,
        name: &str,
        ty: &str,
        reference: bool,
        is_static: bool,
    ) {
        if self.variables() {
            self.push(
                ns,
                Kind::Internal,
                format!("VARIABLE_SCOPE_BEGIN|[{line}]|{name}|{ty}|{reference}|{is_static}"),
            );
        }
    }

    /// `VARIABLE_ASSIGNMENT`; `address` for reference values.
    pub fn variable_assignment(
        &mut self,
        line: u32,
        ns: &str,
        name: &str,
        value: &str,
        address: Option<&str>,
    ) {
        if !self.variables() {
            return;
        }
        let text = match address {
            Some(a) => format!("VARIABLE_ASSIGNMENT|[{line}]|{name}|{value}|{a}"),
            None => format!("VARIABLE_ASSIGNMENT|[{line}]|{name}|{value}"),
        };
        self.push(ns, Kind::Internal, text);
    }

    /// `USER_DEBUG`, when the message's level is within APEX_CODE's.
    pub fn user_debug(&mut self, line: u32, ns: &str, level: &str, message: &str) {
        let lvl = Level::parse(level).unwrap_or(Level::Debug);
        if self.on(Category::ApexCode, lvl) {
            let msg = message.replace('|', "&#124;");
            self.push(
                ns,
                Kind::Internal,
                format!("USER_DEBUG|[{line}]|{level}|{msg}"),
            );
        }
    }

    /// `SOQL_EXECUTE_BEGIN`.
    pub fn soql_begin(&mut self, line: u32, ns: &str, aggregations: usize, query: &str) {
        if self.on(Category::Db, Level::Info) {
            self.push(
                ns,
                Kind::Keep,
                format!("SOQL_EXECUTE_BEGIN|[{line}]|Aggregations:{aggregations}|{query}"),
            );
        }
    }

    /// `SOQL_EXECUTE_END`.
    pub fn soql_end(&mut self, line: u32, ns: &str, rows: usize) {
        if self.on(Category::Db, Level::Info) {
            self.push(
                ns,
                Kind::Keep,
                format!("SOQL_EXECUTE_END|[{line}]|Rows:{rows}"),
            );
        }
    }

    /// `DML_BEGIN`.
    pub fn dml_begin(&mut self, line: u32, ns: &str, op: &str, ty: &str, rows: usize) {
        if self.on(Category::Db, Level::Info) {
            self.push(
                ns,
                Kind::Keep,
                format!("DML_BEGIN|[{line}]|Op:{op}|Type:{ty}|Rows:{rows}"),
            );
        }
    }

    /// `DML_END`.
    pub fn dml_end(&mut self, line: u32, ns: &str) {
        if self.on(Category::Db, Level::Info) {
            self.push(ns, Kind::Keep, format!("DML_END|[{line}]"));
        }
    }

    /// `EXCEPTION_THROWN`.
    pub fn exception_thrown(&mut self, line: u32, ns: &str, text: &str) {
        if self.on(Category::ApexCode, Level::Info) {
            self.push(
                ns,
                Kind::Exception,
                format!("EXCEPTION_THROWN|[{line}]|{text}"),
            );
        }
    }

    /// `FATAL_ERROR` with the stack; `frames` are (frame text, whether it is package code).
    pub fn fatal_error(&mut self, text: &str, frames: &[(String, bool)]) {
        if !self.on(Category::ApexCode, Level::Error) {
            return;
        }
        let mut t = format!("FATAL_ERROR|{text}\n");
        for (f, package) in frames {
            t.push('\n');
            if *package {
                t.push('\u{1}');
            }
            t.push_str(f);
        }
        self.push("", Kind::Fatal, t);
    }

    /// `EXECUTION_FINISHED`.
    pub fn execution_finished(&mut self) {
        if self.on(Category::ApexCode, Level::Error) {
            self.push("", Kind::Keep, "EXECUTION_FINISHED".into());
        }
    }

    fn stamp(&self, nanos: u128) -> String {
        let t = self.start_time + chrono::Duration::nanoseconds(nanos as i64);
        let ms = t.and_utc().timestamp_subsec_millis();
        format!("{}.{ms} ({nanos})", t.format("%H:%M:%S"))
    }

    fn render(&self, subscriber: bool) -> String {
        let mut out = self.header.join("\n");
        out.push('\n');
        for e in &self.entries {
            let package = !e.namespace.is_empty();
            let text = match (subscriber, e.kind) {
                (true, Kind::Internal) if package => continue,
                (true, Kind::PackageUnit) => continue,
                (true, Kind::Exception) if package => match e.text.split_once("]|") {
                    Some((_, rest)) => format!("EXCEPTION_THROWN|[EXTERNAL]|{rest}"),
                    None => e.text.clone(),
                },
                (_, Kind::Fatal) => e
                    .text
                    .lines()
                    .filter(|l| !(subscriber && l.starts_with('\u{1}')))
                    .map(|l| l.trim_start_matches('\u{1}'))
                    .collect::<Vec<_>>()
                    .join("\n"),
                _ => e.text.clone(),
            };
            out.push_str(&self.stamp(e.nanos));
            out.push('|');
            out.push_str(&text);
            out.push('\n');
        }
        out
    }

    /// The log in both views.
    pub fn finish(&self) -> DebugLog {
        let mut namespaces: Vec<String> = self
            .entries
            .iter()
            .filter(|e| !e.namespace.is_empty())
            .map(|e| e.namespace.clone())
            .collect();
        namespaces.sort();
        namespaces.dedup();
        DebugLog {
            full: self.render(false),
            subscriber: self.render(true),
            namespaces,
        }
    }
}
