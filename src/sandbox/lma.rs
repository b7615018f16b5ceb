//! The License Management App: a publisher's view of its subscribers, the
//! orgs that installed one of its packages. Each LMO sees only its own
//! publisher's packages, licenses and grants.

use serde_json::{Value, json};

use super::access::{grant_json, unknown_org};
use super::protocol::ApiError;
use super::{Sandbox, rfc3339};
use crate::world::{Grant, LicenseType, Licensing, Org, Publisher};

/// Whether `query` is a 15- or 18-character org id of this org.
fn id_matches(org: &Org, query: &str) -> bool {
    let q = query.trim();
    (q.len() == 15 || q.len() == 18) && org.id.len() >= 15 && org.id[..15] == q[..15]
}

impl Sandbox {
    /// The publisher's subscribers by name (case-insensitive substring) or org id.
    pub fn search(&self, publisher: &Publisher, query: &str) -> Value {
        let q = query.trim().to_lowercase();
        let orgs: Vec<Value> = self
            .world
            .orgs
            .iter()
            .filter(|o| publisher.installed_in(o))
            .filter(|o| {
                id_matches(o, query) || (!q.is_empty() && o.name.to_lowercase().contains(&q))
            })
            .map(|o| {
                json!({
                    "key": o.key, "id": o.id, "name": o.name,
                    "orgType": o.org_type.as_str(), "instance": self.world.instance.name,
                    "contact": { "name": o.contact.0, "email": o.contact.1 },
                })
            })
            .collect();
        json!({ "orgs": orgs })
    }

    /// One of the publisher's subscribers in detail: its packages, their
    /// licenses, and the grants to it.
    pub fn org_detail(&self, publisher: &Publisher, which: &str) -> Result<Value, ApiError> {
        let rt = self.org(which).ok_or_else(|| unknown_org(which))?;
        let o = rt.info();
        if !publisher.installed_in(&o) {
            return Err(ApiError::new(
                "UNKNOWN_ORG",
                format!(
                    "{} has installed no package of {}, so it is not a subscriber in this LMA; search for your subscribers with lma.search",
                    o.name, publisher.name
                ),
            ));
        }
        let now = self.clock.now();
        let ours = |g: &&Grant| g.publisher == publisher.name;
        let grants: Vec<Value> = o
            .grants
            .iter()
            .filter(ours)
            .map(|g| grant_json(g, now))
            .collect();
        let installed: Vec<Value> = o
            .installed
            .iter()
            .filter(|i| publisher.owns(&i.namespace))
            .map(|i| {
                let package = publisher.package(&i.namespace).map(|p| p.name.clone()).unwrap_or_default();
                let used = o
                    .users
                    .iter()
                    .filter(|u| u.active && u.package_licenses.iter().any(|n| n.eq_ignore_ascii_case(&i.namespace)))
                    .count();
                json!({
                    "namespace": i.namespace, "package": package, "version": i.version,
                    "licensing": match i.licensing { Licensing::WholeOrg => "wholeOrg", Licensing::PerUser => "perUser" },
                    "seats": i.seats, "used": used,
                })
            })
            .collect();
        let users: Vec<Value> = o
            .users
            .iter()
            .map(|u| {
                json!({
                    "id": u.id, "username": u.username, "name": u.name, "profile": u.profile,
                    "admin": u.is_admin(), "active": u.active,
                    "hasGrant": o.grants.iter().filter(ours).any(|g| g.user.eq_ignore_ascii_case(&u.username) && g.active_at(now)),
                })
            })
            .collect();
        Ok(json!({
            "key": o.key, "id": o.id, "name": o.name,
            "instance": self.world.instance.name,
            "orgType": o.org_type.as_str(), "edition": o.edition,
            "governmentCloud": o.government_cloud,
            "requireMfa": o.settings.require_mfa,
            "licenseType": match o.license_type {
                LicenseType::Salesforce => "salesforce",
                LicenseType::SalesforcePlatform => "salesforcePlatform",
                LicenseType::Other => "other",
            },
            "contact": { "name": o.contact.0, "email": o.contact.1 },
            "limits": {
                "debugSessions": publisher.lmo.debug_sessions,
                "dataRecords": (0..rt.store.schema.objects.len()).map(|t| rt.store.count(t as _)).sum::<usize>(),
                "apexClasses": rt.sources.len(),
            },
            "grants": grants, "installed": installed, "users": users,
            "now": rfc3339(now),
        }))
    }
}
