//! `[[grants]]` of an org: login access granted by one of its users to one of
//! the world's publishers, whose package the org has installed.

use chrono::NaiveDateTime;
use serde::Deserialize;
use toml::Spanned;

use super::Context;
use super::doc::{Doc, Problems};
use super::list_or_none;
use super::values;
use crate::world::error::WorldError;
use crate::world::model::{Grant, GrantDuration, Installed, OrgUser};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGrant {
    user: Spanned<String>,
    publisher: Spanned<String>,
    granted_at: Spanned<toml::Value>,
    duration: Spanned<String>,
    #[serde(default)]
    revoked: bool,
}

/// What a grant is checked against: the org's users and installed packages,
/// each with whether every entry was read (so a missing one really is missing).
pub(super) struct Granting<'a> {
    pub users: &'a [OrgUser],
    pub users_complete: bool,
    pub installed: &'a [(Installed, WorldError)],
    pub installed_complete: bool,
}

/// The grants that could be read.
pub(super) fn read(
    doc: &Doc,
    raw: Vec<Spanned<RawGrant>>,
    org: Granting<'_>,
    cx: &Context<'_>,
    p: &mut Problems,
) -> Vec<Grant> {
    let mut grants = Vec::new();
    for grant in raw {
        let g = grant.into_inner();
        let user = org
            .users
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(g.user.get_ref()));
        if user.is_none() && org.users_complete {
            let names: Vec<&str> = org.users.iter().map(|u| u.username.as_str()).collect();
            p.push(doc.error(
                g.user.span(),
                format!(
                    "`{}` is not a user of this org, so it cannot grant login access; \
                     use one of: {}",
                    g.user.get_ref(),
                    list_or_none(&names)
                ),
            ));
        }
        let publisher = publisher(doc, &g.publisher, &org, cx, p);
        let granted_at = time(doc, &g.granted_at, cx.start, p);
        let duration = GrantDuration::parse(g.duration.get_ref()).or_else(|| {
            p.push(doc.error(
                g.duration.span(),
                format!(
                    "`{}` is not a grant duration; use 1d, 3d, 1w, 1m or 1y \
                     (the choices Salesforce offers)",
                    g.duration.get_ref()
                ),
            ));
            None
        });
        if let (Some(user), Some(publisher), Some(granted_at), Some(duration)) =
            (user, publisher, granted_at, duration)
        {
            grants.push(Grant {
                user: user.username.clone(),
                publisher: publisher.to_string(),
                granted_at,
                duration,
                revoked: g.revoked,
            });
        }
    }
    grants
}

/// The publisher a grant names, spelled as in world.toml; None (reported when
/// the publishers were all read) when it is unknown or has no package in the org.
fn publisher<'c>(
    doc: &Doc,
    named: &Spanned<String>,
    org: &Granting<'_>,
    cx: &'c Context<'_>,
    p: &mut Problems,
) -> Option<&'c str> {
    let wanted = named.get_ref();
    let publishers: Vec<(&str, Vec<&str>)> = cx.named().collect();
    let Some((name, namespaces)) = publishers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(wanted))
    else {
        if !cx.publishers_complete {
            return None;
        }
        let message = match publishers.as_slice() {
            [(name, _)] => format!(
                "the world's publisher is `{name}`, not `{wanted}`; grants can only name \
                 the publisher of world.toml"
            ),
            _ => format!(
                "`{wanted}` is not a publisher of this world; grants can only name one of \
                 world.toml's publishers: {}",
                publishers
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        p.push(doc.error(named.span(), message));
        return None;
    };
    let subscribed = org.installed.iter().any(|(i, _)| {
        namespaces
            .iter()
            .any(|n| n.eq_ignore_ascii_case(&i.namespace))
    });
    if !subscribed && org.installed_complete && cx.publishers_complete {
        p.push(doc.error(
            named.span(),
            format!(
                "no package of {name} ({}) is installed in this org, so the customer's grant \
                 list does not offer {name}; install one under [[installed]] or remove the \
                 grant",
                list_or_none(namespaces)
            ),
        ));
        return None;
    }
    // Spelled as the publisher is, so the sandbox can compare names exactly.
    cx.named()
        .map(|(n, _)| n)
        .find(|n| n.eq_ignore_ascii_case(wanted))
}

fn time(
    doc: &Doc,
    v: &Spanned<toml::Value>,
    start: NaiveDateTime,
    p: &mut Problems,
) -> Option<NaiveDateTime> {
    values::time(v.get_ref(), start)
        .map_err(|e| p.push(doc.error(v.span(), e)))
        .ok()
}
