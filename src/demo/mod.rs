//! `isvdbg demo`: a support story told through the real parts.
//!
//! The default world (or another) runs on a virtual clock behind the real
//! WebSocket server; the real DAP server and bridge run behind a loopback TCP
//! port; the headless DAP client plays VS Code. Everything stays on loopback.
//! The demo checks that every act behaved as documented and exits 0 only then.

mod cast;
mod dap;
mod narrator;
mod rules;
mod stage;
mod story;

use std::path::PathBuf;

pub use cast::Cast;
use narrator::Narrator;
use stage::Stage;

/// Counts the acts that behaved as documented.
#[derive(Debug, Default)]
pub struct Tally {
    pub passed: usize,
    pub failed: Vec<String>,
}

impl Tally {
    /// Records one check, printing its outcome.
    pub fn check(&mut self, n: &Narrator, ok: bool, good: &str, bad: &str) {
        if ok {
            self.passed += 1;
            n.ok(good);
        } else {
            self.failed.push(bad.to_string());
            n.fail(bad);
        }
    }
}

/// What the demo was asked to do.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub world: Option<PathBuf>,
    pub step: bool,
}

/// Runs the demo; the tally of acts.
pub async fn run(opts: Options) -> Result<Tally, String> {
    let mut n = Narrator::new(opts.step);
    let cast = Cast::default_world();
    let started = std::time::Instant::now();
    let stage = Stage::start(opts.world.as_deref(), &cast).await?;
    tracing::info!("stage up in {:?}", started.elapsed());
    n.part(&format!(
        "The Globex tax bug: an ISV support story ({} on a virtual clock, all on loopback)",
        stage.sb.world.name
    ));
    let mut t = Tally::default();
    let story = story::run(&stage, &cast, &mut n, &mut t).await;
    match story {
        Ok((dap, customer, project)) => {
            n.part("The rules at work");
            if let Err(e) = rules::run(&stage, &cast, &mut n, &mut t, dap, customer, project).await
            {
                n.fail(&e);
                t.failed.push(e);
            }
        }
        Err(e) => {
            n.fail(&e);
            t.failed.push(e);
        }
    }
    stage.stop().await?;
    n.part(&format!(
        "{} checks passed, {} failed, in {:.1} s",
        t.passed,
        t.failed.len(),
        started.elapsed().as_secs_f64()
    ));
    Ok(t)
}
