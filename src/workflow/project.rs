//! The SFDX project that `isvdbg setup` retrieves into, and where each
//! typeref's source lives in it.
//!
//! - The subscriber's own code (no namespace) goes under
//!   `force-app/main/default/classes` and `.../triggers`, described by the
//!   project's `sfdx-project.json` (namespace `""`).
//! - Each installed package goes under
//!   `.sfdx/tools/installed-packages/<namespace>/classes` and `.../triggers`,
//!   with its own `sfdx-project.json` carrying the namespace. That folder
//!   belongs to the tool: a re-run replaces it whole.
//!
//! Typerefs are Salesforce's: `ns/Class`, `ns/Class$Inner`, `Class` for code
//! without a namespace, and `__sfdc_trigger/ns/Trigger` for triggers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::fsutil;

/// The API version written in `-meta.xml` files and `sfdx-project.json`.
pub const API_VERSION: &str = "61.0";

/// The subscriber's own source folder.
pub const ORG_SOURCE: &str = "force-app/main/default";

/// Where installed packages go.
pub const INSTALLED_PACKAGES: &str = ".sfdx/tools/installed-packages";

/// Class or trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Class,
    Trigger,
}

impl SourceKind {
    fn folder(self) -> &'static str {
        match self {
            SourceKind::Class => "classes",
            SourceKind::Trigger => "triggers",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            SourceKind::Class => "cls",
            SourceKind::Trigger => "trigger",
        }
    }

    fn meta_element(self) -> &'static str {
        match self {
            SourceKind::Class => "ApexClass",
            SourceKind::Trigger => "ApexTrigger",
        }
    }
}

/// A typeref taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeRef {
    /// None for the subscriber's own code.
    pub namespace: Option<String>,
    /// The top-level class or trigger: the file's name without extension.
    pub name: String,
    pub kind: SourceKind,
}

impl TypeRef {
    /// Reads `ns/Class`, `ns/Class$Inner`, `Class` or `__sfdc_trigger/[ns/]Trigger`.
    pub fn parse(typeref: &str) -> Option<TypeRef> {
        let (kind, rest) = match typeref.strip_prefix("__sfdc_trigger/") {
            Some(rest) => (SourceKind::Trigger, rest),
            None => (SourceKind::Class, typeref),
        };
        let (namespace, path) = match rest.split_once('/') {
            Some((ns, path)) => (Some(ns.to_string()), path),
            None => (None, rest),
        };
        let name = path.split('$').next().unwrap_or_default();
        let plain =
            |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !plain(name) || namespace.as_deref().is_some_and(|ns| !plain(ns)) {
            return None;
        }
        Some(TypeRef {
            namespace: namespace.filter(|ns| !ns.is_empty()),
            name: name.to_string(),
            kind,
        })
    }

    /// The file's name: `TaxCalculator.cls`.
    pub fn file_name(&self) -> String {
        format!("{}.{}", self.name, self.kind.extension())
    }
}

/// Where a project's sources are.
#[derive(Debug, Clone)]
pub struct ProjectLayout {
    pub root: PathBuf,
}

impl ProjectLayout {
    pub fn new(root: impl Into<PathBuf>) -> ProjectLayout {
        ProjectLayout { root: root.into() }
    }

    /// The folder holding a namespace's sources (None: the subscriber's own).
    pub fn source_dir(&self, namespace: Option<&str>) -> PathBuf {
        match namespace {
            Some(ns) => self.package_dir(ns),
            None => self.root.join(ORG_SOURCE),
        }
    }

    /// An installed package's folder.
    pub fn package_dir(&self, namespace: &str) -> PathBuf {
        self.root.join(INSTALLED_PACKAGES).join(namespace)
    }

    /// The file a typeref's source is in.
    pub fn path_for(&self, typeref: &TypeRef) -> PathBuf {
        self.source_dir(typeref.namespace.as_deref())
            .join(typeref.kind.folder())
            .join(typeref.file_name())
    }

    /// The file a typeref string's source is in, when it is well formed.
    pub fn path_for_typeref(&self, typeref: &str) -> Option<PathBuf> {
        TypeRef::parse(typeref).map(|t| self.path_for(&t))
    }
}

/// A retrieved source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub typeref: TypeRef,
    pub text: String,
}

