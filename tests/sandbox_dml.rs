//! `data.dml`: DML through the API as a request of its own (SYNCHRONOUS),
//! whose triggers run and can be debugged, and the refusals of bad input.

mod sandbox_support;

use sandbox_support::{ADMIN, Client, Server};
use serde_json::{Value, json};

const SUPPORT: &str = "support@acme.example";

/// The id of one of Globex's invoices, read by anonymous Apex.
async fn an_invoice(c: &mut Client) -> String {
    let r = c
        .ok(
            "apex.run",
            json!({ "code": "System.debug([SELECT Id FROM acme__Invoice__c ORDER BY Name LIMIT 1].Id);" }),
        )
        .await;
    assert_eq!(r["success"], true, "{r}");
    r["output"][0]["message"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dml_through_the_api_is_a_synchronous_request_that_stops_in_the_trigger() {
    let srv = Server::start().await;
    let mut c = srv.engineer(SUPPORT, "globex-full", ADMIN).await;
    let s = c
        .ok(
            "debug.start",
            json!({ "requestTypeFilter": ["SYNCHRONOUS"] }),
        )
        .await;
    let session = s["sessionId"].as_str().unwrap().to_string();
    let typeref = "__sfdc_trigger/acme/InvoiceTrigger";
    let set = c
        .ok(
            "debug.breakpoints",
            json!({ "sessionId": session, "typeref": typeref, "breakpoints": [{ "line": 2 }] }),
        )
        .await;
    assert_eq!(set["breakpoints"][0]["verified"], true, "{set}");
    // Anonymous Apex is not SYNCHRONOUS: the session leaves it alone.
    let invoice = an_invoice(&mut c).await;
    c.no_event("RequestStarted").await;

    let run = c
        .ok(
            "data.dml",
            json!({ "operation": "update", "sobject": "acme__Invoice__c",
                    "records": [{ "Id": invoice }], "wait": false }),
        )
        .await;
    let request = run["requestId"].as_str().unwrap().to_string();
    let started = c.event("RequestStarted").await;
    assert_eq!(started["requestId"], request.as_str());
    assert_eq!(started["kind"], "SYNCHRONOUS");
    assert_eq!(started["entryPoint"], "acme__Invoice__c update");
    assert_eq!(started["debugged"], true);
    assert_eq!(started["user"], ADMIN);
    let stop = c.event("Stopped").await;
    assert_eq!(stop["typeref"], typeref);
    assert_eq!(stop["file"], "InvoiceTrigger.trigger");
    assert_eq!(stop["line"], 2);
    let stack = c.ok("debug.stack", json!({ "requestId": request })).await;
    let frames = stack["frames"].as_array().unwrap();
    assert_eq!(frames.len(), 1, "the trigger is the whole stack: {stack}");
    assert_eq!(frames[0]["typeref"], typeref);
    c.ok("debug.continue", json!({ "requestId": request }))
        .await;
    // The trigger runs again after the update, in the same request.
    let after = c.event("Stopped").await;
    assert_eq!(
        (&after["requestId"], &after["typeref"]),
        (&json!(request), &json!(typeref))
    );
    c.ok("debug.continue", json!({ "requestId": request }))
        .await;
    let done = c
        .event_where("RequestFinished", |b| b["requestId"] == request.as_str())
        .await;
    assert_eq!(done["results"][0]["id"], invoice.as_str(), "{done}");
    assert_eq!(done["success"], true, "{done}");
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_inserts_and_deletes_records_and_gets_each_rows_outcome() {
    let srv = Server::start().await;
    let mut c = srv.subscriber("globex-full", ADMIN).await;
    let inserted = c
        .ok(
            "data.dml",
            json!({ "operation": "insert", "sobject": "account",
                    "records": [{ "Name": "Prairie Sky Cooperative", "BillingState": "Kansas" }] }),
        )
        .await;
    assert_eq!(inserted["success"], true, "{inserted}");
    let row = &inserted["results"][0];
    assert_eq!(row["success"], true, "{row}");
    assert_eq!(row["errors"], json!([]));
    let id = row["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("001"), "{id}");
    let read = c
        .ok(
            "apex.run",
            json!({ "code": format!("System.debug([SELECT BillingState FROM Account WHERE Id = '{id}'].BillingState);") }),
        )
        .await;
    assert_eq!(read["output"][0]["message"], "Kansas", "{read}");
    let deleted = c
        .ok(
            "data.dml",
            json!({ "operation": "delete", "sobject": "Account", "records": [{ "Id": id }] }),
        )
        .await;
    assert_eq!(deleted["results"][0]["success"], true, "{deleted}");
    let logs = c.ok("logs.list", json!({})).await;
    let last = logs["logs"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "SYNCHRONOUS", "{logs}");
    assert_eq!(last["entryPoint"], "Account delete");
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_dml_calls_are_refused_naming_what_is_wrong() {
    let srv = Server::start().await;
    let mut c = srv.subscriber("globex-full", ADMIN).await;
    let cases: [(Value, &str, &str); 7] = [
        (
            json!({ "operation": "merge", "sobject": "Account", "records": [{}] }),
            "BAD_PARAMS",
            "data.dml: `merge` is not an operation; use insert, update, upsert or delete",
        ),
        (
            json!({ "operation": "insert", "sobject": "Acount", "records": [{}] }),
            "UNKNOWN_SOBJECT",
            "data.dml: this org has no sObject `Acount`; give its API name, such as Account or acme__Invoice__c",
        ),
        (
            json!({ "operation": "insert", "sobject": "Account", "records": [] }),
            "BAD_PARAMS",
            "data.dml: `records` is empty; give at least one record",
        ),
        (
            json!({ "operation": "insert", "sobject": "Account", "records": [{ "Nmae": "x" }] }),
            "BAD_PARAMS",
            "data.dml: record 0: Account has no field `Nmae`",
        ),
        (
            json!({ "operation": "update", "sobject": "Account", "records": [{ "Name": "x" }] }),
            "BAD_PARAMS",
            "data.dml: record 0 has no Id; update needs the Id of each record",
        ),
        (
            json!({ "operation": "insert", "sobject": "acme__Invoice__c", "records": [{ "acme__Invoice_Date__c": "May 2" }] }),
            "BAD_PARAMS",
            "data.dml: record 0: acme__Invoice__c.acme__Invoice_Date__c takes a date (2024-05-02), not \"May 2\"",
        ),
        (
            json!({ "operation": "insert", "sobject": "acme__Billing_Config__c", "records": [{}] }),
            "BAD_PARAMS",
            "data.dml: acme__Billing_Config__c is a custom setting; change it with settings.set",
        ),
    ];
    for (params, code, message) in cases {
        let e = c.fails("data.dml", params.clone()).await;
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            (code, message),
            "{params}"
        );
    }
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_carry_their_creation_time_on_the_instance_clock() {
    let srv = Server::start().await;
    let mut c = srv.subscriber("globex-full", ADMIN).await;
    let code = "Account seeded = [SELECT CreatedDate FROM Account WHERE Name = 'Cypress Creek Outfitters' LIMIT 1];\n\
                System.debug(seeded.CreatedDate > System.now());\n\
                Account fresh = new Account(Name = 'Dated Now');\n\
                Datetime before = System.now();\n\
                insert fresh;\n\
                Datetime created = [SELECT CreatedDate FROM Account WHERE Id = :fresh.Id].CreatedDate;\n\
                System.debug(before <= created && created <= System.now());";
    let r = c.ok("apex.run", json!({ "code": code })).await;
    let out: Vec<&str> = r["output"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["message"].as_str().unwrap())
        .collect();
    // Seeded at the world's start, where the instance clock starts: never
    // after the instance's now; inserted at the instance's now.
    assert_eq!(
        out,
        ["false", "true"],
        "seeded at the start; inserted at the instance's now"
    );
    srv.shutdown().await;
}
