//! Several publishers on one instance, over a real WebSocket on the virtual
//! clock: each engineer logs in to their own LMO, LoginAs needs a grant to
//! that LMO's publisher, the customer grants and revokes per publisher, and
//! the debugger session allowance counts per LMO.

mod sandbox_publishers_support;
mod sandbox_support;

use sandbox_publishers_support::{
    ANALYST, BOTH, BOTH_ADMIN, CLERK, INITRODE, NORTHWIND, NORTHWIND_2, SOLO, SOLO_ADMIN, engineer,
    lmo, login, start,
};
use serde_json::json;

#[tokio::test]
async fn each_lmo_user_logs_in_to_their_own_lmo() {
    let srv = start().await;
    for (user, lmo_name, publisher) in [
        (NORTHWIND, "Northwind LMO", "Northwind Apps"),
        (INITRODE, "Initrode LMO", "Initrode Software"),
    ] {
        let mut c = srv.client().await;
        let r = login(&mut c, &srv.sb, user).await.expect("LMO login");
        assert_eq!(r["user"]["username"], user);
        assert_eq!(r["lmo"]["name"], lmo_name, "{r}");
        assert_eq!(r["lmo"]["publisher"], publisher, "{r}");
        let me = c.ok("auth.resume", json!({ "token": r["token"] })).await;
        assert_eq!(me["principal"]["kind"], "lmo");
    }
    let mut c = srv.client().await;
    let e = c
        .fails(
            "auth.login",
            json!({ "username": "ghost@initrode.example", "password": "x", "code": "123456" }),
        )
        .await;
    assert_eq!(e.code, "UNKNOWN_USER");
    assert_eq!(
        e.message,
        "there is no user ghost@initrode.example in any LMO (Northwind LMO, Initrode LMO); check the username (the full login name, an email address)"
    );
    srv.shutdown().await;
}

