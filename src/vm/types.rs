//! Static types of Apex expressions, as the compiler sees them.

use std::fmt;

/// Index of a class (user class, interface, enum, or system exception) in a [`crate::vm::program::Program`].
pub type ClassId = u32;
/// Index of a function (method, constructor, accessor, initializer) in a program.
pub type FnId = u32;
/// Index of an sObject type in the org schema.
pub type SObjectTypeId = u32;

/// Built-in enums whose constants are known to the compiler.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NativeEnum {
    LoggingLevel,
    RoundingMode,
    TriggerOperation,
    AccessLevel,
    DisplayType,
    StatusCode,
}

impl NativeEnum {
    /// The constant with this name, if the enum has it.
    pub fn value_of(self, name: &str) -> Option<u32> {
        self.constants()
            .iter()
            .position(|c| c.eq_ignore_ascii_case(name))
            .map(|o| o as u32)
    }

    /// The enum's constants, in ordinal order.
    pub fn constants(self) -> &'static [&'static str] {
        match self {
            NativeEnum::LoggingLevel => &[
                "NONE", "ERROR", "WARN", "INFO", "DEBUG", "FINE", "FINER", "FINEST",
            ],
            NativeEnum::RoundingMode => &[
                "CEILING",
                "DOWN",
                "FLOOR",
                "HALF_DOWN",
                "HALF_EVEN",
                "HALF_UP",
                "UNNECESSARY",
                "UP",
            ],
            NativeEnum::TriggerOperation => &[
                "BEFORE_INSERT",
                "BEFORE_UPDATE",
                "BEFORE_DELETE",
                "AFTER_INSERT",
                "AFTER_UPDATE",
                "AFTER_DELETE",
                "AFTER_UNDELETE",
            ],
            NativeEnum::AccessLevel => &["SYSTEM_MODE", "USER_MODE"],
            NativeEnum::StatusCode => &[
                "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY",
                "DELETE_FAILED",
                "DUPLICATE_EXTERNAL_ID",
                "DUPLICATE_VALUE",
                "ENTITY_IS_DELETED",
                "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                "FIELD_INTEGRITY_EXCEPTION",
                "INSUFFICIENT_ACCESS_OR_READONLY",
                "INVALID_CROSS_REFERENCE_KEY",
                "INVALID_EMAIL_ADDRESS",
                "INVALID_FIELD",
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                "INVALID_ID_FIELD",
                "INVALID_TYPE",
                "MISSING_ARGUMENT",
                "REQUIRED_FIELD_MISSING",
                "STRING_TOO_LONG",
                "UNABLE_TO_LOCK_ROW",
                "UNDELETE_FAILED",
                "UNKNOWN_EXCEPTION",
            ],
            NativeEnum::DisplayType => &[
                "ADDRESS",
                "ANYTYPE",
                "BASE64",
                "BOOLEAN",
                "COMBOBOX",
                "CURRENCY",
                "DATACATEGORYGROUPREFERENCE",
                "DATE",
                "DATETIME",
                "DOUBLE",
                "EMAIL",
                "ENCRYPTEDSTRING",
                "ID",
                "INTEGER",
                "LONG",
                "MULTIPICKLIST",
                "PERCENT",
                "PHONE",
                "PICKLIST",
                "REFERENCE",
                "STRING",
                "TEXTAREA",
                "TIME",
                "URL",
            ],
        }
    }

    /// The type's display name.
    pub fn name(self) -> &'static str {
        match self {
            NativeEnum::LoggingLevel => "LoggingLevel",
            NativeEnum::RoundingMode => "RoundingMode",
            NativeEnum::TriggerOperation => "System.TriggerOperation",
            NativeEnum::AccessLevel => "System.AccessLevel",
            NativeEnum::DisplayType => "Schema.DisplayType",
            NativeEnum::StatusCode => "System.StatusCode",
        }
    }
}

/// Built-in reference types that are neither collections nor user classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NativeClass {
    Type,
    Pattern,
    Matcher,
    Iterator,
    SaveResult,
    DeleteResult,
    UpsertResult,
    UndeleteResult,
    DatabaseError,
    Savepoint,
    AggregateResult,
    SObjectTypeToken,
    DescribeSObjectResult,
    DescribeFieldResult,
    SObjectFieldToken,
    /// `Schema.SObjectType.Account.fields`: fields by name, and `getMap()`.
    SObjectTypeFields,
    QueryLocator,
    RestRequest,
    RestResponse,
    JsonGenerator,
    QueueableContext,
}

impl NativeClass {
    /// The type's display name, as Apex prints it.
    pub fn name(self) -> &'static str {
        match self {
            NativeClass::Type => "System.Type",
            NativeClass::Pattern => "System.Pattern",
            NativeClass::Matcher => "System.Matcher",
            NativeClass::Iterator => "Iterator",
            NativeClass::SaveResult => "Database.SaveResult",
            NativeClass::DeleteResult => "Database.DeleteResult",
            NativeClass::UpsertResult => "Database.UpsertResult",
            NativeClass::UndeleteResult => "Database.UndeleteResult",
            NativeClass::DatabaseError => "Database.Error",
            NativeClass::Savepoint => "System.Savepoint",
            NativeClass::AggregateResult => "AggregateResult",
            NativeClass::SObjectTypeToken => "Schema.SObjectType",
            NativeClass::DescribeSObjectResult => "Schema.DescribeSObjectResult",
            NativeClass::DescribeFieldResult => "Schema.DescribeFieldResult",
            NativeClass::SObjectFieldToken => "Schema.SObjectField",
            NativeClass::SObjectTypeFields => "Schema.SObjectTypeFields",
            NativeClass::QueryLocator => "Database.QueryLocator",
            NativeClass::RestRequest => "RestRequest",
            NativeClass::RestResponse => "RestResponse",
            NativeClass::JsonGenerator => "JSONGenerator",
            NativeClass::QueueableContext => "QueueableContext",
        }
    }
}

