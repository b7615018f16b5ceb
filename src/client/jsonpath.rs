//! A small path language into JSON values: `stackFrames[0].source.name`.
//!
//! Segments are object keys separated by `.`, each optionally followed by
//! `[index]`. `$` (or an empty path) is the value itself; a leading `$.` is
//! allowed. The same syntax names variables in scenarios
//! (`invoice.lines[0].amount`).

use serde_json::Value;

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// An object key (or a variable name).
    Key(String),
    /// An array index (or an indexed child).
    Index(usize),
}

/// Splits `path` into segments, or says what is wrong with it.
pub fn parse(path: &str) -> Result<Vec<Segment>, String> {
    let trimmed = path.trim();
    let rest = trimmed
        .strip_prefix("$.")
        .or_else(|| trimmed.strip_prefix('$'))
        .unwrap_or(trimmed);
    let mut segments = Vec::new();
    let mut chars = rest.chars().peekable();
    let mut key = String::new();
    let bad = |why: &str| format!("bad path `{path}`: {why}; write paths like `a.b[0].c`");
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if !key.is_empty() {
                    segments.push(Segment::Key(std::mem::take(&mut key)));
                } else if !matches!(segments.last(), Some(Segment::Index(_))) {
                    return Err(bad("empty name"));
                }
            }
            '[' => {
                if !key.is_empty() {
                    segments.push(Segment::Key(std::mem::take(&mut key)));
                }
                let mut digits = String::new();
                loop {
                    match chars.next() {
                        Some(']') => break,
                        Some(d) if d.is_ascii_digit() => digits.push(d),
                        _ => return Err(bad("an index must be `[digits]`")),
                    }
                }
                let index = digits.parse().map_err(|_| bad("empty index"))?;
                segments.push(Segment::Index(index));
            }
            c => key.push(c),
        }
    }
    if !key.is_empty() {
        segments.push(Segment::Key(key));
    }
    Ok(segments)
}

/// The value at `path` inside `root`, if there is one.
pub fn lookup<'a>(root: &'a Value, path: &str) -> Result<Option<&'a Value>, String> {
    let mut current = root;
    for segment in parse(path)? {
        let next = match (&segment, current) {
            (Segment::Key(k), Value::Object(map)) => map.get(k),
            (Segment::Index(i), Value::Array(items)) => items.get(*i),
            _ => None,
        };
        match next {
            Some(v) => current = v,
            None => return Ok(None),
        }
    }
    Ok(Some(current))
}

/// A value as text for regex matching: strings bare, others as JSON.
pub fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_keys_and_indexes() {
        assert_eq!(
            parse("invoice.lines[0].amount").unwrap(),
            vec![
                Segment::Key("invoice".into()),
                Segment::Key("lines".into()),
                Segment::Index(0),
                Segment::Key("amount".into()),
            ]
        );
        assert_eq!(parse("$").unwrap(), vec![]);
        assert_eq!(parse("$.a[1][2]").unwrap().len(), 3);
        assert!(parse("a[x]").is_err());
        assert!(parse("a..b").is_err());
    }

    #[test]
    fn looks_up_values() {
        let v = json!({"stackFrames": [{"name": "A.b", "line": 3}]});
        assert_eq!(
            lookup(&v, "stackFrames[0].name").unwrap(),
            Some(&json!("A.b"))
        );
        assert_eq!(lookup(&v, "stackFrames[1]").unwrap(), None);
        assert_eq!(lookup(&v, "$").unwrap(), Some(&v));
    }
}
