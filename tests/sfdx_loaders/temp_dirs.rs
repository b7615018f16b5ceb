//! Small projects and data sets written to temporary directories: what the
//! fixture does not show, and the errors for broken input.

use super::*;

fn write(dir: &Path, rel: &str, text: &str) -> PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p
}

const FIELD_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">"#;

fn custom_field(body: &str) -> String {
    format!("{FIELD_HEAD}\n{body}\n</CustomField>\n")
}

#[test]
fn a_subscriber_project_extends_package_objects_and_takes_the_next_prefix() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(
        d,
        "force-app/main/default/objects/Project__c/Project__c.object-meta.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <label>Project</label>
    <pluralLabel>Projects</pluralLabel>
    <nameField><label>Project Name</label><type>Text</type></nameField>
</CustomObject>"#,
    );
    write(
        d,
        "force-app/main/default/objects/Project__c/fields/Invoice__c.field-meta.xml",
        &custom_field(
            "<label>Invoice</label><type>Lookup</type><referenceTo>acme__Invoice__c</referenceTo>\
             <relationshipName>Projects</relationshipName>",
        ),
    );
    write(
        d,
        "force-app/main/default/objects/Project__c/fields/Budget__c.field-meta.xml",
        &custom_field(
            "<label>Budget</label><type>Currency</type><scale>0</scale>\
             <formula>Amount__c * 2</formula>",
        ),
    );
    // A standard field's file customises it; it adds nothing.
    write(
        d,
        "force-app/main/default/objects/Account/fields/Industry.field-meta.xml",
        &custom_field("<fullName>Industry</fullName><type>Picklist</type>"),
    );
    write(
        d,
        "force-app/main/default/objects/acme__Invoice__c/fields/Internal_Note__c.field-meta.xml",
        &custom_field(
            "<label>Internal Note</label><type>Text</type><defaultValue>\"n/a\"</defaultValue>",
        ),
    );
    let s = schema_for(&[&package(), d]).unwrap();
    let project = object(&s, "Project__c");
    assert_eq!(project.key_prefix, "a05", "a00 to a04 are the package's");
    assert_eq!(project.namespace, "");
    assert!(project.field("OwnerId").is_some());
    assert_eq!(field(project, "Name").ty, FieldType::Text);
    let budget = field(project, "Budget__c");
    assert_eq!(
        (budget.ty, &budget.apex_ty),
        (FieldType::Formula, &Ty::Decimal)
    );
    assert_eq!(budget.formula.as_deref(), Some("Amount__c * 2"));
    let lookup = field(project, "Invoice__c");
    assert_eq!(lookup.relationship_name.as_deref(), Some("Invoice__r"));
    let invoice = object(&s, "acme__Invoice__c");
    assert!(invoice.children.contains(&(
        "Projects__r".into(),
        "Project__c".into(),
        "Invoice__c".into()
    )));
    assert_eq!(
        field(invoice, "Internal_Note__c").default.as_deref(),
        Some("n/a")
    );
}

/// The error loading a project made of `files` into the standard schema, with
/// the temporary directory written `DIR`; the schema must stay unchanged.
fn meta_err(files: &[(&str, &str)]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    for (name, text) in files {
        write(tmp.path(), name, text);
    }
    let mut s = standard_schema();
    let err = load_objects(tmp.path(), "", &mut s)
        .unwrap_err()
        .to_string();
    let account = object(&s, "Account");
    assert!(
        account.fields.iter().all(|f| !f.name.ends_with("__c")),
        "schema unchanged"
    );
    assert_eq!(s.objects.len(), standard_schema().objects.len());
    err.replace(&tmp.path().display().to_string(), "DIR")
}

fn assert_has(err: &str, parts: &[&str]) {
    for p in parts {
        assert!(err.contains(p), "{err}\n  wanted: {p}");
    }
}

const WIDGET: &str = "<CustomObject><label>Widget</label>\
    <nameField><label>N</label><type>Text</type></nameField></CustomObject>";

