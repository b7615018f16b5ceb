//! Scenarios with several clients, a shared sandbox and customer steps:
//! every bad input is refused naming its step and the fix; steps go to the
//! client they name; `close` ends a client; customer steps call a real
//! sandbox server (in this process) and check its answers.

use isvdbg::client::report::StepError;
use isvdbg::client::scenario::SandboxClock;
use isvdbg::client::{self, Client, Failure, Finished, Harness, SandboxPlan, Scenario};
use isvdbg::dap::{Connection, Session};
use isvdbg::sandbox::Sandbox;
use isvdbg::sandbox::clock::Clock;

use super::scripted::{Scripted, fixtures};
use super::transcript;

/// Writes `yaml` as a scenario file beside the scripted fixtures' copy and loads it.
fn load(yaml: &str) -> (tempfile::TempDir, anyhow::Result<Scenario>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixtures().join("InvoiceService.cls"),
        dir.path().join("InvoiceService.cls"),
    )
    .unwrap();
    let path = dir.path().join("s.yaml");
    std::fs::write(&path, yaml).unwrap();
    let loaded = Scenario::load(&path);
    (dir, loaded)
}

fn load_err(yaml: &str) -> String {
    let (_dir, loaded) = load(yaml);
    loaded.expect_err("the scenario is refused").to_string()
}

#[test]
fn a_step_to_an_unknown_client_is_refused_naming_the_step_and_the_clients() {
    let err = load_err(
        "clients: [alice, bob]\nsteps:\n  - client: alice\n    initialize:\n  - client: carol\n    threads:\n",
    );
    assert!(
        err.contains(
            "step 2 (threads): there is no client `carol`; the scenario's clients are alice, bob: \
             use one of them, or add `carol` to `clients`"
        ),
        "{err}"
    );
}

#[test]
fn bad_clients_sandboxes_and_customer_steps_are_refused_with_the_fix() {
    let cases = [
        (
            "steps:\n  - initialize:\n  - client: bob\n    threads:\n",
            "step 2 (threads): it goes to client `bob`, but the scenario declares no clients; add `clients: [bob]`",
        ),
        (
            "steps:\n  - customer: { login: admin@globex.example.full, call: access.revoke }\n",
            "step 1 (customer admin@globex.example.full calls access.revoke): customer steps call the shared sandbox, and this scenario has none; add `sandbox: {}` at the top",
        ),
        (
            "sandbox: {}\nsteps:\n  - customer: { login: admin@globex.example.full, call: revoke }\n",
            "step 1 (customer admin@globex.example.full calls revoke): `call: revoke` is not a sandbox API method; write one such as `access.revoke`",
        ),
        (
            "sandbox: {}\nsteps:\n  - customer: { login: a@b.c, call: apex.run, params: [1] }\n",
            "step 1 (customer a@b.c calls apex.run): `params` of `apex.run` must be a map of its parameters",
        ),
        (
            "sandbox: {}\nclients: [alice]\nsteps:\n  - client: alice\n    customer: { login: a@b.c, call: access.list }\n",
            "a customer step calls the sandbox as the customer, not through a client; remove `client`",
        ),
        (
            "steps:\n  - launch: { arguments: { sandbox: \"${sandboxUrl}\" } }\n",
            "step 1 (launch): the arguments use `${sandboxUrl}`, but the scenario starts no sandbox; add `sandbox: {}` at the top",
        ),
        (
            "clients: [alice, alice]\nsteps: []\n",
            "two clients are named `alice`; give each client its own name",
        ),
        (
            "clients: [{ name: alice, login: support@acme.example }]\nsteps: []\n",
            "client `alice` has `login`, the LMO user whose fixture credentials its adapter gets from the shared sandbox's world, but the scenario has no `sandbox`",
        ),
        (
            "clients: [{ name: alice, password: x }]\nsteps: []\n",
            "client `alice` has an unknown key `password`; a client is a name (`alice`) or `{ name: alice, login: support@acme.example }`",
        ),
        (
            "clients: [alice]\nsteps:\n  - close: { client: bob }\n",
            "step 1 (close client bob): there is no client `bob`",
        ),
        (
            "sandbox: { clock: sundial }\nsteps: []\n",
            "unknown variant `sundial`, expected `virtual` or `real`",
        ),
    ];
    for (yaml, want) in cases {
        let err = load_err(yaml);
        assert!(err.contains(want), "for\n{yaml}\nwant: {want}\ngot:  {err}");
    }
}

