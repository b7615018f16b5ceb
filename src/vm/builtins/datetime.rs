//! `Date`, `Datetime` and `Time`. Times are GMT; the context user's time zone is GMT.

use chrono::{Datelike, Duration, Months, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use super::{Method, Ret, arg_int, arg_str, m};
use crate::vm::interp::{Interp, R};
use crate::vm::value::Value;

pub static DATE_METHODS: &[Method] = &[
    m("adddays", 1, 1, Ret::Date, date_add_days),
    m("addmonths", 1, 1, Ret::Date, date_add_months),
    m("addyears", 1, 1, Ret::Date, date_add_years),
    m("day", 0, 0, Ret::Int, date_day),
    m("month", 0, 0, Ret::Int, date_month),
    m("year", 0, 0, Ret::Int, date_year),
    m("dayofyear", 0, 0, Ret::Int, date_day_of_year),
    m("daysbetween", 1, 1, Ret::Int, date_days_between),
    m("monthsbetween", 1, 1, Ret::Int, date_months_between),
    m("issameday", 1, 1, Ret::Bool, date_is_same_day),
    m("tostartofmonth", 0, 0, Ret::Date, date_start_of_month),
    m("tostartofweek", 0, 0, Ret::Date, date_start_of_week),
    m("format", 0, 0, Ret::Str, date_format),
    m("equals", 1, 1, Ret::Bool, equals),
    m("hashcode", 0, 0, Ret::Int, super::misc::hash_code),
];

pub static DATETIME_METHODS: &[Method] = &[
    m("adddays", 1, 1, Ret::Datetime, dt_add_days),
    m("addhours", 1, 1, Ret::Datetime, dt_add_hours),
    m("addminutes", 1, 1, Ret::Datetime, dt_add_minutes),
    m("addseconds", 1, 1, Ret::Datetime, dt_add_seconds),
    m("addmonths", 1, 1, Ret::Datetime, dt_add_months),
    m("addyears", 1, 1, Ret::Datetime, dt_add_years),
    m("date", 0, 0, Ret::Date, dt_date),
    m("dategmt", 0, 0, Ret::Date, dt_date),
    m("time", 0, 0, Ret::Time, dt_time),
    m("timegmt", 0, 0, Ret::Time, dt_time),
    m("day", 0, 0, Ret::Int, dt_day),
    m("daygmt", 0, 0, Ret::Int, dt_day),
    m("month", 0, 0, Ret::Int, dt_month),
    m("monthgmt", 0, 0, Ret::Int, dt_month),
    m("year", 0, 0, Ret::Int, dt_year),
    m("yeargmt", 0, 0, Ret::Int, dt_year),
    m("hour", 0, 0, Ret::Int, dt_hour),
    m("hourgmt", 0, 0, Ret::Int, dt_hour),
    m("minute", 0, 0, Ret::Int, dt_minute),
    m("minutegmt", 0, 0, Ret::Int, dt_minute),
    m("second", 0, 0, Ret::Int, dt_second),
    m("secondgmt", 0, 0, Ret::Int, dt_second),
    m("millisecond", 0, 0, Ret::Int, dt_millisecond),
    m("millisecondgmt", 0, 0, Ret::Int, dt_millisecond),
    m("dayofyear", 0, 0, Ret::Int, dt_day_of_year),
    m("gettime", 0, 0, Ret::Long, dt_get_time),
    m("format", 0, 2, Ret::Str, dt_format),
    m("formatgmt", 1, 1, Ret::Str, dt_format),
    m("formatlong", 0, 0, Ret::Str, dt_format_long),
    m("issameday", 1, 1, Ret::Bool, dt_is_same_day),
    m("equals", 1, 1, Ret::Bool, equals),
    m("hashcode", 0, 0, Ret::Int, super::misc::hash_code),
];

pub static TIME_METHODS: &[Method] = &[
    m("addhours", 1, 1, Ret::Time, time_add_hours),
    m("addminutes", 1, 1, Ret::Time, time_add_minutes),
    m("addseconds", 1, 1, Ret::Time, time_add_seconds),
    m("addmilliseconds", 1, 1, Ret::Time, time_add_millis),
    m("hour", 0, 0, Ret::Int, time_hour),
    m("minute", 0, 0, Ret::Int, time_minute),
    m("second", 0, 0, Ret::Int, time_second),
    m("millisecond", 0, 0, Ret::Int, time_millisecond),
    m("equals", 1, 1, Ret::Bool, equals),
];

pub static DATE_STATICS: &[Method] = &[
    m("newinstance", 3, 3, Ret::Date, date_new_instance),
    m("today", 0, 0, Ret::Date, date_today),
    m("valueof", 1, 1, Ret::Date, date_value_of),
    m("parse", 1, 1, Ret::Date, date_parse),
    m("isleapyear", 1, 1, Ret::Bool, date_is_leap_year),
    m("daysinmonth", 2, 2, Ret::Int, date_days_in_month),
];

pub static DATETIME_STATICS: &[Method] = &[
    m("newinstance", 1, 6, Ret::Datetime, dt_new_instance),
    m("newinstancegmt", 1, 6, Ret::Datetime, dt_new_instance),
    m("now", 0, 0, Ret::Datetime, dt_now),
    m("valueof", 1, 1, Ret::Datetime, dt_value_of),
    m("valueofgmt", 1, 1, Ret::Datetime, dt_value_of),
    m("parse", 1, 1, Ret::Datetime, dt_value_of),
];

pub static TIME_STATICS: &[Method] = &[m("newinstance", 4, 4, Ret::Time, time_new_instance)];

fn date_of(i: &mut Interp<'_>, r: &Value) -> R<NaiveDate> {
    match r {
        Value::Date(d) => Ok(*d),
        Value::Datetime(d) => Ok(d.date()),
        _ => Err(i.npe()),
    }
}

fn dt_of(i: &mut Interp<'_>, r: &Value) -> R<NaiveDateTime> {
    match r {
        Value::Datetime(d) => Ok(*d),
        Value::Date(d) => Ok(d.and_time(NaiveTime::MIN)),
        _ => Err(i.npe()),
    }
}

fn time_of(i: &mut Interp<'_>, r: &Value) -> R<NaiveTime> {
    match r {
        Value::Time(t) => Ok(*t),
        _ => Err(i.npe()),
    }
}

fn add_months(d: NaiveDate, n: i64) -> NaiveDate {
    if n >= 0 {
        d.checked_add_months(Months::new(n as u32)).unwrap_or(d)
    } else {
        d.checked_sub_months(Months::new((-n) as u32)).unwrap_or(d)
    }
}

fn date_add_days(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let d = date_of(i, &r)?;
    let n = arg_int(i, a, 0)?;
    Ok(Value::Date(d + Duration::days(n)))
}

fn date_add_months(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let d = date_of(i, &r)?;
    let n = arg_int(i, a, 0)?;
    Ok(Value::Date(add_months(d, n)))
}

fn date_add_years(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let d = date_of(i, &r)?;
    let n = arg_int(i, a, 0)?;
    Ok(Value::Date(add_months(d, n * 12)))
}

fn int(v: u32) -> R<Value> {
    Ok(Value::Int(v as i32))
}

fn date_day(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    int(date_of(i, &r)?.day())
}

fn date_month(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    int(date_of(i, &r)?.month())
}

fn date_year(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Int(date_of(i, &r)?.year()))
}

