//! Diagnostics that point into the user's files: `path:line:col`, the line, a caret, and a
//! hint with the near miss. Also the TOML entry point that turns serde's messages into them.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;
use serde::de::{Deserialize, DeserializeOwned};

use crate::shown::{first_control, mask, one_line};

/// A file's text with the name it is shown under (relative to the catalog root, or
/// `builtin:<pack>/<version>/pack.toml` for the embedded catalog).
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub text: Arc<str>,
    /// The digest of the text as parsed TOML, computed once (clones share it).
    content: Arc<std::sync::OnceLock<String>>,
    /// The text as a TOML table (`None`: it is not one), parsed once (clones share it).
    table: Arc<std::sync::OnceLock<Option<toml::Table>>>,
    /// Where each line starts, computed once: the line of an offset is a binary search,
    /// so a file of many problems is not scanned again for each.
    lines: Arc<std::sync::OnceLock<Vec<usize>>>,
}

impl Source {
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Source {
        Source {
            name: name.into(),
            text: text.into(),
            content: Arc::default(),
            table: Arc::default(),
            lines: Arc::default(),
        }
    }

    /// The 1-based line of byte `at`.
    pub fn line_at(&self, at: usize) -> usize {
        let starts = self.lines.get_or_init(|| {
            std::iter::once(0)
                .chain(
                    self.text
                        .bytes()
                        .enumerate()
                        .filter(|(_, b)| *b == b'\n')
                        .map(|(i, _)| i + 1),
                )
                .collect()
        });
        starts.partition_point(|s| *s <= at)
    }

    /// The byte where 1-based `line` starts (the end of the text past its last line).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_at(0);
        let starts = self.lines.get().expect("computed above");
        starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len())
            .min(self.text.len())
    }

    /// The digest of this file's content as `inputs` counts it
    /// ([`crate::digest::content_digest`]), computed once per file and run.
    pub fn content_digest(&self) -> &str {
        self.content.get_or_init(|| {
            self.table()
                .and_then(crate::digest::table_digest)
                .unwrap_or_else(|| crate::digest::sha256(self.text.as_bytes()))
        })
    }

    /// The text as a TOML table, parsed once per file and run (`None`: it does not parse).
    pub fn table(&self) -> Option<&toml::Table> {
        self.table
            .get_or_init(|| self.text.parse::<toml::Table>().ok())
            .as_ref()
    }

    /// Reads a text file: UTF-8 without control characters other than tab, line feed and
    /// carriage return. Anything else becomes a diagnostic that quotes none of it, so that
    /// a file that is not text (a symlink to `/proc/self/environ`, say) is never echoed.
    pub fn from_bytes(name: impl Into<String>, bytes: &[u8]) -> Result<Source, Diagnostic> {
        let name = name.into();
        let text = std::str::from_utf8(bytes).map_err(|e| {
            Diagnostic::file(
                &name,
                format!("not valid UTF-8 (at byte {})", e.valid_up_to()),
            )
        })?;
        if let Some(at) = first_control(bytes) {
            return Err(Diagnostic::file(
                name,
                format!(
                    "not a text file (control character 0x{:02x} at byte {at})",
                    bytes[at]
                ),
            ));
        }
        Ok(Source::new(name, text))
    }

    /// Parses this file as `T`, turning the first error into a diagnostic.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, Diagnostic> {
        toml::from_str(&self.text).map_err(|e| self.toml_error(&e))
    }

    /// [`Source::parse`], computing the [`Source::content_digest`] from the same parse (a
    /// profile's file is both read and counted in its lock's `inputs`).
    pub fn parse_counted<T: DeserializeOwned>(&self) -> Result<T, Diagnostic> {
        let table = toml::de::DeTable::parse(&self.text).map_err(|e| self.toml_error(&e))?;
        if self.content.get().is_none() {
            let digest = toml::Table::deserialize(toml::de::Deserializer::from(table.clone()))
                .ok()
                .and_then(|t| crate::digest::table_digest(&t))
                .unwrap_or_else(|| crate::digest::content_digest(self.text.as_bytes()));
            let _ = self.content.set(digest);
        }
        T::deserialize(toml::de::Deserializer::from(table)).map_err(|e| self.toml_error(&e))
    }

    fn toml_error(&self, e: &toml::de::Error) -> Diagnostic {
        let (message, hint) = rewrite_serde_message(e.message());
        let d = match e.span() {
            Some(span) => Diagnostic::at(self, span, message),
            None => Diagnostic::file(&self.name, message),
        };
        d.with_hint_opt(hint)
    }
}

/// One problem, located in a file where possible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Diagnostic {
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    #[serde(skip)]
    excerpt: Option<(String, usize, usize)>,
}

