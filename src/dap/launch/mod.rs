//! The `launch` and `attach` configurations of an `apex-isv` debug session:
//! their types, how they are read from the JSON a client sends, and their
//! JSON schemas, from which the VS Code extension's `configurationAttributes`
//! are generated (one source of truth).
//!
//! The attribute names mirror Salesforce's Apex Debugger (`salesforceProject`,
//! `userIdFilter`, `requestTypeFilter`, `entryPointFilter`, `connectType`,
//! `trace`) plus isvdbg's own. This module only reads and checks
//! configurations; the runtime that acts on them plugs in through
//! [`Backend`](super::Backend).
//!
//! Read configurations with [`parse_launch`] and [`parse_attach`]: they drop
//! the keys VS Code adds, refuse credentials, and name the attribute at fault.
//! Deserializing the types directly skips those checks.

/// `Display`, and serde as a string, for a type with `FromStr<Err = String>`
/// and `as_str`.
macro_rules! string_serde {
    ($name:ident) => {
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <String as ::serde::Deserialize>::deserialize(d)?;
                text.parse().map_err(::serde::de::Error::custom)
            }
        }
    };
}

mod check;
mod error;
mod keywords;
mod schema;
mod suggest;
mod values;

#[cfg(test)]
mod tests;

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use check::CLIENT_KEYS;
pub use error::{ConfigError, Request};
pub use keywords::{ClockMode, ConnectType, RequestType, Trace, TraceTopic};
pub use schema::{attach_schema, launch_schema};
pub use values::{EntryPointFilter, Sandbox, UserId};

/// The attributes of `"request": "launch"`: start an ISV Customer Debugger
/// session in a subscriber sandbox.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LaunchConfig {
    /// The Salesforce DX project folder prepared by `isvdbg setup` (or the
    /// "ISV Debugger: Set Up Project for ISV Debugging" command). Its
    /// .isvdbg/session.json says which subscriber org, user and LMO user to
    /// debug as, so it is required unless subscriberOrg, loginAsUser and
    /// lmoUser are all given. VS Code fills in the workspace folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = "${workspaceFolder}"))]
    pub salesforce_project: Option<PathBuf>,

    /// Debug only requests made by these users: Salesforce user ids, 15 or
    /// 18 characters, starting with 005. Only the LoginAs user's requests
    /// are ever debugged, so this narrows within them. Empty: no narrowing.
    #[serde(default)]
    pub user_id_filter: Vec<UserId>,

    /// Debug only requests of these types. Triggers run inside the request
    /// whose DML fired them and are not a type of their own. Empty: every
    /// type.
    #[serde(default)]
    pub request_type_filter: Vec<RequestType>,

    /// Debug only requests whose entry point matches this regular expression
    /// as a whole, such as `.*InvoiceService.*` for a class or
    /// `/acme/invoices/.*` for a REST path. Empty: every entry point.
    #[serde(
        default,
        deserialize_with = "values::entry_point::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub entry_point_filter: Option<EntryPointFilter>,

    /// The kind of session. Only ISV_DEBUGGER, the ISV Customer Debugger, is
    /// available.
    #[serde(default)]
    pub connect_type: ConnectType,

    /// What the adapter writes to its log: false (nothing), true or "all"
    /// (everything), or topics: "protocol" (the DAP messages with the
    /// client) and "sandbox" (the traffic with the sandbox).
    #[serde(default)]
    pub trace: Trace,

    /// Where the sandbox runs: "embedded" starts one inside the adapter,
    /// loaded from `world`; a ws:// or wss:// URL connects to a running
    /// `isvdbg sandbox`.
    #[serde(default)]
    pub sandbox: Sandbox,

    /// The world folder the embedded sandbox loads (instance, LMO, packages,
    /// subscriber orgs). Only with sandbox "embedded". Default: the built-in
    /// default world.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub world: Option<PathBuf>,

    /// The subscriber org to debug, by name or org id. Default: the one in
    /// the project's .isvdbg/session.json.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscriber_org: Option<String>,

    /// The subscriber user to log in as (LoginAs), by username; their
    /// requests are the ones debugged. Default: the one in the project's
    /// .isvdbg/session.json.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_as_user: Option<String>,

    /// The support engineer's user in the License Management Org, by
    /// username. Their password and TOTP secret come from `isvdbg setup` or
    /// the ISVDBG_PASSWORD and ISVDBG_TOTP_SECRET environment variables,
    /// never from launch.json. Default: the one in the project's
    /// .isvdbg/session.json.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lmo_user: Option<String>,

    /// The embedded sandbox's clock: "real", or "virtual" to move time only
    /// when told, so the idle timeout and the 4-hour cap can be tried in
    /// seconds. Only with sandbox "embedded"; a remote sandbox has its own.
    #[serde(default)]
    pub clock: ClockMode,

    /// Reserved for replaying a debug log with breakpoints. Not available
    /// yet: a configuration with logFile is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_file: Option<PathBuf>,
}

