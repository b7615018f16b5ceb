//! The two-publisher test world (tests/worlds/two-publishers) on a sandbox over
//! a real WebSocket, on the virtual clock, and logins to either publisher's LMO.

#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;

use isvdbg::sandbox::Sandbox;
use isvdbg::sandbox::auth::current_code;
use isvdbg::sandbox::clock::Clock;
use serde_json::{Value, json};

use crate::sandbox_support::{Client, Failure, Server};

/// Northwind Apps' engineers (one LMO) and Initrode Software's.
pub const NORTHWIND: &str = "support@northwind.example";
pub const NORTHWIND_2: &str = "support2@northwind.example";
pub const INITRODE: &str = "support@initrode.example";
/// Both Corp (Sandbox) installed both packages.
pub const BOTH: &str = "both-sandbox";
/// Granted login access to both publishers.
pub const BOTH_ADMIN: &str = "admin@both.example.sb";
/// Granted login access to Northwind only.
pub const CLERK: &str = "clerk@both.example.sb";
/// Granted login access to Initrode only.
pub const ANALYST: &str = "analyst@both.example.sb";
/// Solo Inc (Sandbox) installed Initrode's package only.
pub const SOLO: &str = "solo-sandbox";
pub const SOLO_ADMIN: &str = "admin@solo.example.sb";

/// The two-publisher world on a virtual clock.
pub async fn start() -> Server {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/worlds/two-publishers");
    let loaded = isvdbg::world::resolve(Some(&dir)).expect("the two-publisher world loads");
    let clock = Clock::virtual_at(loaded.world.start);
    let sb = Sandbox::new(loaded.world.clone(), clock).expect("the orgs come up");
    Server::serve(sb, loaded).await
}

/// Logs `user` in to their LMO with the fixture password and a fresh TOTP
/// code (the clock moves 30 s first, so that no code is reused).
pub async fn login(c: &mut Client, sb: &Sandbox, user: &str) -> Result<Value, Failure> {
    let (_, u) = sb.world.lmo_user(user).expect("an LMO user of the world");
    let (password, secret) = (u.password.clone(), u.totp_secret.clone());
    sb.clock.advance(Duration::from_secs(30)).unwrap();
    let code = secret.map(|s| current_code(&s, sb.clock.now()).unwrap());
    c.call(
        "auth.login",
        json!({ "username": user, "password": password, "code": code }),
    )
    .await
}

/// An engineer logged in to their LMO.
pub async fn lmo(srv: &Server, user: &str) -> Client {
    let mut c = srv.client().await;
    login(&mut c, &srv.sb, user).await.expect("LMO login");
    c
}

/// An engineer logged in to their LMO and as `as_user` of `org`.
pub async fn engineer(srv: &Server, user: &str, org: &str, as_user: &str) -> Client {
    let mut c = lmo(srv, user).await;
    c.ok("loginAs.start", json!({ "org": org, "user": as_user }))
        .await;
    c
}
