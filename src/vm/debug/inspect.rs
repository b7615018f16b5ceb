//! Inspecting a stopped request: frames, scopes, variables with paging, setting values.

use super::{RefTarget, RequestDebugger};
use crate::vm::interp::Interp;
use crate::vm::program::FnKind;
use crate::vm::value::{Key, NativeObj, Value};

/// One stack frame, innermost first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameInfo {
    /// 0 is the innermost frame.
    pub index: usize,
    /// As in Apex stack traces: `Class.acme.TaxCalculator.calculate`, `AnonymousBlock`.
    pub name: String,
    /// `acme/TaxCalculator`, `acme/Outer$Inner`, `__sfdc_trigger/acme/InvoiceTrigger`.
    pub typeref: String,
    /// The file that holds the frame's code (`TaxCalculator.cls`).
    pub file: String,
    pub line: u32,
    pub column: u32,
}

/// A variable (or scope, or evaluation result) as a debugger shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarInfo {
    pub name: String,
    pub value: String,
    pub type_name: String,
    /// Non-zero when the value has children.
    pub reference: u64,
    pub indexed: Option<usize>,
    pub named: Option<usize>,
    /// An Apex expression that evaluates to this variable in its frame.
    pub evaluate_name: Option<String>,
}

/// The frames of a request, innermost first.
pub fn stack(i: &Interp<'_>) -> Vec<FrameInfo> {
    let n = i.frames.len();
    (0..n)
        .map(|k| {
            let f = &i.frames[n - 1 - k];
            let (line, column) = if k == 0 {
                (i.line, i.col)
            } else {
                (f.line, f.col)
            };
            let file_class = i.prog.class(f.func.file_class);
            FrameInfo {
                index: k,
                name: i.frame_name(f.func),
                // The class that declares the code (`acme/Outer$Inner`);
                // `file` says where its source is.
                typeref: i.prog.class(f.func.class).typeref(),
                file: file_class.file.to_string(),
                line,
                column,
            }
        })
        .collect()
}

/// The locals in scope in a frame: (name, slot, type), innermost declaration winning.
pub fn visible_locals(i: &Interp<'_>, frame: usize) -> Vec<(String, u32, crate::vm::types::Ty)> {
    let n = i.frames.len();
    let Some(f) = n.checked_sub(frame + 1).map(|p| &i.frames[p]) else {
        return Vec::new();
    };
    let line = if frame == 0 { i.line } else { f.line };
    let mut out: Vec<(String, u32, crate::vm::types::Ty)> = Vec::new();
    for l in &f.func.locals {
        let is_param = (l.slot as usize) < f.func.params.len();
        if is_param || (l.from_line <= line && line <= l.to_line) {
            out.retain(|(name, _, _)| !name.eq_ignore_ascii_case(&l.name));
            out.push((l.name.clone(), l.slot, l.ty.clone()));
        }
    }
    out
}

/// The value of a local visible in the innermost frame (dynamic SOQL binds).
pub fn local_value(i: &Interp<'_>, name: &str) -> Option<Value> {
    let base = i.frames.last()?.base;
    visible_locals(i, 0)
        .into_iter()
        .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, slot, _)| i.stack[base + slot as usize].clone())
}

/// What a stopped request shows first: its frames, the top frame's scopes,
/// and the variables of the top frame's Locals (whose reference is the first
/// scope's).
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub frames: Vec<FrameInfo>,
    pub scopes: Vec<VarInfo>,
    pub locals: Vec<VarInfo>,
}

impl RequestDebugger {
    /// The frames, then the top frame's scopes, then its locals: the same
    /// answers, and the same references, as those three commands in a row.
    pub(super) fn snapshot(&mut self, i: &mut Interp<'_>) -> Snapshot {
        let frames = stack(i);
        let scopes = self.scopes(i, 0);
        let locals = scopes
            .first()
            .filter(|s| s.reference > 0)
            .and_then(|s| self.variables(i, s.reference, 0, None).ok())
            .unwrap_or_default();
        Snapshot {
            frames,
            scopes,
            locals,
        }
    }

    fn make_ref(&mut self, t: RefTarget) -> u64 {
        self.refs.push(t);
        self.refs.len() as u64
    }

