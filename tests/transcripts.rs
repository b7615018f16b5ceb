//! Recorded DAP transcripts (`fixtures/transcripts/*.jsonl`) replayed against
//! today's `isvdbg dap`: the client's side is sent again and what the
//! adapter says must match the recording, normalised (docs/transcripts.md).
//!
//! `UPDATE_TRANSCRIPTS=1 cargo test --test transcripts` records them again
//! from their scenarios, then replays them.

mod transcripts_support;

use std::path::PathBuf;
use std::process::Command;

use isvdbg::client::replay::{self, Adapter, Options, Play, Recording};
use transcripts_support::*;

/// Where a transcript is recorded from.
enum Source {
    /// One client: `isvdbg client SCENARIO --record`.
    Scenario(PathBuf),
    /// Several clients of one adapter over TCP.
    Play(PathBuf),
}

fn source(name: &str) -> Source {
    let own = transcripts().join("scenarios");
    let play = own.join(format!("{name}.play.yaml"));
    if play.is_file() {
        return Source::Play(play);
    }
    let candidates = [
        own.join(format!("{name}.yaml")),
        repo().join(format!("tests/scenarios/{name}.yaml")),
        repo().join(format!("tests/scenarios/{name}.json")),
    ];
    match candidates.into_iter().find(|p| p.is_file()) {
        Some(p) => Source::Scenario(p),
        None => panic!(
            "the transcript {name} has no scenario: add fixtures/transcripts/scenarios/{name}.yaml \
             (or .play.yaml), or tests/scenarios/{name}.yaml"
        ),
    }
}

fn adapter(tcp: bool) -> Adapter {
    Adapter {
        program: BIN.into(),
        args: if tcp {
            vec!["dap".into(), "--port".into(), "0".into()]
        } else {
            vec!["dap".into()]
        },
        tcp,
        ..Adapter::default()
    }
}

/// Records `name` again from its scenario into `out`.
fn record(name: &str, out: &std::path::Path) {
    let raw = std::env::temp_dir().join(format!(
        "isvdbg-transcript-{}-{name}.jsonl",
        std::process::id()
    ));
    match source(name) {
        Source::Scenario(scenario) => {
            let mut cmd = Command::new(BIN);
            cmd.arg("client").arg(&scenario).arg("--record").arg(&raw);
            if let Some(schema) = schema_path() {
                cmd.arg("--schema").arg(schema);
            }
            let run = cmd.output().expect("isvdbg client runs");
            assert!(
                run.status.success(),
                "{} failed, so {name} cannot be recorded:\n{}{}",
                scenario.display(),
                String::from_utf8_lossy(&run.stdout),
                String::from_utf8_lossy(&run.stderr)
            );
        }
        Source::Play(play) => {
            let parts = Play::load(&play)
                .and_then(|p| p.scenarios(&play))
                .unwrap_or_else(|e| panic!("{e}"));
            let schema = schema_path().map(|p| {
                std::sync::Arc::new(
                    isvdbg::client::SchemaValidator::load(&p).expect("the schema loads"),
                )
            });
            let options = Options::for_repo(&repo());
            runtime()
                .block_on(replay::record(
                    &parts,
                    &adapter(true),
                    &options,
                    schema,
                    &raw,
                ))
                .unwrap_or_else(|e| {
                    panic!(
                        "{} failed, so {name} cannot be recorded:\n{e}",
                        play.display()
                    )
                });
        }
    }
    store(&raw, out, &[]);
    let _ = std::fs::remove_file(&raw);
}

fn check(name: &str) {
    let path = transcripts().join(format!("{name}.jsonl"));
    if updating() {
        record(name, &path);
    }
    let recording = Recording::load(&path).unwrap_or_else(|e| {
        panic!(
            "{e}; record it with UPDATE_TRANSCRIPTS=1 cargo test --test transcripts {}",
            name.replace('-', "_")
        )
    });
    let tcp = matches!(source(name), Source::Play(_));
    let options = Options::for_repo(&repo());
    let outcome = runtime().block_on(replay::replay(&recording, &adapter(tcp), &options));
    assert_same(
        &format!("fixtures/transcripts/{name}.jsonl"),
        &outcome,
        &options,
        &format!(
            "UPDATE_TRANSCRIPTS=1 cargo test --test transcripts {}",
            name.replace('-', "_")
        ),
    );
}

