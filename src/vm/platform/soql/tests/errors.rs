//! Every error, in Salesforce's words, from inline and dynamic parsing and from running.

use super::*;

fn inline_error(o: &Org, soql: &str) -> String {
    match inline(o, "", soql) {
        Err(e) => e.message,
        Ok((q, _)) => panic!("{soql} parsed: {}", q.to_soql()),
    }
}

const COLUMN_HINT: &str = "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.";
const REL_HINT: &str = "If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.";

#[test]
fn unknown_objects() {
    let o = org();
    assert_eq!(
        inline_error(&o, "[SELECT Id FROM Foo]"),
        "sObject type 'Foo' is not supported."
    );
    assert_eq!(
        o.error("SELECT Id FROM Foo"),
        "sObject type 'Foo' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names."
    );
    assert_eq!(
        o.error("SELECT Id FROM Account WHERE Id IN (SELECT Id FROM Nope)")
            .split('.')
            .next(),
        Some("sObject type 'Nope' is not supported")
    );
}

#[test]
fn unknown_columns() {
    let o = org();
    let want = format!("No such column 'Bar' on entity 'Account'. {COLUMN_HINT}");
    assert_eq!(inline_error(&o, "[SELECT Id, Bar FROM Account]"), want);
    assert_eq!(o.error("SELECT Id FROM Account WHERE Bar = 1"), want);
    assert_eq!(o.error("SELECT Id FROM Account ORDER BY Bar"), want);
    assert_eq!(
        o.error("SELECT Account.Nme FROM Contact"),
        format!("No such column 'Nme' on entity 'Account'. {COLUMN_HINT}")
    );
    assert_eq!(
        o.error("SELECT Id, (SELECT Bogus FROM Contacts) FROM Account"),
        format!("No such column 'Bogus' on entity 'Contact'. {COLUMN_HINT}")
    );
}

#[test]
fn unknown_relationships() {
    let o = org();
    assert_eq!(
        o.error("SELECT Id, (SELECT Id FROM Foos) FROM Account"),
        format!("Didn't understand relationship 'Foos' in FROM part of query call. {REL_HINT}")
    );
    assert_eq!(
        inline_error(&o, "[SELECT Owner2.Name FROM Account]"),
        format!("Didn't understand relationship 'Owner2' in field path. {REL_HINT}")
    );
    assert_eq!(
        o.error("SELECT Id FROM Contact WHERE Account.Foo.Name = 'x'"),
        format!("Didn't understand relationship 'Foo' in field path. {REL_HINT}")
    );
}

#[test]
fn syntax_errors_name_the_unexpected_token() {
    let o = org();
    assert_eq!(
        o.error("SELEC Id FROM Account"),
        "unexpected token: 'SELEC'"
    );
    assert_eq!(
        o.error("SELECT Id FROM Account WHERE"),
        "unexpected token: '<EOF>'"
    );
    assert_eq!(
        o.error("SELECT Id FROM Account WHERE Name = "),
        "unexpected token: '<EOF>'"
    );
    assert_eq!(
        o.error("SELECT Id FROM Account LIMIT x"),
        "unexpected token: 'x'"
    );
    assert_eq!(
        o.error("SELECT Id, FROM Account"),
        "unexpected token: 'FROM'"
    );
    assert_eq!(
        o.error("SELECT Id FROM Account WHERE A = 1 AND B = 2 OR C = 3"),
        "unexpected token: 'OR'"
    );
    assert_eq!(
        o.error("SELECT Id FROM Account WHERE Name == 'x'"),
        "unexpected token: '='"
    );
    assert_eq!(o.error(""), "unexpected token: '<EOF>'");
    // Spans are in the text as written, before binds are rewritten.
    let text = "SELECT Id FROM Account WHERE Name = :name LIMIT x";
    let e = parse_dynamic(text, &o.ctx()).unwrap_err();
    assert_eq!(e.message, "unexpected token: 'x'");
    assert_eq!(&text[e.span.unwrap()], "x");
    let text = "SELECT Id FROM Account WHERE Id IN :ids AND Bogus = 1";
    let e = parse_dynamic(text, &o.ctx()).unwrap_err();
    assert_eq!(&text[e.span.unwrap()], "Bogus");
}

#[test]
fn literals_of_the_wrong_type() {
    let o = org();
    let msg = |f: &str, t: &str, q: &str| {
        format!(
            "value of filter criterion for field '{f}' must be of type {t} and {q} enclosed in quotes"
        )
    };
    assert_eq!(
        o.error("SELECT Id FROM Account WHERE Name = 5"),
        msg("Name", "string", "should be")
    );
    assert_eq!(
        o.error("SELECT Id FROM Account WHERE Industry IN ('a', 2)"),
        msg("Industry", "string", "should be")
    );
    assert_eq!(
        o.error("SELECT Id FROM Account WHERE AnnualRevenue = '5'"),
        msg("AnnualRevenue", "double", "should not be")
    );
    assert_eq!(
        o.error("SELECT Id FROM Account WHERE IsDeleted = 'true'"),
        msg("IsDeleted", "boolean", "should not be")
    );
    assert_eq!(
        o.error("SELECT Id FROM Opportunity WHERE CloseDate = '2024-01-01'"),
        msg("CloseDate", "date", "should not be")
    );
    assert_eq!(
        o.error("SELECT Id FROM Account WHERE CreatedDate > 2024-01-01"),
        msg("CreatedDate", "dateTime", "should not be")
    );
    assert_eq!(
        o.error("SELECT Id FROM Account WHERE Name = TODAY"),
        msg("Name", "string", "should be")
    );
    assert_eq!(
        o.error("SELECT Id FROM Account WHERE ParentId = 5"),
        msg("ParentId", "id", "should be")
    );
    assert_eq!(
        o.error("SELECT Id FROM Account WHERE Id = 'foo'"),
        "invalid ID field: foo"
    );
    assert_eq!(
        inline_error(
            &o,
            "[SELECT Id FROM Contact WHERE AccountId IN ('001000000000000AAA', 'nope')]"
        ),
        "invalid ID field: nope"
    );
}