fn date_day_of_year(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    int(date_of(i, &r)?.ordinal())
}

fn date_days_between(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let d = date_of(i, &r)?;
    let o = date_of(i, &a[0])?;
    Ok(Value::Int((o - d).num_days() as i32))
}

fn date_months_between(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let d = date_of(i, &r)?;
    let o = date_of(i, &a[0])?;
    Ok(Value::Int(
        (o.year() - d.year()) * 12 + o.month() as i32 - d.month() as i32,
    ))
}

fn date_is_same_day(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let d = date_of(i, &r)?;
    let o = date_of(i, &a[0])?;
    Ok(Value::Bool(d == o))
}

fn date_start_of_month(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let d = date_of(i, &r)?;
    Ok(Value::Date(d.with_day(1).unwrap_or(d)))
}

fn date_start_of_week(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    // en_US weeks start on Sunday.
    let d = date_of(i, &r)?;
    let back = d.weekday().num_days_from_sunday() as i64;
    Ok(Value::Date(d - Duration::days(back)))
}

fn date_format(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let d = date_of(i, &r)?;
    Ok(Value::str(format!(
        "{}/{}/{}",
        d.month(),
        d.day(),
        d.year()
    )))
}

fn equals(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    Ok(Value::Bool(i.apex_eq(&r, &a[0])?))
}

