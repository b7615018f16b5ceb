use std::path::Path;

use serde_json::json;

use super::*;

fn normalizer() -> Normalizer {
    Normalizer::new(Path::new("/work/repo"))
}

#[test]
fn seq_and_request_seq_are_renumbered_in_order_of_appearance() {
    let mut n = normalizer();
    let req = n.message(
        1,
        true,
        &json!({"seq": 7, "type": "request", "command": "threads"}),
    );
    let ev = n.message(
        1,
        false,
        &json!({"seq": 40, "type": "event", "event": "initialized"}),
    );
    let resp = n.message(
        1,
        false,
        &json!({"seq": 41, "type": "response", "request_seq": 7, "command": "threads"}),
    );
    assert_eq!(req["seq"], 1);
    assert_eq!(ev["seq"], 1);
    assert_eq!(resp["seq"], 2);
    assert_eq!(resp["request_seq"], 1);
    // Another connection counts on its own.
    let other = n.message(2, true, &json!({"seq": 7, "type": "request"}));
    assert_eq!(other["seq"], 1);
}

#[test]
fn ids_are_renumbered_per_kind_by_first_appearance() {
    let mut n = normalizer();
    let stopped = json!({"event": "stopped", "body": {"threadId": 12, "hitBreakpointIds": [5, 9]}});
    let stack = json!({"body": {"stackFrames": [
        {"id": 301, "name": "a", "source": {"sourceReference": 0}},
        {"id": 302, "name": "b", "source": {"sourceReference": 44}}
    ]}});
    let threads =
        json!({"body": {"threads": [{"id": 12, "name": "Request 12 · EXECUTE_ANONYMOUS"}]}});
    let vars = json!({"body": {"variables": [
        {"name": "x", "variablesReference": 0},
        {"name": "y", "variablesReference": 330}
    ]}});
    let custom = json!({"body": {"requestId": "12", "sessionId": "7", "output": "ISV debugger session 7 started"}});
    assert_eq!(
        n.message(1, false, &stopped)["body"],
        json!({"threadId": 1, "hitBreakpointIds": [1, 2]})
    );
    let s = n.message(1, false, &stack);
    assert_eq!(s["body"]["stackFrames"][0]["id"], 1);
    assert_eq!(s["body"]["stackFrames"][1]["id"], 2);
    assert_eq!(s["body"]["stackFrames"][0]["source"]["sourceReference"], 0);
    assert_eq!(s["body"]["stackFrames"][1]["source"]["sourceReference"], 1);
    let t = n.message(1, false, &threads);
    assert_eq!(
        t["body"]["threads"][0],
        json!({"id": 1, "name": "Request 1 · EXECUTE_ANONYMOUS"})
    );
    let v = n.message(1, false, &vars);
    assert_eq!(v["body"]["variables"][0]["variablesReference"], 0);
    assert_eq!(v["body"]["variables"][1]["variablesReference"], 1);
    let c = n.message(1, false, &custom);
    assert_eq!(c["body"]["requestId"], "1");
    assert_eq!(c["body"]["sessionId"], "1");
    assert_eq!(c["body"]["output"], "ISV debugger session 1 started");
    // A second frame list keeps counting; a known id keeps its number.
    let again = json!({"body": {"stackFrames": [{"id": 302}, {"id": 303}]}});
    let a = n.message(1, false, &again);
    assert_eq!(a["body"]["stackFrames"][0]["id"], 2);
    assert_eq!(a["body"]["stackFrames"][1]["id"], 3);
}

#[test]
fn error_codes_and_salesforce_ids_are_not_ids() {
    let mut n = normalizer();
    let error = json!({"body": {"error": {"id": 1005, "format": "no"}}, "success": false});
    assert_eq!(n.message(1, false, &error)["body"]["error"]["id"], 1005);
    let login = json!({"id": 9, "result": {"user": {"id": "0055g0000C3J27XAQS"}, "tokenId": "t-1", "token": "abc"}});
    let out = n.message(1, false, &login);
    assert_eq!(out["id"], 1);
    assert_eq!(out["result"]["user"]["id"], "0055g0000C3J27XAQS");
    assert_eq!(out["result"]["token"], "<token>");
    assert_eq!(out["result"]["tokenId"], "<token>");
}

