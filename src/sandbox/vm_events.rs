//! What a debugged request's VM reports, as events to its session's
//! connections: `Stopped`, `Resumed`, `Debug` (each `System.debug` line and
//! each logpoint) and `ApexException` (each throw).

use serde_json::{Value, json};

use super::Sandbox;
use super::protocol::EventName;
use super::requests::State;
use crate::vm::debug::{EventSink, ExceptionStop, VmEvent};

/// Routes VM events of a debugged request to its session's connections.
pub(super) struct Sink {
    sb: Sandbox,
    session: u64,
}

impl Sink {
    pub(super) fn new(sb: Sandbox, session: u64) -> Sink {
        Sink { sb, session }
    }
}

/// The file of a typeref in an org (`TaxCalculator.cls`), or `AnonymousBlock`.
fn file_of(sb: &Sandbox, org: &str, typeref: &str) -> String {
    sb.orgs
        .get(org)
        .and_then(|o| {
            o.program
                .find_typeref(typeref)
                .map(|c| o.program.class(c).file.to_string())
        })
        .unwrap_or_else(|| "AnonymousBlock".into())
}

fn exception_body(e: &ExceptionStop) -> Value {
    json!({ "typeName": e.type_name, "message": e.message, "stack": e.stack, "caught": e.caught })
}

impl EventSink for Sink {
    fn event(&self, request: u64, event: VmEvent) {
        let Some(r) = self.sb.requests.get(request) else {
            return;
        };
        let Some(s) = self.sb.debug.get(self.session) else {
            return;
        };
        let rid = request.to_string();
        let sid = self.session.to_string();
        let (name, body) = match event {
            VmEvent::Stopped(mut stop) => {
                r.set_state(State::Paused);
                let snapshot = stop.snapshot.take();
                let mut body = json!({
                    "requestId": rid,
                    "sessionId": sid,
                    "reason": stop.reason.as_str(),
                    "typeref": stop.typeref,
                    "file": file_of(&self.sb, &r.org, &stop.typeref),
                    "line": stop.line,
                    "breakpoints": stop.breakpoints,
                });
                if let Some(e) = &stop.exception {
                    body["exception"] = exception_body(e);
                }
                if let Some(snap) = snapshot {
                    body["top"] = super::inspect::snapshot_json(&snap);
                }
                if let Some(d) = &r.debug {
                    *d.last_stop.lock().expect("stop lock") = Some(stop);
                }
                (EventName::Stopped, body)
            }
            VmEvent::Resumed => {
                r.set_state(State::Running);
                (
                    EventName::Resumed,
                    json!({ "requestId": rid, "sessionId": sid }),
                )
            }
            VmEvent::Logpoint {
                text,
                typeref,
                line,
            } => (
                EventName::Debug,
                json!({
                    "requestId": rid, "sessionId": sid, "origin": "logpoint",
                    "file": file_of(&self.sb, &r.org, &typeref), "typeref": typeref,
                    "line": line, "text": text,
                }),
            ),
            VmEvent::Debug {
                typeref,
                line,
                level,
                message,
            } => (
                EventName::Debug,
                json!({
                    "requestId": rid, "sessionId": sid, "origin": "System.debug",
                    "file": file_of(&self.sb, &r.org, &typeref), "typeref": typeref,
                    "line": line, "level": level, "text": message,
                }),
            ),
            VmEvent::Exception {
                exception,
                typeref,
                line,
            } => {
                let mut body = exception_body(&exception);
                body["requestId"] = json!(rid);
                body["sessionId"] = json!(sid);
                body["file"] = json!(file_of(&self.sb, &r.org, &typeref));
                body["typeref"] = json!(typeref);
                body["line"] = json!(line);
                (EventName::ApexException, body)
            }
        };
        self.sb.emit(&s.listeners(), name, body);
    }
}