/// A static type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    /// The return type of a method that returns nothing.
    Void,
    /// The type of the `null` literal; assignable to anything.
    Null,
    /// A type the compiler could not pin down; members resolve at run time.
    Any,
    Object,
    Boolean,
    Integer,
    Long,
    Decimal,
    Double,
    String,
    Id,
    Date,
    Datetime,
    Time,
    Blob,
    List(Box<Ty>),
    Set(Box<Ty>),
    Map(Box<Ty>, Box<Ty>),
    /// A user class, interface, enum or exception.
    Class(ClassId),
    /// `SObject` (None) or a concrete sObject type.
    SObject(Option<SObjectTypeId>),
    NativeEnum(NativeEnum),
    Native(NativeClass),
    /// `Iterator<T>` / `Iterable<T>`.
    Iter(Box<Ty>),
}

impl Ty {
    /// A `List<T>`.
    pub fn list(t: Ty) -> Ty {
        Ty::List(Box::new(t))
    }

    /// A `Set<T>`.
    pub fn set(t: Ty) -> Ty {
        Ty::Set(Box::new(t))
    }

    /// A `Map<K,V>`.
    pub fn map(k: Ty, v: Ty) -> Ty {
        Ty::Map(Box::new(k), Box::new(v))
    }

    /// Whether this is one of the four numeric types.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Ty::Integer | Ty::Long | Ty::Decimal | Ty::Double)
    }

    /// The rank of a numeric type in Apex's promotion order.
    pub fn numeric_rank(&self) -> Option<u8> {
        match self {
            Ty::Integer => Some(0),
            Ty::Long => Some(1),
            Ty::Decimal => Some(2),
            Ty::Double => Some(3),
            _ => None,
        }
    }

    /// Whether member lookups on this type must wait for run time.
    pub fn is_dynamic(&self) -> bool {
        matches!(self, Ty::Any)
    }

    /// Whether values of this type are strings (String or Id).
    pub fn is_stringy(&self) -> bool {
        matches!(self, Ty::String | Ty::Id)
    }

    /// The element type when iterating over a value of this type.
    pub fn element(&self) -> Option<Ty> {
        match self {
            Ty::List(t) | Ty::Set(t) | Ty::Iter(t) => Some((**t).clone()),
            Ty::Any => Some(Ty::Any),
            _ => None,
        }
    }
}

/// Helper to print a type when the class names are known.
pub struct TyDisplay<'a> {
    pub ty: &'a Ty,
    pub class_name: &'a dyn Fn(ClassId) -> String,
    pub sobject_name: &'a dyn Fn(SObjectTypeId) -> String,
}

impl fmt::Display for TyDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_ty(f, self.ty, self.class_name, self.sobject_name)
    }
}

fn write_ty(
    f: &mut fmt::Formatter<'_>,
    ty: &Ty,
    cn: &dyn Fn(ClassId) -> String,
    sn: &dyn Fn(SObjectTypeId) -> String,
) -> fmt::Result {
    match ty {
        Ty::Void => write!(f, "void"),
        Ty::Null => write!(f, "null"),
        Ty::Any | Ty::Object => write!(f, "Object"),
        Ty::Boolean => write!(f, "Boolean"),
        Ty::Integer => write!(f, "Integer"),
        Ty::Long => write!(f, "Long"),
        Ty::Decimal => write!(f, "Decimal"),
        Ty::Double => write!(f, "Double"),
        Ty::String => write!(f, "String"),
        Ty::Id => write!(f, "Id"),
        Ty::Date => write!(f, "Date"),
        Ty::Datetime => write!(f, "Datetime"),
        Ty::Time => write!(f, "Time"),
        Ty::Blob => write!(f, "Blob"),
        Ty::List(t) => {
            write!(f, "List<")?;
            write_ty(f, t, cn, sn)?;
            write!(f, ">")
        }
        Ty::Set(t) => {
            write!(f, "Set<")?;
            write_ty(f, t, cn, sn)?;
            write!(f, ">")
        }
        Ty::Map(k, v) => {
            write!(f, "Map<")?;
            write_ty(f, k, cn, sn)?;
            write!(f, ",")?;
            write_ty(f, v, cn, sn)?;
            write!(f, ">")
        }
        Ty::Class(c) => write!(f, "{}", cn(*c)),
        Ty::SObject(None) => write!(f, "SObject"),
        Ty::SObject(Some(s)) => write!(f, "{}", sn(*s)),
        Ty::NativeEnum(e) => write!(f, "{}", e.name()),
        Ty::Native(n) => write!(f, "{}", n.name()),
        Ty::Iter(t) => {
            write!(f, "Iterator<")?;
            write_ty(f, t, cn, sn)?;
            write!(f, ">")
        }
    }
}
