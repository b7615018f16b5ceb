//! The standard objects every org has, with their common fields.

use super::{FieldDesc, FieldType, SObjectDesc, Schema};
use crate::vm::types::Ty;

/// The Apex type of values of a field type.
pub fn apex_type(t: FieldType) -> Ty {
    match t {
        FieldType::Id | FieldType::Lookup | FieldType::MasterDetail => Ty::Id,
        FieldType::Number | FieldType::Currency | FieldType::Percent => Ty::Decimal,
        FieldType::Checkbox => Ty::Boolean,
        FieldType::Date => Ty::Date,
        FieldType::DateTime => Ty::Datetime,
        _ => Ty::String,
    }
}

/// A field with defaults for everything but its name, label and type.
pub fn field(name: &str, label: &str, ty: FieldType) -> FieldDesc {
    FieldDesc {
        name: name.to_string(),
        label: label.to_string(),
        ty,
        apex_ty: apex_type(ty),
        required: false,
        reference_to: None,
        relationship_name: None,
        child_relationship: None,
        default: None,
        formula: None,
        scale: if matches!(ty, FieldType::Currency) {
            2
        } else {
            0
        },
        external_id: false,
        unique: false,
        display_format: None,
        picklist_values: Vec::new(),
    }
}

/// A lookup field to `target` with relationship name `rel`.
pub fn lookup(name: &str, label: &str, target: &str, rel: &str) -> FieldDesc {
    FieldDesc {
        reference_to: Some(target.to_string()),
        relationship_name: Some(rel.to_string()),
        ..field(name, label, FieldType::Lookup)
    }
}

/// A lookup whose parent lists its children under `children` (`Contacts`).
fn parent_of(name: &str, label: &str, target: &str, rel: &str, children: &str) -> FieldDesc {
    FieldDesc {
        child_relationship: Some(children.to_string()),
        ..lookup(name, label, target, rel)
    }
}

fn required(mut f: FieldDesc) -> FieldDesc {
    f.required = true;
    f
}

fn with_default(mut f: FieldDesc, d: &str) -> FieldDesc {
    f.default = Some(d.to_string());
    f
}

/// The fields a new custom object (or custom setting) starts with, before its Name.
pub fn standard_fields_for_custom(setting: bool, hierarchy: bool) -> Vec<FieldDesc> {
    let mut f = system_fields();
    if hierarchy {
        f.push(lookup("SetupOwnerId", "Location ID", "User", "SetupOwner"));
    } else if !setting {
        f.push(lookup("OwnerId", "Owner ID", "User", "Owner"));
    }
    f
}

/// The fields every object has.
pub(crate) fn system_fields() -> Vec<FieldDesc> {
    use FieldType::*;
    vec![
        field("Id", "Record ID", Id),
        field("IsDeleted", "Deleted", Checkbox),
        field("CreatedDate", "Created Date", DateTime),
        lookup("CreatedById", "Created By ID", "User", "CreatedBy"),
        field("LastModifiedDate", "Last Modified Date", DateTime),
        lookup(
            "LastModifiedById",
            "Last Modified By ID",
            "User",
            "LastModifiedBy",
        ),
        field("SystemModstamp", "System Modstamp", DateTime),
    ]
}

fn address(prefix: &str, label: &str) -> Vec<FieldDesc> {
    ["Street", "City", "State", "PostalCode", "Country"]
        .iter()
        .map(|p| {
            field(
                &format!("{prefix}{p}"),
                &format!("{label} {p}"),
                if *p == "Street" {
                    FieldType::LongText
                } else {
                    FieldType::Text
                },
            )
        })
        .collect()
}

/// An object with the system fields, an `OwnerId` when `owned`, then `fields`.
pub(crate) fn object(
    name: &str,
    label: &str,
    plural: &str,
    prefix: &str,
    mut fields: Vec<FieldDesc>,
    owned: bool,
) -> SObjectDesc {
    let mut all = system_fields();
    if owned {
        all.push(lookup("OwnerId", "Owner ID", "User", "Owner"));
    }
    all.append(&mut fields);
    SObjectDesc {
        id: 0,
        name: name.to_string(),
        label: label.to_string(),
        plural_label: plural.to_string(),
        key_prefix: prefix.to_string(),
        fields: all,
        custom_setting: None,
        protected: false,
        namespace: String::new(),
        children: Vec::new(),
    }
}

