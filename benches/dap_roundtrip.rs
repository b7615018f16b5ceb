//! Round trip of a trivial request (`threads`) through the headless client to
//! the release `isvdbg dap` over stdio, and back. Budget: < 50 µs median.
//!
//! Run with `cargo bench --bench dap_roundtrip`; the median is in
//! `target/criterion/dap_stdio/threads_round_trip/new/estimates.json`.

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use isvdbg::client::{Client, Transcript};
use serde_json::json;

fn round_trip(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = runtime.block_on(async {
        let bin = env!("CARGO_BIN_EXE_isvdbg");
        let client = Client::spawn(bin, &["dap".to_owned()], Transcript::default()).unwrap();
        let init = json!({"adapterID": "apex-isv"});
        let r = client.request_raw("initialize", Some(init)).await.unwrap();
        assert!(r.success, "initialize failed: {r:?}");
        client
    });

    let mut group = c.benchmark_group("dap_stdio");
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("threads_round_trip", |b| {
        b.to_async(&runtime).iter(|| async {
            let r = client.request_raw("threads", None).await.unwrap();
            assert!(r.success);
        })
    });
    group.finish();

    runtime.block_on(async {
        let mut client = client;
        client.request_raw("disconnect", None).await.unwrap();
        client.shutdown().await;
    });
}

criterion_group!(benches, round_trip);
criterion_main!(benches);
