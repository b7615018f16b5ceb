//! `List`, `Set` and `Map` methods.

use std::cmp::Ordering;

use super::{Method, Ret, arg_int, m};
use crate::vm::interp::eval::coerce_elem;
use crate::vm::interp::{Interp, R};
use crate::vm::types::Ty;
use crate::vm::value::{Key, NativeObj, OrderedMap, OrderedSet, Value};

pub static LIST_METHODS: &[Method] = &[
    m("add", 1, 2, Ret::Void, list_add),
    m("addall", 1, 1, Ret::Void, list_add_all),
    m("get", 1, 1, Ret::Elem, list_get),
    m("set", 2, 2, Ret::Void, list_set),
    m("remove", 1, 1, Ret::Elem, list_remove),
    m("size", 0, 0, Ret::Int, list_size),
    m("isempty", 0, 0, Ret::Bool, list_is_empty),
    m("contains", 1, 1, Ret::Bool, list_contains),
    m("indexof", 1, 1, Ret::Int, list_index_of),
    m("clear", 0, 0, Ret::Void, list_clear),
    m("clone", 0, 0, Ret::Recv, list_clone),
    m("deepclone", 0, 3, Ret::Recv, list_clone),
    m("sort", 0, 1, Ret::Void, list_sort),
    m("equals", 1, 1, Ret::Bool, coll_equals),
    m("hashcode", 0, 0, Ret::Int, super::misc::hash_code),
    m("iterator", 0, 0, Ret::IterElem, iterator),
    m("tostring", 0, 0, Ret::Str, to_string),
];

pub static SET_METHODS: &[Method] = &[
    m("add", 1, 1, Ret::Bool, set_add),
    m("addall", 1, 1, Ret::Bool, set_add_all),
    m("contains", 1, 1, Ret::Bool, set_contains),
    m("containsall", 1, 1, Ret::Bool, set_contains_all),
    m("remove", 1, 1, Ret::Bool, set_remove),
    m("removeall", 1, 1, Ret::Bool, set_remove_all),
    m("retainall", 1, 1, Ret::Bool, set_retain_all),
    m("size", 0, 0, Ret::Int, set_size),
    m("isempty", 0, 0, Ret::Bool, set_is_empty),
    m("clear", 0, 0, Ret::Void, set_clear),
    m("clone", 0, 0, Ret::Recv, set_clone),
    m("equals", 1, 1, Ret::Bool, coll_equals),
    m("hashcode", 0, 0, Ret::Int, super::misc::hash_code),
    m("iterator", 0, 0, Ret::IterElem, iterator),
    m("tostring", 0, 0, Ret::Str, to_string),
];

pub static MAP_METHODS: &[Method] = &[
    m("put", 2, 2, Ret::Val, map_put),
    m("get", 1, 1, Ret::Val, map_get),
    m("containskey", 1, 1, Ret::Bool, map_contains_key),
    m("remove", 1, 1, Ret::Val, map_remove),
    m("keyset", 0, 0, Ret::SetKey, map_key_set),
    m("values", 0, 0, Ret::ListVal, map_values),
    m("size", 0, 0, Ret::Int, map_size),
    m("isempty", 0, 0, Ret::Bool, map_is_empty),
    m("clear", 0, 0, Ret::Void, map_clear),
    m("putall", 1, 1, Ret::Void, map_put_all),
    m("clone", 0, 0, Ret::Recv, map_clone),
    m("deepclone", 0, 0, Ret::Recv, map_clone),
    m("equals", 1, 1, Ret::Bool, coll_equals),
    m("hashcode", 0, 0, Ret::Int, super::misc::hash_code),
    m("tostring", 0, 0, Ret::Str, to_string),
];

fn to_string(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let s = i.to_display(&r)?;
    Ok(Value::str(s))
}

/// The items of any iterable collection value.
pub fn items_of(i: &mut Interp<'_>, v: &Value) -> R<Vec<Value>> {
    match v {
        Value::List(l) => Ok(l.borrow().items.clone()),
        Value::Set(s) => Ok(s.borrow().items.iter().map(|k| k.0.clone()).collect()),
        Value::Null => Err(i.npe()),
        _ => Ok(Vec::new()),
    }
}

