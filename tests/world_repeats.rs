//! Things a world may define only once: permission sets, package namespaces,
//! and a package installed in an org.

mod world_support;

use world_support::{edit, line_of_nth, world_with};

#[test]
fn a_permission_set_is_defined_once() {
    let w = world_with(|f| {
        edit(
            &mut f.world,
            "[[lmo.users]]",
            "[[lmo.permission_sets]]\nname = \"ISV Support\"\npermissions = []\n\n[[lmo.users]]",
        )
    });
    let e = w.error();
    assert_eq!(e.file, w.path("world.toml"));
    assert_eq!(
        e.line,
        Some(line_of_nth(&w.files.world, "name = \"ISV Support\"", 1))
    );
    assert!(
        e.message
            .contains("permission set `ISV Support` is defined twice"),
        "{e}"
    );
}

#[test]
fn each_package_has_its_own_namespace() {
    let w = world_with(|f| {
        let start = f.world.find("[[packages]]").unwrap();
        let end = f.world.find("[[traffic]]").unwrap();
        let copy = f.world[start..end].replace("Acme Billing", "Acme Billing Copy");
        edit(&mut f.world, "[[traffic]]", &format!("{copy}[[traffic]]"));
    });
    let e = w.error();
    assert_eq!(e.file, w.path("world.toml"));
    assert_eq!(
        e.line,
        Some(line_of_nth(&w.files.world, "namespace = \"acme\"", 1))
    );
    assert!(
        e.message.contains("two packages have the namespace `acme`"),
        "{e}"
    );
}

#[test]
fn a_package_is_installed_once_per_org() {
    let w = world_with(|f| {
        edit(
            &mut f.beta,
            "[[installed]]",
            "[[installed]]\nnamespace = \"acme\"\nversion = \"2.3.0.4\"\nlicensing = \"whole-org\"\n\n[[installed]]",
        )
    });
    let e = w.error();
    assert_eq!(e.file, w.path("orgs/beta/org.toml"));
    assert_eq!(
        e.line,
        Some(line_of_nth(&w.files.beta, "namespace = \"acme\"", 1))
    );
    assert!(e.message.contains("`acme` is installed twice"), "{e}");
}
