//! Line, function and exception breakpoints: kept from the client's requests,
//! checked against the lines that hold code, and handed to the sandbox.
//!
//! Breakpoints set before the debug session starts are kept and sent once it
//! does; each then gets a `breakpoint` event with its verified state.
//! Breakpoints in anonymous Apex (`.apex` files) wait until the file runs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::client::SandboxClient;
use super::project::ANONYMOUS;
use super::source;
use super::state::Shared;
use crate::dap::protocol::{
    Breakpoint, BreakpointLocation, ExceptionOptions, FunctionBreakpoint,
    SetExceptionBreakpointsArguments, Source, SourceBreakpoint,
};

/// What a breakpoint needs from a live session.
pub struct Live<'a> {
    pub client: &'a SandboxClient,
    pub session_id: &'a str,
}

/// The breakpoints of one file.
#[derive(Debug, Clone)]
struct FileBreakpoints {
    source: Source,
    /// Where the file is on disk (None for code shown from the org).
    path: Option<PathBuf>,
    /// The typeref, or why there is none.
    typeref: Result<String, String>,
    requested: Vec<SourceBreakpoint>,
    ids: Vec<i64>,
    /// The last answer per breakpoint, for `breakpoint` events.
    placed: Vec<Breakpoint>,
}

/// Every breakpoint of the session.
#[derive(Debug, Default)]
pub struct Breakpoints {
    files: HashMap<String, FileBreakpoints>,
    next_id: i64,
    functions: Vec<FunctionBreakpoint>,
    function_ids: Vec<i64>,
    exceptions: Option<SetExceptionBreakpointsArguments>,
    /// Valid lines per typeref (lower case), or why they are unknown.
    lines: HashMap<String, Result<Vec<i64>, String>>,
}

const NOT_STARTED: &str =
    "the debug session has not started yet; the breakpoint is set when it does";
const ANONYMOUS_PENDING: &str =
    "set when this file runs as anonymous Apex (Run Apex, or the isv/runApex request)";

impl Breakpoints {
    fn take_id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    /// `setBreakpoints`: replaces the breakpoints of one file.
    pub async fn set_file(
        &mut self,
        shared: &Shared,
        source: Source,
        requested: Vec<SourceBreakpoint>,
        live: Option<Live<'_>>,
    ) -> Vec<Breakpoint> {
        let (key, path, typeref) = identify(shared, &source);
        let old = self.files.remove(&key);
        // Keep the id of a breakpoint that stays on its line.
        let ids = requested
            .iter()
            .map(|bp| {
                old.as_ref()
                    .and_then(|o| {
                        o.requested
                            .iter()
                            .position(|r| r.line == bp.line)
                            .map(|i| o.ids[i])
                    })
                    .unwrap_or_else(|| self.take_id())
            })
            .collect();
        let entry = FileBreakpoints {
            source,
            path,
            typeref,
            requested,
            ids,
            placed: vec![],
        };
        self.files.insert(key.clone(), entry);
        self.place(&key, shared, live).await
    }

    /// Sends every file's breakpoints to a session that just started; the
    /// answers are for `breakpoint` events.
    pub async fn place_all(&mut self, shared: &Shared, live: Live<'_>) -> Vec<Breakpoint> {
        let keys: Vec<String> = self.files.keys().cloned().collect();
        let mut all = Vec::new();
        for key in keys {
            // Files set before the project was known are identified again.
            if let Some(f) = self.files.get_mut(&key) {
                let (_, _, typeref) = identify(shared, &f.source);
                f.typeref = typeref;
            }
            let live = Live {
                client: live.client,
                session_id: live.session_id,
            };
            all.extend(self.place(&key, shared, Some(live)).await);
        }
        if !self.functions.is_empty() {
            all.extend(
                self.place_functions(shared, Some(live.client), live.session_id)
                    .await,
            );
        }
        all
    }

