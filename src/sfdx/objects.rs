//! Object metadata of SFDX projects into the org schema: custom objects, custom
//! settings and custom fields, from `objects/<Obj>/<Obj>.object-meta.xml` and
//! `objects/<Obj>/fields/<Field>.field-meta.xml` (Metadata API XML).
//!
//! Sources carry no namespace prefix; a package's names get it here
//! (`Invoice__c` → `acme__Invoice__c`), so the schema holds the names
//! subscriber code and data files write.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use roxmltree::{Document, Node};

use super::{SfdxError, io, namespace_of};
use crate::vm::schema::standard::{apex_type, field, lookup, object, standard_schema};
use crate::vm::schema::{CustomSettingKind, FieldDesc, FieldType, SObjectDesc, Schema};

/// Base-62 digits in the order key prefixes are handed out.
const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The Metadata API field types understood, for error messages.
const FIELD_TYPES: &str = "Text, TextArea, LongTextArea, Html, EncryptedText, Number, Currency, \
     Percent, Checkbox, Date, DateTime, Picklist, MultiselectPicklist, Email, Phone, Url, Lookup, \
     MasterDetail, AutoNumber";

/// A schema: the standard objects, then the objects of each project in turn, each
/// with the namespace of its `sfdx-project.json` (a package before its subscribers).
pub fn schema_for(projects: &[&Path]) -> Result<Schema, SfdxError> {
    let mut schema = standard_schema();
    for p in projects {
        let ns = namespace_of(p)?;
        load_objects(p, &ns, &mut schema)?;
    }
    Ok(schema)
}

/// Adds the objects and fields defined under `dir` to `schema`, with `namespace`
/// prefixed to custom names, and links child relationships. Returns the API names
/// of the objects added or extended, sorted. Object kinds other than custom
/// objects and settings (`__mdt`, `__e`, ...) are skipped. On error the schema is
/// left as it was.
pub fn load_objects(
    dir: &Path,
    namespace: &str,
    schema: &mut Schema,
) -> Result<Vec<String>, SfdxError> {
    let sources = find_sources(dir)?;
    let mut work = schema.clone();
    let mut new_objects: Vec<(String, NewObject)> = Vec::new();
    let mut extensions: Vec<(String, Vec<ParsedField>)> = Vec::new();
    for (folder, src) in &sources {
        let lower = folder.to_ascii_lowercase();
        let custom = lower.ends_with("__c");
        if !custom && folder.contains("__") {
            continue;
        }
        let api = qualify(folder, namespace);
        // Files of standard fields only customise them (picklist values, help
        // text) and may lack a label or type: the schema already has those fields.
        let fields = src
            .fields
            .iter()
            .filter(|p| {
                file_name(p)
                    .to_ascii_lowercase()
                    .ends_with("__c.field-meta.xml")
            })
            .map(|p| parse_field(p, namespace))
            .collect::<Result<Vec<_>, _>>()?;
        if work.find(&api).is_some() {
            extensions.push((api, fields));
        } else if !custom {
            let at = src.fields.first().or(src.object.as_ref());
            return Err(SfdxError::Metadata {
                path: at.cloned().unwrap_or_else(|| dir.to_path_buf()),
                line: 1,
                message: format!(
                    "`{folder}` is not a standard object the simulator has ({}); \
                     remove the folder or name a custom object `{folder}__c`",
                    standard_names(&work)
                ),
            });
        } else if let Some(obj) = &src.object {
            let head = parse_object(obj, &api)?;
            new_objects.push((api, NewObject { head, fields }));
        } else {
            return Err(SfdxError::Metadata {
                path: src.fields[0].clone(),
                line: 1,
                message: format!(
                    "the object `{api}` is neither in the schema nor defined here; add \
                     objects/{folder}/{folder}.object-meta.xml, or load the project that \
                     defines it first"
                ),
            });
        }
    }

    new_objects.sort_by_key(|(api, _)| api.to_ascii_lowercase());
    let mut next_prefix = 0usize;
    let mut changed = Vec::new();
    let mut added_fields: Vec<(String, ParsedField)> = Vec::new();
    for (api, obj) in new_objects {
        let prefix = free_prefix(&work, &mut next_prefix);
        let desc = build_object(&api, namespace, &prefix, &obj.head, &obj.fields);
        check_duplicates(&desc, &obj.fields)?;
        work.add(desc);
        added_fields.extend(obj.fields.into_iter().map(|f| (api.clone(), f)));
        changed.push(api);
    }
    for (api, fields) in extensions {
        let id = work.find(&api).expect("found above");
        let desc = &mut work.objects[id as usize];
        for f in &fields {
            if let Some(existing) = desc.field(&f.desc.name) {
                return Err(SfdxError::Metadata {
                    path: f.path.clone(),
                    line: 1,
                    message: format!(
                        "`{}` already has a field `{}`; remove the duplicate file or \
                         load this project only once",
                        desc.name, existing.name
                    ),
                });
            }
            desc.fields.push(f.desc.clone());
        }
        added_fields.extend(fields.into_iter().map(|f| (api.clone(), f)));
        changed.push(api);
    }
    for (obj, f) in &added_fields {
        let Some(target) = &f.desc.reference_to else {
            continue;
        };
        if work.find(target).is_none() {
            return Err(SfdxError::Metadata {
                path: f.path.clone(),
                line: f.reference_line,
                message: format!(
                    "`{obj}.{}` refers to `{target}`, which is not in the schema; \
                     define that object or load the project that defines it first",
                    f.desc.name
                ),
            });
        }
    }
    work.link_children();
    *schema = work;
    changed.sort_by_key(|n| n.to_ascii_lowercase());
    changed.dedup();
    Ok(changed)
}

