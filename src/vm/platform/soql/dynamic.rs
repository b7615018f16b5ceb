//! Dynamic SOQL text before and after tree-sitter: the SOQL grammar knows neither
//! `:name` binds nor `ALL ROWS`, so binds become numeric placeholders (remembered
//! by position) and a trailing `ALL ROWS` is cut off; and syntax errors become
//! Salesforce's `unexpected token: 'X'`.

use std::collections::HashMap;

use tree_sitter::Node;

use super::SoqlError;

/// A bind replaced by a placeholder.
#[derive(Debug, Clone)]
pub struct Placeholder {
    /// `name` or `a.b`.
    pub name: String,
    /// After `IN` / `NOT IN` / `INCLUDES` / `EXCLUDES`: the placeholder is a
    /// one-element list `(0)` standing for the whole bound collection.
    pub list: bool,
}

/// Dynamic query text ready for the SOQL grammar.
#[derive(Debug, Default)]
pub struct Prepared {
    pub text: String,
    /// Placeholder digit's byte offset in `text` → the bind it stands for.
    pub binds: HashMap<usize, Placeholder>,
    pub all_rows: bool,
    /// (offset in `text`, offset in the original, length in `text`, length in the
    /// original) per rewrite.
    edits: Vec<(usize, usize, usize, usize)>,
}

impl Prepared {
    /// The offset in the original text of an offset in `text`.
    pub fn original_offset(&self, pos: usize) -> usize {
        let mut delta: isize = 0;
        for &(new, old, new_len, old_len) in &self.edits {
            if pos < new {
                break;
            }
            if pos < new + new_len {
                return old;
            }
            delta = (old + old_len) as isize - (new + new_len) as isize;
        }
        (pos as isize + delta).max(0) as usize
    }
}

fn ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Rewrites binds to placeholders and strips a trailing `ALL ROWS`.
pub fn prepare(src: &str) -> Prepared {
    let b = src.as_bytes();
    let mut out = Prepared::default();
    let mut text = String::with_capacity(src.len() + 16);
    let mut i = 0;
    let mut copied = 0;
    let mut in_str = false;
    while i < b.len() {
        let c = b[i];
        if in_str {
            if c == b'\\' {
                i += 2;
                continue;
            }
            in_str = c != b'\'';
            i += 1;
            continue;
        }
        if c == b'\'' {
            in_str = true;
            i += 1;
            continue;
        }
        if c != b':' {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if j >= b.len() || !(b[j].is_ascii_alphabetic() || b[j] == b'_') {
            i += 1;
            continue;
        }
        let start = j;
        while j < b.len()
            && (ident_char(b[j]) || (b[j] == b'.' && b.get(j + 1).is_some_and(|&n| ident_char(n))))
        {
            j += 1;
        }
        text.push_str(&src[copied..i]);
        let prev = text.trim_end();
        let word_start = prev
            .rfind(|c: char| !c.is_ascii_alphabetic())
            .map(|p| p + 1)
            .unwrap_or(0);
        let word = prev[word_start..].to_ascii_uppercase();
        let list = matches!(word.as_str(), "IN" | "INCLUDES" | "EXCLUDES");
        let new_start = text.len();
        text.push_str(if list { " (0) " } else { " 0 " });
        let digit = new_start + if list { 2 } else { 1 };
        out.binds.insert(
            digit,
            Placeholder {
                name: src[start..j].to_string(),
                list,
            },
        );
        out.edits
            .push((new_start, i, text.len() - new_start, j - i));
        copied = j;
        i = j;
    }
    text.push_str(&src[copied..]);
    let trimmed = text.trim_end();
    let upper = trimmed.to_ascii_uppercase();
    if let Some(rest) = upper.strip_suffix("ROWS") {
        let rest = rest.trim_end();
        if rest.ends_with("ALL")
            && rest.len() < upper.len() - 4
            && rest[..rest.len() - 3].ends_with(|c: char| c.is_ascii_whitespace())
        {
            text.truncate(rest.len() - 3);
            out.all_rows = true;
        }
    }
    out.text = text;
    out
}

/// Words SOQL reserves; one used as a name is where a query went wrong.
const RESERVED: [&str; 20] = [
    "AND", "ASC", "DESC", "EXCLUDES", "FIRST", "FROM", "GROUP", "HAVING", "IN", "INCLUDES", "LAST",
    "LIKE", "LIMIT", "NOT", "NULL", "NULLS", "OR", "SELECT", "WHERE", "WITH",
];

fn preorder<'t>(n: Node<'t>, f: &mut dyn FnMut(Node<'t>) -> bool) -> bool {
    if f(n) {
        return true;
    }
    let mut c = n.walk();
    for ch in n.children(&mut c) {
        if preorder(ch, f) {
            return true;
        }
    }
    false
}

/// The text of the first token at or after `pos`, or `<EOF>`.
fn token_at(root: Node, src: &str, pos: usize) -> (String, usize) {
    let mut found = None;
    preorder(root, &mut |n| {
        if n.child_count() == 0
            && !n.is_missing()
            && n.start_byte() >= pos
            && n.end_byte() > n.start_byte()
        {
            found = Some(n);
            return true;
        }
        false
    });
    match found {
        Some(n) => (first_word(&src[n.byte_range()]).to_string(), n.start_byte()),
        None => ("<EOF>".to_string(), src.len()),
    }
}

fn first_word(s: &str) -> &str {
    s.split_whitespace().next().unwrap_or(s)
}

/// Salesforce's message for a query that does not parse: the token where it
/// went wrong, as near as tree-sitter's error recovery lets us tell.
pub fn syntax_error(root: Node, src: &str) -> SoqlError {
    let mut reserved = None;
    preorder(root, &mut |n| {
        let t = &src[n.byte_range()];
        if n.kind() == "identifier" && RESERVED.iter().any(|r| r.eq_ignore_ascii_case(t)) {
            reserved = Some((t.to_string(), n.start_byte()));
            return true;
        }
        false
    });
    let mut first = None;
    preorder(root, &mut |n| {
        if n.is_error() || n.is_missing() {
            first = Some(n);
            return true;
        }
        false
    });
    let (tok, at) = match (reserved, first) {
        (Some(r), _) => r,
        (None, Some(e)) if e.is_missing() => token_at(root, src, e.end_byte()),
        (None, Some(e)) => {
            let mut leaf = None;
            preorder(e, &mut |n| {
                if n.is_error() && n.child_count() == 0 && n.end_byte() > n.start_byte() {
                    leaf = Some(n);
                    return true;
                }
                false
            });
            match leaf {
                Some(l) => (first_word(&src[l.byte_range()]).to_string(), l.start_byte()),
                None => token_at(root, src, e.end_byte()),
            }
        }
        (None, None) => token_at(root, src, 0),
    };
    let end = (at + tok.len()).min(src.len());
    SoqlError::at(format!("unexpected token: '{tok}'"), at..end)
}
