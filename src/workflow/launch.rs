//! `.vscode/launch.json`: the `apex-isv` configuration that `isvdbg setup`
//! writes, merged into whatever the file already holds.
//!
//! The merge edits the text in place: the user's comments, key order, other
//! configurations and values are kept. A configuration with the same name gets
//! only the keys it is missing; a value the user changed stays as they left it.
//! A file that cannot be read as JSONC is refused, never overwritten.

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::fsutil;
use super::jsonc::{self, Kind, Node};
use super::target::SandboxRef;

/// The debugger type the VS Code extension contributes.
pub const DEBUG_TYPE: &str = "apex-isv";

/// Where the file lives in a project.
pub const LAUNCH_JSON: &str = ".vscode/launch.json";

/// A launch configuration: keys in the order they are written.
#[derive(Debug, Clone, PartialEq)]
pub struct LaunchConfig {
    entries: Vec<(String, Value)>,
}

impl LaunchConfig {
    /// The configuration for debugging `login_as` in a subscriber org.
    /// It names no secret: the debugger reads those from the session file or
    /// the environment.
    pub fn isv(
        org_name: &str,
        org_key: &str,
        login_as: &str,
        lmo_user: &str,
        sandbox: &SandboxRef,
    ) -> LaunchConfig {
        let mut entries: Vec<(String, Value)> = vec![
            (
                "name".into(),
                format!("Debug Apex (ISV) — {org_name}").into(),
            ),
            ("type".into(), DEBUG_TYPE.into()),
            ("request".into(), "launch".into()),
            ("salesforceProject".into(), "${workspaceFolder}".into()),
            ("subscriberOrg".into(), org_key.into()),
            ("loginAsUser".into(), login_as.into()),
            ("lmoUser".into(), lmo_user.into()),
        ];
        match sandbox {
            SandboxRef::Url(url) => entries.push(("sandbox".into(), url.as_str().into())),
            SandboxRef::Embedded { world } => {
                entries.push(("sandbox".into(), "embedded".into()));
                if let Some(world) = world {
                    entries.push(("world".into(), world.display().to_string().into()));
                }
            }
        }
        LaunchConfig { entries }
    }

    /// The configuration's `name`, which a re-run matches on.
    pub fn name(&self) -> &str {
        self.get("name").and_then(Value::as_str).unwrap_or_default()
    }

    /// A key's value.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The keys and values, in order.
    pub fn entries(&self) -> &[(String, Value)] {
        &self.entries
    }
}

/// What a merge did.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// There was no launch.json (or it was empty): a new one.
    Created,
    /// The configuration was added beside the others.
    Added,
    /// The configuration was there; these missing keys were filled in.
    Filled(Vec<String>),
    /// The configuration was there with every key: nothing written.
    Unchanged,
}

/// A key the user set to something else than setup would write; their value stays.
#[derive(Debug, Clone, PartialEq)]
pub struct Kept {
    pub key: String,
    pub yours: Value,
    pub ours: Value,
}

/// The merged text and what changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Merge {
    pub text: String,
    pub outcome: Outcome,
    pub kept: Vec<Kept>,
}

/// Why launch.json was left alone.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error(
        ".vscode/launch.json cannot be read ({0}); it was left unchanged: fix it, or move it away and run setup again"
    )]
    Unreadable(jsonc::ParseError),
    #[error(
        ".vscode/launch.json is not a JSON object; it was left unchanged: fix it, or move it away and run setup again"
    )]
    NotAnObject,
    #[error(
        "`configurations` in .vscode/launch.json is not a list; it was left unchanged: fix it and run setup again"
    )]
    ConfigurationsNotAList,
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Merges `config` into the project's launch.json and writes it when it changed.
pub fn write(project: &Path, config: &LaunchConfig) -> Result<Merge, LaunchError> {
    let path = project.join(LAUNCH_JSON);
    let io = |source| LaunchError::Io {
        path: path.clone(),
        source,
    };
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io(e)),
    };
    let merged = merge(existing.as_deref(), config)?;
    if merged.outcome != Outcome::Unchanged {
        fsutil::write_atomic(&path, merged.text.as_bytes(), None).map_err(io)?;
    }
    Ok(merged)
}

/// Merges `config` into launch.json's text (None when there is no file).
pub fn merge(existing: Option<&str>, config: &LaunchConfig) -> Result<Merge, LaunchError> {
    let text = match existing {
        Some(text) if !jsonc::is_blank(text) => text,
        blank => {
            // A file with only comments keeps them, above the new document.
            let mut text = blank.map(|t| t.trim_end().to_string()).unwrap_or_default();
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&fresh(config));
            return Ok(Merge {
                text,
                outcome: Outcome::Created,
                kept: Vec::new(),
            });
        }
    };
    let root = jsonc::parse(text).map_err(LaunchError::Unreadable)?;
    let Kind::Object(root_members) = &root.kind else {
        return Err(LaunchError::NotAnObject);
    };
    let unit = indent_unit(text, root_members.first().map(|m| m.key_span.start));
    let mut kept = Vec::new();
    let (edits, outcome) = match root.get("configurations") {
        None => {
            let edits = append(text, &root, &unit, &|indent| {
                format!(
                    "\"configurations\": [\n{indent}{unit}{}\n{indent}]",
                    render_object(config.entries(), &format!("{indent}{unit}"), &unit)
                )
            });
            (edits, Outcome::Added)
        }
        Some(list) => {
            let Kind::Array(items) = &list.kind else {
                return Err(LaunchError::ConfigurationsNotAList);
            };
            let same = items
                .iter()
                .find(|item| item.get("name").and_then(Node::as_str) == Some(config.name()));
            match same {
                None => {
                    let edits = append(text, list, &unit, &|indent| {
                        render_object(config.entries(), indent, &unit)
                    });
                    (edits, Outcome::Added)
                }
                Some(existing) => {
                    let mut missing = Vec::new();
                    for (key, ours) in config.entries() {
                        match existing.get(key) {
                            None => missing.push((key.clone(), ours.clone())),
                            Some(node) if node.to_value() != *ours => kept.push(Kept {
                                key: key.clone(),
                                yours: node.to_value(),
                                ours: ours.clone(),
                            }),
                            Some(_) => {}
                        }
                    }
                    if missing.is_empty() {
                        (Vec::new(), Outcome::Unchanged)
                    } else {
                        let keys = missing.iter().map(|(k, _)| k.clone()).collect();
                        let edits = append(text, existing, &unit, &|indent| {
                            render_members(&missing, indent)
                        });
                        (edits, Outcome::Filled(keys))
                    }
                }
            }
        }
    };
    let crlf = text.contains("\r\n");
    let mut out = text.to_string();
    let mut edits = edits;
    edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    for edit in edits {
        let new = if crlf {
            edit.text.replace('\n', "\r\n")
        } else {
            edit.text
        };
        out.replace_range(edit.range, &new);
    }
    Ok(Merge {
        text: out,
        outcome,
        kept,
    })
}

