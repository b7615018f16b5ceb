//! `isvdbg world check|show`: check a world folder, or print what it holds.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args as ClapArgs, Subcommand};

use crate::world::{self, Summary, WorldErrors};

/// Arguments of `isvdbg world`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    #[command(subcommand)]
    command: WorldCommand,
}

#[derive(Debug, Subcommand)]
enum WorldCommand {
    /// Check a world: its files, and each org's Apex and data deployed with its packages.
    Check {
        /// The world folder (with world.toml and orgs/).
        dir: PathBuf,
    },
    /// Print a world's instance, LMO, orgs, users and grants.
    Show {
        /// The world folder; without it, the default world built into isvdbg.
        dir: Option<PathBuf>,
    },
}

/// Runs `isvdbg world ...`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        WorldCommand::Check { dir } => match world::check(&dir) {
            Ok(w) => {
                println!("{}: {} — no problems", dir.display(), Summary::of(&w));
                Ok(ExitCode::SUCCESS)
            }
            Err(errors) => Ok(report(&errors)),
        },
        WorldCommand::Show { dir } => match world::resolve(dir.as_deref()) {
            Ok(loaded) => {
                let source = match &dir {
                    Some(d) => d.display().to_string(),
                    None => "built into isvdbg".to_string(),
                };
                print!("{}", world::show::render(&loaded, &source));
                Ok(ExitCode::SUCCESS)
            }
            Err(errors) => Ok(report(&errors)),
        },
    }
}

/// Prints each problem on its own line (stdout) and the count (stderr).
fn report(errors: &WorldErrors) -> ExitCode {
    println!("{errors}");
    let n = errors.len();
    eprintln!("{n} problem{}", if n == 1 { "" } else { "s" });
    ExitCode::from(1)
}
