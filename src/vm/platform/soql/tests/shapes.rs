//! What rows look like: selected fields, parents, children, TYPEOF, ordering,
//! LIMIT/OFFSET, ALL ROWS, the transaction overlay and the normalised text.

use super::*;

fn one(o: &Org, soql: &str) -> Row {
    let mut rows = o.rows(soql);
    assert_eq!(rows.len(), 1, "{soql}");
    rows.remove(0)
}

#[test]
fn only_selected_fields_and_always_the_id() {
    let o = org();
    let r = one(&o, "SELECT name, INDUSTRY FROM account WHERE Name = 'Acme'");
    assert_eq!(r.id, o.ids["acme"]);
    assert_eq!(r.ty, o.store.schema.find("Account").unwrap());
    let names: Vec<&str> = r.fields.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Id", "Name", "Industry"]);
    assert_eq!(r.get("Id"), Some(&o.id("acme")));
    assert_eq!(r.get("industry"), Some(&s("Tech")));
    assert_eq!(r.get("AnnualRevenue"), None);
    assert_eq!(r.queried, ["id", "name", "industry"]);
    assert!(r.parents.is_empty() && r.children.is_empty());
    // Selecting Id explicitly does not repeat it.
    let r = one(&o, "SELECT Id, Name FROM Account WHERE Name = 'Acme'");
    assert_eq!(r.fields.len(), 2);
}

#[test]
fn formula_name_is_computed_for_people() {
    let o = org();
    let r = one(&o, "SELECT Name FROM Contact WHERE LastName = 'Smith'");
    assert_eq!(r.get("Name"), Some(&s("Ann Smith")));
    let r = one(&o, "SELECT Name FROM Contact WHERE Name = 'jones'");
    assert_eq!(r.get("Name"), Some(&s("Jones")));
}

#[test]
fn parent_paths_give_nested_rows() {
    let o = org();
    let rows = o.rows("SELECT LastName, Account.Name, Account.Industry, Account.Parent.Name FROM Contact ORDER BY LastName");
    assert_eq!(names(&rows), ["Brown", "Jones", "Loner", "Smith"]);
    let brown = &rows[0];
    assert_eq!(brown.queried, ["id", "lastname", "account"]);
    let acc = brown.parent("Account").unwrap().unwrap();
    assert_eq!(acc.id, o.ids["beta"]);
    assert_eq!(acc.get("Name"), Some(&s("beta corp")));
    assert_eq!(acc.get("Industry"), Some(&FieldValue::Null));
    assert_eq!(acc.queried, ["id", "name", "industry", "parent"]);
    assert_eq!(acc.parent("Parent"), Some(None));
    // No account: the relationship is there, empty.
    assert_eq!(rows[2].parent("account"), Some(None));
    assert_eq!(rows[2].parents.len(), 1);

    let g = one(
        &o,
        "SELECT Name, Parent.Name, Parent.Parent.Name FROM Account WHERE Name = 'Gamma'",
    );
    let p = g.parent("Parent").unwrap().unwrap();
    assert_eq!(p.get("Name"), Some(&s("Acme")));
    assert_eq!(p.parent("Parent"), Some(None));
}

#[test]
fn child_subqueries() {
    let o = org();
    let rows = o.rows(
        "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName), \
         (SELECT Name, Amount FROM Opportunities WHERE Amount > 60 ORDER BY Amount DESC) \
         FROM Account ORDER BY Name",
    );
    assert_eq!(names(&rows), ["Acme", "beta corp", "delta_x", "Gamma"]);
    let acme = &rows[0];
    assert_eq!(
        names(acme.children_of("Contacts").unwrap()),
        ["Jones", "Smith"]
    );
    assert_eq!(
        names(acme.children_of("opportunities").unwrap()),
        ["o2", "o1"]
    );
    assert_eq!(acme.queried, ["id", "name", "contacts", "opportunities"]);
    assert_eq!(names(rows[1].children_of("Contacts").unwrap()), ["Brown"]);
    assert!(rows[1].children_of("Opportunities").unwrap().is_empty());
    assert!(rows[2].children_of("Contacts").unwrap().is_empty());
    let child = &acme.children_of("Contacts").unwrap()[0];
    assert_eq!(child.queried, ["id", "lastname"]);
    assert_eq!(child.ty, o.store.schema.find("Contact").unwrap());
}

