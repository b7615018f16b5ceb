//! Logging in over the real WebSocket: passwords, TOTP codes, lockout, token
//! expiry and subscriber logins, timed on the virtual clock.

mod sandbox_support;

use isvdbg::sandbox::auth::code_at_step_offset;
use sandbox_support::{Server, code_now, lmo_secret, wrong_code};
use serde_json::json;

const SUPPORT: &str = "support@acme.example";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_lmo_user_logs_in_with_password_and_a_current_code() {
    let srv = Server::start().await;
    let mut c = srv.client().await;
    let (password, secret) = lmo_secret(&srv.sb, SUPPORT);
    let code = code_now(&srv.sb, &secret);
    let r = c
        .ok(
            "auth.login",
            json!({ "username": SUPPORT, "password": password, "code": code }),
        )
        .await;
    assert_eq!(
        r["user"],
        json!({ "id": "0055g0000C3J27XAQS", "username": SUPPORT, "name": "Sam Rivera" })
    );
    assert_eq!(
        r["expiresAt"], "2024-05-20T18:00:00Z",
        "2 h idle from the login"
    );
    let token = r["token"].as_str().unwrap();
    let token_id = r["tokenId"].as_str().unwrap();
    assert!(token.starts_with(&format!("{token_id}.")), "{token}");
    // The login works: LMO methods answer.
    c.ok("lma.search", json!({ "query": "globex" })).await;
    // Another connection resumes the same login with the token.
    let mut other = srv.client().await;
    let resumed = other.ok("auth.resume", json!({ "token": token })).await;
    assert_eq!(
        resumed,
        json!({ "tokenId": token_id, "principal": { "kind": "lmo", "username": SUPPORT }, "loginAs": null })
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_refused_and_counts_toward_the_lockout() {
    let srv = Server::start().await;
    let mut c = srv.client().await;
    let (_, secret) = lmo_secret(&srv.sb, SUPPORT);
    let e = c
        .fails(
            "auth.login",
            json!({ "username": SUPPORT, "password": "not-it", "code": code_now(&srv.sb, &secret) }),
        )
        .await;
    assert_eq!(e.code, "WRONG_PASSWORD");
    assert_eq!(
        e.message,
        "wrong password for LMO user support@acme.example; check the password (4 more failed attempt(s) lock the user for 15 minutes)"
    );
    let e = c
        .fails(
            "auth.login",
            json!({ "username": "nobody@acme.example", "password": "x", "code": "123456" }),
        )
        .await;
    assert_eq!(e.code, "UNKNOWN_USER");
    assert_eq!(
        e.message,
        "there is no user nobody@acme.example in the LMO (Acme Apps LMO); check the username (the full login name, an email address)"
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_code_is_refused() {
    let srv = Server::start().await;
    let mut c = srv.client().await;
    let (password, secret) = lmo_secret(&srv.sb, SUPPORT);
    let e = c
        .fails(
            "auth.login",
            json!({ "username": SUPPORT, "password": password, "code": wrong_code(&srv.sb, &secret) }),
        )
        .await;
    assert_eq!(e.code, "WRONG_CODE");
    assert_eq!(
        e.message,
        "wrong verification code for LMO user support@acme.example; enter the current 6-digit code from the authenticator app. If the code was current, the device's clock is off: codes of the previous and next 30-second step are accepted, so set the device's clock to within 30 seconds of the instance clock (4 more failed attempt(s) lock the user for 15 minutes)"
    );
    let e = c
        .fails(
            "auth.login",
            json!({ "username": SUPPORT, "password": password }),
        )
        .await;
    assert_eq!(e.code, "CODE_REQUIRED");
    assert_eq!(
        e.message,
        "LMO user support@acme.example must also give a verification code (the LMO requires MFA of every user); enter the current 6-digit code from the authenticator app"
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_works_once() {
    let srv = Server::start().await;
    let mut c = srv.client().await;
    let (password, secret) = lmo_secret(&srv.sb, SUPPORT);
    let code = code_now(&srv.sb, &secret);
    let login = json!({ "username": SUPPORT, "password": password, "code": code });
    c.ok("auth.login", login.clone()).await;
    let e = c.fails("auth.login", login.clone()).await;
    assert_eq!(e.code, "REUSED_CODE");
    assert_eq!(
        e.message,
        "this verification code was already used to log in as LMO user support@acme.example, and a code works only once; wait for the authenticator app to show the next code (a new one every 30 seconds) and use that (4 more failed attempt(s) lock the user for 15 minutes)"
    );
    // The next step's code works.
    srv.advance(30).await;
    let fresh =
        json!({ "username": SUPPORT, "password": password, "code": code_now(&srv.sb, &secret) });
    c.ok("auth.login", fresh).await;
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_not_enrolled_in_mfa_cannot_log_in_to_the_lmo() {
    let srv = Server::start().await;
    let mut c = srv.client().await;
    let e = c
        .fails(
            "auth.login",
            json!({ "username": "newhire@acme.example", "password": "demo-password-4", "code": "123456" }),
        )
        .await;
    assert_eq!(e.code, "MFA_NOT_ENROLLED");
    assert_eq!(
        e.message,
        "LMO user newhire@acme.example is not enrolled in MFA, which every LMO user of the subscriber support console needs; an admin must enroll the user in MFA (register an authenticator app) before they can log in to subscriber orgs"
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_failures_lock_the_user_for_fifteen_minutes() {
    let srv = Server::start().await;
    let mut c = srv.client().await;
    let (password, secret) = lmo_secret(&srv.sb, SUPPORT);
    for left in (1..=4).rev() {
        let e = c
            .fails(
                "auth.login",
                json!({ "username": SUPPORT, "password": "guess", "code": "000000" }),
            )
            .await;
        assert_eq!(e.code, "WRONG_PASSWORD");
        assert_eq!(
            e.message,
            format!(
                "wrong password for LMO user support@acme.example; check the password ({left} more failed attempt(s) lock the user for 15 minutes)"
            )
        );
    }
    let locked = "LMO user support@acme.example is locked after 5 failed login attempts in a row; wait until 2024-05-20 16:15:00 UTC, then log in with the right password and a current verification code";
    let e = c
        .fails(
            "auth.login",
            json!({ "username": SUPPORT, "password": "guess", "code": "000000" }),
        )
        .await;
    assert_eq!((e.code.as_str(), e.message.as_str()), ("LOCKED", locked));
    // Even the right password and code are refused while locked.
    let e = c
        .fails(
            "auth.login",
            json!({ "username": SUPPORT, "password": password, "code": code_now(&srv.sb, &secret) }),
        )
        .await;
    assert_eq!((e.code.as_str(), e.message.as_str()), ("LOCKED", locked));
    srv.advance(15 * 60 - 1).await;
    let e = c
        .fails(
            "auth.login",
            json!({ "username": SUPPORT, "password": password, "code": code_now(&srv.sb, &secret) }),
        )
        .await;
    assert_eq!((e.code.as_str(), e.message.as_str()), ("LOCKED", locked));
    srv.advance(1).await;
    c.ok(
        "auth.login",
        json!({ "username": SUPPORT, "password": password, "code": code_now(&srv.sb, &secret) }),
    )
    .await;
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_expires_after_two_hours_without_use() {
    let srv = Server::start().await;
    let mut c = srv.client().await;
    let login = c.login_lmo(SUPPORT).await.unwrap();
    let token_id = login["tokenId"].as_str().unwrap().to_string();
    // Any use restarts the idle time.
    srv.advance(2 * 3600 - 1).await;
    c.ok("lma.search", json!({ "query": "globex" })).await;
    let used = srv.sb.clock.now();
    srv.advance(2 * 3600).await;
    let e = c.fails("lma.search", json!({ "query": "globex" })).await;
    assert_eq!(e.code, "TOKEN_EXPIRED");
    let at = used + chrono::Duration::hours(2);
    assert_eq!(
        e.message,
        format!(
            "session {token_id} expired at {} UTC after 2 hours without activity; the user must log in again",
            at.format("%Y-%m-%d %H:%M:%S")
        )
    );
    // Logging in again works.
    c.login_lmo(SUPPORT).await.unwrap();
    c.ok("lma.search", json!({ "query": "globex" })).await;
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_logs_in_with_a_password() {
    let srv = Server::start().await;
    let mut c = srv.client().await;
    let r = c
        .ok(
            "auth.loginSubscriber",
            json!({ "org": "globex-full", "username": "admin@globex.example.full", "password": "demo-password-1" }),
        )
        .await;
    assert_eq!(
        r["org"],
        json!({ "key": "globex-full", "id": "00D1x0000d6GncfEAC", "name": "Globex Corp (Full Sandbox)" })
    );
    assert_eq!(r["user"]["id"], "0051x00001HedcmAAB");
    let resumed = c.ok("auth.resume", json!({ "token": r["token"] })).await;
    assert_eq!(
        resumed["principal"],
        json!({ "kind": "subscriber", "username": "admin@globex.example.full", "org": "globex-full" })
    );
    // By org id, too.
    let mut by_id = srv.client().await;
    by_id
        .ok(
            "auth.loginSubscriber",
            json!({ "org": "00D1x0000d6GncfEAC", "username": "sales@globex.example.full", "password": "demo-password-1" }),
        )
        .await;
    let e = by_id
        .fails(
            "auth.loginSubscriber",
            json!({ "org": "globex-full", "username": "sales@globex.example.full", "password": "nope" }),
        )
        .await;
    assert_eq!(e.code, "WRONG_PASSWORD");
    assert_eq!(
        e.message,
        "wrong password for user sales@globex.example.full of org globex-full; check the password (4 more failed attempt(s) lock the user for 15 minutes)"
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_org_that_requires_mfa_asks_its_users_for_a_code() {
    let srv = Server::start().await;
    let mut c = srv.client().await;
    let user = "admin@umbrella.example.dev";
    let e = c
        .fails(
            "auth.loginSubscriber",
            json!({ "org": "umbrella-sandbox", "username": user, "password": "demo-password-1" }),
        )
        .await;
    assert_eq!(e.code, "CODE_REQUIRED");
    assert_eq!(
        e.message,
        "user admin@umbrella.example.dev of org umbrella-sandbox must also give a verification code (org umbrella-sandbox requires MFA); enter the current 6-digit code from the authenticator app"
    );
    let secret = "W3E6W3LFXLGZG4PW54ROAXIYBERH4N2C";
    let e = c
        .fails(
            "auth.loginSubscriber",
            json!({ "org": "umbrella-sandbox", "username": user, "password": "demo-password-1", "code": wrong_code(&srv.sb, secret) }),
        )
        .await;
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        (
            "WRONG_CODE",
            "wrong verification code for user admin@umbrella.example.dev of org umbrella-sandbox; enter the current 6-digit code from the authenticator app. If the code was current, the device's clock is off: codes of the previous and next 30-second step are accepted, so set the device's clock to within 30 seconds of the instance clock (4 more failed attempt(s) lock the user for 15 minutes)"
        )
    );
    c.ok(
        "auth.loginSubscriber",
        json!({ "org": "umbrella-sandbox", "username": user, "password": "demo-password-1", "code": code_now(&srv.sb, secret) }),
    )
    .await;
    // An org without the setting takes no code.
    let mut g = srv.client().await;
    g.ok(
        "auth.loginSubscriber",
        json!({ "org": "globex-full", "username": "admin@globex.example.full", "password": "demo-password-1" }),
    )
    .await;
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deactivated_user_cannot_log_in() {
    let srv = Server::start_with(|w| {
        let lmo = &mut w.publisher.lmo;
        let u = lmo.users.iter_mut().find(|u| u.username == SUPPORT);
        u.unwrap().active = false;
        let o = w.orgs.iter_mut().find(|o| o.key == "globex-full").unwrap();
        let sales = o
            .users
            .iter_mut()
            .find(|u| u.username.starts_with("sales@"));
        sales.unwrap().active = false;
    })
    .await;
    let mut c = srv.client().await;
    let e = c.login_lmo(SUPPORT).await.unwrap_err();
    assert_eq!(e.code, "INACTIVE_USER");
    assert_eq!(
        e.message,
        "LMO user support@acme.example is deactivated; an admin must reactivate the user before they can log in"
    );
    let e = c
        .login_subscriber("globex-full", "sales@globex.example.full")
        .await
        .unwrap_err();
    assert_eq!(e.code, "INACTIVE_USER");
    assert_eq!(
        e.message,
        "user sales@globex.example.full of org globex-full is deactivated; an admin must reactivate the user before they can log in"
    );
    // A wrong password still names the password first: the account is not revealed.
    let e = c
        .fails(
            "auth.login",
            json!({ "username": SUPPORT, "password": "guess", "code": "000000" }),
        )
        .await;
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        (
            "WRONG_PASSWORD",
            "wrong password for LMO user support@acme.example; check the password (4 more failed attempt(s) lock the user for 15 minutes)"
        )
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_ends_twelve_hours_after_the_login_however_busy() {
    let srv = Server::start().await;
    let mut c = srv.client().await;
    let login = c.login_lmo(SUPPORT).await.unwrap();
    let token_id = login["tokenId"].as_str().unwrap().to_string();
    let logged_in = srv.sb.clock.now();
    // Used every hour: never idle, and alive until the 12th hour ends.
    for _ in 0..12 {
        c.ok("lma.search", json!({ "query": "globex" })).await;
        srv.advance(3600).await;
    }
    assert_eq!(srv.sb.clock.now(), logged_in + chrono::Duration::hours(12));
    let e = c.fails("lma.search", json!({ "query": "globex" })).await;
    assert_eq!(e.code, "TOKEN_EXPIRED");
    assert_eq!(
        e.message,
        format!(
            "session {token_id} reached its maximum age of 12 hours at {} UTC, however active it was; the user must log in again",
            (logged_in + chrono::Duration::hours(12)).format("%Y-%m-%d %H:%M:%S")
        )
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_one_step_off_are_accepted_and_two_steps_off_refused() {
    let srv = Server::start().await;
    let mut c = srv.client().await;
    let (password, secret) = lmo_secret(&srv.sb, SUPPORT);
    let login = |offset: i64, sb: &isvdbg::sandbox::Sandbox| {
        let code = code_at_step_offset(&secret, sb.clock.now(), offset).unwrap();
        json!({ "username": SUPPORT, "password": password, "code": code })
    };
    // A device 30 s slow, then one 30 s fast (each login in a fresh window).
    for offset in [-1, 1] {
        srv.advance(120).await;
        c.ok("auth.login", login(offset, &srv.sb)).await;
    }
    // Two steps either way is outside the window: a wrong code.
    for offset in [-2, 2] {
        srv.advance(120).await;
        let e = c.fails("auth.login", login(offset, &srv.sb)).await;
        assert_eq!(e.code, "WRONG_CODE");
        assert!(
            e.message.starts_with(
                "wrong verification code for LMO user support@acme.example; enter the current 6-digit code"
            ),
            "{}",
            e.message
        );
    }
    srv.shutdown().await;
}
