//! What each publisher sees when several share an instance, over a real
//! WebSocket on the virtual clock: a package's full source and protected
//! settings only under a LoginAs of that package's own publisher (another
//! publisher's engineer sees exactly what the customer sees), and each LMA
//! shows only its publisher's subscribers, packages, licenses and grants.

mod sandbox_publishers_support;
mod sandbox_support;

use sandbox_publishers_support::{
    BOTH, BOTH_ADMIN, INITRODE, NORTHWIND, SOLO, engineer, lmo, start,
};
use serde_json::{Value, json};

#[tokio::test]
async fn package_source_is_whole_only_to_its_own_publisher() {
    let srv = start().await;
    let mut nw = engineer(&srv, NORTHWIND, BOTH, BOTH_ADMIN).await;
    let mut ini = engineer(&srv, INITRODE, BOTH, BOTH_ADMIN).await;
    let mut customer = srv.subscriber(BOTH, BOTH_ADMIN).await;
    let get = |name: &str| json!({ "name": name });

    let greeter_as_customer = customer.ok("source.get", get("Greeter.cls")).await;
    let stamp_as_customer = customer.ok("source.get", get("Stamp.cls")).await;
    assert_eq!(greeter_as_customer["hidden"], true);
    assert_eq!(stamp_as_customer["hidden"], true);

    // Northwind reads its own Greeter whole, and Initrode's Stamp as the customer does.
    let greeter = nw.ok("source.get", get("Greeter.cls")).await;
    assert_eq!(greeter["hidden"], false);
    assert!(
        greeter["text"]
            .as_str()
            .unwrap()
            .contains("private static String opening()"),
        "{greeter}"
    );
    assert_ne!(greeter["validLines"], json!([]));
    assert_eq!(
        nw.ok("source.get", get("Stamp.cls")).await,
        stamp_as_customer
    );

    // And the other way round.
    let stamp = ini.ok("source.get", get("Stamp.cls")).await;
    assert_eq!(stamp["hidden"], false);
    assert!(
        stamp["text"]
            .as_str()
            .unwrap()
            .contains("private static String prefix()"),
        "{stamp}"
    );
    assert_eq!(
        ini.ok("source.get", get("Greeter.cls")).await,
        greeter_as_customer
    );

    // source.list says the same.
    let hidden = |list: &Value, name: &str| {
        list["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap()["hidden"]
            .clone()
    };
    let list = nw.ok("source.list", json!({})).await;
    assert_eq!(hidden(&list, "Greeter.cls"), false);
    assert_eq!(hidden(&list, "Stamp.cls"), true);
    let list = ini.ok("source.list", json!({})).await;
    assert_eq!(hidden(&list, "Greeter.cls"), true);
    assert_eq!(hidden(&list, "Stamp.cls"), false);

    // Only a look inside a package of one's own is audited as one.
    let trail = customer.ok("audit.trail", json!({})).await;
    let viewed: Vec<(&str, &str)> = trail["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "View package source")
        .map(|e| (e["user"].as_str().unwrap(), e["detail"].as_str().unwrap()))
        .collect();
    assert_eq!(
        viewed,
        [(NORTHWIND, "Greeter.cls"), (INITRODE, "Stamp.cls")]
    );
    srv.shutdown().await;
}

#[tokio::test]
async fn protected_settings_open_only_to_their_own_publisher() {
    let srv = start().await;
    let mut nw = engineer(&srv, NORTHWIND, BOTH, BOTH_ADMIN).await;
    let mut ini = engineer(&srv, INITRODE, BOTH, BOTH_ADMIN).await;

    let set = nw
        .ok(
            "settings.set",
            json!({ "name": "nwind__Nw_Config__c", "values": { "nwind__Greeting__c": "Howdy" } }),
        )
        .await;
    assert_eq!(set["records"][0]["nwind__Greeting__c"], "Howdy");
    for verb in ["get", "set"] {
        let params =
            json!({ "name": "nwind__Nw_Config__c", "values": { "nwind__Greeting__c": "Hi" } });
        let e = ini.fails(&format!("settings.{verb}"), params).await;
        assert_eq!(e.code, "PROTECTED_SETTING");
        assert_eq!(
            e.message,
            format!(
                "nwind__Nw_Config__c is a protected custom setting of the nwind package: only the package's code, and Northwind Apps through login access, can {}",
                if verb == "get" {
                    "read it"
                } else {
                    "change it"
                }
            )
        );
    }
    ini.ok(
        "settings.get",
        json!({ "name": "initrode__Stamp_Config__c" }),
    )
    .await;
    let e = nw
        .fails(
            "settings.get",
            json!({ "name": "initrode__Stamp_Config__c" }),
        )
        .await;
    assert_eq!(
        e.message,
        "initrode__Stamp_Config__c is a protected custom setting of the initrode package: only the package's code, and Initrode Software through login access, can read it"
    );

    // Anonymous Apex under LoginAs may name its own publisher's protected
    // settings, not another's.
    let own = "System.debug(nwind__Nw_Config__c.getOrgDefaults().nwind__Greeting__c);";
    let r = nw.ok("apex.run", json!({ "code": own })).await;
    assert_eq!(r["success"], true, "{r}");
    assert_eq!(r["output"][0]["message"], "Howdy", "{r}");
    let e = ini.fails("apex.run", json!({ "code": own })).await;
    assert_eq!(e.code, "COMPILE_ERROR");
    assert_eq!(
        e.message,
        "AnonymousBlock:1:14: Type is not visible: nwind__Nw_Config__c"
    );
    srv.shutdown().await;
}

#[tokio::test]
async fn each_lma_shows_its_own_subscribers_packages_and_grants() {
    let srv = start().await;
    let mut nw = lmo(&srv, NORTHWIND).await;
    let mut ini = lmo(&srv, INITRODE).await;
    let keys = |r: &Value| -> Vec<String> {
        r["orgs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["key"].as_str().unwrap().to_string())
            .collect()
    };
    // Solo Inc installed only Initrode's package: not Northwind's subscriber.
    let q = json!({ "query": "sandbox" });
    assert_eq!(keys(&nw.ok("lma.search", q.clone()).await), [BOTH]);
    assert_eq!(keys(&ini.ok("lma.search", q).await), [BOTH, SOLO]);
    let by_id = json!({ "query": "00D1x000004SoLo" });
    assert_eq!(
        keys(&nw.ok("lma.search", by_id.clone()).await),
        Vec::<String>::new()
    );
    assert_eq!(keys(&ini.ok("lma.search", by_id).await), [SOLO]);
    let e = nw.fails("lma.org", json!({ "org": SOLO })).await;
    assert_eq!(e.code, "UNKNOWN_ORG");
    assert_eq!(
        e.message,
        "Solo Inc (Sandbox) has installed no package of Northwind Apps, so it is not a subscriber in this LMA; search for your subscribers with lma.search"
    );

    // The detail of a shared subscriber: each LMO sees its own package,
    // licenses and grants.
    for (c, namespace, granted) in [
        (&mut nw, "nwind", vec![BOTH_ADMIN, "clerk@both.example.sb"]),
        (
            &mut ini,
            "initrode",
            vec![BOTH_ADMIN, "analyst@both.example.sb"],
        ),
    ] {
        let d = c.ok("lma.org", json!({ "org": BOTH })).await;
        let installed = d["installed"].as_array().unwrap();
        assert_eq!(installed.len(), 1, "{d}");
        assert_eq!(installed[0]["namespace"], namespace);
        assert_eq!(installed[0]["used"], 2, "{d}");
        let grants: Vec<&str> = d["grants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["user"].as_str().unwrap())
            .collect();
        assert_eq!(grants, granted);
        let has_grant: Vec<&str> = d["users"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| u["hasGrant"] == true)
            .map(|u| u["username"].as_str().unwrap())
            .collect();
        assert_eq!(has_grant, granted);
        assert_eq!(d["limits"]["debugSessions"], 1);
    }
    srv.shutdown().await;
}
