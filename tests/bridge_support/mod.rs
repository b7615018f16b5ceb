//! Helpers of the bridge tests: a real DAP session with the bridge behind it,
//! in memory, driven by the headless client with every message checked
//! against the DAP schema.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use isvdbg::bridge::{Bridge, EmbeddedSandboxes, EnvLookup};
use isvdbg::client::{self, Client, Scenario, SchemaValidator, Transcript};
use isvdbg::dap::{Connection, Session};
use serde_json::Value;

#[path = "../dap_support/mod.rs"]
mod dap_support;
mod harness;

pub use harness::InProcess;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A file of `tests/scenarios/`.
pub fn scenario_path(name: &str) -> PathBuf {
    repo().join("tests/scenarios").join(name)
}

/// A transcript that checks every message against the DAP schema, when the
/// schema is there (`ISVDBG_DAP_SCHEMA` or beside the repository).
pub fn transcript() -> Transcript {
    let mut t = Transcript::default();
    if let Some(path) = dap_support::schema_path() {
        t.validate_with(Arc::new(SchemaValidator::load(&path).unwrap()));
    }
    t
}

/// A client talking to a fresh bridge session in memory.
pub fn connect(bridge: Bridge) -> (Client, tokio::task::JoinHandle<std::io::Result<()>>) {
    let (server, client_end) = Connection::memory();
    let session = tokio::spawn(Session::new(server, bridge).run());
    let mut client = Client::from_connection(client_end, transcript());
    client.timeout = Duration::from_secs(60);
    (client, session)
}

/// A bridge that reads no credentials from the environment.
pub fn bridge() -> Bridge {
    Bridge::new().with_env(no_env())
}

/// A bridge sharing `sandboxes` with other sessions, without environment credentials.
pub fn sharing(sandboxes: &EmbeddedSandboxes) -> Bridge {
    Bridge::sharing(sandboxes.clone()).with_env(no_env())
}

/// An environment without credentials.
pub fn no_env() -> EnvLookup {
    Arc::new(|_| None)
}

/// An environment with these variables only.
pub fn env(vars: &[(&str, &str)]) -> EnvLookup {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Arc::new(move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
}

/// Runs a scenario file over `client`, panicking with the client's report.
pub async fn run_file(client: &Client, path: &Path) {
    let scenario = Scenario::load(path).unwrap();
    if let Err(failure) = client::run(client, &scenario).await {
        panic!("{failure}");
    }
}

/// Runs a scenario file with the clients and the shared sandbox it
/// declares (one client when it declares none), all in this process.
pub async fn run_file_in_process(path: &Path) {
    let scenario = Scenario::load(path).unwrap_or_else(|e| panic!("{e}"));
    let mut harness = InProcess::default();
    match client::run_with(&mut harness, &scenario).await {
        Err(failure) => panic!("{failure}"),
        Ok(finished) => assert!(
            finished.problems.is_empty(),
            "{} after its last step: {}",
            path.display(),
            finished.problems.join("; ")
        ),
    }
}

/// Runs steps given as JSON, as if they were a scenario file at `at` (for
/// relative paths and `${scenarioDir}`).
pub async fn run_steps(client: &Client, at: &Path, steps: Value) {
    let mut scenario: Scenario =
        serde_json::from_value(serde_json::json!({ "steps": steps })).unwrap();
    scenario.path = at.to_owned();
    if let Err(failure) = client::run(client, &scenario).await {
        panic!("{failure}");
    }
}

/// Launch arguments for the Globex Full sandbox of the default world.
pub fn globex_launch(clock: &str) -> Value {
    serde_json::json!({
        "clock": clock,
        "subscriberOrg": "globex-full",
        "loginAsUser": "admin@globex.example.full",
        "lmoUser": "support@acme.example",
        "salesforceProject": repo().join("fixtures/worlds/default/orgs/globex-full"),
    })
}

/// Sends a request; its body, or a panic with the adapter's error.
pub async fn req(client: &Client, command: &str, arguments: Value) -> Value {
    let r = client
        .request_raw(command, Some(arguments))
        .await
        .unwrap_or_else(|e| panic!("{command}: {e}"));
    assert!(r.success, "{command} failed: {:?}", r.error_text());
    r.body.unwrap_or(Value::Null)
}

/// Sends a request that must fail; the error text.
pub async fn req_err(client: &Client, command: &str, arguments: Value) -> String {
    let r = client
        .request_raw(command, Some(arguments))
        .await
        .unwrap_or_else(|e| panic!("{command}: {e}"));
    assert!(!r.success, "{command} should have failed: {:?}", r.body);
    r.error_text().unwrap_or_default()
}

/// The body of the next event named `name` that satisfies `pred`.
pub async fn event(client: &Client, name: &str, pred: impl Fn(&Value) -> bool) -> Value {
    let e = client
        .wait_event(&format!("event `{name}`"), Duration::from_secs(60), |e| {
            e.name() == name
                && pred(
                    &serde_json::to_value(e)
                        .map(|v| v["body"].clone())
                        .unwrap_or_default(),
                )
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    serde_json::to_value(&e).unwrap()["body"].clone()
}

/// The line of `marker` in `file` (1-based).
pub fn marker_line(file: &Path, marker: &str) -> i64 {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .position(|l| l.contains(marker))
        .unwrap_or_else(|| panic!("no {marker} in {}", file.display())) as i64
        + 1
}

/// A class of the Acme Billing package in the default world's fixtures.
pub fn package_class(name: &str) -> PathBuf {
    repo()
        .join("fixtures/worlds/default/packages/acme-billing/force-app/main/default/classes")
        .join(name)
}
