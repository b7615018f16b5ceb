//! JSON with comments (JSONC), as VS Code reads `launch.json`: `//` and
//! `/* */` comments and trailing commas are allowed.
//!
//! Every node keeps its byte span, so an edit can insert text at a precise
//! place and leave the rest of the file (comments, order, layout) untouched.

use std::fmt;
use std::ops::Range;

use serde_json::Value;

/// A parsed value and where it sits in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Bytes of the value, from its first to its last character.
    pub span: Range<usize>,
    pub kind: Kind,
}

/// What a node is.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Object(Vec<Member>),
    Array(Vec<Node>),
    /// A string, decoded.
    String(String),
    /// A number, as written.
    Number(String),
    Bool(bool),
    Null,
}

/// One `"key": value` of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    /// Bytes of the key, quotes included.
    pub key_span: Range<usize>,
    pub value: Node,
}

/// Why a text is not JSONC, and where (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for ParseError {}

/// Parses a whole JSONC document: one value, with only whitespace and
/// comments around it.
pub fn parse(text: &str) -> Result<Node, ParseError> {
    let mut p = Parser { text, pos: 0 };
    if text.starts_with('\u{feff}') {
        p.pos = '\u{feff}'.len_utf8();
    }
    p.skip_trivia()?;
    let node = p.value(0)?;
    p.skip_trivia()?;
    if p.pos < text.len() {
        return Err(p.error("unexpected text after the end of the document"));
    }
    Ok(node)
}

/// Where trivia (whitespace and comments) after `from` ends, stopping at the
/// end of the text. Comments are assumed well formed: use it on parsed text.
pub fn skip_trivia(text: &str, from: usize) -> usize {
    let mut p = Parser { text, pos: from };
    let _ = p.skip_trivia();
    p.pos
}

/// Whether a text holds nothing but whitespace and well-formed comments.
pub fn is_blank(text: &str) -> bool {
    let mut p = Parser { text, pos: 0 };
    if text.starts_with('\u{feff}') {
        p.pos = '\u{feff}'.len_utf8();
    }
    p.skip_trivia().is_ok() && p.pos == text.len()
}

impl Node {
    /// The member `key` of an object node.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Object(members) => members.iter().find(|m| m.key == key).map(|m| &m.value),
            _ => None,
        }
    }

    /// The string, when this is a string node.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value as plain JSON.
    pub fn to_value(&self) -> Value {
        match &self.kind {
            Kind::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|m| (m.key.clone(), m.value.to_value()))
                    .collect(),
            ),
            Kind::Array(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            Kind::String(s) => Value::String(s.clone()),
            Kind::Number(n) => serde_json::from_str(n).unwrap_or(Value::Null),
            Kind::Bool(b) => Value::Bool(*b),
            Kind::Null => Value::Null,
        }
    }
}

