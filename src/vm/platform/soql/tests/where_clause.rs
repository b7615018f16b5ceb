//! WHERE: every operator, nulls, LIKE, IN with literals and binds, AND/OR/NOT,
//! parent paths, dates and date literals, semi-joins.

use super::*;

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn accounts(org: &Org, cond: &str) -> Vec<String> {
    sorted(org.names(&format!("SELECT Name FROM Account WHERE {cond}")))
}

#[test]
fn strings_compare_case_insensitively() {
    let o = org();
    assert_eq!(accounts(&o, "Name = 'ACME'"), ["Acme"]);
    assert_eq!(accounts(&o, "Name = 'acme'"), ["Acme"]);
    assert_eq!(accounts(&o, "Industry = 'TECH'"), ["Acme", "delta_x"]);
    assert_eq!(accounts(&o, "Name IN ('GAMMA', 'Nope')"), ["Gamma"]);
}

#[test]
fn not_equal_matches_nulls() {
    let o = org();
    assert_eq!(accounts(&o, "Industry != 'Tech'"), ["Gamma", "beta corp"]);
    assert_eq!(
        accounts(&o, "Industry <> 'Retail'"),
        ["Acme", "beta corp", "delta_x"]
    );
}

#[test]
fn null_comparisons() {
    let o = org();
    assert_eq!(accounts(&o, "Industry = null"), ["beta corp"]);
    assert_eq!(
        accounts(&o, "Industry != null"),
        ["Acme", "Gamma", "delta_x"]
    );
    assert_eq!(accounts(&o, "AnnualRevenue = NULL"), ["Gamma"]);
    assert!(accounts(&o, "AnnualRevenue > null").is_empty());
    assert_eq!(accounts(&o, "ParentId != null"), ["Gamma"]);
}

#[test]
fn numbers_compare_across_integer_and_decimal() {
    let o = org();
    assert_eq!(accounts(&o, "AnnualRevenue > 50"), ["Acme", "delta_x"]);
    assert_eq!(
        accounts(&o, "AnnualRevenue >= 50"),
        ["Acme", "beta corp", "delta_x"]
    );
    assert_eq!(accounts(&o, "AnnualRevenue < 100"), ["beta corp"]);
    assert_eq!(
        accounts(&o, "AnnualRevenue <= 100.50"),
        ["Acme", "beta corp"]
    );
    assert_eq!(accounts(&o, "AnnualRevenue = 100.5"), ["Acme"]);
    assert_eq!(accounts(&o, "NumberOfEmployees = 10.0"), ["Acme"]);
    assert_eq!(accounts(&o, "NumberOfEmployees < -1"), Vec::<String>::new());
    assert_eq!(accounts(&o, "AnnualRevenue = USD1000"), ["delta_x"]);
}

#[test]
fn like_patterns() {
    let o = org();
    assert_eq!(accounts(&o, "Name LIKE 'a%'"), ["Acme"]);
    assert_eq!(accounts(&o, "Name LIKE '%CORP'"), ["beta corp"]);
    assert_eq!(accounts(&o, "Name LIKE 'g_mma'"), ["Gamma"]);
    assert_eq!(accounts(&o, "Name LIKE '%\\_%'"), ["delta_x"]);
    assert_eq!(accounts(&o, "Name LIKE '%a%a%'"), ["Gamma"]);
    assert_eq!(
        accounts(&o, "Industry LIKE '%'"),
        ["Acme", "Gamma", "delta_x"]
    );
    assert!(accounts(&o, "Name LIKE 'cme'").is_empty());
    let b = [("p", BindValue::One(s("%E%")))];
    assert_eq!(
        sorted(o.names_with("SELECT Name FROM Account WHERE Name LIKE :p", &b)),
        ["Acme", "beta corp", "delta_x"]
    );
}

#[test]
fn in_and_not_in_with_literal_lists() {
    let o = org();
    assert_eq!(
        accounts(&o, "Industry IN ('Tech', 'Retail')"),
        ["Acme", "Gamma", "delta_x"]
    );
    assert_eq!(
        accounts(&o, "Industry NOT IN ('Tech')"),
        ["Gamma", "beta corp"]
    );
    assert_eq!(
        accounts(&o, "Industry IN ('Retail', null)"),
        ["Gamma", "beta corp"]
    );
    assert_eq!(
        accounts(&o, "Industry NOT IN ('Retail', null)"),
        ["Acme", "delta_x"]
    );
    assert_eq!(
        accounts(&o, "NumberOfEmployees IN (5, 10)"),
        ["Acme", "Gamma"]
    );
}

