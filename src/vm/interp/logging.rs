//! The interpreter's side of debug logging: the points where it reports events.
//! Each is a null check when no log is being written.

use std::cell::RefCell;
use std::rc::Rc;

use super::Interp;
use crate::vm::platform::log::{Callee, CodeUnit, LimitSnapshot};
use crate::vm::program::{ClassKind, FnKind, Function};
use crate::vm::sobject::SObject;
use crate::vm::types::ClassId;
use crate::vm::value::Value;

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A stable 15-character id for a class (`01p...`) or trigger (`01q...`).
pub fn class_id15(prefix: &str, class: ClassId) -> String {
    let mut digits = [b'0'; 5];
    let mut x = class as usize + 1;
    for d in digits.iter_mut().rev() {
        *d = BASE62[x % 62];
        x /= 62;
    }
    format!(
        "{prefix}Dn00000{}",
        std::str::from_utf8(&digits).expect("ascii")
    )
}

impl Interp<'_> {
    /// How a function appears in method lines: `ns.Class.method(Types)` or `<init>(Types)`.
    pub(crate) fn callee(&self, f: &Function) -> Callee {
        let c = self.prog.class(f.class);
        let ns = if c.namespace == "System" {
            String::new()
        } else {
            c.namespace.clone()
        };
        let class_name = c.type_name();
        let anonymous = self.prog.class(self.prog.top_level(f.class)).kind == ClassKind::Anonymous;
        let types: Vec<String> = f.params.iter().map(|t| self.prog.ty_name(t)).collect();
        let constructor = f.kind == FnKind::Constructor;
        let signature = match f.kind {
            FnKind::Constructor => format!("<init>({})", types.join(",")),
            FnKind::StaticInit => format!("{class_name}.{}()", c.name),
            _ => format!("{class_name}.{}({})", f.name, types.join(", ")),
        };
        Callee {
            class_id: if anonymous {
                String::new()
            } else {
                class_id15("01p", f.class)
            },
            signature,
            class_name,
            namespace: ns,
            constructor,
        }
    }

    /// Method or constructor entry (true) or exit (false), at the caller's line.
    pub fn log_call(&mut self, f: &Function, entry: bool) {
        if entry {
            self.note_namespace_entered(f.class);
        }
        if !self.log.as_ref().is_some_and(|l| l.methods()) {
            return;
        }
        if matches!(
            f.kind,
            FnKind::Trigger | FnKind::Anonymous | FnKind::InstanceInit
        ) {
            return;
        }
        let callee = self.callee(f);
        // The caller is the frame below the callee's, once it is pushed.
        let caller_ns = self.caller_namespace(entry);
        let line = self.line;
        if let Some(l) = self.log.as_mut() {
            if entry {
                l.method_entry(line, &caller_ns, &callee);
            } else {
                l.method_exit(line, &caller_ns, &callee);
            }
        }
    }

    /// A package's code ran: its `LIMIT_USAGE_FOR_NS` block is written even when it
    /// used no counted limit, as Salesforce writes one per namespace that ran.
    fn note_namespace_entered(&mut self, class: ClassId) {
        let ns = &self.prog.class(class).namespace;
        if !ns.is_empty() && ns != "System" && !self.platform.limits.contains_key(ns.as_str()) {
            let ns = ns.clone();
            self.platform.limits_mut(&ns);
        }
    }

    /// `HEAP_ALLOCATE` for a value that lives on the heap (a string, blob, collection,
    /// object or sObject) as it is stored in a variable, sized as `Limits.getHeapSize`
    /// measures it; empty values are skipped.
    fn log_heap_allocate(&mut self, v: &Value) {
        // Sizing walks the whole value: only when the line would be written.
        if !self.log.as_ref().is_some_and(|l| l.statements()) {
            return;
        }
        if !matches!(
            v,
            Value::Str(_)
                | Value::Id(_)
                | Value::Blob(_)
                | Value::List(_)
                | Value::Set(_)
                | Value::Map(_)
                | Value::Obj(_)
                | Value::SObj(_)
        ) {
            return;
        }
        let bytes = crate::vm::value::heap_bytes(v, &mut rustc_hash::FxHashSet::default());
        if bytes == 0 {
            return;
        }
        let (line, ns) = (self.line, self.code_namespace());
        if let Some(l) = self.log.as_mut() {
            l.heap_allocate(line, ns, bytes);
        }
    }

    /// The namespace of the calling frame (the top frame, outside the callee's).
    fn caller_namespace(&self, _entry: bool) -> String {
        self.frames
            .last()
            .map(|f| self.prog.class(f.func.class).namespace.clone())
            .filter(|ns| ns != "System")
            .unwrap_or_default()
    }

    /// `STATEMENT_EXECUTE` for the current statement.
    #[inline(never)]
    pub fn log_statement(&mut self) {
        let ns = self.code_namespace();
        let line = self.line;
        if let Some(l) = self.log.as_mut() {
            l.statement(line, ns);
        }
    }

    /// A local's declaration and first value.
    pub fn log_local(&mut self, name: &str, ty: &crate::vm::types::Ty, v: Option<&Value>) {
        if !self.log.as_ref().is_some_and(|l| l.variables()) {
            return;
        }
        let ns = self.code_namespace();
        let line = self.line;
        let tyname = self.prog.ty_name(ty);
        let reference = !ty.is_numeric()
            && !matches!(
                ty,
                crate::vm::types::Ty::String
                    | crate::vm::types::Ty::Id
                    | crate::vm::types::Ty::Boolean
                    | crate::vm::types::Ty::Date
                    | crate::vm::types::Ty::Datetime
                    | crate::vm::types::Ty::Time
            );
        if let Some(v) = v {
            self.log_heap_allocate(v);
        }
        let shown = v.map(|v| self.log_value(v));
        if let Some(l) = self.log.as_mut() {
            l.variable_scope(line, ns, name, &tyname, reference, false);
            if let Some((text, addr)) = shown {
                l.variable_assignment(line, ns, name, &text, addr.as_deref());
            }
        }
    }

    /// A local by slot in the current function.
    pub fn log_local_slot(&mut self, slot: u32, v: Option<&Value>) {
        let Some(f) = self.frames.last().map(|f| f.func) else {
            return;
        };
        if let Some(l) = f.locals.iter().find(|l| l.slot == slot) {
            self.log_local(&l.name, &l.ty, v);
        }
    }

    /// An assignment to a local by slot.
    pub fn log_assign_slot(&mut self, slot: u32, v: &Value) {
        let Some(f) = self.frames.last().map(|f| f.func) else {
            return;
        };
        if let Some(l) = f.locals.iter().find(|l| l.slot == slot) {
            self.log_assign(&l.name, v);
        }
    }

    /// A later assignment to a variable (or `this.field`).
    pub fn log_assign(&mut self, name: &str, v: &Value) {
        if !self.log.as_ref().is_some_and(|l| l.variables()) {
            return;
        }
        self.log_heap_allocate(v);
        let ns = self.code_namespace();
        let line = self.line;
        let (text, addr) = self.log_value(v);
        if let Some(l) = self.log.as_mut() {
            l.variable_assignment(line, ns, name, &text, addr.as_deref());
        }
    }

    /// A value as `VARIABLE_ASSIGNMENT` writes it, and its address for references.
    pub fn log_value(&mut self, v: &Value) -> (String, Option<String>) {
        let addr = v.address().map(|a| format!("0x{:x}", a as u32));
        let text = match v {
            Value::Str(s) | Value::Id(s) => {
                let chars: Vec<char> = s.chars().collect();
                let esc = |t: &str| t.replace('\\', "\\\\").replace('"', "\\\"");
                if chars.len() > 20 {
                    let head: String = chars[..20].iter().collect();
                    format!("\"{} ({} more) ...\"", esc(&head), chars.len() - 20)
                } else {
                    format!("\"{}\"", esc(s))
                }
            }
            Value::Null => "null".into(),
            Value::List(l) if l.borrow().items.len() > 10 => {
                format!(
                    "\"List of size {} too large to display\"",
                    l.borrow().items.len()
                )
            }
            Value::List(_) | Value::Set(_) | Value::Map(_) | Value::Obj(_) | Value::SObj(_) => {
                match crate::vm::builtins::json::to_json(self, v, true, 0) {
                    Ok(j) => {
                        let mut s = String::new();
                        crate::vm::builtins::json::write_compact(&j, &mut s);
                        s
                    }
                    Err(_) => "{}".into(),
                }
            }
            other => self.to_display(other).unwrap_or_default(),
        };
        (text, addr)
    }

    /// `USER_DEBUG`.
    pub fn log_debug(&mut self, level: &str, message: &str) {
        if self.log.is_none() {
            return;
        }
        let ns = self.code_namespace();
        let line = self.line;
        if let Some(l) = self.log.as_mut() {
            l.user_debug(line, ns, level, message);
        }
    }

    /// `EXCEPTION_THROWN`.
    pub fn log_exception(&mut self, text: &str) {
        if self.log.is_none() {
            return;
        }
        let ns = self.code_namespace();
        let line = self.line;
        if let Some(l) = self.log.as_mut() {
            l.exception_thrown(line, ns, text);
        }
    }

    /// `SYSTEM_METHOD_ENTRY`/`EXIT` for a built-in call.
    pub fn log_system(&mut self, f: crate::vm::builtins::NativeFn, args: &[Value], entry: bool) {
        if !self.log.as_ref().is_some_and(|l| l.system_methods()) {
            return;
        }
        let Some(name) = crate::vm::builtins::native_label(f) else {
            return;
        };
        let types: Vec<String> = args.iter().map(|a| self.runtime_type_name(a)).collect();
        let sig = format!("{name}({})", types.join(", "));
        let ns = self.code_namespace();
        let line = self.line;
        if let Some(l) = self.log.as_mut() {
            l.system_method(line, ns, &sig, entry);
        }
    }

    /// A code unit (trigger, anonymous block, entry point) begins.
    pub fn log_code_unit_start(&mut self, unit: CodeUnit) {
        if let Some(l) = self.log.as_mut() {
            l.code_unit_started(&unit);
        }
    }

    /// The innermost code unit ends, after the limits block.
    pub fn log_code_unit_end(&mut self) {
        if self.log.is_none() {
            return;
        }
        let snapshot = self.limit_snapshot();
        if let Some(l) = self.log.as_mut() {
            l.code_unit_finished(&snapshot);
        }
    }

    /// The request's limit usage so far.
    pub fn limit_snapshot(&self) -> LimitSnapshot {
        let mut namespaces: Vec<(String, _)> = self
            .platform
            .limits
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if !namespaces.iter().any(|(k, _)| k.is_empty()) {
            namespaces.push((String::new(), Default::default()));
        }
        namespaces.sort_by(|a, b| (!a.0.is_empty(), &a.0).cmp(&(!b.0.is_empty(), &b.0)));
        LimitSnapshot {
            namespaces,
            cpu_ms: self.cpu_time().as_millis() as u64,
            heap: self.heap_size(),
        }
    }

    /// A DML operation begins.
    pub fn log_dml_begin(&mut self, op: &str, recs: &[Rc<RefCell<SObject>>]) {
        if self.log.is_none() {
            return;
        }
        let ty = recs
            .first()
            .map(|r| self.sobject_type_name(r.borrow().sobject_type))
            .unwrap_or_default();
        let (line, ns, n) = (self.line, self.code_namespace(), recs.len());
        if let Some(l) = self.log.as_mut() {
            l.dml_begin(line, ns, op, &ty, n);
        }
    }

    /// The DML operation ends.
    pub fn log_dml_end(&mut self) {
        let (line, ns) = (self.line, self.code_namespace());
        if let Some(l) = self.log.as_mut() {
            l.dml_end(line, ns);
        }
    }

    /// `SOQL_EXECUTE_BEGIN`.
    pub fn log_soql_begin(&mut self, aggregations: usize, query: &str) {
        let (line, ns) = (self.line, self.code_namespace());
        if let Some(l) = self.log.as_mut() {
            l.soql_begin(line, ns, aggregations, query);
        }
    }

    /// `SOQL_EXECUTE_END`.
    pub fn log_soql_end(&mut self, rows: usize) {
        let (line, ns) = (self.line, self.code_namespace());
        if let Some(l) = self.log.as_mut() {
            l.soql_end(line, ns, rows);
        }
    }
}
