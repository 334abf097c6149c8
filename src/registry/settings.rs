//! How a run's registries reach the network and the cache. One value per run, shared by
//! every catalog the run opens (`diff` opens two), so that a mirror is fetched once.

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::output::{Output, Verbosity};

#[derive(Debug, Clone)]
pub struct Settings {
    pub cache_dir: PathBuf,
    pub offline: bool,
    /// Locked reads: a git registry already in the cache is read from it, and fetched only
    /// when a read misses (a locked commit the cache does not have yet).
    pub prefer_cache: bool,
    /// `verify`: downloaded content (chart archives) is downloaded again, never taken from
    /// the cache, so that what the server serves now is what is checked.
    pub download_again: bool,
    pub out: Output,
    /// Progress bars (drawn only on a terminal).
    pub progress: indicatif::MultiProgress,
    /// A fetch whose remote sends nothing for this long is stopped (`STRATA_FETCH_TIMEOUT`,
    /// seconds; default 60).
    pub fetch_timeout: Duration,
    /// How long to wait for another strata that holds a mirror's lock
    /// (`STRATA_LOCK_TIMEOUT`, seconds; default 300).
    pub lock_timeout: Duration,
    /// What fetches remote repositories (`STRATA_GIT_FETCH=libgit2`: libgit2 always).
    pub fetch_with: FetchWith,
    /// Where registries report what they skip or repair.
    pub warnings: crate::diagnostic::Warnings,
    /// Mirrors fetched by this run.
    fetched: Arc<Mutex<HashSet<PathBuf>>>,
    /// The caches of the rooms above the registries (compiled templates, rendered files'
    /// kinds), shared by every catalog the run opens.
    pub memo: crate::memo::Memo,
}

impl Settings {
    pub fn new(cache_dir: PathBuf, offline: bool, out: Output) -> Settings {
        let target = if out.verbosity == Verbosity::Quiet || !std::io::stderr().is_terminal() {
            indicatif::ProgressDrawTarget::hidden()
        } else {
            indicatif::ProgressDrawTarget::stderr()
        };
        Settings {
            cache_dir,
            offline,
            prefer_cache: false,
            download_again: false,
            out,
            progress: indicatif::MultiProgress::with_draw_target(target),
            fetch_timeout: Duration::from_secs(60),
            lock_timeout: Duration::from_secs(300),
            fetch_with: FetchWith::GitProgram,
            warnings: crate::diagnostic::Warnings::default(),
            fetched: Arc::default(),
            memo: crate::memo::Memo::default(),
        }
    }

    /// The same settings reading the cache only (the run's fetched set is shared).
    pub fn offline(&self) -> Settings {
        Settings {
            offline: true,
            ..self.clone()
        }
    }

    /// The same settings downloading content again (see [`Settings::download_again`]).
    pub fn downloading_again(&self) -> Settings {
        Settings {
            download_again: true,
            ..self.clone()
        }
    }

    /// The same settings for locked reads (see [`Settings::prefer_cache`]).
    pub fn locked_reads(&self) -> Settings {
        Settings {
            prefer_cache: true,
            ..self.clone()
        }
    }

    /// The same settings with caches of their own (a long-lived process, such as the
    /// Terraform provider, drops them with each read; the fetched set stays shared).
    pub fn with_own_caches(&self) -> Settings {
        Settings {
            memo: crate::memo::Memo::default(),
            ..self.clone()
        }
    }

    /// Whether this run fetched the mirror at `dir` already.
    pub fn was_fetched(&self, dir: &Path) -> bool {
        self.fetched
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(dir)
    }

    pub fn mark_fetched(&self, dir: &Path) {
        self.fetched
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(dir.to_path_buf());
    }
}

/// What fetches remote repositories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchWith {
    /// The `git` program when it is installed (its credential helpers, SSH and proxy
    /// settings), else libgit2.
    GitProgram,
    /// libgit2 always.
    Libgit2,
}
