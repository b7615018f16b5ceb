//! A harness for scenarios with several clients and a shared sandbox: each
//! client is a bridge session in memory, and the sandbox a WebSocket server
//! in this process on a free loopback port, as `isvdbg sandbox` serves it.

use std::sync::Arc;

use isvdbg::bridge::Bridge;
use isvdbg::client::scenario::SandboxClock;
use isvdbg::client::{Client, Harness, SandboxPlan};
use isvdbg::sandbox::Sandbox;
use isvdbg::sandbox::clock::Clock;

use super::connect;

/// Starts what a scenario declares, in this process; stops the sandbox when dropped.
#[derive(Default)]
pub struct InProcess {
    /// Tells the sandbox server to shut down.
    stop: Option<tokio::sync::watch::Sender<bool>>,
    /// The default world's files, kept while the sandbox runs.
    _files: Option<tempfile::TempDir>,
}

impl Drop for InProcess {
    fn drop(&mut self) {
        if let Some(stop) = &self.stop {
            let _ = stop.send(true);
        }
    }
}

impl Harness for InProcess {
    async fn start_sandbox(&mut self, plan: &SandboxPlan) -> anyhow::Result<String> {
        let loaded =
            isvdbg::world::resolve(plan.world.as_deref()).map_err(|e| anyhow::anyhow!("{e}"))?;
        let (mut world, files) = loaded.into_parts();
        // As `isvdbg sandbox` does: a real clock starts the world now.
        let clock = match plan.clock {
            SandboxClock::Virtual => Clock::virtual_at(world.start),
            SandboxClock::Real => {
                world.start_at(chrono::Utc::now().naive_utc());
                Clock::real(1.0)
            }
        };
        let sandbox = Sandbox::new(world, clock)?;
        sandbox.start_traffic();
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
        _name: Option<&str>,
        env: &[(String, String)],
    ) -> anyhow::Result<Client> {
        let vars = env.to_vec();
        let lookup = Arc::new(move |name: &str| {
            vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        });
        let (client, _session) = connect(Bridge::new().with_env(lookup));
        Ok(client)
    }
}