#[test]
fn malformed_xml_names_the_file_and_line() {
    let err = meta_err(&[(
        "objects/Account/fields/Broken__c.field-meta.xml",
        &format!("{FIELD_HEAD}\n    <label>Broken</label>\n    <type>Text</type>\n</CustomFeld>\n"),
    )]);
    assert!(
        err.starts_with("DIR/objects/Account/fields/Broken__c.field-meta.xml:5:"),
        "{err}"
    );
    assert_has(&err, &["not well-formed XML", "fix the markup"]);
}

#[test]
fn metadata_errors_say_where_and_how_to_fix() {
    let err = meta_err(&[(
        "objects/Account/fields/Score__c.field-meta.xml",
        &custom_field("    <label>Score</label>\n    <type>Rating</type>"),
    )]);
    assert!(
        err.starts_with(
            "DIR/objects/Account/fields/Score__c.field-meta.xml:4: field `Score__c` has \
             type `Rating`, which the simulator does not support; use one of Text,"
        ),
        "{err}"
    );
    let lookup = "<label>Owner</label>\n<type>Lookup</type>\n<referenceTo>Gadget__c</referenceTo>";
    let err = meta_err(&[(
        "objects/Widget__c/fields/Owner__c.field-meta.xml",
        &custom_field(lookup),
    )]);
    assert_has(
        &err,
        &[
            "the object `Widget__c` is neither in the schema nor defined here; add objects/Widget__c/Widget__c.object-meta.xml",
        ],
    );
    let err = meta_err(&[
        ("objects/Widget__c/Widget__c.object-meta.xml", WIDGET),
        (
            "objects/Widget__c/fields/Owner__c.field-meta.xml",
            &custom_field(lookup),
        ),
    ]);
    assert_has(
        &err,
        &[
            "Owner__c.field-meta.xml:5: `Widget__c.Owner__c` refers to `Gadget__c`, which is not in the schema",
        ],
    );
    let err = meta_err(&[(
        "objects/Gizmo/fields/X__c.field-meta.xml",
        &custom_field(lookup),
    )]);
    assert_has(
        &err,
        &["`Gizmo` is not a standard object the simulator has (Account, Contact"],
    );
    let err = meta_err(&[
        ("objects/Widget__c/Widget__c.object-meta.xml", WIDGET),
        (
            "objects/Widget__c/fields/N__c.field-meta.xml",
            &custom_field("<type>Text</type>"),
        ),
    ]);
    assert_has(
        &err,
        &["N__c.field-meta.xml:2: <CustomField> has no <label>; add one"],
    );
}

/// A store over the fixture schema and a data directory with the given files.
fn data_dir(files: &[(&str, &str)]) -> (tempfile::TempDir, OrgStore) {
    let tmp = tempfile::tempdir().unwrap();
    for (name, text) in files {
        write(tmp.path(), name, text);
    }
    (tmp, OrgStore::new(Arc::new(fixture_schema("globex-full"))))
}

const ACCOUNTS: &str = r#"{"records": [
    {"attributes": {"type": "Account", "referenceId": "AccountRef1"}, "Name": "Acme"},
    {"attributes": {"type": "account", "referenceId": "AccountRef2"}, "name": "Child",
     "ParentId": "@AccountRef1"}
]}"#;

#[test]
fn without_a_plan_records_load_after_those_they_reference() {
    // The contacts' file sorts first but must load after the accounts.
    let (tmp, store) = data_dir(&[
        (
            "a_contacts.json",
            r#"{"records": [{"attributes": {"type": "Contact", "referenceId": "C1"},
                "LastName": "Ng", "AccountId": "@AccountRef2",
                "Birthdate": "1990-02-03"}]}"#,
        ),
        ("b_accounts.json", ACCOUNTS),
    ]);
    let report = load_data_dir(tmp.path(), &store, "").unwrap();
    assert_eq!(report.total(), 3);
    let c = store.get_committed(report.id("C1").unwrap()).unwrap();
    assert_eq!(
        c.get("accountid"),
        &FieldValue::Id(report.id("AccountRef2").unwrap().into())
    );
    let child = store
        .get_committed(report.id("AccountRef2").unwrap())
        .unwrap();
    assert_eq!(
        child.get("parentid"),
        &FieldValue::Id(report.id("AccountRef1").unwrap().into())
    );
    // Ids follow the load order: the parent account was numbered first.
    assert!(report.id("AccountRef1").unwrap() < report.id("AccountRef2").unwrap());
}

