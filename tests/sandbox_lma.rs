//! The License Management App over the real WebSocket: searching subscribers
//! and reading an org's detail.

mod sandbox_support;

use sandbox_support::Server;
use serde_json::{Value, json};

fn keys(r: &Value) -> Vec<String> {
    let mut k: Vec<String> = r["orgs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["key"].as_str().unwrap().to_string())
        .collect();
    k.sort();
    k
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribers_are_found_by_name_or_org_id() {
    let srv = Server::start().await;
    let mut c = srv.client().await;
    c.login_lmo("support@acme.example").await.unwrap();
    // Name substring, case-insensitive.
    let r = c.ok("lma.search", json!({ "query": "GLOBEX corp" })).await;
    assert_eq!(keys(&r), ["globex-full", "globex-prod"]);
    let r = c.ok("lma.search", json!({ "query": "sandbox" })).await;
    assert_eq!(
        keys(&r),
        [
            "agency-gov-sandbox",
            "globex-full",
            "hooli-sandbox",
            "initech-sandbox",
            "umbrella-sandbox"
        ]
    );
    // 18- and 15-character org ids.
    let r = c
        .ok("lma.search", json!({ "query": "00D1x0000d6GncfEAC" }))
        .await;
    assert_eq!(keys(&r), ["globex-full"]);
    let r = c
        .ok("lma.search", json!({ "query": "00D1x0000d6Gncf" }))
        .await;
    assert_eq!(keys(&r), ["globex-full"]);
    assert_eq!(
        r["orgs"][0],
        json!({
            "key": "globex-full", "id": "00D1x0000d6GncfEAC", "name": "Globex Corp (Full Sandbox)",
            "orgType": "sandbox", "instance": "CS42",
            "contact": { "name": "Nadia Okafor", "email": "nadia.okafor@globex.example" },
        })
    );
    // Nothing matches.
    let r = c.ok("lma.search", json!({ "query": "wayne" })).await;
    assert_eq!(r["orgs"], json!([]));
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_org_detail_shows_contact_grants_packages_licenses_users_and_limits() {
    let srv = Server::start().await;
    let mut c = srv.client().await;
    c.login_lmo("support@acme.example").await.unwrap();
    let d = c.ok("lma.org", json!({ "org": "globex-full" })).await;
    assert_eq!(d["key"], "globex-full");
    assert_eq!(d["id"], "00D1x0000d6GncfEAC");
    assert_eq!(d["name"], "Globex Corp (Full Sandbox)");
    assert_eq!(d["instance"], "CS42");
    assert_eq!(d["orgType"], "sandbox");
    assert_eq!(d["edition"], "Unlimited Edition");
    assert_eq!(d["governmentCloud"], false);
    assert_eq!(d["requireMfa"], false);
    assert_eq!(d["licenseType"], "salesforce");
    assert_eq!(
        d["contact"],
        json!({ "name": "Nadia Okafor", "email": "nadia.okafor@globex.example" })
    );
    assert_eq!(
        d["grants"],
        json!([{
            "user": "admin@globex.example.full", "publisher": "Acme Apps",
            "grantedAt": "2024-05-19T16:00:00Z", "duration": "1w",
            "expiresAt": "2024-05-26T16:00:00Z", "active": true, "revoked": false,
        }])
    );
    assert_eq!(
        d["installed"],
        json!([{
            "namespace": "acme", "package": "Acme Billing", "version": "2.4.0.1",
            "licensing": "perUser", "seats": 25, "used": 2,
        }])
    );
    let users: Vec<Value> = d["users"].as_array().unwrap().clone();
    assert_eq!(users.len(), 3);
    assert_eq!(
        users[0],
        json!({
            "id": "0051x00001HedcmAAB", "username": "admin@globex.example.full", "name": "Nadia Okafor",
            "profile": "System Administrator", "admin": true, "active": true, "hasGrant": true,
        })
    );
    assert_eq!(users[1]["username"], "billing@globex.example.full");
    assert_eq!(users[1]["admin"], false);
    assert_eq!(users[1]["hasGrant"], false);
    assert_eq!(d["limits"]["debugSessions"], 1);
    assert!(d["limits"]["apexClasses"].as_u64().unwrap() >= 26, "{d}");
    assert!(d["limits"]["dataRecords"].as_u64().unwrap() > 0, "{d}");
    // Another org: whole-org licensing, an expired grant, Salesforce Platform licenses.
    let i = c.ok("lma.org", json!({ "org": "initech-sandbox" })).await;
    assert_eq!(i["installed"][0]["licensing"], "wholeOrg");
    assert_eq!(i["grants"][0]["active"], false);
    assert_eq!(i["grants"][0]["expiresAt"], "2024-05-17T16:00:00Z");
    let u = c
        .ok("lma.org", json!({ "org": "Umbrella Corp (Dev Sandbox)" }))
        .await;
    assert_eq!(u["licenseType"], "salesforcePlatform");
    assert_eq!(u["requireMfa"], true, "LoginAs needs a recent MFA there");
    assert_eq!(u["grants"], json!([]));
    let g = c
        .ok("lma.org", json!({ "org": "agency-gov-sandbox" }))
        .await;
    assert_eq!(g["governmentCloud"], true);
    let e = c
        .fails("lma.org", json!({ "org": "wayne-enterprises" }))
        .await;
    assert_eq!(e.code, "UNKNOWN_ORG");
    assert_eq!(
        e.message,
        "no subscriber org `wayne-enterprises`; search for it with lma.search (by name or org id)"
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lma_is_refused_to_subscribers() {
    let srv = Server::start().await;
    let mut c = srv
        .subscriber("globex-full", "admin@globex.example.full")
        .await;
    let e = c.fails("lma.search", json!({ "query": "globex" })).await;
    assert_eq!(e.code, "LMO_ONLY");
    assert_eq!(
        e.message,
        "lma.search is for the publisher's support console; log in to the LMO with auth.login"
    );
    let e = c.fails("lma.org", json!({ "org": "globex-full" })).await;
    assert_eq!(e.code, "LMO_ONLY");
    assert_eq!(
        e.message,
        "lma.org is for the publisher's support console; log in to the LMO with auth.login"
    );
    let e = c
        .fails(
            "loginAs.start",
            json!({ "org": "globex-full", "user": "sales@globex.example.full" }),
        )
        .await;
    assert_eq!(e.code, "LMO_ONLY");
    assert_eq!(
        e.message,
        "loginAs.start is for the publisher's support console; log in to the LMO with auth.login"
    );
    srv.shutdown().await;
}
