//! Who is calling: the login behind a connection's token, and for the publisher's
//! support engineers, the LoginAs session they are in.

use std::sync::Arc;

use super::Sandbox;
use super::access::LoginAs;
use super::auth::{Principal, SessionInfo};
use super::orgs::OrgRuntime;
use super::protocol::ApiError;
use crate::world::{LmoUser, OrgUser, World};

/// The caller of a method.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A support engineer of the publisher, logged in to the LMO.
    Lmo {
        session: SessionInfo,
        user: LmoUser,
        /// Present while logged in as a subscriber user.
        login_as: Option<LoginAs>,
    },
    /// A user of a subscriber org (the customer).
    Subscriber {
        session: SessionInfo,
        org: Arc<OrgRuntime>,
        user: OrgUser,
    },
}

/// The org and user a request or a view runs as: the subscriber themselves, or
/// the publisher logged in as them.
#[derive(Debug, Clone)]
pub struct Acting {
    pub org: Arc<OrgRuntime>,
    pub user: OrgUser,
    /// The LoginAs session, when the publisher acts as the user.
    pub login_as: Option<LoginAs>,
}

impl Acting {
    /// Whether a publisher's support engineer is acting (login access).
    pub fn is_publisher(&self) -> bool {
        self.login_as.is_some()
    }

    /// Whether this actor sees inside the package of `namespace` (its full
    /// source, its protected settings): only a LoginAs of that package's own
    /// publisher does. Another publisher's engineer sees it as the customer
    /// does. The org's own code (no namespace) is open to everyone.
    pub fn sees_inside(&self, world: &World, namespace: &str) -> bool {
        if namespace.is_empty() {
            return true;
        }
        self.login_as.as_ref().is_some_and(|l| {
            world
                .package_publisher(namespace)
                .is_some_and(|p| p.name == l.publisher)
        })
    }

    /// The namespaces whose protected settings and package internals this actor
    /// may see: under LoginAs, the org's packages of the engineer's own
    /// publisher; none for the customer.
    pub fn isv_access(&self) -> Vec<String> {
        let Some(l) = &self.login_as else {
            return Vec::new();
        };
        self.org
            .publishers
            .iter()
            .zip(&self.org.namespaces)
            .filter(|(p, _)| **p == l.publisher)
            .map(|(_, ns)| ns.clone())
            .collect()
    }
}

pub fn not_logged_in() -> ApiError {
    ApiError::new(
        "NOT_LOGGED_IN",
        "this connection is not logged in; call auth.login (LMO) or auth.loginSubscriber first, or auth.resume with a saved token",
    )
}

pub fn needs_login_as(method: &str) -> ApiError {
    ApiError::new(
        "NEEDS_LOGIN_AS",
        format!(
            "{method} works inside a subscriber org: log in as a subscriber user first with loginAs.start"
        ),
    )
}

pub fn lmo_only(method: &str) -> ApiError {
    ApiError::new(
        "LMO_ONLY",
        format!(
            "{method} is for the publisher's support console; log in to the LMO with auth.login"
        ),
    )
}

pub fn subscriber_only(method: &str) -> ApiError {
    ApiError::new(
        "SUBSCRIBER_ONLY",
        format!(
            "{method} is for the customer's own users; log in with auth.loginSubscriber as a user of the org"
        ),
    )
}

/// The refusal of an instance control on a sandbox that keeps them closed.
pub fn admin_closed(method: &str) -> ApiError {
    ApiError::new(
        "ADMIN_API_CLOSED",
        format!(
            "{method} acts on the whole instance, so it is open only on a sandbox with a virtual clock (isvdbg sandbox --clock virtual) or one started with --admin-api; restart the sandbox with one of them"
        ),
    )
}

impl Sandbox {
    /// Whether any client may call the instance controls (`admin.peakLoad`,
    /// `admin.maintenance`): on a virtual clock (tests, demos), or when the
    /// sandbox was started with `--admin-api`. They need no login either way.
    pub fn admin_api_open(&self) -> bool {
        self.clock.is_virtual() || self.auth.admin_api_enabled()
    }

    /// The caller behind a token, refreshing the token's idle time.
    pub fn caller(&self, token: Option<&str>) -> Result<Caller, ApiError> {
        let token = token.ok_or_else(not_logged_in)?;
        let session = self
            .auth
            .check(token)
            .map_err(|e| ApiError::new(e.code(), e.to_string()))?;
        match &session.principal {
            Principal::Lmo { username } => {
                let user = self
                    .world
                    .lmo_user(username)
                    .map(|(_, u)| u.clone())
                    .ok_or_else(not_logged_in)?;
                let login_as = self.login_as.get(&session.token_id).map(|l| l.clone());
                Ok(Caller::Lmo {
                    session,
                    user,
                    login_as,
                })
            }
            Principal::Subscriber { org, username } => {
                let rt = self.orgs.get(org).cloned().ok_or_else(not_logged_in)?;
                let user = rt
                    .info()
                    .user(username)
                    .cloned()
                    .ok_or_else(not_logged_in)?;
                Ok(Caller::Subscriber {
                    session,
                    org: rt,
                    user,
                })
            }
        }
    }

    /// The org and user the caller acts as, for methods that work inside an org.
    pub fn acting(&self, caller: &Caller, method: &str) -> Result<Acting, ApiError> {
        match caller {
            Caller::Lmo { login_as, .. } => {
                let l = login_as.clone().ok_or_else(|| needs_login_as(method))?;
                let org = self
                    .orgs
                    .get(&l.org)
                    .cloned()
                    .ok_or_else(|| needs_login_as(method))?;
                let user = org
                    .info()
                    .user(&l.user)
                    .cloned()
                    .ok_or_else(|| needs_login_as(method))?;
                Ok(Acting {
                    org,
                    user,
                    login_as: Some(l),
                })
            }
            Caller::Subscriber { org, user, .. } => Ok(Acting {
                org: org.clone(),
                user: user.clone(),
                login_as: None,
            }),
        }
    }
}
