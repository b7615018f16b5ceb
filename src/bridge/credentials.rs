//! Where the bridge's credentials come from, in order:
//!
//! 1. the project's `.isvdbg/session.json`, written by `isvdbg setup`: a
//!    token to resume, and which LMO user, org and subscriber user it is for;
//! 2. the environment: `ISVDBG_PASSWORD` and `ISVDBG_TOTP_SECRET`, for a
//!    fresh login with a TOTP code;
//! 3. with an embedded sandbox only, the fixture credentials of the world's
//!    LMO user (a world's files are public demo data).
//!
//! Never from launch.json.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The session file `isvdbg setup` writes into a project.
pub const SESSION_FILE: &str = ".isvdbg/session.json";
/// The environment variable with the LMO user's password.
pub const PASSWORD_VAR: &str = "ISVDBG_PASSWORD";
/// The environment variable with the LMO user's TOTP secret (base32).
pub const TOTP_VAR: &str = "ISVDBG_TOTP_SECRET";

/// What `isvdbg setup` saved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedSession {
    /// The login token to resume.
    #[serde(default)]
    pub token: Option<String>,
    /// The sandbox the token belongs to: `embedded` or a `ws://` URL.
    #[serde(default)]
    pub sandbox: Option<String>,
    /// When the token expires (RFC 3339), for messages.
    #[serde(default)]
    pub expires_at: Option<String>,
    /// The LMO user the token was issued to.
    #[serde(default)]
    pub lmo_user: Option<String>,
    /// The subscriber org.
    #[serde(default)]
    pub org: Option<String>,
    /// The subscriber user of the LoginAs.
    #[serde(default)]
    pub login_as_user: Option<String>,
    /// The file it was read from.
    #[serde(skip)]
    pub path: PathBuf,
}

impl SavedSession {
    /// Reads `project/.isvdbg/session.json`; `Ok(None)` when there is none.
    pub fn read(project: &Path) -> Result<Option<SavedSession>, String> {
        let path = project.join(SESSION_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(format!(
                    "could not read {} ({e}); check its permissions or run `isvdbg setup` again",
                    path.display()
                ));
            }
        };
        let mut saved: SavedSession = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{} is not a session file ({e}); run `isvdbg setup` again to rewrite it",
                path.display()
            )
        })?;
        saved.path = path;
        Ok(Some(saved))
    }

    /// Whether the token was issued by the sandbox at `sandbox` (`embedded` or a URL).
    pub fn belongs_to(&self, sandbox: &str) -> bool {
        self.sandbox
            .as_deref()
            .is_some_and(|s| s.trim_end_matches('/') == sandbox.trim_end_matches('/'))
    }
}

/// A password and TOTP secret for a fresh LMO login.
#[derive(Clone, PartialEq, Eq)]
pub struct Secrets {
    pub password: String,
    pub totp_secret: String,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets { .. }")
    }
}

/// Reads the environment's secrets through `lookup` (`std::env::var` in the
/// product, a map in tests). Both or neither must be set.
pub fn secrets_from(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Option<Secrets>, String> {
    let password = lookup(PASSWORD_VAR).filter(|v| !v.is_empty());
    let totp_secret = lookup(TOTP_VAR).filter(|v| !v.is_empty());
    match (password, totp_secret) {
        (Some(password), Some(totp_secret)) => Ok(Some(Secrets {
            password,
            totp_secret,
        })),
        (None, None) => Ok(None),
        (Some(_), None) => Err(format!(
            "{PASSWORD_VAR} is set but {TOTP_VAR} is not; LMO users log in with a TOTP code, so \
             set {TOTP_VAR} to the user's base32 secret too"
        )),
        (None, Some(_)) => Err(format!(
            "{TOTP_VAR} is set but {PASSWORD_VAR} is not; set both, or neither to use the \
             session `isvdbg setup` saved"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_session_file_and_matches_its_sandbox() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(SavedSession::read(dir.path()).unwrap(), None);
        std::fs::create_dir_all(dir.path().join(".isvdbg")).unwrap();
        std::fs::write(
            dir.path().join(SESSION_FILE),
            r#"{"token":"t","sandbox":"ws://127.0.0.1:7421/","expiresAt":"2026-11-25T12:00:00Z",
               "lmoUser":"support@acme.example","org":"globex-full","loginAsUser":"a@globex"}"#,
        )
        .unwrap();
        let saved = SavedSession::read(dir.path()).unwrap().unwrap();
        assert_eq!(saved.token.as_deref(), Some("t"));
        assert_eq!(saved.lmo_user.as_deref(), Some("support@acme.example"));
        assert!(saved.belongs_to("ws://127.0.0.1:7421"));
        assert!(!saved.belongs_to("embedded"));
        std::fs::write(dir.path().join(SESSION_FILE), "{").unwrap();
        let err = SavedSession::read(dir.path()).unwrap_err();
        assert!(err.contains("isvdbg setup"), "{err}");
    }

    #[test]
    fn secrets_need_both_variables() {
        let none = |_: &str| None;
        assert_eq!(secrets_from(&none).unwrap(), None);
        let half = |k: &str| (k == PASSWORD_VAR).then(|| "pw".to_owned());
        assert!(secrets_from(&half).unwrap_err().contains(TOTP_VAR));
        let both = |k: &str| Some(format!("{k}-value"));
        let s = secrets_from(&both).unwrap().unwrap();
        assert_eq!(s.password, "ISVDBG_PASSWORD-value");
        assert_eq!(format!("{s:?}"), "Secrets { .. }");
    }
}