impl Diagnostic {
    /// A problem at a span of a file. The excerpt shows at most [`EXCERPT`] characters of
    /// the line, around the span.
    pub fn at(source: &Source, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        let text = &source.text;
        let start = floor_char_boundary(text, span.start.min(text.len()));
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line_text = text[line_start..line_end].trim_end_matches('\r');
        let line = source.line_at(start);
        let column = text[line_start..start].chars().count() + 1;
        let end = floor_char_boundary(text, span.end.clamp(start, line_end.max(start)));
        let width = text[start..end].chars().count().max(1);
        // Long lines (a minified value, a generated chain) are cut to a window at the span.
        let skip = column.saturating_sub(EXCERPT / 3 + 1);
        let mut shown: String = line_text.chars().skip(skip).take(EXCERPT).collect();
        let cut_end = line_text.chars().count() > skip + EXCERPT;
        let (mut caret_col, mut caret_width) = (column - skip, width);
        if skip > 0 {
            shown.insert(0, '…');
            caret_col += 1;
        }
        if cut_end {
            shown.push('…');
        }
        caret_width = caret_width.min(shown.chars().count().saturating_sub(caret_col - 1).max(1));
        Diagnostic {
            file: Some(source.name.clone()),
            line: Some(line),
            column: Some(column),
            message: crate::shown::bounded(message.into()),
            hint: None,
            excerpt: Some((shown, caret_col, caret_width)),
        }
    }

    /// A problem at a line of a file (1-based), pointing at its first non-blank character.
    pub fn at_line(source: &Source, line: usize, message: impl Into<String>) -> Diagnostic {
        let text = &source.text;
        let start = source.line_start(line);
        let indent = text[start..].len() - text[start..].trim_start_matches([' ', '\t']).len();
        let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        Diagnostic::at(source, start + indent..end.max(start + indent), message)
    }

    /// A problem with a whole file.
    pub fn file(name: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: Some(name.into()),
            line: None,
            column: None,
            message: crate::shown::bounded(message.into()),
            hint: None,
            excerpt: None,
        }
    }

    /// A problem with no file to point at.
    pub fn plain(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: None,
            line: None,
            column: None,
            message: crate::shown::bounded(message.into()),
            hint: None,
            excerpt: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(crate::shown::bounded(hint.into()));
        self
    }

    /// [`Diagnostic::with_hint`] unless it has a hint already (a more precise one).
    pub fn or_hint(self, hint: impl Into<String>) -> Diagnostic {
        if self.hint.is_some() {
            self
        } else {
            self.with_hint(hint)
        }
    }

    pub fn with_hint_opt(mut self, hint: Option<String>) -> Diagnostic {
        self.hint = hint.map(crate::shown::bounded);
        self
    }

    /// The diagnostic without the line it points at: for a problem with a sensitive value,
    /// whose line would show it. The location stays.
    pub fn without_excerpt(mut self) -> Diagnostic {
        self.excerpt = None;
        self
    }

    /// The diagnostic with every secret (in its message, hint and excerpt) shown as
    /// `(sensitive)`.
    pub fn masked(mut self, secrets: &[String]) -> Diagnostic {
        if secrets.is_empty() {
            return self;
        }
        let mask = |t: &str| mask(t, secrets);
        self.message = mask(&self.message);
        self.hint = self.hint.as_deref().map(mask);
        if let Some((text, col, width)) = &self.excerpt {
            let masked = mask(text);
            if masked != *text {
                let n = masked.chars().count().max(1);
                self.excerpt = Some((masked, (*col).min(n), (*width).min(n)));
            }
        }
        self
    }

    /// `path:line:col` (or as much of it as is known).
    pub fn location(&self) -> Option<String> {
        let file = self.file.as_ref()?;
        Some(match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
            _ => file.clone(),
        })
    }
}

/// Drops each problem that repeats an earlier one (same place, same message): a base's
/// problem met by every profile that extends it is shown once.
pub fn dedup(problems: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    problems.retain(|d| seen.insert((d.location(), d.message.clone())));
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location() {
            Some(loc) => write!(f, "{}: {}", one_line(&loc), one_line(&self.message))?,
            None => write!(f, "{}", one_line(&self.message))?,
        }
        if let (Some((text, column, width)), Some(line)) = (&self.excerpt, self.line) {
            let gutter = line.to_string().len();
            let pad: String = text
                .chars()
                .take(column - 1)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let text = one_line(text);
            write!(
                f,
                "\n {:gutter$} |\n {line} | {text}\n {:gutter$} | {pad}{}",
                "",
                "",
                "^".repeat(*width)
            )?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {}", one_line(hint))?;
        }
        Ok(())
    }
}

/// The most characters of a line an excerpt shows.
pub const EXCERPT: usize = 120;

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The known word closest to `word`, if one is close enough to be a likely typo.
pub fn near_miss<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let limit = (word.chars().count() / 3).max(1) + 1;
    candidates
        .into_iter()
        .filter(|c| *c != word)
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, c)| *d <= limit || c.starts_with(word) || word.starts_with(*c))
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// `did you mean `x`?` for the nearest candidate, else the list of what is accepted.
pub fn suggest<'a, I>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str> + Clone,
{
    if let Some(best) = near_miss(word, candidates.clone()) {
        return Some(format!("did you mean `{best}`?"));
    }
    let all: Vec<String> = candidates.into_iter().map(|c| format!("`{c}`")).collect();
    match all.len() {
        0 => None,
        1..=12 => Some(format!("expected one of {}", all.join(", "))),
        _ => None,
    }
}

