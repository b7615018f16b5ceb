#![allow(dead_code)]
//! The `.apextest` case format and a runner for it.
//!
//! A file holds cases: `=== name`, optional `# comments`, then sections:
//! `--- class [ns:]Name.cls`, `--- trigger [ns:]Name.trigger` (package code when
//! `ns:` is given), `--- object [ns:]Name` (see `objects.rs`), `--- data` (records in
//! `sf data tree` JSON), `--- isv-access ns` (the request may use that package's
//! protected settings), `--- anon`, `--- after` (a second request), `--- output`,
//! `--- exception`, `--- compile-error` (`File:LINE: text`).

mod objects;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use isvdbg::vm::platform::store::OrgStore;
use isvdbg::vm::{self, SourceFile, interp::RequestEnv};

/// One conformance case.
#[derive(Debug, Default, Clone)]
pub struct Case {
    pub file: String,
    pub name: String,
    pub line: usize,
    /// (namespace, file name, source) of classes and triggers.
    pub classes: Vec<(String, String, String)>,
    /// (`[ns:]Name` header, body) of object definitions.
    pub objects: Vec<(String, String)>,
    pub data: Vec<String>,
    pub isv_access: Vec<String>,
    pub anon: String,
    pub after: Option<String>,
    pub output: Vec<String>,
    pub exception: Option<String>,
    pub compile_errors: Vec<String>,
}

/// Parses a `.apextest` file.
pub fn parse_cases(path: &Path) -> Vec<Case> {
    let text = std::fs::read_to_string(path).expect("readable case file");
    let file = path.file_name().unwrap().to_string_lossy().to_string();
    let mut cases = Vec::new();
    let mut cur: Option<Case> = None;
    let mut section: Option<String> = None;
    let mut buf: Vec<String> = Vec::new();
    let flush = |cur: &mut Option<Case>, section: &Option<String>, buf: &mut Vec<String>| {
        let Some(c) = cur.as_mut() else { return };
        let Some(s) = section else {
            buf.clear();
            return;
        };
        while buf.last().is_some_and(|l| l.trim().is_empty()) {
            buf.pop();
        }
        let body = buf.join("\n");
        let split_ns = |h: &str| match h.trim().split_once(':') {
            Some((ns, n)) => (ns.to_string(), n.to_string()),
            None => (String::new(), h.trim().to_string()),
        };
        if let Some(name) = s
            .strip_prefix("class ")
            .or_else(|| s.strip_prefix("trigger "))
        {
            let (ns, file) = split_ns(name);
            c.classes.push((ns, file, body));
        } else if let Some(header) = s.strip_prefix("object ") {
            c.objects.push((header.trim().to_string(), body));
        } else if let Some(ns) = s.strip_prefix("isv-access ") {
            c.isv_access.push(ns.trim().to_string());
        } else {
            match s.as_str() {
                "anon" => c.anon = body,
                "after" => c.after = Some(body),
                "data" => c.data.push(body),
                "output" => c.output = buf.clone(),
                "exception" => c.exception = Some(body.trim().to_string()),
                "compile-error" => {
                    c.compile_errors = buf
                        .iter()
                        .filter(|l| !l.trim().is_empty())
                        .cloned()
                        .collect()
                }
                other => panic!("{}: unknown section {other}", c.name),
            }
        }
        buf.clear();
    };
    for (n, line) in text.lines().enumerate() {
        if let Some(name) = line.strip_prefix("=== ") {
            flush(&mut cur, &section, &mut buf);
            if let Some(c) = cur.take() {
                cases.push(c);
            }
            cur = Some(Case {
                file: file.clone(),
                name: name.trim().to_string(),
                line: n + 1,
                ..Default::default()
            });
            section = None;
            continue;
        }
        if let Some(s) = line.strip_prefix("--- ") {
            flush(&mut cur, &section, &mut buf);
            section = Some(s.trim().to_string());
            continue;
        }
        if section.is_none() {
            continue;
        }
        buf.push(line.to_string());
    }
    flush(&mut cur, &section, &mut buf);
    if let Some(c) = cur.take() {
        cases.push(c);
    }
    cases
}

/// What running a case produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actual {
    pub output: Vec<String>,
    pub exception: Option<String>,
    pub compile_errors: Vec<String>,
}

