//! Reaching the sandbox and starting a debug session: the embedded sandbox
//! or a `ws://` one, the login (saved session, environment, or a world's
//! fixture credentials), LoginAs, and `debug.start` / `debug.attach`.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::NaiveDateTime;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::client::{ApiError, SandboxClient, SandboxEvent};
use super::credentials::{SavedSession, Secrets, secrets_from};
use super::progress::Progress;
use super::settings::SandboxAt;
use crate::dap::DapError;
use crate::dap::error::ids;
use crate::sandbox::Sandbox;
use crate::sandbox::clock::Clock;
use crate::world::{LOG_IN_TO_SUBSCRIBER_ORG, World};

/// A sandbox running inside this process, with what keeps it alive.
#[derive(Clone)]
pub struct Embedded {
    /// The world it was loaded from (for fixture credentials).
    pub world: Arc<World>,
    /// The sandbox.
    pub sandbox: Sandbox,
    /// Whether its clock is virtual.
    pub virtual_clock: bool,
    /// Login tokens of this process's sessions by lower-case LMO username:
    /// a second session of the same user resumes the login (a TOTP code
    /// cannot be used twice), and `attach` joins with the owner's login.
    pub logins: Arc<Mutex<Vec<(String, String)>>>,
    /// The default world's temporary folder, removed when the last user goes.
    _files: Option<Arc<tempfile::TempDir>>,
    /// Moves a real-time clock, while anyone holds the sandbox.
    _ticker: Option<Arc<Ticker>>,
}

/// Moves an instance clock forward at wall-clock speed until dropped.
struct Ticker(tokio::task::JoinHandle<()>);

impl Ticker {
    fn start(clock: Clock) -> Ticker {
        Ticker(tokio::spawn(async move {
            let mut last = tokio::time::Instant::now();
            let mut every = tokio::time::interval(std::time::Duration::from_millis(250));
            loop {
                every.tick().await;
                let now = tokio::time::Instant::now();
                let _ = clock.advance(now - last);
                last = now;
            }
        }))
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Embedded {
    /// The login token this process holds for `username`.
    pub fn token_of(&self, username: &str) -> Option<String> {
        let logins = self.logins.lock().ok()?;
        logins
            .iter()
            .find(|(u, _)| u.eq_ignore_ascii_case(username))
            .map(|(_, t)| t.clone())
    }

    /// Every login token this process holds, most recent first.
    pub fn tokens(&self) -> Vec<String> {
        self.logins
            .lock()
            .map(|l| l.iter().rev().map(|(_, t)| t.clone()).collect())
            .unwrap_or_default()
    }

    fn keep_token(&self, username: &str, token: &str) {
        if let Ok(mut logins) = self.logins.lock() {
            logins.retain(|(u, _)| !u.eq_ignore_ascii_case(username));
            logins.push((username.to_ascii_lowercase(), token.to_owned()));
        }
    }
}

/// Logins this process made on `ws://` sandboxes, by sandbox URL and
/// lower-case LMO username: a launch resumes a login no live session holds
/// instead of logging in again, since the TOTP code of the first cannot be
/// used twice within its window (after a refused launch, a retry would
/// otherwise fail). A held login is left alone: its LoginAs is in use.
static REMOTE_LOGINS: Mutex<Vec<(String, String, String)>> = Mutex::new(Vec::new());

/// Tokens of [`REMOTE_LOGINS`] that a live debug session holds.
static HELD: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// A live session's hold on its remote login; let go when dropped.
#[derive(Debug)]
pub struct HeldLogin(String);

impl HeldLogin {
    /// Marks `token` as held by a live session.
    pub fn hold(token: String) -> HeldLogin {
        if let Ok(mut held) = HELD.lock() {
            held.push(token.clone());
        }
        HeldLogin(token)
    }
}

impl Drop for HeldLogin {
    fn drop(&mut self) {
        if let Ok(mut held) = HELD.lock()
            && let Some(i) = held.iter().position(|t| *t == self.0)
        {
            held.swap_remove(i);
        }
    }
}

fn remote_token(url: &str, username: &str) -> Option<String> {
    let held = HELD.lock().ok()?;
    REMOTE_LOGINS
        .lock()
        .ok()?
        .iter()
        .rev()
        .find_map(|(u, n, t)| {
            (u == url && n.eq_ignore_ascii_case(username) && !held.contains(t)).then(|| t.clone())
        })
}

fn keep_remote_token(url: &str, username: &str, token: &str) {
    if let Ok(mut logins) = REMOTE_LOGINS.lock() {
        logins.retain(|(u, n, _)| !(u == url && n.eq_ignore_ascii_case(username)));
        logins.push((
            url.to_owned(),
            username.to_ascii_lowercase(),
            token.to_owned(),
        ));
    }
}

/// Embedded sandboxes shared by the sessions of one adapter process (TCP
/// mode), so that sessions see each other as on one Salesforce instance and
/// `attach` with `sandbox: embedded` can join a session of this process.
#[derive(Clone, Default)]
pub struct EmbeddedSandboxes(Arc<Mutex<Vec<(WorldKey, Embedded)>>>);

/// A world folder, or None for the default world.
type WorldKey = Option<PathBuf>;

impl std::fmt::Debug for EmbeddedSandboxes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EmbeddedSandboxes")
    }
}

