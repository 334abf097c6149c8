//! Helm chart repositories kept in git in the chart-releaser layout: `<path>/<chart>/Chart.yaml`
//! beside `values.yaml` (and `values.schema.json`), released as tags `<chart>-<version>`.
//! In a folder source, each `<chart>/` folder is one release (its `Chart.yaml` version).
//! The chart is what the layer installs; its `values.yaml` is the default document.

use super::ReleaseRef;
use super::{Format, Index, Reader};
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::model::chart::Chart;
use crate::model::pack::{Constraint, LayerType, Pack, Target, is_pack_name};
use crate::model::version::{Version, VersionSpec};
use crate::registry::source::join;

pub const MANIFEST: &str = "Chart.yaml";

pub struct Helm {
    /// Where the charts are published (`chart_repo`), for the chart entry; else the git
    /// source and path.
    pub chart_repo: Option<String>,
}

/// `<chart>-<version>`: the first `-` followed by a version whose core has a `.`
/// (`argo-cd-7.1.0` is `argo-cd` 7.1.0, `app-2-1.0.0` is `app-2` 1.0.0).
pub fn split_tag(tag: &str) -> Option<(&str, Version)> {
    tag.match_indices('-').find_map(|(i, _)| {
        let (name, rest) = (&tag[..i], &tag[i + 1..]);
        let digits = rest.strip_prefix('v').unwrap_or(rest);
        let core = digits.split(['-', '+']).next().unwrap_or("");
        if !digits.starts_with(|c: char| c.is_ascii_digit()) || !core.contains('.') {
            return None;
        }
        if !is_pack_name(name) {
            return None;
        }
        Some((name, Version::parse(rest)?))
    })
}

/// The releases of chart `name` at `tags` (each with its version), each at the folder
/// that holds it. A chart's tags are named after its `Chart.yaml` `name`, which need not be
/// its folder's: when `<path>/<name>/` is not the chart at its newest tag, the folder is
/// found at each tag by the `name` its `Chart.yaml` states, and a tag whose chart is found
/// nowhere is skipped with a warning.
fn chart_releases(
    at: &Reader,
    name: &str,
    tags: Vec<(String, Version)>,
) -> Result<Vec<ReleaseRef>> {
    let root = at.source.root();
    let guess = join(root, name);
    let newest = tags
        .iter()
        .max_by(|a, b| a.1.cmp(&b.1))
        .map(|(t, _)| t.as_str());
    let fits = |rev: &str, dir: &str| -> Result<bool> {
        Ok(at
            .source
            .read_file(Some(rev), &join(dir, MANIFEST))?
            .is_some_and(|b| chart_name(&b).as_deref() == Some(name)))
    };
    if let Some(newest) = newest
        && fits(newest, &guess)?
    {
        return Ok(tags
            .into_iter()
            .map(|(tag, version)| ReleaseRef {
                version,
                path: guess.clone(),
                rev: Some(tag),
            })
            .collect());
    }
    let mut out = Vec::new();
    for (tag, version) in tags {
        let mut folders = at.source.subdirs(Some(&tag), root)?;
        // Folders that end with the chart's name first (`prometheus-<name>`).
        folders.sort_by_key(|f| !f.ends_with(name));
        let mut found = None;
        for f in folders {
            let dir = join(root, &f);
            if fits(&tag, &dir)? {
                found = Some(dir);
                break;
            }
        }
        match found {
            Some(path) => out.push(ReleaseRef {
                version,
                path,
                rev: Some(tag),
            }),
            None => at.warnings.warn(Diagnostic::plain(format!(
                "registry `{}`: tag `{tag}` names chart `{name}`, and no `{MANIFEST}` under `{}` at that tag has that name; the tag is skipped",
                at.registry,
                if root.is_empty() { "." } else { root }
            ))),
        }
    }
    Ok(out)
}

/// The `name` a `Chart.yaml` states.
fn chart_name(bytes: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?;
    let doc = crate::yaml::load(text).ok()?.into_iter().next()?;
    doc["name"].as_str().map(str::to_string)
}

