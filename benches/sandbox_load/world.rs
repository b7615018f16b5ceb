//! The load bench's world, built in code: [`LMOS`] publishers, each with its
//! own LMO (one engineer with the *Log in to Subscriber Org* permission and
//! MFA, an allowance of one debugger session) and its own one-class package;
//! and one subscriber sandbox that installed every package, with one user per
//! publisher who granted that publisher login access.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use isvdbg::world::{
    Grant, GrantDuration, Installed, Instance, LOG_IN_TO_SUBSCRIBER_ORG, LicenseType, Licensing,
    Lmo, LmoUser, Org, OrgSettings, OrgType, OrgUser, Package, Publisher, World,
};

/// Publishers, and so LMOs and debug sessions.
pub const LMOS: usize = 500;
/// The subscriber sandbox's key.
pub const ORG: &str = "loadtest-sandbox";
/// The fixture TOTP secret every engineer enrolled with (not a real secret).
pub const SECRET: &str = "HSLYWIK65KNHTIEUCCNQH2GWPBBI2OZR";
const PASSWORD: &str = "load-password";

/// Publisher `i`'s name.
pub fn publisher(i: usize) -> String {
    format!("Load Publisher {i:03}")
}

/// Publisher `i`'s package namespace.
pub fn namespace(i: usize) -> String {
    format!("ld{i:03}")
}

/// The one class of publisher `i`'s package.
pub fn probe(i: usize) -> String {
    format!("Probe{i:03}")
}

/// The engineer of publisher `i`'s LMO.
pub fn engineer(i: usize) -> String {
    format!("support@ld{i:03}.example")
}

/// The subscriber user who granted publisher `i` login access.
pub fn customer(i: usize) -> String {
    format!("user{i:03}@loadtest.example.sb")
}

/// A Salesforce-looking 18-character id: `prefix` (3), a tag (7), `i` (5), `AAA`.
fn id(prefix: &str, tag: &str, i: usize) -> String {
    format!("{prefix}{tag:0>7}{i:05}AAA")
}

/// Writes publisher `i`'s package, an SFDX project with one global class, under `dir`.
fn write_package(dir: &Path, i: usize) -> Result<PathBuf, String> {
    let root = dir.join(namespace(i));
    let classes = root.join("force-app/main/default/classes");
    let project = format!(
        r#"{{ "packageDirectories": [{{ "path": "force-app", "default": true }}], "name": "{}", "namespace": "{}", "sourceApiVersion": "61.0" }}"#,
        namespace(i),
        namespace(i)
    );
    let class = format!(
        "global with sharing class {} {{\n    global static Integer one() {{\n        return 1;\n    }}\n}}\n",
        probe(i)
    );
    std::fs::create_dir_all(&classes)
        .and_then(|()| std::fs::write(root.join("sfdx-project.json"), project))
        .and_then(|()| std::fs::write(classes.join(format!("{}.cls", probe(i))), class))
        .map_err(|e| format!("cannot write the package {}: {e}", namespace(i)))?;
    Ok(root)
}

fn lmo_publisher(i: usize, package: PathBuf) -> Publisher {
    Publisher {
        name: publisher(i),
        lmo: Lmo {
            org_id: id("00D", "5gLmo", i),
            name: format!("{} LMO", publisher(i)),
            debug_sessions: 1,
            users: vec![LmoUser {
                id: id("005", "5gEng", i),
                username: engineer(i),
                name: format!("Load Engineer {i}"),
                password: PASSWORD.into(),
                totp_secret: Some(SECRET.into()),
                permissions: vec![LOG_IN_TO_SUBSCRIBER_ORG.into()],
                permission_sets: Vec::new(),
                active: true,
            }],
            permission_sets: Vec::new(),
        },
        packages: vec![Package {
            name: format!("Load Package {i:03}"),
            namespace: namespace(i),
            path: package,
            version: "1.0.0.1".into(),
        }],
    }
}

/// The world, with its packages written under `dir` (which must outlive it).
pub fn build(dir: &Path) -> Result<World, String> {
    let start = NaiveDate::from_ymd_opt(2024, 5, 20)
        .and_then(|d| d.and_hms_opt(16, 0, 0))
        .ok_or("a valid start time")?;
    let mut publishers = Vec::with_capacity(LMOS);
    for i in 0..LMOS {
        publishers.push(lmo_publisher(i, write_package(dir, i)?));
    }
    let org = Org {
        id: id("00D", "1xLoad", 0),
        name: "Load Test (Sandbox)".into(),
        key: ORG.into(),
        org_type: OrgType::Sandbox,
        edition: "Unlimited Edition".into(),
        government_cloud: false,
        license_type: LicenseType::Salesforce,
        contact: ("Lee Load".into(), "lee@loadtest.example".into()),
        settings: OrgSettings::default(),
        users: (0..LMOS)
            .map(|i| OrgUser {
                id: id("005", "1xUser", i),
                username: customer(i),
                name: format!("Load User {i}"),
                profile: "System Administrator".into(),
                manage_users: true,
                password: PASSWORD.into(),
                totp_secret: None,
                package_licenses: Vec::new(),
                active: true,
            })
            .collect(),
        installed: (0..LMOS)
            .map(|i| Installed {
                namespace: namespace(i),
                version: "1.0.0.1".into(),
                licensing: Licensing::WholeOrg,
                seats: 0,
            })
            .collect(),
        grants: (0..LMOS)
            .map(|i| Grant {
                user: customer(i),
                publisher: publisher(i),
                granted_at: start,
                duration: GrantDuration::OneWeek,
                revoked: false,
            })
            .collect(),
        project: None,
    };
    let mut publishers = publishers.into_iter();
    Ok(World {
        name: "sandbox-load".into(),
        root: dir.to_path_buf(),
        start,
        instance: Instance {
            name: "CS42".into(),
            peak_load: false,
        },
        publisher: publishers.next().ok_or("at least one publisher")?,
        other_publishers: publishers.collect(),
        orgs: vec![org],
        traffic: Vec::new(),
    })
}
