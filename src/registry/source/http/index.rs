//! A chart repository's `index.yaml`, read as hostile input (bounded size and entry count,
//! YAML aliases bounded by the one loader) into the few fields strata uses, which the cache
//! keeps as compact JSON so that a warm run does not parse tens of megabytes of YAML again.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use yaml_rust2::parser::{Event, Parser};

use crate::model::version::Version;

/// The most bytes of an `index.yaml` strata reads.
pub const MAX_BYTES: u64 = 96 << 20;

/// The most chart releases an `index.yaml` may list.
pub const MAX_ENTRIES: usize = 250_000;

/// One release of a chart, as the index lists it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Entry {
    /// As spelled in the index.
    pub version: String,
    /// The archive's sha256 (hex), when the index gives one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub digest: Option<String>,
    pub urls: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub kube_version: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub deprecated: bool,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
}

/// The charts of a repository and their releases.
#[derive(Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct ChartIndex {
    pub charts: BTreeMap<String, Vec<Entry>>,
    /// Entries left out (no usable version, name or URL), for one warning.
    #[serde(default)]
    pub skipped: usize,
}

impl ChartIndex {
    /// `<chart>-<version>`: the revision a release is read at, as the helm format names it.
    pub fn tag(chart: &str, version: &str) -> String {
        format!("{chart}-{version}")
    }
}

/// Parses `index.yaml`. The error is a message naming what is wrong (and the line, when
/// the YAML itself is broken). The text is read as a stream of parser events, keeping only
/// the fields strata uses: no tree of the whole document is built, so an index of tens of
/// megabytes costs a few times its size in memory, not dozens.
pub fn parse(bytes: &[u8]) -> Result<ChartIndex, String> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| format!("`index.yaml` is not UTF-8 (at byte {})", e.valid_up_to()))?;
    // No alias is ever expanded here (an alias of a scalar is a lookup, of a collection it
    // is skipped) and skipping counts depth rather than recursing, so this reader needs no
    // separate pass bounding aliases and nesting: its cost is one pass over the text.
    let mut events = Events {
        parser: Parser::new_from_str(text),
        anchors: HashMap::new(),
    };
    let mut api_version = None;
    let mut index = None;
    match events.next()? {
        Event::StreamStart => {}
        _ => return Err("`index.yaml` is empty".to_string()),
    }
    match events.next()? {
        Event::DocumentStart => {}
        _ => return Err("`index.yaml` is empty".to_string()),
    }
    match events.next()? {
        Event::MappingStart(..) => {}
        _ => return Err("`index.yaml` is not a mapping".to_string()),
    }
    while let Some(key) = events.key()? {
        match key.as_str() {
            "apiVersion" => {
                let v = events.next()?;
                api_version = events.scalar(v)?;
            }
            "entries" => index = Some(entries(&mut events)?),
            _ => {
                let v = events.next()?;
                events.skip(v)?;
            }
        }
    }
    match api_version.as_deref() {
        Some("v1") => {}
        Some(other) => {
            return Err(format!(
                "`index.yaml` has apiVersion `{}`; Helm repositories use `v1`",
                crate::shown::shorten(&crate::shown::one_line(other), 40)
            ));
        }
        None => {
            return Err(
                "`index.yaml` has no `apiVersion: v1`: it is not a Helm repository index"
                    .to_string(),
            );
        }
    }
    index.ok_or_else(|| "`index.yaml` has no `entries` mapping".to_string())
}

/// The parser's events, with the scalars that anchors name (for aliases of scalars).
struct Events<'a> {
    parser: Parser<std::str::Chars<'a>>,
    anchors: HashMap<usize, String>,
}

impl Events<'_> {
    fn next(&mut self) -> Result<Event, String> {
        self.parser.next_token().map(|(e, _)| e).map_err(|e| {
            format!(
                "`index.yaml` line {}: {}",
                e.marker().line(),
                crate::shown::one_line(e.info())
            )
        })
    }

    /// The next key of the open mapping, or `None` at its end.
    fn key(&mut self) -> Result<Option<String>, String> {
        loop {
            let e = self.next()?;
            if matches!(e, Event::MappingEnd) {
                return Ok(None);
            }
            match self.scalar(e)? {
                Some(k) => return Ok(Some(k)),
                // A key that is not a scalar: skip its value too.
                None => {
                    let v = self.next()?;
                    self.skip(v)?;
                }
            }
        }
    }

    /// A scalar's text (an alias of a scalar too); anything else is skipped and `None`.
    fn scalar(&mut self, e: Event) -> Result<Option<String>, String> {
        match e {
            Event::Scalar(v, _, anchor, _) => {
                if anchor > 0 {
                    self.anchors.insert(anchor, v.clone());
                }
                Ok(Some(v))
            }
            Event::Alias(id) => Ok(self.anchors.get(&id).cloned()),
            other => self.skip(other).map(|()| None),
        }
    }

    /// Skips the node that starts with `e`.
    fn skip(&mut self, e: Event) -> Result<(), String> {
        let mut depth = match e {
            Event::SequenceStart(..) | Event::MappingStart(..) => 1usize,
            Event::Scalar(v, _, anchor, _) if anchor > 0 => {
                self.anchors.insert(anchor, v);
                0
            }
            _ => 0,
        };
        while depth > 0 {
            match self.next()? {
                Event::SequenceStart(..) | Event::MappingStart(..) => depth += 1,
                Event::SequenceEnd | Event::MappingEnd => depth -= 1,
                Event::StreamEnd => return Err("`index.yaml` ends inside a node".to_string()),
                _ => {}
            }
        }
        Ok(())
    }
}

