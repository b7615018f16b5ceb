//! Apex REST: `RestContext.request` / `.response`, the `RestRequest` and
//! `RestResponse` records, and routing a call to a `@RestResource` class.

use crate::vm::builtins::{Method, Ret, arg_str, m};
use crate::vm::interp::{Interp, R};
use crate::vm::types::{NativeClass, Ty};
use crate::vm::value::{Key, OrderedMap, Value};

fn string_map() -> Value {
    Value::map(Ty::String, Ty::String, OrderedMap::default())
}

/// A REST request as a record value.
pub fn request_value(method: &str, uri: &str, resource_path: &str, body: Option<Vec<u8>>) -> Value {
    Value::record(
        NativeClass::RestRequest,
        vec![
            ("httpMethod", Value::str(method.to_string())),
            ("requestURI", Value::str(uri.to_string())),
            ("resourcePath", Value::str(resource_path.to_string())),
            (
                "requestBody",
                body.map(|b| Value::Blob(std::rc::Rc::new(b)))
                    .unwrap_or_default(),
            ),
            ("remoteAddress", Value::str("127.0.0.1".to_string())),
            ("headers", string_map()),
            ("params", string_map()),
        ],
    )
}

/// An empty REST response (status 200, as the platform starts it).
pub fn response_value() -> Value {
    Value::record(
        NativeClass::RestResponse,
        vec![
            ("statusCode", Value::Int(200)),
            ("responseBody", Value::Null),
            ("headers", string_map()),
        ],
    )
}

/// `new RestRequest()`.
pub fn new_request(_: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(request_value("", "", "", None))
}

/// `new RestResponse()`: an empty response, status not yet set.
pub fn new_response(_: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    let r = response_value();
    crate::vm::platform::describe::set_record_field(&r, "statusCode", Value::Null);
    Ok(r)
}

/// The constructor of a record type that Apex code may create with `new`.
pub fn constructor(c: NativeClass) -> Option<crate::vm::builtins::NativeFn> {
    match c {
        NativeClass::RestRequest => Some(new_request),
        NativeClass::RestResponse => Some(new_response),
        _ => None,
    }
}

/// The properties of the REST records, with their types.
pub fn property(c: NativeClass, lower: &str) -> Option<Ty> {
    let text_map = || Ty::map(Ty::String, Ty::String);
    Some(match (c, lower) {
        (
            NativeClass::RestRequest,
            "httpmethod" | "requesturi" | "resourcepath" | "remoteaddress",
        ) => Ty::String,
        (NativeClass::RestRequest, "requestbody") | (NativeClass::RestResponse, "responsebody") => {
            Ty::Blob
        }
        (NativeClass::RestRequest, "headers" | "params")
        | (NativeClass::RestResponse, "headers") => text_map(),
        (NativeClass::RestResponse, "statuscode") => Ty::Integer,
        _ => return None,
    })
}

/// `RestContext.request`: the request of a REST call, or null.
pub fn get_request(i: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(i.platform.rest_request.clone().unwrap_or_default())
}

/// `RestContext.response`.
pub fn get_response(i: &mut Interp<'_>, _: Value, _: &[Value]) -> R<Value> {
    Ok(i.platform.rest_response.clone().unwrap_or_default())
}

/// `RestContext.request = r` (tests set up their own requests).
pub fn set_request(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    i.platform.rest_request = a.first().filter(|v| !v.is_null()).cloned();
    Ok(Value::Null)
}

/// `RestContext.response = r`.
pub fn set_response(i: &mut Interp<'_>, _: Value, a: &[Value]) -> R<Value> {
    i.platform.rest_response = a.first().filter(|v| !v.is_null()).cloned();
    Ok(Value::Null)
}

pub static REQUEST_METHODS: &[Method] = &[
    m("addheader", 2, 2, Ret::Void, add_header),
    m("addparameter", 2, 2, Ret::Void, add_parameter),
];

pub static RESPONSE_METHODS: &[Method] = &[m("addheader", 2, 2, Ret::Void, add_header)];

fn put_in(r: &Value, field: &str, k: Value, v: Value) {
    if let Some(Value::Map(m)) = super::describe::record_field(r, field) {
        m.borrow_mut().items.insert(Key(k), v);
    }
}

fn add_header(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let (k, v) = (arg_str(i, a, 0)?, arg_str(i, a, 1)?);
    put_in(&r, "headers", Value::Str(k), Value::Str(v));
    Ok(Value::Null)
}

fn add_parameter(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let (k, v) = (arg_str(i, a, 0)?, arg_str(i, a, 1)?);
    put_in(&r, "params", Value::Str(k), Value::Str(v));
    Ok(Value::Null)
}

/// Whether a `@RestResource(urlMapping=...)` pattern matches a path under
/// `/services/apexrest`: `*` matches any run of characters, and `/x/*` matches
/// `/x` itself too.
pub fn url_matches(pattern: &str, path: &str) -> bool {
    if pattern.strip_suffix("/*") == Some(path) {
        return true;
    }
    fn go(p: &[u8], s: &[u8]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some((b'*', rest)) => (0..=s.len()).any(|k| go(rest, &s[k..])),
            Some((c, rest)) => s.first() == Some(c) && go(rest, &s[1..]),
        }
    }
    go(pattern.as_bytes(), path.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::url_matches;

    #[test]
    fn url_mappings_match_with_wildcards() {
        assert!(url_matches(
            "/acme/invoices/*",
            "/acme/invoices/a01000000000001"
        ));
        assert!(url_matches("/acme/invoices/*", "/acme/invoices/"));
        assert!(!url_matches("/acme/invoices/*", "/acme/payments/1"));
        assert!(url_matches("/acme/invoices", "/acme/invoices"));
        assert!(url_matches("/acme/invoices/*", "/acme/invoices"));
        assert!(!url_matches("/acme/invoices", "/acme/invoices/1"));
    }
}
