//! Customer steps: calls of the sandbox API made by a subscriber user on a
//! connection of their own, and the world's fixture credentials that they,
//! and the adapters of clients with a `login`, log in with.

use std::collections::VecDeque;
use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::Runner;
use crate::bridge::client::{ApiError, SandboxClient, SandboxEvent};
use crate::client::expect::{check_json, compile_all};
use crate::client::report::{StepError, mismatch};
use crate::client::scenario::{Action, CustomerStep, Expect, Scenario, ScenarioError};
use crate::client::transcript::Direction;
use crate::world::{Org, OrgUser, World};

/// How often an `eventually` step asks again.
const POLL: Duration = Duration::from_millis(25);

/// How many customer messages a failure report shows.
const RECENT: usize = 10;

/// The shared sandbox of a run: where it listens and the world it serves.
pub(crate) struct Shared {
    pub(super) url: String,
    world: World,
}

/// Loads the world a shared sandbox serves, for its fixture credentials.
pub(super) fn load_world(dir: Option<&Path>) -> Result<World, String> {
    let loaded = crate::world::resolve(dir).map_err(|e| {
        format!(
            "the world {} of the scenario's `sandbox` could not be loaded; fix `sandbox.world`:\n{e}",
            dir.map_or("(default)".to_owned(), |d| d.display().to_string())
        )
    })?;
    Ok(loaded.into_parts().0)
}

/// Checks every `login` of the scenario against the world before anything starts.
pub(super) fn check_logins(world: &World, scenario: &Scenario) -> Result<(), ScenarioError> {
    for client in &scenario.clients {
        if let Some(login) = &client.login {
            lmo_secrets(world, login).map_err(|message| ScenarioError {
                step: None,
                name: String::new(),
                message: format!("client `{}`: {message}", client.name),
            })?;
        }
    }
    for (i, step) in scenario.steps.iter().enumerate() {
        if let Action::Customer(c) = &step.action {
            subscriber(world, &c.login, c.org.as_deref()).map_err(|message| ScenarioError {
                step: Some(i + 1),
                name: step.name.clone().unwrap_or_else(|| step.action.label()),
                message,
            })?;
        }
    }
    Ok(())
}

impl Shared {
    pub(super) fn new(url: String, world: World) -> Shared {
        Shared { url, world }
    }

    /// The environment that gives an adapter the credentials of LMO user `login`.
    pub(super) fn lmo_env(&self, login: &str) -> Result<Vec<(String, String)>, String> {
        let (password, secret) = lmo_secrets(&self.world, login)?;
        Ok(vec![
            (
                crate::bridge::credentials::PASSWORD_VAR.to_owned(),
                password,
            ),
            (crate::bridge::credentials::TOTP_VAR.to_owned(), secret),
        ])
    }
}

fn lmo_secrets(world: &World, login: &str) -> Result<(String, String), String> {
    let (_, user) = world.lmo_user(login).ok_or_else(|| {
        let known: Vec<&str> = world
            .publishers()
            .flat_map(|p| p.lmo.users.iter().map(|u| u.username.as_str()))
            .collect();
        format!(
            "`login: {login}` is not an LMO user of the world `{}`; use one of: {}",
            world.name,
            known.join(", ")
        )
    })?;
    let secret = user.totp_secret.clone().ok_or_else(|| {
        format!(
            "`login: {login}` has no TOTP secret, and LMO users need a code to log in; use an LMO \
             user enrolled in MFA"
        )
    })?;
    Ok((user.password.clone(), secret))
}

/// The org and user of a customer `login` (in `org`, when given).
fn subscriber<'w>(
    world: &'w World,
    login: &str,
    org: Option<&str>,
) -> Result<(&'w Org, &'w OrgUser), String> {
    if let Some(key) = org {
        let found = world.org(key).ok_or_else(|| {
            let keys: Vec<&str> = world.orgs.iter().map(|o| o.key.as_str()).collect();
            format!(
                "`org: {key}` is not an org of the world `{}`; its orgs are: {}",
                world.name,
                keys.join(", ")
            )
        })?;
        let user = found.user(login).ok_or_else(|| {
            format!(
                "`login: {login}` is not a user of {}; customer steps act as a user of the org",
                found.key
            )
        })?;
        return Ok((found, user));
    }
    let mut found = world
        .orgs
        .iter()
        .filter_map(|o| o.user(login).map(|u| (o, u)));
    match (found.next(), found.next()) {
        (Some(one), None) => Ok(one),
        (Some((a, _)), Some((b, _))) => Err(format!(
            "`login: {login}` is a user of both {} and {}; add `org:` to say which",
            a.key, b.key
        )),
        (None, _) if world.lmo_user(login).is_some() => Err(format!(
            "`login: {login}` is an LMO user; customer steps act as a subscriber user (a user \
             of one of the world's orgs), and engineers act through a client"
        )),
        (None, _) => Err(format!(
            "`login: {login}` is not a user of any org of the world `{}`; use a subscriber \
             user's username, such as the admin of the org",
            world.name
        )),
    }
}

/// The customers' own connections, logged in, by username.
#[derive(Default)]
pub(crate) struct Customers {
    conns: Vec<Connected>,
    recent: VecDeque<(Direction, Value)>,
}

struct Connected {
    login: String,
    client: SandboxClient,
    /// Customers get no debug events; kept so the connection's events have somewhere to go.
    _events: mpsc::UnboundedReceiver<SandboxEvent>,
}

impl Customers {
    /// The last customer calls and answers, oldest first.
    pub(super) fn recent(&self) -> Vec<(Direction, Value)> {
        self.recent.iter().cloned().collect()
    }

