//! `cancel` while a cancellable request runs: the client is read meanwhile,
//! and what it sends is queued to be handled afterwards, in arrival order.

use futures::StreamExt;
use serde_json::Value;
use tracing::debug;

use super::{ClientInput, Session};
use crate::dap::backend::Backend;
use crate::dap::codec::Frame;
use crate::dap::error::DapError;

impl<B: Backend> Session<B> {
    /// Runs a custom request the backend lets go of part-way, reading the
    /// client meanwhile. A `cancel` naming it ends the wait with `cancelled`;
    /// one naming a request read meanwhile marks that request `cancelled`.
    /// Everything read is handled afterwards, in arrival order.
    pub(super) async fn cancellable_custom(
        &mut self,
        seq: i64,
        command: &str,
        arguments: Option<Value>,
    ) -> Result<Option<Value>, DapError> {
        let call = self.backend.custom(command, arguments);
        tokio::pin!(call);
        loop {
            let input = tokio::select! {
                result = &mut call => return result,
                input = self.reader.next(), if !self.client_done => input,
            };
            let target = match &input {
                Some(Ok(frame)) => cancel_target(frame),
                // Nobody is left to wait for the answer.
                _ => {
                    self.client_done = true;
                    self.queued.push_back(input);
                    return Err(DapError::cancelled());
                }
            };
            self.queued.push_back(input);
            match target {
                Some(target) if target == seq => {
                    debug!(seq, command, "cancelled while it ran");
                    return Err(DapError::cancelled());
                }
                Some(target) if self.queued.iter().any(|q| queued_seq(q) == Some(target)) => {
                    self.cancelled.insert(target);
                }
                _ => {}
            }
        }
    }
}

/// The `requestId` a `cancel` request names.
fn cancel_target(frame: &Frame) -> Option<i64> {
    let Frame::Message(v) = frame else {
        return None;
    };
    if v["type"] != "request" || v["command"] != "cancel" {
        return None;
    }
    v["arguments"]["requestId"].as_i64()
}

/// The `seq` of a queued request.
fn queued_seq(input: &ClientInput) -> Option<i64> {
    match input {
        Some(Ok(Frame::Message(v))) if v["type"] == "request" => v["seq"].as_i64(),
        _ => None,
    }
}
