//! Moving requests: continue, step, pause, and ending the session so that
//! nothing stays paused.

use serde_json::json;

use super::client::SandboxClient;
use std::sync::Arc;

use super::prefetch;
use super::state::{Refs, Shared};
use crate::dap::DapError;
use crate::dap::error::ids;
use crate::dap::protocol::{ContinueResponseBody, StepArguments};

/// How to move a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Continue,
    StepOver,
    StepIn,
    StepOut,
}

impl Move {
    fn method(self) -> &'static str {
        match self {
            Move::Continue => "debug.continue",
            Move::StepOver => "debug.stepOver",
            Move::StepIn => "debug.stepIn",
            Move::StepOut => "debug.stepOut",
        }
    }
}

/// Resumes one request; its `Resumed` event then needs no `continued`.
async fn resume_one(
    client: &SandboxClient,
    shared: &Arc<Shared>,
    refs: &mut Refs,
    how: Move,
    request: i64,
) -> Result<(), DapError> {
    shared.resuming.insert(request);
    // Marked running before the call: the next stop may be reported before
    // the call is answered.
    let was_paused = shared
        .threads
        .get_mut(&request)
        .map(|mut t| std::mem::replace(&mut t.paused, false));
    // What was read at this stop is stale from here on; dropped before the
    // call, since the next stop (and what it brings) may come before the answer.
    prefetch::discard(shared, request);
    let answer = client
        .call(how.method(), json!({ "requestId": request.to_string() }))
        .await;
    match answer {
        Ok(_) => {
            refs.forget(request);
            refs.forget_settings();
            Ok(())
        }
        Err(e) => {
            shared.resuming.remove(&request);
            if let (Some(was), Some(mut t)) = (was_paused, shared.threads.get_mut(&request)) {
                t.paused = was;
            }
            Err(DapError::new(ids::RUNTIME, e.message))
        }
    }
}

/// `continue` / `next` / `stepIn` / `stepOut` (`args.thread_id` holds the
/// request id). Stepping moves only its request; `continue` resumes every
/// paused request unless `singleThread` is set.
pub async fn step(
    client: &SandboxClient,
    shared: &Arc<Shared>,
    refs: &mut Refs,
    how: Move,
    args: &StepArguments,
) -> Result<Option<ContinueResponseBody>, DapError> {
    let single = args.single_thread.unwrap_or(false);
    resume_one(client, shared, refs, how, args.thread_id).await?;
    if how != Move::Continue {
        return Ok(None);
    }
    if !single {
        for other in shared.paused_threads() {
            if other != args.thread_id
                && let Err(e) = resume_one(client, shared, refs, Move::Continue, other).await
            {
                tracing::warn!("could not resume request {other}: {e}");
            }
        }
    }
    Ok(Some(ContinueResponseBody {
        all_threads_continued: Some(!single),
    }))
}

/// `pause`: stops a running request at its next statement.
pub async fn pause(client: &SandboxClient, thread: i64) -> Result<(), DapError> {
    client
        .call("debug.pause", json!({ "requestId": thread.to_string() }))
        .await
        .map(drop)
        .map_err(|e| DapError::new(ids::RUNTIME, e.message))
}

/// Stops the debug session; the sandbox resumes every paused request.
pub async fn stop_session(client: &SandboxClient, shared: &Shared, session_id: &str) {
    // The sandbox's SessionTerminated for a stop we asked for is no news.
    shared
        .ended
        .store(true, std::sync::atomic::Ordering::SeqCst);
    if let Err(e) = client
        .call("debug.stop", json!({ "sessionId": session_id }))
        .await
    {
        tracing::warn!("stopping debug session {session_id} failed: {e}");
    }
}