#[tokio::test]
async fn login_as_needs_a_grant_to_the_engineers_own_publisher() {
    let srv = start().await;
    // The clerk granted Northwind only; the analyst Initrode only.
    let mut ini = lmo(&srv, INITRODE).await;
    let e = ini
        .fails("loginAs.start", json!({ "org": BOTH, "user": CLERK }))
        .await;
    assert_eq!(e.code, "NO_GRANT");
    assert_eq!(
        e.message,
        "clerk@both.example.sb in Both Corp (Sandbox) has not granted login access to Initrode Software; ask them to grant it (Settings > Grant Account Login Access)"
    );
    ini.ok("loginAs.start", json!({ "org": BOTH, "user": ANALYST }))
        .await;

    let mut nw = lmo(&srv, NORTHWIND).await;
    let e = nw
        .fails("loginAs.start", json!({ "org": BOTH, "user": ANALYST }))
        .await;
    assert_eq!(e.code, "NO_GRANT");
    assert_eq!(
        e.message,
        "analyst@both.example.sb in Both Corp (Sandbox) has not granted login access to Northwind Apps; ask them to grant it (Settings > Grant Account Login Access)"
    );
    nw.ok("loginAs.start", json!({ "org": BOTH, "user": CLERK }))
        .await;

    // Initrode's grant from Solo's admin opens nothing to Northwind.
    let e = nw
        .fails("loginAs.start", json!({ "org": SOLO, "user": SOLO_ADMIN }))
        .await;
    assert_eq!(e.code, "NO_GRANT");
    assert_eq!(
        e.message,
        "admin@solo.example.sb in Solo Inc (Sandbox) has not granted login access to Northwind Apps; ask them to grant it (Settings > Grant Account Login Access)"
    );

    // The audit trail names the publisher behind each LoginAs.
    let trail = ini.ok("audit.trail", json!({})).await;
    let logins: Vec<&str> = trail["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "Login as user")
        .map(|e| e["detail"].as_str().unwrap())
        .collect();
    assert_eq!(
        logins,
        [
            "Initrode Software logged in as analyst@both.example.sb through login access",
            "Northwind Apps logged in as clerk@both.example.sb through login access",
        ]
    );
    srv.shutdown().await;
}

#[tokio::test]
async fn the_customer_grants_and_revokes_per_publisher() {
    let srv = start().await;
    let mut admin = srv.subscriber(BOTH, BOTH_ADMIN).await;
    // Both Corp's grant list offers two publishers: the grant must name one.
    let e = admin
        .fails("access.grant", json!({ "duration": "1d" }))
        .await;
    assert_eq!(e.code, "CANNOT_GRANT");
    assert_eq!(
        e.message,
        "Both Corp (Sandbox) offers several publishers (Northwind Apps, Initrode Software); name the one to grant access to in `publisher`"
    );
    let e = admin
        .fails(
            "access.grant",
            json!({ "duration": "1d", "publisher": "Globex Apps" }),
        )
        .await;
    assert_eq!(e.code, "CANNOT_GRANT");
    assert_eq!(
        e.message,
        "`Globex Apps` is not in the grant list of Both Corp (Sandbox); it offers Northwind Apps, Initrode Software"
    );
    // Solo Inc installed only Initrode's package, so Northwind is not offered.
    let mut solo = srv.subscriber(SOLO, SOLO_ADMIN).await;
    let e = solo
        .fails(
            "access.grant",
            json!({ "duration": "1d", "publisher": "Northwind Apps" }),
        )
        .await;
    assert_eq!(e.code, "CANNOT_GRANT");
    assert_eq!(
        e.message,
        "`Northwind Apps` is not in the grant list; the publisher here is Initrode Software"
    );
    let g = solo.ok("access.grant", json!({ "duration": "3d" })).await;
    assert_eq!(g["grant"]["publisher"], "Initrode Software");

    // A new grant to one publisher leaves the grant to the other alone.
    let g = admin
        .ok(
            "access.grant",
            json!({ "duration": "1m", "publisher": "initrode software" }),
        )
        .await;
    assert_eq!(g["grant"]["publisher"], "Initrode Software");
    let list = admin.ok("access.list", json!({})).await;
    let active: Vec<(&str, &str)> = list["grants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["user"] == BOTH_ADMIN && g["active"] == true)
        .map(|g| {
            (
                g["publisher"].as_str().unwrap(),
                g["duration"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        active,
        [("Northwind Apps", "1w"), ("Initrode Software", "1m")]
    );

    // Revoking Northwind's grant ends Northwind's LoginAs only.
    let mut nw = engineer(&srv, NORTHWIND, BOTH, BOTH_ADMIN).await;
    let mut ini = engineer(&srv, INITRODE, BOTH, BOTH_ADMIN).await;
    admin
        .ok("access.revoke", json!({ "publisher": "Northwind Apps" }))
        .await;
    let e = nw.fails("source.list", json!({})).await;
    assert_eq!(e.code, "NEEDS_LOGIN_AS");
    ini.ok("source.list", json!({})).await;
    let e = admin
        .fails("access.revoke", json!({ "publisher": "Northwind Apps" }))
        .await;
    assert_eq!(e.code, "NO_ACTIVE_GRANT");
    assert_eq!(
        e.message,
        "admin@both.example.sb has no active login-access grant to Northwind Apps to revoke"
    );
    let e = admin
        .fails("access.revoke", json!({ "publisher": "Globex Apps" }))
        .await;
    assert_eq!(e.code, "NO_ACTIVE_GRANT");
    assert_eq!(
        e.message,
        "there is no grant to `Globex Apps`: it is not a publisher on this instance (Northwind Apps, Initrode Software)"
    );
    srv.shutdown().await;
}

#[tokio::test]
async fn the_debug_session_allowance_counts_per_lmo() {
    let srv = start().await;
    // Every login first: each one moves the clock for a fresh TOTP code.
    let mut first = engineer(&srv, NORTHWIND, BOTH, BOTH_ADMIN).await;
    let mut second = engineer(&srv, NORTHWIND_2, BOTH, CLERK).await;
    let mut other = engineer(&srv, INITRODE, BOTH, ANALYST).await;
    let since = srv.now();
    first.debug_start().await;
    // Northwind bought one session, and support@ holds it...
    let e = second.fails("debug.start", json!({})).await;
    assert_eq!(e.code, "SESSION_IN_USE");
    assert_eq!(
        e.message,
        format!(
            "support@northwind.example already uses this LMO's debug session (1 of 1), in Both Corp (Sandbox) since {since}; wait until it ends, or ask them to stop it"
        )
    );
    // ...which does not count against Initrode's LMO.
    other.debug_start().await;
    assert_eq!(srv.sb.debug.ids().len(), 2);
    srv.shutdown().await;
}
