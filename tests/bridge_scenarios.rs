//! Every JSON scenario of `tests/scenarios/` against the bridge, in memory,
//! with every message checked against the DAP schema; scenarios with several
//! clients get a bridge session each, and a shared sandbox is a WebSocket
//! server in this process. `scripts/test-all` runs the same files through
//! the real binary.

mod bridge_support;

use bridge_support::{repo, run_file_in_process, scenario_path};

/// The JSON scenarios, each run by one test below.
const SCENARIOS: &[&str] = &[
    "acme-tax-bug.json",
    "breakpoints.json",
    "client-goes-away.json",
    "custom-requests.json",
    "errors.json",
    "exceptions.json",
    "hard-cap.json",
    "idle-timeout.json",
    "launch-refusals.json",
    "revoke-mid-session.json",
    "second-session-refused.json",
    "sources.json",
    "threads-and-stepping.json",
];

async fn scenario(name: &str) {
    run_file_in_process(&scenario_path(name)).await;
}

#[test]
fn every_json_scenario_has_a_test() {
    let mut found: Vec<String> = std::fs::read_dir(repo().join("tests/scenarios"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    found.sort();
    assert_eq!(
        found, SCENARIOS,
        "add new scenarios to SCENARIOS and give each a test"
    );
}

macro_rules! scenario_tests {
    ($($name:ident => $file:literal,)+) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                scenario($file).await;
            }
        )+
    };
}

scenario_tests! {
    acme_tax_bug => "acme-tax-bug.json",
    breakpoints => "breakpoints.json",
    client_goes_away => "client-goes-away.json",
    custom_requests => "custom-requests.json",
    errors => "errors.json",
    exceptions => "exceptions.json",
    hard_cap => "hard-cap.json",
    idle_timeout => "idle-timeout.json",
    launch_refusals => "launch-refusals.json",
    revoke_mid_session => "revoke-mid-session.json",
    second_session_refused => "second-session-refused.json",
    sources => "sources.json",
    threads_and_stepping => "threads-and-stepping.json",
}