impl Format for Helm {
    fn name(&self) -> &'static str {
        "helm"
    }

    fn index(&self, at: Reader) -> Result<Index> {
        let root = at.source.root();
        let mut packs = Index::new();
        match at.source.tags()? {
            Some(tags) => {
                let mut by_chart: std::collections::BTreeMap<&str, Vec<(String, Version)>> =
                    std::collections::BTreeMap::new();
                for tag in tags.names() {
                    let Some((name, version)) = split_tag(tag) else {
                        continue;
                    };
                    by_chart
                        .entry(name)
                        .or_default()
                        .push((tag.clone(), version));
                }
                for (name, tags) in by_chart {
                    let releases = chart_releases(&at, name, tags)?;
                    if !releases.is_empty() {
                        packs.insert(name.to_string(), releases);
                    }
                }
            }
            None => {
                for chart in at.source.subdirs(None, root)? {
                    let dir = join(root, &chart);
                    let Some(bytes) = at.source.read_file(None, &join(&dir, MANIFEST))? else {
                        continue;
                    };
                    let version = std::str::from_utf8(&bytes)
                        .ok()
                        .and_then(|t| crate::yaml::load(t).ok())
                        .and_then(|d| d.into_iter().next())
                        .and_then(|d| d["version"].as_str().and_then(Version::parse));
                    if let Some(version) = version {
                        packs.entry(chart).or_default().push(ReleaseRef {
                            version,
                            path: dir,
                            rev: None,
                        });
                    }
                }
            }
        }
        Ok(packs)
    }

    fn pack_releases(&self, at: Reader, pack: &str) -> Result<Option<Vec<ReleaseRef>>> {
        let tags = match at.source.pack_tags(pack)? {
            Some(tags) => tags,
            None => match at.source.tags()? {
                Some(tags) => tags,
                None => return Ok(None),
            },
        };
        let prefix = format!("{pack}-");
        let tags: Vec<(String, Version)> = tags
            .with_prefix(&prefix)
            .iter()
            .filter_map(|tag| match split_tag(tag) {
                Some((name, version)) if name == pack => Some((tag.clone(), version)),
                _ => None,
            })
            .collect();
        chart_releases(&at, pack, tags).map(Some)
    }

    fn release_at(
        &self,
        at: Reader,
        folder: &str,
        rev: &str,
        reference: &str,
    ) -> Result<ReleaseRef> {
        super::tagged_release(
            at,
            folder,
            rev,
            reference,
            MANIFEST,
            "`version`",
            &|bytes| {
                let text = std::str::from_utf8(bytes).ok()?;
                let doc = crate::yaml::load(text).ok()?.into_iter().next()?;
                doc["version"].as_str().map(str::to_string)
            },
        )
    }

    fn load(&self, at: Reader, pack: &str, release: &ReleaseRef) -> Result<Pack> {
        let super::Release {
            files,
            base,
            manifest,
        } = super::read_release(at, release, MANIFEST)?;
        let chart = crate::yaml::parse(&manifest.text).map_err(|(line, msg)| {
            Error::Catalog(vec![super::values::yaml_error(&manifest, line, msg)])
        })?;
        let line_of = |key: &str| {
            manifest
                .text
                .lines()
                .position(|l| l.starts_with(&format!("{key}:")))
                .map_or(1, |i| i + 1)
        };
        let at_key = |key: &str, msg: String| Diagnostic::at_line(&manifest, line_of(key), msg);
        let mut problems = Vec::new();
        let name = chart["name"].as_str().unwrap_or_default().to_string();
        if name != pack {
            problems.push(at_key(
                "name",
                format!("chart name `{name}` is not `{pack}`"),
            ));
        }
        match chart["version"].as_str().map(|v| (v, Version::parse(v))) {
            Some((_, Some(v))) if v == release.version => {}
            Some((text, _)) => problems.push(
                at_key(
                    "version",
                    format!(
                        "Chart.yaml states version `{text}`, but it is the release `{}`",
                        release.version
                    ),
                )
                .with_hint("a tag `<chart>-<version>` must hold that version of the chart"),
            ),
            None => problems.push(at_key("version", "Chart.yaml has no `version`".to_string())),
        }
        let mut requires = Vec::new();
        if let Some(kv) = chart["kubeVersion"].as_str() {
            match kube_requirement(kv) {
                Ok((spec, text)) => requires.push(Constraint {
                    target: Target::Layer(LayerType::Kubernetes),
                    spec,
                    text,
                    optional: true,
                }),
                Err(why) => {
                    problems.push(at_key("kubeVersion", format!("kubeVersion `{kv}`: {why}")))
                }
            }
        }
        let facts = facts(&at, &chart, &name, release);
        let document = super::values::read(&files, &base, &mut problems);
        if !problems.is_empty() {
            return Err(Error::Catalog(problems));
        }
        let repo = self
            .chart_repo
            .clone()
            .unwrap_or_else(|| format!("{}#{}", at.source.location(), release.path));
        let description = chart["description"].as_str().unwrap_or(&name).to_string();
        Ok(Pack {
            charts: vec![Chart {
                provides_externally: Vec::new(),
                name: name.clone(),
                repo,
                version: release.version.to_string(),
                namespace: name.clone(),
                release: None,
                values: "values.yaml".to_string(),
            }],
            any_layer: true,
            category: "chart".to_string(),
            display_name: pack.to_string(),
            description,
            requires,
            document,
            facts,
            ..Pack::new(name, release.version.clone(), manifest, files)
        })
    }
}

