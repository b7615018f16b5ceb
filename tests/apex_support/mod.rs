//! The `.apextest` case format and a runner for it.
//!
//! A file holds cases: `=== name`, optional `# comments`, then sections
//! `--- class Name.cls`, `--- anon`, `--- output`, `--- exception`, `--- compile-error`.

#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use isvdbg::vm::{self, SourceFile, interp::RequestEnv};

/// One conformance case.
#[derive(Debug, Default, Clone)]
pub struct Case {
    pub file: String,
    pub name: String,
    pub line: usize,
    pub classes: Vec<(String, String)>,
    pub anon: String,
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
        if let Some(name) = s.strip_prefix("class ") {
            c.classes.push((name.trim().to_string(), body));
        } else if let Some(name) = s.strip_prefix("trigger ") {
            c.classes.push((name.trim().to_string(), body));
        } else {
            match s.as_str() {
                "anon" => c.anon = body,
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
    let schema = Arc::new(isvdbg::vm::schema::standard::standard_schema());
    let files: Vec<SourceFile> = case
        .classes
        .iter()
        .map(|(n, t)| SourceFile::new(n.clone(), t.clone(), ""))
        .collect();
    let errs = |e: Vec<vm::CompileError>| Actual {
        output: vec![],
        exception: None,
        compile_errors: e.iter().map(|e| e.to_string()).collect(),
    };
    let base = match vm::compile_classes(&files, schema) {
        Ok(p) => p,
        Err(e) => return errs(e),
    };
    let (prog, entry) = match vm::compile_anonymous(&base, &case.anon) {
        Ok(x) => x,
        Err(e) => return errs(e),
    };
    let env = RequestEnv {
        cpu_limit,
        ..Default::default()
    };
    let out = vm::run_entry(&prog, entry, env);
    Actual {
        output: out
            .output
            .iter()
            .flat_map(|d| {
                d.message
                    .split('\n')
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect(),
        exception: out.exception.map(|e| e.to_string()),
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
