//! `isvdbg exec`: run anonymous Apex as a subscriber user, the way the
//! customer's own traffic arrives. Against a sandbox where a debug session
//! of that org is waiting, the request can stop at its breakpoints.

use serde_json::json;

use super::answers::{self, ApexRun, Login};
use super::credentials::{self, Ask, Given};
use super::error::{WorkflowError, refused};
use super::target::Connected;

/// Logs a subscriber user in (`auth.loginSubscriber`). A code is sent when
/// one is at hand; when the org requires MFA and none is, the terminal is
/// asked once.
pub async fn login_subscriber(
    conn: &Connected,
    org: &str,
    username: &str,
    given: &Given,
    mut ask: Option<&mut (dyn Ask + '_)>,
) -> Result<Login, WorkflowError> {
    let step = "Subscriber login refused";
    let now = conn.now().await?;
    let fixture = conn.org_user_fixture(org, username);
    let password = credentials::password(username, given, fixture.as_ref(), ask.as_deref_mut())?;
    let mut code = credentials::code_without_asking(given, fixture.as_ref(), now)?;
    loop {
        let answer = conn
            .client
            .call(
                "auth.loginSubscriber",
                json!({"org": org, "username": username, "password": password, "code": code}),
            )
            .await;
        match answer {
            Ok(answer) => {
                return answers::read("auth.loginSubscriber", answer).map_err(refused(step));
            }
            Err(e) if e.code == "CODE_REQUIRED" && code.is_none() && ask.is_some() => {
                code = Some(credentials::ask_code(username, ask.take())?);
            }
            Err(e) => return Err(refused(step)(e)),
        }
    }
}

/// Runs anonymous Apex in the logged-in org. With `wait`, the answer comes
/// when the request ends (later if it stops at breakpoints); without, as
/// soon as it has started.
pub async fn run_apex(
    conn: &Connected,
    code: &str,
    file_name: &str,
    wait: bool,
) -> Result<ApexRun, WorkflowError> {
    let step = "Apex not run";
    let answer = conn
        .client
        .call(
            "apex.run",
            json!({"code": code, "name": file_name, "wait": wait}),
        )
        .await
        .map_err(refused(step))?;
    answers::read("apex.run", answer).map_err(refused(step))
}
