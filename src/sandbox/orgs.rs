//! A subscriber org at run time: its compiled code (the installed packages and
//! the org's own project), its records, its audit trail and its debug logs.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::sfdx::deploy;
use crate::vm::SourceFile;
use crate::vm::platform::log::DebugLog;
use crate::vm::platform::store::OrgStore;
use crate::vm::program::Program;
use crate::world::{Org, World};

/// Debug logs kept per org, newest last.
const MAX_LOGS: usize = 200;

/// One line of an org's setup audit trail.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    #[serde(serialize_with = "as_rfc3339")]
    pub at: NaiveDateTime,
    /// Who acted: the user's username (for LoginAs, the publisher's support user).
    pub user: String,
    /// For actions under LoginAs: the subscriber user logged in as.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_user: Option<String>,
    pub action: String,
    pub detail: String,
}

fn as_rfc3339<S: serde::Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&super::rfc3339(*t))
}

/// A finished request's debug log and what it was.
#[derive(Debug, Clone)]
pub struct LogRecord {
    pub request: u64,
    pub kind: &'static str,
    pub entry_point: String,
    pub user: String,
    pub at: NaiveDateTime,
    pub log: DebugLog,
}

/// A live org.
#[derive(Debug)]
pub struct OrgRuntime {
    /// The world's description, whose grants and settings change at run time.
    pub info: RwLock<Org>,
    pub program: Arc<Program>,
    pub store: Arc<OrgStore>,
    /// Namespaces of the installed packages.
    pub namespaces: Vec<String>,
    /// The publisher of each of [`OrgRuntime::namespaces`], in the same order.
    pub publishers: Vec<String>,
    /// Every compiled file and where it came from.
    pub sources: Vec<(SourceFile, PathBuf)>,
    audit: Mutex<Vec<AuditEntry>>,
    logs: Mutex<VecDeque<LogRecord>>,
}

/// Why an org could not be brought up.
#[derive(Debug, thiserror::Error)]
pub enum OrgError {
    #[error("org {org}: {source}")]
    Deploy {
        org: String,
        source: deploy::DeployError,
    },
    #[error("org {org}: loading its data: {source}")]
    Data {
        org: String,
        source: crate::sfdx::SfdxError,
    },
}

impl OrgRuntime {
    /// Deploys the org's installed packages and its own project, and loads its data.
    pub fn load(world: &World, org: &Org) -> Result<OrgRuntime, OrgError> {
        let packages: Vec<PathBuf> = org
            .installed
            .iter()
            .filter_map(|i| world.package(&i.namespace))
            .map(|p| p.path.clone())
            .collect();
        let package_refs: Vec<&std::path::Path> = packages.iter().map(PathBuf::as_path).collect();
        let project = org
            .project
            .as_deref()
            .filter(|p| p.join("sfdx-project.json").is_file());
        let d = deploy::deploy(&package_refs, project).map_err(|source| OrgError::Deploy {
            org: org.key.clone(),
            source,
        })?;
        let store = Arc::new(OrgStore::new(d.program.schema.clone()));
        if let Some(p) = project {
            // Seeded before anything runs: at the world's start, where the
            // instance clock starts.
            deploy::load_org_data_at(p, &store, world.start).map_err(|source| OrgError::Data {
                org: org.key.clone(),
                source,
            })?;
        }
        let publishers = d
            .namespaces
            .iter()
            .map(|ns| {
                world
                    .package_publisher(ns)
                    .map(|p| p.name.clone())
                    .unwrap_or_default()
            })
            .collect();
        Ok(OrgRuntime {
            publishers,
            info: RwLock::new(org.clone()),
            program: Arc::new(d.program),
            store,
            namespaces: d.namespaces,
            sources: d.sources,
            audit: Mutex::new(Vec::new()),
            logs: Mutex::new(VecDeque::new()),
        })
    }

    /// A copy of the org's description as it is now.
    pub fn info(&self) -> Org {
        self.info.read().expect("org lock").clone()
    }

    /// Appends to the audit trail.
    pub fn audit(&self, entry: AuditEntry) {
        self.audit.lock().expect("audit lock").push(entry);
    }

    /// The audit trail, oldest first.
    pub fn audit_trail(&self) -> Vec<AuditEntry> {
        self.audit.lock().expect("audit lock").clone()
    }

    /// Keeps a finished request's log (the oldest go first past the limit).
    pub fn keep_log(&self, record: LogRecord) {
        let mut logs = self.logs.lock().expect("log lock");
        logs.push_back(record);
        while logs.len() > MAX_LOGS {
            logs.pop_front();
        }
    }

    /// The kept logs, oldest first.
    pub fn logs(&self) -> Vec<LogRecord> {
        self.logs
            .lock()
            .expect("log lock")
            .iter()
            .cloned()
            .collect()
    }

    /// One request's log.
    pub fn log(&self, request: u64) -> Option<LogRecord> {
        self.logs
            .lock()
            .expect("log lock")
            .iter()
            .find(|l| l.request == request)
            .cloned()
    }
}
