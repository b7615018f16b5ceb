//! Login access, customer side: granting, revoking and re-granting, who may
//! grant, the orgs that offer no login access, and grant expiry.

mod sandbox_support;

use sandbox_support::{ADMIN, Client, Server};
use serde_json::json;

const SUPPORT: &str = "support@acme.example";

/// An LMO client of `support@acme.example`, not yet logged in as anyone.
async fn lmo(srv: &Server) -> Client {
    let mut c = srv.client().await;
    c.login_lmo(SUPPORT).await.unwrap();
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_grants_access_for_each_duration_and_it_lasts_exactly_that_long() {
    let srv = Server::start().await;
    for (duration, days) in [("1d", 1i64), ("3d", 3), ("1w", 7), ("1m", 30), ("1y", 365)] {
        // Logins last at most 12 hours: log in afresh for each duration.
        let mut customer = srv.subscriber("globex-full", ADMIN).await;
        let granted = srv.sb.clock.now();
        let expires = granted + chrono::Duration::days(days);
        let g = customer
            .ok("access.grant", json!({ "duration": duration }))
            .await;
        assert_eq!(
            g["grant"],
            json!({
                "user": ADMIN, "publisher": "Acme Apps",
                "grantedAt": isvdbg::sandbox::rfc3339(granted), "duration": duration,
                "expiresAt": isvdbg::sandbox::rfc3339(expires), "active": true, "revoked": false,
            })
        );
        let list = customer.ok("access.list", json!({})).await;
        let active: Vec<_> = list["grants"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| g["active"] == true)
            .collect();
        assert_eq!(active.len(), 1, "a new grant replaces the old one: {list}");
        assert_eq!(active[0]["duration"], duration);
        // One second before it expires, the LMO can log in as the user.
        let left = (expires - srv.sb.clock.now()).num_seconds() as u64;
        srv.advance(left - 31).await;
        let mut c = lmo(&srv).await;
        c.ok(
            "loginAs.start",
            json!({ "org": "globex-full", "user": ADMIN }),
        )
        .await;
        srv.advance(1).await;
        assert_eq!(srv.sb.clock.now(), expires);
        let e = c
            .fails(
                "loginAs.start",
                json!({ "org": "globex-full", "user": ADMIN }),
            )
            .await;
        assert_eq!(e.code, "GRANT_EXPIRED");
        assert_eq!(
            e.message,
            format!(
                "the login-access grant from admin@globex.example.full expired at {}; ask them to grant access again",
                isvdbg::sandbox::rfc3339(expires)
            )
        );
    }
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_duration_is_refused() {
    let srv = Server::start().await;
    let mut customer = srv.subscriber("globex-full", ADMIN).await;
    let e = customer
        .fails("access.grant", json!({ "duration": "2w" }))
        .await;
    assert_eq!(e.code, "BAD_DURATION");
    assert_eq!(
        e.message,
        "`2w` is not a grant duration; choose 1d, 3d, 1w, 1m or 1y"
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_ends_login_access_and_its_debug_session_until_the_customer_grants_again() {
    let srv = Server::start().await;
    let mut eng = srv.engineer(SUPPORT, "globex-full", ADMIN).await;
    let session = eng.debug_start().await;
    let mut customer = srv.subscriber("globex-full", ADMIN).await;
    customer.ok("access.revoke", json!({})).await;
    let t = eng.event("SessionTerminated").await;
    assert_eq!(
        t,
        json!({ "sessionId": session, "code": "GRANT_REVOKED", "message": "the customer revoked login access; the debug session ended" })
    );
    let e = eng.fails("source.list", json!({})).await;
    assert_eq!(e.code, "NEEDS_LOGIN_AS");
    assert_eq!(
        e.message,
        "source.list works inside a subscriber org: log in as a subscriber user first with loginAs.start"
    );
    let e = eng
        .fails(
            "loginAs.start",
            json!({ "org": "globex-full", "user": ADMIN }),
        )
        .await;
    assert_eq!(e.code, "NO_GRANT");
    assert_eq!(
        e.message,
        "admin@globex.example.full revoked login access; ask them to grant it again (Settings > Grant Account Login Access)"
    );
    let list = customer.ok("access.list", json!({})).await;
    assert_eq!(list["grants"][0]["revoked"], true);
    assert_eq!(list["grants"][0]["active"], false);
    // Nothing left to revoke.
    let e = customer.fails("access.revoke", json!({})).await;
    assert_eq!(e.code, "NO_ACTIVE_GRANT");
    assert_eq!(
        e.message,
        "admin@globex.example.full has no active login-access grant to revoke"
    );
    // Granting again lets the engineer back in.
    customer
        .ok("access.grant", json!({ "duration": "3d" }))
        .await;
    eng.ok(
        "loginAs.start",
        json!({ "org": "globex-full", "user": ADMIN }),
    )
    .await;
    let trail = customer.ok("audit.trail", json!({})).await;
    let actions: Vec<&str> = trail["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    let tail: Vec<&str> = actions[actions.len() - 5..].to_vec();
    assert_eq!(
        tail,
        [
            "Revoke login access",
            "End ISV debugger session",
            "Logout",
            "Grant login access",
            "Login as user"
        ]
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_admin_may_not_grant_unless_the_admin_allows_it() {
    let srv = Server::start().await;
    // Globex does not let non-admins grant, licensed or not.
    let mut billing = srv
        .subscriber("globex-full", "billing@globex.example.full")
        .await;
    let e = billing
        .fails("access.grant", json!({ "duration": "1d" }))
        .await;
    assert_eq!(e.code, "CANNOT_GRANT");
    assert_eq!(
        e.message,
        "your admin does not let non-admin users grant login access; ask an admin to grant it, or to allow it in Login Access Policies"
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn where_allowed_a_non_admin_grants_only_with_a_license() {
    // Hooli with "Administrators Can Log in as Any User" off: non-admins may grant.
    let srv = Server::start_with(|w| {
        let hooli = w
            .orgs
            .iter_mut()
            .find(|o| o.key == "hooli-sandbox")
            .unwrap();
        hooli.settings.admins_can_log_in_as_any_user = false;
    })
    .await;
    let mut dinesh = srv
        .subscriber("hooli-sandbox", "dinesh@hooli.example.qa")
        .await;
    let e = dinesh
        .fails("access.grant", json!({ "duration": "1d" }))
        .await;
    assert_eq!(e.code, "CANNOT_GRANT");
    assert_eq!(
        e.message,
        "dinesh@hooli.example.qa holds no license for the publisher's package; an admin must assign one before the user can grant access"
    );
    let mut richard = srv
        .subscriber("hooli-sandbox", "richard@hooli.example.qa")
        .await;
    let g = richard
        .ok("access.grant", json!({ "duration": "1w" }))
        .await;
    assert_eq!(g["grant"]["active"], true);
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_whole_org_license_only_an_admin_grants() {
    let srv = Server::start().await;
    let mut peter = srv
        .subscriber("initech-sandbox", "peter.gibbons@initech.example.uat")
        .await;
    let e = peter
        .fails("access.grant", json!({ "duration": "1d" }))
        .await;
    assert_eq!(e.code, "CANNOT_GRANT");
    assert_eq!(
        e.message,
        "the package is licensed to the whole org, so only an admin with Manage Users can grant login access; ask an admin of Initech (UAT Sandbox)"
    );
    // The admin can, which also revives Initech for the LMO (its grant had expired).
    let mut c = lmo(&srv).await;
    let e = c
        .fails(
            "loginAs.start",
            json!({ "org": "initech-sandbox", "user": "admin@initech.example.uat" }),
        )
        .await;
    assert_eq!(e.code, "GRANT_EXPIRED");
    let mut admin = srv
        .subscriber("initech-sandbox", "admin@initech.example.uat")
        .await;
    admin.ok("access.grant", json!({ "duration": "1d" })).await;
    c.ok(
        "loginAs.start",
        json!({ "org": "initech-sandbox", "user": "admin@initech.example.uat" }),
    )
    .await;
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_admins_can_log_in_as_any_user_nobody_can_grant() {
    let srv = Server::start().await;
    for user in ["admin@hooli.example.qa", "richard@hooli.example.qa"] {
        let mut c = srv.subscriber("hooli-sandbox", user).await;
        let e = c.fails("access.grant", json!({ "duration": "1d" })).await;
        assert_eq!(e.code, "CANNOT_GRANT");
        assert_eq!(
            e.message,
            "the publisher is not in the grant list while \"Administrators Can Log in as Any User\" is on; an admin must turn it off in Setup > Login Access Policies"
        );
    }
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn government_cloud_and_scratch_orgs_offer_no_login_access() {
    let srv = Server::start().await;
    let mut gov = srv
        .subscriber("agency-gov-sandbox", "admin@agency.example.gov.staging")
        .await;
    let e = gov.fails("access.grant", json!({ "duration": "1d" })).await;
    assert_eq!(e.code, "GOVERNMENT_CLOUD");
    assert_eq!(
        e.message,
        "login access is not available for State Revenue Agency (Staging Sandbox): it is a Government Cloud org; ask the customer to reproduce the problem in a commercial sandbox"
    );
    let mut scratch = srv
        .subscriber("stark-scratch", "admin@stark.example.scratch")
        .await;
    let e = scratch
        .fails("access.grant", json!({ "duration": "1d" }))
        .await;
    assert_eq!(e.code, "SCRATCH_ORG");
    assert_eq!(
        e.message,
        "login access is not available for Stark Industries (Scratch Org): it is a scratch org; ask the customer to reproduce the problem in a sandbox"
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orgs_without_salesforce_licenses_offer_no_login_access() {
    let srv = Server::start_with(|w| {
        let o = w.orgs.iter_mut().find(|o| o.key == "globex-full").unwrap();
        o.license_type = isvdbg::world::LicenseType::Other;
    })
    .await;
    let mut customer = srv.subscriber("globex-full", ADMIN).await;
    let e = customer
        .fails("access.grant", json!({ "duration": "1d" }))
        .await;
    assert_eq!(e.code, "WRONG_LICENSE");
    assert_eq!(
        e.message,
        "login access is not available for Globex Corp (Full Sandbox): it has no Salesforce or Salesforce Platform user licenses"
    );
    let mut c = lmo(&srv).await;
    let e = c
        .fails(
            "loginAs.start",
            json!({ "org": "globex-full", "user": ADMIN }),
        )
        .await;
    assert_eq!(e.code, "WRONG_LICENSE");
    assert_eq!(
        e.message,
        "login access is not available for Globex Corp (Full Sandbox): it has no Salesforce or Salesforce Platform user licenses",
        "LoginAs names the same cause as the grant"
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_customers_grant_and_revoke() {
    let srv = Server::start().await;
    let mut eng = srv.engineer(SUPPORT, "globex-full", ADMIN).await;
    let e = eng.fails("access.grant", json!({ "duration": "1y" })).await;
    assert_eq!(e.code, "SUBSCRIBER_ONLY");
    assert_eq!(
        e.message,
        "access.grant is for the customer's own users; log in with auth.loginSubscriber as a user of the org"
    );
    let e = eng.fails("access.revoke", json!({})).await;
    assert_eq!(e.code, "SUBSCRIBER_ONLY");
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instance_controls_are_closed_on_a_real_clock_unless_the_admin_api_is_on() {
    let srv = Server::start_real().await;
    let mut c = srv.client().await;
    for (method, params) in [
        ("admin.peakLoad", json!({ "on": true })),
        ("admin.maintenance", json!({})),
    ] {
        let e = c.fails(method, params).await;
        assert_eq!(e.code, "ADMIN_API_CLOSED");
        assert_eq!(
            e.message,
            format!(
                "{method} acts on the whole instance, so it is open only on a sandbox with a virtual clock (isvdbg sandbox --clock virtual) or one started with --admin-api; restart the sandbox with one of them"
            )
        );
    }
    assert!(!srv.sb.peak_load(), "the refused call changed nothing");
    let e = c.fails("clock.advance", json!({ "seconds": 60 })).await;
    assert_eq!(e.code, "CLOCK_NOT_VIRTUAL");
    // `isvdbg sandbox --admin-api` opens them.
    srv.sb.auth.enable_admin_api();
    c.ok("admin.peakLoad", json!({ "on": true })).await;
    assert!(srv.sb.peak_load());
    assert_eq!(
        c.ok("admin.maintenance", json!({})).await,
        json!({ "ended": 0 })
    );
    srv.shutdown().await;

    // On a virtual clock they are open without the flag.
    let srv = Server::start().await;
    let mut c = srv.client().await;
    c.ok("admin.peakLoad", json!({ "on": true })).await;
    assert!(srv.sb.peak_load());
    srv.shutdown().await;
}
