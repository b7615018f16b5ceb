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

impl Sandbox {
    /// Starts one task per scripted request, timed on the instance clock from
    /// the world's start.
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
            if let Err(e) = self.run_traffic(&t) {
                tracing::warn!("scripted request in {} as {}: {e}", t.org, t.user);
            }
            match t.every {
                Some(every) if !every.is_zero() => at = after(at, every),
                _ => return,
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