/// A new launch.json holding only `config`.
fn fresh(config: &LaunchConfig) -> String {
    let unit = "    ";
    format!(
        "{{\n{unit}\"version\": \"0.2.0\",\n{unit}\"configurations\": [\n{unit}{unit}{}\n{unit}]\n}}\n",
        render_object(config.entries(), &unit.repeat(2), unit)
    )
}

/// `{ "k": v, ... }`, its members at `indent` + `unit`, the `}` at `indent`.
fn render_object(entries: &[(String, Value)], indent: &str, unit: &str) -> String {
    format!(
        "{{\n{indent}{unit}{}\n{indent}}}",
        render_members(entries, &format!("{indent}{unit}"))
    )
}

/// `"k": v` pairs joined by `,` and a new line at `indent`.
fn render_members(entries: &[(String, Value)], indent: &str) -> String {
    entries
        .iter()
        .map(|(k, v)| format!("{}: {}", Value::from(k.as_str()), v))
        .collect::<Vec<_>>()
        .join(&format!(",\n{indent}"))
}

/// Replace `range` with `text`.
#[derive(Debug)]
struct Edit {
    range: Range<usize>,
    text: String,
}

/// The edits that add an item (made by `render`, given its indent) after the
/// last item of an object or array node.
fn append(text: &str, container: &Node, unit: &str, render: &dyn Fn(&str) -> String) -> Vec<Edit> {
    let open = container.span.start;
    let close = container.span.end - 1;
    let (first, last) = match &container.kind {
        Kind::Object(members) => (
            members.first().map(|m| m.key_span.start),
            members.last().map(|m| m.value.span.end),
        ),
        Kind::Array(items) => (
            items.first().map(|n| n.span.start),
            items.last().map(|n| n.span.end),
        ),
        _ => (None, None),
    };
    let closing_indent = leading_whitespace(text, close);
    let indent = first
        .and_then(|pos| own_line_indent(text, pos))
        .unwrap_or_else(|| format!("{closing_indent}{unit}"));
    let item = render(&indent);
    let Some(last) = last else {
        return if text[open + 1..close].trim().is_empty() {
            vec![Edit {
                range: open + 1..close,
                text: format!("\n{indent}{item}\n{closing_indent}"),
            }]
        } else {
            vec![Edit {
                range: open + 1..open + 1,
                text: format!("\n{indent}{item}"),
            }]
        };
    };
    let after = jsonc::skip_trivia(text, last);
    if text.as_bytes().get(after) == Some(&b',') {
        let at = end_of_line_if_trivia(text, after + 1);
        return vec![Edit {
            range: at..at,
            text: format!("\n{indent}{item}"),
        }];
    }
    let at = end_of_line_if_trivia(text, last);
    let added = format!("\n{indent}{item}");
    if at == last {
        vec![Edit {
            range: last..last,
            text: format!(",{added}"),
        }]
    } else {
        vec![
            Edit {
                range: last..last,
                text: ",".into(),
            },
            Edit {
                range: at..at,
                text: added,
            },
        ]
    }
}

/// The end of `pos`'s line when only whitespace or a `//` comment follows
/// `pos` on it (so an insertion goes after the comment), else `pos`.
fn end_of_line_if_trivia(text: &str, pos: usize) -> usize {
    let rest = &text[pos..];
    let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let line = line.strip_suffix('\r').unwrap_or(line);
    let t = line.trim_start();
    if t.is_empty() || t.starts_with("//") {
        pos + line.len()
    } else {
        pos
    }
}

/// The whitespace that starts `pos`'s line.
fn leading_whitespace(text: &str, pos: usize) -> String {
    let start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    text[start..pos]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}

/// The indent of `pos` when it is the first thing on its line.
fn own_line_indent(text: &str, pos: usize) -> Option<String> {
    let start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[start..pos];
    before
        .chars()
        .all(|c| c == ' ' || c == '\t')
        .then(|| before.to_string())
}

/// The file's indent step, read from the root's first member; four spaces
/// (VS Code's own) when it cannot be told.
fn indent_unit(text: &str, first_member: Option<usize>) -> String {
    first_member
        .and_then(|pos| own_line_indent(text, pos))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "    ".to_string())
}

#[cfg(test)]
mod tests;
