//! Formula fields: a small evaluator for the formula language, run when a record
//! is saved so that SOQL reads (and filters on) the computed value.
//!
//! Supported: number, text, boolean and date values; `+ - * / ^ &`, comparisons,
//! `&& || !`; field references, including parent paths (`Account__r.Name`); and
//! the common functions (IF, CASE, AND, OR, NOT, ISBLANK, BLANKVALUE, TEXT, VALUE,
//! LEN, UPPER, LOWER, LEFT, RIGHT, CONTAINS, BEGINS, ROUND, ABS, FLOOR, CEILING,
//! MAX, MIN, TODAY, ISPICKVAL). Blank fields are treated as blanks: arithmetic
//! on a blank is blank. A formula that cannot be evaluated is blank.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::MathematicalOps;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};

use super::field_value::FieldValue;

/// Resolves a field reference path (`Amount__c`, `Account__r.Name`) to its value.
pub type Resolve<'a> = dyn FnMut(&[&str]) -> FieldValue + 'a;

/// Evaluates `formula`; `today` is the request's date.
pub fn evaluate(formula: &str, today: NaiveDate, resolve: &mut Resolve<'_>) -> FieldValue {
    let tokens = match lex(formula) {
        Some(t) => t,
        None => return FieldValue::Null,
    };
    let mut p = Parser {
        toks: &tokens,
        pos: 0,
        today,
        resolve,
    };
    let v = p.expr(0);
    if p.pos != tokens.len() {
        return FieldValue::Null;
    }
    v.unwrap_or(FieldValue::Null)
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(Decimal),
    Str(String),
    Ident(String),
    Op(&'static str),
}

const OPS: &[&str] = &[
    "&&", "||", "==", "!=", "<>", "<=", ">=", "+", "-", "*", "/", "^", "&", "=", "<", ">", "!",
    "(", ")", ",",
];

fn lex(src: &str) -> Option<Vec<Tok>> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut k = 0;
    while k < b.len() {
        let c = b[k] as char;
        if c.is_whitespace() {
            k += 1;
        } else if c.is_ascii_digit() || (c == '.' && b.get(k + 1).is_some_and(u8::is_ascii_digit)) {
            let start = k;
            while k < b.len() && (b[k].is_ascii_digit() || b[k] == b'.') {
                k += 1;
            }
            out.push(Tok::Num(src[start..k].parse().ok()?));
        } else if c == '\'' || c == '"' {
            let end = src[k + 1..].find(c)? + k + 1;
            out.push(Tok::Str(src[k + 1..end].to_string()));
            k = end + 1;
        } else if c.is_ascii_alphabetic() || c == '_' || c == '$' {
            let start = k;
            while k < b.len() && (b[k].is_ascii_alphanumeric() || b"_.$".contains(&b[k])) {
                k += 1;
            }
            out.push(Tok::Ident(src[start..k].to_string()));
        } else {
            let op = OPS.iter().find(|o| src[k..].starts_with(**o))?;
            out.push(Tok::Op(op));
            k += op.len();
        }
    }
    Some(out)
}

struct Parser<'t, 'r, 'a> {
    toks: &'t [Tok],
    pos: usize,
    today: NaiveDate,
    resolve: &'r mut Resolve<'a>,
}

fn precedence(op: &str) -> Option<u8> {
    Some(match op {
        "||" => 1,
        "&&" => 2,
        "=" | "==" | "!=" | "<>" | "<" | ">" | "<=" | ">=" => 3,
        "&" => 4,
        "+" | "-" => 5,
        "*" | "/" => 6,
        "^" => 7,
        _ => return None,
    })
}