#[test]
fn in_with_bound_lists_sets_and_records() {
    let o = org();
    let q = "SELECT Name FROM Account WHERE Name IN :names";
    let b = [("names", BindValue::Many(vec![s("acme"), s("GAMMA")]))];
    assert_eq!(sorted(o.names_with(q, &b)), ["Acme", "Gamma"]);
    let q = "SELECT Name FROM Account WHERE Name NOT IN :names";
    assert_eq!(sorted(o.names_with(q, &b)), ["beta corp", "delta_x"]);
    let empty = [("names", BindValue::Many(vec![]))];
    assert!(
        o.names_with("SELECT Name FROM Account WHERE Name IN :names", &empty)
            .is_empty()
    );

    // A list of sObjects binds their ids; 15-character ids match 18-character ones.
    let ids = vec![o.ids["acme"].clone(), o.ids["beta"][..15].to_string()];
    let b = [("accs", BindValue::Records(ids))];
    assert_eq!(
        sorted(o.names_with("SELECT Name FROM Account WHERE Id IN :accs", &b)),
        ["Acme", "beta corp"]
    );
    let b = [("accs", BindValue::Many(vec![o.id("acme")]))];
    assert_eq!(
        o.names_with(
            "SELECT LastName FROM Contact WHERE AccountId IN :accs ORDER BY LastName",
            &b
        ),
        ["Jones", "Smith"]
    );
    // A single value with IN is a one-element list; a list with = is IN.
    let b = [("x", BindValue::One(s("Gamma")))];
    assert_eq!(
        o.names_with("SELECT Name FROM Account WHERE Name IN :x", &b),
        ["Gamma"]
    );
    let b = [("x", BindValue::Many(vec![s("Gamma")]))];
    assert_eq!(
        o.names_with("SELECT Name FROM Account WHERE Name = :x", &b),
        ["Gamma"]
    );
}

#[test]
fn ids_compare_by_their_15_character_key() {
    let o = org();
    let id18 = o.ids["acme"].clone();
    let id15 = &id18[..15];
    assert_eq!(accounts(&o, &format!("Id = '{id15}'")), ["Acme"]);
    assert_eq!(accounts(&o, &format!("Id = '{id18}'")), ["Acme"]);
    assert_eq!(accounts(&o, &format!("Id != '{id15}'")).len(), 3);
    let b = [("a", BindValue::One(FieldValue::Id(id15.to_string())))];
    assert_eq!(
        o.names_with(
            "SELECT LastName FROM Contact WHERE AccountId = :a ORDER BY LastName",
            &b
        ),
        ["Jones", "Smith"]
    );
}

#[test]
fn and_or_not() {
    let o = org();
    assert_eq!(
        accounts(&o, "Industry = 'Tech' AND AnnualRevenue > 500"),
        ["delta_x"]
    );
    assert_eq!(
        accounts(&o, "Name = 'Gamma' OR AnnualRevenue < 60"),
        ["Gamma", "beta corp"]
    );
    assert_eq!(
        accounts(
            &o,
            "(Name = 'Gamma' OR Name = 'Acme') AND Industry = 'Tech'"
        ),
        ["Acme"]
    );
    assert_eq!(
        accounts(
            &o,
            "Name = 'Gamma' OR (Name = 'Acme' AND Industry = 'Retail')"
        ),
        ["Gamma"]
    );
    assert_eq!(
        accounts(&o, "NOT Name = 'Acme'"),
        ["Gamma", "beta corp", "delta_x"]
    );
    assert_eq!(
        accounts(&o, "NOT (Industry = 'Tech' OR Industry = null)"),
        ["Gamma"]
    );
    assert_eq!(
        accounts(&o, "AnnualRevenue > 0 AND (NOT Name LIKE 'a%')"),
        ["beta corp", "delta_x"]
    );
    assert_eq!(
        accounts(&o, "(NOT (AnnualRevenue > 60))"),
        ["Gamma", "beta corp"]
    );
}

#[test]
fn checkboxes_default_to_false() {
    let o = org();
    let opps = |c: &str| sorted(o.names(&format!("SELECT Name FROM Opportunity WHERE {c}")));
    assert_eq!(opps("IsWon = true"), ["o1"]);
    assert_eq!(opps("IsWon = false"), ["o2", "o3", "o4"]);
    assert_eq!(accounts(&o, "IsDeleted = false").len(), 4);
}

