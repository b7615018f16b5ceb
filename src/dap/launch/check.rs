//! The first step of reading a configuration: checks on the raw JSON that
//! give precise messages (credentials, unknown attributes, each attribute's
//! value, with its JSON path). The typed step (serde) runs only on what
//! passed, so its own terser messages are not what users see.

use std::str::FromStr;

use serde_json::{Map, Value};

use super::error::{ConfigError, Request};
use super::keywords::{ClockMode, ConnectType, RequestType, Trace};
use super::suggest::did_you_mean;
use super::values::{EntryPointFilter, Sandbox, UserId, describe, expected};

/// Checks one attribute's value. On error: the position inside the value
/// (`[1]`, or empty for the value itself) and the message.
pub(crate) type Check = fn(&Value) -> Result<(), (String, String)>;

/// The launch attributes and the check of each, in documentation order.
pub(crate) const LAUNCH_ATTRIBUTES: &[(&str, Check)] = &[
    ("salesforceProject", path),
    ("userIdFilter", list::<UserId>),
    ("requestTypeFilter", list::<RequestType>),
    ("entryPointFilter", entry_point),
    ("connectType", keyword::<ConnectType>),
    ("trace", trace),
    ("sandbox", keyword::<Sandbox>),
    ("world", path),
    ("subscriberOrg", text),
    ("loginAsUser", text),
    ("lmoUser", text),
    ("clock", keyword::<ClockMode>),
    ("logFile", path),
];

/// The launch attribute names, as listed in messages.
pub(crate) const LAUNCH_NAMES: &[&str] = &[
    "salesforceProject",
    "userIdFilter",
    "requestTypeFilter",
    "entryPointFilter",
    "connectType",
    "trace",
    "sandbox",
    "world",
    "subscriberOrg",
    "loginAsUser",
    "lmoUser",
    "clock",
    "logFile",
];

/// The attach attributes and the check of each.
pub(crate) const ATTACH_ATTRIBUTES: &[(&str, Check)] = &[
    ("sessionId", text),
    ("sandbox", keyword::<Sandbox>),
    ("salesforceProject", path),
    ("trace", trace),
];

/// The attach attribute names, as listed in messages.
pub(crate) const ATTACH_NAMES: &[&str] = &["sessionId", "sandbox", "salesforceProject", "trace"];

/// Keys that VS Code (or launch.json itself) puts in every configuration.
/// They are the client's business and are dropped before the typed step.
pub const CLIENT_KEYS: &[&str] = &[
    "type",
    "request",
    "name",
    "__sessionId",
    "__configurationTarget",
    "noDebug",
    "__restart",
    "presentation",
    "preLaunchTask",
    "postDebugTask",
    "internalConsoleOptions",
    "debugServer",
    "suppressMultipleSessionWarning",
];

/// Attribute names refused because they would hold a secret (compared
/// without regard to case).
const CREDENTIAL_KEYS: &[&str] = &[
    "password",
    "totpsecret",
    "totpcode",
    "token",
    "accesstoken",
    "refreshtoken",
    "sessiontoken",
    "clientsecret",
];

/// Runs the raw checks and returns the attributes for the typed step:
/// without the client's keys and without `null`s (an attribute set to
/// `null` counts as absent).
pub(crate) fn check_object(
    value: &Value,
    request: Request,
) -> Result<Map<String, Value>, ConfigError> {
    let (attributes, names) = match request {
        Request::Launch => (LAUNCH_ATTRIBUTES, LAUNCH_NAMES),
        Request::Attach => (ATTACH_ATTRIBUTES, ATTACH_NAMES),
    };
    let Value::Object(object) = value else {
        return Err(ConfigError::NotAnObject {
            request,
            found: describe(value),
        });
    };
    if let Some(name) = object
        .keys()
        .find(|k| CREDENTIAL_KEYS.contains(&k.to_ascii_lowercase().as_str()))
    {
        return Err(ConfigError::Credential { name: name.clone() });
    }
    if request == Request::Launch && object.get("logFile").is_some_and(|v| !v.is_null()) {
        return Err(ConfigError::LogReplayUnavailable);
    }
    for name in object.keys() {
        if !names.contains(&name.as_str()) && !CLIENT_KEYS.contains(&name.as_str()) {
            return Err(ConfigError::UnknownAttribute {
                name: name.clone(),
                request,
                suggestion: did_you_mean(name, names),
                allowed: names,
                belongs_to_launch: request == Request::Attach
                    && LAUNCH_NAMES.contains(&name.as_str()),
            });
        }
    }
    for (name, check) in attributes {
        if let Some(value) = object.get(*name).filter(|v| !v.is_null()) {
            check(value)
                .map_err(|(at, message)| ConfigError::invalid(format!("{name}{at}"), message))?;
        }
    }
    Ok(object
        .iter()
        .filter(|(k, v)| !v.is_null() && !CLIENT_KEYS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect())
}

type Outcome = Result<(), (String, String)>;

fn here(message: String) -> (String, String) {
    (String::new(), message)
}

/// A non-empty string whose `${...}` variables the client has replaced.
fn text(value: &Value) -> Outcome {
    let Value::String(s) = value else {
        return Err(here(expected("a string", value)));
    };
    resolved(s).map_err(here)
}

fn path(value: &Value) -> Outcome {
    let Value::String(_) = value else {
        return Err(here(expected("a folder or file path", value)));
    };
    text(value)
}

fn resolved(s: &str) -> Result<(), String> {
    if s.trim().is_empty() {
        return Err("is empty; give a value or leave the attribute out".to_string());
    }
    if let Some(start) = s.find("${") {
        let end = s[start..].find('}').map_or(s.len(), |e| start + e + 1);
        return Err(format!(
            "`{}` was not replaced: VS Code replaces such variables, other clients must send the value itself",
            &s[start..end]
        ));
    }
    Ok(())
}

fn keyword<T: FromStr<Err = String>>(value: &Value) -> Outcome {
    let Value::String(s) = value else {
        return Err(here(expected("a string", value)));
    };
    s.parse::<T>().map(drop).map_err(here)
}

fn list<T: FromStr<Err = String>>(value: &Value) -> Outcome {
    let Value::Array(items) = value else {
        return Err(here(expected("a list of strings", value)));
    };
    for (i, item) in items.iter().enumerate() {
        keyword::<T>(item).map_err(|(_, message)| (format!("[{i}]"), message))?;
    }
    Ok(())
}

fn entry_point(value: &Value) -> Outcome {
    match value {
        Value::String(s) if s.is_empty() => Ok(()),
        Value::String(s) => s.parse::<EntryPointFilter>().map(drop).map_err(here),
        other => Err(here(expected("a regular expression in a string", other))),
    }
}

fn trace(value: &Value) -> Outcome {
    Trace::from_json(value).map(drop)
}
