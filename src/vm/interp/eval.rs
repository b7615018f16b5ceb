//! Expression evaluation and assignment.

use std::rc::Rc;

use smallvec::SmallVec;

use super::ops::{convert_num, num_kind};
use super::{Interp, R};
use crate::vm::builtins::NativeFn;
use crate::vm::ir::{BinOp, Expr, Place, SigId};
use crate::vm::types::FnId;
use crate::vm::types::Ty;
use crate::vm::value::{Key, OrderedMap, OrderedSet, Value};

impl<'p> Interp<'p> {
    /// Evaluates an expression. The common cases live here, in a small function;
    /// everything else goes to [`Interp::eval_rest`].
    #[inline]
    pub fn eval(&mut self, e: &Expr) -> R<Value> {
        match e {
            Expr::Local(s) => Ok(self.stack[self.base + *s as usize].clone()),
            Expr::Int(i) => Ok(Value::Int(*i)),
            Expr::IntOp(op, a, b) => self.int_op(*op, a, b),
            Expr::IntOpLocalConst(op, s, k) => {
                let x = self.stack[self.base + *s as usize].clone();
                self.int_values(*op, x, Value::Int(*k))
            }
            Expr::IntOpLocals(op, s, t) => {
                let x = self.stack[self.base + *s as usize].clone();
                let y = self.stack[self.base + *t as usize].clone();
                self.int_values(*op, x, y)
            }
            Expr::Field { obj, idx, safe } if matches!(**obj, Expr::This) && !*safe => {
                self.this_field(*idx)
            }
            Expr::Bool(b) => Ok(Value::Bool(*b)),
            Expr::Null => Ok(Value::Null),
            Expr::Call {
                func,
                recv,
                args,
                safe,
            } => self.eval_call(func, recv, args, safe),
            Expr::VCall {
                sig,
                recv,
                args,
                safe,
                cache,
            } => self.eval_vcall(sig, recv, args, safe, cache),
            Expr::Native {
                f,
                recv,
                args,
                safe,
            } => self.eval_native(f, recv, args, safe),
            Expr::Binary(op, a, b) => self.eval_binary(*op, a, b),
            _ => self.eval_rest(e),
        }
    }

    /// A field of `this`, without touching its reference count.
    fn this_field(&mut self, idx: u32) -> R<Value> {
        if self.eval_this.is_none()
            && let Some(Value::Obj(o)) = self.frames.last().map(|f| &f.this)
        {
            return Ok(o.fields.borrow()[idx as usize].clone());
        }
        match self.this() {
            Value::Obj(o) => Ok(o.fields.borrow()[idx as usize].clone()),
            _ => Err(self.npe()),
        }
    }

    fn int_op(&mut self, op: BinOp, a: &Expr, b: &Expr) -> R<Value> {
        let x = self.eval(a)?;
        let y = self.eval(b)?;
        self.int_values(op, x, y)
    }

    #[inline]
    fn int_values(&mut self, op: BinOp, x: Value, y: Value) -> R<Value> {
        if let (Value::Int(p), Value::Int(q)) = (&x, &y) {
            let (p, q) = (*p, *q);
            std::mem::forget(x);
            std::mem::forget(y);
            return self.int_result(op, p, q);
        }
        self.binary(op, x, y)
    }

    #[inline]
    fn int_result(&mut self, op: BinOp, p: i32, q: i32) -> R<Value> {
        let r = match op {
            BinOp::Add => Value::Int(p.wrapping_add(q)),
            BinOp::Sub => Value::Int(p.wrapping_sub(q)),
            BinOp::Mul => Value::Int(p.wrapping_mul(q)),
            BinOp::Div if q != 0 => Value::Int(p.wrapping_div(q)),
            BinOp::Rem if q != 0 => Value::Int(p.wrapping_rem(q)),
            BinOp::Lt => Value::Bool(p < q),
            BinOp::Le => Value::Bool(p <= q),
            BinOp::Gt => Value::Bool(p > q),
            BinOp::Ge => Value::Bool(p >= q),
            BinOp::Eq | BinOp::ExactEq => Value::Bool(p == q),
            BinOp::Ne | BinOp::ExactNe => Value::Bool(p != q),
            _ => return self.binary(op, Value::Int(p), Value::Int(q)),
        };
        Ok(r)
    }

