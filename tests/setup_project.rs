//! `isvdbg setup` against a sandbox on 127.0.0.1:0 (virtual clock): the
//! project it writes, what a re-run keeps, and the saved login at work.

mod sandbox_support;
mod setup_support;

use std::path::{Path, PathBuf};

use isvdbg::bridge::project::Project;
use isvdbg::workflow::jsonc;
use isvdbg::workflow::project::ProjectLayout;
use sandbox_support::{ADMIN, Server};
use serde_json::{Value, json};
use setup_support::{LMO, isvdbg, lmo_env, setup, subscriber_env};

const ORG_NAME: &str = "Globex Corp (Full Sandbox)";

fn read(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json_file(path: impl AsRef<Path>) -> Value {
    serde_json::from_str(&read(path)).unwrap()
}

/// The `.cls` or `.trigger` files of a folder, by name.
fn apex_files(dir: &Path, ext: &str) -> Vec<(String, PathBuf)> {
    let mut files: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    files.sort();
    files
}

fn launch_configs(project: &Path) -> Vec<Value> {
    let text = read(project.join(".vscode/launch.json"));
    jsonc::parse(&text).unwrap().to_value()["configurations"]
        .as_array()
        .unwrap()
        .clone()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_writes_a_project_for_isv_debugging_and_a_rerun_keeps_the_users_edits() {
    let server = Server::start().await;
    let sb = server.sb.clone();
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("globex");
    let env = lmo_env(&sb, LMO);

    let run = setup(&server.url, "globex-full", ADMIN, &project, &env)
        .await
        .expect_ok();

    // Progress, one line per step.
    let package = &sb.world.publisher.packages[0];
    let package_classes = apex_files(&package.path.join("force-app/main/default/classes"), "cls");
    let package_triggers = apex_files(
        &package.path.join("force-app/main/default/triggers"),
        "trigger",
    );
    for line in [
        format!("✓ Logged in to the LMO as {LMO} (MFA)"),
        format!("✓ Logged in as {ADMIN} in {ORG_NAME}"),
        format!(
            "✓ Retrieved {} package classes, {} package triggers and 2 org classes",
            package_classes.len(),
            package_triggers.len()
        ),
    ] {
        assert!(
            run.stdout.lines().any(|l| l == line),
            "no `{line}` in:\n{}",
            run.stdout
        );
    }
    assert!(
        !run.stdout.contains('\x1b'),
        "plain output when not a terminal"
    );
    // It closes its sandbox connection cleanly: no warning at the end.
    assert!(!run.stderr.contains("WARN"), "{}", run.stderr);

    // sfdx-project.json files: the subscriber's code has no namespace, the package's has its own.
    let root = json_file(project.join("sfdx-project.json"));
    assert_eq!(root["namespace"], "");
    assert_eq!(root["packageDirectories"][0]["path"], "force-app");
    let installed = project.join(".sfdx/tools/installed-packages/acme");
    let pkg = json_file(installed.join("sfdx-project.json"));
    assert_eq!(pkg["namespace"], "acme");
    assert_eq!(pkg["packageDirectories"][0]["package"], "Acme Billing");

    // The package's code, exactly as the publisher wrote it.
    for (name, source) in package_classes.iter().chain(&package_triggers) {
        let folder = if name.ends_with(".cls") {
            "classes"
        } else {
            "triggers"
        };
        let retrieved = installed.join(folder).join(name);
        assert_eq!(
            read(&retrieved),
            read(source),
            "{name} differs from the package's source"
        );
        let meta = read(format!("{}-meta.xml", retrieved.display()));
        assert!(meta.contains("<apiVersion>"), "{name}-meta.xml: {meta}");
    }
    let org_classes = project.join("force-app/main/default/classes");
    for name in ["GlobexInvoiceService.cls", "GlobexBillingController.cls"] {
        assert!(org_classes.join(name).is_file(), "{name} missing");
        assert!(org_classes.join(format!("{name}-meta.xml")).is_file());
    }

    // Every typeref the sandbox names maps to the retrieved file, as the debugger reads the project.
    let mut engineer = server
        .engineer("support2@acme.example", "globex-full", ADMIN)
        .await;
    let mut index = Project::load(&project).unwrap();
    let layout = ProjectLayout::new(&project);
    let files = engineer.ok("source.list", json!({})).await;
    let files = files["files"].as_array().unwrap();
    assert!(files.len() >= package_classes.len());
    for f in files {
        let typeref = f["typeref"].as_str().unwrap();
        let source = engineer
            .ok("source.get", json!({ "typeref": typeref }))
            .await;
        let path = index
            .path_of(typeref)
            .unwrap_or_else(|| panic!("{typeref} maps to no file"))
            .to_path_buf();
        assert_eq!(read(&path), source["text"].as_str().unwrap(), "{typeref}");
        let ours = layout.path_for_typeref(typeref).unwrap();
        assert_eq!(ours.canonicalize().unwrap(), path.canonicalize().unwrap());
        assert_eq!(index.typeref_of(&path).unwrap(), typeref);
    }
    assert!(index.path_of("acme/TaxCalculator").is_some());

    // launch.json: the configuration, and no credentials.
    let configs = launch_configs(&project);
    assert_eq!(
        configs,
        vec![json!({
            "name": format!("Debug Apex (ISV) — {ORG_NAME}"),
            "type": "apex-isv",
            "request": "launch",
            "salesforceProject": "${workspaceFolder}",
            "subscriberOrg": "globex-full",
            "loginAsUser": ADMIN,
            "lmoUser": LMO,
            "sandbox": server.url,
        })]
    );
    let session = json_file(project.join(".isvdbg/session.json"));
    let token = session["token"].as_str().expect("a token").to_string();
    let launch_text = read(project.join(".vscode/launch.json")).to_lowercase();
    for (_, secret) in &env {
        assert!(
            !launch_text.contains(&secret.to_lowercase()),
            "a secret in launch.json"
        );
    }
    assert!(!launch_text.contains(&token.to_lowercase()));
    for word in ["password", "token", "secret", "totp"] {
        assert!(!launch_text.contains(word), "`{word}` in launch.json");
    }

    // The session file: private, ignored by git, and resumable by another connection.
    assert_eq!(session["sandbox"], server.url.as_str());
    assert_eq!(session["lmoUser"], LMO);
    assert_eq!(session["org"], "globex-full");
    assert_eq!(session["loginAsUser"], ADMIN);
    assert!(session["expiresAt"].is_string());
    #[cfg(unix)]
    assert_eq!(mode(&project.join(".isvdbg/session.json")), 0o600);
    let gitignore = read(project.join(".gitignore"));
    assert_eq!(gitignore.lines().filter(|l| *l == ".isvdbg/").count(), 1);
    let mut resumer = server.client().await;
    let resumed = resumer.ok("auth.resume", json!({ "token": token })).await;
    assert_eq!(resumed["principal"]["username"], LMO);
    assert!(
        resumed["loginAs"].is_object(),
        "the LoginAs session stays: {resumed}"
    );

    // The user edits launch.json; a re-run fills in what is missing and keeps the rest.
    let edited = read(project.join(".vscode/launch.json"))
        .replace(
            "\"salesforceProject\": \"${workspaceFolder}\",\n",
            "",
        )
        .replace(
            &format!("\"loginAsUser\": \"{ADMIN}\","),
            &format!("\"loginAsUser\": \"{ADMIN}\", // the customer's admin\n            \"userIdFilter\": [\"0051x00001HedcmAAB\"],"),
        )
        .replacen(
            "\"configurations\": [",
            "\"configurations\": [\n        { \"name\": \"Mine\", \"type\": \"node\", \"request\": \"launch\" },",
            1,
        );
    std::fs::write(project.join(".vscode/launch.json"), &edited).unwrap();
    server.advance(30).await; // a fresh TOTP step: codes are single-use
    let rerun = setup(&server.url, "globex-full", ADMIN, &project, &env)
        .await
        .expect_ok();
    assert!(
        rerun.stdout.contains("(salesforceProject)"),
        "{}",
        rerun.stdout
    );
    let text = read(project.join(".vscode/launch.json"));
    assert!(
        text.contains("// the customer's admin"),
        "the user's comment is gone:\n{text}"
    );
    let configs = launch_configs(&project);
    assert_eq!(configs.len(), 2, "{configs:?}");
    assert_eq!(configs[0]["name"], "Mine");
    assert_eq!(configs[1]["userIdFilter"], json!(["0051x00001HedcmAAB"]));
    assert_eq!(configs[1]["salesforceProject"], "${workspaceFolder}");
    assert_eq!(configs[1]["sandbox"], server.url.as_str());
    let gitignore = read(project.join(".gitignore"));
    assert_eq!(gitignore.lines().filter(|l| *l == ".isvdbg/").count(), 1);
    let session = json_file(project.join(".isvdbg/session.json"));
    assert_ne!(
        session["token"].as_str(),
        Some(token.as_str()),
        "a new login is saved"
    );
    #[cfg(unix)]
    assert_eq!(mode(&project.join(".isvdbg/session.json")), 0o600);

    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_saved_login_reads_the_full_debug_log_of_a_request_exec_ran() {
    let server = Server::start().await;
    let sb = server.sb.clone();
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("globex");
    setup(
        &server.url,
        "globex-full",
        ADMIN,
        &project,
        &lmo_env(&sb, LMO),
    )
    .await
    .expect_ok();

    // The customer's admin runs the reproduction script.
    let script = sb.org("globex-full").unwrap().info().project.unwrap();
    let script = script.join("scripts/create-invoice.apex");
    let script = script.to_str().unwrap();
    let admin_env = subscriber_env(&sb, "globex-full", ADMIN);
    let args = [
        "exec",
        "--sandbox",
        &server.url,
        "--org",
        "globex-full",
        "--as",
        ADMIN,
        script,
    ];
    let exec = isvdbg(&args, &admin_env, None).await.expect_ok();
    assert!(
        exec.stdout
            .lines()
            .any(|l| l.ends_with("|DEBUG|tax=474.71")),
        "{}",
        exec.stdout
    );
    let request = exec
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("✓ Request ")?.strip_suffix(" finished"))
        .unwrap_or_else(|| panic!("no request id in:\n{}", exec.stderr))
        .to_string();

    // In the project folder, with no secrets in the environment: the saved login.
    let list = isvdbg(
        &["logs", "--sandbox", &server.url, "--org", "globex-full"],
        &[],
        Some(&project),
    )
    .await
    .expect_ok();
    assert!(
        list.stderr
            .contains("Resumed the login of .isvdbg/session.json"),
        "{}",
        list.stderr
    );
    let header = list.stdout.lines().next().unwrap();
    assert!(
        header.starts_with("REQUEST") && header.ends_with("SIZE"),
        "{header}"
    );
    let row = list
        .stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(request.as_str()))
        .unwrap_or_else(|| panic!("request {request} not listed:\n{}", list.stdout));
    assert!(
        row.contains("EXECUTE_ANONYMOUS")
            && row.contains("create-invoice.apex")
            && row.contains(ADMIN)
    );

    let get = |view: &'static str, env: Vec<(&'static str, String)>| {
        let url = server.url.clone();
        let request = request.clone();
        let project = project.clone();
        async move {
            let args = [
                "logs",
                "--sandbox",
                &url,
                "--org",
                "globex-full",
                "--request",
                &request,
                "--view",
                view,
                "--as",
                ADMIN,
            ];
            isvdbg(&args, &env, Some(&project)).await.expect_ok().stdout
        }
    };
    let full = get("full", Vec::new()).await;
    server.advance(30).await;
    let customer = get("subscriber", admin_env).await;
    assert!(full.contains("ENTERING_MANAGED_PKG|acme"), "{full}");
    assert!(customer.contains("ENTERING_MANAGED_PKG|acme"), "{customer}");
    assert!(
        customer.lines().count() < full.lines().count(),
        "the customer's view hides the package's internals"
    );

    server.shutdown().await;
}
