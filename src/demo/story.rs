//! The support story: Globex's tax bug, from the customer's grant to the fix
//! confirmed in the debugger.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;

use super::dap::Dap;
use super::narrator::Narrator;
use super::stage::Stage;
use super::{Cast, Tally};
use crate::bridge::client::SandboxClient;

/// The line of a marker comment in a file.
pub fn marker_line(path: &Path, marker: &str) -> Result<u32, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    text.lines()
        .position(|l| l.contains(marker))
        .map(|i| i as u32 + 1)
        .ok_or_else(|| format!("{} has no {marker} marker", path.display()))
}

/// Finds a file by name under a folder.
pub fn find_file(dir: &Path, name: &str) -> Option<PathBuf> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let p = entry.path();
        if p.is_dir() {
            if let Some(found) = find_file(&p, name) {
                return Some(found);
            }
        } else if p
            .file_name()
            .is_some_and(|n| n.to_string_lossy().eq_ignore_ascii_case(name))
        {
            return Some(p);
        }
    }
    None
}

/// The script the customer runs to reproduce the problem.
pub fn reproduction(stage: &Stage, org: &str) -> Result<String, String> {
    let dir = stage
        .sb
        .org(org)
        .and_then(|o| o.info().project)
        .ok_or_else(|| format!("{org} has no project with scripts"))?;
    std::fs::read_to_string(dir.join(super::cast::REPRODUCTION)).map_err(|e| e.to_string())
}

/// The top frame of a stopped thread: (frame id, name, line).
async fn top_frame(dap: &Dap, thread: i64) -> Result<(i64, String, u32), String> {
    let st = dap
        .req(
            "stackTrace",
            json!({ "threadId": thread, "startFrame": 0, "levels": 20 }),
        )
        .await?;
    let f = &st["stackFrames"][0];
    Ok((
        f["id"].as_i64().unwrap_or(0),
        f["name"].as_str().unwrap_or("").to_string(),
        f["line"].as_u64().unwrap_or(0) as u32,
    ))
}

async fn evaluate(dap: &Dap, frame: i64, expr: &str) -> Result<String, String> {
    let v = dap
        .req(
            "evaluate",
            json!({ "expression": expr, "frameId": frame, "context": "watch" }),
        )
        .await?;
    Ok(v["result"].as_str().unwrap_or("").to_string())
}

