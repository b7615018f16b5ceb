//! Which sandbox a command talks to, and the connection to it.
//!
//! - `--sandbox ws://...`: a running `isvdbg sandbox`, shared with the
//!   debugger and everyone else using it. Logins made here outlive the
//!   command, so `isvdbg setup` can save one for the debugger to resume.
//! - `--world DIR`, or neither option for the default world built into the
//!   binary: an instance of that world inside this process, on a virtual
//!   clock standing at the world's start. It ends with the command: nothing
//!   done here (logins, requests, logs) is seen by another process. The
//!   world's fixture credentials (demo values from its files) stand in for
//!   the password and code.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDateTime;
use serde_json::json;
use tokio::sync::mpsc::UnboundedReceiver;

use crate::bridge::client::{ApiError, SandboxClient, SandboxEvent};
use crate::sandbox::Sandbox;
use crate::sandbox::clock::Clock;
use crate::world::{LOG_IN_TO_SUBSCRIBER_ORG, LoadedWorld, World};

use super::credentials::Fixture;
use super::error::{WorkflowError, refused};

/// Where the sandbox is, as launch.json and the session file record it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SandboxRef {
    /// A running `isvdbg sandbox`.
    Url(String),
    /// An instance inside the process, loaded from this world folder, or
    /// from the default world built into the binary (None).
    Embedded { world: Option<PathBuf> },
}

impl SandboxRef {
    /// `embedded`, or the URL.
    pub fn as_str(&self) -> &str {
        match self {
            SandboxRef::Url(url) => url,
            SandboxRef::Embedded { .. } => "embedded",
        }
    }

    /// Whether two references name the same sandbox (a URL's final `/` aside).
    pub fn same_as(&self, other: &SandboxRef) -> bool {
        match (self, other) {
            (SandboxRef::Url(a), SandboxRef::Url(b)) => {
                a.trim_end_matches('/') == b.trim_end_matches('/')
            }
            (a, b) => a == b,
        }
    }
}

/// A live connection, and for an embedded sandbox, the instance and its world.
pub struct Connected {
    pub client: SandboxClient,
    /// Events the sandbox pushes to this connection.
    pub events: UnboundedReceiver<SandboxEvent>,
    pub sandbox: SandboxRef,
    embedded: Option<(Sandbox, Arc<LoadedWorld>)>,
}

impl std::fmt::Debug for Connected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connected")
            .field("sandbox", &self.sandbox)
            .finish_non_exhaustive()
    }
}

/// Connects to the sandbox: dials the URL, or loads the world and starts it here.
pub async fn connect(target: &SandboxRef) -> Result<Connected, WorkflowError> {
    match target {
        SandboxRef::Url(url) => {
            if !(url.starts_with("ws://") || url.starts_with("wss://")) {
                return Err(WorkflowError::Usage(format!(
                    "--sandbox {url} is not a WebSocket URL; give the ws://HOST:PORT/ that `isvdbg sandbox` prints"
                )));
            }
            let (client, events) = SandboxClient::connect_ws(url).await.map_err(|e| {
                WorkflowError::Usage(format!(
                    "Could not reach the sandbox at {url} ({}); start one with `isvdbg sandbox` and give the ws:// URL it prints, or leave out --sandbox to run the default world in this command",
                    cause(&e.message)
                ))
            })?;
            Ok(Connected {
                client,
                events,
                sandbox: target.clone(),
                embedded: None,
            })
        }
        SandboxRef::Embedded { world } => {
            let dir = match world {
                Some(w) => Some(w.canonicalize().map_err(|e| {
                    WorkflowError::Usage(format!(
                        "--world {}: {e}; give a world folder such as fixtures/worlds/default",
                        w.display()
                    ))
                })?),
                None => None,
            };
            let shown = dir
                .as_ref()
                .map_or("the default world".to_string(), |d| d.display().to_string());
            let loaded = crate::world::resolve(dir.as_deref())
                .map_err(|e| WorkflowError::Usage(format!("{shown} cannot be loaded:\n{e}")))?;
            let clock = Clock::virtual_at(loaded.start);
            let sandbox = Sandbox::new(loaded.world.clone(), clock)
                .map_err(|e| WorkflowError::Usage(format!("{shown} cannot start: {e}")))?;
            Ok(Connected::local(sandbox, loaded, dir))
        }
    }
}

/// The transport's reason inside the client's message
/// ("could not connect to the sandbox at URL (REASON); ..."), else the message.
fn cause(message: &str) -> &str {
    message
        .split_once(" (")
        .and_then(|(_, rest)| rest.rsplit_once("); "))
        .map_or(message, |(reason, _)| reason)
}

