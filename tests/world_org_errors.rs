//! Problems in org.toml files: ids, duplicates across orgs, users, installed
//! packages and licenses, and login-access grants.

mod world_support;

use isvdbg::world;
use world_support::{assert_at, edit, world_with};

#[test]
fn a_15_character_id_is_stored_as_18() {
    let w = world_with(|f| {
        edit(
            &mut f.alpha,
            "id = \"00D1x0000d6GncfEAC\"",
            "id = \"00D1x0000d6Gncf\"",
        )
    });
    let loaded = world::load(w.dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.org("alpha").unwrap().id, "00D1x0000d6GncfEAC");
}

#[test]
fn ids_need_the_right_prefix_length_and_checksum() {
    let w = world_with(|f| {
        edit(
            &mut f.alpha,
            "id = \"00D1x0000d6GncfEAC\"",
            "id = \"0051x0000d6GncfEAC\"",
        )
    });
    assert_at(
        &w,
        &w.error(),
        "orgs/alpha/org.toml",
        "0051x0000d6GncfEAC",
        &["not an org id", "`00D`"],
    );
    let w = world_with(|f| {
        edit(
            &mut f.alpha,
            "id = \"0051x00001HedcmAAB\"",
            "id = \"00D1x00001HedcmAAB\"",
        )
    });
    assert_at(
        &w,
        &w.error(),
        "orgs/alpha/org.toml",
        "00D1x00001HedcmAAB",
        &["not a user id", "`005`"],
    );
    let w = world_with(|f| {
        edit(
            &mut f.alpha,
            "id = \"00D1x0000d6GncfEAC\"",
            "id = \"00D1x0000d6GncfAAA\"",
        )
    });
    assert_at(
        &w,
        &w.error(),
        "orgs/alpha/org.toml",
        "00D1x0000d6GncfAAA",
        &["wrong checksum", "`EAC`"],
    );
    let w = world_with(|f| {
        edit(
            &mut f.alpha,
            "id = \"00D1x0000d6GncfEAC\"",
            "id = \"00D1x\"",
        )
    });
    assert_at(
        &w,
        &w.error(),
        "orgs/alpha/org.toml",
        "00D1x\"",
        &["5 characters", "15- or 18-character"],
    );
}

#[test]
fn two_orgs_cannot_share_an_id() {
    let w = world_with(|f| {
        edit(
            &mut f.beta,
            "id = \"00D6t0000BAepfJEQR\"",
            "id = \"00D1x0000d6Gncf\"",
        )
    });
    let e = w.error();
    assert_at(
        &w,
        &e,
        "orgs/beta/org.toml",
        "00D1x0000d6Gncf",
        &[
            "org id 00D1x0000d6GncfEAC is already used at",
            "alpha/org.toml:1:6",
        ],
    );
}

#[test]
fn usernames_and_user_ids_are_unique_across_the_world() {
    let w = world_with(|f| {
        edit(
            &mut f.beta,
            "username = \"admin@beta.example\"",
            "username = \"Admin@Alpha.example\"",
        )
    });
    assert_at(
        &w,
        &w.error(),
        "orgs/beta/org.toml",
        "Admin@Alpha",
        &[
            "username Admin@Alpha.example is already used at",
            "unique across all orgs",
        ],
    );
    let w = world_with(|f| {
        edit(
            &mut f.beta,
            "id = \"0056t0000uCL1mHAAT\"",
            "id = \"0055g0000C3J27XAQS\"",
        )
    });
    assert_at(
        &w,
        &w.error(),
        "orgs/beta/org.toml",
        "0055g0000C3J27XAQS",
        &[
            "user id 0055g0000C3J27XAQS is already used at",
            "world.toml:",
        ],
    );
}

#[test]
fn a_username_is_an_email_address() {
    let w = world_with(|f| {
        edit(
            &mut f.beta,
            "username = \"admin@beta.example\"",
            "username = \"admin\"",
        )
    });
    assert_at(
        &w,
        &w.error(),
        "orgs/beta/org.toml",
        "username = \"admin\"",
        &["not a username", "email address"],
    );
}

#[test]
fn a_grant_comes_from_a_user_of_the_org() {
    let w = world_with(|f| {
        edit(
            &mut f.alpha,
            "user = \"admin@alpha.example\"",
            "user = \"admin@beta.example\"",
        )
    });
    assert_at(
        &w,
        &w.error(),
        "orgs/alpha/org.toml",
        "user = \"admin@beta",
        &[
            "`admin@beta.example` is not a user of this org",
            "admin@alpha.example, clerk@alpha.example",
        ],
    );
}