    fn note(&mut self, dir: Direction, msg: Value) {
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back((dir, msg));
    }
}

impl Runner<'_> {
    /// Calls the sandbox as a subscriber user and checks the answer.
    pub(super) async fn customer(
        &mut self,
        step: &CustomerStep,
        timeout: Duration,
    ) -> Result<(), StepError> {
        let deadline = Instant::now() + timeout;
        let client = self.customer_connection(step, deadline).await?;
        let params = self.substitute(step.params.clone().unwrap_or_else(|| json!({})));
        let expect = step.expect.clone().unwrap_or_default();
        let still = |expected: String, actual: String| {
            mismatch(
                expected,
                format!("{actual} (still, after {} ms)", timeout.as_millis()),
            )
        };
        // With `eventually`, the last answer that did not match: what a call
        // cut short by the deadline reports.
        let mut last: Option<(String, String)> = None;
        loop {
            self.customers.note(
                Direction::Send,
                json!({ "login": step.login, "method": step.call, "params": params }),
            );
            let Ok(answer) =
                tokio::time::timeout_at(deadline, client.call(&step.call, params.clone())).await
            else {
                return Err(match last {
                    Some((expected, actual)) => still(expected, actual),
                    None => mismatch(
                        format!(
                            "an answer to `{}` within {} ms",
                            step.call,
                            timeout.as_millis()
                        ),
                        "no answer",
                    ),
                });
            };
            let shown = match &answer {
                Ok(result) => json!({ "result": result }),
                Err(e) => json!({ "error": { "code": e.code, "message": e.message } }),
            };
            self.customers.note(Direction::Recv, shown);
            match check_answer(&step.call, &answer, &expect) {
                Err(StepError::Mismatch { expected, actual })
                    if step.eventually && Instant::now() + POLL < deadline =>
                {
                    last = Some((expected, actual));
                    tokio::time::sleep(POLL).await;
                }
                Err(StepError::Mismatch { expected, actual }) if step.eventually => {
                    return Err(still(expected, actual));
                }
                verdict => return verdict,
            }
        }
    }

    /// The connection of the step's customer, logging in on first use.
    async fn customer_connection(
        &mut self,
        step: &CustomerStep,
        deadline: Instant,
    ) -> Result<SandboxClient, StepError> {
        let key = step.login.to_ascii_lowercase();
        if let Some(c) = self.customers.conns.iter().find(|c| c.login == key) {
            return Ok(c.client.clone());
        }
        let shared = self.sandbox.as_ref().ok_or_else(|| {
            StepError::Scenario("customer steps need `sandbox:` at the top of the scenario".into())
        })?;
        let (org, user) = subscriber(&shared.world, &step.login, step.org.as_deref())
            .map_err(StepError::Scenario)?;
        let login = async {
            let (client, events) = SandboxClient::connect_ws(&shared.url).await?;
            let mut params = json!({
                "org": org.key,
                "username": user.username,
                "password": user.password,
            });
            if let Some(secret) = &user.totp_secret {
                let now = client.call("clock.now", json!({})).await?;
                let now = chrono::DateTime::parse_from_rfc3339(now["now"].as_str().unwrap_or(""))
                    .map_err(|e| ApiError::new("BAD_ANSWER", format!("clock.now: {e}")))?
                    .naive_utc();
                let code = crate::sandbox::auth::current_code(secret, now)
                    .map_err(|e| ApiError::new("BAD_SECRET", e.to_string()))?;
                params["code"] = json!(code);
            }
            client.call("auth.loginSubscriber", params).await?;
            Ok::<_, ApiError>((client, events))
        };
        let (client, events) = tokio::time::timeout_at(deadline, login)
            .await
            .map_err(|_| mismatch(format!("{} to log in", step.login), "no answer in time"))?
            .map_err(|e| {
                mismatch(
                    format!("{} to log in to {} at {}", step.login, org.key, shared.url),
                    format!("{}: {}", e.code, e.message),
                )
            })?;
        self.customers.conns.push(Connected {
            login: key,
            client: client.clone(),
            _events: events,
        });
        Ok(client)
    }
}

/// Checks a sandbox answer as `check_response` checks a DAP response: the
/// `result` is the body; an error's text is `CODE: message`.
fn check_answer(
    call: &str,
    answer: &Result<Value, ApiError>,
    expect: &Expect,
) -> Result<(), StepError> {
    let want_success = expect.success.unwrap_or(expect.error.is_none());
    let describe = || match answer {
        Ok(result) => format!("`{call}` succeeded: {result}"),
        Err(e) => format!("`{call}` failed: {}: {}", e.code, e.message),
    };
    match answer {
        Err(e) if want_success && matches!(e.code.as_str(), "UNKNOWN_METHOD" | "BAD_PARAMS") => {
            return Err(StepError::Scenario(format!(
                "the sandbox refused `{call}` ({}: {}); fix `call` or `params` (docs/sandbox-api.md \
                 lists the methods and their params)",
                e.code, e.message
            )));
        }
        _ => {}
    }
    if answer.is_ok() != want_success {
        let expected = if want_success {
            format!("`{call}` to succeed")
        } else {
            format!("`{call}` to fail")
        };
        return Err(mismatch(expected, describe()));
    }
    if let (Some(text), Err(e)) = (&expect.error, answer)
        && !format!("{}: {}", e.code, e.message).contains(text.as_str())
    {
        return Err(mismatch(
            format!("an error containing {text:?}"),
            describe(),
        ));
    }
    let regexes = compile_all(&expect.matches)?;
    let body = answer.as_ref().ok().cloned().unwrap_or(Value::Null);
    check_json(&body, &expect.body, &regexes, &expect.absent)
}
