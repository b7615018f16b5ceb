//! `isvdbg logs`: list a subscriber org's debug logs, or print one.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args as ClapArgs, ValueEnum};

use super::setup::{TargetArgs, finish, runtime};
use crate::workflow::connect;
use crate::workflow::credentials::{Ask, Given, Terminal};
use crate::workflow::logs::{self, Access, View};
use crate::workflow::progress::Progress;

/// Whose view of the logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ViewArg {
    /// The publisher's, through login access: package internals included.
    Full,
    /// The customer's: package internals hidden.
    Subscriber,
}

/// Arguments of `isvdbg logs`.
///
/// The full view needs a LoginAs session: the one `isvdbg setup` saved in
/// the project folder, or a new one from ISVDBG_PASSWORD and
/// ISVDBG_TOTP_SECRET (in an embedded world, the world's fixture credentials). The
/// subscriber view logs in as a subscriber administrator.
#[derive(Debug, ClapArgs)]
pub struct Args {
    #[command(flatten)]
    target: TargetArgs,
    /// The subscriber org: key, name or org id.
    #[arg(long)]
    org: String,
    /// Print this request's log instead of the list.
    #[arg(long, value_name = "ID")]
    request: Option<String>,
    /// Whose view of the log.
    #[arg(long, value_enum, default_value_t = ViewArg::Full)]
    view: ViewArg,
    /// The project folder whose saved login (.isvdbg/session.json) to resume.
    #[arg(long, value_name = "DIR", default_value = ".")]
    project: PathBuf,
    /// The LMO user, when no saved login is used (full view).
    #[arg(long, value_name = "USERNAME")]
    lmo_user: Option<String>,
    /// The subscriber user to log in as (full view); by default the saved one,
    /// or an administrator who granted login access.
    #[arg(long, value_name = "USERNAME")]
    login_as: Option<String>,
    /// The subscriber user to log in as (subscriber view); an administrator.
    #[arg(long = "as", value_name = "USERNAME")]
    subscriber: Option<String>,
    /// The current verification code.
    #[arg(long, value_name = "CODE")]
    totp_code: Option<String>,
}

/// Runs `isvdbg logs`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let view = match args.view {
        ViewArg::Full => View::Full,
        ViewArg::Subscriber => View::Subscriber,
    };
    let access = Access {
        org: args.org.clone(),
        view,
        project: args.project.clone(),
        lmo_user: args.lmo_user.clone(),
        login_as: args.login_as.clone(),
        subscriber: args.subscriber.clone(),
    };
    let target = args.target.sandbox_ref();
    let given = Given::from_env(args.totp_code.clone());
    runtime()?.block_on(async move {
        let mut progress = Progress::stderr();
        let mut terminal = Terminal::if_interactive();
        let outcome = async {
            let conn = connect(&target).await?;
            let ask = terminal.as_mut().map(|t| t as &mut dyn Ask);
            logs::authenticate(&conn, &access, &given, ask, &mut progress).await?;
            match &args.request {
                Some(id) => {
                    let text = logs::get(&conn, id, view).await?;
                    print!("{text}");
                    if !text.ends_with('\n') {
                        println!();
                    }
                }
                None => {
                    let list = logs::list(&conn).await?;
                    if list.is_empty() {
                        let why = if conn.is_embedded() {
                            " (an embedded sandbox starts empty and ends with this command; run `isvdbg sandbox` and use --sandbox to keep logs between commands)"
                        } else {
                            ""
                        };
                        progress.note(&format!("No debug logs in {} yet{why}", args.org));
                    } else {
                        print!("{}", logs::table(&list));
                    }
                }
            }
            Ok(())
        }
        .await;
        Ok(finish(outcome, &mut progress))
    })
}
