//! isvdbg: the ISV Customer Debugger for Apex.
//!
//! See ARCHITECTURE.md for the bird's-eye view and the code map.

pub mod bridge;
pub mod cli;
pub mod client;
pub mod dap;
pub mod demo;
pub mod sandbox;
pub mod sfdx;
pub mod vm;
pub mod workflow;
pub mod world;