/// Acts 1 to 10. Leaves the debug session running (the rules use it) and
/// returns it with the customer's connection.
pub async fn run(
    stage: &Stage,
    cast: &Cast,
    n: &mut Narrator,
    t: &mut Tally,
) -> Result<(Dap, SandboxClient, PathBuf), String> {
    n.act("The customer grants login access");
    let customer = stage.customer(&cast.org, &cast.customer).await?;
    let g = customer
        .call("access.grant", json!({ "duration": "1w" }))
        .await
        .map_err(|e| e.message)?;
    n.say(&format!(
        "{} (Globex's admin) grants Acme Apps login access for one week.",
        cast.customer
    ));
    n.show(&format!(
        "grant: {} → {}, expires {}",
        g["grant"]["user"], g["grant"]["publisher"], g["grant"]["expiresAt"]
    ));
    t.check(
        n,
        g["grant"]["active"] == true,
        "the grant is active",
        "the grant is not active",
    );

    n.act("The support engineer logs in to the LMO, with MFA");
    let secret = stage
        .sb
        .world
        .lmo_user(&cast.engineer)
        .and_then(|(_, u)| u.totp_secret.clone());
    n.say(&format!(
        "{} enters the password and the 6-digit code of the authenticator app.",
        cast.engineer
    ));
    stage.advance(Duration::from_secs(30));
    if let Some(s) = secret {
        let code = crate::sandbox::auth::current_code(&s, stage.sb.clock.now())
            .map_err(|e| e.to_string())?;
        n.show(&format!(
            "TOTP code at {}: {code}",
            crate::sandbox::rfc3339(stage.sb.clock.now())
        ));
    }
    let (project, log) = stage
        .setup(&cast.engineer, &cast.org, &cast.customer)
        .await?;
    for line in log.lines().filter(|l| !l.trim().is_empty()) {
        n.show(line.trim());
    }
    t.check(
        n,
        project.join(".isvdbg/session.json").is_file(),
        "logged in with MFA; the session is saved (mode 0600)",
        "no session file",
    );

    n.act("LoginAs: the engineer works as the customer's user");
    let trail = customer
        .call("audit.trail", json!({}))
        .await
        .map_err(|e| e.message)?;
    let login = trail["entries"].as_array().and_then(|es| {
        es.iter()
            .rev()
            .find(|e| e["action"] == "Login as user")
            .cloned()
    });
    if let Some(e) = &login {
        n.say("Globex's setup audit trail records it:");
        n.show(&format!(
            "{}  {} as {}: {}",
            e["at"].as_str().unwrap_or(""),
            e["user"].as_str().unwrap_or(""),
            e["asUser"].as_str().unwrap_or(""),
            e["detail"].as_str().unwrap_or("")
        ));
    }
    t.check(
        n,
        login.is_some(),
        "the LoginAs is in the customer's audit trail",
        "no LoginAs in the audit trail",
    );

    n.act("Retrieving the package source");
    let tax =
        find_file(&project, "TaxCalculator.cls").ok_or("TaxCalculator.cls was not retrieved")?;
    let shown = tax
        .strip_prefix(&project)
        .unwrap_or(&tax)
        .display()
        .to_string();
    n.say(&format!(
        "Login access lets the engineer retrieve the managed code into an SFDX project:\n  {shown}"
    ));
    let hidden = customer
        .call("source.get", json!({ "name": "TaxCalculator.cls" }))
        .await
        .map_err(|e| e.message)?;
    n.say("The customer, asking for the same class, gets only its global signatures:");
    for l in hidden["text"].as_str().unwrap_or("").lines().take(2) {
        n.show(l);
    }
    let full = std::fs::read_to_string(&tax).unwrap_or_default();
    t.check(
        n,
        hidden["hidden"] == true && full.contains("RegionResolver.resolve"),
        "the engineer has the code; the customer does not",
        "source visibility is wrong",
    );

    n.act("Starting the ISV debugger session");
    let bp = marker_line(&tax, "#BP_TAX")?;
    let dap = Dap::connect(&stage.dap_addr).await?;
    dap.launch(
        stage.launch_args(&project, &cast.engineer, &cast.org, &cast.customer),
        Some((&tax.to_string_lossy(), bp)),
    )
    .await?;
    n.say(&format!(
        "VS Code's launch: sandbox {}, org {}, as {}.",
        stage.ws_url, cast.org, cast.customer
    ));
    n.say(&format!(
        "Breakpoint: TaxCalculator.cls:{bp} (the region lookup)."
    ));
    t.check(n, true, "the session runs; the breakpoint is verified", "");

    n.act("The customer reproduces the problem; the breakpoint is hit");
    let script = reproduction(stage, &cast.org)?;
    let run = customer
        .call(
            "apex.run",
            json!({ "code": script, "name": "create-invoice.apex", "wait": false }),
        )
        .await
        .map_err(|e| e.message)?;
    n.say(&format!(
        "{} runs create-invoice.apex (request {}).",
        cast.customer,
        run["requestId"].as_str().unwrap_or("?")
    ));
    let stop = dap
        .event("stopped", |b| b["reason"] == "breakpoint")
        .await?;
    let thread = stop["threadId"].as_i64().unwrap_or(0);
    let threads = dap.req("threads", json!({})).await?;
    let name = threads["threads"]
        .as_array()
        .and_then(|ts| ts.iter().find(|x| x["id"] == thread))
        .map(|x| x["name"].as_str().unwrap_or("").to_string())
        .unwrap_or_default();
    n.show(&format!("stopped: {name}"));
    let (frame, fname, line) = top_frame(&dap, thread).await?;
    n.show(&format!("at {fname}, line {line}"));
    t.check(
        n,
        line == bp,
        "stopped on the breakpoint",
        "stopped somewhere else",
    );

    n.act("The stack and the variables");
    let st = dap
        .req(
            "stackTrace",
            json!({ "threadId": thread, "startFrame": 0, "levels": 5 }),
        )
        .await?;
    for f in st["stackFrames"].as_array().into_iter().flatten().take(5) {
        n.show(&format!(
            "{}:{}",
            f["name"].as_str().unwrap_or(""),
            f["line"]
        ));
    }
    let state = evaluate(&dap, frame, "invoice.Account__r.BillingState").await?;
    let country = evaluate(&dap, frame, "invoice.Account__r.BillingCountry").await?;
    n.say("The invoice's account, as the package sees it:");
    n.show(&format!(
        "invoice.Account__r.BillingState = {state}\ninvoice.Account__r.BillingCountry = {country}"
    ));
    t.check(
        n,
        state.contains("California"),
        "full state names from the new ERP integration",
        "unexpected billing state",
    );

    n.act("Stepping into the region lookup");
    let region =
        find_file(&project, "RegionResolver.cls").ok_or("RegionResolver.cls was not retrieved")?;
    let target = marker_line(&region, "#BP_REGION")?;
    dap.req("stepIn", json!({ "threadId": thread })).await?;
    dap.event("stopped", |b| b["reason"] == "step").await?;
    let (_, fname, line) = top_frame(&dap, thread).await?;
    n.show(&format!(
        "step in → {fname}, line {line} (the class's static initialiser runs first)"
    ));
    let region_path = region.to_string_lossy().to_string();
    dap.req(
        "setBreakpoints",
        json!({ "source": { "path": region_path }, "breakpoints": [{ "line": target }] }),
    )
    .await?;
    dap.req("continue", json!({ "threadId": thread })).await?;
    dap.event("stopped", |b| b["reason"] == "breakpoint")
        .await?;
    let (_, fname, line) = top_frame(&dap, thread).await?;
    n.show(&format!("breakpoint, continue → {fname}, line {line}:"));
    n.show("    Tax_Rate__c row = Tax_Rate__c.getInstance(key);");
    t.check(
        n,
        line == target,
        "at the lookup of the tax rate",
        "did not reach the lookup",
    );

    n.act("The protected custom setting");
    let (frame, _, _) = top_frame(&dap, thread).await?;
    let keys = evaluate(&dap, frame, "String.valueOf(Tax_Rate__c.getAll().keySet())").await?;
    let ca = evaluate(&dap, frame, "Tax_Rate__c.getInstance('US_CA').Rate__c").await?;
    n.say("Tax_Rate__c is protected: only the package and, through login access, its publisher see it.");
    n.show(&format!(
        "Tax_Rate__c.getAll().keySet() = {keys}\nTax_Rate__c.getInstance('US_CA').Rate__c = {ca}"
    ));
    let refused = customer
        .call("settings.get", json!({ "name": "acme__Tax_Rate__c" }))
        .await;
    if let Err(e) = &refused {
        n.say("The customer asking for it:");
        n.show(&e.message);
    }
    t.check(
        n,
        keys.contains("US_CA") && refused.is_err(),
        "the engineer reads it; the customer cannot",
        "protected setting visibility is wrong",
    );

    n.act("Finding the bug");
    let key = evaluate(&dap, frame, "key").await?;
    let fallback = evaluate(&dap, frame, "config.defaultRegion").await?;
    n.show(&format!("key = {key}   (Tax_Rate__c has US_CA, not US_California)\nconfig.defaultRegion = {fallback}"));
    n.say("normaliseState() looks 'California' up as written, but STATE_CODES is keyed by\nupper-case names: the lookup misses and the invoice falls back to US_NY (8.875 %).");
    n.say("Confirming the fix: set key = 'US_CA' and continue.");
    let scopes = dap.req("scopes", json!({ "frameId": frame })).await?;
    let locals = scopes["scopes"][0]["variablesReference"]
        .as_i64()
        .unwrap_or(0);
    dap.req(
        "setVariable",
        json!({ "variablesReference": locals, "name": "key", "value": "'US_CA'" }),
    )
    .await?;
    dap.req("continue", json!({ "threadId": thread })).await?;
    let out = dap
        .event("output", |b| {
            b["output"]
                .as_str()
                .is_some_and(|o| o.trim_start().starts_with("tax="))
        })
        .await?;
    let tax_line = out["output"].as_str().unwrap_or("").trim().to_string();
    n.show(&tax_line);
    t.check(
        n,
        tax_line.contains("387.79"),
        "tax 387.79 at 7.25 %: the fix belongs in RegionResolver.normaliseState",
        "the tax is still wrong",
    );
    Ok((dap, customer, project))
}
