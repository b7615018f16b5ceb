//! Logging in to the instance.
//!
//! - **LMO users** log in with password and a TOTP code (RFC 6238): every LMO
//!   user of the subscriber support console must pass MFA.
//! - **Subscriber users** log in with password, plus a TOTP code when their org
//!   requires MFA.
//! - A code works once: an accepted (user, step) pair is remembered for as long
//!   as the code could still be accepted.
//! - [`MAX_FAILURES`] failures in a row (wrong password, wrong or reused code)
//!   lock the user for [`LOCKOUT`] (the failure that reaches the limit is
//!   already answered with [`AuthError::Locked`]); a successful login resets
//!   the count.
//! - A login yields an opaque [`Token`], valid until [`IDLE_TIMEOUT`] without use
//!   or [`MAX_AGE`] after the login.
//!
//! Every time is read from the instance [`Clock`], so tests and the demo run the
//! lockout and expiry rules on a virtual clock.

mod error;
mod tokens;
mod totp;

#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};
use dashmap::DashMap;

use crate::sandbox::clock::Clock;
use crate::world::World;

pub use error::{AuthError, Expiry};
pub use tokens::{SessionInfo, Token};
pub use totp::{
    TOTP_DIGITS, TOTP_SKEW_STEPS, TOTP_STEP_SECS, code_at_step_offset, current_code,
    validate_secret,
};

use totp::Verdict;

/// Failed attempts in a row that lock a user.
pub const MAX_FAILURES: u32 = 5;
/// How long a locked user stays locked.
pub const LOCKOUT: Duration = Duration::from_secs(15 * 60);
/// A session ends after this long without use.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(2 * 3600);
/// A session ends this long after the login, however busy.
pub const MAX_AGE: Duration = Duration::from_secs(12 * 3600);

fn delta(d: Duration) -> TimeDelta {
    TimeDelta::from_std(d).unwrap_or(TimeDelta::MAX)
}

/// Who is logged in. Usernames and org keys are spelled as in the world; an
/// LMO username is unique across the publishers, so it names its LMO too.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Principal {
    /// A user of the publisher's License Management Org.
    Lmo { username: String },
    /// A user of a subscriber org, by org key (`globex-full`).
    Subscriber { org: String, username: String },
}

impl Principal {
    /// The user's login name.
    pub fn username(&self) -> &str {
        match self {
            Principal::Lmo { username } | Principal::Subscriber { username, .. } => username,
        }
    }
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Principal::Lmo { username } => write!(f, "LMO user {username}"),
            Principal::Subscriber { org, username } => write!(f, "user {username} of org {org}"),
        }
    }
}

/// Lockout and code-reuse state of one principal.
#[derive(Default)]
struct Guard {
    failures: u32,
    locked_until: Option<NaiveDateTime>,
    /// Steps whose codes were accepted and could still be inside the window.
    used_steps: Vec<u64>,
}

impl Guard {
    /// Lifts an expired lock and forgets steps that can no longer be accepted.
    fn tidy(&mut self, now: NaiveDateTime) {
        if self.locked_until.is_some_and(|until| now >= until) {
            self.locked_until = None;
            self.failures = 0;
        }
        let oldest = totp::step_of(now).saturating_sub(TOTP_SKEW_STEPS);
        self.used_steps.retain(|&s| s >= oldest);
    }

    /// Counts a failure: the error for it, or [`AuthError::Locked`] once the
    /// count reaches [`MAX_FAILURES`].
    fn fail(
        &mut self,
        now: NaiveDateTime,
        principal: &Principal,
        error: impl FnOnce(Principal, u32) -> AuthError,
    ) -> AuthError {
        self.failures += 1;
        if self.failures >= MAX_FAILURES {
            let until = now + delta(LOCKOUT);
            self.locked_until = Some(until);
            return AuthError::Locked {
                principal: principal.clone(),
                until,
            };
        }
        error(principal.clone(), MAX_FAILURES - self.failures)
    }
}

/// What a login checks, taken from the world.
struct Account<'w> {
    principal: Principal,
    password: &'w str,
    totp_secret: Option<&'w str>,
    active: bool,
    mfa_required: bool,
}

/// The instance's logins and sessions. Cheap to share behind an `Arc`; every
/// method takes `&self`.
pub struct Auth {
    world: Arc<World>,
    clock: Clock,
    guards: DashMap<Principal, Guard>,
    sessions: tokens::Store,
    /// Whether the instance controls are open on a real clock (`--admin-api`).
    admin_api: AtomicBool,
}

impl Auth {
    /// Logins against `world`'s users, timed by `clock`.
    pub fn new(world: Arc<World>, clock: Clock) -> Auth {
        Auth {
            world,
            clock,
            guards: DashMap::new(),
            sessions: tokens::Store::default(),
            admin_api: AtomicBool::new(false),
        }
    }

    /// Opens the instance controls (`admin.peakLoad`, `admin.maintenance`) to
    /// every client on a real clock too: `isvdbg sandbox --admin-api`. On a
    /// virtual clock they are always open.
    pub fn enable_admin_api(&self) {
        self.admin_api.store(true, Ordering::Relaxed);
    }

