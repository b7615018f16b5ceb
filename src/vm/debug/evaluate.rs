//! Evaluating Apex expressions in a stopped frame: the debug console, watches,
//! breakpoint conditions, logpoint messages and set-variable values.

use std::time::Duration;

use super::RequestDebugger;
use super::inspect::visible_locals;
use crate::vm::compile::{EvalScope, compile_expression};
use crate::vm::interp::Interp;
use crate::vm::value::Value;

/// CPU an evaluation may use before it is stopped.
const EVAL_CPU: Duration = Duration::from_secs(2);

impl RequestDebugger {
    /// Compiles and runs an expression in frame `frame` (0 = innermost).
    pub(crate) fn evaluate_in(
        &mut self,
        i: &mut Interp<'_>,
        frame: usize,
        text: &str,
    ) -> Result<Value, String> {
        let n = i.frames.len();
        let pos = n
            .checked_sub(frame + 1)
            .ok_or_else(|| format!("No frame {frame}: the request has {n} frames"))?;
        let func = i.frames[pos].func;
        let scope = EvalScope {
            class: func.class,
            is_static: func.is_static,
            namespace: i.prog.class(func.class).namespace.clone(),
            locals: visible_locals(i, frame),
        };
        let (expr, strings) = compile_expression(i.prog, &scope, text).map_err(|errs| {
            errs.iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join("; ")
        })?;
        match i.eval_in_frame(pos, &expr, strings, EVAL_CPU) {
            Ok(v) => Ok(v),
            Err(t) => Err(crate::vm::describe_throw(i, &t).to_string()),
        }
    }

    /// Replaces each `{expression}` in a logpoint message with its value.
    pub(super) fn interpolate(&mut self, i: &mut Interp<'_>, frame: usize, msg: &str) -> String {
        let mut out = String::new();
        let mut rest = msg;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                out.push_str(&rest[open..]);
                return out;
            };
            let expr = &after[..close];
            match self.evaluate_in(i, frame, expr) {
                Ok(v) => out.push_str(&i.to_display(&v).unwrap_or_default()),
                Err(e) => out.push_str(&format!("{{error: {e}}}")),
            }
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        out
    }
}