/// Environment variables given to an adapter.
type Env = Vec<(String, String)>;

/// Starts clients as scripted sessions in memory and the shared sandbox as a
/// WebSocket server in this process; remembers what it started.
#[derive(Default)]
struct Scripts {
    sandbox: Option<SandboxPlan>,
    clients: Vec<(Option<String>, Env)>,
    stop: Option<tokio::sync::watch::Sender<bool>>,
    _files: Option<tempfile::TempDir>,
}

impl Drop for Scripts {
    fn drop(&mut self) {
        if let Some(stop) = &self.stop {
            let _ = stop.send(true);
        }
    }
}

impl Harness for Scripts {
    async fn start_sandbox(&mut self, plan: &SandboxPlan) -> anyhow::Result<String> {
        self.sandbox = Some(plan.clone());
        let (world, files) = isvdbg::world::resolve(plan.world.as_deref())
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .into_parts();
        let clock = Clock::virtual_at(world.start);
        let sandbox = Sandbox::new(world, clock)?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("ws://{}/", listener.local_addr()?);
        let (stop, stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(isvdbg::sandbox::server::serve(sandbox, listener, stopped));
        self.stop = Some(stop);
        self._files = files;
        Ok(url)
    }

    async fn start_client(
        &mut self,
        name: Option<&str>,
        env: &[(String, String)],
    ) -> anyhow::Result<Client> {
        self.clients.push((name.map(str::to_owned), env.to_vec()));
        let backend = Scripted::new(&fixtures().join("InvoiceService.cls"));
        let (server, client_end) = Connection::memory();
        tokio::spawn(Session::new(server, backend).run());
        Ok(Client::from_connection(client_end, transcript()))
    }
}

async fn run_yaml(harness: &mut Scripts, yaml: &str) -> Result<Finished, Box<Failure>> {
    let (_dir, loaded) = load(yaml);
    client::run_with(harness, &loaded.unwrap()).await
}

#[tokio::test]
async fn steps_go_to_the_client_they_name() {
    let mut harness = Scripts::default();
    let yaml = "clients: [alice, bob]\ntimeout_ms: 2000\nsteps:\n  - initialize:\n  - client: bob\n    initialize:\n  - client: bob\n    event: { event: initialized }\n  - client: alice\n    event: { event: initialized }\n";
    run_yaml(&mut harness, yaml).await.unwrap();
    let names: Vec<_> = harness.clients.iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(names, [Some("alice".into()), Some("bob".into())]);
    assert!(harness.sandbox.is_none(), "no sandbox was asked for");

    // bob never initialized, so bob gets no `initialized`, whoever did.
    let mut harness = Scripts::default();
    let yaml = "clients: [alice, bob]\nsteps:\n  - client: alice\n    initialize:\n  - client: bob\n    timeout_ms: 200\n    event: { event: initialized }\n";
    let failure = run_yaml(&mut harness, yaml).await.unwrap_err();
    assert_eq!(failure.step, 2, "{failure}");
    assert!(matches!(failure.error, StepError::Client(_)), "{failure}");
}

#[tokio::test]
async fn a_closed_client_takes_no_more_steps() {
    let mut harness = Scripts::default();
    let yaml =
        "clients: [alice]\nsteps:\n  - initialize:\n  - close: { client: alice }\n  - threads:\n";
    let failure = run_yaml(&mut harness, yaml).await.unwrap_err();
    assert_eq!(failure.step, 3, "{failure}");
    assert!(
        failure
            .to_string()
            .contains("client `alice` was closed at step 2 and takes no more steps"),
        "{failure}"
    );
}

#[tokio::test]
async fn run_without_a_harness_refuses_scenarios_that_declare_clients() {
    let (_dir, scenario) = load("clients: [alice]\nsteps: []\n");
    let (_server, client_end) = Connection::memory();
    let client = Client::from_connection(client_end, transcript());
    let failure = client::run(&client, &scenario.unwrap()).await.unwrap_err();
    assert!(
        failure.to_string().contains("run it with `isvdbg client`"),
        "{failure}"
    );
}

#[tokio::test]
async fn a_customer_the_world_lacks_is_refused_before_anything_starts() {
    let cases = [
        (
            "nobody@globex.example.full",
            "`login: nobody@globex.example.full` is not a user of any org of the world",
        ),
        (
            "support@acme.example",
            "`login: support@acme.example` is an LMO user; customer steps act as a subscriber user",
        ),
    ];
    for (login, want) in cases {
        let mut harness = Scripts::default();
        let yaml = format!(
            "sandbox: {{}}\nsteps:\n  - initialize:\n  - customer: {{ login: {login}, call: access.list }}\n"
        );
        let failure = run_yaml(&mut harness, &yaml).await.unwrap_err();
        assert_eq!(failure.step, 2, "{failure}");
        assert!(failure.to_string().contains(want), "{failure}");
        assert!(harness.sandbox.is_none() && harness.clients.is_empty());
    }
    let mut harness = Scripts::default();
    let yaml =
        "sandbox: {}\nclients: [{ name: alice, login: admin@globex.example.full }]\nsteps: []\n";
    let failure = run_yaml(&mut harness, yaml).await.unwrap_err();
    assert!(
        failure
            .to_string()
            .contains("client `alice`: `login: admin@globex.example.full` is not an LMO user"),
        "{failure}"
    );
}

#[tokio::test]
async fn a_client_login_gives_its_adapter_the_fixture_credentials() {
    let mut harness = Scripts::default();
    let yaml = "sandbox: { clock: virtual }\nclients: [{ name: alice, login: support@acme.example }, bob]\nsteps: []\n";
    run_yaml(&mut harness, yaml).await.unwrap();
    assert_eq!(
        harness.sandbox,
        Some(SandboxPlan {
            world: None,
            clock: SandboxClock::Virtual
        })
    );
    let world = isvdbg::world::resolve(None).unwrap().into_parts().0;
    let support = world.publisher.lmo.user("support@acme.example").unwrap();
    let env = &harness.clients[0].1;
    let var = |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    assert_eq!(var("ISVDBG_PASSWORD"), Some(support.password.clone()));
    assert_eq!(var("ISVDBG_TOTP_SECRET"), support.totp_secret.clone());
    assert!(harness.clients[1].1.is_empty(), "bob has no login");
}

#[tokio::test]
async fn customer_steps_call_the_sandbox_and_check_its_answers() {
    let mut harness = Scripts::default();
    let customer = "login: admin@globex.example.full";
    let yaml = format!(
        "sandbox: {{}}\ntimeout_ms: 5000\nsteps:\n  \
         - customer: {{ {customer}, call: access.list, expect: {{ body: {{ \"grants[0].active\": true }} }} }}\n  \
         - customer: {{ {customer}, call: lma.search, params: {{ query: globex }}, expect: {{ error: LMO_ONLY }} }}\n  \
         - customer: {{ {customer}, call: apex.run, params: {{ code: \"System.debug(6 * 7);\" }}, expect: {{ matches: {{ \"output[0].message\": '^42$' }} }} }}\n"
    );
    run_yaml(&mut harness, &yaml).await.unwrap();

    // A method the sandbox does not know is the scenario's mistake.
    let mut harness = Scripts::default();
    let yaml =
        format!("sandbox: {{}}\nsteps:\n  - customer: {{ {customer}, call: access.nope }}\n");
    let failure = run_yaml(&mut harness, &yaml).await.unwrap_err();
    assert_eq!(failure.step, 1);
    let report = failure.to_string();
    assert!(
        matches!(failure.error, StepError::Scenario(_))
            && report.contains("the sandbox refused `access.nope` (UNKNOWN_METHOD")
            && report.contains("fix `call` or `params`"),
        "{report}"
    );
    assert!(
        report.contains("\"method\":\"access.nope\""),
        "the report shows the call: {report}"
    );

    // `eventually` asks again until the step's time is up, then says so.
    let mut harness = Scripts::default();
    let yaml = format!(
        "sandbox: {{}}\nsteps:\n  - timeout_ms: 2000\n    customer: {{ {customer}, call: access.list, eventually: true, expect: {{ body: {{ \"grants[0].active\": false }} }} }}\n"
    );
    let failure = run_yaml(&mut harness, &yaml).await.unwrap_err();
    assert!(
        matches!(&failure.error, StepError::Mismatch { expected, actual }
            if expected == "body.grants[0].active = false"
                && actual == "body.grants[0].active = true (still, after 2000 ms)"),
        "{failure}"
    );
}

#[test]
fn isvdbg_client_starts_a_sandbox_and_an_adapter_per_client() {
    let scenarios = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_isvdbg"));
    command.arg("client");
    if let Some(schema) = super::schema_path() {
        command.arg("--schema").arg(schema);
    }
    let out = command
        .arg(scenarios.join("second-session-refused.json"))
        .arg(scenarios.join("client-goes-away.json"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("2 passed, 0 failed"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
