//! isvdbg: the ISV Customer Debugger for Apex.
//!
//! See ARCHITECTURE.md for the bird's-eye view and the code map.
