//! The org schema as the compiler and the VM see it: sObject types and their fields.

pub mod standard;

use std::collections::HashMap;

use super::types::{SObjectTypeId, Ty};

/// Field data types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Id,
    Text,
    LongText,
    Number,
    Currency,
    Percent,
    Checkbox,
    Date,
    DateTime,
    Picklist,
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
    pub default: Option<String>,
    pub formula: Option<String>,
    pub scale: u32,
    pub external_id: bool,
    pub unique: bool,
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
