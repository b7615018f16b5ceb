//! The publishers of `world.toml`: `[publisher]` with `[lmo]` and
//! `[[packages]]`, and each `[[publishers]]` with its nested `lmo` and
//! `packages`. Names, namespaces and LMO usernames are unique across them.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::doc::{Doc, Listed, Problems, Section};
use super::users::{
    check_password, checked_totp, checked_user_id, checked_username, known_permissions, yes,
};
use super::values::{self, IdKind};
use super::{Seen, list_or_none};
use crate::world::error::WorldError;
use crate::world::model::{Lmo, LmoUser, Package, PermissionSet, Publisher};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPermissionSet {
    name: Spanned<String>,
    permissions: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLmoUser {
    id: Spanned<String>,
    username: Spanned<String>,
    name: String,
    password: Spanned<String>,
    totp_secret: Option<Spanned<String>>,
    #[serde(default)]
    permissions: Vec<Spanned<String>>,
    #[serde(default)]
    permission_sets: Vec<Spanned<String>>,
    #[serde(default = "yes")]
    active: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPackage {
    name: String,
    namespace: Spanned<String>,
    path: Spanned<String>,
    version: Spanned<String>,
}

/// One publisher as read; None where a part could not be read.
pub(super) struct PublisherRead {
    pub name: Option<String>,
    pub lmo: Option<Lmo>,
    pub packages: Vec<Package>,
    /// Whether its name and every package could be read (so a namespace
    /// missing from `packages` really is not this publisher's).
    pub complete: bool,
}

impl PublisherRead {
    /// The publisher, when every part it cannot do without was read.
    pub fn publisher(self) -> Option<Publisher> {
        Some(Publisher {
            name: self.name?,
            lmo: self.lmo?,
            packages: self.packages,
        })
    }
}

/// Publisher names and package namespaces already used, with where and by whom:
/// each is unique across the world's publishers.
#[derive(Default)]
pub(super) struct Names {
    publishers: Vec<(String, WorldError)>,
    /// (namespace, publisher, where).
    namespaces: Vec<(String, String, WorldError)>,
}

/// `file:line:col` of a place recorded with an empty message.
fn place(at: &WorldError) -> String {
    at.to_string().trim_end_matches(": ").to_string()
}

#[allow(clippy::too_many_arguments)]
pub(super) fn read_publisher(
    doc: &Doc,
    root: &Path,
    name: Option<Spanned<String>>,
    lmo: Option<Section<'_>>,
    packages: Listed<RawPackage>,
    names: &mut Names,
    seen: &mut Seen,
    p: &mut Problems,
) -> PublisherRead {
    let name = name.and_then(|n| {
        let at = doc.error(n.span(), "");
        if let Some((_, first)) = names
            .publishers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n.get_ref()))
        {
            p.push(doc.error(
                n.span(),
                format!(
                    "publisher `{}` is already defined at {}; give each publisher its own name",
                    n.get_ref(),
                    place(first)
                ),
            ));
            return None;
        }
        names.publishers.push((n.get_ref().clone(), at));
        Some(n.into_inner())
    });
    let lmo = lmo.and_then(|s| read_lmo(s, seen, p));
    let complete = packages.complete;
    let owner = name.clone().unwrap_or_else(|| "another publisher".into());
    let (packages, all_kept) = read_packages(doc, root, packages.items, &owner, names, p);
    PublisherRead {
        complete: complete && all_kept && name.is_some(),
        name,
        lmo,
        packages,
    }
}

