//! `isvdbg sandbox`: serve a world as a simulated Salesforce instance.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::ValueEnum;

use crate::sandbox::Sandbox;
use crate::sandbox::clock::Clock;

/// Which clock the instance runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClockKind {
    /// Wall time (optionally sped up with --time-scale); the world starts
    /// now, so its grants and times count from the moment the sandbox starts.
    Real,
    /// Time stands still until a client calls clock.advance.
    Virtual,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The world folder (default: the embedded default world).
    #[arg(long, value_name = "DIR")]
    world: Option<PathBuf>,
    /// Where to listen. Loopback by default; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8787", value_name = "ADDR:PORT")]
    listen: SocketAddr,
    /// The instance clock.
    #[arg(long, value_enum, default_value = "real")]
    clock: ClockKind,
    /// With --clock real: how many times faster than wall time the instance runs.
    #[arg(long, default_value_t = 1.0, value_name = "N")]
    time_scale: f64,
    /// Record every call, answer and event of every connection to FILE as
    /// JSON lines `{"conn","dir","msg"}` (docs/transcripts.md).
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
    /// Let any client call admin.peakLoad and admin.maintenance on a real
    /// clock (with --clock virtual they are always open).
    #[arg(long)]
    admin_api: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if !(args.time_scale.is_finite() && args.time_scale > 0.0) {
        anyhow::bail!("--time-scale must be a positive number, such as 1 or 60");
    }
    if args.clock == ClockKind::Virtual && args.time_scale != 1.0 {
        anyhow::bail!(
            "--time-scale only applies to --clock real; a virtual clock moves only when clock.advance is called"
        );
    }
    let loaded =
        crate::world::resolve(args.world.as_deref()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut world = loaded.world.clone();
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async move {
        let clock = match args.clock {
            // The world's grants and times count from its start: a real
            // clock starts the world now, and runs at wall-clock speed.
            ClockKind::Real => {
                world.start_at(chrono::Utc::now().naive_utc());
                Clock::real(args.time_scale)
            }
            ClockKind::Virtual => Clock::virtual_at(world.start),
        };
        let name = world.name.clone();
        let orgs = world.orgs.len();
        let sb = Sandbox::new(world, clock).context("bringing the world's orgs up")?;
        if args.admin_api {
            sb.auth.enable_admin_api();
        }
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}; pick another port with --listen 127.0.0.1:PORT", args.listen))?;
        let addr = listener.local_addr()?;
        // Recording: clients reach a recording proxy on the address asked
        // for, and the proxy the sandbox on a loopback port of its own.
        let listener = match &args.record {
            None => listener,
            Some(path) => {
                let recorder = crate::sandbox::record::Recorder::create(path)?;
                let inner = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
                let upstream = format!("ws://{}/", inner.local_addr()?);
                tokio::spawn(crate::sandbox::record::proxy(listener, upstream, recorder));
                inner
            }
        };
        if !addr.ip().is_loopback() {
            eprintln!("warning: listening on {addr}, which is not loopback: anyone who can reach it can use the fixture credentials");
        }
        println!("isvdbg sandbox: world `{name}` ({orgs} orgs) on ws://{addr}/ ({} clock)", match args.clock {
            ClockKind::Real => "real",
            ClockKind::Virtual => "virtual",
        });
        sb.start_traffic();
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            wait_for_signal().await;
            eprintln!("isvdbg sandbox: shutting down: ending debug sessions and letting requests finish");
            let _ = stop_tx.send(true);
        });
        crate::sandbox::server::serve(sb, listener, stop_rx).await?;
        drop(loaded);
        Ok(ExitCode::SUCCESS)
    })
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
