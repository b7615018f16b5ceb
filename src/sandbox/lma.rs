//! The License Management App: the publisher's view of its subscribers.

use serde_json::{Value, json};

use super::access::{grant_json, unknown_org};
use super::protocol::ApiError;
use super::{Sandbox, rfc3339};
use crate::world::{LicenseType, Licensing, Org};

/// Whether `query` is a 15- or 18-character org id of this org.
fn id_matches(org: &Org, query: &str) -> bool {
    let q = query.trim();
    (q.len() == 15 || q.len() == 18) && org.id.len() >= 15 && org.id[..15] == q[..15]
}

impl Sandbox {
    /// Subscribers by name (case-insensitive substring) or org id.
    pub fn search(&self, query: &str) -> Value {
        let q = query.trim().to_lowercase();
        let orgs: Vec<Value> = self
            .world
            .orgs
            .iter()
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

    /// One subscriber in detail.
    pub fn org_detail(&self, which: &str) -> Result<Value, ApiError> {
        let rt = self.org(which).ok_or_else(|| unknown_org(which))?;
        let o = rt.info();
        let now = self.clock.now();
        let grants: Vec<Value> = o.grants.iter().map(|g| grant_json(g, now)).collect();
        let installed: Vec<Value> = o
            .installed
            .iter()
            .map(|i| {
                let package = self.world.package(&i.namespace).map(|p| p.name.clone()).unwrap_or_default();
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
                    "hasGrant": o.grants.iter().any(|g| g.user.eq_ignore_ascii_case(&u.username) && g.active_at(now)),
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
                "debugSessions": self.world.publisher.lmo.debug_sessions,
                "dataRecords": (0..rt.store.schema.objects.len()).map(|t| rt.store.count(t as _)).sum::<usize>(),
                "apexClasses": rt.sources.len(),
            },
            "grants": grants, "installed": installed, "users": users,
            "now": rfc3339(now),
        }))
    }
}
