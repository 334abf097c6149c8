//! The cache entry of a git source: a bare mirror under `<cache>/git/<key>`, created by a
//! clone renamed into place whole, brought up to date once per run under a file lock, and
//! cloned again when it is broken.

use std::path::Path;
use std::time::Instant;

use git2::Repository;

use super::transport::Fetch;
use super::{GitSource, Mirror, objects};
use crate::error::{Error, Result};
use crate::output::warn;

impl GitSource {
    /// Fetches (or, offline, opens) the mirror, repairing a broken one.
    pub(super) fn open_mirror(&self) -> Result<Mirror> {
        // Two catalogs of one run (`diff` reads two revisions) share a mirror: fetch it once.
        let repo = if self.settings.offline || self.settings.was_fetched(&self.mirror_dir) {
            Repository::open_bare(&self.mirror_dir).map_err(|_| {
                Error::registry(
                    &self.registry,
                    format!(
                        "`{}` is not in the cache and `--offline` forbids fetching it; run `strata fetch` while online",
                        self.url.display
                    ),
                )
            })?
        } else {
            let git_dir = self.mirror_dir.parent().unwrap_or(Path::new("."));
            fs_err::create_dir_all(git_dir)?;
            // One process fetches a mirror at a time; readers need no lock, since a fetch only
            // adds objects and swaps refs atomically, and a clone is renamed into place whole.
            let lock_path = self.mirror_dir.with_extension("lock");
            let lock = fs_err::File::create(&lock_path)?;
            lock.file().lock().map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!("cannot lock `{}`: {e}", lock_path.display()),
                )
            })?;
            let started = Instant::now();
            let repo = self.fetch_or_clone()?;
            drop(lock);
            self.settings.out.verbose(
                "Fetched",
                &format!(
                    "`{}` ({}) in {:.2}s",
                    self.registry,
                    self.url.display,
                    started.elapsed().as_secs_f64()
                ),
            );
            self.settings.mark_fetched(&self.mirror_dir);
            repo
        };
        let (tags, targets) =
            objects::tags(&repo).map_err(|e| self.fail("cannot read the tags of", &e))?;
        Ok(Mirror {
            repo: std::sync::Mutex::new(repo),
            tags,
            targets,
        })
    }

    fn fetch_or_clone(&self) -> Result<Repository> {
        if self.mirror_dir.exists() {
            match Repository::open_bare(&self.mirror_dir) {
                Ok(repo) if repo.is_bare() => match self.fetch(&repo) {
                    Ok(()) => return Ok(repo),
                    Err(Fetch::Remote(why)) => return Err(self.cannot_fetch(&why)),
                    Err(Fetch::Corrupt(why)) => warn(&format!(
                        "registry `{}`: the cached mirror of `{}` is broken ({why}); cloning it again",
                        self.registry, self.url.display
                    )),
                },
                _ => warn(&format!(
                    "registry `{}`: the cached mirror of `{}` is broken; cloning it again",
                    self.registry, self.url.display
                )),
            }
            fs_err::remove_dir_all(&self.mirror_dir)?;
        }
        // Clone beside the final place and rename, so no reader sees half a mirror.
        let tmp = self
            .mirror_dir
            .with_extension(format!("tmp-{}", std::process::id()));
        if tmp.exists() {
            fs_err::remove_dir_all(&tmp)?;
        }
        if let Err(why) = self.clone_into(&tmp) {
            let _ = fs_err::remove_dir_all(&tmp);
            return Err(self.cannot_fetch(&why));
        }
        fs_err::rename(&tmp, &self.mirror_dir)?;
        Repository::open_bare(&self.mirror_dir)
            .map_err(|e| self.fail("cannot open the mirror of", &e))
    }
}
