//! The instance clock. Every time rule (grants, tokens, lockouts, idle timeouts,
//! the hard cap) reads this clock and waits on it, never on the OS clock directly.
//!
//! - **Real**: wall time, optionally sped up by a scale factor (`--time-scale 60`
//!   makes an hour pass in a minute).
//! - **Virtual**: time stands still until [`Clock::advance`] moves it, so tests
//!   and the demo run the 1-hour and 4-hour rules in milliseconds.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;
use tokio::sync::watch;

/// A shared handle on the instance clock.
#[derive(Clone, Debug)]
pub struct Clock(Arc<Mode>);

#[derive(Debug)]
enum Mode {
    Real {
        origin_wall: NaiveDateTime,
        origin: tokio::time::Instant,
        scale: f64,
    },
    Virtual {
        now: watch::Sender<NaiveDateTime>,
    },
}

/// Why the clock cannot be moved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    #[error("the clock is real; start the sandbox with --clock virtual to advance it")]
    NotVirtual,
}

fn to_chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

impl Clock {
    /// Wall time, running `scale` times as fast as real time (1.0 for real time).
    pub fn real(scale: f64) -> Clock {
        Clock(Arc::new(Mode::Real {
            origin_wall: chrono::Utc::now().naive_utc(),
            origin: tokio::time::Instant::now(),
            scale: if scale > 0.0 { scale } else { 1.0 },
        }))
    }

    /// A clock that stands at `start` until advanced.
    pub fn virtual_at(start: NaiveDateTime) -> Clock {
        let (now, _) = watch::channel(start);
        Clock(Arc::new(Mode::Virtual { now }))
    }

    /// Whether time only moves through [`Clock::advance`].
    pub fn is_virtual(&self) -> bool {
        matches!(*self.0, Mode::Virtual { .. })
    }

    /// The current instance time (UTC).
    pub fn now(&self) -> NaiveDateTime {
        match &*self.0 {
            Mode::Real {
                origin_wall,
                origin,
                scale,
            } => {
                let elapsed = origin.elapsed().mul_f64(*scale);
                *origin_wall + to_chrono(elapsed)
            }
            Mode::Virtual { now } => *now.borrow(),
        }
    }

    /// Moves a virtual clock forward, waking every sleeper whose time has come.
    pub fn advance(&self, by: Duration) -> Result<NaiveDateTime, ClockError> {
        match &*self.0 {
            Mode::Real { .. } => Err(ClockError::NotVirtual),
            Mode::Virtual { now } => {
                let mut at = *now.borrow();
                at += to_chrono(by);
                now.send_replace(at);
                Ok(at)
            }
        }
    }

    /// Waits until the clock reads `deadline` or later.
    pub async fn sleep_until(&self, deadline: NaiveDateTime) {
        match &*self.0 {
            Mode::Real { scale, .. } => loop {
                let left = deadline - self.now();
                let Ok(left) = left.to_std() else { return };
                if left.is_zero() {
                    return;
                }
                tokio::time::sleep(left.div_f64(*scale)).await;
            },
            Mode::Virtual { now } => {
                let mut rx = now.subscribe();
                while *rx.borrow_and_update() < deadline {
                    if rx.changed().await.is_err() {
                        return;
                    }
                }
            }
        }
    }

    /// Waits for `d` of instance time.
    pub async fn sleep(&self, d: Duration) {
        let deadline = self.now() + to_chrono(d);
        self.sleep_until(deadline).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap()
    }

    #[tokio::test]
    async fn a_virtual_clock_moves_only_when_advanced_and_wakes_sleepers() {
        let c = Clock::virtual_at(start());
        assert_eq!(c.now(), start());
        let sleeper = {
            let c = c.clone();
            tokio::spawn(async move {
                c.sleep(Duration::from_secs(3600)).await;
                c.now()
            })
        };
        tokio::task::yield_now().await;
        c.advance(Duration::from_secs(1800)).unwrap();
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished(), "woke half way");
        c.advance(Duration::from_secs(1800)).unwrap();
        let woke = sleeper.await.unwrap();
        assert_eq!(woke, start() + chrono::Duration::hours(1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_scaled_real_clock_runs_fast() {
        let c = Clock::real(60.0);
        let before = c.now();
        c.sleep(Duration::from_secs(3600)).await;
        let after = c.now();
        assert!(after - before >= chrono::Duration::hours(1));
        assert_eq!(
            c.advance(Duration::from_secs(1)),
            Err(ClockError::NotVirtual)
        );
    }
}
