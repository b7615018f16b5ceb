//! `isvdbg client`: runs scenario files against a debug adapter.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::client::{self, Client, Scenario, SchemaValidator, Transcript};

/// Options of `isvdbg client`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario files (YAML or JSON); each runs against a fresh adapter.
    #[arg(required = true, value_name = "SCENARIO")]
    scenarios: Vec<PathBuf>,

    /// Adapter command and its arguments; must come last. Default: this
    /// program's own `dap` subcommand.
    #[arg(long, num_args = 1.., allow_hyphen_values = true, value_name = "CMD", conflicts_with = "port")]
    adapter: Vec<String>,

    /// Connect to an adapter listening on this TCP port instead of spawning one.
    #[arg(long, value_name = "N")]
    port: Option<u16>,

    /// Host for --port.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,

    /// Write every message exchanged to FILE as JSON lines `{"dir","msg"}`.
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,

    /// Check every message from the adapter against this DAP JSON schema
    /// (debugAdapterProtocol.json); stop at the first violation.
    #[arg(long, value_name = "FILE")]
    schema: Option<PathBuf>,

    /// Default wait for each step, in milliseconds.
    #[arg(long, default_value_t = 10_000, value_name = "MS")]
    timeout_ms: u64,
}

/// Runs every scenario; exit code 1 when any fails.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run_all(args))
}

async fn run_all(args: Args) -> anyhow::Result<ExitCode> {
    let schema = match &args.schema {
        Some(path) => Some(Arc::new(SchemaValidator::load(path)?)),
        None => None,
    };
    if let Some(path) = &args.record {
        // One recording per run: start it empty, then every scenario appends.
        std::fs::write(path, b"").map_err(|e| {
            anyhow::anyhow!("could not create the recording {}: {e}", path.display())
        })?;
    }
    let (mut passed, mut failed) = (0, 0);
    for path in &args.scenarios {
        let scenario = Scenario::load(path)?;
        let started = Instant::now();
        match run_one(&args, &scenario, schema.clone()).await? {
            None => {
                passed += 1;
                println!(
                    "ok     {} ({} steps, {} ms)",
                    path.display(),
                    scenario.steps.len(),
                    started.elapsed().as_millis()
                );
            }
            Some(report) => {
                failed += 1;
                println!("FAILED {}", path.display());
                eprintln!("{report}");
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Runs one scenario; `Some(report)` when it failed.
async fn run_one(
    args: &Args,
    scenario: &Scenario,
    schema: Option<Arc<SchemaValidator>>,
) -> anyhow::Result<Option<String>> {
    let mut transcript = Transcript::default();
    if let Some(path) = &args.record {
        transcript.record_to(path)?;
    }
    if let Some(schema) = schema {
        transcript.validate_with(schema);
    }
    let mut client = match (args.port, args.adapter.split_first()) {
        (Some(port), _) => Client::connect(&format!("{}:{port}", args.host), transcript).await?,
        (None, Some((program, rest))) => Client::spawn(program, rest, transcript)?,
        (None, None) => {
            let me = std::env::current_exe().map_err(|e| {
                anyhow::anyhow!(
                    "could not find this program to start its adapter: {e}; pass --adapter"
                )
            })?;
            Client::spawn(&me.to_string_lossy(), &["dap".to_owned()], transcript)?
        }
    };
    client.timeout = Duration::from_millis(args.timeout_ms);
    let outcome = client::run(&client, scenario).await;
    let shutdown = client.shutdown().await;
    if let Err(failure) = outcome {
        return Ok(Some(failure.to_string()));
    }
    if let Some(problem) = shutdown.problem {
        return Ok(Some(format!(
            "FAILED {} after its last step: {problem}",
            scenario.path.display()
        )));
    }
    match shutdown.exit_code {
        Some(0) | None => Ok(None),
        Some(code) => Ok(Some(format!(
            "FAILED {} after its last step: the adapter exited with code {code}; see its log above",
            scenario.path.display()
        ))),
    }
}
