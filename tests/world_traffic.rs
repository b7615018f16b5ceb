//! Scripted traffic in world.toml: it names an org and one of its users, and
//! runs one action at valid times.

mod world_support;

use world_support::{assert_at, edit, world_with};

#[test]
fn traffic_must_name_an_org_and_one_of_its_users() {
    let w = world_with(|f| edit(&mut f.world, "org = \"alpha\"", "org = \"gamma\""));
    assert_at(
        &w,
        &w.error(),
        "world.toml",
        "gamma",
        &["no org `gamma`", "alpha, beta"],
    );
    let w = world_with(|f| {
        edit(
            &mut f.world,
            "user = \"clerk@alpha.example\"",
            "user = \"clerk@beta.example\"",
        )
    });
    assert_at(
        &w,
        &w.error(),
        "world.toml",
        "clerk@beta.example",
        &[
            "not a user of alpha",
            "admin@alpha.example, clerk@alpha.example",
        ],
    );
}

#[test]
fn traffic_runs_one_action_at_a_valid_time() {
    let w = world_with(|f| edit(&mut f.world, "rest = {", "apex = \"x.apex\"\nrest = {"));
    assert_at(
        &w,
        &w.error(),
        "world.toml",
        "[[traffic]]",
        &["either `apex", "exactly one"],
    );
    let w = world_with(|f| {
        edit(
            &mut f.world,
            "rest = { method = \"GET\", path = \"/acme/invoices\" }",
            "apex = \"scripts/none.apex\"",
        )
    });
    assert_at(
        &w,
        &w.error(),
        "world.toml",
        "none.apex",
        &["no file `scripts/none.apex` in orgs/alpha/"],
    );
    let w = world_with(|f| {
        edit(
            &mut f.world,
            "path = \"/acme",
            "path = \"/services/apexrest/acme",
        )
    });
    assert_at(
        &w,
        &w.error(),
        "world.toml",
        "rest = ",
        &["without /services/apexrest"],
    );
    let w = world_with(|f| edit(&mut f.world, "every = \"5m\"", "every = \"5 minutes\""));
    assert_at(&w, &w.error(), "world.toml", "every", &["unknown unit ` `"]);
    let w = world_with(|f| edit(&mut f.world, "every = \"5m\"", "at = \"-1m\""));
    assert_at(
        &w,
        &w.error(),
        "world.toml",
        "at = ",
        &["before the world start"],
    );
}

#[test]
fn rest_traffic_uses_an_http_method_and_a_period_above_zero() {
    let w = world_with(|f| edit(&mut f.world, "method = \"GET\"", "method = \"FETCH\""));
    assert_at(
        &w,
        &w.error(),
        "world.toml",
        "FETCH",
        &["`FETCH` is not an HTTP method", "GET, POST"],
    );
    let w = world_with(|f| edit(&mut f.world, "every = \"5m\"", "every = \"0s\""));
    assert_at(&w, &w.error(), "world.toml", "every", &["longer than zero"]);
}
