//! `progressStart` / `progressUpdate` / `progressEnd` around slow steps,
//! sent only to clients that said `supportsProgressReporting`.

use crate::dap::protocol::{
    EventBody, ProgressEndEventBody, ProgressStartEventBody, ProgressUpdateEventBody,
};
use crate::dap::{BackendEvent, EventSink};

/// One progress indicator; ends itself when dropped.
#[derive(Debug)]
pub struct Progress {
    sink: Option<EventSink>,
    id: String,
}

impl Progress {
    /// Starts a progress titled `title` (nothing is sent when `enabled` is false).
    pub fn start(enabled: bool, sink: &EventSink, id: &str, title: &str) -> Progress {
        let sink = enabled.then(|| sink.clone());
        if let Some(sink) = &sink {
            let _ = sink.send(BackendEvent::Event(EventBody::ProgressStart(
                ProgressStartEventBody {
                    progress_id: id.to_owned(),
                    title: title.to_owned(),
                    cancellable: Some(false),
                    percentage: Some(0.0),
                    ..Default::default()
                },
            )));
        }
        Progress {
            sink,
            id: id.to_owned(),
        }
    }

    /// Says what is happening now, `percentage` of the way through.
    pub fn update(&self, message: &str, percentage: f64) {
        if let Some(sink) = &self.sink {
            let _ = sink.send(BackendEvent::Event(EventBody::ProgressUpdate(
                ProgressUpdateEventBody {
                    progress_id: self.id.clone(),
                    message: Some(message.to_owned()),
                    percentage: Some(percentage),
                },
            )));
        }
    }

    /// Ends the progress with a final message.
    pub fn end(mut self, message: &str) {
        self.finish(Some(message.to_owned()));
    }

    fn finish(&mut self, message: Option<String>) {
        if let Some(sink) = self.sink.take() {
            let _ = sink.send(BackendEvent::Event(EventBody::ProgressEnd(
                ProgressEndEventBody {
                    progress_id: self.id.clone(),
                    message,
                },
            )));
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish(None);
    }
}
