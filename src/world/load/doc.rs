//! Reading a TOML file so that every problem in it is reported, each at its
//! line and column: the document is parsed with spans, and each key (and each
//! element of a list) is deserialized on its own.

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use crate::world::error::WorldError;

/// Problems found so far.
pub(super) type Problems = Vec<WorldError>;

/// A TOML file's text and the path it is reported under.
pub(super) struct Doc {
    /// The path as shown in messages.
    pub file: PathBuf,
    text: String,
}

impl Doc {
    /// Reads `path`; a missing or unreadable file is a problem reported under `shown`.
    pub fn read(path: &Path, shown: PathBuf, what: &str, problems: &mut Problems) -> Option<Doc> {
        match std::fs::read_to_string(path) {
            Ok(text) => Some(Doc { file: shown, text }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                problems.push(WorldError::file(
                    shown,
                    format!("{what} is missing; create it (see docs/worlds.md)"),
                ));
                None
            }
            Err(e) => {
                problems.push(WorldError::file(shown, format!("cannot read it: {e}")));
                None
            }
        }
    }

    /// A document from text (for tests and embedded files).
    #[cfg(test)]
    pub fn from_text(file: &str, text: &str) -> Doc {
        Doc {
            file: file.into(),
            text: text.to_string(),
        }
    }

    /// Parses the document; syntax errors are reported and what could be read
    /// is returned.
    pub fn root<'d>(&'d self, problems: &mut Problems) -> Section<'d> {
        let (table, errors) = DeTable::parse_recoverable(&self.text);
        for e in errors {
            let span = e.span().unwrap_or(0..0);
            problems.push(self.error(
                span,
                format!("not valid TOML: {}; fix the syntax", e.message()),
            ));
        }
        let span = table.span();
        Section {
            doc: self,
            name: self.name(),
            table: table.into_inner(),
            span,
            known: Vec::new(),
        }
    }

    fn name(&self) -> String {
        self.file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// A problem at the start of `span`.
    pub fn error(&self, span: Range<usize>, message: impl Into<String>) -> WorldError {
        let (line, col) = self.line_col(span.start);
        WorldError::at(self.file.clone(), line, col, message)
    }

    fn line_col(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = self.text[line_start..offset].chars().count() + 1;
        (line as u32, col as u32)
    }

    /// Deserializes one value, reporting a failure at its place.
    pub fn parse<T: DeserializeOwned>(
        &self,
        value: Spanned<DeValue<'_>>,
        problems: &mut Problems,
    ) -> Option<Spanned<T>> {
        let span = value.span();
        match T::deserialize(ValueDeserializer::from(value)) {
            Ok(v) => Some(Spanned::new(span, v)),
            Err(e) => {
                let at = e.span().unwrap_or(span);
                problems.push(self.error(at, with_fix(e.message())));
                None
            }
        }
    }
}

/// Adds the fix to serde's message.
fn with_fix(message: &str) -> String {
    let fix = if message.starts_with("unknown field") {
        "remove it or correct its spelling (see docs/worlds.md)"
    } else if message.starts_with("missing field") {
        "add it (see docs/worlds.md)"
    } else if message.starts_with("unknown variant") {
        "use one of those"
    } else {
        "see docs/worlds.md for what this key holds"
    };
    format!("{message}; {fix}")
}

/// A table of a document whose keys are taken one at a time; what is left at
/// the end is unknown.
pub(super) struct Section<'d> {
    pub doc: &'d Doc,
    /// `world.toml` or `[lmo]`, for messages.
    name: String,
    table: DeTable<'d>,
    /// Where the table is (its header, or the whole file).
    pub span: Range<usize>,
    known: Vec<&'static str>,
}

impl<'d> Section<'d> {
    /// Takes an optional key.
    pub fn optional<T: DeserializeOwned>(
        &mut self,
        key: &'static str,
        problems: &mut Problems,
    ) -> Option<Spanned<T>> {
        self.known.push(key);
        let value = self.table.remove(key)?;
        self.doc.parse(value, problems)
    }

    /// Takes a required key; a missing one is reported with an example.
    pub fn required<T: DeserializeOwned>(
        &mut self,
        key: &'static str,
        example: &str,
        problems: &mut Problems,
    ) -> Option<Spanned<T>> {
        if !self.table.contains_key(key) {
            self.known.push(key);
            problems.push(self.doc.error(
                self.span.clone(),
                format!("{} has no `{key}`; add `{key} = {example}`", self.name),
            ));
            return None;
        }
        self.optional(key, problems)
    }

    /// Whether the table has `key` (without taking it).
    pub fn has(&self, key: &str) -> bool {
        self.table.contains_key(key)
    }

    /// Takes a list of tables (`[[publishers]]`), each as a section of its own;
    /// a missing list is empty. The flag is false when some element was not a
    /// table (it was reported).
    pub fn tables(
        &mut self,
        key: &'static str,
        problems: &mut Problems,
    ) -> (Vec<Section<'d>>, bool) {
        self.known.push(key);
        let Some(value) = self.table.remove(key) else {
            return (Vec::new(), true);
        };
        let span = value.span();
        let DeValue::Array(items) = value.into_inner() else {
            problems.push(self.doc.error(
                span,
                format!("`{key}` must be a list ([[{key}]] tables); see docs/worlds.md"),
            ));
            return (Vec::new(), false);
        };
        let mut sections = Vec::new();
        let mut complete = true;
        for item in items {
            let span = item.span();
            match item.into_inner() {
                DeValue::Table(table) => sections.push(Section {
                    doc: self.doc,
                    name: format!("[[{key}]]"),
                    table,
                    span,
                    known: Vec::new(),
                }),
                other => {
                    problems.push(self.doc.error(
                        span,
                        format!(
                            "each element of `{key}` must be a table ([[{key}]]), not {}; \
                             see docs/worlds.md",
                            other.type_str()
                        ),
                    ));
                    complete = false;
                }
            }
        }
        (sections, complete)
    }

