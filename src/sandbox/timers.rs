//! The idle timeout and the hard cap of a debug session, on the instance clock.
//!
//! One task per session sleeps until the next warning or deadline, and wakes
//! early when the session sees activity (the idle deadline moves) or the peak
//! load setting changes. Warnings that fall due go out as `SessionTimers`
//! events with a `warning` (when the clock jumps past several, only the nearest
//! to its deadline); when a deadline passes the session ends.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;
use serde_json::json;

use super::Sandbox;
use super::debug::DebugSession;
use super::protocol::EventName;

/// The idle timeout off peak.
pub const IDLE: Duration = Duration::from_secs(3600);
/// The idle timeout under peak load.
pub const IDLE_PEAK: Duration = Duration::from_secs(1800);
/// The longest a session lives.
pub const HARD_CAP: Duration = Duration::from_secs(4 * 3600);
/// Minutes before the idle timeout that warnings go out.
const IDLE_WARNINGS: [u64; 3] = [15, 5, 1];
/// Minutes before the hard cap that warnings go out.
const CAP_WARNINGS: [u64; 2] = [15, 1];

/// The idle timeout in force now.
pub fn idle_limit(sb: &Sandbox) -> Duration {
    if sb.peak_load() { IDLE_PEAK } else { IDLE }
}

fn after(t: NaiveDateTime, d: Duration) -> NaiveDateTime {
    t + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// Something the timer fires, in time order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Due {
    IdleWarning(u64),
    CapWarning(u64),
    Idle,
    Cap,
}

/// Starts the session's timer task.
pub fn spawn(sb: Sandbox, s: Arc<DebugSession>) {
    tokio::spawn(async move { run(sb, s).await });
}

/// Sends the session its remaining times, with a warning when one is due.
pub fn report(sb: &Sandbox, s: &DebugSession, warning: Option<String>) {
    let now = sb.clock.now();
    let idle_end = after(s.last_activity(), idle_limit(sb));
    let cap_end = after(s.started, HARD_CAP);
    let left = |end: NaiveDateTime| (end - now).num_seconds().max(0);
    let mut body = json!({
        "sessionId": s.id.to_string(),
        "idleSecondsLeft": left(idle_end),
        "hardCapSecondsLeft": left(cap_end),
    });
    if let Some(w) = warning {
        body["warning"] = json!(w);
    }
    sb.emit(&s.listeners(), EventName::SessionTimers, body.clone());
    if let Some(w) = body.get("warning").and_then(|w| w.as_str()) {
        sb.emit(
            &s.listeners(),
            EventName::SystemWarning,
            json!({ "sessionId": s.id.to_string(), "message": w }),
        );
    }
}

async fn run(sb: Sandbox, s: Arc<DebugSession>) {
    // Warnings already sent, keyed by the deadline they warn of, so a moved
    // idle deadline re-arms its warnings.
    let mut sent: Vec<(Due, NaiveDateTime)> = Vec::new();
    loop {
        if s.is_ended() {
            return;
        }
        let idle_end = after(s.last_activity(), idle_limit(&sb));
        let cap_end = after(s.started, HARD_CAP);
        let mut schedule: Vec<(NaiveDateTime, Due, NaiveDateTime)> = Vec::new();
        for m in IDLE_WARNINGS {
            schedule.push((
                idle_end - chrono::Duration::minutes(m as i64),
                Due::IdleWarning(m),
                idle_end,
            ));
        }
        for m in CAP_WARNINGS {
            schedule.push((
                cap_end - chrono::Duration::minutes(m as i64),
                Due::CapWarning(m),
                cap_end,
            ));
        }
        schedule.push((idle_end, Due::Idle, idle_end));
        schedule.push((cap_end, Due::Cap, cap_end));
        schedule.retain(|(_, d, end)| !sent.contains(&(*d, *end)));
        schedule.sort_by_key(|(at, _, _)| *at);
        let now = sb.clock.now();
        let due: Vec<_> = schedule
            .iter()
            .filter(|(at, _, _)| *at <= now)
            .copied()
            .collect();
        for (k, &(_, d, end)) in due.iter().enumerate() {
            // After a jump of the clock only news that still holds goes out: a
            // warning is dropped when a nearer warning of the same deadline, or
            // the deadline itself, is also due.
            let superseded = due[k + 1..].iter().any(|(_, _, e)| *e == end);
            let text = match d {
                Due::IdleWarning(m) => format!(
                    "The debug session ends in {m} minute{} unless there is debugger activity",
                    if m == 1 { "" } else { "s" }
                ),
                Due::CapWarning(m) => format!(
                    "The debug session reaches its 4-hour limit in {m} minute{}",
                    if m == 1 { "" } else { "s" }
                ),
                Due::Idle => {
                    let message = format!(
                        "the debug session ended after {} minutes without debugger activity; start a new one to go on",
                        idle_limit(&sb).as_secs() / 60
                    );
                    sb.end_session(s.id, "IDLE_TIMEOUT", &message);
                    return;
                }
                Due::Cap => {
                    sb.end_session(
                        s.id,
                        "HARD_CAP",
                        "the debug session reached its 4-hour limit and ended; start a new one to go on",
                    );
                    return;
                }
            };
            sent.push((d, end));
            if !superseded {
                report(&sb, &s, Some(text));
            }
        }
        let Some(&(next, _, _)) = schedule.iter().find(|(at, _, _)| *at > now) else {
            return;
        };
        tokio::select! {
            _ = sb.clock.sleep_until(next) => {}
            _ = s.poke.notified() => {}
        }
    }
}
