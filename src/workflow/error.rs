//! Why a workflow stopped: the step that failed, with the sandbox's own
//! message when the sandbox refused.

use std::path::PathBuf;

use crate::bridge::client::ApiError;

use super::credentials::CredentialError;
use super::launch::LaunchError;
use super::session_file::SessionFileError;

/// A workflow's failure.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    /// The sandbox refused a step; `error.message` is the sandbox's, verbatim.
    #[error("{step}: {error}")]
    Refused { step: &'static str, error: ApiError },
    #[error(transparent)]
    Credentials(#[from] CredentialError),
    #[error(transparent)]
    Launch(#[from] LaunchError),
    #[error(transparent)]
    SessionFile(#[from] SessionFileError),
    #[error("could not write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Something the user must fix before the workflow can run.
    #[error("{0}")]
    Usage(String),
}

impl WorkflowError {
    /// The sandbox's error code, when the sandbox refused.
    pub fn code(&self) -> Option<&str> {
        match self {
            WorkflowError::Refused { error, .. } => Some(&error.code),
            _ => None,
        }
    }

    /// Whether the sandbox refused the request (as opposed to a local problem).
    pub fn is_refusal(&self) -> bool {
        matches!(self, WorkflowError::Refused { .. })
    }
}

/// Names the step of a sandbox refusal.
pub(crate) fn refused(step: &'static str) -> impl FnOnce(ApiError) -> WorkflowError {
    move |error| WorkflowError::Refused { step, error }
}