fn read_lmo(mut s: Section<'_>, seen: &mut Seen, p: &mut Problems) -> Option<Lmo> {
    let doc = s.doc;
    let org_id = s.required::<String>("org_id", "\"00D5g0000u8jzPdEAI\"", p);
    let name = s.required::<String>("name", "\"Acme Apps LMO\"", p);
    let sessions = s.optional::<i64>("debug_sessions", p);
    let sets = s.list::<RawPermissionSet>("permission_sets", p);
    let users = s.list::<RawLmoUser>("users", p);
    s.finish(p);

    let org_id = org_id.and_then(|id| {
        let at = doc.error(id.span(), "");
        match values::salesforce_id(id.get_ref(), IdKind::Org) {
            Ok(v) => {
                seen.org_id(&v, at, p);
                Some(v)
            }
            Err(e) => {
                p.push(doc.error(id.span(), e));
                None
            }
        }
    });
    let debug_sessions = match sessions {
        None => Some(1),
        Some(n) if *n.get_ref() >= 1 && *n.get_ref() <= i64::from(u32::MAX) => {
            Some(*n.get_ref() as u32)
        }
        Some(n) => {
            p.push(doc.error(
                n.span(),
                format!(
                    "debug_sessions is {}: an LMO has at least 1 ISV debugger session; \
                     write 1 (the default) or the number bought",
                    n.get_ref()
                ),
            ));
            None
        }
    };

    let mut permission_sets: Vec<PermissionSet> = Vec::new();
    for set in sets.items {
        let set = set.into_inner();
        if permission_sets
            .iter()
            .any(|s| &s.name == set.name.get_ref())
        {
            p.push(doc.error(
                set.name.span(),
                format!(
                    "permission set `{}` is defined twice; remove one",
                    set.name.get_ref()
                ),
            ));
            continue;
        }
        let permissions = known_permissions(doc, set.permissions, p);
        permission_sets.push(PermissionSet {
            name: set.name.into_inner(),
            permissions,
        });
    }

    let mut lmo_users = Vec::new();
    for user in users.items {
        let user = user.into_inner();
        let id = checked_user_id(doc, &user.id, seen, p);
        let username = checked_username(doc, &user.username, seen, p);
        let totp_secret = checked_totp(doc, user.totp_secret, p);
        check_password(doc, &user.password, p);
        let permissions = known_permissions(doc, user.permissions, p);
        for set in &user.permission_sets {
            if sets.complete && !permission_sets.iter().any(|s| &s.name == set.get_ref()) {
                let names: Vec<&str> = permission_sets.iter().map(|s| s.name.as_str()).collect();
                p.push(doc.error(
                    set.span(),
                    format!(
                        "no permission set `{}` in the LMO; define it under [[lmo.permission_sets]] \
                         or use one of: {}",
                        set.get_ref(),
                        list_or_none(&names)
                    ),
                ));
            }
        }
        let (Some(id), Some(username)) = (id, username) else {
            continue;
        };
        lmo_users.push(LmoUser {
            id,
            username,
            name: user.name,
            password: user.password.into_inner(),
            totp_secret,
            permissions,
            permission_sets: user
                .permission_sets
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
            active: user.active,
        });
    }
    Some(Lmo {
        org_id: org_id?,
        name: name?.into_inner(),
        debug_sessions: debug_sessions?,
        users: lmo_users,
        permission_sets,
    })
}

/// The packages whose folder is usable, and whether that is all of them.
fn read_packages(
    doc: &Doc,
    root: &Path,
    raw: Vec<Spanned<RawPackage>>,
    owner: &str,
    names: &mut Names,
    p: &mut Problems,
) -> (Vec<Package>, bool) {
    let mut out: Vec<Package> = Vec::new();
    let total = raw.len();
    for pkg in raw {
        let pkg = pkg.into_inner();
        let ns = pkg.namespace.get_ref();
        if let Err(e) = values::namespace(ns) {
            p.push(doc.error(pkg.namespace.span(), e));
            continue;
        }
        if out.iter().any(|o| o.namespace.eq_ignore_ascii_case(ns)) {
            p.push(doc.error(
                pkg.namespace.span(),
                format!("two packages have the namespace `{ns}`; each package needs its own"),
            ));
            continue;
        }
        if let Some((_, other, first)) = names
            .namespaces
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(ns))
        {
            p.push(doc.error(
                pkg.namespace.span(),
                format!(
                    "the namespace `{ns}` is already used by a package of {other} at {}; \
                     a namespace belongs to one publisher, so give this package its own",
                    place(first)
                ),
            ));
            continue;
        }
        names.namespaces.push((
            ns.clone(),
            owner.to_string(),
            doc.error(pkg.namespace.span(), ""),
        ));
        if let Err(e) = values::version(pkg.version.get_ref()) {
            p.push(doc.error(pkg.version.span(), e));
        }
        let path = root.join(pkg.path.get_ref());
        let project = path.join("sfdx-project.json");
        if !path.is_dir() {
            p.push(doc.error(
                pkg.path.span(),
                format!(
                    "package folder `{}` not found (paths are relative to the world folder); \
                     fix the path or add the package's SFDX project there",
                    pkg.path.get_ref()
                ),
            ));
            continue;
        }
        if !project.is_file() {
            p.push(doc.error(
                pkg.path.span(),
                format!(
                    "`{}` has no sfdx-project.json; point `path` at the package's SFDX project",
                    pkg.path.get_ref()
                ),
            ));
            continue;
        }
        match crate::sfdx::namespace_of(&path) {
            Ok(declared) if declared == *ns => {}
            Ok(declared) => p.push(doc.error(
                pkg.namespace.span(),
                format!(
                    "`{}/sfdx-project.json` declares the namespace `{declared}`, not `{ns}`; \
                     make them agree",
                    pkg.path.get_ref()
                ),
            )),
            Err(e) => p.push(WorldError::file(doc.file.clone(), e.to_string())),
        }
        out.push(Package {
            name: pkg.name,
            namespace: ns.clone(),
            path,
            version: pkg.version.into_inner(),
        });
    }
    let all_kept = out.len() == total;
    (out, all_kept)
}
