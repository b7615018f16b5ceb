//! `[[grants]]` of an org: login access granted by one of its users to the
//! world's publisher.

use chrono::NaiveDateTime;
use serde::Deserialize;
use toml::Spanned;

use super::Context;
use super::doc::{Doc, Problems};
use super::list_or_none;
use super::values;
use crate::world::model::{Grant, GrantDuration, OrgUser};

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

/// The grants that could be read; `users_complete` says whether every user
/// of the org was read (so an unknown granting user really is unknown).
pub(super) fn read(
    doc: &Doc,
    raw: Vec<Spanned<RawGrant>>,
    users: &[OrgUser],
    users_complete: bool,
    cx: &Context<'_>,
    p: &mut Problems,
) -> Vec<Grant> {
    let mut grants = Vec::new();
    for grant in raw {
        let g = grant.into_inner();
        let user = users
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(g.user.get_ref()));
        if user.is_none() && users_complete {
            let names: Vec<&str> = users.iter().map(|u| u.username.as_str()).collect();
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
        let publisher = match cx.publisher {
            Some(name) if name.eq_ignore_ascii_case(g.publisher.get_ref()) => Some(name),
            Some(name) => {
                p.push(doc.error(
                    g.publisher.span(),
                    format!(
                        "the world's publisher is `{name}`, not `{}`; grants can only name \
                         the publisher of world.toml",
                        g.publisher.get_ref()
                    ),
                ));
                None
            }
            None => None,
        };
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