/// A package installed in the org, as the License Management App lists it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InstalledPackage {
    pub namespace: String,
    /// Such as `Acme Billing`.
    pub name: Option<String>,
    /// Such as `2.4.0.1`.
    pub version: Option<String>,
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    /// Classes and triggers per namespace ("" for the subscriber's own code).
    pub counts: BTreeMap<String, (usize, usize)>,
    /// Whether the project's sfdx-project.json was created (false: kept).
    pub created_project_file: bool,
}

impl Written {
    /// Classes and triggers of packages (with a namespace).
    pub fn package_counts(&self) -> (usize, usize) {
        self.counts
            .iter()
            .filter(|(ns, _)| !ns.is_empty())
            .fold((0, 0), |(c, t), (_, (c2, t2))| (c + c2, t + t2))
    }

    /// Classes and triggers of the subscriber's own code.
    pub fn org_counts(&self) -> (usize, usize) {
        self.counts.get("").copied().unwrap_or((0, 0))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SfdxProject<'a> {
    package_directories: Vec<PackageDirectory<'a>>,
    name: &'a str,
    namespace: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sfdc_login_url: Option<&'a str>,
    source_api_version: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PackageDirectory<'a> {
    path: &'a str,
    default: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    package: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_number: Option<&'a str>,
}

/// Writes the project: the subscriber's sources, each installed package's
/// sources (a package folder is replaced whole) and the `sfdx-project.json`
/// files. The project's own `sfdx-project.json` is created when missing and
/// otherwise kept as the user left it.
pub fn write(
    layout: &ProjectLayout,
    project_name: &str,
    files: &[SourceFile],
    packages: &[InstalledPackage],
) -> std::io::Result<Written> {
    let mut written = Written::default();
    let mut namespaces: Vec<&str> = files
        .iter()
        .filter_map(|f| f.typeref.namespace.as_deref())
        .collect();
    namespaces.sort_unstable();
    namespaces.dedup();
    for ns in &namespaces {
        let dir = layout.package_dir(ns);
        match std::fs::remove_dir_all(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let package = packages.iter().find(|p| p.namespace == *ns);
        let project = SfdxProject {
            package_directories: vec![PackageDirectory {
                path: ".",
                default: true,
                package: package.and_then(|p| p.name.as_deref()),
                version_number: package.and_then(|p| p.version.as_deref()),
            }],
            name: ns,
            namespace: ns,
            sfdc_login_url: None,
            source_api_version: API_VERSION,
        };
        write_json(&dir.join("sfdx-project.json"), &project)?;
    }
    for file in files {
        let path = layout.path_for(&file.typeref);
        fsutil::write_atomic(&path, file.text.as_bytes(), None)?;
        let mut meta = path.clone().into_os_string();
        meta.push("-meta.xml");
        fsutil::write_atomic(
            Path::new(&meta),
            meta_xml(file.typeref.kind).as_bytes(),
            None,
        )?;
        let ns = file.typeref.namespace.clone().unwrap_or_default();
        let count = written.counts.entry(ns).or_default();
        match file.typeref.kind {
            SourceKind::Class => count.0 += 1,
            SourceKind::Trigger => count.1 += 1,
        }
    }
    let project_file = layout.root.join("sfdx-project.json");
    if !project_file.exists() {
        let project = SfdxProject {
            package_directories: vec![PackageDirectory {
                path: "force-app",
                default: true,
                package: None,
                version_number: None,
            }],
            name: project_name,
            namespace: "",
            sfdc_login_url: Some("https://test.salesforce.com"),
            source_api_version: API_VERSION,
        };
        std::fs::create_dir_all(layout.root.join(ORG_SOURCE))?;
        write_json(&project_file, &project)?;
        written.created_project_file = true;
    }
    Ok(written)
}

fn write_json(path: &Path, value: &impl Serialize) -> std::io::Result<()> {
    let mut text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
    text.push('\n');
    fsutil::write_atomic(path, text.as_bytes(), None)
}

fn meta_xml(kind: SourceKind) -> String {
    let element = kind.meta_element();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{element} xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <apiVersion>{API_VERSION}</apiVersion>\n    <status>Active</status>\n</{element}>\n"
    )
}

#[cfg(test)]
mod tests;
