//! What a failed scenario reports: the step, what was expected, what came
//! instead, and the last messages exchanged.

use std::fmt;
use std::path::PathBuf;

use serde_json::Value;

use super::error::ClientError;
use super::transcript::Direction;

/// Why a step failed.
#[derive(Debug)]
pub enum StepError {
    /// The adapter answered, but not as expected.
    Mismatch {
        /// What the scenario expected.
        expected: String,
        /// What came instead.
        actual: String,
    },
    /// The conversation itself broke (timeout, closed stream, schema violation).
    Client(ClientError),
    /// The scenario is wrong (bad marker, bad regex, missing thread).
    Scenario(String),
}

impl From<ClientError> for StepError {
    fn from(e: ClientError) -> Self {
        StepError::Client(e)
    }
}

pub(crate) fn mismatch(expected: impl Into<String>, actual: impl Into<String>) -> StepError {
    StepError::Mismatch {
        expected: expected.into(),
        actual: actual.into(),
    }
}

/// A failed scenario: which step, what was expected, what came, and the
/// last messages exchanged.
#[derive(Debug)]
pub struct Failure {
    /// Scenario file.
    pub scenario: PathBuf,
    /// 1-based step number; 0 when the run failed before its first step
    /// (a client or the shared sandbox that did not start).
    pub step: usize,
    /// Step name or action.
    pub name: String,
    /// The error.
    pub error: StepError,
    /// Last messages exchanged, oldest first.
    pub recent: Vec<(Direction, Value)>,
    /// Events received and never waited for.
    pub queued_events: Vec<String>,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.step == 0 {
            writeln!(
                f,
                "FAILED {} before its first step ({})",
                self.scenario.display(),
                self.name
            )?;
        } else {
            writeln!(
                f,
                "FAILED {} at step {} ({})",
                self.scenario.display(),
                self.step,
                self.name
            )?;
        }
        match &self.error {
            StepError::Mismatch { expected, actual } => {
                writeln!(f, "  expected: {expected}")?;
                writeln!(f, "  got:      {actual}")?;
            }
            StepError::Client(e) => writeln!(f, "  error:    {e}")?,
            StepError::Scenario(e) => writeln!(f, "  scenario error: {e}")?,
        }
        if !self.queued_events.is_empty() {
            writeln!(
                f,
                "  events received but not waited for: {}",
                self.queued_events.join(", ")
            )?;
        }
        writeln!(f, "  last {} messages:", self.recent.len())?;
        for (dir, msg) in &self.recent {
            let arrow = match dir {
                Direction::Send => "->",
                Direction::Recv => "<-",
            };
            let mut text = msg.to_string();
            if text.len() > 300 {
                let cut = (0..=300)
                    .rev()
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap_or(0);
                text.truncate(cut);
                text.push_str(" ...");
            }
            writeln!(f, "    {arrow} {text}")?;
        }
        Ok(())
    }
}
