//! Every JSON scenario of `tests/scenarios/` against the bridge, in memory,
//! with every message checked against the DAP schema. `scripts/test-all`
//! runs the same files through the real binary.

mod bridge_support;

use bridge_support::{bridge, connect, repo, run_file, scenario_path};

/// The JSON scenarios, each run by one test below.
const SCENARIOS: &[&str] = &["acme-tax-bug.json", "errors.json", "launch-refusals.json"];

async fn scenario(name: &str) {
    let (client, _session) = connect(bridge());
    run_file(&client, &scenario_path(name)).await;
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
    let mut listed: Vec<String> = SCENARIOS.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(
        found, listed,
        "add new scenarios to SCENARIOS and give each a test"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acme_tax_bug() {
    scenario("acme-tax-bug.json").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors() {
    scenario("errors.json").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn launch_refusals() {
    scenario("launch-refusals.json").await;
}
