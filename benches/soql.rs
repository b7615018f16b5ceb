//! SOQL over an org of 10,000 Accounts: a WHERE that keeps about half of them,
//! ORDER BY a text field and LIMIT 100, run through a transaction's view (the
//! org lock included). Budget: a few milliseconds.
//!
//! Run with `cargo bench --bench soql`; the median is in
//! `target/criterion/soql/where_order_limit_10k/new/estimates.json`.

use std::collections::HashMap;
use std::hint::black_box;
use std::str::FromStr;
use std::sync::Arc;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use isvdbg::vm::platform::field_value::FieldValue;
use isvdbg::vm::platform::soql::{NameContext, QueryResult, execute, parse_dynamic};
use isvdbg::vm::platform::store::{OrgStore, StoredRecord, Transaction};
use isvdbg::vm::schema::standard::standard_schema;
use rust_decimal::Decimal;

const QUERY: &str = "SELECT Id, Name, Industry, AnnualRevenue FROM Account \
                     WHERE AnnualRevenue > 5000 AND Industry != 'Retail' ORDER BY Name LIMIT 100";

fn org(n: u64) -> Arc<OrgStore> {
    let store = Arc::new(OrgStore::new(Arc::new(standard_schema())));
    let ty = store.schema.find("Account").unwrap();
    let industries = ["Tech", "Retail", "Energy", "Banking"];
    let mut rng = fastrand::Rng::with_seed(7);
    let records = (0..n)
        .map(|i| {
            let id = store.next_id(ty);
            let mut fields = HashMap::new();
            fields.insert("id".to_string(), FieldValue::Id(id.clone()));
            fields.insert(
                "name".to_string(),
                FieldValue::Str(format!("Account {:05}", rng.u32(..100_000))),
            );
            fields.insert(
                "industry".to_string(),
                FieldValue::Str(industries[(i % 4) as usize].to_string()),
            );
            let revenue = Decimal::from_str(&format!("{}.50", rng.u32(..10_000))).unwrap();
            fields.insert("annualrevenue".to_string(), FieldValue::Dec(revenue));
            fields.insert(
                "numberofemployees".to_string(),
                FieldValue::Int(rng.i64(..5000)),
            );
            fields.insert(
                "billingcity".to_string(),
                FieldValue::Str("Springfield".into()),
            );
            StoredRecord {
                id,
                ty,
                fields,
                deleted: false,
            }
        })
        .collect();
    store.put_committed(records);
    store
}

fn bench(c: &mut Criterion) {
    let store = org(10_000);
    let ctx = NameContext {
        schema: &store.schema,
        namespace: "",
    };
    let q = parse_dynamic(QUERY, &ctx).unwrap();
    let tx = Transaction::new(store.clone());
    let today = NaiveDate::from_ymd_opt(2024, 5, 15).unwrap();
    let now = today.and_hms_opt(12, 0, 0).unwrap();
    let binds = |_: &_| Err("no binds".to_string());
    let run = || {
        tx.with_view(|v| execute(&q, v, &binds, today, now))
            .unwrap()
    };
    match run() {
        QueryResult::Rows(r) => assert_eq!(r.len(), 100),
        other => panic!("{other:?}"),
    }

    let mut group = c.benchmark_group("soql");
    group.bench_function("where_order_limit_10k", |b| b.iter(|| black_box(run())));
    group.bench_function("parse_dynamic", |b| {
        b.iter(|| black_box(parse_dynamic(black_box(QUERY), &ctx).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
