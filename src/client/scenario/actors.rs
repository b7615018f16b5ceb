//! The parts of a scenario beyond one client: named clients, a shared
//! sandbox server, closing a client abruptly and the customer's own calls.

use serde::Deserialize;
use serde_json::Value;

use super::Expect;

/// A client of a scenario, with its own adapter: a name, or a name and the
/// LMO user whose fixture credentials its adapter gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSpec {
    /// The name steps route to with `client:`.
    pub name: String,
    /// An LMO user of the shared sandbox's world: the adapter gets its
    /// password and TOTP secret in `ISVDBG_PASSWORD` and `ISVDBG_TOTP_SECRET`.
    pub login: Option<String>,
}

impl<'de> Deserialize<'de> for ClientSpec {
    /// `alice`, or `{ name: alice, login: support@acme.example }`.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        const FORM: &str =
            "a client is a name (`alice`) or `{ name: alice, login: support@acme.example }`";
        match Value::deserialize(deserializer)? {
            Value::String(name) => Ok(ClientSpec { name, login: None }),
            Value::Object(mut map) => {
                let text =
                    |map: &mut serde_json::Map<String, Value>, key: &str| match map.remove(key) {
                        None | Some(Value::Null) => Ok(None),
                        Some(Value::String(s)) => Ok(Some(s)),
                        Some(other) => Err(D::Error::custom(format!(
                            "client `{key}` must be text, not {other}; {FORM}"
                        ))),
                    };
                let name = text(&mut map, "name")?
                    .ok_or_else(|| D::Error::custom(format!("a client needs a `name`; {FORM}")))?;
                let login = text(&mut map, "login")?;
                if let Some(key) = map.keys().next() {
                    return Err(D::Error::custom(format!(
                        "client `{name}` has an unknown key `{key}`; {FORM}"
                    )));
                }
                Ok(ClientSpec { name, login })
            }
            other => Err(D::Error::custom(format!("{FORM}, not {other}"))),
        }
    }
}

/// A sandbox server started for the scenario and shared by its clients and
/// customer steps; its URL replaces `${sandboxUrl}` in request arguments.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxSpec {
    /// The world folder, relative to the scenario; default: the default world.
    #[serde(default)]
    pub world: Option<String>,
    /// The instance clock; default `virtual`.
    #[serde(default)]
    pub clock: SandboxClock,
}

/// The clock of a shared sandbox.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SandboxClock {
    /// Time stands still until someone advances it.
    #[default]
    Virtual,
    /// Wall time.
    Real,
}

impl SandboxClock {
    /// The word `isvdbg sandbox --clock` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            SandboxClock::Virtual => "virtual",
            SandboxClock::Real => "real",
        }
    }
}

/// Close a client's connection abruptly, as if its editor were killed: no
/// `disconnect`, the stream just ends.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseStep {
    /// The client; default: the step's `client`, or the only client.
    #[serde(default)]
    pub client: Option<String>,
}

/// A call of the sandbox API made by a subscriber user, as the customer
/// does it in their org, not through any debug adapter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerStep {
    /// The subscriber user's username; the password (and TOTP code, when the
    /// user has a secret) come from the world's fixtures.
    pub login: String,
    /// The user's org (key, name or id); default: the org that has the user.
    #[serde(default)]
    pub org: Option<String>,
    /// The sandbox API method, such as `access.revoke` (docs/sandbox-api.md).
    pub call: String,
    /// Its params; default `{}`.
    #[serde(default)]
    pub params: Option<Value>,
    /// What the answer must look like (`body` paths read the `result`); by
    /// default, success.
    #[serde(default)]
    pub expect: Option<Expect>,
    /// Repeat the call until the answer meets `expect`, up to the step's
    /// timeout: for what the sandbox finishes in its own time.
    #[serde(default)]
    pub eventually: bool,
}
