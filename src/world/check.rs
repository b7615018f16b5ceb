//! `world check`: the world files, and then each org's code and data as a
//! deploy would see them (the org's installed packages plus its own project).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::{WorldError, WorldErrors};
use super::model::World;
use crate::sfdx::SfdxError;
use crate::sfdx::deploy::{self, DeployError};
use crate::vm::CompileError;
use crate::vm::platform::store::OrgStore;

/// Loads the world in `dir` and, as far as it loads, compiles each org's Apex
/// with the packages installed in it and loads the org's `data/`.
///
/// Returns the world, or every problem: those of the world files and the
/// Apex compile and data errors, each as `path/Name.cls:LINE:COL: message`.
pub fn check(dir: &Path) -> Result<World, WorldErrors> {
    let (world, mut problems) = super::load::load_partial(dir);
    if let Some(world) = &world {
        problems.extend(check_code(world, dir));
    }
    match world {
        Some(world) if problems.is_empty() => Ok(world),
        _ => Err(WorldErrors::sorted(problems)),
    }
}

/// One deploy: the packages' folders and the org's project.
#[derive(PartialEq)]
struct Unit {
    packages: Vec<PathBuf>,
    project: Option<PathBuf>,
}

/// Compiles every distinct combination of packages and org project, and loads
/// each project's data. `shown` is the world folder as the user wrote it.
fn check_code(world: &World, shown: &Path) -> Vec<WorldError> {
    let mut units: Vec<Unit> = Vec::new();
    for org in &world.orgs {
        let packages = org
            .installed
            .iter()
            .filter_map(|i| world.package(&i.namespace))
            .map(|p| p.path.clone())
            .collect();
        let unit = Unit {
            packages,
            project: org.project.clone(),
        };
        if !units.contains(&unit) {
            units.push(unit);
        }
    }
    for pkg in world.publishers().flat_map(|p| &p.packages) {
        if !units.iter().any(|u| u.packages.contains(&pkg.path)) {
            units.push(Unit {
                packages: vec![pkg.path.clone()],
                project: None,
            });
        }
    }

    let place = |p: &Path| match p.strip_prefix(&world.root) {
        Ok(rel) => shown.join(rel),
        Err(_) => p.to_path_buf(),
    };
    let mut problems = Vec::new();
    for unit in units
        .iter()
        .filter(|u| !u.packages.is_empty() || u.project.is_some())
    {
        let packages: Vec<&Path> = unit.packages.iter().map(PathBuf::as_path).collect();
        match deploy::deploy(&packages, unit.project.as_deref()) {
            Ok(d) => {
                if let Some(project) = &unit.project {
                    let store = Arc::new(OrgStore::new(d.program.schema.clone()));
                    if let Err(e) = deploy::load_org_data(project, &store) {
                        problems.push(sfdx_problem(e, &place));
                    }
                }
            }
            Err(DeployError::Compile(errors)) => {
                let mut dirs = packages.clone();
                dirs.extend(unit.project.as_deref());
                for e in errors {
                    problems.push(compile_problem(&e, &dirs, &place));
                }
            }
            Err(DeployError::Sfdx(e)) => problems.push(sfdx_problem(e, &place)),
        }
    }
    problems
}

/// A compile error at the source file it came from (the org's own first).
fn compile_problem(
    e: &CompileError,
    dirs: &[&Path],
    place: &dyn Fn(&Path) -> PathBuf,
) -> WorldError {
    let file = dirs
        .iter()
        .rev()
        .filter_map(|d| crate::sfdx::load_sources(d).ok())
        .flat_map(|s| s.paths)
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy() == e.file))
        .map_or_else(|| PathBuf::from(&e.file), |p| place(&p));
    WorldError::at(file, e.line, e.col, e.message.clone())
}

fn sfdx_problem(e: SfdxError, place: &dyn Fn(&Path) -> PathBuf) -> WorldError {
    match e {
        SfdxError::Io { path, source } => {
            WorldError::file(place(&path), format!("cannot read it: {source}"))
        }
        SfdxError::BadProject { path, message } => WorldError::file(
            place(&path),
            format!("not valid JSON: {message}; fix the file or remove it"),
        ),
        SfdxError::Xml {
            path,
            line,
            col,
            message,
        } => WorldError::at(
            place(&path),
            line,
            col,
            format!("not well-formed XML: {message}; fix the markup"),
        ),
        SfdxError::Metadata {
            path,
            line,
            message,
        } => WorldError {
            line: Some(line),
            ..WorldError::file(place(&path), message)
        },
        SfdxError::Data { path, message } => WorldError::file(place(&path), message),
    }
}

/// What a world holds, for the one-line summary of `world check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub orgs: usize,
    /// Users of the subscriber orgs.
    pub org_users: usize,
    /// Users of the LMOs.
    pub lmo_users: usize,
    /// LMOs: one per publisher.
    pub lmos: usize,
    pub grants: usize,
    pub packages: usize,
}

impl Summary {
    /// Counts what `world` holds.
    pub fn of(world: &World) -> Summary {
        Summary {
            orgs: world.orgs.len(),
            org_users: world.orgs.iter().map(|o| o.users.len()).sum(),
            lmo_users: world.publishers().map(|p| p.lmo.users.len()).sum(),
            lmos: world.publishers().count(),
            grants: world.orgs.iter().map(|o| o.grants.len()).sum(),
            packages: world.publishers().map(|p| p.packages.len()).sum(),
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = |count: usize, one: &str, many: &str| {
            format!("{count} {}", if count == 1 { one } else { many })
        };
        write!(
            f,
            "{}, {} ({}), {}, {}",
            n(self.orgs, "org", "orgs"),
            n(self.org_users + self.lmo_users, "user", "users"),
            [
                n(self.org_users, "in orgs", "in orgs"),
                if self.lmos == 1 {
                    n(self.lmo_users, "in the LMO", "in the LMO")
                } else {
                    format!("{} in {} LMOs", self.lmo_users, self.lmos)
                },
            ]
            .join(", "),
            n(self.grants, "grant", "grants"),
            n(self.packages, "package", "packages"),
        )
    }
}