#[test]
fn child_subquery_where_limit_and_parents() {
    let o = org();
    let r = one(
        &o,
        "SELECT Name, (SELECT LastName, Account.Name FROM Contacts WHERE LastName != 'Jones' ORDER BY LastName DESC LIMIT 1), \
         (SELECT Name FROM ChildAccounts) FROM Account WHERE Name = 'Acme'",
    );
    let kids = r.children_of("Contacts").unwrap();
    assert_eq!(names(kids), ["Smith"]);
    let acc = kids[0].parent("Account").unwrap().unwrap();
    assert_eq!(acc.get("Name"), Some(&s("Acme")));
    assert_eq!(names(r.children_of("ChildAccounts").unwrap()), ["Gamma"]);
    // LIMIT applies per parent.
    let rows = o.rows("SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName LIMIT 1) FROM Account WHERE Name IN ('Acme', 'beta corp') ORDER BY Name");
    assert_eq!(names(rows[0].children_of("Contacts").unwrap()), ["Jones"]);
    assert_eq!(names(rows[1].children_of("Contacts").unwrap()), ["Brown"]);
}

#[test]
fn nested_child_subqueries() {
    let o = org();
    let r = one(
        &o,
        "SELECT Name, (SELECT LastName, (SELECT Subject FROM Cases) FROM Contacts ORDER BY LastName DESC) FROM Account WHERE Name = 'Acme'",
    );
    let contacts = r.children_of("Contacts").unwrap();
    assert_eq!(names(contacts), ["Smith", "Jones"]);
    assert_eq!(names(contacts[0].children_of("Cases").unwrap()), ["Broken"]);
    assert!(contacts[1].children_of("Cases").unwrap().is_empty());
}

#[test]
fn typeof_picks_fields_by_the_parent_type() {
    let mut o = org();
    let (acme, o1) = (o.id("acme"), o.id("o1"));
    o.put("t1", "Task", &[("Subject", s("a call")), ("WhatId", acme)]);
    o.put("t2", "Task", &[("Subject", s("b deal")), ("WhatId", o1)]);
    o.put("t3", "Task", &[("Subject", s("c nothing"))]);
    let rows = o.rows(
        "SELECT Subject, TYPEOF What WHEN Account THEN Name, Industry WHEN Opportunity THEN Name, StageName ELSE Id END \
         FROM Task ORDER BY Subject",
    );
    let what = |i: usize| rows[i].parent("What").unwrap();
    let a = what(0).unwrap();
    assert_eq!(a.get("Industry"), Some(&s("Tech")));
    assert_eq!(a.get("StageName"), None);
    let b = what(1).unwrap();
    assert_eq!(b.get("StageName"), Some(&s("Closed Won")));
    assert_eq!(b.get("Name"), Some(&s("o1")));
    assert_eq!(what(2), None);
}

#[test]
fn fields_standard() {
    let o = org();
    let r = one(
        &o,
        "SELECT FIELDS(STANDARD) FROM Account WHERE Name = 'Acme'",
    );
    let n = o.store.schema.get(r.ty).fields.len();
    assert_eq!(r.fields.len(), n);
    assert_eq!(r.get("NumberOfEmployees"), Some(&int(10)));
}

#[test]
fn order_by_directions_and_nulls() {
    let o = org();
    let q = |ob: &str| o.names(&format!("SELECT Name FROM Account ORDER BY {ob}"));
    // Case-insensitive.
    assert_eq!(q("Name"), ["Acme", "beta corp", "delta_x", "Gamma"]);
    assert_eq!(q("Name DESC"), ["Gamma", "delta_x", "beta corp", "Acme"]);
    // ASC puts nulls first, DESC last; ties keep insertion order.
    assert_eq!(q("Industry"), ["beta corp", "Gamma", "Acme", "delta_x"]);
    assert_eq!(
        q("Industry DESC"),
        ["Acme", "delta_x", "Gamma", "beta corp"]
    );
    assert_eq!(
        q("Industry ASC NULLS LAST"),
        ["Gamma", "Acme", "delta_x", "beta corp"]
    );
    assert_eq!(
        q("Industry DESC NULLS FIRST, Name DESC"),
        ["beta corp", "delta_x", "Acme", "Gamma"]
    );
    assert_eq!(
        q("AnnualRevenue DESC"),
        ["delta_x", "Acme", "beta corp", "Gamma"]
    );
    assert_eq!(q("CreatedDate"), ["delta_x", "Gamma", "beta corp", "Acme"]);
    assert_eq!(
        q("Parent.Name NULLS LAST, Name"),
        ["Gamma", "Acme", "beta corp", "delta_x"]
    );
    let c = o.names("SELECT LastName FROM Contact ORDER BY Account.Name, LastName");
    assert_eq!(c, ["Loner", "Jones", "Smith", "Brown"]);
}

