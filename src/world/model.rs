//! A world, loaded and checked: the instance, the publishers, each with its
//! License Management Org (LMO) and packages, and the subscriber orgs with their
//! users, settings, installed packages, login-access grants, code and data.
//!
//! These are plain values; the sandbox turns them into live state. Times are
//! absolute (UTC): relative times in the files are resolved against
//! [`World::start`] when the world is loaded.

use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveDateTime;

/// A whole world.
#[derive(Debug, Clone)]
pub struct World {
    /// The folder name (`default`).
    pub name: String,
    /// The folder the world was loaded from.
    pub root: PathBuf,
    /// When the world's virtual clock starts (UTC).
    pub start: NaiveDateTime,
    pub instance: Instance,
    /// The first publisher: the one of `[publisher]`, or else the first of
    /// `[[publishers]]`. Tools that need one publisher (the demo's story, an
    /// engineer picked by default) use it.
    pub publisher: Publisher,
    /// Every other publisher, in the order written. Names, LMO usernames and
    /// namespaces are unique across all publishers.
    pub other_publishers: Vec<Publisher>,
    pub orgs: Vec<Org>,
    /// Scripted requests that keep the orgs busy.
    pub traffic: Vec<Traffic>,
}

/// The Salesforce instance the orgs live on.
#[derive(Debug, Clone)]
pub struct Instance {
    /// Such as `CS42`.
    pub name: String,
    /// Whether the instance starts under peak load (30-minute idle timeout).
    pub peak_load: bool,
}

/// The ISV: its LMO and its packages.
#[derive(Debug, Clone)]
pub struct Publisher {
    /// Such as `Acme Apps`.
    pub name: String,
    pub lmo: Lmo,
    pub packages: Vec<Package>,
}

/// The publisher's License Management Org.
#[derive(Debug, Clone)]
pub struct Lmo {
    /// 18-character org id (`00D...`).
    pub org_id: String,
    pub name: String,
    /// Concurrent ISV debugger sessions this LMO has bought (at least 1).
    pub debug_sessions: u32,
    pub users: Vec<LmoUser>,
    pub permission_sets: Vec<PermissionSet>,
}

/// The permission an LMO user needs to log in to subscriber orgs.
pub const LOG_IN_TO_SUBSCRIBER_ORG: &str = "LogInToSubscriberOrg";

/// A named set of permissions an LMO user may be assigned.
#[derive(Debug, Clone)]
pub struct PermissionSet {
    pub name: String,
    /// Permission API names, such as [`LOG_IN_TO_SUBSCRIBER_ORG`].
    pub permissions: Vec<String>,
}

/// A user of the LMO (the publisher's support staff).
#[derive(Debug, Clone)]
pub struct LmoUser {
    /// 18-character user id (`005...`).
    pub id: String,
    /// Login name, an email address (`support@acme.example`).
    pub username: String,
    pub name: String,
    /// The demo password. Fixture worlds only: never a real secret.
    pub password: String,
    /// Base32 TOTP secret; None when the user has not enrolled in MFA.
    pub totp_secret: Option<String>,
    /// Permissions granted directly.
    pub permissions: Vec<String>,
    /// Names of assigned permission sets.
    pub permission_sets: Vec<String>,
    pub active: bool,
}

/// A managed package of the publisher.
#[derive(Debug, Clone)]
pub struct Package {
    /// Such as `Acme Billing`.
    pub name: String,
    pub namespace: String,
    /// The SFDX project folder (absolute).
    pub path: PathBuf,
    /// The version installed by default, such as `2.4.0.1`.
    pub version: String,
}

/// What kind of org.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgType {
    Production,
    Sandbox,
    Scratch,
}

impl OrgType {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgType::Production => "production",
            OrgType::Sandbox => "sandbox",
            OrgType::Scratch => "scratch",
        }
    }
}

/// The org's user license kind, which decides whether login access is offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LicenseType {
    /// Full Salesforce licenses.
    Salesforce,
    /// Salesforce Platform licenses.
    SalesforcePlatform,
    /// Anything else (such as Chatter Free only): no login access.
    Other,
}

/// Org-wide settings that the rules read.
#[derive(Debug, Clone, Default)]
pub struct OrgSettings {
    /// "Administrators Can Log in as Any User": while on, publishers are not
    /// offered in the grant list.
    pub admins_can_log_in_as_any_user: bool,
    /// Whether the admin lets non-admin users grant login access.
    pub non_admins_can_grant: bool,
    /// Whether the org requires MFA of anyone logging in, LoginAs included.
    pub require_mfa: bool,
}

