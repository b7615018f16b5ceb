//! JSON schemas of the launch and attach configurations, derived from the
//! Rust types, in the form of a VS Code debugger's `configurationAttributes`:
//! every schema inline (no `$ref`), descriptions and defaults on each
//! attribute, `enum` with `enumDescriptions` for keywords. VS Code adds
//! `type`, `request`, `name` and its other keys itself and closes the object,
//! so the schemas neither list those keys nor forbid extra ones.

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::Value;

use super::{AttachConfig, LaunchConfig};

/// The schema of a `launch` configuration's attributes.
pub fn launch_schema() -> Value {
    attributes_schema::<LaunchConfig>()
}

/// The schema of an `attach` configuration's attributes.
pub fn attach_schema() -> Value {
    attributes_schema::<AttachConfig>()
}

fn attributes_schema<T: JsonSchema>() -> Value {
    let generator = SchemaSettings::draft07()
        .with(|s| {
            s.inline_subschemas = true;
            s.meta_schema = None;
        })
        .for_deserialize()
        .into_generator();
    let mut schema = generator.into_root_schema_for::<T>().to_value();
    if let Value::Object(root) = &mut schema {
        for key in ["title", "additionalProperties"] {
            root.remove(key);
        }
        if root
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty)
        {
            root.remove("required");
        }
        if let Some(Value::Object(properties)) = root.get_mut("properties") {
            for property in properties.values_mut() {
                drop_null(property);
            }
        }
    }
    unwrap_descriptions(&mut schema);
    schema
}

/// Removes the `null` schemars adds for `Option` fields: an absent attribute
/// already means "not given", and VS Code would otherwise offer `null`.
fn drop_null(schema: &mut Value) {
    let Value::Object(map) = schema else { return };
    if let Some(Value::Array(types)) = map.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types.remove(0);
            map.insert("type".into(), only);
        }
    }
    let Some(Value::Array(alternatives)) = map.get_mut("anyOf") else {
        return;
    };
    alternatives.retain(|alternative| alternative.get("type") != Some(&Value::from("null")));
    if alternatives.len() == 1 {
        let Some(Value::Object(only)) = alternatives.pop() else {
            return;
        };
        map.remove("anyOf");
        for (key, value) in only {
            map.entry(key).or_insert(value);
        }
    }
}

/// Doc comments arrive with their line breaks; hovers read better with
/// paragraphs only.
fn unwrap_descriptions(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match value {
                    Value::String(text) if key == "description" => *text = unwrap(text),
                    Value::Array(items) if key == "enumDescriptions" => {
                        for item in items {
                            if let Value::String(text) = item {
                                *text = unwrap(text);
                            }
                        }
                    }
                    other => unwrap_descriptions(other),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(unwrap_descriptions),
        _ => {}
    }
}

fn unwrap(text: &str) -> String {
    text.split("\n\n")
        .map(|paragraph| paragraph.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}
