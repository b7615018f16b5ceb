//! Running SOQL from Apex: inline queries and `Database.query`, with limits and
//! results turned into sObject values.

use crate::vm::interp::{Interp, R};
use crate::vm::value::Value;

/// `Database.query(text)`: parses and runs a dynamic query.
pub fn run_dynamic(
    i: &mut Interp<'_>,
    _text: &str,
    _binds: Option<Value>,
    _count: bool,
) -> R<Value> {
    Err(i.throw_sys("QueryException", "SOQL is not available yet".into()))
}
