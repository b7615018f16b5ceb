//! Schema tokens and describe results, and the methods of the platform's record
//! types (SaveResult, Database.Error, AggregateResult, RestRequest, ...).

use crate::vm::builtins::{Method, Ret, arg_str, m};
use crate::vm::interp::{Interp, R};
use crate::vm::schema::{FieldDesc, FieldType};
use crate::vm::types::{NativeClass, NativeEnum, SObjectTypeId, Ty};
use crate::vm::value::{Key, NativeObj, OrderedMap, Value};

fn rec(kind: NativeClass, fields: Vec<(&'static str, Value)>) -> Value {
    Value::record(kind, fields)
}

/// A field of a record value by name.
pub fn record_field(v: &Value, name: &str) -> Option<Value> {
    match v {
        Value::Native(n) => match &*n.borrow() {
            NativeObj::Record { fields, .. } => fields
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone()),
            NativeObj::Aggregate(fields) => fields
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// Sets a field of a record value (RestResponse.statusCode = 404).
pub fn set_record_field(v: &Value, name: &str, x: Value) -> bool {
    if let Value::Native(n) = v
        && let NativeObj::Record { fields, .. } = &mut *n.borrow_mut()
        && let Some(slot) = fields
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
    {
        slot.1 = x;
        return true;
    }
    false
}

fn sobject_of(i: &mut Interp<'_>, v: &Value) -> R<SObjectTypeId> {
    record_field(v, "sobject")
        .and_then(|x| x.as_i64())
        .map(|x| x as SObjectTypeId)
        .ok_or_else(|| i.npe())
}

fn token(s: SObjectTypeId) -> Value {
    rec(
        NativeClass::SObjectTypeToken,
        vec![("sobject", Value::Int(s as i32))],
    )
}

/// `Account.SObjectType`.
pub fn sobject_type_token(_: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    Ok(token(a[0].as_i64().unwrap_or(0) as SObjectTypeId))
}

/// `Account.Name`: a field token.
pub fn field_token(_: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    Ok(rec(
        NativeClass::SObjectFieldToken,
        vec![("sobject", a[0].clone()), ("field", a[1].clone())],
    ))
}

/// `Schema.SObjectType.Account`: the describe result.
pub fn describe_sobject(_: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    let s = a[0].clone();
    Ok(rec(
        NativeClass::DescribeSObjectResult,
        vec![
            ("sobject", s.clone()),
            (
                "fields",
                rec(NativeClass::SObjectTypeFields, vec![("sobject", s)]),
            ),
        ],
    ))
}

/// `Schema.getGlobalDescribe()`: every type by lower-case name.
pub fn global_describe(i: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    let mut m = OrderedMap::default();
    for o in &i.prog.schema.objects {
        m.insert(Key(Value::str(o.name.to_ascii_lowercase())), token(o.id));
    }
    Ok(Value::map(
        Ty::String,
        Ty::Native(NativeClass::SObjectTypeToken),
        m,
    ))
}

/// A field token from `Schema.SObjectType.Account.fields.Name`.
pub fn fields_member(i: &mut Interp<'_>, fields: &Value, name: &str) -> R<Value> {
    let s = sobject_of(i, fields)?;
    let ns = i.code_namespace();
    match i.prog.schema.lookup_field(s, name, ns) {
        Some(f) => Ok(rec(
            NativeClass::SObjectFieldToken,
            vec![
                ("sobject", Value::Int(s as i32)),
                ("field", Value::str(f.name.clone())),
            ],
        )),
        None => {
            let t = i.prog.schema.get(s).name.clone();
            Err(i.throw_sys("SObjectException", format!("Invalid field {name} for {t}")))
        }
    }
}

/// The methods of a platform record type.
pub fn table(k: NativeClass) -> &'static [Method] {
    match k {
        NativeClass::SObjectTypeToken => TOKEN,
        NativeClass::DescribeSObjectResult => DESCRIBE,
        NativeClass::SObjectTypeFields => FIELDS,
        NativeClass::SObjectFieldToken => FIELD_TOKEN,
        NativeClass::DescribeFieldResult => DESCRIBE_FIELD,
        NativeClass::SaveResult
        | NativeClass::DeleteResult
        | NativeClass::UndeleteResult
        | NativeClass::UpsertResult => RESULT,
        NativeClass::DatabaseError => ERROR,
        NativeClass::AggregateResult => AGGREGATE,
        NativeClass::RestRequest => super::rest::REQUEST_METHODS,
        NativeClass::RestResponse => super::rest::RESPONSE_METHODS,
        NativeClass::QueueableContext => QUEUEABLE_CONTEXT,
        _ => &[],
    }
}

static TOKEN: &[Method] = &[
    m(
        "getdescribe",
        0,
        1,
        Ret::Native(NativeClass::DescribeSObjectResult),
        token_describe,
    ),
    m("newsobject", 0, 2, Ret::SObject, token_new),
    m("tostring", 0, 0, Ret::Str, token_name),
    m("equals", 1, 1, Ret::Bool, equals),
];

static DESCRIBE: &[Method] = &[
    m("getname", 0, 0, Ret::Str, d_name),
    m("getlocalname", 0, 0, Ret::Str, d_local_name),
    m("getlabel", 0, 0, Ret::Str, d_label),
    m("getlabelplural", 0, 0, Ret::Str, d_label_plural),
    m("getkeyprefix", 0, 0, Ret::Str, d_key_prefix),
    m("iscustom", 0, 0, Ret::Bool, d_is_custom),
    m("iscustomsetting", 0, 0, Ret::Bool, d_is_setting),
    m(
        "getsobjecttype",
        0,
        0,
        Ret::Native(NativeClass::SObjectTypeToken),
        d_token,
    ),
    m("isaccessible", 0, 0, Ret::Bool, yes),
    m("iscreateable", 0, 0, Ret::Bool, yes),
    m("isupdateable", 0, 0, Ret::Bool, yes),
    m("isdeletable", 0, 0, Ret::Bool, yes),
    m("isqueryable", 0, 0, Ret::Bool, yes),
];

static FIELDS: &[Method] = &[m("getmap", 0, 0, Ret::Any, fields_map)];

static FIELD_TOKEN: &[Method] = &[
    m(
        "getdescribe",
        0,
        0,
        Ret::Native(NativeClass::DescribeFieldResult),
        field_describe,
    ),
    m("tostring", 0, 0, Ret::Str, f_name),
];

static DESCRIBE_FIELD: &[Method] = &[
    m("getname", 0, 0, Ret::Str, f_name),
    m("getlocalname", 0, 0, Ret::Str, f_local_name),
    m("getlabel", 0, 0, Ret::Str, f_label),
    m("gettype", 0, 0, Ret::Native(NativeClass::Type), f_type),
    m("iscustom", 0, 0, Ret::Bool, f_is_custom),
    m("isnillable", 0, 0, Ret::Bool, f_nillable),
    m("isexternalid", 0, 0, Ret::Bool, f_external),
    m("isunique", 0, 0, Ret::Bool, f_unique),
    m("getscale", 0, 0, Ret::Int, f_scale),
    m("getlength", 0, 0, Ret::Int, f_length),
    m("getdefaultvalue", 0, 0, Ret::Any, f_default),
    m("getrelationshipname", 0, 0, Ret::Str, f_relationship),
    m("getreferenceto", 0, 0, Ret::Any, f_reference_to),
    m("isaccessible", 0, 0, Ret::Bool, yes),
    m("iscreateable", 0, 0, Ret::Bool, yes),
    m("isupdateable", 0, 0, Ret::Bool, yes),
    m("iscalculated", 0, 0, Ret::Bool, f_calculated),
    m("isautonumber", 0, 0, Ret::Bool, f_autonumber),
];

static RESULT: &[Method] = &[
    m("issuccess", 0, 0, Ret::Bool, r_success),
    m("getid", 0, 0, Ret::Id, r_id),
    m("geterrors", 0, 0, Ret::Any, r_errors),
    m("iscreated", 0, 0, Ret::Bool, r_created),
];

static ERROR: &[Method] = &[
    m("getmessage", 0, 0, Ret::Str, e_message),
    m("getstatuscode", 0, 0, Ret::Any, e_status),
    m("getfields", 0, 0, Ret::ListStr, e_fields),
];

static AGGREGATE: &[Method] = &[m("get", 1, 1, Ret::Any, a_get)];

static QUEUEABLE_CONTEXT: &[Method] = &[m("getjobid", 0, 0, Ret::Id, q_job_id)];

fn yes(_: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(Value::Bool(true))
}

fn equals(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let x = sobject_of(i, &r).ok();
    let y = sobject_of(i, &a[0]).ok();
    Ok(Value::Bool(x.is_some() && x == y))
}

fn token_describe(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let s = sobject_of(i, &r)?;
    describe_sobject(i, Value::Null, &[Value::Int(s as i32)])
}

fn token_new(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let s = sobject_of(i, &r)?;
    let v = i.new_sobject(s, Vec::new())?;
    if let Some(id) = a.first()
        && !id.is_null()
    {
        i.sobject_put(&v, "Id", id.clone())?;
    }
    if matches!(a.get(1), Some(Value::Bool(true)))
        && let Value::SObj(rec) = &v
    {
        super::dml::apply_defaults(i.prog.schema.get(s), &mut rec.borrow_mut());
    }
    Ok(v)
}

fn token_name(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let s = sobject_of(i, &r)?;
    Ok(Value::str(i.prog.schema.get(s).name.clone()))
}

fn with_desc<T>(
    i: &mut Interp<'_>,
    r: &Value,
    f: impl FnOnce(&crate::vm::schema::SObjectDesc) -> T,
) -> R<T> {
    let s = sobject_of(i, r)?;
    Ok(f(i.prog.schema.get(s)))
}

fn d_name(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    with_desc(i, &r, |d| Value::str(d.name.clone()))
}

fn d_local_name(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    with_desc(i, &r, |d| Value::str(local(&d.name, &d.namespace)))
}

/// A name without its namespace prefix.
fn local(name: &str, ns: &str) -> String {
    if ns.is_empty() {
        return name.to_string();
    }
    name.strip_prefix(&format!("{ns}__"))
        .unwrap_or(name)
        .to_string()
}

fn d_label(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    with_desc(i, &r, |d| Value::str(d.label.clone()))
}

fn d_label_plural(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    with_desc(i, &r, |d| Value::str(d.plural_label.clone()))
}

fn d_key_prefix(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    with_desc(i, &r, |d| Value::str(d.key_prefix.clone()))
}

fn d_is_custom(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    with_desc(i, &r, |d| Value::Bool(d.name.ends_with("__c")))
}

fn d_is_setting(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    with_desc(i, &r, |d| Value::Bool(d.custom_setting.is_some()))
}

fn d_token(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let s = sobject_of(i, &r)?;
    Ok(token(s))
}

fn fields_map(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let s = sobject_of(i, &r)?;
    let mut m = OrderedMap::default();
    for f in &i.prog.schema.get(s).fields {
        m.insert(
            Key(Value::str(f.name.to_ascii_lowercase())),
            rec(
                NativeClass::SObjectFieldToken,
                vec![
                    ("sobject", Value::Int(s as i32)),
                    ("field", Value::str(f.name.clone())),
                ],
            ),
        );
    }
    Ok(Value::map(
        Ty::String,
        Ty::Native(NativeClass::SObjectFieldToken),
        m,
    ))
}

fn field_desc<T>(i: &mut Interp<'_>, r: &Value, f: impl FnOnce(&FieldDesc, &str) -> T) -> R<T> {
    let s = sobject_of(i, r)?;
    let name = record_field(r, "field")
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let d = i.prog.schema.get(s);
    match d.field(&name) {
        Some(fd) => Ok(f(fd, &d.namespace)),
        None => Err(i.npe()),
    }
}

/// The describe result of a field token.
pub fn field_describe_of(i: &mut Interp<'_>, token: &Value) -> R<Value> {
    field_describe(i, token.clone(), &[])
}

fn field_describe(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let s = record_field(&r, "sobject").unwrap_or_default();
    let f = record_field(&r, "field").unwrap_or_default();
    Ok(rec(
        NativeClass::DescribeFieldResult,
        vec![("sobject", s), ("field", f)],
    ))
    .and_then(|v| {
        field_desc(i, &v, |_, _| ())?;
        Ok(v)
    })
}

fn f_name(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    field_desc(i, &r, |f, _| Value::str(f.name.clone()))
}

fn f_local_name(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    field_desc(i, &r, |f, ns| Value::str(local(&f.name, ns)))
}

fn f_label(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    field_desc(i, &r, |f, _| Value::str(f.label.clone()))
}

fn display_type(t: FieldType) -> &'static str {
    match t {
        FieldType::Id => "ID",
        FieldType::Text | FieldType::AutoNumber => "STRING",
        FieldType::LongText => "TEXTAREA",
        FieldType::Number => "DOUBLE",
        FieldType::Currency => "CURRENCY",
        FieldType::Percent => "PERCENT",
        FieldType::Checkbox => "BOOLEAN",
        FieldType::Date => "DATE",
        FieldType::DateTime => "DATETIME",
        FieldType::Picklist => "PICKLIST",
        FieldType::Email => "EMAIL",
        FieldType::Phone => "PHONE",
        FieldType::Url => "URL",
        FieldType::Lookup | FieldType::MasterDetail => "REFERENCE",
        _ => "STRING",
    }
}

fn f_type(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let name = field_desc(i, &r, |f, _| display_type(f.ty))?;
    let o = NativeEnum::DisplayType
        .constants()
        .iter()
        .position(|c| *c == name)
        .unwrap_or(0);
    Ok(Value::NativeEnum(NativeEnum::DisplayType, o as u32))
}

fn f_is_custom(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    field_desc(i, &r, |f, _| Value::Bool(f.name.ends_with("__c")))
}

fn f_nillable(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    field_desc(i, &r, |f, _| {
        Value::Bool(!f.required && f.ty != FieldType::Checkbox)
    })
}

fn f_external(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    field_desc(i, &r, |f, _| Value::Bool(f.external_id))
}

fn f_unique(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    field_desc(i, &r, |f, _| Value::Bool(f.unique))
}

fn f_scale(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    field_desc(i, &r, |f, _| Value::Int(f.scale as i32))
}

fn f_length(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    field_desc(i, &r, |f, _| {
        Value::Int(match f.ty {
            FieldType::Text | FieldType::Email | FieldType::Url | FieldType::Picklist => 255,
            FieldType::Phone => 40,
            FieldType::LongText => 32768,
            FieldType::Id | FieldType::Lookup | FieldType::MasterDetail => 18,
            _ => 0,
        })
    })
}

fn f_default(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    field_desc(i, &r, |f, _| {
        f.default.clone().map(Value::str).unwrap_or_default()
    })
}

fn f_relationship(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    field_desc(i, &r, |f, _| {
        f.relationship_name
            .clone()
            .map(Value::str)
            .unwrap_or_default()
    })
}

fn f_reference_to(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let target = field_desc(i, &r, |f, _| f.reference_to.clone())?;
    let items = target
        .and_then(|t| i.prog.schema.find(&t))
        .map(|s| vec![token(s)])
        .unwrap_or_default();
    Ok(Value::list(
        Ty::Native(NativeClass::SObjectTypeToken),
        items,
    ))
}

fn f_calculated(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    field_desc(i, &r, |f, _| Value::Bool(f.ty == FieldType::Formula))
}

fn f_autonumber(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    field_desc(i, &r, |f, _| Value::Bool(f.ty == FieldType::AutoNumber))
}

fn get(v: &Value, name: &str) -> Value {
    record_field(v, name).unwrap_or_default()
}

fn r_success(_: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    Ok(get(&r, "success"))
}

fn r_id(_: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    Ok(get(&r, "id"))
}

fn r_errors(_: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    Ok(get(&r, "errors"))
}

fn r_created(_: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    Ok(get(&r, "created"))
}

fn e_message(_: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    Ok(get(&r, "message"))
}

fn e_status(_: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    Ok(get(&r, "statusCode"))
}

fn e_fields(_: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    Ok(get(&r, "fields"))
}

fn a_get(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let name = arg_str(i, a, 0)?;
    match record_field(&r, &name) {
        Some(v) => Ok(v),
        None => Err(i.throw_sys(
            "SObjectException",
            format!("Invalid field {name} for AggregateResult"),
        )),
    }
}

fn q_job_id(_: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    Ok(get(&r, "jobId"))
}
