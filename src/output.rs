//! Everything strata prints: data on stdout, status lines, warnings, verbose detail and
//! errors on stderr, the styles they use, and the small formatting helpers (tables,
//! plurals) that commands share.

use std::fmt::Write as _;
use std::io::Write;

use anstyle::{AnsiColor, Style};
use serde::Serialize;

use crate::error::Error;

pub const ERROR: Style = AnsiColor::Red.on_default().bold();
pub const WARNING: Style = AnsiColor::Yellow.on_default().bold();
pub const GOOD: Style = AnsiColor::Green.on_default().bold();
pub const BOLD: Style = Style::new().bold();
pub const DIM: Style = Style::new().dimmed();

/// The `schema_version` of every JSON output: a change that removes or renames a field, or
/// changes its meaning, increases it; new fields may appear without a change.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Text,
    Json,
    Markdown,
    Github,
    Sarif,
}

impl OutputFormat {
    /// The value of `--format` that selects it.
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Text => "text",
            OutputFormat::Json => "json",
            OutputFormat::Markdown => "markdown",
            OutputFormat::Github => "github",
            OutputFormat::Sarif => "sarif",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

/// How a run prints: the data format and how much goes to stderr.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub format: OutputFormat,
    pub verbosity: Verbosity,
}

impl Output {
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

    /// A list for stdout as the JSON object `{"schema_version": 1, key: [...]}`.
    pub fn print_json_list<T: Serialize>(&self, key: &'static str, rows: &[T]) {
        struct List<'a, T>(&'static str, &'a [T]);
        impl<T: Serialize> Serialize for List<'_, T> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut map = s.serialize_map(Some(2))?;
                map.serialize_entry("schema_version", &SCHEMA_VERSION)?;
                map.serialize_entry(self.0, self.1)?;
                map.end()
            }
        }
        self.print_json(&List(key, rows))
    }

    /// An object for stdout with `schema_version` as its first field, then the object's
    /// own fields in their order.
    pub fn print_json_doc<T: Serialize>(&self, body: &T) {
        #[derive(Serialize)]
        struct Doc<'a, T> {
            schema_version: u32,
            #[serde(flatten)]
            body: &'a T,
        }
        self.print_json(&Doc {
            schema_version: SCHEMA_VERSION,
            body,
        })
    }

    /// Data for stdout as pretty JSON with a trailing newline: an object whose first field
    /// is `schema_version` (see [`Output::print_json_doc`] and [`Output::print_json_list`]).
    pub fn print_json<T: Serialize>(&self, value: &T) {
        match serde_json::to_string_pretty(value) {
            Ok(text) => self.print(&text),
            Err(e) => report(&Error::Internal(format!("cannot write JSON: {e}"))),
        }
    }

    /// A status line on stderr, unless `--quiet`.
    pub fn status(&self, label: &str, message: &str) {
        if self.verbosity > Verbosity::Quiet {
            status(label, message);
        }
    }

    /// A warning on stderr (also under `--quiet`: a warning is never noise).
    pub fn warn(&self, message: &str) {
        warn(message);
    }

    /// Detail on stderr under `-v` only.
    pub fn verbose(&self, label: &str, message: &str) {
        if self.verbosity == Verbosity::Verbose {
            status(label, message);
        }
    }
}

fn status(label: &str, message: &str) {
    let message = crate::shown::one_line(message);
    let _ = writeln!(anstream::stderr(), "{GOOD}{label:>10}{GOOD:#} {message}");
}

/// A warning on stderr, for code that has no [`Output`] at hand.
pub fn warn(message: &str) {
    let _ = writeln!(anstream::stderr(), "{WARNING}warning{WARNING:#}: {message}");
}

/// Prints an error with its cause chain and hint, once.
pub fn report(e: &Error) {
    let mut err = anstream::stderr().lock();
    // Diagnostics escape their own parts; any other message is one line, but for a
    // registry's, whose further lines (a program's output) strata prefixes itself.
    let text = match e {
        Error::Catalog(_) => e.to_string(),
        Error::Registry { .. } => e
            .to_string()
            .split('\n')
            .map(|l| crate::shown::one_line(l).into_owned())
            .collect::<Vec<_>>()
            .join("\n"),
        _ => crate::shown::one_line(&e.to_string()).into_owned(),
    };
    let _ = writeln!(err, "{ERROR}error{ERROR:#}: {text}");
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        let _ = writeln!(
            err,
            "  caused by: {}",
            crate::shown::one_line(&c.to_string())
        );
        cause = c.source();
    }
    if let Some(hint) = e.hint() {
        let _ = writeln!(err, "  hint: {}", crate::shown::one_line(hint));
    }
}

/// `1 lock file`, `2 lock files`: a count with its noun, plural by adding `s`.
pub fn plural(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// `s` when `n` is not one, for nouns inside longer phrases.
pub fn s(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Left-aligned columns separated by two spaces, no trailing blanks.
pub fn format_table<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> String {
    // Cells hold text from the catalog and other teams' repositories: one line each, with
    // nothing a terminal would act on.
    let rows: Vec<[String; N]> = rows
        .iter()
        .map(|row| row.clone().map(|c| crate::shown::one_line(&c).into_owned()))
        .collect();
    let rows = &rows[..];
    let mut widths = header.map(|h| h.len());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let mut l = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == N {
                l.push_str(cell);
            } else {
                let _ = write!(l, "{cell:<w$}  ");
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
    out
}

/// `a`, `a or b`, `a, b or c`.
pub fn either(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_and_plurals() {
        let rows = [
            ["calico".to_string(), "3.30.2".to_string()],
            ["cilium".to_string(), String::new()],
        ];
        assert_eq!(
            format_table(["PACK", "NEWEST"], &rows),
            "PACK    NEWEST\ncalico  3.30.2\ncilium\n"
        );
        assert_eq!(plural(1, "pack"), "1 pack");
        assert_eq!(plural(0, "pack"), "0 packs");
        assert_eq!(s(2), "s");
    }
}