/// Turns serde's wording into strata's, and `expected one of` lists into a near-miss hint.
fn rewrite_serde_message(message: &str) -> (String, Option<String>) {
    let backticked = |s: &str| -> Vec<String> {
        s.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    for (prefix, noun) in [("unknown field", "key"), ("unknown variant", "value")] {
        if let Some(rest) = message.strip_prefix(prefix) {
            let words = backticked(rest);
            if let Some((got, expected)) = words.split_first() {
                let hint = suggest(got, expected.iter().map(String::as_str));
                return (format!("unknown {noun} `{got}`"), hint);
            }
        }
    }
    if let Some(rest) = message.strip_prefix("invalid type: ")
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        return (
            format!("expected {}, found {found}", expected.trim_end()),
            None,
        );
    }
    if let Some(rest) = message.strip_prefix("missing field")
        && let Some(field) = backticked(rest).first()
    {
        return (format!("missing required key `{field}`"), None);
    }
    (message.trim_end().to_string(), None)
}

/// Where the rooms that read other teams' repositories report what they skipped or
/// repaired (a folder without a readable pack.json, a tag that names no commit, a broken
/// mirror cloned again). The run installs the sink at its edge: the CLI prints each as a
/// warning as it comes, in order with the rest of stderr; the default discards them.
#[derive(Clone)]
pub struct Warnings(std::sync::Arc<dyn Fn(&Diagnostic) + Send + Sync>);

impl Warnings {
    pub fn new(sink: impl Fn(&Diagnostic) + Send + Sync + 'static) -> Warnings {
        Warnings(std::sync::Arc::new(sink))
    }

    pub fn warn(&self, d: Diagnostic) {
        (self.0)(&d);
    }
}

impl Default for Warnings {
    fn default() -> Warnings {
        Warnings::new(|_| {})
    }
}

impl fmt::Debug for Warnings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Warnings")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_location_excerpt_and_hint() {
        let src = Source::new(
            "profiles/p/profile.toml",
            "[profile]\ncloud = \"aws\"\nipam_cidrr = 1\n",
        );
        let start = src.text.find("ipam").unwrap();
        let d = Diagnostic::at(&src, start..start + 10, "unknown parameter `ipam_cidrr`")
            .with_hint("did you mean `ipam_cidr`?");
        assert_eq!(
            d.to_string(),
            "profiles/p/profile.toml:3:1: unknown parameter `ipam_cidrr`\n   |\n 3 | ipam_cidrr = 1\n   | ^^^^^^^^^^\n  hint: did you mean `ipam_cidr`?"
        );
    }

    #[test]
    fn span_past_end_and_multibyte_do_not_panic() {
        let src = Source::new("f.toml", "a = \"é\"\nb");
        let d = Diagnostic::at(&src, 6..400, "x");
        assert_eq!((d.line, d.column), (Some(1), Some(6)));
        let d = Diagnostic::at(&src, 400..500, "x");
        assert_eq!((d.line, d.column), (Some(2), Some(2)));
    }

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let long = format!("x = \"{}\"\n", "a".repeat(1_000_000));
        let src = Source::new("f.toml", long.as_str());
        let d = Diagnostic::at(&src, 500_000..500_010, "bad value");
        let shown = d.to_string();
        assert!(shown.len() < 600, "{} bytes", shown.len());
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines[0], "f.toml:1:500001: bad value");
        let excerpt = lines[2].trim_start_matches(" 1 | ");
        assert_eq!(excerpt.chars().count(), EXCERPT + 2);
        assert!(excerpt.starts_with('…') && excerpt.ends_with('…'));
        let caret = lines[3].trim_start_matches("   | ");
        assert_eq!(caret.trim_start().len(), 10);
        assert_eq!(caret.len() - 10, EXCERPT / 3 + 1);
        assert_eq!(crate::shown::shorten("abcdef", 3), "abc…");
        assert_eq!(crate::shown::shorten("abc", 3), "abc");
    }

    #[test]
    fn near_misses() {
        let keys = ["replicas", "ipam_cidr", "encapsulation"];
        assert_eq!(near_miss("replcas", keys), Some("replicas"));
        assert_eq!(near_miss("ipam_cidrr", keys), Some("ipam_cidr"));
        assert_eq!(near_miss("zzz", keys), None);
        assert_eq!(
            suggest("zzz", ["a", "b"]),
            Some("expected one of `a`, `b`".to_string())
        );
    }

    #[test]
    fn serde_messages_rewritten() {
        assert_eq!(
            rewrite_serde_message("unknown field `versoin`, expected one of `type`, `version`"),
            (
                "unknown key `versoin`".to_string(),
                Some("did you mean `version`?".to_string())
            )
        );
        assert_eq!(
            rewrite_serde_message("unknown variant `gti`, expected one of `builtin`, `git`, `dir`"),
            (
                "unknown value `gti`".to_string(),
                Some("did you mean `git`?".to_string())
            )
        );
        assert_eq!(
            rewrite_serde_message("missing field `name`"),
            ("missing required key `name`".to_string(), None)
        );
    }
}
