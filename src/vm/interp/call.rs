//! Calls: frames, argument passing, virtual dispatch and object construction.

use std::cell::RefCell;
use std::rc::Rc;

use smallvec::SmallVec;

use super::{Flow, Frame, Interp, MAX_DEPTH, R};
use crate::vm::ir::{Expr, SigId};
use crate::vm::program::{FnBody, Function};
use crate::vm::types::{ClassId, FnId};
use crate::vm::value::{Obj, Value};

impl<'p> Interp<'p> {
    /// Calls a function with already-evaluated arguments.
    pub fn call_function(&mut self, f: FnId, this: Value, args: Vec<Value>) -> R<Value> {
        let func = self.prog.func(f);
        let base = self.stack.len();
        self.stack.extend(args);
        self.enter(func, this, base)
    }

    /// Evaluates arguments straight into the callee's parameter slots, then calls.
    pub fn invoke(&mut self, func: &'p Function, this: Value, args: &[Expr]) -> R<Value> {
        let base = self.stack.len();
        for a in args {
            match self.eval(a) {
                Ok(v) => self.stack.push(v),
                Err(e) => {
                    self.stack.truncate(base);
                    return Err(e);
                }
            }
        }
        self.enter(func, this, base)
    }

    /// Runs `func` with its parameters at `stack[base..]`.
    pub fn enter(&mut self, func: &'p Function, this: Value, base: usize) -> R<Value> {
        if self.frames.len() >= MAX_DEPTH {
            self.stack.truncate(base);
            return Err(self.throw_limit(format!("Maximum stack depth reached: {}", MAX_DEPTH + 1)));
        }
        if let Some(caller) = self.frames.last_mut() {
            caller.line = self.line;
            caller.col = self.col;
        }
        match &func.body {
            FnBody::Native(nf) => {
                let args: SmallVec<[Value; 4]> = self.stack.drain(base..).collect();
                nf(self, this, &args)
            }
            FnBody::Apex(stmts) => {
                if self.log.is_some() {
                    self.log_call(func, true);
                }
                self.stack
                    .resize(base + func.n_locals as usize, Value::Null);
                let saved_base = self.base;
                let (saved_line, saved_col) = (self.line, self.col);
                self.base = base;
                self.frames.push(Frame {
                    func,
                    base,
                    this,
                    line: func.line,
                    col: 1,
                });
                if let Some(mut d) = self.dbg.take() {
                    d.on_call(self);
                    self.dbg = Some(d);
                }
                let r = self.exec_block(stmts);
                self.frames.pop();
                self.base = saved_base;
                self.line = saved_line;
                self.col = saved_col;
                while self.stack.len() > base {
                    if let Some(v) = self.stack.pop() {
                        crate::vm::value::discard(v);
                    }
                }
                if self.log.is_some() {
                    self.log_call(func, false);
                }
                if let Some(mut d) = self.dbg.take() {
                    d.on_return(self);
                    self.dbg = Some(d);
                }
                match r {
                    Ok(Flow::Return) => Ok(std::mem::take(&mut self.ret)),
                    Ok(_) => Ok(Value::Null),
                    Err(e) => Err(e),
                }
            }
            FnBody::None => {
                self.stack.truncate(base);
                let name = self.frame_name(func);
                Err(self.throw_sys(
                    "UnexpectedException",
                    format!("Abstract method called: {name}"),
                ))
            }
        }
    }

