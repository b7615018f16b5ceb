//! `Integer`, `Long`, `Decimal`, `Double`, `Boolean` and `Math`.

use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::{Decimal, RoundingStrategy};

use super::{Method, Ret, arg_int, arg_str, m};
use crate::vm::interp::ops::{num_kind, to_dec, to_f64, to_i64};
use crate::vm::interp::{Interp, R};
use crate::vm::value::Value;

pub static METHODS: &[Method] = &[
    m("intvalue", 0, 0, Ret::Int, int_value),
    m("longvalue", 0, 0, Ret::Long, long_value),
    m("doublevalue", 0, 0, Ret::Double, double_value),
    m("decimalvalue", 0, 0, Ret::Dec, decimal_value),
    m("format", 0, 0, Ret::Str, format),
    m("setscale", 1, 2, Ret::Dec, set_scale),
    m("round", 0, 1, Ret::Long, round),
    m("scale", 0, 0, Ret::Int, scale),
    m("precision", 0, 0, Ret::Int, precision),
    m("abs", 0, 0, Ret::Recv, abs),
    m("divide", 2, 3, Ret::Dec, divide),
    m("pow", 1, 1, Ret::Recv, pow),
    m("striptrailingzeros", 0, 0, Ret::Dec, strip_trailing_zeros),
    m("toplainstring", 0, 0, Ret::Str, to_plain_string),
    m("tostring", 0, 0, Ret::Str, to_string),
    m("equals", 1, 1, Ret::Bool, equals),
    m("hashcode", 0, 0, Ret::Int, super::misc::hash_code),
];

pub static BOOLEAN_METHODS: &[Method] = &[
    m("equals", 1, 1, Ret::Bool, equals),
    m("tostring", 0, 0, Ret::Str, to_string),
];

pub static INTEGER_STATICS: &[Method] = &[m("valueof", 1, 1, Ret::Int, integer_value_of)];
pub static LONG_STATICS: &[Method] = &[m("valueof", 1, 1, Ret::Long, long_value_of)];
pub static DECIMAL_STATICS: &[Method] = &[m("valueof", 1, 1, Ret::Dec, decimal_value_of)];
pub static DOUBLE_STATICS: &[Method] = &[m("valueof", 1, 1, Ret::Double, double_value_of)];
pub static BOOLEAN_STATICS: &[Method] = &[m("valueof", 1, 1, Ret::Bool, boolean_value_of)];

pub static MATH: &[Method] = &[
    m("abs", 1, 1, Ret::Arg0, math_abs),
    m("max", 2, 2, Ret::NumArgs, math_max),
    m("min", 2, 2, Ret::NumArgs, math_min),
    m("mod", 2, 2, Ret::NumArgs, math_mod),
    m("pow", 2, 2, Ret::Double, math_pow),
    m("sqrt", 1, 1, Ret::Double, math_sqrt),
    m("cbrt", 1, 1, Ret::Double, math_cbrt),
    m("exp", 1, 1, Ret::Double, math_exp),
    m("log", 1, 1, Ret::Double, math_log),
    m("log10", 1, 1, Ret::Double, math_log10),
    m("sin", 1, 1, Ret::Double, math_sin),
    m("cos", 1, 1, Ret::Double, math_cos),
    m("tan", 1, 1, Ret::Double, math_tan),
    m("round", 1, 1, Ret::Int, math_round),
    m("roundtolong", 1, 1, Ret::Long, math_round_to_long),
    m("floor", 1, 1, Ret::Arg0, math_floor),
    m("ceil", 1, 1, Ret::Arg0, math_ceil),
    m("signum", 1, 1, Ret::Arg0, math_signum),
    m("random", 0, 0, Ret::Double, math_random),
];

fn recv_num(i: &mut Interp<'_>, r: &Value) -> R<Value> {
    if num_kind(r).is_none() {
        return Err(i.npe());
    }
    Ok(r.clone())
}

fn int_value(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let v = recv_num(i, &r)?;
    Ok(Value::Int(to_i64(&v) as i32))
}

fn long_value(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let v = recv_num(i, &r)?;
    Ok(Value::Long(to_i64(&v)))
}

fn double_value(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let v = recv_num(i, &r)?;
    Ok(Value::Double(to_f64(&v)))
}

fn decimal_value(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let v = recv_num(i, &r)?;
    Ok(Value::Dec(to_dec(&v)))
}

