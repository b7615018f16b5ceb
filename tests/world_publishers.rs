//! Worlds with several publishers: the `[[publishers]]` form beside (or
//! instead of) `[publisher]`, what must be unique across publishers, what a
//! grant may name, and how `world show` lists them.

mod world_support;

use std::path::Path;

use isvdbg::world::{self, Summary};
use world_support::{Files, assert_at, edit, line_of_nth, world_with, write};

fn initrode_package() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/worlds/two-publishers/packages/initrode-tools")
        .display()
        .to_string()
}

/// A second publisher, as appended to the small world's world.toml.
fn second() -> String {
    r#"
[[publishers]]
name = "Initrode Software"

[publishers.lmo]
org_id = "00D5g000004InLm"
name = "Initrode LMO"
debug_sessions = 2

[[publishers.lmo.users]]
id = "0055g00000InSup"
username = "support@initrode.example"
name = "Ira"
password = "demo-password-1"
totp_secret = "SX46IYV37PUW2PSB65D4NW5HNZUX4PC2"
permissions = ["LogInToSubscriberOrg"]

[[publishers.packages]]
name = "Initrode Tools"
namespace = "initrode"
path = 'INITRODE'
version = "3.1.0.2"
"#
    .replace("INITRODE", &initrode_package())
}

/// The small world with Initrode added: alpha installs its package too, and
/// alpha's admin grants it login access.
fn two_publishers(f: &mut Files) {
    f.world.push_str(&second());
    f.alpha.push_str(
        r#"
[[installed]]
namespace = "initrode"
version = "3.1.0.2"
licensing = "whole-org"

[[grants]]
user = "admin@alpha.example"
publisher = "Initrode Software"
granted_at = "-1d"
duration = "1d"
"#,
    );
}

#[test]
fn publishers_listed_beside_the_single_publisher_form_each_keep_their_lmo_and_packages() {
    let w = world_with(two_publishers);
    let loaded = world::load(w.dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = loaded.publishers().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Acme Apps", "Initrode Software"]);
    assert_eq!(loaded.publisher.name, "Acme Apps");
    let (publisher, user) = loaded.lmo_user("support@initrode.example").unwrap();
    assert_eq!(publisher.name, "Initrode Software");
    assert_eq!(publisher.lmo.name, "Initrode LMO");
    assert_eq!(publisher.lmo.debug_sessions, 2);
    assert_eq!(user.name, "Ira");
    assert_eq!(
        loaded.package_publisher("initrode").unwrap().name,
        "Initrode Software"
    );
    assert_eq!(loaded.package_publisher("acme").unwrap().name, "Acme Apps");
    let alpha = loaded.org("alpha").unwrap();
    let offered: Vec<&str> = loaded
        .publishers_of(alpha)
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(offered, ["Acme Apps", "Initrode Software"]);
    let beta = loaded.org("beta").unwrap();
    assert_eq!(loaded.publishers_of(beta).len(), 1);
    assert_eq!(alpha.grants[1].publisher, "Initrode Software");
    assert_eq!(
        Summary::of(&loaded).to_string(),
        "2 orgs, 5 users (3 in orgs, 2 in 2 LMOs), 2 grants, 2 packages"
    );
}

#[test]
fn a_world_may_use_the_publishers_form_alone() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/worlds/two-publishers");
    // `world check` also compiles each org with both publishers' packages.
    let loaded = world::check(&dir).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        Summary::of(&loaded).to_string(),
        "2 orgs, 7 users (4 in orgs, 3 in 2 LMOs), 5 grants, 2 packages"
    );
    assert_eq!(loaded.publisher.name, "Northwind Apps");
    let others: Vec<&str> = loaded
        .other_publishers
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(others, ["Initrode Software"]);
    assert_eq!(loaded.publisher.lmo.users.len(), 2);
    assert_eq!(loaded.other_publishers[0].packages[0].namespace, "initrode");
}