fn date_new_instance(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let y = arg_int(i, a, 0)?;
    let mo = arg_int(i, a, 1)?;
    let d = arg_int(i, a, 2)?;
    // Out-of-range parts roll over, as with Java's lenient calendar.
    let base = NaiveDate::from_ymd_opt(y as i32, 1, 1).ok_or_else(|| i.npe())?;
    let with_month = add_months(base, mo - 1);
    Ok(Value::Date(with_month + Duration::days(d - 1)))
}

fn date_today(i: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Date(super::system::current_datetime(i).date()))
}

/// Parses `yyyy-MM-dd` (optionally followed by a time).
pub fn parse_date(t: &str) -> Option<NaiveDate> {
    let t = t.trim();
    let head = t.get(..10).unwrap_or(t);
    NaiveDate::parse_from_str(head, "%Y-%m-%d").ok()
}

fn date_value_of(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    match &a[0] {
        Value::Date(d) => Ok(Value::Date(*d)),
        Value::Datetime(d) => Ok(Value::Date(d.date())),
        Value::Null => Err(i.npe()),
        _ => {
            let t = arg_str(i, a, 0)?;
            match parse_date(&t) {
                Some(d) => Ok(Value::Date(d)),
                None => Err(i.throw_sys("TypeException", format!("Invalid date: {t}"))),
            }
        }
    }
}

fn date_parse(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let t = arg_str(i, a, 0)?;
    match NaiveDate::parse_from_str(t.trim(), "%m/%d/%Y") {
        Ok(d) => Ok(Value::Date(d)),
        Err(_) => Err(i.throw_sys("TypeException", format!("Invalid date: {t}"))),
    }
}

fn date_is_leap_year(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let y = arg_int(i, a, 0)?;
    Ok(Value::Bool((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
}

fn date_days_in_month(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let y = arg_int(i, a, 0)? as i32;
    let mo = arg_int(i, a, 1)? as u32;
    let first = NaiveDate::from_ymd_opt(y, mo, 1).ok_or_else(|| i.npe())?;
    let next = add_months(first, 1);
    Ok(Value::Int((next - first).num_days() as i32))
}

fn dt_add(i: &mut Interp<'_>, r: &Value, d: Duration) -> R<Value> {
    let t = dt_of(i, r)?;
    Ok(Value::Datetime(t + d))
}

fn dt_add_days(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let n = arg_int(i, a, 0)?;
    dt_add(i, &r, Duration::days(n))
}

fn dt_add_hours(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let n = arg_int(i, a, 0)?;
    dt_add(i, &r, Duration::hours(n))
}

fn dt_add_minutes(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let n = arg_int(i, a, 0)?;
    dt_add(i, &r, Duration::minutes(n))
}

fn dt_add_seconds(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let n = arg_int(i, a, 0)?;
    dt_add(i, &r, Duration::seconds(n))
}

fn dt_add_months(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let t = dt_of(i, &r)?;
    let n = arg_int(i, a, 0)?;
    Ok(Value::Datetime(add_months(t.date(), n).and_time(t.time())))
}

fn dt_add_years(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let t = dt_of(i, &r)?;
    let n = arg_int(i, a, 0)?;
    Ok(Value::Datetime(
        add_months(t.date(), n * 12).and_time(t.time()),
    ))
}

fn dt_date(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Date(dt_of(i, &r)?.date()))
}

fn dt_time(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Time(dt_of(i, &r)?.time()))
}

fn dt_day(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    int(dt_of(i, &r)?.day())
}

fn dt_month(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    int(dt_of(i, &r)?.month())
}

fn dt_year(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Int(dt_of(i, &r)?.year()))
}