/// Compiles and runs a case on its own thread with a large stack, as a request would.
pub fn run_case(case: &Case, cpu_limit: Duration) -> Actual {
    let case = case.clone();
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || run_case_here(&case, cpu_limit))
        .expect("spawn")
        .join()
        .unwrap_or_else(|_| Actual {
            output: vec![],
            exception: Some("PANIC".into()),
            compile_errors: vec![],
        })
}

fn run_case_here(case: &Case, cpu_limit: Duration) -> Actual {
    let errs = |e: Vec<String>| Actual {
        output: vec![],
        exception: None,
        compile_errors: e,
    };
    let mut schema = isvdbg::vm::schema::standard::standard_schema();
    for (header, body) in &case.objects {
        if let Err(e) = objects::add_object(&mut schema, header, body) {
            panic!("{}: bad object section {header}: {e}", case.name);
        }
    }
    let schema = Arc::new(schema);
    let files: Vec<SourceFile> = case
        .classes
        .iter()
        .map(|(ns, n, t)| SourceFile::new(n.clone(), t.clone(), ns.clone()))
        .collect();
    let base = match vm::compile_classes(&files, schema.clone()) {
        Ok(p) => p,
        Err(e) => return errs(e.iter().map(|e| e.to_string()).collect()),
    };
    let store = Arc::new(OrgStore::new(schema));
    for data in &case.data {
        let mut f = tempfile::NamedTempFile::new().expect("temp file");
        std::io::Write::write_all(&mut f, data.as_bytes()).expect("write data");
        if let Err(e) = isvdbg::sfdx::data_tree::load_tree_file(f.path(), &store, "") {
            panic!("{}: bad data section: {e}", case.name);
        }
    }
    let mut output = Vec::new();
    let mut exception = None;
    for (k, anon) in std::iter::once(&case.anon)
        .chain(case.after.as_ref())
        .enumerate()
    {
        let (prog, entry) = match vm::compile_anonymous_with(&base, anon, &case.isv_access) {
            Ok(x) => x,
            Err(e) => return errs(e.iter().map(|e| e.to_string()).collect()),
        };
        let env = RequestEnv {
            cpu_limit,
            store: Some(store.clone()),
            isv_access: case.isv_access.clone(),
            ..Default::default()
        };
        let out = vm::run_entry(&prog, entry, env);
        output.extend(out.output.iter().flat_map(|d| {
            d.message
                .split('\n')
                .map(str::to_string)
                .collect::<Vec<_>>()
        }));
        if k == 0 {
            exception = out.exception.map(|e| e.to_string());
        } else if let Some(e) = out.exception {
            output.push(format!("(after) {e}"));
        }
    }
    Actual {
        output,
        exception,
        compile_errors: vec![],
    }
}

/// Compares a case's expectation with what happened; None when they agree.
pub fn check(case: &Case, actual: &Actual) -> Option<String> {
    if !case.compile_errors.is_empty() {
        for want in &case.compile_errors {
            let (loc, text) = want.split_once(": ").unwrap_or((want.as_str(), ""));
            let found = actual.compile_errors.iter().any(|got| {
                let mut parts = got.splitn(4, ':');
                let file = parts.next().unwrap_or("");
                let line = parts.next().unwrap_or("");
                let _col = parts.next();
                let msg = parts.next().unwrap_or("");
                format!("{file}:{line}") == loc && msg.contains(text)
            });
            if !found {
                return Some(format!(
                    "expected compile error `{want}`, got {:?} (output {:?}, exception {:?})",
                    actual.compile_errors, actual.output, actual.exception
                ));
            }
        }
        return None;
    }
    if !actual.compile_errors.is_empty() {
        return Some(format!(
            "unexpected compile errors: {:?}",
            actual.compile_errors
        ));
    }
    if actual.output != case.output {
        return Some(format!(
            "output differs\n  expected: {:?}\n  actual:   {:?}\n  exception: {:?}",
            case.output, actual.output, actual.exception
        ));
    }
    if actual.exception != case.exception {
        return Some(format!(
            "exception differs\n  expected: {:?}\n  actual:   {:?}",
            case.exception, actual.exception
        ));
    }
    None
}

/// Every case under a directory, in file order.
pub fn all_cases(dir: &Path) -> Vec<Case> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("case directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "apextest"))
        .collect();
    files.sort();
    files.iter().flat_map(|f| parse_cases(f)).collect()
}