    /// Places one file's breakpoints and remembers the answers.
    async fn place(
        &mut self,
        key: &str,
        shared: &Shared,
        live: Option<Live<'_>>,
    ) -> Vec<Breakpoint> {
        let Some(file) = self.files.get(key).cloned() else {
            return vec![];
        };
        let mut placed: Vec<Breakpoint> = file
            .ids
            .iter()
            .zip(&file.requested)
            .map(|(id, bp)| Breakpoint {
                id: Some(*id),
                verified: false,
                line: Some(bp.line),
                source: Some(file.source.clone()),
                ..Default::default()
            })
            .collect();
        let typeref = match &file.typeref {
            Ok(t) => t.clone(),
            Err(why) => {
                for p in &mut placed {
                    p.message = Some(why.clone());
                    p.reason = Some("failed".to_owned());
                }
                return self.remember(key, placed);
            }
        };
        // Hit conditions are checked here whether or not a session runs.
        let mut sendable = vec![true; placed.len()];
        for (i, bp) in file.requested.iter().enumerate() {
            if let Some(hc) = &bp.hit_condition
                && let Err(why) = check_hit_condition(hc)
            {
                placed[i].message = Some(why);
                placed[i].reason = Some("failed".to_owned());
                sendable[i] = false;
            }
        }
        let Some(live) = live else {
            for (p, ok) in placed.iter_mut().zip(&sendable) {
                if *ok {
                    p.message = Some(NOT_STARTED.to_owned());
                    p.reason = Some("pending".to_owned());
                }
            }
            return self.remember(key, placed);
        };
        if typeref == ANONYMOUS {
            for (p, ok) in placed.iter_mut().zip(&sendable) {
                if *ok {
                    p.message = Some(ANONYMOUS_PENDING.to_owned());
                    p.reason = Some("pending".to_owned());
                }
            }
            return self.remember(key, placed);
        }
        let valid = match self.valid_lines(live.client, &typeref).await {
            Ok(lines) => lines,
            Err(why) => {
                for (p, ok) in placed.iter_mut().zip(&sendable) {
                    if *ok {
                        p.message = Some(why.clone());
                        p.reason = Some("failed".to_owned());
                    }
                }
                // Nothing of this file can stop; clear what the sandbox had.
                let _ = send_lines(&live, &typeref, vec![]).await;
                return self.remember(key, placed);
            }
        };
        let name = file_label(&file);
        let mut entries = Vec::new();
        let mut sent = Vec::new();
        for (i, bp) in file.requested.iter().enumerate() {
            if !sendable[i] {
                continue;
            }
            let Some(&actual) = valid.iter().find(|&&l| l >= bp.line) else {
                placed[i].message = Some(format!(
                    "no Apex code at or after line {} of {name}; put the breakpoint on a line \
                     with a statement",
                    bp.line
                ));
                placed[i].reason = Some("failed".to_owned());
                continue;
            };
            if actual != bp.line {
                placed[i].line = Some(actual);
                placed[i].message = Some(format!(
                    "moved from line {} to line {actual}, the next line with code",
                    bp.line
                ));
            }
            entries.push(entry(bp, actual));
            sent.push(i);
        }
        match send_lines(&live, &typeref, entries).await {
            Ok(answers) => {
                for (k, &i) in sent.iter().enumerate() {
                    let answer = answers.get(k).cloned().unwrap_or(Value::Null);
                    if let Some(sandbox_id) = answer["id"].as_u64() {
                        shared.breakpoint_ids.insert(sandbox_id, file.ids[i]);
                    }
                    placed[i].verified = answer["verified"].as_bool().unwrap_or(true);
                    if let Some(line) = answer["line"].as_i64() {
                        placed[i].line = Some(line);
                    }
                    if let Some(m) = answer["message"].as_str() {
                        placed[i].message = Some(m.to_owned());
                    }
                    if !placed[i].verified {
                        placed[i].reason = Some("failed".to_owned());
                    }
                }
            }
            Err(why) => {
                for &i in &sent {
                    placed[i].message = Some(why.clone());
                    placed[i].reason = Some("failed".to_owned());
                }
            }
        }
        self.remember(key, placed)
    }