/// `entries`: each chart's list of releases.
fn entries(events: &mut Events) -> Result<ChartIndex, String> {
    let mut index = ChartIndex::default();
    match events.next()? {
        Event::MappingStart(..) => {}
        other => {
            events.skip(other)?;
            return Err("`index.yaml` has no `entries` mapping".to_string());
        }
    }
    let mut count = 0usize;
    while let Some(name) = events.key()? {
        match events.next()? {
            Event::SequenceStart(..) => {}
            other => {
                events.skip(other)?;
                index.skipped += 1;
                continue;
            }
        }
        let valid = crate::model::pack::is_pack_name(&name);
        let mut releases = Vec::new();
        loop {
            let e = events.next()?;
            if matches!(e, Event::SequenceEnd) {
                break;
            }
            count += 1;
            if count > MAX_ENTRIES {
                return Err(format!(
                    "`index.yaml` lists more than {MAX_ENTRIES} chart releases, the most strata reads"
                ));
            }
            match (valid, e) {
                (true, Event::MappingStart(..)) => match entry(events, &name)? {
                    Some(e) => releases.push(e),
                    None => index.skipped += 1,
                },
                (_, other) => {
                    events.skip(other)?;
                    index.skipped += 1;
                }
            }
        }
        if !releases.is_empty() {
            index.charts.entry(name).or_default().extend(releases);
        }
    }
    Ok(index)
}

/// One entry (its mapping open), when it names this chart, a version and an archive.
fn entry(events: &mut Events, chart: &str) -> Result<Option<Entry>, String> {
    let (mut name, mut version, mut digest, mut kube, mut description) =
        (None, None, None, None, None);
    let mut deprecated = false;
    let mut urls = Vec::new();
    while let Some(key) = events.key()? {
        let v = events.next()?;
        match key.as_str() {
            "name" => name = events.scalar(v)?,
            "version" => version = events.scalar(v)?,
            "digest" => digest = events.scalar(v)?,
            "kubeVersion" => kube = events.scalar(v)?,
            "description" => description = events.scalar(v)?,
            "deprecated" => deprecated = events.scalar(v)?.as_deref() == Some("true"),
            "urls" => match v {
                Event::SequenceStart(..) => loop {
                    let u = events.next()?;
                    if matches!(u, Event::SequenceEnd) {
                        break;
                    }
                    urls.extend(events.scalar(u)?);
                },
                other => events.skip(other)?,
            },
            _ => events.skip(v)?,
        }
    }
    if name.as_deref().is_some_and(|n| n != chart) {
        return Ok(None);
    }
    let Some(version) = version.filter(|v| Version::parse(v).is_some()) else {
        return Ok(None);
    };
    if urls.is_empty() {
        return Ok(None);
    }
    let digest = digest.map(|d| d.strip_prefix("sha256:").unwrap_or(&d).to_ascii_lowercase());
    Ok(Some(Entry {
        version,
        // A digest that is not a sha256 is no digest: the archive is checked by nothing.
        digest: digest.filter(|d| crate::digest::is_sha256_hex(d)),
        urls,
        kube_version: kube,
        deprecated,
        description,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_of_too_many_releases_is_refused() {
        let mut text = String::from("apiVersion: v1\nentries:\n  a:\n");
        for i in 0..=MAX_ENTRIES {
            text.push_str(&format!("  - {{version: 1.0.{i}, urls: [x]}}\n"));
        }
        assert_eq!(
            parse(text.as_bytes()).unwrap_err(),
            "`index.yaml` lists more than 250000 chart releases, the most strata reads"
        );
    }

    #[test]
    fn index_entries_and_what_is_skipped() {
        let text = "apiVersion: v1\nentries:\n  app:\n  - name: app\n    version: 1.2.0\n    digest: ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789\n    urls: [charts/app-1.2.0.tgz]\n    kubeVersion: '>=1.25.0-0'\n    deprecated: true\n  - name: app\n    version: banana\n    urls: [x.tgz]\n  - name: other\n    version: 1.0.0\n    urls: [x.tgz]\n  - name: app\n    version: 1.0.0\n    urls: []\n  Bad_Name:\n  - version: 1.0.0\n    urls: [y.tgz]\ngenerated: '2026-01-01'\n";
        let index = parse(text.as_bytes()).unwrap();
        assert_eq!(index.skipped, 4);
        let app = &index.charts["app"];
        assert_eq!(app.len(), 1);
        assert_eq!(
            app[0].digest.as_deref(),
            Some("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789")
        );
        assert!(app[0].deprecated);
        assert_eq!(app[0].kube_version.as_deref(), Some(">=1.25.0-0"));
        // Aliases are looked up, never expanded: a billion laughs costs nothing.
        let mut laughs = String::from(
            "apiVersion: v1\nentries: {}\nx: &a [lol, lol, lol, lol, lol, lol, lol, lol]\n",
        );
        for (i, n) in ["b", "c", "d", "e", "f", "g", "h", "i", "j"]
            .iter()
            .enumerate()
        {
            let p = ["a", "b", "c", "d", "e", "f", "g", "h", "i"][i];
            laughs.push_str(&format!(
                "{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
            ));
        }
        let started = std::time::Instant::now();
        assert_eq!(parse(laughs.as_bytes()).unwrap().charts.len(), 0);
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        // Deep nesting is skipped without recursion.
        let deep = format!(
            "apiVersion: v1\nentries: {{}}\nx: {}{}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let _ = parse(deep.as_bytes());
        assert_eq!(
            parse(b"entries: {}\n").unwrap_err(),
            "`index.yaml` has no `apiVersion: v1`: it is not a Helm repository index"
        );
        assert_eq!(
            parse(b"apiVersion: v1\nentries: [\n")
                .unwrap_err()
                .split(':')
                .next(),
            Some("`index.yaml` line 3")
        );
    }
}
