//! Finds lines by marker comments (`// #BP1`) so that tests never hard-code
//! a line number that an edit would shift.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Reads source files once and answers "which line holds `#BP1`?".
#[derive(Default)]
pub struct Markers {
    files: HashMap<PathBuf, String>,
}

impl Markers {
    /// The 1-based line of `marker` (with or without its `#`) in `file`.
    /// The marker must appear exactly once, as a whole word.
    pub fn line_of(&mut self, file: &Path, marker: &str) -> Result<i64, String> {
        let marker = format!("#{}", marker.trim_start_matches('#'));
        if !self.files.contains_key(file) {
            let text = std::fs::read_to_string(file).map_err(|e| {
                format!(
                    "could not read {} to find marker {marker}: {e}; paths are relative to the scenario file",
                    file.display()
                )
            })?;
            self.files.insert(file.to_owned(), text);
        }
        let text = &self.files[file];
        let hits: Vec<i64> = text
            .lines()
            .enumerate()
            .filter(|(_, line)| contains_word(line, &marker))
            .map(|(i, _)| i as i64 + 1)
            .collect();
        match hits.as_slice() {
            [line] => Ok(*line),
            [] => Err(format!(
                "marker {marker} is not in {}; add a comment `// {marker}` on the line",
                file.display()
            )),
            many => Err(format!(
                "marker {marker} is on lines {many:?} of {}; each marker must be unique",
                file.display()
            )),
        }
    }
}

/// `marker` occurs in `line` and is not the prefix of a longer name (`#BP1` vs `#BP10`).
fn contains_word(line: &str, marker: &str) -> bool {
    line.match_indices(marker).any(|(i, _)| {
        let after = line[i + marker.len()..].chars().next();
        !matches!(after, Some(c) if c.is_alphanumeric() || c == '_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_unique_markers() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("A.cls");
        std::fs::write(&file, "a\nb // #BP1\nc // #BP10\nd // #DUP\ne // #DUP\n").unwrap();
        let mut m = Markers::default();
        assert_eq!(m.line_of(&file, "#BP1"), Ok(2));
        assert_eq!(m.line_of(&file, "BP10"), Ok(3));
        assert!(m.line_of(&file, "#BP2").unwrap_err().contains("not in"));
        assert!(m.line_of(&file, "#DUP").unwrap_err().contains("unique"));
    }
}