    /// The scopes of a frame.
    pub(super) fn scopes(&mut self, i: &Interp<'_>, frame: usize) -> Vec<VarInfo> {
        let n = i.frames.len();
        let Some(pos) = n.checked_sub(frame + 1) else {
            return Vec::new();
        };
        let f = &i.frames[pos];
        let mut out = Vec::new();
        let locals = visible_locals(i, frame);
        let r = self.make_ref(RefTarget::Locals(frame));
        out.push(scope("Locals", r, locals.len()));
        if let Value::Obj(o) = &f.this {
            let fields = i.prog.class(o.class).fields.len();
            let r = self.make_ref(RefTarget::This(frame));
            out.push(scope("This", r, fields));
        }
        let class = f.func.class;
        let statics = i.prog.class(class).statics.len();
        if statics > 0 {
            let r = self.make_ref(RefTarget::Statics(class));
            out.push(scope("Statics", r, statics));
        }
        out
    }

    /// Children of a reference, `offset..offset+count`.
    pub(super) fn variables(
        &mut self,
        i: &mut Interp<'_>,
        reference: u64,
        offset: usize,
        count: Option<usize>,
    ) -> Result<Vec<VarInfo>, String> {
        let target = self
            .refs
            .get((reference as usize).wrapping_sub(1))
            .cloned()
            .ok_or_else(|| format!("Unknown variables reference {reference}; references last only while the request is stopped"))?;
        let take = |len: usize| {
            let start = offset.min(len);
            let end = count.map(|c| (start + c).min(len)).unwrap_or(len);
            start..end
        };
        let mut out = Vec::new();
        match target {
            RefTarget::Locals(frame) => {
                let base = i.frames[i.frames.len() - 1 - frame].base;
                let locals = visible_locals(i, frame);
                for (name, slot, _) in &locals[take(locals.len())] {
                    let v = i.stack[base + *slot as usize].clone();
                    out.push(self.describe(i, name, &v, name.clone()));
                }
            }
            RefTarget::This(frame) => {
                let this = i.frames[i.frames.len() - 1 - frame].this.clone();
                if let Value::Obj(o) = &this {
                    let fields = i.prog.class(o.class).fields.clone();
                    let values = o.fields.borrow().clone();
                    for (f, v) in fields[take(fields.len())]
                        .iter()
                        .zip(values[take(fields.len())].iter())
                    {
                        out.push(self.describe(i, &f.name, v, format!("this.{}", f.name)));
                    }
                }
            }
            RefTarget::Statics(class) => {
                let statics = i.prog.class(class).statics.clone();
                let cname = i.prog.class(class).qualified.clone();
                for f in &statics[take(statics.len())] {
                    let v = i.statics[f.slot as usize].clone();
                    out.push(self.describe(i, &f.name, &v, format!("{cname}.{}", f.name)));
                }
            }
            RefTarget::Value(v, parent) => {
                for (name, child, suffix) in children(i, &v, take) {
                    let eval = if suffix.is_empty() || parent.is_empty() {
                        String::new()
                    } else {
                        format!("{parent}{suffix}")
                    };
                    out.push(self.describe(i, &name, &child, eval));
                }
            }
        }
        Ok(out)
    }

    /// A variable's presentation, with a reference when it has children.
    pub(super) fn describe(
        &mut self,
        i: &mut Interp<'_>,
        name: &str,
        v: &Value,
        eval: String,
    ) -> VarInfo {
        let type_name = i.runtime_type_name(v);
        let (indexed, named) = child_counts(i, v);
        let reference = if indexed.is_some() || named.is_some() {
            self.make_ref(RefTarget::Value(v.clone(), eval.clone()))
        } else {
            0
        };
        VarInfo {
            name: name.to_string(),
            value: present(i, v),
            type_name,
            reference,
            indexed,
            named,
            evaluate_name: if eval.is_empty() { None } else { Some(eval) },
        }
    }