/// Groups an integer's digits by thousands (`1234567` gives `1,234,567`).
fn group(int_part: &str) -> String {
    let (sign, digits) = match int_part.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", int_part),
    };
    let mut out = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// A number in the en_US locale, as `format()` and `String.format` print it: grouped
/// thousands, at most `max_frac` fraction digits (half-even), no trailing zeros.
pub fn format_number(v: &Value, max_frac: u32) -> String {
    match v {
        Value::Int(_) | Value::Long(_) => group(&to_i64(v).to_string()),
        _ => {
            let d =
                to_dec(v).round_dp_with_strategy(max_frac, RoundingStrategy::MidpointNearestEven);
            let s = d.normalize().to_string();
            let (int_part, frac) = match s.split_once('.') {
                Some((a, b)) => (a.to_string(), Some(b.to_string())),
                None => (s.clone(), None),
            };
            match frac {
                Some(f) => format!("{}.{f}", group(&int_part)),
                None => group(&int_part),
            }
        }
    }
}

fn format(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let v = recv_num(i, &r)?;
    let max = match &v {
        Value::Dec(d) => d.scale().max(3),
        _ => 3,
    };
    Ok(Value::str(format_number(&v, max)))
}

/// Maps `RoundingMode` ordinals to rust_decimal strategies.
pub fn strategy(mode: &Value) -> Option<RoundingStrategy> {
    let Value::NativeEnum(crate::vm::types::NativeEnum::RoundingMode, o) = mode else {
        return Some(RoundingStrategy::MidpointNearestEven);
    };
    Some(match *o {
        0 => RoundingStrategy::ToPositiveInfinity,
        1 => RoundingStrategy::ToZero,
        2 => RoundingStrategy::ToNegativeInfinity,
        3 => RoundingStrategy::MidpointTowardZero,
        4 => RoundingStrategy::MidpointNearestEven,
        5 => RoundingStrategy::MidpointAwayFromZero,
        6 => return None,
        _ => RoundingStrategy::AwayFromZero,
    })
}

/// Rounds to `scale` places with a RoundingMode value; UNNECESSARY fails when rounding is needed.
fn rescale(i: &mut Interp<'_>, d: Decimal, scale: i64, mode: &Value) -> R<Decimal> {
    let scale = scale.clamp(0, 28) as u32;
    let rounded = match strategy(mode) {
        Some(s) => d.round_dp_with_strategy(scale, s),
        None => {
            let r = d.round_dp_with_strategy(scale, RoundingStrategy::ToZero);
            if r != d {
                return Err(i.throw_sys("MathException", "Rounding necessary".into()));
            }
            r
        }
    };
    let mut out = rounded;
    out.rescale(scale);
    Ok(out)
}

fn set_scale(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let v = recv_num(i, &r)?;
    let scale = arg_int(i, a, 0)?;
    let mode = a.get(1).cloned().unwrap_or_default();
    Ok(Value::Dec(rescale(i, to_dec(&v), scale, &mode)?))
}

fn round(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let v = recv_num(i, &r)?;
    let mode = a.first().cloned().unwrap_or_default();
    let d = rescale(i, to_dec(&v), 0, &mode)?;
    Ok(Value::Long(d.to_i64().unwrap_or(0)))
}

fn scale(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let v = recv_num(i, &r)?;
    Ok(Value::Int(to_dec(&v).scale() as i32))
}

fn precision(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let v = recv_num(i, &r)?;
    let d = to_dec(&v);
    let digits = d.mantissa().unsigned_abs().to_string().len() as i32;
    Ok(Value::Int(digits.max(1)))
}

fn abs(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let v = recv_num(i, &r)?;
    Ok(match v {
        Value::Int(x) => Value::Int(x.wrapping_abs()),
        Value::Long(x) => Value::Long(x.wrapping_abs()),
        Value::Dec(x) => Value::Dec(x.abs()),
        Value::Double(x) => Value::Double(x.abs()),
        v => v,
    })
}

fn divide(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let v = recv_num(i, &r)?;
    let d = to_dec(a.first().unwrap_or(&Value::Null));
    if d.is_zero() {
        return Err(i.throw_sys("MathException", "Divide by 0".into()));
    }
    let scale = arg_int(i, a, 1)?;
    let mode = a.get(2).cloned().unwrap_or_default();
    let q = to_dec(&v)
        .checked_div(d)
        .ok_or_else(|| i.throw_sys("MathException", "Decimal overflow".into()))?;
    Ok(Value::Dec(rescale(i, q, scale, &mode)?))
}