impl Connected {
    /// A connection to a sandbox running in this process, loaded from `world`
    /// (found in `dir`; None for the default world).
    pub fn local(sandbox: Sandbox, world: LoadedWorld, dir: Option<PathBuf>) -> Connected {
        Connected::open(sandbox, Arc::new(world), dir)
    }

    fn open(sandbox: Sandbox, world: Arc<LoadedWorld>, dir: Option<PathBuf>) -> Connected {
        let local = sandbox.connect_local();
        let (client, events) = SandboxClient::over_channels(local.tx, local.rx);
        Connected {
            client,
            events,
            sandbox: SandboxRef::Embedded { world: dir },
            embedded: Some((sandbox, world)),
        }
    }

    /// Another connection, with no login, to the same embedded sandbox (None
    /// for a sandbox reached by URL: connect to its URL again).
    pub fn reconnect(&self) -> Option<Connected> {
        let (sandbox, world) = self.embedded.as_ref()?;
        Some(Connected::open(
            sandbox.clone(),
            world.clone(),
            self.world_dir().map(Path::to_path_buf),
        ))
    }

    /// Whether the sandbox runs inside this process.
    pub fn is_embedded(&self) -> bool {
        self.embedded.is_some()
    }

    /// The embedded world (None for a sandbox reached by URL).
    pub fn world(&self) -> Option<&World> {
        self.embedded.as_ref().map(|(_, w)| &w.world)
    }

    /// The world folder of an embedded sandbox (None for the default world).
    pub fn world_dir(&self) -> Option<&Path> {
        match &self.sandbox {
            SandboxRef::Embedded { world } => world.as_deref(),
            SandboxRef::Url(_) => None,
        }
    }

    /// The sandbox's current time (its clock may be virtual or scaled).
    pub async fn now(&self) -> Result<NaiveDateTime, WorkflowError> {
        let answer = self
            .client
            .call("clock.now", json!({}))
            .await
            .map_err(refused("Could not read the sandbox's clock"))?;
        let text = answer["now"].as_str().unwrap_or_default();
        chrono::DateTime::parse_from_rfc3339(text)
            .map(|t| t.naive_utc())
            .map_err(|e| {
                refused("Could not read the sandbox's clock")(ApiError::new(
                    "BAD_ANSWER",
                    format!("clock.now answered `{text}`, not an RFC 3339 time ({e})"),
                ))
            })
    }

    /// The fixture credentials of an LMO user of the embedded world.
    pub fn lmo_fixture(&self, username: &str) -> Option<Fixture> {
        let (_, user) = self.world()?.lmo_user(username)?;
        Some(Fixture {
            password: user.password.clone(),
            totp_secret: user.totp_secret.clone(),
        })
    }

    /// The fixture credentials of a subscriber user of the embedded world.
    pub fn org_user_fixture(&self, org: &str, username: &str) -> Option<Fixture> {
        let user = self.world()?.org(org)?.user(username)?;
        Some(Fixture {
            password: user.password.clone(),
            totp_secret: user.totp_secret.clone(),
        })
    }

    /// The embedded world's first LMO user who may log in to subscriber orgs
    /// (of the first publisher that has one).
    pub fn default_lmo_user(&self) -> Option<String> {
        self.world()?.publishers().find_map(|p| {
            let lmo = &p.lmo;
            lmo.users
                .iter()
                .find(|u| {
                    u.active
                        && u.totp_secret.is_some()
                        && lmo.has_permission(u, LOG_IN_TO_SUBSCRIBER_ORG)
                })
                .map(|u| u.username.clone())
        })
    }

    /// The embedded world's first active administrator of an org.
    pub fn default_org_admin(&self, org: &str) -> Option<String> {
        let org = self.world()?.org(org)?;
        org.users
            .iter()
            .find(|u| u.active && u.is_admin())
            .map(|u| u.username.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_failure_keeps_only_the_transports_reason() {
        assert_eq!(
            cause(
                "could not connect to the sandbox at ws://x/ (IO error: refused (os error 111)); start it"
            ),
            "IO error: refused (os error 111)"
        );
        assert_eq!(cause("something else"), "something else");
    }

    #[test]
    fn a_urls_final_slash_does_not_make_another_sandbox() {
        let a = SandboxRef::Url("ws://127.0.0.1:7421/".into());
        assert!(a.same_as(&SandboxRef::Url("ws://127.0.0.1:7421".into())));
        assert!(!a.same_as(&SandboxRef::Embedded { world: None }));
        assert_eq!(SandboxRef::Embedded { world: None }.as_str(), "embedded");
    }
}
