//! Where Apex code is shown from: a file of the project when there is one,
//! else the org's copy through a `sourceReference` (package code is visible
//! to the publisher through login access).

use std::path::Path;

use serde_json::{Value, json};

use super::client::SandboxClient;
use super::connect::api;
use super::project::ANONYMOUS;
use super::state::Shared;
use crate::dap::DapError;
use crate::dap::error::ids;
use crate::dap::protocol::{LoadedSourcesResponseBody, Source, SourceResponseBody};

/// The DAP source of `typeref`, as seen from `request` (anonymous Apex maps
/// to the `.apex` file the request runs, when the bridge started it).
pub fn source_for(
    shared: &Shared,
    typeref: &str,
    request: Option<i64>,
    file: Option<&str>,
) -> Option<Source> {
    if typeref.eq_ignore_ascii_case(ANONYMOUS) {
        let path = request.and_then(|r| shared.anonymous_files.get(&r).map(|p| p.clone()))?;
        return Some(from_path(&path));
    }
    if let Some(path) = shared
        .project
        .read()
        .ok()
        .and_then(|p| p.path_of(typeref).map(Path::to_owned))
    {
        return Some(from_path(&path));
    }
    let outer = typeref.split('$').next().unwrap_or(typeref);
    let name = match file {
        Some(f) if !f.is_empty() => f.to_owned(),
        _ => file_name_of(outer),
    };
    Some(Source {
        name: Some(name),
        source_reference: Some(shared.sources.of(outer)),
        origin: Some("from the subscriber org".to_owned()),
        presentation_hint: Some("deemphasize".to_owned()),
        adapter_data: Some(json!({ "typeref": outer })),
        ..Default::default()
    })
}

/// A source for a file on disk.
pub fn from_path(path: &Path) -> Source {
    Source {
        name: path.file_name().map(|n| n.to_string_lossy().into_owned()),
        path: Some(path.to_string_lossy().into_owned()),
        ..Default::default()
    }
}

/// `TaxCalculator.cls` for `acme/TaxCalculator`, `InvoiceTrigger.trigger` for a trigger.
fn file_name_of(typeref: &str) -> String {
    let name = typeref.rsplit('/').next().unwrap_or(typeref);
    if typeref.starts_with("__sfdc_trigger/") {
        format!("{name}.trigger")
    } else {
        format!("{name}.cls")
    }
}

/// The `source` request: the org's text of a referenced class or trigger.
pub async fn content(
    client: &SandboxClient,
    shared: &Shared,
    reference: i64,
) -> Result<SourceResponseBody, DapError> {
    let typeref = shared.sources.typeref(reference).ok_or_else(|| {
        DapError::new(
            ids::INVALID_ARGUMENTS,
            format!(
                "no source has the reference {reference}; ask for the stack again to get \
                 current references"
            ),
        )
    })?;
    let result = client
        .call("source.get", json!({ "typeref": typeref }))
        .await
        .map_err(api)?;
    let mut text = result["text"].as_str().unwrap_or_default().to_owned();
    if result["hidden"].as_bool() == Some(true) {
        text.insert_str(
            0,
            "// Only the global signatures of this managed class are visible: log in as a \
             subscriber user through login access to see its code.\n",
        );
    }
    Ok(SourceResponseBody {
        content: text,
        mime_type: Some("text/x-apex".to_owned()),
    })
}

/// The `loadedSources` request: every class and trigger of the org.
pub async fn loaded(
    client: &SandboxClient,
    shared: &Shared,
) -> Result<LoadedSourcesResponseBody, DapError> {
    let result = client.call("source.list", json!({})).await.map_err(api)?;
    let files = result["files"].as_array().cloned().unwrap_or_default();
    let sources = files
        .iter()
        .filter_map(|f: &Value| {
            let typeref = f["typeref"].as_str()?;
            source_for(shared, typeref, None, f["name"].as_str())
        })
        .collect();
    Ok(LoadedSourcesResponseBody { sources })
}
