//! Names written without the package prefix inside a package namespace.

use super::*;
use crate::vm::schema::standard::{field, lookup};
use crate::vm::schema::{FieldDesc, FieldType, SObjectDesc};

fn invoice_object() -> SObjectDesc {
    let account = FieldDesc {
        child_relationship: Some("acme__Invoices__r".into()),
        ..lookup("acme__Account__c", "Account", "Account", "acme__Account__r")
    };
    SObjectDesc {
        id: 0,
        name: "acme__Invoice__c".into(),
        label: "Invoice".into(),
        plural_label: "Invoices".into(),
        key_prefix: "a01".into(),
        fields: vec![
            field("Id", "Record ID", FieldType::Id),
            field("Name", "Invoice Number", FieldType::Text),
            field("acme__Amount__c", "Amount", FieldType::Currency),
            account,
        ],
        custom_setting: None,
        protected: false,
        namespace: "acme".into(),
        children: Vec::new(),
    }
}

/// The standard schema plus the `acme` package's invoice and a custom field on Account.
fn packaged_org() -> Org {
    let mut schema = standard_schema();
    schema.add(invoice_object());
    let acc = schema.find("Account").unwrap() as usize;
    schema.objects[acc].fields.push(field(
        "acme__Tax_Exempt__c",
        "Tax Exempt",
        FieldType::Checkbox,
    ));
    // A subscriber's own field with the same local name.
    schema.objects[acc]
        .fields
        .push(field("Region__c", "Region", FieldType::Text));
    schema.objects[acc]
        .fields
        .push(field("acme__Region__c", "Region", FieldType::Text));
    schema.link_children();
    let mut o = Org::empty(schema);
    o.put(
        "acme",
        "Account",
        &[
            ("Name", s("Acme")),
            ("acme__Tax_Exempt__c", FieldValue::Bool(true)),
            ("Region__c", s("local")),
            ("acme__Region__c", s("packaged")),
        ],
    );
    let acme = o.id("acme");
    o.put(
        "inv1",
        "acme__Invoice__c",
        &[
            ("Name", s("INV-1")),
            ("acme__Amount__c", dec("10")),
            ("acme__Account__c", acme.clone()),
        ],
    );
    o.put(
        "inv2",
        "acme__Invoice__c",
        &[
            ("Name", s("INV-2")),
            ("acme__Amount__c", dec("3")),
            ("acme__Account__c", acme),
        ],
    );
    o
}

fn run_in(o: &Org, ns: &str, soql: &str) -> Result<Vec<Row>, SoqlError> {
    let (q, _) = inline(o, ns, soql)?;
    match Transaction::new(o.store.clone())
        .with_view(|v| execute(&q, v, &|_| Err("no binds".into()), today(), now()))?
    {
        QueryResult::Rows(r) => Ok(r),
        other => panic!("{other:?}"),
    }
}

#[test]
fn package_code_may_omit_its_prefix() {
    let o = packaged_org();
    let rows = run_in(
        &o,
        "acme",
        "[SELECT Name, Amount__c, Account__r.Name, Account__r.Tax_Exempt__c FROM Invoice__c WHERE Amount__c > 5 AND Account__r.Tax_Exempt__c = true]",
    )
    .unwrap();
    assert_eq!(names(&rows), ["INV-1"]);
    let r = &rows[0];
    let fields: Vec<&str> = r.fields.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(fields, ["Id", "Name", "acme__Amount__c"]);
    assert_eq!(
        r.queried,
        ["id", "name", "acme__amount__c", "acme__account__r"]
    );
    let acc = r.parent("acme__Account__r").unwrap().unwrap();
    assert_eq!(
        acc.get("acme__Tax_Exempt__c"),
        Some(&FieldValue::Bool(true))
    );

    let rows = run_in(
        &o,
        "acme",
        "[SELECT Name, (SELECT Name FROM Invoices__r ORDER BY Amount__c) FROM Account]",
    )
    .unwrap();
    assert_eq!(
        names(rows[0].children_of("acme__Invoices__r").unwrap()),
        ["INV-2", "INV-1"]
    );
    assert_eq!(rows[0].children[0].0, "acme__Invoices__r");

    // Subscriber code writes the full names.
    let rows = run_in(
        &o,
        "",
        "[SELECT acme__Amount__c FROM acme__Invoice__c WHERE acme__Account__r.Name = 'Acme']",
    )
    .unwrap();
    assert_eq!(rows.len(), 2);
}

#[test]
fn outside_the_package_the_prefix_is_required() {
    let o = packaged_org();
    let e = run_in(&o, "", "[SELECT Id FROM Invoice__c]").unwrap_err();
    assert_eq!(e.message, "sObject type 'Invoice__c' is not supported.");
    let e = run_in(&o, "", "[SELECT Amount__c FROM acme__Invoice__c]").unwrap_err();
    assert!(
        e.message
            .starts_with("No such column 'Amount__c' on entity 'acme__Invoice__c'.")
    );
    let e = run_in(
        &o,
        "other",
        "[SELECT Account__r.Name FROM acme__Invoice__c]",
    )
    .unwrap_err();
    assert!(
        e.message
            .starts_with("Didn't understand relationship 'Account__r' in field path.")
    );
}

#[test]
fn a_name_as_written_wins() {
    let o = packaged_org();
    let rows = run_in(
        &o,
        "acme",
        "[SELECT Region__c, acme__Region__c FROM Account]",
    )
    .unwrap();
    assert_eq!(rows[0].get("Region__c"), Some(&s("local")));
    assert_eq!(rows[0].get("acme__Region__c"), Some(&s("packaged")));
}

#[test]
fn dynamic_queries_resolve_in_the_namespace_too() {
    let o = packaged_org();
    let ctx = NameContext {
        schema: &o.store.schema,
        namespace: "acme",
    };
    let q = parse_dynamic(
        "SELECT Amount__c FROM Invoice__c WHERE Account__c = :acc ORDER BY Amount__c DESC",
        &ctx,
    )
    .unwrap();
    assert_eq!(q.object_name, "acme__Invoice__c");
    assert_eq!(
        q.to_soql(),
        "SELECT acme__Amount__c FROM acme__Invoice__c WHERE acme__Account__c = :acc ORDER BY acme__Amount__c DESC"
    );
    let Ok(QueryResult::Rows(rows)) = o.exec(
        &q,
        &Transaction::new(o.store.clone()),
        &[("acc", BindValue::One(o.id("acme")))],
    ) else {
        panic!()
    };
    assert_eq!(names(&rows).len(), 2);
    assert_eq!(rows[0].get("acme__amount__c"), Some(&dec("10")));
}
