//! Problems in world.toml and in the world's folders: each is reported in its
//! own words, at its file and line, and all of them at once.

mod world_support;

use isvdbg::world;
use world_support::{Files, assert_at, edit, line_of, world_with, write};

#[test]
fn the_small_world_loads() {
    let w = write(Files::valid());
    let loaded = world::load(w.dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.orgs.len(), 2);
    assert_eq!(loaded.traffic.len(), 1);
}

#[test]
fn every_problem_in_every_file_is_reported_in_file_and_line_order() {
    let w = world_with(|f| {
        edit(
            &mut f.world,
            "[instance]\n",
            "colour = \"blue\"\n[instance]\n",
        );
        edit(&mut f.world, "debug_sessions = 1", "debug_sesions = 1");
        edit(
            &mut f.world,
            "name = \"Sam\"",
            "name = \"Sam\"\nemial = \"x\"",
        );
        edit(
            &mut f.alpha,
            "name = \"Carl\"",
            "name = \"Carl\"\nnickname = \"C\"",
        );
        edit(
            &mut f.beta,
            "licensing = \"whole-org\"",
            "licensing = \"site\"",
        );
    });
    let errors = w.errors();
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 5, "{shown:#?}");
    assert_at(
        &w,
        &errors[0],
        "world.toml",
        "colour",
        &["unknown key `colour`"],
    );
    assert_at(
        &w,
        &errors[1],
        "world.toml",
        "debug_sesions",
        &["unknown key `debug_sesions` in [lmo]", "debug_sessions"],
    );
    assert_at(
        &w,
        &errors[2],
        "world.toml",
        "emial",
        &["unknown field `emial`", "remove it or correct"],
    );
    assert_at(
        &w,
        &errors[3],
        "orgs/alpha/org.toml",
        "nickname",
        &["unknown field `nickname`"],
    );
    assert_at(
        &w,
        &errors[4],
        "orgs/beta/org.toml",
        "\"site\"",
        &["unknown variant `site`", "whole-org", "per-user"],
    );
    let text = world::load(w.dir.path()).unwrap_err().to_string();
    let first = format!(
        "{}:{}:1: unknown key",
        w.path("world.toml").display(),
        line_of(&w.files.world, "colour")
    );
    assert!(text.lines().next().unwrap().starts_with(&first), "{text}");
    assert_eq!(text.lines().count(), 5);
}

#[test]
fn a_syntax_error_is_reported_at_its_line() {
    let w = world_with(|f| edit(&mut f.world, "name = \"CS1\"", "name = \"CS1"));
    let e = &w.errors()[0];
    assert_at(&w, e, "world.toml", "name = \"CS1", &["not valid TOML"]);
}

#[test]
fn missing_files_and_folders_are_named() {
    let w = write(Files::valid());
    std::fs::remove_file(w.path("orgs/beta/org.toml")).unwrap();
    let e = w.error();
    assert_eq!(e.file, w.path("orgs/beta/org.toml"));
    assert!(e.message.contains("is missing; create it"), "{e}");

    std::fs::remove_file(w.path("world.toml")).unwrap();
    let e = &w.errors()[0];
    assert_eq!(e.file, w.path("world.toml"));
    assert!(e.message.contains("world.toml is missing"), "{e}");

    let w = write(Files::valid());
    std::fs::remove_dir_all(w.path("orgs")).unwrap();
    let e = world::load(w.dir.path()).unwrap_err().0.remove(0);
    assert_eq!(e.file, w.path("orgs"));
    assert!(e.message.contains("orgs/ folder is missing"), "{e}");

    let e = world::load(&w.path("nowhere")).unwrap_err().0.remove(0);
    assert!(e.message.contains("not a world folder"), "{e}");
}

#[test]
fn a_missing_required_key_is_reported_with_an_example() {
    let w = world_with(|f| edit(&mut f.world, "start = 2024-05-20T16:00:00Z\n", ""));
    let e = w.error();
    assert_eq!((e.line, e.col), (Some(1), Some(1)));
    assert!(
        e.message
            .contains("no `start`; add `start = 2024-05-20T16:00:00Z`"),
        "{e}"
    );
}