    /// Sets `name` under a reference to the value of an Apex expression.
    pub(super) fn set_variable(
        &mut self,
        i: &mut Interp<'_>,
        reference: u64,
        name: &str,
        value: &str,
    ) -> Result<VarInfo, String> {
        let target = self
            .refs
            .get((reference as usize).wrapping_sub(1))
            .cloned()
            .ok_or_else(|| format!("Unknown variables reference {reference}"))?;
        let frame = match &target {
            RefTarget::Locals(f) | RefTarget::This(f) => *f,
            _ => 0,
        };
        let new = self.evaluate_in(i, frame, value)?;
        match target {
            RefTarget::Locals(frame) => {
                let locals = visible_locals(i, frame);
                let (_, slot, ty) = locals
                    .iter()
                    .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
                    .ok_or_else(|| format!("No local variable named {name} in this frame"))?;
                let v = convert_for(i, new, ty)?;
                let base = i.frames[i.frames.len() - 1 - frame].base;
                i.stack[base + *slot as usize] = v.clone();
                Ok(self.describe(i, name, &v, name.to_string()))
            }
            RefTarget::This(frame) => {
                let this = i.frames[i.frames.len() - 1 - frame].this.clone();
                set_member(i, &this, name, new)
                    .map(|v| self.describe(i, name, &v, format!("this.{name}")))
            }
            RefTarget::Statics(class) => {
                let f = i
                    .prog
                    .class(class)
                    .statics
                    .iter()
                    .find(|f| f.name.eq_ignore_ascii_case(name))
                    .cloned()
                    .ok_or_else(|| format!("No static named {name}"))?;
                let v = convert_for(i, new, &f.ty)?;
                i.statics[f.slot as usize] = v.clone();
                Ok(self.describe(i, name, &v, name.to_string()))
            }
            RefTarget::Value(parent, _) => set_member(i, &parent, name, new)
                .map(|v| self.describe(i, name, &v, name.to_string())),
        }
    }

    /// Names that complete `text` in a frame: locals, fields, statics and methods.
    pub(super) fn completions(
        &mut self,
        i: &mut Interp<'_>,
        frame: usize,
        text: &str,
    ) -> Vec<String> {
        let (qualifier, prefix) = match text.rsplit_once('.') {
            Some((q, p)) => (Some(q), p),
            None => (None, text),
        };
        let mut names: Vec<String> = Vec::new();
        match qualifier {
            None => {
                names.extend(visible_locals(i, frame).into_iter().map(|(n, _, _)| n));
                let n = i.frames.len();
                if let Some(f) = n.checked_sub(frame + 1).map(|p| &i.frames[p]) {
                    let c = i.prog.class(f.func.class);
                    if !f.func.is_static {
                        names.extend(c.fields.iter().map(|x| x.name.clone()));
                    }
                    names.extend(c.statics.iter().map(|x| x.name.clone()));
                    names.extend(c.methods.keys().filter_map(|k| {
                        c.methods[k].first().map(|&f| i.prog.func(f).name.clone())
                    }));
                }
            }
            Some(q) => {
                if let Ok(v) = self.evaluate_in(i, frame, q) {
                    names.extend(member_names(i, &v));
                }
            }
        }
        let p = prefix.to_ascii_lowercase();
        names.retain(|n| n.to_ascii_lowercase().starts_with(&p));
        names.sort();
        names.dedup();
        names
    }
}

fn scope(name: &str, reference: u64, named: usize) -> VarInfo {
    VarInfo {
        name: name.to_string(),
        value: String::new(),
        type_name: String::new(),
        reference,
        indexed: None,
        named: Some(named),
        evaluate_name: None,
    }
}

/// How many indexed and named children a value has.
fn child_counts(i: &Interp<'_>, v: &Value) -> (Option<usize>, Option<usize>) {
    match v {
        Value::List(l) => (Some(l.borrow().items.len()), None),
        Value::Set(s) => (Some(s.borrow().items.len()), None),
        Value::Map(m) => (None, Some(m.borrow().items.len())),
        Value::Obj(o) => {
            let n =
                i.prog.class(o.class).fields.len() + if o.ext.borrow().is_some() { 2 } else { 0 };
            (None, Some(n))
        }
        Value::SObj(s) => (None, Some(s.borrow().fields.len())),
        Value::Native(n) => match &*n.borrow() {
            NativeObj::Record { fields, .. } => (None, Some(fields.len())),
            _ => (None, None),
        },
        _ => (None, None),
    }
}

