//! The values a world's files spell as text: Salesforce ids, times relative to
//! the world start, offsets, namespaces, versions and TOTP secrets. Each parser
//! returns the value, or a message that names the cause and the fix.

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime};

use crate::vm::builtins::id;

/// What an id must identify: the noun for messages and the key prefix.
#[derive(Debug, Clone, Copy)]
pub(super) enum IdKind {
    Org,
    User,
}

impl IdKind {
    fn prefix(self) -> &'static str {
        match self {
            IdKind::Org => "00D",
            IdKind::User => "005",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            IdKind::Org => "an org",
            IdKind::User => "a user",
        }
    }
}

/// A 15- or 18-character Salesforce id of `kind`, as its 18-character form.
pub(super) fn salesforce_id(raw: &str, kind: IdKind) -> Result<String, String> {
    let (prefix, noun) = (kind.prefix(), kind.noun());
    if let Some(bad) = raw.chars().find(|c| !c.is_ascii_alphanumeric()) {
        return Err(format!(
            "`{raw}` is not {noun} id: ids hold only letters and digits, not `{bad}`; \
             copy the 15- or 18-character id (it starts with {prefix})"
        ));
    }
    if raw.len() != 15 && raw.len() != 18 {
        return Err(format!(
            "`{raw}` is not {noun} id: it has {} characters; use the 15- or 18-character id \
             (it starts with {prefix})",
            raw.len()
        ));
    }
    if !raw.starts_with(prefix) {
        return Err(format!(
            "`{raw}` is not {noun} id: {noun} id starts with `{prefix}`, this one with `{}`; \
             copy the id of {noun}",
            &raw[..3]
        ));
    }
    id::to_18(raw).ok_or_else(|| {
        let base = &raw[..15];
        format!(
            "`{raw}` has a wrong checksum: the last three characters of {base} are `{}`; \
             fix the id, or write only its first 15 characters",
            id::checksum(base)
        )
    })
}

/// How to write a time, for messages.
const TIME_HELP: &str = "write a time relative to the world start (`-1d`, `-2w`, `-3h`, `+30m`) \
                         or an RFC 3339 time (`2024-05-20T16:00:00Z`)";

/// A time: relative to `start` (`-1d`, `+30m`, `-1d12h`) or absolute (a TOML
/// date-time or an RFC 3339 string, with an offset), as UTC.
pub(super) fn time(value: &toml::Value, start: NaiveDateTime) -> Result<NaiveDateTime, String> {
    match value {
        toml::Value::String(s) => {
            let t = s.trim();
            match t.chars().next() {
                Some(sign @ ('+' | '-')) => {
                    let span = span(&t[1..]).map_err(|e| format!("`{s}`: {e}; {TIME_HELP}"))?;
                    Ok(if sign == '+' {
                        start + span
                    } else {
                        start - span
                    })
                }
                Some(c) if c.is_ascii_digit() => absolute(t),
                _ => Err(format!("`{s}` is not a time; {TIME_HELP}")),
            }
        }
        toml::Value::Datetime(d) => absolute(&d.to_string()),
        other => Err(format!(
            "expected a time, found {} `{other}`; {TIME_HELP}",
            other.type_str()
        )),
    }
}

/// An absolute time with an offset, as UTC.
pub(super) fn absolute(text: &str) -> Result<NaiveDateTime, String> {
    match DateTime::parse_from_rfc3339(text) {
        Ok(t) => Ok(t.naive_utc()),
        Err(_) if text.parse::<NaiveDateTime>().is_ok() => Err(format!(
            "`{text}` has no UTC offset; add `Z` for UTC (`{}Z`)",
            text.trim_end_matches('Z')
        )),
        Err(_) => Err(format!(
            "`{text}` is not a date and time; write an RFC 3339 time such as `2024-05-20T16:00:00Z`"
        )),
    }
}

/// A non-negative offset after the world start: `2m`, `+90s`, `1h30m`.
pub(super) fn offset(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    if t.starts_with('-') {
        return Err(format!(
            "`{text}` is before the world start; scripted requests run at or after it (`0s`, `+2m`)"
        ));
    }
    let d = span(t.strip_prefix('+').unwrap_or(t)).map_err(|e| {
        format!("`{text}`: {e}; write a number and a unit: `90s`, `5m`, `1h30m`, `1d`")
    })?;
    d.to_std().map_err(|_| format!("`{text}` is too long"))
}

/// A sequence of `<number><unit>` with units `s`, `m` (minutes), `h`, `d`, `w`.
fn span(text: &str) -> Result<chrono::Duration, String> {
    if text.is_empty() {
        return Err("no length given".into());
    }
    let mut total = chrono::Duration::zero();
    let mut digits = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let n: i64 = digits
            .parse()
            .map_err(|_| format!("expected a number before `{c}`"))?;
        digits.clear();
        let part = match c {
            's' => chrono::Duration::try_seconds(n),
            'm' => chrono::Duration::try_minutes(n),
            'h' => chrono::Duration::try_hours(n),
            'd' => chrono::Duration::try_days(n),
            'w' => chrono::Duration::try_weeks(n),
            _ => return Err(format!("unknown unit `{c}` (units: s, m, h, d, w)")),
        };
        total = part
            .and_then(|p| total.checked_add(&p))
            .ok_or("the length is too large")?;
    }
    if !digits.is_empty() {
        return Err(format!("`{digits}` has no unit (s, m, h, d or w)"));
    }
    Ok(total)
}

