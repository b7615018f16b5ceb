//! SOQL tests: a small org over the standard schema, queries parsed (inline
//! through the Apex grammar, or dynamic) and run through a transaction's view.

mod errors;
mod namespace;
mod results;
mod shapes;
mod where_clause;

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

use super::*;
use crate::vm::platform::store::{OrgStore, StoredRecord, Transaction};
use crate::vm::schema::Schema;
use crate::vm::schema::standard::standard_schema;

/// The day the tests run on: a Wednesday, so THIS_WEEK is Sunday 12 to Saturday 18 May.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 5, 15).unwrap()
}

fn now() -> NaiveDateTime {
    today().and_hms_opt(12, 0, 0).unwrap()
}

pub fn s(v: &str) -> FieldValue {
    FieldValue::Str(v.to_string())
}

pub fn int(v: i64) -> FieldValue {
    FieldValue::Int(v)
}

pub fn dec(v: &str) -> FieldValue {
    FieldValue::Dec(Decimal::from_str(v).unwrap())
}

pub fn day(offset: i64) -> FieldValue {
    FieldValue::Date(today() + chrono::Duration::days(offset))
}

pub fn at(offset_days: i64, hour: u32) -> FieldValue {
    FieldValue::Datetime(
        (today() + chrono::Duration::days(offset_days))
            .and_hms_opt(hour, 0, 0)
            .unwrap(),
    )
}

/// An org and the ids of its records by a short name.
pub struct Org {
    pub store: Arc<OrgStore>,
    pub ids: HashMap<String, String>,
}

impl Org {
    pub fn empty(schema: Schema) -> Org {
        Org {
            store: Arc::new(OrgStore::new(Arc::new(schema))),
            ids: HashMap::new(),
        }
    }

    /// A new record (not stored) with a fresh id.
    pub fn record(&mut self, key: &str, ty: &str, fields: &[(&str, FieldValue)]) -> StoredRecord {
        let ty = self.store.schema.find(ty).unwrap();
        let id = self.store.next_id(ty);
        self.ids.insert(key.to_string(), id.clone());
        let mut map: HashMap<String, FieldValue> = fields
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
            .collect();
        map.insert("id".into(), FieldValue::Id(id.clone()));
        StoredRecord {
            id,
            ty,
            fields: map,
            deleted: false,
        }
    }

    /// Stores a record as committed.
    pub fn put(&mut self, key: &str, ty: &str, fields: &[(&str, FieldValue)]) {
        let r = self.record(key, ty, fields);
        self.store.put_committed(vec![r]);
    }

    /// A record's id as a field value.
    pub fn id(&self, key: &str) -> FieldValue {
        FieldValue::Id(self.ids[key].clone())
    }

    pub fn ctx(&self) -> NameContext<'_> {
        NameContext {
            schema: &self.store.schema,
            namespace: "",
        }
    }

    /// Parses dynamic SOQL and runs it with named binds.
    pub fn dynamic(
        &self,
        soql: &str,
        binds: &[(&str, BindValue)],
    ) -> Result<QueryResult, SoqlError> {
        let q = parse_dynamic(soql, &self.ctx())?;
        self.exec(&q, &Transaction::new(self.store.clone()), binds)
    }

    /// Runs a parsed query in a transaction; binds by name (`#0`, `#1`, ... for
    /// inline binds by index).
    pub fn exec(
        &self,
        q: &Query,
        tx: &Transaction,
        binds: &[(&str, BindValue)],
    ) -> Result<QueryResult, SoqlError> {
        let lookup = |r: &BindRef| -> Result<BindValue, String> {
            let name = match r {
                BindRef::Name(n) => n.clone(),
                BindRef::Index(i) => format!("#{i}"),
            };
            binds
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
                .ok_or_else(|| format!("Variable does not exist: {name}"))
        };
        tx.with_view(|v| execute(q, v, &lookup, today(), now()))
    }

    /// Runs dynamic SOQL with no binds and gives its rows.
    pub fn rows(&self, soql: &str) -> Vec<Row> {
        match self.dynamic(soql, &[]) {
            Ok(QueryResult::Rows(r)) => r,
            other => panic!("{soql}: {other:?}"),
        }
    }

    /// The `Name` (or `LastName`) of each row of a query.
    pub fn names(&self, soql: &str) -> Vec<String> {
        names(&self.rows(soql))
    }

    /// Like `names`, with binds.
    pub fn names_with(&self, soql: &str, binds: &[(&str, BindValue)]) -> Vec<String> {
        match self.dynamic(soql, binds) {
            Ok(QueryResult::Rows(r)) => names(&r),
            other => panic!("{soql}: {other:?}"),
        }
    }

    /// The error message of a dynamic query that fails to parse or run.
    pub fn error(&self, soql: &str) -> String {
        match self.dynamic(soql, &[]) {
            Err(e) => e.message,
            Ok(r) => panic!("{soql} did not fail: {r:?}"),
        }
    }
}

