//! The protected custom settings of the project's packages.
//!
//! A retrieved package may carry its object metadata
//! (`objects/X/X.object-meta.xml` with `<visibility>Protected`): then the
//! setting, its kind and its fields' types are known. Source retrieved
//! through login access has classes and triggers only; then the settings are
//! found where the package's code reads them (`X__c.getInstance(...)`,
//! `getAll`, `getValues`, `getOrgDefaults`: calls only custom settings
//! answer), and the org says which are protected when they are read.

use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use super::{Project, between};

/// A custom setting of a package, protected or possibly so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectedSetting {
    /// API name with the namespace prefix (`acme__Tax_Rate__c`).
    pub api_name: String,
    /// `List` or `Hierarchy` (empty when only the code's use of it is known).
    pub kind: String,
    /// Apex types of its custom fields by lower-case API name
    /// (`acme__rate__c` → `Decimal`); empty without metadata.
    pub fields: HashMap<String, String>,
    /// Whether metadata says it is protected (else the org is asked).
    pub confirmed: bool,
}

impl ProtectedSetting {
    /// The Apex type of a field, standard ones included; None when unknown.
    pub fn field_type(&self, field: &str) -> Option<&str> {
        let lower = field.to_ascii_lowercase();
        if let Some(t) = self.fields.get(&lower) {
            return Some(t);
        }
        match lower.as_str() {
            "id" | "setupownerid" | "createdbyid" | "lastmodifiedbyid" => Some("Id"),
            "createddate" | "lastmodifieddate" | "systemmodstamp" => Some("Datetime"),
            "isdeleted" => Some("Boolean"),
            "name" => Some("String"),
            _ => None,
        }
    }
}

/// The Apex type that holds a field of metadata type `t`.
fn apex_type(t: &str) -> &'static str {
    match t {
        "Checkbox" => "Boolean",
        "Number" | "Percent" | "Currency" => "Decimal",
        "Date" => "Date",
        "DateTime" => "Datetime",
        "Time" => "Time",
        "Lookup" | "MasterDetail" => "Id",
        _ => "String",
    }
}

/// `Name__c.getInstance(`: a read of a custom setting in Apex.
static SETTING_READ: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b([A-Za-z][A-Za-z0-9_]*__c)\s*\.\s*(?:getInstance|getAll|getValues|getOrgDefaults)\s*\(")
        .expect("a valid pattern")
});

fn prefixed(ns: &str, name: &str) -> String {
    if ns.is_empty() || name.contains("__") && name.matches("__").count() > 1 {
        name.to_owned()
    } else {
        format!("{ns}__{name}")
    }
}

impl Project {
    /// Records a custom setting from its object metadata, if protected.
    pub(super) fn note_setting(&mut self, path: &Path, ns: &str, object: &str) {
        let Ok(text) = std::fs::read_to_string(path) else {
            return;
        };
        let kind = between(&text, "<customSettingsType>", "</customSettingsType>");
        let visibility = between(&text, "<visibility>", "</visibility>");
        let (Some(kind), Some("Protected")) = (kind, visibility) else {
            return;
        };
        let api_name = prefixed(ns, object);
        let mut fields = HashMap::new();
        let field_dir = path.parent().map(|d| d.join("fields"));
        for entry in field_dir
            .and_then(|d| std::fs::read_dir(d).ok())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(field) = name.strip_suffix(".field-meta.xml") else {
                continue;
            };
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            let t = between(&text, "<type>", "</type>").unwrap_or("Text");
            fields.insert(
                prefixed(ns, field).to_ascii_lowercase(),
                apex_type(t).to_owned(),
            );
        }
        let setting = ProtectedSetting {
            api_name,
            kind: kind.to_owned(),
            fields,
            confirmed: true,
        };
        match self
            .settings
            .iter_mut()
            .find(|s| s.api_name.eq_ignore_ascii_case(&setting.api_name))
        {
            Some(known) => *known = setting,
            None => self.settings.push(setting),
        }
    }

    /// Records the custom settings a package's class reads.
    pub(super) fn note_setting_reads(&mut self, path: &Path, ns: &str) {
        if ns.is_empty() {
            return;
        }
        let Ok(text) = std::fs::read_to_string(path) else {
            return;
        };
        for cap in SETTING_READ.captures_iter(&text) {
            let api_name = prefixed(ns, &cap[1]);
            if !self
                .settings
                .iter()
                .any(|s| s.api_name.eq_ignore_ascii_case(&api_name))
            {
                self.settings.push(ProtectedSetting {
                    api_name,
                    kind: String::new(),
                    fields: HashMap::new(),
                    confirmed: false,
                });
            }
        }
    }

    /// The protected custom settings of every indexed package, sorted by name.
    pub fn protected_settings(&self) -> Vec<ProtectedSetting> {
        let mut all = self.settings.clone();
        all.sort_by_key(|s| s.api_name.to_ascii_lowercase());
        all
    }
}
