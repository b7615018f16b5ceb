//! A thin JSON face on the headless DAP client, for the demo's acts.

use std::time::Duration;

use serde_json::{Value, json};

use crate::client::{Client, Transcript};

/// How long an act waits for an answer or an event.
const WAIT: Duration = Duration::from_secs(20);

/// One DAP client session.
pub struct Dap {
    client: Client,
}

impl Dap {
    /// Connects to the DAP server at `addr` and initializes.
    pub async fn connect(addr: &str) -> Result<Dap, String> {
        let mut client = Client::connect(addr, Transcript::default())
            .await
            .map_err(|e| format!("cannot reach the debug adapter: {e:#}"))?;
        client.timeout = WAIT;
        let dap = Dap { client };
        dap.req(
            "initialize",
            json!({ "adapterID": "apex-isv", "clientID": "isvdbg-demo", "linesStartAt1": true,
                    "columnsStartAt1": true, "pathFormat": "path", "supportsProgressReporting": false }),
        )
        .await?;
        Ok(dap)
    }

    /// Sends a request; its body, or the adapter's error text.
    pub async fn req(&self, command: &str, args: Value) -> Result<Value, String> {
        let r = self
            .client
            .request_raw(command, Some(args))
            .await
            .map_err(|e| format!("{command}: {e}"))?;
        if r.success {
            Ok(r.body.unwrap_or(json!({})))
        } else {
            Err(r
                .error_text()
                .unwrap_or_else(|| format!("{command} failed")))
        }
    }

    /// The body of the next event named `name` whose body satisfies `pred`.
    pub async fn event(&self, name: &str, pred: impl Fn(&Value) -> bool) -> Result<Value, String> {
        let e = self
            .client
            .wait_event(&format!("event `{name}`"), WAIT, |e| {
                e.name() == name && pred(&body(e))
            })
            .await
            .map_err(|e| e.to_string())?;
        Ok(body(&e))
    }

    /// Launches, sets one breakpoint and finishes configuration.
    pub async fn launch(&self, args: Value, breakpoint: Option<(&str, u32)>) -> Result<(), String> {
        let launch = self
            .client
            .send_request("launch", Some(args))
            .await
            .map_err(|e| e.to_string())?;
        let answered = launch.wait(WAIT).await.map_err(|e| e.to_string())?;
        if !answered.success {
            return Err(answered
                .error_text()
                .unwrap_or_else(|| "launch failed".into()));
        }
        self.event("initialized", |_| true).await?;
        if let Some((path, line)) = breakpoint {
            let set = self
                .req(
                    "setBreakpoints",
                    json!({ "source": { "path": path }, "breakpoints": [{ "line": line }] }),
                )
                .await?;
            if set["breakpoints"][0]["verified"] != true {
                return Err(format!("the breakpoint was not verified: {set}"));
            }
        }
        self.req("configurationDone", json!({})).await?;
        Ok(())
    }

    /// Ends the session, resuming anything paused.
    pub async fn disconnect(&self) {
        let _ = self
            .req("disconnect", json!({ "terminateDebuggee": false }))
            .await;
    }
}

fn body(e: &crate::dap::protocol::Event) -> Value {
    serde_json::to_value(e)
        .ok()
        .and_then(|v| v.get("body").cloned())
        .unwrap_or(Value::Null)
}
