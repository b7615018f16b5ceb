//! `cancel` of an `isv/runApex` whose request the sandbox is still starting:
//! the wait ends with `cancelled`, but the request is never lost: its end
//! still reaches the client as `isv/requestFinished`.
//!
//! To cancel at exactly that point, the bridge reaches the sandbox through a
//! WebSocket relay that holds back the answer to `apex.run` until the test
//! lets it go.

mod bridge_support;
mod sandbox_support;
mod setup_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bridge_support::{connect, env, event, req};
use futures::{SinkExt, StreamExt};
use isvdbg::bridge::Bridge;
use isvdbg::client::transcript::Direction;
use sandbox_support::{ADMIN, Server};
use serde_json::{Value, json};
use setup_support::{LMO, lmo_env};
use tokio::net::TcpListener;
use tokio::sync::{Notify, Semaphore};
use tokio_tungstenite::tungstenite::Message;

/// A relay between the bridge and the sandbox that holds the answer to the
/// first `apex.run` (and whatever follows it) until `release` has a permit.
struct Relay {
    url: String,
    /// Notified once the bridge has sent `apex.run`.
    run_sent: Arc<Notify>,
    release: Arc<Semaphore>,
}

async fn relay(upstream: String) -> Relay {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    let run_sent = Arc::new(Notify::new());
    let release = Arc::new(Semaphore::new(0));
    let (sent, gate) = (run_sent.clone(), release.clone());
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let bridge_side = tokio_tungstenite::accept_async(tcp).await.unwrap();
        let (sandbox_side, _) = tokio_tungstenite::connect_async(upstream).await.unwrap();
        let (mut to_bridge, mut from_bridge) = bridge_side.split();
        let (mut to_sandbox, mut from_sandbox) = sandbox_side.split();
        let held = Arc::new(Mutex::new(None::<Value>));
        let held_up = held.clone();
        tokio::spawn(async move {
            while let Some(Ok(m)) = from_bridge.next().await {
                if let Message::Text(t) = &m {
                    let v: Value = serde_json::from_str(t).unwrap();
                    if v["method"] == "apex.run" && held_up.lock().unwrap().is_none() {
                        *held_up.lock().unwrap() = Some(v["id"].clone());
                        sent.notify_one();
                    }
                }
                if to_sandbox.send(m).await.is_err() {
                    break;
                }
            }
        });
        while let Some(Ok(m)) = from_sandbox.next().await {
            if let Message::Text(t) = &m {
                let v: Value = serde_json::from_str(t).unwrap();
                let id = held.lock().unwrap().clone();
                if id.is_some() && v.get("id") == id.as_ref() && v.get("method").is_none() {
                    gate.acquire().await.unwrap().forget();
                }
            }
            if to_bridge.send(m).await.is_err() {
                break;
            }
        }
    });
    Relay {
        url,
        run_sent,
        release,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_cancelled_while_the_sandbox_starts_it_still_reports_its_end() {
    let server = Server::start().await;
    let relay = relay(server.url.clone()).await;
    let creds = lmo_env(&server.sb, LMO);
    let creds: Vec<(&str, &str)> = creds.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (client, _s) = connect(Bridge::new().with_env(env(&creds)));
    req(&client, "initialize", json!({ "adapterID": "apex-isv" })).await;
    req(
        &client,
        "launch",
        json!({ "sandbox": relay.url, "subscriberOrg": "globex-full", "loginAsUser": ADMIN, "lmoUser": LMO }),
    )
    .await;
    req(&client, "configurationDone", json!({})).await;

    let pending = client
        .send_request(
            "isv/runApex",
            Some(json!({ "code": "System.debug('ran');" })),
        )
        .await
        .unwrap();
    let seq = client
        .recent()
        .iter()
        .rev()
        .find(|(d, m)| *d == Direction::Send && m["command"] == "isv/runApex")
        .map(|(_, m)| m["seq"].clone())
        .unwrap();
    tokio::time::timeout(Duration::from_secs(60), relay.run_sent.notified())
        .await
        .expect("the bridge asks the sandbox to run the code");
    // The sandbox has the request; its answer is held back: cancel now.
    let cancel = client
        .send_request("cancel", Some(json!({ "requestId": seq })))
        .await
        .unwrap();
    let answer = pending.wait(Duration::from_secs(60)).await.unwrap();
    assert!(!answer.success, "the wait was cancelled: {:?}", answer.body);
    assert_eq!(answer.message.as_deref(), Some("cancelled"));
    assert!(cancel.wait(Duration::from_secs(60)).await.unwrap().success);

    relay.release.add_permits(1);
    let finished = event(&client, "isv/requestFinished", |_| true).await;
    assert_eq!(finished["success"], true, "{finished}");
    assert_eq!(finished["output"][0]["message"], "ran", "{finished}");
    req(&client, "disconnect", json!({})).await;
    server.shutdown().await;
}
