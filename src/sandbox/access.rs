//! Login access: the customer's grants, and the publisher's LoginAs sessions.
//!
//! A grant belongs to one subscriber user and one publisher (of a package
//! installed in the org) and is dead once it expires or is revoked. An LMO
//! engineer's LoginAs counts only grants to their own publisher. LoginAs needs the *Log in to Subscriber Org*
//! permission, MFA in this login (every LMO login passes it), an MFA at most
//! [`ORG_MFA_MAX_AGE`] old where the org requires MFA, and an active grant from
//! the target user, in an org that offers login access at all. Every LoginAs, and every action
//! under it, is written to the subscriber org's audit trail.

use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};
use serde_json::{Value, json};

use super::context::{Acting, Caller, lmo_only};
use super::orgs::{AuditEntry, OrgRuntime};
use super::protocol::ApiError;
use super::{Sandbox, rfc3339};
use crate::world::{
    Grant, GrantDuration, LOG_IN_TO_SUBSCRIBER_ORG, LicenseType, Licensing, Org, OrgType, OrgUser,
    Publisher,
};

/// A publisher's support engineer logged in as a subscriber user.
#[derive(Debug, Clone)]
pub struct LoginAs {
    /// The org's key.
    pub org: String,
    /// The subscriber user's username.
    pub user: String,
    /// The LMO user behind it.
    pub lmo_user: String,
    /// The publisher whose LMO the engineer belongs to: the one the grant was
    /// given to, whose package internals this LoginAs may see.
    pub publisher: String,
    pub since: NaiveDateTime,
}

/// In an org that requires MFA, how recent the engineer's MFA must be for a
/// LoginAs: the org's own MFA rule, stricter than the LMO session's 12 hours.
pub const ORG_MFA_MAX_AGE: Duration = Duration::from_secs(3600);

fn err(code: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(code, message)
}

/// Why an org offers no login access at all, if it does not.
pub fn unavailable(org: &Org) -> Option<ApiError> {
    if org.government_cloud {
        return Some(err(
            "GOVERNMENT_CLOUD",
            format!(
                "login access is not available for {}: it is a Government Cloud org; ask the customer to reproduce the problem in a commercial sandbox",
                org.name
            ),
        ));
    }
    if org.org_type == OrgType::Scratch {
        return Some(err(
            "SCRATCH_ORG",
            format!(
                "login access is not available for {}: it is a scratch org; ask the customer to reproduce the problem in a sandbox",
                org.name
            ),
        ));
    }
    if org.license_type == LicenseType::Other {
        return Some(err(
            "WRONG_LICENSE",
            format!(
                "login access is not available for {}: it has no Salesforce or Salesforce Platform user licenses",
                org.name
            ),
        ));
    }
    None
}

/// A grant as the API shows it.
pub fn grant_json(g: &Grant, now: NaiveDateTime) -> Value {
    json!({
        "user": g.user,
        "publisher": g.publisher,
        "grantedAt": rfc3339(g.granted_at),
        "duration": g.duration.as_str(),
        "expiresAt": rfc3339(g.expires_at()),
        "active": g.active_at(now),
        "revoked": g.revoked,
    })
}

