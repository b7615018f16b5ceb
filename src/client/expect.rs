//! Checking a response or an event body against a scenario's expectations.

use std::collections::BTreeMap;

use serde_json::Value;

use super::jsonpath;
use super::report::{StepError, mismatch};
use super::scenario::Expect;
use crate::dap::protocol::Response;

pub(crate) fn compile(pattern: &str) -> Result<regex::Regex, StepError> {
    regex::Regex::new(pattern)
        .map_err(|e| StepError::Scenario(format!("bad regex /{pattern}/: {e}")))
}

pub(crate) fn compile_all(
    map: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, regex::Regex>, StepError> {
    map.iter()
        .map(|(k, p)| Ok((k.clone(), compile(p)?)))
        .collect()
}

/// Checks a response against `expect`.
pub fn check_response(response: &Response, expect: &Expect) -> Result<(), StepError> {
    let want_success = expect.success.unwrap_or(expect.error.is_none());
    let describe = |r: &Response| match r.error_text() {
        None => format!("`{}` succeeded", r.command),
        Some(text) => format!("`{}` failed: {text}", r.command),
    };
    if response.success != want_success {
        let expected = if want_success {
            format!("`{}` to succeed", response.command)
        } else {
            format!("`{}` to fail", response.command)
        };
        return Err(mismatch(expected, describe(response)));
    }
    if let Some(text) = &expect.error {
        let got = response.error_text().unwrap_or_default();
        let message = response.message.clone().unwrap_or_default();
        if !got.contains(text.as_str()) && !message.contains(text.as_str()) {
            return Err(mismatch(
                format!("an error containing {text:?}"),
                describe(response),
            ));
        }
    }
    let regexes = compile_all(&expect.matches)?;
    let body = response.body.clone().unwrap_or(Value::Null);
    check_json(&body, &expect.body, &regexes, &expect.absent)
}

/// Checks `root` against path → value, path → regex and absent paths.
pub fn check_json(
    root: &Value,
    equals: &BTreeMap<String, Value>,
    matches: &BTreeMap<String, regex::Regex>,
    absent: &[String],
) -> Result<(), StepError> {
    for (path, want) in equals {
        let got = jsonpath::lookup(root, path).map_err(StepError::Scenario)?;
        if got != Some(want) {
            return Err(mismatch(
                format!("body.{path} = {want}"),
                format!(
                    "body.{path} = {}",
                    got.map_or("(missing)".to_owned(), Value::to_string)
                ),
            ));
        }
    }
    for (path, re) in matches {
        let got = jsonpath::lookup(root, path).map_err(StepError::Scenario)?;
        let text = got.map(jsonpath::as_text);
        if !text.as_deref().is_some_and(|t| re.is_match(t)) {
            return Err(mismatch(
                format!("body.{path} matching /{re}/"),
                format!(
                    "body.{path} = {}",
                    got.map_or("(missing)".to_owned(), Value::to_string)
                ),
            ));
        }
    }
    for path in absent {
        if let Some(got) = jsonpath::lookup(root, path).map_err(StepError::Scenario)? {
            return Err(mismatch(
                format!("no body.{path}"),
                format!("body.{path} = {got}"),
            ));
        }
    }
    Ok(())
}
