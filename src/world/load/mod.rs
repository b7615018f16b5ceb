//! Loading a world folder into a [`World`], reporting every problem at once.
//!
//! The format is documented in `docs/worlds.md`. Each file is parsed with
//! spans and each key and list element is read on its own, so one bad user
//! does not hide the next; cross-references (grants, licenses, traffic) are
//! checked only against lists that were read completely, so a problem is
//! reported once, where it is.

mod doc;
mod grants;
mod org_file;
mod publishers;
mod traffic;
mod users;
mod values;
mod world_file;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;

use self::doc::{Doc, Problems};
use self::publishers::PublisherRead;
use crate::world::error::{WorldError, WorldErrors};
use crate::world::model::{LOG_IN_TO_SUBSCRIBER_ORG, Publisher, World};

/// The LMO permissions a world may grant (directly or through a permission set).
pub const KNOWN_PERMISSIONS: &[&str] = &[
    LOG_IN_TO_SUBSCRIBER_ORG,
    "ApiEnabled",
    "ManageUsers",
    "ViewSetup",
    "ViewAllData",
    "ModifyAllData",
];

/// Loads and checks the world in `dir` (its `world.toml` and `orgs/*/org.toml`).
///
/// Every problem found is returned, each with its file, line and column.
/// Apex code and data are not compiled here; [`crate::world::check`] does that too.
pub fn load(dir: &Path) -> Result<World, WorldErrors> {
    let (world, problems) = load_partial(dir);
    match world {
        Some(world) if problems.is_empty() => Ok(world),
        _ => Err(WorldErrors::sorted(problems)),
    }
}

/// What the world files share while they are read.
pub(super) struct Context<'a> {
    /// The world start (a placeholder when `start` is unusable: it was reported).
    start: NaiveDateTime,
    /// The publishers as read from `world.toml`.
    publishers: &'a [PublisherRead],
    /// Whether every publisher, with each of its packages, was read: only then
    /// is a publisher or namespace that is not found really unknown.
    publishers_complete: bool,
}

impl Context<'_> {
    /// The publishers that have a name, with their namespaces.
    fn named(&self) -> impl Iterator<Item = (&str, Vec<&str>)> {
        self.publishers.iter().filter_map(|pb| {
            let ns = pb.packages.iter().map(|k| k.namespace.as_str()).collect();
            pb.name.as_deref().map(|n| (n, ns))
        })
    }

    /// The publisher of a namespace, by name; None when no publisher read
    /// has it.
    fn owner_of(&self, namespace: &str) -> Option<&str> {
        self.named()
            .find(|(_, ns)| ns.iter().any(|n| n.eq_ignore_ascii_case(namespace)))
            .map(|(name, _)| name)
    }
}

/// Loads what can be loaded: the world (None when a part it cannot do without
/// is unusable) and the problems.
pub(crate) fn load_partial(dir: &Path) -> (Option<World>, Problems) {
    let mut p = Problems::new();
    if !dir.is_dir() {
        p.push(WorldError::file(
            dir,
            "not a world folder (it does not exist or is not a directory); pass a folder \
             with world.toml, such as fixtures/worlds/default",
        ));
        return (None, p);
    }
    let root = match std::path::absolute(dir) {
        Ok(r) => r,
        Err(e) => {
            p.push(WorldError::file(
                dir,
                format!("cannot resolve the path: {e}"),
            ));
            return (None, p);
        }
    };
    let mut seen = Seen::default();
    let Some(world_doc) = Doc::read(
        &root.join("world.toml"),
        dir.join("world.toml"),
        "world.toml",
        &mut p,
    ) else {
        return (None, p);
    };
    let wf = world_file::read(&world_doc, &root, &mut seen, &mut p);
    let cx = Context {
        start: wf.start.unwrap_or_default(),
        publishers: &wf.publishers,
        publishers_complete: wf.publishers_complete && wf.publishers.iter().all(|pb| pb.complete),
    };

    let mut orgs = Vec::new();
    let mut all_orgs_read = true;
    let mut users_complete = HashMap::new();
    for (key, shown) in org_folders(dir, &root, &mut p) {
        let folder = root.join("orgs").join(&key);
        if let Err(e) = values::org_key(&key) {
            p.push(WorldError::file(&shown, e));
            all_orgs_read = false;
            continue;
        }
        let Some(org_doc) = Doc::read(
            &folder.join("org.toml"),
            shown.join("org.toml"),
            &format!("orgs/{key}/org.toml"),
            &mut p,
        ) else {
            all_orgs_read = false;
            continue;
        };
        let read = org_file::read(&org_doc, &key, &folder, &cx, &mut seen, &mut p);
        users_complete.insert(key.clone(), read.users_complete);
        match read.org {
            Some(org) => orgs.push(org),
            None => all_orgs_read = false,
        }
    }

    let known = traffic::Known {
        orgs: &orgs,
        all_orgs_read,
        users_complete: &users_complete,
        root: &root,
    };
    let traffic = traffic::resolve(&world_doc, wf.traffic, &known, &mut p);

    let publishers: Option<Vec<Publisher>> = wf
        .publishers
        .into_iter()
        .map(PublisherRead::publisher)
        .collect();
    let world = (|| {
        let mut publishers = publishers?.into_iter();
        Some(World {
            name: root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            root: root.clone(),
            start: wf.start?,
            instance: wf.instance?,
            publisher: publishers.next()?,
            other_publishers: publishers.collect(),
            orgs,
            traffic,
        })
    })();
    (world, p)
}

