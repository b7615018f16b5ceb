//! Everything the demo runs on, in this process and on loopback only: the
//! world's sandbox on a virtual clock behind a real WebSocket server, and the
//! real DAP server with the bridge behind a TCP port.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::watch;

use super::Cast;
use crate::bridge::client::SandboxClient;
use crate::sandbox::Sandbox;
use crate::sandbox::auth::current_code;
use crate::sandbox::clock::Clock;
use crate::workflow::credentials::Given;
use crate::workflow::progress::Progress;
use crate::workflow::setup::{SetupOptions, setup};
use crate::workflow::target::{SandboxRef, connect};
use crate::world::LoadedWorld;

/// The running pieces.
pub struct Stage {
    pub sb: Sandbox,
    pub ws_url: String,
    pub dap_addr: String,
    stop: watch::Sender<bool>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    /// Projects that `isvdbg setup` wrote, removed at the end.
    pub projects: tempfile::TempDir,
    _world: LoadedWorld,
}

impl Stage {
    /// Brings the world up on a virtual clock and starts both servers;
    /// refuses a world that lacks part of the `cast`.
    pub async fn start(world: Option<&Path>, cast: &Cast) -> Result<Stage, String> {
        let loaded = crate::world::resolve(world).map_err(|e| e.to_string())?;
        cast.check(&loaded.world)?;
        let w = loaded.world.clone();
        let clock = Clock::virtual_at(w.start);
        let sb = Sandbox::new(w, clock).map_err(|e| e.to_string())?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let ws_url = format!(
            "ws://{}/",
            listener.local_addr().map_err(|e| e.to_string())?
        );
        let (stop, stop_rx) = watch::channel(false);
        let server = tokio::spawn(crate::sandbox::server::serve(sb.clone(), listener, stop_rx));
        let dap = crate::dap::server::bind_loopback(0)
            .await
            .map_err(|e| e.to_string())?;
        let dap_addr = dap.local_addr().map_err(|e| e.to_string())?.to_string();
        tokio::spawn(crate::dap::server::serve_tcp(
            dap,
            crate::bridge::Bridge::new,
        ));
        let projects = tempfile::Builder::new()
            .prefix("isvdbg-demo-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        Ok(Stage {
            sb,
            ws_url,
            dap_addr,
            stop,
            server,
            projects,
            _world: loaded,
        })
    }

    /// Moves the instance clock.
    pub fn advance(&self, d: Duration) {
        let _ = self.sb.clock.advance(d);
    }

    /// A customer's connection, logged in as `user` of `org`.
    pub async fn customer(&self, org: &str, user: &str) -> Result<SandboxClient, String> {
        let (client, _events) = SandboxClient::connect_ws(&self.ws_url)
            .await
            .map_err(|e| e.message)?;
        let rt = self
            .sb
            .org(org)
            .ok_or_else(|| format!("the world has no org {org}"))?;
        let u = rt
            .info()
            .user(user)
            .cloned()
            .ok_or_else(|| format!("{org} has no user {user}"))?;
        self.advance(Duration::from_secs(30));
        let code = u
            .totp_secret
            .as_deref()
            .map(|s| current_code(s, self.sb.clock.now()))
            .transpose()
            .map_err(|e| e.to_string())?;
        client
            .call(
                "auth.loginSubscriber",
                json!({ "org": org, "username": user, "password": u.password, "code": code }),
            )
            .await
            .map_err(|e| e.message)?;
        Ok(client)
    }

    /// Runs `isvdbg setup` for an engineer, as they would type it; the project folder.
    pub async fn setup(
        &self,
        lmo_user: &str,
        org: &str,
        login_as: &str,
    ) -> Result<(PathBuf, String), String> {
        let u = self
            .sb
            .world
            .lmo_user(lmo_user)
            .map(|(_, u)| u.clone())
            .ok_or_else(|| format!("no LMO has a user {lmo_user}"))?;
        // A fresh TOTP step, so that no code is reused between acts.
        self.advance(Duration::from_secs(30));
        let conn = connect(&SandboxRef::Url(self.ws_url.clone()))
            .await
            .map_err(|e| e.to_string())?;
        let dir = self.projects.path().join(format!(
            "{org}-{}",
            lmo_user.split('@').next().unwrap_or("user")
        ));
        let opts = SetupOptions {
            lmo_user: lmo_user.into(),
            org: org.into(),
            login_as: login_as.into(),
            dir: dir.clone(),
        };
        let given = Given {
            password: Some(u.password.clone()),
            totp_secret: u.totp_secret.clone(),
            totp_code: None,
        };
        let mut progress = Progress::new(Vec::new(), false);
        let r = setup(&conn, &opts, &given, None, &mut progress).await;
        let log = String::from_utf8_lossy(&progress.into_inner()).into_owned();
        r.map(|_| (dir, log)).map_err(|e| e.to_string())
    }

    /// The launch configuration `isvdbg setup` would write, for the DAP client.
    pub fn launch_args(&self, project: &Path, lmo_user: &str, org: &str, login_as: &str) -> Value {
        json!({
            "type": "apex-isv", "request": "launch", "name": "Debug Apex (ISV)",
            "salesforceProject": project, "sandbox": self.ws_url,
            "subscriberOrg": org, "loginAsUser": login_as, "lmoUser": lmo_user,
        })
    }

    /// Ends every session and lets every request finish.
    pub async fn stop(self) -> Result<(), String> {
        let _ = self.stop.send(true);
        self.server
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())
    }
}