impl EmbeddedSandboxes {
    /// The sandbox for `world` (None: the default world), created on first use.
    pub fn get_or_start(
        &self,
        world: Option<&std::path::Path>,
        virtual_clock: bool,
    ) -> Result<Embedded, DapError> {
        let key = world.map(|w| w.canonicalize().unwrap_or_else(|_| w.to_owned()));
        let mut list = self
            .0
            .lock()
            .map_err(|_| internal("the sandbox registry"))?;
        if let Some((_, e)) = list.iter().find(|(k, _)| *k == key) {
            if e.virtual_clock != virtual_clock {
                return Err(refused(format!(
                    "the embedded sandbox of this adapter already runs with a {} clock; use \
                     `clock: {}` like the other sessions, or start another adapter",
                    clock_word(e.virtual_clock),
                    clock_word(e.virtual_clock)
                )));
            }
            return Ok(e.clone());
        }
        let embedded = start_embedded(key.as_deref(), virtual_clock)?;
        list.push((key, embedded.clone()));
        Ok(embedded)
    }

    /// The most recently started sandbox, for `attach`.
    pub fn latest(&self) -> Option<Embedded> {
        self.0.lock().ok()?.last().map(|(_, e)| e.clone())
    }
}

fn clock_word(virtual_clock: bool) -> &'static str {
    if virtual_clock { "virtual" } else { "real" }
}

/// Loads a world (the default one when `world` is None) and starts a sandbox on it.
pub fn start_embedded(
    world: Option<&std::path::Path>,
    virtual_clock: bool,
) -> Result<Embedded, DapError> {
    let loaded = crate::world::resolve(world).map_err(|e| {
        refused(format!(
            "the world {} could not be loaded:\n{e}",
            world.map_or("(default)".to_owned(), |w| w.display().to_string())
        ))
    })?;
    let (world, files) = loaded.into_parts();
    // A world's grants and times count from its start, so even a "real"
    // clock starts there, then runs at wall-clock speed.
    let clock = Clock::virtual_at(world.start);
    let ticker = (!virtual_clock).then(|| Arc::new(Ticker::start(clock.clone())));
    let kept = world.clone();
    let sandbox = Sandbox::new(world, clock)
        .map_err(|e| refused(format!("the embedded sandbox could not start: {e}")))?;
    Ok(Embedded {
        world: Arc::new(kept),
        sandbox,
        virtual_clock,
        logins: Arc::default(),
        _files: files.map(Arc::new),
        _ticker: ticker,
    })
}

/// A connection to the sandbox, before any login.
pub struct Reached {
    pub client: SandboxClient,
    pub events: mpsc::UnboundedReceiver<SandboxEvent>,
    /// The embedded sandbox, when it runs in this process.
    pub embedded: Option<Embedded>,
}

/// Connects to an embedded sandbox (already started) or a remote one.
pub async fn reach(at: &SandboxAt, embedded: Option<Embedded>) -> Result<Reached, DapError> {
    match (at, embedded) {
        (SandboxAt::Embedded, Some(embedded)) => {
            let local = embedded.sandbox.connect_local();
            let (client, events) = SandboxClient::over_channels(local.tx, local.rx);
            Ok(Reached {
                client,
                events,
                embedded: Some(embedded),
            })
        }
        (SandboxAt::Remote(url), _) => {
            let (client, events) = SandboxClient::connect_ws(url).await.map_err(api)?;
            Ok(Reached {
                client,
                events,
                embedded: None,
            })
        }
        (SandboxAt::Embedded, None) => Err(internal("an embedded sandbox that was not started")),
    }
}

/// Who to log in as and with what.
#[derive(Debug, Clone, Default)]
pub struct LoginPlan {
    /// `embedded` or the URL: matched against the saved session's sandbox.
    pub sandbox: String,
    pub saved: Option<SavedSession>,
    pub lmo_user: Option<String>,
    pub org: Option<String>,
    pub login_as_user: Option<String>,
}