/// What `pack show` tells of a chart besides its values: deprecation (also a warning),
/// `appVersion`, `type`, `kubeVersion` and each dependency.
fn facts(
    at: &Reader,
    chart: &yaml_rust2::Yaml,
    name: &str,
    release: &ReleaseRef,
) -> Vec<(String, String)> {
    let mut facts = Vec::new();
    if chart["deprecated"].as_bool() == Some(true) {
        facts.push((
            "deprecated".to_string(),
            "yes: its maintainers no longer support it".to_string(),
        ));
        at.warnings.warn(Diagnostic::plain(format!(
            "registry `{}`: chart `{name}` {} is deprecated (`deprecated: true` in its Chart.yaml)",
            at.registry, release.version
        )));
    }
    for key in ["appVersion", "type", "kubeVersion"] {
        if let Some(v) = chart[key].as_str() {
            facts.push((key.to_string(), v.to_string()));
        }
    }
    if let Some(deps) = chart["dependencies"].as_vec() {
        for d in deps {
            let mut line = format!(
                "{} {} from {}",
                d["name"].as_str().unwrap_or("?"),
                d["version"].as_str().unwrap_or("*"),
                d["repository"].as_str().unwrap_or("(this chart)")
            );
            if let Some(c) = d["condition"].as_str() {
                line.push_str(&format!(" (when {c})"));
            }
            facts.push(("dependency".to_string(), line));
        }
    }
    facts
}

/// Helm's `kubeVersion` as a requirement on the kubernetes layer. A `-0` suffix admits the
/// bound's pre-releases, which strata's ranges do already (a pre-release counts as the
/// release it precedes).
fn kube_requirement(text: &str) -> std::result::Result<(VersionSpec, String), String> {
    if text.contains("||") {
        return Err("alternatives (`||`) are not supported".to_string());
    }
    let parts: Vec<String> = text
        .split([',', ' '])
        .filter(|p| !p.trim().is_empty())
        .map(|p| p.trim().trim_end_matches("-0").to_string())
        .collect();
    // `>= 1.25` written with a space: join an operator with its version.
    let mut joined: Vec<String> = Vec::new();
    for p in parts {
        match joined.last_mut() {
            Some(last) if matches!(last.as_str(), ">=" | "<=" | ">" | "<" | "=" | "~" | "^") => {
                last.push_str(&p)
            }
            _ => joined.push(p),
        }
    }
    let spec_text = joined.join(", ");
    VersionSpec::parse(&spec_text)
        .map(|s| (s, spec_text.clone()))
        .map_err(|e| e.message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_kube_versions() {
        let t = |s: &str| split_tag(s).map(|(n, v)| format!("{n} {v}"));
        assert_eq!(t("argo-cd-7.1.0").as_deref(), Some("argo-cd 7.1.0"));
        assert_eq!(t("app-2-1.0.0").as_deref(), Some("app-2 1.0.0"));
        assert_eq!(t("foo-1.0.0-rc.1").as_deref(), Some("foo 1.0.0-rc.1"));
        assert_eq!(t("foo-v2.0.0").as_deref(), Some("foo 2.0.0"));
        assert_eq!(t("foo"), None);
        assert_eq!(t("release-candidate"), None);
        let k = |s: &str| kube_requirement(s).map(|(_, t)| t);
        assert_eq!(k(">=1.25.0-0").as_deref(), Ok(">=1.25.0"));
        assert_eq!(
            k(">= 1.25.0-0, < 1.33.0-0").as_deref(),
            Ok(">=1.25.0, <1.33.0")
        );
        assert!(k(">=1.25 || <1.20").is_err());
        assert!(k(">=banana").is_err());
    }
}
