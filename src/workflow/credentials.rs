//! Where a password and a verification code come from.
//!
//! In order: what the user gave (`--totp-code`, `ISVDBG_PASSWORD`,
//! `ISVDBG_TOTP_SECRET`), then a world's fixture credentials (embedded
//! worlds only: their passwords are demo values written in the world files),
//! then the person at the terminal (masked password prompt). A password is
//! never taken from the command line, where other users could read it.
//!
//! A code made from a TOTP secret uses the sandbox's clock, not this
//! machine's: the sandbox's clock may be virtual or scaled.

use std::io::{BufRead, IsTerminal, Write};

use chrono::NaiveDateTime;

use crate::sandbox::auth::current_code;

/// The environment variable with the password.
pub const PASSWORD_ENV: &str = "ISVDBG_PASSWORD";
/// The environment variable with the base32 TOTP secret.
pub const TOTP_SECRET_ENV: &str = "ISVDBG_TOTP_SECRET";

/// Secrets the user gave, through the environment or `--totp-code`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Given {
    pub password: Option<String>,
    pub totp_secret: Option<String>,
    pub totp_code: Option<String>,
}

impl std::fmt::Debug for Given {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Given")
            .field("password", &self.password.as_ref().map(|_| "…"))
            .field("totp_secret", &self.totp_secret.as_ref().map(|_| "…"))
            .field("totp_code", &self.totp_code.as_ref().map(|_| "…"))
            .finish()
    }
}

impl Given {
    /// `ISVDBG_PASSWORD` and `ISVDBG_TOTP_SECRET` (empty counts as unset),
    /// and a code from the command line.
    pub fn from_env(totp_code: Option<String>) -> Given {
        let var = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
        Given {
            password: var(PASSWORD_ENV),
            totp_secret: var(TOTP_SECRET_ENV),
            totp_code: totp_code.filter(|c| !c.trim().is_empty()),
        }
    }
}

/// A world user's demo password and TOTP secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Fixture {
    pub password: String,
    pub totp_secret: Option<String>,
}

impl std::fmt::Debug for Fixture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fixture { .. }")
    }
}

/// Asks the person at the terminal.
pub trait Ask {
    /// A password, without echo.
    fn password(&mut self, prompt: &str) -> std::io::Result<String>;
    /// A verification code.
    fn code(&mut self, prompt: &str) -> std::io::Result<String>;
}

/// The terminal, when standard input is one.
#[derive(Debug)]
pub struct Terminal(());

impl Terminal {
    /// None when standard input is not a terminal (a pipe, CI): nobody to ask.
    pub fn if_interactive() -> Option<Terminal> {
        std::io::stdin().is_terminal().then_some(Terminal(()))
    }
}

impl Ask for Terminal {
    fn password(&mut self, prompt: &str) -> std::io::Result<String> {
        rpassword::prompt_password(prompt)
    }

    fn code(&mut self, prompt: &str) -> std::io::Result<String> {
        let mut err = std::io::stderr();
        write!(err, "{prompt}")?;
        err.flush()?;
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim().to_string())
    }
}

/// A password and, when there is one, a verification code.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub password: String,
    pub code: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("code", &self.code.is_some())
            .finish_non_exhaustive()
    }
}

/// Why no credentials could be had.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error(
        "no password for {who}: set {PASSWORD_ENV} (a password is never taken on the command line), or run in a terminal to be asked"
    )]
    NoPassword { who: String },
    #[error(
        "no verification code for {who}: pass --totp-code, set {TOTP_SECRET_ENV} to the authenticator's base32 secret, or run in a terminal to be asked"
    )]
    NoCode { who: String },
    #[error("{source_name} cannot make a verification code: {message}")]
    BadSecret {
        source_name: &'static str,
        message: String,
    },
    #[error("could not read from the terminal: {0}")]
    Terminal(#[from] std::io::Error),
}

