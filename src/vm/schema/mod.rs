//! The org schema as the compiler and the VM see it: sObject types and their fields.

pub mod names;
pub mod standard;

use std::collections::HashMap;

use super::types::{SObjectTypeId, Ty};

/// Field data types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Id,
    Text,
    /// Text area (255 characters, line breaks allowed).
    TextArea,
    LongText,
    /// Rich text area.
    Html,
    Number,
    Currency,
    Percent,
    Checkbox,
    Date,
    DateTime,
    Picklist,
    /// Multi-select picklist: values joined with `;`.
    MultiPicklist,
    Email,
    Phone,
    Url,
    Lookup,
    MasterDetail,
    AutoNumber,
    Formula,
}

/// One field of an sObject type.
#[derive(Debug, Clone)]
pub struct FieldDesc {
    pub name: String,
    pub label: String,
    pub ty: FieldType,
    /// Apex type of values of this field.
    pub apex_ty: Ty,
    pub required: bool,
    /// For lookups: the target type and the relationship name (`Account`, `Account__r`).
    pub reference_to: Option<String>,
    pub relationship_name: Option<String>,
    /// The name of the list of children on the parent (`Contacts`, `Invoice_Lines__r`);
    /// None when the parent shows no such list.
    pub child_relationship: Option<String>,
    /// The default value of a new record, as text: a literal (`Draft`, `30`, `true`)
    /// or, for non-text fields, an expression such as `TODAY()`. For auto-number
    /// fields: the display format, as in `display_format`.
    pub default: Option<String>,
    pub formula: Option<String>,
    pub scale: u32,
    pub external_id: bool,
    pub unique: bool,
    /// For auto-number fields: the display format (`INV-{000000}`).
    pub display_format: Option<String>,
    /// For picklists: the values, in order (empty when unknown).
    pub picklist_values: Vec<String>,
}

impl FieldDesc {
    /// The text of auto-number `n`: `{000}` is the zero-padded number, `{YY}`,
    /// `{YYYY}`, `{MM}` and `{DD}` parts of `today`. Without a format, the number.
    pub fn format_autonumber(&self, n: u64, today: chrono::NaiveDate) -> String {
        use chrono::Datelike;
        let fmt = self.display_format.as_deref().or(self.default.as_deref());
        let Some(fmt) = fmt else {
            return n.to_string();
        };
        let mut out = String::new();
        let mut rest = fmt;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let token = &rest[open + 1..open + close];
            match token {
                "YYYY" => out.push_str(&format!("{:04}", today.year())),
                "YY" => out.push_str(&format!("{:02}", today.year() % 100)),
                "MM" => out.push_str(&format!("{:02}", today.month())),
                "DD" => out.push_str(&format!("{:02}", today.day())),
                t if !t.is_empty() && t.bytes().all(|b| b == b'0') => {
                    out.push_str(&format!("{n:0width$}", width = t.len()))
                }
                t => {
                    out.push('{');
                    out.push_str(t);
                    out.push('}');
                }
            }
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// An sObject type.
#[derive(Debug, Clone)]
pub struct SObjectDesc {
    pub id: SObjectTypeId,
    pub name: String,
    pub label: String,
    pub plural_label: String,
    pub key_prefix: String,
    pub fields: Vec<FieldDesc>,
    pub custom_setting: Option<CustomSettingKind>,
    /// Protected custom settings are readable only by their package's code.
    pub protected: bool,
    pub namespace: String,
    /// Child relationships: (relationship name, child type, lookup field).
    pub children: Vec<(String, String, String)>,
}

/// List or hierarchy custom setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomSettingKind {
    List,
    Hierarchy,
}

impl SObjectDesc {
    /// Finds a field by API name, case-insensitively.
    pub fn field(&self, name: &str) -> Option<&FieldDesc> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

/// All sObject types of an org.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    pub objects: Vec<SObjectDesc>,
    pub by_name: HashMap<String, SObjectTypeId>,
    pub by_prefix: HashMap<String, SObjectTypeId>,
}

impl Schema {
    /// Finds a type by API name, case-insensitively.
    pub fn find(&self, name: &str) -> Option<SObjectTypeId> {
        self.by_name.get(&name.to_ascii_lowercase()).copied()
    }

    /// The type with this id.
    pub fn get(&self, id: SObjectTypeId) -> &SObjectDesc {
        &self.objects[id as usize]
    }

    /// Fills every type's child relationships from the lookups that point at it
    /// (`Account.Contacts` from `Contact.AccountId`).
    pub fn link_children(&mut self) {
        let mut links: Vec<(usize, (String, String, String))> = Vec::new();
        for child in &self.objects {
            for f in &child.fields {
                let (Some(target), Some(rel)) = (&f.reference_to, &f.child_relationship) else {
                    continue;
                };
                if let Some(&t) = self.by_name.get(&target.to_ascii_lowercase()) {
                    links.push((
                        t as usize,
                        (rel.clone(), child.name.clone(), f.name.clone()),
                    ));
                }
            }
        }
        for o in &mut self.objects {
            o.children.clear();
        }
        for (t, link) in links {
            if !self.objects[t]
                .children
                .iter()
                .any(|c| c.0.eq_ignore_ascii_case(&link.0))
            {
                self.objects[t].children.push(link);
            }
        }
    }

    /// Adds a type and returns its id.
    pub fn add(&mut self, mut d: SObjectDesc) -> SObjectTypeId {
        let id = self.objects.len() as SObjectTypeId;
        d.id = id;
        self.by_name.insert(d.name.to_ascii_lowercase(), id);
        self.by_prefix.insert(d.key_prefix.clone(), id);
        self.objects.push(d);
        id
    }
}