fn list_of(
    i: &mut Interp<'_>,
    r: &Value,
) -> R<std::rc::Rc<std::cell::RefCell<crate::vm::value::ListObj>>> {
    match r {
        Value::List(l) => Ok(l.clone()),
        _ => Err(i.npe()),
    }
}

fn out_of_bounds(i: &mut Interp<'_>, idx: i64) -> crate::vm::interp::Throw {
    i.throw_sys("ListException", format!("List index out of bounds: {idx}"))
}

fn list_add(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let l = list_of(i, &r)?;
    if a.len() == 2 {
        let idx = arg_int(i, a, 0)?;
        let mut l = l.borrow_mut();
        if idx < 0 || idx as usize > l.items.len() {
            drop(l);
            return Err(out_of_bounds(i, idx));
        }
        let v = coerce_elem(a[1].clone(), &l.elem);
        l.items.insert(idx as usize, v);
        return Ok(Value::Null);
    }
    let mut l = l.borrow_mut();
    let v = coerce_elem(a[0].clone(), &l.elem);
    l.items.push(v);
    Ok(Value::Null)
}

fn list_add_all(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let l = list_of(i, &r)?;
    let items = items_of(i, &a[0])?;
    let mut l = l.borrow_mut();
    let elem = l.elem.clone();
    l.items
        .extend(items.into_iter().map(|v| coerce_elem(v, &elem)));
    Ok(Value::Null)
}

fn list_get(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let l = list_of(i, &r)?;
    let idx = arg_int(i, a, 0)?;
    let v = l.borrow().items.get(idx as usize).cloned();
    match v {
        Some(v) if idx >= 0 => Ok(v),
        _ => Err(out_of_bounds(i, idx)),
    }
}

fn list_set(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let l = list_of(i, &r)?;
    let idx = arg_int(i, a, 0)?;
    let mut l = l.borrow_mut();
    if idx < 0 || idx as usize >= l.items.len() {
        drop(l);
        return Err(out_of_bounds(i, idx));
    }
    let v = coerce_elem(a[1].clone(), &l.elem);
    l.items[idx as usize] = v;
    Ok(Value::Null)
}

fn list_remove(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let l = list_of(i, &r)?;
    let idx = arg_int(i, a, 0)?;
    let mut l = l.borrow_mut();
    if idx < 0 || idx as usize >= l.items.len() {
        drop(l);
        return Err(out_of_bounds(i, idx));
    }
    Ok(l.items.remove(idx as usize))
}

fn list_size(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let l = list_of(i, &r)?;
    Ok(Value::Int(l.borrow().items.len() as i32))
}

fn list_is_empty(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let l = list_of(i, &r)?;
    Ok(Value::Bool(l.borrow().items.is_empty()))
}

fn list_index_of(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let l = list_of(i, &r)?;
    let (items, elem) = {
        let l = l.borrow();
        (l.items.clone(), l.elem.clone())
    };
    let want = coerce_elem(a[0].clone(), &elem);
    for (k, v) in items.iter().enumerate() {
        // Strings match case-sensitively here, unlike `==`; objects use their equals().
        let same = match v {
            Value::Obj(_) => i.apex_eq(v, &want)?,
            _ => Key(v.clone()) == Key(want.clone()),
        };
        if same {
            return Ok(Value::Int(k as i32));
        }
    }
    Ok(Value::Int(-1))
}

fn list_contains(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let idx = list_index_of(i, r, a)?;
    Ok(Value::Bool(!matches!(idx, Value::Int(-1))))
}

fn list_clear(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let l = list_of(i, &r)?;
    l.borrow_mut().items.clear();
    Ok(Value::Null)
}

fn list_clone(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let l = list_of(i, &r)?;
    let l = l.borrow();
    let items = l
        .items
        .iter()
        .map(|v| match v {
            // sObjects are copied by clone(); other references are shared.
            Value::SObj(s) => Value::SObj(std::rc::Rc::new(std::cell::RefCell::new(
                s.borrow().clone(),
            ))),
            v => v.clone(),
        })
        .collect();
    Ok(Value::list(l.elem.clone(), items))
}

