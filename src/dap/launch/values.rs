//! Checked strings that launch attributes take: the sandbox address, user
//! ids and the entry point pattern. Each parses from what the user wrote; a
//! refusal says what is allowed instead.

use std::borrow::Cow;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// How a JSON value reads in a message: `3`, `the string "x"`, `a list`, ...
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("the string \"{s}\""),
        Value::Array(_) => "a list".to_string(),
        Value::Object(_) => "an object".to_string(),
    }
}

/// "expected X, found Y".
pub(crate) fn expected(what: &str, found: &Value) -> String {
    format!("expected {what}, found {}", describe(found))
}

/// Where the debug session's sandbox runs (`sandbox`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Sandbox {
    /// A sandbox inside the adapter process, loaded from `world`.
    #[default]
    Embedded,
    /// A running `isvdbg sandbox`, by its `ws://` or `wss://` URL.
    Remote(String),
}

impl Sandbox {
    /// `embedded`, or the URL.
    pub fn as_str(&self) -> &str {
        match self {
            Sandbox::Embedded => "embedded",
            Sandbox::Remote(url) => url,
        }
    }
}

const SANDBOX_FIX: &str = "use \"embedded\" or ws://host:port";

impl FromStr for Sandbox {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        if text == "embedded" {
            return Ok(Sandbox::Embedded);
        }
        if text.eq_ignore_ascii_case("embedded") {
            return Err(format!("`{text}`: write \"embedded\" in lower case"));
        }
        let Some((scheme, rest)) = text.split_once("://") else {
            return Err(format!(
                "`{text}` is neither \"embedded\" nor a WebSocket URL; {SANDBOX_FIX}"
            ));
        };
        if !scheme.eq_ignore_ascii_case("ws") && !scheme.eq_ignore_ascii_case("wss") {
            return Err(format!("`{text}` is not a WebSocket URL; {SANDBOX_FIX}"));
        }
        check_authority(text, rest)?;
        Ok(Sandbox::Remote(text.to_string()))
    }
}

/// Checks `host[:port][/path]` after the scheme of a WebSocket URL.
fn check_authority(url: &str, rest: &str) -> Result<(), String> {
    if rest.chars().any(char::is_whitespace) {
        return Err(format!("`{url}` contains spaces; {SANDBOX_FIX}"));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(format!(
            "`{url}` carries credentials; credentials never go in launch.json: run \
             `isvdbg setup`, or set ISVDBG_PASSWORD and ISVDBG_TOTP_SECRET in the environment"
        ));
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((host, tail)) => (host, tail.strip_prefix(':')),
            None => return Err(format!("`{url}` has an unclosed `[` in its host")),
        },
        None => match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'));
    if !host_ok {
        return Err(format!("`{url}` has no valid host; {SANDBOX_FIX}"));
    }
    if let Some(port) = port
        && !matches!(port.parse::<u16>(), Ok(p) if p > 0)
    {
        return Err(format!(
            "`{url}` has the port `{port}`; a port is a number from 1 to 65535"
        ));
    }
    Ok(())
}

string_serde!(Sandbox);

impl JsonSchema for Sandbox {
    fn schema_name() -> Cow<'static, str> {
        "Sandbox".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^(embedded|[wW][sS][sS]?://[^\\s@/?#]+([/?#]\\S*)?)$",
            "patternErrorMessage": "Use \"embedded\" or a WebSocket URL such as ws://127.0.0.1:7421",
            "examples": ["embedded", "ws://127.0.0.1:7421"],
        })
    }
}

/// A Salesforce user id (`userIdFilter`): 15 characters, or 18 with the
/// case-safe suffix, starting with the User key prefix `005`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserId(String);

impl UserId {
    /// The id as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-sensitive 15-character form.
    pub fn id15(&self) -> &str {
        &self.0[..15]
    }

    /// Whether `other` (15 or 18 characters) names the same user.
    pub fn matches(&self, other: &str) -> bool {
        other.get(..15) == Some(self.id15())
    }
}

impl FromStr for UserId {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let shape_ok =
            matches!(text.len(), 15 | 18) && text.bytes().all(|b| b.is_ascii_alphanumeric());
        if !shape_ok {
            return Err(format!(
                "`{text}` is not a user id; a user id has 15 or 18 letters and digits, such as 005000000000001"
            ));
        }
        if !text.starts_with("005") {
            return Err(format!(
                "`{text}` is not a user id; user ids start with 005 (the User key prefix)"
            ));
        }
        if text.len() == 18 && text[15..] != case_suffix(&text[..15]) {
            return Err(format!(
                "`{text}`: the last three characters do not match the first fifteen; copy the id again from Salesforce"
            ));
        }
        Ok(UserId(text.to_string()))
    }
}

/// The three characters Salesforce appends to a 15-character id so that it
/// survives case-insensitive handling: one per five characters, encoding
/// which of them are upper case.
fn case_suffix(id15: &str) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    id15.as_bytes()
        .chunks(5)
        .map(|chunk| {
            let bits = chunk
                .iter()
                .enumerate()
                .filter(|(_, b)| b.is_ascii_uppercase())
                .fold(0usize, |acc, (i, _)| acc | (1 << i));
            ALPHABET[bits] as char
        })
        .collect()
}

string_serde!(UserId);

impl JsonSchema for UserId {
    fn schema_name() -> Cow<'static, str> {
        "UserId".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^005[0-9A-Za-z]{12}([0-9A-Za-z]{3})?$",
            "patternErrorMessage": "A user id has 15 or 18 letters and digits and starts with 005",
        })
    }
}

/// A regular expression the whole entry point of a request must match
/// (`entryPointFilter`), such as `.*InvoiceService.*` or `/acme/invoices/.*`.
#[derive(Debug, Clone)]
pub struct EntryPointFilter {
    pattern: String,
    whole: regex::Regex,
}

impl EntryPointFilter {
    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// Whether the whole of `entry_point` matches.
    pub fn matches(&self, entry_point: &str) -> bool {
        self.whole.is_match(entry_point)
    }
}

impl PartialEq for EntryPointFilter {
    fn eq(&self, other: &Self) -> bool {
        self.pattern == other.pattern
    }
}

impl FromStr for EntryPointFilter {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        // Checked alone first: inside the anchoring group, `[a-` would read
        // as a range up to `)` and `a)|(b` would pass.
        let checked =
            regex::Regex::new(text).and_then(|_| regex::Regex::new(&format!("^(?:{text})$")));
        let whole = checked.map_err(|e| {
            let reason = match &e {
                regex::Error::Syntax(detail) => {
                    let last = detail.lines().last().unwrap_or_default().trim();
                    last.trim_start_matches("error: ").to_string()
                }
                other => other.to_string(),
            };
            format!(
                "`{text}` is not a valid regular expression ({reason}); in JSON, escape a \
                 special character with two backslashes, as in \\\\."
            )
        })?;
        Ok(EntryPointFilter {
            pattern: text.to_string(),
            whole,
        })
    }
}

string_serde!(EntryPointFilter);

impl JsonSchema for EntryPointFilter {
    fn schema_name() -> Cow<'static, str> {
        "EntryPointFilter".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string" })
    }
}

/// Serde for `entryPointFilter`: an empty pattern, as Salesforce's own
/// snippets write, means no filter.
pub(crate) mod entry_point {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<EntryPointFilter>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) if text.is_empty() => Ok(None),
            Some(text) => text.parse().map(Some).map_err(serde::de::Error::custom),
        }
    }
}
