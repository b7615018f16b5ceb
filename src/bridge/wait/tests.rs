use serde_json::json;
use tokio::sync::mpsc;

use super::*;

fn reporter() -> (Reporter, mpsc::UnboundedReceiver<BackendEvent>) {
    let (sink, events) = mpsc::unbounded_channel();
    let reporter = Reporter {
        shared: Arc::new(Shared::default()),
        sink: Some(sink),
    };
    (reporter, events)
}

#[tokio::test]
async fn a_waiter_gets_the_end_of_its_request() {
    let (reporter, mut events) = reporter();
    let answer = reporter.run_apex(7);
    // Let the waiting task register before the request ends.
    tokio::task::yield_now().await;
    reporter.shared.settle(
        7,
        Settled::Finished(json!({"success": true, "output": ["hi"]})),
    );
    let answer = answer.await.unwrap().unwrap();
    assert_eq!(answer["requestId"], "7");
    assert_eq!(answer["output"], json!(["hi"]));
    assert!(
        events.try_recv().is_err(),
        "no event when the waiter is there"
    );
}

#[tokio::test]
async fn a_cancelled_waiter_still_hears_of_the_end_as_an_event() {
    let (reporter, mut events) = reporter();
    drop(reporter.run_apex(8));
    tokio::task::yield_now().await;
    reporter
        .shared
        .settle(8, Settled::Finished(json!({"success": false})));
    match events.recv().await {
        Some(BackendEvent::Custom { event, body }) => {
            assert_eq!(event, REQUEST_FINISHED_EVENT);
            assert_eq!(body["requestId"], "8");
            assert_eq!(body["success"], false);
        }
        other => panic!("expected isv/requestFinished, got {other:?}"),
    }
}
