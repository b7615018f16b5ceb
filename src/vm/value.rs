//! Run-time values. A request's heap is owned by its thread: `Rc`, no locks.

use std::cell::RefCell;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::rc::Rc;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use indexmap::{IndexMap, IndexSet};
use rust_decimal::Decimal;
use rustc_hash::FxHasher;

use super::sobject::SObject;
use super::types::{ClassId, NativeEnum, Ty};

/// Insertion-ordered hash map used by Apex `Map`.
pub type OrderedMap<K, V> = IndexMap<K, V, BuildHasherDefault<FxHasher>>;
/// Insertion-ordered hash set used by Apex `Set`.
pub type OrderedSet<K> = IndexSet<K, BuildHasherDefault<FxHasher>>;

/// An Apex string. `Rc<String>` so that `s += x` can grow in place when unshared.
pub type Str = Rc<String>;

/// A run-time value.
#[derive(Debug, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Int(i32),
    Long(i64),
    Double(f64),
    Dec(Decimal),
    Str(Str),
    /// An 18-character record id.
    Id(Str),
    Date(NaiveDate),
    /// A GMT date and time.
    Datetime(NaiveDateTime),
    Time(NaiveTime),
    Blob(Rc<Vec<u8>>),
    List(Rc<RefCell<ListObj>>),
    Set(Rc<RefCell<SetObj>>),
    Map(Rc<RefCell<MapObj>>),
    Obj(Rc<Obj>),
    SObj(Rc<RefCell<SObject>>),
    Enum(ClassId, u32),
    NativeEnum(NativeEnum, u32),
    Type(Rc<Ty>),
    Native(Rc<RefCell<NativeObj>>),
}

impl Clone for Value {
    /// Scalars copy inline; only reference values take the out-of-line path.
    #[inline(always)]
    fn clone(&self) -> Value {
        match self {
            Value::Null => Value::Null,
            Value::Bool(b) => Value::Bool(*b),
            Value::Int(i) => Value::Int(*i),
            Value::Long(l) => Value::Long(*l),
            _ => self.clone_slow(),
        }
    }
}

impl Value {
    #[inline(never)]
    fn clone_slow(&self) -> Value {
        match self {
            Value::Null => Value::Null,
            Value::Bool(b) => Value::Bool(*b),
            Value::Int(i) => Value::Int(*i),
            Value::Long(l) => Value::Long(*l),
            Value::Double(d) => Value::Double(*d),
            Value::Dec(d) => Value::Dec(*d),
            Value::Str(s) => Value::Str(s.clone()),
            Value::Id(s) => Value::Id(s.clone()),
            Value::Date(d) => Value::Date(*d),
            Value::Datetime(d) => Value::Datetime(*d),
            Value::Time(t) => Value::Time(*t),
            Value::Blob(b) => Value::Blob(b.clone()),
            Value::List(l) => Value::List(l.clone()),
            Value::Set(s) => Value::Set(s.clone()),
            Value::Map(m) => Value::Map(m.clone()),
            Value::Obj(o) => Value::Obj(o.clone()),
            Value::SObj(s) => Value::SObj(s.clone()),
            Value::Enum(c, o) => Value::Enum(*c, *o),
            Value::NativeEnum(e, o) => Value::NativeEnum(*e, *o),
            Value::Type(t) => Value::Type(t.clone()),
            Value::Native(n) => Value::Native(n.clone()),
        }
    }
}

/// A `List` (and array).
#[derive(Debug, Clone)]
pub struct ListObj {
    pub elem: Ty,
    pub items: Vec<Value>,
}

/// A `Set`.
#[derive(Debug, Clone)]
pub struct SetObj {
    pub elem: Ty,
    pub items: OrderedSet<Key>,
}

/// A `Map`.
#[derive(Debug, Clone)]
pub struct MapObj {
    pub key: Ty,
    pub value: Ty,
    pub items: OrderedMap<Key, Value>,
}

