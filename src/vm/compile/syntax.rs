//! Parsing with tree-sitter-sfapex and small helpers over its syntax tree.

use std::sync::Arc;

use tree_sitter::{Node, Parser, Tree};

use super::CompileError;

/// What a source file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Class,
    Trigger,
    Anonymous,
}

/// A source file to compile.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// File name as it appears in errors (`Foo.cls`, `Trig.trigger`, `AnonymousBlock`).
    pub name: String,
    pub text: String,
    /// The namespace that owns the code (`acme`), or empty.
    pub namespace: String,
    pub kind: SourceKind,
}

impl SourceFile {
    /// A file whose kind follows from its extension.
    pub fn new(
        name: impl Into<String>,
        text: impl Into<String>,
        namespace: impl Into<String>,
    ) -> SourceFile {
        let name = name.into();
        let lower = name.to_ascii_lowercase();
        let kind = if lower.ends_with(".trigger") {
            SourceKind::Trigger
        } else if lower.ends_with(".cls") {
            SourceKind::Class
        } else {
            SourceKind::Anonymous
        };
        SourceFile {
            name,
            text: text.into(),
            namespace: namespace.into(),
            kind,
        }
    }
}

/// A parsed source file.
pub struct Parsed {
    pub file: Arc<str>,
    pub text: String,
    pub tree: Tree,
    pub namespace: String,
    pub kind: SourceKind,
}

thread_local! {
    static PARSER: std::cell::RefCell<Parser> = std::cell::RefCell::new({
        let mut p = Parser::new();
        p.set_language(&tree_sitter_sfapex::apex::LANGUAGE.into())
            .expect("the apex grammar loads");
        p
    });
}

/// Parses Apex source text.
pub fn parse_text(text: &str) -> Tree {
    PARSER.with(|p| {
        p.borrow_mut()
            .parse(text, None)
            .expect("parser has a language")
    })
}

/// Parses a file.
pub fn parse(f: &SourceFile) -> Parsed {
    Parsed {
        file: Arc::from(f.name.as_str()),
        tree: parse_text(&f.text),
        text: f.text.clone(),
        namespace: f.namespace.clone(),
        kind: f.kind,
    }
}

/// 1-based line and column of a node's start.
pub fn pos(n: Node) -> (u32, u32) {
    let p = n.start_position();
    (p.row as u32 + 1, p.column as u32 + 1)
}

/// The source text of a node.
pub fn text<'a>(n: Node, src: &'a str) -> &'a str {
    &src[n.byte_range()]
}

/// Named children, without comments.
pub fn children<'t>(n: Node<'t>) -> Vec<Node<'t>> {
    let mut c = n.walk();
    n.named_children(&mut c)
        .filter(|k| !is_comment(*k))
        .collect()
}

/// All children (named or not), without comments.
pub fn all_children<'t>(n: Node<'t>) -> Vec<Node<'t>> {
    let mut c = n.walk();
    n.children(&mut c).filter(|k| !is_comment(*k)).collect()
}

/// Whether a node is a comment.
pub fn is_comment(n: Node) -> bool {
    matches!(n.kind(), "line_comment" | "block_comment")
}

/// The first named child of a kind.
pub fn child_of_kind<'t>(n: Node<'t>, kind: &str) -> Option<Node<'t>> {
    children(n).into_iter().find(|c| c.kind() == kind)
}

/// Every syntax error in a tree, in Salesforce's words where possible.
pub fn syntax_errors(p: &Parsed) -> Vec<CompileError> {
    let mut out = Vec::new();
    collect_errors(p.tree.root_node(), p, &mut out);
    out
}

fn collect_errors(n: Node, p: &Parsed, out: &mut Vec<CompileError>) {
    if !n.has_error() {
        return;
    }
    if n.is_missing() {
        let (line, col) = pos(n);
        out.push(CompileError::new(
            &p.file,
            line,
            col,
            format!("Missing '{}'", n.kind()),
        ));
        return;
    }
    if n.is_error() {
        let (line, col) = pos(n);
        let t = text(n, &p.text);
        let first = t.split_whitespace().next().unwrap_or(t);
        let first: String = first.chars().take(40).collect();
        out.push(CompileError::new(
            &p.file,
            line,
            col,
            format!("Unexpected token '{first}'."),
        ));
        return;
    }
    let mut c = n.walk();
    for ch in n.children(&mut c) {
        collect_errors(ch, p, out);
    }
}

/// Modifiers of a declaration: lower-case keywords and annotation names.
#[derive(Debug, Default, Clone)]
pub struct Modifiers {
    pub words: Vec<String>,
    pub annotations: Vec<String>,
    /// Annotation arguments: (annotation, lower-case key, value as written, strings decoded).
    pub annotation_args: Vec<(String, String, String)>,
}

impl Modifiers {
    /// Whether a keyword is present (`static`, `virtual`, ...).
    pub fn has(&self, w: &str) -> bool {
        self.words.iter().any(|x| x == w)
    }

    /// Whether an annotation is present (lower-case name without `@`).
    pub fn has_annotation(&self, a: &str) -> bool {
        self.annotations.iter().any(|x| x == a)
    }
}

/// Reads the `modifiers` child of a declaration.
pub fn modifiers(n: Node, src: &str) -> Modifiers {
    let mut m = Modifiers::default();
    for c in children(n) {
        if c.kind() != "modifiers" {
            continue;
        }
        for k in children(c) {
            match k.kind() {
                "annotation" => {
                    if let Some(name) = k.child_by_field_name("name") {
                        let a = text(name, src).to_ascii_lowercase();
                        if let Some(args) = k.child_by_field_name("arguments") {
                            for kv in children(args) {
                                let key = kv.child_by_field_name("key");
                                let value = kv.child_by_field_name("value");
                                if let (Some(key), Some(value)) = (key, value) {
                                    let v = text(value, src);
                                    let v = if value.kind() == "string_literal" {
                                        string_literal(v)
                                    } else {
                                        v.to_string()
                                    };
                                    m.annotation_args.push((
                                        a.clone(),
                                        text(key, src).to_ascii_lowercase(),
                                        v,
                                    ));
                                }
                            }
                        }
                        m.annotations.push(a);
                    }
                }
                "modifier" => {
                    let t = text(k, src).to_ascii_lowercase();
                    m.words
                        .push(t.split_whitespace().collect::<Vec<_>>().join(" "));
                }
                _ => {}
            }
        }
    }
    m
}

/// Decodes an Apex string literal (single quotes, backslash escapes).
pub fn string_literal(raw: &str) -> String {
    let inner = raw
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .unwrap_or(raw);
    let mut out = String::with_capacity(inner.len());
    let mut it = inner.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let hex: String = it.by_ref().take(4).collect();
                if let Some(ch) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    out.push(ch);
                }
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}