fn dt_hour(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    int(dt_of(i, &r)?.hour())
}

fn dt_minute(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    int(dt_of(i, &r)?.minute())
}

fn dt_second(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    int(dt_of(i, &r)?.second())
}

fn dt_millisecond(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    int(dt_of(i, &r)?.and_utc().timestamp_subsec_millis())
}

fn dt_day_of_year(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    int(dt_of(i, &r)?.ordinal())
}

fn dt_get_time(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Long(dt_of(i, &r)?.and_utc().timestamp_millis()))
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Formats with a Java `SimpleDateFormat` pattern.
pub fn java_format(t: &NaiveDateTime, pattern: &str) -> String {
    let cs: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut k = 0;
    while k < cs.len() {
        let c = cs[k];
        if c == '\'' {
            if cs.get(k + 1) == Some(&'\'') {
                out.push('\'');
                k += 2;
                continue;
            }
            k += 1;
            while k < cs.len() && cs[k] != '\'' {
                out.push(cs[k]);
                k += 1;
            }
            k += 1;
            continue;
        }
        if !c.is_ascii_alphabetic() {
            out.push(c);
            k += 1;
            continue;
        }
        let mut n = 1;
        while cs.get(k + n) == Some(&c) {
            n += 1;
        }
        k += n;
        let pad = |v: u32| format!("{v:0n$}");
        match c {
            'y' => {
                if n == 2 {
                    out.push_str(&format!("{:02}", t.year() % 100));
                } else {
                    out.push_str(&format!("{:0n$}", t.year()));
                }
            }
            'M' => match n {
                1 | 2 => out.push_str(&pad(t.month())),
                3 => out.push_str(&MONTHS[t.month0() as usize][..3]),
                _ => out.push_str(MONTHS[t.month0() as usize]),
            },
            'd' => out.push_str(&pad(t.day())),
            'D' => out.push_str(&pad(t.ordinal())),
            'H' => out.push_str(&pad(t.hour())),
            'k' => out.push_str(&pad(if t.hour() == 0 { 24 } else { t.hour() })),
            'h' => {
                let h = t.hour() % 12;
                out.push_str(&pad(if h == 0 { 12 } else { h }))
            }
            'K' => out.push_str(&pad(t.hour() % 12)),
            'm' => out.push_str(&pad(t.minute())),
            's' => out.push_str(&pad(t.second())),
            'S' => out.push_str(&format!("{:0n$}", t.and_utc().timestamp_subsec_millis())),
            'a' => out.push_str(if t.hour() < 12 { "AM" } else { "PM" }),
            'E' => {
                let d = DAYS[t.weekday().num_days_from_monday() as usize];
                out.push_str(if n <= 3 { &d[..3] } else { d });
            }
            'u' => out.push_str(&pad(t.weekday().number_from_monday())),
            'z' => out.push_str("GMT"),
            'Z' => out.push_str("+0000"),
            'X' => out.push('Z'),
            _ => {
                for _ in 0..n {
                    out.push(c);
                }
            }
        }
    }
    out
}

fn dt_format(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let t = dt_of(i, &r)?;
    if a.is_empty() {
        return Ok(Value::str(java_format(&t, "M/d/yyyy h:mm a")));
    }
    let p = arg_str(i, a, 0)?;
    Ok(Value::str(java_format(&t, &p)))
}

fn dt_format_long(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let t = dt_of(i, &r)?;
    Ok(Value::str(java_format(&t, "M/d/yyyy h:mm:ss a z")))
}

