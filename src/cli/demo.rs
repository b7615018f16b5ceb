//! `isvdbg demo`: the support story on the embedded default world.

use std::path::PathBuf;
use std::process::ExitCode;

/// Options of `isvdbg demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Run the story on this world instead of the embedded default world.
    #[arg(long, value_name = "DIR")]
    world: Option<PathBuf>,
    /// Wait for Enter between acts.
    #[arg(long)]
    step: bool,
}

/// Exits 0 only if every act behaved as documented.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let tally = rt
        .block_on(crate::demo::run(crate::demo::Options {
            world: args.world,
            step: args.step,
        }))
        .map_err(anyhow::Error::msg)?;
    if tally.failed.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        for f in &tally.failed {
            eprintln!("isvdbg demo: {f}");
        }
        Ok(ExitCode::from(1))
    }
}
