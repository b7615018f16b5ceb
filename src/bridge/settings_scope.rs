//! The `Custom Settings (protected)` scope: the records of the packages'
//! protected custom settings, which only the package's code and the
//! publisher (through login access) may read and edit.
//!
//! The settings come from the project (see `project::settings`); their
//! records come from the org (`settings.get`), fresh at each expansion. A
//! setting the org says is not protected is left out: the customer sees
//! those anyway.

use serde_json::{Map, Value, json};

use super::client::SandboxClient;
use super::project::ProtectedSetting;
use super::state::{RefTarget, Refs, Shared};
use crate::dap::DapError;
use crate::dap::error::ids;
use crate::dap::protocol::{SetVariableResponseBody, Variable, VariablePresentationHint};

/// The scope's name.
pub const SCOPE_NAME: &str = "Custom Settings (protected)";

fn settings(shared: &Shared) -> Vec<ProtectedSetting> {
    shared
        .project
        .read()
        .map(|p| p.protected_settings())
        .unwrap_or_default()
}

/// Whether the scope has anything to show, and how many settings for sure.
pub fn count(shared: &Shared) -> (bool, Option<i64>) {
    let all = settings(shared);
    let sure = all.iter().all(|s| s.confirmed);
    (!all.is_empty(), sure.then_some(all.len() as i64))
}

fn meta(shared: &Shared, name: &str) -> ProtectedSetting {
    settings(shared)
        .into_iter()
        .find(|s| s.api_name.eq_ignore_ascii_case(name))
        .unwrap_or(ProtectedSetting {
            api_name: name.to_owned(),
            kind: String::new(),
            fields: Default::default(),
            confirmed: false,
        })
}

/// A setting as the org has it: whether it is protected, and its records.
struct Fetched {
    protected: bool,
    records: Vec<Map<String, Value>>,
}

async fn fetch(client: &SandboxClient, setting: &str) -> Result<Fetched, super::client::ApiError> {
    let result = client
        .call("settings.get", json!({ "name": setting }))
        .await?;
    Ok(Fetched {
        protected: result["protected"].as_bool().unwrap_or(true),
        records: result["records"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|r| match r {
                Value::Object(m) => Some(m),
                _ => None,
            })
            .collect(),
    })
}

async fn records(
    client: &SandboxClient,
    setting: &str,
) -> Result<Vec<Map<String, Value>>, DapError> {
    fetch(client, setting)
        .await
        .map(|f| f.records)
        .map_err(|e| DapError::new(ids::RUNTIME, e.message))
}

/// A record's label: its Name (list settings), or its level (hierarchy).
fn record_label(record: &Map<String, Value>) -> String {
    if let Some(name) = record.get("Name").and_then(Value::as_str)
        && !record.contains_key("SetupOwnerId")
    {
        return name.to_owned();
    }
    match record.get("SetupOwnerId").and_then(Value::as_str) {
        Some(owner) if !owner.is_empty() && !owner.starts_with("00D") => format!("Owner {owner}"),
        _ => "Org default".to_owned(),
    }
}

/// `List` or `Hierarchy`, from metadata or from the records' shape.
fn kind_of(meta: &ProtectedSetting, records: &[Map<String, Value>]) -> &'static str {
    match meta.kind.as_str() {
        "List" => "List",
        "Hierarchy" => "Hierarchy",
        _ if records.iter().any(|r| r.contains_key("SetupOwnerId")) => "Hierarchy",
        _ => "List",
    }
}

/// The fields shown for a record (Salesforce's `attributes` left out).
fn fields(record: &Map<String, Value>) -> impl Iterator<Item = (&String, &Value)> {
    record.iter().filter(|(k, _)| k.as_str() != "attributes")
}

