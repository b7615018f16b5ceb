//! Reading SFDX projects: `sfdx-project.json`, Apex classes and triggers,
//! object metadata (`objects`) and `sf data tree` record files (`data_tree`).

pub mod data_tree;
pub mod deploy;
pub mod objects;

use std::path::{Path, PathBuf};

use crate::vm::SourceFile;

/// The Apex sources of a directory tree and the namespace that owns them.
#[derive(Debug, Clone, Default)]
pub struct SourceSet {
    pub namespace: String,
    pub files: Vec<SourceFile>,
    /// Where each file came from, parallel to `files`.
    pub paths: Vec<PathBuf>,
}

/// Errors reading a project.
#[derive(Debug, thiserror::Error)]
pub enum SfdxError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not valid JSON: {message}; fix the file or remove it")]
    BadProject { path: PathBuf, message: String },
    #[error("{path}:{line}:{col}: not well-formed XML: {message}; fix the markup")]
    Xml {
        path: PathBuf,
        line: u32,
        col: u32,
        message: String,
    },
    /// Well-formed metadata that cannot be used; `message` says how to fix it.
    #[error("{path}:{line}: {message}")]
    Metadata {
        path: PathBuf,
        line: u32,
        message: String,
    },
    /// A data file that cannot be loaded; `message` names the record and field and
    /// says how to fix it.
    #[error("{path}: {message}")]
    Data { path: PathBuf, message: String },
}

pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SfdxError + '_ {
    move |source| SfdxError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The namespace from the nearest `sfdx-project.json` at or above `dir`, or "".
pub fn namespace_of(dir: &Path) -> Result<String, SfdxError> {
    let mut cur = Some(dir);
    while let Some(d) = cur {
        let p = d.join("sfdx-project.json");
        if p.is_file() {
            let text = std::fs::read_to_string(&p).map_err(io(&p))?;
            let v: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| SfdxError::BadProject {
                    path: p.clone(),
                    message: e.to_string(),
                })?;
            return Ok(v
                .get("namespace")
                .and_then(|n| n.as_str())
                .unwrap_or("")
                .to_string());
        }
        cur = d.parent();
    }
    Ok(String::new())
}

/// Every `.cls` and `.trigger` file under `dir`, sorted by path.
pub fn apex_files(dir: &Path) -> Result<Vec<PathBuf>, SfdxError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).map_err(io(&d))? {
            let entry = entry.map_err(io(&d))?;
            let p = entry.path();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if p.is_dir() {
                if !name.starts_with('.') && name != "node_modules" {
                    stack.push(p);
                }
            } else if name.ends_with(".cls") || name.ends_with(".trigger") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Loads the Apex sources under `dir` with the namespace of its project.
pub fn load_sources(dir: &Path) -> Result<SourceSet, SfdxError> {
    let namespace = namespace_of(dir)?;
    let paths = apex_files(dir)?;
    let mut files = Vec::with_capacity(paths.len());
    for p in &paths {
        let text = std::fs::read_to_string(p).map_err(io(p))?;
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        files.push(SourceFile::new(name, text, namespace.clone()));
    }
    Ok(SourceSet {
        namespace,
        files,
        paths,
    })
}
