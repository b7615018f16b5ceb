//! `isvdbg client`: runs scenario files against a debug adapter.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, BufReader};

use crate::client::transcript::SharedRecording;
use crate::client::{self, Client, Harness, SandboxPlan, Scenario, SchemaValidator, Transcript};

/// Options of `isvdbg client`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario files (YAML or JSON); each client of each scenario gets a
    /// fresh adapter.
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
    let mut harness = Processes {
        args,
        schema,
        sandbox: None,
        shared_record: None,
        named: 0,
    };
    let outcome = client::run_with(&mut harness, scenario).await;
    harness.stop_sandbox().await;
    match outcome {
        Err(failure) => Ok(Some(failure.to_string())),
        Ok(finished) if finished.problems.is_empty() => Ok(None),
        Ok(finished) => Ok(Some(format!(
            "FAILED {} after its last step: {}",
            scenario.path.display(),
            finished.problems.join("; ")
        ))),
    }
}

/// Starts each client's adapter as a process of its own (or connects to
/// `--port`) and the shared sandbox as `isvdbg sandbox` on a free loopback port.
struct Processes<'a> {
    args: &'a Args,
    schema: Option<Arc<SchemaValidator>>,
    sandbox: Option<tokio::process::Child>,
    /// One recording for named clients, each line tagged with its client.
    shared_record: Option<SharedRecording>,
    /// Named clients started so far.
    named: u32,
}

impl Processes<'_> {
    fn transcript(&mut self, name: Option<&str>) -> anyhow::Result<Transcript> {
        let mut transcript = Transcript::default();
        if let Some(path) = &self.args.record {
            match name {
                None => transcript.record_to(path)?,
                Some(_) => {
                    if self.shared_record.is_none() {
                        let file = std::fs::File::options().append(true).open(path)?;
                        self.shared_record = Some(Arc::new(std::sync::Mutex::new(
                            std::io::BufWriter::new(file),
                        )));
                    }
                    self.named += 1;
                    let shared = self.shared_record.clone().expect("opened above");
                    transcript.record_shared(shared, self.named);
                }
            }
        }
        if let Some(schema) = &self.schema {
            transcript.validate_with(schema.clone());
        }
        Ok(transcript)
    }

    async fn stop_sandbox(&mut self) {
        if let Some(mut child) = self.sandbox.take() {
            let _ = child.kill().await;
        }
    }
}

fn this_program() -> anyhow::Result<String> {
    let me = std::env::current_exe().map_err(|e| {
        anyhow::anyhow!("could not find this program to start its adapter: {e}; pass --adapter")
    })?;
    Ok(me.to_string_lossy().into_owned())
}

impl Harness for Processes<'_> {
    async fn start_sandbox(&mut self, plan: &SandboxPlan) -> anyhow::Result<String> {
        let mut command = tokio::process::Command::new(this_program()?);
        command.args([
            "sandbox",
            "--listen",
            "127.0.0.1:0",
            "--clock",
            plan.clock.as_str(),
        ]);
        if let Some(world) = &plan.world {
            command.arg("--world").arg(world);
        }
        let mut child = command
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| anyhow::anyhow!("could not start `isvdbg sandbox`: {e}"))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        self.sandbox = Some(child);
        let mut lines = BufReader::new(stdout).lines();
        let announced = async {
            while let Some(line) = lines.next_line().await? {
                if let Some(url) = sandbox_url(&line) {
                    return Ok(Some(url));
                }
                eprintln!("{line}");
            }
            Ok::<_, std::io::Error>(None)
        };
        let url = tokio::time::timeout(SANDBOX_START, announced)
            .await
            .map_err(|_| {
                anyhow::anyhow!(
                    "`isvdbg sandbox` did not say where it listens within {} s",
                    SANDBOX_START.as_secs()
                )
            })??
            .ok_or_else(|| {
                anyhow::anyhow!("`isvdbg sandbox` exited before it listened; see its errors above")
            })?;
        // Whatever else it prints goes to our stderr, never into our report.
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                eprintln!("{line}");
            }
        });
        Ok(url)
    }

    async fn start_client(
        &mut self,
        name: Option<&str>,
        env: &[(String, String)],
    ) -> anyhow::Result<Client> {
        let transcript = self.transcript(name)?;
        let args = self.args;
        let mut client = match (args.port, args.adapter.split_first()) {
            (Some(_), _) if !env.is_empty() => anyhow::bail!(
                "its `login` reaches the adapter through the adapter's environment, but --port \
                 connects to an adapter that already runs; run without --port, or remove `login` \
                 and give that adapter ISVDBG_PASSWORD and ISVDBG_TOTP_SECRET"
            ),
            (Some(port), _) => {
                Client::connect(&format!("{}:{port}", args.host), transcript).await?
            }
            (None, Some((program, rest))) => {
                Client::spawn_with_env(program, rest, env, transcript)?
            }
            (None, None) => {
                Client::spawn_with_env(&this_program()?, &["dap".to_owned()], env, transcript)?
            }
        };
        client.timeout = Duration::from_millis(args.timeout_ms);
        Ok(client)
    }
}

/// How long `isvdbg sandbox` may take to load its world and listen.
const SANDBOX_START: Duration = Duration::from_secs(60);

/// The `ws://` URL in the line `isvdbg sandbox` prints once it listens.
fn sandbox_url(line: &str) -> Option<String> {
    let at = line.find("ws://")?;
    let url = line[at..].split_whitespace().next()?;
    Some(url.to_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_sandbox_url_is_read_from_its_announcement() {
        let line =
            "isvdbg sandbox: world `default` (6 orgs) on ws://127.0.0.1:40123/ (virtual clock)";
        assert_eq!(
            super::sandbox_url(line).as_deref(),
            Some("ws://127.0.0.1:40123/")
        );
        assert_eq!(super::sandbox_url("loading the world"), None);
    }
}
