//! `sf data tree` JSON files into an org's store.
//!
//! A tree file is `{"records": [{"attributes": {"type", "referenceId"}, "Field": value,
//! "ChildRelationship": {"records": [...]}}]}`; a value `"@Ref"` in an id field
//! names a record loaded earlier. A directory is loaded by its `plan.json`
//! (`sf data tree import --plan`) when it has one, step after step, else every
//! `*.json` in it at once. As the current `sf` does, records that reference
//! others in the same step go after them, and the plan's `saveRefs` and
//! `resolveRefs` are accepted but not needed: every reference to an earlier
//! record resolves.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use indexmap::IndexMap;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::Value as Json;

use super::objects::qualify;
use super::{SfdxError, io};
use crate::vm::platform::field_value::FieldValue;
use crate::vm::platform::store::{OrgStore, StoredRecord};
use crate::vm::schema::{FieldDesc, FieldType, SObjectDesc};
use crate::vm::types::{SObjectTypeId, Ty};

/// What a load stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadReport {
    /// Records stored per sObject type API name, in the order types were first met.
    pub counts: IndexMap<String, usize>,
    /// The 18-character id given to each `referenceId`.
    pub ids: IndexMap<String, String>,
}

impl LoadReport {
    /// The id given to a `referenceId`.
    pub fn id(&self, reference: &str) -> Option<&str> {
        self.ids.get(reference).map(String::as_str)
    }

    /// How many records of a type were stored (API name, any case).
    pub fn count(&self, ty: &str) -> usize {
        self.counts
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(ty))
            .map_or(0, |(_, n)| *n)
    }

    /// How many records were stored in all.
    pub fn total(&self) -> usize {
        self.counts.values().sum()
    }
}

/// Loads the tree files of `dir` (by its `plan.json` when present) into `store`,
/// stamping records with the current time. Custom names written without a prefix
/// are tried with `namespace_context` too.
pub fn load_data_dir(
    dir: &Path,
    store: &OrgStore,
    namespace_context: &str,
) -> Result<LoadReport, SfdxError> {
    let mut loader = TreeLoader::new(store, namespace_context);
    loader.load_dir(dir)?;
    Ok(loader.finish())
}

/// Loads one tree file into `store`, stamping records with the current time.
pub fn load_tree_file(
    path: &Path,
    store: &OrgStore,
    namespace_context: &str,
) -> Result<LoadReport, SfdxError> {
    let mut loader = TreeLoader::new(store, namespace_context);
    loader.load_file(path)?;
    Ok(loader.finish())
}

/// Loads tree files one call after another, so later files may reference records
/// of earlier ones (a world's `settings.json` after its plan). Each call stores all
/// of its records or, on error, none.
pub struct TreeLoader<'s> {
    store: &'s OrgStore,
    namespace: String,
    now: NaiveDateTime,
    report: LoadReport,
    /// Who creates the records: their `CreatedById`, `LastModifiedById` and,
    /// unless given, `OwnerId`. None leaves them null.
    user: Option<String>,
    /// referenceId to id, for every record loaded so far.
    refs: HashMap<String, String>,
}

/// A record read from a file, not yet stored.
struct Pending {
    file: usize,
    /// `referenceId`, or `#n` for a record without one.
    label: String,
    reference: Option<String>,
    ty: SObjectTypeId,
    values: Vec<(String, Json)>,
    /// For a nested child: the parent's index and the lookup field to it.
    parent: Option<(usize, String)>,
}

/// One step of `plan.json`. Its `sobject`, `saveRefs` and `resolveRefs` are
/// not needed: records carry their type and every earlier reference resolves.
#[derive(serde::Deserialize)]
struct PlanStep {
    files: Vec<String>,
}

impl<'s> TreeLoader<'s> {
    /// A loader into `store` that stamps records with the current time.
    pub fn new(store: &'s OrgStore, namespace_context: &str) -> TreeLoader<'s> {
        let now = Utc::now().naive_utc();
        // Stored datetimes carry milliseconds, as the platform's do.
        let now = now
            - chrono::Duration::nanoseconds(
                (now.and_utc().timestamp_subsec_nanos() % 1_000_000) as i64,
            );
        TreeLoader {
            store,
            namespace: namespace_context.to_string(),
            now,
            report: LoadReport::default(),
            user: None,
            refs: HashMap::new(),
        }
    }

    /// Uses `now` for `CreatedDate`, `LastModifiedDate`, `SystemModstamp` and
    /// `TODAY()`/`NOW()` defaults instead of the current time.
    pub fn at(mut self, now: NaiveDateTime) -> TreeLoader<'s> {
        self.now = now;
        self
    }