/// The password of `who`.
pub fn password(
    who: &str,
    given: &Given,
    fixture: Option<&Fixture>,
    ask: Option<&mut (dyn Ask + '_)>,
) -> Result<String, CredentialError> {
    if let Some(p) = &given.password {
        return Ok(p.clone());
    }
    if let Some(f) = fixture {
        return Ok(f.password.clone());
    }
    match ask {
        Some(ask) => Ok(ask.password(&format!("Password for {who}: "))?),
        None => Err(CredentialError::NoPassword { who: who.into() }),
    }
}

/// A verification code for `who` at the sandbox's time `now`, without asking;
/// None when nothing gives one.
pub fn code_without_asking(
    given: &Given,
    fixture: Option<&Fixture>,
    now: NaiveDateTime,
) -> Result<Option<String>, CredentialError> {
    if let Some(code) = &given.totp_code {
        return Ok(Some(code.trim().to_string()));
    }
    if let Some(secret) = &given.totp_secret {
        return code_from(TOTP_SECRET_ENV, secret, now).map(Some);
    }
    if let Some(secret) = fixture.and_then(|f| f.totp_secret.as_deref()) {
        return code_from("the world's TOTP secret", secret, now).map(Some);
    }
    Ok(None)
}

/// Asks for a verification code, or says how to give one.
pub fn ask_code(who: &str, ask: Option<&mut (dyn Ask + '_)>) -> Result<String, CredentialError> {
    match ask {
        Some(ask) => {
            let code = ask.code(&format!(
                "Verification code for {who} (from the authenticator app): "
            ))?;
            if code.is_empty() {
                Err(CredentialError::NoCode { who: who.into() })
            } else {
                Ok(code)
            }
        }
        None => Err(CredentialError::NoCode { who: who.into() }),
    }
}

/// Password and code for a login that requires MFA (an LMO user).
pub fn with_code(
    who: &str,
    given: &Given,
    fixture: Option<&Fixture>,
    now: NaiveDateTime,
    mut ask: Option<&mut (dyn Ask + '_)>,
) -> Result<Credentials, CredentialError> {
    let password = password(who, given, fixture, ask.as_deref_mut())?;
    let code = match code_without_asking(given, fixture, now)? {
        Some(code) => code,
        None => ask_code(who, ask)?,
    };
    Ok(Credentials {
        password,
        code: Some(code),
    })
}

fn code_from(
    source_name: &'static str,
    secret: &str,
    now: NaiveDateTime,
) -> Result<String, CredentialError> {
    current_code(secret, now).map_err(|e| CredentialError::BadSecret {
        source_name,
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

    fn now() -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap()
    }

    struct Scripted(Vec<String>);

    impl Ask for Scripted {
        fn password(&mut self, _: &str) -> std::io::Result<String> {
            Ok(self.0.remove(0))
        }
        fn code(&mut self, _: &str) -> std::io::Result<String> {
            Ok(self.0.remove(0))
        }
    }

    #[test]
    fn what_the_user_gave_wins_over_the_fixture() {
        let given = Given {
            password: Some("env".into()),
            totp_secret: None,
            totp_code: Some(" 123456 ".into()),
        };
        let fixture = Fixture {
            password: "demo".into(),
            totp_secret: Some(SECRET.into()),
        };
        let c = with_code("u", &given, Some(&fixture), now(), None).unwrap();
        assert_eq!(c.password, "env");
        assert_eq!(c.code.as_deref(), Some("123456"));
        let c = with_code("u", &Given::default(), Some(&fixture), now(), None).unwrap();
        assert_eq!(c.password, "demo");
        assert_eq!(c.code, Some(current_code(SECRET, now()).unwrap()));
    }

    #[test]
    fn a_secret_makes_the_code_of_the_sandboxs_time() {
        let given = Given {
            password: Some("p".into()),
            totp_secret: Some(SECRET.into()),
            totp_code: None,
        };
        let later = now() + chrono::Duration::hours(1);
        let c = with_code("u", &given, None, later, None).unwrap();
        assert_eq!(c.code, Some(current_code(SECRET, later).unwrap()));
        let bad = Given {
            totp_secret: Some("not base32!".into()),
            ..given
        };
        let e = with_code("u", &bad, None, now(), None).unwrap_err();
        assert!(e.to_string().starts_with(TOTP_SECRET_ENV), "{e}");
    }

    #[test]
    fn the_terminal_is_asked_last_and_its_absence_explained() {
        let mut ask = Scripted(vec!["typed".into(), "654321".into()]);
        let c = with_code("u", &Given::default(), None, now(), Some(&mut ask)).unwrap();
        assert_eq!(c.password, "typed");
        assert_eq!(c.code.as_deref(), Some("654321"));

        let e =
            with_code("support@acme.example", &Given::default(), None, now(), None).unwrap_err();
        assert!(e.to_string().contains(PASSWORD_ENV), "{e}");
        let only_password = Given {
            password: Some("p".into()),
            ..Given::default()
        };
        let e = with_code("u", &only_password, None, now(), None).unwrap_err();
        assert!(e.to_string().contains("--totp-code"), "{e}");
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let given = Given {
            password: Some("hunter2".into()),
            totp_secret: Some(SECRET.into()),
            totp_code: None,
        };
        let shown = format!(
            "{given:?} {:?}",
            Credentials {
                password: "hunter2".into(),
                code: Some("123456".into())
            }
        );
        assert!(!shown.contains("hunter2") && !shown.contains(SECRET) && !shown.contains("123456"));
    }
}