/// The children of a value in a range: (name, value, evaluate name suffix).
fn children(
    i: &mut Interp<'_>,
    v: &Value,
    take: impl Fn(usize) -> std::ops::Range<usize>,
) -> Vec<(String, Value, String)> {
    match v {
        Value::List(l) => {
            let l = l.borrow();
            let r = take(l.items.len());
            let start = r.start;
            l.items[r]
                .iter()
                .enumerate()
                .map(|(k, x)| {
                    (
                        format!("[{}]", start + k),
                        x.clone(),
                        format!("[{}]", start + k),
                    )
                })
                .collect()
        }
        Value::Set(s) => {
            let s = s.borrow();
            let r = take(s.items.len());
            let start = r.start;
            s.items
                .iter()
                .skip(r.start)
                .take(r.len())
                .enumerate()
                .map(|(k, x)| (format!("[{}]", start + k), x.0.clone(), String::new()))
                .collect()
        }
        Value::Map(m) => {
            let entries: Vec<(Value, Value)> = {
                let m = m.borrow();
                let r = take(m.items.len());
                m.items
                    .iter()
                    .skip(r.start)
                    .take(r.len())
                    .map(|(k, x)| (k.0.clone(), x.clone()))
                    .collect()
            };
            entries
                .into_iter()
                .map(|(k, x)| {
                    let key = present(i, &k);
                    let eval = format!(".get({key})");
                    (key, x, eval)
                })
                .collect()
        }
        Value::Obj(o) => {
            let fields = i.prog.class(o.class).fields.clone();
            let values = o.fields.borrow().clone();
            let mut out: Vec<(String, Value, String)> = fields
                .iter()
                .zip(values)
                .map(|(f, x)| (f.name.clone(), x, format!(".{}", f.name)))
                .collect();
            if let Some(d) = o.ext.borrow().as_ref() {
                out.insert(
                    0,
                    ("message".into(), d.message.clone(), ".getMessage()".into()),
                );
                out.insert(1, ("cause".into(), d.cause.clone(), ".getCause()".into()));
            }
            let r = take(out.len());
            out.drain(r).collect()
        }
        Value::SObj(s) => {
            let s = s.borrow();
            let r = take(s.fields.len());
            s.fields
                .values()
                .skip(r.start)
                .take(r.len())
                .map(|(n, x)| (n.clone(), x.clone(), format!(".{n}")))
                .collect()
        }
        Value::Native(n) => match &*n.borrow() {
            NativeObj::Record { fields, .. } => fields
                .iter()
                .map(|(k, x)| (k.to_string(), x.clone(), String::new()))
                .collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// A one-line presentation of a value: literals as Apex writes them, collections by size.
pub fn present(i: &mut Interp<'_>, v: &Value) -> String {
    match v {
        Value::Str(s) | Value::Id(s) => format!("'{}'", s.replace('\'', "\\'")),
        Value::List(l) => format!(
            "{} (size {})",
            i.runtime_type_name(v),
            l.borrow().items.len()
        ),
        Value::Set(s) => format!(
            "{} (size {})",
            i.runtime_type_name(v),
            s.borrow().items.len()
        ),
        Value::Map(m) => format!(
            "{} (size {})",
            i.runtime_type_name(v),
            m.borrow().items.len()
        ),
        Value::Obj(o) if i.prog.class(o.class).is_exception => i.to_display(v).unwrap_or_default(),
        Value::Obj(_) => i.runtime_type_name(v),
        Value::SObj(s) => {
            let name = i.runtime_type_name(v);
            match s.borrow().fields.get("id").map(|f| f.1.clone()) {
                Some(Value::Id(id)) => format!("{name} {id}"),
                _ => name,
            }
        }
        other => {
            let s = i.to_display(other).unwrap_or_default();
            if s.chars().count() > 200 {
                format!("{}…", s.chars().take(200).collect::<String>())
            } else {
                s
            }
        }
    }
}

/// Converts a new value for a variable of a declared type, or says why not.
fn convert_for(i: &mut Interp<'_>, v: Value, ty: &crate::vm::types::Ty) -> Result<Value, String> {
    if v.is_null() || matches!(ty, crate::vm::types::Ty::Any | crate::vm::types::Ty::Object) {
        return Ok(v);
    }
    if ty.is_numeric() && crate::vm::interp::ops::num_kind(&v).is_some() {
        return Ok(crate::vm::interp::ops::convert_num(v, ty));
    }
    if i.is_instance(&v, ty) {
        return Ok(v);
    }
    let from = i.runtime_type_name(&v);
    let to = i.prog.ty_name(ty);
    Err(format!("Illegal assignment from {from} to {to}"))
}

/// Sets a child of a value by the name a variables listing gave it.
fn set_member(i: &mut Interp<'_>, parent: &Value, name: &str, v: Value) -> Result<Value, String> {
    let index = name
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .and_then(|s| s.parse::<usize>().ok());
    match (parent, index) {
        (Value::List(l), Some(k)) => {
            let mut l = l.borrow_mut();
            let elem = l.elem.clone();
            let slot = l
                .items
                .get_mut(k)
                .ok_or_else(|| format!("List index out of bounds: {k}"))?;
            *slot = crate::vm::interp::eval::coerce_elem(v, &elem);
            Ok(slot.clone())
        }
        (Value::Map(m), _) => {
            let key = {
                let keys: Vec<Value> = m.borrow().items.keys().map(|k| k.0.clone()).collect();
                keys.into_iter().find(|k| present(i, k) == name)
            };
            let key = key.ok_or_else(|| format!("No map key {name}"))?;
            let mut m = m.borrow_mut();
            let val = crate::vm::interp::eval::coerce_elem(v, &m.value);
            m.items.insert(Key(key), val.clone());
            Ok(val)
        }
        (Value::Obj(o), _) => {
            let f = i
                .prog
                .class(o.class)
                .fields
                .iter()
                .find(|f| f.name.eq_ignore_ascii_case(name))
                .cloned()
                .ok_or_else(|| format!("No field named {name}"))?;
            let v = convert_for(i, v, &f.ty)?;
            o.fields.borrow_mut()[f.slot as usize] = v.clone();
            Ok(v)
        }
        (Value::SObj(_), _) => {
            i.sobject_put(parent, name, v.clone())
                .map_err(|t| crate::vm::describe_throw(i, &t).to_string())?;
            Ok(v)
        }
        _ => Err(format!("{name} cannot be set here")),
    }
}

/// Member names of a value, for completions.
fn member_names(i: &Interp<'_>, v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Value::Obj(o) = v {
        let c = i.prog.class(o.class);
        out.extend(c.fields.iter().map(|f| f.name.clone()));
        let mut cls = Some(o.class);
        while let Some(x) = cls {
            let cc = i.prog.class(x);
            for fs in cc.methods.values() {
                if let Some(&f) = fs.first() {
                    let func = i.prog.func(f);
                    if func.kind == FnKind::Method {
                        out.push(func.name.clone());
                    }
                }
            }
            cls = cc.superclass;
        }
    }
    if let Value::SObj(s) = v {
        out.extend(s.borrow().fields.values().map(|(n, _)| n.clone()));
    }
    let ty = match v {
        Value::Str(_) => Some(crate::vm::types::Ty::String),
        Value::List(_) => Some(crate::vm::types::Ty::list(crate::vm::types::Ty::Any)),
        Value::Set(_) => Some(crate::vm::types::Ty::set(crate::vm::types::Ty::Any)),
        Value::Map(_) => Some(crate::vm::types::Ty::map(
            crate::vm::types::Ty::Any,
            crate::vm::types::Ty::Any,
        )),
        Value::Int(_) | Value::Long(_) | Value::Dec(_) | Value::Double(_) => {
            Some(crate::vm::types::Ty::Decimal)
        }
        Value::Date(_) => Some(crate::vm::types::Ty::Date),
        Value::Datetime(_) => Some(crate::vm::types::Ty::Datetime),
        _ => None,
    };
    if let Some(t) = ty {
        out.extend(crate::vm::builtins::method_names(&t));
    }
    out
}
