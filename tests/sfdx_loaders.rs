//! The SFDX loaders against the default world: object metadata into the schema,
//! `sf data tree` files into an org store, and the errors for broken input.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use isvdbg::sfdx::data_tree::{LoadReport, TreeLoader, load_data_dir, load_tree_file};
use isvdbg::sfdx::objects::{load_objects, schema_for};
use isvdbg::vm::platform::field_value::FieldValue;
use isvdbg::vm::platform::store::{OrgStore, StoredRecord};
use isvdbg::vm::schema::standard::standard_schema;
use isvdbg::vm::schema::{CustomSettingKind, FieldDesc, FieldType, SObjectDesc, Schema};
use isvdbg::vm::types::Ty;

#[path = "sfdx_loaders/temp_dirs.rs"]
mod temp_dirs;

fn world() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/worlds/default")
}

fn package() -> PathBuf {
    world().join("packages/acme-billing")
}

fn org(name: &str) -> PathBuf {
    world().join("orgs").join(name)
}

fn fixture_schema(org_name: &str) -> Schema {
    schema_for(&[&package(), &org(org_name)]).expect("the fixture's metadata loads")
}

fn object<'a>(s: &'a Schema, name: &str) -> &'a SObjectDesc {
    s.get(
        s.find(name)
            .unwrap_or_else(|| panic!("{name} is in the schema")),
    )
}

fn field<'a>(o: &'a SObjectDesc, name: &str) -> &'a FieldDesc {
    o.field(name)
        .unwrap_or_else(|| panic!("{}.{name} exists", o.name))
}

fn dec(s: &str) -> FieldValue {
    FieldValue::Dec(s.parse().unwrap())
}

fn fixed_time() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2024, 5, 20)
        .unwrap()
        .and_hms_milli_opt(8, 30, 0, 0)
        .unwrap()
}

/// An org over the fixture schema with its plan and `settings.json` loaded.
fn load_org(org_name: &str) -> (OrgStore, LoadReport) {
    let store = OrgStore::new(Arc::new(fixture_schema(org_name)));
    let data = org(org_name).join("data");
    let mut loader = TreeLoader::new(&store, "").at(fixed_time());
    loader.load_dir(&data).expect("the plan loads");
    loader
        .load_file(&data.join("settings.json"))
        .expect("settings.json loads");
    let report = loader.finish();
    (store, report)
}

fn record(store: &OrgStore, report: &LoadReport, reference: &str) -> StoredRecord {
    let id = report
        .id(reference)
        .unwrap_or_else(|| panic!("{reference} loaded"));
    store.get_committed(id).expect("stored")
}

#[test]
fn package_objects_get_the_namespace_and_key_prefixes_in_name_order() {
    let s = fixture_schema("globex-full");
    let expected = [
        ("acme__Billing_Config__c", "a00", "Billing Config"),
        ("acme__Invoice__c", "a01", "Invoice"),
        ("acme__Invoice_Line__c", "a02", "Invoice Line"),
        ("acme__Payment__c", "a03", "Payment"),
        ("acme__Tax_Rate__c", "a04", "Tax Rate"),
    ];
    for (name, prefix, label) in expected {
        let o = object(&s, name);
        assert_eq!(o.name, name);
        assert_eq!(o.key_prefix, prefix, "{name}");
        assert_eq!(o.label, label);
        assert_eq!(o.namespace, "acme");
        assert_eq!(s.by_prefix[prefix], o.id);
    }
    assert_eq!(object(&s, "acme__Invoice__c").plural_label, "Invoices");
    // Names are found in any case, never without the prefix.
    assert!(s.find("ACME__INVOICE__C").is_some());
    assert!(s.find("Invoice__c").is_none());
    // Standard objects keep their prefixes.
    assert_eq!(object(&s, "Account").key_prefix, "001");
}

#[test]
fn custom_settings_are_protected_list_and_hierarchy() {
    let s = fixture_schema("globex-full");
    let rates = object(&s, "acme__Tax_Rate__c");
    assert_eq!(rates.custom_setting, Some(CustomSettingKind::List));
    assert!(rates.protected);
    let name = field(rates, "Name");
    assert_eq!((name.ty, name.required), (FieldType::Text, true));
    assert!(rates.field("OwnerId").is_none());
    assert!(rates.field("SetupOwnerId").is_none());
    let rate = field(rates, "acme__Rate__c");
    assert_eq!((rate.ty, rate.scale), (FieldType::Percent, 3));
    assert_eq!(
        field(rates, "acme__Active__c").default.as_deref(),
        Some("true")
    );

    let config = object(&s, "acme__Billing_Config__c");
    assert_eq!(config.custom_setting, Some(CustomSettingKind::Hierarchy));
    assert!(config.protected);
    let owner = field(config, "SetupOwnerId");
    assert_eq!(owner.ty, FieldType::Lookup);
    assert_eq!(owner.relationship_name.as_deref(), Some("SetupOwner"));
    assert!(config.field("OwnerId").is_none());
    let scale = field(config, "acme__Rounding_Scale__c");
    assert_eq!(
        (scale.ty, scale.default.as_deref()),
        (FieldType::Number, Some("2"))
    );
    assert_eq!(
        field(config, "acme__Payment_Terms_Days__c")
            .default
            .as_deref(),
        Some("30")
    );

    let invoice = object(&s, "acme__Invoice__c");
    assert_eq!(invoice.custom_setting, None);
    assert!(!invoice.protected);
}