#[test]
fn world_show_lists_every_publisher_and_whose_each_package_and_lmo_user_is() {
    let w = world_with(two_publishers);
    let loaded = world::load(w.dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let text = world::show::render(&loaded, "test");
    let lines: Vec<&str> = text.lines().collect();
    for wanted in [
        "  Publisher     Acme Apps",
        "  LMO           Acme LMO (00D5g0000u8jzPdEAI), 1 debugger session",
        "  Publisher     Initrode Software",
        "  LMO           Initrode LMO (00D5g000004InLmEAK), 2 debugger sessions",
    ] {
        assert!(lines.contains(&wanted), "`{wanted}` is not in:\n{text}");
    }
    let row = |start: &str| {
        lines
            .iter()
            .find(|l| l.trim_start().starts_with(start))
            .unwrap_or_else(|| panic!("no row `{start}` in:\n{text}"))
            .split_whitespace()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        row("PUBLISHER          NAMESPACE")[..2],
        ["PUBLISHER", "NAMESPACE"]
    );
    assert_eq!(
        row("Initrode Software  initrode")[..3],
        ["Initrode", "Software", "initrode"]
    );
    assert_eq!(
        row("Initrode Software  support@initrode.example")[..3],
        ["Initrode", "Software", "support@initrode.example"]
    );
    assert_eq!(
        row("Acme Apps          support@acme.example")[..3],
        ["Acme", "Apps", "support@acme.example"]
    );
}

#[test]
fn a_grant_must_name_a_publisher_of_the_world() {
    let w = world_with(|f| {
        two_publishers(f);
        edit(
            &mut f.alpha,
            "publisher = \"Initrode Software\"",
            "publisher = \"Initech Software\"",
        );
    });
    assert_at(
        &w,
        &w.error(),
        "orgs/alpha/org.toml",
        "Initech Software",
        &[
            "`Initech Software` is not a publisher of this world; grants can only name one of world.toml's publishers: Acme Apps, Initrode Software",
        ],
    );
}

#[test]
fn a_grant_needs_a_package_of_its_publisher_installed_in_the_org() {
    let w = world_with(|f| {
        f.world.push_str(&second());
        f.beta.push_str(
            "\n[[grants]]\nuser = \"admin@beta.example\"\npublisher = \"Initrode Software\"\ngranted_at = \"-1d\"\nduration = \"1d\"\n",
        );
    });
    assert_at(
        &w,
        &w.error(),
        "orgs/beta/org.toml",
        "Initrode Software",
        &[
            "no package of Initrode Software (initrode) is installed in this org, so the customer's grant list does not offer Initrode Software; install one under [[installed]] or remove the grant",
        ],
    );
}

#[test]
fn an_lmo_username_is_unique_across_publishers() {
    let w = world_with(|f| {
        two_publishers(f);
        edit(
            &mut f.world,
            "support@initrode.example",
            "support@acme.example",
        );
    });
    let e = w.error();
    assert_eq!(e.file, w.path("world.toml"));
    assert_eq!(
        e.line,
        Some(line_of_nth(&w.files.world, "support@acme.example", 1))
    );
    let first = line_of_nth(&w.files.world, "support@acme.example", 0);
    assert!(
        e.message.starts_with(&format!(
            "username support@acme.example is already used at {}:{first}:",
            w.path("world.toml").display()
        )),
        "{e}"
    );
}

#[test]
fn a_namespace_and_a_publisher_name_belong_to_one_publisher() {
    let w = world_with(|f| {
        two_publishers(f);
        edit(
            &mut f.world,
            "namespace = \"initrode\"",
            "namespace = \"acme\"",
        );
        edit(
            &mut f.alpha,
            "namespace = \"initrode\"",
            "namespace = \"acme\"",
        );
    });
    let errors = w.errors();
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let first = line_of_nth(&w.files.world, "namespace = \"acme\"", 0);
    let ours = errors
        .iter()
        .find(|e| e.message.contains("already used by a package of"))
        .unwrap_or_else(|| panic!("{shown:#?}"));
    assert_eq!(
        ours.line,
        Some(line_of_nth(&w.files.world, "namespace = \"acme\"", 1))
    );
    assert!(
        ours.message.starts_with(&format!(
            "the namespace `acme` is already used by a package of Acme Apps at {}:{first}:",
            w.path("world.toml").display()
        )),
        "{ours}"
    );
    assert!(
        ours.message
            .ends_with("a namespace belongs to one publisher, so give this package its own"),
        "{ours}"
    );

    let w = world_with(|f| {
        two_publishers(f);
        edit(
            &mut f.world,
            "name = \"Initrode Software\"",
            "name = \"ACME apps\"",
        );
    });
    let errors = w.errors();
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let twice = errors
        .iter()
        .find(|e| e.message.contains("is already defined at"))
        .unwrap_or_else(|| panic!("{shown:#?}"));
    assert_at(
        &w,
        twice,
        "world.toml",
        "ACME apps",
        &[
            "publisher `ACME apps` is already defined at",
            "give each publisher its own name",
        ],
    );
}

#[test]
fn problems_inside_a_listed_publisher_name_its_section() {
    let w = world_with(|f| {
        f.world.push_str(&second());
        edit(&mut f.world, "debug_sessions = 2", "debug_sesions = 2");
    });
    assert_at(
        &w,
        &w.error(),
        "world.toml",
        "debug_sesions = 2",
        &["unknown key `debug_sesions` in [publishers.lmo]"],
    );
    let w = world_with(|f| {
        f.world
            .push_str("\n[[publishers]]\nname = \"Lonely Apps\"\n");
    });
    assert_at(
        &w,
        &w.error(),
        "world.toml",
        "[[publishers]]",
        &["[[publishers]] has no [publishers.lmo] table; add one"],
    );
    let w = write(Files::valid());
    assert!(world::load(w.dir.path()).is_ok());
}
