//! Apex tests: finding the @IsTest methods of a set of files and running each as
//! its own request in its own empty org (tests see no org data, as with
//! SeeAllData=false), after the class's @TestSetup methods.

use std::sync::Arc;

use super::interp::RequestEnv;
use super::platform::store::OrgStore;
use super::program::{Class, Program};
use super::types::FnId;
use super::{Entry, RunOutcome, run_request};

/// A test method.
#[derive(Debug, Clone)]
pub struct TestMethod {
    /// `Class.method`.
    pub name: String,
    pub func: FnId,
    /// The class's @TestSetup methods, run (and committed) before the test.
    pub setup: Vec<FnId>,
}

fn is_test_class(files: &[String], class: &Class) -> bool {
    files.iter().any(|f| class.file.as_ref() == f)
        && class.annotations.iter().any(|a| a == "istest")
}

fn has(prog: &Program, f: FnId, annotation: &str) -> bool {
    prog.func(f).annotations.iter().any(|a| a == annotation)
}

/// The test methods of the classes in `files` (file names such as `FooTest.cls`),
/// in class and line order; with `filter`, only those whose name contains it.
pub fn find(prog: &Program, files: &[String], filter: Option<&str>) -> Vec<TestMethod> {
    let mut out = Vec::new();
    for class in prog.classes.iter().filter(|c| is_test_class(files, c)) {
        let mut funcs: Vec<FnId> = class.methods.values().flatten().copied().collect();
        funcs.sort_by_key(|f| prog.func(*f).line);
        let setup: Vec<FnId> = funcs
            .iter()
            .copied()
            .filter(|f| has(prog, *f, "testsetup"))
            .collect();
        for f in funcs {
            let func = prog.func(f);
            if !(has(prog, f, "istest") && func.is_static && func.params.is_empty()) {
                continue;
            }
            let name = format!("{}.{}", class.qualified, func.name);
            if filter.is_none_or(|t| name.to_lowercase().contains(&t.to_lowercase())) {
                out.push(TestMethod {
                    name,
                    func: f,
                    setup: setup.clone(),
                });
            }
        }
    }
    out
}

/// Runs one test on this thread: its class's setup, then the test, in a fresh org.
/// The outcome is the setup's when the setup failed.
pub fn run(prog: &Program, test: &TestMethod) -> RunOutcome {
    let store = Arc::new(OrgStore::new(prog.schema.clone()));
    let env = || RequestEnv {
        store: Some(store.clone()),
        running_test: true,
        ..RequestEnv::default()
    };
    for s in &test.setup {
        let o = run_request(prog, &Entry::Method(*s), env(), None);
        if o.exception.is_some() {
            return o;
        }
    }
    run_request(prog, &Entry::Method(test.func), env(), None)
}
