//! Checks shared by LMO users and subscriber org users: ids, usernames,
//! passwords, TOTP secrets and LMO permission names.

use toml::Spanned;

use super::doc::{Doc, Problems};
use super::values::{self, IdKind};
use super::{KNOWN_PERMISSIONS, Seen};

/// The serde default of `active`.
pub(super) fn yes() -> bool {
    true
}

/// The permissions that are known; unknown ones are reported, with the
/// spelling meant when only the case differs.
pub(super) fn known_permissions(
    doc: &Doc,
    names: Vec<Spanned<String>>,
    p: &mut Problems,
) -> Vec<String> {
    let mut out = Vec::new();
    for name in names {
        if KNOWN_PERMISSIONS.contains(&name.get_ref().as_str()) {
            out.push(name.into_inner());
            continue;
        }
        let hint = match KNOWN_PERMISSIONS
            .iter()
            .find(|k| k.eq_ignore_ascii_case(name.get_ref()))
        {
            Some(k) => format!("did you mean `{k}`?"),
            None => format!("known permissions: {}", KNOWN_PERMISSIONS.join(", ")),
        };
        p.push(doc.error(
            name.span(),
            format!("unknown permission `{}`; {hint}", name.get_ref()),
        ));
    }
    out
}

/// Validates a user id and records it; None (reported) when bad.
pub(super) fn checked_user_id(
    doc: &Doc,
    id: &Spanned<String>,
    seen: &mut Seen,
    p: &mut Problems,
) -> Option<String> {
    match values::salesforce_id(id.get_ref(), IdKind::User) {
        Ok(v) => {
            seen.user_id(&v, doc.error(id.span(), ""), p);
            Some(v)
        }
        Err(e) => {
            p.push(doc.error(id.span(), e));
            None
        }
    }
}

/// Validates a username (an email address) and records it; None when bad.
pub(super) fn checked_username(
    doc: &Doc,
    username: &Spanned<String>,
    seen: &mut Seen,
    p: &mut Problems,
) -> Option<String> {
    let u = username.get_ref();
    let email_like = u
        .split_once('@')
        .is_some_and(|(a, b)| !a.is_empty() && b.contains('.') && !b.contains('@'))
        && !u.contains(char::is_whitespace);
    if !email_like {
        p.push(doc.error(
            username.span(),
            format!(
                "`{u}` is not a username: Salesforce usernames are in the form of an email \
                 address, such as admin@globex.example"
            ),
        ));
        return None;
    }
    seen.username(u, doc.error(username.span(), ""), p);
    Some(u.clone())
}

/// Fixture passwords must not be empty.
pub(super) fn check_password(doc: &Doc, password: &Spanned<String>, p: &mut Problems) {
    if password.get_ref().is_empty() {
        p.push(doc.error(
            password.span(),
            "the password is empty; give the fixture user a demo password such as \
             \"demo-password-1\"",
        ));
    }
}

/// A TOTP secret, or None (reported) when it is not usable.
pub(super) fn checked_totp(
    doc: &Doc,
    secret: Option<Spanned<String>>,
    p: &mut Problems,
) -> Option<String> {
    let t = secret?;
    match values::totp_secret(t.get_ref()) {
        Ok(()) => Some(t.into_inner()),
        Err(e) => {
            p.push(doc.error(t.span(), e));
            None
        }
    }
}
