//! The Acme Billing fixture package, deployed with its subscriber orgs: its own
//! Apex tests pass, the Globex tax bug reproduces with Globex's data only, the
//! REST resource answers, and queued work runs as its own request.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use isvdbg::sfdx::deploy;
use isvdbg::vm::platform::context::AsyncJob;
use isvdbg::vm::platform::store::OrgStore;
use isvdbg::vm::{self, Entry, RunOutcome, apex_tests, interp::RequestEnv};

fn world() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/worlds/default")
}

fn package() -> PathBuf {
    world().join("packages/acme-billing")
}

/// An org with the package installed and its data loaded.
struct Org {
    prog: Arc<vm::program::Program>,
    store: Arc<OrgStore>,
    dir: PathBuf,
}

fn org(name: &str) -> Org {
    let dir = world().join("orgs").join(name);
    let d = deploy::deploy(&[&package()], Some(&dir)).expect("deploys");
    let store = Arc::new(OrgStore::new(d.program.schema.clone()));
    deploy::load_org_data(&dir, &store).expect("data loads");
    Org {
        prog: Arc::new(d.program),
        store,
        dir,
    }
}

impl Org {
    /// Runs an entry of `prog` on a request thread, as the sandbox does.
    fn run(&self, prog: Arc<vm::program::Program>, entry: Entry) -> RunOutcome {
        let store = self.store.clone();
        std::thread::Builder::new()
            .stack_size(vm::REQUEST_STACK)
            .spawn(move || {
                let env = RequestEnv {
                    store: Some(store),
                    ..RequestEnv::default()
                };
                vm::run_request(&prog, &entry, env, None)
            })
            .unwrap()
            .join()
            .unwrap()
    }

    fn request(&self, entry: Entry) -> RunOutcome {
        self.run(self.prog.clone(), entry)
    }

    fn anonymous(&self, text: &str) -> RunOutcome {
        let (prog, entry) = vm::compile_anonymous(&self.prog, text).expect("compiles");
        self.run(Arc::new(prog), Entry::Anonymous(entry))
    }

    fn script(&self, name: &str) -> Vec<String> {
        let text = std::fs::read_to_string(self.dir.join("scripts").join(name)).unwrap();
        let out = self.anonymous(&text);
        assert!(out.exception.is_none(), "{:?}", out.exception);
        out.output
            .into_iter()
            .filter(|l| l.namespace.is_empty())
            .map(|l| l.message)
            .collect()
    }
}

