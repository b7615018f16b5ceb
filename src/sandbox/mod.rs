//! The sandbox runtime: the simulated Salesforce instance.

pub mod clock;
