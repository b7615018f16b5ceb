//! A world as readable text: the instance and each publisher's LMO, then each org with its
//! users and grants, in aligned tables.

use std::fmt::Write as _;
use std::path::Path;

use chrono::NaiveDateTime;

use super::model::{
    Grant, LOG_IN_TO_SUBSCRIBER_ORG, LicenseType, Licensing, Lmo, LmoUser, Org, Publisher,
    TrafficAction, World,
};

/// The whole world as text, with grants judged at the world start. `source`
/// says where it came from (its folder, or "built into isvdbg").
pub fn render(world: &World, source: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "World {} ({source})", world.name);
    let _ = writeln!(out, "  Clock starts  {} UTC", time(world.start));
    let _ = writeln!(
        out,
        "  Instance      {}{}",
        world.instance.name,
        if world.instance.peak_load {
            " (under peak load: 30-minute debugger idle timeout)"
        } else {
            ""
        }
    );
    let publishers: Vec<&Publisher> = world.publishers().collect();
    for publisher in &publishers {
        let lmo = &publisher.lmo;
        let _ = writeln!(out, "  Publisher     {}", publisher.name);
        let _ = writeln!(
            out,
            "  LMO           {} ({}), {} debugger session{}",
            lmo.name,
            lmo.org_id,
            lmo.debug_sessions,
            if lmo.debug_sessions == 1 { "" } else { "s" }
        );
    }
    // With several publishers, each package and LMO user row says whose it is.
    let several = publishers.len() > 1;
    let owned = |name: &str, mut row: Vec<String>| {
        if several {
            row.insert(0, name.to_string());
        }
        row
    };
    let headers = |mut h: Vec<&'static str>| {
        if several {
            h.insert(0, "PUBLISHER");
        }
        h
    };

    section(&mut out, "Packages");
    table(
        &mut out,
        &headers(vec!["NAMESPACE", "NAME", "VERSION", "PATH"]),
        publishers
            .iter()
            .flat_map(|pb| pb.packages.iter().map(move |p| (pb, p)))
            .map(|(pb, p)| {
                owned(
                    &pb.name,
                    vec![
                        p.namespace.clone(),
                        p.name.clone(),
                        p.version.clone(),
                        relative(&world.root, &p.path),
                    ],
                )
            })
            .collect(),
    );

    section(&mut out, "LMO users");
    table(
        &mut out,
        &headers(vec![
            "USERNAME",
            "NAME",
            "ID",
            "LOG IN TO SUBSCRIBER ORG",
            "MFA",
            "ACTIVE",
        ]),
        publishers
            .iter()
            .flat_map(|pb| pb.lmo.users.iter().map(move |u| (pb, u)))
            .map(|(pb, u)| owned(&pb.name, lmo_user_row(&pb.lmo, u)))
            .collect(),
    );

    section(&mut out, "Orgs");
    table(
        &mut out,
        &[
            "KEY",
            "NAME",
            "ID",
            "TYPE",
            "EDITION",
            "GOV CLOUD",
            "LICENSES",
            "INSTALLED",
        ],
        world.orgs.iter().map(org_row).collect(),
    );

    for org in &world.orgs {
        org_detail(&mut out, world, org);
    }

    if !world.traffic.is_empty() {
        section(&mut out, "Traffic");
        table(
            &mut out,
            &["ORG", "USER", "RUNS", "FIRST", "EVERY"],
            world
                .traffic
                .iter()
                .map(|t| {
                    let runs = match &t.action {
                        TrafficAction::Apex(path) => relative(&world.root, path),
                        TrafficAction::Rest { method, path, .. } => format!("{method} {path}"),
                    };
                    let at = chrono::Duration::from_std(t.at).unwrap_or_default();
                    vec![
                        t.org.clone(),
                        t.user.clone(),
                        runs,
                        time(world.start + at),
                        t.every.map_or("once".into(), |d| length(d.as_secs())),
                    ]
                })
                .collect(),
        );
    }
    out
}

fn lmo_user_row(lmo: &Lmo, u: &LmoUser) -> Vec<String> {
    let direct = u.permissions.iter().any(|p| p == LOG_IN_TO_SUBSCRIBER_ORG);
    let via: Vec<&str> = u
        .permission_sets
        .iter()
        .filter(|s| {
            lmo.permission_sets.iter().any(|ps| {
                &ps.name == *s && ps.permissions.iter().any(|p| p == LOG_IN_TO_SUBSCRIBER_ORG)
            })
        })
        .map(String::as_str)
        .collect();
    let login = match (direct, via.is_empty()) {
        (true, true) => "yes, directly".to_string(),
        (true, false) => format!("yes, directly and via {}", via.join(", ")),
        (false, false) => format!("yes, via permission set {}", via.join(", ")),
        (false, true) => "no".to_string(),
    };
    vec![
        u.username.clone(),
        u.name.clone(),
        u.id.clone(),
        login,
        if u.totp_secret.is_some() {
            "enrolled".into()
        } else {
            "not enrolled".into()
        },
        yes_no(u.active),
    ]
}

