//! Runs with several clients and a shared sandbox: the [`Harness`] that
//! starts them, [`run_with`], and the `close` step.

use std::future::Future;
use std::path::PathBuf;

use super::Runner;
use super::customer::{self, Shared};
use crate::client::connection::{Client, DEFAULT_TIMEOUT};
use crate::client::report::{Failure, StepError, mismatch};
use crate::client::scenario::{Action, CloseStep, SandboxClock, Scenario, Step};

/// The connection of one client of a run.
pub(crate) enum Conn<'a> {
    /// A client the caller owns.
    Borrowed(&'a Client),
    /// A client the runner started and shuts down.
    Owned(Box<Client>),
    /// A client closed by this (1-based) step.
    Closed(usize),
}

/// One client of a run and the thread that last stopped in it.
pub(crate) struct Slot<'a> {
    pub(super) name: Option<String>,
    pub(super) conn: Conn<'a>,
    pub(super) last_thread: Option<i64>,
}

/// Starts what a scenario runs against: the adapter of each client and the
/// shared sandbox. `isvdbg client` starts processes; tests may start both in
/// memory.
pub trait Harness {
    /// Starts the shared sandbox a scenario asks for and returns its `ws://`
    /// URL. Called at most once per run, before any client starts; the
    /// sandbox lives as long as the harness.
    fn start_sandbox(&mut self, plan: &SandboxPlan)
    -> impl Future<Output = anyhow::Result<String>>;

    /// Starts the adapter of one client (`None`: the one unnamed client),
    /// with these variables added to its environment, and connects to it.
    fn start_client(
        &mut self,
        name: Option<&str>,
        env: &[(String, String)],
    ) -> impl Future<Output = anyhow::Result<Client>>;
}

/// The shared sandbox to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxPlan {
    /// The world folder (absolute); `None`: the default world.
    pub world: Option<PathBuf>,
    /// The instance clock.
    pub clock: SandboxClock,
}

/// A run whose steps all passed.
#[derive(Debug, Default)]
pub struct Finished {
    /// What went wrong as the clients closed after the last step (an adapter
    /// that exited with an error, a late schema violation), one line each.
    pub problems: Vec<String>,
}

/// Runs `scenario` with the clients and the sandbox it declares, started by
/// `harness`; every client still open after the last step is shut down.
pub async fn run_with<H: Harness>(
    harness: &mut H,
    scenario: &Scenario,
) -> Result<Finished, Box<Failure>> {
    let mut runner = Runner::new(scenario, DEFAULT_TIMEOUT);
    if let Err(e) = scenario.check() {
        let step = e.step.unwrap_or(0);
        return Err(runner.failure(scenario, step, e.name, StepError::Scenario(e.message)));
    }
    if let Some(spec) = &scenario.sandbox {
        let world = spec.world.as_ref().map(|w| {
            let path = scenario.dir().join(w);
            path.canonicalize().unwrap_or(path)
        });
        let fixtures = customer::load_world(world.as_deref())
            .map_err(|m| runner.header_failure(scenario, &m))?;
        if let Err(e) = customer::check_logins(&fixtures, scenario) {
            let step = e.step.unwrap_or(0);
            return Err(runner.failure(scenario, step, e.name, StepError::Scenario(e.message)));
        }
        let plan = SandboxPlan {
            world,
            clock: spec.clock,
        };
        let url = harness.start_sandbox(&plan).await.map_err(|e| {
            runner.header_failure(
                scenario,
                &format!("the shared sandbox did not start: {e:#}"),
            )
        })?;
        runner.sandbox = Some(Shared::new(url, fixtures));
    }
    let specs: Vec<(Option<String>, Option<String>)> = if scenario.clients.is_empty() {
        vec![(None, None)]
    } else {
        scenario
            .clients
            .iter()
            .map(|c| (Some(c.name.clone()), c.login.clone()))
            .collect()
    };
    for (name, login) in specs {
        let env = match (&login, &runner.sandbox) {
            (Some(login), Some(shared)) => shared
                .lmo_env(login)
                .map_err(|m| runner.header_failure(scenario, &m))?,
            _ => Vec::new(),
        };
        let client = harness
            .start_client(name.as_deref(), &env)
            .await
            .map_err(|e| {
                let who = name
                    .as_deref()
                    .map_or("the client".to_owned(), |n| format!("client `{n}`"));
                runner.header_failure(scenario, &format!("{who} did not start: {e:#}"))
            })?;
        if scenario.timeout_ms.is_none() && runner.clients.is_empty() {
            runner.timeout = client.timeout;
        }
        runner.clients.push(Slot {
            name,
            conn: Conn::Owned(Box::new(client)),
            last_thread: None,
        });
    }
    runner.run_steps(scenario).await?;
    let mut finished = Finished::default();
    for slot in &mut runner.clients {
        if let Conn::Owned(client) = &mut slot.conn {
            let who = slot.name.as_deref().map_or("the adapter".to_owned(), |n| {
                format!("the adapter of `{n}`")
            });
            if let Some(problem) = shutdown_problem(client).await {
                finished.problems.push(format!("{who}: {problem}"));
            }
        }
    }
    Ok(finished)
}