    /// Takes a sub-table (`[lmo]`, or `[publishers.lmo]` inside a
    /// `[[publishers]]` element); None, after reporting, when it is missing or
    /// not a table.
    pub fn table(&mut self, key: &'static str, problems: &mut Problems) -> Option<Section<'d>> {
        self.known.push(key);
        let name = if self.name.starts_with('[') {
            format!("[{}.{key}]", self.name.trim_matches(['[', ']']))
        } else {
            format!("[{key}]")
        };
        let Some(value) = self.table.remove(key) else {
            problems.push(self.doc.error(
                self.span.clone(),
                format!(
                    "{} has no {name} table; add one (see docs/worlds.md)",
                    self.name
                ),
            ));
            return None;
        };
        let span = value.span();
        match value.into_inner() {
            DeValue::Table(table) => Some(Section {
                doc: self.doc,
                name,
                table,
                span,
                known: Vec::new(),
            }),
            other => {
                problems.push(self.doc.error(
                    span,
                    format!(
                        "`{key}` must be a table ({name}), not {}; see docs/worlds.md",
                        other.type_str()
                    ),
                ));
                None
            }
        }
    }

    /// Takes a list (`[[users]]` or `users = [...]`), each element deserialized
    /// on its own so that every bad element is reported. Missing means empty.
    pub fn list<T: DeserializeOwned>(
        &mut self,
        key: &'static str,
        problems: &mut Problems,
    ) -> Listed<T> {
        self.known.push(key);
        let mut listed = Listed {
            items: Vec::new(),
            complete: true,
        };
        let Some(value) = self.table.remove(key) else {
            return listed;
        };
        let span = value.span();
        let DeValue::Array(items) = value.into_inner() else {
            problems.push(self.doc.error(
                span,
                format!("`{key}` must be a list ([[{key}]] tables); see docs/worlds.md"),
            ));
            listed.complete = false;
            return listed;
        };
        for item in items {
            match self.doc.parse(item, problems) {
                Some(v) => listed.items.push(v),
                None => listed.complete = false,
            }
        }
        listed
    }

    /// Reports every key that was not taken.
    pub fn finish(self, problems: &mut Problems) {
        for key in self.table.keys() {
            let mut known = self.known.clone();
            known.sort_unstable();
            problems.push(self.doc.error(
                key.span(),
                format!(
                    "unknown key `{}` in {}; remove it or correct its spelling (known keys: {})",
                    key.get_ref(),
                    self.name,
                    known.join(", ")
                ),
            ));
        }
    }
}

/// The elements of a list that could be read.
pub(super) struct Listed<T> {
    pub items: Vec<Spanned<T>>,
    /// False when some element could not be read (it was reported): checks
    /// that need the whole list are then skipped, to avoid false alarms.
    pub complete: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        name: String,
    }

    #[test]
    fn every_bad_element_and_unknown_key_is_reported_at_its_line() {
        let doc = Doc::from_text(
            "w/world.toml",
            "colour = 1\n[[items]]\nname = \"a\"\n[[items]]\nnmae = \"b\"\n[[items]]\nname = 3\n",
        );
        let mut problems = Vec::new();
        let mut root = doc.root(&mut problems);
        let items = root.list::<Item>("items", &mut problems);
        root.finish(&mut problems);
        assert_eq!(items.items.len(), 1);
        assert!(!items.complete);
        let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 3, "{shown:#?}");
        assert!(shown[0].starts_with("w/world.toml:5:1: unknown field `nmae`"));
        assert!(shown[1].starts_with("w/world.toml:7:8: invalid type"));
        assert!(shown[2].starts_with("w/world.toml:1:1: unknown key `colour` in world.toml"));
    }

    #[test]
    fn syntax_errors_are_reported_and_the_rest_is_read() {
        let doc = Doc::from_text("w.toml", "a = \"x\"\nb = \n");
        let mut problems = Vec::new();
        let mut root = doc.root(&mut problems);
        let a: Option<Spanned<String>> = root.optional("a", &mut problems);
        assert_eq!(a.unwrap().into_inner(), "x");
        assert!(
            problems[0].to_string().starts_with("w.toml:2:"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_missing_required_key_names_an_example() {
        let doc = Doc::from_text("w/orgs/x/org.toml", "name = \"X\"\n");
        let mut problems = Vec::new();
        let mut root = doc.root(&mut problems);
        let _: Option<Spanned<String>> =
            root.required("edition", "\"Enterprise Edition\"", &mut problems);
        assert_eq!(
            problems[0].to_string(),
            "w/orgs/x/org.toml:1:1: org.toml has no `edition`; add `edition = \"Enterprise Edition\"`"
        );
    }
}
