//! `isvdbg exec`: run anonymous Apex as a subscriber user and print its
//! `System.debug` output; exit 1 when it ends in an exception.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args as ClapArgs;

use super::setup::{TargetArgs, finish, runtime};
use crate::workflow::credentials::{Ask, Given, Terminal};
use crate::workflow::progress::Progress;
use crate::workflow::{SandboxRef, WorkflowError, connect, exec};

/// Arguments of `isvdbg exec`.
///
/// The user logs in with ISVDBG_PASSWORD (and ISVDBG_TOTP_SECRET or
/// --totp-code where the org requires MFA), or in an embedded world, with the
/// world's fixture credentials of that user.
#[derive(Debug, ClapArgs)]
pub struct Args {
    #[command(flatten)]
    target: TargetArgs,
    /// The subscriber org: key, name or org id.
    #[arg(long)]
    org: String,
    /// The subscriber user the request runs as.
    #[arg(long = "as", value_name = "USERNAME")]
    user: String,
    /// The anonymous Apex file.
    file: PathBuf,
    /// Return once the request has started, without waiting for it to end
    /// (it may be stopped at a breakpoint). Needs --sandbox.
    #[arg(long)]
    no_wait: bool,
    /// Print only the debug messages, without LINE|LEVEL.
    #[arg(long)]
    plain: bool,
    /// The user's current verification code, for orgs that require MFA.
    #[arg(long, value_name = "CODE")]
    totp_code: Option<String>,
}

/// Runs `isvdbg exec`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let code = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let file_name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "anonymous.apex".into());
    let target = args.target.sandbox_ref();
    let given = Given::from_env(args.totp_code.clone());
    runtime()?.block_on(async move {
        let mut progress = Progress::stderr();
        let mut terminal = Terminal::if_interactive();
        let outcome = async {
            let conn = connect(&target).await?;
            if args.no_wait && conn.is_embedded() {
                return Err(WorkflowError::Usage(
                    "--no-wait needs --sandbox: an embedded sandbox ends with this command, and the request with it".into(),
                ));
            }
            let ask = terminal.as_mut().map(|t| t as &mut dyn Ask);
            let login = exec::login_subscriber(&conn, &args.org, &args.user, &given, ask).await?;
            let org = login.org.map(|o| o.name).unwrap_or_else(|| args.org.clone());
            progress.done(&format!("Logged in as {} in {org}", login.user.username));
            progress.step(&format!("Running {file_name}"));
            let run = exec::run_apex(&conn, &code, &file_name, !args.no_wait).await?;
            if args.no_wait {
                progress.done(&format!("Started request {}", run.request_id));
                return Ok(true);
            }
            progress.clear();
            for line in &run.output {
                if args.plain {
                    println!("{}", line.message);
                } else {
                    println!("{}|{}|{}", line.line, line.level, line.message);
                }
            }
            match &run.exception {
                Some(e) => {
                    eprintln!("{}: {}", e.type_name, e.message);
                    if !e.stack.is_empty() {
                        eprintln!("{}", e.stack.trim_end());
                    }
                    if let SandboxRef::Url(url) = &conn.sandbox {
                        progress.note(&format!(
                            "Request {id} failed; its debug log: isvdbg logs --sandbox {url} --org {} --request {id}",
                            args.org,
                            id = run.request_id
                        ));
                    }
                    Ok(false)
                }
                None => {
                    progress.done(&format!("Request {} finished", run.request_id));
                    Ok(run.success != Some(false))
                }
            }
        }
        .await;
        Ok(match outcome {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(e) => finish(Err(e), &mut progress),
        })
    })
}
