//! Checks messages against the official DAP JSON schema (draft-04).
//!
//! The schema file is read at run time and never fetched: `jsonschema` is
//! built without its network features.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value, json};

/// Validates messages, picking the schema definition by message kind.
pub struct SchemaValidator {
    definitions: Map<String, Value>,
    compiled: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

impl SchemaValidator {
    /// Loads the schema at `path` (`debugAdapterProtocol.json`).
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            anyhow::anyhow!(
                "could not read the DAP schema {}: {e}; pass the path to debugAdapterProtocol.json",
                path.display()
            )
        })?;
        let doc: Value = serde_json::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "the DAP schema {} is not JSON: {e}; use the official debugAdapterProtocol.json",
                path.display()
            )
        })?;
        Self::from_value(doc).map_err(|e| anyhow::anyhow!("the DAP schema {}: {e}", path.display()))
    }

    /// Uses an already parsed schema document.
    pub fn from_value(doc: Value) -> Result<Self, String> {
        let definitions = match doc.get("definitions") {
            Some(Value::Object(d)) if d.contains_key("ProtocolMessage") => d.clone(),
            _ => {
                return Err(
                    "it has no `definitions.ProtocolMessage`; use the official debugAdapterProtocol.json"
                        .to_owned(),
                );
            }
        };
        Ok(SchemaValidator {
            definitions,
            compiled: Mutex::new(HashMap::new()),
        })
    }

    /// The definition a message must match: `<Command>Response`,
    /// `ErrorResponse`, `<Event>Event`, `<Command>Request`, or the generic one.
    pub fn definition_for(&self, msg: &Value) -> String {
        let specific = |name: Option<&str>, suffix: &str, generic: &str| -> String {
            let candidate = name.map(|n| format!("{}{suffix}", capitalise(n)));
            match candidate {
                Some(c) if self.definitions.contains_key(&c) => c,
                _ => generic.to_owned(),
            }
        };
        let str_field = |k: &str| msg.get(k).and_then(Value::as_str);
        match str_field("type") {
            Some("response") if msg.get("success") == Some(&Value::Bool(false)) => {
                "ErrorResponse".to_owned()
            }
            Some("response") => specific(str_field("command"), "Response", "Response"),
            Some("event") => specific(str_field("event"), "Event", "Event"),
            Some("request") => specific(str_field("command"), "Request", "Request"),
            _ => "ProtocolMessage".to_owned(),
        }
    }

    /// `Ok` when `msg` is valid; otherwise the first violation, with its path.
    pub fn check(&self, msg: &Value) -> Result<(), String> {
        let definition = self.definition_for(msg);
        let validator = self.validator(&definition)?;
        match validator.validate(msg) {
            Ok(()) => Ok(()),
            Err(e) => {
                let pointer = e.instance_path().to_string();
                Err(format!(
                    "message seq {} violates `{definition}` of the DAP schema at {}: {e}",
                    msg.get("seq").map_or("?".to_owned(), Value::to_string),
                    pointer_to_path(&pointer),
                ))
            }
        }
    }

    fn validator(&self, definition: &str) -> Result<Arc<jsonschema::Validator>, String> {
        let mut compiled = self.compiled.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(v) = compiled.get(definition) {
            return Ok(v.clone());
        }
        let schema = json!({
            "$schema": "http://json-schema.org/draft-04/schema#",
            "definitions": self.definitions,
            "allOf": [ { "$ref": format!("#/definitions/{definition}") } ],
        });
        let validator = jsonschema::draft4::new(&schema)
            .map_err(|e| format!("the schema definition `{definition}` does not compile: {e}"))?;
        let validator = Arc::new(validator);
        compiled.insert(definition.to_owned(), validator.clone());
        Ok(validator)
    }
}

fn capitalise(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `/body/threads/0/name` as `$.body.threads[0].name`.
pub fn pointer_to_path(pointer: &str) -> String {
    let mut path = String::from("$");
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if segment.parse::<usize>().is_ok() {
            path.push_str(&format!("[{segment}]"));
        } else {
            path.push('.');
            path.push_str(&segment);
        }
    }
    path
}
