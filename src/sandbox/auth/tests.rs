//! Logins and their failures, on a small world built here. Codes, lockout and
//! tokens have their own files under `tests/`.

mod codes;
mod lockout;
mod tokens;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};

use super::*;
use crate::world::{
    Instance, LicenseType, Lmo, LmoUser, Org, OrgSettings, OrgType, OrgUser, Publisher,
};

/// The RFC 6238 test secret ("12345678901234567890"), 160 bits.
const SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const OTHER_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const SUPPORT: &str = "support@acme.example";
const PASSWORD: &str = "Correct-Horse-1";

/// A step boundary, so "the previous step" is exactly 30 s back.
fn start() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 25)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap()
}

fn lmo_user(username: &str, secret: Option<&str>, active: bool) -> LmoUser {
    LmoUser {
        id: "005000000000001AAA".into(),
        username: username.into(),
        name: username.into(),
        password: PASSWORD.into(),
        totp_secret: secret.map(str::to_string),
        permissions: vec![crate::world::LOG_IN_TO_SUBSCRIBER_ORG.into()],
        permission_sets: vec![],
        active,
    }
}

fn org_user(username: &str, secret: Option<&str>) -> OrgUser {
    OrgUser {
        id: "005000000000002AAA".into(),
        username: username.into(),
        name: username.into(),
        profile: "System Administrator".into(),
        manage_users: true,
        password: PASSWORD.into(),
        totp_secret: secret.map(str::to_string),
        package_licenses: vec![],
        active: true,
    }
}

fn org(key: &str, id: &str, require_mfa: bool, users: Vec<OrgUser>) -> Org {
    Org {
        id: id.into(),
        name: format!("{key} org"),
        key: key.into(),
        org_type: OrgType::Sandbox,
        edition: "Enterprise Edition".into(),
        government_cloud: false,
        license_type: LicenseType::Salesforce,
        contact: ("Pat Admin".into(), "pat@example.com".into()),
        settings: OrgSettings {
            require_mfa,
            ..OrgSettings::default()
        },
        users,
        installed: vec![],
        grants: vec![],
        project: None,
    }
}

fn world() -> Arc<World> {
    Arc::new(World {
        name: "auth-test".into(),
        root: PathBuf::new(),
        start: start(),
        instance: Instance {
            name: "CS42".into(),
            peak_load: false,
        },
        publisher: Publisher {
            name: "Acme Apps".into(),
            lmo: Lmo {
                org_id: "00D000000000001AAA".into(),
                name: "Acme LMO".into(),
                debug_sessions: 1,
                users: vec![
                    lmo_user(SUPPORT, Some(SECRET), true),
                    lmo_user("second@acme.example", Some(OTHER_SECRET), true),
                    lmo_user("nomfa@acme.example", None, true),
                    lmo_user("gone@acme.example", Some(SECRET), false),
                    lmo_user("short@acme.example", Some("JBSWY3DPEHPK3PXP"), true),
                ],
                permission_sets: vec![],
            },
            packages: vec![],
        },
        other_publishers: vec![],
        orgs: vec![
            org(
                "globex-full",
                "00D000000000002AAA",
                true,
                vec![
                    org_user("admin@globex.example.full", Some(SECRET)),
                    org_user("nomfa@globex.example.full", None),
                ],
            ),
            org(
                "initech-sandbox",
                "00D000000000003AAA",
                false,
                vec![org_user("admin@initech.example.sb", None)],
            ),
        ],
        traffic: vec![],
    })
}

fn setup() -> (Auth, Clock) {
    let clock = Clock::virtual_at(start());
    (Auth::new(world(), clock.clone()), clock)
}

fn code(clock: &Clock) -> String {
    current_code(SECRET, clock.now()).unwrap()
}