impl Parser<'_, '_, '_> {
    fn eat(&mut self, op: &str) -> bool {
        if matches!(self.toks.get(self.pos), Some(Tok::Op(o)) if *o == op) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expr(&mut self, min: u8) -> Option<FieldValue> {
        let mut left = self.unary()?;
        while let Some(Tok::Op(op)) = self.toks.get(self.pos) {
            let Some(p) = precedence(op).filter(|p| *p > min) else {
                break;
            };
            self.pos += 1;
            let right = self.expr(if *op == "^" { p - 1 } else { p })?;
            left = binary(op, left, right);
        }
        Some(left)
    }

    fn unary(&mut self) -> Option<FieldValue> {
        if self.eat("-") {
            return Some(match self.unary()? {
                FieldValue::Dec(d) => FieldValue::Dec(-d),
                _ => FieldValue::Null,
            });
        }
        if self.eat("!") {
            return Some(match self.unary()? {
                FieldValue::Bool(b) => FieldValue::Bool(!b),
                _ => FieldValue::Null,
            });
        }
        if self.eat("(") {
            let v = self.expr(0)?;
            return self.eat(")").then_some(v);
        }
        let tok = self.toks.get(self.pos)?.clone();
        self.pos += 1;
        match tok {
            Tok::Num(n) => Some(FieldValue::Dec(n)),
            Tok::Str(s) => Some(FieldValue::Str(s)),
            Tok::Op(_) => None,
            Tok::Ident(name) => {
                if self.eat("(") {
                    let mut args = Vec::new();
                    if !self.eat(")") {
                        loop {
                            args.push(self.expr(0)?);
                            if self.eat(")") {
                                break;
                            }
                            if !self.eat(",") {
                                return None;
                            }
                        }
                    }
                    return Some(call(&name.to_ascii_uppercase(), args, self.today));
                }
                Some(match name.to_ascii_uppercase().as_str() {
                    "TRUE" => FieldValue::Bool(true),
                    "FALSE" => FieldValue::Bool(false),
                    "NULL" => FieldValue::Null,
                    _ => {
                        let path: Vec<&str> = name.split('.').collect();
                        normalise((self.resolve)(&path))
                    }
                })
            }
        }
    }
}

/// Numbers become decimals and ids text, so operators see four kinds of value.
fn normalise(v: FieldValue) -> FieldValue {
    match v {
        FieldValue::Int(i) => FieldValue::Dec(Decimal::from(i)),
        FieldValue::Double(d) => Decimal::from_f64(d)
            .map(FieldValue::Dec)
            .unwrap_or(FieldValue::Null),
        FieldValue::Id(s) => FieldValue::Str(s),
        FieldValue::Str(s) if s.is_empty() => FieldValue::Null,
        v => v,
    }
}

fn binary(op: &str, l: FieldValue, r: FieldValue) -> FieldValue {
    use FieldValue::*;
    match (op, l, r) {
        ("&", l, r) => Str(format!("{}{}", text(&l), text(&r))),
        ("&&", Bool(a), Bool(b)) => Bool(a && b),
        ("||", Bool(a), Bool(b)) => Bool(a || b),
        ("+", Dec(a), Dec(b)) => a.checked_add(b).map(Dec).unwrap_or(Null),
        ("-", Dec(a), Dec(b)) => a.checked_sub(b).map(Dec).unwrap_or(Null),
        ("*", Dec(a), Dec(b)) => a.checked_mul(b).map(Dec).unwrap_or(Null),
        ("/", Dec(a), Dec(b)) => a.checked_div(b).map(Dec).unwrap_or(Null),
        ("^", Dec(a), Dec(b)) => b
            .to_i64()
            .and_then(|e| a.checked_powi(e))
            .map(Dec)
            .unwrap_or(Null),
        ("+", Date(d), Dec(n)) => n
            .to_i64()
            .and_then(|n| d.checked_add_signed(chrono::Duration::days(n)))
            .map(Date)
            .unwrap_or(Null),
        ("-", Date(d), Dec(n)) => n
            .to_i64()
            .and_then(|n| d.checked_sub_signed(chrono::Duration::days(n)))
            .map(Date)
            .unwrap_or(Null),
        ("-", Date(a), Date(b)) => Dec(Decimal::from((a - b).num_days())),
        ("=" | "==", a, b) => Bool(compare(&a, &b) == Some(std::cmp::Ordering::Equal)),
        ("!=" | "<>", a, b) => Bool(compare(&a, &b) != Some(std::cmp::Ordering::Equal)),
        ("<", a, b) => Bool(compare(&a, &b) == Some(std::cmp::Ordering::Less)),
        (">", a, b) => Bool(compare(&a, &b) == Some(std::cmp::Ordering::Greater)),
        ("<=", a, b) => Bool(compare(&a, &b).is_some_and(|o| o.is_le())),
        (">=", a, b) => Bool(compare(&a, &b).is_some_and(|o| o.is_ge())),
        _ => Null,
    }
}