/// A subscriber org.
#[derive(Debug, Clone)]
pub struct Org {
    /// 18-character org id (`00D...`).
    pub id: String,
    /// Such as `Globex Corp (Full Sandbox)`.
    pub name: String,
    /// A short name for commands (`globex-full`): the org's folder name.
    pub key: String,
    pub org_type: OrgType,
    /// Such as `Enterprise Edition`.
    pub edition: String,
    pub government_cloud: bool,
    pub license_type: LicenseType,
    /// The primary contact: name and email.
    pub contact: (String, String),
    pub settings: OrgSettings,
    pub users: Vec<OrgUser>,
    pub installed: Vec<Installed>,
    pub grants: Vec<Grant>,
    /// The org's own SFDX project (classes, objects, `data/`), when it has one.
    pub project: Option<PathBuf>,
}

/// A user of a subscriber org.
#[derive(Debug, Clone)]
pub struct OrgUser {
    /// 18-character user id (`005...`).
    pub id: String,
    /// Login name (`admin@globex.example.full`).
    pub username: String,
    pub name: String,
    /// Such as `System Administrator` or `Standard User`.
    pub profile: String,
    /// The *Manage Users* permission (admins have it).
    pub manage_users: bool,
    /// The demo password. Fixture worlds only.
    pub password: String,
    /// Base32 TOTP secret, for orgs that require MFA.
    pub totp_secret: Option<String>,
    /// Namespaces of the packages this user holds a license for.
    pub package_licenses: Vec<String>,
    pub active: bool,
}

impl OrgUser {
    /// Whether the user is an administrator (has Manage Users).
    pub fn is_admin(&self) -> bool {
        self.manage_users
    }
}

/// Who a package is licensed to in an org.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Licensing {
    /// Site license: everyone. Only an admin with Manage Users may grant access.
    WholeOrg,
    /// Per-user licenses (see [`OrgUser::package_licenses`]).
    PerUser,
}

/// A package installed in an org.
#[derive(Debug, Clone)]
pub struct Installed {
    pub namespace: String,
    pub version: String,
    pub licensing: Licensing,
    /// Seats bought, for per-user licensing.
    pub seats: u32,
}

/// How long a login-access grant lasts; the only choices Salesforce offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantDuration {
    OneDay,
    ThreeDays,
    OneWeek,
    OneMonth,
    OneYear,
}

impl GrantDuration {
    /// All choices, shortest first.
    pub const ALL: [GrantDuration; 5] = [
        GrantDuration::OneDay,
        GrantDuration::ThreeDays,
        GrantDuration::OneWeek,
        GrantDuration::OneMonth,
        GrantDuration::OneYear,
    ];

    /// The length (a month is 30 days, a year 365).
    pub fn length(self) -> Duration {
        let days = match self {
            GrantDuration::OneDay => 1,
            GrantDuration::ThreeDays => 3,
            GrantDuration::OneWeek => 7,
            GrantDuration::OneMonth => 30,
            GrantDuration::OneYear => 365,
        };
        Duration::from_secs(days * 86_400)
    }

