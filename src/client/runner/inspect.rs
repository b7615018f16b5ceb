//! The steps that look at a stopped thread: its stack, its variables (read
//! and set) and expressions evaluated in its frames.

use std::time::Duration;

use serde_json::{Value, json};

use super::{Runner, frame_names, same_file};
use crate::client::expect::compile;
use crate::client::jsonpath::{self, Segment};
use crate::client::report::{StepError, mismatch};
use crate::client::scenario::*;
use crate::dap::protocol::{StackFrame, Variable};

/// A variable found by path, and the reference of the container that lists it.
struct Found {
    container: i64,
    variable: Variable,
}

impl Runner<'_> {
    pub(super) async fn stack(
        &mut self,
        step: &StackStep,
        timeout: Duration,
    ) -> Result<(), StepError> {
        let frames = self.frames(step.thread, timeout).await?;
        for (i, spec) in step.frames.iter().enumerate() {
            let Some(frame) = frames.get(i) else {
                return Err(mismatch(
                    format!("at least {} frames", step.frames.len()),
                    format!("{} frames: {}", frames.len(), frame_names(&frames)),
                ));
            };
            self.check_frame(i, spec, frame)?;
        }
        Ok(())
    }

    fn check_frame(
        &mut self,
        i: usize,
        spec: &FrameSpec,
        frame: &StackFrame,
    ) -> Result<(), StepError> {
        let got = || format!("frame {i} is {} at line {}", frame.name, frame.line);
        if let Some(name) = &spec.name
            && &frame.name != name
        {
            return Err(mismatch(format!("frame {i} named `{name}`"), got()));
        }
        if let Some(pattern) = &spec.name_matches
            && !compile(pattern)?.is_match(&frame.name)
        {
            return Err(mismatch(
                format!("frame {i} name matching /{pattern}/"),
                got(),
            ));
        }
        let source = spec.source.as_deref().map(|s| self.resolve(s));
        if let Some(want) = &source {
            let path = frame.source.as_ref().and_then(|s| s.path.as_deref());
            let name = frame.source.as_ref().and_then(|s| s.name.as_deref());
            if !same_file(want, path, name) {
                return Err(mismatch(
                    format!("frame {i} in {}", want.display()),
                    format!("frame {i} in {}", path.or(name).unwrap_or("no source")),
                ));
            }
        }
        if let Some(line) = &spec.line {
            let want = self.line(line, source.as_deref())?;
            if frame.line != want {
                return Err(mismatch(format!("frame {i} at line {want}"), got()));
            }
        }
        Ok(())
    }

    pub(super) async fn variable(
        &mut self,
        step: &VariableStep,
        timeout: Duration,
    ) -> Result<(), StepError> {
        let var = self
            .find_variable(&step.path, step.thread, step.frame, timeout)
            .await?
            .variable;
        let got = || {
            format!(
                "{} = {} ({})",
                step.path,
                var.value,
                var.type_.as_deref().unwrap_or("no type")
            )
        };
        if let Some(value) = &step.value
            && &var.value != value
        {
            return Err(mismatch(format!("{} = {value}", step.path), got()));
        }
        if let Some(pattern) = &step.value_matches
            && !compile(pattern)?.is_match(&var.value)
        {
            return Err(mismatch(
                format!("{} matching /{pattern}/", step.path),
                got(),
            ));
        }
        if let Some(ty) = &step.type_
            && var.type_.as_ref() != Some(ty)
        {
            return Err(mismatch(format!("{} of type {ty}", step.path), got()));
        }
        Ok(())
    }

    /// Walks `path` from the scopes of a frame, child by child.
    async fn find_variable(
        &mut self,
        path: &str,
        thread: Option<i64>,
        frame: usize,
        timeout: Duration,
    ) -> Result<Found, StepError> {
        let segments = jsonpath::parse(path).map_err(StepError::Scenario)?;
        let Some(Segment::Key(first)) = segments.first() else {
            return Err(StepError::Scenario(format!(
                "variable path `{path}` must start with a name"
            )));
        };
        let frame_id = self.frame_id(thread, frame, timeout).await?;
        let scopes = self
            .fetch("scopes", json!({ "frameId": frame_id }), timeout)
            .await?;
        let mut found: Option<Found> = None;
        let mut seen = Vec::new();
        for scope in scopes["scopes"].as_array().cloned().unwrap_or_default() {
            let reference = scope["variablesReference"].as_i64().unwrap_or(0);
            for var in self.children(reference, timeout).await? {
                if &var.name == first {
                    found = Some(Found {
                        container: reference,
                        variable: var,
                    });
                    break;
                }
                seen.push(var.name);
            }
            if found.is_some() {
                break;
            }
        }
        let mut found = found.ok_or_else(|| {
            mismatch(
                format!("a variable `{first}` in frame {frame}"),
                format!("variables {seen:?}"),
            )
        })?;
        let mut walked = first.clone();
        for segment in &segments[1..] {
            let (label, names) = match segment {
                Segment::Key(k) => (format!(".{k}"), vec![k.clone()]),
                Segment::Index(i) => (format!("[{i}]"), vec![format!("[{i}]"), i.to_string()]),
            };
            let container = found.variable.variables_reference;
            let children = self.children(container, timeout).await?;
            let next = children.iter().find(|v| names.contains(&v.name)).cloned();
            let variable = next.ok_or_else(|| {
                let names: Vec<&str> = children.iter().map(|v| v.name.as_str()).collect();
                mismatch(
                    format!("{walked}{label}"),
                    format!("{walked} has children {names:?}"),
                )
            })?;
            found = Found {
                container,
                variable,
            };
            walked.push_str(&label);
        }
        Ok(found)
    }

    /// A request step's arguments, with the `frameId` and
    /// `variablesReference` its `frame` and `variables_of` ask for.
    pub(super) async fn request_arguments(
        &mut self,
        step: &RequestStep,
        timeout: Duration,
    ) -> Result<Option<Value>, StepError> {
        if step.frame.is_none() && step.variables_of.is_none() {
            return Ok(step.arguments.clone());
        }
        let mut args = match step.arguments.clone() {
            None | Some(Value::Null) => serde_json::Map::new(),
            Some(Value::Object(map)) => map,
            Some(other) => {
                return Err(StepError::Scenario(format!(
                    "`arguments` must be a map when `frame` or `variables_of` adds to them, not {other}"
                )));
            }
        };
        let frame = step.frame.unwrap_or(0);
        if step.frame.is_some() {
            let id = self.frame_id(step.thread, frame, timeout).await?;
            args.insert("frameId".into(), json!(id));
        }
        if let Some(path) = &step.variables_of {
            let found = self
                .find_variable(path, step.thread, frame, timeout)
                .await?;
            let reference = found.variable.variables_reference;
            if reference <= 0 {
                return Err(mismatch(
                    format!("{path} with children (a variablesReference above 0)"),
                    format!("{path} = {} without children", found.variable.value),
                ));
            }
            args.insert("variablesReference".into(), json!(reference));
        }
        Ok(Some(Value::Object(args)))
    }

    /// Sends `setVariable` to the container of the variable at `step.path`
    /// and checks the value (and type) the adapter answers with.
    pub(super) async fn set_variable(
        &mut self,
        step: &SetVariableStep,
        timeout: Duration,
    ) -> Result<(), StepError> {
        let found = self
            .find_variable(&step.path, step.thread, step.frame, timeout)
            .await?;
        let args = json!({
            "variablesReference": found.container,
            "name": found.variable.name,
            "value": step.value,
        });
        let expect = Expect {
            error: step.error.clone(),
            ..Default::default()
        };
        let response = self
            .call("setVariable", Some(args), Some(&expect), timeout)
            .await?;
        if step.error.is_some() {
            return Ok(());
        }
        let body = response.body.unwrap_or(Value::Null);
        let value = body["value"].as_str().unwrap_or_default();
        let ty = body["type"].as_str();
        let got = || format!("{} = {value} ({})", step.path, ty.unwrap_or("no type"));
        if let Some(pattern) = &step.result_matches {
            if !compile(pattern)?.is_match(value) {
                return Err(mismatch(
                    format!("{} set to a value matching /{pattern}/", step.path),
                    got(),
                ));
            }
        } else {
            let want = step.result.as_ref().unwrap_or(&step.value);
            if value != want {
                return Err(mismatch(format!("{} set to {want}", step.path), got()));
            }
        }
        if let Some(want) = &step.type_
            && ty != Some(want.as_str())
        {
            return Err(mismatch(
                format!("{} set, of type {want}", step.path),
                got(),
            ));
        }
        Ok(())
    }

    async fn children(
        &mut self,
        reference: i64,
        timeout: Duration,
    ) -> Result<Vec<Variable>, StepError> {
        if reference <= 0 {
            return Ok(vec![]);
        }
        let body = self
            .fetch(
                "variables",
                json!({ "variablesReference": reference }),
                timeout,
            )
            .await?;
        serde_json::from_value(body["variables"].clone())
            .map_err(|e| mismatch("a list of variables", format!("{e}")))
    }

    pub(super) async fn evaluate(
        &mut self,
        step: &EvaluateStep,
        timeout: Duration,
    ) -> Result<(), StepError> {
        let mut args = json!({
            "expression": step.expression,
            "context": step.context.as_deref().unwrap_or("repl"),
        });
        if let Some(frame) = step.frame {
            args["frameId"] = json!(self.frame_id(step.thread, frame, timeout).await?);
        }
        let expect = Expect {
            error: step.error.clone(),
            ..Default::default()
        };
        let response = self
            .call("evaluate", Some(args), Some(&expect), timeout)
            .await?;
        if step.error.is_some() {
            return Ok(());
        }
        let body = response.body.unwrap_or(Value::Null);
        let result = body["result"].as_str().unwrap_or_default();
        if let Some(want) = &step.result
            && result != want
        {
            return Err(mismatch(
                format!("{} = {want}", step.expression),
                result.to_owned(),
            ));
        }
        if let Some(pattern) = &step.result_matches
            && !compile(pattern)?.is_match(result)
        {
            return Err(mismatch(
                format!("{} matching /{pattern}/", step.expression),
                result.to_owned(),
            ));
        }
        Ok(())
    }

    pub(super) async fn frames(
        &mut self,
        thread: Option<i64>,
        timeout: Duration,
    ) -> Result<Vec<StackFrame>, StepError> {
        let thread = self.thread(thread, "stackTrace")?;
        let body = self
            .fetch("stackTrace", json!({ "threadId": thread }), timeout)
            .await?;
        serde_json::from_value(body["stackFrames"].clone())
            .map_err(|e| mismatch("a list of stack frames", format!("{e}")))
    }

    pub(super) async fn frame_id(
        &mut self,
        thread: Option<i64>,
        index: usize,
        timeout: Duration,
    ) -> Result<i64, StepError> {
        let frames = self.frames(thread, timeout).await?;
        frames.get(index).map(|f| f.id).ok_or_else(|| {
            mismatch(
                format!("a frame {index}"),
                format!("{} frames: {}", frames.len(), frame_names(&frames)),
            )
        })
    }
}