fn pow(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let v = recv_num(i, &r)?;
    let n = arg_int(i, a, 0)?;
    Ok(match v {
        Value::Double(x) => Value::Double(x.powi(n as i32)),
        v => {
            let mut acc = Decimal::ONE;
            let base = to_dec(&v);
            for _ in 0..n.max(0) {
                acc = acc
                    .checked_mul(base)
                    .ok_or_else(|| i.throw_sys("MathException", "Decimal overflow".into()))?;
            }
            Value::Dec(acc)
        }
    })
}

fn strip_trailing_zeros(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let v = recv_num(i, &r)?;
    Ok(Value::Dec(to_dec(&v).normalize()))
}

fn to_plain_string(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let v = recv_num(i, &r)?;
    Ok(Value::str(to_dec(&v).to_string()))
}

fn to_string(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let s = i.to_display(&r)?;
    Ok(Value::str(s))
}

fn equals(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    Ok(Value::Bool(i.apex_eq(&r, &a[0])?))
}

fn parse_text(i: &mut Interp<'_>, a: &[Value]) -> R<Option<String>> {
    match &a[0] {
        Value::Null => Ok(None),
        Value::Str(s) | Value::Id(s) => Ok(Some(s.trim().to_string())),
        v => Ok(Some(i.to_display(v)?)),
    }
}

fn integer_value_of(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    if num_kind(&a[0]).is_some() {
        return Ok(Value::Int(to_i64(&a[0]) as i32));
    }
    let Some(t) = parse_text(i, a)? else {
        return Err(i.npe());
    };
    match t.parse::<i32>() {
        Ok(n) => Ok(Value::Int(n)),
        Err(_) => Err(i.throw_sys("TypeException", format!("Invalid integer: {t}"))),
    }
}

fn long_value_of(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    if num_kind(&a[0]).is_some() {
        return Ok(Value::Long(to_i64(&a[0])));
    }
    let Some(t) = parse_text(i, a)? else {
        return Err(i.npe());
    };
    match t.parse::<i64>() {
        Ok(n) => Ok(Value::Long(n)),
        Err(_) => Err(i.throw_sys("TypeException", format!("Invalid long: {t}"))),
    }
}

/// Parses Apex decimal text (`1.50`, `-3`, `1e3`).
pub fn parse_decimal(t: &str) -> Option<Decimal> {
    let t = t.trim();
    t.parse::<Decimal>()
        .ok()
        .or_else(|| Decimal::from_scientific(t).ok())
}

fn decimal_value_of(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    match &a[0] {
        Value::Double(d) => {
            // Decimal.valueOf(Double) goes through the Double's shortest text form.
            let text = crate::vm::interp::format::format_double(*d);
            let d = parse_decimal(&text)
                .or_else(|| Decimal::from_f64(*d))
                .unwrap_or_default();
            return Ok(Value::Dec(d));
        }
        v if num_kind(v).is_some() => return Ok(Value::Dec(to_dec(v))),
        _ => {}
    }
    let Some(t) = parse_text(i, a)? else {
        return Err(i.npe());
    };
    match parse_decimal(&t) {
        Some(d) => Ok(Value::Dec(d)),
        None => Err(i.throw_sys("TypeException", format!("Invalid decimal: {t}"))),
    }
}

fn double_value_of(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    if num_kind(&a[0]).is_some() {
        return Ok(Value::Double(to_f64(&a[0])));
    }
    let Some(t) = parse_text(i, a)? else {
        return Err(i.npe());
    };
    match t.parse::<f64>() {
        Ok(n) => Ok(Value::Double(n)),
        Err(_) => Err(i.throw_sys("TypeException", format!("Invalid double: {t}"))),
    }
}

fn boolean_value_of(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    Ok(match &a[0] {
        Value::Bool(b) => Value::Bool(*b),
        Value::Null => Value::Bool(false),
        v => {
            let t = i.to_display(v)?;
            Value::Bool(t.eq_ignore_ascii_case("true"))
        }
    })
}

fn need_num(i: &mut Interp<'_>, a: &[Value]) -> R<()> {
    if a.iter().any(|v| num_kind(v).is_none()) {
        return Err(i.npe());
    }
    Ok(())
}

fn math_abs(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    need_num(i, a)?;
    abs(i, a[0].clone(), &[])
}

