//! The cache entry of a git source: a bare mirror under `<cache>/git/<key>`, created by a
//! clone renamed into place whole, brought up to date once per run under a file lock, and
//! cloned again when it is broken. The cache must be the user's own: folders created 0700,
//! and a cache folder that is a symlink or belongs to someone else is refused.

use std::path::Path;
use std::time::Instant;

use git2::Repository;

use super::transport::Fetch;
use super::{GitSource, Mirror, objects};
use crate::error::{Error, Result};

impl GitSource {
    fn is_cached_mirror(&self) -> bool {
        Repository::open_bare(&self.mirror_dir).is_ok_and(|r| r.is_bare())
    }

    /// Fetches (or, offline, opens) the mirror, repairing a broken one. For locked reads a
    /// mirror already in the cache is opened as it is, unless `fetch` asks for a fetch.
    pub(super) fn open_mirror(&self, fetch: bool) -> Result<Mirror> {
        let git_dir = self.mirror_dir.parent().unwrap_or(Path::new("."));
        // Two catalogs of one run (`diff` reads two revisions) share a mirror: fetch it once.
        let cached_only = self.settings.offline
            || self.settings.was_fetched(&self.mirror_dir)
            || (!fetch && self.settings.prefer_cache && self.is_cached_mirror());
        private_dir(&self.settings.cache_dir, !cached_only)?;
        private_dir(git_dir, !cached_only)?;
        let repo = if cached_only {
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
            // One process fetches a mirror at a time; readers need no lock, since a fetch only
            // adds objects and swaps refs atomically, and a clone is renamed into place whole.
            let lock = self.lock()?;
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
            tags: std::sync::Arc::new(crate::registry::source::Tags::new(tags)),
            targets,
        })
    }

    /// Takes the mirror's file lock, saying which lock it waits for when another strata
    /// holds it, and giving up after the configured time.
    fn lock(&self) -> Result<std::fs::File> {
        let lock_path = self.mirror_dir.with_extension("lock");
        let mut options = std::fs::OpenOptions::new();
        // Never truncate, never follow a symlink planted in the cache.
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(libc::O_NOFOLLOW).mode(0o600);
        }
        let cannot = |e: std::io::Error| {
            Error::from(std::io::Error::new(
                e.kind(),
                format!("cannot lock `{}`: {e}", lock_path.display()),
            ))
        };
        let file = options.open(&lock_path).map_err(cannot)?;
        let started = Instant::now();
        let mut said = false;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(file),
                Err(std::fs::TryLockError::WouldBlock) => {}
                Err(std::fs::TryLockError::Error(e)) => return Err(cannot(e)),
            }
            if !said {
                self.settings.out.status(
                    "Waiting",
                    &format!(
                        "for `{}` (another strata is fetching `{}`)",
                        lock_path.display(),
                        self.url.display
                    ),
                );
                said = true;
            }
            if started.elapsed() >= self.settings.lock_timeout {
                return Err(Error::registry(
                    &self.registry,
                    format!(
                        "gave up after {} s waiting for `{}`, which another strata holds (set STRATA_LOCK_TIMEOUT to wait longer)",
                        self.settings.lock_timeout.as_secs(),
                        lock_path.display()
                    ),
                ));
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    fn warn(&self, message: String) {
        self.settings
            .warnings
            .warn(crate::diagnostic::Diagnostic::plain(message));
    }

    fn fetch_or_clone(&self) -> Result<Repository> {
        if self.mirror_dir.exists() {
            match Repository::open_bare(&self.mirror_dir) {
                Ok(repo) if repo.is_bare() => match self.fetch(&repo) {
                    Ok(()) => return Ok(repo),
                    Err(Fetch::Remote(why)) => return Err(self.cannot_fetch(&why)),
                    Err(Fetch::Local(why)) => return Err(self.local_failure(&why)),
                    Err(Fetch::Corrupt(why)) => self.warn(format!(
                        "registry `{}`: the cached mirror of `{}` is broken ({why}); cloning it again",
                        self.registry, self.url.display
                    )),
                },
                _ => self.warn(format!(
                    "registry `{}`: the cached mirror of `{}` is broken; cloning it again",
                    self.registry, self.url.display
                )),
            }
            fs_err::remove_dir_all(&self.mirror_dir)?;
        }
        // Clone beside the final place and rename, so no reader sees half a mirror. Under
        // the lock, any other clone of this mirror is one a killed run left behind.
        self.remove_stale_clones();
        let tmp = self
            .mirror_dir
            .with_extension(format!("tmp-{}", std::process::id()));
        if let Err(why) = self.clone_into(&tmp) {
            let _ = fs_err::remove_dir_all(&tmp);
            return Err(match why {
                Fetch::Local(why) => self.local_failure(&why),
                Fetch::Remote(why) | Fetch::Corrupt(why) => self.cannot_fetch(&why),
            });
        }
        fs_err::rename(&tmp, &self.mirror_dir)?;
        Repository::open_bare(&self.mirror_dir)
            .map_err(|e| self.fail("cannot open the mirror of", &e))
    }

    /// Removes `<key>.tmp-*` folders: clones that a killed run never renamed into place.
    fn remove_stale_clones(&self) {
        let (Some(dir), Some(key)) = (
            self.mirror_dir.parent(),
            self.mirror_dir.file_name().and_then(|n| n.to_str()),
        ) else {
            return;
        };
        let prefix = format!("{key}.tmp-");
        let Ok(entries) = fs_err::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            if entry
                .file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(&prefix))
            {
                let _ = fs_err::remove_dir_all(entry.path());
            }
        }
    }

    /// A failure of this machine (a full disk), not of the registry: exit code 2.
    fn local_failure(&self, why: &str) -> Error {
        std::io::Error::other(format!(
            "cannot write the mirror of `{}` in `{}`: {why}",
            self.url.display,
            self.mirror_dir.display()
        ))
        .into()
    }
}

/// Makes sure a cache folder is the user's own: created 0700 when missing (if `create`);
/// refused when it is a symlink, not a folder, or owned by another user (a folder planted
/// in a shared temporary folder, say).
pub(super) fn private_dir(dir: &Path, create: bool) -> Result<()> {
    let meta = match std::fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !create => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
                fs_err::create_dir_all(parent)?;
            }
            let mut builder = std::fs::DirBuilder::new();
            #[cfg(unix)]
            {
                use std::os::unix::fs::DirBuilderExt;
                builder.mode(0o700);
            }
            return match builder.create(dir) {
                Ok(()) => Ok(()),
                // Another strata made it meanwhile: check it as any existing one.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => private_dir(dir, false),
                Err(e) => Err(std::io::Error::new(
                    e.kind(),
                    format!("cannot create the cache folder `{}`: {e}", dir.display()),
                )
                .into()),
            };
        }
        Err(e) => {
            return Err(std::io::Error::new(
                e.kind(),
                format!("cannot read the cache folder `{}`: {e}", dir.display()),
            )
            .into());
        }
    };
    let refuse = |why: &str| {
        Err(Error::usage_hint(
            format!("the cache folder `{}` {why}", dir.display()),
            Some(
                "choose a cache folder of your own with `--cache-dir` or STRATA_CACHE".to_string(),
            ),
        ))
    };
    if meta.file_type().is_symlink() {
        return refuse("is a symlink; strata uses only a cache folder of its own");
    }
    if !meta.is_dir() {
        return refuse("is not a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        if meta.uid() != me {
            return refuse(&format!(
                "belongs to another user (uid {}); strata uses only a cache folder of its own",
                meta.uid()
            ));
        }
    }
    Ok(())
}