/// Sort order used by `List.sort()`: nulls first, then the natural order of the type,
/// `compareTo` for Comparable objects.
pub fn sort_compare(i: &mut Interp<'_>, a: &Value, b: &Value) -> R<Ordering> {
    match (a, b) {
        (Value::Null, Value::Null) => Ok(Ordering::Equal),
        (Value::Null, _) => Ok(Ordering::Less),
        (_, Value::Null) => Ok(Ordering::Greater),
        (Value::Str(x), Value::Str(y)) => Ok(x.as_str().cmp(y.as_str())),
        (Value::Obj(o), _) => {
            if i.find_method(o.class, "compareto", 1).is_some() {
                let r = i.call_dynamic(a.clone(), "compareto", vec![b.clone()])?;
                Ok(crate::vm::interp::ops::to_i64(&r).cmp(&0))
            } else {
                Err(i.throw_sys(
                    "ListException",
                    "One or more of the items in this list is not Comparable".into(),
                ))
            }
        }
        (Value::SObj(x), Value::SObj(y)) => {
            let nx = x
                .borrow()
                .fields
                .get("name")
                .map(|f| f.1.clone())
                .unwrap_or_default();
            let ny = y
                .borrow()
                .fields
                .get("name")
                .map(|f| f.1.clone())
                .unwrap_or_default();
            Ok(i.compare(&nx, &ny)?.unwrap_or(Ordering::Equal))
        }
        _ => Ok(i.compare(a, b)?.unwrap_or(Ordering::Equal)),
    }
}

/// A stable merge sort whose comparator may throw.
pub fn sort_values(
    i: &mut Interp<'_>,
    items: &mut Vec<Value>,
    cmp: &mut dyn FnMut(&mut Interp<'_>, &Value, &Value) -> R<Ordering>,
) -> R<()> {
    if items.len() < 2 {
        return Ok(());
    }
    let mid = items.len() / 2;
    let mut right = items.split_off(mid);
    let mut left = std::mem::take(items);
    sort_values(i, &mut left, cmp)?;
    sort_values(i, &mut right, cmp)?;
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut l, mut r) = (left.into_iter().peekable(), right.into_iter().peekable());
    while let (Some(x), Some(y)) = (l.peek(), r.peek()) {
        if cmp(i, y, x)? == Ordering::Less {
            out.push(r.next().expect("peeked"));
        } else {
            out.push(l.next().expect("peeked"));
        }
    }
    out.extend(l);
    out.extend(r);
    *items = out;
    Ok(())
}

fn list_sort(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let l = list_of(i, &r)?;
    let mut items = l.borrow().items.clone();
    match a.first() {
        Some(cmp @ Value::Obj(_)) => {
            let cmp = cmp.clone();
            sort_values(i, &mut items, &mut |i, x, y| {
                let r = i.call_dynamic(cmp.clone(), "compare", vec![x.clone(), y.clone()])?;
                Ok(crate::vm::interp::ops::to_i64(&r).cmp(&0))
            })?;
        }
        Some(Value::Null) => return Err(i.npe()),
        _ => sort_values(i, &mut items, &mut |i, x, y| sort_compare(i, x, y))?,
    }
    l.borrow_mut().items = items;
    Ok(Value::Null)
}

fn coll_equals(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    Ok(Value::Bool(i.apex_eq(&r, &a[0])?))
}

fn iterator(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let items = items_of(i, &r)?;
    Ok(Value::Native(std::rc::Rc::new(std::cell::RefCell::new(
        NativeObj::Iterator { items, pos: 0 },
    ))))
}

/// The key under which `v` is stored: for objects whose class defines `equals`, an
/// existing equal key (so that user equality decides membership), else `v` itself.
pub fn canonical_key(i: &mut Interp<'_>, keys: impl Iterator<Item = Value>, v: Value) -> R<Key> {
    if let Value::Obj(o) = &v
        && i.find_method(o.class, "equals", 1).is_some()
    {
        let existing: Vec<Value> = keys.collect();
        for k in existing {
            if matches!(k, Value::Obj(_)) && i.apex_eq(&k, &v)? {
                return Ok(Key(k));
            }
        }
    }
    Ok(Key(v))
}

