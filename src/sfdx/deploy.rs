//! Deploying projects into one org: the packages installed in it, then the org's
//! own (subscriber) project, compiled together over one schema; and the org's data.

use chrono::NaiveDateTime;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{SfdxError, data_tree, load_sources, objects};
use crate::vm::platform::store::OrgStore;
use crate::vm::program::Program;
use crate::vm::{CompileError, SourceFile};

/// Why a deploy failed.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    #[error(transparent)]
    Sfdx(#[from] SfdxError),
    /// Compile errors, each with its file and line.
    #[error("{} compile error(s); the first: {}", .0.len(), .0.first().map(ToString::to_string).unwrap_or_default())]
    Compile(Vec<CompileError>),
}

/// What a deploy produced.
#[derive(Debug)]
pub struct Deployed {
    pub program: Program,
    /// The namespaces of the packages, in install order.
    pub namespaces: Vec<String>,
    /// Each compiled file, with the path it came from.
    pub sources: Vec<(SourceFile, PathBuf)>,
}

/// Compiles `packages` (each an SFDX project with a namespace) and then `org`
/// (the subscriber's project, usually without one) as one org's code.
pub fn deploy(packages: &[&Path], org: Option<&Path>) -> Result<Deployed, DeployError> {
    let mut projects: Vec<&Path> = packages.to_vec();
    projects.extend(org);
    let schema = objects::schema_for(&projects)?;
    let mut namespaces = Vec::new();
    let mut sources = Vec::new();
    for (k, p) in projects.iter().enumerate() {
        let set = load_sources(p)?;
        if k < packages.len() {
            namespaces.push(set.namespace.clone());
        }
        sources.extend(set.files.into_iter().zip(set.paths));
    }
    let files: Vec<SourceFile> = sources.iter().map(|(f, _)| f.clone()).collect();
    let program =
        crate::vm::compile_classes(&files, Arc::new(schema)).map_err(DeployError::Compile)?;
    Ok(Deployed {
        program,
        namespaces,
        sources,
    })
}

/// Loads an org's records into `store`: the tree files of `ORG/data` (by its
/// plan when there is one), then `ORG/data/settings.json` when the plan leaves it
/// out (protected settings are not importable by the subscriber). Returns the
/// number of records loaded. The records are created now (wall time).
pub fn load_org_data(org: &Path, store: &OrgStore) -> Result<usize, SfdxError> {
    load_org_data_at(org, store, chrono::Utc::now().naive_utc())
}

/// [`load_org_data`], with the records created at `at` (their `CreatedDate`,
/// `LastModifiedDate` and `SystemModstamp`): a world's start, on its
/// instance clock.
pub fn load_org_data_at(
    org: &Path,
    store: &OrgStore,
    at: NaiveDateTime,
) -> Result<usize, SfdxError> {
    let dir = org.join("data");
    if !dir.is_dir() {
        return Ok(0);
    }
    let mut loader = data_tree::TreeLoader::new(store, "").at(at);
    loader.load_dir(&dir)?;
    let settings = dir.join("settings.json");
    if dir.join("plan.json").is_file() && settings.is_file() && !planned(&dir, "settings.json")? {
        loader.load_file(&settings)?;
    }
    Ok(loader.finish().total())
}

fn planned(dir: &Path, file: &str) -> Result<bool, SfdxError> {
    let plan = dir.join("plan.json");
    let text = std::fs::read_to_string(&plan).map_err(super::io(&plan))?;
    Ok(text.contains(&format!("\"{file}\"")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/worlds/default")
    }

    #[test]
    fn the_fixture_package_and_a_subscriber_org_deploy_together() {
        let w = world();
        let pkg = w.join("packages/acme-billing");
        let org = w.join("orgs/globex-full");
        let d = deploy(&[&pkg], Some(&org)).expect("deploys");
        assert_eq!(d.namespaces, vec!["acme".to_string()]);
        assert!(d.program.schema.find("acme__Invoice__c").is_some());
        let store = Arc::new(OrgStore::new(d.program.schema.clone()));
        let n = load_org_data(&org, &store).expect("data loads");
        assert!(n > 20, "only {n} records loaded");
        // The protected settings, outside the plan, are loaded too.
        let rates = d.program.schema.find("acme__Tax_Rate__c").unwrap();
        let mut count = 0;
        let tx = crate::vm::platform::store::Transaction::new(store);
        tx.with_view(|v| v.scan(rates, false, &mut |_| count += 1));
        assert!(count >= 10, "{count} tax rates");
    }

    #[test]
    fn a_subscriber_calling_a_non_global_member_fails_to_deploy() {
        let dir = std::env::temp_dir().join(format!("isvdbg-deploy-{}", std::process::id()));
        let cls = dir.join("force-app/main/default/classes");
        std::fs::create_dir_all(&cls).unwrap();
        std::fs::write(
            dir.join("sfdx-project.json"),
            r#"{"packageDirectories":[{"path":"force-app"}]}"#,
        )
        .unwrap();
        std::fs::write(
            cls.join("Bad.cls"),
            "public class Bad { public static void go() { acme.RegionResolver.normaliseState('CA'); } }",
        )
        .unwrap();
        let pkg = world().join("packages/acme-billing");
        let err = deploy(&[&pkg], Some(&dir)).unwrap_err();
        let _ = std::fs::remove_dir_all(&dir);
        let DeployError::Compile(errors) = err else {
            panic!("expected compile errors, got {err}");
        };
        assert!(
            errors.iter().any(|e| e.to_string().contains("Bad.cls")),
            "{errors:?}"
        );
    }
}
