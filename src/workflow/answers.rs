//! The parts of the sandbox's answers the workflows read (docs/sandbox-api.md).
//! Unknown fields are ignored and optional ones default, so a richer sandbox
//! still reads.

use serde::Deserialize;
use serde_json::Value;

use crate::bridge::client::ApiError;

/// Reads an answer into `T`, or says which method's answer was unexpected.
pub fn read<T: serde::de::DeserializeOwned>(method: &str, answer: Value) -> Result<T, ApiError> {
    serde_json::from_value(answer).map_err(|e| {
        ApiError::new(
            "BAD_ANSWER",
            format!(
                "the sandbox's answer to {method} cannot be read ({e}); is it an older isvdbg?"
            ),
        )
    })
}

/// A user in an answer.
#[derive(Debug, Clone, Deserialize)]
pub struct User {
    #[serde(default)]
    pub id: String,
    pub username: String,
    #[serde(default)]
    pub name: String,
}

/// An org in an answer.
#[derive(Debug, Clone, Deserialize)]
pub struct OrgRef {
    pub key: String,
    #[serde(default)]
    pub id: String,
    pub name: String,
}

/// `auth.login` and `auth.loginSubscriber`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Login {
    pub token: String,
    pub user: User,
    #[serde(default)]
    pub org: Option<OrgRef>,
    #[serde(default)]
    pub expires_at: Option<String>,
}

/// `auth.resume`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resumed {
    pub principal: Principal,
    #[serde(default)]
    pub login_as: Option<LoginAsNow>,
}

/// Who a resumed token belongs to.
#[derive(Debug, Clone, Deserialize)]
pub struct Principal {
    pub kind: String,
    pub username: String,
}

/// The LoginAs session a resumed token is in.
#[derive(Debug, Clone, Deserialize)]
pub struct LoginAsNow {
    pub org: Value,
    pub user: Value,
}

impl LoginAsNow {
    /// The org's key, name and id as given (a string or an object).
    pub fn org_names(&self) -> Vec<String> {
        names(&self.org, &["key", "name", "id"])
    }

    /// The user's username.
    pub fn username(&self) -> String {
        names(&self.user, &["username"])
            .into_iter()
            .next()
            .unwrap_or_default()
    }
}

fn names(v: &Value, keys: &[&str]) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Object(m) => keys
            .iter()
            .filter_map(|k| m.get(*k).and_then(Value::as_str))
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

/// `lma.org`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgDetail {
    pub key: String,
    #[serde(default)]
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub instance: String,
    #[serde(default)]
    pub org_type: String,
    #[serde(default)]
    pub installed: Vec<Installed>,
    #[serde(default)]
    pub users: Vec<OrgUser>,
}

/// A package installed in the org.
#[derive(Debug, Clone, Deserialize)]
pub struct Installed {
    pub namespace: String,
    #[serde(default)]
    pub package: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
}

/// A user of the org, as the LMA lists it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgUser {
    pub username: String,
    #[serde(default)]
    pub admin: bool,
    #[serde(default)]
    pub active: bool,
    #[serde(default)]
    pub has_grant: bool,
}

/// `loginAs.start`.
#[derive(Debug, Clone, Deserialize)]
pub struct LoginAs {
    pub org: OrgRef,
    pub user: User,
}

/// One entry of `source.list`.
#[derive(Debug, Clone, Deserialize)]
pub struct SourceEntry {
    #[serde(default)]
    pub name: String,
    pub typeref: String,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub hidden: bool,
}

/// `source.list`.
#[derive(Debug, Clone, Deserialize)]
pub struct SourceList {
    pub files: Vec<SourceEntry>,
}

/// `source.get`.
#[derive(Debug, Clone, Deserialize)]
pub struct Source {
    pub text: String,
    #[serde(default)]
    pub hidden: bool,
}

/// A `System.debug` line of a request.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct DebugLine {
    pub line: i64,
    pub level: String,
    pub message: String,
}

/// An exception a request ended with.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ApexException {
    pub type_name: String,
    pub message: String,
    #[serde(default)]
    pub stack: String,
}

/// `apex.run`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApexRun {
    pub request_id: String,
    /// None when the call did not wait for the request.
    #[serde(default)]
    pub success: Option<bool>,
    #[serde(default)]
    pub output: Vec<DebugLine>,
    #[serde(default)]
    pub exception: Option<ApexException>,
}

/// One entry of `logs.list`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LogSummary {
    pub request_id: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub entry_point: String,
    #[serde(default)]
    pub user: String,
    #[serde(default)]
    pub at: String,
    #[serde(default)]
    pub size: u64,
}

/// `logs.list`.
#[derive(Debug, Clone, Deserialize)]
pub struct LogList {
    pub logs: Vec<LogSummary>,
}

/// `logs.get`.
#[derive(Debug, Clone, Deserialize)]
pub struct Log {
    pub text: String,
}
