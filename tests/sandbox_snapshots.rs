//! What a debugger reads first after a stop, in one piece: `debug.stack`
//! with `top`, and the `top` a `Stopped` event carries for sessions started
//! with `stopSnapshots`. Both must equal `debug.stack`, `debug.scopes` of
//! frame 0 and `debug.variables` of the Locals, asked one by one.

mod sandbox_support;

use sandbox_support::{ADMIN, Client, Server, line_of};
use serde_json::{Value, json};

const CODE: &str = "Integer n = 41;\nList<String> names = new List<String>{'a', 'b'};\nn++; // #HERE\nSystem.debug(n);";

/// Starts a session with `start` params, sets the breakpoint, runs CODE;
/// returns the session, the request and its `Stopped` body.
async fn stopped(c: &mut Client, start: Value) -> (String, String, Value) {
    let session = c.ok("debug.start", start).await["sessionId"]
        .as_str()
        .unwrap()
        .to_string();
    c.ok(
        "debug.breakpoints",
        json!({ "sessionId": session, "typeref": "AnonymousBlock", "breakpoints": [{ "line": line_of(CODE, "#HERE") }] }),
    )
    .await;
    let run = c
        .ok("apex.run", json!({ "code": CODE, "wait": false }))
        .await;
    let request = run["requestId"].as_str().unwrap().to_string();
    let stop = c.event("Stopped").await;
    (session, request, stop)
}

/// The three reads one by one, as `{frames, scopes, locals}`.
async fn one_by_one(c: &mut Client, request: &str) -> Value {
    let frames = c.ok("debug.stack", json!({ "requestId": request })).await["frames"].clone();
    let scopes = c
        .ok("debug.scopes", json!({ "requestId": request, "frame": 0 }))
        .await["scopes"]
        .clone();
    assert_eq!(scopes[0]["name"], "Locals");
    let locals = c
        .ok(
            "debug.variables",
            json!({ "requestId": request, "reference": scopes[0]["reference"] }),
        )
        .await["variables"]
        .clone();
    json!({ "frames": frames, "scopes": scopes, "locals": locals })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stack_with_top_answers_what_the_three_reads_answer() {
    let srv = Server::start().await;
    let mut c = srv
        .engineer("support@acme.example", "globex-full", ADMIN)
        .await;
    let (_, request, stop) = stopped(&mut c, json!({})).await;
    assert!(stop.get("top").is_none(), "not asked for: {stop}");

    let plain = c.ok("debug.stack", json!({ "requestId": request })).await;
    assert!(plain.get("top").is_none(), "{plain}");
    let together = c
        .ok("debug.stack", json!({ "requestId": request, "top": true }))
        .await;
    // References are handed out afresh by each read of the same stop, so the
    // one-by-one reads come second and count on from there: compare by shape,
    // names and values.
    let apart = one_by_one(&mut c, &request).await;
    assert_eq!(together["frames"], apart["frames"]);
    let names = |v: &Value| -> Vec<(String, String)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["name"].as_str().unwrap().into(),
                    x["value"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    assert_eq!(names(&together["top"]["scopes"]), names(&apart["scopes"]));
    assert_eq!(names(&together["top"]["locals"]), names(&apart["locals"]));
    assert_eq!(
        names(&together["top"]["locals"]),
        [
            ("n".to_string(), "41".to_string()),
            ("names".to_string(), "List<String> (size 2)".to_string())
        ]
    );
    // The Locals' reference it hands out works for paging into a value.
    let list = together["top"]["locals"][1]["reference"].clone();
    let items = c
        .ok(
            "debug.variables",
            json!({ "requestId": request, "reference": list }),
        )
        .await;
    assert_eq!(items["variables"][1]["value"], "'b'");
    c.ok("debug.continue", json!({ "requestId": request }))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_stop_snapshots_each_stopped_event_carries_the_first_reads() {
    let srv = Server::start().await;
    let mut c = srv
        .engineer("support@acme.example", "globex-full", ADMIN)
        .await;
    let (_, request, stop) = stopped(&mut c, json!({ "stopSnapshots": true })).await;
    let top = stop["top"].clone();
    assert!(top.is_object(), "a Stopped with top: {stop}");
    // Taken at the stop, before any read: the reads that follow hand out the
    // next references, and otherwise say the same.
    let apart = one_by_one(&mut c, &request).await;
    assert_eq!(top["frames"], apart["frames"]);
    assert_eq!(top["frames"][0]["line"], line_of(CODE, "#HERE"));
    assert_eq!(top["scopes"][0]["name"], "Locals");
    assert_eq!(
        top["locals"][0],
        json!({ "name": "n", "value": "41", "typeName": "Integer", "reference": 0, "evaluateName": "n" })
    );
    // The snapshot's references are the stop's first: Locals is 1, and they
    // still answer after the reads above.
    assert_eq!(top["scopes"][0]["reference"], 1);
    let again = c
        .ok(
            "debug.variables",
            json!({ "requestId": request, "reference": 1 }),
        )
        .await;
    assert_eq!(again["variables"][0], top["locals"][0]);
    assert_eq!(again["variables"][1]["value"], top["locals"][1]["value"]);
    let list = top["locals"][1]["reference"].clone();
    let items = c
        .ok(
            "debug.variables",
            json!({ "requestId": request, "reference": list }),
        )
        .await;
    assert_eq!(items["variables"][0]["value"], "'a'");

    // A step stops again, with a fresh snapshot of the new line.
    c.ok("debug.stepOver", json!({ "requestId": request }))
        .await;
    let next = c.event("Stopped").await;
    assert_eq!(next["top"]["frames"][0]["line"], line_of(CODE, "#HERE") + 1);
    assert_eq!(next["top"]["locals"][0]["value"], "42");
    c.ok("debug.continue", json!({ "requestId": request }))
        .await;
    let done = c.event("RequestFinished").await;
    assert_eq!(done["success"], true, "{done}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_snapshots_must_be_a_boolean() {
    let srv = Server::start().await;
    let mut c = srv
        .engineer("support@acme.example", "globex-full", ADMIN)
        .await;
    let e = c
        .fails("debug.start", json!({ "stopSnapshots": "yes" }))
        .await;
    assert_eq!(e.code, "BAD_PARAMS", "{e:?}");
    assert!(
        e.message.contains("stopSnapshots") || e.message.contains("boolean"),
        "{e:?}"
    );
}
