//! Worlds: a folder that describes an instance, the publisher's LMO and
//! packages, and the subscriber orgs with their users, grants, code and data.
//!
//! [`load`] reads a folder (format: `docs/worlds.md`), [`check`] also compiles
//! each org's Apex and loads its data, [`default_world`] and [`resolve`] give
//! the default world embedded in the binary, and [`show`] prints a world as
//! tables.

mod check;
mod embedded;
mod error;
mod load;
pub mod model;
pub mod show;

pub use check::{Summary, check};
pub use embedded::{LoadedWorld, default_world, resolve};
pub use error::{WorldError, WorldErrors};
pub use load::{KNOWN_PERMISSIONS, load};
pub use model::*;
