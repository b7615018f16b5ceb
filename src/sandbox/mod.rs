//! The sandbox runtime: the simulated Salesforce instance.

pub mod auth;
pub mod clock;