    /// Loads records as created by the user with id `user_id`: it fills their
    /// `CreatedById` and `LastModifiedById`, and `OwnerId` where the file gives none.
    pub fn as_user(mut self, user_id: &str) -> TreeLoader<'s> {
        self.user = Some(user_id.to_string());
        self
    }

    /// What has been stored so far.
    pub fn report(&self) -> &LoadReport {
        &self.report
    }

    /// The report of everything stored.
    pub fn finish(self) -> LoadReport {
        self.report
    }

    /// Loads a directory: its `plan.json` step by step, or else all its `*.json`.
    pub fn load_dir(&mut self, dir: &Path) -> Result<(), SfdxError> {
        let plan = dir.join("plan.json");
        let mut files = Vec::new();
        let mut groups: Vec<Vec<usize>> = Vec::new();
        if plan.is_file() {
            let text = std::fs::read_to_string(&plan).map_err(io(&plan))?;
            let steps: Vec<PlanStep> =
                serde_json::from_str(&text).map_err(|e| SfdxError::Data {
                    path: plan.clone(),
                    message: format!(
                        "not a data import plan: {e}; write a JSON array of \
                         {{\"sobject\", \"files\": [...]}} steps"
                    ),
                })?;
            for step in steps {
                for f in step.files {
                    let p = dir.join(&f);
                    if !p.is_file() {
                        return Err(SfdxError::Data {
                            path: plan.clone(),
                            message: format!(
                                "the plan names `{f}`, which is not a file in {}; fix the name or add the file",
                                dir.display()
                            ),
                        });
                    }
                    files.push(p);
                }
                groups.push((groups.iter().map(Vec::len).sum::<usize>()..files.len()).collect());
            }
        } else {
            let mut all = Vec::new();
            for entry in std::fs::read_dir(dir).map_err(io(dir))? {
                let p = entry.map_err(io(dir))?.path();
                if p.is_file() && p.extension().is_some_and(|e| e == "json") {
                    all.push(p);
                }
            }
            all.sort();
            groups.push((0..all.len()).collect());
            files = all;
        }
        self.load_groups(&files, &groups)
    }

    /// Loads one tree file.
    pub fn load_file(&mut self, path: &Path) -> Result<(), SfdxError> {
        self.load_groups(&[path.to_path_buf()], &[vec![0]])
    }

    /// Reads the files, orders each group's records after those they reference,
    /// converts them and stores them all.
    fn load_groups(&mut self, files: &[PathBuf], groups: &[Vec<usize>]) -> Result<(), SfdxError> {
        let mut pending = Vec::new();
        let mut group_of_file = vec![0; files.len()];
        for (g, members) in groups.iter().enumerate() {
            for &f in members {
                group_of_file[f] = g;
            }
        }
        for (i, p) in files.iter().enumerate() {
            self.read_file(p, i, &mut pending)?;
        }
        let mut defined: HashMap<&str, usize> = HashMap::new();
        for (i, r) in pending.iter().enumerate() {
            if let Some(reference) = &r.reference
                && (self.refs.contains_key(reference) || defined.insert(reference, i).is_some())
            {
                return Err(SfdxError::Data {
                    path: files[r.file].clone(),
                    message: format!(
                        "record {reference}: the referenceId {reference} is used twice; \
                         give each record its own"
                    ),
                });
            }
        }
        let mut order = Vec::with_capacity(pending.len());
        for g in 0..groups.len() {
            let members: Vec<usize> = (0..pending.len())
                .filter(|&i| group_of_file[pending[i].file] == g)
                .collect();
            order.extend(self.order(files, &pending, &members, &defined)?);
        }
        let mut ids: Vec<Option<String>> = vec![None; pending.len()];
        let mut records = Vec::with_capacity(pending.len());
        let mut new_refs: Vec<(String, String)> = Vec::new();
        for i in order {
            let r = &pending[i];
            let lookup = |reference: &str| -> Result<String, String> {
                if let Some(id) = self.refs.get(reference) {
                    return Ok(id.clone());
                }
                match defined.get(reference) {
                    Some(&j) => ids[j].clone().ok_or_else(|| {
                        format!(
                            "@{reference} is defined in {}, which loads later; list that file \
                             earlier in plan.json",
                            files[pending[j].file].display()
                        )
                    }),
                    None => Err(format!(
                        "@{reference} names no record; give a record the referenceId \
                         {reference} or fix the reference"
                    )),
                }
            };
            let parent_id = r
                .parent
                .as_ref()
                .map(|(p, f)| (ids[*p].clone().expect("parent first"), f));
            let rec = self
                .build(r, parent_id, &lookup)
                .map_err(|message| SfdxError::Data {
                    path: files[r.file].clone(),
                    message: format!("record {}: {message}", r.label),
                })?;
            ids[i] = Some(rec.id.clone());
            if let Some(reference) = &r.reference {
                new_refs.push((reference.clone(), rec.id.clone()));
            }
            records.push(rec);
        }
        for rec in &records {
            let name = self.store.schema.get(rec.ty).name.clone();
            *self.report.counts.entry(name).or_insert(0) += 1;
        }
        for (reference, id) in new_refs {
            self.refs.insert(reference.clone(), id.clone());
            self.report.ids.insert(reference, id);
        }
        self.store.put_committed(records);
        Ok(())
    }

    /// The members of a group, each after the records it references and its parent,
    /// otherwise in file order.
    fn order(
        &self,
        files: &[PathBuf],
        pending: &[Pending],
        members: &[usize],
        defined: &HashMap<&str, usize>,
    ) -> Result<Vec<usize>, SfdxError> {
        let in_group: BTreeSet<usize> = members.iter().copied().collect();
        let mut waits_for: HashMap<usize, BTreeSet<usize>> = HashMap::new();
        for &i in members {
            let r = &pending[i];
            let mut deps = BTreeSet::new();
            if let Some((p, _)) = &r.parent {
                deps.insert(*p);
            }
            for (_, v) in &r.values {
                if let Some(j) = v
                    .as_str()
                    .and_then(|s| s.strip_prefix('@'))
                    .and_then(|reference| defined.get(reference))
                    .filter(|j| in_group.contains(j))
                {
                    deps.insert(*j);
                }
            }
            waits_for.insert(i, deps);
        }
        let mut out = Vec::with_capacity(members.len());
        let mut left: BTreeSet<usize> = in_group;
        while !left.is_empty() {
            let ready: Vec<usize> = left
                .iter()
                .copied()
                .filter(|i| waits_for[i].iter().all(|d| !left.contains(d)))
                .collect();
            if ready.is_empty() {
                let stuck: Vec<&str> = left.iter().map(|&i| pending[i].label.as_str()).collect();
                let first = &pending[*left.first().expect("not empty")];
                return Err(SfdxError::Data {
                    path: files[first.file].clone(),
                    message: format!(
                        "records {} cannot be ordered: their @references form a cycle; \
                         remove one reference and set it after loading",
                        stuck.join(", ")
                    ),
                });
            }
            for i in ready {
                left.remove(&i);
                out.push(i);
            }
        }
        Ok(out)
    }

    fn read_file(&self, path: &Path, file: usize, out: &mut Vec<Pending>) -> Result<(), SfdxError> {
        let text = std::fs::read_to_string(path).map_err(io(path))?;
        let err = |message: String| SfdxError::Data {
            path: path.to_path_buf(),
            message,
        };
        let doc: Json = serde_json::from_str(&text)
            .map_err(|e| err(format!("not valid JSON: {e}; fix the file")))?;
        let Some(records) = doc.get("records").and_then(Json::as_array) else {
            return Err(err(
                "not an sf data tree file: it has no \"records\" array; write \
                 {\"records\": [...]} or move the file out of the data directory"
                    .to_string(),
            ));
        };
        for (n, rec) in records.iter().enumerate() {
            self.read_record(path, file, rec, n + 1, None, out)?;
        }
        Ok(())
    }

    /// Reads a record and, after it, its nested children.
    fn read_record(
        &self,
        path: &Path,
        file: usize,
        rec: &Json,
        n: usize,
        parent: Option<(usize, SObjectTypeId, String)>,
        out: &mut Vec<Pending>,
    ) -> Result<(), SfdxError> {
        let schema = &self.store.schema;
        let Some(obj) = rec.as_object() else {
            return Err(SfdxError::Data {
                path: path.to_path_buf(),
                message: format!(
                    "record #{n} is not a JSON object; write {{\"attributes\": ..., fields}}"
                ),
            });
        };
        let attrs = obj.get("attributes");
        let reference = attrs
            .and_then(|a| a.get("referenceId"))
            .and_then(Json::as_str)
            .map(str::to_string);
        let label = reference.clone().unwrap_or_else(|| format!("#{n}"));
        let err = |message: String| SfdxError::Data {
            path: path.to_path_buf(),
            message: format!("record {label}: {message}"),
        };
        let type_name = attrs.and_then(|a| a.get("type")).and_then(Json::as_str);
        let ty = match (type_name, &parent) {
            (Some(t), _) => self.find_type(t).ok_or_else(|| {
                err(format!(
                    "unknown sObject type `{t}`; write one of {} in attributes.type",
                    schema
                        .objects
                        .iter()
                        .map(|o| o.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?,
            (None, Some((_, child_ty, _))) => *child_ty,
            (None, None) => {
                return Err(err(
                    "no attributes.type; add \"attributes\": {\"type\": \"Account\", \"referenceId\": \"AccountRef1\"}"
                        .to_string(),
                ));
            }
        };
        if let Some((_, child_ty, _)) = &parent
            && *child_ty != ty
        {
            return Err(err(format!(
                "its type is {} but the relationship holds {} records; fix attributes.type",
                schema.get(ty).name,
                schema.get(*child_ty).name
            )));
        }
        let desc = schema.get(ty);
        let index = out.len();
        let mut values = Vec::new();
        let mut children = Vec::new();
        for (key, v) in obj {
            if key == "attributes" {
                continue;
            }
            match v.get("records").and_then(Json::as_array) {
                Some(kids) if v.is_object() => {
                    let Some((_, child_type, field)) = self.find_children(desc, key) else {
                        return Err(err(format!(
                            "`{key}` is not a child relationship of {}; use one of: {}",
                            desc.name,
                            names(desc.children.iter().map(|c| c.0.as_str()))
                        )));
                    };
                    let child_ty = schema.find(child_type).expect("linked children exist");
                    children.push((kids, child_ty, field.clone()));
                }
                _ => values.push((key.clone(), v.clone())),
            }
        }
        out.push(Pending {
            file,
            label,
            reference,
            ty,
            values,
            parent: parent.map(|(p, _, f)| (p, f)),
        });
        for (kids, child_ty, field) in children {
            for (k, kid) in kids.iter().enumerate() {
                self.read_record(
                    path,
                    file,
                    kid,
                    k + 1,
                    Some((index, child_ty, field.clone())),
                    out,
                )?;
            }
        }
        Ok(())
    }

    /// The names a name written in a file may stand for: as written, then with the
    /// namespace of the context.
    fn candidates(&self, name: &str) -> [String; 2] {
        [name.to_string(), qualify(name, &self.namespace)]
    }

    fn find_type(&self, name: &str) -> Option<SObjectTypeId> {
        self.candidates(name)
            .iter()
            .find_map(|n| self.store.schema.find(n))
    }

    fn find_field<'d>(&self, desc: &'d SObjectDesc, name: &str) -> Option<&'d FieldDesc> {
        self.candidates(name).iter().find_map(|n| desc.field(n))
    }

    fn find_children<'d>(
        &self,
        desc: &'d SObjectDesc,
        name: &str,
    ) -> Option<&'d (String, String, String)> {
        self.candidates(name)
            .iter()
            .find_map(|n| desc.children.iter().find(|c| c.0.eq_ignore_ascii_case(n)))
    }

    /// The stored form of a pending record; errors say what is wrong and how to fix it.
    fn build(
        &self,
        r: &Pending,
        parent: Option<(String, &String)>,
        lookup: &dyn Fn(&str) -> Result<String, String>,
    ) -> Result<StoredRecord, String> {
        let desc = self.store.schema.get(r.ty);
        let id = self.store.next_id(r.ty);
        let mut fields: HashMap<String, FieldValue> = HashMap::new();
        fields.insert("id".into(), FieldValue::Id(id.clone()));
        for (name, v) in &r.values {
            let Some(f) = self.find_field(desc, name) else {
                return Err(format!(
                    "{} has no field `{name}`; fix the name or remove it (fields: {})",
                    desc.name,
                    names(desc.fields.iter().map(|f| f.name.as_str()))
                ));
            };
            let writable = match f.ty {
                FieldType::Id => Err(
                    "ids are assigned on load; remove it and refer to the record as @referenceId",
                ),
                FieldType::Formula => {
                    Err("it is a formula field, computed by the platform; remove it")
                }
                FieldType::AutoNumber => {
                    Err("it is an auto-number field, numbered on load; remove it")
                }
                _ => Ok(()),
            };
            writable.map_err(|why| format!("field {}: {why}", f.name))?;
            let value = self
                .convert(f, v, lookup)
                .map_err(|why| format!("field {}: {why}", f.name))?;
            fields.insert(f.name.to_ascii_lowercase(), value);
        }
        if let Some((parent_id, field)) = parent {
            fields.insert(field.to_ascii_lowercase(), FieldValue::Id(parent_id));
        }
        self.fill_in(desc, &mut fields);
        let missing: Vec<&str> = desc
            .fields
            .iter()
            .filter(|f| f.required && !matches!(f.ty, FieldType::AutoNumber | FieldType::Formula))
            .filter(|f| {
                fields
                    .get(&f.name.to_ascii_lowercase())
                    .is_none_or(FieldValue::is_blank)
            })
            .map(|f| f.name.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "required fields are missing: [{}]; add them to the record",
                missing.join(", ")
            ));
        }
        Ok(StoredRecord {
            id,
            ty: r.ty,
            fields,
            deleted: false,
        })
    }

    /// What the platform sets on insert: defaults of absent fields, unchecked
    /// checkboxes, auto-numbers, audit dates, and the compound `Name` of people.
    fn fill_in(&self, desc: &SObjectDesc, fields: &mut HashMap<String, FieldValue>) {
        for f in &desc.fields {
            let key = f.name.to_ascii_lowercase();
            if f.ty == FieldType::AutoNumber {
                let n = self.store.next_autonumber(desc.id, &f.name);
                fields.insert(
                    key,
                    FieldValue::Str(f.format_autonumber(n, self.now.date())),
                );
                continue;
            }
            if fields.contains_key(&key) || f.ty == FieldType::Formula {
                continue;
            }
            let default = f.default.as_deref().and_then(|d| self.default_value(f, d));
            match default {
                Some(v) => {
                    fields.insert(key, v);
                }
                None if f.ty == FieldType::Checkbox => {
                    fields.insert(key, FieldValue::Bool(false));
                }
                None => {}
            }
        }
        for stamp in ["createddate", "lastmodifieddate", "systemmodstamp"] {
            if desc.field(stamp).is_some() {
                fields
                    .entry(stamp.to_string())
                    .or_insert(FieldValue::Datetime(self.now));
            }
        }
        if let Some(user) = &self.user {
            for by in ["createdbyid", "lastmodifiedbyid", "ownerid"] {
                if desc.field(by).is_some() {
                    let v = fields.entry(by.to_string()).or_insert(FieldValue::Null);
                    if v.is_blank() {
                        *v = FieldValue::Id(user.clone());
                    }
                }
            }
        }
        let is_formula = |n: &str| {
            desc.field(n)
                .is_some_and(|f| f.ty == FieldType::Formula && f.formula.is_none())
        };
        if is_formula("Name") && desc.field("LastName").is_some() {
            let part = |k: &str| {
                fields
                    .get(k)
                    .and_then(FieldValue::as_text)
                    .unwrap_or("")
                    .to_string()
            };
            let full = [part("firstname"), part("lastname")]
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            if !full.is_empty() {
                fields.insert("name".into(), FieldValue::Str(full));
            }
        }
    }

    /// A field's default value as stored; None for expressions the loader cannot
    /// evaluate (anything but literals, `TODAY()` and `NOW()`).
    fn default_value(&self, f: &FieldDesc, d: &str) -> Option<FieldValue> {
        match d.trim().to_ascii_uppercase().as_str() {
            "TODAY()" => return Some(FieldValue::Date(self.now.date())),
            "NOW()" => return Some(FieldValue::Datetime(self.now)),
            _ => {}
        }
        let v = match f.apex_ty {
            Ty::String => Json::String(d.to_string()),
            Ty::Boolean => Json::Bool(d.trim().eq_ignore_ascii_case("true")),
            _ => Json::String(d.trim().to_string()),
        };
        self.convert(f, &v, &|_| Err(String::new())).ok()
    }

    /// A JSON value as a value of the field's type.
    fn convert(
        &self,
        f: &FieldDesc,
        v: &Json,
        lookup: &dyn Fn(&str) -> Result<String, String>,
    ) -> Result<FieldValue, String> {
        if v.is_null() {
            return Ok(FieldValue::Null);
        }
        let text = v.as_str();
        let bad = |want: &str| format!("`{v}` is not {want}; write {}", example(&f.apex_ty));
        Ok(match f.apex_ty {
            Ty::Id => {
                let s = text.ok_or_else(|| bad("an id"))?;
                if let Some(reference) = s.strip_prefix('@') {
                    FieldValue::Id(lookup(reference)?)
                } else {
                    let id = crate::vm::builtins::id::to_18(s).ok_or_else(|| bad("an id"))?;
                    FieldValue::Id(id)
                }
            }
            Ty::String => match v {
                Json::String(s) => FieldValue::Str(s.clone()),
                Json::Number(n) => FieldValue::Str(n.to_string()),
                Json::Bool(b) => FieldValue::Str(b.to_string()),
                Json::Array(items) if f.ty == FieldType::MultiPicklist => {
                    let parts: Option<Vec<&str>> = items.iter().map(Json::as_str).collect();
                    FieldValue::Str(parts.ok_or_else(|| bad("a list of values"))?.join(";"))
                }
                _ => return Err(bad("text")),
            },
            Ty::Boolean => match (v, text.map(str::to_ascii_lowercase).as_deref()) {
                (Json::Bool(b), _) => FieldValue::Bool(*b),
                (_, Some("true")) => FieldValue::Bool(true),
                (_, Some("false")) => FieldValue::Bool(false),
                _ => return Err(bad("a boolean")),
            },
            Ty::Decimal => {
                let d = number_text(v)
                    .and_then(|t| {
                        Decimal::from_str(&t)
                            .or_else(|_| Decimal::from_scientific(&t))
                            .ok()
                    })
                    .ok_or_else(|| bad("a number"))?;
                let scale = f.scale.min(28);
                let mut d = d.round_dp_with_strategy(scale, RoundingStrategy::MidpointAwayFromZero);
                d.rescale(scale);
                FieldValue::Dec(d)
            }
            Ty::Integer | Ty::Long => {
                let n = number_text(v)
                    .and_then(|t| t.parse::<i64>().ok())
                    .ok_or_else(|| bad("a whole number"))?;
                FieldValue::Int(n)
            }
            Ty::Double => {
                let n = number_text(v)
                    .and_then(|t| t.parse::<f64>().ok())
                    .ok_or_else(|| bad("a number"))?;
                FieldValue::Double(n)
            }
            Ty::Date => {
                let s = text.ok_or_else(|| bad("a date"))?;
                FieldValue::Date(
                    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| bad("a date"))?,
                )
            }
            Ty::Datetime => {
                let s = text.ok_or_else(|| bad("a datetime"))?;
                FieldValue::Datetime(parse_datetime(s).ok_or_else(|| bad("a datetime"))?)
            }
            Ty::Time => {
                let s = text.ok_or_else(|| bad("a time"))?;
                let s = s.trim_end_matches('Z');
                FieldValue::Time(
                    NaiveTime::parse_from_str(s, "%H:%M:%S%.f").map_err(|_| bad("a time"))?,
                )
            }
            _ => {
                return Err(format!(
                    "fields of type {:?} cannot be loaded from data files",
                    f.ty
                ));
            }
        })
    }
}

/// The text of a JSON number, or of a string holding one.
fn number_text(v: &Json) -> Option<String> {
    match v {
        Json::Number(n) => Some(n.to_string()),
        Json::String(s) => Some(s.trim().to_string()),
        _ => None,
    }
}

/// An ISO 8601 datetime as UTC: `2024-05-02T10:00:00.000Z`, `...+0000`, `...+02:00`,
/// or without a zone (taken as UTC).
fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.naive_utc());
    }
    if let Ok(d) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Some(d.naive_utc());
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
}

/// An example value of a type, for error messages.
fn example(ty: &Ty) -> &'static str {
    match ty {
        Ty::Id => "an 18-character id or \"@ReferenceId\"",
        Ty::Boolean => "true or false",
        Ty::Decimal | Ty::Double => "a number such as 12.50",
        Ty::Integer | Ty::Long => "a whole number such as 12",
        Ty::Date => "\"2024-01-31\"",
        Ty::Datetime => "\"2024-01-31T09:30:00.000Z\"",
        Ty::Time => "\"09:30:00.000Z\"",
        _ => "a string",
    }
}

fn names<'a>(it: impl Iterator<Item = &'a str>) -> String {
    it.collect::<Vec<_>>().join(", ")
}