#[test]
fn bad_bind_values_fail_at_run_time() {
    let o = org();
    let run = |q: &str, b: &[(&str, BindValue)]| o.dynamic(q, b).unwrap_err().message;
    assert_eq!(
        run(
            "SELECT Id FROM Account WHERE Id = :x",
            &[("x", BindValue::One(s("junk")))]
        ),
        "invalid ID field: junk"
    );
    assert_eq!(
        run(
            "SELECT Id FROM Account WHERE Id IN :x",
            &[("x", BindValue::Many(vec![s("junk")]))]
        ),
        "invalid ID field: junk"
    );
    assert_eq!(
        run(
            "SELECT Id FROM Account LIMIT :x",
            &[("x", BindValue::One(int(-1)))]
        ),
        "LIMIT must be a non-negative integer"
    );
    assert_eq!(
        run(
            "SELECT Id FROM Account LIMIT :x",
            &[("x", BindValue::One(s("a")))]
        ),
        "LIMIT must be an integer"
    );
    assert_eq!(
        o.error("SELECT Id FROM Account OFFSET 2001"),
        "Maximum SOQL offset allowed is 2000"
    );
    assert_eq!(
        run("SELECT Id FROM Account WHERE Name = :gone", &[]),
        "Variable does not exist: gone"
    );
}

#[test]
fn select_list_errors() {
    let o = org();
    assert_eq!(
        o.error("SELECT Id, Name, name FROM Account"),
        "duplicate field selected: Name"
    );
    assert_eq!(
        o.error("SELECT Name, COUNT(Id) FROM Account"),
        "Field must be grouped or aggregated: Name"
    );
    assert_eq!(
        o.error("SELECT Name, COUNT(Id) FROM Account GROUP BY Industry"),
        "Field must be grouped or aggregated: Name"
    );
    assert_eq!(
        o.error("SELECT Industry FROM Account GROUP BY Industry ORDER BY Name"),
        "Ordered field must be grouped or aggregated: Name"
    );
    assert_eq!(
        o.error("SELECT SUM(Name) FROM Account"),
        "field Name does not support aggregate operator SUM"
    );
    assert_eq!(
        o.error("SELECT COUNT(Id) c, MAX(Name) c FROM Account"),
        "duplicate alias: c"
    );
    assert_eq!(
        o.error("SELECT Name n FROM Account"),
        "Only aggregate expressions use field aliasing"
    );
    assert_eq!(
        o.error("SELECT Id FROM Account WHERE COUNT(Id) > 1"),
        "Aggregate function COUNT is not allowed in WHERE"
    );
    assert_eq!(
        o.error("SELECT Id FROM Account WHERE Description = 'x'"),
        "field 'Description' can not be filtered in a query call"
    );
    assert_eq!(
        o.error("SELECT Id FROM Account ORDER BY Description"),
        "field 'Description' can not be sorted in a query call"
    );
    assert_eq!(
        o.error("SELECT COUNT(Id) FROM Account GROUP BY Description"),
        "field 'Description' can not be grouped in a query call"
    );
    assert_eq!(
        o.error("SELECT FOO(Name) FROM Account"),
        "unknown function FOO"
    );
}

#[test]
fn inline_errors_carry_their_position() {
    let o = org();
    let soql = "[SELECT Id FROM Account WHERE Bar = 1]";
    let e = inline(&o, "", soql).unwrap_err();
    let src = format!("class X {{ void m() {{ Object x = {soql}; }} }}");
    assert_eq!(&src[e.span.unwrap()], "Bar");
}

#[test]
fn not_after_and_needs_parentheses() {
    // The grammar takes NOT only at the start of a condition or a parenthesised group.
    let o = org();
    assert!(
        o.error("SELECT Id FROM Account WHERE Name = 'a' AND NOT Industry = 'b'")
            .starts_with("unexpected token")
    );
    assert!(
        inline(
            &o,
            "",
            "[SELECT Id FROM Account WHERE Name = 'a' AND NOT Industry = 'b']"
        )
        .is_err()
    );
    let n = o.names("SELECT Name FROM Account WHERE AnnualRevenue > 0 AND (NOT Industry = 'tech')");
    assert_eq!(n, ["beta corp"]);
}

#[test]
fn queries_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Query>();
    shared::<QueryResult>();
    shared::<SoqlError>();
}
