//! Recording a transcript from scenarios: one client, or several taking
//! turns against one adapter (a "play"), all written to one recording.

use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Deserialize;

use super::process::{command, spawn_tcp};
use super::{Adapter, Options};
use crate::client::{Client, Scenario, SchemaValidator, Transcript};

/// Clients taking turns: each part runs a scenario as one client, and a
/// client keeps its connection from one part to its next.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Play {
    /// Title.
    #[serde(default)]
    pub name: Option<String>,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
    /// The turns, in order.
    pub parts: Vec<PlayPart>,
}

/// One turn of a play.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlayPart {
    /// Which client (1, 2, ...).
    pub client: u32,
    /// The scenario file, relative to the play file.
    pub scenario: PathBuf,
}

impl Play {
    /// Reads a play file (YAML).
    pub fn load(path: &Path) -> anyhow::Result<Play> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("could not read the play {}: {e}", path.display()))?;
        serde_yaml_ng::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{} is not a valid play: {e}", path.display()))
    }

    /// Its parts with their scenarios loaded.
    pub fn scenarios(&self, path: &Path) -> anyhow::Result<Vec<(u32, Scenario)>> {
        let dir = path.parent().unwrap_or(Path::new("."));
        self.parts
            .iter()
            .map(|p| Ok((p.client, Scenario::load(&dir.join(&p.scenario))?)))
            .collect()
    }
}

/// Runs `parts` in order against a fresh `adapter` and writes everything
/// exchanged to `out` (each line tagged with its client when there are
/// several). Fails with the scenario's report when a step fails.
pub async fn record(
    parts: &[(u32, Scenario)],
    adapter: &Adapter,
    options: &Options,
    schema: Option<Arc<SchemaValidator>>,
    out: &Path,
) -> Result<(), String> {
    let file = std::fs::File::create(out)
        .map_err(|e| format!("could not create {}: {e}", out.display()))?;
    let shared = Arc::new(Mutex::new(BufWriter::new(file)));
    let mut clients: Vec<(u32, Client)> = Vec::new();
    let mut children = Vec::new();
    let addr = if adapter.tcp {
        let (child, addr) = spawn_tcp(adapter, options.timeout).await?;
        children.push(child);
        Some(addr)
    } else {
        None
    };
    let mut outcome = Ok(());
    for (id, scenario) in parts {
        if !clients.iter().any(|(c, _)| c == id) {
            let mut transcript = Transcript::default();
            transcript.record_shared(shared.clone(), *id);
            if let Some(schema) = &schema {
                transcript.validate_with(schema.clone());
            }
            let client = match &addr {
                Some(addr) => Client::connect(addr, transcript)
                    .await
                    .map_err(|e| e.to_string())?,
                None => {
                    let mut child = command(adapter, Some(*id))
                        .stdin(std::process::Stdio::piped())
                        .stdout(std::process::Stdio::piped())
                        .stderr(std::process::Stdio::inherit())
                        .spawn()
                        .map_err(|e| format!("could not start the adapter: {e}"))?;
                    let stdout = child.stdout.take().expect("stdout is piped");
                    let stdin = child.stdin.take().expect("stdin is piped");
                    children.push(child);
                    Client::new(stdout, stdin, transcript)
                }
            };
            clients.push((*id, client));
        }
        let client = &clients
            .iter()
            .find(|(c, _)| c == id)
            .expect("added above")
            .1;
        if let Err(failure) = crate::client::run(client, scenario).await {
            outcome = Err(failure.to_string());
            break;
        }
    }
    for (_, client) in &mut clients {
        let shutdown = client.shutdown().await;
        if let (Some(problem), Ok(())) = (shutdown.problem, &outcome) {
            outcome = Err(problem);
        }
    }
    for mut child in children {
        if adapter.tcp {
            let _ = child.kill().await;
        } else if let Ok(Ok(status)) =
            tokio::time::timeout(Duration::from_secs(10), child.wait()).await
            && !status.success()
            && outcome.is_ok()
        {
            outcome = Err(format!("the adapter exited with {status}"));
        }
    }
    outcome
}
