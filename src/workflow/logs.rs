//! `isvdbg logs`: list a subscriber org's debug logs, or print one.
//!
//! The full view (package internals included) is the publisher's, through
//! login access: it needs a LoginAs session, resumed from the project's
//! session file or made from LMO credentials. The subscriber view is the
//! customer's: it logs in as a subscriber user.

use std::io::Write;
use std::path::PathBuf;

use serde_json::json;

use super::answers::{self, Log, LogList, LogSummary, OrgDetail, Resumed};
use super::credentials::{self, Ask, Given};
use super::error::{WorkflowError, refused};
use super::exec;
use super::progress::Progress;
use super::session_file::{self, SESSION_FILE, SessionFile};
use super::target::Connected;

/// Whose view of a log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The publisher's, through login access: everything.
    Full,
    /// The customer's: package internals hidden behind `ENTERING_MANAGED_PKG`.
    Subscriber,
}

impl View {
    /// As the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            View::Full => "full",
            View::Subscriber => "subscriber",
        }
    }
}

/// Which logs to read, and who to be where the session file and the world
/// do not say.
#[derive(Debug, Clone)]
pub struct Access {
    /// The subscriber org: key, name or id.
    pub org: String,
    pub view: View,
    /// The project folder whose session file may be resumed.
    pub project: PathBuf,
    pub lmo_user: Option<String>,
    pub login_as: Option<String>,
    /// The subscriber user, for the subscriber view.
    pub subscriber: Option<String>,
}

