//! Debug logs in Salesforce's format.

/// Writes a request's debug log.
#[derive(Debug, Default)]
pub struct LogWriter {
    pub lines: Vec<String>,
}

impl LogWriter {
    /// A code unit begins.
    pub fn code_unit_start(&mut self, what: &str) {
        self.lines
            .push(format!("CODE_UNIT_STARTED|[EXTERNAL]|{what}"));
    }

    /// A code unit ends.
    pub fn code_unit_end(&mut self) {
        self.lines.push("CODE_UNIT_FINISHED".into());
    }

    /// A DML operation begins.
    pub fn dml_begin(&mut self, line: u32, op: &str, ty: &str, rows: usize) {
        self.lines
            .push(format!("DML_BEGIN|[{line}]|Op:{op}|Type:{ty}|Rows:{rows}"));
    }

    /// The DML operation ends.
    pub fn dml_end(&mut self, line: u32) {
        self.lines.push(format!("DML_END|[{line}]"));
    }
}