/// Closes `client`; what went wrong, if anything.
async fn shutdown_problem(client: &mut Client) -> Option<String> {
    let shutdown = client.shutdown().await;
    if let Some(problem) = shutdown.problem {
        return Some(problem);
    }
    match shutdown.exit_code {
        Some(0) | None => None,
        Some(code) => Some(format!("it exited with code {code}; see its log above")),
    }
}

impl<'a> Runner<'a> {
    /// A failure of step `step` (0: before the first), with the recent
    /// messages of the client (or customer) it concerned.
    pub(super) fn failure(
        &self,
        scenario: &Scenario,
        step: usize,
        name: String,
        error: StepError,
    ) -> Box<Failure> {
        let customer_step = step > 0
            && matches!(
                scenario.steps.get(step - 1).map(|s| &s.action),
                Some(Action::Customer(_))
            );
        let (recent, queued_events) = match self.clients.get(self.current) {
            _ if customer_step => (self.customers.recent(), Vec::new()),
            Some(Slot {
                conn: Conn::Borrowed(c),
                ..
            }) => (c.recent(), c.queued_events()),
            Some(Slot {
                conn: Conn::Owned(c),
                ..
            }) => (c.recent(), c.queued_events()),
            _ => (Vec::new(), Vec::new()),
        };
        Box::new(Failure {
            scenario: scenario.path.clone(),
            step,
            name,
            error,
            recent,
            queued_events,
        })
    }

    pub(super) fn header_failure(&self, scenario: &Scenario, message: &str) -> Box<Failure> {
        self.failure(
            scenario,
            0,
            "the scenario's clients and sandbox".into(),
            StepError::Scenario(message.to_owned()),
        )
    }

    /// Points the runner at the client `step` goes to.
    pub(super) fn route(&mut self, step: &Step) -> Result<(), StepError> {
        let wanted = match &step.action {
            Action::Close(Some(CloseStep { client: Some(name) })) => Some(name),
            _ => step.client.as_ref(),
        };
        self.current = match wanted {
            None => 0,
            Some(name) => self
                .clients
                .iter()
                .position(|s| s.name.as_deref() == Some(name.as_str()))
                .ok_or_else(|| {
                    StepError::Scenario(format!("there is no client `{name}`; add it to `clients`"))
                })?,
        };
        if matches!(step.action, Action::Customer(_)) {
            return Ok(());
        }
        match &self.clients.get(self.current).map(|s| &s.conn) {
            Some(Conn::Closed(at)) => Err(StepError::Scenario(format!(
                "{} was closed at step {at} and takes no more steps; move this step before \
                 step {at}, or send it to another client",
                self.client_name()
            ))),
            Some(_) => Ok(()),
            None => Err(StepError::Scenario("the run has no client".into())),
        }
    }

    /// The client of the current step; `route` made sure it is open.
    pub(super) fn client(&self) -> &Client {
        match &self.clients[self.current].conn {
            Conn::Borrowed(c) => c,
            Conn::Owned(c) => c,
            Conn::Closed(_) => unreachable!("route refuses steps to a closed client"),
        }
    }

    /// `client bob`, or `the client` when it has no name.
    pub(super) fn client_name(&self) -> String {
        match self
            .clients
            .get(self.current)
            .and_then(|s| s.name.as_deref())
        {
            Some(name) => format!("client `{name}`"),
            None => "the client".into(),
        }
    }

    /// Ends the current client's connection without a `disconnect`, and
    /// waits for its adapter to notice (to exit, when it is a process).
    pub(super) async fn close(&mut self) -> Result<(), StepError> {
        let who = self.client_name();
        let slot = &mut self.clients[self.current];
        match std::mem::replace(&mut slot.conn, Conn::Closed(self.step_number)) {
            Conn::Owned(mut client) => match shutdown_problem(&mut client).await {
                None => Ok(()),
                Some(problem) => Err(mismatch(
                    format!("the adapter of {who} to end cleanly once its connection closed"),
                    problem,
                )),
            },
            borrowed @ Conn::Borrowed(_) => {
                slot.conn = borrowed;
                Err(StepError::Scenario(
                    "`close` needs a client the runner started itself; run the scenario with \
                     `isvdbg client` (or `client::run_with`)"
                        .into(),
                ))
            }
            Conn::Closed(at) => Err(StepError::Scenario(format!(
                "{who} was already closed at step {at}"
            ))),
        }
    }
}