#[test]
fn nested_children_and_the_namespace_context() {
    let (tmp, store) = data_dir(&[(
        "tree.json",
        r#"{"records": [{
            "attributes": {"type": "Account", "referenceId": "A"},
            "Name": "Parent", "Tax_Exempt__c": true,
            "Invoices__r": {"records": [{
                "attributes": {"type": "Invoice__c", "referenceId": "I"},
                "Status__c": "Sent", "Last_Calculated__c": "2024-05-02T10:15:30.000+0000",
                "Invoice_Lines__r": {"records": [
                    {"attributes": {"referenceId": "L"}, "Product_Name__c": "Kit",
                     "Discount__c": "12.345"}
                ]}
            }]},
            "Contacts": {"records": [{"attributes": {"type": "Contact"}, "LastName": "Solo"}]}
        }]}"#,
    )]);
    let report = load_data_dir(tmp.path(), &store, "acme").unwrap();
    let get = |r: &str| store.get_committed(report.id(r).unwrap()).unwrap();
    let invoice = get("I");
    assert_eq!(
        invoice.get("acme__account__c"),
        &FieldValue::Id(report.id("A").unwrap().into())
    );
    assert_eq!(
        invoice.get("acme__last_calculated__c"),
        &FieldValue::Datetime(
            NaiveDate::from_ymd_opt(2024, 5, 2)
                .unwrap()
                .and_hms_opt(10, 15, 30)
                .unwrap()
        )
    );
    assert_eq!(
        invoice.get("acme__sync_status__c"),
        &FieldValue::Str("Not Synced".into())
    );
    let line = get("L");
    assert_eq!(
        line.get("acme__invoice__c"),
        &FieldValue::Id(report.id("I").unwrap().into())
    );
    assert_eq!(
        line.get("acme__discount__c"),
        &dec("12.35"),
        "rounded to the field's scale"
    );
    assert_eq!(line.get("acme__quantity__c"), &dec("1.00"), "the default");
    assert_eq!(get("A").get("acme__tax_exempt__c"), &FieldValue::Bool(true));
    assert_eq!(report.count("Contact"), 1);
}

fn load_err(files: &[(&str, &str)]) -> String {
    let (tmp, store) = data_dir(files);
    let err = load_data_dir(tmp.path(), &store, "")
        .unwrap_err()
        .to_string();
    assert_eq!(
        store.count(store.schema.find("Account").unwrap()),
        0,
        "nothing stored"
    );
    err.replace(&tmp.path().display().to_string(), "DIR")
}

#[test]
fn an_unknown_field_names_the_file_record_and_field() {
    let err = load_err(&[(
        "Account.json",
        r#"{"records": [{"attributes": {"type": "Account", "referenceId": "AccountRef1"},
            "Name": "Acme", "Tax_Exempt__c": true}]}"#,
    )]);
    assert!(
        err.starts_with(
            "DIR/Account.json: record AccountRef1: Account has no field `Tax_Exempt__c`; \
             fix the name or remove it"
        ),
        "{err}"
    );
}

#[test]
fn a_dangling_reference_is_an_error() {
    let err = load_err(&[
        ("Account.json", ACCOUNTS),
        (
            "Contact.json",
            r#"{"records": [{"attributes": {"type": "Contact", "referenceId": "ContactRef1"},
                "LastName": "Ng", "AccountId": "@AccountRef9"}]}"#,
        ),
    ]);
    assert_eq!(
        err,
        "DIR/Contact.json: record ContactRef1: field AccountId: @AccountRef9 names no record; \
         give a record the referenceId AccountRef9 or fix the reference"
    );
}

