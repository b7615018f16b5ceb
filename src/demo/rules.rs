//! The rules at work: what the runtime refuses, and how sessions end.

use serde_json::json;

use super::dap::Dap;
use super::narrator::Narrator;
use super::stage::Stage;
use super::story::{find_file, marker_line, reproduction};
use super::{Cast, Tally};
use crate::bridge::client::SandboxClient;

/// The rules, with the story's debug session still running.
pub async fn run(
    stage: &Stage,
    cast: &Cast,
    n: &mut Narrator,
    t: &mut Tally,
    dap: Dap,
    customer: SandboxClient,
    project: std::path::PathBuf,
) -> Result<(), String> {
    n.act("A second session from the same LMO is refused");
    let (p2, _) = stage
        .setup(&cast.second_engineer, &cast.org, &cast.customer)
        .await?;
    let second = Dap::connect(&stage.dap_addr).await?;
    let refused = second
        .launch(
            stage.launch_args(&p2, &cast.second_engineer, &cast.org, &cast.customer),
            None,
        )
        .await;
    match &refused {
        Err(e) => n.show(e),
        Ok(()) => n.fail("the second session started"),
    }
    t.check(
        n,
        refused
            .as_ref()
            .err()
            .is_some_and(|e| e.contains(&cast.engineer)),
        "refused, naming who holds the session and since when",
        "not refused as documented",
    );
    second.disconnect().await;

    n.act("A third concurrent request is not debugged");
    let tax = find_file(&project, "TaxCalculator.cls").ok_or("TaxCalculator.cls is missing")?;
    let bp = marker_line(&tax, "#BP_TAX")?;
    dap.req(
        "setBreakpoints",
        json!({ "source": { "path": tax }, "breakpoints": [{ "line": bp }] }),
    )
    .await?;
    let script = reproduction(stage, &cast.org)?;
    for _ in 0..3 {
        customer
            .call(
                "apex.run",
                json!({ "code": script, "name": "create-invoice.apex", "wait": false }),
            )
            .await
            .map_err(|e| e.message)?;
    }
    let warning = dap
        .event("output", |b| {
            b["category"] == "important"
                && b["output"]
                    .as_str()
                    .is_some_and(|o| o.contains("Too many concurrent"))
        })
        .await?;
    n.say("The customer runs the script three times at once. Two requests stop; the third runs through:");
    n.show(warning["output"].as_str().unwrap_or("").trim());
    let mut stopped = Vec::new();
    while stopped.len() < 2 {
        let s = dap.event("stopped", |_| true).await?;
        stopped.push(s["threadId"].as_i64().unwrap_or(0));
    }
    t.check(
        n,
        stopped.len() == 2,
        "two threads paused, the third not debugged",
        "wrong number of paused threads",
    );
    dap.req(
        "setBreakpoints",
        json!({ "source": { "path": tax }, "breakpoints": [] }),
    )
    .await?;
    for th in &stopped {
        let _ = dap
            .req("continue", json!({ "threadId": th, "singleThread": true }))
            .await;
    }

    n.act("The idle timeout ends a forgotten session");
    n.say("Nobody touches the debugger for 45 minutes…");
    dap.req("isv/advanceClock", json!({ "seconds": 45 * 60 }))
        .await?;
    let w = dap
        .event("output", |b| {
            b["output"]
                .as_str()
                .is_some_and(|o| o.contains("15 minutes"))
        })
        .await?;
    n.show(w["output"].as_str().unwrap_or("").trim());
    n.say("…and 15 more.");
    dap.req("isv/advanceClock", json!({ "seconds": 15 * 60 }))
        .await?;
    let end = dap
        .event("output", |b| {
            b["output"]
                .as_str()
                .is_some_and(|o| o.contains("ended after"))
        })
        .await?;
    n.show(end["output"].as_str().unwrap_or("").trim());
    let terminated = dap.event("terminated", |_| true).await;
    t.check(
        n,
        terminated.is_ok(),
        "the session ended after an hour idle, with the reason",
        "the idle timeout did not end the session",
    );
    dap.disconnect().await;

    n.act("The 4-hour cap ends even a busy session");
    let busy = Dap::connect(&stage.dap_addr).await?;
    busy.launch(
        stage.launch_args(&project, &cast.engineer, &cast.org, &cast.customer),
        None,
    )
    .await?;
    n.say("The engineer keeps working: a debugger command every 50 minutes…");
    for _ in 0..4 {
        busy.req("isv/advanceClock", json!({ "seconds": 50 * 60 }))
            .await?;
        // Debugger activity: the idle timer starts again; the cap does not move.
        busy.req("isv/requests", json!({})).await?;
    }
    busy.req("isv/advanceClock", json!({ "seconds": 25 * 60 }))
        .await?;
    let warned = busy
        .event("output", |b| {
            b["output"]
                .as_str()
                .is_some_and(|o| o.contains("4-hour limit in 15"))
        })
        .await?;
    n.show(warned["output"].as_str().unwrap_or("").trim());
    busy.req("isv/requests", json!({})).await?;
    busy.req("isv/advanceClock", json!({ "seconds": 15 * 60 }))
        .await?;
    let capped = busy
        .event("output", |b| {
            b["output"]
                .as_str()
                .is_some_and(|o| o.contains("4-hour limit and ended"))
        })
        .await;
    if let Ok(c) = &capped {
        n.show(c["output"].as_str().unwrap_or("").trim());
    }
    t.check(
        n,
        capped.is_ok(),
        "ended at 4 hours despite the activity",
        "the hard cap did not fire",
    );
    busy.disconnect().await;

    n.act("Production orgs cannot be debugged");
    let refusal = match stage
        .setup(&cast.engineer, &cast.production, &cast.production_user)
        .await
    {
        // Setup itself refuses a production org...
        Err(e) => Err(e),
        // ...and so does the debugger, should a project exist.
        Ok((pp, _)) => {
            let prod = Dap::connect(&stage.dap_addr).await?;
            let r = prod
                .launch(
                    stage.launch_args(&pp, &cast.engineer, &cast.production, &cast.production_user),
                    None,
                )
                .await;
            prod.disconnect().await;
            r
        }
    };
    match &refusal {
        Err(e) => n.show(e),
        Ok(()) => n.fail("a session started in production"),
    }
    t.check(
        n,
        refusal
            .as_ref()
            .err()
            .is_some_and(|e| e.contains("sandbox orgs only")),
        "refused: sandbox orgs only",
        "production was not refused",
    );

    n.act("An expired grant is refused");
    let r = stage
        .setup(&cast.engineer, &cast.expired, &cast.expired_user)
        .await;
    match &r {
        Err(e) => n.show(e),
        Ok(_) => n.fail("LoginAs succeeded with an expired grant"),
    }
    t.check(
        n,
        r.as_ref().err().is_some_and(|e| e.contains("expired")),
        "LoginAs refused: the grant expired",
        "the expired grant was accepted",
    );
    Ok(())
}
