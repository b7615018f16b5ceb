//! Arithmetic, comparison, equality and conversions with Apex's rules.

use std::cmp::Ordering;
use std::rc::Rc;

use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};

use super::{Interp, R};
use crate::vm::ir::{BinOp, UnOp};
use crate::vm::types::Ty;
use crate::vm::value::Value;

/// The numeric kind two operands promote to.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Num {
    Int,
    Long,
    Dec,
    Double,
}

pub fn num_kind(v: &Value) -> Option<Num> {
    match v {
        Value::Int(_) => Some(Num::Int),
        Value::Long(_) => Some(Num::Long),
        Value::Dec(_) => Some(Num::Dec),
        Value::Double(_) => Some(Num::Double),
        _ => None,
    }
}

/// Any number as i64 (truncating decimals).
pub fn to_i64(v: &Value) -> i64 {
    match v {
        Value::Int(i) => *i as i64,
        Value::Long(l) => *l,
        Value::Dec(d) => d.trunc().to_i64().unwrap_or(0),
        Value::Double(d) => *d as i64,
        _ => 0,
    }
}

/// Any number as Decimal.
pub fn to_dec(v: &Value) -> Decimal {
    match v {
        Value::Int(i) => Decimal::from(*i),
        Value::Long(l) => Decimal::from(*l),
        Value::Dec(d) => *d,
        Value::Double(d) => Decimal::from_f64(*d).unwrap_or_default(),
        _ => Decimal::ZERO,
    }
}

/// Any number as f64.
pub fn to_f64(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Long(l) => *l as f64,
        Value::Dec(d) => d.to_f64().unwrap_or(0.0),
        Value::Double(d) => *d,
        _ => 0.0,
    }
}

/// Converts a number to the given numeric type (widening or explicit cast).
pub fn convert_num(v: Value, to: &Ty) -> Value {
    match (to, &v) {
        (_, Value::Null) => Value::Null,
        (Ty::Integer, Value::Int(_)) => v,
        (Ty::Integer, _) => Value::Int(to_i64(&v) as i32),
        (Ty::Long, Value::Long(_)) => v,
        (Ty::Long, _) => Value::Long(to_i64(&v)),
        (Ty::Decimal, Value::Dec(_)) => v,
        (Ty::Decimal, Value::Double(d)) => {
            Value::Dec(Decimal::from_f64_retain(*d).unwrap_or_default())
        }
        (Ty::Decimal, _) => Value::Dec(to_dec(&v)),
        (Ty::Double, Value::Double(_)) => v,
        (Ty::Double, _) => Value::Double(to_f64(&v)),
        _ => v,
    }
}

