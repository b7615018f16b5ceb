//! TOTP codes: the RFC vectors, secrets, the skew window and reuse.

use super::*;

#[test]
fn codes_match_the_rfc_6238_sha1_vectors() {
    let at = |t: i64| chrono::DateTime::from_timestamp(t, 0).unwrap().naive_utc();
    // The RFC's 8-digit codes, cut to their last 6 digits.
    assert_eq!(current_code(SECRET, at(59)).unwrap(), "287082");
    assert_eq!(current_code(SECRET, at(1_111_111_109)).unwrap(), "081804");
    assert_eq!(current_code(SECRET, at(1_234_567_890)).unwrap(), "005924");
    assert_eq!(current_code(SECRET, at(2_000_000_000)).unwrap(), "279037");
    // Authenticator apps show secrets in lowercase groups; both spellings work.
    let spaced = "gezd gnbv gy3t qojq gezd gnbv gy3t qojq";
    assert_eq!(current_code(spaced, at(59)).unwrap(), "287082");
    assert_eq!(code_at_step_offset(SECRET, at(89), -1).unwrap(), "287082");
}

#[test]
fn unusable_secrets_are_refused_with_the_reason() {
    for (secret, reason) in [
        ("", "empty"),
        ("not base32!", "not base32"),
        ("JBSWY3DPEHPK3PXP", "only 80 bits"),
    ] {
        let e = current_code(secret, start()).unwrap_err();
        assert_eq!(e.code(), "INVALID_TOTP_SECRET");
        assert!(e.to_string().contains(reason), "{e}");
        assert_eq!(validate_secret(secret).unwrap_err(), e);
    }
    assert_eq!(validate_secret(SECRET), Ok(()));
    let (auth, clock) = setup();
    let e = lmo_err(&auth, "short@acme.example", PASSWORD, Some(&code(&clock)));
    assert_eq!(e.code(), "INVALID_TOTP_SECRET");
    assert!(
        e.to_string().contains("of LMO user short@acme.example"),
        "{e}"
    );
}

#[test]
fn codes_one_step_off_are_accepted_and_two_steps_off_refused() {
    let (auth, clock) = setup();
    for offset in [-1, 1, 0] {
        let c = code_off(&clock, offset);
        assert!(
            auth.login_lmo(SUPPORT, PASSWORD, Some(&c)).is_ok(),
            "{offset}"
        );
    }
    for offset in [-2, 2] {
        let e = lmo_err(&auth, SUPPORT, PASSWORD, Some(&code_off(&clock, offset)));
        assert_eq!(e.code(), "WRONG_CODE", "{offset}");
    }
    // Spaces as apps print them ("123 456") do not matter; other text does.
    clock.advance(secs(90)).unwrap();
    let c = code(&clock);
    let spaced = format!("{} {}", &c[..3], &c[3..]);
    assert!(auth.login_lmo(SUPPORT, PASSWORD, Some(&spaced)).is_ok());
    let e = lmo_err(&auth, SUPPORT, PASSWORD, Some(&format!("{c}0")));
    assert_eq!(e.code(), "WRONG_CODE");
}

#[test]
fn a_code_is_refused_the_second_time_while_it_is_still_valid() {
    let (auth, clock) = setup();
    let c = code(&clock);
    auth.login_lmo(SUPPORT, PASSWORD, Some(&c)).unwrap();
    let e = lmo_err(&auth, SUPPORT, PASSWORD, Some(&c));
    assert_eq!(e.code(), "REUSED_CODE");
    assert!(
        e.to_string()
            .contains("wait for the authenticator app to show the next code")
    );
    // A step later the code is still inside the window (as the previous step's).
    clock.advance(secs(30)).unwrap();
    assert_eq!(
        lmo_err(&auth, SUPPORT, PASSWORD, Some(&c)).code(),
        "REUSED_CODE"
    );
    assert!(
        auth.login_lmo(SUPPORT, PASSWORD, Some(&code(&clock)))
            .is_ok()
    );
    // The same code is fine for another user with the same secret.
    let globex = auth.login_subscriber(
        "globex-full",
        "admin@globex.example.full",
        PASSWORD,
        Some(&c),
    );
    assert!(globex.is_ok());
}

#[test]
fn concurrent_logins_with_one_code_let_exactly_one_in() {
    let (auth, clock) = setup();
    let c = code(&clock);
    let results: Vec<_> = std::thread::scope(|s| {
        let tries: Vec<_> = (0..8)
            .map(|_| s.spawn(|| auth.login_lmo(SUPPORT, PASSWORD, Some(&c))))
            .collect();
        tries.into_iter().map(|t| t.join().unwrap()).collect()
    });
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    // The seven reuses lock the user on the fifth.
    let codes: Vec<_> = results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .map(AuthError::code)
        .collect();
    assert_eq!(codes.iter().filter(|c| **c == "REUSED_CODE").count(), 4);
    assert_eq!(codes.iter().filter(|c| **c == "LOCKED").count(), 3);
}
