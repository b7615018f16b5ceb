//! Resolving the names a query writes against the schema, namespace-aware, and the
//! errors Salesforce gives when a name does not resolve.

use super::NameContext;
use super::ast::{FieldPath, Hop};
use crate::vm::schema::FieldDesc;
use crate::vm::types::SObjectTypeId;

/// Suffixes of names a package may write without its namespace prefix.
const CUSTOM_SUFFIXES: [&str; 4] = ["__c", "__r", "__mdt", "__e"];

/// The names to try for `name`: as written, then with the namespace prefix when it
/// is a custom name without one (`Amount__c` → `acme__Amount__c`).
fn candidates(name: &str, ns: &str) -> impl Iterator<Item = String> {
    let lower = name.to_ascii_lowercase();
    let custom = CUSTOM_SUFFIXES.iter().any(|s| lower.ends_with(s));
    let prefixed = (!ns.is_empty() && custom && lower.matches("__").count() == 1)
        .then(|| format!("{ns}__{name}"));
    std::iter::once(name.to_string()).chain(prefixed)
}

impl<'a> NameContext<'a> {
    /// An sObject type by name.
    pub fn object(&self, name: &str) -> Option<SObjectTypeId> {
        candidates(name, self.namespace).find_map(|n| self.schema.find(&n))
    }

    /// A field of a type by name.
    pub fn field(&self, ty: SObjectTypeId, name: &str) -> Option<&'a FieldDesc> {
        let d = self.schema.get(ty);
        candidates(name, self.namespace).find_map(|n| d.field(&n))
    }

    /// The lookup field behind a parent relationship name (`Account`, `Account__r`).
    pub fn parent(&self, ty: SObjectTypeId, rel: &str) -> Option<&'a FieldDesc> {
        let d = self.schema.get(ty);
        candidates(rel, self.namespace).find_map(|n| {
            d.fields.iter().find(|f| {
                f.reference_to.is_some()
                    && f.relationship_name
                        .as_deref()
                        .is_some_and(|r| r.eq_ignore_ascii_case(&n))
            })
        })
    }

    /// A child relationship of a type: (relationship name, child type, lookup field).
    pub fn child(&self, ty: SObjectTypeId, rel: &str) -> Option<&'a (String, String, String)> {
        let d = self.schema.get(ty);
        candidates(rel, self.namespace)
            .find_map(|n| d.children.iter().find(|c| c.0.eq_ignore_ascii_case(&n)))
    }

    /// The hop through a parent relationship of `ty`.
    pub fn hop(&self, ty: SObjectTypeId, rel: &str) -> Result<Hop, String> {
        let f = self
            .parent(ty, rel)
            .ok_or_else(|| bad_path_relationship(rel))?;
        let target = f
            .reference_to
            .as_deref()
            .and_then(|t| self.schema.find(t))
            .ok_or_else(|| bad_path_relationship(rel))?;
        Ok(Hop {
            relationship: f.relationship_name.clone().unwrap_or_default(),
            lookup: f.name.to_ascii_lowercase(),
            target,
        })
    }

    /// Resolves `a.b.c` on `root`. A first segment naming the queried object itself
    /// (or its FROM alias) is dropped when it is not also a relationship.
    pub fn path(
        &self,
        root: SObjectTypeId,
        alias: Option<&str>,
        segs: &[&str],
    ) -> Result<FieldPath, String> {
        let mut segs = segs;
        if segs.len() > 1 && self.parent(root, segs[0]).is_none() {
            let own = &self.schema.get(root).name;
            if alias.is_some_and(|a| a.eq_ignore_ascii_case(segs[0]))
                || own.eq_ignore_ascii_case(segs[0])
            {
                segs = &segs[1..];
            }
        }
        let (last, rels) = segs
            .split_last()
            .ok_or_else(|| "empty field name".to_string())?;
        let mut cur = root;
        let mut hops = Vec::with_capacity(rels.len());
        for r in rels {
            let h = self.hop(cur, r)?;
            cur = h.target;
            hops.push(h);
        }
        let f = self
            .field(cur, last)
            .ok_or_else(|| no_such_column(last, &self.schema.get(cur).name))?;
        Ok(FieldPath {
            hops,
            name: f.name.clone(),
            lower: f.name.to_ascii_lowercase(),
            ty: f.ty,
            object: cur,
        })
    }
}

/// `sObject type 'Foo' is not supported.` (dynamic queries add the hint).
pub fn unknown_object(name: &str, dynamic: bool) -> String {
    if dynamic {
        format!(
            "sObject type '{name}' is not supported. If you are attempting to use a custom object, \
             be sure to append the '__c' after the entity name. Please reference your WSDL or the \
             describe call for the appropriate names."
        )
    } else {
        format!("sObject type '{name}' is not supported.")
    }
}

/// A field that does not exist on an entity.
pub fn no_such_column(name: &str, entity: &str) -> String {
    format!(
        "No such column '{name}' on entity '{entity}'. If you are attempting to use a custom field, \
         be sure to append the '__c' after the custom field name. Please reference your WSDL or the \
         describe call for the appropriate names."
    )
}

/// A parent relationship in a field path that does not exist.
pub fn bad_path_relationship(name: &str) -> String {
    format!(
        "Didn't understand relationship '{name}' in field path. If you are attempting to use a \
         custom relationship, be sure to append the '__r' after the custom relationship name. \
         Please reference your WSDL or the describe call for the appropriate names."
    )
}

/// A child relationship in a subquery's FROM that does not exist.
pub fn bad_child_relationship(name: &str) -> String {
    format!(
        "Didn't understand relationship '{name}' in FROM part of query call. If you are attempting \
         to use a custom relationship, be sure to append the '__r' after the custom relationship \
         name. Please reference your WSDL or the describe call for the appropriate names."
    )
}