    /// Whether [`Auth::enable_admin_api`] was called.
    pub fn admin_api_enabled(&self) -> bool {
        self.admin_api.load(Ordering::Relaxed)
    }

    /// Logs an LMO user in with password and TOTP code.
    pub fn login_lmo(
        &self,
        username: &str,
        password: &str,
        code: Option<&str>,
    ) -> Result<(Token, SessionInfo), AuthError> {
        // Usernames are unique across the instance, so the username picks
        // the LMO the user belongs to.
        let (_, user) = self.world.lmo_user(username).ok_or_else(|| {
            let lmos: Vec<&str> = self
                .world
                .publishers()
                .map(|p| p.lmo.name.as_str())
                .collect();
            AuthError::UnknownUser {
                username: username.to_string(),
                realm: match lmos.as_slice() {
                    [one] => format!("the LMO ({one})"),
                    many => format!("any LMO ({})", many.join(", ")),
                },
            }
        })?;
        self.login(
            Account {
                principal: Principal::Lmo {
                    username: user.username.clone(),
                },
                password: &user.password,
                totp_secret: user.totp_secret.as_deref(),
                active: user.active,
                mfa_required: true,
            },
            password,
            code,
        )
    }

    /// Logs a user of a subscriber org (by key, name or id) in with password,
    /// and with a TOTP code when the org requires MFA. Where the org does not
    /// require MFA, a code is not checked and the session has `mfa: false`.
    pub fn login_subscriber(
        &self,
        org: &str,
        username: &str,
        password: &str,
        code: Option<&str>,
    ) -> Result<(Token, SessionInfo), AuthError> {
        let found = self.world.org(org).ok_or_else(|| AuthError::UnknownOrg {
            org: org.to_string(),
            known: self.world.orgs.iter().map(|o| o.key.clone()).collect(),
        })?;
        let user = found.user(username).ok_or_else(|| AuthError::UnknownUser {
            username: username.to_string(),
            realm: format!("org {} ({})", found.key, found.name),
        })?;
        self.login(
            Account {
                principal: Principal::Subscriber {
                    org: found.key.clone(),
                    username: user.username.clone(),
                },
                password: &user.password,
                totp_secret: user.totp_secret.as_deref(),
                active: user.active,
                mfa_required: found.settings.require_mfa,
            },
            password,
            code,
        )
    }

    fn login(
        &self,
        account: Account<'_>,
        password: &str,
        code: Option<&str>,
    ) -> Result<(Token, SessionInfo), AuthError> {
        let now = self.clock.now();
        let principal = account.principal;
        // The entry stays locked for the whole check, so concurrent attempts
        // for one user are counted, and a code accepted, one at a time.
        let mfa = {
            let mut guard = self.guards.entry(principal.clone()).or_default();
            guard.tidy(now);
            if let Some(until) = guard.locked_until {
                return Err(AuthError::Locked { principal, until });
            }
            let right = constant_time_eq::constant_time_eq(
                password.as_bytes(),
                account.password.as_bytes(),
            );
            if !right {
                return Err(guard.fail(now, &principal, |principal, attempts_left| {
                    AuthError::WrongPassword {
                        principal,
                        attempts_left,
                    }
                }));
            }
            if !account.active {
                return Err(AuthError::InactiveUser { principal });
            }
            if account.mfa_required {
                let Some(secret) = account.totp_secret else {
                    return Err(AuthError::MfaNotEnrolled { principal });
                };
                let code: String = code
                    .unwrap_or_default()
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                if code.is_empty() {
                    return Err(AuthError::CodeRequired { principal });
                }
                let totp = totp::parse(secret, Some(&principal))?;
                match totp::verify(&totp, &code, now, &guard.used_steps) {
                    Verdict::Accepted(step) => guard.used_steps.push(step),
                    Verdict::Wrong => {
                        return Err(guard.fail(now, &principal, |principal, attempts_left| {
                            AuthError::WrongCode {
                                principal,
                                attempts_left,
                            }
                        }));
                    }
                    Verdict::Reused => {
                        return Err(guard.fail(now, &principal, |principal, attempts_left| {
                            AuthError::ReusedCode {
                                principal,
                                attempts_left,
                            }
                        }));
                    }
                }
            }
            guard.failures = 0;
            account.mfa_required
        };
        self.sessions.issue(principal, now, mfa)
    }

    /// Verifies a token and marks the session used, which restarts its idle
    /// timeout (not its maximum age).
    pub fn check(&self, token: &str) -> Result<SessionInfo, AuthError> {
        self.sessions.check(token, self.clock.now())
    }

    /// Ends the session of `token`. Logging out of an expired session succeeds.
    pub fn logout(&self, token: &str) -> Result<(), AuthError> {
        self.sessions.logout(token)
    }

    /// A live session by its public id, without marking it used.
    pub fn session(&self, token_id: &str) -> Option<SessionInfo> {
        self.sessions.peek(token_id, self.clock.now())
    }
}
