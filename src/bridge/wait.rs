//! Waiting for a request that `isv/runApex` or `isv/invoke` started.
//!
//! The wait runs on its own task and hands its answer back through a
//! channel, so the DAP request that waits can be cancelled at any point: the
//! task goes on, and the request's end still reaches the client as an
//! `isv/requestFinished` event.

use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::oneshot;
use tracing::debug;

use super::client::ApiError;
use super::connect::api;
use super::events::REQUEST_FINISHED_EVENT;
use super::state::{Settled, Shared};
use crate::dap::error::ids;
use crate::dap::{BackendEvent, DapError, EventSink};

/// The REST reply of an `isv/invoke`, once the request ends.
pub type RestReply = oneshot::Receiver<Result<Value, ApiError>>;

/// The answer a waiting request gets.
pub type Answer = Result<Value, DapError>;

/// A call that starts a request is in flight while this lives; event
/// handling waits for its id. Dropped with a cancelled request, it still ends.
pub struct Starting(Arc<Shared>);

impl Starting {
    /// Marks a start in flight.
    pub fn new(shared: Arc<Shared>) -> Starting {
        shared.start_pending();
        Starting(shared)
    }
}

impl Drop for Starting {
    fn drop(&mut self) {
        self.0.start_known();
    }
}

/// What the bridge needs to report a request's end later.
#[derive(Clone)]
pub struct Reporter {
    /// The bridge's shared state.
    pub shared: Arc<Shared>,
    /// Where events go; `None` before a session runs.
    pub sink: Option<EventSink>,
}

impl Reporter {
    /// Waits on a new task until request `id` stops or finishes, then answers
    /// through the returned channel; the end of a request that stopped, or
    /// whose waiter was cancelled, is reported as `isv/requestFinished`.
    pub fn run_apex(&self, id: i64) -> oneshot::Receiver<Answer> {
        let (tx, rx) = oneshot::channel();
        let me = self.clone();
        tokio::spawn(async move { me.wait_apex(id, tx).await });
        rx
    }

    /// Waits until request `id` stops or finishes and answers through `tx`,
    /// as [`Reporter::run_apex`] describes.
    pub async fn wait_apex(&self, id: i64, tx: oneshot::Sender<Answer>) {
        let answer = match self.shared.settled(id, false).await {
            Settled::Finished(body) => finished_answer(id, &body),
            Settled::Paused => {
                self.follow(id, None);
                let _ = tx.send(Ok(self.paused_answer(id)));
                return;
            }
        };
        self.deliver(tx, Ok(answer));
    }

    /// Like [`Reporter::run_apex`] for a REST call: `find` says which request
    /// is the call's once it starts; `reply` brings the REST reply.
    pub fn invoke(
        &self,
        find: impl Fn(&Shared) -> Option<i64> + Send + 'static,
        mut reply: RestReply,
    ) -> oneshot::Receiver<Answer> {
        let (tx, rx) = oneshot::channel();
        let me = self.clone();
        tokio::spawn(async move {
            let shared = me.shared.clone();
            let id = loop {
                // Registered before looking, so a start in between is not missed.
                let woken = shared.started_notify.notified();
                tokio::pin!(woken);
                woken.as_mut().enable();
                if let Some(id) = find(&shared) {
                    if let Ok(mut last) = shared.last_started.lock() {
                        *last = Some(id);
                    }
                    break id;
                }
                tokio::select! {
                    r = &mut reply => return me.deliver(tx, rest_answer(&shared, r)),
                    _ = woken => {}
                }
            };
            let answer = tokio::select! {
                r = &mut reply => rest_answer(&shared, r),
                settled = shared.settled(id, false) => match settled {
                    Settled::Paused => {
                        me.follow(id, Some(reply));
                        let _ = tx.send(Ok(me.paused_answer(id)));
                        return;
                    }
                    Settled::Finished(_) => rest_answer(&shared, reply.await),
                },
            };
            me.deliver(tx, answer);
        });
        rx
    }

    /// Gives `answer` to the waiting request or, when it was cancelled,
    /// reports it as `isv/requestFinished`.
    fn deliver(&self, tx: oneshot::Sender<Answer>, answer: Answer) {
        let Err(unwanted) = tx.send(answer) else {
            return;
        };
        match unwanted {
            Ok(body) => self.report(body),
            Err(e) => debug!("a cancelled request ended with an error: {e}"),
        }
    }

    fn report(&self, body: Value) {
        if let Some(sink) = &self.sink {
            let _ = sink.send(BackendEvent::Custom {
                event: REQUEST_FINISHED_EVENT.to_owned(),
                body,
            });
        }
    }

    /// After answering that request `id` paused, or with `wait: false`,
    /// reports its end as `isv/requestFinished` (with the REST reply, when
    /// `rest` brings one).
    pub fn follow(&self, id: i64, rest: Option<RestReply>) {
        if self.sink.is_none() {
            return;
        }
        let me = self.clone();
        tokio::spawn(async move {
            let mut body = match me.shared.settled(id, true).await {
                Settled::Finished(b) => finished_answer(id, &b),
                Settled::Paused => return,
            };
            if let Some(rest) = rest
                && let Ok(Ok(reply)) = rest.await
            {
                body["status"] = reply["status"].clone();
                body["body"] = reply["body"].clone();
            }
            me.report(body);
        });
    }

    /// `{requestId, threadId, paused: true}` for a request that stopped.
    fn paused_answer(&self, id: i64) -> Value {
        let mut answer = json!({ "requestId": id.to_string(), "paused": true });
        if let Some(thread) = self.shared.thread_of(id) {
            answer["threadId"] = json!(thread);
        }
        answer
    }
}

/// `{requestId, success, output, exception?}` from a `RequestFinished` body.
fn finished_answer(id: i64, body: &Value) -> Value {
    let mut answer = json!({
        "requestId": id.to_string(),
        "success": body["success"].as_bool().unwrap_or(false),
        "output": body.get("output").cloned().unwrap_or(json!([])),
    });
    if let Some(e) = body.get("exception").filter(|e| !e.is_null()) {
        answer["exception"] = e.clone();
    }
    answer
}

fn rest_answer(
    shared: &Shared,
    reply: Result<Result<Value, ApiError>, oneshot::error::RecvError>,
) -> Answer {
    match reply {
        Ok(Ok(v)) => {
            if let (Some(id), Ok(mut last)) =
                (request_id(&v["requestId"]), shared.last_started.lock())
            {
                *last = Some(id);
            }
            Ok(v)
        }
        Ok(Err(e)) => Err(api(e)),
        Err(_) => Err(DapError::new(
            ids::RUNTIME,
            "the REST call was lost with the sandbox connection",
        )),
    }
}

/// A request id as a thread id.
pub fn request_id(v: &Value) -> Option<i64> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