/// The outcome of a login, ready for `debug.start`.
#[derive(Debug, Clone)]
pub struct LoggedIn {
    /// The LMO user.
    pub lmo_user: String,
    /// The org key, name or id given to LoginAs.
    pub org: String,
    /// The subscriber user logged in as.
    pub login_as_user: String,
    /// Notes for the debug console (a stale saved session, ...).
    pub notes: Vec<String>,
    /// The login on a `ws://` sandbox this process keeps for later launches
    /// (see [`HeldLogin`]); None for an embedded sandbox or a saved session.
    pub remote_token: Option<String>,
}

/// Logs in and starts (or reuses) the LoginAs, reporting steps to `progress`.
pub async fn log_in(
    client: &SandboxClient,
    plan: &LoginPlan,
    embedded: Option<&Embedded>,
    env: &(dyn Fn(&str) -> Option<String> + Send + Sync),
    progress: &Progress,
) -> Result<LoggedIn, DapError> {
    let mut notes = Vec::new();
    let saved = plan.saved.as_ref();
    let lmo_user = plan
        .lmo_user
        .clone()
        .or_else(|| saved.and_then(|s| s.lmo_user.clone()))
        .or_else(|| embedded.and_then(|e| default_lmo_user(&e.world)));
    let mut login_as: Option<Value> = None;
    let mut logged_in = false;

    // 1. The session `isvdbg setup` saved.
    if let Some(s) = saved
        && let Some(token) = &s.token
    {
        if s.belongs_to(&plan.sandbox) {
            progress.update("Resuming the saved session", 20.0);
            match client.call("auth.resume", json!({ "token": token })).await {
                Ok(result) => {
                    logged_in = true;
                    login_as = result.get("loginAs").cloned().filter(|v| !v.is_null());
                }
                Err(e) if matches!(e.code.as_str(), "TOKEN_EXPIRED" | "INVALID_TOKEN") => {
                    notes.push(format!(
                        "The session saved in {} can no longer be used ({}); logging in again.",
                        s.path.display(),
                        e.message
                    ));
                }
                Err(e) => return Err(api(e)),
            }
        } else {
            notes.push(format!(
                "The session saved in {} belongs to the sandbox {}, not {}; logging in again.",
                s.path.display(),
                s.sandbox.as_deref().unwrap_or("(unknown)"),
                plan.sandbox
            ));
        }
    }

    // A login this process made on the same sandbox, for the same user.
    let held = lmo_user.as_deref().and_then(|lmo| match embedded {
        Some(e) => e.token_of(lmo),
        None => remote_token(&plan.sandbox, lmo),
    });
    let mut remote_token = None;
    if !logged_in
        && let Some(token) = held
        && let Ok(result) = client.call("auth.resume", json!({ "token": token })).await
    {
        logged_in = true;
        login_as = result.get("loginAs").cloned().filter(|v| !v.is_null());
        remote_token = embedded.is_none().then_some(token);
    }

    // 2. The environment, then 3. the world's fixture credentials.
    if !logged_in {
        let secrets = secrets_from(env).map_err(refused)?;
        let lmo = lmo_user.clone().ok_or_else(|| {
            refused(
                "no LMO user to log in as: set `lmoUser` in launch.json, or run `isvdbg setup` \
                 in the project (it saves the user in .isvdbg/session.json)",
            )
        })?;
        let secrets = match (secrets, embedded) {
            (Some(s), _) => s,
            (None, Some(e)) => fixture_secrets(&e.world, &lmo)?,
            (None, None) => {
                return Err(refused(format!(
                    "no credentials for {lmo}: run `isvdbg setup` in the project, or set \
                     ISVDBG_PASSWORD and ISVDBG_TOTP_SECRET in the environment of the debug \
                     adapter (credentials never go in launch.json)"
                )));
            }
        };
        progress.update(&format!("Logging in as {lmo}"), 20.0);
        let now = instance_now(client).await?;
        let code = crate::sandbox::auth::current_code(&secrets.totp_secret, now).map_err(|e| {
            refused(format!(
                "the TOTP secret for {lmo} cannot make a code ({e}); check ISVDBG_TOTP_SECRET"
            ))
        })?;
        let params = json!({ "username": lmo, "password": secrets.password, "code": code });
        let result = client.call("auth.login", params).await.map_err(api)?;
        if let Some(token) = result["token"].as_str() {
            match embedded {
                Some(e) => e.keep_token(&lmo, token),
                None => {
                    keep_remote_token(&plan.sandbox, &lmo, token);
                    remote_token = Some(token.to_owned());
                }
            }
        }
    }

    // LoginAs, unless the resumed login already is the right one.
    let org = plan
        .org
        .clone()
        .or_else(|| saved.and_then(|s| s.org.clone()))
        .ok_or_else(|| {
            refused(
                "no subscriber org to debug: set `subscriberOrg` in launch.json, or run \
                 `isvdbg setup` in the project",
            )
        })?;
    let login_as_user = plan
        .login_as_user
        .clone()
        .or_else(|| saved.and_then(|s| s.login_as_user.clone()))
        .or_else(|| {
            embedded.and_then(|e| granting_user(&e.world, &org, lmo_user.as_deref().unwrap_or("")))
        })
        .ok_or_else(|| {
            refused(format!(
                "no user to log in as in {org}: set `loginAsUser` in launch.json to the \
                 username of the subscriber user who granted login access"
            ))
        })?;
    let reuse = login_as
        .as_ref()
        .is_some_and(|la| same_login_as(la, &org, &login_as_user));
    if !reuse {
        progress.update(&format!("Logging in to {org} as {login_as_user}"), 45.0);
        let params = json!({ "org": org, "user": login_as_user });
        client.call("loginAs.start", params).await.map_err(api)?;
    }
    Ok(LoggedIn {
        lmo_user: lmo_user.unwrap_or_default(),
        org,
        login_as_user,
        notes,
        remote_token,
    })
}