/// `name` with the namespace prefix when it is a custom name that has none yet
/// (`Invoice__c` → `acme__Invoice__c`; `Account`, `other__X__c` unchanged).
pub fn qualify(name: &str, namespace: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let custom = lower.ends_with("__c") || lower.ends_with("__r");
    if namespace.is_empty() || !custom || name.matches("__").count() != 1 {
        return name.to_string();
    }
    format!("{namespace}__{name}")
}

/// The object file and field files of one `objects/<Obj>` folder.
#[derive(Default)]
struct ObjectSources {
    object: Option<PathBuf>,
    fields: Vec<PathBuf>,
}

/// Every object folder under `dir`, by folder name; hidden folders and
/// `node_modules` are skipped.
fn find_sources(dir: &Path) -> Result<BTreeMap<String, ObjectSources>, SfdxError> {
    let mut out: BTreeMap<String, ObjectSources> = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).map_err(io(&d))? {
            let p = entry.map_err(io(&d))?.path();
            let name = file_name(&p);
            if p.is_dir() {
                if !name.starts_with('.') && name != "node_modules" {
                    stack.push(p);
                }
                continue;
            }
            let parent = p.parent().map(file_name).unwrap_or("");
            let up = |n: usize| p.ancestors().nth(n).map(file_name).unwrap_or("");
            if let Some(stem) = name.strip_suffix(".object-meta.xml") {
                if up(2) == "objects" && parent == stem {
                    out.entry(stem.to_string()).or_default().object = Some(p.clone());
                }
            } else if name.ends_with(".field-meta.xml") && parent == "fields" && up(3) == "objects"
            {
                out.entry(up(2).to_string())
                    .or_default()
                    .fields
                    .push(p.clone());
            }
        }
    }
    for src in out.values_mut() {
        src.fields.sort();
    }
    Ok(out)
}

fn file_name(p: &Path) -> &str {
    p.file_name().and_then(|n| n.to_str()).unwrap_or("")
}

fn standard_names(schema: &Schema) -> String {
    schema
        .objects
        .iter()
        .filter(|o| !o.name.contains("__"))
        .map(|o| o.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The next key prefix `a00`, `a01`, ... not yet used in the schema.
fn free_prefix(schema: &Schema, next: &mut usize) -> String {
    loop {
        let n = *next;
        *next += 1;
        let p = format!(
            "a{}{}",
            BASE62[(n / 62) % 62] as char,
            BASE62[n % 62] as char
        );
        if !schema.by_prefix.contains_key(&p) {
            return p;
        }
    }
}

/// What an object file says.
struct ObjectHead {
    label: String,
    plural_label: String,
    setting: Option<CustomSettingKind>,
    protected: bool,
    /// The `Name` field: label and, for auto-numbers, the display format.
    name_label: String,
    name_format: Option<String>,
}

struct NewObject {
    head: ObjectHead,
    fields: Vec<ParsedField>,
}

/// A field and where it came from.
struct ParsedField {
    desc: FieldDesc,
    path: PathBuf,
    reference_line: u32,
}

fn read_xml(path: &Path) -> Result<String, SfdxError> {
    std::fs::read_to_string(path).map_err(io(path))
}

fn parse_doc<'a>(path: &Path, text: &'a str) -> Result<Document<'a>, SfdxError> {
    Document::parse(text).map_err(|e| {
        let pos = e.pos();
        SfdxError::Xml {
            path: path.to_path_buf(),
            line: pos.row,
            col: pos.col,
            message: e.to_string(),
        }
    })
}

