//! What customers may and may not see, and what login access reveals:
//! package source, protected custom settings, debug logs, and OAuth grants.
//! Package internals open only to a LoginAs of the package's own publisher;
//! another publisher's engineer sees them as the customer does.

use serde_json::{Value, json};

use super::context::Acting;
use super::protocol::ApiError;
use super::{Sandbox, rfc3339};
use crate::vm::SourceFile;
use crate::vm::compile::SourceKind;
use crate::vm::platform::field_value::FieldValue;
use crate::vm::platform::log::DebugLog;
use crate::vm::platform::store::StoredRecord;

fn err(code: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(code, message)
}

/// The typeref of a compiled file (`acme/TaxCalculator`, `__sfdc_trigger/acme/T`).
pub fn file_typeref(f: &SourceFile) -> String {
    let stem = f.name.rsplit_once('.').map(|(s, _)| s).unwrap_or(&f.name);
    let ns = if f.namespace.is_empty() {
        String::new()
    } else {
        format!("{}/", f.namespace)
    };
    match f.kind {
        SourceKind::Trigger => format!("__sfdc_trigger/{ns}{stem}"),
        _ => format!("{ns}{stem}"),
    }
}

/// What a customer sees of a managed class: its `global` declarations only.
pub fn global_signatures(text: &str) -> String {
    let mut out =
        String::from("/* This class is part of a managed package: its source is hidden. */\n");
    let mut pending_annotations: Vec<&str> = Vec::new();
    let mut depth = 0usize;
    let mut opened: Vec<usize> = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        let lower = t.to_ascii_lowercase();
        let indent = "    ".repeat(opened.len());
        if t.starts_with('@') {
            pending_annotations.push(t);
        } else if lower.starts_with("global ") {
            for a in pending_annotations.drain(..) {
                out.push_str(&format!("{indent}{a}\n"));
            }
            let decl = t.split('{').next().unwrap_or(t).trim_end();
            let is_type = [" class ", " interface ", " enum "]
                .iter()
                .any(|k| lower.contains(k));
            if is_type {
                out.push_str(&format!("{indent}{decl} {{\n"));
                opened.push(depth);
            } else if decl.ends_with(';') || !t.contains('{') && !t.contains('(') {
                out.push_str(&format!(
                    "{indent}{}\n",
                    decl.trim_end_matches(';').trim_end().to_string() + ";"
                ));
            } else {
                out.push_str(&format!("{indent}{decl} {{ /* hidden */ }}\n"));
            }
        } else if !t.is_empty() {
            pending_annotations.clear();
        }
        depth += line.matches('{').count();
        depth = depth.saturating_sub(line.matches('}').count());
        while opened.last().is_some_and(|d| depth <= *d) {
            opened.pop();
            out.push_str(&format!("{}}}\n", "    ".repeat(opened.len())));
        }
    }
    out
}

fn field_json(v: &FieldValue) -> Value {
    match v {
        FieldValue::Null => Value::Null,
        FieldValue::Bool(b) => json!(b),
        FieldValue::Int(i) => json!(i),
        FieldValue::Dec(d) => json!(d.to_string()),
        FieldValue::Double(d) => json!(d),
        FieldValue::Str(s) | FieldValue::Id(s) => json!(s),
        FieldValue::Date(d) => json!(d.to_string()),
        FieldValue::Datetime(d) => json!(rfc3339(*d)),
        FieldValue::Time(t) => json!(t.to_string()),
    }
}

fn record_json(r: &StoredRecord, schema: &crate::vm::schema::SObjectDesc) -> Value {
    let mut o = serde_json::Map::new();
    for f in &schema.fields {
        let v = r.get(&f.name.to_ascii_lowercase());
        o.insert(f.name.clone(), field_json(v));
    }
    Value::Object(o)
}

/// Every live committed record of a type.
fn scan(
    store: &std::sync::Arc<crate::vm::platform::store::OrgStore>,
    ty: crate::vm::types::SObjectTypeId,
    f: &mut dyn FnMut(&StoredRecord),
) {
    crate::vm::platform::store::Transaction::new(store.clone()).with_view(|v| v.scan(ty, false, f));
}

impl Sandbox {
    /// The org's code, as the actor may see it.
    pub fn source_list(&self, acting: &Acting) -> Value {
        let files: Vec<Value> = acting
            .org
            .sources
            .iter()
            .map(|(f, _)| {
                json!({
                    "name": f.name, "typeref": file_typeref(f), "namespace": f.namespace,
                    "kind": match f.kind { SourceKind::Trigger => "trigger", _ => "class" },
                    "hidden": !acting.sees_inside(&self.world, &f.namespace),
                })
            })
            .collect();
        json!({ "files": files })
    }

