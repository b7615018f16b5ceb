//! Debug logs when several publishers share an org, over a real WebSocket on
//! the virtual clock: the full log, which shows package internals, goes only
//! to a LoginAs of the publisher of every package the log shows; a log that
//! also shows another publisher's package is read in the subscriber view.

mod sandbox_publishers_support;
mod sandbox_support;

use sandbox_publishers_support::{BOTH, BOTH_ADMIN, INITRODE, NORTHWIND, engineer, start};
use serde_json::json;

#[tokio::test]
async fn a_full_log_goes_only_to_the_publisher_of_every_package_it_shows() {
    let srv = start().await;
    let mut nw = engineer(&srv, NORTHWIND, BOTH, BOTH_ADMIN).await;
    let mut ini = engineer(&srv, INITRODE, BOTH, BOTH_ADMIN).await;
    let run = |code: &str| json!({ "code": code });

    // Northwind's own package only: Northwind reads it whole by default.
    let own = nw
        .ok("apex.run", run("System.debug(nwind.Greeter.hello('Ann'));"))
        .await;
    let own_id = own["requestId"].as_str().unwrap().to_string();
    let log = nw.ok("logs.get", json!({ "requestId": own_id })).await;
    assert_eq!(log["view"], "full");
    assert!(log["text"].as_str().unwrap().contains("opening"), "{log}");
    // Initrode's engineer, logged in as the same user, reads it as the customer would.
    let theirs = ini.ok("logs.get", json!({ "requestId": own_id })).await;
    assert_eq!(theirs["view"], "subscriber");
    assert!(
        !theirs["text"].as_str().unwrap().contains("opening"),
        "{theirs}"
    );
    let e = ini
        .fails("logs.get", json!({ "requestId": own_id, "view": "full" }))
        .await;
    assert_eq!(
        (e.code.as_str(), e.message),
        (
            "VIEW_REFUSED",
            format!(
                "the full log of request {own_id} also shows the internals of nwind, a package of another publisher, which only that publisher can read; ask for view subscriber"
            )
        )
    );

    // A request through both packages: neither publisher reads it whole.
    let both = nw
        .ok(
            "apex.run",
            run("System.debug(nwind.Greeter.hello(initrode.Stamp.next(7)));"),
        )
        .await;
    let both_id = both["requestId"].as_str().unwrap().to_string();
    for c in [&mut nw, &mut ini] {
        let log = c.ok("logs.get", json!({ "requestId": both_id })).await;
        assert_eq!(log["view"], "subscriber", "{log}");
        let text = log["text"].as_str().unwrap();
        assert!(
            !text.contains("opening") && !text.contains("prefix"),
            "{text}"
        );
        assert_eq!(
            c.fails("logs.get", json!({ "requestId": both_id, "view": "full" }))
                .await
                .code,
            "VIEW_REFUSED"
        );
    }
    // The list gives each the size of the view they read.
    let listed = nw.ok("logs.list", json!({})).await;
    let size_of = |id: &str| {
        listed["logs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["requestId"] == id)
            .unwrap()["size"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(size_of(&own_id), log["text"].as_str().unwrap().len() as u64);
    assert_eq!(size_of(&both_id) as usize, {
        let l = nw.ok("logs.get", json!({ "requestId": both_id })).await;
        l["text"].as_str().unwrap().len()
    });
}

#[tokio::test]
async fn a_packages_debug_lines_go_only_to_its_own_publisher() {
    let srv = start().await;
    let mut nw = engineer(&srv, NORTHWIND, BOTH, BOTH_ADMIN).await;
    let mut ini = engineer(&srv, INITRODE, BOTH, BOTH_ADMIN).await;
    let mut customer = srv.subscriber(BOTH, BOTH_ADMIN).await;
    let code = json!({ "code": "System.debug(initrode.Stamp.next(7));" });
    let lines = |r: &serde_json::Value| -> Vec<String> {
        r["output"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["message"].as_str().unwrap().to_string())
            .collect()
    };
    // Initrode's engineer sees their package's line and the org's own.
    assert_eq!(
        lines(&ini.ok("apex.run", code.clone()).await),
        ["initrode internals", "INI-7"]
    );
    // Northwind's, like the customer, sees the org's own line only.
    assert_eq!(lines(&nw.ok("apex.run", code.clone()).await), ["INI-7"]);
    assert_eq!(lines(&customer.ok("apex.run", code).await), ["INI-7"]);
}
