//! Resolving the names Apex code writes to schema entries, namespace-aware:
//! inside a package (namespace `acme`) `Invoice__c` may mean `acme__Invoice__c`.

use super::{FieldDesc, SObjectDesc, Schema};
use crate::vm::types::SObjectTypeId;

/// What a name on an sObject refers to.
#[derive(Debug, Clone, Copy)]
pub enum Member<'a> {
    Field(&'a FieldDesc),
    /// A lookup's parent relationship (`Account` for `AccountId`, `acme__Account__r`).
    Parent(&'a FieldDesc),
    /// A child relationship list: (name, child type, lookup field).
    Children(&'a (String, String, String)),
}

/// The names to try for a custom name written without its namespace prefix.
fn candidates(name: &str, ns: &str) -> Vec<String> {
    let mut out = vec![name.to_string()];
    let lower = name.to_ascii_lowercase();
    let custom = lower.ends_with("__c") || lower.ends_with("__r");
    if !ns.is_empty() && custom && lower.matches("__").count() == 1 {
        out.push(format!("{ns}__{name}"));
    }
    out
}

impl Schema {
    /// An sObject type by the name code in namespace `ns` writes.
    pub fn lookup_object(&self, name: &str, ns: &str) -> Option<SObjectTypeId> {
        candidates(name, ns).iter().find_map(|n| self.find(n))
    }

    /// A field, parent relationship or child relationship of a type.
    pub fn lookup_member(&self, ty: SObjectTypeId, name: &str, ns: &str) -> Option<Member<'_>> {
        let d = self.get(ty);
        for n in candidates(name, ns) {
            if let Some(f) = d.field(&n) {
                return Some(Member::Field(f));
            }
            if let Some(f) = d.fields.iter().find(|f| {
                f.relationship_name
                    .as_deref()
                    .is_some_and(|r| r.eq_ignore_ascii_case(&n))
            }) {
                return Some(Member::Parent(f));
            }
            if let Some(c) = d.children.iter().find(|c| c.0.eq_ignore_ascii_case(&n)) {
                return Some(Member::Children(c));
            }
        }
        None
    }

    /// A field of a type by the name code in namespace `ns` writes.
    pub fn lookup_field(&self, ty: SObjectTypeId, name: &str, ns: &str) -> Option<&FieldDesc> {
        let d: &SObjectDesc = self.get(ty);
        candidates(name, ns).iter().find_map(|n| d.field(n))
    }
}
