//! `isvdbg world check` and `isvdbg world show`, run as the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/worlds")
        .join(name)
}

fn isvdbg(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_isvdbg"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("isvdbg runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn line_of(path: &Path, needle: &str) -> usize {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn check_passes_the_default_world_with_a_summary() {
    let out = isvdbg(&["world", "check", "fixtures/worlds/default"]);
    let text = stdout(&out);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("7 orgs"), "{text}");
    assert!(text.contains("6 grants"), "{text}");
    assert!(text.contains("1 package"), "{text}");
    assert!(text.contains("no problems"), "{text}");
}

#[test]
fn check_prints_every_problem_of_a_broken_world_with_its_place() {
    let dir = "fixtures/worlds/broken-example";
    let out = isvdbg(&["world", "check", dir]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    let world = fixture("broken-example");
    let org = world.join("orgs/bad-code/org.toml");
    let cls = world.join("orgs/bad-code/force-app/main/default/classes/Broken.cls");
    let expected = [
        format!(
            "{dir}/world.toml:{}:1: unknown key `peek_load`",
            line_of(&world.join("world.toml"), "peek_load")
        ),
        format!(
            "{dir}/world.toml:{}:7: no org `globex`",
            line_of(&world.join("world.toml"), "\"globex\"")
        ),
        format!(
            "{dir}/orgs/bad-code/org.toml:{}:13: `zeta` is not a package of Acme Apps",
            line_of(&org, "zeta")
        ),
        format!(
            "{dir}/orgs/bad-code/org.toml:{}:8: `someone@bad.example` is not a user of this org",
            line_of(&org, "someone@")
        ),
        format!(
            "{dir}/orgs/bad-code/force-app/main/default/classes/Broken.cls:{}:",
            line_of(&cls, "acme__Totl__c")
        ),
    ];
    assert_eq!(lines.len(), expected.len(), "{text}");
    for (line, want) in lines.iter().zip(&expected) {
        assert!(
            line.starts_with(want.as_str()),
            "\n got: {line}\nwant: {want}..."
        );
    }
    assert!(String::from_utf8_lossy(&out.stderr).contains("5 problems"));
}

#[test]
fn check_refuses_a_folder_that_is_not_a_world() {
    let out = isvdbg(&["world", "check", "fixtures/worlds/no-such-world"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("not a world folder"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn show_prints_the_lmo_orgs_users_and_grants() {
    let out = isvdbg(&["world", "show", "fixtures/worlds/default"]);
    assert!(out.status.success());
    let text = stdout(&out);
    for part in [
        "World default (fixtures/worlds/default)",
        "Publisher     Acme Apps",
        "support@acme.example",
        "yes, via permission set ISV Support",
        "not enrolled",
        "globex-full: Globex Corp (Full Sandbox)",
        "admin@globex.example.full",
        "agency-gov-sandbox",
        "stark-scratch",
        "Traffic",
    ] {
        assert!(text.contains(part), "`{part}` is not in:\n{text}");
    }
    let grant = |user: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(user) && l.contains("Acme Apps"))
            .unwrap_or_else(|| panic!("no grant by {user} in:\n{text}"))
            .to_string()
    };
    let full = grant("admin@globex.example.full");
    assert!(
        full.contains("2024-05-19 16:00") && full.contains("2024-05-26 16:00"),
        "{full}"
    );
    assert!(full.trim_end().ends_with("active"), "{full}");
    assert!(
        grant("admin@initech.example.uat")
            .trim_end()
            .ends_with("expired")
    );
}

#[test]
fn show_columns_line_up() {
    let text = stdout(&isvdbg(&["world", "show", "fixtures/worlds/default"]));
    let header = text
        .lines()
        .position(|l| l.contains("USERNAME") && l.contains("LOG IN"))
        .unwrap();
    let rows: Vec<&str> = text.lines().skip(header).take(5).collect();
    let col = rows[0].find("MFA").unwrap();
    for row in &rows[1..] {
        let cell = &row[col..];
        assert!(
            cell.starts_with("enrolled") || cell.starts_with("not enrolled"),
            "{row}"
        );
    }
}

#[test]
fn show_without_a_folder_prints_the_built_in_world() {
    let out = isvdbg(&["world", "show"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.starts_with("World default (built into isvdbg)"),
        "{text}"
    );
    assert!(text.contains("hooli-sandbox: Hooli (QA Sandbox)"), "{text}");
}
