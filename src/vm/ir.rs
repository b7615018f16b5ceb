//! The executable IR: statements and expressions with every name resolved.
//!
//! Locals are slots in the frame, fields are indices into the object's field
//! vector, statics are slots in the request's static storage, and calls name
//! the function (or virtual signature, or native function) they invoke.

use rust_decimal::Decimal;

use super::builtins::NativeFn;
use super::types::{ClassId, FnId, NativeEnum, SObjectTypeId, Ty};

/// Interned virtual-method signature (lower-case name plus parameter types).
pub type SigId = u32;
/// Index into the program's string-constant pool.
pub type ConstId = u32;

/// An inline query: the parsed query (names resolved) and its `:bind` expressions.
#[derive(Debug)]
pub struct SoqlExpr {
    pub query: std::sync::Arc<crate::vm::platform::soql::Query>,
    pub binds: Vec<Expr>,
}

/// A statement with the source position it starts at.
#[derive(Debug)]
pub struct Stmt {
    pub line: u32,
    pub col: u32,
    pub kind: StmtKind,
}

/// What a statement does.
#[derive(Debug)]
pub enum StmtKind {
    Expr(Expr),
    /// A local variable declaration; the slot is set to the value (or null).
    Local {
        slot: u32,
        init: Option<Expr>,
    },
    /// A braced block. Blocks are not stopping points themselves.
    Block(Vec<Stmt>),
    If {
        cond: Expr,
        then: Box<Stmt>,
        els: Option<Box<Stmt>>,
    },
    While {
        cond: Expr,
        body: Box<Stmt>,
    },
    DoWhile {
        body: Box<Stmt>,
        cond: Expr,
    },
    For {
        init: Vec<Stmt>,
        cond: Option<Expr>,
        update: Vec<Expr>,
        body: Box<Stmt>,
    },
    ForEach {
        slot: u32,
        elem: Ty,
        iter: Expr,
        body: Box<Stmt>,
    },
    Break,
    Continue,
    Return(Option<Expr>),
    Throw(Expr),
    Try {
        body: Box<Stmt>,
        catches: Vec<Catch>,
        finally: Option<Box<Stmt>>,
    },
    Switch {
        subject: Expr,
        arms: Vec<SwitchArm>,
        default: Option<Box<Stmt>>,
    },
    /// `super(...)` or `this(...)` at the start of a constructor body.
    CtorCall {
        func: FnId,
        args: Vec<Expr>,
        /// Whether the class's instance initializer runs after the call (true for `super`).
        run_init: bool,
    },
    /// Runs the class's field initializers and instance blocks (implicit at the start of
    /// constructors that call `super`).
    InstanceInit {
        class: ClassId,
    },
    /// Nothing; used for empty statements.
    Empty,
}

/// One `catch` clause.
#[derive(Debug)]
pub struct Catch {
    pub class: ClassId,
    pub slot: u32,
    pub body: Stmt,
}

/// One `when` arm of a `switch on`.
#[derive(Debug)]
pub struct SwitchArm {
    pub values: Vec<SwitchValue>,
    pub body: Stmt,
}

/// A value a `when` arm matches.
#[derive(Debug)]
pub enum SwitchValue {
    Null,
    Int(i64),
    Str(ConstId),
    Enum(u32),
    /// `when Account a`: matches an sObject of that type and binds it.
    SObjectType {
        sobject: SObjectTypeId,
        slot: u32,
    },
}

/// Binary operators, after the compiler has split out `&&`, `||` and `??`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Eq,
    Ne,
    ExactEq,
    ExactNe,
    Lt,
    Le,
    Gt,
    Ge,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    UShr,
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Plus,
    Not,
    BitNot,
}

/// A place that can be assigned.
#[derive(Debug)]
pub enum Place {
    Local(u32),
    Field {
        obj: Box<Expr>,
        idx: u32,
    },
    Static {
        class: ClassId,
        slot: u32,
    },
    Index {
        list: Box<Expr>,
        index: Box<Expr>,
    },
    /// A property with a `set` body (and maybe a `get` body).
    Prop {
        obj: Option<Box<Expr>>,
        getter: Option<FnId>,
        getter_field: Option<u32>,
        setter: FnId,
        class: ClassId,
    },
    /// A resolved sObject field, converted to its type on write.
    SField {
        obj: Box<Expr>,
        key: Box<str>,
        api: Box<str>,
        ty: Ty,
    },
    /// A field of an sObject, or any member looked up at run time.
    Dyn {
        obj: Box<Expr>,
        name: Box<str>,
    },
    /// A platform static with a getter and a setter (`RestContext.request`).
    Native {
        get: Box<Expr>,
        set: NativeFn,
    },
}

