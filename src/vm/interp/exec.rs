//! Statement execution.

use super::{Flow, Interp, R};
use crate::vm::ir::{Stmt, StmtKind, SwitchValue};
use crate::vm::value::Value;

impl<'p> Interp<'p> {
    /// Runs statements in order until one does not complete normally.
    pub fn exec_block(&mut self, stmts: &'p [Stmt]) -> R<Flow> {
        for s in stmts {
            let f = self.exec(s)?;
            if f != Flow::Normal {
                return Ok(f);
            }
        }
        Ok(Flow::Normal)
    }

    /// Runs one statement. The common statements are handled here; the rest in
    /// [`Interp::exec_rest`], so that this function stays small.
    #[inline]
    pub fn exec(&mut self, s: &'p Stmt) -> R<Flow> {
        match &s.kind {
            StmtKind::Block(b) => self.exec_block(b),
            StmtKind::Empty => Ok(Flow::Normal),
            StmtKind::Expr(e) => {
                self.tick(s.line, s.col)?;
                crate::vm::value::discard(self.eval(e)?);
                Ok(Flow::Normal)
            }
            StmtKind::If { cond, then, els } => {
                self.tick(s.line, s.col)?;
                if self.eval_cond(cond)? {
                    self.exec(then)
                } else if let Some(e) = els {
                    self.exec(e)
                } else {
                    Ok(Flow::Normal)
                }
            }
            StmtKind::Return(Some(e)) => {
                self.tick(s.line, s.col)?;
                self.ret = self.eval(e)?;
                Ok(Flow::Return)
            }
            _ => {
                self.tick(s.line, s.col)?;
                self.exec_rest(s)
            }
        }
    }

    #[inline(never)]
    fn exec_rest(&mut self, s: &'p Stmt) -> R<Flow> {
        match &s.kind {
            StmtKind::Expr(e) => {
                crate::vm::value::discard(self.eval(e)?);
                Ok(Flow::Normal)
            }
            StmtKind::Local { slot, init } => {
                let v = match init {
                    Some(e) => self.eval(e)?,
                    None => Value::Null,
                };
                if self.log.is_some() {
                    self.log_local_slot(*slot, init.is_some().then_some(&v));
                }
                self.stack[self.base + *slot as usize] = v;
                Ok(Flow::Normal)
            }
            StmtKind::If { cond, then, els } => {
                if self.eval_cond(cond)? {
                    self.exec(then)
                } else if let Some(e) = els {
                    self.exec(e)
                } else {
                    Ok(Flow::Normal)
                }
            }
            StmtKind::While { cond, body } => {
                while self.eval_cond(cond)? {
                    match self.exec(body)? {
                        Flow::Break => break,
                        Flow::Return => return Ok(Flow::Return),
                        _ => {}
                    }
                    self.tick(s.line, s.col)?;
                }
                Ok(Flow::Normal)
            }
            StmtKind::DoWhile { body, cond } => {
                loop {
                    match self.exec(body)? {
                        Flow::Break => break,
                        Flow::Return => return Ok(Flow::Return),
                        _ => {}
                    }
                    self.tick(s.line, s.col)?;
                    if !self.eval_cond(cond)? {
                        break;
                    }
                }
                Ok(Flow::Normal)
            }
            StmtKind::For {
                init,
                cond,
                update,
                body,
            } => {
                for i in init {
                    self.exec(i)?;
                }
                loop {
                    if let Some(c) = cond
                        && !self.eval_cond(c)?
                    {
                        break;
                    }
                    match self.exec(body)? {
                        Flow::Break => break,
                        Flow::Return => return Ok(Flow::Return),
                        _ => {}
                    }
                    self.tick(s.line, s.col)?;
                    for u in update {
                        self.eval(u)?;
                    }
                }
                Ok(Flow::Normal)
            }
            StmtKind::ForEach {
                slot,
                elem: _,
                iter,
                body,
            } => self.exec_foreach(s, *slot, iter, body),
            StmtKind::Break => Ok(Flow::Break),
            StmtKind::Continue => Ok(Flow::Continue),
            StmtKind::Return(e) => {
                self.ret = match e {
                    Some(e) => self.eval(e)?,
                    None => Value::Null,
                };
                Ok(Flow::Return)
            }
            StmtKind::Throw(e) => {
                let v = self.eval(e)?;
                match v {
                    Value::Obj(o) if self.prog.class(o.class).is_exception => Err(self.raise(o)),
                    _ => Err(self.npe()),
                }
            }
            StmtKind::Try {
                body,
                catches,
                finally,
            } => {
                self.handlers.push(catches);
                let depth = self.frames.len();
                let r = self.exec(body);
                self.handlers.pop();
                let r = match r {
                    Err(t) if !self.is_uncatchable(t.0.class) => {
                        // Frames above ours were popped by their own `enter` calls.
                        debug_assert_eq!(depth, self.frames.len());
                        match catches
                            .iter()
                            .find(|c| self.prog.is_subclass(t.0.class, c.class))
                        {
                            Some(c) => {
                                self.stack[self.base + c.slot as usize] = Value::Obj(t.0);
                                self.exec(&c.body)
                            }
                            None => Err(t),
                        }
                    }
                    r => r,
                };
                match finally {
                    Some(f) => {
                        let saved = std::mem::take(&mut self.ret);
                        match self.exec(f)? {
                            Flow::Normal => {
                                self.ret = saved;
                                r
                            }
                            other => Ok(other),
                        }
                    }
                    None => r,
                }
            }
            StmtKind::Switch {
                subject,
                arms,
                default,
            } => {
                let v = self.eval(subject)?;
                for arm in arms {
                    for sv in &arm.values {
                        if self.switch_matches(&v, sv)? {
                            return self.exec(&arm.body);
                        }
                    }
                }
                match default {
                    Some(d) => self.exec(d),
                    None => Ok(Flow::Normal),
                }
            }
            StmtKind::CtorCall {
                func,
                args,
                run_init,
            } => {
                let this = self.frames.last().expect("in a constructor").this.clone();
                let f = self.prog.func(*func);
                self.invoke(f, this, args)?;
                if *run_init {
                    let class = self.frames.last().expect("in a constructor").func.class;
                    self.run_instance_init(class)?;
                }
                Ok(Flow::Normal)
            }
            StmtKind::InstanceInit { class } => {
                self.run_instance_init(*class)?;
                Ok(Flow::Normal)
            }
            StmtKind::Block(_) | StmtKind::Empty => unreachable!(),
        }
    }