/// The attributes of `"request": "attach"`: join a debug session that is
/// already running.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AttachConfig {
    /// The id of the running debug session to join, as the session's
    /// isv/sessionTimers events and the status bar show it.
    pub session_id: String,

    /// Where the session runs: "embedded" for a session of this adapter
    /// process, or the ws:// or wss:// URL of a running `isvdbg sandbox`.
    #[serde(default)]
    pub sandbox: Sandbox,

    /// The Salesforce DX project folder prepared by `isvdbg setup`, whose
    /// .isvdbg/session.json identifies the LMO user. VS Code fills in the
    /// workspace folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = "${workspaceFolder}"))]
    pub salesforce_project: Option<PathBuf>,

    /// What the adapter writes to its log: false (nothing), true or "all"
    /// (everything), or topics: "protocol", "sandbox".
    #[serde(default)]
    pub trace: Trace,
}

/// Reads the arguments of a `launch` request. Errors name the attribute,
/// what is wrong with it, and what is allowed.
pub fn parse_launch(value: &Value) -> Result<LaunchConfig, ConfigError> {
    let raw = check::check_object(value, Request::Launch)?;
    let config: LaunchConfig = typed(&raw, Request::Launch)?;
    if let Sandbox::Remote(url) = &config.sandbox {
        for only_embedded in ["world", "clock"] {
            if raw.contains_key(only_embedded) {
                return Err(ConfigError::invalid(
                    only_embedded,
                    format!(
                        "can only be used with sandbox \"embedded\"; the sandbox at {url} has its \
                         own. Remove `{only_embedded}`, or set `sandbox` to \"embedded\""
                    ),
                ));
            }
        }
    }
    if config.salesforce_project.is_none() {
        let missing: Vec<&str> = [
            ("subscriberOrg", &config.subscriber_org),
            ("loginAsUser", &config.login_as_user),
            ("lmoUser", &config.lmo_user),
        ]
        .into_iter()
        .filter(|(_, value)| value.is_none())
        .map(|(name, _)| name)
        .collect();
        if !missing.is_empty() {
            return Err(ConfigError::invalid(
                "salesforceProject",
                format!(
                    "missing, and without it subscriberOrg, loginAsUser and lmoUser must all be \
                     given (missing: {}). Set salesforceProject to a project folder prepared by \
                     `isvdbg setup` (in VS Code, \"${{workspaceFolder}}\"), or add the missing \
                     attributes",
                    missing.join(", ")
                ),
            ));
        }
    }
    Ok(config)
}

/// Reads the arguments of an `attach` request. Errors name the attribute,
/// what is wrong with it, and what is allowed.
pub fn parse_attach(value: &Value) -> Result<AttachConfig, ConfigError> {
    let raw = check::check_object(value, Request::Attach)?;
    if !raw.contains_key("sessionId") {
        return Err(ConfigError::invalid(
            "sessionId",
            "missing; an attach joins a running debug session: give its id, as the \
             session's isv/sessionTimers events show it",
        ));
    }
    typed(&raw, Request::Attach)
}

/// The typed step, on attributes that passed the raw checks.
fn typed<T: serde::de::DeserializeOwned>(
    raw: &Map<String, Value>,
    request: Request,
) -> Result<T, ConfigError> {
    serde_json::from_value(Value::Object(raw.clone())).map_err(|e| ConfigError::Unreadable {
        request,
        message: e.to_string(),
    })
}