    /// As written in worlds and the API: `1d`, `3d`, `1w`, `1m`, `1y`.
    pub fn as_str(self) -> &'static str {
        match self {
            GrantDuration::OneDay => "1d",
            GrantDuration::ThreeDays => "3d",
            GrantDuration::OneWeek => "1w",
            GrantDuration::OneMonth => "1m",
            GrantDuration::OneYear => "1y",
        }
    }

    /// Parses `1d`, `3d`, `1w`, `1m` or `1y`.
    pub fn parse(s: &str) -> Option<GrantDuration> {
        GrantDuration::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// A login-access grant from a subscriber user to the publisher.
#[derive(Debug, Clone)]
pub struct Grant {
    /// The granting user's username.
    pub user: String,
    /// The publisher's name.
    pub publisher: String,
    pub granted_at: NaiveDateTime,
    pub duration: GrantDuration,
    /// Revoked grants stay listed, dead.
    pub revoked: bool,
}

impl Grant {
    /// When the grant stops working.
    pub fn expires_at(&self) -> NaiveDateTime {
        self.granted_at + chrono::Duration::from_std(self.duration.length()).unwrap_or_default()
    }

    /// Whether the grant is in force at `now`.
    pub fn active_at(&self, now: NaiveDateTime) -> bool {
        !self.revoked && self.granted_at <= now && now < self.expires_at()
    }
}

/// What a scripted request runs.
#[derive(Debug, Clone)]
pub enum TrafficAction {
    /// Anonymous Apex from a file (absolute path).
    Apex(PathBuf),
    /// An Apex REST call.
    Rest {
        method: String,
        path: String,
        body: Option<String>,
    },
}

/// A scripted request: at `at` after the start, and then every `every`, the user
/// runs the action.
#[derive(Debug, Clone)]
pub struct Traffic {
    /// The org's key.
    pub org: String,
    /// The username.
    pub user: String,
    pub action: TrafficAction,
    pub at: Duration,
    pub every: Option<Duration>,
}

impl World {
    /// Moves the world in time so that it starts at `start`: its grants move
    /// with it, keeping how long before or after the start each was made. A
    /// sandbox on a real clock starts the world now this way, so the grants
    /// are as the world describes them while codes from an authenticator app
    /// match the instance clock.
    pub fn start_at(&mut self, start: NaiveDateTime) {
        let by = start - self.start;
        self.start = start;
        for g in self.orgs.iter_mut().flat_map(|o| o.grants.iter_mut()) {
            g.granted_at += by;
        }
    }

    /// An org by key, name or id (15 or 18 characters), case-insensitively.
    pub fn org(&self, which: &str) -> Option<&Org> {
        let w = which.trim();
        self.orgs.iter().find(|o| {
            o.key.eq_ignore_ascii_case(w)
                || o.name.eq_ignore_ascii_case(w)
                || o.id.eq_ignore_ascii_case(w)
                || (w.len() == 15 && o.id.get(..15) == Some(w))
        })
    }

    /// Every publisher, the first one first.
    pub fn publishers(&self) -> impl Iterator<Item = &Publisher> {
        std::iter::once(&self.publisher).chain(&self.other_publishers)
    }

    /// A publisher by name, case-insensitively.
    pub fn publisher_named(&self, name: &str) -> Option<&Publisher> {
        self.publishers()
            .find(|p| p.name.eq_ignore_ascii_case(name.trim()))
    }

    /// An LMO user by username, with the publisher whose LMO holds them.
    pub fn lmo_user(&self, username: &str) -> Option<(&Publisher, &LmoUser)> {
        self.publishers()
            .find_map(|p| p.lmo.user(username).map(|u| (p, u)))
    }

    /// The publisher of the package with this namespace.
    pub fn package_publisher(&self, namespace: &str) -> Option<&Publisher> {
        self.publishers().find(|p| p.package(namespace).is_some())
    }

    /// The publishers whose packages are installed in `org` (those the
    /// customer's grant list offers), the first publisher first.
    pub fn publishers_of(&self, org: &Org) -> Vec<&Publisher> {
        self.publishers().filter(|p| p.installed_in(org)).collect()
    }

    /// A package of any publisher, by namespace.
    pub fn package(&self, namespace: &str) -> Option<&Package> {
        self.publishers().find_map(|p| p.package(namespace))
    }
}

impl Publisher {
    /// One of this publisher's packages, by namespace.
    pub fn package(&self, namespace: &str) -> Option<&Package> {
        self.packages
            .iter()
            .find(|p| p.namespace.eq_ignore_ascii_case(namespace))
    }

    /// Whether a namespace is one of this publisher's packages.
    pub fn owns(&self, namespace: &str) -> bool {
        self.package(namespace).is_some()
    }

    /// Whether one of this publisher's packages is installed in `org` (so the
    /// org is its subscriber, and the customer's grant list offers it).
    pub fn installed_in(&self, org: &Org) -> bool {
        org.installed.iter().any(|i| self.owns(&i.namespace))
    }
}

impl Lmo {
    /// An LMO user by username, case-insensitively.
    pub fn user(&self, username: &str) -> Option<&LmoUser> {
        self.users
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(username))
    }

    /// Whether a user holds a permission, directly or through a permission set.
    pub fn has_permission(&self, user: &LmoUser, permission: &str) -> bool {
        user.permissions.iter().any(|p| p == permission)
            || user.permission_sets.iter().any(|s| {
                self.permission_sets
                    .iter()
                    .any(|ps| &ps.name == s && ps.permissions.iter().any(|p| p == permission))
            })
    }
}

impl Org {
    /// A user by username, case-insensitively.
    pub fn user(&self, username: &str) -> Option<&OrgUser> {
        self.users
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(username))
    }
}
