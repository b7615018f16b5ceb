//! What the bridge needs from a `launch` or `attach` configuration.
//!
//! The configuration types and their checks belong to the DAP side
//! (`crate::dap::launch`); this is the one place that turns them into the
//! bridge's own settings, so the rest of the bridge does not depend on how
//! launch.json is spelled.

use std::path::PathBuf;

use serde_json::{Map, Value};

use crate::dap::DapError;
use crate::dap::error::ids;
use crate::dap::launch::{self, ClockMode, Sandbox, TraceTopic};

/// Where the sandbox runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SandboxAt {
    /// Inside this process, loaded from a world.
    Embedded,
    /// A running `isvdbg sandbox` at this `ws://` URL.
    Remote(String),
}

impl SandboxAt {
    /// `embedded` or the URL, as `session.json` records it.
    pub fn as_str(&self) -> &str {
        match self {
            SandboxAt::Embedded => "embedded",
            SandboxAt::Remote(url) => url,
        }
    }
}

impl From<&Sandbox> for SandboxAt {
    fn from(s: &Sandbox) -> Self {
        match s {
            Sandbox::Embedded => SandboxAt::Embedded,
            Sandbox::Remote(url) => SandboxAt::Remote(url.clone()),
        }
    }
}

/// The settings of a `launch`.
#[derive(Debug, Clone, PartialEq)]
pub struct LaunchSettings {
    pub salesforce_project: Option<PathBuf>,
    pub user_id_filter: Vec<String>,
    pub request_type_filter: Vec<String>,
    pub entry_point_filter: Option<String>,
    pub sandbox: SandboxAt,
    pub world: Option<PathBuf>,
    pub subscriber_org: Option<String>,
    pub login_as_user: Option<String>,
    pub lmo_user: Option<String>,
    /// Whether the embedded sandbox's clock is virtual.
    pub virtual_clock: bool,
    /// Whether sandbox traffic is traced to the log.
    pub trace_sandbox: bool,
}

/// The settings of an `attach`.
#[derive(Debug, Clone, PartialEq)]
pub struct AttachSettings {
    pub session_id: String,
    pub sandbox: SandboxAt,
    pub salesforce_project: Option<PathBuf>,
    pub trace_sandbox: bool,
}

fn refused(e: launch::ConfigError) -> DapError {
    DapError::new(ids::INVALID_ARGUMENTS, e.to_string()).shown()
}

/// Reads a `launch` configuration; errors name the attribute and the fix.
pub fn launch(attributes: &Map<String, Value>) -> Result<LaunchSettings, DapError> {
    let c = launch::parse_launch(&Value::Object(attributes.clone())).map_err(refused)?;
    Ok(LaunchSettings {
        salesforce_project: c.salesforce_project,
        user_id_filter: c
            .user_id_filter
            .iter()
            .map(|u| u.as_str().to_owned())
            .collect(),
        request_type_filter: c
            .request_type_filter
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect(),
        entry_point_filter: c.entry_point_filter.map(|f| f.as_str().to_owned()),
        sandbox: SandboxAt::from(&c.sandbox),
        world: c.world,
        subscriber_org: c.subscriber_org,
        login_as_user: c.login_as_user,
        lmo_user: c.lmo_user,
        virtual_clock: c.clock == ClockMode::Virtual,
        trace_sandbox: c.trace.is_enabled(TraceTopic::Sandbox),
    })
}

/// Reads an `attach` configuration.
pub fn attach(attributes: &Map<String, Value>) -> Result<AttachSettings, DapError> {
    let c = launch::parse_attach(&Value::Object(attributes.clone())).map_err(refused)?;
    Ok(AttachSettings {
        session_id: c.session_id,
        sandbox: SandboxAt::from(&c.sandbox),
        salesforce_project: c.salesforce_project,
        trace_sandbox: c.trace.is_enabled(TraceTopic::Sandbox),
    })
}
