//! How a run's registries reach the network and the cache. One value per run, shared by
//! every catalog the run opens (`diff` opens two), so that a mirror is fetched once.

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::output::{Output, Verbosity};

#[derive(Debug, Clone)]
pub struct Settings {
    pub cache_dir: PathBuf,
    pub offline: bool,
    pub out: Output,
    /// Progress bars (drawn only on a terminal).
    pub progress: indicatif::MultiProgress,
    /// Mirrors fetched by this run.
    fetched: Arc<Mutex<HashSet<PathBuf>>>,
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
            out,
            progress: indicatif::MultiProgress::with_draw_target(target),
            fetched: Arc::default(),
        }
    }

    /// The same settings reading the cache only (the run's fetched set is shared).
    pub fn offline(&self) -> Settings {
        Settings {
            offline: true,
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