    fn remember(&mut self, key: &str, placed: Vec<Breakpoint>) -> Vec<Breakpoint> {
        if let Some(f) = self.files.get_mut(key) {
            f.placed = placed.clone();
        }
        placed
    }

    /// Sends the breakpoints of an `.apex` file as anonymous Apex's, just before
    /// it runs; returns the answers for `breakpoint` events.
    pub async fn place_anonymous(
        &mut self,
        shared: &Shared,
        path: Option<&Path>,
        live: Live<'_>,
    ) -> Result<Vec<Breakpoint>, String> {
        let key = path.map(path_key);
        let file = key.as_ref().and_then(|k| self.files.get(k)).cloned();
        let Some(file) = file else {
            // Code without a file: no breakpoints of another file may hit it.
            send_lines(&live, ANONYMOUS, vec![]).await?;
            return Ok(vec![]);
        };
        let mut entries = Vec::new();
        let mut sent = Vec::new();
        let mut placed = file.placed.clone();
        for (i, bp) in file.requested.iter().enumerate() {
            let ok = bp
                .hit_condition
                .as_deref()
                .is_none_or(|hc| check_hit_condition(hc).is_ok());
            if ok {
                entries.push(entry(bp, bp.line));
                sent.push(i);
            }
        }
        let answers = send_lines(&live, ANONYMOUS, entries).await?;
        for (k, &i) in sent.iter().enumerate() {
            let answer = answers.get(k).cloned().unwrap_or(Value::Null);
            if let Some(sandbox_id) = answer["id"].as_u64() {
                shared.breakpoint_ids.insert(sandbox_id, file.ids[i]);
            }
            if let Some(p) = placed.get_mut(i) {
                p.verified = answer["verified"].as_bool().unwrap_or(true);
                p.line = answer["line"].as_i64().or(p.line);
                p.message = answer["message"].as_str().map(str::to_owned);
                p.reason = (!p.verified).then(|| "failed".to_owned());
            }
        }
        if let Some(k) = key {
            self.remember(&k, placed.clone());
        }
        Ok(placed)
    }

    /// `breakpointLocations`: the lines with code in a range.
    pub async fn locations(
        &mut self,
        shared: &Shared,
        source: &Source,
        line: i64,
        end_line: Option<i64>,
        client: Option<&SandboxClient>,
    ) -> Result<Vec<BreakpointLocation>, String> {
        let (_, _, typeref) = identify(shared, source);
        let typeref = typeref?;
        let Some(client) = client else {
            return Err(NOT_STARTED.replace("the breakpoint is set", "locations are known"));
        };
        let end = end_line.unwrap_or(line);
        let lines = self.valid_lines(client, &typeref).await?;
        Ok(lines
            .into_iter()
            .filter(|l| (line..=end).contains(l))
            .map(|l| BreakpointLocation {
                line: l,
                ..Default::default()
            })
            .collect())
    }

    async fn valid_lines(
        &mut self,
        client: &SandboxClient,
        typeref: &str,
    ) -> Result<Vec<i64>, String> {
        let key = typeref.to_ascii_lowercase();
        if let Some(known) = self.lines.get(&key) {
            return known.clone();
        }
        let answer = client
            .call("debug.lines", json!({ "typeref": typeref }))
            .await
            .map(|r| {
                let mut lines: Vec<i64> = r["lines"]
                    .as_array()
                    .map(|l| l.iter().filter_map(Value::as_i64).collect())
                    .unwrap_or_default();
                lines.sort_unstable();
                lines
            })
            .map_err(|e| e.message);
        self.lines.insert(key, answer.clone());
        answer
    }