fn set_key(
    i: &mut Interp<'_>,
    s: &std::rc::Rc<std::cell::RefCell<crate::vm::value::SetObj>>,
    v: &Value,
) -> R<Key> {
    let (v, keys) = {
        let s = s.borrow();
        let v = coerce_elem(v.clone(), &s.elem);
        let keys: Vec<Value> = if matches!(v, Value::Obj(_)) {
            s.items.iter().map(|k| k.0.clone()).collect()
        } else {
            Vec::new()
        };
        (v, keys)
    };
    canonical_key(i, keys.into_iter(), v)
}

fn map_key(i: &mut Interp<'_>, m: &MapRef, v: &Value) -> R<Key> {
    let (v, keys) = {
        let m = m.borrow();
        let v = coerce_elem(v.clone(), &m.key);
        let keys: Vec<Value> = if matches!(v, Value::Obj(_)) {
            m.items.keys().map(|k| k.0.clone()).collect()
        } else {
            Vec::new()
        };
        (v, keys)
    };
    canonical_key(i, keys.into_iter(), v)
}

fn set_of(
    i: &mut Interp<'_>,
    r: &Value,
) -> R<std::rc::Rc<std::cell::RefCell<crate::vm::value::SetObj>>> {
    match r {
        Value::Set(s) => Ok(s.clone()),
        _ => Err(i.npe()),
    }
}

fn set_add(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let s = set_of(i, &r)?;
    let k = set_key(i, &s, &a[0])?;
    Ok(Value::Bool(s.borrow_mut().items.insert(k)))
}

/// Adds a value to a set value with the set's key rules.
pub fn set_insert(i: &mut Interp<'_>, set: &Value, v: Value) -> R<bool> {
    let s = set_of(i, set)?;
    let k = set_key(i, &s, &v)?;
    Ok(s.borrow_mut().items.insert(k))
}

fn set_add_all(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let s = set_of(i, &r)?;
    let items = items_of(i, &a[0])?;
    let mut changed = false;
    for v in items {
        let k = set_key(i, &s, &v)?;
        changed |= s.borrow_mut().items.insert(k);
    }
    Ok(Value::Bool(changed))
}

fn set_contains(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let s = set_of(i, &r)?;
    let k = set_key(i, &s, &a[0])?;
    Ok(Value::Bool(s.borrow().items.contains(&k)))
}

fn set_contains_all(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let s = set_of(i, &r)?;
    let items = items_of(i, &a[0])?;
    let s = s.borrow();
    Ok(Value::Bool(
        items.into_iter().all(|v| s.items.contains(&Key(v))),
    ))
}

fn set_remove(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let s = set_of(i, &r)?;
    let k = set_key(i, &s, &a[0])?;
    Ok(Value::Bool(s.borrow_mut().items.shift_remove(&k)))
}

fn set_remove_all(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let s = set_of(i, &r)?;
    let items = items_of(i, &a[0])?;
    let mut s = s.borrow_mut();
    let mut changed = false;
    for v in items {
        changed |= s.items.shift_remove(&Key(v));
    }
    Ok(Value::Bool(changed))
}

fn set_retain_all(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let s = set_of(i, &r)?;
    let keep: OrderedSet<Key> = items_of(i, &a[0])?.into_iter().map(Key).collect();
    let mut s = s.borrow_mut();
    let before = s.items.len();
    s.items.retain(|k| keep.contains(k));
    Ok(Value::Bool(s.items.len() != before))
}

fn set_size(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let s = set_of(i, &r)?;
    Ok(Value::Int(s.borrow().items.len() as i32))
}

fn set_is_empty(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let s = set_of(i, &r)?;
    Ok(Value::Bool(s.borrow().items.is_empty()))
}

fn set_clear(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let s = set_of(i, &r)?;
    s.borrow_mut().items.clear();
    Ok(Value::Null)
}

fn set_clone(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let s = set_of(i, &r)?;
    let s = s.borrow();
    Ok(Value::set(s.elem.clone(), s.items.clone()))
}

type MapRef = std::rc::Rc<std::cell::RefCell<crate::vm::value::MapObj>>;

