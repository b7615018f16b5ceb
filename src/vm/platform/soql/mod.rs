//! SOQL: parsing inline and dynamic queries, and running them over a transaction's view.
//!
//! The compiler hands [`parse_inline`] the `query_expression` (or `soql_query_body`)
//! node of an Apex `[SELECT ...]`; it compiles each `:expr` bind itself and tells
//! the parser the index it gave it. `Database.query` hands [`parse_dynamic`] the
//! string; its `:name` binds stay names. Both resolve every name against the
//! schema (namespace-aware, see [`NameContext`]) and give a [`Query`] whose names
//! are canonical, or a [`SoqlError`] in Salesforce's words.
//!
//! [`execute`] runs a query over a [`View`] (the org's records under a
//! transaction's changes), asking the caller for bind values by [`BindRef`]. It
//! runs inside the lock on the org data, so it filters records in place and
//! copies only the sort keys and ids of the matches; the rows that survive
//! ORDER BY, OFFSET and LIMIT are then looked up again and projected.
//!
//! Grammar limits (tree-sitter-sfapex): `NOT` directly after `AND`/`OR` does not
//! parse (`A = 1 AND NOT B = 2`); write `A = 1 AND (NOT B = 2)`. A leading `NOT`
//! parses with or without parentheses (`NOT (A > 1)`, `NOT A > 1`).

mod aggregate;
pub mod ast;
mod dates;
mod dynamic;
pub mod exec;
mod literals;
mod names;
pub mod parse;
mod project;
mod values;

#[cfg(test)]
mod tests;

use std::fmt;
use std::ops::Range;

use super::field_value::FieldValue;
use crate::vm::schema::Schema;
use crate::vm::types::SObjectTypeId;

pub use ast::{BindRef, Operand, Query};
pub use exec::execute;
pub use parse::{parse_dynamic, parse_inline};

/// A SOQL error, worded as Salesforce words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoqlError {
    pub message: String,
    /// Where in the source (inline: the Apex file; dynamic: the query string) the
    /// problem is, as a byte range, when known.
    pub span: Option<Range<usize>>,
}

impl SoqlError {
    /// An error with no position.
    pub fn new(message: impl Into<String>) -> SoqlError {
        SoqlError {
            message: message.into(),
            span: None,
        }
    }

    /// An error at a byte range of the source.
    pub fn at(message: impl Into<String>, span: Range<usize>) -> SoqlError {
        SoqlError {
            message: message.into(),
            span: Some(span),
        }
    }
}

impl fmt::Display for SoqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SoqlError {}

/// What names in a query are resolved against: the org's schema, and the namespace
/// of the code that wrote the query (empty outside a managed package). Inside
/// namespace `acme`, `Invoice__c` may mean `acme__Invoice__c`, `Amount__c`
/// `acme__Amount__c` and `Account__r` `acme__Account__r`; a name is tried as
/// written first.
#[derive(Debug, Clone, Copy)]
pub struct NameContext<'a> {
    pub schema: &'a Schema,
    pub namespace: &'a str,
}

/// A bind value the caller supplies at run time.
#[derive(Debug, Clone, PartialEq)]
pub enum BindValue {
    /// A single value.
    One(FieldValue),
    /// A list or set, for `IN` / `NOT IN` / `INCLUDES` / `EXCLUDES`.
    Many(Vec<FieldValue>),
    /// A list of sObjects: compared by their ids.
    Records(Vec<String>),
}

/// What a query gives.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryResult {
    /// Records.
    Rows(Vec<Row>),
    /// `SELECT COUNT()`: the number of matching records (after OFFSET and LIMIT).
    Count(i64),
    /// Aggregate functions and/or GROUP BY: one row per group.
    Aggregates(Vec<AggregateRow>),
}

/// One record of a query result.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub ty: SObjectTypeId,
    /// The 18-character id.
    pub id: String,
    /// (canonical API name, value) for each selected field; `Id` always comes first.
    pub fields: Vec<(String, FieldValue)>,
    /// (relationship name such as `Account` or `acme__Invoice__r`, the parent) for
    /// each parent path selected; `None` when the lookup is empty.
    pub parents: Vec<(String, Option<Row>)>,
    /// (child relationship name such as `Contacts`, the children) per subquery.
    pub children: Vec<(String, Vec<Row>)>,
    /// Lower-case names queried on this row: fields and relationship names; always
    /// includes `id`.
    pub queried: Vec<String>,
}

impl Row {
    /// A selected field's value, by API name (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&FieldValue> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// A selected parent, by relationship name (case-insensitive).
    pub fn parent(&self, rel: &str) -> Option<Option<&Row>> {
        self.parents
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(rel))
            .map(|(_, r)| r.as_ref())
    }

    /// A subquery's rows, by child relationship name (case-insensitive).
    pub fn children_of(&self, rel: &str) -> Option<&[Row]> {
        self.children
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(rel))
            .map(|(_, r)| r.as_slice())
    }
}

/// One row of an aggregate query.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateRow {
    /// (alias; or `expr0`, `expr1`, ... for unaliased aggregates and date
    /// functions; or the field name for grouped fields, value).
    pub fields: Vec<(String, FieldValue)>,
}

impl AggregateRow {
    /// A column by name (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&FieldValue> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }
}
