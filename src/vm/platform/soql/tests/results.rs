//! `COUNT()` and aggregate queries: GROUP BY, HAVING, aliases and `exprN` names,
//! result types, ordering and limits over groups.

use super::*;

fn count(o: &Org, soql: &str) -> i64 {
    match o.dynamic(soql, &[]) {
        Ok(QueryResult::Count(n)) => n,
        other => panic!("{soql}: {other:?}"),
    }
}

fn groups(o: &Org, soql: &str) -> Vec<AggregateRow> {
    match o.dynamic(soql, &[]) {
        Ok(QueryResult::Aggregates(rows)) => rows,
        other => panic!("{soql}: {other:?}"),
    }
}

fn columns(r: &AggregateRow) -> Vec<&str> {
    r.fields.iter().map(|(n, _)| n.as_str()).collect()
}

#[test]
fn count_only() {
    let o = org();
    assert_eq!(count(&o, "SELECT COUNT() FROM Account"), 4);
    assert_eq!(
        count(&o, "SELECT COUNT() FROM Account WHERE Industry = 'tech'"),
        2
    );
    assert_eq!(count(&o, "SELECT COUNT() FROM Account LIMIT 3"), 3);
    assert_eq!(count(&o, "SELECT COUNT() FROM Account OFFSET 3"), 1);
    assert_eq!(count(&o, "SELECT COUNT() FROM Lead"), 0);
    let b = [("acc", BindValue::One(o.id("acme")))];
    let r = run_inline(
        &o,
        "[SELECT COUNT() FROM Contact WHERE AccountId = :acc]",
        &b,
    );
    assert_eq!(r, Ok(QueryResult::Count(2)));
}

#[test]
fn group_by_with_every_aggregate() {
    let o = org();
    let rows = groups(
        &o,
        "SELECT Industry, COUNT(Id), SUM(AnnualRevenue), AVG(AnnualRevenue) avgRev, MIN(Name), MAX(NumberOfEmployees) \
         FROM Account GROUP BY Industry ORDER BY Industry",
    );
    assert_eq!(rows.len(), 3);
    assert_eq!(
        columns(&rows[0]),
        ["Industry", "expr0", "expr1", "avgRev", "expr2", "expr3"]
    );
    let vals = |r: &AggregateRow| r.fields.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>();
    // Nulls group first under ASC; 'Tech' and 'tech' are one group.
    assert_eq!(
        vals(&rows[0]),
        [
            FieldValue::Null,
            int(1),
            dec("50"),
            dec("50"),
            s("beta corp"),
            int(200)
        ]
    );
    assert_eq!(
        vals(&rows[1]),
        [
            s("Retail"),
            int(1),
            FieldValue::Null,
            FieldValue::Null,
            s("Gamma"),
            int(5)
        ]
    );
    assert_eq!(
        vals(&rows[2]),
        [
            s("Tech"),
            int(2),
            dec("1100.50"),
            dec("550.25"),
            s("Acme"),
            int(10)
        ]
    );
    assert!(matches!(rows[2].get("expr1"), Some(FieldValue::Dec(_))));
    assert_eq!(rows[2].get("AVGREV"), Some(&dec("550.25")));
}

#[test]
fn having_and_ordering_by_aggregates() {
    let o = org();
    let rows = groups(
        &o,
        "SELECT Industry, COUNT(Id) c FROM Account GROUP BY Industry HAVING COUNT(Id) > 1",
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get("c"), Some(&int(2)));
    let rows = groups(
        &o,
        "SELECT Industry, COUNT(Id) c FROM Account GROUP BY Industry ORDER BY COUNT(Id) DESC, Industry NULLS LAST",
    );
    let inds: Vec<FieldValue> = rows
        .iter()
        .map(|r| r.get("Industry").unwrap().clone())
        .collect();
    assert_eq!(inds, [s("Tech"), s("Retail"), FieldValue::Null]);
    let rows = groups(
        &o,
        "SELECT Industry FROM Account GROUP BY Industry ORDER BY Industry DESC LIMIT 1 OFFSET 1",
    );
    assert_eq!(rows[0].get("Industry"), Some(&s("Retail")));
    let b = [("min", BindValue::One(int(500)))];
    let Ok(QueryResult::Aggregates(rows)) = o.dynamic(
        "SELECT Industry, SUM(AnnualRevenue) total FROM Account GROUP BY Industry HAVING SUM(AnnualRevenue) > :min",
        &b,
    ) else {
        panic!()
    };
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get("total"), Some(&dec("1100.5")));
}

