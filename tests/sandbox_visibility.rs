//! What the customer sees and what login access reveals: package source,
//! protected custom settings, debug logs and OAuth.

mod sandbox_support;

use sandbox_support::{ADMIN, Server, recalculate_script};
use serde_json::json;

const SUPPORT: &str = "support@acme.example";

fn package_text(srv: &Server, file: &str) -> String {
    let rt = srv.sb.org("globex-full").unwrap();
    rt.sources
        .iter()
        .find(|(f, _)| f.name == file)
        .map(|(f, _)| f.text.clone())
        .expect("the class")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn package_source_is_whole_under_loginas_and_global_signatures_for_the_customer() {
    let srv = Server::start().await;
    let mut eng = srv.engineer(SUPPORT, "globex-full", ADMIN).await;
    let full = eng
        .ok("source.get", json!({ "name": "BillingApi.cls" }))
        .await;
    assert_eq!(full["hidden"], false);
    assert_eq!(full["typeref"], "acme/BillingApi");
    assert_eq!(full["namespace"], "acme");
    assert_eq!(full["text"], package_text(&srv, "BillingApi.cls").as_str());
    assert!(!full["validLines"].as_array().unwrap().is_empty());
    // By typeref, a non-global class too.
    let tax = eng
        .ok("source.get", json!({ "typeref": "acme/TaxCalculator" }))
        .await;
    assert_eq!(
        tax["text"],
        package_text(&srv, "TaxCalculator.cls").as_str()
    );

    let mut customer = srv.subscriber("globex-full", ADMIN).await;
    let hidden = customer
        .ok("source.get", json!({ "name": "BillingApi.cls" }))
        .await;
    assert_eq!(hidden["hidden"], true);
    assert_eq!(hidden["validLines"], json!([]));
    let text = hidden["text"].as_str().unwrap();
    assert!(
        text.starts_with("/* This class is part of a managed package: its source is hidden. */\n"),
        "{text}"
    );
    for signature in [
        "global with sharing class BillingApi {",
        "    global static final String API_VERSION = '2.4';",
        "    global class LineInput {",
        "        global String productName;",
        "        global LineInput(String productName, Decimal quantity, Decimal unitPrice, Decimal discountPercent) { /* hidden */ }",
        "    global static Id createInvoice(Id accountId, List<LineInput> lines) { /* hidden */ }",
        "    global static Invoice__c recalculate(Id invoiceId) { /* hidden */ }",
    ] {
        assert!(
            text.lines().any(|l| l == signature),
            "missing `{signature}` in:\n{text}"
        );
    }
    // No method bodies, no non-global members.
    for internal in [
        "InvoiceService.createInvoice",
        "InvoiceSelector.withLines",
        "toRecord",
        "throw new",
    ] {
        assert!(!text.contains(internal), "`{internal}` leaked:\n{text}");
    }
    // A class with no global member shows nothing but the notice.
    let tax = customer
        .ok("source.get", json!({ "typeref": "acme/TaxCalculator" }))
        .await;
    assert_eq!(tax["hidden"], true);
    assert_eq!(
        tax["text"],
        "/* This class is part of a managed package: its source is hidden. */\n"
    );
    // The customer's own code is theirs to read.
    let own = customer
        .ok("source.get", json!({ "name": "GlobexInvoiceService.cls" }))
        .await;
    assert_eq!(own["hidden"], false);
    assert!(own["text"].as_str().unwrap().contains("SERVICES_PRODUCT"));
    let list = customer.ok("source.list", json!({})).await;
    let files = list["files"].as_array().unwrap();
    let hidden_of = |name: &str| {
        files.iter().find(|f| f["name"] == name).unwrap()["hidden"]
            .as_bool()
            .unwrap()
    };
    assert!(hidden_of("TaxCalculator.cls"));
    assert!(!hidden_of("GlobexInvoiceService.cls"));
    let e = customer
        .fails("source.get", json!({ "name": "Nope.cls" }))
        .await;
    assert_eq!(e.code, "UNKNOWN_SOURCE");
    assert_eq!(
        e.message,
        "no class or trigger `Nope.cls` in this org; list them with source.list"
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protected_settings_are_open_under_loginas_and_closed_to_the_customer() {
    let srv = Server::start().await;
    let mut eng = srv.engineer(SUPPORT, "globex-full", ADMIN).await;
    let rates = eng
        .ok("settings.get", json!({ "name": "acme__Tax_Rate__c" }))
        .await;
    assert_eq!(rates["protected"], true);
    let records = rates["records"].as_array().unwrap();
    assert_eq!(records.len(), 10, "{rates}");
    let ca = records.iter().find(|r| r["Name"] == "US_CA").unwrap();
    assert_eq!(ca["acme__Rate__c"], "7.250", "{ca}");
    let set = eng
        .ok(
            "settings.set",
            json!({ "name": "acme__Billing_Config__c", "values": { "acme__Default_Region__c": "US_CA" } }),
        )
        .await;
    assert_eq!(set["records"][0]["acme__Default_Region__c"], "US_CA");
    let again = eng
        .ok("settings.get", json!({ "name": "acme__Billing_Config__c" }))
        .await;
    assert_eq!(again["records"].as_array().unwrap().len(), 1);
    assert_eq!(again["records"][0]["acme__Default_Region__c"], "US_CA");
    assert_eq!(
        again["records"][0]["acme__External_System__c"],
        "SAP S/4HANA"
    );

    // The publisher's anonymous Apex reads them too.
    let code = "System.debug(acme__Tax_Rate__c.getAll().size());\nSystem.debug([SELECT COUNT() FROM acme__Tax_Rate__c]);";
    let r = eng.ok("apex.run", json!({ "code": code })).await;
    assert_eq!(r["success"], true, "{r}");
    let out: Vec<&str> = r["output"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["message"].as_str().unwrap())
        .collect();
    assert_eq!(out, ["10", "10"]);

    let mut customer = srv.subscriber("globex-full", ADMIN).await;
    // The customer's own Apex cannot name them.
    let e = customer.fails("apex.run", json!({ "code": code })).await;
    assert_eq!(e.code, "COMPILE_ERROR");
    assert_eq!(
        e.message,
        "AnonymousBlock:1:14: Type is not visible: acme__Tax_Rate__c\nAnonymousBlock:2:14: Type is not visible: acme__Tax_Rate__c"
    );
    for name in ["acme__Tax_Rate__c", "acme__Billing_Config__c"] {
        let e = customer
            .fails("settings.get", json!({ "name": name }))
            .await;
        assert_eq!(e.code, "PROTECTED_SETTING");
        assert_eq!(
            e.message,
            format!(
                "{name} is a protected custom setting of the acme package: only the package's code, and the publisher through login access, can read it"
            )
        );
        let e = customer
            .fails(
                "settings.set",
                json!({ "name": name, "values": { "acme__Active__c": false } }),
            )
            .await;
        assert_eq!(e.code, "PROTECTED_SETTING");
        assert_eq!(
            e.message,
            format!(
                "{name} is a protected custom setting of the acme package: only the package's code, and the publisher through login access, can change it"
            )
        );
    }
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_logs_are_the_publishers_and_the_customer_sees_the_subscriber_view() {
    let srv = Server::start().await;
    let mut customer = srv.subscriber("globex-full", ADMIN).await;
    let run = customer
        .ok(
            "apex.run",
            json!({ "code": recalculate_script(&srv.sb), "name": "recalculate-invoice.apex" }),
        )
        .await;
    assert_eq!(run["success"], true, "{run}");
    let request = run["requestId"].as_str().unwrap().to_string();
    // The customer's output holds only their own debug lines.
    let out: Vec<&str> = run["output"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["message"].as_str().unwrap())
        .collect();
    assert!(out.iter().any(|l| l.starts_with("tax=")), "{out:?}");
    let e = customer
        .fails("logs.get", json!({ "requestId": request, "view": "full" }))
        .await;
    assert_eq!(e.code, "VIEW_REFUSED");
    assert_eq!(
        e.message,
        "the full log shows managed package internals: only the publisher, logged in through login access, can read it; ask for view subscriber"
    );
    let sub = customer
        .ok("logs.get", json!({ "requestId": request }))
        .await;
    assert_eq!(sub["view"], "subscriber");
    let text = sub["text"].as_str().unwrap();
    assert!(text.contains("ENTERING_MANAGED_PKG|acme"), "{text}");
    for internal in [
        "TaxCalculator",
        "RegionResolver",
        "acme__Tax_Rate__c",
        "acme.InvoiceService",
    ] {
        assert!(!text.contains(internal), "`{internal}` leaked:\n{text}");
    }
    let list = customer.ok("logs.list", json!({})).await;
    assert!(
        list["logs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["requestId"] == request.as_str() && l["user"] == ADMIN),
        "{list}"
    );
    let e = customer
        .fails("logs.get", json!({ "requestId": "999999" }))
        .await;
    assert_eq!(e.code, "NO_LOG");
    assert_eq!(
        e.message,
        "no debug log for request 999999 in this org; list them with logs.list"
    );

    let mut eng = srv.engineer(SUPPORT, "globex-full", ADMIN).await;
    let full = eng.ok("logs.get", json!({ "requestId": request })).await;
    assert_eq!(full["view"], "full");
    let text = full["text"].as_str().unwrap();
    assert!(text.contains("TaxCalculator"), "{text}");
    assert!(text.contains("RegionResolver"), "{text}");
    let sub = eng
        .ok(
            "logs.get",
            json!({ "requestId": request, "view": "subscriber" }),
        )
        .await;
    assert_eq!(sub["view"], "subscriber");
    assert!(!sub["text"].as_str().unwrap().contains("TaxCalculator"));
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_customer_authorizes_oauth() {
    let srv = Server::start().await;
    let mut eng = srv.engineer(SUPPORT, "globex-full", ADMIN).await;
    let e = eng
        .fails("oauth.authorize", json!({ "client": "Acme ERP Connector" }))
        .await;
    assert_eq!(e.code, "OAUTH_REFUSED");
    assert_eq!(
        e.message,
        "OAuth access cannot be granted while logged in through login access: only the customer can authorize a connected app"
    );
    let mut customer = srv.subscriber("globex-full", ADMIN).await;
    let r = customer
        .ok("oauth.authorize", json!({ "client": "Acme ERP Connector" }))
        .await;
    assert_eq!(
        r,
        json!({ "client": "Acme ERP Connector", "authorized": true })
    );
    srv.shutdown().await;
}

const RICHARD: &str = "richard@hooli.example.qa";
const HOOLI_ADMIN: &str = "admin@hooli.example.qa";

/// Runs a line of anonymous Apex as a Hooli customer; returns the request id.
async fn hooli_request(srv: &Server, user: &str) -> String {
    let mut c = srv.subscriber("hooli-sandbox", user).await;
    let run = c
        .ok("apex.run", json!({ "code": "System.debug('hello');" }))
        .await;
    assert_eq!(run["success"], true, "{run}");
    run["requestId"].as_str().unwrap().to_string()
}

fn listed(list: &serde_json::Value) -> Vec<String> {
    let logs = list["logs"].as_array().unwrap();
    logs.iter()
        .map(|l| l["requestId"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loginas_has_exactly_the_users_permissions_for_debug_logs() {
    // Hooli's admin grants access too, so the LMO can log in as either user.
    let srv = Server::start_with(|w| {
        let hooli = w
            .orgs
            .iter_mut()
            .find(|o| o.key == "hooli-sandbox")
            .unwrap();
        let mut grant = hooli.grants[0].clone();
        grant.user = HOOLI_ADMIN.into();
        hooli.grants.push(grant);
    })
    .await;
    let admins = hooli_request(&srv, HOOLI_ADMIN).await;
    let richards = hooli_request(&srv, RICHARD).await;

    // Richard is a standard user: his own logs only, as himself...
    let mut richard = srv.subscriber("hooli-sandbox", RICHARD).await;
    assert_eq!(
        listed(&richard.ok("logs.list", json!({})).await),
        [richards.as_str()]
    );
    let e = richard
        .fails("logs.get", json!({ "requestId": admins }))
        .await;
    assert_eq!(e.code, "LOG_NOT_VISIBLE");
    assert_eq!(
        e.message,
        format!(
            "request {admins} ran as admin@hooli.example.qa, and richard@hooli.example.qa is not an administrator, so they read only the debug logs of their own requests; ask admin@hooli.example.qa or an administrator of Hooli (QA Sandbox)"
        )
    );
    // ...and the publisher logged in as him has no more than that.
    let mut eng = srv.engineer(SUPPORT, "hooli-sandbox", RICHARD).await;
    assert_eq!(
        listed(&eng.ok("logs.list", json!({})).await),
        [richards.as_str()]
    );
    let e = eng.fails("logs.get", json!({ "requestId": admins })).await;
    assert_eq!(e.code, "LOG_NOT_VISIBLE");
    assert_eq!(
        e.message,
        format!(
            "request {admins} ran as admin@hooli.example.qa, and richard@hooli.example.qa is not an administrator, so they read only the debug logs of their own requests; login access gives exactly richard@hooli.example.qa's permissions; to read it, log in as admin@hooli.example.qa or as an administrator who granted login access"
        )
    );
    let own = eng.ok("logs.get", json!({ "requestId": richards })).await;
    assert_eq!(own["view"], "full");

    // Logged in as the admin, the same engineer reads every user's logs.
    eng.ok(
        "loginAs.start",
        json!({ "org": "hooli-sandbox", "user": HOOLI_ADMIN }),
    )
    .await;
    assert_eq!(
        listed(&eng.ok("logs.list", json!({})).await),
        [admins.as_str(), richards.as_str()]
    );
    let theirs = eng.ok("logs.get", json!({ "requestId": admins })).await;
    assert_eq!(theirs["view"], "full");
    srv.shutdown().await;
}
