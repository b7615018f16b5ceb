//! Whole Apex requests on the data platform:
//! - `insert_10k_with_trigger`: anonymous Apex builds 10,000 Accounts and inserts
//!   them; a before-insert trigger touches every record (50 trigger runs of 200);
//! - `finest_log_100k_statements`: a loop of 100,000 statements with the debug
//!   log at FINEST, next to `no_log_100k_statements`, the same request unlogged.
//!
//! Run with `cargo bench --bench platform`; medians are in
//! `target/criterion/platform/*/new/estimates.json`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use isvdbg::vm::platform::log::LogLevels;
use isvdbg::vm::platform::store::OrgStore;
use isvdbg::vm::program::Program;
use isvdbg::vm::schema::standard::standard_schema;
use isvdbg::vm::types::FnId;
use isvdbg::vm::{self, SourceFile, interp::RequestEnv};

const TRIGGER: &str = "trigger AccountDefaults on Account (before insert) {
    for (Account a : Trigger.new) {
        if (a.Description == null) {
            a.Description = 'Imported ' + a.Name;
        }
    }
}";

const INSERT: &str = "List<Account> accounts = new List<Account>();
for (Integer i = 0; i < 10000; i++) {
    accounts.add(new Account(Name = 'Account ' + i, Industry = 'Tech'));
}
insert accounts;";

/// 100,000 statements: 33,334 iterations of three (the loop test and two in the body).
const LOOP: &str = "Integer total = 0;
for (Integer i = 0; i < 33334; i++) {
    total += i;
    String s = 'n' + i;
}
System.debug(total);";

fn compile(classes: &[SourceFile], anonymous: &str) -> (Program, FnId) {
    let base = vm::compile_classes(classes, Arc::new(standard_schema())).expect("compiles");
    vm::compile_anonymous(&base, anonymous).expect("compiles")
}

fn run(prog: &Program, entry: FnId, log: Option<LogLevels>) -> vm::RunOutcome {
    let env = RequestEnv {
        store: Some(Arc::new(OrgStore::new(prog.schema.clone()))),
        log_levels: log,
        // Data loads are not CPU-limited here: the budget is the benchmark's.
        cpu_limit: Duration::from_secs(600),
        ..RequestEnv::default()
    };
    vm::run_entry(prog, entry, env)
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("platform");
    g.sample_size(20);

    let trigger = SourceFile::new("AccountDefaults.trigger", TRIGGER, "");
    let (prog, entry) = compile(&[trigger], INSERT);
    let check = run(&prog, entry, None);
    assert!(check.exception.is_none(), "{:?}", check.exception);
    g.bench_function("insert_10k_with_trigger", |b| {
        b.iter(|| black_box(run(&prog, entry, None)))
    });

    let (prog, entry) = compile(&[], LOOP);
    let logged = run(&prog, entry, Some(LogLevels::finest()));
    let full = &logged.log.as_ref().expect("a log").full;
    assert!(full.matches("STATEMENT_EXECUTE").count() >= 100_000);
    g.bench_function("finest_log_100k_statements", |b| {
        b.iter(|| black_box(run(&prog, entry, Some(LogLevels::finest()))))
    });
    g.bench_function("no_log_100k_statements", |b| {
        b.iter(|| black_box(run(&prog, entry, None)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
