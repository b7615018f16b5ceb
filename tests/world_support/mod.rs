//! A small valid world written to a temporary folder, to be broken one way at
//! a time; and helpers that find the line of a piece of text.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use isvdbg::world::{self, WorldError};
use tempfile::TempDir;

/// The text of each file of the small world.
pub struct Files {
    pub world: String,
    pub alpha: String,
    pub beta: String,
}

fn package() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/worlds/default/packages/acme-billing")
        .display()
        .to_string()
}

impl Files {
    /// A valid world: one LMO user, the acme package, orgs `alpha` (a sandbox
    /// with a grant) and `beta` (production), and one scripted REST call.
    pub fn valid() -> Files {
        Files {
            world: WORLD.replace("PACKAGE", &package()),
            alpha: ALPHA.to_string(),
            beta: BETA.to_string(),
        }
    }
}

/// Replaces the first `from` in `text` (which must be there) by `to`.
pub fn edit(text: &mut String, from: &str, to: &str) {
    assert!(text.contains(from), "`{from}` is not in:\n{text}");
    *text = text.replacen(from, to, 1);
}

/// The 1-based line of the first line containing `needle`.
pub fn line_of(text: &str, needle: &str) -> u32 {
    let k = text
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("`{needle}` is not in:\n{text}"));
    k as u32 + 1
}

/// The 1-based line of the `n`th (from 0) occurrence of `needle`.
pub fn line_of_nth(text: &str, needle: &str, n: usize) -> u32 {
    let (at, _) = text
        .match_indices(needle)
        .nth(n)
        .unwrap_or_else(|| panic!("`{needle}` is not {} times in:\n{text}", n + 1));
    text[..at].matches('\n').count() as u32 + 1
}

/// The world written to a fresh folder.
pub struct Written {
    pub dir: TempDir,
    pub files: Files,
}

impl Written {
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Every problem the loader finds; the world must not load.
    pub fn errors(&self) -> Vec<WorldError> {
        match world::load(self.dir.path()) {
            Ok(_) => panic!("the world loaded; expected problems"),
            Err(e) => e.0,
        }
    }

    /// The only problem; its text is in the panic message otherwise.
    pub fn error(&self) -> WorldError {
        let errors = self.errors();
        assert_eq!(errors.len(), 1, "expected one problem, got:\n{errors:#?}");
        errors.into_iter().next().unwrap()
    }
}

/// Writes `files` as a world.
pub fn write(files: Files) -> Written {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("world.toml"), &files.world).unwrap();
    for (key, text) in [("alpha", &files.alpha), ("beta", &files.beta)] {
        std::fs::create_dir_all(root.join("orgs").join(key)).unwrap();
        std::fs::write(root.join("orgs").join(key).join("org.toml"), text).unwrap();
    }
    Written { dir, files }
}

/// The valid world, changed by `change`, written.
pub fn world_with(change: impl FnOnce(&mut Files)) -> Written {
    let mut files = Files::valid();
    change(&mut files);
    write(files)
}

/// Asserts that `e` is in `file` (relative to the world) at the line of `needle`
/// and that its message contains every one of `parts`.
pub fn assert_at(w: &Written, e: &WorldError, file: &str, needle: &str, parts: &[&str]) {
    let text = match file {
        "world.toml" => &w.files.world,
        "orgs/alpha/org.toml" => &w.files.alpha,
        "orgs/beta/org.toml" => &w.files.beta,
        other => panic!("unknown file {other}"),
    };
    assert_eq!(e.file, w.path(file), "{e}");
    assert_eq!(e.line, Some(line_of(text, needle)), "{e}");
    assert!(e.col.is_some(), "{e}");
    for part in parts {
        assert!(e.message.contains(part), "`{part}` is not in: {e}");
    }
}

const WORLD: &str = r#"start = 2024-05-20T16:00:00Z

[instance]
name = "CS1"

[publisher]
name = "Acme Apps"

[lmo]
org_id = "00D5g0000u8jzPdEAI"
name = "Acme LMO"
debug_sessions = 1

[[lmo.permission_sets]]
name = "ISV Support"
permissions = ["LogInToSubscriberOrg"]

[[lmo.users]]
id = "0055g0000C3J27XAQS"
username = "support@acme.example"
name = "Sam"
password = "demo-password-1"
totp_secret = "HSLYWIK65KNHTIEUCCNQH2GWPBBI2OZR"
permission_sets = ["ISV Support"]

[[packages]]
name = "Acme Billing"
namespace = "acme"
path = 'PACKAGE'
version = "2.4.0.1"

[[traffic]]
org = "alpha"
user = "clerk@alpha.example"
rest = { method = "GET", path = "/acme/invoices" }
every = "5m"
"#;

const ALPHA: &str = r#"id = "00D1x0000d6GncfEAC"
name = "Alpha (Sandbox)"
org_type = "sandbox"
edition = "Enterprise Edition"
license_type = "salesforce"
contact = { name = "Ann", email = "ann@alpha.example" }

[[users]]
id = "0051x00001HedcmAAB"
username = "admin@alpha.example"
name = "Ann"
profile = "System Administrator"
password = "demo-password-1"
package_licenses = ["acme"]

[[users]]
id = "0051x00004pMbXDAA0"
username = "clerk@alpha.example"
name = "Carl"
profile = "Standard User"
password = "demo-password-1"

[[installed]]
namespace = "acme"
version = "2.4.0.1"
licensing = "per-user"
seats = 1

[[grants]]
user = "admin@alpha.example"
publisher = "Acme Apps"
granted_at = "-1d"
duration = "1w"
"#;

const BETA: &str = r#"id = "00D6t0000BAepfJEQR"
name = "Beta"
org_type = "production"
edition = "Enterprise Edition"
license_type = "salesforce-platform"
contact = { name = "Bo", email = "bo@beta.example" }

[[users]]
id = "0056t0000uCL1mHAAT"
username = "admin@beta.example"
name = "Bo"
profile = "System Administrator"
password = "demo-password-1"

[[installed]]
namespace = "acme"
version = "2.4.0.1"
licensing = "whole-org"
"#;
