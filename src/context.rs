//! The plain settings every command receives (no clap types): where to start, `--at`, how
//! to print, and the run's registry settings, with the ways commands open the catalog.

use std::path::PathBuf;
use std::time::Duration;

use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::output::Output;
use crate::registry::Settings;
use crate::registry::settings::FetchWith;

#[derive(Debug, Clone)]
pub struct Context {
    /// `-C DIR`: where to look for the catalog (default: the current folder and its parents).
    pub dir: Option<PathBuf>,
    /// `--at REF`: read the catalog as of this revision.
    pub at: Option<String>,
    pub out: Output,
    /// How registries reach the network and the cache, shared by every catalog of the run
    /// (`diff` opens two) so that each registry is fetched once.
    pub registries: Settings,
}

impl Context {
    /// The folder commands start from.
    pub fn start_dir(&self) -> PathBuf {
        self.dir.clone().unwrap_or_else(|| PathBuf::from("."))
    }

    /// Opens the catalog at or above the start folder and fetches its git registries in
    /// parallel, once. A registry that cannot be fetched fails only what reads it.
    pub fn catalog(&self) -> Result<Catalog> {
        let catalog = self.catalog_unfetched()?;
        catalog.registries.prefetch();
        Ok(catalog)
    }

    /// Opens the catalog without fetching anything (git registries fetch when first read).
    pub fn catalog_unfetched(&self) -> Result<Catalog> {
        self.open(&self.registries)
    }

    /// Opens the catalog for `verify`: nothing fetched yet, and chart archives downloaded
    /// again rather than taken from the cache.
    pub fn catalog_downloading_again(&self) -> Result<Catalog> {
        self.open(&self.registries.downloading_again())
    }

    /// Opens the catalog for locked reads: a git registry in the cache is read from it, and
    /// fetched only when a read misses (a locked commit the cache does not have); one not in
    /// the cache yet is fetched when first read.
    pub fn catalog_locked(&self) -> Result<Catalog> {
        self.open(&self.registries.locked_reads())
    }

    /// Opens the catalog with git registries read from the cache only, whatever `--offline`
    /// says: for commands that report on the cache without changing it.
    pub fn catalog_cached(&self) -> Result<Catalog> {
        self.open(&self.registries.offline())
    }

    fn open(&self, settings: &Settings) -> Result<Catalog> {
        let root = Catalog::find_root(&self.start_dir())?;
        match &self.at {
            Some(rev) => Catalog::open_at(&root, rev, settings),
            None => Catalog::open(&root, settings),
        }
    }

    /// Commands that write to the catalog refuse `--at`.
    pub fn refuse_at(&self, command: &str) -> Result<()> {
        match &self.at {
            Some(rev) => Err(Error::usage_hint(
                format!("`strata {command}` changes the catalog, so it cannot read it `--at {rev}`"),
                Some("`--at` is for commands that only read: validate, pack, render, explain, verify, outdated, diff, lock --check".to_string()),
            )),
            None => Ok(()),
        }
    }
}

/// Where git registries are mirrored: `--cache-dir` or `$STRATA_CACHE` when given, else the
/// user cache folder.
pub fn default_cache_dir() -> PathBuf {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let base = if cfg!(target_os = "macos") {
        env("HOME").map(|h| h.join("Library").join("Caches"))
    } else if cfg!(windows) {
        env("LOCALAPPDATA")
    } else {
        env("XDG_CACHE_HOME").or_else(|| env("HOME").map(|h| h.join(".cache")))
    };
    base.unwrap_or_else(std::env::temp_dir).join("strata")
}

/// The registry settings of a run, with what the environment says: `STRATA_FETCH_TIMEOUT`
/// and `STRATA_LOCK_TIMEOUT` (seconds), `STRATA_GIT_FETCH=libgit2`. The environment is
/// read here, at the edge, and nowhere below; registries' warnings are printed as they
/// come.
pub fn registry_settings(cache_dir: PathBuf, offline: bool, out: Output) -> Settings {
    let mut settings = Settings::new(cache_dir, offline, out);
    settings.warnings = crate::diagnostic::Warnings::new(|d| crate::output::warn(&d.to_string()));
    settings.fetch_timeout = seconds("STRATA_FETCH_TIMEOUT", settings.fetch_timeout);
    settings.lock_timeout = seconds("STRATA_LOCK_TIMEOUT", settings.lock_timeout);
    if std::env::var("STRATA_GIT_FETCH").is_ok_and(|v| v == "libgit2") {
        settings.fetch_with = FetchWith::Libgit2;
    }
    settings
}

/// The bounds of running templates, from the environment: `STRATA_TEMPLATE_TIMEOUT`
/// (seconds a template may render).
pub fn template_limits() {
    crate::limits::set_template_time(seconds(
        "STRATA_TEMPLATE_TIMEOUT",
        crate::limits::TEMPLATE_TIME,
    ));
}

/// The bounds of one helm run, from the environment: `STRATA_HELM_TIMEOUT` (seconds) and
/// `STRATA_HELM_MAX_OUTPUT` (MiB of output).
pub fn helm_limits() -> (Duration, u64) {
    let time = seconds("STRATA_HELM_TIMEOUT", crate::manifests::helm::MAX_TIME);
    let default = crate::manifests::helm::MAX_OUTPUT;
    let output = match std::env::var("STRATA_HELM_MAX_OUTPUT") {
        Err(_) => default,
        Ok(v) => match v.trim().parse::<u64>() {
            Ok(n) if n > 0 && n < (1 << 20) => n << 20,
            _ => {
                crate::output::warn(&format!(
                    "`STRATA_HELM_MAX_OUTPUT={v}` is not a number of MiB; using {}",
                    default >> 20
                ));
                default
            }
        },
    };
    (time, output)
}

/// A duration in whole seconds from the environment; a value that is not a positive number
/// is reported and the default used.
fn seconds(var: &str, default: Duration) -> Duration {
    match std::env::var(var) {
        Err(_) => default,
        Ok(v) => match v.trim().parse::<u64>() {
            Ok(n) if n > 0 => Duration::from_secs(n),
            _ => {
                crate::output::warn(&format!(
                    "`{var}={v}` is not a number of seconds; using {}",
                    default.as_secs()
                ));
                default
            }
        },
    }
}
