//! `isvdbg dap`: the debug adapter.

use std::process::ExitCode;

use crate::bridge::{Bridge, EmbeddedSandboxes};
use crate::dap::{launch, server};

/// Options of `isvdbg dap`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Listen on 127.0.0.1:PORT instead of stdio; each connection is its own
    /// session. 0 picks a free port (printed on stderr).
    #[arg(long, value_name = "N")]
    port: Option<u16>,

    /// Print the JSON schemas of the launch and attach configurations
    /// (`{"launch": ..., "attach": ...}`) and exit; the VS Code extension's
    /// configurationAttributes are generated from them.
    #[arg(long, conflicts_with = "port")]
    print_schema: bool,
}

/// Serves until the client disconnects (stdio) or forever (TCP); with
/// `--print-schema`, prints the configuration schemas instead.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.print_schema {
        let schemas = serde_json::json!({
            "launch": launch::launch_schema(),
            "attach": launch::attach_schema(),
        });
        println!("{}", serde_json::to_string_pretty(&schemas)?);
        return Ok(ExitCode::SUCCESS);
    }
    match args.port {
        None => {
            // One session, one client: a single thread answers fastest.
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let served = runtime.block_on(server::serve_stdio(Bridge::new()));
            // Stdin is read on a blocking thread that only returns when the
            // client closes it; do not wait for that to exit.
            runtime.shutdown_background();
            served?;
        }
        Some(port) => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let listener = server::bind_loopback(port).await?;
                // Tools and tests read the port from this line.
                eprintln!("isvdbg dap: listening on {}", listener.local_addr()?);
                // Sessions of one adapter share its embedded sandboxes, as
                // users of one Salesforce instance do.
                let sandboxes = EmbeddedSandboxes::default();
                let bridge = move || Bridge::sharing(sandboxes.clone());
                tokio::select! {
                    served = server::serve_tcp(listener, bridge) => served,
                    _ = tokio::signal::ctrl_c() => Ok(()),
                }
            })?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
