//! Session tokens: `<token_id>.<secret>`, both random hex. The id names the
//! login publicly; only a SHA-256 of the secret is kept, compared in constant
//! time. A session ends after [`IDLE_TIMEOUT`] without use or [`MAX_AGE`] after
//! the login, whichever comes first.

use std::fmt;

use chrono::{NaiveDateTime, TimeDelta};
use dashmap::DashMap;
use sha2::{Digest, Sha256};

use super::{AuthError, Expiry, IDLE_TIMEOUT, MAX_AGE, Principal, delta};

/// Random bytes in a token id (public; only has to be unique).
const ID_BYTES: usize = 16;
/// Random bytes in a token secret (256 bits).
const SECRET_BYTES: usize = 32;

/// A session token as handed to the client: `<token_id>.<secret>`.
///
/// `Debug` shows only the id, so a token logged by mistake cannot be replayed.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// The whole token, to send with each request.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The public id of the login (the part before the dot).
    pub fn id(&self) -> &str {
        self.0.split_once('.').map_or(&self.0, |(id, _)| id)
    }

    /// The whole token as a `String`.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token({}.<secret>)", self.id())
    }
}

/// A live login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// The login's public id; other parts of the sandbox key state by it.
    pub token_id: String,
    /// Who logged in.
    pub principal: Principal,
    /// When the user logged in (UTC).
    pub created: NaiveDateTime,
    /// When the token was last used (UTC).
    pub last_used: NaiveDateTime,
    /// Whether the login passed MFA.
    pub mfa: bool,
}

impl SessionInfo {
    /// When the session ends unless used again (UTC).
    pub fn expires_at(&self) -> NaiveDateTime {
        self.expiry().1
    }

    /// The limit that ends the session first, and when.
    fn expiry(&self) -> (Expiry, NaiveDateTime) {
        let idle = self.last_used + delta(IDLE_TIMEOUT);
        let max = self.created + delta(MAX_AGE);
        if max <= idle {
            (Expiry::MaxAge, max)
        } else {
            (Expiry::Idle, idle)
        }
    }

    fn expired(&self, now: NaiveDateTime) -> Option<AuthError> {
        let (expiry, at) = self.expiry();
        (now >= at).then(|| AuthError::TokenExpired {
            token_id: self.token_id.clone(),
            expiry,
            at,
        })
    }
}

struct Entry {
    secret_hash: [u8; 32],
    info: SessionInfo,
}

/// Every issued session, by token id.
#[derive(Default)]
pub(super) struct Store {
    sessions: DashMap<String, Entry>,
}

/// How long an expired session is still reported as expired (rather than
/// unknown) before it is forgotten.
const FORGET_AFTER: TimeDelta = TimeDelta::hours(12);

impl Store {
    /// Issues a new token for `principal`.
    pub(super) fn issue(
        &self,
        principal: Principal,
        now: NaiveDateTime,
        mfa: bool,
    ) -> Result<(Token, SessionInfo), AuthError> {
        self.forget_old(now);
        let id = hex(&random::<ID_BYTES>()?);
        let secret = random::<SECRET_BYTES>()?;
        let info = SessionInfo {
            token_id: id.clone(),
            principal,
            created: now,
            last_used: now,
            mfa,
        };
        let token = Token(format!("{id}.{}", hex(&secret)));
        let entry = Entry {
            secret_hash: Sha256::digest(secret).into(),
            info: info.clone(),
        };
        self.sessions.insert(id, entry);
        Ok((token, info))
    }

    /// Verifies a token and marks it used.
    pub(super) fn check(&self, token: &str, now: NaiveDateTime) -> Result<SessionInfo, AuthError> {
        let (id, secret) = split(token)?;
        let mut entry = self.sessions.get_mut(id).ok_or(UNKNOWN)?;
        verify_secret(&entry, &secret)?;
        if let Some(e) = entry.info.expired(now) {
            return Err(e);
        }
        entry.info.last_used = now;
        Ok(entry.info.clone())
    }

    /// Ends a session. Logging out of an expired session succeeds.
    pub(super) fn logout(&self, token: &str) -> Result<(), AuthError> {
        let (id, secret) = split(token)?;
        let removed = self
            .sessions
            .remove_if(id, |_, entry| verify_secret(entry, &secret).is_ok());
        if removed.is_some() {
            return Ok(());
        }
        // Tell a wrong secret apart from an unknown id.
        match self.sessions.get(id) {
            Some(entry) => verify_secret(&entry, &secret),
            None => Err(UNKNOWN),
        }
    }

    /// A live session by id, without marking it used.
    pub(super) fn peek(&self, token_id: &str, now: NaiveDateTime) -> Option<SessionInfo> {
        let entry = self.sessions.get(token_id)?;
        entry
            .info
            .expired(now)
            .is_none()
            .then(|| entry.info.clone())
    }

    fn forget_old(&self, now: NaiveDateTime) {
        self.sessions
            .retain(|_, e| now < e.info.expiry().1 + FORGET_AFTER);
    }
}

const UNKNOWN: AuthError = AuthError::InvalidToken {
    reason: "no such session: it was never issued, was logged out, or expired long ago",
};

fn split(token: &str) -> Result<(&str, [u8; SECRET_BYTES]), AuthError> {
    let malformed = AuthError::InvalidToken {
        reason: "it is malformed (a token is the <id>.<secret> text returned by the login)",
    };
    let (id, secret) = token.trim().split_once('.').ok_or(malformed.clone())?;
    let id_ok = unhex::<ID_BYTES>(id).is_some();
    match (id_ok, unhex::<SECRET_BYTES>(secret)) {
        (true, Some(secret)) => Ok((id, secret)),
        _ => Err(malformed),
    }
}

fn verify_secret(entry: &Entry, secret: &[u8; SECRET_BYTES]) -> Result<(), AuthError> {
    let hash: [u8; 32] = Sha256::digest(secret).into();
    if constant_time_eq::constant_time_eq_32(&hash, &entry.secret_hash) {
        Ok(())
    } else {
        Err(AuthError::InvalidToken {
            reason: "its secret does not match the session (it was altered or mistyped)",
        })
    }
}

fn random<const N: usize>() -> Result<[u8; N], AuthError> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| AuthError::RandomnessUnavailable {
        detail: e.to_string(),
    })?;
    Ok(buf)
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    s
}

fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    let s = s.as_bytes();
    if s.len() != 2 * N {
        return None;
    }
    // Lowercase only, as issued: one token has exactly one spelling.
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; N];
    for (i, pair) in s.chunks_exact(2).enumerate() {
        out[i] = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(out)
}