#[test]
fn the_start_is_an_absolute_time_in_utc() {
    let w = world_with(|f| {
        edit(
            &mut f.world,
            "start = 2024-05-20T16:00:00Z",
            "start = \"-1d\"",
        )
    });
    assert_at(
        &w,
        &w.error(),
        "world.toml",
        "start",
        &["cannot be relative"],
    );
    let w = world_with(|f| {
        edit(
            &mut f.world,
            "start = 2024-05-20T16:00:00Z",
            "start = 2024-05-20T16:00:00",
        )
    });
    assert_at(
        &w,
        &w.error(),
        "world.toml",
        "start",
        &["no UTC offset; add `Z`"],
    );
}

#[test]
fn the_lmo_org_id_must_be_an_org_id() {
    let w = world_with(|f| {
        edit(
            &mut f.world,
            "org_id = \"00D5g0000u8jzPdEAI\"",
            "org_id = \"0055g0000C3J27X\"",
        )
    });
    assert_at(
        &w,
        &w.error(),
        "world.toml",
        "org_id",
        &["starts with `00D`, this one with `005`"],
    );
}

#[test]
fn an_lmo_has_at_least_one_debug_session() {
    let w = world_with(|f| edit(&mut f.world, "debug_sessions = 1", "debug_sessions = 0"));
    assert_at(
        &w,
        &w.error(),
        "world.toml",
        "debug_sessions",
        &["debug_sessions is 0", "at least 1"],
    );
}

#[test]
fn a_permission_set_a_user_names_must_exist() {
    let w = world_with(|f| {
        edit(
            &mut f.world,
            "permission_sets = [\"ISV Support\"]",
            "permission_sets = [\"ISV Suport\"]",
        )
    });
    assert_at(
        &w,
        &w.error(),
        "world.toml",
        "ISV Suport",
        &["no permission set `ISV Suport`", "ISV Support"],
    );
}

#[test]
fn unknown_permissions_are_reported_with_the_spelling_meant() {
    let w = world_with(|f| {
        edit(
            &mut f.world,
            "permissions = [\"LogInToSubscriberOrg\"]",
            "permissions = [\"LoginToSubscriberOrg\"]",
        );
        edit(
            &mut f.world,
            "permission_sets = [\"ISV Support\"]",
            "permission_sets = [\"ISV Support\"]\npermissions = [\"Fly\"]",
        );
    });
    let errors = w.errors();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert_at(
        &w,
        &errors[0],
        "world.toml",
        "LoginToSubscriberOrg",
        &["did you mean `LogInToSubscriberOrg`?"],
    );
    assert_at(
        &w,
        &errors[1],
        "world.toml",
        "\"Fly\"",
        &["unknown permission `Fly`", "known permissions:"],
    );
}

#[test]
fn a_totp_secret_must_be_base32_of_at_least_128_bits() {
    let w = world_with(|f| {
        edit(
            &mut f.world,
            "HSLYWIK65KNHTIEUCCNQH2GWPBBI2OZR",
            "JBSWY3DPEHPK3PXP",
        )
    });
    assert_at(
        &w,
        &w.error(),
        "world.toml",
        "totp_secret",
        &["80 bits", "at least 128"],
    );
}

#[test]
fn a_package_must_be_an_sfdx_project_with_its_namespace() {
    let w = world_with(|f| edit(&mut f.world, "path = '", "path = 'missing"));
    assert_at(
        &w,
        &w.error(),
        "world.toml",
        "path = ",
        &["not found", "relative to the world folder"],
    );
    let w = world_with(|f| {
        edit(
            &mut f.world,
            "namespace = \"acme\"",
            "namespace = \"acmex\"",
        )
    });
    let errors = w.errors();
    assert_at(
        &w,
        &errors[0],
        "world.toml",
        "acmex",
        &["declares the namespace `acme`, not `acmex`"],
    );
}

#[test]
fn org_folders_need_usable_names() {
    let w = write(Files::valid());
    std::fs::rename(w.path("orgs/beta"), w.path("orgs/Beta Corp")).unwrap();
    let e = w.error();
    assert_eq!(e.file, w.path("orgs/Beta Corp"));
    assert!(
        e.message.contains("lower-case letters, digits and dashes"),
        "{e}"
    );
}

#[test]
fn a_package_folder_must_hold_an_sfdx_project() {
    let w = world_with(|f| {
        let pkg = f.world.find("path = '").unwrap();
        let end = f.world[pkg..].find("'\n").unwrap() + pkg;
        let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/worlds/default/packages");
        f.world
            .replace_range(pkg..end + 1, &format!("path = '{}'", here.display()));
    });
    assert_at(
        &w,
        &w.error(),
        "world.toml",
        "path = ",
        &["has no sfdx-project.json"],
    );
}
