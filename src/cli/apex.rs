//! `isvdbg apex check|run|test`: the VM and its data platform without a sandbox.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args as ClapArgs, Subcommand, ValueEnum};

use crate::sfdx::deploy::{self, DeployError, Deployed};
use crate::vm::platform::log::LogLevels;
use crate::vm::platform::store::OrgStore;
use crate::vm::{self, interp::RequestEnv};

/// Arguments of `isvdbg apex`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    #[command(subcommand)]
    command: ApexCommand,
}

/// The projects that make up one org's code.
#[derive(Debug, ClapArgs)]
struct Projects {
    /// A managed package's SFDX project (with a namespace) installed in the org; repeatable.
    #[arg(long = "package", value_name = "DIR")]
    packages: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum ApexCommand {
    /// Compile every .cls and .trigger of an SFDX project, as a deploy would, and print the errors.
    Check {
        /// The project (or any folder of Apex sources). Its objects are loaded too.
        dir: PathBuf,
        #[command(flatten)]
        projects: Projects,
    },
    /// Run anonymous Apex in an org and print its debug output (or, with --debug-log, its debug log).
    Run {
        /// The anonymous Apex file to run.
        file: PathBuf,
        #[command(flatten)]
        projects: Projects,
        /// The org: an SFDX project whose classes, objects and `data/` records are loaded.
        #[arg(long, value_name = "DIR", alias = "classes")]
        org: Option<PathBuf>,
        /// Print only the debug messages, without LINE|LEVEL.
        #[arg(long)]
        plain: bool,
        /// Print the debug log instead, at these levels (`APEX_CODE,FINEST;DB,INFO`); alone, FINEST everywhere.
        #[arg(long, value_name = "LEVELS", num_args = 0..=1, default_missing_value = "FINEST")]
        debug_log: Option<String>,
        /// Whose view of the output and log to print.
        #[arg(long, value_enum, default_value_t = View::Full)]
        view: View,
        /// Run as the publisher's support engineer (login access): protected settings of the packages are readable.
        #[arg(long)]
        isv: bool,
    },
    /// Run the @IsTest methods of a project, each in its own empty org, and report them.
    Test {
        /// The project whose test classes run.
        dir: PathBuf,
        #[command(flatten)]
        projects: Projects,
        /// Run only test classes or methods whose name contains this text.
        #[arg(long)]
        filter: Option<String>,
    },
}

/// A debug log's two views.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum View {
    /// What the publisher sees through login access.
    Full,
    /// What the subscriber sees: package internals hidden.
    Subscriber,
}

/// Runs `isvdbg apex ...`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        ApexCommand::Check { dir, projects } => check(&dir, &projects),
        ApexCommand::Run {
            file,
            projects,
            org,
            plain,
            debug_log: log,
            view,
            isv,
        } => run_file(RunArgs {
            file,
            projects,
            org,
            plain,
            log,
            view,
            isv,
        }),
        ApexCommand::Test {
            dir,
            projects,
            filter,
        } => super::apex_test::run(&dir, &packages(&projects), filter.as_deref()),
    }
}

fn packages(p: &Projects) -> Vec<&Path> {
    p.packages.iter().map(PathBuf::as_path).collect()
}

fn print_errors(errors: &[vm::CompileError]) {
    for e in errors {
        println!("{e}");
    }
}