impl Interp<'_> {
    /// Evaluates a binary operator on two values.
    pub fn binary(&mut self, op: BinOp, a: Value, b: Value) -> R<Value> {
        use Value::*;
        match op {
            BinOp::Add => match (&a, &b) {
                (Int(x), Int(y)) => Ok(Int(x.wrapping_add(*y))),
                (Str(_) | Id(_), _) | (_, Str(_) | Id(_)) => {
                    let mut s = self.to_display(&a)?;
                    s.push_str(&self.to_display(&b)?);
                    Ok(Value::str(s))
                }
                (Date(d), _) if num_kind(&b).is_some() => {
                    Ok(Date(*d + chrono::Duration::days(to_i64(&b))))
                }
                (Datetime(d), _) if num_kind(&b).is_some() => Ok(Datetime(
                    *d + chrono::Duration::milliseconds((to_f64(&b) * 86_400_000.0) as i64),
                )),
                _ => self.arith(op, a, b),
            },
            BinOp::Sub => match (&a, &b) {
                (Int(x), Int(y)) => Ok(Int(x.wrapping_sub(*y))),
                (Date(d), _) if num_kind(&b).is_some() => {
                    Ok(Date(*d - chrono::Duration::days(to_i64(&b))))
                }
                _ => self.arith(op, a, b),
            },
            BinOp::Mul | BinOp::Div | BinOp::Rem => self.arith(op, a, b),
            BinOp::Eq => Ok(Bool(self.apex_eq(&a, &b)?)),
            BinOp::Ne => Ok(Bool(!self.apex_eq(&a, &b)?)),
            BinOp::ExactEq => Ok(Bool(exact_eq(&a, &b))),
            BinOp::ExactNe => Ok(Bool(!exact_eq(&a, &b))),
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let Some(ord) = self.compare(&a, &b)? else {
                    return Ok(Bool(false));
                };
                Ok(Bool(match op {
                    BinOp::Lt => ord == Ordering::Less,
                    BinOp::Le => ord != Ordering::Greater,
                    BinOp::Gt => ord == Ordering::Greater,
                    _ => ord != Ordering::Less,
                }))
            }
            BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => match (&a, &b) {
                (Bool(x), Bool(y)) => Ok(Bool(match op {
                    BinOp::BitAnd => x & y,
                    BinOp::BitOr => x | y,
                    _ => x ^ y,
                })),
                _ => self.bits(op, a, b),
            },
            BinOp::Shl | BinOp::Shr | BinOp::UShr => self.bits(op, a, b),
        }
    }

    fn bits(&mut self, op: BinOp, a: Value, b: Value) -> R<Value> {
        if a.is_null() || b.is_null() {
            return Err(self.npe());
        }
        let long = matches!(a, Value::Long(_)) || matches!(b, Value::Long(_));
        let (x, y) = (to_i64(&a), to_i64(&b));
        if long {
            Ok(Value::Long(match op {
                BinOp::BitAnd => x & y,
                BinOp::BitOr => x | y,
                BinOp::BitXor => x ^ y,
                BinOp::Shl => x.wrapping_shl(y as u32),
                BinOp::Shr => x.wrapping_shr(y as u32),
                _ => ((x as u64).wrapping_shr(y as u32)) as i64,
            }))
        } else {
            let (x, y) = (x as i32, y as i32);
            Ok(Value::Int(match op {
                BinOp::BitAnd => x & y,
                BinOp::BitOr => x | y,
                BinOp::BitXor => x ^ y,
                BinOp::Shl => x.wrapping_shl(y as u32),
                BinOp::Shr => x.wrapping_shr(y as u32),
                _ => ((x as u32).wrapping_shr(y as u32)) as i32,
            }))
        }
    }

    fn arith(&mut self, op: BinOp, a: Value, b: Value) -> R<Value> {
        let (Some(ka), Some(kb)) = (num_kind(&a), num_kind(&b)) else {
            if a.is_null() || b.is_null() {
                return Err(self.npe());
            }
            let msg = format!(
                "Arithmetic expressions must use numeric arguments: {} {} {}",
                self.runtime_type_name(&a),
                op_symbol(op),
                self.runtime_type_name(&b)
            );
            return Err(self.throw_sys("TypeException", msg));
        };
        match ka.max(kb) {
            Num::Int => {
                let (x, y) = (to_i64(&a) as i32, to_i64(&b) as i32);
                Ok(Value::Int(match op {
                    BinOp::Add => x.wrapping_add(y),
                    BinOp::Sub => x.wrapping_sub(y),
                    BinOp::Mul => x.wrapping_mul(y),
                    BinOp::Div => {
                        if y == 0 {
                            return Err(self.divide_by_zero());
                        }
                        x.wrapping_div(y)
                    }
                    _ => {
                        if y == 0 {
                            return Err(self.divide_by_zero());
                        }
                        x.wrapping_rem(y)
                    }
                }))
            }
            Num::Long => {
                let (x, y) = (to_i64(&a), to_i64(&b));
                Ok(Value::Long(match op {
                    BinOp::Add => x.wrapping_add(y),
                    BinOp::Sub => x.wrapping_sub(y),
                    BinOp::Mul => x.wrapping_mul(y),
                    BinOp::Div => {
                        if y == 0 {
                            return Err(self.divide_by_zero());
                        }
                        x.wrapping_div(y)
                    }
                    _ => {
                        if y == 0 {
                            return Err(self.divide_by_zero());
                        }
                        x.wrapping_rem(y)
                    }
                }))
            }
            Num::Dec => {
                let (x, y) = (to_dec(&a), to_dec(&b));
                let r = match op {
                    BinOp::Add => x.checked_add(y),
                    BinOp::Sub => x.checked_sub(y),
                    BinOp::Mul => x.checked_mul(y),
                    BinOp::Div => {
                        if y.is_zero() {
                            return Err(self.divide_by_zero());
                        }
                        x.checked_div(y).map(|q| decimal_quotient(x, y, q))
                    }
                    _ => {
                        if y.is_zero() {
                            return Err(self.divide_by_zero());
                        }
                        x.checked_rem(y)
                    }
                };
                match r {
                    Some(d) => Ok(Value::Dec(d)),
                    None => Err(self.throw_sys("MathException", "Decimal overflow".into())),
                }
            }
            Num::Double => {
                let (x, y) = (to_f64(&a), to_f64(&b));
                Ok(Value::Double(match op {
                    BinOp::Add => x + y,
                    BinOp::Sub => x - y,
                    BinOp::Mul => x * y,
                    BinOp::Div => {
                        if y == 0.0 {
                            return Err(self.divide_by_zero());
                        }
                        x / y
                    }
                    _ => x % y,
                }))
            }
        }
    }

    fn divide_by_zero(&mut self) -> super::Throw {
        self.throw_sys("MathException", "Divide by 0".into())
    }

    /// Unary operators.
    pub fn unary(&mut self, op: UnOp, v: Value) -> R<Value> {
        match (op, v) {
            (_, Value::Null) => Err(self.npe()),
            (UnOp::Not, Value::Bool(b)) => Ok(Value::Bool(!b)),
            (UnOp::Neg, Value::Int(i)) => Ok(Value::Int(i.wrapping_neg())),
            (UnOp::Neg, Value::Long(i)) => Ok(Value::Long(i.wrapping_neg())),
            (UnOp::Neg, Value::Dec(d)) => Ok(Value::Dec(-d)),
            (UnOp::Neg, Value::Double(d)) => Ok(Value::Double(-d)),
            (UnOp::BitNot, Value::Int(i)) => Ok(Value::Int(!i)),
            (UnOp::BitNot, Value::Long(i)) => Ok(Value::Long(!i)),
            (_, v) => Ok(v),
        }
    }

    /// Apex `==`: case-insensitive strings, numbers across kinds, deep collections,
    /// user `equals` when a class defines it.
    pub fn apex_eq(&mut self, a: &Value, b: &Value) -> R<bool> {
        use Value::*;
        Ok(match (a, b) {
            (Null, Null) => true,
            (Null, _) | (_, Null) => false,
            (Str(x), Str(y)) => x.eq_ignore_ascii_case(y) || (x.to_lowercase() == y.to_lowercase()),
            (Id(x), Id(y)) => x == y,
            (Id(x), Str(y)) | (Str(y), Id(x)) => {
                x.as_str() == y.as_str() || (y.len() == 15 && x.starts_with(y.as_str()))
            }
            (Bool(x), Bool(y)) => x == y,
            _ if num_kind(a).is_some() && num_kind(b).is_some() => {
                self.compare(a, b)? == Some(Ordering::Equal)
            }
            (List(x), List(y)) => {
                if Rc::ptr_eq(x, y) {
                    return Ok(true);
                }
                let (xs, ys) = (x.borrow().items.clone(), y.borrow().items.clone());
                if xs.len() != ys.len() {
                    return Ok(false);
                }
                for (p, q) in xs.iter().zip(&ys) {
                    if !self.apex_eq(p, q)? {
                        return Ok(false);
                    }
                }
                true
            }
            (Obj(x), Obj(_)) => {
                if let Some(f) = self.find_method(x.class, "equals", 1) {
                    let r = self.call_function(f, a.clone(), vec![b.clone()])?;
                    matches!(r, Bool(true))
                } else {
                    a.same_ref(b)
                }
            }
            _ => crate::vm::value::Key(a.clone()) == crate::vm::value::Key(b.clone()),
        })
    }

    /// Ordering for `<`, `>`, sorting: None when either side is null (or incomparable).
    pub fn compare(&mut self, a: &Value, b: &Value) -> R<Option<Ordering>> {
        use Value::*;
        Ok(match (a, b) {
            (Null, _) | (_, Null) => None,
            (Int(x), Int(y)) => Some(x.cmp(y)),
            (Str(x) | Id(x), Str(y) | Id(y)) => Some(compare_strings(x, y)),
            (Date(x), Date(y)) => Some(x.cmp(y)),
            (Datetime(x), Datetime(y)) => Some(x.cmp(y)),
            (Time(x), Time(y)) => Some(x.cmp(y)),
            (Bool(x), Bool(y)) => Some(x.cmp(y)),
            (Enum(_, x), Enum(_, y)) => Some(x.cmp(y)),
            _ => match (num_kind(a), num_kind(b)) {
                (Some(ka), Some(kb)) => match ka.max(kb) {
                    Num::Int | Num::Long => Some(to_i64(a).cmp(&to_i64(b))),
                    Num::Dec => Some(to_dec(a).cmp(&to_dec(b))),
                    Num::Double => to_f64(a).partial_cmp(&to_f64(b)),
                },
                _ => None,
            },
        })
    }
}

/// Case-insensitive string order, ties broken case-sensitively.
pub fn compare_strings(a: &str, b: &str) -> Ordering {
    let la = a.to_lowercase();
    let lb = b.to_lowercase();
    la.cmp(&lb)
}

/// `===`: identity for references, value equality for primitives.
pub fn exact_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => x == y,
        _ if a.address().is_some() || b.address().is_some() => a.same_ref(b),
        _ => crate::vm::value::Key(a.clone()) == crate::vm::value::Key(b.clone()),
    }
}

/// The scale of a Decimal quotient follows Java's BigDecimal: the exact quotient at the
/// preferred scale (dividend scale minus divisor scale), or more digits when needed.
fn decimal_quotient(x: Decimal, y: Decimal, q: Decimal) -> Decimal {
    let preferred = x.scale().saturating_sub(y.scale());
    let mut n = q.normalize();
    if n.scale() < preferred {
        n.rescale(preferred);
    }
    n
}

fn op_symbol(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::Div => "/",
        _ => "%",
    }
}
