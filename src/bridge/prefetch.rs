//! Reading a stopped request ahead of the client.
//!
//! After a stop, a client asks for the stack, then the top frame's scopes,
//! then its locals: three round trips to the request's thread, each waiting
//! for the one before. When the first of them comes, the bridge asks the
//! sandbox for all three in a row, so the scopes and the locals are there
//! (or on their way) when the client asks for them.

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
    let Ok(stack) = client.call("debug.stack", json!({ "requestId": id })).await else {
        return;
    };
    let frames = stack["frames"].as_array().cloned().unwrap_or_default();
    tx.send_modify(|f| f.stack = Some(frames));
    let Ok(scopes) = client
        .call("debug.scopes", json!({ "requestId": id, "frame": 0 }))
        .await
    else {
        return;
    };
    let scopes = scopes["scopes"].as_array().cloned().unwrap_or_default();
    let locals = scopes
        .iter()
        .find(|s| s["name"] == "Locals")
        .and_then(|s| s["reference"].as_u64())
        .filter(|r| *r > 0);
    tx.send_modify(|f| f.scopes = Some(scopes));
    let Some(reference) = locals else {
        return;
    };
    if let Ok(vars) = client
        .call(
            "debug.variables",
            json!({ "requestId": id, "reference": reference }),
        )
        .await
    {
        let vars = vars["variables"].as_array().cloned().unwrap_or_default();
        tx.send_modify(|f| f.locals = Some((reference, vars)));
    }
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