fn line_of(doc: &Document<'_>, n: Node<'_, '_>) -> u32 {
    doc.text_pos_at(n.range().start).row
}

fn child<'a, 'i>(n: Node<'a, 'i>, tag: &str) -> Option<Node<'a, 'i>> {
    n.children()
        .find(|c| c.is_element() && c.tag_name().name() == tag)
}

/// The trimmed text of a child element; None when absent or empty.
fn text<'a>(n: Node<'a, '_>, tag: &str) -> Option<&'a str> {
    child(n, tag)
        .and_then(|c| c.text())
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// The root element, which must be `<kind>`.
fn root<'a, 'i>(path: &Path, doc: &'a Document<'i>, kind: &str) -> Result<Node<'a, 'i>, SfdxError> {
    let r = doc.root_element();
    if r.tag_name().name() != kind {
        return Err(SfdxError::Metadata {
            path: path.to_path_buf(),
            line: line_of(doc, r),
            message: format!(
                "the root element is <{}>; this file must hold one <{kind}>",
                r.tag_name().name()
            ),
        });
    }
    Ok(r)
}

fn flag(path: &Path, doc: &Document<'_>, n: Node<'_, '_>, tag: &str) -> Result<bool, SfdxError> {
    let Some(c) = child(n, tag) else {
        return Ok(false);
    };
    match c.text().map(str::trim) {
        Some("true") => Ok(true),
        Some("false") | None => Ok(false),
        Some(other) => Err(SfdxError::Metadata {
            path: path.to_path_buf(),
            line: line_of(doc, c),
            message: format!("<{tag}> is `{other}`; write true or false"),
        }),
    }
}

fn required_text<'a>(
    path: &Path,
    doc: &Document<'_>,
    n: Node<'a, '_>,
    tag: &str,
) -> Result<&'a str, SfdxError> {
    text(n, tag).ok_or_else(|| SfdxError::Metadata {
        path: path.to_path_buf(),
        line: line_of(doc, n),
        message: format!("<{}> has no <{tag}>; add one", n.tag_name().name()),
    })
}

fn parse_object(path: &Path, api: &str) -> Result<ObjectHead, SfdxError> {
    let text_ = read_xml(path)?;
    let doc = parse_doc(path, &text_)?;
    let r = root(path, &doc, "CustomObject")?;
    let label = required_text(path, &doc, r, "label")?.to_string();
    let setting = match child(r, "customSettingsType") {
        None => None,
        Some(c) => match c.text().map(str::trim) {
            Some("List") => Some(CustomSettingKind::List),
            Some("Hierarchy") => Some(CustomSettingKind::Hierarchy),
            other => {
                return Err(SfdxError::Metadata {
                    path: path.to_path_buf(),
                    line: line_of(&doc, c),
                    message: format!(
                        "<customSettingsType> of `{api}` is `{}`; write List or Hierarchy",
                        other.unwrap_or("")
                    ),
                });
            }
        },
    };
    let (name_label, name_format) = match child(r, "nameField") {
        Some(nf) => {
            let format = match text(nf, "type") {
                Some("AutoNumber") => {
                    Some(required_text(path, &doc, nf, "displayFormat")?.to_string())
                }
                Some("Text") | None => None,
                Some(other) => {
                    return Err(SfdxError::Metadata {
                        path: path.to_path_buf(),
                        line: line_of(&doc, nf),
                        message: format!(
                            "the name field of `{api}` has type `{other}`; write Text or AutoNumber"
                        ),
                    });
                }
            };
            let l = text(nf, "label").unwrap_or(&label).to_string();
            (l, format)
        }
        None if setting.is_some() => ("Name".to_string(), None),
        None => {
            return Err(SfdxError::Metadata {
                path: path.to_path_buf(),
                line: line_of(&doc, r),
                message: format!(
                    "custom object `{api}` has no <nameField>; add one with a <label> and \
                     <type>Text</type> or <type>AutoNumber</type>"
                ),
            });
        }
    };
    Ok(ObjectHead {
        plural_label: text(r, "pluralLabel").unwrap_or(&label).to_string(),
        label,
        setting,
        protected: text(r, "visibility") == Some("Protected"),
        name_label,
        name_format,
    })
}