/// An instance of a user class (or of an exception class).
#[derive(Debug)]
pub struct Obj {
    pub class: ClassId,
    pub fields: RefCell<Vec<Value>>,
    pub ext: RefCell<Option<Box<ExcData>>>,
}

/// What every exception carries besides its user-declared fields.
#[derive(Debug, Clone, Default)]
pub struct ExcData {
    pub message: Value,
    pub cause: Value,
    /// Stack at the throw, innermost first.
    pub stack: Vec<StackFrame>,
    pub line: u32,
    pub col: u32,
    /// DML failures: (status code, message, fields, row index).
    pub dml: Vec<DmlFailure>,
    /// Whether the stack has been filled in (by the first throw).
    pub thrown: bool,
}

/// One frame of an exception's stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackFrame {
    /// As Apex prints it: `Class.acme.Foo.bar`, `AnonymousBlock`.
    pub name: String,
    pub line: u32,
    pub column: u32,
    /// The namespace of the frame's code (`""` for the subscriber's own).
    pub namespace: String,
}

/// One failed row of a DML operation.
#[derive(Debug, Clone)]
pub struct DmlFailure {
    pub index: usize,
    pub status: String,
    pub message: String,
    pub fields: Vec<String>,
    pub id: Option<String>,
}

/// Built-in objects that are not collections.
#[derive(Debug)]
pub enum NativeObj {
    Pattern {
        source: String,
        regex: regex::Regex,
    },
    Matcher {
        regex: regex::Regex,
        input: String,
        /// Byte ranges of the last match's groups.
        groups: Vec<Option<(usize, usize)>>,
        /// Where the next `find` starts.
        pos: usize,
    },
    Iterator {
        items: Vec<Value>,
        pos: usize,
    },
    /// An `AggregateResult` row: its columns by name.
    Aggregate(Vec<(String, Value)>),
    /// Any other built-in object, as a bag of named values (SaveResult, Database.Error, ...).
    Record {
        kind: super::types::NativeClass,
        fields: Vec<(&'static str, Value)>,
    },
}

/// Drops a value, skipping the out-of-line drop glue for values that own nothing.
/// The interpreter's hot paths discard many Integers and Booleans.
#[inline(always)]
pub fn discard(v: Value) {
    if v.is_scalar() {
        std::mem::forget(v);
    } else {
        drop(v);
    }
}

impl Value {
    /// Whether the value owns no heap data (dropping it is a no-op).
    #[inline(always)]
    pub fn is_scalar(&self) -> bool {
        matches!(
            self,
            Value::Null
                | Value::Bool(_)
                | Value::Int(_)
                | Value::Long(_)
                | Value::Double(_)
                | Value::Dec(_)
                | Value::Date(_)
                | Value::Datetime(_)
                | Value::Time(_)
                | Value::Enum(..)
                | Value::NativeEnum(..)
        )
    }

    /// A string value.
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(Rc::new(s.into()))
    }

    /// A new list value.
    pub fn list(elem: Ty, items: Vec<Value>) -> Value {
        Value::List(Rc::new(RefCell::new(ListObj { elem, items })))
    }

    /// A new set value.
    pub fn set(elem: Ty, items: OrderedSet<Key>) -> Value {
        Value::Set(Rc::new(RefCell::new(SetObj { elem, items })))
    }

    /// A new map value.
    pub fn map(key: Ty, value: Ty, items: OrderedMap<Key, Value>) -> Value {
        Value::Map(Rc::new(RefCell::new(MapObj { key, value, items })))
    }