#[test]
fn sandbox_messages_have_their_own_id_fields() {
    let mut n = normalizer();
    let stopped = json!({"event": "Stopped", "body": {"requestId": "8", "sessionId": "2", "breakpoints": [3], "line": 48}});
    let out = n.message(1, false, &stopped);
    assert_eq!(
        out["body"],
        json!({"requestId": "1", "sessionId": "1", "breakpoints": [1], "line": 48})
    );
    let var = json!({"id": 4, "result": {"variable": {"reference": 77, "name": "x"}}});
    assert_eq!(
        n.message(1, false, &var)["result"]["variable"]["reference"],
        1
    );
}

#[test]
fn times_durations_paths_and_codes_are_normalised() {
    let n = normalizer();
    assert_eq!(
        n.text("expired at 2024-05-17T16:00:00Z, now 2026-11-25T20:44:02.123+01:00"),
        "expired at <time>, now <time>"
    );
    assert_eq!(
        n.text("13:05:00.4 (4103512)|USER_DEBUG|[1]|DEBUG|x"),
        "<time>|USER_DEBUG|[1]|DEBUG|x"
    );
    assert_eq!(
        n.text("took 12 ms, then finished in 1.2 s after 4 h"),
        "took <duration>, then finished in <duration> after 4 h"
    );
    assert_eq!(
        n.text("/work/repo/fixtures/a.cls and /work/repository"),
        "<repo>/fixtures/a.cls and /work/repository"
    );
    let temp = std::env::temp_dir().join("isvdbg-world-AbC123/default/x.cls");
    assert_eq!(n.text(&temp.to_string_lossy()), "<project>/default/x.cls");
    let login = json!({"method": "auth.login", "params": {"code": "123456", "password": "p"}});
    assert_eq!(n.content(&login)["params"]["code"], "<totp>");
    let apex = json!({"method": "apex.run", "params": {"code": "System.debug(1);"}});
    assert_eq!(n.content(&apex), apex);
}

#[test]
fn added_paths_win_over_shorter_ones() {
    let mut n = normalizer();
    // A trailing slash is not part of the prefix.
    n.add_path("ws://127.0.0.1:4567/", "<sandbox>");
    n.add_path("/work/repo/fixtures/transcripts", "<transcripts>");
    assert_eq!(
        n.text("ws://127.0.0.1:4567/ /work/repo/fixtures/transcripts/x /work/repo/y"),
        "<sandbox>/ <transcripts>/x <repo>/y"
    );
}

#[test]
fn masking_ignores_ids_and_seq_but_keeps_the_rest() {
    let n = normalizer();
    let a = json!({"seq": 3, "type": "event", "event": "stopped", "body": {"threadId": 4, "reason": "step"}});
    let b = json!({"seq": 9, "type": "event", "event": "stopped", "body": {"threadId": 6, "reason": "step"}});
    let c = json!({"seq": 9, "type": "event", "event": "stopped", "body": {"threadId": 6, "reason": "breakpoint"}});
    assert_eq!(n.masked(&a), n.masked(&b));
    assert_ne!(n.masked(&a), n.masked(&c));
    let text = json!({"body": {"output": "Request 8: Too many"}});
    assert_eq!(n.masked(&text)["body"]["output"], "Request <id>: Too many");
}

#[test]
fn ids_can_be_listed_and_mapped() {
    let n = normalizer();
    let msg =
        json!({"body": {"threadId": 4, "output": "Request 4 done", "frames": [{"frameId": 10}]}});
    let mut ids = n.ids_of(&msg);
    ids.sort();
    assert_eq!(
        ids,
        vec![
            (IdKind::Thread, "4".to_owned()),
            (IdKind::Frame, "10".to_owned()),
            (IdKind::Request, "4".to_owned()),
        ]
    );
    let request = json!({"command": "scopes", "arguments": {"frameId": 10, "threadId": 4}});
    let mapped = n.map_ids(&request, &mut |kind, raw| match (kind, raw) {
        (IdKind::Frame, "10") => Some("210".to_owned()),
        _ => None,
    });
    assert_eq!(mapped["arguments"], json!({"frameId": 210, "threadId": 4}));
}

#[test]
fn canonical_text_sorts_keys() {
    let v = json!({"b": 1, "a": {"d": [1, {"z": 0, "y": "q"}], "c": null}});
    assert_eq!(
        canonical(&v),
        r#"{"a":{"c":null,"d":[1,{"y":"q","z":0}]},"b":1}"#
    );
}
