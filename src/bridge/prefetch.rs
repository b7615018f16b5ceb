//! Reading a stopped request ahead of the client.
//!
//! After a stop, a client asks for the stack, then the top frame's scopes,
//! then its locals: three round trips, each waiting for the one before. The
//! bridge's sessions ask for `stopSnapshots`, so each `Stopped` event brings
//! all three and they are kept here ([`seed`]) before the client hears of the
//! stop. When they must be read again (after a change, or from a sandbox
//! that sends none), the first read asks for all three in one call
//! (`debug.stack` with `top`), one visit to the request's thread.

use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::watch;

use super::client::SandboxClient;
use super::state::Shared;

/// What was read ahead of one stop; filled in as the answers come.
#[derive(Debug, Clone, Default)]
pub struct Fetched {
    /// `debug.stack`'s frames.
    pub stack: Option<Vec<Value>>,
    /// `debug.scopes` of frame 0.
    pub scopes: Option<Vec<Value>>,
    /// The Locals' reference and `debug.variables` of it.
    pub locals: Option<(u64, Vec<Value>)>,
    /// Nothing more will come.
    pub done: bool,
}

/// Starts reading the current stop of `request`, unless that is under way.
pub fn start(client: &SandboxClient, shared: &Arc<Shared>, request: i64) {
    let generation = shared.stop_generation(request);
    if shared
        .prefetched
        .get(&request)
        .is_some_and(|e| e.value().0 == generation)
    {
        return;
    }
    let (tx, rx) = watch::channel(Fetched::default());
    shared.prefetched.insert(request, (generation, rx));
    let client = client.clone();
    tokio::spawn(async move {
        read(&client, request, &tx).await;
        tx.send_modify(|f| f.done = true);
    });
}

async fn read(client: &SandboxClient, request: i64, tx: &watch::Sender<Fetched>) {
    let id = request.to_string();
    if let Ok(mut stack) = client
        .call("debug.stack", json!({ "requestId": id, "top": true }))
        .await
    {
        let mut top = stack["top"].take();
        top["frames"] = stack["frames"].take();
        tx.send_modify(|f| *f = fetched(&mut top));
    }
}

/// What `top` holds (`frames`, `scopes`, `locals`), taken out of it; a part
/// it lacks (a sandbox that does not know `top`) is left to be read.
fn fetched(top: &mut Value) -> Fetched {
    let mut list = |key: &str| match top[key].take() {
        Value::Array(a) => Some(a),
        _ => None,
    };
    let (stack, scopes, locals) = (list("frames"), list("scopes"), list("locals"));
    let reference = scopes
        .iter()
        .flatten()
        .find(|s| s["name"] == "Locals")
        .and_then(|s| s["reference"].as_u64())
        .filter(|r| *r > 0);
    Fetched {
        stack,
        scopes,
        locals: reference.zip(locals),
        done: false,
    }
}

/// Keeps what a `Stopped` event brought (`top`: frames, scopes, locals) as
/// read for the stop just counted, so the client's first reads need no call.
pub fn seed(shared: &Shared, request: i64, top: &Value) {
    let mut f = fetched(&mut top.clone());
    f.done = true;
    let (_, rx) = watch::channel(f);
    shared
        .prefetched
        .insert(request, (shared.stop_generation(request), rx));
}

/// What was read ahead for the current stop of `request`, picked by `pick`;
/// waits while it is on its way. None when nothing was or will be.
pub async fn take<T>(
    shared: &Shared,
    request: i64,
    pick: impl Fn(&Fetched) -> Option<T>,
) -> Option<T> {
    let mut rx = {
        let entry = shared.prefetched.get(&request)?;
        let (generation, rx) = entry.value();
        if *generation != shared.stop_generation(request) {
            return None;
        }
        rx.clone()
    };
    loop {
        {
            let fetched = rx.borrow_and_update();
            if let Some(v) = pick(&fetched) {
                return Some(v);
            }
            if fetched.done {
                return None;
            }
        }
        if rx.changed().await.is_err() {
            return None;
        }
    }
}

/// Forgets what was read ahead for `request` (its values may have changed).
pub fn discard(shared: &Shared, request: i64) {
    shared.prefetched.remove(&request);
}