/// Logs in for `view` of `org`'s logs, reporting how.
pub async fn authenticate<W: Write>(
    conn: &Connected,
    access: &Access,
    given: &Given,
    ask: Option<&mut (dyn Ask + '_)>,
    progress: &mut Progress<W>,
) -> Result<(), WorkflowError> {
    let org = access.org.as_str();
    match access.view {
        View::Subscriber => {
            let user = access
                .subscriber
                .clone()
                .or_else(|| conn.default_org_admin(org))
                .ok_or_else(|| {
                    WorkflowError::Usage(format!(
                        "the subscriber view needs a user of {org}: name an administrator with --as"
                    ))
                })?;
            let login = exec::login_subscriber(conn, org, &user, given, ask).await?;
            let org_name = login.org.map(|o| o.name).unwrap_or_else(|| org.to_string());
            progress.done(&format!(
                "Logged in as {} in {org_name}",
                login.user.username
            ));
            Ok(())
        }
        View::Full => full_view_login(conn, access, given, ask, progress).await,
    }
}

async fn full_view_login<W: Write>(
    conn: &Connected,
    access: &Access,
    given: &Given,
    ask: Option<&mut (dyn Ask + '_)>,
    progress: &mut Progress<W>,
) -> Result<(), WorkflowError> {
    let org = access.org.as_str();
    let saved =
        session_file::read(&access.project)?.filter(|s| s.sandbox_ref().same_as(&conn.sandbox));
    let saved_here = saved.as_ref().filter(|s| s.org.eq_ignore_ascii_case(org));
    if let Some(session) = saved_here
        && let Some(token) = &session.token
    {
        match resume(conn, org, session, token).await {
            Ok(line) => {
                progress.done(&line);
                return Ok(());
            }
            Err(e) => progress.warn(&format!("The login in {SESSION_FILE} cannot be used: {e}")),
        }
    }
    let lmo_user = access
        .lmo_user
        .clone()
        .or_else(|| saved.as_ref().map(|s| s.lmo_user.clone()))
        .or_else(|| conn.default_lmo_user())
        .ok_or_else(|| {
            WorkflowError::Usage(format!(
                "the full view needs a LoginAs session: run `isvdbg setup` in this folder, or name the LMO user with --lmo-user (password and code from {} and {})",
                credentials::PASSWORD_ENV,
                credentials::TOTP_SECRET_ENV
            ))
        })?;
    let now = conn.now().await?;
    let fixture = conn.lmo_fixture(&lmo_user);
    let creds = credentials::with_code(&lmo_user, given, fixture.as_ref(), now, ask)?;
    let answer = conn
        .client
        .call(
            "auth.login",
            json!({"username": lmo_user, "password": creds.password, "code": creds.code}),
        )
        .await
        .map_err(refused("LMO login refused"))?;
    let login: answers::Login =
        answers::read("auth.login", answer).map_err(refused("LMO login refused"))?;
    progress.done(&format!(
        "Logged in to the LMO as {} (MFA)",
        login.user.username
    ));
    let target = match access
        .login_as
        .clone()
        .or_else(|| saved_here.map(|s| s.login_as_user.clone()))
    {
        Some(user) => user,
        None => granted_admin(conn, org).await?,
    };
    let answer = conn
        .client
        .call("loginAs.start", json!({"org": org, "user": target}))
        .await
        .map_err(refused("LoginAs refused"))?;
    let login_as: answers::LoginAs =
        answers::read("loginAs.start", answer).map_err(refused("LoginAs refused"))?;
    progress.done(&format!(
        "Logged in as {} in {}",
        login_as.user.username, login_as.org.name
    ));
    Ok(())
}

/// Resumes a saved login and checks it is logged in as someone in `org`,
/// starting LoginAs again if it had ended.
async fn resume(
    conn: &Connected,
    org: &str,
    session: &SessionFile,
    token: &str,
) -> Result<String, WorkflowError> {
    let step = "Resuming the saved login refused";
    let answer = conn
        .client
        .call("auth.resume", json!({"token": token}))
        .await
        .map_err(refused(step))?;
    let resumed: Resumed = answers::read("auth.resume", answer).map_err(refused(step))?;
    if let Some(now) = &resumed.login_as
        && now.org_names().iter().any(|n| n.eq_ignore_ascii_case(org))
    {
        return Ok(format!(
            "Resumed the login of {SESSION_FILE}: {} as {}",
            resumed.principal.username,
            now.username()
        ));
    }
    let answer = conn
        .client
        .call(
            "loginAs.start",
            json!({"org": org, "user": session.login_as_user}),
        )
        .await
        .map_err(refused("LoginAs refused"))?;
    let login_as: answers::LoginAs =
        answers::read("loginAs.start", answer).map_err(refused("LoginAs refused"))?;
    Ok(format!(
        "Resumed the login of {SESSION_FILE} ({}) and logged in as {} in {}",
        resumed.principal.username, login_as.user.username, login_as.org.name
    ))
}

/// The first active administrator of `org` who granted login access.
async fn granted_admin(conn: &Connected, org: &str) -> Result<String, WorkflowError> {
    let answer = conn
        .client
        .call("lma.org", json!({"org": org}))
        .await
        .map_err(refused("Subscriber lookup refused"))?;
    let detail: OrgDetail =
        answers::read("lma.org", answer).map_err(refused("Subscriber lookup refused"))?;
    detail
        .users
        .iter()
        .find(|u| u.active && u.admin && u.has_grant)
        .or_else(|| detail.users.iter().find(|u| u.active && u.has_grant))
        .map(|u| u.username.clone())
        .ok_or_else(|| {
            WorkflowError::Usage(format!(
                "no user of {} has granted login access; ask the customer to grant it, or name the user with --login-as",
                detail.name
            ))
        })
}

/// The org's debug logs, oldest first as the sandbox lists them.
pub async fn list(conn: &Connected) -> Result<Vec<LogSummary>, WorkflowError> {
    let step = "Listing debug logs refused";
    let answer = conn
        .client
        .call("logs.list", json!({}))
        .await
        .map_err(refused(step))?;
    let list: LogList = answers::read("logs.list", answer).map_err(refused(step))?;
    Ok(list.logs)
}

/// One request's debug log in `view`.
pub async fn get(conn: &Connected, request_id: &str, view: View) -> Result<String, WorkflowError> {
    let step = "Reading the debug log refused";
    let answer = conn
        .client
        .call(
            "logs.get",
            json!({"requestId": request_id, "view": view.as_str()}),
        )
        .await
        .map_err(refused(step))?;
    let log: Log = answers::read("logs.get", answer).map_err(refused(step))?;
    Ok(log.text)
}

/// The logs as an aligned table with a header.
pub fn table(logs: &[LogSummary]) -> String {
    let header = ["REQUEST", "KIND", "ENTRY POINT", "USER", "TIME", "SIZE"];
    let rows: Vec<[String; 6]> = logs
        .iter()
        .map(|l| {
            [
                l.request_id.clone(),
                l.kind.clone(),
                l.entry_point.clone(),
                l.user.clone(),
                l.at.clone(),
                size(l.size),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &[String]| {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i == cells.len() - 1 {
                // Sizes line up on the right.
                text.push_str(&format!("{cell:>w$}"));
            } else {
                text.push_str(&format!("{cell:<w$}  "));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&header.map(String::from));
    for row in &rows {
        line(row);
    }
    out
}

fn size(bytes: u64) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1024 * 1024 {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lines_up_its_columns() {
        let logs = vec![
            LogSummary {
                request_id: "7".into(),
                kind: "EXECUTE_ANONYMOUS".into(),
                entry_point: "create-invoice.apex".into(),
                user: "admin@globex.example.full".into(),
                at: "2026-11-25T10:00:00Z".into(),
                size: 512,
            },
            LogSummary {
                request_id: "12".into(),
                kind: "REST".into(),
                entry_point: "POST /acme/invoices".into(),
                user: "ops@globex.example.full".into(),
                at: "2026-11-25T10:05:00Z".into(),
                size: 20_480,
            },
        ];
        let t = table(&logs);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("REQUEST  KIND               ENTRY POINT"));
        let col = |l: &str, s: &str| l.find(s).unwrap();
        assert_eq!(col(lines[1], "create-invoice"), col(lines[2], "POST"));
        assert_eq!(col(lines[0], "USER"), col(lines[2], "ops@"));
        assert!(lines[1].ends_with("512 B") && lines[2].ends_with("20.0 KB"));
        assert_eq!(lines[1].len(), lines[2].len());
    }
}
