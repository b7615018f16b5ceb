//! sObject field access from Apex code.

use std::cell::RefCell;
use std::rc::Rc;

use super::{Interp, R};
use crate::vm::sobject::SObject;
use crate::vm::types::SObjectTypeId;
use crate::vm::value::Value;

impl Interp<'_> {
    /// The API name of an sObject type.
    pub fn sobject_type_name(&self, t: SObjectTypeId) -> String {
        self.prog.schema.get(t).name.clone()
    }

    /// Finds an sObject type by API name.
    pub fn find_sobject_type(&self, name: &str) -> Option<SObjectTypeId> {
        self.prog.schema.find(name)
    }

    /// `new Account(Name = 'x')`.
    pub fn new_sobject(&mut self, t: SObjectTypeId, fields: Vec<(String, Value)>) -> R<Value> {
        let mut rec = SObject::new(t);
        for (n, v) in fields {
            rec.fields.insert(n.to_ascii_lowercase(), (n, v));
        }
        Ok(Value::SObj(Rc::new(RefCell::new(rec))))
    }

    /// Reads a field (or relationship path element) of an sObject.
    pub fn sobject_get(&mut self, o: &Value, name: &str) -> R<Value> {
        let Value::SObj(r) = o else {
            return Err(self.npe());
        };
        let r = r.borrow();
        Ok(r.fields
            .get(&name.to_ascii_lowercase())
            .map(|(_, v)| v.clone())
            .unwrap_or_default())
    }

    /// Writes a field of an sObject.
    pub fn sobject_put(&mut self, o: &Value, name: &str, v: Value) -> R<()> {
        let Value::SObj(r) = o else {
            return Err(self.npe());
        };
        r.borrow_mut()
            .fields
            .insert(name.to_ascii_lowercase(), (name.to_string(), v));
        Ok(())
    }
}