#[test]
fn fields_have_their_types_defaults_and_system_fields() {
    let s = fixture_schema("globex-full");
    let invoice = object(&s, "acme__Invoice__c");
    for system in [
        "Id",
        "OwnerId",
        "IsDeleted",
        "CreatedDate",
        "CreatedById",
        "LastModifiedDate",
        "LastModifiedById",
        "SystemModstamp",
    ] {
        assert!(invoice.field(system).is_some(), "{system}");
    }
    let name = field(invoice, "Name");
    assert_eq!(name.ty, FieldType::AutoNumber);
    assert_eq!(name.label, "Invoice Number");
    assert_eq!(name.display_format.as_deref(), Some("INV-{000000}"));
    let status = field(invoice, "acme__Status__c");
    assert_eq!(status.ty, FieldType::Picklist);
    assert_eq!(status.default.as_deref(), Some("Draft"));
    assert_eq!(
        status.picklist_values,
        [
            "Draft",
            "Approved",
            "Sent",
            "Partially Paid",
            "Paid",
            "Cancelled"
        ]
    );
    let cases = [
        ("acme__Total__c", FieldType::Currency, Ty::Decimal),
        ("acme__Invoice_Date__c", FieldType::Date, Ty::Date),
        (
            "acme__Last_Calculated__c",
            FieldType::DateTime,
            Ty::Datetime,
        ),
        ("acme__Sync_Payload__c", FieldType::LongText, Ty::String),
        (
            "acme__Cancellation_Reason__c",
            FieldType::TextArea,
            Ty::String,
        ),
        ("acme__Region__c", FieldType::Text, Ty::String),
    ];
    for (n, ty, apex) in cases {
        let f = field(invoice, n);
        assert_eq!((f.ty, &f.apex_ty), (ty, &apex), "{n}");
    }
    assert_eq!(field(invoice, "acme__Total__c").scale, 2);
    assert_eq!(
        field(invoice, "acme__Region__c").label,
        "Tax Region Override"
    );

    let line = object(&s, "acme__Invoice_Line__c");
    assert!(line.field("OwnerId").is_none(), "a detail has no owner");
    assert_eq!(
        field(line, "Name").display_format.as_deref(),
        Some("LINE-{0000000}")
    );
    let taxable = field(line, "acme__Taxable__c");
    assert_eq!(
        (taxable.ty, taxable.default.as_deref()),
        (FieldType::Checkbox, Some("true"))
    );
    assert!(field(line, "acme__Product_Name__c").required);
    let qty = field(line, "acme__Quantity__c");
    assert_eq!(
        (qty.ty, qty.scale, qty.default.as_deref()),
        (FieldType::Number, 2, Some("1"))
    );

    let account = object(&s, "Account");
    let exempt = field(account, "acme__Tax_Exempt__c");
    assert_eq!(
        (exempt.ty, exempt.default.as_deref()),
        (FieldType::Checkbox, Some("false"))
    );
    assert_eq!(field(account, "acme__VAT_Number__c").ty, FieldType::Text);
    assert_eq!(
        account.namespace, "",
        "extending keeps the standard object's namespace"
    );
}

