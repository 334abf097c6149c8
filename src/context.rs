//! Plain settings every command receives (no clap types), and the one place that writes to
//! stdout and stderr: data on stdout, status and diagnostics on stderr.

use std::io::Write;
use std::path::PathBuf;

use anstyle::{AnsiColor, Style};
use serde::Serialize;

use crate::catalog::Catalog;
use crate::error::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Text,
    Json,
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

    /// Opens the catalog at or above the start folder.
    pub fn catalog(&self) -> Result<Catalog> {
        let root = Catalog::find_root(&self.start_dir())?;
        Catalog::open(&root)
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
        let _ = writeln!(anstream::stderr(), "{WARNING}warning{WARNING:#}: {message}");
    }
}