#[test]
fn limit_and_offset() {
    let o = org();
    let q = |tail: &str| o.names(&format!("SELECT Name FROM Account ORDER BY Name {tail}"));
    assert_eq!(q("LIMIT 2"), ["Acme", "beta corp"]);
    assert_eq!(q("LIMIT 2 OFFSET 1"), ["beta corp", "delta_x"]);
    assert_eq!(q("OFFSET 3"), ["Gamma"]);
    assert!(q("OFFSET 10").is_empty());
    assert!(q("LIMIT 0").is_empty());
    assert_eq!(q("LIMIT 100"), ["Acme", "beta corp", "delta_x", "Gamma"]);
    // Without ORDER BY: the first records stored.
    assert_eq!(
        o.names("SELECT Name FROM Account LIMIT 2"),
        ["Acme", "beta corp"]
    );
    assert_eq!(
        o.names("SELECT Name FROM Account LIMIT 1 OFFSET 2"),
        ["Gamma"]
    );
    let b = [("n", BindValue::One(int(1))), ("k", BindValue::One(int(1)))];
    assert_eq!(
        o.names_with(
            "SELECT Name FROM Account ORDER BY Name LIMIT :n OFFSET :k",
            &b
        ),
        ["beta corp"]
    );
}

#[test]
fn all_rows_includes_deleted_records() {
    let mut o = org();
    let mut gone = o.record("gone", "Account", &[("Name", s("Gone"))]);
    gone.deleted = true;
    o.store.put_committed(vec![gone]);
    assert_eq!(o.names("SELECT Name FROM Account").len(), 4);
    assert_eq!(o.names("SELECT Name FROM Account ALL ROWS").len(), 5);
    assert_eq!(
        o.names("SELECT Name FROM Account WHERE IsDeleted = true ALL ROWS"),
        ["Gone"]
    );
    assert_eq!(
        o.names("select Name from Account where Name = 'Gone' all   rows"),
        ["Gone"]
    );
    let Ok(QueryResult::Rows(r)) = run_inline(
        &o,
        "[SELECT Name FROM Account WHERE IsDeleted = true ALL ROWS]",
        &[],
    ) else {
        panic!()
    };
    assert_eq!(names(&r), ["Gone"]);
    let r = one(
        &o,
        "SELECT IsDeleted FROM Account WHERE Name = 'Gone' ALL ROWS",
    );
    assert_eq!(r.get("IsDeleted"), Some(&FieldValue::Bool(true)));
}

#[test]
fn the_transaction_overlay_is_visible_to_its_own_queries() {
    let mut o = org();
    let mut tx = Transaction::new(o.store.clone());
    let zeta = o.record(
        "zeta",
        "Account",
        &[("Name", s("Zeta")), ("Industry", s("Tech"))],
    );
    tx.put(zeta);
    let mut acme = o.store.get_committed(&o.ids["acme"]).unwrap();
    acme.deleted = true;
    tx.put(acme);
    let mut beta = o.store.get_committed(&o.ids["beta"]).unwrap();
    beta.fields.insert("industry".into(), s("Tech"));
    tx.put(beta);
    let ctx = o.ctx();
    let q = parse_dynamic(
        "SELECT Name FROM Account WHERE Industry = 'Tech' ORDER BY Name",
        &ctx,
    )
    .unwrap();
    let Ok(QueryResult::Rows(rows)) = o.exec(&q, &tx, &[]) else {
        panic!()
    };
    assert_eq!(names(&rows), ["beta corp", "delta_x", "Zeta"]);
    // Other transactions see only what is committed.
    let Ok(QueryResult::Rows(rows)) = o.exec(&q, &Transaction::new(o.store.clone()), &[]) else {
        panic!()
    };
    assert_eq!(names(&rows), ["Acme", "delta_x"]);
    // Children and parents are read through the overlay too.
    let q = parse_dynamic("SELECT LastName, Account.Name FROM Contact WHERE Account.Industry = 'Tech' ORDER BY LastName", &ctx).unwrap();
    let Ok(QueryResult::Rows(rows)) = o.exec(&q, &tx, &[]) else {
        panic!()
    };
    assert_eq!(names(&rows), ["Brown"]);
    tx.commit();
    assert_eq!(
        o.names("SELECT Name FROM Account WHERE Industry = 'Tech' ORDER BY Name"),
        ["beta corp", "delta_x", "Zeta"]
    );
}