/// An expression.
#[derive(Debug)]
pub enum Expr {
    Null,
    Bool(bool),
    Int(i32),
    Long(i64),
    Double(f64),
    Dec(Decimal),
    Str(ConstId),
    Local(u32),
    This,
    Field {
        obj: Box<Expr>,
        idx: u32,
        safe: bool,
    },
    Static {
        class: ClassId,
        slot: u32,
    },
    /// Reads a property through its `get` body.
    PropGet {
        obj: Option<Box<Expr>>,
        getter: FnId,
        class: ClassId,
        safe: bool,
    },
    /// An sObject field (or relationship) the compiler resolved: lower-case key and API name.
    SField {
        obj: Box<Expr>,
        key: Box<str>,
        api: Box<str>,
        safe: bool,
        /// `Type.Field` when code may not write the field (formulas, auto-numbers, system fields).
        readonly: Option<Box<str>>,
    },
    /// Reads a member by name at run time (sObject fields, untyped receivers).
    DynGet {
        obj: Box<Expr>,
        name: Box<str>,
        safe: bool,
    },
    Assign {
        place: Place,
        value: Box<Expr>,
        /// The declared type of the place, for implicit numeric conversion.
        conv: Option<Ty>,
    },
    Compound {
        place: Place,
        op: BinOp,
        value: Box<Expr>,
        conv: Option<Ty>,
    },
    IncDec {
        place: Place,
        delta: i8,
        prefix: bool,
    },
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// A binary operator whose operands are both statically Integer: the hot path of loops.
    IntOp(BinOp, Box<Expr>, Box<Expr>),
    /// An Integer operator on a local and a constant (`i < 10`, `n - 1`).
    IntOpLocalConst(BinOp, u32, i32),
    /// An Integer operator on two locals (`i < n`).
    IntOpLocals(BinOp, u32, u32),
    /// `x++` / `--x` on an Integer local.
    IncLocal {
        slot: u32,
        delta: i32,
        prefix: bool,
    },
    /// `x op= value` on a local.
    CompoundLocal {
        slot: u32,
        op: BinOp,
        value: Box<Expr>,
        conv: Option<Ty>,
    },
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Coalesce(Box<Expr>, Box<Expr>),
    Ternary(Box<Expr>, Box<Expr>, Box<Expr>),
    /// A direct call: static method, non-virtual instance method, or `super.m()`.
    Call {
        func: FnId,
        recv: Option<Box<Expr>>,
        args: Vec<Expr>,
        safe: bool,
    },
    /// A virtual or interface call, dispatched on the receiver's class.
    VCall {
        sig: SigId,
        recv: Box<Expr>,
        args: Vec<Expr>,
        safe: bool,
        /// The last (class, function) this call site dispatched to, packed; 0 when empty.
        cache: std::sync::atomic::AtomicU64,
    },
    /// A call into a built-in.
    Native {
        f: NativeFn,
        recv: Option<Box<Expr>>,
        args: Vec<Expr>,
        safe: bool,
    },
    /// A method looked up by name at run time (receiver type unknown at compile time).
    DynCall {
        recv: Box<Expr>,
        name: Box<str>,
        args: Vec<Expr>,
        safe: bool,
    },
    New {
        class: ClassId,
        ctor: FnId,
        args: Vec<Expr>,
    },
    NewList {
        elem: Ty,
        items: Vec<Expr>,
    },
    NewArray {
        elem: Ty,
        size: Box<Expr>,
    },
    NewSet {
        elem: Ty,
        items: Vec<Expr>,
    },
    NewMap {
        key: Ty,
        value: Ty,
        entries: Vec<(Expr, Expr)>,
    },
    /// `new Account(Name = 'x')`.
    NewSObject {
        sobject: SObjectTypeId,
        fields: Vec<(Box<str>, Expr)>,
    },
    /// `new List<T>(other)`, `new Set<T>(list)`, `new Map<K,V>(map or list)`.
    CopyCollection {
        target: Ty,
        source: Box<Expr>,
    },
    Index {
        list: Box<Expr>,
        index: Box<Expr>,
    },
    /// An explicit cast, checked at run time.
    Cast {
        expr: Box<Expr>,
        ty: Ty,
    },
    /// An implicit numeric widening (Integer to Long, and so on).
    Convert {
        expr: Box<Expr>,
        ty: Ty,
    },
    InstanceOf {
        expr: Box<Expr>,
        ty: Ty,
    },
    /// `Foo.class`
    TypeLit(Ty),
    EnumConst {
        class: ClassId,
        ordinal: u32,
    },
    NativeEnumConst {
        e: NativeEnum,
        ordinal: u32,
    },
    /// An inline SOQL query and its bind expressions, by index.
    Soql(Box<SoqlExpr>),
    /// A query result assigned to a single sObject: exactly one row, or QueryException.
    SingleRow(Box<Expr>),
    /// `MyEnum.values()`
    EnumValues(ClassId),
    /// `MyEnum.valueOf('NAME')`
    EnumValueOf(ClassId, Box<Expr>),
}