    /// A built-in record object (SaveResult and friends).
    pub fn record(kind: super::types::NativeClass, fields: Vec<(&'static str, Value)>) -> Value {
        Value::Native(Rc::new(RefCell::new(NativeObj::Record { kind, fields })))
    }

    /// Whether the value is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The string inside a String or Id value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) | Value::Id(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// The Boolean inside, if any.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// Any integral value as i64.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i as i64),
            Value::Long(l) => Some(*l),
            _ => None,
        }
    }

    /// Whether two values are the same object (Apex `===`).
    pub fn same_ref(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::List(a), Value::List(b)) => Rc::ptr_eq(a, b),
            (Value::Set(a), Value::Set(b)) => Rc::ptr_eq(a, b),
            (Value::Map(a), Value::Map(b)) => Rc::ptr_eq(a, b),
            (Value::Obj(a), Value::Obj(b)) => Rc::ptr_eq(a, b),
            (Value::SObj(a), Value::SObj(b)) => Rc::ptr_eq(a, b),
            (Value::Native(a), Value::Native(b)) => Rc::ptr_eq(a, b),
            (Value::Null, Value::Null) => true,
            _ => false,
        }
    }

    /// An address-like number for reference values, for debug logs (`0x1a2b3c`).
    pub fn address(&self) -> Option<usize> {
        match self {
            Value::List(a) => Some(Rc::as_ptr(a) as *const u8 as usize),
            Value::Set(a) => Some(Rc::as_ptr(a) as *const u8 as usize),
            Value::Map(a) => Some(Rc::as_ptr(a) as *const u8 as usize),
            Value::Obj(a) => Some(Rc::as_ptr(a) as *const u8 as usize),
            Value::SObj(a) => Some(Rc::as_ptr(a) as *const u8 as usize),
            _ => None,
        }
    }
}

/// A value used as a Set element or Map key, with Apex key semantics: strings are
/// case-sensitive, numbers compare by value within their kind, collections and
/// sObjects by content, objects by identity.
#[derive(Clone, Debug)]
pub struct Key(pub Value);

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        key_eq(&self.0, &other.0)
    }
}

impl Eq for Key {}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        key_hash(&self.0, state)
    }
}

fn key_eq(a: &Value, b: &Value) -> bool {
    use Value::*;
    match (a, b) {
        (Null, Null) => true,
        (Bool(x), Bool(y)) => x == y,
        (Int(x), Int(y)) => x == y,
        (Long(x), Long(y)) => x == y,
        (Int(x), Long(y)) | (Long(y), Int(x)) => *x as i64 == *y,
        (Double(x), Double(y)) => x.to_bits() == y.to_bits(),
        (Dec(x), Dec(y)) => x == y,
        (Str(x), Str(y)) | (Id(x), Id(y)) => x == y,
        (Id(x), Str(y)) | (Str(y), Id(x)) => {
            x.as_str() == y.as_str() || (y.len() == 15 && x.starts_with(y.as_str()))
        }
        (Date(x), Date(y)) => x == y,
        (Datetime(x), Datetime(y)) => x == y,
        (Time(x), Time(y)) => x == y,
        (Blob(x), Blob(y)) => x == y,
        (Enum(c, x), Enum(d, y)) => c == d && x == y,
        (NativeEnum(c, x), NativeEnum(d, y)) => c == d && x == y,
        (Type(x), Type(y)) => x == y,
        (List(x), List(y)) => {
            Rc::ptr_eq(x, y) || {
                let (x, y) = (x.borrow(), y.borrow());
                x.items.len() == y.items.len()
                    && x.items.iter().zip(&y.items).all(|(a, b)| key_eq(a, b))
            }
        }
        (Set(x), Set(y)) => Rc::ptr_eq(x, y) || x.borrow().items == y.borrow().items,
        (Map(x), Map(y)) => {
            Rc::ptr_eq(x, y) || {
                let (x, y) = (x.borrow(), y.borrow());
                x.items.len() == y.items.len()
                    && x.items
                        .iter()
                        .all(|(k, v)| y.items.get(k).is_some_and(|w| key_eq(v, w)))
            }
        }
        (SObj(x), SObj(y)) => Rc::ptr_eq(x, y) || x.borrow().same_content(&y.borrow()),
        (Native(x), Native(y)) => {
            Rc::ptr_eq(x, y)
                || match (&*x.borrow(), &*y.borrow()) {
                    (
                        NativeObj::Record { kind: a, fields: f },
                        NativeObj::Record { kind: b, fields: g },
                    ) => {
                        a == b
                            && matches!(
                                a,
                                super::types::NativeClass::SObjectTypeToken
                                    | super::types::NativeClass::SObjectFieldToken
                                    | super::types::NativeClass::DescribeSObjectResult
                                    | super::types::NativeClass::DescribeFieldResult
                            )
                            && f.len() == g.len()
                            && f.iter()
                                .zip(g)
                                .all(|(p, q)| p.0 == q.0 && key_eq(&p.1, &q.1))
                    }
                    _ => false,
                }
        }
        _ => a.same_ref(b),
    }
}