/// Parses an inline query the way the compiler sees it: inside an Apex method.
/// Gives the query and the text of each bind expression by its index.
pub fn inline(org: &Org, ns: &str, soql: &str) -> Result<(Query, Vec<String>), SoqlError> {
    let src = format!("class X {{ void m() {{ Object x = {soql}; }} }}");
    let mut p = tree_sitter::Parser::new();
    p.set_language(&tree_sitter_sfapex::apex::LANGUAGE.into())
        .unwrap();
    let tree = p.parse(&src, None).unwrap();
    let mut stack = vec![tree.root_node()];
    let mut found = None;
    while let Some(n) = stack.pop() {
        if n.kind() == "query_expression" {
            found = Some(n);
            break;
        }
        let mut c = n.walk();
        stack.extend(n.children(&mut c));
    }
    let node = found.expect("a query expression");
    let mut exprs = Vec::new();
    let ctx = NameContext {
        schema: &org.store.schema,
        namespace: ns,
    };
    let q = parse_inline(node, &src, &ctx, &mut |e| {
        exprs.push(src[e.byte_range()].to_string());
        (exprs.len() - 1) as u32
    })?;
    Ok((q, exprs))
}

/// Runs an inline query (no namespace) with binds keyed by expression text.
pub fn run_inline(
    org: &Org,
    soql: &str,
    binds: &[(&str, BindValue)],
) -> Result<QueryResult, SoqlError> {
    let (q, exprs) = inline(org, "", soql)?;
    let lookup = |r: &BindRef| -> Result<BindValue, String> {
        let BindRef::Index(i) = r else {
            return Err("named bind in an inline query".into());
        };
        let name = &exprs[*i as usize];
        binds
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| format!("no value for {name}"))
    };
    Transaction::new(org.store.clone()).with_view(|v| execute(&q, v, &lookup, today(), now()))
}

pub fn names(rows: &[Row]) -> Vec<String> {
    rows.iter()
        .map(|r| {
            let v = r
                .get("Name")
                .or_else(|| r.get("LastName"))
                .or_else(|| r.get("Subject"));
            match v {
                Some(FieldValue::Str(s)) => s.clone(),
                other => format!("{other:?}"),
            }
        })
        .collect()
}

/// The standard schema with four accounts, four contacts, four opportunities and a case.
///
/// | account   | industry | revenue | employees | parent | created        |
/// |-----------|----------|---------|-----------|--------|----------------|
/// | Acme      | Tech     | 100.50  | 10        |        | today 09:00    |
/// | beta corp |          | 50      | 200       |        | 3 days ago     |
/// | Gamma     | Retail   |         | 5         | Acme   | 40 days ago    |
/// | delta_x   | tech     | 1000    |           |        | 400 days ago   |
pub fn org() -> Org {
    let mut o = Org::empty(standard_schema());
    o.put(
        "acme",
        "Account",
        &[
            ("Name", s("Acme")),
            ("Industry", s("Tech")),
            ("AnnualRevenue", dec("100.50")),
            ("NumberOfEmployees", int(10)),
            ("CreatedDate", at(0, 9)),
            ("Sic", s("a;b;c")),
        ],
    );
    o.put(
        "beta",
        "Account",
        &[
            ("Name", s("beta corp")),
            ("AnnualRevenue", int(50)),
            ("NumberOfEmployees", int(200)),
            ("CreatedDate", at(-3, 10)),
            ("Sic", s("b")),
        ],
    );
    let acme = o.id("acme");
    o.put(
        "gamma",
        "Account",
        &[
            ("Name", s("Gamma")),
            ("Industry", s("Retail")),
            ("NumberOfEmployees", int(5)),
            ("ParentId", acme.clone()),
            ("CreatedDate", at(-40, 8)),
        ],
    );
    o.put(
        "delta",
        "Account",
        &[
            ("Name", s("delta_x")),
            ("Industry", s("tech")),
            ("AnnualRevenue", dec("1000")),
            ("CreatedDate", at(-400, 8)),
        ],
    );
    let beta = o.id("beta");
    o.put(
        "smith",
        "Contact",
        &[
            ("FirstName", s("Ann")),
            ("LastName", s("Smith")),
            ("AccountId", acme.clone()),
            ("Email", s("ann@acme.test")),
        ],
    );
    o.put(
        "jones",
        "Contact",
        &[("LastName", s("Jones")), ("AccountId", acme.clone())],
    );
    o.put(
        "brown",
        "Contact",
        &[("LastName", s("Brown")), ("AccountId", beta.clone())],
    );
    o.put("loner", "Contact", &[("LastName", s("Loner"))]);
    o.put(
        "o1",
        "Opportunity",
        &[
            ("Name", s("o1")),
            ("AccountId", acme.clone()),
            ("StageName", s("Closed Won")),
            ("Amount", dec("100")),
            ("CloseDate", day(0)),
            ("IsWon", FieldValue::Bool(true)),
        ],
    );
    o.put(
        "o2",
        "Opportunity",
        &[
            ("Name", s("o2")),
            ("AccountId", acme),
            ("StageName", s("Prospecting")),
            ("Amount", dec("300")),
            ("CloseDate", day(-10)),
        ],
    );
    o.put(
        "o3",
        "Opportunity",
        &[
            ("Name", s("o3")),
            ("AccountId", beta),
            ("StageName", s("Prospecting")),
            ("Amount", dec("50")),
            ("CloseDate", day(40)),
        ],
    );
    let gamma = o.id("gamma");
    o.put(
        "o4",
        "Opportunity",
        &[
            ("Name", s("o4")),
            ("AccountId", gamma),
            ("StageName", s("Closed Lost")),
            ("CloseDate", day(-400)),
        ],
    );
    let smith = o.id("smith");
    o.put(
        "case1",
        "Case",
        &[("Subject", s("Broken")), ("ContactId", smith)],
    );
    o
}