#[test]
fn a_user_that_could_not_be_read_raises_no_second_alarm() {
    // The admin's id is bad: that is the one problem, not also "no such user"
    // for the admin's grant.
    let w = world_with(|f| {
        edit(
            &mut f.alpha,
            "id = \"0051x00001HedcmAAB\"",
            "id = \"0051x\"",
        )
    });
    assert_at(
        &w,
        &w.error(),
        "orgs/alpha/org.toml",
        "0051x\"",
        &["5 characters"],
    );
    let w = world_with(|f| edit(&mut f.alpha, "name = \"Carl\"", "nmae = \"Carl\""));
    let e = w.error();
    assert!(e.message.contains("unknown field `nmae`"), "{e}");
}

#[test]
fn a_grant_names_the_world_publisher() {
    let w = world_with(|f| {
        edit(
            &mut f.alpha,
            "publisher = \"Acme Apps\"",
            "publisher = \"Initrode\"",
        )
    });
    assert_at(
        &w,
        &w.error(),
        "orgs/alpha/org.toml",
        "Initrode",
        &["the world's publisher is `Acme Apps`, not `Initrode`"],
    );
}

#[test]
fn a_grant_lasts_one_of_the_salesforce_durations() {
    let w = world_with(|f| edit(&mut f.alpha, "duration = \"1w\"", "duration = \"2w\""));
    assert_at(
        &w,
        &w.error(),
        "orgs/alpha/org.toml",
        "duration",
        &["`2w` is not a grant duration", "1d, 3d, 1w, 1m or 1y"],
    );
}

#[test]
fn a_grant_time_is_relative_or_rfc_3339() {
    let w = world_with(|f| {
        edit(
            &mut f.alpha,
            "granted_at = \"-1d\"",
            "granted_at = \"yesterday\"",
        )
    });
    assert_at(
        &w,
        &w.error(),
        "orgs/alpha/org.toml",
        "granted_at",
        &["`yesterday` is not a time", "-1d"],
    );
    let w = world_with(|f| {
        edit(
            &mut f.alpha,
            "granted_at = \"-1d\"",
            "granted_at = 2024-05-19T10:00:00Z",
        )
    });
    let loaded = world::load(w.dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        loaded.org("alpha").unwrap().grants[0]
            .granted_at
            .to_string(),
        "2024-05-19 10:00:00"
    );
}

#[test]
fn only_packages_of_the_publisher_can_be_installed() {
    let w = world_with(|f| edit(&mut f.beta, "namespace = \"acme\"", "namespace = \"zeta\""));
    assert_at(
        &w,
        &w.error(),
        "orgs/beta/org.toml",
        "zeta",
        &["`zeta` is not a package of Acme Apps", "(acme)"],
    );
}

#[test]
fn licenses_are_for_installed_packages_within_the_seats_bought() {
    let w = world_with(|f| {
        edit(
            &mut f.beta,
            "name = \"Bo\"\nprofile",
            "name = \"Bo\"\npackage_licenses = [\"zeta\"]\nprofile",
        )
    });
    assert_at(
        &w,
        &w.error(),
        "orgs/beta/org.toml",
        "zeta",
        &["license for `zeta`, which is not installed"],
    );
    let w = world_with(|f| {
        edit(
            &mut f.alpha,
            "name = \"Carl\"",
            "name = \"Carl\"\npackage_licenses = [\"acme\"]",
        )
    });
    assert_at(
        &w,
        &w.error(),
        "orgs/alpha/org.toml",
        "[[installed]]",
        &["2 users hold a license for `acme` but only 1 bought"],
    );
}

#[test]
fn seats_go_with_per_user_licensing_only() {
    let w = world_with(|f| {
        edit(
            &mut f.beta,
            "licensing = \"whole-org\"",
            "licensing = \"whole-org\"\nseats = 3",
        )
    });
    assert_at(
        &w,
        &w.error(),
        "orgs/beta/org.toml",
        "seats",
        &["`seats` is for per-user licensing"],
    );
    let w = world_with(|f| edit(&mut f.alpha, "seats = 1\n", ""));
    assert_at(
        &w,
        &w.error(),
        "orgs/alpha/org.toml",
        "[[installed]]",
        &["needs the number of seats"],
    );
}

#[test]
fn org_types_and_license_types_are_from_the_list() {
    let w = world_with(|f| {
        edit(
            &mut f.beta,
            "org_type = \"production\"",
            "org_type = \"prod\"",
        )
    });
    assert_at(
        &w,
        &w.error(),
        "orgs/beta/org.toml",
        "org_type",
        &["unknown variant `prod`", "sandbox", "developer"],
    );
    let w = world_with(|f| {
        edit(
            &mut f.beta,
            "org_type = \"production\"",
            "org_type = \"developer\"",
        )
    });
    let loaded = world::load(w.dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        loaded.org("beta").unwrap().org_type,
        world::OrgType::Production
    );
}

#[test]
fn an_org_with_code_or_data_needs_an_sfdx_project() {
    let w = world_with(|_| {});
    std::fs::create_dir_all(w.path("orgs/beta/force-app")).unwrap();
    let e = w.error();
    assert_eq!(e.file, w.path("orgs/beta/sfdx-project.json"));
    assert!(e.message.contains("no sfdx-project.json; add one"), "{e}");
}
