//! What the transcript tests share: where things are, re-recording, and the
//! failure report.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use isvdbg::client::replay::{Options, Outcome, Recording};

/// The isvdbg binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_isvdbg");

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The recorded transcripts.
pub fn transcripts() -> PathBuf {
    repo().join("fixtures/transcripts")
}

/// Whether this run records the transcripts again (`UPDATE_TRANSCRIPTS=1`).
pub fn updating() -> bool {
    std::env::var("UPDATE_TRANSCRIPTS").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// The DAP schema to check recordings against, when there is one.
pub fn schema_path() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("ISVDBG_DAP_SCHEMA") {
        return Some(PathBuf::from(path));
    }
    let beside = repo().join("../shared/dap/debugAdapterProtocol.json");
    beside.is_file().then_some(beside)
}

/// A runtime for one test.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Rewrites a fresh recording for the repository: the checkout's path
/// becomes `<repo>`, and each `(text, placeholder)` its placeholder.
pub fn store(raw: &Path, out: &Path, placeholders: &[(String, &str)]) {
    let mut recording = Recording::load(raw).unwrap_or_else(|e| panic!("{e}"));
    let root = repo();
    let mut roots = vec![root.to_string_lossy().into_owned()];
    if let Ok(c) = root.canonicalize() {
        roots.push(c.to_string_lossy().into_owned());
    }
    for r in roots {
        recording.substitute(&r, "<repo>");
    }
    for (text, placeholder) in placeholders {
        recording.substitute(text, placeholder);
    }
    std::fs::write(out, recording.to_jsonl())
        .unwrap_or_else(|e| panic!("could not write {}: {e}", out.display()));
}

/// Panics with the report when today's messages differ from the recording.
pub fn assert_same(what: &str, outcome: &Outcome, options: &Options, rerecord: &str) {
    if let Some(report) = outcome.differences(&options.normalizer) {
        panic!(
            "the replay of {what} differs from its recording (both normalised; - recorded, + today):\n\
             {report}\nIf today's behaviour is the right one, record again: {rerecord}"
        );
    }
}
