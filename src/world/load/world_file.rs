//! `world.toml`: the clock's start, the instance, the publishers (read by
//! `publishers`), and the scripted traffic (checked once the orgs are known).

use std::path::Path;

use chrono::NaiveDateTime;
use serde::Deserialize;
use toml::Spanned;

use super::Seen;
use super::doc::{Doc, Problems};
use super::publishers::{Names, PublisherRead, RawPackage, read_publisher};
use super::values;
use crate::world::model::Instance;

/// A scripted request as written; checked by `traffic::resolve` once the
/// orgs are loaded.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTraffic {
    pub org: Spanned<String>,
    pub user: Spanned<String>,
    pub apex: Option<Spanned<String>>,
    pub rest: Option<Spanned<RawRest>>,
    pub at: Option<Spanned<String>>,
    pub every: Option<Spanned<String>>,
}

/// An Apex REST call as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRest {
    pub method: String,
    pub path: String,
    pub body: Option<String>,
}

/// What `world.toml` holds; None where a part could not be read.
pub(super) struct WorldFile {
    pub start: Option<NaiveDateTime>,
    pub instance: Option<Instance>,
    /// `[publisher]` (with `[lmo]` and `[[packages]]`) first, then each of
    /// `[[publishers]]`.
    pub publishers: Vec<PublisherRead>,
    /// Whether every publisher could be read at all.
    pub publishers_complete: bool,
    pub traffic: Vec<Spanned<RawTraffic>>,
}

/// Reads `world.toml`; `root` is the world folder (absolute).
pub(super) fn read(doc: &Doc, root: &Path, seen: &mut Seen, p: &mut Problems) -> WorldFile {
    let mut top = doc.root(p);
    let start = top
        .required::<toml::Value>("start", "2024-05-20T16:00:00Z", p)
        .and_then(|v| match v.get_ref() {
            toml::Value::String(s) if s.starts_with(['+', '-']) => {
                p.push(doc.error(
                    v.span(),
                    "`start` cannot be relative: it is what relative times count from; \
                     write an RFC 3339 time such as 2024-05-20T16:00:00Z",
                ));
                None
            }
            other => values::time(other, NaiveDateTime::default())
                .map_err(|e| p.push(doc.error(v.span(), e)))
                .ok(),
        });
    let instance = top.table("instance", p).and_then(|mut s| {
        let name = s.required::<String>("name", "\"CS42\"", p);
        let peak = s.optional::<bool>("peak_load", p);
        s.finish(p);
        Some(Instance {
            name: name?.into_inner(),
            peak_load: peak.is_some_and(|b| b.into_inner()),
        })
    });
    let mut names = Names::default();
    let mut publishers = Vec::new();
    // The single-publisher form is read unless the world uses only
    // `[[publishers]]`; a world with neither is told to add `[publisher]`.
    let single =
        ["publisher", "lmo", "packages"].iter().any(|k| top.has(k)) || !top.has("publishers");
    if single {
        let name = top.table("publisher", p).and_then(|mut s| {
            let name = s.required::<String>("name", "\"Acme Apps\"", p);
            s.finish(p);
            name
        });
        let lmo = top.table("lmo", p);
        let packages = top.list::<RawPackage>("packages", p);
        publishers.push(read_publisher(
            doc, root, name, lmo, packages, &mut names, seen, p,
        ));
    }
    let (sections, mut publishers_complete) = top.tables("publishers", p);
    for mut s in sections {
        let name = s.required::<String>("name", "\"Initrode Software\"", p);
        let lmo = s.table("lmo", p);
        let packages = s.list::<RawPackage>("packages", p);
        s.finish(p);
        publishers.push(read_publisher(
            doc, root, name, lmo, packages, &mut names, seen, p,
        ));
    }
    publishers_complete &= publishers.iter().all(|pb| pb.name.is_some());
    let traffic = top.list::<RawTraffic>("traffic", p).items;
    top.finish(p);
    WorldFile {
        start,
        instance,
        publishers,
        publishers_complete,
        traffic,
    }
}