fn field_type(t: &str) -> Option<FieldType> {
    use FieldType::*;
    Some(match t {
        "Text" | "EncryptedText" => Text,
        "TextArea" => TextArea,
        "LongTextArea" => LongText,
        "Html" => Html,
        "Number" => Number,
        "Currency" => Currency,
        "Percent" => Percent,
        "Checkbox" => Checkbox,
        "Date" => Date,
        "DateTime" => DateTime,
        "Picklist" => Picklist,
        "MultiselectPicklist" => MultiPicklist,
        "Email" => Email,
        "Phone" => Phone,
        "Url" => Url,
        "Lookup" => Lookup,
        "MasterDetail" => MasterDetail,
        "AutoNumber" => AutoNumber,
        _ => return None,
    })
}

/// Field types whose values are text, so an unquoted default is a formula.
fn is_text(t: FieldType) -> bool {
    use FieldType::*;
    matches!(
        t,
        Text | TextArea | LongText | Html | Picklist | MultiPicklist | Email | Phone | Url
    )
}

/// The default value kept for a `<defaultValue>`: a quoted literal without its
/// quotes, anything else as written except formulas on text fields, which the
/// simulator cannot evaluate and so drops.
fn default_value(raw: &str, ty: FieldType) -> Option<String> {
    let t = raw.trim();
    for q in ['"', '\''] {
        if t.len() >= 2 && t.starts_with(q) && t.ends_with(q) {
            let inner = &t[1..t.len() - 1];
            return Some(
                inner
                    .replace(&format!("\\{q}"), &q.to_string())
                    .replace("\\\\", "\\"),
            );
        }
    }
    if is_text(ty) {
        return None;
    }
    Some(t.to_string())
}

fn parse_field(path: &Path, namespace: &str) -> Result<ParsedField, SfdxError> {
    let src = read_xml(path)?;
    let doc = parse_doc(path, &src)?;
    let r = root(path, &doc, "CustomField")?;
    let file_stem = file_name(path).trim_end_matches(".field-meta.xml");
    if let Some(full) = text(r, "fullName")
        && full != file_stem
    {
        return Err(SfdxError::Metadata {
            path: path.to_path_buf(),
            line: line_of(&doc, child(r, "fullName").expect("has text")),
            message: format!(
                "<fullName> is `{full}` but the file is named for `{file_stem}`; make them agree"
            ),
        });
    }
    let name = qualify(file_stem, namespace);
    let label = required_text(path, &doc, r, "label")?;
    let formula = text(r, "formula");
    let type_node = child(r, "type");
    let type_name = type_node
        .and_then(|n| n.text())
        .map(str::trim)
        .unwrap_or("");
    let Some(base) = field_type(type_name) else {
        let line = type_node.map_or(line_of(&doc, r), |n| line_of(&doc, n));
        let message = if type_name.is_empty() {
            format!("field `{name}` has no <type>; add one of {FIELD_TYPES}")
        } else {
            format!(
                "field `{name}` has type `{type_name}`, which the simulator does not support; \
                 use one of {FIELD_TYPES}"
            )
        };
        return Err(SfdxError::Metadata {
            path: path.to_path_buf(),
            line,
            message,
        });
    };
    let ty = if formula.is_some() {
        FieldType::Formula
    } else {
        base
    };
    let mut desc = FieldDesc {
        apex_ty: apex_type(base),
        formula: formula.map(str::to_string),
        required: flag(path, &doc, r, "required")? || base == FieldType::MasterDetail,
        external_id: flag(path, &doc, r, "externalId")?,
        unique: flag(path, &doc, r, "unique")?,
        display_format: text(r, "displayFormat").map(str::to_string),
        ..field(&name, label, ty)
    };
    if let Some(s) = child(r, "scale") {
        let t = s.text().map(str::trim).unwrap_or("");
        desc.scale = t.parse().map_err(|_| SfdxError::Metadata {
            path: path.to_path_buf(),
            line: line_of(&doc, s),
            message: format!("<scale> is `{t}`; write a whole number such as 2"),
        })?;
    }
    if ty == FieldType::AutoNumber {
        // Auto-numbers have no default; code that predates `display_format` reads
        // the format from `default`.
        desc.default = desc.display_format.clone();
    } else if formula.is_none() {
        desc.default = text(r, "defaultValue").and_then(|d| default_value(d, base));
    }
    if let Some(values) = child(r, "valueSet").and_then(|v| child(v, "valueSetDefinition")) {
        for v in values
            .children()
            .filter(|c| c.is_element() && c.tag_name().name() == "value")
        {
            let Some(value) = text(v, "fullName") else {
                continue;
            };
            desc.picklist_values.push(value.to_string());
            if desc.default.is_none() && text(v, "default") == Some("true") {
                desc.default = Some(value.to_string());
            }
        }
    }
    let mut reference_line = line_of(&doc, r);
    if matches!(base, FieldType::Lookup | FieldType::MasterDetail) {
        let target = child(r, "referenceTo").ok_or_else(|| SfdxError::Metadata {
            path: path.to_path_buf(),
            line: line_of(&doc, r),
            message: format!("lookup `{name}` has no <referenceTo>; name the parent object"),
        })?;
        reference_line = line_of(&doc, target);
        let target = target.text().map(str::trim).unwrap_or("");
        desc.reference_to = Some(qualify(target, namespace));
        desc.relationship_name = Some(relationship_of(&name));
        desc.child_relationship =
            text(r, "relationshipName").map(|c| qualify(&format!("{c}__r"), namespace));
    }
    Ok(ParsedField {
        desc,
        path: path.to_path_buf(),
        reference_line,
    })
}

