//! `isvdbg apex check DIR` and `isvdbg apex run FILE.apex`: the VM without a sandbox.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args as ClapArgs, Subcommand};

use crate::vm::{self, interp::RequestEnv};

/// Arguments of `isvdbg apex`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    #[command(subcommand)]
    command: ApexCommand,
}

#[derive(Debug, Subcommand)]
enum ApexCommand {
    /// Compile every .cls and .trigger under DIR, as a deploy would, and print the errors.
    Check {
        /// A directory of Apex sources (an SFDX project or any folder of it).
        dir: PathBuf,
    },
    /// Run anonymous Apex against the classes under --classes and print its debug output.
    Run {
        /// The anonymous Apex file to run.
        file: PathBuf,
        /// A directory of classes the code may use.
        #[arg(long, value_name = "DIR")]
        classes: Option<PathBuf>,
        /// Print only the debug messages, without LINE|LEVEL.
        #[arg(long)]
        plain: bool,
    },
}

/// Runs `isvdbg apex ...`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        ApexCommand::Check { dir } => check(dir),
        ApexCommand::Run {
            file,
            classes,
            plain,
        } => run_file(file, classes, plain),
    }
}

fn print_errors(errors: &[vm::CompileError]) {
    for e in errors {
        println!("{e}");
    }
}

fn check(dir: PathBuf) -> anyhow::Result<ExitCode> {
    if !dir.is_dir() {
        anyhow::bail!(
            "{} is not a directory; pass the folder that holds your .cls files",
            dir.display()
        );
    }
    let set = crate::sfdx::load_sources(&dir)?;
    if set.files.is_empty() {
        anyhow::bail!("no .cls or .trigger files under {}", dir.display());
    }
    match vm::compile_classes(
        &set.files,
        Arc::new(crate::vm::schema::standard::standard_schema()),
    ) {
        Ok(_) => {
            let classes = set
                .files
                .iter()
                .filter(|f| f.name.ends_with(".cls"))
                .count();
            println!(
                "{} classes and {} triggers compiled with no errors",
                classes,
                set.files.len() - classes
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            print_errors(&errors);
            eprintln!("{} error(s)", errors.len());
            Ok(ExitCode::from(1))
        }
    }
}

fn run_file(file: PathBuf, classes: Option<PathBuf>, plain: bool) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("cannot read {}", file.display()))?;
    let files = match &classes {
        Some(d) => crate::sfdx::load_sources(d)?.files,
        None => Vec::new(),
    };
    let base = match vm::compile_classes(
        &files,
        Arc::new(crate::vm::schema::standard::standard_schema()),
    ) {
        Ok(p) => p,
        Err(errors) => {
            print_errors(&errors);
            return Ok(ExitCode::from(1));
        }
    };
    let (prog, entry) = match vm::compile_anonymous(&base, &text) {
        Ok(x) => x,
        Err(errors) => {
            print_errors(&errors);
            return Ok(ExitCode::from(1));
        }
    };
    // Apex requests get their own thread with room for deep recursion.
    let outcome = std::thread::Builder::new()
        .name("apex-request".into())
        .stack_size(vm::REQUEST_STACK)
        .spawn(move || vm::run_entry(&prog, entry, RequestEnv::default()))?
        .join()
        .map_err(|_| anyhow::anyhow!("the request thread failed"))?;
    for d in &outcome.output {
        if plain {
            println!("{}", d.message);
        } else {
            println!("{}|{}|{}", d.line, d.level, d.message);
        }
    }
    match outcome.exception {
        Some(e) => {
            println!("Error: {e}");
            if !e.stack.is_empty() {
                println!("{}", e.stack);
            }
            Ok(ExitCode::from(1))
        }
        None => Ok(ExitCode::SUCCESS),
    }
}