macro_rules! transcripts {
    ($($test:ident => $name:literal,)*) => {
        /// Every transcript with a test of its own.
        const NAMES: &[&str] = &[$($name),*];
        $(
            #[test]
            fn $test() {
                check($name);
            }
        )*
    };
}

transcripts! {
    handshake => "handshake",
    tax_bug_hunt => "tax-bug-hunt",
    breakpoint_conditions => "breakpoint-conditions",
    exception_breakpoints => "exception-breakpoints",
    production_refused => "production-refused",
    expired_grant_refused => "expired-grant-refused",
    second_session_refused => "second-session-refused",
    third_request_not_debugged => "third-request-not-debugged",
    idle_timeout => "idle-timeout",
    hard_cap => "hard-cap",
    disconnect_resumes => "disconnect-resumes",
    custom_requests => "custom-requests",
    bad_launch => "bad-launch",
}

#[test]
fn every_transcript_has_a_test_and_a_scenario() {
    let mut found: Vec<String> = std::fs::read_dir(transcripts())
        .expect("fixtures/transcripts exists")
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".jsonl").map(str::to_owned)
        })
        .collect();
    found.sort();
    let mut named: Vec<String> = NAMES.iter().map(|n| n.to_string()).collect();
    named.sort();
    if updating() {
        // New transcripts are being written now; only stale ones count.
        found.retain(|f| !named.contains(f));
        assert!(
            found.is_empty(),
            "transcripts without a test: {found:?}; remove them or add them to `transcripts!`"
        );
    } else {
        assert_eq!(
            found, named,
            "add a line to `transcripts!` for each transcript, and remove stale ones"
        );
    }
    for name in NAMES {
        let _ = source(name);
    }
}

/// Replays an edited copy of a transcript, with a short wait for what never comes.
fn replay_edited(name: &str, edit: impl FnOnce(&mut Recording)) -> (Options, replay::Outcome) {
    let mut recording = Recording::load(&transcripts().join(format!("{name}.jsonl")))
        .unwrap_or_else(|e| panic!("{e}"));
    edit(&mut recording);
    let mut options = Options::for_repo(&repo());
    options.settle = std::time::Duration::from_secs(1);
    let outcome = runtime().block_on(replay::replay(&recording, &adapter(false), &options));
    (options, outcome)
}

#[test]
fn a_changed_response_fails_the_replay_with_a_readable_diff() {
    let (options, outcome) = replay_edited("handshake", |r| {
        let threads = r
            .entries
            .iter_mut()
            .find(|e| e.msg["command"] == "threads" && e.msg["type"] == "response")
            .expect("handshake asks for threads");
        threads.msg["body"]["threads"] = serde_json::json!([{ "id": 1, "name": "ghost" }]);
    });
    let report = outcome
        .differences(&options.normalizer)
        .expect("a changed response is a difference");
    assert!(
        report.contains("1 recorded message(s) missing (-), 1 unexpected (+)"),
        "{report}"
    );
    assert!(
        report.contains(r#"- recv {"body":{"threads":[{"id":1,"name":"ghost"}]}"#),
        "{report}"
    );
    assert!(
        report.contains(r#"+ recv {"body":{"threads":[]}"#),
        "{report}"
    );
    assert!(
        report.contains(r#"at body.threads[0]: {"id":1,"name":"ghost"} → (absent)"#),
        "{report}"
    );
}

#[test]
fn racing_messages_in_another_order_and_other_ids_still_replay() {
    let (options, outcome) = replay_edited("breakpoint-conditions", |r| {
        // What the adapter said between two requests, in the reverse order...
        let mut i = 0;
        while i < r.entries.len() {
            let run = r.entries[i..]
                .iter()
                .take_while(|e| e.dir == isvdbg::client::Direction::Recv)
                .count();
            r.entries[i..i + run].reverse();
            i += run.max(1);
        }
        // ...and threads, frames, variables and breakpoints numbered from 1000.
        let n = options_normalizer();
        for e in &mut r.entries {
            e.msg = n.map_ids(&e.msg, &mut |kind, raw| {
                use isvdbg::client::normalize::IdKind::*;
                let shifted = matches!(kind, Thread | Frame | Variables | Breakpoint | Source);
                let id: i64 = raw.parse().ok()?;
                shifted.then(|| (id + 1000).to_string())
            });
        }
    });
    assert_same(
        "an edited breakpoint-conditions",
        &outcome,
        &options,
        "(nothing to record)",
    );
}

fn options_normalizer() -> isvdbg::client::normalize::Normalizer {
    Options::for_repo(&repo()).normalizer
}