#[test]
fn aggregates_without_group_by_give_one_row() {
    let o = org();
    let rows = groups(
        &o,
        "SELECT COUNT(Id) n, SUM(Amount) total, MAX(CloseDate) last FROM Opportunity",
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].fields,
        vec![
            ("n".into(), int(4)),
            ("total".into(), dec("450")),
            ("last".into(), day(40))
        ]
    );
    let rows = groups(
        &o,
        "SELECT COUNT(Id) n, SUM(Amount) total FROM Opportunity WHERE Name = 'none'",
    );
    assert_eq!(
        rows[0].fields,
        vec![("n".into(), int(0)), ("total".into(), FieldValue::Null)]
    );
    let rows = groups(
        &o,
        "SELECT COUNT_DISTINCT(AccountId), COUNT(AccountId), COUNT(Email) FROM Contact",
    );
    assert_eq!(
        rows[0].fields,
        vec![
            ("expr0".into(), int(2)),
            ("expr1".into(), int(3)),
            ("expr2".into(), int(1))
        ]
    );
    let rows = groups(&o, "SELECT MIN(CreatedDate), MAX(Name) FROM Account");
    assert_eq!(rows[0].get("expr0"), Some(&at(-400, 8)));
    assert_eq!(rows[0].get("expr1"), Some(&s("Gamma")));
}

#[test]
fn grouped_field_aliases_and_ids() {
    let o = org();
    let rows = groups(
        &o,
        "SELECT AccountId acc, SUM(Amount) total, COUNT(Id) cnt FROM Opportunity GROUP BY AccountId ORDER BY SUM(Amount) DESC",
    );
    assert_eq!(columns(&rows[0]), ["acc", "total", "cnt"]);
    let got: Vec<(FieldValue, FieldValue)> = rows
        .iter()
        .map(|r| {
            (
                r.get("acc").unwrap().clone(),
                r.get("total").unwrap().clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (o.id("acme"), dec("400")),
            (o.id("beta"), dec("50")),
            (o.id("gamma"), FieldValue::Null)
        ]
    );
}

#[test]
fn group_by_date_functions_and_parent_fields() {
    let o = org();
    let rows = groups(
        &o,
        "SELECT CALENDAR_YEAR(CloseDate), COUNT(Id) FROM Opportunity GROUP BY CALENDAR_YEAR(CloseDate) ORDER BY CALENDAR_YEAR(CloseDate)",
    );
    let got: Vec<_> = rows.iter().map(|r| r.fields.clone()).collect();
    assert_eq!(
        got,
        [
            vec![("expr0".into(), int(2023)), ("expr1".into(), int(1))],
            vec![("expr0".into(), int(2024)), ("expr1".into(), int(3))],
        ]
    );
    let rows = groups(
        &o,
        "SELECT Account.Name, COUNT(Id) FROM Contact GROUP BY Account.Name ORDER BY Account.Name",
    );
    assert_eq!(columns(&rows[0]), ["Name", "expr0"]);
    let got: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r.get("Name").unwrap().clone(),
                r.get("expr0").unwrap().clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (FieldValue::Null, int(1)),
            (s("Acme"), int(2)),
            (s("beta corp"), int(1))
        ]
    );
}

#[test]
fn inline_aggregate_with_binds() {
    let o = org();
    let b = [("ids", BindValue::Many(vec![o.id("acme"), o.id("beta")]))];
    let r = run_inline(
        &o,
        "[SELECT AccountId accountId, SUM(Amount) paid, COUNT(Id) payments FROM Opportunity WHERE AccountId IN :ids GROUP BY AccountId]",
        &b,
    );
    let Ok(QueryResult::Aggregates(rows)) = r else {
        panic!("{r:?}")
    };
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].get("paid"), Some(&dec("400")));
    assert_eq!(rows[0].get("payments"), Some(&int(2)));
}