    /// One file: in full for the org's own code and under login access, global
    /// signatures only for package code seen by the customer.
    pub fn source_get(
        &self,
        acting: &Acting,
        name: Option<&str>,
        typeref: Option<&str>,
    ) -> Result<Value, ApiError> {
        let found = acting.org.sources.iter().map(|(f, _)| f).find(|f| {
            name.is_some_and(|n| f.name.eq_ignore_ascii_case(n))
                || typeref.is_some_and(|t| file_typeref(f).eq_ignore_ascii_case(t))
        });
        let f = found.ok_or_else(|| {
            err(
                "UNKNOWN_SOURCE",
                format!(
                    "no class or trigger `{}` in this org; list them with source.list",
                    name.or(typeref).unwrap_or("")
                ),
            )
        })?;
        let hidden = !acting.sees_inside(&self.world, &f.namespace);
        let tr = file_typeref(f);
        let lines = acting
            .org
            .program
            .find_typeref(&tr)
            .map(|c| acting.org.program.class(c).valid_lines.clone())
            .unwrap_or_default();
        if acting.is_publisher() && !f.namespace.is_empty() && !hidden {
            self.audit_as(acting, "View package source", f.name.clone());
        }
        Ok(json!({
            "name": f.name, "typeref": tr, "namespace": f.namespace,
            "text": if hidden { global_signatures(&f.text) } else { f.text.clone() },
            "hidden": hidden,
            "validLines": if hidden { Vec::new() } else { lines },
        }))
    }

    fn setting(
        &self,
        acting: &Acting,
        name: &str,
        write: bool,
    ) -> Result<crate::vm::schema::SObjectDesc, ApiError> {
        let schema = &acting.org.store.schema;
        let d = schema
            .find(name)
            .map(|t| schema.get(t).clone())
            .filter(|d| d.custom_setting.is_some())
            .ok_or_else(|| {
                err(
                    "UNKNOWN_SETTING",
                    format!("`{name}` is not a custom setting of this org"),
                )
            })?;
        if d.protected && !acting.sees_inside(&self.world, &d.namespace) {
            // With several publishers, name the one whose setting it is.
            let owner = match self.world.package_publisher(&d.namespace) {
                Some(p) if !self.world.other_publishers.is_empty() => p.name.clone(),
                _ => "the publisher".to_string(),
            };
            return Err(err(
                "PROTECTED_SETTING",
                format!(
                    "{} is a protected custom setting of the {} package: only the package's code, and {owner} through login access, can {} it",
                    d.name,
                    d.namespace,
                    if write { "change" } else { "read" }
                ),
            ));
        }
        Ok(d)
    }

    /// A custom setting's records.
    pub fn settings_get(&self, acting: &Acting, name: &str) -> Result<Value, ApiError> {
        let d = self.setting(acting, name, false)?;
        let mut records = Vec::new();
        scan(&acting.org.store, d.id, &mut |r| {
            records.push(record_json(r, &d))
        });
        if d.protected {
            self.audit_as(acting, "View protected custom setting", d.name.clone());
        }
        Ok(json!({ "name": d.name, "protected": d.protected, "records": records }))
    }

