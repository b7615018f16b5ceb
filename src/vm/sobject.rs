//! In-memory sObject records as Apex code sees them.

use super::types::SObjectTypeId;
use super::value::{OrderedMap, Value};

/// One sObject value: a type and its populated fields.
#[derive(Debug, Clone)]
pub struct SObject {
    pub sobject_type: SObjectTypeId,
    /// Lower-case field API name to (API name as written, value).
    pub fields: OrderedMap<String, (String, Value)>,
    /// When the record came from SOQL: the lower-case fields that were selected.
    /// Reading any other field throws SObjectException.
    pub queried: Option<Vec<String>>,
    /// Errors added with `addError` (or by a failing trigger).
    pub errors: Vec<RecordError>,
    /// Records handed to after triggers may not be changed.
    pub read_only: bool,
}

/// An error attached to a record, failing its DML row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    pub status: String,
    pub message: String,
    /// The field the error names, if any.
    pub field: Option<String>,
}

impl SObject {
    /// A new, empty record of this type.
    pub fn new(sobject_type: SObjectTypeId) -> SObject {
        SObject {
            sobject_type,
            fields: OrderedMap::default(),
            queried: None,
            errors: Vec::new(),
            read_only: false,
        }
    }

    /// A field's value by lower-case key (null when unset).
    pub fn get(&self, key: &str) -> Value {
        self.fields
            .get(key)
            .map(|f| f.1.clone())
            .unwrap_or_default()
    }

    /// Sets a field by API name.
    pub fn set(&mut self, api: &str, v: Value) {
        self.fields
            .insert(api.to_ascii_lowercase(), (api.to_string(), v));
    }

    /// Whether two records hold the same fields and values.
    pub fn same_content(&self, other: &SObject) -> bool {
        self.sobject_type == other.sobject_type
            && self.fields.len() == other.fields.len()
            && self.fields.iter().all(|(k, (_, v))| {
                other.fields.get(k).is_some_and(|(_, w)| {
                    super::value::Key(v.clone()) == super::value::Key(w.clone())
                })
            })
    }
}