fn line<'a>(output: &'a [String], prefix: &str) -> &'a str {
    output
        .iter()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` line in {output:?}"))
}

#[test]
fn the_package_own_apex_tests_pass() {
    let dir = package();
    let d = deploy::deploy(&[], Some(&dir)).expect("the package deploys alone");
    let files: Vec<String> = isvdbg::sfdx::load_sources(&dir)
        .unwrap()
        .files
        .into_iter()
        .map(|f| f.name)
        .collect();
    let prog = Arc::new(d.program);
    let tests = apex_tests::find(&prog, &files, None);
    assert!(tests.len() >= 10, "only {} tests found", tests.len());
    for t in tests {
        let p = prog.clone();
        let name = t.name.clone();
        let out = std::thread::Builder::new()
            .stack_size(vm::REQUEST_STACK)
            .spawn(move || apex_tests::run(&p, &t))
            .unwrap()
            .join()
            .unwrap();
        assert!(out.exception.is_none(), "{name}: {:?}", out.exception);
    }
}

#[test]
fn the_globex_tax_bug_shows_only_with_globex_full_sandbox_data() {
    // (org, subtotal, tax, total) of create-invoice.apex: only the Globex Full
    // sandbox, whose accounts spell out state names, gets the US_NY rate.
    let expected = [
        ("globex-full", "5348.78", "474.71", "5823.49"),
        ("globex-prod", "5348.78", "387.79", "5736.57"),
        ("initech-sandbox", "985.00", "71.41", "1056.41"),
    ];
    for (name, subtotal, tax, total) in expected {
        let out = org(name).script("create-invoice.apex");
        let got = (
            line(&out, "subtotal="),
            line(&out, "tax="),
            line(&out, "total="),
        );
        assert_eq!(got, (subtotal, tax, total), "{name}");
    }
}

#[test]
fn the_package_debug_output_is_the_publisher_s_alone() {
    let out = org("globex-full").anonymous(
        "Account a = [SELECT Id FROM Account WHERE Name = 'Cypress Creek Outfitters'];
acme.BillingApi.createInvoice(a.Id, new List<acme.BillingApi.LineInput>{
    new acme.BillingApi.LineInput('Kit', 1, 10, 0)});",
    );
    assert!(out.exception.is_none(), "{:?}", out.exception);
    let package_lines: Vec<_> = out
        .output
        .iter()
        .filter(|l| l.namespace == "acme")
        .collect();
    assert!(
        package_lines
            .iter()
            .any(|l| l.message.contains("using default region US_NY")),
        "the package explains its fallback in its own debug output: {package_lines:?}"
    );
}

/// Creates an invoice `i` for Cypress Creek Outfitters, runs `then`, and gives
/// the request's outcome and the invoice's id.
fn new_invoice(o: &Org, then: &str) -> (RunOutcome, String) {
    let out = o.anonymous(&format!(
        "Account a = [SELECT Id FROM Account WHERE Name = 'Cypress Creek Outfitters'];
Id i = acme.BillingApi.createInvoice(a.Id, new List<acme.BillingApi.LineInput>{{
    new acme.BillingApi.LineInput('Kit', 2, 50, 0)}});
{then}
System.debug(i);"
    ));
    assert!(out.exception.is_none(), "{:?}", out.exception);
    let id = out
        .output
        .iter()
        .rev()
        .find(|l| l.namespace.is_empty())
        .expect("the id")
        .message
        .clone();
    (out, id)
}

fn rest(o: &Org, method: &str, path: &str, body: Option<&str>) -> RunOutcome {
    o.request(Entry::Rest {
        method: method.into(),
        path: path.into(),
        body: body.map(|b| b.as_bytes().to_vec()),
    })
}

#[test]
fn the_rest_resource_answers_by_its_url_mapping() {
    let o = org("globex-prod");
    let (_, id) = new_invoice(&o, "");

    let got = rest(&o, "GET", &format!("/acme/invoices/{id}"), None);
    let reply = got.rest.expect("a REST reply");
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body: serde_json::Value = serde_json::from_str(&reply.body).expect("JSON body");
    assert_eq!(body["subtotal"], serde_json::json!(100.00));
    assert_eq!(body["lines"].as_array().map(Vec::len), Some(1));

    let missing = rest(&o, "GET", "/acme/nothing-here", None).rest.unwrap();
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("NOT_FOUND"), "{}", missing.body);

    let wrong_verb = rest(&o, "DELETE", &format!("/acme/invoices/{id}"), None)
        .rest
        .unwrap();
    assert_eq!(wrong_verb.status, 405);

    let bad = rest(&o, "POST", "/acme/invoices", Some(r#"{"lines": []}"#))
        .rest
        .unwrap();
    assert_eq!(bad.status, 400, "{}", bad.body);
}

#[test]
fn queued_work_is_recorded_and_runs_as_its_own_request() {
    let o = org("globex-prod");
    let (out, id) = new_invoice(
        &o,
        "acme.BillingApi.approveInvoice(i);\nacme.BillingApi.sendInvoice(i);",
    );
    // Sending queues the ERP sync and, through a trigger, the follow-up tasks.
    let queueable = out
        .async_jobs
        .iter()
        .find(|j| matches!(j, AsyncJob::Queueable { class, .. } if class == "acme.InvoiceSyncQueueable"))
        .unwrap_or_else(|| panic!("no sync job in {:?}", out.async_jobs));
    let future = out
        .async_jobs
        .iter()
        .find(|j| matches!(j, AsyncJob::Future { method, .. } if method == "acme.InvoiceNotifier.createFollowUpTasksAsync"))
        .unwrap_or_else(|| panic!("no follow-up future in {:?}", out.async_jobs));

    let before = o.anonymous(&format!(
        "System.debug([SELECT acme__Sync_Status__c FROM acme__Invoice__c WHERE Id = '{id}'].acme__Sync_Status__c);"
    ));
    let job = o.request(Entry::Job(queueable.clone()));
    assert!(job.exception.is_none(), "{:?}", job.exception);
    let after = o.anonymous(&format!(
        "System.debug([SELECT acme__Sync_Status__c FROM acme__Invoice__c WHERE Id = '{id}'].acme__Sync_Status__c);"
    ));
    assert_ne!(
        before.output.last().unwrap().message,
        after.output.last().unwrap().message,
        "the job changed the invoice's sync status"
    );

    let tasks = |o: &Org| {
        o.anonymous(&format!(
            "System.debug([SELECT COUNT() FROM Task WHERE WhatId = '{id}']);"
        ))
        .output
        .last()
        .unwrap()
        .message
        .clone()
    };
    assert_eq!(tasks(&o), "0");
    let run = o.request(Entry::Job(future.clone()));
    assert!(run.exception.is_none(), "{:?}", run.exception);
    assert_eq!(tasks(&o), "1", "the future created the follow-up task");
}
