//! Worlds: a folder that describes an instance, the publisher's LMO and
//! packages, and the subscriber orgs with their users, grants, code and data.

pub mod model;

pub use model::*;