/// Whether an existing LoginAs (`{org, user, since}`) is for `org` and `user`.
fn same_login_as(login_as: &Value, org: &str, user: &str) -> bool {
    let org_matches = match &login_as["org"] {
        Value::String(o) => o.eq_ignore_ascii_case(org),
        Value::Object(o) => ["key", "id", "name"].iter().any(|k| {
            o.get(*k)
                .and_then(Value::as_str)
                .is_some_and(|v| v.eq_ignore_ascii_case(org))
        }),
        _ => false,
    };
    let user_matches = match &login_as["user"] {
        Value::String(u) => u.eq_ignore_ascii_case(user),
        Value::Object(u) => u
            .get("username")
            .and_then(Value::as_str)
            .is_some_and(|v| v.eq_ignore_ascii_case(user)),
        _ => false,
    };
    org_matches && user_matches
}

/// The instance's time, from `clock.now`.
pub async fn instance_now(client: &SandboxClient) -> Result<NaiveDateTime, DapError> {
    let result = client.call("clock.now", json!({})).await.map_err(api)?;
    let text = result["now"].as_str().unwrap_or_default();
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.naive_utc())
        .map_err(|e| {
            refused(format!(
                "the sandbox answered clock.now with `{text}`, not an RFC 3339 time ({e})"
            ))
        })
}

/// The first active LMO user allowed to log in to subscriber orgs, of the
/// first publisher that has one.
fn default_lmo_user(world: &World) -> Option<String> {
    world.publishers().find_map(|p| {
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

/// The user of `org` who granted login access to `lmo_user`'s publisher (the
/// latest grant that is not revoked).
fn granting_user(world: &World, org: &str, lmo_user: &str) -> Option<String> {
    let publisher = world.lmo_user(lmo_user).map(|(p, _)| p.name.as_str());
    let org = world.org(org)?;
    org.grants
        .iter()
        .filter(|g| !g.revoked && publisher.is_none_or(|p| g.publisher == p))
        .max_by_key(|g| g.granted_at)
        .map(|g| g.user.clone())
}

/// The demo password and TOTP secret of an LMO user of an embedded world.
fn fixture_secrets(world: &World, username: &str) -> Result<Secrets, DapError> {
    let (_, user) = world.lmo_user(username).ok_or_else(|| {
        let lmos: Vec<&str> = world.publishers().map(|p| p.lmo.name.as_str()).collect();
        let known: Vec<&str> = world
            .publishers()
            .flat_map(|p| &p.lmo.users)
            .map(|u| u.username.as_str())
            .collect();
        refused(format!(
            "{username} is not a user of the LMO {} in the world `{}`; its users are: {}",
            lmos.join(" or "),
            world.name,
            known.join(", ")
        ))
    })?;
    let totp_secret = user.totp_secret.clone().ok_or_else(|| {
        refused(format!(
            "{username} has not enrolled in MFA, and LMO users need a TOTP code to log in to \
             the subscriber support console; use another LMO user"
        ))
    })?;
    Ok(Secrets {
        password: user.password.clone(),
        totp_secret,
    })
}

/// A sandbox refusal as a DAP error shown to the user, in the sandbox's words.
pub fn api(e: ApiError) -> DapError {
    DapError::new(ids::RUNTIME, e.message).shown()
}

/// A refusal of the bridge's own, shown to the user.
pub fn refused(message: impl Into<String>) -> DapError {
    DapError::new(ids::RUNTIME, message).shown()
}

fn internal(what: &str) -> DapError {
    DapError::new(
        ids::RUNTIME,
        format!("internal error: {what} is unusable; restart the debug adapter"),
    )
}
