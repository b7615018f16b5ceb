//! The data platform under the VM: org data and transactions, SOQL, DML,
//! triggers, custom settings, governor limits and debug logs.

pub mod builtins;
pub mod field_value;
pub mod ids;
pub mod soql;
pub mod store;