/// The org folders under `orgs/`, sorted, as (key, path shown in messages).
fn org_folders(dir: &Path, root: &Path, p: &mut Problems) -> Vec<(String, PathBuf)> {
    let shown = dir.join("orgs");
    let entries = match std::fs::read_dir(root.join("orgs")) {
        Ok(e) => e,
        Err(e) => {
            let why = if e.kind() == std::io::ErrorKind::NotFound {
                "the orgs/ folder is missing; add orgs/<key>/org.toml for each subscriber org \
                 (see docs/worlds.md)"
                    .to_string()
            } else {
                format!("cannot read the folder: {e}")
            };
            p.push(WorldError::file(&shown, why));
            return Vec::new();
        }
    };
    let mut keys: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|k| !k.starts_with('.'))
        .collect();
    keys.sort();
    keys.into_iter()
        .map(|k| {
            let s = shown.join(&k);
            (k, s)
        })
        .collect()
}

/// `a, b, c`, or `(none)`.
pub(super) fn list_or_none(names: &[&str]) -> String {
    if names.is_empty() {
        "(none)".into()
    } else {
        names.join(", ")
    }
}

/// Ids and usernames already used, with where: they are unique in a world.
#[derive(Default)]
pub(super) struct Seen {
    org_ids: HashMap<String, WorldError>,
    user_ids: HashMap<String, WorldError>,
    usernames: HashMap<String, WorldError>,
}

impl Seen {
    /// Records an org id (18 characters) written at `at`.
    fn org_id(&mut self, id: &str, at: WorldError, p: &mut Problems) {
        note(&mut self.org_ids, id.to_string(), at, p, |first| {
            format!("org id {id} is already used at {first}; every org needs its own id")
        });
    }

    /// Records a user id (18 characters) written at `at`.
    fn user_id(&mut self, id: &str, at: WorldError, p: &mut Problems) {
        note(&mut self.user_ids, id.to_string(), at, p, |first| {
            format!("user id {id} is already used at {first}; every user needs its own id")
        });
    }

    /// Records a username written at `at` (unique across all orgs, as in Salesforce).
    fn username(&mut self, name: &str, at: WorldError, p: &mut Problems) {
        note(
            &mut self.usernames,
            name.to_ascii_lowercase(),
            at,
            p,
            |first| {
                format!(
                    "username {name} is already used at {first}; usernames are unique across \
                     all orgs (sandbox usernames get a suffix such as .full)"
                )
            },
        );
    }
}

fn note(
    map: &mut HashMap<String, WorldError>,
    key: String,
    at: WorldError,
    p: &mut Problems,
    message: impl FnOnce(String) -> String,
) {
    match map.get(&key) {
        Some(first) => {
            let place = WorldError {
                message: String::new(),
                ..first.clone()
            }
            .to_string();
            let place = place.trim_end_matches(": ").to_string();
            p.push(WorldError {
                message: message(place),
                ..at
            });
        }
        None => {
            map.insert(key, at);
        }
    }
}