#[test]
fn parent_paths_in_where() {
    let o = org();
    let contacts = |c: &str| sorted(o.names(&format!("SELECT LastName FROM Contact WHERE {c}")));
    assert_eq!(contacts("Account.Name = 'Acme'"), ["Jones", "Smith"]);
    assert_eq!(contacts("Account.Industry = null"), ["Brown", "Loner"]);
    assert_eq!(contacts("account.name LIKE 'b%'"), ["Brown"]);
    assert_eq!(accounts(&o, "Parent.Name = 'Acme'"), ["Gamma"]);
    let cases = o.names("SELECT Subject FROM Case WHERE Contact.Account.Name = 'Acme'");
    assert_eq!(cases, ["Broken"]);
    // The queried object's own name may prefix a field.
    assert_eq!(accounts(&o, "Account.Name = 'Acme'"), ["Acme"]);
    assert_eq!(
        sorted(o.names("SELECT Name FROM Account a WHERE a.Industry = 'tech'")),
        ["Acme", "delta_x"]
    );
}

#[test]
fn dates_and_datetimes() {
    let o = org();
    let opps = |c: &str| sorted(o.names(&format!("SELECT Name FROM Opportunity WHERE {c}")));
    assert_eq!(opps("CloseDate = 2024-05-15"), ["o1"]);
    assert_eq!(opps("CloseDate < 2024-05-15"), ["o2", "o4"]);
    assert_eq!(opps("CloseDate >= 2024-05-05"), ["o1", "o2", "o3"]);
    assert_eq!(accounts(&o, "CreatedDate > 2024-05-15T08:30:00Z"), ["Acme"]);
    assert_eq!(
        accounts(&o, "CreatedDate < 2024-05-15T10:30:00+01:00"),
        ["Acme", "Gamma", "beta corp", "delta_x"]
    );
    assert_eq!(
        accounts(&o, "CreatedDate < 2024-05-15T10:30:00+02:00"),
        ["Gamma", "beta corp", "delta_x"]
    );
    let b = [("d", BindValue::One(day(-10)))];
    let q = "SELECT Name FROM Opportunity WHERE CloseDate <= :d ORDER BY Name";
    assert_eq!(o.names_with(q, &b), ["o2", "o4"]);
}

#[test]
fn date_literals() {
    let o = org();
    let opps =
        |c: &str| sorted(o.names(&format!("SELECT Name FROM Opportunity WHERE CloseDate {c}")));
    assert_eq!(opps("= TODAY"), ["o1"]);
    assert_eq!(opps("> TODAY"), ["o3"]);
    assert_eq!(opps("< TODAY"), ["o2", "o4"]);
    assert_eq!(opps("<= TODAY"), ["o1", "o2", "o4"]);
    assert_eq!(opps(">= TODAY"), ["o1", "o3"]);
    assert_eq!(opps("!= TODAY"), ["o2", "o3", "o4"]);
    assert!(opps("= YESTERDAY").is_empty());
    assert_eq!(opps("= THIS_WEEK"), ["o1"]);
    assert_eq!(opps("= LAST_WEEK"), ["o2"]);
    assert_eq!(opps("= THIS_MONTH"), ["o1", "o2"]);
    assert_eq!(opps("= NEXT_MONTH"), ["o3"]);
    assert_eq!(opps("= THIS_YEAR"), ["o1", "o2", "o3"]);
    assert_eq!(opps("= LAST_YEAR"), ["o4"]);
    assert_eq!(opps("= LAST_N_DAYS:10"), ["o1", "o2"]);
    assert_eq!(opps("= LAST_N_DAYS:9"), ["o1"]);
    assert_eq!(opps("= NEXT_N_DAYS:40"), ["o1", "o3"]);
    assert_eq!(opps("= N_DAYS_AGO:10"), ["o2"]);
    assert_eq!(opps("= THIS_QUARTER"), ["o1", "o2", "o3"]);
    assert_eq!(opps("= LAST_90_DAYS"), ["o1", "o2"]);
    assert_eq!(opps("> LAST_N_MONTHS:2"), ["o1", "o2", "o3"]);
    // On datetimes a day literal covers the whole day.
    assert_eq!(accounts(&o, "CreatedDate = TODAY"), ["Acme"]);
    assert_eq!(
        accounts(&o, "CreatedDate = LAST_N_DAYS:3"),
        ["Acme", "beta corp"]
    );
    assert_eq!(
        accounts(&o, "CreatedDate < LAST_N_DAYS:30"),
        ["Gamma", "delta_x"]
    );
}

