//! `orgs/<key>/org.toml`: one subscriber org, its users, installed packages
//! and login-access grants; and the org's optional SFDX project.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::doc::{Doc, Problems};
use super::users::{check_password, checked_totp, checked_user_id, checked_username, yes};
use super::values::{self, IdKind};
use super::{Context, Seen, grants, list_or_none};
use crate::world::error::WorldError;
use crate::world::model::{Installed, LicenseType, Licensing, Org, OrgSettings, OrgType, OrgUser};

/// `org_type` as written. Developer Edition and trial orgs are production orgs
/// to the rules (not sandboxes), so they load as [`OrgType::Production`].
#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum RawOrgType {
    Production,
    Sandbox,
    Scratch,
    Developer,
    Trial,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
enum RawLicenseType {
    Salesforce,
    SalesforcePlatform,
    Other,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContact {
    name: String,
    email: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawSettings {
    admins_can_log_in_as_any_user: bool,
    non_admins_can_grant: bool,
    require_mfa: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUser {
    id: Spanned<String>,
    username: Spanned<String>,
    name: String,
    profile: String,
    manage_users: Option<bool>,
    password: Spanned<String>,
    totp_secret: Option<Spanned<String>>,
    #[serde(default)]
    package_licenses: Vec<Spanned<String>>,
    #[serde(default = "yes")]
    active: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
enum RawLicensing {
    WholeOrg,
    PerUser,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInstalled {
    namespace: Spanned<String>,
    version: Spanned<String>,
    licensing: RawLicensing,
    seats: Option<Spanned<u32>>,
}

/// The profile whose users have Manage Users unless told otherwise.
const ADMIN_PROFILE: &str = "System Administrator";

/// An org as read; `users_complete` is false when some user could not be read.
pub(super) struct OrgRead {
    pub org: Option<Org>,
    pub users_complete: bool,
}

/// Reads one org folder (`dir`, absolute); `doc` is its `org.toml`.
pub(super) fn read(
    doc: &Doc,
    key: &str,
    dir: &Path,
    cx: &Context<'_>,
    seen: &mut Seen,
    p: &mut Problems,
) -> OrgRead {
    let mut top = doc.root(p);
    let id = top.required::<String>("id", "\"00D1x0000d6GncfEAC\"", p);
    let name = top.required::<String>("name", "\"Globex Corp (Full Sandbox)\"", p);
    let org_type = top.required::<RawOrgType>("org_type", "\"sandbox\"", p);
    let edition = top.required::<String>("edition", "\"Enterprise Edition\"", p);
    let gov = top.optional::<bool>("government_cloud", p);
    let license = top.required::<RawLicenseType>("license_type", "\"salesforce\"", p);
    let contact = top.required::<RawContact>(
        "contact",
        "{ name = \"Dana Scully\", email = \"dana@globex.example\" }",
        p,
    );
    let settings = top.optional::<RawSettings>("settings", p);
    let users = top.list::<RawUser>("users", p);
    let installed = top.list::<RawInstalled>("installed", p);
    let grants = top.list::<grants::RawGrant>("grants", p);
    top.finish(p);

    let id = id.and_then(
        |id| match values::salesforce_id(id.get_ref(), IdKind::Org) {
            Ok(v) => {
                seen.org_id(&v, doc.error(id.span(), ""), p);
                Some(v)
            }
            Err(e) => {
                p.push(doc.error(id.span(), e));
                None
            }
        },
    );
    let read_all = installed.complete;
    let (installed, all_kept) = read_installed(doc, installed.items, cx, p);
    let installed_complete = read_all && all_kept;
    let (org_users, users_kept) =
        read_users(doc, users.items, &installed, installed_complete, seen, p);
    let users_complete = users.complete && users_kept;
    let grants = grants::read(
        doc,
        grants.items,
        grants::Granting {
            users: &org_users,
            users_complete,
            installed: &installed,
            installed_complete,
        },
        cx,
        p,
    );
    let project = project(doc, dir, p);

    let contact = contact.map(Spanned::into_inner);
    let settings = settings.map(Spanned::into_inner).unwrap_or_default();
    let org = (|| {
        Some(Org {
            id: id?,
            name: name?.into_inner(),
            key: key.to_string(),
            org_type: match org_type?.into_inner() {
                RawOrgType::Sandbox => OrgType::Sandbox,
                RawOrgType::Scratch => OrgType::Scratch,
                RawOrgType::Production | RawOrgType::Developer | RawOrgType::Trial => {
                    OrgType::Production
                }
            },
            edition: edition?.into_inner(),
            government_cloud: gov.is_some_and(Spanned::into_inner),
            license_type: match license?.into_inner() {
                RawLicenseType::Salesforce => LicenseType::Salesforce,
                RawLicenseType::SalesforcePlatform => LicenseType::SalesforcePlatform,
                RawLicenseType::Other => LicenseType::Other,
            },
            contact: contact.map(|c| (c.name, c.email))?,
            settings: OrgSettings {
                admins_can_log_in_as_any_user: settings.admins_can_log_in_as_any_user,
                non_admins_can_grant: settings.non_admins_can_grant,
                require_mfa: settings.require_mfa,
            },
            users: org_users,
            installed: installed.into_iter().map(|(i, _)| i).collect(),
            grants,
            project,
        })
    })();
    OrgRead {
        org,
        users_complete,
    }
}

/// The installed packages, each with where it is written; and whether every
/// entry was kept (none named an unknown or repeated namespace).
fn read_installed(
    doc: &Doc,
    raw: Vec<Spanned<RawInstalled>>,
    cx: &Context<'_>,
    p: &mut Problems,
) -> (Vec<(Installed, WorldError)>, bool) {
    let mut out: Vec<(Installed, WorldError)> = Vec::new();
    let mut all_kept = true;
    for item in raw {
        let span = item.span();
        let item = item.into_inner();
        let ns = item.namespace.get_ref();
        if cx.publishers_complete && cx.owner_of(ns).is_none() {
            let named: Vec<(&str, Vec<&str>)> = cx.named().collect();
            let message = match named.as_slice() {
                [(publisher, known)] => format!(
                    "`{ns}` is not a package of {publisher}; install one of its packages ({}) \
                     or add the package under [[packages]] in world.toml",
                    list_or_none(known)
                ),
                _ => format!(
                    "`{ns}` is not a package of any publisher of this world; install one of \
                     theirs ({}) or add the package to its publisher in world.toml",
                    list_or_none(
                        &named
                            .iter()
                            .flat_map(|(_, ns)| ns.clone())
                            .collect::<Vec<_>>()
                    )
                ),
            };
            p.push(doc.error(item.namespace.span(), message));
            all_kept = false;
            continue;
        }
        if out
            .iter()
            .any(|(i, _)| i.namespace.eq_ignore_ascii_case(ns))
        {
            p.push(doc.error(
                item.namespace.span(),
                format!("`{ns}` is installed twice; keep one [[installed]] entry"),
            ));
            all_kept = false;
            continue;
        }
        if let Err(e) = values::version(item.version.get_ref()) {
            p.push(doc.error(item.version.span(), e));
        }
        let licensing = match item.licensing {
            RawLicensing::WholeOrg => Licensing::WholeOrg,
            RawLicensing::PerUser => Licensing::PerUser,
        };
        let seats = match (licensing, &item.seats) {
            (Licensing::WholeOrg, Some(s)) => {
                p.push(doc.error(
                    s.span(),
                    "`seats` is for per-user licensing; a whole-org (site) license covers \
                     everyone, so remove `seats` or use licensing = \"per-user\"",
                ));
                0
            }
            (Licensing::WholeOrg, None) => 0,
            (Licensing::PerUser, Some(s)) if *s.get_ref() >= 1 => *s.get_ref(),
            (Licensing::PerUser, _) => {
                p.push(doc.error(
                    item.seats.as_ref().map_or(span.clone(), Spanned::span),
                    "per-user licensing needs the number of seats bought; add `seats = 10` \
                     (at least 1)",
                ));
                0
            }
        };
        out.push((
            Installed {
                namespace: ns.clone(),
                version: item.version.into_inner(),
                licensing,
                seats,
            },
            doc.error(span, ""),
        ));
    }
    (out, all_kept)
}

/// The users, and whether every one was kept (none had a bad id or username).
fn read_users(
    doc: &Doc,
    raw: Vec<Spanned<RawUser>>,
    installed: &[(Installed, WorldError)],
    installed_complete: bool,
    seen: &mut Seen,
    p: &mut Problems,
) -> (Vec<OrgUser>, bool) {
    let mut users = Vec::new();
    let mut all_kept = true;
    let mut holders = vec![0u32; installed.len()];
    for user in raw {
        let user = user.into_inner();
        let id = checked_user_id(doc, &user.id, seen, p);
        let username = checked_username(doc, &user.username, seen, p);
        check_password(doc, &user.password, p);
        let totp_secret = checked_totp(doc, user.totp_secret, p);
        for lic in &user.package_licenses {
            match installed
                .iter()
                .position(|(i, _)| i.namespace.eq_ignore_ascii_case(lic.get_ref()))
            {
                Some(k) => holders[k] += 1,
                None if installed_complete => p.push(doc.error(
                    lic.span(),
                    format!(
                        "a license for `{}`, which is not installed in this org; add it under \
                         [[installed]] or remove the license",
                        lic.get_ref()
                    ),
                )),
                None => {}
            }
        }
        let (Some(id), Some(username)) = (id, username) else {
            all_kept = false;
            continue;
        };
        users.push(OrgUser {
            id,
            username,
            manage_users: user.manage_users.unwrap_or(user.profile == ADMIN_PROFILE),
            name: user.name,
            profile: user.profile,
            password: user.password.into_inner(),
            totp_secret,
            package_licenses: user
                .package_licenses
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
            active: user.active,
        });
    }
    for ((inst, at), held) in installed.iter().zip(holders) {
        if inst.licensing == Licensing::PerUser && inst.seats >= 1 && held > inst.seats {
            p.push(WorldError {
                message: format!(
                    "{held} users hold a license for `{}` but only {} bought (`seats`); \
                     raise `seats` or remove licenses",
                    inst.namespace, inst.seats
                ),
                ..at.clone()
            });
        }
    }
    (users, all_kept)
}

/// The org's SFDX project folder, when it has `sfdx-project.json`.
fn project(doc: &Doc, dir: &Path, p: &mut Problems) -> Option<std::path::PathBuf> {
    if dir.join("sfdx-project.json").is_file() {
        return Some(dir.to_path_buf());
    }
    if dir.join("force-app").exists() || dir.join("data").exists() {
        let folder = doc.file.parent().unwrap_or(Path::new("."));
        p.push(WorldError::file(
            folder.join("sfdx-project.json"),
            "the org has force-app/ or data/ but no sfdx-project.json; add one \
             ({\"packageDirectories\": [{\"path\": \"force-app\", \"default\": true}]})",
        ));
    }
    None
}