impl Sandbox {
    /// The publisher a customer's grant goes to: the one named (which must be
    /// in the org's grant list), or, unnamed, the only one the list offers.
    fn grant_list_pick(&self, org: &Org, named: Option<&str>) -> Result<Publisher, ApiError> {
        let offered = self.world.publishers_of(org);
        let names = || {
            offered
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match named {
            Some(name) => offered
                .iter()
                .find(|p| p.name.eq_ignore_ascii_case(name.trim()))
                .map(|p| (*p).clone())
                .ok_or_else(|| {
                    err(
                        "CANNOT_GRANT",
                        match offered.as_slice() {
                            [one] => format!(
                                "`{name}` is not in the grant list; the publisher here is {}",
                                one.name
                            ),
                            [] => format!(
                                "`{name}` is not in the grant list; no publisher's package is installed in {}",
                                org.name
                            ),
                            _ => format!(
                                "`{name}` is not in the grant list of {}; it offers {}",
                                org.name,
                                names()
                            ),
                        },
                    )
                }),
            None => match offered.as_slice() {
                [one] => Ok((*one).clone()),
                [] => Err(err(
                    "CANNOT_GRANT",
                    "none of the publisher's packages is installed in this org, so it is not in the grant list",
                )),
                _ => Err(err(
                    "CANNOT_GRANT",
                    format!(
                        "{} offers several publishers ({}); name the one to grant access to in `publisher`",
                        org.name,
                        names()
                    ),
                )),
            },
        }
    }

    /// The customer grants a publisher (`publisher`, or the only one the
    /// org's grant list offers) login access as themselves. A new grant
    /// replaces the user's active grant to the same publisher.
    pub fn grant(
        &self,
        acting: &Acting,
        duration: &str,
        publisher: Option<&str>,
    ) -> Result<Value, ApiError> {
        let duration = GrantDuration::parse(duration).ok_or_else(|| {
            err(
                "BAD_DURATION",
                format!("`{duration}` is not a grant duration; choose 1d, 3d, 1w, 1m or 1y"),
            )
        })?;
        let mut info = acting.org.info.write().expect("org lock");
        if let Some(e) = unavailable(&info) {
            return Err(e);
        }
        if info.settings.admins_can_log_in_as_any_user {
            return Err(admins_any_user());
        }
        let pb = self.grant_list_pick(&info, publisher)?;
        let namespaces: Vec<String> = pb.packages.iter().map(|p| p.namespace.clone()).collect();
        may_grant(&info, &acting.user, &namespaces)?;
        let publisher = pb.name;
        let now = self.clock.now();
        for g in info.grants.iter_mut() {
            if g.user.eq_ignore_ascii_case(&acting.user.username)
                && g.publisher == publisher
                && g.active_at(now)
            {
                g.revoked = true;
            }
        }
        let grant = Grant {
            user: acting.user.username.clone(),
            publisher,
            granted_at: now,
            duration,
            revoked: false,
        };
        info.grants.push(grant.clone());
        drop(info);
        self.audit_as(
            acting,
            "Grant login access",
            format!("to {} for {}", grant.publisher, duration.as_str()),
        );
        Ok(json!({ "grant": grant_json(&grant, now) }))
    }

    /// The customer revokes their grant to `publisher`, or unnamed, every
    /// active grant of theirs; LoginAs sessions relying on a revoked grant end.
    pub fn revoke(&self, acting: &Acting, publisher: Option<&str>) -> Result<Value, ApiError> {
        let now = self.clock.now();
        let mut revoked: Vec<String> = Vec::new();
        {
            let mut info = acting.org.info.write().expect("org lock");
            if let Some(name) = publisher
                && self.world.publisher_named(name).is_none()
            {
                let publishers: Vec<&str> =
                    self.world.publishers().map(|p| p.name.as_str()).collect();
                return Err(err(
                    "NO_ACTIVE_GRANT",
                    match publishers.as_slice() {
                        [one] => {
                            format!("there is no grant to `{name}`; the publisher here is {one}")
                        }
                        _ => format!(
                            "there is no grant to `{name}`: it is not a publisher on this instance ({})",
                            publishers.join(", ")
                        ),
                    },
                ));
            }
            for g in info.grants.iter_mut() {
                let named = publisher.is_none_or(|n| g.publisher.eq_ignore_ascii_case(n.trim()));
                if g.user.eq_ignore_ascii_case(&acting.user.username) && named && g.active_at(now) {
                    g.revoked = true;
                    revoked.push(g.publisher.clone());
                }
            }
        }
        if revoked.is_empty() {
            return Err(err(
                "NO_ACTIVE_GRANT",
                match publisher.filter(|_| !self.world.other_publishers.is_empty()) {
                    Some(name) => format!(
                        "{} has no active login-access grant to {name} to revoke",
                        acting.user.username
                    ),
                    None => format!(
                        "{} has no active login-access grant to revoke",
                        acting.user.username
                    ),
                },
            ));
        }
        self.audit_as(acting, "Revoke login access", revoked.join(", "));
        let key = acting.org.info().key;
        let ended: Vec<String> = self
            .login_as
            .iter()
            .filter(|l| {
                l.org == key
                    && l.user.eq_ignore_ascii_case(&acting.user.username)
                    && revoked.contains(&l.publisher)
            })
            .map(|l| l.key().clone())
            .collect();
        for token in ended {
            self.end_login_as(
                &token,
                "GRANT_REVOKED",
                "the customer revoked login access; the debug session ended",
            );
        }
        Ok(json!({}))
    }

    /// The publisher's engineer logs in as a subscriber user.
    pub fn start_login_as(
        &self,
        caller: &Caller,
        org: &str,
        user: &str,
    ) -> Result<Value, ApiError> {
        let Caller::Lmo {
            session,
            user: lmo_user,
            ..
        } = caller
        else {
            return Err(lmo_only("loginAs.start"));
        };
        let publisher = self
            .world
            .lmo_user(&lmo_user.username)
            .map(|(p, _)| p)
            .ok_or_else(|| lmo_only("loginAs.start"))?;
        if !publisher
            .lmo
            .has_permission(lmo_user, LOG_IN_TO_SUBSCRIBER_ORG)
        {
            return Err(err(
                "NO_PERMISSION",
                format!(
                    "{} lacks the Log in to Subscriber Org permission; an LMO admin must assign it directly or through a permission set",
                    lmo_user.username
                ),
            ));
        }
        // "MFA in this login" needs no check here: auth.login refuses every LMO
        // login without a TOTP code, so each LMO session has passed MFA.
        let rt = self.org(org).cloned().ok_or_else(|| unknown_org(org))?;
        let info = rt.info();
        let target = info.user(user).cloned().ok_or_else(|| {
            err(
                "UNKNOWN_ORG_USER",
                format!(
                    "{} has no user `{user}`; pick one from the org detail (lma.org)",
                    info.name
                ),
            )
        })?;
        if let Some(e) = unavailable(&info) {
            return Err(e);
        }
        let now = self.clock.now();
        if info.settings.require_mfa {
            org_mfa(&info, session.created, now)?;
        }
        check_grant(&info, &target, &publisher.name, now)?;
        let l = LoginAs {
            org: info.key.clone(),
            user: target.username.clone(),
            lmo_user: lmo_user.username.clone(),
            publisher: publisher.name.clone(),
            since: now,
        };
        // A new LoginAs replaces the login's previous one and its debug sessions.
        self.end_login_as(
            &session.token_id,
            "LOGIN_AS_ENDED",
            "the engineer logged in as another user",
        );
        self.login_as.insert(session.token_id.clone(), l.clone());
        rt.audit(AuditEntry {
            at: now,
            user: lmo_user.username.clone(),
            as_user: Some(target.username.clone()),
            action: "Login as user".into(),
            detail: format!(
                "{} logged in as {} through login access",
                publisher.name, target.username
            ),
        });
        Ok(json!({
            "org": { "key": info.key, "id": info.id, "name": info.name },
            "user": { "id": target.id, "username": target.username, "name": target.name },
            "since": rfc3339(now),
        }))
    }

    /// Ends a login's LoginAs and every debug session started from it.
    pub fn end_login_as(&self, token_id: &str, code: &str, message: &str) -> bool {
        let Some((_, l)) = self.login_as.remove(token_id) else {
            return false;
        };
        for id in self.debug.of_login(token_id) {
            self.end_session(id, code, message);
        }
        if let Some(rt) = self.orgs.get(&l.org) {
            rt.audit(AuditEntry {
                at: self.clock.now(),
                user: l.lmo_user.clone(),
                as_user: Some(l.user.clone()),
                action: "Logout".into(),
                detail: "returned to the subscriber overview".into(),
            });
        }
        true
    }

    /// Writes an action to the acting org's audit trail.
    pub fn audit_as(&self, acting: &Acting, action: &str, detail: impl Into<String>) {
        let (user, as_user) = match &acting.login_as {
            Some(l) => (l.lmo_user.clone(), Some(l.user.clone())),
            None => (acting.user.username.clone(), None),
        };
        acting.org.audit(AuditEntry {
            at: self.clock.now(),
            user,
            as_user,
            action: action.into(),
            detail: detail.into(),
        });
    }

    /// The customer's grants.
    pub fn list_grants(&self, org: &OrgRuntime) -> Value {
        let now = self.clock.now();
        let grants: Vec<Value> = org
            .info()
            .grants
            .iter()
            .map(|g| grant_json(g, now))
            .collect();
        json!({ "grants": grants })
    }
}

/// An org that requires MFA accepts a LoginAs only from an LMO login whose MFA
/// (the TOTP code of `auth.login`) was verified at most [`ORG_MFA_MAX_AGE`] ago.
fn org_mfa(org: &Org, verified: NaiveDateTime, now: NaiveDateTime) -> Result<(), ApiError> {
    let max_age = TimeDelta::from_std(ORG_MFA_MAX_AGE).unwrap_or(TimeDelta::MAX);
    if now - verified <= max_age {
        return Ok(());
    }
    Err(err(
        "ORG_MFA_REQUIRED",
        format!(
            "{} requires MFA for every login, and this LMO login verified its code at {}, more than {} minutes ago; log in again (auth.login with a current TOTP code), then call loginAs.start",
            org.name,
            rfc3339(verified),
            ORG_MFA_MAX_AGE.as_secs() / 60
        ),
    ))
}

/// The error for an org that is not in the world.
pub fn unknown_org(org: &str) -> ApiError {
    err(
        "UNKNOWN_ORG",
        format!("no subscriber org `{org}`; search for it with lma.search (by name or org id)"),
    )
}

/// Publishers are left out of the grant list while admins may log in as anyone.
fn admins_any_user() -> ApiError {
    err(
        "CANNOT_GRANT",
        "the publisher is not in the grant list while \"Administrators Can Log in as Any User\" is on; an admin must turn it off in Setup > Login Access Policies",
    )
}

/// Whether this user may grant login access in this org.
fn may_grant(org: &Org, user: &OrgUser, namespaces: &[String]) -> Result<(), ApiError> {
    let ours: Vec<_> = org
        .installed
        .iter()
        .filter(|i| {
            namespaces
                .iter()
                .any(|n| n.eq_ignore_ascii_case(&i.namespace))
        })
        .collect();
    if ours.is_empty() {
        return Err(err(
            "CANNOT_GRANT",
            "none of the publisher's packages is installed in this org, so it is not in the grant list",
        ));
    }
    if user.is_admin() {
        return Ok(());
    }
    if ours.iter().any(|i| i.licensing == Licensing::WholeOrg) {
        return Err(err(
            "CANNOT_GRANT",
            format!(
                "the package is licensed to the whole org, so only an admin with Manage Users can grant login access; ask an admin of {}",
                org.name
            ),
        ));
    }
    if !org.settings.non_admins_can_grant {
        return Err(err(
            "CANNOT_GRANT",
            "your admin does not let non-admin users grant login access; ask an admin to grant it, or to allow it in Login Access Policies",
        ));
    }
    let licensed = ours.iter().any(|i| {
        user.package_licenses
            .iter()
            .any(|n| n.eq_ignore_ascii_case(&i.namespace))
    });
    if !licensed {
        return Err(err(
            "CANNOT_GRANT",
            format!(
                "{} holds no license for the publisher's package; an admin must assign one before the user can grant access",
                user.username
            ),
        ));
    }
    Ok(())
}

/// Whether the target user has an active grant to this publisher.
fn check_grant(
    org: &Org,
    user: &OrgUser,
    publisher: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let mine: Vec<&Grant> = org
        .grants
        .iter()
        .filter(|g| g.user.eq_ignore_ascii_case(&user.username) && g.publisher == publisher)
        .collect();
    if mine.iter().any(|g| g.active_at(now)) {
        return Ok(());
    }
    let latest = mine.iter().max_by_key(|g| g.granted_at);
    Err(match latest {
        Some(g) if g.revoked => err(
            "NO_GRANT",
            format!(
                "{} revoked login access; ask them to grant it again (Settings > Grant Account Login Access)",
                user.username
            ),
        ),
        Some(g) => err(
            "GRANT_EXPIRED",
            format!(
                "the login-access grant from {} expired at {}; ask them to grant access again",
                user.username,
                rfc3339(g.expires_at())
            ),
        ),
        None => err(
            "NO_GRANT",
            format!(
                "{} in {} has not granted login access to {publisher}; ask them to grant it (Settings > Grant Account Login Access)",
                user.username, org.name
            ),
        ),
    })
}
