//! One line per step, as the work goes.
//!
//! On a terminal the step being worked on shows as `… Logging in` and is
//! replaced by its outcome (`✓ Logged in ...`), with colour. Anywhere else
//! (a pipe, a file, CI) only the outcomes are written, one plain line each.

use std::io::{IsTerminal, Write};

/// Writes progress lines to `W`.
#[derive(Debug)]
pub struct Progress<W: Write> {
    out: W,
    terminal: bool,
    pending: bool,
}

impl Progress<std::io::Stdout> {
    /// Progress on stdout, decorated when stdout is a terminal.
    pub fn stdout() -> Self {
        let out = std::io::stdout();
        let terminal = out.is_terminal();
        Progress::new(out, terminal)
    }
}

impl Progress<std::io::Stderr> {
    /// Progress on stderr, decorated when stderr is a terminal.
    pub fn stderr() -> Self {
        let out = std::io::stderr();
        let terminal = out.is_terminal();
        Progress::new(out, terminal)
    }
}

impl<W: Write> Progress<W> {
    /// Progress on `out`; `terminal` turns on the live line and colour.
    pub fn new(out: W, terminal: bool) -> Self {
        Progress {
            out,
            terminal,
            pending: false,
        }
    }

    /// The step now being worked on (shown on terminals only).
    pub fn step(&mut self, text: &str) {
        if self.terminal {
            self.clear();
            let _ = write!(self.out, "\x1b[2m… {text}\x1b[0m");
            let _ = self.out.flush();
            self.pending = true;
        }
    }

    /// A step that succeeded.
    pub fn done(&mut self, text: &str) {
        self.line("✓", "32", text);
    }

    /// Something worth knowing that is not a step.
    pub fn note(&mut self, text: &str) {
        self.line("ℹ", "36", text);
    }

    /// Something that went wrong but did not stop the work.
    pub fn warn(&mut self, text: &str) {
        self.line("!", "33", text);
    }

    /// The writer, back.
    pub fn into_inner(self) -> W {
        self.out
    }

    fn line(&mut self, mark: &str, colour: &str, text: &str) {
        self.clear();
        let _ = if self.terminal {
            writeln!(self.out, "\x1b[{colour}m{mark}\x1b[0m {text}")
        } else {
            writeln!(self.out, "{mark} {text}")
        };
        let _ = self.out.flush();
    }

    /// Takes the live step line away (before writing elsewhere, such as an
    /// error on stderr).
    pub fn clear(&mut self) {
        if self.pending {
            let _ = write!(self.out, "\r\x1b[2K");
            self.pending = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_output_has_only_outcome_lines() {
        let mut p = Progress::new(Vec::new(), false);
        p.step("Logging in");
        p.done("Logged in");
        p.note("Embedded");
        p.warn("Skipped");
        p.step("Retrieving");
        p.clear();
        let text = String::from_utf8(p.into_inner()).unwrap();
        assert_eq!(text, "✓ Logged in\nℹ Embedded\n! Skipped\n");
    }

    #[test]
    fn a_terminal_sees_the_step_replaced_by_its_outcome() {
        let mut p = Progress::new(Vec::new(), true);
        p.step("Logging in");
        p.done("Logged in");
        let text = String::from_utf8(p.into_inner()).unwrap();
        assert!(text.starts_with("\x1b[2m… Logging in"));
        assert!(
            text.contains("\r\x1b[2K\x1b[32m✓\x1b[0m Logged in\n"),
            "{text:?}"
        );
    }
}