fn code_off(clock: &Clock, offset: i64) -> String {
    code_at_step_offset(SECRET, clock.now(), offset).unwrap()
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn lmo_err(auth: &Auth, user: &str, password: &str, code: Option<&str>) -> AuthError {
    auth.login_lmo(user, password, code).unwrap_err()
}

#[test]
fn an_lmo_user_logs_in_with_password_and_current_code() {
    let (auth, clock) = setup();
    let (token, info) = auth
        .login_lmo("Support@Acme.Example", PASSWORD, Some(&code(&clock)))
        .unwrap();
    assert_eq!(
        info.principal,
        Principal::Lmo {
            username: SUPPORT.into()
        }
    );
    assert!(info.mfa);
    assert_eq!((info.created, info.last_used), (start(), start()));
    assert_eq!(token.id(), info.token_id);
    assert_eq!(auth.check(token.as_str()).unwrap(), info);
}

#[test]
fn each_login_failure_has_its_own_code_and_says_how_to_fix_it() {
    let (auth, clock) = setup();
    let c = code(&clock);
    let cases: Vec<(AuthError, &str, &[&str])> = vec![
        (
            lmo_err(&auth, "nobody@acme.example", PASSWORD, Some(&c)),
            "UNKNOWN_USER",
            &["nobody@acme.example", "Acme LMO", "check the username"],
        ),
        (
            lmo_err(&auth, SUPPORT, "wrong", Some(&c)),
            "WRONG_PASSWORD",
            &["wrong password", "4 more failed attempt(s)"],
        ),
        (
            lmo_err(&auth, "second@acme.example", PASSWORD, Some("000000")),
            "WRONG_CODE",
            &["current 6-digit code", "authenticator", "clock"],
        ),
        (
            lmo_err(&auth, "second@acme.example", PASSWORD, None),
            "CODE_REQUIRED",
            &["requires MFA", "6-digit code"],
        ),
        (
            lmo_err(&auth, "second@acme.example", PASSWORD, Some(" ")),
            "CODE_REQUIRED",
            &["authenticator"],
        ),
        (
            lmo_err(&auth, "nomfa@acme.example", PASSWORD, Some(&c)),
            "MFA_NOT_ENROLLED",
            &[
                "admin must enroll the user in MFA",
                "log in to subscriber orgs",
            ],
        ),
        (
            lmo_err(&auth, "gone@acme.example", PASSWORD, Some(&c)),
            "INACTIVE_USER",
            &["deactivated", "reactivate"],
        ),
        (
            auth.login_subscriber("umbrella", "x", PASSWORD, None)
                .unwrap_err(),
            "UNKNOWN_ORG",
            &["'umbrella'", "globex-full, initech-sandbox"],
        ),
    ];
    for (error, code, phrases) in cases {
        assert_eq!(error.code(), code, "{error}");
        for phrase in phrases {
            assert!(error.to_string().contains(phrase), "{code}: {error}");
        }
    }
}

#[test]
fn subscriber_logins_need_a_code_only_where_the_org_requires_mfa() {
    let (auth, clock) = setup();
    let (_, info) = auth
        .login_subscriber(
            "Initech-Sandbox",
            "admin@initech.example.sb",
            PASSWORD,
            None,
        )
        .unwrap();
    assert!(!info.mfa);
    assert_eq!(
        info.principal,
        Principal::Subscriber {
            org: "initech-sandbox".into(),
            username: "admin@initech.example.sb".into()
        }
    );

    let admin = "admin@globex.example.full";
    let e = auth
        .login_subscriber("globex-full", admin, PASSWORD, None)
        .unwrap_err();
    assert_eq!(e.code(), "CODE_REQUIRED");
    assert!(
        e.to_string().contains("org globex-full requires MFA"),
        "{e}"
    );
    let e = auth
        .login_subscriber("globex-full", admin, PASSWORD, Some("000000"))
        .unwrap_err();
    assert_eq!(e.code(), "WRONG_CODE");
    // By org id (15 or 18 characters) or name, the principal names the org key.
    let (_, info) = auth
        .login_subscriber("00D000000000002", admin, PASSWORD, Some(&code(&clock)))
        .unwrap();
    assert!(info.mfa);
    assert_eq!(info.principal.username(), admin);
    assert!(matches!(&info.principal, Principal::Subscriber { org, .. } if org == "globex-full"));

    let e = auth
        .login_subscriber(
            "globex-full org",
            "nomfa@globex.example.full",
            PASSWORD,
            None,
        )
        .unwrap_err();
    assert_eq!(e.code(), "MFA_NOT_ENROLLED");
    assert!(
        e.to_string()
            .contains("an admin of globex-full must enroll"),
        "{e}"
    );

    let e = auth
        .login_subscriber("globex-full", "nobody@globex.example.full", PASSWORD, None)
        .unwrap_err();
    assert_eq!(e.code(), "UNKNOWN_USER");
    assert!(e.to_string().contains("org globex-full"), "{e}");
}