#[test]
fn query_metadata_and_normalised_text() {
    let o = org();
    let (q, _) = inline(
        &o,
        "",
        "[select id, name from account where name = :n and industry in :inds order by name desc nulls last limit 10 for update]",
    )
    .unwrap();
    assert_eq!(
        q.to_soql(),
        "SELECT Id, Name FROM Account WHERE Name = :tmpVar1 AND Industry IN :tmpVar2 ORDER BY Name DESC NULLS LAST LIMIT 10 FOR UPDATE"
    );
    assert_eq!(q.sobject, o.store.schema.find("Account").unwrap());
    assert!(q.for_update() && !q.is_count() && !q.has_aggregates());

    let q = parse_dynamic(
        "select name, (select lastname from contacts where email != null) from account \
         where createddate = last_n_days:3 and name like 'a\\_%' and parent.name = :p.name \
         with security_enforced limit :n all rows",
        &o.ctx(),
    )
    .unwrap();
    assert_eq!(
        q.to_soql(),
        "SELECT Name, (SELECT LastName FROM Contacts WHERE Email != null) FROM Account \
         WHERE CreatedDate = LAST_N_DAYS:3 AND Name LIKE 'a\\_%' AND Parent.Name = :p.name \
         WITH SECURITY_ENFORCED LIMIT :n ALL ROWS"
    );
    assert_eq!(
        q.binds(),
        [BindRef::Name("p.name".into()), BindRef::Name("n".into())]
    );
    assert_eq!(q.with.as_deref(), Some("SECURITY_ENFORCED"));

    let q = parse_dynamic(
        "SELECT COUNT() FROM Contact WHERE NOT (LastName IN ('a', 'b') OR Email = 'x')",
        &o.ctx(),
    )
    .unwrap();
    assert!(q.is_count());
    assert_eq!(
        q.to_soql(),
        "SELECT COUNT() FROM Contact WHERE NOT (LastName IN ('a', 'b') OR Email = 'x')"
    );
    let q = parse_dynamic(
        "SELECT Industry i, COUNT(Id) FROM Account GROUP BY Industry HAVING COUNT(Id) > 1",
        &o.ctx(),
    )
    .unwrap();
    assert!(q.has_aggregates());
    assert_eq!(
        q.to_soql(),
        "SELECT Industry i, COUNT(Id) FROM Account GROUP BY Industry HAVING COUNT(Id) > 1"
    );
}

#[test]
fn dynamic_binds_and_colons_in_strings() {
    let o = org();
    let b = [
        ("acc.Name", BindValue::One(s("Acme"))),
        ("names", BindValue::Many(vec![s("Gamma")])),
    ];
    let q = "SELECT Name FROM Account WHERE Name = :acc.Name OR Name IN:names OR Name = 'x:y' ORDER BY Name";
    assert_eq!(o.names_with(q, &b), ["Acme", "Gamma"]);
    let q = parse_dynamic(
        "SELECT Id FROM Account WHERE Name = ':notabind' AND CreatedDate = LAST_N_DAYS:5",
        &o.ctx(),
    )
    .unwrap();
    assert!(q.binds().is_empty());
    let q = parse_dynamic(
        "SELECT Id FROM Account WHERE Sic INCLUDES :vals AND Name NOT IN :names",
        &o.ctx(),
    )
    .unwrap();
    assert_eq!(
        q.binds(),
        [BindRef::Name("vals".into()), BindRef::Name("names".into())]
    );
    let err = o
        .dynamic("SELECT Id FROM Account WHERE Name = :missing", &[])
        .unwrap_err();
    assert_eq!(err.message, "Variable does not exist: missing");
}

#[test]
fn limited_order_by_agrees_with_a_full_sort() {
    // Enough rows that the top-k collector prunes, with ties and nulls.
    let mut o = Org::empty(standard_schema());
    let mut rng = fastrand::Rng::with_seed(3);
    let mut records = Vec::new();
    for i in 0..700 {
        let mut f = vec![("Name", s(&format!("n{:03}", rng.u32(..150))))];
        if rng.u8(..5) > 0 {
            f.push(("NumberOfEmployees", int(rng.i64(..40))));
        }
        if i % 3 == 0 {
            f.push(("Industry", s(if rng.bool() { "Tech" } else { "tech" })));
        }
        records.push(o.record(&format!("a{i}"), "Account", &f));
    }
    o.store.put_committed(records);
    for order in [
        "Name",
        "Name DESC",
        "NumberOfEmployees, Name DESC",
        "NumberOfEmployees DESC NULLS FIRST",
        "Industry NULLS LAST, NumberOfEmployees",
    ] {
        let all: Vec<String> = o
            .rows(&format!("SELECT Name FROM Account ORDER BY {order}"))
            .into_iter()
            .map(|r| r.id)
            .collect();
        for (limit, offset) in [(1, 0), (10, 0), (40, 25), (300, 100), (5, 698)] {
            let q =
                format!("SELECT Name FROM Account ORDER BY {order} LIMIT {limit} OFFSET {offset}");
            let got: Vec<String> = o.rows(&q).into_iter().map(|r| r.id).collect();
            let end = (offset + limit).min(all.len());
            assert_eq!(got, all[offset..end], "{q}");
        }
    }
}