    fn exec_foreach(
        &mut self,
        s: &'p Stmt,
        slot: u32,
        iter: &crate::vm::ir::Expr,
        body: &'p Stmt,
    ) -> R<Flow> {
        let coll = self.eval(iter)?;
        // Apex iterates over a snapshot of lists; sets and maps refuse modification.
        let items: Vec<Value> = match &coll {
            Value::List(l) => l.borrow().items.clone(),
            Value::Set(st) => st.borrow().items.iter().map(|k| k.0.clone()).collect(),
            Value::Null => return Err(self.npe()),
            Value::Native(_) | Value::Obj(_) => {
                return self.exec_foreach_iterator(s, slot, coll, body);
            }
            _ => {
                return Err(
                    self.throw_sys("TypeException", "Loop must iterate over collection".into())
                );
            }
        };
        let mut first = true;
        for v in items {
            if !first {
                self.tick(s.line, s.col)?;
            }
            first = false;
            self.stack[self.base + slot as usize] = v;
            match self.exec(body)? {
                Flow::Break => break,
                Flow::Return => return Ok(Flow::Return),
                _ => {}
            }
        }
        Ok(Flow::Normal)
    }

    /// `for (T x : iterable)` over a user Iterable/Iterator or a built-in iterator.
    fn exec_foreach_iterator(
        &mut self,
        s: &'p Stmt,
        slot: u32,
        coll: Value,
        body: &'p Stmt,
    ) -> R<Flow> {
        let mut it = coll;
        if let Value::Obj(o) = &it
            && self.find_method(o.class, "iterator", 0).is_some()
        {
            it = self.call_dynamic(it.clone(), "iterator", Vec::new())?;
        }
        loop {
            let more = self.call_dynamic(it.clone(), "hasnext", Vec::new())?;
            if !matches!(more, Value::Bool(true)) {
                break;
            }
            let v = self.call_dynamic(it.clone(), "next", Vec::new())?;
            self.stack[self.base + slot as usize] = v;
            match self.exec(body)? {
                Flow::Break => break,
                Flow::Return => return Ok(Flow::Return),
                _ => {}
            }
            self.tick(s.line, s.col)?;
        }
        Ok(Flow::Normal)
    }

    fn switch_matches(&mut self, v: &Value, sv: &SwitchValue) -> R<bool> {
        Ok(match (sv, v) {
            (SwitchValue::Null, Value::Null) => true,
            (_, Value::Null) => false,
            (SwitchValue::Int(i), _) => {
                super::ops::num_kind(v).is_some() && super::ops::to_i64(v) == *i
            }
            (SwitchValue::Str(c), Value::Str(s) | Value::Id(s)) => {
                // `switch on` compares strings case-sensitively.
                self.prog.strings[*c as usize].as_ref() == s.as_str()
            }
            (SwitchValue::Enum(o), Value::Enum(_, x) | Value::NativeEnum(_, x)) => o == x,
            (SwitchValue::SObjectType { sobject, slot }, Value::SObj(r))
                if r.borrow().sobject_type == *sobject =>
            {
                self.stack[self.base + *slot as usize] = v.clone();
                true
            }
            _ => false,
        })
    }

    /// Evaluates a condition; null is an error, as on the platform.
    #[inline]
    pub fn eval_cond(&mut self, e: &crate::vm::ir::Expr) -> R<bool> {
        match self.eval(e)? {
            Value::Bool(b) => Ok(b),
            Value::Null => Err(self.npe()),
            _ => Ok(false),
        }
    }
}