fn org_row(org: &Org) -> Vec<String> {
    let installed: Vec<String> = org
        .installed
        .iter()
        .map(|i| match i.licensing {
            Licensing::WholeOrg => format!("{} {} (whole org)", i.namespace, i.version),
            Licensing::PerUser => format!("{} {} ({} seats)", i.namespace, i.version, i.seats),
        })
        .collect();
    vec![
        org.key.clone(),
        org.name.clone(),
        org.id.clone(),
        org.org_type.as_str().to_string(),
        org.edition.clone(),
        yes_no(org.government_cloud),
        match org.license_type {
            LicenseType::Salesforce => "Salesforce",
            LicenseType::SalesforcePlatform => "Salesforce Platform",
            LicenseType::Other => "other",
        }
        .to_string(),
        if installed.is_empty() {
            "-".into()
        } else {
            installed.join(", ")
        },
    ]
}

fn org_detail(out: &mut String, world: &World, org: &Org) {
    section(out, &format!("{}: {}", org.key, org.name));
    let s = &org.settings;
    let _ = writeln!(out, "  Contact   {} <{}>", org.contact.0, org.contact.1);
    let _ = writeln!(
        out,
        "  Settings  admins can log in as any user: {}; non-admins can grant: {}; require MFA: {}",
        yes_no(s.admins_can_log_in_as_any_user),
        yes_no(s.non_admins_can_grant),
        yes_no(s.require_mfa)
    );
    if let Some(project) = &org.project {
        let _ = writeln!(out, "  Project   {}", relative(&world.root, project));
    }
    out.push('\n');
    table(
        out,
        &[
            "USERNAME", "NAME", "ID", "PROFILE", "ADMIN", "LICENSES", "ACTIVE",
        ],
        org.users
            .iter()
            .map(|u| {
                vec![
                    u.username.clone(),
                    u.name.clone(),
                    u.id.clone(),
                    u.profile.clone(),
                    yes_no(u.is_admin()),
                    if u.package_licenses.is_empty() {
                        "-".into()
                    } else {
                        u.package_licenses.join(", ")
                    },
                    yes_no(u.active),
                ]
            })
            .collect(),
    );
    out.push('\n');
    if org.grants.is_empty() {
        let _ = writeln!(out, "  No login-access grants.");
        return;
    }
    table(
        out,
        &[
            "GRANTED BY",
            "TO",
            "GRANTED AT",
            "FOR",
            "EXPIRES",
            "AT START",
        ],
        org.grants
            .iter()
            .map(|g| {
                vec![
                    g.user.clone(),
                    g.publisher.clone(),
                    time(g.granted_at),
                    g.duration.as_str().to_string(),
                    time(g.expires_at()),
                    status(g, world.start).to_string(),
                ]
            })
            .collect(),
    );
}

/// Whether a grant works at `now`, and if not, why.
fn status(g: &Grant, now: NaiveDateTime) -> &'static str {
    if g.revoked {
        "revoked"
    } else if g.active_at(now) {
        "active"
    } else if now < g.granted_at {
        "not yet granted"
    } else {
        "expired"
    }
}

fn section(out: &mut String, title: &str) {
    let _ = writeln!(out, "\n{title}");
}

/// Columns aligned on the widest cell, two spaces apart, indented by two.
fn table(out: &mut String, headers: &[&str], rows: Vec<Vec<String>>) {
    if rows.is_empty() {
        let _ = writeln!(out, "  (none)");
        return;
    }
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let header: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::from("  ");
        for (cell, w) in row.iter().zip(&widths) {
            let _ = write!(line, "{cell:<w$}  ");
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

fn time(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// `1h30m`, `5m`, `90s` written back as the files write them.
fn length(mut secs: u64) -> String {
    if secs == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if secs >= size {
            let _ = write!(out, "{}{unit}", secs / size);
            secs %= size;
        }
    }
    out
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

fn relative(root: &Path, p: &Path) -> String {
    p.strip_prefix(root).unwrap_or(p).display().to_string()
}
