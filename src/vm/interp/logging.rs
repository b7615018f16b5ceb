//! The interpreter's side of debug logging: the points where it reports events.
//! Each is a null check when no log is being written.

use std::cell::RefCell;
use std::rc::Rc;

use super::Interp;
use crate::vm::sobject::SObject;

impl Interp<'_> {
    /// A code unit (trigger, anonymous block, REST call) begins.
    pub fn log_code_unit_start(&mut self, what: &str) {
        if let Some(l) = self.log.as_mut() {
            l.code_unit_start(what);
        }
    }

    /// The innermost code unit ends.
    pub fn log_code_unit_end(&mut self) {
        if let Some(l) = self.log.as_mut() {
            l.code_unit_end();
        }
    }

    /// A DML operation begins.
    pub fn log_dml_begin(&mut self, op: &str, recs: &[Rc<RefCell<SObject>>]) {
        if self.log.is_none() {
            return;
        }
        let ty = recs
            .first()
            .map(|r| self.sobject_type_name(r.borrow().sobject_type))
            .unwrap_or_default();
        let line = self.line;
        let n = recs.len();
        if let Some(l) = self.log.as_mut() {
            l.dml_begin(line, op, &ty, n);
        }
    }

    /// The DML operation ends.
    pub fn log_dml_end(&mut self) {
        let line = self.line;
        if let Some(l) = self.log.as_mut() {
            l.dml_end(line);
        }
    }
}