fn promote_pair(a: &Value, b: &Value) -> (Value, Value) {
    let k = num_kind(a).max(num_kind(b));
    let ty = match k {
        Some(crate::vm::interp::ops::Num::Int) => crate::vm::types::Ty::Integer,
        Some(crate::vm::interp::ops::Num::Long) => crate::vm::types::Ty::Long,
        Some(crate::vm::interp::ops::Num::Dec) => crate::vm::types::Ty::Decimal,
        _ => crate::vm::types::Ty::Double,
    };
    (
        crate::vm::interp::ops::convert_num(a.clone(), &ty),
        crate::vm::interp::ops::convert_num(b.clone(), &ty),
    )
}

fn math_max(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    need_num(i, a)?;
    let (x, y) = promote_pair(&a[0], &a[1]);
    let ord = i.compare(&x, &y)?;
    Ok(if ord == Some(std::cmp::Ordering::Less) {
        y
    } else {
        x
    })
}

fn math_min(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    need_num(i, a)?;
    let (x, y) = promote_pair(&a[0], &a[1]);
    let ord = i.compare(&x, &y)?;
    Ok(if ord == Some(std::cmp::Ordering::Greater) {
        y
    } else {
        x
    })
}

fn math_mod(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    need_num(i, a)?;
    let (x, y) = promote_pair(&a[0], &a[1]);
    i.binary(crate::vm::ir::BinOp::Rem, x, y)
}

fn unary_f64(i: &mut Interp<'_>, a: &[Value], f: fn(f64) -> f64) -> R<Value> {
    need_num(i, a)?;
    Ok(Value::Double(f(to_f64(&a[0]))))
}

fn math_pow(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    need_num(i, a)?;
    Ok(Value::Double(to_f64(&a[0]).powf(to_f64(&a[1]))))
}

fn math_sqrt(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    unary_f64(i, a, f64::sqrt)
}

fn math_cbrt(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    unary_f64(i, a, f64::cbrt)
}

fn math_exp(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    unary_f64(i, a, f64::exp)
}

fn math_log(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    unary_f64(i, a, f64::ln)
}

fn math_log10(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    unary_f64(i, a, f64::log10)
}

fn math_sin(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    unary_f64(i, a, f64::sin)
}

fn math_cos(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    unary_f64(i, a, f64::cos)
}

fn math_tan(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    unary_f64(i, a, f64::tan)
}

/// `Math.round`: half rounds up (towards positive infinity), as in Java.
fn round_half_up(v: &Value) -> i64 {
    match v {
        Value::Int(_) | Value::Long(_) => to_i64(v),
        Value::Dec(d) => (d + Decimal::new(5, 1)).floor().to_i64().unwrap_or(0),
        _ => (to_f64(v) + 0.5).floor() as i64,
    }
}

fn math_round(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    need_num(i, a)?;
    Ok(Value::Int(round_half_up(&a[0]) as i32))
}

fn math_round_to_long(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    need_num(i, a)?;
    Ok(Value::Long(round_half_up(&a[0])))
}

fn math_floor(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    need_num(i, a)?;
    Ok(match &a[0] {
        Value::Dec(d) => Value::Dec(d.floor()),
        Value::Double(d) => Value::Double(d.floor()),
        v => Value::Double(to_f64(v).floor()),
    })
}

fn math_ceil(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    need_num(i, a)?;
    Ok(match &a[0] {
        Value::Dec(d) => Value::Dec(d.ceil()),
        Value::Double(d) => Value::Double(d.ceil()),
        v => Value::Double(to_f64(v).ceil()),
    })
}

fn math_signum(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    need_num(i, a)?;
    Ok(match &a[0] {
        Value::Dec(d) => Value::Dec(if d.is_zero() {
            Decimal::ZERO
        } else if d.is_sign_negative() {
            Decimal::NEGATIVE_ONE
        } else {
            Decimal::ONE
        }),
        v => Value::Double(to_f64(v).signum()),
    })
}

fn math_random(_: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Double(super::misc::random_f64()))
}

/// Parses a numeric string argument for built-ins that accept text.
pub fn arg_decimal(i: &mut Interp<'_>, a: &[Value], n: usize) -> R<Decimal> {
    match a.get(n) {
        Some(v) if num_kind(v).is_some() => Ok(to_dec(v)),
        Some(Value::Str(_)) => {
            let t = arg_str(i, a, n)?;
            parse_decimal(&t)
                .ok_or_else(|| i.throw_sys("TypeException", format!("Invalid decimal: {t}")))
        }
        _ => Err(i.npe()),
    }
}
