//! The default world loads from disk and from the copy built into the binary,
//! with the orgs, users, grants and traffic the demo and the rules rely on.

use std::path::{Path, PathBuf};
use std::time::Duration;

use isvdbg::world::{
    self, GrantDuration, LOG_IN_TO_SUBSCRIBER_ORG, LicenseType, Licensing, OrgType, TrafficAction,
    World,
};

fn default_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/worlds/default")
}

fn load_default() -> World {
    world::load(&default_dir()).unwrap_or_else(|e| panic!("the default world loads:\n{e}"))
}

#[test]
fn the_default_world_has_its_instance_publisher_and_lmo() {
    let w = load_default();
    assert_eq!(w.name, "default");
    assert!(w.root.is_absolute());
    assert_eq!(w.start.to_string(), "2024-05-20 16:00:00");
    assert_eq!(w.instance.name, "CS42");
    assert!(!w.instance.peak_load);
    assert_eq!(w.publisher.name, "Acme Apps");
    let lmo = &w.publisher.lmo;
    assert_eq!(lmo.debug_sessions, 1);
    assert_eq!(lmo.org_id.len(), 18);

    let user = |name: &str| {
        lmo.user(name)
            .unwrap_or_else(|| panic!("no LMO user {name}"))
    };
    let support = user("support@acme.example");
    assert!(
        support.permissions.is_empty(),
        "support has it through a set"
    );
    assert_eq!(support.permission_sets, vec!["ISV Support".to_string()]);
    assert!(lmo.has_permission(support, LOG_IN_TO_SUBSCRIBER_ORG));
    assert!(support.totp_secret.is_some());
    assert_eq!(support.password, "demo-password-1");

    let support2 = user("support2@acme.example");
    assert!(
        support2
            .permissions
            .iter()
            .any(|p| p == LOG_IN_TO_SUBSCRIBER_ORG)
    );
    assert!(support2.totp_secret.is_some());

    let intern = user("intern@acme.example");
    assert!(!lmo.has_permission(intern, LOG_IN_TO_SUBSCRIBER_ORG));
    assert!(intern.totp_secret.is_some());

    let newhire = user("newhire@acme.example");
    assert!(lmo.has_permission(newhire, LOG_IN_TO_SUBSCRIBER_ORG));
    assert!(
        newhire.totp_secret.is_none(),
        "newhire has not enrolled in MFA"
    );

    let acme = w.package("acme").expect("the acme package");
    assert_eq!(acme.name, "Acme Billing");
    assert!(acme.path.join("sfdx-project.json").is_file());
}

