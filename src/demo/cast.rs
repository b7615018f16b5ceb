//! Who plays which part in the story, and whether a world has them all.
//!
//! The story is the default world's: its LMO engineers, Globex's Full sandbox
//! with the tax bug, Globex's production org and Initech's sandbox with an
//! expired grant. Another world fits when it has the same people, orgs and
//! package classes; before anything starts, [`Cast::check`] names each one a
//! world lacks.

use crate::world::World;

use super::story::find_file;

/// The script, in the story org's project, that reproduces the bug.
pub const REPRODUCTION: &str = "scripts/create-invoice.apex";

/// The package classes the story sets breakpoints in.
pub const PACKAGE_CLASSES: [&str; 2] = ["TaxCalculator.cls", "RegionResolver.cls"];

/// Who plays which part.
#[derive(Debug, Clone)]
pub struct Cast {
    /// The LMO support engineer who debugs.
    pub engineer: String,
    /// A second LMO engineer, refused while the first holds the session.
    pub second_engineer: String,
    /// The subscriber sandbox where the bug shows.
    pub org: String,
    /// The subscriber admin who grants access and reproduces the bug.
    pub customer: String,
    /// A production org, which may not be debugged.
    pub production: String,
    /// A user of the production org.
    pub production_user: String,
    /// A sandbox whose login-access grant has expired.
    pub expired: String,
    /// The user of that sandbox who granted access.
    pub expired_user: String,
}

impl Cast {
    /// The default world's cast.
    pub fn default_world() -> Cast {
        Cast {
            engineer: "support@acme.example".into(),
            second_engineer: "support2@acme.example".into(),
            org: "globex-full".into(),
            customer: "admin@globex.example.full".into(),
            production: "globex-prod".into(),
            production_user: "admin@globex.example".into(),
            expired: "initech-sandbox".into(),
            expired_user: "admin@initech.example.uat".into(),
        }
    }

    /// Everything the story needs that `world` lacks, one phrase each.
    pub fn missing(&self, world: &World) -> Vec<String> {
        let mut missing = Vec::new();
        for user in [&self.engineer, &self.second_engineer] {
            if world.lmo_user(user).is_none() {
                missing.push(format!("the LMO user {user}"));
            }
        }
        for (org, user) in [
            (&self.org, &self.customer),
            (&self.production, &self.production_user),
            (&self.expired, &self.expired_user),
        ] {
            match world.org(org) {
                None => missing.push(format!("the org {org}")),
                Some(o) if o.user(user).is_none() => {
                    missing.push(format!("the user {user} in the org {org}"));
                }
                Some(_) => {}
            }
        }
        if let Some(o) = world.org(&self.org)
            && !o
                .project
                .as_ref()
                .is_some_and(|p| p.join(REPRODUCTION).is_file())
        {
            missing.push(format!(
                "{REPRODUCTION} in the project of the org {}",
                self.org
            ));
        }
        for class in PACKAGE_CLASSES {
            let found = world
                .publishers()
                .flat_map(|p| &p.packages)
                .any(|p| find_file(&p.path, class).is_some());
            if !found {
                missing.push(format!("the package class {class}"));
            }
        }
        missing
    }

    /// Ok when `world` has the whole cast; else an error naming what it lacks.
    pub fn check(&self, world: &World) -> Result<(), String> {
        let missing = self.missing(world);
        if missing.is_empty() {
            return Ok(());
        }
        Err(format!(
            "the world {} does not fit the demo's story; it lacks:\n{}\nThe story needs the \
             people, orgs and package of the default world: start from a copy of \
             fixtures/worlds/default and keep them",
            world.root.display(),
            missing
                .iter()
                .map(|m| format!("  - {m}"))
                .collect::<Vec<_>>()
                .join("\n")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::world::LoadedWorld;

    /// The default world; its files live as long as the value.
    fn default_world() -> LoadedWorld {
        crate::world::resolve(None).expect("the default world loads")
    }

    #[test]
    fn the_default_world_has_the_whole_cast() {
        let loaded = default_world();
        assert_eq!(
            Cast::default_world().missing(&loaded.world),
            Vec::<String>::new()
        );
    }

    #[test]
    fn each_missing_part_is_named() {
        let loaded = default_world();
        let mut w = loaded.world.clone();
        w.publisher
            .lmo
            .users
            .retain(|u| u.username != "support2@acme.example");
        w.orgs.retain(|o| o.key != "globex-prod");
        if let Some(o) = w.orgs.iter_mut().find(|o| o.key == "initech-sandbox") {
            o.users.clear();
        }
        let err = Cast::default_world().check(&w).unwrap_err();
        for part in [
            "the LMO user support2@acme.example",
            "the org globex-prod",
            "the user admin@initech.example.uat in the org initech-sandbox",
            "fixtures/worlds/default",
        ] {
            assert!(err.contains(part), "`{part}` is not named in:\n{err}");
        }
        assert!(!err.contains("globex-full"), "{err}");
    }
}
