//! The steps that wait for events: any event by name and body, `stopped`
//! (with the line it stopped on) and `output` (with its text, category,
//! source and line).

use std::time::Duration;

use super::{Runner, describe_filter, event_body, same_file};
use crate::client::expect::{check_json, compile, compile_all};
use crate::client::report::{StepError, mismatch};
use crate::client::scenario::*;
use crate::dap::protocol::{EventBody, EventKind};

impl Runner<'_> {
    pub(super) async fn wait_event(
        &mut self,
        step: &EventStep,
        timeout: Duration,
    ) -> Result<(), StepError> {
        let regexes = compile_all(&step.matches)?;
        let what = format!(
            "event `{}`{}",
            step.event,
            describe_filter(&step.body, &step.matches)
        );
        let event = self
            .client()
            .wait_event(&what, timeout, |e| {
                e.name() == step.event && {
                    let body = event_body(e);
                    check_json(&body, &step.body, &regexes, &[]).is_ok()
                }
            })
            .await?;
        self.note_thread(&event);
        Ok(())
    }

    pub(super) async fn stopped(
        &mut self,
        step: &StoppedStep,
        timeout: Duration,
    ) -> Result<(), StepError> {
        let event = self
            .client()
            .wait_event("event `stopped`", timeout, |e| e.name() == "stopped")
            .await?;
        let body = event_body(&event);
        if let Some(reason) = &step.reason
            && body["reason"].as_str() != Some(reason)
        {
            return Err(mismatch(
                format!("stopped with reason `{reason}`"),
                body.to_string(),
            ));
        }
        self.note_thread(&event);
        if let Some(line) = &step.line {
            let source = step.source.as_deref().map(|s| self.resolve(s));
            let want = self.line(line, source.as_deref())?;
            let frames = self.frames(None, timeout).await?;
            let top = frames
                .first()
                .ok_or_else(|| mismatch("a stack frame", "an empty stack"))?;
            if top.line != want {
                return Err(mismatch(
                    format!("stopped at line {want}"),
                    format!("stopped at line {} in {}", top.line, top.name),
                ));
            }
        }
        Ok(())
    }

    pub(super) async fn output(
        &mut self,
        step: &OutputStep,
        timeout: Duration,
    ) -> Result<(), StepError> {
        let re = compile(&step.pattern)?;
        let source = step.source.as_deref().map(|s| self.resolve(s));
        let line = match &step.line {
            Some(line) => Some(self.line(line, source.as_deref())?),
            None => None,
        };
        let mut what = format!("an `output` event matching /{}/", step.pattern);
        if let Some(category) = &step.category {
            what.push_str(&format!(" in category `{category}`"));
        }
        if let Some(file) = &source {
            what.push_str(&format!(" from {}", file.display()));
        }
        if let Some(line) = line {
            what.push_str(&format!(" at line {line}"));
        }
        self.client()
            .wait_event(&what, timeout, |e| match &e.kind {
                EventKind::Known(EventBody::Output(o)) => {
                    let place = o.source.as_ref();
                    re.is_match(&o.output)
                        && step
                            .category
                            .as_ref()
                            .is_none_or(|c| o.category.as_deref().unwrap_or("console") == c)
                        && source.as_ref().is_none_or(|want| {
                            place.is_some_and(|p| {
                                same_file(want, p.path.as_deref(), p.name.as_deref())
                            })
                        })
                        && line.is_none_or(|want| o.line == Some(want))
                }
                _ => false,
            })
            .await?;
        Ok(())
    }
}
