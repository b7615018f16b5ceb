//! The SFDX project on disk: which file holds which Apex typeref, and back.
//!
//! A project is the folder `isvdbg setup` writes (`salesforceProject`): its
//! `sfdx-project.json` lists package directories holding the org's own code
//! (no namespace), and `.sfdx/tools/installed-packages/<name>/` holds each
//! retrieved managed package, whose own `sfdx-project.json` gives its
//! namespace. A file outside those folders still maps: its namespace comes
//! from the nearest `sfdx-project.json` above it, and that project is indexed
//! too, so frames in its other files find their way back to disk.
//!
//! Matching is case-insensitive, as Apex names are.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// The typeref of anonymous Apex.
pub const ANONYMOUS: &str = "AnonymousBlock";

/// An indexed project: typerefs to files, package roots and their namespaces.
#[derive(Debug, Default, Clone)]
pub struct Project {
    /// `salesforceProject`, when one was given.
    root: Option<PathBuf>,
    /// Lower-case typeref → file.
    files: HashMap<String, PathBuf>,
    /// Project folders indexed so far, with their namespaces.
    indexed: Vec<(PathBuf, String)>,
    settings: Vec<ProtectedSetting>,
}

impl Project {
    /// Indexes `salesforceProject` and the packages installed under it.
    pub fn load(root: &Path) -> Result<Project, String> {
        let root = root.canonicalize().map_err(|e| {
            format!(
                "the salesforceProject folder {} cannot be read ({e}); set `salesforceProject` \
                 to the folder `isvdbg setup` created",
                root.display()
            )
        })?;
        if !root.join("sfdx-project.json").is_file() {
            return Err(format!(
                "{} has no sfdx-project.json, so it is not an SFDX project; set \
                 `salesforceProject` to the folder `isvdbg setup` created",
                root.display()
            ));
        }
        let mut project = Project {
            root: Some(root.clone()),
            ..Default::default()
        };
        project.index(&root)?;
        let installed = root.join(".sfdx/tools/installed-packages");
        if let Ok(entries) = std::fs::read_dir(&installed) {
            let mut dirs: Vec<PathBuf> = entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect();
            dirs.sort();
            for dir in dirs {
                if dir.join("sfdx-project.json").is_file() {
                    project.index(&dir)?;
                } else {
                    // A bare retrieve: the folder is named after the namespace.
                    let ns = dir
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    project.index_folder(&dir, &ns, &dir);
                }
            }
        }
        Ok(project)
    }

    /// The project root, when one was given.
    pub fn root(&self) -> Option<&Path> {
        self.root.as_deref()
    }

    /// The typeref of a source file, or why it has none.
    pub fn typeref_of(&mut self, path: &Path) -> Result<String, String> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        match ext.as_str() {
            "apex" => return Ok(ANONYMOUS.to_owned()),
            "cls" | "trigger" => {}
            _ => {
                return Err(format!(
                    "{} is not Apex: breakpoints go in classes (.cls), triggers (.trigger) and \
                     anonymous Apex (.apex)",
                    path.display()
                ));
            }
        }
        let path = path.canonicalize().unwrap_or_else(|_| clean(path));
        let ns = match self.namespace_of(&path) {
            Some(ns) => ns,
            None => match nearest_project(&path) {
                Some(dir) => {
                    self.index(&dir)?;
                    self.namespace_of(&path).unwrap_or_default()
                }
                None => String::new(),
            },
        };
        let typeref = typeref(&ns, &stem, ext == "trigger");
        self.files
            .entry(typeref.to_ascii_lowercase())
            .or_insert(path);
        Ok(typeref)
    }

    /// The file that holds `typeref` (an inner class maps to its outer file).
    pub fn path_of(&self, typeref: &str) -> Option<&Path> {
        let outer = typeref.split('$').next().unwrap_or(typeref);
        self.files
            .get(&outer.to_ascii_lowercase())
            .map(PathBuf::as_path)
    }

    /// The namespace of the indexed project that holds `path`, if any.
    fn namespace_of(&self, path: &Path) -> Option<String> {
        self.indexed
            .iter()
            .filter(|(dir, _)| path.starts_with(dir))
            .max_by_key(|(dir, _)| dir.components().count())
            .map(|(_, ns)| ns.clone())
    }

    /// Indexes a folder holding an `sfdx-project.json`.
    fn index(&mut self, dir: &Path) -> Result<(), String> {
        let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_owned());
        if self.indexed.iter().any(|(d, _)| d == &dir) {
            return Ok(());
        }
        let file = dir.join("sfdx-project.json");
        let text = std::fs::read_to_string(&file)
            .map_err(|e| format!("could not read {} ({e})", file.display()))?;
        let json: Value = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{} is not valid JSON ({e}); fix it or run `isvdbg setup` again",
                file.display()
            )
        })?;
        let ns = json["namespace"].as_str().unwrap_or_default().to_owned();
        let dirs: Vec<PathBuf> = json["packageDirectories"]
            .as_array()
            .map(|list| {
                list.iter()
                    .filter_map(|d| d["path"].as_str())
                    .map(|p| clean(&dir.join(p)))
                    .collect()
            })
            .unwrap_or_default();
        // A project lists its packages by folder; the namespace covers them all.
        self.indexed.push((dir.clone(), ns.clone()));
        for package_dir in dirs {
            self.index_folder(&package_dir, &ns, &dir);
        }
        Ok(())
    }

    /// Walks `folder`, recording classes, triggers and protected settings.
    fn index_folder(&mut self, folder: &Path, ns: &str, project: &Path) {
        if !self.indexed.iter().any(|(d, _)| d == project) {
            self.indexed.push((project.to_owned(), ns.to_owned()));
        }
        let mut stack = vec![folder.to_owned()];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let name = entry.file_name().to_string_lossy().into_owned();
                if let Some(stem) = name.strip_suffix(".cls") {
                    self.note_setting_reads(&path, ns);
                    self.files
                        .insert(typeref(ns, stem, false).to_ascii_lowercase(), path);
                } else if let Some(stem) = name.strip_suffix(".trigger") {
                    self.files
                        .insert(typeref(ns, stem, true).to_ascii_lowercase(), path);
                } else if let Some(stem) = name.strip_suffix(".object-meta.xml") {
                    self.note_setting(&path, ns, stem);
                }
            }
        }
    }
}

/// `path` without `.` components, and with each `..` taking away the folder
/// before it, as the path reads; symbolic links are left as they are, so the
/// client sees the paths it knows.
pub fn clean(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                // Above the root is the root.
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// `ns/Name`, `Name`, `__sfdc_trigger/ns/Name`.
fn typeref(ns: &str, name: &str, trigger: bool) -> String {
    let local = if ns.is_empty() {
        name.to_owned()
    } else {
        format!("{ns}/{name}")
    };
    if trigger {
        format!("__sfdc_trigger/{local}")
    } else {
        local
    }
}

/// The closest folder above `path` with an `sfdx-project.json`.
fn nearest_project(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .skip(1)
        .find(|d| d.join("sfdx-project.json").is_file())
        .map(Path::to_owned)
}

pub(super) fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    let end = text[start..].find(close)? + start;
    Some(text[start..end].trim())
}

mod settings;

pub use settings::ProtectedSetting;

#[cfg(test)]
mod tests;