    /// Changes fields of a custom setting's first record (creating it if none).
    pub fn settings_set(
        &self,
        acting: &Acting,
        name: &str,
        values: &serde_json::Map<String, Value>,
    ) -> Result<Value, ApiError> {
        let d = self.setting(acting, name, true)?;
        let mut first = None;
        scan(&acting.org.store, d.id, &mut |r| {
            if first.is_none() {
                first = Some(r.clone());
            }
        });
        let mut rec = match first {
            Some(r) => r,
            None => StoredRecord {
                id: acting.org.store.next_id(d.id),
                ty: d.id,
                fields: Default::default(),
                deleted: false,
            },
        };
        for (k, v) in values {
            let f = d
                .field(k)
                .ok_or_else(|| err("BAD_PARAMS", format!("{} has no field `{k}`", d.name)))?;
            let fv = match v {
                Value::Null => FieldValue::Null,
                Value::Bool(b) => FieldValue::Bool(*b),
                Value::Number(n) => match n.as_i64() {
                    Some(i) => FieldValue::Int(i),
                    None => FieldValue::Dec(
                        n.to_string()
                            .parse()
                            .map_err(|_| err("BAD_PARAMS", format!("`{n}` is not a number")))?,
                    ),
                },
                Value::String(s) => FieldValue::Str(s.clone()),
                other => {
                    return Err(err(
                        "BAD_PARAMS",
                        format!("`{k}`: {other} is not a field value"),
                    ));
                }
            };
            rec.fields.insert(f.name.to_ascii_lowercase(), fv);
        }
        rec.fields
            .insert("id".into(), FieldValue::Id(rec.id.clone()));
        acting.org.store.put_committed(vec![rec]);
        self.audit_as(
            acting,
            "Change custom setting",
            format!(
                "{}: {}",
                d.name,
                values.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
        );
        self.settings_get(acting, name)
    }

    /// OAuth grants: the customer's alone.
    pub fn oauth_authorize(&self, acting: &Acting, client: &str) -> Result<Value, ApiError> {
        if acting.is_publisher() {
            return Err(err(
                "OAUTH_REFUSED",
                "OAuth access cannot be granted while logged in through login access: only the customer can authorize a connected app",
            ));
        }
        self.audit_as(acting, "Authorize connected app", client.to_string());
        Ok(json!({ "client": client, "authorized": true }))
    }

    /// The org's debug logs the acting user may read: every user's for an
    /// administrator, their own requests' for anyone else. Under LoginAs the
    /// same holds: login access gives exactly the user's permissions.
    pub fn logs_list(&self, acting: &Acting) -> Value {
        let logs: Vec<Value> = acting
            .org
            .logs()
            .iter()
            .filter(|l| may_read_log_of(acting, &l.user))
            .map(|l| {
                json!({
                    "requestId": l.request.to_string(), "kind": l.kind, "entryPoint": l.entry_point,
                    "user": l.user, "at": rfc3339(l.at),
                    "size": self.log_view(acting, &l.log).0.len(),
                })
            })
            .collect();
        json!({ "logs": logs })
    }

    /// One log, in the view the actor may read.
    /// The view of `log` that `acting` reads by default: the full log under
    /// a LoginAs of the publisher of every package it shows, else the
    /// subscriber view.
    fn log_view<'l>(&self, acting: &Acting, log: &'l DebugLog) -> (&'l str, bool) {
        if !acting.is_publisher() {
            return (&log.subscriber, false);
        }
        log.view_for(|ns| acting.sees_inside(&self.world, ns))
    }

    pub fn logs_get(
        &self,
        acting: &Acting,
        request: u64,
        view: Option<&str>,
    ) -> Result<Value, ApiError> {
        let full = match view {
            None => None,
            Some("full") => Some(true),
            Some("subscriber") => Some(false),
            Some(other) => {
                return Err(err(
                    "BAD_PARAMS",
                    format!("view `{other}`: use full or subscriber"),
                ));
            }
        };
        if full == Some(true) && !acting.is_publisher() {
            return Err(err(
                "VIEW_REFUSED",
                "the full log shows managed package internals: only the publisher, logged in through login access, can read it; ask for view subscriber",
            ));
        }
        let l = acting.org.log(request).ok_or_else(|| {
            err(
                "NO_LOG",
                format!("no debug log for request {request} in this org; list them with logs.list"),
            )
        })?;
        if !may_read_log_of(acting, &l.user) {
            return Err(log_not_visible(acting, request, &l.user));
        }
        let (text, full) = match full {
            None => self.log_view(acting, &l.log),
            Some(false) => (l.log.subscriber.as_str(), false),
            Some(true) => {
                let (text, full) = self.log_view(acting, &l.log);
                if !full {
                    let theirs: Vec<&str> = l
                        .log
                        .namespaces
                        .iter()
                        .filter(|ns| !acting.sees_inside(&self.world, ns))
                        .map(String::as_str)
                        .collect();
                    return Err(err(
                        "VIEW_REFUSED",
                        format!(
                            "the full log of request {request} also shows the internals of {}, a package of another publisher, which only that publisher can read; ask for view subscriber",
                            theirs.join(", ")
                        ),
                    ));
                }
                (text, full)
            }
        };
        Ok(json!({
            "requestId": request.to_string(),
            "view": if full { "full" } else { "subscriber" },
            "text": text,
        }))
    }
}

/// Whether the acting user may read the debug log of a request run by `user`:
/// administrators read every user's logs, other users only their own.
fn may_read_log_of(acting: &Acting, user: &str) -> bool {
    acting.user.is_admin() || acting.user.username.eq_ignore_ascii_case(user)
}

fn log_not_visible(acting: &Acting, request: u64, owner: &str) -> ApiError {
    let me = &acting.user.username;
    let fix = if acting.is_publisher() {
        format!(
            "login access gives exactly {me}'s permissions; to read it, log in as {owner} or as an administrator who granted login access"
        )
    } else {
        format!(
            "ask {owner} or an administrator of {}",
            acting.org.info().name
        )
    };
    err(
        "LOG_NOT_VISIBLE",
        format!(
            "request {request} ran as {owner}, and {me} is not an administrator, so they read only the debug logs of their own requests; {fix}"
        ),
    )
}
