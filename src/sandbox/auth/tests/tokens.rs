//! Session tokens: shape, tampering, logout, idle timeout and maximum age.

use std::collections::HashSet;

use super::*;

fn login(auth: &Auth) -> (Token, SessionInfo) {
    auth.login_subscriber(
        "initech-sandbox",
        "admin@initech.example.sb",
        PASSWORD,
        None,
    )
    .unwrap()
}

fn expiry(e: AuthError) -> Expiry {
    match e {
        AuthError::TokenExpired { expiry, .. } => expiry,
        other => panic!("expected TOKEN_EXPIRED, got {other}"),
    }
}

#[test]
fn tokens_carry_at_least_128_random_bits_and_never_repeat() {
    let (auth, _clock) = setup();
    let mut tokens = HashSet::new();
    let mut ids = HashSet::new();
    for _ in 0..200 {
        let (token, info) = login(&auth);
        let (id, secret) = token.as_str().split_once('.').unwrap();
        assert_eq!(id, info.token_id);
        assert!(secret.len() * 4 >= 128, "{secret}");
        assert!(token.as_str().bytes().all(|b| b.is_ascii_graphic()));
        assert!(tokens.insert(token.into_string()));
        assert!(ids.insert(info.token_id));
    }
}

#[test]
fn debug_output_hides_the_secret() {
    let (auth, _clock) = setup();
    let (token, _) = login(&auth);
    let (_, secret) = token.as_str().split_once('.').unwrap();
    let shown = format!("{token:?}");
    assert!(
        shown.contains(token.id()) && !shown.contains(secret),
        "{shown}"
    );
}

#[test]
fn altered_or_unknown_tokens_are_invalid() {
    let (auth, _clock) = setup();
    let (token, _) = login(&auth);
    let t = token.as_str();
    let flip = |i: usize| {
        let mut b = t.as_bytes().to_vec();
        b[i] = if b[i] == b'0' { b'1' } else { b'0' };
        String::from_utf8(b).unwrap()
    };
    let cases = [
        flip(t.len() - 1),
        flip(0),
        t.to_uppercase(),
        t[..t.len() - 1].to_string(),
        t.replace('.', ""),
        String::new(),
        "not a token".into(),
    ];
    for bad in cases {
        let e = auth.check(&bad).unwrap_err();
        assert_eq!(e.code(), "INVALID_TOKEN", "{bad}");
        assert!(e.to_string().contains("log in again"), "{e}");
        assert_eq!(auth.logout(&bad).unwrap_err().code(), "INVALID_TOKEN");
    }
    // None of that harmed the real token.
    assert!(auth.check(t).is_ok());
}

#[test]
fn logout_ends_the_session() {
    let (auth, _clock) = setup();
    let (token, info) = login(&auth);
    let (other, _) = login(&auth);
    assert!(auth.session(&info.token_id).is_some());
    auth.logout(token.as_str()).unwrap();
    assert_eq!(
        auth.check(token.as_str()).unwrap_err().code(),
        "INVALID_TOKEN"
    );
    assert_eq!(
        auth.logout(token.as_str()).unwrap_err().code(),
        "INVALID_TOKEN"
    );
    assert!(auth.session(&info.token_id).is_none());
    assert!(auth.check(other.as_str()).is_ok());
}

#[test]
fn an_idle_session_expires_after_two_hours_and_use_extends_it() {
    let (auth, clock) = setup();
    let (token, info) = login(&auth);
    assert_eq!(info.expires_at(), start() + chrono::TimeDelta::hours(2));
    clock.advance(secs(2 * 3600 - 1)).unwrap();
    let used = auth.check(token.as_str()).unwrap();
    assert_eq!(used.last_used, clock.now());
    assert_eq!(used.created, start());
    clock.advance(secs(2 * 3600 - 1)).unwrap();
    auth.check(token.as_str()).unwrap();
    // Looking a session up by id does not count as use.
    clock.advance(secs(3600)).unwrap();
    assert!(auth.session(&info.token_id).is_some());
    clock.advance(secs(3600)).unwrap();
    assert!(auth.session(&info.token_id).is_none());
    let e = auth.check(token.as_str()).unwrap_err();
    assert_eq!(e.code(), "TOKEN_EXPIRED");
    assert!(
        e.to_string().contains("after 2 hours without activity"),
        "{e}"
    );
    assert!(e.to_string().contains("must log in again"), "{e}");
    assert_eq!(expiry(e), Expiry::Idle);
    // Expired stays expired: a later use does not revive it.
    assert_eq!(
        expiry(auth.check(token.as_str()).unwrap_err()),
        Expiry::Idle
    );
    // Logging out of an expired session is allowed.
    auth.logout(token.as_str()).unwrap();
}

#[test]
fn a_session_ends_after_twelve_hours_however_busy() {
    let (auth, clock) = setup();
    let (token, info) = login(&auth);
    for _ in 0..(12 * 60 - 1) {
        clock.advance(secs(60)).unwrap();
        auth.check(token.as_str()).unwrap();
    }
    assert_eq!(
        auth.session(&info.token_id).unwrap().expires_at(),
        start() + chrono::TimeDelta::hours(12)
    );
    clock.advance(secs(60)).unwrap();
    let e = auth.check(token.as_str()).unwrap_err();
    assert_eq!(e.code(), "TOKEN_EXPIRED");
    assert!(e.to_string().contains("maximum age of 12 hours"), "{e}");
    assert!(e.to_string().contains("2026-11-25 21:00:00 UTC"), "{e}");
    assert_eq!(expiry(e), Expiry::MaxAge);
}

#[test]
fn long_dead_sessions_are_forgotten() {
    let (auth, clock) = setup();
    let (token, _) = login(&auth);
    clock.advance(secs(2 * 3600 + 12 * 3600)).unwrap();
    assert_eq!(
        auth.check(token.as_str()).unwrap_err().code(),
        "TOKEN_EXPIRED"
    );
    // The next login sweeps it out.
    login(&auth);
    assert_eq!(
        auth.check(token.as_str()).unwrap_err().code(),
        "INVALID_TOKEN"
    );
}