#[test]
fn date_literal_ranges() {
    use super::super::dates::{literal, range};
    let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
    let r = |name: &str, n: Option<i64>| range(&literal(name, n).unwrap(), today());
    assert_eq!(r("THIS_WEEK", None), (d(5, 12), d(5, 19)));
    assert_eq!(r("NEXT_WEEK", None), (d(5, 19), d(5, 26)));
    assert_eq!(r("TOMORROW", None), (d(5, 16), d(5, 17)));
    assert_eq!(r("LAST_MONTH", None), (d(4, 1), d(5, 1)));
    assert_eq!(r("NEXT_QUARTER", None), (d(7, 1), d(10, 1)));
    assert_eq!(r("LAST_N_DAYS", Some(1)), (d(5, 14), d(5, 16)));
    assert_eq!(r("NEXT_N_DAYS", Some(2)), (d(5, 15), d(5, 18)));
    assert_eq!(r("LAST_N_WEEKS", Some(2)), (d(4, 28), d(5, 12)));
    assert_eq!(r("N_MONTHS_AGO", Some(2)), (d(3, 1), d(4, 1)));
    assert_eq!(
        r("NEXT_N_YEARS", Some(1)),
        (
            NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
        )
    );
    assert_eq!(
        r("THIS_FISCAL_YEAR", None),
        (d(1, 1), NaiveDate::from_ymd_opt(2025, 1, 1).unwrap())
    );
    assert!(literal("LAST_FORTNIGHT", None).is_none());
}

#[test]
fn date_functions() {
    let o = org();
    let opps = |c: &str| sorted(o.names(&format!("SELECT Name FROM Opportunity WHERE {c}")));
    assert_eq!(opps("CALENDAR_YEAR(CloseDate) = 2023"), ["o4"]);
    assert_eq!(opps("CALENDAR_MONTH(CloseDate) = 5"), ["o1", "o2"]);
    assert_eq!(opps("DAY_IN_WEEK(CloseDate) = 4"), ["o1"]);
    assert_eq!(accounts(&o, "DAY_ONLY(CreatedDate) = TODAY"), ["Acme"]);
    assert_eq!(accounts(&o, "HOUR_IN_DAY(CreatedDate) = 10"), ["beta corp"]);
}

#[test]
fn includes_and_excludes() {
    let o = org();
    assert_eq!(accounts(&o, "Sic INCLUDES ('c')"), ["Acme"]);
    assert_eq!(accounts(&o, "Sic INCLUDES ('b')"), ["Acme", "beta corp"]);
    assert_eq!(accounts(&o, "Sic INCLUDES ('a;c', 'x')"), ["Acme"]);
    assert_eq!(accounts(&o, "Sic INCLUDES ('b;x')"), Vec::<String>::new());
    assert_eq!(
        accounts(&o, "Sic EXCLUDES ('a')"),
        ["Gamma", "beta corp", "delta_x"]
    );
}

#[test]
fn semi_joins() {
    let o = org();
    assert_eq!(
        accounts(&o, "Id IN (SELECT AccountId FROM Contact)"),
        ["Acme", "beta corp"]
    );
    assert_eq!(
        accounts(&o, "Id NOT IN (SELECT AccountId FROM Contact)"),
        ["Gamma", "delta_x"]
    );
    assert_eq!(
        accounts(
            &o,
            "Id IN (SELECT AccountId FROM Opportunity WHERE StageName = 'Prospecting') AND Name != 'Acme'"
        ),
        ["beta corp"]
    );
}

#[test]
fn inline_binds_are_compiled_by_the_caller() {
    let o = org();
    let q = "[SELECT Name FROM Account WHERE Name IN :names AND NumberOfEmployees > :acc.NumberOfEmployees LIMIT :lim]";
    let (query, exprs) = inline(&o, "", q).unwrap();
    assert_eq!(exprs, ["names", "acc.NumberOfEmployees", "lim"]);
    assert_eq!(
        query.binds(),
        [BindRef::Index(0), BindRef::Index(1), BindRef::Index(2)]
    );
    let b = [
        (
            "names",
            BindValue::Many(vec![s("Acme"), s("Gamma"), s("beta corp")]),
        ),
        ("acc.NumberOfEmployees", BindValue::One(int(6))),
        ("lim", BindValue::One(int(5))),
    ];
    let Ok(QueryResult::Rows(rows)) = run_inline(&o, q, &b) else {
        panic!()
    };
    assert_eq!(sorted(names(&rows)), ["Acme", "beta corp"]);
}