fn map_of(i: &mut Interp<'_>, r: &Value) -> R<MapRef> {
    match r {
        Value::Map(m) => Ok(m.clone()),
        _ => Err(i.npe()),
    }
}

fn map_put(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let m = map_of(i, &r)?;
    let k = map_key(i, &m, &a[0])?;
    let mut m = m.borrow_mut();
    let v = coerce_elem(a[1].clone(), &m.value);
    Ok(m.items.insert(k, v).unwrap_or_default())
}

fn map_get(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let m = map_of(i, &r)?;
    let k = map_key(i, &m, &a[0])?;
    Ok(m.borrow().items.get(&k).cloned().unwrap_or_default())
}

fn map_contains_key(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let m = map_of(i, &r)?;
    let k = map_key(i, &m, &a[0])?;
    Ok(Value::Bool(m.borrow().items.contains_key(&k)))
}

fn map_remove(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let m = map_of(i, &r)?;
    let k = map_key(i, &m, &a[0])?;
    Ok(m.borrow_mut().items.shift_remove(&k).unwrap_or_default())
}

fn map_key_set(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let m = map_of(i, &r)?;
    let m = m.borrow();
    Ok(Value::set(m.key.clone(), m.items.keys().cloned().collect()))
}

fn map_values(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let m = map_of(i, &r)?;
    let m = m.borrow();
    Ok(Value::list(
        m.value.clone(),
        m.items.values().cloned().collect(),
    ))
}

fn map_size(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let m = map_of(i, &r)?;
    Ok(Value::Int(m.borrow().items.len() as i32))
}

fn map_is_empty(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let m = map_of(i, &r)?;
    Ok(Value::Bool(m.borrow().items.is_empty()))
}

fn map_clear(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let m = map_of(i, &r)?;
    m.borrow_mut().items.clear();
    Ok(Value::Null)
}

fn map_put_all(i: &mut Interp<'_>, r: Value, a: &[Value]) -> R<Value> {
    let m = map_of(i, &r)?;
    match &a[0] {
        Value::Map(o) => {
            let other = o.borrow().items.clone();
            let mut m = m.borrow_mut();
            for (k, v) in other {
                m.items.insert(k, v);
            }
        }
        Value::List(l) => {
            // putAll(List<SObject>) keys the records by Id.
            let items = l.borrow().items.clone();
            for v in items {
                let id = i.sobject_get(&v, "Id")?;
                m.borrow_mut().items.insert(Key(id), v);
            }
        }
        Value::Null => return Err(i.npe()),
        _ => {}
    }
    Ok(Value::Null)
}

fn map_clone(i: &mut Interp<'_>, r: Value, _: &[Value]) -> R<Value> {
    let m = map_of(i, &r)?;
    let m = m.borrow();
    Ok(Value::map(m.key.clone(), m.value.clone(), m.items.clone()))
}

/// Builds `new List<T>(src)`, `new Set<T>(src)` or `new Map<K,V>(src)`.
pub fn copy_collection(i: &mut Interp<'_>, target: &Ty, src: Value) -> R<Value> {
    if src.is_null() {
        return Err(i.npe());
    }
    match target {
        Ty::List(e) => {
            let items = items_of(i, &src)?;
            Ok(Value::list(
                (**e).clone(),
                items.into_iter().map(|v| coerce_elem(v, e)).collect(),
            ))
        }
        Ty::Set(e) => {
            let items = items_of(i, &src)?;
            Ok(Value::set(
                (**e).clone(),
                items.into_iter().map(|v| Key(coerce_elem(v, e))).collect(),
            ))
        }
        Ty::Map(k, v) => {
            let mut out = OrderedMap::default();
            match &src {
                Value::Map(m) => {
                    for (key, val) in m.borrow().items.iter() {
                        out.insert(key.clone(), val.clone());
                    }
                }
                _ => {
                    for rec in items_of(i, &src)? {
                        let id = i.sobject_get(&rec, "Id")?;
                        out.insert(Key(id), rec);
                    }
                }
            }
            Ok(Value::map((**k).clone(), (**v).clone(), out))
        }
        _ => Ok(src),
    }
}
