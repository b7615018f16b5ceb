//! Starting adapters: one stdio process per connection, or one TCP process
//! that says where it listens.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::Adapter;

/// The adapter's command, with the environment of connection `conn`.
pub(super) fn command(adapter: &Adapter, conn: Option<u32>) -> Command {
    let mut cmd = Command::new(&adapter.program);
    cmd.args(&adapter.args).kill_on_drop(true);
    for (k, v) in &adapter.env {
        cmd.env(k, v);
    }
    if let Some(extra) = conn.and_then(|c| adapter.conn_env.get(&c)) {
        for (k, v) in extra {
            cmd.env(k, v);
        }
    }
    cmd
}

pub(super) fn start_failed(adapter: &Adapter, e: std::io::Error) -> String {
    format!(
        "could not start the adapter {}: {e}",
        adapter.program.display()
    )
}

/// Starts a TCP adapter and reads where it listens.
pub(super) async fn spawn_tcp(
    adapter: &Adapter,
    limit: Duration,
) -> Result<(Child, String), String> {
    let mut child = command(adapter, None)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| start_failed(adapter, e))?;
    let stderr = child.stderr.take().expect("stderr is piped");
    let addr = listening_on(stderr, limit).await?;
    Ok((child, addr))
}

/// Reads the adapter's stderr until it says where it listens; the rest of
/// its log goes on to ours.
async fn listening_on(
    stderr: tokio::process::ChildStderr,
    limit: Duration,
) -> Result<String, String> {
    let mut lines = BufReader::new(stderr).lines();
    let found = tokio::time::timeout(limit, async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some((_, addr)) = line.split_once("listening on ") {
                return Some(addr.trim().to_owned());
            }
            eprintln!("{line}");
        }
        None
    })
    .await;
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            eprintln!("{line}");
        }
    });
    match found {
        Ok(Some(addr)) => Ok(addr),
        Ok(None) => Err("the adapter ended without saying where it listens".to_owned()),
        Err(_) => Err(format!(
            "the adapter did not say where it listens within {limit:?}"
        )),
    }
}
