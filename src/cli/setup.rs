//! `isvdbg setup`: create and set up a project for ISV debugging.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args as ClapArgs;

use crate::workflow::credentials::{Ask, Given, Terminal};
use crate::workflow::progress::Progress;
use crate::workflow::setup::{SetupOptions, setup};
use crate::workflow::{SandboxRef, WorkflowError, connect};

/// Which sandbox a command talks to. With neither option, the default world
/// built into isvdbg runs inside the command.
#[derive(Debug, Clone, ClapArgs)]
#[group(multiple = false)]
pub struct TargetArgs {
    /// A running sandbox: the ws:// URL that `isvdbg sandbox` prints.
    #[arg(long, value_name = "URL")]
    sandbox: Option<String>,
    /// A world folder, run inside this command; its fixture credentials stand in for passwords.
    #[arg(long, value_name = "DIR")]
    world: Option<PathBuf>,
}

impl TargetArgs {
    /// The sandbox named on the command line.
    pub fn sandbox_ref(&self) -> SandboxRef {
        match &self.sandbox {
            Some(url) => SandboxRef::Url(url.clone()),
            None => SandboxRef::Embedded {
                world: self.world.clone(),
            },
        }
    }
}

/// Arguments of `isvdbg setup`.
///
/// The password comes from ISVDBG_PASSWORD or a masked prompt, never the
/// command line; the verification code from --totp-code, ISVDBG_TOTP_SECRET
/// or a prompt. In an embedded world, the world's fixture credentials are
/// used when neither is set.
#[derive(Debug, ClapArgs)]
pub struct Args {
    #[command(flatten)]
    target: TargetArgs,
    /// The support engineer's LMO username.
    #[arg(long, value_name = "USERNAME")]
    lmo_user: String,
    /// The subscriber org: key, name or org id.
    #[arg(long)]
    org: String,
    /// The subscriber user to log in as (who granted login access).
    #[arg(long, value_name = "USERNAME")]
    login_as: String,
    /// The project folder to create or update.
    #[arg(long, value_name = "DIR")]
    dir: PathBuf,
    /// The LMO user's current verification code (authenticator app).
    #[arg(long, value_name = "CODE")]
    totp_code: Option<String>,
}

/// Runs `isvdbg setup`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let opts = SetupOptions {
        lmo_user: args.lmo_user,
        org: args.org,
        login_as: args.login_as,
        dir: args.dir,
    };
    let given = Given::from_env(args.totp_code);
    let target = args.target.sandbox_ref();
    runtime()?.block_on(async move {
        let mut progress = Progress::stdout();
        let mut terminal = Terminal::if_interactive();
        let outcome = async {
            let conn = connect(&target).await?;
            let ask = terminal.as_mut().map(|t| t as &mut dyn Ask);
            setup(&conn, &opts, &given, ask, &mut progress).await
        }
        .await;
        Ok(finish(outcome.map(|_| ()), &mut progress))
    })
}

/// A runtime for one command: a few workers, so an embedded sandbox and the
/// client both make progress while a prompt blocks.
pub(super) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

/// Exit 0, or print the failed step on stderr and exit 1.
pub(super) fn finish<W: std::io::Write>(
    outcome: Result<(), WorkflowError>,
    progress: &mut Progress<W>,
) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            progress.clear();
            eprintln!("✗ {e}");
            ExitCode::from(1)
        }
    }
}
