//! Plain settings every command receives (no clap types), and the one place that writes to
//! stdout and stderr: data on stdout, status and diagnostics on stderr.

use std::io::Write;
use std::path::PathBuf;

use anstyle::{AnsiColor, Style};
use serde::Serialize;

use crate::catalog::Catalog;
use crate::error::Result;
use crate::registry::GitSettings;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

#[derive(Debug, Clone)]
pub struct Context {
    /// `-C DIR`: where to look for the catalog (default: the current folder and its parents).
    pub dir: Option<PathBuf>,
    pub cache_dir: Option<PathBuf>,
    pub offline: bool,
    /// `--at REF`: read the catalog as of this revision.
    pub at: Option<String>,
    pub format: OutputFormat,
    pub verbosity: Verbosity,
}

pub const ERROR: Style = AnsiColor::Red.on_default().bold();
pub const WARNING: Style = AnsiColor::Yellow.on_default().bold();
pub const GOOD: Style = AnsiColor::Green.on_default().bold();
pub const BOLD: Style = Style::new().bold();
pub const DIM: Style = Style::new().dimmed();

impl Context {
    /// The folder commands start from.
    pub fn start_dir(&self) -> PathBuf {
        self.dir.clone().unwrap_or_else(|| PathBuf::from("."))
    }

    /// Opens the catalog at or above the start folder and makes its registries ready
    /// (git registries are fetched in parallel, once).
    pub fn catalog(&self) -> Result<Catalog> {
        let catalog = self.catalog_unfetched()?;
        catalog.registries.prepare_all()?;
        Ok(catalog)
    }

    /// Opens the catalog without fetching anything (git registries fetch when first read).
    pub fn catalog_unfetched(&self) -> Result<Catalog> {
        let root = Catalog::find_root(&self.start_dir())?;
        match &self.at {
            Some(rev) => Catalog::open_at(&root, rev, &self.git_settings()),
            None => Catalog::open(&root, &self.git_settings()),
        }
    }

    /// Commands that write to the catalog refuse `--at`.
    pub fn refuse_at(&self, command: &str) -> Result<()> {
        match &self.at {
            Some(rev) => Err(crate::error::Error::usage_hint(
                format!("`strata {command}` changes the catalog, so it cannot read it `--at {rev}`"),
                Some("`--at` is for commands that only read: validate, pack, render, explain, verify, outdated, diff, lock --check".to_string()),
            )),
            None => Ok(()),
        }
    }

    /// Opens the catalog with git registries read from the cache only, whatever `--offline`
    /// says: for commands that report on the cache without changing it.
    pub fn catalog_cached(&self) -> Result<Catalog> {
        let root = Catalog::find_root(&self.start_dir())?;
        let mut settings = self.git_settings();
        settings.offline = true;
        match &self.at {
            Some(rev) => Catalog::open_at(&root, rev, &settings),
            None => Catalog::open(&root, &settings),
        }
    }

    /// Where git registries are mirrored: `--cache-dir`, `$STRATA_CACHE`, else the user
    /// cache folder.
    pub fn cache_dir(&self) -> PathBuf {
        if let Some(dir) = &self.cache_dir {
            return dir.clone();
        }
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

    pub fn git_settings(&self) -> GitSettings {
        GitSettings::new(
            self.cache_dir(),
            self.offline,
            self.verbosity == Verbosity::Quiet,
        )
    }

    pub fn json(&self) -> bool {
        self.format == OutputFormat::Json
    }

    /// Data for stdout.
    pub fn print(&self, text: &str) {
        let mut out = anstream::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        if !text.ends_with('\n') {
            let _ = out.write_all(b"\n");
        }
    }

    /// Data for stdout as pretty JSON with a trailing newline.
    pub fn print_json<T: Serialize>(&self, value: &T) {
        let text = serde_json::to_string_pretty(value).expect("serializable data");
        self.print(&text);
    }

    /// A status line on stderr, unless `--quiet`.
    pub fn status(&self, label: &str, message: &str) {
        if self.verbosity > Verbosity::Quiet {
            let _ = writeln!(anstream::stderr(), "{GOOD}{label:>10}{GOOD:#} {message}");
        }
    }

    pub fn warn(&self, message: &str) {
        warn(message);
    }
}

/// A warning on stderr, for code that has no [`Context`] at hand.
pub fn warn(message: &str) {
    let _ = writeln!(anstream::stderr(), "{WARNING}warning{WARNING:#}: {message}");
}