#[test]
fn relationships_are_namespaced_on_both_ends() {
    let s = fixture_schema("globex-full");
    let invoice = object(&s, "acme__Invoice__c");
    let account = field(invoice, "acme__Account__c");
    assert_eq!(account.ty, FieldType::Lookup);
    assert!(account.required);
    assert_eq!(account.reference_to.as_deref(), Some("Account"));
    assert_eq!(
        account.relationship_name.as_deref(),
        Some("acme__Account__r")
    );
    assert_eq!(
        account.child_relationship.as_deref(),
        Some("acme__Invoices__r")
    );

    let line = object(&s, "acme__Invoice_Line__c");
    let parent = field(line, "acme__Invoice__c");
    assert_eq!(parent.ty, FieldType::MasterDetail);
    assert!(parent.required, "master-detail implies required");
    assert_eq!(parent.reference_to.as_deref(), Some("acme__Invoice__c"));
    assert_eq!(
        parent.relationship_name.as_deref(),
        Some("acme__Invoice__r")
    );

    let children = |o: &SObjectDesc| -> Vec<(String, String, String)> { o.children.clone() };
    let of_invoice = children(invoice);
    for c in [
        (
            "acme__Invoice_Lines__r",
            "acme__Invoice_Line__c",
            "acme__Invoice__c",
        ),
        ("acme__Payments__r", "acme__Payment__c", "acme__Invoice__c"),
    ] {
        assert!(
            of_invoice.contains(&(c.0.into(), c.1.into(), c.2.into())),
            "{c:?} in {of_invoice:?}"
        );
    }
    let of_account = children(object(&s, "Account"));
    assert!(of_account.contains(&(
        "acme__Invoices__r".into(),
        "acme__Invoice__c".into(),
        "acme__Account__c".into()
    )));
    assert!(
        of_account.iter().any(|c| c.0 == "Contacts"),
        "standard links stay"
    );
}

#[test]
fn load_objects_reports_what_changed_and_the_org_project_adds_nothing() {
    let mut s = standard_schema();
    let changed = load_objects(&package(), "acme", &mut s).unwrap();
    assert_eq!(
        changed,
        [
            "Account",
            "acme__Billing_Config__c",
            "acme__Invoice__c",
            "acme__Invoice_Line__c",
            "acme__Payment__c",
            "acme__Tax_Rate__c"
        ]
    );
    let before = s.objects.len();
    assert!(
        load_objects(&org("globex-full"), "", &mut s)
            .unwrap()
            .is_empty()
    );
    assert_eq!(s.objects.len(), before);
    // Loading the package twice is refused, and leaves the schema as it was.
    let err = load_objects(&package(), "acme", &mut s)
        .unwrap_err()
        .to_string();
    assert!(err.contains("already has a field"), "{err}");
    assert_eq!(s.objects.len(), before);
}

#[test]
fn globex_full_data_loads_with_references_resolved() {
    let (store, report) = load_org("globex-full");
    let counts: Vec<(&str, usize)> = report
        .counts
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(
        counts,
        [
            ("Account", 5),
            ("Contact", 4),
            ("acme__Invoice__c", 4),
            ("acme__Invoice_Line__c", 9),
            ("acme__Tax_Rate__c", 10),
            ("acme__Billing_Config__c", 1)
        ]
    );
    assert_eq!(report.total(), 33);
    let s = &store.schema;
    assert_eq!(store.count(s.find("acme__Invoice_Line__c").unwrap()), 9);
    assert!(report.id("AccountRef1").unwrap().starts_with("001"));
    assert_eq!(report.id("AccountRef1").unwrap().len(), 18);
    assert!(report.id("InvoiceRef1").unwrap().starts_with("a01"));

    for (contact, account) in [
        ("ContactRef1", "AccountRef1"),
        ("ContactRef2", "AccountRef1"),
        ("ContactRef3", "AccountRef3"),
        ("ContactRef4", "AccountRef5"),
    ] {
        let c = record(&store, &report, contact);
        assert_eq!(
            c.get("accountid"),
            &FieldValue::Id(report.id(account).unwrap().into())
        );
    }
    let lines_of = [(1, 3), (2, 2), (3, 2), (4, 2)];
    let mut n = 1;
    for (invoice, count) in lines_of {
        let want = FieldValue::Id(report.id(&format!("InvoiceRef{invoice}")).unwrap().into());
        for _ in 0..count {
            let line = record(&store, &report, &format!("InvoiceLineRef{n}"));
            assert_eq!(line.get("acme__invoice__c"), &want, "line {n}");
            n += 1;
        }
    }

    let cypress = record(&store, &report, "AccountRef1");
    assert_eq!(
        cypress.get("name"),
        &FieldValue::Str("Cypress Creek Outfitters".into())
    );
    assert_eq!(
        cypress.get("billingstate"),
        &FieldValue::Str("California".into())
    );
    assert_eq!(
        cypress.get("createddate"),
        &FieldValue::Datetime(fixed_time())
    );
    assert_eq!(cypress.get("isdeleted"), &FieldValue::Bool(false));
    assert_eq!(cypress.get("ownerid"), &FieldValue::Null);

    let invoice = record(&store, &report, "InvoiceRef1");
    assert_eq!(invoice.get("name"), &FieldValue::Str("INV-000001".into()));
    assert_eq!(invoice.get("acme__tax__c"), &dec("518.51"));
    assert_eq!(invoice.get("acme__amount_paid__c"), &dec("0.00"));
    assert_eq!(
        invoice.get("acme__invoice_date__c"),
        &FieldValue::Date(NaiveDate::from_ymd_opt(2024, 5, 2).unwrap())
    );
    assert_eq!(invoice.get("acme__region__c"), &FieldValue::Null);
    let fourth = record(&store, &report, "InvoiceRef4");
    assert_eq!(fourth.get("name"), &FieldValue::Str("INV-000004".into()));

    let line = record(&store, &report, "InvoiceLineRef1");
    assert_eq!(line.get("name"), &FieldValue::Str("LINE-0000001".into()));
    assert_eq!(line.get("acme__unit_price__c"), &dec("89.50"));
    assert_eq!(line.get("acme__quantity__c"), &dec("40.00"));
    assert_eq!(line.get("acme__line_number__c"), &dec("1"));
    assert_eq!(line.get("acme__taxable__c"), &FieldValue::Bool(true));

    let contact = record(&store, &report, "ContactRef1");
    assert_eq!(
        contact.get("name"),
        &FieldValue::Str("Dana Whitfield".into())
    );
}

