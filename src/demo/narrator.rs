//! The demo's voice: numbered acts, what happens, and whether it behaved as
//! documented. Colour only when stdout is a terminal.

use std::io::{IsTerminal, Write};

/// Prints the story.
#[derive(Debug)]
pub struct Narrator {
    color: bool,
    step: bool,
    act: usize,
}

const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const GREEN: &str = "\x1b[32m";
const RED: &str = "\x1b[31m";
const CYAN: &str = "\x1b[36m";
const RESET: &str = "\x1b[0m";

impl Narrator {
    /// Colour when stdout is a terminal; `step` waits for Enter between acts.
    pub fn new(step: bool) -> Narrator {
        Narrator {
            color: std::io::stdout().is_terminal(),
            step,
            act: 0,
        }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("{code}{text}{RESET}")
        } else {
            text.to_string()
        }
    }

    /// A heading for a part of the demo.
    pub fn part(&self, title: &str) {
        println!("\n{}", self.paint(BOLD, &format!("== {title} ==")));
    }

    /// Starts the next act.
    pub fn act(&mut self, title: &str) {
        if self.step && self.act > 0 {
            print!("{}", self.paint(DIM, "   (press Enter for the next act) "));
            let _ = std::io::stdout().flush();
            wait_for_enter();
        }
        self.act += 1;
        println!(
            "\n{}",
            self.paint(BOLD, &format!("{:>2}. {title}", self.act))
        );
    }

    /// What is happening.
    pub fn say(&self, text: &str) {
        for line in text.lines() {
            println!("    {line}");
        }
    }

    /// Something the product showed, quoted.
    pub fn show(&self, text: &str) {
        for line in text.lines() {
            println!("      {}", self.paint(CYAN, line));
        }
    }

    /// The act behaved as documented.
    pub fn ok(&self, text: &str) {
        println!("    {} {text}", self.paint(GREEN, "✓"));
    }

    /// The act did not behave as documented.
    pub fn fail(&self, text: &str) {
        println!("    {} {text}", self.paint(RED, "✗"));
    }
}

/// Reads one line of stdin (Enter, or the end of input). On a multi-threaded
/// runtime the worker steps aside, so the servers keep running meanwhile.
fn wait_for_enter() {
    let read = || {
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
    };
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(read)
        }
        _ => read(),
    }
}
