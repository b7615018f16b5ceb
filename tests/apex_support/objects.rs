//! The compact object definitions of `--- object` sections.
//!
//! ```text
//! --- object acme:Invoice__c
//! label: Invoice
//! setting: list | hierarchy
//! protected: true
//! name: autonumber INV-{0000}
//! field Amount__c: Currency
//! field Status__c: Picklist default 'Draft' required
//! field Rate__c: Percent scale 3
//! field Account__c: Lookup(Account) children Invoices
//! field Total__c: Formula(Currency) Amount__c * 2
//! ```

use isvdbg::vm::schema::standard::{field, standard_fields_for_custom};
use isvdbg::vm::schema::{CustomSettingKind, FieldDesc, FieldType, SObjectDesc, Schema};

/// Adds (or extends) an object from a compact definition. `header` is `ns:Name` or `Name`.
pub fn add_object(schema: &mut Schema, header: &str, body: &str) -> Result<(), String> {
    let (ns, name) = match header.split_once(':') {
        Some((ns, n)) => (ns.trim().to_string(), n.trim().to_string()),
        None => (String::new(), header.trim().to_string()),
    };
    let prefixed = |n: &str| -> String {
        if !ns.is_empty()
            && n.to_ascii_lowercase().ends_with("__c")
            && !n.contains("__c__")
            && n.matches("__").count() == 1
        {
            format!("{ns}__{n}")
        } else {
            n.to_string()
        }
    };
    let api = prefixed(&name);
    let mut label = name.trim_end_matches("__c").replace('_', " ");
    let mut setting = None;
    let mut protected = false;
    let mut name_field = field("Name", &format!("{label} Name"), FieldType::Text);
    let mut fields: Vec<FieldDesc> = Vec::new();
    for line in body.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(rest) = line.strip_prefix("field ") {
            let (fname, spec) = rest
                .split_once(':')
                .ok_or(format!("field needs `Name: Type`: {line}"))?;
            fields.push(parse_field(&prefixed(fname.trim()), spec.trim(), &ns)?);
        } else if let Some(v) = line.strip_prefix("label:") {
            label = v.trim().to_string();
        } else if let Some(v) = line.strip_prefix("setting:") {
            setting = Some(match v.trim() {
                "list" => CustomSettingKind::List,
                "hierarchy" => CustomSettingKind::Hierarchy,
                other => return Err(format!("setting must be list or hierarchy, not {other}")),
            });
        } else if let Some(v) = line.strip_prefix("protected:") {
            protected = v.trim() == "true";
        } else if let Some(v) = line.strip_prefix("name:") {
            let v = v.trim();
            if let Some(fmt) = v.strip_prefix("autonumber") {
                name_field = field("Name", &format!("{label} Name"), FieldType::AutoNumber);
                name_field.default = Some(fmt.trim().to_string());
            }
        } else {
            return Err(format!("unknown line in object definition: {line}"));
        }
    }
    if setting == Some(CustomSettingKind::List) {
        // A list setting record is found by its Name, so it must have one.
        name_field.required = true;
    }
    if let Some(existing) = schema.find(&api) {
        let mut d = schema.objects[existing as usize].clone();
        d.fields.extend(fields);
        schema.objects[existing as usize] = d;
    } else {
        let mut all = standard_fields_for_custom(
            setting.is_some(),
            setting == Some(CustomSettingKind::Hierarchy),
        );
        all.push(name_field);
        all.extend(fields);
        let prefix = format!("a{:02}", schema.objects.len());
        schema.add(SObjectDesc {
            id: 0,
            name: api,
            label: label.clone(),
            plural_label: format!("{label}s"),
            key_prefix: prefix,
            fields: all,
            custom_setting: setting,
            protected,
            namespace: ns.clone(),
            children: Vec::new(),
        });
    }
    schema.link_children();
    Ok(())
}

fn parse_field(name: &str, spec: &str, ns: &str) -> Result<FieldDesc, String> {
    let (ty_part, rest) = match spec.find([' ', '(']) {
        Some(p) if spec.as_bytes()[p] == b'(' => {
            let close = spec.find(')').ok_or(format!("missing ) in {spec}"))?;
            (&spec[..close + 1], spec[close + 1..].trim())
        }
        Some(p) => (&spec[..p], spec[p..].trim()),
        None => (spec, ""),
    };
    let (kind, arg) = match ty_part.split_once('(') {
        Some((k, a)) => (k, Some(a.trim_end_matches(')').to_string())),
        None => (ty_part, None),
    };
    let ty = match kind {
        "Text" => FieldType::Text,
        "LongText" => FieldType::LongText,
        "Number" => FieldType::Number,
        "Currency" => FieldType::Currency,
        "Percent" => FieldType::Percent,
        "Checkbox" => FieldType::Checkbox,
        "Date" => FieldType::Date,
        "DateTime" => FieldType::DateTime,
        "Picklist" => FieldType::Picklist,
        "Email" => FieldType::Email,
        "Phone" => FieldType::Phone,
        "Url" => FieldType::Url,
        "Lookup" => FieldType::Lookup,
        "MasterDetail" => FieldType::MasterDetail,
        "AutoNumber" => FieldType::AutoNumber,
        "Formula" => FieldType::Formula,
        other => return Err(format!("unknown field type {other}")),
    };
    let mut f = field(name, name, ty);
    let ns_name = |n: &str| {
        if !ns.is_empty() && n.to_ascii_lowercase().ends_with("__c") && n.matches("__").count() == 1
        {
            format!("{ns}__{n}")
        } else {
            n.to_string()
        }
    };
    match ty {
        FieldType::Lookup | FieldType::MasterDetail => {
            let target = arg.ok_or("Lookup needs a target: Lookup(Account)")?;
            f.reference_to = Some(ns_name(&target));
            f.relationship_name = Some(format!("{}__r", name.trim_end_matches("__c")));
            f.required = ty == FieldType::MasterDetail;
        }
        FieldType::Formula => {
            let result = arg.ok_or("Formula needs a result type: Formula(Currency)")?;
            f.apex_ty = parse_field(name, &result, ns)?.apex_ty;
            f.formula = Some(rest.to_string());
            return Ok(f);
        }
        _ => {}
    }
    let mut words = rest.split_whitespace().peekable();
    while let Some(w) = words.next() {
        match w {
            "required" => f.required = true,
            "external" => f.external_id = true,
            "unique" => f.unique = true,
            "scale" => {
                let n = words.next().ok_or("scale needs a number")?;
                f.scale = n.parse().map_err(|_| format!("bad scale {n}"))?;
            }
            "children" => {
                let c = words.next().ok_or("children needs a name")?;
                let c = if ns.is_empty() {
                    format!("{c}__r")
                } else {
                    format!("{ns}__{c}__r")
                };
                f.child_relationship = Some(c);
            }
            "default" => {
                let v = words.next().ok_or("default needs a value")?;
                f.default = Some(v.trim_matches('\'').to_string());
            }
            other => return Err(format!("unknown field option {other}")),
        }
    }
    Ok(f)
}
