//! Looking inside a stopped request: stack frames (paged), scopes, variables
//! (paged), evaluation, setting values, completions and exception details.

use std::sync::Arc;

use serde_json::{Value, json};

use super::client::SandboxClient;
use super::prefetch;
use super::settings_scope;
use super::source::source_for;
use super::state::{RefTarget, Refs, Shared};
use crate::dap::DapError;
use crate::dap::error::ids;
use crate::dap::protocol::*;

/// Converts between the client's line and column bases and Apex's (1-based).
#[derive(Debug, Clone, Copy)]
pub struct Bases {
    /// 1 when the client counts lines from 1 (the default), else 0.
    pub line: i64,
    /// 1 when the client counts columns from 1 (the default), else 0.
    pub column: i64,
}

impl Default for Bases {
    fn default() -> Self {
        Bases { line: 1, column: 1 }
    }
}

impl Bases {
    /// An Apex line as the client counts.
    pub fn to_client_line(self, line: i64) -> i64 {
        line - 1 + self.line
    }
    /// A client's line as Apex counts.
    pub fn to_apex_line(self, line: i64) -> i64 {
        line + 1 - self.line
    }
    /// An Apex column as the client counts.
    pub fn to_client_column(self, column: i64) -> i64 {
        column - 1 + self.column
    }
}

/// A sandbox error during inspection, for the debug console.
fn runtime(e: super::client::ApiError) -> DapError {
    DapError::new(ids::RUNTIME, e.message)
}

fn stale(what: &str, id: i64) -> DapError {
    DapError::new(
        ids::INVALID_ARGUMENTS,
        format!(
            "{what} {id} is unknown or from an earlier stop; the request has moved since, so \
             ask for the stack again"
        ),
    )
}

/// Everything inspection needs.
pub struct Inspect<'a> {
    pub client: &'a SandboxClient,
    pub shared: &'a Arc<Shared>,
    pub refs: &'a mut Refs,
    pub bases: Bases,
}

