//! The default world, built into the binary so that `isvdbg demo` and the
//! sandbox work with no files on disk: it is written to a fresh temporary
//! folder and loaded from there.

use std::ops::Deref;
use std::path::Path;

use include_dir::{Dir, include_dir};
use tempfile::TempDir;

use super::error::{WorldError, WorldErrors};
use super::load::load;
use super::model::World;

/// `fixtures/worlds/default`, as it was when the binary was built.
static DEFAULT: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/fixtures/worlds/default");

/// A loaded world. For the embedded default world it also owns the temporary
/// folder that holds the world's files (packages, projects, data), which is
/// removed when this is dropped: keep it alive while the world is in use.
#[derive(Debug)]
pub struct LoadedWorld {
    /// The world.
    pub world: World,
    files: Option<TempDir>,
}

impl LoadedWorld {
    /// The world, and the temporary folder to keep alive (None for a world
    /// loaded from a folder of the user's).
    pub fn into_parts(self) -> (World, Option<TempDir>) {
        (self.world, self.files)
    }

    /// Whether this is the embedded default world.
    pub fn is_embedded(&self) -> bool {
        self.files.is_some()
    }
}

impl Deref for LoadedWorld {
    type Target = World;

    fn deref(&self) -> &World {
        &self.world
    }
}

/// Writes the embedded default world to a new temporary folder and loads it.
pub fn default_world() -> Result<LoadedWorld, WorldErrors> {
    let files = tempfile::Builder::new()
        .prefix("isvdbg-world-")
        .tempdir()
        .map_err(|e| {
            one(WorldError::file(
                std::env::temp_dir(),
                format!("cannot create a temporary folder for the default world: {e}; set TMPDIR to a writable folder"),
            ))
        })?;
    let dir = files.path().join("default");
    std::fs::create_dir_all(&dir)
        .and_then(|()| DEFAULT.extract(&dir))
        .map_err(|e| {
            one(WorldError::file(
                &dir,
                format!("cannot write the default world: {e}; free some space or set TMPDIR to a writable folder"),
            ))
        })?;
    let world = load(&dir)?;
    Ok(LoadedWorld {
        world,
        files: Some(files),
    })
}

/// The world in `dir`, or the embedded default world when `dir` is None.
pub fn resolve(dir: Option<&Path>) -> Result<LoadedWorld, WorldErrors> {
    match dir {
        Some(dir) => Ok(LoadedWorld {
            world: load(dir)?,
            files: None,
        }),
        None => default_world(),
    }
}

fn one(e: WorldError) -> WorldErrors {
    WorldErrors(vec![e])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn on_disk(dir: &Path, base: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                on_disk(&path, base, out);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                out.push((path.strip_prefix(base).unwrap().to_path_buf(), bytes));
            }
        }
    }

    fn embedded(dir: &Dir<'_>, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        for f in dir.files() {
            out.push((f.path().to_path_buf(), f.contents().to_vec()));
        }
        for d in dir.dirs() {
            embedded(d, out);
        }
    }

    /// Files added to the fixture after a build are not seen by the compiler:
    /// touch this file (or `cargo clean -p isvdbg`) to embed them.
    #[test]
    fn the_embedded_default_world_is_the_one_on_disk() {
        let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/worlds/default");
        let mut disk = Vec::new();
        on_disk(&base, &base, &mut disk);
        let mut built = Vec::new();
        embedded(&DEFAULT, &mut built);
        disk.sort();
        built.sort();
        let names = |v: &[(PathBuf, Vec<u8>)]| v.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(&built),
            names(&disk),
            "touch src/world/embedded.rs and rebuild"
        );
        assert!(
            built == disk,
            "file contents differ; touch src/world/embedded.rs and rebuild"
        );
    }
}
