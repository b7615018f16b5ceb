//! "Create and Set Up Project for ISV Debugging": log in to the LMO, log in
//! as the subscriber user, retrieve the code login access reveals into an
//! SFDX project, and leave the session file and launch.json for the debugger.
//!
//! launch.json is checked before anything else, so a file that cannot be
//! merged stops the run before it logs in. A refusal after the LMO login
//! ends the LoginAs session and signs out, so no login is left behind that
//! no session file records.

use std::io::Write;
use std::path::{Path, PathBuf};

use futures::{StreamExt, TryStreamExt};
use serde_json::json;

use super::answers::{self, Login, LoginAs, OrgDetail, Source, SourceList};
use super::credentials::{self, Ask, Given};
use super::error::{WorkflowError, refused};
use super::launch::{self, LaunchConfig, Outcome};
use super::progress::Progress;
use super::project::{self, InstalledPackage, ProjectLayout, SourceFile, TypeRef, Written};
use super::session_file::{self, SESSION_FILE, SessionFile};
use super::target::{Connected, SandboxRef};

/// Source files fetched at once.
const PARALLEL_FETCHES: usize = 8;

/// What to set up.
#[derive(Debug, Clone)]
pub struct SetupOptions {
    pub lmo_user: String,
    /// The subscriber org: key, name or id.
    pub org: String,
    /// The subscriber user to log in as.
    pub login_as: String,
    /// The project folder (created when missing).
    pub dir: PathBuf,
}

/// What setup did.
#[derive(Debug, Clone)]
pub struct SetupReport {
    pub project: PathBuf,
    pub written: Written,
    pub launch: Outcome,
    pub configuration: String,
    pub session_file: PathBuf,
}

