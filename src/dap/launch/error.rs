//! Why a launch or attach configuration was refused.

use std::fmt;

/// Which request a configuration is for: the words differ in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// `request: "launch"`.
    Launch,
    /// `request: "attach"`.
    Attach,
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Request::Launch => "launch",
            Request::Attach => "attach",
        })
    }
}

/// A refused configuration. Each message names the attribute (as a JSON
/// path such as `requestTypeFilter[1]`), says what is wrong and what is
/// allowed instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The configuration is not a JSON object.
    #[error("the {request} configuration must be a JSON object, found {found}")]
    NotAnObject { request: Request, found: String },

    /// A credential was put in launch.json.
    #[error(
        "`{name}` must not be in launch.json: credentials are never read from debug \
         configurations. Remove `{name}`, then run `isvdbg setup` (it keeps the session in \
         .isvdbg/session.json, readable only by you and ignored by git), or set ISVDBG_PASSWORD \
         and ISVDBG_TOTP_SECRET in the environment of the debug adapter"
    )]
    Credential { name: String },

    /// `logFile` asks for a replay, which does not exist yet.
    #[error(
        "`logFile`: replaying a debug log is not available yet; remove `logFile` to debug live \
         requests in a sandbox (\"sandbox\": \"embedded\" or a ws:// URL)"
    )]
    LogReplayUnavailable,

    /// An attribute this request does not know.
    #[error("{}", unknown_message(name, *request, *suggestion, allowed, *belongs_to_launch))]
    UnknownAttribute {
        name: String,
        request: Request,
        suggestion: Option<&'static str>,
        allowed: &'static [&'static str],
        /// The name is a launch attribute given to an attach.
        belongs_to_launch: bool,
    },

    /// An attribute with a wrong value, or missing, or in conflict with another.
    #[error("`{path}`: {message}")]
    Invalid { path: String, message: String },

    /// The typed step refused what the raw checks let through.
    #[error("the {request} configuration could not be read: {message}")]
    Unreadable { request: Request, message: String },
}

impl ConfigError {
    /// The JSON path of the attribute at fault, when there is one.
    pub fn path(&self) -> Option<&str> {
        match self {
            ConfigError::NotAnObject { .. } | ConfigError::Unreadable { .. } => None,
            ConfigError::Credential { name } | ConfigError::UnknownAttribute { name, .. } => {
                Some(name)
            }
            ConfigError::LogReplayUnavailable => Some("logFile"),
            ConfigError::Invalid { path, .. } => Some(path),
        }
    }

    pub(crate) fn invalid(path: impl Into<String>, message: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            path: path.into(),
            message: message.into(),
        }
    }
}

fn unknown_message(
    name: &str,
    request: Request,
    suggestion: Option<&str>,
    allowed: &[&str],
    belongs_to_launch: bool,
) -> String {
    let allowed = allowed.join(", ");
    if belongs_to_launch {
        return format!(
            "`{name}` is a launch attribute; an attach joins a running session and takes only: {allowed}"
        );
    }
    match suggestion {
        Some(near) => format!(
            "`{name}` is not a{} {request} attribute; did you mean `{near}`? allowed: {allowed}",
            if request == Request::Attach { "n" } else { "" }
        ),
        None => format!(
            "`{name}` is not a{} {request} attribute; allowed: {allowed}",
            if request == Request::Attach { "n" } else { "" }
        ),
    }
}
