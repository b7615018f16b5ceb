//! Lockout after repeated failures, counted on the clock.

use super::*;

#[test]
fn five_failures_lock_the_user_for_fifteen_minutes() {
    let (auth, clock) = setup();
    for left in (1..=4).rev() {
        let e = lmo_err(&auth, SUPPORT, "wrong", None);
        assert_eq!(
            e,
            AuthError::WrongPassword {
                principal: Principal::Lmo {
                    username: SUPPORT.into()
                },
                attempts_left: left
            }
        );
    }
    let e = lmo_err(&auth, SUPPORT, "wrong", None);
    assert_eq!(e.code(), "LOCKED");
    assert!(
        e.to_string().contains("wait until 2026-11-25 09:15:00 UTC"),
        "{e}"
    );
    // Right credentials do not help while locked, up to the last second.
    clock.advance(secs(14 * 60 + 59)).unwrap();
    let e = lmo_err(&auth, SUPPORT, PASSWORD, Some(&code(&clock)));
    assert_eq!(e.code(), "LOCKED");
    // Other users are not affected.
    let other = current_code(OTHER_SECRET, clock.now()).unwrap();
    assert!(
        auth.login_lmo("second@acme.example", PASSWORD, Some(&other))
            .is_ok()
    );
    clock.advance(secs(1)).unwrap();
    assert!(
        auth.login_lmo(SUPPORT, PASSWORD, Some(&code(&clock)))
            .is_ok()
    );
}

#[test]
fn wrong_and_reused_codes_count_towards_the_lockout() {
    let (auth, clock) = setup();
    let c = code(&clock);
    auth.login_lmo(SUPPORT, PASSWORD, Some(&c)).unwrap();
    for _ in 0..2 {
        assert_eq!(
            lmo_err(&auth, SUPPORT, PASSWORD, Some(&c)).code(),
            "REUSED_CODE"
        );
    }
    for _ in 0..2 {
        assert_eq!(
            lmo_err(&auth, SUPPORT, PASSWORD, Some("123")).code(),
            "WRONG_CODE"
        );
    }
    // Asking for the code is part of a normal login, not a failure.
    assert_eq!(
        lmo_err(&auth, SUPPORT, PASSWORD, None).code(),
        "CODE_REQUIRED"
    );
    assert_eq!(lmo_err(&auth, SUPPORT, "wrong", None).code(), "LOCKED");
}

#[test]
fn a_successful_login_resets_the_failure_count() {
    let (auth, clock) = setup();
    for _ in 0..4 {
        lmo_err(&auth, SUPPORT, "wrong", None);
    }
    auth.login_lmo(SUPPORT, PASSWORD, Some(&code(&clock)))
        .unwrap();
    for _ in 0..4 {
        assert_eq!(
            lmo_err(&auth, SUPPORT, "wrong", None).code(),
            "WRONG_PASSWORD"
        );
    }
    assert_eq!(lmo_err(&auth, SUPPORT, "wrong", None).code(), "LOCKED");
}

#[test]
fn lockout_is_per_org_user() {
    let (auth, _clock) = setup();
    let user = "admin@initech.example.sb";
    for _ in 0..5 {
        let _ = auth.login_subscriber("initech-sandbox", user, "wrong", None);
    }
    let e = auth
        .login_subscriber("initech-sandbox", user, PASSWORD, None)
        .unwrap_err();
    assert_eq!(e.code(), "LOCKED");
    assert!(
        e.to_string()
            .contains("user admin@initech.example.sb of org initech-sandbox")
    );
}
