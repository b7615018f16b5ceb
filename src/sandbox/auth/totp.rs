//! Time-based one-time passwords (RFC 6238): HMAC-SHA1, 6 digits, 30-second
//! steps, one step of skew either way. Times are instance times, never the OS
//! clock.

use chrono::NaiveDateTime;
use totp_rs::{Builder, Secret, Totp, TotpError};

use super::{AuthError, Principal};

/// Seconds per TOTP step.
pub const TOTP_STEP_SECS: u64 = 30;
/// Digits in a verification code.
pub const TOTP_DIGITS: usize = 6;
/// Steps either side of the current one whose codes are still accepted.
pub const TOTP_SKEW_STEPS: u64 = 1;

/// The outcome of checking a code against a secret.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Verdict {
    /// The code belongs to this step, which had not been used yet.
    Accepted(u64),
    /// The code belongs to the window, but every step it matches was used.
    Reused,
    /// The code matches no step of the window.
    Wrong,
}

/// The TOTP step that contains `at`.
pub(super) fn step_of(at: NaiveDateTime) -> u64 {
    unix_secs(at) / TOTP_STEP_SECS
}

fn unix_secs(at: NaiveDateTime) -> u64 {
    // Instance clocks start in the present; a time before 1970 counts as step 0.
    u64::try_from(at.and_utc().timestamp()).unwrap_or(0)
}

/// Parses a base32 secret as authenticator apps show it: case, spaces and
/// padding do not matter.
pub(super) fn parse(secret_base32: &str, whose: Option<&Principal>) -> Result<Totp, AuthError> {
    let invalid = |reason: String| AuthError::InvalidTotpSecret {
        whose: whose.cloned(),
        reason,
    };
    let cleaned: String = secret_base32
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let cleaned = cleaned.trim_end_matches('=');
    if cleaned.is_empty() {
        return Err(invalid("it is empty".into()));
    }
    let secret = Secret::try_from_base32(cleaned)
        .map_err(|_| invalid("it is not base32 (only the letters A-Z and digits 2-7)".into()))?;
    Builder::new()
        .with_step_duration(TOTP_STEP_SECS)
        .with_digits(TOTP_DIGITS as u8)
        .with_skew(TOTP_SKEW_STEPS as u16)
        .with_secret(secret)
        .build()
        .map_err(|e| match e {
            TotpError::SecretTooShort { bits } => invalid(format!(
                "it is only {bits} bits long, and RFC 4226 requires at least 128"
            )),
            other => invalid(other.to_string()),
        })
}

fn code_at_step(totp: &Totp, step: u64) -> String {
    totp.generate(step * TOTP_STEP_SECS).to_string()
}

/// Checks a code (already stripped of spaces) against the window around `at`,
/// skipping steps in `used`.
pub(super) fn verify(totp: &Totp, code: &str, at: NaiveDateTime, used: &[u64]) -> Verdict {
    let well_formed = code.len() == TOTP_DIGITS && code.bytes().all(|b| b.is_ascii_digit());
    if !well_formed {
        return Verdict::Wrong;
    }
    let now = step_of(at);
    let mut reused = false;
    for step in now.saturating_sub(TOTP_SKEW_STEPS)..=now + TOTP_SKEW_STEPS {
        let expected = code_at_step(totp, step);
        if constant_time_eq::constant_time_eq(expected.as_bytes(), code.as_bytes()) {
            if !used.contains(&step) {
                return Verdict::Accepted(step);
            }
            reused = true;
        }
    }
    if reused {
        Verdict::Reused
    } else {
        Verdict::Wrong
    }
}

/// The code an authenticator app holding `secret_base32` shows at `at`.
pub fn current_code(secret_base32: &str, at: NaiveDateTime) -> Result<String, AuthError> {
    code_at_step_offset(secret_base32, at, 0)
}

/// The code of the step `offset` steps after (or, negative, before) the one
/// containing `at`: what an authenticator whose clock is off by that many
/// 30-second steps shows.
pub fn code_at_step_offset(
    secret_base32: &str,
    at: NaiveDateTime,
    offset: i64,
) -> Result<String, AuthError> {
    let totp = parse(secret_base32, None)?;
    let step = step_of(at).saturating_add_signed(offset);
    Ok(code_at_step(&totp, step))
}

/// Checks that a base32 TOTP secret is usable (for loading worlds).
pub fn validate_secret(secret_base32: &str) -> Result<(), AuthError> {
    parse(secret_base32, None).map(|_| ())
}