/// A schema holding the standard objects.
pub fn standard_schema() -> Schema {
    use FieldType::*;
    let mut s = Schema::default();
    let mut account = vec![
        required(field("Name", "Account Name", Text)),
        field("AccountNumber", "Account Number", Text),
        field("Type", "Account Type", Picklist),
        field("Industry", "Industry", Picklist),
        field("Rating", "Account Rating", Picklist),
        field("AnnualRevenue", "Annual Revenue", Currency),
        field("NumberOfEmployees", "Employees", Number),
        field("Phone", "Account Phone", Phone),
        field("Fax", "Account Fax", Phone),
        field("Website", "Website", Url),
        field("Description", "Account Description", LongText),
        field("Sic", "SIC Code", Text),
        parent_of(
            "ParentId",
            "Parent Account ID",
            "Account",
            "Parent",
            "ChildAccounts",
        ),
    ];
    account.extend(address("Billing", "Billing"));
    account.extend(address("Shipping", "Shipping"));
    s.add(object(
        "Account", "Account", "Accounts", "001", account, true,
    ));

    let mut contact = vec![
        field("FirstName", "First Name", Text),
        required(field("LastName", "Last Name", Text)),
        field("Name", "Full Name", Formula),
        field("Salutation", "Salutation", Picklist),
        parent_of("AccountId", "Account ID", "Account", "Account", "Contacts"),
        field("Email", "Email", Email),
        field("Phone", "Business Phone", Phone),
        field("MobilePhone", "Mobile Phone", Phone),
        field("Title", "Title", Text),
        field("Department", "Department", Text),
        field("Birthdate", "Birthdate", Date),
        field("LeadSource", "Lead Source", Picklist),
        field("Description", "Contact Description", LongText),
        lookup("ReportsToId", "Reports To ID", "Contact", "ReportsTo"),
    ];
    contact.extend(address("Mailing", "Mailing"));
    s.add(object(
        "Contact", "Contact", "Contacts", "003", contact, true,
    ));

    s.add(object(
        "Opportunity",
        "Opportunity",
        "Opportunities",
        "006",
        vec![
            required(field("Name", "Name", Text)),
            parent_of(
                "AccountId",
                "Account ID",
                "Account",
                "Account",
                "Opportunities",
            ),
            required(field("StageName", "Stage", Picklist)),
            required(field("CloseDate", "Close Date", Date)),
            field("Amount", "Amount", Currency),
            field("Probability", "Probability (%)", Percent),
            field("Type", "Opportunity Type", Picklist),
            field("LeadSource", "Lead Source", Picklist),
            field("IsClosed", "Closed", Checkbox),
            field("IsWon", "Won", Checkbox),
            field("ForecastCategoryName", "Forecast Category", Picklist),
            field("NextStep", "Next Step", Text),
            field("Description", "Description", LongText),
        ],
        true,
    ));
    s.add(object(
        "Case",
        "Case",
        "Cases",
        "500",
        vec![
            FieldDesc {
                display_format: Some("{00000000}".to_string()),
                default: Some("{00000000}".to_string()),
                ..field("CaseNumber", "Case Number", AutoNumber)
            },
            field("Subject", "Subject", Text),
            field("Description", "Description", LongText),
            with_default(field("Status", "Status", Picklist), "New"),
            with_default(field("Priority", "Priority", Picklist), "Medium"),
            field("Origin", "Case Origin", Picklist),
            field("Type", "Case Type", Picklist),
            field("Reason", "Case Reason", Picklist),
            parent_of("AccountId", "Account ID", "Account", "Account", "Cases"),
            parent_of("ContactId", "Contact ID", "Contact", "Contact", "Cases"),
            field("IsClosed", "Closed", Checkbox),
            field("ClosedDate", "Closed Date", DateTime),
            field("IsEscalated", "Escalated", Checkbox),
        ],
        true,
    ));
    let mut lead = vec![
        field("FirstName", "First Name", Text),
        required(field("LastName", "Last Name", Text)),
        field("Name", "Full Name", Formula),
        required(field("Company", "Company", Text)),
        with_default(
            required(field("Status", "Lead Status", Picklist)),
            "Open - Not Contacted",
        ),
        field("Email", "Email", Email),
        field("Phone", "Phone", Phone),
        field("Title", "Title", Text),
        field("LeadSource", "Lead Source", Picklist),
        field("Industry", "Industry", Picklist),
        field("Rating", "Rating", Picklist),
        field("IsConverted", "Converted", Checkbox),
        field("AnnualRevenue", "Annual Revenue", Currency),
    ];
    lead.extend(address("", "Address"));
    s.add(object("Lead", "Lead", "Leads", "00Q", lead, true));
    s.add(object(
        "User",
        "User",
        "Users",
        "005",
        vec![
            required(field("Username", "Username", Text)),
            field("FirstName", "First Name", Text),
            required(field("LastName", "Last Name", Text)),
            field("Name", "Full Name", Formula),
            required(field("Email", "Email", Email)),
            field("Alias", "Alias", Text),
            field("IsActive", "Active", Checkbox),
            field("ProfileId", "Profile ID", Lookup),
            field("UserType", "User Type", Picklist),
            field("TimeZoneSidKey", "Time Zone", Picklist),
            field("LocaleSidKey", "Locale", Picklist),
            field("LanguageLocaleKey", "Language", Picklist),
            field("Title", "Title", Text),
            field("Department", "Department", Text),
        ],
        false,
    ));
    s.add(object(
        "Task",
        "Task",
        "Tasks",
        "00T",
        vec![
            field("Subject", "Subject", Text),
            with_default(required(field("Status", "Status", Picklist)), "Not Started"),
            with_default(required(field("Priority", "Priority", Picklist)), "Normal"),
            field("ActivityDate", "Due Date Only", Date),
            field("Description", "Description", LongText),
            parent_of("WhoId", "Name ID", "Contact", "Who", "Tasks"),
            parent_of("WhatId", "Related To ID", "Account", "What", "Tasks"),
            field("IsClosed", "Closed", Checkbox),
            field("Type", "Type", Picklist),
        ],
        true,
    ));
    s.add(object(
        "Profile",
        "Profile",
        "Profiles",
        "00e",
        vec![required(field("Name", "Name", Text))],
        false,
    ));
    s.link_children();
    s
}