    /// Virtual dispatch through a call site's one-entry cache (monomorphic sites skip
    /// the vtable lookup).
    #[inline]
    pub fn dispatch_cached(
        &mut self,
        recv: &Value,
        sig: SigId,
        cache: &std::sync::atomic::AtomicU64,
    ) -> R<&'p Function> {
        use std::sync::atomic::Ordering::Relaxed;
        if let Value::Obj(o) = recv {
            let c = cache.load(Relaxed);
            if c != 0 && (c >> 32) as u32 == o.class + 1 {
                return Ok(self.prog.func(c as u32));
            }
            let f = self.dispatch(recv, sig)?;
            cache.store(((o.class as u64 + 1) << 32) | f.id as u64, Relaxed);
            return Ok(f);
        }
        self.dispatch(recv, sig)
    }

    /// The implementation of a virtual signature for an object's class.
    pub fn dispatch(&mut self, recv: &Value, sig: SigId) -> R<&'p Function> {
        let class = match recv {
            Value::Obj(o) => o.class,
            Value::Enum(c, _) => *c,
            Value::Null => return Err(self.npe()),
            _ => {
                let name = self.prog.sigs[sig as usize].clone();
                return Err(self.throw_sys(
                    "TypeException",
                    format!("Method does not exist or incorrect signature: {name}"),
                ));
            }
        };
        match self.prog.class(class).vtable.get(&sig) {
            Some(&f) => Ok(self.prog.func(f)),
            None => {
                let name = self.prog.sigs[sig as usize].clone();
                Err(self.throw_sys(
                    "TypeException",
                    format!("Method does not exist or incorrect signature: {name}"),
                ))
            }
        }
    }

    /// Allocates an instance of a class with every field null, initialising statics first.
    pub fn alloc(&mut self, class: ClassId) -> R<Rc<Obj>> {
        self.ensure_init(class)?;
        let c = self.prog.class(class);
        let ext = if c.is_exception {
            Some(Box::default())
        } else {
            None
        };
        Ok(Rc::new(Obj {
            class,
            fields: RefCell::new(vec![Value::Null; c.fields.len()]),
            ext: RefCell::new(ext),
        }))
    }

    /// `new C(args)`.
    pub fn construct(&mut self, class: ClassId, ctor: FnId, args: &[Expr]) -> R<Value> {
        let obj = Value::Obj(self.alloc(class)?);
        let func = self.prog.func(ctor);
        self.invoke(func, obj.clone(), args)?;
        Ok(obj)
    }

    /// Constructs with evaluated arguments (used by `Type.newInstance` and JSON).
    pub fn construct_with(&mut self, class: ClassId, ctor: FnId, args: Vec<Value>) -> R<Value> {
        let obj = Value::Obj(self.alloc(class)?);
        self.call_function(ctor, obj.clone(), args)?;
        Ok(obj)
    }

    /// Runs a class's instance initializer (field initializers and instance blocks) on `this`.
    pub fn run_instance_init(&mut self, class: ClassId) -> R<()> {
        if let Some(f) = self.prog.class(class).instance_init {
            let this = self
                .frames
                .last()
                .map(|f| f.this.clone())
                .unwrap_or_default();
            self.call_function(f, this, Vec::new())?;
        }
        Ok(())
    }

    /// Calls a method by name on any value, for untyped receivers.
    pub fn call_dynamic(&mut self, recv: Value, name: &str, args: Vec<Value>) -> R<Value> {
        if let Value::Obj(o) = &recv {
            let mut class = Some(o.class);
            while let Some(c) = class {
                let cls = self.prog.class(c);
                if let Some(fs) = cls.methods.get(name) {
                    for &f in fs {
                        let func = self.prog.func(f);
                        if func.params.len() == args.len() && !func.is_static {
                            let func = match func.sig {
                                Some(sig) => self.dispatch(&recv, sig)?,
                                None => func,
                            };
                            let base = self.stack.len();
                            self.stack.extend(args);
                            return self.enter(func, recv, base);
                        }
                    }
                }
                class = cls.superclass;
            }
        }
        if recv.is_null() {
            return Err(self.npe());
        }
        match crate::vm::builtins::lookup_runtime(self, &recv, name, args.len()) {
            Some(f) => f(self, recv, &args),
            None => {
                let t = self.runtime_type_name(&recv);
                Err(self.throw_sys(
                    "TypeException",
                    format!(
                        "Method does not exist or incorrect signature: {name} from the type {t}"
                    ),
                ))
            }
        }
    }
}
