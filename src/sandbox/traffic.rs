//! Scripted traffic: the world's customers running requests on a schedule,
//! which keeps a demo org busy while a support engineer debugs it.

use std::time::Duration;

use super::Sandbox;
use super::context::Acting;
use super::requests::Work;
use crate::vm::Entry;
use crate::world::{Traffic, TrafficAction};

fn after(t: chrono::NaiveDateTime, d: Duration) -> chrono::NaiveDateTime {
    t + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// The last slot of the schedule `at`, `at + every`, ... that is not after
/// `now`. When the clock jumps past several slots (`clock.advance`, a host
/// that slept), the request runs once for the latest of them: missed runs are
/// skipped, not replayed in a burst.
fn latest_slot(
    at: chrono::NaiveDateTime,
    every: Duration,
    now: chrono::NaiveDateTime,
) -> chrono::NaiveDateTime {
    let every_ms = i64::try_from(every.as_millis()).unwrap_or(i64::MAX).max(1);
    let behind = (now - at).num_milliseconds();
    if behind <= 0 {
        return at;
    }
    at + chrono::Duration::milliseconds(behind / every_ms * every_ms)
}

impl Sandbox {
    /// Starts one task per scripted request, timed on the instance clock from
    /// the world's start: the first run `at` after it, then one `every` period
    /// apart (skipping runs the clock jumped over).
    pub fn start_traffic(&self) {
        for t in self.world.traffic.clone() {
            let sb = self.clone();
            tokio::spawn(async move { sb.traffic(t).await });
        }
    }

    async fn traffic(&self, t: Traffic) {
        let mut at = after(self.world.start, t.at);
        loop {
            self.clock.sleep_until(at).await;
            if self.is_shutting_down() {
                return;
            }
            let every = t.every.filter(|e| !e.is_zero());
            if let Some(every) = every {
                at = latest_slot(at, every, self.clock.now());
            }
            if let Err(e) = self.run_traffic(&t) {
                tracing::warn!("scripted request in {} as {}: {e}", t.org, t.user);
            }
            match every {
                Some(every) => at = after(at, every),
                None => return,
            }
        }
    }

    fn run_traffic(&self, t: &Traffic) -> Result<(), super::protocol::ApiError> {
        let org = self
            .org(&t.org)
            .cloned()
            .ok_or_else(|| super::access::unknown_org(&t.org))?;
        let user = org.info().user(&t.user).cloned().ok_or_else(|| {
            super::protocol::ApiError::new(
                "UNKNOWN_ORG_USER",
                format!("no user {} in {}", t.user, t.org),
            )
        })?;
        let acting = Acting {
            org,
            user,
            login_as: None,
        };
        match &t.action {
            TrafficAction::Apex(path) => {
                let code = std::fs::read_to_string(path).map_err(|e| {
                    super::protocol::ApiError::new(
                        "RUNTIME",
                        format!("cannot read {}: {e}", path.display()),
                    )
                })?;
                let work = self.compile_anonymous(&acting, &code)?;
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                self.start_request(&acting, "EXECUTE_ANONYMOUS", name, work, None)?;
            }
            TrafficAction::Rest { method, path, body } => {
                let entry = Entry::Rest {
                    method: method.clone(),
                    path: path.clone(),
                    body: body.clone().map(String::into_bytes),
                };
                self.start_request(
                    &acting,
                    "REST",
                    format!("{method} {path}"),
                    Work::Entry(entry),
                    None,
                )?;
            }
        }
        Ok(())
    }
}