/// A package namespace: 1 to 15 letters, digits and single underscores,
/// starting with a letter.
pub(super) fn namespace(ns: &str) -> Result<(), String> {
    let ok = (1..=15).contains(&ns.len())
        && ns.starts_with(|c: char| c.is_ascii_alphabetic())
        && ns.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !ns.contains("__")
        && !ns.ends_with('_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{ns}` is not a namespace: use 1 to 15 letters, digits and single underscores, \
             starting with a letter (such as `acme`)"
        ))
    }
}

/// A package version: two to four dot-separated numbers (`2.4.0.1`).
pub(super) fn version(v: &str) -> Result<(), String> {
    let parts: Vec<&str> = v.split('.').collect();
    let ok = (2..=4).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{v}` is not a package version; write MAJOR.MINOR.PATCH.BUILD, such as `2.4.0.1`"
        ))
    }
}

/// A base32 (RFC 4648) TOTP secret of at least 128 bits.
pub(super) fn totp_secret(s: &str) -> Result<(), String> {
    let body = s.trim_end_matches('=');
    if let Some(bad) = body
        .chars()
        .find(|c| !(c.is_ascii_uppercase() || ('2'..='7').contains(c)))
    {
        return Err(format!(
            "the TOTP secret is not base32: `{bad}` is not one of A-Z and 2-7; \
             write the secret in upper case, as authenticator apps show it"
        ));
    }
    if body.len() * 5 < 128 {
        return Err(format!(
            "the TOTP secret has {} bits; RFC 6238 needs at least 128 (26 base32 characters), \
             160 are usual (32 characters)",
            body.len() * 5
        ));
    }
    Ok(())
}

/// An org folder name: lower-case letters, digits and dashes.
pub(super) fn org_key(key: &str) -> Result<(), String> {
    let ok = key.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{key}` is not a usable org folder name: use lower-case letters, digits and dashes \
             (such as `globex-full`); rename the folder"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> NaiveDateTime {
        absolute("2024-05-20T16:00:00Z").unwrap()
    }

    #[test]
    fn ids_are_stored_in_their_18_character_form() {
        let id = salesforce_id("00D5g0000u8jzPd", IdKind::Org).unwrap();
        assert_eq!(id, "00D5g0000u8jzPdEAI");
        assert_eq!(
            salesforce_id("00D5g0000u8jzPdeai", IdKind::Org).unwrap(),
            "00D5g0000u8jzPdEAI"
        );
    }

    #[test]
    fn a_bad_id_says_what_is_wrong() {
        let prefix = salesforce_id("0055g0000C3J27X", IdKind::Org).unwrap_err();
        assert!(
            prefix.contains("starts with `00D`, this one with `005`"),
            "{prefix}"
        );
        let len = salesforce_id("00D5g", IdKind::Org).unwrap_err();
        assert!(len.contains("5 characters"), "{len}");
        let sum = salesforce_id("00D5g0000u8jzPdAAA", IdKind::Org).unwrap_err();
        assert!(sum.contains("are `EAI`"), "{sum}");
        let chars = salesforce_id("00D5g0000u8-zPd", IdKind::Org).unwrap_err();
        assert!(chars.contains("not `-`"), "{chars}");
    }

    #[test]
    fn times_are_relative_to_the_start_or_absolute() {
        let s = start();
        let t = |v: &str| time(&toml::Value::String(v.into()), s);
        assert_eq!(t("-1d").unwrap(), s - chrono::Duration::days(1));
        assert_eq!(t("-2w").unwrap(), s - chrono::Duration::weeks(2));
        assert_eq!(t("+30m").unwrap(), s + chrono::Duration::minutes(30));
        assert_eq!(
            t("-1d12h").unwrap(),
            s - chrono::Duration::hours(36),
            "units combine"
        );
        assert_eq!(
            t("2024-05-20T18:00:00+02:00").unwrap(),
            s,
            "offsets are turned into UTC"
        );
        assert!(t("yesterday").unwrap_err().contains("is not a time"));
        assert!(t("-1x").unwrap_err().contains("unknown unit `x`"));
        assert!(t("-12").unwrap_err().contains("has no unit"));
        let local = t("2024-05-20T16:00:00").unwrap_err();
        assert!(local.contains("add `Z`"), "{local}");
    }

    #[test]
    fn offsets_are_never_negative() {
        assert_eq!(offset("+2m").unwrap(), Duration::from_secs(120));
        assert_eq!(offset("1h30m").unwrap(), Duration::from_secs(5400));
        assert!(
            offset("-5m")
                .unwrap_err()
                .contains("before the world start")
        );
    }

    #[test]
    fn namespaces_versions_and_secrets_are_checked() {
        assert!(namespace("acme").is_ok());
        assert!(namespace("ac__me").is_err());
        assert!(namespace("1acme").is_err());
        assert!(version("2.4.0.1").is_ok());
        assert!(version("2.4.x").is_err());
        assert!(totp_secret("HSLYWIK65KNHTIEUCCNQH2GWPBBI2OZR").is_ok());
        assert!(totp_secret("hslywik65knhtieuccnqh2gwpbbi2ozr").is_err());
        assert!(
            totp_secret("JBSWY3DPEHPK3PXP")
                .unwrap_err()
                .contains("80 bits")
        );
        assert!(org_key("globex-full").is_ok());
        assert!(org_key("Globex Full").is_err());
    }
}
