//! `isvdbg exec` and `isvdbg logs` against the embedded default world: the
//! binary end to end, and the workflow library over one in-process sandbox
//! (an embedded sandbox lives only as long as its command, so reading the
//! log of a request needs both in one process).

mod setup_support;

use std::path::{Path, PathBuf};

use isvdbg::sandbox::Sandbox;
use isvdbg::sandbox::clock::Clock;
use isvdbg::workflow::credentials::Given;
use isvdbg::workflow::logs::{self, Access, View};
use isvdbg::workflow::progress::Progress;
use isvdbg::workflow::{Connected, exec};
use setup_support::isvdbg;

const ADMIN: &str = "admin@globex.example.full";

fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/worlds/default/orgs/globex-full/scripts")
}

fn script(name: &str) -> String {
    scripts().join(name).to_string_lossy().into_owned()
}

fn apex_file(dir: &Path, text: &str) -> String {
    let path = dir.join("run.apex");
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_prints_the_debug_output_of_the_customers_reproduction() {
    let file = script("create-invoice.apex");
    let run = isvdbg(
        &["exec", "--org", "globex-full", "--as", ADMIN, &file],
        &[],
        None,
    )
    .await
    .expect_ok();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines.iter().any(|l| l.ends_with("|DEBUG|subtotal=5348.78")),
        "{}",
        run.stdout
    );
    assert!(
        lines.iter().any(|l| l.ends_with("|DEBUG|tax=474.71")),
        "the Globex bug shows"
    );
    assert!(
        lines.iter().all(|l| l.splitn(3, '|').count() == 3),
        "LINE|LEVEL|message"
    );
    assert!(run.stderr.contains(&format!(
        "✓ Logged in as {ADMIN} in Globex Corp (Full Sandbox)"
    )));

    let world = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/worlds/default");
    let args = [
        "exec",
        "--world",
        world.to_str().unwrap(),
        "--org",
        "globex-full",
        "--as",
        ADMIN,
        &file,
        "--plain",
    ];
    let plain = isvdbg(&args, &[], None).await.expect_ok();
    assert!(
        plain.stdout.lines().any(|l| l == "tax=474.71"),
        "{}",
        plain.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exception_is_printed_and_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    let file = apex_file(
        tmp.path(),
        "System.debug('before');\nInteger n;\nn.format();\n",
    );
    let run = isvdbg(
        &["exec", "--org", "globex-full", "--as", ADMIN, &file],
        &[],
        None,
    )
    .await;
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(run.stdout.trim(), "1|DEBUG|before");
    assert!(
        run.stderr.contains("System.NullPointerException: "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("AnonymousBlock: line 3"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_name_the_step_and_keep_the_sandboxs_message() {
    let tmp = tempfile::tempdir().unwrap();
    let file = apex_file(tmp.path(), "System.debug(1);\n");
    let wrong = isvdbg(
        &["exec", "--org", "globex-full", "--as", ADMIN, &file],
        &[("ISVDBG_PASSWORD", "not-the-password".into())],
        None,
    )
    .await;
    assert_eq!(wrong.code, Some(1));
    assert!(
        wrong
            .stderr
            .contains("✗ Subscriber login refused: wrong password"),
        "{}",
        wrong.stderr
    );

    let nobody = isvdbg(
        &[
            "exec",
            "--org",
            "globex-full",
            "--as",
            "nobody@globex.example.full",
            &file,
        ],
        &[("ISVDBG_PASSWORD", "x".into())],
        None,
    )
    .await;
    assert_eq!(nobody.code, Some(1));
    assert!(
        nobody.stderr.contains("✗ Subscriber login refused: "),
        "{}",
        nobody.stderr
    );

    let no_wait = isvdbg(
        &[
            "exec",
            "--org",
            "globex-full",
            "--as",
            ADMIN,
            &file,
            "--no-wait",
        ],
        &[],
        None,
    )
    .await;
    assert_eq!(no_wait.code, Some(1));
    assert!(
        no_wait.stderr.contains("--no-wait needs --sandbox"),
        "{}",
        no_wait.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_org_that_requires_mfa_takes_the_code_of_the_users_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let file = apex_file(tmp.path(), "System.debug('in umbrella');\n");
    let args = [
        "exec",
        "--org",
        "umbrella-sandbox",
        "--as",
        "admin@umbrella.example.dev",
        &file,
        "--plain",
    ];
    let run = isvdbg(&args, &[], None).await.expect_ok();
    assert_eq!(run.stdout.trim(), "in umbrella");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_of_a_fresh_embedded_sandbox_are_empty_and_say_why() {
    let run = isvdbg(&["logs", "--org", "globex-full"], &[], None)
        .await
        .expect_ok();
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.contains("No debug logs in globex-full yet"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--sandbox"), "{}", run.stderr);
}

/// The default world's sandbox, in this process, and a connection to it.
fn embedded() -> Connected {
    let loaded = isvdbg::world::resolve(None).expect("the default world loads");
    let sandbox = Sandbox::new(loaded.world.clone(), Clock::virtual_at(loaded.start)).unwrap();
    Connected::local(sandbox, loaded, None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_publisher_reads_the_full_log_and_the_customer_the_subscriber_view() {
    // The customer runs the reproduction.
    let customer = embedded();
    let given = Given::default();
    exec::login_subscriber(&customer, "globex-full", ADMIN, &given, None)
        .await
        .unwrap();
    let code = std::fs::read_to_string(script("create-invoice.apex")).unwrap();
    let run = exec::run_apex(&customer, &code, "create-invoice.apex", true)
        .await
        .unwrap();
    assert_eq!(run.success, Some(true));
    assert!(run.output.iter().any(|l| l.message == "tax=474.71"));

    // The publisher, on another connection to the same instance, through login access.
    let publisher = customer.reconnect().expect("an embedded sandbox");
    let mut progress = Progress::new(Vec::new(), false);
    let access = Access {
        org: "globex-full".into(),
        view: View::Full,
        project: PathBuf::from("/nonexistent"),
        lmo_user: None,
        login_as: None,
        subscriber: None,
    };
    logs::authenticate(&publisher, &access, &given, None, &mut progress)
        .await
        .unwrap();
    let said = String::from_utf8(progress.into_inner()).unwrap();
    assert!(
        said.contains("✓ Logged in to the LMO as support@acme.example (MFA)"),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "✓ Logged in as {ADMIN} in Globex Corp (Full Sandbox)"
        )),
        "{said}"
    );

    let list = logs::list(&publisher).await.unwrap();
    let entry = list
        .iter()
        .find(|l| l.request_id == run.request_id)
        .expect("the request's log is listed");
    assert_eq!(entry.kind, "EXECUTE_ANONYMOUS");
    assert_eq!(entry.user, ADMIN);
    assert!(logs::table(&list).contains("create-invoice.apex"));

    let full = logs::get(&publisher, &run.request_id, View::Full)
        .await
        .unwrap();
    let theirs = logs::get(&customer, &run.request_id, View::Subscriber)
        .await
        .unwrap();
    assert!(full.contains("ENTERING_MANAGED_PKG|acme"));
    assert!(theirs.contains("ENTERING_MANAGED_PKG|acme"));
    assert!(theirs.lines().count() < full.lines().count());
    let refused = logs::get(&customer, &run.request_id, View::Full)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some("VIEW_REFUSED"));
    assert!(
        refused
            .to_string()
            .starts_with("Reading the debug log refused: "),
        "{refused}"
    );
}
