//! Why a login or a token was refused, each with a stable code and a message
//! that names the cause and the fix.

use std::fmt;

use chrono::NaiveDateTime;

use super::{IDLE_TIMEOUT, LOCKOUT, MAX_AGE, MAX_FAILURES, Principal};

/// Which lifetime limit ended a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// No use for [`IDLE_TIMEOUT`].
    Idle,
    /// [`MAX_AGE`] since the login, however busy the session was.
    MaxAge,
}

/// A refused login, token check or code computation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No user with that username in the LMO or the org.
    #[error(
        "there is no user {username} in {realm}; check the username (the full login name, \
         an email address)"
    )]
    UnknownUser { username: String, realm: String },

    /// The password does not match.
    #[error(
        "wrong password for {principal}; check the password ({attempts_left} more failed \
         attempt(s) lock the user for {} minutes)",
        minutes(LOCKOUT)
    )]
    WrongPassword {
        principal: Principal,
        attempts_left: u32,
    },

    /// The verification code matches no step inside the accepted window.
    #[error(
        "wrong verification code for {principal}; enter the current 6-digit code from the \
         authenticator app. If the code was current, the device's clock is off: codes of the \
         previous and next 30-second step are accepted, so set the device's clock to within \
         30 seconds of the instance clock ({attempts_left} more failed attempt(s) lock the user \
         for {} minutes)",
        minutes(LOCKOUT)
    )]
    WrongCode {
        principal: Principal,
        attempts_left: u32,
    },

    /// The code was right but has already been used for a login.
    #[error(
        "this verification code was already used to log in as {principal}, and a code works \
         only once; wait for the authenticator app to show the next code (a new one every \
         30 seconds) and use that ({attempts_left} more failed attempt(s) lock the user for {} \
         minutes)",
        minutes(LOCKOUT)
    )]
    ReusedCode {
        principal: Principal,
        attempts_left: u32,
    },

    /// MFA is required but the user has no authenticator registered.
    #[error("{}", mfa_not_enrolled(principal))]
    MfaNotEnrolled { principal: Principal },

    /// MFA is required and no code was given.
    #[error("{}", code_required(principal))]
    CodeRequired { principal: Principal },

    /// Too many failures in a row; the user is locked until `until`.
    #[error(
        "{principal} is locked after {} failed login attempts in a row; wait until {} UTC, \
         then log in with the right password and a current verification code",
        MAX_FAILURES,
        utc(until)
    )]
    Locked {
        principal: Principal,
        until: NaiveDateTime,
    },

    /// The user is deactivated.
    #[error("{principal} is deactivated; an admin must reactivate the user before they can log in")]
    InactiveUser { principal: Principal },

    /// The session ended because of one of its lifetime limits.
    #[error("{}", token_expired(token_id, *expiry, *at))]
    TokenExpired {
        token_id: String,
        expiry: Expiry,
        /// When it expired (UTC).
        at: NaiveDateTime,
    },

    /// The token is malformed, tampered with, logged out or unknown.
    #[error("the session token is not valid: {reason}; log in again to get a new token")]
    InvalidToken { reason: &'static str },

    /// No subscriber org matches the given key, name or id.
    #[error(
        "no subscriber org matches '{org}'; give an org key ({}), an org name or a 15- or \
         18-character org id",
        known.join(", ")
    )]
    UnknownOrg { org: String, known: Vec<String> },

    /// A TOTP secret (in the world, or given to [`super::current_code`]) cannot be used.
    #[error(
        "the TOTP secret{} is not usable: {reason}; a secret is base32 (letters A-Z and digits \
         2-7) of at least 128 bits (26 characters), such as GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
        whose.as_ref().map(|p| format!(" of {p}")).unwrap_or_default()
    )]
    InvalidTotpSecret {
        whose: Option<Principal>,
        reason: String,
    },

    /// The operating system could not supply random bytes for a token.
    #[error(
        "the operating system's random number generator failed ({detail}), so no session token \
         can be issued safely; fix the host's entropy source and log in again"
    )]
    RandomnessUnavailable { detail: String },
}

impl AuthError {
    /// The stable machine-readable code, such as `WRONG_CODE`.
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::UnknownUser { .. } => "UNKNOWN_USER",
            AuthError::WrongPassword { .. } => "WRONG_PASSWORD",
            AuthError::WrongCode { .. } => "WRONG_CODE",
            AuthError::ReusedCode { .. } => "REUSED_CODE",
            AuthError::MfaNotEnrolled { .. } => "MFA_NOT_ENROLLED",
            AuthError::CodeRequired { .. } => "CODE_REQUIRED",
            AuthError::Locked { .. } => "LOCKED",
            AuthError::InactiveUser { .. } => "INACTIVE_USER",
            AuthError::TokenExpired { .. } => "TOKEN_EXPIRED",
            AuthError::InvalidToken { .. } => "INVALID_TOKEN",
            AuthError::UnknownOrg { .. } => "UNKNOWN_ORG",
            AuthError::InvalidTotpSecret { .. } => "INVALID_TOTP_SECRET",
            AuthError::RandomnessUnavailable { .. } => "RANDOMNESS_UNAVAILABLE",
        }
    }
}

fn minutes(d: std::time::Duration) -> u64 {
    d.as_secs() / 60
}

fn hours(d: std::time::Duration) -> u64 {
    d.as_secs() / 3600
}

/// A UTC time as messages print it.
pub(super) fn utc(t: &NaiveDateTime) -> impl fmt::Display + '_ {
    t.format("%Y-%m-%d %H:%M:%S")
}

fn mfa_not_enrolled(p: &Principal) -> String {
    match p {
        Principal::Lmo { .. } => format!(
            "{p} is not enrolled in MFA, which every LMO user of the subscriber support console \
             needs; an admin must enroll the user in MFA (register an authenticator app) before \
             they can log in to subscriber orgs"
        ),
        Principal::Subscriber { org, username } => format!(
            "org {org} requires MFA and its user {username} is not enrolled; an admin of {org} \
             must enroll the user in MFA (register an authenticator app) before they can log in"
        ),
    }
}

fn code_required(p: &Principal) -> String {
    let why = match p {
        Principal::Lmo { .. } => "the LMO requires MFA of every user".to_string(),
        Principal::Subscriber { org, .. } => format!("org {org} requires MFA"),
    };
    format!(
        "{p} must also give a verification code ({why}); enter the current 6-digit code from the \
         authenticator app"
    )
}

fn token_expired(id: &str, expiry: Expiry, at: NaiveDateTime) -> String {
    match expiry {
        Expiry::Idle => format!(
            "session {id} expired at {} UTC after {} hours without activity; the user must log in \
             again",
            utc(&at),
            hours(IDLE_TIMEOUT)
        ),
        Expiry::MaxAge => format!(
            "session {id} reached its maximum age of {} hours at {} UTC, however active it was; \
             the user must log in again",
            hours(MAX_AGE),
            utc(&at)
        ),
    }
}
