//! A scripted debug adapter backend for the client tests: it plays back a
//! fixed debugging session over `InvoiceService.cls`, so that every kind of
//! scenario step can be run without a runtime behind the session.

use std::path::{Path, PathBuf};

use isvdbg::dap::protocol::*;
use isvdbg::dap::{Backend, BackendEvent, DapError, EventSink, ShutdownReason};
use serde_json::{Value, json};

/// The folder of the client test fixtures.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/client_fixtures")
}

/// A backend that plays back a fixed debugging session over the fixture file.
pub struct Scripted {
    file: PathBuf,
    bp2: i64,
    call: i64,
    line: i64,
    /// The value of the local `count`, which `setVariable` changes.
    count: String,
    events: Option<EventSink>,
}

impl Scripted {
    /// A session over `file`, which must hold the markers #BP1, #BP2 and #CALL.
    pub fn new(file: &Path) -> Self {
        let text = std::fs::read_to_string(file).unwrap();
        let line_of = |m: &str| text.lines().position(|l| l.contains(m)).unwrap() as i64 + 1;
        let (bp1, bp2, call) = (line_of("#BP1"), line_of("#BP2"), line_of("#CALL"));
        Scripted {
            file: file.to_owned(),
            bp2,
            call,
            line: bp1,
            count: "3".into(),
            events: None,
        }
    }

    fn emit(&self, body: EventBody) {
        self.events
            .as_ref()
            .unwrap()
            .send(BackendEvent::Event(body))
            .unwrap();
    }

    fn stop(&self, reason: &str) {
        self.emit(EventBody::Stopped(StoppedEventBody {
            reason: reason.into(),
            thread_id: Some(7),
            ..Default::default()
        }));
    }
}

fn var(name: &str, value: &str, reference: i64) -> Value {
    json!({"name": name, "value": value, "variablesReference": reference})
}

impl Backend for Scripted {
    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }
    async fn launch(
        &mut self,
        _args: LaunchRequestArguments,
        events: EventSink,
    ) -> Result<(), DapError> {
        self.events = Some(events);
        Ok(())
    }
    async fn attach(
        &mut self,
        args: LaunchRequestArguments,
        events: EventSink,
    ) -> Result<(), DapError> {
        self.launch(args, events).await
    }
    async fn configuration_done(&mut self) -> Result<(), DapError> {
        self.emit(EventBody::Output(OutputEventBody::new(
            "console",
            "total=0 (from elsewhere)\n",
        )));
        self.emit(EventBody::Output(OutputEventBody {
            source: Some(Source {
                name: Some("InvoiceService.cls".into()),
                path: Some(self.file.to_string_lossy().into_owned()),
                ..Default::default()
            }),
            line: Some(self.call),
            ..OutputEventBody::new("stdout", "12:00:01.0 (1)|USER_DEBUG|[12]|DEBUG|total=6\n")
        }));
        self.stop("breakpoint");
        Ok(())
    }
    async fn request(&mut self, args: RequestArguments) -> Result<Option<Value>, DapError> {
        use RequestArguments as R;
        let source = json!({"name": "InvoiceService.cls", "path": self.file.to_string_lossy()});
        let body = match args {
            R::SetBreakpoints(a) => {
                let bps: Vec<Value> = a
                    .breakpoints
                    .unwrap_or_default()
                    .iter()
                    .enumerate()
                    .map(|(i, b)| json!({"id": i + 1, "verified": true, "line": b.line}))
                    .collect();
                json!({ "breakpoints": bps })
            }
            R::Threads(_) => json!({"threads": [{"id": 7, "name": "Invoice request"}]}),
            R::StackTrace(_) => json!({"stackFrames": [
                {"id": 100, "name": "InvoiceService.total", "line": self.line, "column": 1, "source": source},
                {"id": 101, "name": "InvoiceService.run", "line": self.call, "column": 1, "source": source},
            ]}),
            R::Scopes(_) => {
                json!({"scopes": [{"name": "Locals", "variablesReference": 1, "expensive": false}]})
            }
            R::Variables(a) => {
                let vars = match a.variables_reference {
                    1 => vec![var("invoice", "Invoice", 2), var("count", &self.count, 0)],
                    2 => vec![var("lines", "List<InvoiceLine> (1)", 3)],
                    3 => vec![var("[0]", "InvoiceLine", 4)],
                    _ => vec![
                        json!({"name": "amount", "value": "12.50", "type": "Decimal", "variablesReference": 0}),
                    ],
                };
                json!({ "variables": vars })
            }
            R::Evaluate(a) if a.expression == "count * 2" => {
                json!({"result": "6", "variablesReference": 0})
            }
            R::Evaluate(a) => {
                return Err(DapError::new(
                    2000,
                    format!("Variable does not exist: {}", a.expression),
                ));
            }
            R::SetVariable(a) if a.variables_reference == 1 && a.name == "count" => {
                self.count = a.value.replace(' ', "");
                json!({"value": self.count, "type": "Integer"})
            }
            R::SetVariable(a) => {
                return Err(DapError::new(
                    2001,
                    format!("no variable {} in {}", a.name, a.variables_reference),
                ));
            }
            R::Completions(a) => {
                json!({"targets": [{"label": format!("in frame {}", a.frame_id.unwrap_or(0))}]})
            }
            R::Next(a) if a.single_thread != Some(true) => {
                return Err(DapError::new(
                    2002,
                    "this backend steps one thread only: send singleThread",
                ));
            }
            R::Next(_) => {
                self.line = self.bp2;
                self.stop("step");
                return Ok(None);
            }
            R::Continue(_) => {
                self.events
                    .as_ref()
                    .unwrap()
                    .send(BackendEvent::Ended {
                        reason: "the request finished".into(),
                    })
                    .unwrap();
                json!({"allThreadsContinued": true})
            }
            other => return Err(DapError::unknown_command(other.command())),
        };
        Ok(Some(body))
    }
    async fn shutdown(&mut self, _reason: ShutdownReason) {}
}
