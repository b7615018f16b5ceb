//! The debugger hook: breakpoints, stepping, pausing and inspection of a stopped request.

use std::rc::Rc;

use super::interp::{Interp, R};
use super::value::Obj;

/// Per-request debugger state, owned by the request's interpreter.
#[derive(Debug, Default)]
pub struct RequestDebugger {}

impl RequestDebugger {
    /// Called before every statement while a debugger is attached.
    pub fn on_statement(&mut self, _i: &mut Interp<'_>) -> R<()> {
        Ok(())
    }

    /// Called when an exception is thrown.
    pub fn on_throw(&mut self, _i: &mut Interp<'_>, _exc: &Rc<Obj>, _caught: bool) {}

    /// Called after a frame is pushed; `depth` is the new depth.
    pub fn on_call(&mut self, _depth: usize) {}

    /// Called after a frame is popped; `depth` is the new depth.
    pub fn on_return(&mut self, _depth: usize) {}
}
