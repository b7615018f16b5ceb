//! The data platform under the VM: org data and transactions, SOQL, DML,
//! triggers, custom settings, governor limits and debug logs.

pub mod builtins;
pub mod context;
pub mod database;
pub mod describe;
pub mod dml;
pub mod field_value;
pub mod formula;
pub mod ids;
pub mod log;
pub mod query;
pub mod rest;
pub mod save;
pub mod settings;
pub mod soql;
pub mod store;
pub mod triggers;
