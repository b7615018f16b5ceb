//! The support engineer's command-line workflow, as a library: `isvdbg setup`
//! (an SFDX project for ISV debugging), `isvdbg exec` (anonymous Apex as a
//! subscriber user) and `isvdbg logs` (debug logs in either view).
//!
//! Everything here talks to the sandbox through its JSON API
//! (docs/sandbox-api.md), by URL or in-process; the command line only parses
//! options and prints.
//!
//! - [`target`]: which sandbox, and the connection to it.
//! - [`credentials`]: password and verification code, from the environment,
//!   a world's fixture credentials or the terminal.
//! - [`setup`], [`exec`], [`logs`]: the three workflows.
//! - [`project`]: the SFDX project layout and writer.
//! - [`session_file`]: `.isvdbg/session.json` (mode 0600, git-ignored).
//! - [`launch`] with [`jsonc`]: merging the `apex-isv` configuration into
//!   `.vscode/launch.json` without disturbing the rest of it.
//! - [`progress`]: one line per step.

pub mod answers;
pub mod credentials;
pub mod error;
pub mod exec;
mod fsutil;
pub mod jsonc;
pub mod launch;
pub mod logs;
pub mod progress;
pub mod project;
pub mod session_file;
pub mod setup;
pub mod target;

pub use error::WorkflowError;
pub use target::{Connected, SandboxRef, connect};
