//! `.isvdbg/session.json`: the login that `isvdbg setup` leaves for the
//! debugger and the other commands to resume, so the engineer types the
//! password and code once.
//!
//! The file holds a bearer token: it is written with mode 0600 in a 0700
//! folder, and `.isvdbg/` is added to the project's `.gitignore`. For an
//! embedded world there is no server to keep a login between processes, so
//! the file names the world and holds no token.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::fsutil;
use super::target::SandboxRef;

/// The folder, relative to the project.
pub const SESSION_DIR: &str = ".isvdbg";
/// The file, relative to the project.
pub const SESSION_FILE: &str = ".isvdbg/session.json";

/// What the file holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionFile {
    /// The LMO login's token (`auth.resume`); absent for an embedded world.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The sandbox's `ws://` URL, or `embedded`.
    pub sandbox: String,
    /// The world folder, for `embedded` (absent: the default world).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub world: Option<PathBuf>,
    /// When the token expires at the latest (UTC, RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// The LMO user who logged in.
    pub lmo_user: String,
    /// The subscriber org's key.
    pub org: String,
    /// The subscriber user the LMO user is logged in as.
    pub login_as_user: String,
}

impl SessionFile {
    /// Where the session's sandbox is.
    pub fn sandbox_ref(&self) -> SandboxRef {
        match self.sandbox.as_str() {
            "embedded" => SandboxRef::Embedded {
                world: self.world.clone(),
            },
            url => SandboxRef::Url(url.to_string()),
        }
    }
}

/// Why the session file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SessionFileError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a session file ({source}); run `isvdbg setup` again to rewrite it")]
    Bad {
        path: PathBuf,
        source: serde_json::Error,
    },
}

/// Writes the session file (mode 0600) and git-ignores its folder.
pub fn write(project: &Path, session: &SessionFile) -> std::io::Result<PathBuf> {
    fsutil::create_private_dir(&project.join(SESSION_DIR))?;
    let path = project.join(SESSION_FILE);
    let mut text = serde_json::to_string_pretty(session).map_err(std::io::Error::other)?;
    text.push('\n');
    fsutil::write_atomic(&path, text.as_bytes(), Some(0o600))?;
    Ok(path)
}

/// Reads the session file of a project, None when there is none.
pub fn read(project: &Path) -> Result<Option<SessionFile>, SessionFileError> {
    let path = project.join(SESSION_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(SessionFileError::Io { path, source }),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|source| SessionFileError::Bad { path, source })
}

/// Adds `.isvdbg/` to the project's `.gitignore` unless it is listed already.
/// Returns whether the file changed.
pub fn ignore_in_git(project: &Path) -> std::io::Result<bool> {
    let path = project.join(".gitignore");
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    let listed = existing.lines().any(|line| {
        matches!(
            line.trim(),
            ".isvdbg" | ".isvdbg/" | "/.isvdbg" | "/.isvdbg/" | ".isvdbg/*" | "/.isvdbg/*"
        )
    });
    if listed {
        return Ok(false);
    }
    let mut text = existing;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("# isvdbg login (a bearer token): never commit it\n.isvdbg/\n");
    fsutil::write_atomic(&path, text.as_bytes(), None)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> SessionFile {
        SessionFile {
            token: Some("tok".into()),
            sandbox: "ws://127.0.0.1:1/".into(),
            world: None,
            expires_at: Some("2026-11-25T22:00:00Z".into()),
            lmo_user: "support@acme.example".into(),
            org: "globex-full".into(),
            login_as_user: "admin@globex.example.full".into(),
        }
    }

    #[test]
    fn round_trips_with_camel_case_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), &session()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        for key in [
            "\"token\"",
            "\"expiresAt\"",
            "\"lmoUser\"",
            "\"loginAsUser\"",
        ] {
            assert!(text.contains(key), "{key} missing: {text}");
        }
        assert_eq!(read(dir.path()).unwrap(), Some(session()));
        assert_eq!(
            session().sandbox_ref(),
            SandboxRef::Url("ws://127.0.0.1:1/".into())
        );
    }

    #[cfg(unix)]
    #[test]
    fn only_the_owner_can_read_it() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), &session()).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir.path().join(SESSION_DIR)), 0o700);
    }

    #[test]
    fn a_missing_file_is_none_and_a_broken_one_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(dir.path()).unwrap(), None);
        std::fs::create_dir(dir.path().join(SESSION_DIR)).unwrap();
        std::fs::write(dir.path().join(SESSION_FILE), "{").unwrap();
        let e = read(dir.path()).unwrap_err();
        assert!(e.to_string().contains("isvdbg setup"), "{e}");
    }

    #[test]
    fn gitignore_gets_the_folder_once() {
        let dir = tempfile::tempdir().unwrap();
        assert!(ignore_in_git(dir.path()).unwrap());
        assert!(!ignore_in_git(dir.path()).unwrap());
        let text = std::fs::read_to_string(dir.path().join(".gitignore")).unwrap();
        assert_eq!(text.matches(".isvdbg/").count(), 1);

        let other = tempfile::tempdir().unwrap();
        std::fs::write(other.path().join(".gitignore"), "node_modules").unwrap();
        assert!(ignore_in_git(other.path()).unwrap());
        let text = std::fs::read_to_string(other.path().join(".gitignore")).unwrap();
        assert!(text.starts_with("node_modules\n"), "{text}");
        assert!(text.lines().any(|l| l == ".isvdbg/"));
    }
}