    /// `setFunctionBreakpoints`: replaces the function breakpoints.
    pub async fn set_functions(
        &mut self,
        shared: &Shared,
        functions: Vec<FunctionBreakpoint>,
        live: Option<Live<'_>>,
    ) -> Vec<Breakpoint> {
        let ids = functions
            .iter()
            .map(|f| {
                self.functions
                    .iter()
                    .position(|o| o.name == f.name)
                    .map(|i| self.function_ids[i])
                    .unwrap_or_else(|| self.take_id())
            })
            .collect();
        self.functions = functions;
        self.function_ids = ids;
        match live {
            Some(live) => {
                self.place_functions(shared, Some(live.client), live.session_id)
                    .await
            }
            None => self.place_functions(shared, None, "").await,
        }
    }

    async fn place_functions(
        &mut self,
        shared: &Shared,
        client: Option<&SandboxClient>,
        session_id: &str,
    ) -> Vec<Breakpoint> {
        let mut placed: Vec<Breakpoint> = self
            .function_ids
            .iter()
            .map(|id| Breakpoint {
                id: Some(*id),
                verified: false,
                ..Default::default()
            })
            .collect();
        let mut names = Vec::new();
        let mut sent = Vec::new();
        for (i, f) in self.functions.iter().enumerate() {
            if f.condition.is_some() || f.hit_condition.is_some() {
                placed[i].message = Some(
                    "function breakpoints take no condition or hit count; put a conditional \
                     breakpoint on the method's first line instead"
                        .to_owned(),
                );
                placed[i].reason = Some("failed".to_owned());
            } else if !f.name.contains('.') {
                placed[i].message = Some(format!(
                    "`{}` names no method; write Class.method or ns.Class.method",
                    f.name
                ));
                placed[i].reason = Some("failed".to_owned());
            } else {
                names.push(f.name.clone());
                sent.push(i);
            }
        }
        let Some(client) = client else {
            for &i in &sent {
                placed[i].message = Some(NOT_STARTED.to_owned());
                placed[i].reason = Some("pending".to_owned());
            }
            return placed;
        };
        let params = json!({ "sessionId": session_id, "names": names });
        match client.call("debug.functionBreakpoints", params).await {
            Ok(r) => {
                let answers = r["breakpoints"].as_array().cloned().unwrap_or_default();
                for (k, &i) in sent.iter().enumerate() {
                    let a = answers.get(k).cloned().unwrap_or(Value::Null);
                    if let Some(sandbox_id) = a["id"].as_u64() {
                        shared
                            .breakpoint_ids
                            .insert(sandbox_id, self.function_ids[i]);
                    }
                    placed[i].verified = a["verified"].as_bool().unwrap_or(true);
                    placed[i].message = a["message"].as_str().map(str::to_owned);
                    if !placed[i].verified {
                        placed[i].reason = Some("failed".to_owned());
                    }
                }
            }
            Err(e) => {
                for &i in &sent {
                    placed[i].message = Some(e.message.clone());
                    placed[i].reason = Some("failed".to_owned());
                }
            }
        }
        placed
    }

    /// `setExceptionBreakpoints`: keeps the filters and sends them when live.
    pub async fn set_exceptions(
        &mut self,
        args: SetExceptionBreakpointsArguments,
        live: Option<Live<'_>>,
    ) -> Result<Vec<Breakpoint>, String> {
        let (params, answers) = exception_filter(&args);
        self.exceptions = Some(args);
        if let Some(live) = live {
            let mut params = params;
            params["sessionId"] = json!(live.session_id);
            live.client
                .call("debug.exceptionBreakpoints", params)
                .await
                .map_err(|e| e.message)?;
        }
        Ok(answers)
    }

    /// Sends the exception filters kept before the session started.
    pub async fn place_exceptions(&mut self, live: Live<'_>) -> Result<(), String> {
        if let Some(args) = self.exceptions.clone() {
            self.set_exceptions(args, Some(live)).await?;
        }
        Ok(())
    }

    /// Every file breakpoint as last placed, for events after the session starts.
    pub fn all_placed(&self) -> Vec<Breakpoint> {
        self.files.values().flat_map(|f| f.placed.clone()).collect()
    }
}

