//! The `Custom Settings (protected)` scope: the records of the package's
//! protected custom settings, which only the package's code and the publisher
//! (through login access) may read and edit.
//!
//! Which settings are protected comes from the package's object metadata in
//! the project (`objects/X/X.object-meta.xml` with `<visibility>Protected`);
//! their records come from the org (`settings.get`), fresh at each expansion.

use serde_json::{Map, Value, json};

use super::client::SandboxClient;
use super::project::ProtectedSetting;
use super::state::{RefTarget, Refs, Shared};
use crate::dap::DapError;
use crate::dap::error::ids;
use crate::dap::protocol::{SetVariableResponseBody, Variable, VariablePresentationHint};

/// The scope's name.
pub const SCOPE_NAME: &str = "Custom Settings (protected)";

/// How many protected settings the project's packages declare.
pub fn count(shared: &Shared) -> usize {
    shared
        .project
        .read()
        .map(|p| p.protected_settings().len())
        .unwrap_or(0)
}

fn settings(shared: &Shared) -> Vec<ProtectedSetting> {
    shared
        .project
        .read()
        .map(|p| p.protected_settings().to_vec())
        .unwrap_or_default()
}

fn setting(shared: &Shared, name: &str) -> Option<ProtectedSetting> {
    settings(shared)
        .into_iter()
        .find(|s| s.api_name.eq_ignore_ascii_case(name))
}

async fn records(client: &SandboxClient, setting: &str) -> Result<Vec<Map<String, Value>>, String> {
    let result = client
        .call("settings.get", json!({ "name": setting }))
        .await
        .map_err(|e| e.message)?;
    Ok(result["records"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| match r {
            Value::Object(m) => Some(m),
            _ => None,
        })
        .collect())
}

/// A record's label: its Name (list settings), or its level (hierarchy).
fn record_label(record: &Map<String, Value>) -> String {
    if let Some(name) = record.get("Name").and_then(Value::as_str) {
        return name.to_owned();
    }
    match record.get("SetupOwnerId").and_then(Value::as_str) {
        Some(owner) if !owner.is_empty() => format!("Owner {owner}"),
        _ => "Org default".to_owned(),
    }
}

/// The fields shown for a record (Salesforce's `attributes` left out).
fn fields(record: &Map<String, Value>) -> impl Iterator<Item = (&String, &Value)> {
    record.iter().filter(|(k, _)| k.as_str() != "attributes")
}

/// A field value as the debugger prints it: text in quotes, numbers,
/// dates and booleans bare, null as `null`. The org sends decimals and dates
/// as text, so the field's type decides.
fn show(value: &Value, apex_type: &str) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::String(s) if apex_type == "String" || apex_type == "Id" => format!("'{s}'"),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
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
                let (setting, kind) = (s.api_name, s.kind);
                let v = match records(client, &setting).await {
                    Ok(list) => {
                        let reference = refs.var(RefTarget::SettingRecords {
                            setting: setting.clone(),
                        });
                        let n = list.len();
                        let what = if n == 1 { "record" } else { "records" };
                        plain(
                            setting,
                            format!("{kind} setting, {n} {what}"),
                            "Custom Setting",
                            reference,
                        )
                    }
                    Err(why) => plain(setting, why, "Custom Setting", 0),
                };
                out.push(v);
            }
            Ok(out)
        }
        RefTarget::SettingRecords { setting } => {
            let meta = setting_meta(shared, setting);
            let list = records(client, setting).await.map_err(runtime)?;
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
                        .map(|(k, v)| format!("{k}={}", show(v, meta.field_type(k))))
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
            let meta = setting_meta(shared, setting);
            let list = records(client, setting).await.map_err(runtime)?;
            let record = list.get(*index).ok_or_else(|| {
                DapError::new(
                    ids::RUNTIME,
                    format!("{setting} has fewer records than before; collapse the scope and open it again"),
                )
            })?;
            Ok(fields(record)
                .map(|(k, v)| {
                    let t = meta.field_type(k);
                    plain(k.clone(), show(v, t), t, 0)
                })
                .collect())
        }
        RefTarget::Sandbox { .. } => Ok(vec![]),
    }
}

/// The metadata of a setting (an empty one when the project does not have it).
fn setting_meta(shared: &Shared, name: &str) -> ProtectedSetting {
    setting(shared, name).unwrap_or(ProtectedSetting {
        api_name: name.to_owned(),
        kind: String::new(),
        fields: Default::default(),
    })
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
    let list = records(client, setting).await.map_err(runtime)?;
    let record = list.get(*index).ok_or_else(|| {
        DapError::new(
            ids::RUNTIME,
            format!("{setting} has fewer records than before; open the scope again"),
        )
    })?;
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
    let meta = setting_meta(shared, setting);
    let new = parse_value(value);
    let params = json!({ "name": setting, "values": { field: new } });
    let result = client
        .call("settings.set", params)
        .await
        .map_err(|e| DapError::new(ids::RUNTIME, e.message).shown())?;
    // Show the value as the org stored it.
    let stored = result["records"]
        .as_array()
        .and_then(|l| {
            l.iter().find(|r| {
                r.as_object()
                    .is_some_and(|r| record_label(r) == record_label(record))
            })
        })
        .and_then(|r| r.get(field).cloned())
        .unwrap_or(new);
    let t = meta.field_type(field);
    Ok(SetVariableResponseBody {
        value: show(&stored, t),
        type_: Some(t.to_owned()),
        variables_reference: Some(0),
        ..Default::default()
    })
}

fn runtime(message: String) -> DapError {
    DapError::new(ids::RUNTIME, message)
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
        let default: Map<String, Value> = serde_json::from_value(json!({"x": 1})).unwrap();
        assert_eq!(record_label(&default), "Org default");
    }
}