fn dt_is_same_day(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let t = dt_of(i, &r)?;
    let o = dt_of(i, &a[0])?;
    Ok(Value::Bool(t.date() == o.date()))
}

fn dt_new_instance(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    if a.len() == 1 {
        return match &a[0] {
            Value::Long(_) | Value::Int(_) => {
                let ms = arg_int(i, a, 0)?;
                chrono::DateTime::from_timestamp_millis(ms)
                    .map(|d| Value::Datetime(d.naive_utc()))
                    .ok_or_else(|| i.npe())
            }
            _ => Err(i.npe()),
        };
    }
    if a.len() == 2 {
        let d = date_of(i, &a[0])?;
        let t = time_of(i, &a[1])?;
        return Ok(Value::Datetime(d.and_time(t)));
    }
    let mut parts = [0i64; 6];
    for (k, p) in parts.iter_mut().enumerate().take(a.len()) {
        *p = arg_int(i, a, k)?;
    }
    let date = match date_new_instance(i, Value::Null, &a[..3])? {
        Value::Date(d) => d,
        _ => return Err(i.npe()),
    };
    let t = date.and_time(NaiveTime::MIN)
        + Duration::hours(parts[3])
        + Duration::minutes(parts[4])
        + Duration::seconds(parts[5]);
    Ok(Value::Datetime(t))
}

fn dt_now(i: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Datetime(super::system::current_datetime(i)))
}

/// Parses `yyyy-MM-dd HH:mm:ss` or ISO `yyyy-MM-ddTHH:mm:ss(.SSS)Z`.
pub fn parse_datetime(t: &str) -> Option<NaiveDateTime> {
    let t = t.trim().trim_end_matches('Z');
    for f in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S%.f",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(t, f) {
            return Some(d);
        }
    }
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(t) {
        return Some(d.naive_utc());
    }
    parse_date(t).map(|d| d.and_time(NaiveTime::MIN))
}

fn dt_value_of(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    match &a[0] {
        Value::Datetime(d) => Ok(Value::Datetime(*d)),
        Value::Null => Err(i.npe()),
        _ => {
            let t = arg_str(i, a, 0)?;
            match parse_datetime(&t) {
                Some(d) => Ok(Value::Datetime(d)),
                None => Err(i.throw_sys("TypeException", format!("Invalid date/time: {t}"))),
            }
        }
    }
}

fn time_add(i: &mut Interp<'_>, r: &Value, d: Duration) -> R<Value> {
    let t = time_of(i, r)?;
    Ok(Value::Time(t.overflowing_add_signed(d).0))
}

fn time_add_hours(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let n = arg_int(i, a, 0)?;
    time_add(i, &r, Duration::hours(n))
}

fn time_add_minutes(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let n = arg_int(i, a, 0)?;
    time_add(i, &r, Duration::minutes(n))
}

fn time_add_seconds(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let n = arg_int(i, a, 0)?;
    time_add(i, &r, Duration::seconds(n))
}

fn time_add_millis(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let n = arg_int(i, a, 0)?;
    time_add(i, &r, Duration::milliseconds(n))
}

fn time_hour(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    int(time_of(i, &r)?.hour())
}

fn time_minute(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    int(time_of(i, &r)?.minute())
}

fn time_second(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    int(time_of(i, &r)?.second())
}

fn time_millisecond(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    int(time_of(i, &r)?.nanosecond() / 1_000_000)
}

fn time_new_instance(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let h = arg_int(i, a, 0)?;
    let mi = arg_int(i, a, 1)?;
    let s = arg_int(i, a, 2)?;
    let ms = arg_int(i, a, 3)?;
    let t = NaiveTime::MIN
        .overflowing_add_signed(
            Duration::hours(h)
                + Duration::minutes(mi)
                + Duration::seconds(s)
                + Duration::milliseconds(ms),
        )
        .0;
    Ok(Value::Time(t))
}