/// The key, path and typeref of a DAP source.
fn identify(shared: &Shared, source: &Source) -> (String, Option<PathBuf>, Result<String, String>) {
    if let Some(path) = &source.path {
        let path = PathBuf::from(path);
        let typeref = match shared.project.write() {
            Ok(mut p) => p.typeref_of(&path),
            Err(_) => Err("the project index is unusable; restart the debug session".to_owned()),
        };
        return (path_key(&path), Some(path), typeref);
    }
    if let Some(r) = source.source_reference.filter(|r| *r > 0) {
        let typeref = shared.sources.typeref(r).ok_or_else(|| {
            format!("no source has the reference {r}; open the file from the call stack again")
        });
        return (format!("ref:{r}"), None, typeref);
    }
    let name = source.name.clone().unwrap_or_default();
    (
        format!("name:{name}"),
        None,
        Err(format!(
            "the source `{name}` has neither a path nor a reference; open the file from disk"
        )),
    )
}

/// The map key of a file: its canonical path.
fn path_key(path: &Path) -> String {
    path.canonicalize()
        .unwrap_or_else(|_| path.to_owned())
        .to_string_lossy()
        .into_owned()
}

fn file_label(file: &FileBreakpoints) -> String {
    file.path
        .as_ref()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .or_else(|| file.source.name.clone())
        .unwrap_or_else(|| "the file".to_owned())
}

fn entry(bp: &SourceBreakpoint, line: i64) -> Value {
    let mut e = json!({ "line": line });
    let fields = [
        ("condition", &bp.condition),
        ("hitCondition", &bp.hit_condition),
        ("logMessage", &bp.log_message),
    ];
    for (k, v) in fields {
        if let Some(v) = v.as_ref().filter(|v| !v.trim().is_empty()) {
            e[k] = json!(v);
        }
    }
    e
}

async fn send_lines(
    live: &Live<'_>,
    typeref: &str,
    entries: Vec<Value>,
) -> Result<Vec<Value>, String> {
    let params = json!({
        "sessionId": live.session_id,
        "typeref": typeref,
        "breakpoints": entries,
    });
    let r = live
        .client
        .call("debug.breakpoints", params)
        .await
        .map_err(|e| e.message)?;
    Ok(r["breakpoints"].as_array().cloned().unwrap_or_default())
}

/// Checks a hit condition: `N` or `>= N` (from the Nth hit on), `> N`,
/// `== N` (the Nth hit only), `<= N`, `< N`, `% N` (every Nth hit).
pub fn check_hit_condition(text: &str) -> Result<(), String> {
    if crate::vm::debug::valid_hit_condition(text) {
        Ok(())
    } else {
        Err(format!(
            "the hit condition `{text}` is not understood; write a number of hits as `N` or \
             `>= N` (from the Nth hit on), `== N` (the Nth hit only) or `% N` (every Nth hit)"
        ))
    }
}

/// The sandbox's exception filter for `setExceptionBreakpoints`, and one
/// answer per filter and option, in the order given.
fn exception_filter(args: &SetExceptionBreakpointsArguments) -> (Value, Vec<Breakpoint>) {
    let mut answers = Vec::new();
    let (mut all, mut uncaught) = (false, false);
    for f in &args.filters {
        let known = match f.as_str() {
            "all" => {
                all = true;
                true
            }
            "uncaught" => {
                uncaught = true;
                true
            }
            _ => false,
        };
        answers.push(Breakpoint {
            verified: known,
            message: (!known).then(|| format!("`{f}` is not a filter; use `all` or `uncaught`")),
            ..Default::default()
        });
    }
    for f in args.filter_options.iter().flatten() {
        let message = f.condition.as_ref().map(|_| {
            "exception filters take no condition; use exceptionOptions to pick types".to_owned()
        });
        let known = matches!(f.filter_id.as_str(), "all" | "uncaught") && message.is_none();
        if known {
            all |= f.filter_id == "all";
            uncaught |= f.filter_id == "uncaught";
        }
        answers.push(Breakpoint {
            verified: known,
            message: message.or_else(|| {
                (!known)
                    .then(|| format!("`{}` is not a filter; use `all` or `uncaught`", f.filter_id))
            }),
            ..Default::default()
        });
    }
    let mut types = Vec::new();
    for option in args.exception_options.iter().flatten() {
        answers.push(exception_option(option, uncaught, &mut types));
    }
    let params = json!({ "all": all, "uncaught": uncaught, "types": types });
    (params, answers)
}