/// Runs the whole setup against a connected sandbox, reporting each step.
pub async fn setup<W: Write>(
    conn: &Connected,
    opts: &SetupOptions,
    given: &Given,
    ask: Option<&mut (dyn Ask + '_)>,
    progress: &mut Progress<W>,
) -> Result<SetupReport, WorkflowError> {
    let dir = &opts.dir;
    std::fs::create_dir_all(dir).map_err(|source| WorkflowError::Write {
        path: dir.clone(),
        source,
    })?;
    // Refuse early, before any login, if launch.json cannot be merged.
    let probe = LaunchConfig::isv("", "", "", "", &conn.sandbox);
    if let Ok(text) = std::fs::read_to_string(dir.join(launch::LAUNCH_JSON)) {
        launch::merge(Some(&text), &probe)?;
    }

    progress.step("Reading the sandbox's clock");
    let now = conn.now().await?;
    let fixture = conn.lmo_fixture(&opts.lmo_user);
    let creds = credentials::with_code(&opts.lmo_user, given, fixture.as_ref(), now, ask)?;

    progress.step(&format!("Logging in to the LMO as {}", opts.lmo_user));
    let answer = conn
        .client
        .call(
            "auth.login",
            json!({"username": opts.lmo_user, "password": creds.password, "code": creds.code}),
        )
        .await
        .map_err(refused("LMO login refused"))?;
    let login: Login = answers::read("auth.login", answer).map_err(refused("LMO login refused"))?;
    progress.done(&format!(
        "Logged in to the LMO as {} (MFA)",
        login.user.username
    ));

    let result = logged_in(conn, opts, &login, progress).await;
    if result.is_err() {
        // Best effort: leave no LoginAs session or login behind.
        let _ = conn.client.call("loginAs.end", json!({})).await;
        let _ = conn.client.call("auth.signOut", json!({})).await;
    }
    result
}

async fn logged_in<W: Write>(
    conn: &Connected,
    opts: &SetupOptions,
    login: &Login,
    progress: &mut Progress<W>,
) -> Result<SetupReport, WorkflowError> {
    let client = &conn.client;
    progress.step(&format!(
        "Finding {} in the License Management App",
        opts.org
    ));
    let answer = client
        .call("lma.org", json!({"org": opts.org}))
        .await
        .map_err(refused("Subscriber lookup refused"))?;
    let org: OrgDetail =
        answers::read("lma.org", answer).map_err(refused("Subscriber lookup refused"))?;
    progress.done(&format!(
        "Found {} ({}, {} org on {})",
        org.name, org.id, org.org_type, org.instance
    ));

    progress.step(&format!("Logging in as {}", opts.login_as));
    let answer = client
        .call(
            "loginAs.start",
            json!({"org": org.key, "user": opts.login_as}),
        )
        .await
        .map_err(refused("LoginAs refused"))?;
    let login_as: LoginAs =
        answers::read("loginAs.start", answer).map_err(refused("LoginAs refused"))?;
    progress.done(&format!(
        "Logged in as {} in {}",
        login_as.user.username, login_as.org.name
    ));

    if !org.org_type.eq_ignore_ascii_case("sandbox") {
        // The sandbox decides; asking it gives its own words for the refusal.
        progress.step("Checking that the org can be debugged");
        let answer = client
            .call("debug.start", json!({}))
            .await
            .map_err(refused("ISV debugging refused"))?;
        if let Some(id) = answer.get("sessionId") {
            let _ = client.call("debug.stop", json!({"sessionId": id})).await;
        }
    }

    progress.step("Retrieving the source");
    let files = retrieve(conn, progress).await?;
    let packages: Vec<InstalledPackage> = org
        .installed
        .iter()
        .map(|i| InstalledPackage {
            namespace: i.namespace.clone(),
            name: i.package.clone(),
            version: i.version.clone(),
        })
        .collect();
    let layout = ProjectLayout::new(&opts.dir);
    let written = project::write(&layout, &org.key, &files, &packages).map_err(|source| {
        WorkflowError::Write {
            path: opts.dir.clone(),
            source,
        }
    })?;
    progress.done(&retrieved_line(&written));
    for (ns, _) in written.counts.iter().filter(|(ns, _)| !ns.is_empty()) {
        let package = packages.iter().find(|p| &p.namespace == ns);
        let what = match package.and_then(|p| p.name.as_deref()) {
            Some(name) => format!(
                "{name} {}",
                package
                    .and_then(|p| p.version.as_deref())
                    .unwrap_or_default()
            ),
            None => format!("namespace {ns}"),
        };
        progress.done(&format!(
            "Wrote {} ({})",
            rel(&opts.dir, &layout.package_dir(ns)),
            what.trim_end()
        ));
    }
    if written.created_project_file {
        progress.done("Wrote sfdx-project.json (force-app, no namespace)");
    } else {
        progress.note("Kept the existing sfdx-project.json");
    }

    let session = SessionFile {
        token: (!conn.is_embedded()).then(|| login.token.clone()),
        sandbox: conn.sandbox.as_str().to_string(),
        world: conn.world_dir().map(Path::to_path_buf),
        expires_at: if conn.is_embedded() {
            None
        } else {
            login.expires_at.clone()
        },
        lmo_user: login.user.username.clone(),
        org: org.key.clone(),
        login_as_user: login_as.user.username.clone(),
    };
    let session_path =
        session_file::write(&opts.dir, &session).map_err(|source| WorkflowError::Write {
            path: opts.dir.join(SESSION_FILE),
            source,
        })?;
    match (&conn.sandbox, &session.expires_at) {
        (SandboxRef::Embedded { .. }, _) => {
            progress.done(&format!("Wrote {SESSION_FILE} (mode 0600, no token)"));
            progress.note(
                "Embedded world: no sandbox outlives this command, so no login can be saved for \
                 the debugger. It logs in itself when it starts, with ISVDBG_PASSWORD and \
                 ISVDBG_TOTP_SECRET, or the world's fixture credentials.",
            );
        }
        (SandboxRef::Url(_), Some(at)) => progress.done(&format!(
            "Saved the login to {SESSION_FILE} (mode 0600; the sandbox gives it until {at})"
        )),
        (SandboxRef::Url(_), None) => {
            progress.done(&format!("Saved the login to {SESSION_FILE} (mode 0600)"))
        }
    }
    let ignored =
        session_file::ignore_in_git(&opts.dir).map_err(|source| WorkflowError::Write {
            path: opts.dir.join(".gitignore"),
            source,
        })?;
    if ignored {
        progress.done("Added .isvdbg/ to .gitignore");
    }

    let config = LaunchConfig::isv(
        &login_as.org.name,
        &org.key,
        &login_as.user.username,
        &login.user.username,
        &conn.sandbox,
    );
    let merged = launch::write(&opts.dir, &config)?;
    let name = config.name().to_string();
    match &merged.outcome {
        Outcome::Created => {
            progress.done(&format!("Wrote {} with \"{name}\"", launch::LAUNCH_JSON))
        }
        Outcome::Added => progress.done(&format!("Added \"{name}\" to {}", launch::LAUNCH_JSON)),
        Outcome::Filled(keys) => progress.done(&format!(
            "Completed \"{name}\" in {} ({})",
            launch::LAUNCH_JSON,
            keys.join(", ")
        )),
        Outcome::Unchanged => progress.note(&format!(
            "{} already has \"{name}\"; left as it is",
            launch::LAUNCH_JSON
        )),
    }
    for kept in &merged.kept {
        progress.note(&format!(
            "Kept your {} = {} in launch.json (setup would write {})",
            kept.key, kept.yours, kept.ours
        ));
    }
    progress.note(&format!(
        "Open {} in VS Code, set breakpoints and press F5 on \"{name}\"",
        opts.dir.display()
    ));
    Ok(SetupReport {
        project: opts.dir.clone(),
        written,
        launch: merged.outcome,
        configuration: name,
        session_file: session_path,
    })
}

/// Fetches every class and trigger the LoginAs user's view shows in full.
async fn retrieve<W: Write>(
    conn: &Connected,
    progress: &mut Progress<W>,
) -> Result<Vec<SourceFile>, WorkflowError> {
    let client = &conn.client;
    let step = "Source retrieval refused";
    let answer = client
        .call("source.list", json!({}))
        .await
        .map_err(refused(step))?;
    let list: SourceList = answers::read("source.list", answer).map_err(refused(step))?;
    let mut wanted = Vec::new();
    let mut hidden = 0;
    for entry in list.files {
        match TypeRef::parse(&entry.typeref) {
            _ if entry.hidden => hidden += 1,
            Some(typeref) => wanted.push((entry.typeref, typeref)),
            None => progress.warn(&format!(
                "Skipped {}: its typeref `{}` names no class or trigger",
                entry.name, entry.typeref
            )),
        }
    }
    let fetched: Vec<Option<SourceFile>> = futures::stream::iter(wanted)
        .map(|(raw, typeref)| async move {
            let answer = client
                .call("source.get", json!({"typeref": raw}))
                .await
                .map_err(refused(step))?;
            let source: Source = answers::read("source.get", answer).map_err(refused(step))?;
            Ok::<_, WorkflowError>((!source.hidden).then_some(SourceFile {
                typeref,
                text: source.text,
            }))
        })
        .buffered(PARALLEL_FETCHES)
        .try_collect()
        .await?;
    hidden += fetched.iter().filter(|f| f.is_none()).count();
    if hidden > 0 {
        progress.warn(&format!(
            "Skipped {hidden} file(s) whose source stays hidden under this login (another publisher's package)"
        ));
    }
    Ok(fetched.into_iter().flatten().collect())
}

/// "Retrieved 26 package classes, 2 package triggers and 3 org classes".
fn retrieved_line(written: &Written) -> String {
    let (pc, pt) = written.package_counts();
    let (oc, ot) = written.org_counts();
    let mut parts = Vec::new();
    for (n, what) in [
        (pc, "package class"),
        (pt, "package trigger"),
        (oc, "org class"),
        (ot, "org trigger"),
    ] {
        if n > 0 || what == "package class" || what == "org class" {
            let plural = match (n, what.ends_with("class")) {
                (1, _) => String::new(),
                (_, true) => "es".into(),
                (_, false) => "s".into(),
            };
            parts.push(format!("{n} {what}{plural}"));
        }
    }
    let last = parts.pop().unwrap_or_default();
    if parts.is_empty() {
        format!("Retrieved {last}")
    } else {
        format!("Retrieved {} and {last}", parts.join(", "))
    }
}

fn rel(base: &Path, path: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_retrieved_line_counts_what_was_written() {
        let mut w = Written::default();
        w.counts.insert("acme".into(), (26, 2));
        w.counts.insert(String::new(), (3, 0));
        assert_eq!(
            retrieved_line(&w),
            "Retrieved 26 package classes, 2 package triggers and 3 org classes"
        );
        w.counts.insert("acme".into(), (1, 0));
        w.counts.insert(String::new(), (1, 1));
        assert_eq!(
            retrieved_line(&w),
            "Retrieved 1 package class, 1 org class and 1 org trigger"
        );
    }
}