#[test]
fn the_default_world_has_seven_orgs_each_set_up_for_one_rule() {
    let w = load_default();
    let keys: Vec<&str> = w.orgs.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "agency-gov-sandbox",
            "globex-full",
            "globex-prod",
            "hooli-sandbox",
            "initech-sandbox",
            "stark-scratch",
            "umbrella-sandbox"
        ]
    );
    let org = |key: &str| w.org(key).unwrap();
    let active = |key: &str| {
        org(key)
            .grants
            .iter()
            .filter(|g| g.active_at(w.start))
            .count()
    };

    let full = org("globex-full");
    assert_eq!(full.org_type, OrgType::Sandbox);
    assert_eq!(active("globex-full"), 1);
    let grant = &full.grants[0];
    assert_eq!(grant.user, "admin@globex.example.full");
    assert_eq!(grant.publisher, "Acme Apps");
    assert_eq!(grant.duration, GrantDuration::OneWeek);
    assert_eq!(grant.granted_at, w.start - chrono::Duration::days(1));
    assert!(full.user(&grant.user).unwrap().is_admin());
    assert!(
        full.users.iter().any(|u| !u.is_admin()),
        "standard users too"
    );
    let installed = &full.installed[0];
    assert_eq!(
        (installed.namespace.as_str(), installed.licensing),
        ("acme", Licensing::PerUser)
    );
    assert!(installed.seats >= 1);
    assert!(full.project.as_ref().unwrap().join("data").is_dir());

    let prod = org("globex-prod");
    assert_eq!(prod.org_type, OrgType::Production);
    assert_eq!(active("globex-prod"), 1);
    assert!(prod.settings.require_mfa, "an MFA org with a grant");
    assert!(prod.users.iter().all(|u| u.totp_secret.is_some()));

    let initech = org("initech-sandbox");
    assert_eq!(initech.org_type, OrgType::Sandbox);
    assert_eq!(initech.grants.len(), 1);
    assert_eq!(active("initech-sandbox"), 0, "the grant has expired");
    assert!(initech.grants[0].expires_at() < w.start);
    assert_eq!(initech.installed[0].licensing, Licensing::WholeOrg);

    let umbrella = org("umbrella-sandbox");
    assert!(umbrella.grants.is_empty());
    assert_eq!(umbrella.license_type, LicenseType::SalesforcePlatform);

    let hooli = org("hooli-sandbox");
    assert!(hooli.settings.admins_can_log_in_as_any_user);
    assert_eq!(active("hooli-sandbox"), 1);
    assert!(!hooli.user(&hooli.grants[0].user).unwrap().is_admin());

    let agency = org("agency-gov-sandbox");
    assert!(agency.government_cloud);
    assert_eq!(agency.org_type, OrgType::Sandbox);
    assert_eq!(active("agency-gov-sandbox"), 1);

    let stark = org("stark-scratch");
    assert_eq!(stark.org_type, OrgType::Scratch);
    assert_eq!(active("stark-scratch"), 1);

    for o in &w.orgs {
        assert_eq!(o.id.len(), 18, "{}", o.key);
        assert!(
            o.users
                .iter()
                .all(|u| u.id.starts_with("005") && u.id.len() == 18)
        );
    }
}

#[test]
fn the_globex_clerk_recalculates_an_invoice_every_few_minutes() {
    let w = load_default();
    let [t] = w.traffic.as_slice() else {
        panic!("one scripted request: {:?}", w.traffic);
    };
    assert_eq!(t.org, "globex-full");
    let clerk = w.org("globex-full").unwrap().user(&t.user).unwrap();
    assert!(!clerk.is_admin());
    let TrafficAction::Apex(script) = &t.action else {
        panic!("anonymous Apex: {:?}", t.action);
    };
    let text = std::fs::read_to_string(script).unwrap();
    assert!(text.contains("acme.BillingApi.recalculate"));
    assert_eq!(t.at, Duration::from_secs(120));
    assert_eq!(t.every, Some(Duration::from_secs(300)));
}

#[test]
fn the_embedded_default_world_loads_without_the_fixture_folder() {
    let loaded = world::default_world().unwrap_or_else(|e| panic!("{e}"));
    assert!(loaded.is_embedded());
    assert_eq!(loaded.name, "default");
    assert!(!loaded.root.starts_with(default_dir()));
    assert_eq!(loaded.orgs.len(), 7);
    let full = loaded.org("globex-full").unwrap();
    assert!(full.project.as_ref().unwrap().join("scripts").is_dir());
    assert!(loaded.package("acme").unwrap().path.is_dir());

    let (world, files) = loaded.into_parts();
    let dir = files.expect("the embedded world owns its folder");
    assert!(world.root.starts_with(dir.path()));
    drop(dir);
    assert!(!world.root.exists(), "the folder goes with its guard");
}

#[test]
fn resolve_loads_the_given_folder_or_the_embedded_world() {
    let given = world::resolve(Some(&default_dir())).unwrap();
    assert!(!given.is_embedded());
    assert_eq!(given.root, default_dir());
    let built_in = world::resolve(None).unwrap();
    assert!(built_in.is_embedded());
    assert_eq!(built_in.orgs.len(), given.orgs.len());
}

#[test]
fn check_compiles_every_org_of_the_default_world() {
    let w = world::check(&default_dir()).unwrap_or_else(|e| panic!("{e}"));
    let s = world::Summary::of(&w);
    assert_eq!((s.orgs, s.lmo_users, s.packages), (7, 4, 1));
    assert_eq!(s.grants, 6);
}