#[test]
fn settings_json_loads_the_protected_settings() {
    let (store, report) = load_org("globex-full");
    let ca = record(&store, &report, "TaxRateRef1");
    assert_eq!(ca.get("name"), &FieldValue::Str("US_CA".into()));
    assert_eq!(ca.get("acme__rate__c"), &dec("7.250"));
    assert_eq!(ca.get("acme__active__c"), &FieldValue::Bool(true));
    let ny = record(&store, &report, "TaxRateRef2");
    assert_eq!(ny.get("acme__rate__c"), &dec("8.875"));
    let de = record(&store, &report, "TaxRateRef8");
    assert_eq!(de.get("acme__state__c"), &FieldValue::Null);
    let config = record(&store, &report, "BillingConfigRef1");
    assert!(config.id.starts_with("a00"));
    assert_eq!(
        config.get("acme__default_region__c"),
        &FieldValue::Str("US_NY".into())
    );
    assert_eq!(config.get("acme__rounding_scale__c"), &dec("2"));
    assert_eq!(
        config.get("acme__round_per_line__c"),
        &FieldValue::Bool(true)
    );
    assert_eq!(
        config.get("setupownerid"),
        &FieldValue::Null,
        "the org default"
    );
}

#[test]
fn records_can_be_created_by_a_user() {
    let store = OrgStore::new(Arc::new(fixture_schema("initech-sandbox")));
    let user = "005Dn0000000001IAA";
    let mut loader = TreeLoader::new(&store, "").as_user(user);
    loader
        .load_dir(&org("initech-sandbox").join("data"))
        .unwrap();
    let report = loader.finish();
    let account = record(&store, &report, "AccountRef1");
    for f in ["ownerid", "createdbyid", "lastmodifiedbyid"] {
        assert_eq!(account.get(f), &FieldValue::Id(user.into()), "{f}");
    }
    let line = record(&store, &report, "InvoiceLineRef1");
    assert!(
        !line.fields.contains_key("ownerid"),
        "a detail has no owner"
    );
}

#[test]
fn every_org_of_the_world_loads() {
    for (name, accounts, contacts, invoices, lines, rates) in [
        ("globex-full", 5, 4, 4, 9, 10),
        ("globex-prod", 3, 2, 2, 5, 10),
        ("initech-sandbox", 3, 2, 2, 4, 3),
    ] {
        let (_, report) = load_org(name);
        assert_eq!(report.count("Account"), accounts, "{name}");
        assert_eq!(report.count("Contact"), contacts, "{name}");
        assert_eq!(report.count("acme__invoice__c"), invoices, "{name}");
        assert_eq!(report.count("acme__Invoice_Line__c"), lines, "{name}");
        assert_eq!(report.count("acme__Tax_Rate__c"), rates, "{name}");
        assert_eq!(report.count("acme__Billing_Config__c"), 1, "{name}");
    }
}

#[test]
fn the_convenience_functions_load_with_the_current_time() {
    let store = OrgStore::new(Arc::new(fixture_schema("globex-prod")));
    let data = org("globex-prod").join("data");
    let report = load_data_dir(&data, &store, "").unwrap();
    assert_eq!(report.total(), 3 + 2 + 2 + 5);
    assert!(
        report.id("TaxRateRef1").is_none(),
        "settings.json is not in the plan"
    );
    let settings = load_tree_file(&data.join("settings.json"), &store, "").unwrap();
    assert_eq!(settings.total(), 11);
    let account = store
        .get_committed(report.id("AccountRef1").unwrap())
        .unwrap();
    assert!(matches!(
        account.get("createddate"),
        FieldValue::Datetime(_)
    ));
}