/// One `exceptionOptions` entry: types with break mode `always` are added;
/// other modes are checked against what the filters already do.
fn exception_option(
    option: &ExceptionOptions,
    uncaught: bool,
    types: &mut Vec<String>,
) -> Breakpoint {
    let names: Vec<String> = option
        .path
        .as_ref()
        .and_then(|p| p.last())
        .filter(|seg| seg.negate != Some(true))
        .map(|seg| seg.names.clone())
        .unwrap_or_default();
    let refuse = |message: String| Breakpoint {
        verified: false,
        message: Some(message),
        ..Default::default()
    };
    if option
        .path
        .as_ref()
        .and_then(|p| p.last())
        .is_some_and(|s| s.negate == Some(true))
    {
        return refuse(
            "negated exception paths are not supported; list the types to stop on".into(),
        );
    }
    if names.is_empty() {
        return refuse(
            "name the exception types to stop on, such as System.NullPointerException".into(),
        );
    }
    match option.break_mode.as_str() {
        "always" => {
            // The VM matches lower-case type names, with or without namespace.
            types.extend(names.iter().map(|n| n.to_ascii_lowercase()));
            Breakpoint {
                verified: true,
                ..Default::default()
            }
        }
        "never" => Breakpoint {
            verified: true,
            message: Some(format!("{} never stops", names.join(", "))),
            ..Default::default()
        },
        "unhandled" | "userUnhandled" if uncaught => Breakpoint {
            verified: true,
            message: Some("covered by the `uncaught` filter".to_owned()),
            ..Default::default()
        },
        mode => refuse(format!(
            "break mode `{mode}` per type is not supported; turn on the `uncaught` filter, or \
             use break mode `always` for {}",
            names.join(", ")
        )),
    }
}

/// The source of a file path, for messages and events.
pub fn source_of_path(path: &Path) -> Source {
    source::from_path(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dap::protocol::ExceptionPathSegment;

    #[test]
    fn hit_conditions_are_checked_with_a_fix() {
        for ok in ["3", ">= 2", "== 1", "% 4", "> 1"] {
            assert!(check_hit_condition(ok).is_ok(), "{ok}");
        }
        let err = check_hit_condition("sometimes").unwrap_err();
        assert!(err.contains("`>= N`"), "{err}");
    }

    #[test]
    fn exception_filters_and_options_become_the_sandbox_filter() {
        let args = SetExceptionBreakpointsArguments {
            filters: vec!["uncaught".into(), "weird".into()],
            filter_options: None,
            exception_options: Some(vec![
                ExceptionOptions {
                    path: Some(vec![ExceptionPathSegment {
                        negate: None,
                        names: vec!["acme.TaxConfigException".into()],
                    }]),
                    break_mode: "always".into(),
                },
                ExceptionOptions {
                    path: Some(vec![ExceptionPathSegment {
                        negate: None,
                        names: vec!["System.DmlException".into()],
                    }]),
                    break_mode: "unhandled".into(),
                },
            ]),
        };
        let (params, answers) = exception_filter(&args);
        assert_eq!(
            params,
            json!({"all": false, "uncaught": true, "types": ["acme.taxconfigexception"]})
        );
        assert_eq!(answers.len(), 4);
        assert!(answers[0].verified);
        assert!(!answers[1].verified);
        assert!(answers[2].verified);
        assert!(answers[3].verified, "covered by uncaught");
    }
}
