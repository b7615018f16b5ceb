//! Everything exchanged with the adapter: recorded to a file on request,
//! checked against the DAP schema on request, and kept in a short ring for
//! failure reports.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::schema::SchemaValidator;

/// How many messages a failure report shows.
pub const RECENT: usize = 8;

/// Which way a message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Client to adapter.
    Send,
    /// Adapter to client.
    Recv,
}

impl Direction {
    /// `send` or `recv`, as in the recording.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Send => "send",
            Direction::Recv => "recv",
        }
    }
}

/// A recording several connections write to, each line tagged with its
/// connection (`{"conn":2,"dir":..,"msg":..}`), in the order messages went.
pub type SharedRecording = Arc<Mutex<BufWriter<File>>>;

enum Record {
    Own(BufWriter<File>),
    Shared(SharedRecording, u32),
}

/// The transcript of one client connection.
#[derive(Default)]
pub struct Transcript {
    record: Option<Record>,
    schema: Option<Arc<SchemaValidator>>,
    recent: VecDeque<(Direction, Value)>,
}

impl Transcript {
    /// Appends every message to `path` as JSON lines `{"dir":..,"msg":..}`.
    pub fn record_to(&mut self, path: &Path) -> std::io::Result<()> {
        let file = File::options()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!("could not open the recording {}: {e}", path.display()),
                )
            })?;
        self.record = Some(Record::Own(BufWriter::new(file)));
        Ok(())
    }

    /// Writes every message to `shared` as connection `conn`.
    pub fn record_shared(&mut self, shared: SharedRecording, conn: u32) {
        self.record = Some(Record::Shared(shared, conn));
    }

    /// Checks every received message against `schema`.
    pub fn validate_with(&mut self, schema: Arc<SchemaValidator>) {
        self.schema = Some(schema);
    }

    /// Notes a message; for received ones, returns the first schema violation.
    pub fn note(&mut self, dir: Direction, msg: &Value) -> Result<(), String> {
        // A recording that cannot be written must not hide the run's outcome.
        match &mut self.record {
            Some(Record::Own(record)) => {
                let line = json!({ "dir": dir.as_str(), "msg": msg });
                let _ = writeln!(record, "{line}").and_then(|_| record.flush());
            }
            Some(Record::Shared(shared, conn)) => {
                let line = json!({ "conn": conn, "dir": dir.as_str(), "msg": msg });
                let mut record = shared.lock().unwrap_or_else(|p| p.into_inner());
                let _ = writeln!(record, "{line}").and_then(|_| record.flush());
            }
            None => {}
        }
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back((dir, msg.clone()));
        match (&self.schema, dir) {
            (Some(schema), Direction::Recv) => schema.check(msg),
            _ => Ok(()),
        }
    }

    /// The last few messages, oldest first.
    pub fn recent(&self) -> Vec<(Direction, Value)> {
        self.recent.iter().cloned().collect()
    }
}