/// Nesting deeper than this is refused rather than overflowing the stack.
const MAX_DEPTH: usize = 128;

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn bytes(&self) -> &[u8] {
        self.text.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.pos).copied()
    }

    fn error(&self, message: &str) -> ParseError {
        self.error_at(self.pos, message)
    }

    fn error_at(&self, pos: usize, message: &str) -> ParseError {
        let before = &self.text[..pos.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ParseError {
            line,
            column,
            message: message.to_string(),
        }
    }

    fn skip_trivia(&mut self) -> Result<(), ParseError> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.pos += 1,
                Some(b'/') => match self.bytes().get(self.pos + 1) {
                    Some(b'/') => {
                        let rest = &self.text[self.pos..];
                        self.pos += rest.find('\n').unwrap_or(rest.len());
                    }
                    Some(b'*') => {
                        let start = self.pos;
                        match self.text[self.pos + 2..].find("*/") {
                            Some(end) => self.pos += 2 + end + 2,
                            None => {
                                self.pos = self.text.len();
                                return Err(self.error_at(start, "unterminated /* comment"));
                            }
                        }
                    }
                    _ => return Err(self.error("unexpected `/`")),
                },
                _ => return Ok(()),
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, ParseError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        let start = self.pos;
        let kind = match self.peek() {
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Kind::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(b't') => self.word("true", Kind::Bool(true))?,
            Some(b'f') => self.word("false", Kind::Bool(false))?,
            Some(b'n') => self.word("null", Kind::Null)?,
            Some(_) => return Err(self.error("expected a value")),
            None => return Err(self.error("expected a value, found the end of the file")),
        };
        Ok(Node {
            span: start..self.pos,
            kind,
        })
    }

    fn object(&mut self, depth: usize) -> Result<Kind, ParseError> {
        self.pos += 1;
        let mut members = Vec::new();
        loop {
            self.skip_trivia()?;
            match self.peek() {
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Kind::Object(members));
                }
                Some(b'"') => {}
                _ => return Err(self.error("expected a \"key\" or `}`")),
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = key_start..self.pos;
            self.skip_trivia()?;
            if self.peek() != Some(b':') {
                return Err(self.error("expected `:` after the key"));
            }
            self.pos += 1;
            self.skip_trivia()?;
            let value = self.value(depth + 1)?;
            members.push(Member {
                key,
                key_span,
                value,
            });
            self.skip_trivia()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {}
                _ => return Err(self.error("expected `,` or `}`")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Kind, ParseError> {
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_trivia()?;
            if self.peek() == Some(b']') {
                self.pos += 1;
                return Ok(Kind::Array(items));
            }
            items.push(self.value(depth + 1)?);
            self.skip_trivia()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {}
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    fn string(&mut self) -> Result<String, ParseError> {
        let start = self.pos;
        self.pos += 1;
        loop {
            match self.peek() {
                Some(b'"') => break,
                Some(b'\\') => self.pos += 2,
                Some(b'\n') | None => return Err(self.error_at(start, "unterminated string")),
                Some(_) => self.pos += 1,
            }
        }
        self.pos += 1;
        let raw = self
            .text
            .get(start..self.pos)
            .ok_or_else(|| self.error_at(start, "unterminated string"))?;
        serde_json::from_str(raw).map_err(|e| self.error_at(start, &format!("bad string: {e}")))
    }

    fn number(&mut self) -> Result<Kind, ParseError> {
        let start = self.pos;
        while matches!(
            self.peek(),
            Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
        ) {
            self.pos += 1;
        }
        let raw = &self.text[start..self.pos];
        match serde_json::from_str::<serde_json::Number>(raw) {
            Ok(_) => Ok(Kind::Number(raw.to_string())),
            Err(_) => Err(self.error_at(start, &format!("bad number `{raw}`"))),
        }
    }

    fn word(&mut self, word: &str, kind: Kind) -> Result<Kind, ParseError> {
        if self.text[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(kind)
        } else {
            Err(self.error("expected a value"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_comments_and_trailing_commas() {
        let text = r#"
        // VS Code's own header
        {
            /* block
               comment */
            "version": "0.2.0", // trailing
            "configurations": [
                { "name": "a", "n": -1.5e3, "ok": true, "none": null, },
            ],
        }"#;
        let node = parse(text).unwrap();
        assert_eq!(
            node.to_value(),
            json!({"version": "0.2.0", "configurations": [{"name": "a", "n": -1.5e3, "ok": true, "none": null}]})
        );
        let version = node.get("version").unwrap();
        assert_eq!(&text[version.span.clone()], "\"0.2.0\"");
    }

    #[test]
    fn decodes_escapes_and_keeps_slashes_in_strings() {
        let node = parse(r#"{"url": "ws://x/y", "t": "a\"b\u00e9 // not a comment"}"#).unwrap();
        assert_eq!(node.get("url").unwrap().as_str(), Some("ws://x/y"));
        assert_eq!(
            node.get("t").unwrap().as_str(),
            Some("a\"bé // not a comment")
        );
    }

    #[test]
    fn says_where_the_text_is_broken() {
        let e = parse("{\n  \"a\": 1\n  \"b\": 2\n}").unwrap_err();
        assert_eq!((e.line, e.column), (3, 3));
        assert!(e.message.contains("expected `,` or `}`"), "{e}");
        assert!(parse("{\"a\": 1} x").is_err());
        assert!(parse("/* open").is_err());
        assert!(parse("").is_err());
        assert!(parse("[1,,]").is_err());
        assert!(parse(&"[".repeat(1000)).is_err());
    }

    #[test]
    fn skips_a_byte_order_mark() {
        assert_eq!(parse("\u{feff}{}").unwrap().to_value(), json!({}));
    }
}
