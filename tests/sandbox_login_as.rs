//! LoginAs from the LMO: the permission, the grant, the orgs that refuse it,
//! the audit trail, and "Return to subscriber overview".

mod sandbox_support;

use sandbox_support::{ADMIN, Client, Server, line_of};
use serde_json::json;

const SUPPORT: &str = "support@acme.example";
const SUPPORT2: &str = "support2@acme.example";

async fn lmo(srv: &Server, user: &str) -> Client {
    let mut c = srv.client().await;
    c.login_lmo(user).await.unwrap();
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loginas_needs_the_log_in_to_subscriber_org_permission() {
    let srv = Server::start().await;
    let mut intern = lmo(&srv, "intern@acme.example").await;
    let e = intern
        .fails(
            "loginAs.start",
            json!({ "org": "globex-full", "user": ADMIN }),
        )
        .await;
    assert_eq!(e.code, "NO_PERMISSION");
    assert_eq!(
        e.message,
        "intern@acme.example lacks the Log in to Subscriber Org permission; an LMO admin must assign it directly or through a permission set"
    );
    // Granted directly (support2) or through the ISV Support permission set (support).
    for user in [SUPPORT2, SUPPORT] {
        let mut c = lmo(&srv, user).await;
        let r = c
            .ok(
                "loginAs.start",
                json!({ "org": "globex-full", "user": ADMIN }),
            )
            .await;
        assert_eq!(
            r,
            json!({
                "org": { "key": "globex-full", "id": "00D1x0000d6GncfEAC", "name": "Globex Corp (Full Sandbox)" },
                "user": { "id": "0051x00001HedcmAAB", "username": ADMIN, "name": "Nadia Okafor" },
                "since": srv.now(),
            })
        );
    }
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_permission_set_is_what_gives_support_the_permission() {
    let srv = Server::start_with(|w| {
        for ps in &mut w.publisher.lmo.permission_sets {
            ps.permissions.retain(|p| p != "LogInToSubscriberOrg");
        }
    })
    .await;
    let mut c = lmo(&srv, SUPPORT).await;
    let e = c
        .fails(
            "loginAs.start",
            json!({ "org": "globex-full", "user": ADMIN }),
        )
        .await;
    assert_eq!(e.code, "NO_PERMISSION");
    assert_eq!(
        e.message,
        "support@acme.example lacks the Log in to Subscriber Org permission; an LMO admin must assign it directly or through a permission set"
    );
    // The direct permission still works.
    let mut c2 = lmo(&srv, SUPPORT2).await;
    c2.ok(
        "loginAs.start",
        json!({ "org": "globex-full", "user": ADMIN }),
    )
    .await;
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loginas_needs_an_active_grant_from_the_user() {
    let srv = Server::start().await;
    let mut c = lmo(&srv, SUPPORT).await;
    let e = c
        .fails(
            "loginAs.start",
            json!({ "org": "umbrella-sandbox", "user": "admin@umbrella.example.dev" }),
        )
        .await;
    assert_eq!(e.code, "NO_GRANT");
    assert_eq!(
        e.message,
        "admin@umbrella.example.dev in Umbrella Corp (Dev Sandbox) has not granted login access to Acme Apps; ask them to grant it (Settings > Grant Account Login Access)"
    );
    let e = c
        .fails(
            "loginAs.start",
            json!({ "org": "initech-sandbox", "user": "admin@initech.example.uat" }),
        )
        .await;
    assert_eq!(e.code, "GRANT_EXPIRED");
    assert_eq!(
        e.message,
        "the login-access grant from admin@initech.example.uat expired at 2024-05-17T16:00:00Z; ask them to grant access again"
    );
    // A grant is the user's own: Globex's admin granted, its sales user did not.
    let e = c
        .fails(
            "loginAs.start",
            json!({ "org": "globex-full", "user": "sales@globex.example.full" }),
        )
        .await;
    assert_eq!(e.code, "NO_GRANT");
    // Hooli: Richard granted (as a licensed non-admin); the LMO may log in as him only.
    c.ok(
        "loginAs.start",
        json!({ "org": "hooli-sandbox", "user": "richard@hooli.example.qa" }),
    )
    .await;
    let e = c
        .fails(
            "loginAs.start",
            json!({ "org": "hooli-sandbox", "user": "admin@hooli.example.qa" }),
        )
        .await;
    assert_eq!(e.code, "NO_GRANT");
    let e = c
        .fails(
            "loginAs.start",
            json!({ "org": "globex-full", "user": "ghost@globex.example.full" }),
        )
        .await;
    assert_eq!(e.code, "UNKNOWN_ORG_USER");
    assert_eq!(
        e.message,
        "Globex Corp (Full Sandbox) has no user `ghost@globex.example.full`; pick one from the org detail (lma.org)"
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn government_cloud_and_scratch_orgs_refuse_loginas_despite_their_grants() {
    let srv = Server::start().await;
    let mut c = lmo(&srv, SUPPORT).await;
    let e = c
        .fails(
            "loginAs.start",
            json!({ "org": "agency-gov-sandbox", "user": "admin@agency.example.gov.staging" }),
        )
        .await;
    assert_eq!(e.code, "GOVERNMENT_CLOUD");
    assert_eq!(
        e.message,
        "login access is not available for State Revenue Agency (Staging Sandbox): it is a Government Cloud org; ask the customer to reproduce the problem in a commercial sandbox"
    );
    let e = c
        .fails(
            "loginAs.start",
            json!({ "org": "stark-scratch", "user": "admin@stark.example.scratch" }),
        )
        .await;
    assert_eq!(e.code, "SCRATCH_ORG");
    assert_eq!(
        e.message,
        "login access is not available for Stark Industries (Scratch Org): it is a scratch org; ask the customer to reproduce the problem in a sandbox"
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_allows_loginas_but_not_a_debug_session() {
    let srv = Server::start().await;
    let mut c = srv
        .engineer(SUPPORT, "globex-prod", "admin@globex.example")
        .await;
    // Working as the user is fine...
    let r = c
        .ok("apex.run", json!({ "code": "System.debug('hi');" }))
        .await;
    assert_eq!(r["success"], true);
    // ...debugging is not.
    let e = c.fails("debug.start", json!({})).await;
    assert_eq!(e.code, "NOT_SANDBOX");
    assert_eq!(
        e.message,
        "Globex Corp is a production org: the ISV Customer Debugger works in sandbox orgs only; ask the customer to reproduce the problem in a sandbox and grant login access there"
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_trail_records_loginas_and_every_action_under_it() {
    let srv = Server::start().await;
    let mut c = lmo(&srv, SUPPORT).await;
    let t0 = srv.now();
    c.ok(
        "loginAs.start",
        json!({ "org": "globex-full", "user": ADMIN }),
    )
    .await;
    srv.advance(60).await;
    let t1 = srv.now();
    c.ok(
        "apex.run",
        json!({ "code": "System.debug('x');", "name": "probe.apex" }),
    )
    .await;
    c.ok(
        "rest.invoke",
        json!({ "method": "GET", "path": "/services/apexrest/acme/invoices" }),
    )
    .await;
    srv.advance(60).await;
    let t2 = srv.now();
    c.ok("source.get", json!({ "name": "TaxCalculator.cls" }))
        .await;
    c.ok("settings.get", json!({ "name": "acme__Tax_Rate__c" }))
        .await;
    c.ok(
        "settings.set",
        json!({ "name": "acme__Billing_Config__c", "values": { "acme__Default_Region__c": "US_CA" } }),
    )
    .await;
    let session = c.debug_start().await;
    srv.advance(60).await;
    let t3 = srv.now();
    c.ok("loginAs.end", json!({})).await;
    let entry = |at: &str, action: &str, detail: &str| json!({ "at": at, "user": SUPPORT, "asUser": ADMIN, "action": action, "detail": detail });
    let expected = json!([
        entry(
            &t0,
            "Login as user",
            "Acme Apps logged in as admin@globex.example.full through login access"
        ),
        entry(&t1, "Execute anonymous Apex", "probe.apex"),
        entry(&t1, "REST call", "GET /acme/invoices"),
        entry(&t2, "View package source", "TaxCalculator.cls"),
        entry(&t2, "View protected custom setting", "acme__Tax_Rate__c"),
        entry(
            &t2,
            "Change custom setting",
            "acme__Billing_Config__c: acme__Default_Region__c"
        ),
        entry(
            &t2,
            "View protected custom setting",
            "acme__Billing_Config__c"
        ),
        entry(
            &t2,
            "Start ISV debugger session",
            &format!("session {session}")
        ),
        entry(
            &t3,
            "End ISV debugger session",
            &format!("session {session}: LOGIN_AS_ENDED")
        ),
        entry(&t3, "Logout", "returned to the subscriber overview"),
    ]);
    // The customer reads the same trail.
    let mut customer = srv.subscriber("globex-full", ADMIN).await;
    let trail = customer.ok("audit.trail", json!({})).await;
    assert_eq!(trail["entries"], expected);
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn returning_to_the_overview_ends_loginas_and_its_debug_session() {
    let srv = Server::start().await;
    let mut c = srv.engineer(SUPPORT, "globex-full", ADMIN).await;
    let session = c.debug_start().await;
    let code = "Account a = new Account(Name = 'Overview Test');\ninsert a;\nSystem.debug('after insert');";
    c.ok(
        "debug.breakpoints",
        json!({ "sessionId": session, "typeref": "AnonymousBlock", "breakpoints": [{ "line": line_of(code, "after insert") }] }),
    )
    .await;
    let run = c
        .ok("apex.run", json!({ "code": code, "wait": false }))
        .await;
    let request = run["requestId"].as_str().unwrap().to_string();
    let stop = c.event("Stopped").await;
    assert_eq!(stop["requestId"], request.as_str());
    c.ok("loginAs.end", json!({})).await;
    let t = c.event("SessionTerminated").await;
    assert_eq!(
        t,
        json!({ "sessionId": session, "code": "LOGIN_AS_ENDED", "message": "the engineer returned to the subscriber overview" })
    );
    // The paused request resumed and finished, and its insert committed.
    let done = c
        .event_where("RequestFinished", |b| b["requestId"] == request.as_str())
        .await;
    assert_eq!(done["success"], true, "{done}");
    for m in ["source.list", "apex.run", "audit.trail", "debug.start"] {
        let params = if m == "apex.run" {
            json!({ "code": "System.debug(1);" })
        } else {
            json!({})
        };
        let e = c.fails(m, params).await;
        assert_eq!(e.code, "NEEDS_LOGIN_AS", "{m}");
        assert_eq!(
            e.message,
            format!(
                "{m} works inside a subscriber org: log in as a subscriber user first with loginAs.start"
            )
        );
    }
    let e = c.fails("loginAs.end", json!({})).await;
    assert_eq!(e.code, "NEEDS_LOGIN_AS");
    let e = c
        .fails("debug.stack", json!({ "requestId": request }))
        .await;
    assert_eq!(e.code, "NEEDS_LOGIN_AS");
    let mut customer = srv.subscriber("globex-full", ADMIN).await;
    let q = customer
        .ok(
            "apex.run",
            json!({ "code": "System.debug([SELECT COUNT() FROM Account WHERE Name = 'Overview Test']);" }),
        )
        .await;
    assert_eq!(q["output"][0]["message"], "1", "{q}");
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_ends_loginas_its_debug_session_and_the_token() {
    let srv = Server::start().await;
    let mut c = srv.client().await;
    let login = c.login_lmo(SUPPORT).await.unwrap();
    c.ok(
        "loginAs.start",
        json!({ "org": "globex-full", "user": ADMIN }),
    )
    .await;
    let session = c.debug_start().await;
    c.ok("auth.signOut", json!({})).await;
    let t = c.event("SessionTerminated").await;
    assert_eq!(
        t,
        json!({ "sessionId": session, "code": "LOGIN_AS_ENDED", "message": "the engineer signed out" })
    );
    let e = c.fails("source.list", json!({})).await;
    assert_eq!(e.code, "NOT_LOGGED_IN");
    let mut other = srv.client().await;
    let e = other
        .fails("auth.resume", json!({ "token": login["token"] }))
        .await;
    assert_eq!(e.code, "INVALID_TOKEN");
    assert_eq!(
        e.message,
        "the session token is not valid: no such session: it was never issued, was logged out, or expired long ago; log in again to get a new token"
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_org_that_requires_mfa_takes_an_mfa_at_most_an_hour_old() {
    let srv = Server::start().await;
    let prod = json!({ "org": "globex-prod", "user": "admin@globex.example" });
    let mut c = lmo(&srv, SUPPORT).await;
    let verified = srv.now();
    // Globex production requires MFA: an hour after the login's code, to the second, it still counts.
    srv.advance(3600).await;
    c.ok("loginAs.start", prod.clone()).await;
    srv.advance(1).await;
    let e = c.fails("loginAs.start", prod.clone()).await;
    assert_eq!(e.code, "ORG_MFA_REQUIRED");
    assert_eq!(
        e.message,
        format!(
            "Globex Corp requires MFA for every login, and this LMO login verified its code at {verified}, more than 60 minutes ago; log in again (auth.login with a current TOTP code), then call loginAs.start"
        )
    );
    // An org without the requirement takes the same login.
    c.ok(
        "loginAs.start",
        json!({ "org": "globex-full", "user": ADMIN }),
    )
    .await;
    // A new login with a current code satisfies it again.
    c.login_lmo(SUPPORT).await.unwrap();
    c.ok("loginAs.start", prod).await;
    srv.shutdown().await;
}
