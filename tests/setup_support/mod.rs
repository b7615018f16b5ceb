//! Running the real `isvdbg` binary against a sandbox on 127.0.0.1:0, with
//! the world's fixture credentials in the environment.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Output, Stdio};
use std::time::Duration;

use isvdbg::sandbox::Sandbox;

/// The LMO support engineer of the default world.
pub const LMO: &str = "support@acme.example";

/// How long one command may take (real time) before the test fails.
const LIMIT: Duration = Duration::from_secs(120);

/// A finished command's exit status and text output.
pub struct Run {
    pub ok: bool,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(out: Output) -> Run {
        Run {
            ok: out.status.success(),
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Panics with both outputs unless the command succeeded.
    pub fn expect_ok(self) -> Run {
        assert!(
            self.ok,
            "failed ({:?})\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }
}

/// Runs `isvdbg ARGS` with only `env` as its isvdbg secrets, no terminal, in `cwd`.
pub async fn isvdbg(args: &[&str], env: &[(&str, String)], cwd: Option<&Path>) -> Run {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_isvdbg"));
    cmd.args(args)
        .env_remove("ISVDBG_PASSWORD")
        .env_remove("ISVDBG_TOTP_SECRET")
        .env_remove("ISVDBG_LOG")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    let out = tokio::time::timeout(LIMIT, cmd.output())
        .await
        .expect("isvdbg finishes in time")
        .expect("isvdbg runs");
    Run::from(out)
}

/// ISVDBG_PASSWORD and ISVDBG_TOTP_SECRET of an LMO user of the sandbox's world.
pub fn lmo_env(sb: &Sandbox, user: &str) -> Vec<(&'static str, String)> {
    let u = sb.world.publisher.lmo.user(user).expect("an LMO user");
    let mut env = vec![("ISVDBG_PASSWORD", u.password.clone())];
    if let Some(secret) = &u.totp_secret {
        env.push(("ISVDBG_TOTP_SECRET", secret.clone()));
    }
    env
}

/// ISVDBG_PASSWORD (and ISVDBG_TOTP_SECRET) of a subscriber user.
pub fn subscriber_env(sb: &Sandbox, org: &str, user: &str) -> Vec<(&'static str, String)> {
    let info = sb.org(org).expect("an org").info();
    let u = info.user(user).expect("a user of the org");
    let mut env = vec![("ISVDBG_PASSWORD", u.password.clone())];
    if let Some(secret) = &u.totp_secret {
        env.push(("ISVDBG_TOTP_SECRET", secret.clone()));
    }
    env
}

/// `isvdbg setup` against the sandbox at `url` into `dir`.
pub async fn setup(
    url: &str,
    org: &str,
    login_as: &str,
    dir: &Path,
    env: &[(&str, String)],
) -> Run {
    let dir = dir.to_str().unwrap();
    isvdbg(
        &[
            "setup",
            "--sandbox",
            url,
            "--lmo-user",
            LMO,
            "--org",
            org,
            "--login-as",
            login_as,
            "--dir",
            dir,
        ],
        env,
        None,
    )
    .await
}
