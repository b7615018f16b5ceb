//! sObject field access from Apex code: names resolved through the schema, the
//! "not queried" rule, and values converted to the field's type.

use std::cell::RefCell;
use std::rc::Rc;

use super::{Interp, R};
use crate::vm::schema::names::Member;
use crate::vm::sobject::SObject;
use crate::vm::types::{SObjectTypeId, Ty};
use crate::vm::value::Value;

impl Interp<'_> {
    /// The API name of an sObject type.
    pub fn sobject_type_name(&self, t: SObjectTypeId) -> String {
        self.prog.schema.get(t).name.clone()
    }

    /// Finds an sObject type by API name.
    pub fn find_sobject_type(&self, name: &str) -> Option<SObjectTypeId> {
        self.prog.schema.lookup_object(name, self.code_namespace())
    }

    /// `new Account(Name = 'x')`: a record with fields set through `put` rules.
    pub fn new_sobject(&mut self, t: SObjectTypeId, fields: Vec<(String, Value)>) -> R<Value> {
        let rec = Value::SObj(Rc::new(RefCell::new(SObject::new(t))));
        for (n, v) in fields {
            self.sobject_put(&rec, &n, v)?;
        }
        Ok(rec)
    }

    /// Reads a field, parent or child relationship of an sObject by the name code wrote.
    pub fn sobject_get(&mut self, o: &Value, name: &str) -> R<Value> {
        let Value::SObj(r) = o else {
            return Err(self.npe());
        };
        let ty = r.borrow().sobject_type;
        let ns = self.code_namespace();
        let (key, api) = match self.prog.schema.lookup_member(ty, name, ns) {
            Some(Member::Field(f)) => (f.name.to_ascii_lowercase(), f.name.clone()),
            Some(Member::Parent(f)) => {
                let rel = f.relationship_name.clone().unwrap_or_default();
                (rel.to_ascii_lowercase(), rel)
            }
            Some(Member::Children(c)) => (c.0.to_ascii_lowercase(), c.0.clone()),
            None => {
                let t = self.sobject_type_name(ty);
                return Err(
                    self.throw_sys("SObjectException", format!("Invalid field {name} for {t}"))
                );
            }
        };
        self.sobject_get_key(o, &key, &api)
    }

    /// Reads a member by its resolved lower-case key (the compiler resolved the name).
    pub fn sobject_get_key(&mut self, o: &Value, key: &str, api: &str) -> R<Value> {
        let Value::SObj(r) = o else {
            return Err(self.npe());
        };
        let r = r.borrow();
        if let Some((_, v)) = r.fields.get(key) {
            return Ok(v.clone());
        }
        if key == "id" {
            return Ok(Value::Null);
        }
        if let Some(q) = &r.queried
            && !q.iter().any(|k| k == key)
        {
            let t = self.sobject_type_name(r.sobject_type);
            drop(r);
            return Err(self.throw_sys(
                "SObjectException",
                format!("SObject row was retrieved via SOQL without querying the requested field: {t}.{api}"),
            ));
        }
        Ok(Value::Null)
    }

    /// Writes a field (or parent relationship) of an sObject, converting the value to
    /// the field's type.
    pub fn sobject_put(&mut self, o: &Value, name: &str, v: Value) -> R<()> {
        let Value::SObj(r) = o else {
            return Err(self.npe());
        };
        if r.borrow().read_only {
            return Err(self.throw_sys("FinalException", "Record is read-only".into()));
        }
        let ty = r.borrow().sobject_type;
        let ns = self.code_namespace();
        let (key, api, want) = match self.prog.schema.lookup_member(ty, name, ns) {
            Some(Member::Field(f)) => (
                f.name.to_ascii_lowercase(),
                f.name.clone(),
                f.apex_ty.clone(),
            ),
            Some(Member::Parent(f)) => {
                let rel = f.relationship_name.clone().unwrap_or_default();
                let target = f
                    .reference_to
                    .as_deref()
                    .and_then(|t| self.prog.schema.find(t))
                    .map(|t| Ty::SObject(Some(t)))
                    .unwrap_or(Ty::SObject(None));
                (rel.to_ascii_lowercase(), rel, target)
            }
            Some(Member::Children(c)) => (c.0.to_ascii_lowercase(), c.0.clone(), Ty::Any),
            None => {
                let t = self.sobject_type_name(ty);
                return Err(
                    self.throw_sys("SObjectException", format!("Invalid field {name} for {t}"))
                );
            }
        };
        let v = self.field_value_for(v, &want)?;
        r.borrow_mut().fields.insert(key, (api, v));
        Ok(())
    }

    /// Writes a member by its resolved key and type.
    pub fn sobject_put_key(
        &mut self,
        o: &Value,
        key: &str,
        api: &str,
        want: &Ty,
        v: Value,
    ) -> R<()> {
        let Value::SObj(r) = o else {
            return Err(self.npe());
        };
        if r.borrow().read_only {
            return Err(self.throw_sys("FinalException", "Record is read-only".into()));
        }
        let v = self.field_value_for(v, want)?;
        r.borrow_mut()
            .fields
            .insert(key.to_string(), (api.to_string(), v));
        Ok(())
    }

    /// Converts a value for a field of type `want`, or throws as the platform does.
    fn field_value_for(&mut self, v: Value, want: &Ty) -> R<Value> {
        if v.is_null() || matches!(want, Ty::Any) {
            return Ok(v);
        }
        if want.is_numeric() && super::ops::num_kind(&v).is_some() {
            return Ok(super::ops::convert_num(v, want));
        }
        match (want, &v) {
            (Ty::Id, Value::Str(s)) => match crate::vm::builtins::id::to_18(s) {
                Some(id) => Ok(Value::Id(Rc::new(id))),
                None => Err(self.throw_sys("StringException", format!("Invalid id: {s}"))),
            },
            (Ty::String, Value::Id(s)) => Ok(Value::Str(s.clone())),
            _ if self.is_instance(&v, want) => Ok(v),
            _ => {
                let from = self.runtime_type_name(&v);
                let to = self.prog.ty_name(want);
                Err(self.throw_sys(
                    "SObjectException",
                    format!("Illegal assignment from {from} to {to}"),
                ))
            }
        }
    }
}
