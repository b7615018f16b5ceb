//! Problems found in a world: each names the file, the place in it, the cause
//! and the fix.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in a world's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorldError {
    /// The file, as reached from the folder the world was loaded from.
    pub file: PathBuf,
    /// 1-based line, when the problem has a place in the file.
    pub line: Option<u32>,
    /// 1-based column (in characters), when known.
    pub col: Option<u32>,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl WorldError {
    /// A problem with a whole file or folder (no line).
    pub fn file(file: impl Into<PathBuf>, message: impl Into<String>) -> WorldError {
        WorldError {
            file: file.into(),
            line: None,
            col: None,
            message: message.into(),
        }
    }

    /// A problem at `line:col` of `file`.
    pub fn at(file: impl Into<PathBuf>, line: u32, col: u32, message: impl Into<String>) -> Self {
        WorldError {
            file: file.into(),
            line: Some(line),
            col: Some(col),
            message: message.into(),
        }
    }
}

impl fmt::Display for WorldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.col {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

/// Every problem found in a world, in file order and then line order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorldErrors(pub Vec<WorldError>);

impl WorldErrors {
    /// The problems.
    pub fn iter(&self) -> std::slice::Iter<'_, WorldError> {
        self.0.iter()
    }

    /// How many problems there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Orders the problems by file (in the order the files were first
    /// reported) and then by place, dropping exact repeats.
    pub(crate) fn sorted(mut errors: Vec<WorldError>) -> WorldErrors {
        let mut files: Vec<PathBuf> = Vec::new();
        for e in &errors {
            if !files.contains(&e.file) {
                files.push(e.file.clone());
            }
        }
        let rank = |p: &Path| files.iter().position(|f| f == p).unwrap_or(usize::MAX);
        errors.sort_by(|a, b| {
            (rank(&a.file), a.line, a.col, &a.message).cmp(&(
                rank(&b.file),
                b.line,
                b.col,
                &b.message,
            ))
        });
        errors.dedup();
        WorldErrors(errors)
    }
}

impl fmt::Display for WorldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, e) in self.0.iter().enumerate() {
            if k > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for WorldErrors {}

impl<'a> IntoIterator for &'a WorldErrors {
    type Item = &'a WorldError;
    type IntoIter = std::slice::Iter<'a, WorldError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_problem_prints_as_file_line_col_on_its_own_line() {
        let errors = WorldErrors::sorted(vec![
            WorldError::at("w/world.toml", 9, 3, "second"),
            WorldError::file("w/orgs/x", "no org.toml"),
            WorldError::at("w/world.toml", 2, 1, "first"),
        ]);
        assert_eq!(
            errors.to_string(),
            "w/world.toml:2:1: first\nw/world.toml:9:3: second\nw/orgs/x: no org.toml"
        );
    }
}
