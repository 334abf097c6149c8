//! A chart repository's `index.yaml`, read as hostile input (bounded size and entry count,
//! YAML aliases bounded by the one loader) into the few fields strata uses, which the cache
//! keeps as compact JSON so that a warm run does not parse tens of megabytes of YAML again.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

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
/// the YAML itself is broken).
pub fn parse(bytes: &[u8]) -> Result<ChartIndex, String> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| format!("`index.yaml` is not UTF-8 (at byte {})", e.valid_up_to()))?;
    let docs = crate::yaml::load(text).map_err(|(line, msg)| {
        format!("`index.yaml` line {line}: {}", crate::shown::one_line(&msg))
    })?;
    let doc = docs.into_iter().next().ok_or("`index.yaml` is empty")?;
    match doc["apiVersion"].as_str() {
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
    let entries = doc["entries"]
        .as_hash()
        .ok_or("`index.yaml` has no `entries` mapping")?;
    let mut index = ChartIndex::default();
    let mut count = 0usize;
    for (name, list) in entries {
        let (Some(name), Some(list)) = (name.as_str(), list.as_vec()) else {
            index.skipped += 1;
            continue;
        };
        count += list.len();
        if count > MAX_ENTRIES {
            return Err(format!(
                "`index.yaml` lists more than {MAX_ENTRIES} chart releases, the most strata reads"
            ));
        }
        if !crate::model::pack::is_pack_name(name) {
            index.skipped += list.len();
            continue;
        }
        let mut releases = Vec::with_capacity(list.len());
        for e in list {
            match entry(name, e) {
                Some(e) => releases.push(e),
                None => index.skipped += 1,
            }
        }
        if !releases.is_empty() {
            index.charts.insert(name.to_string(), releases);
        }
    }
    Ok(index)
}

/// One entry, when it names this chart, a version and an archive.
fn entry(chart: &str, e: &yaml_rust2::Yaml) -> Option<Entry> {
    if e["name"].as_str().is_some_and(|n| n != chart) {
        return None;
    }
    let version = e["version"].as_str()?;
    Version::parse(version)?;
    let urls: Vec<String> = e["urls"]
        .as_vec()?
        .iter()
        .filter_map(|u| u.as_str().map(str::to_string))
        .collect();
    if urls.is_empty() {
        return None;
    }
    let text = |key: &str| e[key].as_str().map(str::to_string);
    let digest =
        text("digest").map(|d| d.strip_prefix("sha256:").unwrap_or(&d).to_ascii_lowercase());
    Some(Entry {
        version: version.to_string(),
        // A digest that is not a sha256 is no digest: the archive is checked by nothing.
        digest: digest.filter(|d| d.len() == 64 && d.bytes().all(|b| b.is_ascii_hexdigit())),
        urls,
        kube_version: text("kubeVersion"),
        deprecated: e["deprecated"].as_bool().unwrap_or(false),
        description: text("description"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
