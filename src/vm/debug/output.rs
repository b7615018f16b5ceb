//! What a debugged request tells its debugger as it runs, besides stops: its
//! `System.debug` lines, with the class and line that wrote each.

use super::{RequestDebugger, VmEvent};
use crate::vm::interp::Interp;

impl RequestDebugger {
    /// Reports the `System.debug` lines written since the last hook, as
    /// written by the frame that was on top then; remembers the frame on top now.
    /// Every frame push and pop passes through a hook, and each line is
    /// reported as it is written, so the writer is exact.
    pub(crate) fn report_output(&mut self, i: &Interp<'_>) {
        let top = i.frames.last().map(|f| f.func.file_class);
        if i.output.len() > self.reported {
            let file = self.writer.or(top).unwrap_or(0);
            let typeref = i.prog.class(file).typeref();
            for d in &i.output[self.reported..] {
                self.sink.event(
                    self.request,
                    VmEvent::Debug {
                        typeref: typeref.clone(),
                        line: d.line,
                        level: d.level.clone(),
                        message: d.message.clone(),
                    },
                );
            }
            self.reported = i.output.len();
        }
        if top.is_some() {
            self.writer = top;
        }
    }
}
