//! What can be checked in a scenario before anything runs: client names,
//! where steps go, and what needs the shared sandbox. Each error names the
//! step and the fix.

use std::fmt;

use serde_json::Value;

use super::{Action, Scenario, Step};

/// Where the docs explain clients, the shared sandbox and customer steps.
const SEE: &str = "see docs/scenarios.md, \"Several clients and a shared sandbox\"";

/// A scenario that cannot run as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// The 1-based step at fault, or None for the scenario's header.
    pub step: Option<usize>,
    /// The step's name or action.
    pub name: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.step {
            Some(n) => write!(f, "step {n} ({}): {}", self.name, self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

impl Scenario {
    /// Checks client names, the client each step goes to, and that steps
    /// needing the shared sandbox have one.
    pub fn check(&self) -> Result<(), ScenarioError> {
        let header = |message: String| ScenarioError {
            step: None,
            name: String::new(),
            message,
        };
        for (i, c) in self.clients.iter().enumerate() {
            if c.name.trim().is_empty() {
                return Err(header(format!(
                    "client {} has an empty name; give each client a name such as `alice`",
                    i + 1
                )));
            }
            if self.clients[..i].iter().any(|o| o.name == c.name) {
                return Err(header(format!(
                    "two clients are named `{}`; give each client its own name",
                    c.name
                )));
            }
            if c.login.is_some() && self.sandbox.is_none() {
                return Err(header(format!(
                    "client `{}` has `login`, the LMO user whose fixture credentials its adapter \
                     gets from the shared sandbox's world, but the scenario has no `sandbox`; add \
                     `sandbox: {{}}` at the top, or remove `login` ({SEE})",
                    c.name
                )));
            }
        }
        for (i, step) in self.steps.iter().enumerate() {
            self.check_step(step).map_err(|message| ScenarioError {
                step: Some(i + 1),
                name: step.name.clone().unwrap_or_else(|| step.action.label()),
                message,
            })?;
        }
        Ok(())
    }

    fn check_step(&self, step: &Step) -> Result<(), String> {
        if let Some(name) = &step.client {
            self.known_client(name)?;
        }
        match &step.action {
            Action::Close(Some(close)) => {
                if let (Some(a), Some(b)) = (&close.client, &step.client)
                    && a != b
                {
                    return Err(format!(
                        "the step goes to client `{b}` but closes client `{a}`; name the client once, in `close: {{ client: {a} }}`"
                    ));
                }
                if let Some(name) = &close.client {
                    self.known_client(name)?;
                }
            }
            Action::Customer(c) => {
                if step.client.is_some() {
                    return Err(
                        "a customer step calls the sandbox as the customer, not through a client; \
                         remove `client`"
                            .into(),
                    );
                }
                if self.sandbox.is_none() {
                    return Err(format!(
                        "customer steps call the shared sandbox, and this scenario has none; add \
                         `sandbox: {{}}` at the top, and `\"sandbox\": \"${{sandboxUrl}}\"` to the \
                         launch arguments ({SEE})"
                    ));
                }
                let well_formed = c.call.split_once('.').is_some_and(|(area, method)| {
                    !area.is_empty()
                        && !method.is_empty()
                        && c.call
                            .chars()
                            .all(|ch| ch.is_ascii_alphanumeric() || ch == '.')
                });
                if !well_formed {
                    return Err(format!(
                        "`call: {}` is not a sandbox API method; write one such as `access.revoke` \
                         or `apex.run` (docs/sandbox-api.md lists them)",
                        c.call
                    ));
                }
                if let Some(params) = &c.params
                    && !params.is_object()
                {
                    return Err(format!(
                        "`params` of `{}` must be a map of its parameters, not {params}",
                        c.call
                    ));
                }
            }
            _ => {}
        }
        if self.sandbox.is_none()
            && step
                .action
                .arguments()
                .is_some_and(|a| mentions(a, "${sandboxUrl}"))
        {
            return Err(format!(
                "the arguments use `${{sandboxUrl}}`, but the scenario starts no sandbox; add \
                 `sandbox: {{}}` at the top ({SEE})"
            ));
        }
        Ok(())
    }

    fn known_client(&self, name: &str) -> Result<(), String> {
        if self.clients.is_empty() {
            return Err(format!(
                "it goes to client `{name}`, but the scenario declares no clients; add \
                 `clients: [{name}]` at the top, or remove `client` ({SEE})"
            ));
        }
        if self.clients.iter().any(|c| c.name == name) {
            return Ok(());
        }
        let names: Vec<&str> = self.clients.iter().map(|c| c.name.as_str()).collect();
        Err(format!(
            "there is no client `{name}`; the scenario's clients are {}: use one of them, or \
             add `{name}` to `clients`",
            names.join(", ")
        ))
    }
}

impl Action {
    /// The request arguments the step gives, if any.
    pub fn arguments(&self) -> Option<&Value> {
        match self {
            Action::Request(r) => r.arguments.as_ref(),
            Action::Initialize(c)
            | Action::Launch(c)
            | Action::Attach(c)
            | Action::ConfigurationDone(c)
            | Action::Threads(c)
            | Action::Disconnect(c)
            | Action::Terminate(c) => c.as_ref().and_then(|c| c.arguments.as_ref()),
            Action::Customer(c) => c.params.as_ref(),
            _ => None,
        }
    }
}

fn mentions(value: &Value, text: &str) -> bool {
    match value {
        Value::String(s) => s.contains(text),
        Value::Array(items) => items.iter().any(|v| mentions(v, text)),
        Value::Object(map) => map.values().any(|v| mentions(v, text)),
        _ => false,
    }
}