#[test]
fn a_plan_step_cannot_reference_a_later_one() {
    let err = load_err(&[
        (
            "plan.json",
            r#"[{"sobject": "Contact", "saveRefs": false, "resolveRefs": true, "files": ["Contact.json"]},
                {"sobject": "Account", "saveRefs": true, "resolveRefs": false, "files": ["Account.json"]}]"#,
        ),
        ("Account.json", ACCOUNTS),
        (
            "Contact.json",
            r#"{"records": [{"attributes": {"type": "Contact", "referenceId": "ContactRef1"},
                "LastName": "Ng", "AccountId": "@AccountRef1"}]}"#,
        ),
    ]);
    assert!(
        err.contains("@AccountRef1 is defined in DIR/Account.json, which loads later"),
        "{err}"
    );
}

#[test]
fn other_data_errors() {
    let cases: &[(&str, &str)] = &[
        (
            r#"{"records": [{"attributes": {"type": "Widget__c", "referenceId": "W1"}}]}"#,
            "record W1: unknown sObject type `Widget__c`; write one of Account",
        ),
        (
            r#"{"records": [{"attributes": {"type": "Contact", "referenceId": "C1"}, "FirstName": "X"}]}"#,
            "record C1: required fields are missing: [LastName]; add them to the record",
        ),
        (
            r#"{"records": [{"attributes": {"type": "Contact", "referenceId": "C1"}, "LastName": "X",
                "Birthdate": "31/01/2024"}]}"#,
            "record C1: field Birthdate: `\"31/01/2024\"` is not a date; write \"2024-01-31\"",
        ),
        (
            r#"{"records": [{"attributes": {"type": "Account", "referenceId": "A"}, "Name": "X",
                "Id": "001000000000001AAA"}]}"#,
            "record A: field Id: ids are assigned on load",
        ),
        (
            r#"{"records": [{"attributes": {"type": "Account", "referenceId": "A"}, "Name": "X"},
                {"attributes": {"type": "Account", "referenceId": "A"}, "Name": "Y"}]}"#,
            "record A: the referenceId A is used twice",
        ),
        (
            r#"{"records": [{"attributes": {"type": "Account", "referenceId": "A"}, "Name": "X",
                "ParentId": "@B"}, {"attributes": {"type": "Account", "referenceId": "B"},
                "Name": "Y", "ParentId": "@A"}]}"#,
            "records A, B cannot be ordered: their @references form a cycle",
        ),
        (
            r#"{"records": [}"#,
            "not valid JSON: expected value at line 1 column 14",
        ),
        (r#"{"rows": []}"#, "no \"records\" array"),
        (
            r#"{"records": [{"attributes": {"type": "Account", "referenceId": "A"}, "Name": "X",
                "Contacts": {"records": [{"attributes": {"type": "Case"}}]}}]}"#,
            "record #1: its type is Case but the relationship holds Contact records",
        ),
    ];
    for (text, want) in cases {
        let err = load_err(&[("data.json", text)]);
        assert_has(&err, &[want]);
        assert!(err.starts_with("DIR/data.json: "), "{err}");
    }
    let err = load_err(&[(
        "plan.json",
        r#"[{"sobject": "Account", "files": ["Nope.json"]}]"#,
    )]);
    assert!(
        err.starts_with("DIR/plan.json: the plan names `Nope.json`, which is not a file"),
        "{err}"
    );
}

#[test]
fn auto_number_formats() {
    let mut f = isvdbg::vm::schema::standard::field("Name", "Name", FieldType::AutoNumber);
    let day = NaiveDate::from_ymd_opt(2024, 3, 7).unwrap();
    assert_eq!(f.format_autonumber(7, day), "7");
    f.display_format = Some("INV-{0000}".into());
    assert_eq!(f.format_autonumber(7, day), "INV-0007");
    assert_eq!(f.format_autonumber(123456, day), "INV-123456");
    f.display_format = Some("{YYYY}{MM}{DD}-{YY}-{00}".into());
    assert_eq!(f.format_autonumber(3, day), "20240307-24-03");
}