/// A field value as the debugger prints it, and its type. Text is quoted;
/// numbers, dates and booleans are bare. The org sends decimals and dates as
/// text, so the field's type decides, or the value's shape without metadata.
fn show(value: &Value, field_type: Option<&str>) -> (String, String) {
    let inferred = match value {
        Value::Bool(_) => "Boolean",
        Value::Number(_) => "Decimal",
        Value::String(s) if looks_numeric(s) => "Decimal",
        Value::String(s) if looks_date(s) => "Date",
        Value::String(s) if looks_datetime(s) => "Datetime",
        _ => "String",
    };
    let t = field_type.unwrap_or(inferred);
    let text = match value {
        Value::Null => "null".to_owned(),
        Value::String(s) if t == "String" || t == "Id" => format!("'{s}'"),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    (text, t.to_owned())
}

fn looks_numeric(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.matches('.').count() <= 1
        && digits.chars().next().is_some_and(|c| c.is_ascii_digit())
}

fn looks_date(s: &str) -> bool {
    s.len() == 10 && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

fn looks_datetime(s: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

fn plain(name: String, value: String, type_: &str, reference: i64) -> Variable {
    Variable {
        name,
        value,
        type_: Some(type_.to_owned()),
        variables_reference: reference,
        presentation_hint: Some(VariablePresentationHint {
            kind: Some("data".to_owned()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The children of one of this scope's references.
pub async fn variables(
    client: &SandboxClient,
    shared: &Shared,
    refs: &mut Refs,
    target: &RefTarget,
) -> Result<Vec<Variable>, DapError> {
    match target {
        RefTarget::Settings => {
            let mut out = Vec::new();
            for s in settings(shared) {
                let v = match fetch(client, &s.api_name).await {
                    Ok(f) if !f.protected => continue,
                    Ok(f) => {
                        let reference = refs.var(RefTarget::SettingRecords {
                            setting: s.api_name.clone(),
                        });
                        let n = f.records.len();
                        let what = if n == 1 { "record" } else { "records" };
                        let kind = kind_of(&s, &f.records);
                        plain(
                            s.api_name,
                            format!("{kind} setting, {n} {what}"),
                            "Custom Setting",
                            reference,
                        )
                    }
                    // Read by the code but not a setting of this org.
                    Err(e) if !s.confirmed && e.code == "UNKNOWN_SETTING" => continue,
                    Err(e) => plain(s.api_name, e.message, "Custom Setting", 0),
                };
                out.push(v);
            }
            Ok(out)
        }
        RefTarget::SettingRecords { setting } => {
            let meta = meta(shared, setting);
            let list = records(client, setting).await?;
            Ok(list
                .iter()
                .enumerate()
                .map(|(index, record)| {
                    let reference = refs.var(RefTarget::SettingRecord {
                        setting: setting.clone(),
                        index,
                    });
                    let summary: Vec<String> = fields(record)
                        .filter(|(k, _)| k.ends_with("__c"))
                        .map(|(k, v)| format!("{k}={}", show(v, meta.field_type(k)).0))
                        .collect();
                    plain(
                        record_label(record),
                        format!("{{{}}}", summary.join(", ")),
                        setting,
                        reference,
                    )
                })
                .collect())
        }
        RefTarget::SettingRecord { setting, index } => {
            let meta = meta(shared, setting);
            let list = records(client, setting).await?;
            let record = list.get(*index).ok_or_else(|| changed(setting))?;
            Ok(fields(record)
                .map(|(k, v)| {
                    let (text, t) = show(v, meta.field_type(k));
                    plain(k.clone(), text, &t, 0)
                })
                .collect())
        }
        RefTarget::Sandbox { .. } => Ok(vec![]),
    }
}

fn changed(setting: &str) -> DapError {
    DapError::new(
        ids::RUNTIME,
        format!("{setting} has fewer records than before; collapse the scope and open it again"),
    )
}

/// Parses what the user typed as a field value: `'text'`, a number,
/// `true`/`false`, `null`, or bare text.
fn parse_value(text: &str) -> Value {
    let t = text.trim();
    if let Some(inner) = t
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .or_else(|| t.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
    {
        return Value::String(inner.replace("\\'", "'"));
    }
    match t.to_ascii_lowercase().as_str() {
        "null" => return Value::Null,
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        _ => {}
    }
    match serde_json::from_str::<serde_json::Number>(t) {
        Ok(n) => Value::Number(n),
        Err(_) => Value::String(t.to_owned()),
    }
}

/// `setVariable` on a field of a protected setting's record: `settings.set`.
pub async fn set(
    client: &SandboxClient,
    shared: &Shared,
    target: &RefTarget,
    field: &str,
    value: &str,
) -> Result<SetVariableResponseBody, DapError> {
    let RefTarget::SettingRecord { setting, index } = target else {
        return Err(DapError::new(
            ids::INVALID_ARGUMENTS,
            "only the fields of a custom setting's record can be set; open a record first",
        ));
    };
    let list = records(client, setting).await?;
    let record = list.get(*index).ok_or_else(|| changed(setting))?;
    // The sandbox edits a setting's first record (a hierarchy setting's org
    // default); other records of a list setting are refused here.
    if *index != 0 {
        return Err(DapError::new(
            ids::RUNTIME,
            format!(
                "only the first record of {setting} ({}) can be edited from the debugger; \
                 change {} with Apex that updates the record",
                list.first().map(record_label).unwrap_or_default(),
                record_label(record)
            ),
        )
        .shown());
    }
    let meta = meta(shared, setting);
    let new = parse_value(value);
    let params = json!({ "name": setting, "values": { field: new } });
    let result = client
        .call("settings.set", params)
        .await
        .map_err(|e| DapError::new(ids::RUNTIME, e.message).shown())?;
    // Show the value as the org stored it.
    let stored = result["records"]
        .as_array()
        .and_then(|l| l.first())
        .and_then(|r| r.get(field).cloned())
        .unwrap_or(new);
    let (text, t) = show(&stored, meta.field_type(field));
    Ok(SetVariableResponseBody {
        value: text,
        type_: Some(t),
        variables_reference: Some(0),
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_parse_as_apex_literals() {
        assert_eq!(parse_value("'US_CA'"), json!("US_CA"));
        assert_eq!(parse_value(" 7.25 "), json!(7.25));
        assert_eq!(parse_value("TRUE"), json!(true));
        assert_eq!(parse_value("null"), Value::Null);
        assert_eq!(parse_value("HALF_UP"), json!("HALF_UP"));
    }

    #[test]
    fn records_are_labelled_by_name_or_level() {
        let named: Map<String, Value> = serde_json::from_value(json!({"Name": "US_CA"})).unwrap();
        assert_eq!(record_label(&named), "US_CA");
        let default: Map<String, Value> =
            serde_json::from_value(json!({"Name": "x", "SetupOwnerId": "00D1x0000d6GncfEAC"}))
                .unwrap();
        assert_eq!(record_label(&default), "Org default");
    }

    #[test]
    fn values_show_by_type_or_by_shape() {
        assert_eq!(show(&json!("7.250"), Some("Decimal")).0, "7.250");
        assert_eq!(show(&json!("7.250"), Some("String")).0, "'7.250'");
        assert_eq!(
            show(&json!("7.250"), None),
            ("7.250".into(), "Decimal".into())
        );
        assert_eq!(
            show(&json!("US_CA"), None),
            ("'US_CA'".into(), "String".into())
        );
        assert_eq!(show(&json!("2024-05-02"), None).1, "Date");
        assert_eq!(show(&Value::Null, None).0, "null");
    }
}