    #[inline(never)]
    fn eval_rest(&mut self, e: &Expr) -> R<Value> {
        match e {
            Expr::Null => Ok(Value::Null),
            Expr::Bool(b) => Ok(Value::Bool(*b)),
            Expr::Int(i) => Ok(Value::Int(*i)),
            Expr::Long(l) => Ok(Value::Long(*l)),
            Expr::Double(d) => Ok(Value::Double(*d)),
            Expr::Dec(d) => Ok(Value::Dec(*d)),
            Expr::Str(c) => Ok(self.const_str(*c)),
            Expr::Local(s) => Ok(self.stack[self.base + *s as usize].clone()),
            Expr::This => Ok(self.this()),
            Expr::Field { obj, idx, safe } => {
                let o = self.eval(obj)?;
                match o {
                    Value::Obj(o) => Ok(o.fields.borrow()[*idx as usize].clone()),
                    Value::Null if *safe => Ok(Value::Null),
                    Value::Null => Err(self.npe()),
                    _ => Err(self.npe()),
                }
            }
            Expr::Static { class, slot } => {
                self.ensure_init(*class)?;
                Ok(self.statics[*slot as usize].clone())
            }
            Expr::PropGet {
                obj,
                getter,
                class,
                safe,
            } => {
                let this = match obj {
                    Some(o) => {
                        let v = self.eval(o)?;
                        if v.is_null() {
                            return if *safe {
                                Ok(Value::Null)
                            } else {
                                Err(self.npe())
                            };
                        }
                        v
                    }
                    None => {
                        self.ensure_init(*class)?;
                        Value::Null
                    }
                };
                let f = self.prog.func(*getter);
                let base = self.stack.len();
                self.enter(f, this, base)
            }
            Expr::SField {
                obj,
                key,
                api,
                safe,
                ..
            } => {
                let o = self.eval(obj)?;
                if o.is_null() {
                    return if *safe {
                        Ok(Value::Null)
                    } else {
                        Err(self.npe())
                    };
                }
                self.sobject_get_key(&o, key, api)
            }
            Expr::DynGet { obj, name, safe } => {
                let o = self.eval(obj)?;
                if o.is_null() {
                    return if *safe {
                        Ok(Value::Null)
                    } else {
                        Err(self.npe())
                    };
                }
                self.get_member(o, name)
            }
            Expr::Assign { place, value, conv } => {
                let mut v = self.eval(value)?;
                if let Some(t) = conv {
                    v = convert_num(v, t);
                }
                self.assign(place, v.clone())?;
                Ok(v)
            }
            Expr::Compound {
                place,
                op,
                value,
                conv,
            } => self.compound(place, *op, value, conv.as_ref()),
            Expr::IncDec {
                place,
                delta,
                prefix,
            } => {
                let old = self.read_place(place)?;
                let new = match &old {
                    Value::Int(i) => Value::Int(i.wrapping_add(*delta as i32)),
                    Value::Long(l) => Value::Long(l.wrapping_add(*delta as i64)),
                    Value::Dec(d) => Value::Dec(d + rust_decimal::Decimal::from(*delta)),
                    Value::Double(d) => Value::Double(d + *delta as f64),
                    Value::Null => return Err(self.npe()),
                    _ => old.clone(),
                };
                self.assign(place, new.clone())?;
                Ok(if *prefix { new } else { old })
            }
            Expr::Unary(op, x) => {
                let v = self.eval(x)?;
                self.unary(*op, v)
            }
            Expr::Binary(op, a, b) => self.eval_binary(*op, a, b),
            Expr::IntOp(op, a, b) => self.int_op(*op, a, b),
            Expr::IntOpLocalConst(..) | Expr::IntOpLocals(..) => self.eval(e),
            Expr::IncLocal {
                slot,
                delta,
                prefix,
            } => {
                let idx = self.base + *slot as usize;
                match self.stack[idx] {
                    Value::Int(old) => {
                        let new = old.wrapping_add(*delta);
                        self.stack[idx] = Value::Int(new);
                        Ok(Value::Int(if *prefix { new } else { old }))
                    }
                    _ => Err(self.npe()),
                }
            }
            Expr::CompoundLocal {
                slot,
                op,
                value,
                conv,
            } => self.compound_local(*slot, *op, value, conv.as_ref()),
            Expr::And(a, b) => Ok(Value::Bool(self.eval_cond(a)? && self.eval_cond(b)?)),
            Expr::Or(a, b) => Ok(Value::Bool(self.eval_cond(a)? || self.eval_cond(b)?)),
            Expr::Coalesce(a, b) => {
                let v = self.eval(a)?;
                if v.is_null() { self.eval(b) } else { Ok(v) }
            }
            Expr::Ternary(c, a, b) => {
                if self.eval_cond(c)? {
                    self.eval(a)
                } else {
                    self.eval(b)
                }
            }
            Expr::Call {
                func,
                recv,
                args,
                safe,
            } => self.eval_call(func, recv, args, safe),
            Expr::VCall {
                sig,
                recv,
                args,
                safe,
                cache,
            } => self.eval_vcall(sig, recv, args, safe, cache),
            Expr::Native {
                f,
                recv,
                args,
                safe,
            } => self.eval_native(f, recv, args, safe),
            Expr::DynCall {
                recv,
                name,
                args,
                safe,
            } => {
                let this = self.eval(recv)?;
                if this.is_null() {
                    return if *safe {
                        Ok(Value::Null)
                    } else {
                        Err(self.npe())
                    };
                }
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    vals.push(self.eval(a)?);
                }
                self.call_dynamic(this, name, vals)
            }
            Expr::New { class, ctor, args } => self.construct(*class, *ctor, args),
            Expr::NewList { elem, items } => {
                let mut v = Vec::with_capacity(items.len());
                for i in items {
                    let x = self.eval(i)?;
                    v.push(coerce_elem(x, elem));
                }
                Ok(Value::list(elem.clone(), v))
            }
            Expr::NewArray { elem, size } => {
                let n = self.eval(size)?;
                let n = match n {
                    Value::Int(n) if n >= 0 => n as usize,
                    Value::Null => return Err(self.npe()),
                    _ => {
                        return Err(self.throw_sys("ListException", "Invalid list size".into()));
                    }
                };
                Ok(Value::list(elem.clone(), vec![Value::Null; n]))
            }
            Expr::NewSet { elem, items } => {
                let set = Value::set(elem.clone(), OrderedSet::default());
                for i in items {
                    let x = self.eval(i)?;
                    crate::vm::builtins::collections::set_insert(self, &set, x)?;
                }
                Ok(set)
            }
            Expr::NewMap {
                key,
                value,
                entries,
            } => {
                let mut m = OrderedMap::default();
                for (k, v) in entries {
                    let k = self.eval(k)?;
                    let v = self.eval(v)?;
                    m.insert(Key(coerce_elem(k, key)), coerce_elem(v, value));
                }
                Ok(Value::map(key.clone(), value.clone(), m))
            }
            Expr::NewSObject { sobject, fields } => {
                let mut vals = Vec::with_capacity(fields.len());
                for (n, e) in fields {
                    vals.push((n.to_string(), self.eval(e)?));
                }
                self.new_sobject(*sobject, vals)
            }
            Expr::Index { list, index } => {
                let l = self.eval(list)?;
                let i = self.eval(index)?;
                self.index_get(&l, &i)
            }
            Expr::Cast { expr, ty } => {
                let v = self.eval(expr)?;
                self.cast(v, ty)
            }
            Expr::Convert { expr, ty } => {
                let v = self.eval(expr)?;
                Ok(convert_num(v, ty))
            }
            Expr::InstanceOf { expr, ty } => {
                let v = self.eval(expr)?;
                Ok(Value::Bool(!v.is_null() && self.is_instance(&v, ty)))
            }
            Expr::TypeLit(t) => Ok(Value::Type(Rc::new(t.clone()))),
            Expr::EnumConst { class, ordinal } => {
                self.ensure_init(*class)?;
                Ok(Value::Enum(*class, *ordinal))
            }
            Expr::NativeEnumConst { e, ordinal } => Ok(Value::NativeEnum(*e, *ordinal)),
            Expr::EnumValues(c) => {
                self.ensure_init(*c)?;
                let n = self.prog.class(*c).enum_constants.len() as u32;
                Ok(Value::list(
                    Ty::Class(*c),
                    (0..n).map(|o| Value::Enum(*c, o)).collect(),
                ))
            }
            Expr::EnumValueOf(c, e) => {
                let v = self.eval(e)?;
                let name = match &v {
                    Value::Str(s) => s.clone(),
                    _ => return Err(self.npe()),
                };
                let cls = self.prog.class(*c);
                match cls.enum_constants.iter().position(|x| x == name.as_str()) {
                    Some(o) => Ok(Value::Enum(*c, o as u32)),
                    None => {
                        let t = cls.type_name();
                        Err(self.throw_sys(
                            "NoSuchElementException",
                            format!("No enum constant {t}.{name}"),
                        ))
                    }
                }
            }
            Expr::Soql(q) => crate::vm::platform::query::run_inline(self, q),
            Expr::SingleRow(e) => {
                let v = self.eval(e)?;
                crate::vm::platform::query::single_row(self, v)
            }
            Expr::CopyCollection { target, source } => {
                let v = self.eval(source)?;
                crate::vm::builtins::collections::copy_collection(self, target, v)
            }
        }
    }

    #[inline(never)]
    #[allow(clippy::ptr_arg)]
    fn eval_call(
        &mut self,
        func: &FnId,
        recv: &Option<Box<Expr>>,
        args: &Vec<Expr>,
        safe: &bool,
    ) -> R<Value> {
        let f = self.prog.func(*func);
        let this = match recv {
            Some(r) => {
                let v = self.eval(r)?;
                if v.is_null() {
                    return if *safe {
                        Ok(Value::Null)
                    } else {
                        Err(self.npe())
                    };
                }
                v
            }
            None => {
                self.ensure_init(f.class)?;
                Value::Null
            }
        };
        self.invoke(f, this, args)
    }

    #[inline(never)]
    #[allow(clippy::ptr_arg)]
    fn eval_vcall(
        &mut self,
        sig: &SigId,
        recv: &Expr,
        args: &Vec<Expr>,
        safe: &bool,
        cache: &std::sync::atomic::AtomicU64,
    ) -> R<Value> {
        let this = self.eval(recv)?;
        if this.is_null() {
            return if *safe {
                Ok(Value::Null)
            } else {
                Err(self.npe())
            };
        }
        let f = self.dispatch_cached(&this, *sig, cache)?;
        self.invoke(f, this, args)
    }

    #[inline(never)]
    #[allow(clippy::ptr_arg)]
    fn eval_native(
        &mut self,
        f: &NativeFn,
        recv: &Option<Box<Expr>>,
        args: &Vec<Expr>,
        safe: &bool,
    ) -> R<Value> {
        let this = match recv {
            Some(r) => {
                let v = self.eval(r)?;
                if v.is_null() {
                    return if *safe {
                        Ok(Value::Null)
                    } else {
                        Err(self.npe())
                    };
                }
                v
            }
            None => Value::Null,
        };
        let mut vals: SmallVec<[Value; 4]> = SmallVec::with_capacity(args.len());
        for a in args {
            vals.push(self.eval(a)?);
        }
        if self.log.is_some() {
            self.log_system(*f, &vals, true);
            let r = f(self, this, &vals);
            self.log_system(*f, &vals, false);
            return r;
        }
        f(self, this, &vals)
    }

    #[inline(never)]
    fn eval_binary(&mut self, op: BinOp, a: &Expr, b: &Expr) -> R<Value> {
        let x = self.eval(a)?;
        let y = self.eval(b)?;
        self.binary(op, x, y)
    }

    /// `this` of the current frame.
    pub fn this(&self) -> Value {
        if let Some((depth, this)) = &self.eval_this
            && *depth == self.frames.len()
        {
            return this.clone();
        }
        self.frames
            .last()
            .map(|f| f.this.clone())
            .unwrap_or_default()
    }

    fn compound_local(
        &mut self,
        slot: u32,
        op: BinOp,
        value: &Expr,
        conv: Option<&Ty>,
    ) -> R<Value> {
        let idx = self.base + slot as usize;
        // Strings grow in place when unshared.
        if op == BinOp::Add && matches!(self.stack[idx], Value::Str(_)) {
            return self.compound(&Place::Local(slot), op, value, conv);
        }
        let rhs = self.eval(value)?;
        let old = std::mem::take(&mut self.stack[idx]);
        let new = match (&old, &rhs, op) {
            (Value::Int(a), Value::Int(b), BinOp::Add) => Value::Int(a.wrapping_add(*b)),
            (Value::Int(a), Value::Int(b), BinOp::Sub) => Value::Int(a.wrapping_sub(*b)),
            (Value::Long(a), Value::Int(b), BinOp::Add) => Value::Long(a.wrapping_add(*b as i64)),
            (Value::Long(a), Value::Long(b), BinOp::Add) => Value::Long(a.wrapping_add(*b)),
            _ => match self.binary(op, old.clone(), rhs) {
                Ok(v) => match conv {
                    Some(t) => convert_num(v, t),
                    None => v,
                },
                Err(e) => {
                    self.stack[idx] = old;
                    return Err(e);
                }
            },
        };
        self.stack[idx] = new.clone();
        Ok(new)
    }

    fn compound(&mut self, place: &Place, op: BinOp, value: &Expr, conv: Option<&Ty>) -> R<Value> {
        // Fast path: `s += x` on a local string grows the string in place when unshared.
        if let (Place::Local(slot), BinOp::Add) = (place, op) {
            let idx = self.base + *slot as usize;
            if matches!(self.stack[idx], Value::Str(_)) {
                let rhs = self.eval(value)?;
                let add = match &rhs {
                    Value::Str(s) => Some(s.clone()),
                    _ => None,
                };
                let text = match add {
                    Some(s) => s,
                    None => Rc::new(self.to_display(&rhs)?),
                };
                if let Value::Str(cur) = &mut self.stack[idx] {
                    Rc::make_mut(cur).push_str(&text);
                    return Ok(self.stack[idx].clone());
                }
            }
        }
        let old = self.read_place(place)?;
        let rhs = self.eval(value)?;
        let mut v = self.binary(op, old, rhs)?;
        if let Some(t) = conv {
            v = convert_num(v, t);
        }
        self.assign(place, v.clone())?;
        Ok(v)
    }

    /// Reads the current value of a place.
    pub fn read_place(&mut self, place: &Place) -> R<Value> {
        match place {
            Place::Local(s) => Ok(self.stack[self.base + *s as usize].clone()),
            Place::Field { obj, idx } => match self.eval(obj)? {
                Value::Obj(o) => Ok(o.fields.borrow()[*idx as usize].clone()),
                _ => Err(self.npe()),
            },
            Place::Static { class, slot } => {
                self.ensure_init(*class)?;
                Ok(self.statics[*slot as usize].clone())
            }
            Place::Index { list, index } => {
                let l = self.eval(list)?;
                let i = self.eval(index)?;
                self.index_get(&l, &i)
            }
            Place::Prop {
                obj,
                getter,
                getter_field,
                class,
                ..
            } => {
                let this = match obj {
                    Some(o) => self.eval(o)?,
                    None => {
                        self.ensure_init(*class)?;
                        Value::Null
                    }
                };
                if let Some(g) = getter {
                    let f = self.prog.func(*g);
                    let base = self.stack.len();
                    return self.enter(f, this, base);
                }
                match (getter_field, &this) {
                    (Some(i), Value::Obj(o)) => Ok(o.fields.borrow()[*i as usize].clone()),
                    (Some(i), Value::Null) => Ok(self.statics[*i as usize].clone()),
                    _ => Ok(Value::Null),
                }
            }
            Place::Dyn { obj, name } => {
                let o = self.eval(obj)?;
                if o.is_null() {
                    return Err(self.npe());
                }
                self.get_member(o, name)
            }
            Place::Native { get, .. } => self.eval(get),
            Place::SField { obj, key, api, .. } => {
                let o = self.eval(obj)?;
                if o.is_null() {
                    return Err(self.npe());
                }
                self.sobject_get_key(&o, key, api)
            }
        }
    }

    /// Stores a value into a place.
    pub fn assign(&mut self, place: &Place, v: Value) -> R<()> {
        match place {
            Place::Local(s) => {
                if self.log.is_some() {
                    self.log_assign_slot(*s, &v);
                }
                self.stack[self.base + *s as usize] = v;
                Ok(())
            }
            Place::Field { obj, idx } => match self.eval(obj)? {
                Value::Obj(o) => {
                    o.fields.borrow_mut()[*idx as usize] = v;
                    Ok(())
                }
                _ => Err(self.npe()),
            },
            Place::Static { class, slot } => {
                self.ensure_init(*class)?;
                self.statics[*slot as usize] = v;
                Ok(())
            }
            Place::Index { list, index } => {
                let l = self.eval(list)?;
                let i = self.eval(index)?;
                self.index_set(&l, &i, v)
            }
            Place::Prop {
                obj, setter, class, ..
            } => {
                let this = match obj {
                    Some(o) => {
                        let t = self.eval(o)?;
                        if t.is_null() {
                            return Err(self.npe());
                        }
                        t
                    }
                    None => {
                        self.ensure_init(*class)?;
                        Value::Null
                    }
                };
                self.call_function(*setter, this, vec![v])?;
                Ok(())
            }
            Place::Dyn { obj, name } => {
                let o = self.eval(obj)?;
                if o.is_null() {
                    return Err(self.npe());
                }
                self.set_member(o, name, v)
            }
            Place::Native { set, .. } => set(self, Value::Null, &[v]).map(|_| ()),
            Place::SField { obj, key, api, ty } => {
                let o = self.eval(obj)?;
                if o.is_null() {
                    return Err(self.npe());
                }
                self.sobject_put_key(&o, key, api, ty, v)
            }
        }
    }

    fn index_get(&mut self, l: &Value, i: &Value) -> R<Value> {
        match l {
            Value::List(list) => {
                let Some(idx) = i.as_i64() else {
                    return Err(self.npe());
                };
                let list = list.borrow();
                match list.items.get(idx as usize) {
                    Some(v) if idx >= 0 => Ok(v.clone()),
                    _ => {
                        drop(list);
                        Err(self
                            .throw_sys("ListException", format!("List index out of bounds: {idx}")))
                    }
                }
            }
            Value::Null => Err(self.npe()),
            _ => Err(self.throw_sys("TypeException", "Only lists can be indexed".into())),
        }
    }

    fn index_set(&mut self, l: &Value, i: &Value, v: Value) -> R<()> {
        match l {
            Value::List(list) => {
                let Some(idx) = i.as_i64() else {
                    return Err(self.npe());
                };
                let mut list = list.borrow_mut();
                let v = coerce_elem(v, &list.elem);
                let n = list.items.len();
                if idx < 0 || idx as usize >= n {
                    drop(list);
                    return Err(
                        self.throw_sys("ListException", format!("List index out of bounds: {idx}"))
                    );
                }
                list.items[idx as usize] = v;
                Ok(())
            }
            _ => Err(self.npe()),
        }
    }

    /// Reads a named member at run time: sObject fields and relationship paths, or user object fields.
    pub fn get_member(&mut self, o: Value, name: &str) -> R<Value> {
        match &o {
            Value::SObj(_) => self.sobject_get(&o, name),
            Value::Obj(obj) => {
                let c = self.prog.class(obj.class);
                if let Some(f) = c.fields.iter().find(|f| f.name.eq_ignore_ascii_case(name)) {
                    if let Some(g) = f.getter {
                        return self.call_function(g, o.clone(), Vec::new());
                    }
                    return Ok(obj.fields.borrow()[f.slot as usize].clone());
                }
                let t = self.runtime_type_name(&o);
                Err(self.throw_sys("SObjectException", format!("Invalid field {name} for {t}")))
            }
            _ => crate::vm::builtins::get_native_member(self, o, name),
        }
    }

    /// Writes a named member at run time.
    pub fn set_member(&mut self, o: Value, name: &str, v: Value) -> R<()> {
        match &o {
            Value::SObj(_) => self.sobject_put(&o, name, v),
            Value::Obj(obj) => {
                let c = self.prog.class(obj.class);
                if let Some(f) = c.fields.iter().find(|f| f.name.eq_ignore_ascii_case(name)) {
                    if let Some(s) = f.setter {
                        self.call_function(s, o.clone(), vec![v])?;
                        return Ok(());
                    }
                    let v = convert_if_numeric(v, &f.ty);
                    obj.fields.borrow_mut()[f.slot as usize] = v;
                    return Ok(());
                }
                let t = self.runtime_type_name(&o);
                Err(self.throw_sys("SObjectException", format!("Invalid field {name} for {t}")))
            }
            Value::Native(_) => {
                if crate::vm::platform::describe::set_record_field(&o, name, v) {
                    return Ok(());
                }
                let t = self.runtime_type_name(&o);
                Err(self.throw_sys(
                    "TypeException",
                    format!("Variable does not exist: {name} on {t}"),
                ))
            }
            _ => Err(self.npe()),
        }
    }
}

/// Converts numbers stored into typed collections (`List<Decimal>` holding an Integer literal).
#[inline]
pub fn coerce_elem(v: Value, elem: &Ty) -> Value {
    if num_kind(&v).is_some() && elem.is_numeric() {
        convert_num(v, elem)
    } else if let (Value::Str(s), Ty::Id) = (&v, elem) {
        Value::Id(s.clone())
    } else {
        v
    }
}

/// Numeric widening when storing into a field of a numeric type.
pub fn convert_if_numeric(v: Value, ty: &Ty) -> Value {
    if ty.is_numeric() && num_kind(&v).is_some() {
        convert_num(v, ty)
    } else {
        v
    }
}
