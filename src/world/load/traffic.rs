//! `[[traffic]]` in `world.toml`: scripted requests, checked against the orgs
//! and their users once those are loaded.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use toml::Spanned;

use super::doc::{Doc, Problems};
use super::list_or_none;
use super::values;
use super::world_file::RawTraffic;
use crate::world::model::{Org, Traffic, TrafficAction};

/// The HTTP methods an Apex REST resource answers.
const REST_METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

/// What the traffic can refer to.
pub(super) struct Known<'a> {
    pub orgs: &'a [Org],
    /// False when some org folder could not be read: an unknown key is then
    /// not reported (it may be that org).
    pub all_orgs_read: bool,
    /// Per org key: whether every user could be read.
    pub users_complete: &'a HashMap<String, bool>,
    /// The world folder (absolute).
    pub root: &'a Path,
}

/// Checks each scripted request and turns it into [`Traffic`].
pub(super) fn resolve(
    doc: &Doc,
    raw: Vec<Spanned<RawTraffic>>,
    known: &Known<'_>,
    p: &mut Problems,
) -> Vec<Traffic> {
    raw.into_iter()
        .filter_map(|t| {
            let span = t.span();
            one(doc, span, t.into_inner(), known, p)
        })
        .collect()
}

fn one(
    doc: &Doc,
    span: std::ops::Range<usize>,
    t: RawTraffic,
    known: &Known<'_>,
    p: &mut Problems,
) -> Option<Traffic> {
    let org = known
        .orgs
        .iter()
        .find(|o| o.key.eq_ignore_ascii_case(t.org.get_ref()));
    let user = match org {
        None => {
            if known.all_orgs_read {
                let keys: Vec<&str> = known.orgs.iter().map(|o| o.key.as_str()).collect();
                p.push(doc.error(
                    t.org.span(),
                    format!(
                        "no org `{}` in orgs/; use an org folder name: {}",
                        t.org.get_ref(),
                        list_or_none(&keys)
                    ),
                ));
            }
            None
        }
        Some(org) => {
            let user = org.user(t.user.get_ref());
            if user.is_none() && known.users_complete.get(&org.key) == Some(&true) {
                let names: Vec<&str> = org.users.iter().map(|u| u.username.as_str()).collect();
                p.push(doc.error(
                    t.user.span(),
                    format!(
                        "`{}` is not a user of {}; use one of: {}",
                        t.user.get_ref(),
                        org.key,
                        list_or_none(&names)
                    ),
                ));
            }
            user
        }
    };
    let action = action(doc, span, &t, org, known.root, p);
    let at = match &t.at {
        None => Some(Duration::ZERO),
        Some(a) => offset(doc, a, p),
    };
    let every = match &t.every {
        None => Some(None),
        Some(e) => match offset(doc, e, p) {
            Some(d) if d.is_zero() => {
                p.push(doc.error(
                    e.span(),
                    "`every` must be longer than zero; write a period such as \"5m\", \
                     or remove it to run once",
                ));
                None
            }
            d => d.map(Some),
        },
    };
    Some(Traffic {
        org: org?.key.clone(),
        user: user?.username.clone(),
        action: action?,
        at: at?,
        every: every?,
    })
}

fn offset(doc: &Doc, v: &Spanned<String>, p: &mut Problems) -> Option<Duration> {
    values::offset(v.get_ref())
        .map_err(|e| p.push(doc.error(v.span(), e)))
        .ok()
}

fn action(
    doc: &Doc,
    span: std::ops::Range<usize>,
    t: &RawTraffic,
    org: Option<&Org>,
    root: &Path,
    p: &mut Problems,
) -> Option<TrafficAction> {
    match (&t.apex, &t.rest) {
        (Some(apex), None) => {
            let org = org?;
            let file = root.join("orgs").join(&org.key).join(apex.get_ref());
            if !file.is_file() {
                p.push(doc.error(
                    apex.span(),
                    format!(
                        "no file `{}` in orgs/{}/ (`apex` is relative to the org's folder); \
                         fix the path or add the anonymous Apex file",
                        apex.get_ref(),
                        org.key
                    ),
                ));
                return None;
            }
            Some(TrafficAction::Apex(file))
        }
        (None, Some(rest)) => {
            let r = rest.get_ref();
            let method = r.method.to_ascii_uppercase();
            let mut ok = true;
            if !REST_METHODS.contains(&method.as_str()) {
                p.push(doc.error(
                    rest.span(),
                    format!(
                        "`{}` is not an HTTP method of Apex REST; use one of {}",
                        r.method,
                        REST_METHODS.join(", ")
                    ),
                ));
                ok = false;
            }
            if let Some(rest_path) = r.path.strip_prefix("/services/apexrest") {
                p.push(doc.error(
                    rest.span(),
                    format!("write the REST path without /services/apexrest: `{rest_path}`"),
                ));
                ok = false;
            } else if !r.path.starts_with('/') {
                p.push(doc.error(
                    rest.span(),
                    format!(
                        "REST path `{}` must start with `/`: it is the path under \
                         /services/apexrest, such as /acme/invoices",
                        r.path
                    ),
                ));
                ok = false;
            }
            ok.then(|| TrafficAction::Rest {
                method,
                path: r.path.clone(),
                body: r.body.clone(),
            })
        }
        (Some(_), Some(_)) | (None, None) => {
            p.push(doc.error(
                span,
                "a [[traffic]] entry runs either `apex = \"scripts/x.apex\"` or \
                 `rest = { method = \"GET\", path = \"/acme/invoices\" }`; give exactly one",
            ));
            None
        }
    }
}
