//! Relative date literals (`THIS_WEEK`, `LAST_N_DAYS:7`) and date functions
//! (`CALENDAR_YEAR(CloseDate)`). Weeks start on Sunday; the fiscal year is the
//! calendar year; times are UTC.

use chrono::{Datelike, Duration, Months, NaiveDate, Timelike};

use super::ast::{DateFunction, DateLiteral, DateRangeKind, DateUnit};
use crate::vm::platform::field_value::FieldValue;

/// The date literal written `name` (upper-cased), with its `:n` parameter if any.
pub fn literal(name: &str, n: Option<i64>) -> Option<DateLiteral> {
    use DateRangeKind::*;
    use DateUnit::*;
    let upper = name.to_ascii_uppercase();
    let unit_of = |s: &str| -> Option<DateUnit> {
        Some(match s {
            "DAY" | "DAYS" => Day,
            "WEEK" | "WEEKS" => Week,
            "MONTH" | "MONTHS" => Month,
            "QUARTER" | "QUARTERS" | "FISCAL_QUARTER" | "FISCAL_QUARTERS" => Quarter,
            "YEAR" | "YEARS" | "FISCAL_YEAR" | "FISCAL_YEARS" => Year,
            _ => return None,
        })
    };
    let (unit, kind) = match (upper.as_str(), n) {
        ("YESTERDAY", None) => (Day, Single(-1)),
        ("TODAY", None) => (Day, Single(0)),
        ("TOMORROW", None) => (Day, Single(1)),
        ("LAST_90_DAYS", None) => (Day, LastN(90)),
        ("NEXT_90_DAYS", None) => (Day, NextN(90)),
        (s, None) => {
            let (dir, rest) = s.split_once('_')?;
            let k = match dir {
                "LAST" => -1,
                "THIS" => 0,
                "NEXT" => 1,
                _ => return None,
            };
            (unit_of(rest)?, Single(k))
        }
        (s, Some(n)) => {
            if let Some(rest) = s.strip_prefix("LAST_N_") {
                (unit_of(rest)?, LastN(n))
            } else if let Some(rest) = s.strip_prefix("NEXT_N_") {
                (unit_of(rest)?, NextN(n))
            } else {
                let rest = s.strip_prefix("N_")?.strip_suffix("_AGO")?;
                (unit_of(rest)?, Single(-n))
            }
        }
    };
    let text = match n {
        Some(n) => format!("{upper}:{n}"),
        None => upper,
    };
    Some(DateLiteral { text, unit, kind })
}

/// The first day of the period of `unit` holding `d`.
fn period_start(unit: DateUnit, d: NaiveDate) -> NaiveDate {
    let first_of = |m: u32| NaiveDate::from_ymd_opt(d.year(), m, 1).unwrap_or(d);
    match unit {
        DateUnit::Day => d,
        DateUnit::Week => d - Duration::days(d.weekday().num_days_from_sunday() as i64),
        DateUnit::Month => first_of(d.month()),
        DateUnit::Quarter => first_of((d.month() - 1) / 3 * 3 + 1),
        DateUnit::Year => first_of(1),
    }
}

/// `d` moved by `k` periods of `unit`.
fn shift(unit: DateUnit, d: NaiveDate, k: i64) -> NaiveDate {
    let months = |m: i64| {
        let r = if m >= 0 {
            d.checked_add_months(Months::new(m as u32))
        } else {
            d.checked_sub_months(Months::new((-m) as u32))
        };
        r.unwrap_or(d)
    };
    match unit {
        DateUnit::Day => d + Duration::days(k),
        DateUnit::Week => d + Duration::days(7 * k),
        DateUnit::Month => months(k),
        DateUnit::Quarter => months(3 * k),
        DateUnit::Year => months(12 * k),
    }
}

/// The days a literal covers, as `[start, end)`. `LAST_N_DAYS:n` runs from n days
/// ago through today and `NEXT_N_DAYS:n` from today through n days ahead (as the
/// platform behaves); for longer units the current period is excluded.
pub fn range(lit: &DateLiteral, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let start = period_start(lit.unit, today);
    let at = |k: i64| shift(lit.unit, start, k);
    match (lit.kind, lit.unit) {
        (DateRangeKind::Single(k), _) => (at(k), at(k + 1)),
        (DateRangeKind::LastN(n), DateUnit::Day) => (at(-n), at(1)),
        (DateRangeKind::NextN(n), DateUnit::Day) => (at(0), at(n + 1)),
        (DateRangeKind::LastN(n), _) => (at(-n), at(0)),
        (DateRangeKind::NextN(n), _) => (at(1), at(n + 1)),
    }
}

/// A date function of a Date or Datetime value; null for anything else.
pub fn apply(f: DateFunction, v: &FieldValue) -> FieldValue {
    let (d, hour) = match v {
        FieldValue::Date(d) => (*d, 0),
        FieldValue::Datetime(dt) => (dt.date(), dt.hour()),
        _ => return FieldValue::Null,
    };
    let n = match f {
        DateFunction::CalendarMonth | DateFunction::FiscalMonth => d.month(),
        DateFunction::CalendarQuarter | DateFunction::FiscalQuarter => (d.month() - 1) / 3 + 1,
        DateFunction::CalendarYear | DateFunction::FiscalYear => {
            return FieldValue::Int(d.year() as i64);
        }
        DateFunction::DayInMonth => d.day(),
        DateFunction::DayInWeek => d.weekday().num_days_from_sunday() + 1,
        DateFunction::DayInYear => d.ordinal(),
        DateFunction::DayOnly => return FieldValue::Date(d),
        DateFunction::HourInDay => hour,
        DateFunction::WeekInMonth => (d.day() - 1) / 7 + 1,
        DateFunction::WeekInYear => (d.ordinal() - 1) / 7 + 1,
    };
    FieldValue::Int(n as i64)
}