fn compare(a: &FieldValue, b: &FieldValue) -> Option<std::cmp::Ordering> {
    use FieldValue::*;
    match (a, b) {
        (Dec(x), Dec(y)) => Some(x.cmp(y)),
        (Str(x), Str(y)) => Some(x.cmp(y)),
        (Date(x), Date(y)) => Some(x.cmp(y)),
        (Bool(x), Bool(y)) => Some(x.cmp(y)),
        (Null, Null) => Some(std::cmp::Ordering::Equal),
        _ => None,
    }
}

fn text(v: &FieldValue) -> String {
    match v {
        FieldValue::Null => String::new(),
        FieldValue::Bool(b) => b.to_string(),
        FieldValue::Dec(d) => d.normalize().to_string(),
        FieldValue::Date(d) => d.format("%Y-%m-%d").to_string(),
        FieldValue::Str(s) | FieldValue::Id(s) => s.clone(),
        other => format!("{other:?}"),
    }
}

fn truthy(v: &FieldValue) -> bool {
    matches!(v, FieldValue::Bool(true))
}

fn dec_arg(args: &[FieldValue], k: usize) -> Option<Decimal> {
    match args.get(k) {
        Some(FieldValue::Dec(d)) => Some(*d),
        _ => None,
    }
}

fn call(name: &str, mut args: Vec<FieldValue>, today: NaiveDate) -> FieldValue {
    use FieldValue::*;
    let n = args.len();
    let arg = |k: usize| args.get(k).cloned().unwrap_or(Null);
    match (name, n) {
        ("IF", 3) => {
            if truthy(&args[0]) {
                arg(1)
            } else {
                arg(2)
            }
        }
        ("CASE", _) if n >= 2 => {
            let subject = arg(0);
            let mut k = 1;
            while k + 1 < n {
                if compare(&subject, &args[k]) == Some(std::cmp::Ordering::Equal) {
                    return arg(k + 1);
                }
                k += 2;
            }
            if k < n { arg(k) } else { Null }
        }
        ("AND", _) => Bool(args.iter().all(truthy)),
        ("OR", _) => Bool(args.iter().any(truthy)),
        ("NOT", 1) => Bool(!truthy(&args[0])),
        ("ISBLANK" | "ISNULL", 1) => Bool(args[0].is_blank()),
        ("BLANKVALUE" | "NULLVALUE", 2) => {
            if args[0].is_blank() {
                arg(1)
            } else {
                arg(0)
            }
        }
        ("ISPICKVAL", 2) => Bool(text(&args[0]) == text(&args[1])),
        ("TEXT", 1) => Str(text(&args[0])),
        ("VALUE", 1) => text(&args[0]).trim().parse().map(Dec).unwrap_or(Null),
        ("LEN", 1) => Dec(Decimal::from(text(&args[0]).chars().count())),
        ("UPPER", 1) => Str(text(&args[0]).to_uppercase()),
        ("LOWER", 1) => Str(text(&args[0]).to_lowercase()),
        ("LEFT" | "RIGHT", 2) => {
            let s: Vec<char> = text(&args[0]).chars().collect();
            let k = dec_arg(&args, 1)
                .and_then(|d| d.to_usize())
                .unwrap_or(0)
                .min(s.len());
            let part = if name == "LEFT" {
                &s[..k]
            } else {
                &s[s.len() - k..]
            };
            Str(part.iter().collect())
        }
        ("CONTAINS", 2) => Bool(text(&args[0]).contains(&text(&args[1]))),
        ("BEGINS", 2) => Bool(text(&args[0]).starts_with(&text(&args[1]))),
        ("ROUND", 2) => match (
            dec_arg(&args, 0),
            dec_arg(&args, 1).and_then(|d| d.to_u32()),
        ) {
            (Some(x), Some(dp)) => Dec(
                x.round_dp_with_strategy(dp, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            ),
            _ => Null,
        },
        ("ABS", 1) => dec_arg(&args, 0).map(|d| Dec(d.abs())).unwrap_or(Null),
        ("FLOOR", 1) => dec_arg(&args, 0).map(|d| Dec(d.floor())).unwrap_or(Null),
        ("CEILING", 1) => dec_arg(&args, 0).map(|d| Dec(d.ceil())).unwrap_or(Null),
        ("MAX" | "MIN", _) if n >= 1 => {
            let nums: Option<Vec<Decimal>> = (0..n).map(|k| dec_arg(&args, k)).collect();
            let Some(nums) = nums else { return Null };
            let pick = if name == "MAX" {
                nums.into_iter().max()
            } else {
                nums.into_iter().min()
            };
            pick.map(Dec).unwrap_or(Null)
        }
        ("TODAY", 0) => Date(today),
        _ => {
            args.clear();
            Null
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(f: &str) -> FieldValue {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        evaluate(f, today, &mut |path: &[&str]| match path {
            ["Amount__c"] => FieldValue::Dec(Decimal::from(40)),
            ["Fee__c"] => FieldValue::Int(10),
            ["Account__r", "Name"] => FieldValue::Str("Acme".into()),
            _ => FieldValue::Null,
        })
    }

    fn dec(n: i64) -> FieldValue {
        FieldValue::Dec(Decimal::from(n))
    }

    #[test]
    fn arithmetic_follows_precedence_and_parentheses() {
        assert_eq!(eval("(Amount__c + Fee__c) * 2"), dec(100));
        assert_eq!(eval("Amount__c + Fee__c * 2"), dec(60));
        assert_eq!(eval("2 ^ 3 ^ 2"), dec(512));
        assert_eq!(eval("-Fee__c + 1"), dec(-9));
    }

    #[test]
    fn blanks_stay_blank_in_arithmetic() {
        assert_eq!(eval("Missing__c + 1"), FieldValue::Null);
        assert_eq!(eval("BLANKVALUE(Missing__c, 7)"), dec(7));
        assert_eq!(eval("ISBLANK(Missing__c)"), FieldValue::Bool(true));
    }

    #[test]
    fn text_functions_and_parent_paths() {
        assert_eq!(
            eval("UPPER(Account__r.Name) & '-' & TEXT(Fee__c)"),
            FieldValue::Str("ACME-10".into())
        );
        assert_eq!(eval("LEFT('Invoice', 3)"), FieldValue::Str("Inv".into()));
        assert_eq!(
            eval("IF(Amount__c > 30, 'big', 'small')"),
            FieldValue::Str("big".into())
        );
        assert_eq!(
            eval("CASE(Fee__c, 5, 'five', 10, 'ten', 'other')"),
            FieldValue::Str("ten".into())
        );
    }

    #[test]
    fn dates_and_rounding() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(eval("TODAY() + 7"), FieldValue::Date(d));
        assert_eq!(
            eval("ROUND(10 / 3, 2)"),
            FieldValue::Dec(Decimal::new(333, 2))
        );
    }

    #[test]
    fn malformed_formulas_are_blank() {
        assert_eq!(eval("(1 + "), FieldValue::Null);
        assert_eq!(eval("1 2"), FieldValue::Null);
        assert_eq!(eval("'unterminated"), FieldValue::Null);
    }
}