impl Inspect<'_> {
    /// `stackTrace`, paged by `startFrame` and `levels`.
    pub async fn stack(
        &mut self,
        args: StackTraceArguments,
    ) -> Result<StackTraceResponseBody, DapError> {
        let request = args.thread_id;
        let generation = self.shared.stop_generation(request);
        let frames = match self.refs.stack(request, generation) {
            Some(frames) => frames,
            None => {
                prefetch::start(self.client, self.shared, request);
                let frames = match prefetch::take(self.shared, request, |f| f.stack.clone()).await {
                    Some(frames) => frames,
                    None => {
                        let result = self
                            .client
                            .call("debug.stack", json!({ "requestId": request.to_string() }))
                            .await
                            .map_err(runtime)?;
                        result["frames"].as_array().cloned().unwrap_or_default()
                    }
                };
                self.refs.keep_stack(request, generation, frames.clone());
                frames
            }
        };
        let total = frames.len();
        let start = args.start_frame.unwrap_or(0).max(0) as usize;
        let levels = match args.levels {
            Some(n) if n > 0 => n as usize,
            _ => total,
        };
        let stack_frames = frames
            .iter()
            .enumerate()
            .skip(start)
            .take(levels)
            .map(|(i, f)| {
                let index = f["index"].as_u64().map_or(i, |x| x as usize);
                let typeref = f["typeref"].as_str().unwrap_or_default();
                let name = f["name"].as_str().unwrap_or(typeref);
                StackFrame {
                    id: self.refs.frame(request, index),
                    name: name.strip_prefix("Class.").unwrap_or(name).to_owned(),
                    source: source_for(self.shared, typeref, Some(request), f["file"].as_str()),
                    line: self.bases.to_client_line(f["line"].as_i64().unwrap_or(1)),
                    column: self
                        .bases
                        .to_client_column(f["column"].as_i64().unwrap_or(1).max(1)),
                    ..Default::default()
                }
            })
            .collect();
        Ok(StackTraceResponseBody {
            stack_frames,
            total_frames: Some(total as i64),
        })
    }

    /// The request and frame index of a frame id of the current stop.
    fn frame(&mut self, frame_id: i64) -> Result<(i64, usize), DapError> {
        let (request, index) = self
            .refs
            .frame_of(frame_id)
            .ok_or_else(|| stale("frame", frame_id))?;
        // Handed out during an earlier stop of a request that moved since.
        if self.refs.stack_generation(request) != Some(self.shared.stop_generation(request)) {
            self.refs.forget(request);
            return Err(stale("frame", frame_id));
        }
        Ok((request, index))
    }

    /// `scopes`: Locals, This and Statics from the sandbox, then the
    /// package's protected custom settings.
    pub async fn scopes(&mut self, frame_id: i64) -> Result<ScopesResponseBody, DapError> {
        let (request, index) = self.frame(frame_id)?;
        if let Some(scopes) = self.refs.scopes(request, index) {
            return Ok(ScopesResponseBody { scopes });
        }
        let read_ahead = if index == 0 {
            prefetch::take(self.shared, request, |f| f.scopes.clone()).await
        } else {
            None
        };
        let raw = match read_ahead {
            Some(raw) => raw,
            None => {
                let result = self
                    .client
                    .call(
                        "debug.scopes",
                        json!({ "requestId": request.to_string(), "frame": index }),
                    )
                    .await
                    .map_err(runtime)?;
                result["scopes"].as_array().cloned().unwrap_or_default()
            }
        };
        let mut scopes: Vec<Scope> = raw
            .iter()
            .map(|s| {
                let name = s["name"].as_str().unwrap_or("Scope").to_owned();
                let reference = self.sandbox_ref(request, s);
                Scope {
                    presentation_hint: (name == "Locals").then(|| "locals".to_owned()),
                    name,
                    variables_reference: reference,
                    named_variables: s["named"].as_i64(),
                    indexed_variables: s["indexed"].as_i64(),
                    expensive: false,
                    ..Default::default()
                }
            })
            .collect();
        let (any, sure) = settings_scope::count(self.shared);
        if any {
            scopes.push(Scope {
                name: settings_scope::SCOPE_NAME.to_owned(),
                variables_reference: self.refs.var(RefTarget::Settings),
                named_variables: sure,
                expensive: true,
                ..Default::default()
            });
        }
        self.refs.keep_scopes(request, index, scopes.clone());
        Ok(ScopesResponseBody { scopes })
    }

    /// Refuses a reference handed out during an earlier stop of `request`.
    fn current(&mut self, request: i64, generation: u64, reference: i64) -> Result<(), DapError> {
        if generation == self.shared.stop_generation(request) {
            return Ok(());
        }
        self.refs.forget(request);
        Err(stale("variables reference", reference))
    }

    /// A DAP reference for a sandbox variable's children (0 when it has none).
    fn sandbox_ref(&mut self, request: i64, v: &Value) -> i64 {
        match v["reference"].as_u64() {
            Some(r) if r > 0 => self.refs.var(RefTarget::Sandbox {
                request,
                generation: self.shared.stop_generation(request),
                reference: r,
                indexed: v["indexed"].as_i64(),
                named: v["named"].as_i64(),
            }),
            _ => 0,
        }
    }

    /// A sandbox variable as a DAP one.
    fn variable(&mut self, request: i64, v: &Value) -> Variable {
        Variable {
            name: v["name"].as_str().unwrap_or_default().to_owned(),
            value: v["value"].as_str().unwrap_or_default().to_owned(),
            type_: v["typeName"].as_str().map(str::to_owned),
            evaluate_name: v["evaluateName"].as_str().map(str::to_owned),
            variables_reference: self.sandbox_ref(request, v),
            named_variables: v["named"].as_i64(),
            indexed_variables: v["indexed"].as_i64(),
            ..Default::default()
        }
    }

    /// `variables`, paged by `start` and `count`, filtered by `indexed` / `named`.
    pub async fn variables(
        &mut self,
        args: VariablesArguments,
    ) -> Result<VariablesResponseBody, DapError> {
        let target = self
            .refs
            .var_of(args.variables_reference)
            .cloned()
            .ok_or_else(|| stale("variables reference", args.variables_reference))?;
        let (request, reference, indexed, named) = match target {
            RefTarget::Sandbox {
                request,
                generation,
                reference,
                indexed,
                named,
            } => {
                self.current(request, generation, args.variables_reference)?;
                (request, reference, indexed, named)
            }
            other => {
                let variables =
                    settings_scope::variables(self.client, self.shared, self.refs, &other).await?;
                return Ok(VariablesResponseBody { variables });
            }
        };
        // A container's children are either indexed (lists) or named; a
        // filter for the other kind asks for nothing.
        let wanted_none = match args.filter.as_deref() {
            Some("indexed") => indexed.unwrap_or(0) == 0 && named.is_some(),
            Some("named") => named.unwrap_or(0) == 0 && indexed.is_some(),
            _ => false,
        };
        if wanted_none {
            return Ok(VariablesResponseBody { variables: vec![] });
        }
        let whole = args.start.unwrap_or(0) <= 0 && args.count.unwrap_or(0) <= 0;
        let read_ahead = if whole {
            prefetch::take(self.shared, request, |f| {
                f.locals
                    .as_ref()
                    .filter(|(r, _)| *r == reference)
                    .map(|(_, vars)| vars.clone())
            })
            .await
        } else {
            None
        };
        let raw = match read_ahead {
            Some(raw) => raw,
            None => {
                let mut params =
                    json!({ "requestId": request.to_string(), "reference": reference });
                if let Some(start) = args.start.filter(|s| *s > 0) {
                    params["offset"] = json!(start);
                }
                if let Some(count) = args.count.filter(|c| *c > 0) {
                    params["count"] = json!(count);
                }
                let result = self
                    .client
                    .call("debug.variables", params)
                    .await
                    .map_err(runtime)?;
                result["variables"].as_array().cloned().unwrap_or_default()
            }
        };
        let variables = raw.iter().map(|v| self.variable(request, v)).collect();
        Ok(VariablesResponseBody { variables })
    }

    /// `setVariable`: the new value is an Apex expression.
    pub async fn set_variable(
        &mut self,
        args: SetVariableArguments,
    ) -> Result<SetVariableResponseBody, DapError> {
        let target = self
            .refs
            .var_of(args.variables_reference)
            .cloned()
            .ok_or_else(|| stale("variables reference", args.variables_reference))?;
        let RefTarget::Sandbox {
            request,
            generation,
            reference,
            ..
        } = target
        else {
            return settings_scope::set(self.client, self.shared, &target, &args.name, &args.value)
                .await;
        };
        self.current(request, generation, args.variables_reference)?;
        prefetch::discard(self.shared, request);
        let params = json!({
            "requestId": request.to_string(),
            "reference": reference,
            "name": args.name,
            "value": args.value,
        });
        let result = self
            .client
            .call("debug.setVariable", params)
            .await
            .map_err(|e| DapError::new(ids::RUNTIME, e.message).shown())?;
        let v = self.variable(request, &result["variable"]);
        Ok(SetVariableResponseBody {
            value: v.value,
            type_: v.type_,
            variables_reference: Some(v.variables_reference),
            named_variables: v.named_variables,
            indexed_variables: v.indexed_variables,
        })
    }

    /// `setExpression {expression, value, frameId?}`: sets a variable named by
    /// an expression (`key`, `config.defaultRegion`, `lines[0].Amount__c`).
    /// The protocol types have no capability flag for it, so it is answered
    /// without being announced.
    pub async fn set_expression(
        &mut self,
        args: &Value,
    ) -> Result<SetVariableResponseBody, DapError> {
        let bad = |why: &str| {
            DapError::new(
                ids::INVALID_ARGUMENTS,
                format!("invalid arguments for `setExpression`: {why}"),
            )
        };
        let expression = args["expression"]
            .as_str()
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .ok_or_else(|| bad("`expression` must name a variable, such as `key`"))?;
        let value = args["value"]
            .as_str()
            .ok_or_else(|| bad("`value` must be an Apex expression, such as 'US_CA'"))?;
        let (request, index) = self.evaluation_frame(args["frameId"].as_i64())?;
        prefetch::discard(self.shared, request);
        let (container, name) = match expression.rfind(['.', '[']) {
            None => (None, expression.to_owned()),
            Some(at) if expression[at..].starts_with('.') => {
                (Some(&expression[..at]), expression[at + 1..].to_owned())
            }
            Some(at) => (
                Some(&expression[..at]),
                format!("[{}", expression[at + 1..].trim_end_matches(']')).to_owned() + "]",
            ),
        };
        let reference = match container {
            Some(c) => {
                let r = self
                    .client
                    .call(
                        "debug.evaluate",
                        json!({ "requestId": request.to_string(), "frame": index, "expression": c }),
                    )
                    .await
                    .map_err(runtime)?;
                r["variable"]["reference"]
                    .as_u64()
                    .filter(|r| *r > 0)
                    .ok_or_else(|| {
                        DapError::new(ids::RUNTIME, format!("`{c}` has no fields or items to set"))
                    })?
            }
            None => self.locals_reference(request, index).await?,
        };
        let params = json!({
            "requestId": request.to_string(),
            "reference": reference,
            "name": name,
            "value": value,
        });
        let result = self
            .client
            .call("debug.setVariable", params)
            .await
            .map_err(|e| DapError::new(ids::RUNTIME, e.message).shown())?;
        let v = self.variable(request, &result["variable"]);
        Ok(SetVariableResponseBody {
            value: v.value,
            type_: v.type_,
            variables_reference: Some(v.variables_reference),
            named_variables: v.named_variables,
            indexed_variables: v.indexed_variables,
        })
    }

    /// The sandbox reference of a frame's Locals scope.
    async fn locals_reference(&mut self, request: i64, index: usize) -> Result<u64, DapError> {
        let result = self
            .client
            .call(
                "debug.scopes",
                json!({ "requestId": request.to_string(), "frame": index }),
            )
            .await
            .map_err(runtime)?;
        result["scopes"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["name"] == "Locals"))
            .and_then(|s| s["reference"].as_u64())
            .ok_or_else(|| DapError::new(ids::RUNTIME, "this frame has no local variables"))
    }

    /// The frame to evaluate in: the given one, or the top frame of the only
    /// paused request.
    fn evaluation_frame(&mut self, frame_id: Option<i64>) -> Result<(i64, usize), DapError> {
        if let Some(id) = frame_id {
            return self.frame(id);
        }
        match self.shared.paused_threads().as_slice() {
            [only] => Ok((*only, 0)),
            [] => Err(DapError::new(
                ids::RUNTIME,
                "Apex expressions are evaluated inside a stopped request, and none is stopped; \
                 stop at a breakpoint first",
            )),
            _ => Err(DapError::new(
                ids::RUNTIME,
                "several requests are stopped; pick a stack frame to evaluate in",
            )),
        }
    }

    /// `evaluate`, in any context (repl, watch, hover, clipboard).
    pub async fn evaluate(
        &mut self,
        args: EvaluateArguments,
    ) -> Result<EvaluateResponseBody, DapError> {
        let expression = args.expression.trim();
        if expression.is_empty() {
            return Err(DapError::new(
                ids::INVALID_ARGUMENTS,
                "nothing to evaluate; type an Apex expression such as `invoice.Total__c`",
            ));
        }
        let (request, index) = self.evaluation_frame(args.frame_id)?;
        // An expression may change what was read ahead (`x = 5`, `list.add(1)`).
        prefetch::discard(self.shared, request);
        let eval = |expression: String| json!({ "requestId": request.to_string(), "frame": index, "expression": expression });
        if args.context.as_deref() == Some("clipboard") {
            // What is copied is the whole value as Apex prints it, not a summary.
            let whole = format!("String.valueOf(({expression}))");
            if let Ok(r) = self.client.call("debug.evaluate", eval(whole)).await {
                let text = r["variable"]["value"].as_str().unwrap_or_default();
                let text = text
                    .strip_prefix('\'')
                    .and_then(|t| t.strip_suffix('\''))
                    .unwrap_or(text);
                return Ok(EvaluateResponseBody {
                    result: text.to_owned(),
                    type_: Some("String".to_owned()),
                    variables_reference: 0,
                    ..Default::default()
                });
            }
        }
        let result = self
            .client
            .call("debug.evaluate", eval(expression.to_owned()))
            .await
            .map_err(runtime)?;
        let v = self.variable(request, &result["variable"]);
        Ok(EvaluateResponseBody {
            result: v.value,
            type_: v.type_,
            variables_reference: v.variables_reference,
            named_variables: v.named_variables,
            indexed_variables: v.indexed_variables,
            ..Default::default()
        })
    }

    /// `completions`: names visible in the frame, or members after a dot.
    pub async fn completions(
        &mut self,
        args: CompletionsArguments,
    ) -> Result<CompletionsResponseBody, DapError> {
        let (request, index) = self.evaluation_frame(args.frame_id)?;
        // The text's last line, up to the cursor.
        let line_text = match args.line {
            Some(l) if l > 0 => args
                .text
                .lines()
                .nth((l - self.bases.line).max(0) as usize)
                .unwrap_or_default(),
            _ => args.text.lines().last().unwrap_or_default(),
        };
        let chars: Vec<char> = line_text.chars().collect();
        let cursor = ((args.column - self.bases.column).max(0) as usize).min(chars.len());
        let mut begin = cursor;
        while begin > 0
            && (chars[begin - 1].is_alphanumeric() || matches!(chars[begin - 1], '_' | '.'))
        {
            begin -= 1;
        }
        let fragment: String = chars[begin..cursor].iter().collect();
        let prefix_len = fragment.rsplit('.').next().map_or(0, |p| p.chars().count());
        let params = json!({ "requestId": request.to_string(), "frame": index, "text": fragment });
        let result = self
            .client
            .call("debug.completions", params)
            .await
            .map_err(runtime)?;
        let start = (cursor - prefix_len) as i64 + self.bases.column;
        let targets = result["targets"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter_map(|t| {
                let label = t.as_str().or_else(|| t["label"].as_str())?.to_owned();
                Some(CompletionItem {
                    label,
                    type_: t["type"].as_str().map(str::to_owned),
                    start: Some(start),
                    length: Some(prefix_len as i64),
                    ..Default::default()
                })
            })
            .collect();
        Ok(CompletionsResponseBody { targets })
    }

    /// `exceptionInfo` of the exception a request stopped on.
    pub async fn exception_info(
        &mut self,
        thread: i64,
    ) -> Result<ExceptionInfoResponseBody, DapError> {
        let result = self
            .client
            .call(
                "debug.exceptionInfo",
                json!({ "requestId": thread.to_string() }),
            )
            .await
            .map_err(runtime)?;
        let type_name = result["typeName"]
            .as_str()
            .unwrap_or("Exception")
            .to_owned();
        let message = result["message"].as_str().map(str::to_owned);
        let caught = result["caught"].as_bool().unwrap_or(false);
        Ok(ExceptionInfoResponseBody {
            exception_id: type_name.clone(),
            description: message.clone(),
            break_mode: if caught { "always" } else { "unhandled" }.to_owned(),
            details: Some(ExceptionDetails {
                message,
                type_name: Some(
                    type_name
                        .rsplit('.')
                        .next()
                        .unwrap_or(&type_name)
                        .to_owned(),
                ),
                full_type_name: Some(type_name.clone()),
                stack_trace: result["stack"].as_str().map(str::to_owned),
                ..Default::default()
            }),
        })
    }
}
