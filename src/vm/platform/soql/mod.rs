//! SOQL: parsing inline and dynamic queries, and running them over a transaction's view.
