//! The `isvdbg` command line: one file per subcommand.
//!
//! To add a subcommand, add a file with an `Args` struct and a `run`
//! function, a variant to [`Command`] and an arm to [`Command::run`].

mod apex;
mod apex_test;
mod client;
mod dap;
mod demo;
mod exec;
mod logs;
mod sandbox;
mod setup;
mod world;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// ISV Customer Debugger for Apex.
#[derive(Debug, Parser)]
#[command(name = "isvdbg", version, about, long_about = None)]
pub struct Cli {
    /// Write logs to this file instead of stderr.
    #[arg(long, global = true, value_name = "FILE")]
    log_file: Option<PathBuf>,

    /// Log filter, such as `info` or `isvdbg=debug` (also ISVDBG_LOG).
    #[arg(
        long,
        global = true,
        env = "ISVDBG_LOG",
        default_value = "warn,isvdbg::trace=info"
    )]
    log: String,

    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Tell the support story end to end on the embedded default world.
    Demo(demo::Args),
    /// Run the debug adapter (DAP) on stdio, or on a TCP port.
    Dap(dap::Args),
    /// Run scenario files against a debug adapter and check the answers.
    Client(client::Args),
    /// Compile Apex sources, or run anonymous Apex, without a sandbox.
    Apex(apex::Args),
    /// Serve a world as a simulated Salesforce instance over WebSocket.
    Sandbox(sandbox::Args),
    /// Check a world folder, or show what a world holds.
    World(world::Args),
    /// Create and set up a project for ISV debugging of a subscriber org.
    Setup(setup::Args),
    /// Run anonymous Apex in a subscriber org as one of its users.
    Exec(exec::Args),
    /// List a subscriber org's debug logs, or print one.
    Logs(logs::Args),
}

impl Command {
    fn run(self) -> anyhow::Result<ExitCode> {
        match self {
            Command::Demo(args) => demo::run(args),
            Command::Dap(args) => dap::run(args),
            Command::Client(args) => client::run(args),
            Command::Apex(args) => apex::run(args),
            Command::Sandbox(args) => sandbox::run(args),
            Command::World(args) => world::run(args),
            Command::Setup(args) => setup::run(args),
            Command::Exec(args) => exec::run(args),
            Command::Logs(args) => logs::run(args),
        }
    }
}

/// Parses the command line, sets up logging and runs the subcommand.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = init_logging(&cli) {
        eprintln!("isvdbg: {e:#}");
        return ExitCode::from(2);
    }
    match cli.command.run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("isvdbg: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Logs go to stderr or `--log-file`, never stdout: in stdio mode stdout
/// carries only protocol frames.
fn init_logging(cli: &Cli) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_new(&cli.log).map_err(|e| {
        anyhow::anyhow!(
            "bad log filter `{}`: {e}; try `info` or `isvdbg=debug`",
            cli.log
        )
    })?;
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match &cli.log_file {
        Some(path) => {
            let file = std::fs::File::options()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| {
                    anyhow::anyhow!("could not open the log file {}: {e}", path.display())
                })?;
            builder
                .with_ansi(false)
                .with_writer(std::sync::Mutex::new(file))
                .init();
        }
        None => builder.with_writer(std::io::stderr).init(),
    }
    Ok(())
}