fn key_hash<H: Hasher>(v: &Value, state: &mut H) {
    use Value::*;
    match v {
        Null => 0u8.hash(state),
        Bool(b) => b.hash(state),
        Int(i) => (*i as i64).hash(state),
        Long(l) => l.hash(state),
        Double(d) => d.to_bits().hash(state),
        Dec(d) => d.normalize().hash(state),
        // Ids hash by their 15-character prefix so that 15- and 18-character forms meet.
        Str(s) | Id(s) => {
            if s.len() == 18 || s.len() == 15 {
                s[..15.min(s.len())].hash(state)
            } else {
                s.hash(state)
            }
        }
        Date(d) => d.hash(state),
        Datetime(d) => d.hash(state),
        Time(t) => t.hash(state),
        Blob(b) => b.hash(state),
        Enum(c, o) => (c, o).hash(state),
        NativeEnum(e, o) => (e, o).hash(state),
        Type(t) => t.hash(state),
        List(l) => {
            let l = l.borrow();
            l.items.len().hash(state);
            for x in &l.items {
                key_hash(x, state);
            }
        }
        Set(s) => s.borrow().items.len().hash(state),
        Map(m) => m.borrow().items.len().hash(state),
        SObj(s) => s.borrow().sobject_type.hash(state),
        Obj(o) => (Rc::as_ptr(o) as usize).hash(state),
        Native(n) => match &*n.borrow() {
            NativeObj::Record { kind, fields } => {
                kind.hash(state);
                for (k, v) in fields {
                    k.hash(state);
                    if !matches!(v, Native(_)) {
                        key_hash(v, state);
                    }
                }
            }
            _ => (Rc::as_ptr(n) as *const u8 as usize).hash(state),
        },
    }
}

/// Approximate bytes held by a value and what it reaches, each object counted once.
pub fn heap_bytes(v: &Value, seen: &mut rustc_hash::FxHashSet<usize>) -> usize {
    if let Some(addr) = v.address()
        && !seen.insert(addr)
    {
        return 0;
    }
    match v {
        Value::Str(s) | Value::Id(s) => s.len(),
        Value::Blob(b) => b.len(),
        Value::Dec(_) => 16,
        Value::Null => 0,
        Value::List(l) => {
            let l = l.borrow();
            l.items.iter().map(|x| 8 + heap_bytes(x, seen)).sum()
        }
        Value::Set(s) => {
            let s = s.borrow();
            s.items.iter().map(|x| 8 + heap_bytes(&x.0, seen)).sum()
        }
        Value::Map(m) => {
            let m = m.borrow();
            m.items
                .iter()
                .map(|(k, x)| 16 + heap_bytes(&k.0, seen) + heap_bytes(x, seen))
                .sum()
        }
        Value::Obj(o) => o
            .fields
            .borrow()
            .iter()
            .map(|x| 8 + heap_bytes(x, seen))
            .sum(),
        Value::SObj(s) => s
            .borrow()
            .fields
            .values()
            .map(|(n, x)| n.len() + heap_bytes(x, seen))
            .sum(),
        _ => 8,
    }
}