/// The parent relationship name of a lookup field (`acme__Account__c` →
/// `acme__Account__r`, `ParentId` → `Parent`).
fn relationship_of(field: &str) -> String {
    let lower = field.to_ascii_lowercase();
    if lower.ends_with("__c") {
        format!("{}__r", &field[..field.len() - 3])
    } else if lower.ends_with("id") && field.len() > 2 {
        field[..field.len() - 2].to_string()
    } else {
        field.to_string()
    }
}

/// A new object's description: system fields, owner, name, then its own fields.
fn build_object(
    api: &str,
    namespace: &str,
    prefix: &str,
    head: &ObjectHead,
    fields: &[ParsedField],
) -> SObjectDesc {
    let detail = fields.iter().any(|f| f.desc.ty == FieldType::MasterDetail);
    let owned = head.setting.is_none() && !detail;
    let mut own = Vec::with_capacity(fields.len() + 2);
    let name_ty = if head.name_format.is_some() {
        FieldType::AutoNumber
    } else {
        FieldType::Text
    };
    own.push(FieldDesc {
        display_format: head.name_format.clone(),
        default: head.name_format.clone(),
        // A list setting's records are found by name.
        required: head.setting == Some(CustomSettingKind::List),
        ..field("Name", &head.name_label, name_ty)
    });
    if head.setting == Some(CustomSettingKind::Hierarchy) {
        // The owner is the org, a profile or a user; the schema has one target per
        // lookup, and the user is the one a relationship path can follow.
        own.push(lookup("SetupOwnerId", "Location ID", "User", "SetupOwner"));
    }
    own.extend(fields.iter().map(|f| f.desc.clone()));
    let mut d = object(api, &head.label, &head.plural_label, prefix, own, owned);
    d.custom_setting = head.setting;
    d.protected = head.protected;
    d.namespace = namespace.to_string();
    d
}

fn check_duplicates(d: &SObjectDesc, fields: &[ParsedField]) -> Result<(), SfdxError> {
    for f in fields {
        let n = d
            .fields
            .iter()
            .filter(|x| x.name.eq_ignore_ascii_case(&f.desc.name))
            .count();
        if n > 1 {
            return Err(SfdxError::Metadata {
                path: f.path.clone(),
                line: 1,
                message: format!(
                    "`{}` would have two fields named `{}`; rename or remove this one",
                    d.name, f.desc.name
                ),
            });
        }
    }
    Ok(())
}