/// Deploys, printing compile errors; None when there were some.
pub(super) fn deploy_or_report(
    packages: &[&Path],
    org: Option<&Path>,
) -> anyhow::Result<Option<Deployed>> {
    for p in packages.iter().copied().chain(org) {
        if !p.is_dir() {
            anyhow::bail!(
                "{} is not a directory; pass the folder that holds sfdx-project.json",
                p.display()
            );
        }
    }
    match deploy::deploy(packages, org) {
        Ok(d) => Ok(Some(d)),
        Err(DeployError::Compile(errors)) => {
            print_errors(&errors);
            eprintln!("{} error(s)", errors.len());
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

fn check(dir: &Path, projects: &Projects) -> anyhow::Result<ExitCode> {
    if !dir.is_dir() {
        anyhow::bail!(
            "{} is not a directory; pass the folder that holds your .cls files",
            dir.display()
        );
    }
    let set = crate::sfdx::load_sources(dir)?;
    if set.files.is_empty() {
        anyhow::bail!("no .cls or .trigger files under {}", dir.display());
    }
    let Some(d) = deploy_or_report(&packages(projects), Some(dir))? else {
        return Ok(ExitCode::from(1));
    };
    let triggers = set
        .files
        .iter()
        .filter(|f| f.name.ends_with(".trigger"))
        .count();
    let objects = d
        .program
        .schema
        .objects
        .iter()
        .filter(|o| o.name.ends_with("__c"))
        .count();
    println!(
        "{} classes and {} triggers compiled with no errors ({} custom objects)",
        set.files.len() - triggers,
        triggers,
        objects
    );
    Ok(ExitCode::SUCCESS)
}

struct RunArgs {
    file: PathBuf,
    projects: Projects,
    org: Option<PathBuf>,
    plain: bool,
    log: Option<String>,
    view: View,
    isv: bool,
}

fn run_file(a: RunArgs) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&a.file)
        .with_context(|| format!("cannot read {}", a.file.display()))?;
    let log_levels = a
        .log
        .as_deref()
        .map(parse_levels)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let Some(d) = deploy_or_report(&packages(&a.projects), a.org.as_deref())? else {
        return Ok(ExitCode::from(1));
    };
    let store = Arc::new(OrgStore::new(d.program.schema.clone()));
    if let Some(org) = &a.org {
        deploy::load_org_data(org, &store)?;
    }
    let isv_access = if a.isv {
        d.namespaces.clone()
    } else {
        Vec::new()
    };
    let (prog, entry) = match vm::compile_anonymous_with(&d.program, &text, &isv_access) {
        Ok(x) => x,
        Err(errors) => {
            print_errors(&errors);
            return Ok(ExitCode::from(1));
        }
    };
    let env = RequestEnv {
        store: Some(store),
        isv_access,
        log_levels,
        log_source: Some(text),
        ..RequestEnv::default()
    };
    // Apex requests get their own thread with room for deep recursion.
    let outcome = std::thread::Builder::new()
        .name("apex-request".into())
        .stack_size(vm::REQUEST_STACK)
        .spawn(move || vm::run_entry(&prog, entry, env))?
        .join()
        .map_err(|_| anyhow::anyhow!("the request thread failed"))?;
    if let Some(log) = &outcome.log {
        match a.view {
            View::Full => print!("{}", log.full),
            View::Subscriber => print!("{}", log.subscriber),
        }
    } else {
        // The subscriber does not see the package's debug output.
        let shown = outcome
            .output
            .iter()
            .filter(|d| a.view == View::Full || d.namespace.is_empty());
        for d in shown {
            if a.plain {
                println!("{}", d.message);
            } else {
                println!("{}|{}|{}", d.line, d.level, d.message);
            }
        }
    }
    match outcome.exception {
        Some(e) => {
            eprintln!("Error: {e}");
            if !e.stack.is_empty() {
                eprintln!("{}", e.stack);
            }
            Ok(ExitCode::from(1))
        }
        None => Ok(ExitCode::SUCCESS),
    }
}

/// `FINEST` (every category) or `CATEGORY,LEVEL;...`.
fn parse_levels(spec: &str) -> Result<LogLevels, String> {
    if !spec.contains(',') {
        let level = crate::vm::platform::log::Level::parse(spec).ok_or_else(|| {
            format!("unknown log level `{spec}`; use NONE, ERROR, WARN, INFO, DEBUG, FINE, FINER or FINEST, or CATEGORY,LEVEL;...")
        })?;
        return Ok(LogLevels([level; 10]));
    }
    LogLevels::parse(spec)
}
