//! Spectro Cloud Palette pack repositories: folders `<path>/<folder>/pack.json` beside
//! `values.yaml` (and `schema.yaml`, `presets.yaml`, `charts/*.tgz`, `manifests/`). A release
//! is the `name` and `version` of its `pack.json`, never its folder's name. In a git source
//! the releases are the folders at the tracked branch (the registry's `ref`, else the
//! remote's default branch), read at one commit.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::ReleaseRef;
use super::{Format, Index, Reader};
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::model::chart::Chart;
use crate::model::pack::{Constraint, LayerType, Pack, Target};
use crate::model::version::{Version, VersionSpec};
use crate::registry::source::join;

pub const MANIFEST: &str = "pack.json";

pub struct Palette {
    /// The branch a git registry follows; `None`: the remote's default branch.
    pub branch: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PackJson {
    name: String,
    #[serde(rename = "displayName", default)]
    display_name: String,
    version: serde_json::Value,
    layer: String,
    #[serde(rename = "cloudTypes", default)]
    cloud_types: Vec<String>,
    #[serde(rename = "addonType", default)]
    addon_type: Option<String>,
    #[serde(default)]
    annotations: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    constraints: Option<Constraints>,
    #[serde(flatten)]
    other: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct Constraints {
    #[serde(default)]
    dependencies: Vec<Dependency>,
}

#[derive(Debug, Deserialize)]
struct Dependency {
    #[serde(rename = "packName")]
    pack_name: String,
    #[serde(default)]
    layer: String,
    #[serde(rename = "minVersion", default)]
    min_version: String,
    #[serde(rename = "maxVersion", default)]
    max_version: String,
    #[serde(rename = "type")]
    ty: Option<String>,
}

/// Palette's layer names.
fn layer_of(s: &str) -> Option<LayerType> {
    Some(match s {
        "os" => LayerType::Os,
        "k8s" => LayerType::Kubernetes,
        "cni" => LayerType::Network,
        "csi" => LayerType::Storage,
        "addon" => LayerType::Addon,
        _ => return None,
    })
}

fn version_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl Palette {
    /// The revision the releases are read at: the tracked branch's commit in a git source,
    /// `None` in a folder source.
    fn head(&self, at: Reader) -> Result<Option<String>> {
        if at.source.tags()?.is_none() {
            return Ok(None);
        }
        let wanted: Vec<&str> = match &self.branch {
            Some(b) => vec![b.as_str()],
            None => vec!["refs/strata/remote-head", "main", "master"],
        };
        for w in &wanted {
            if let Some(rev) = at.source.resolve_ref(w)? {
                return Ok(Some(rev));
            }
        }
        Err(Diagnostic::plain(match &self.branch {
            Some(b) => format!("registry `{}`: there is no branch `{b}`", at.registry),
            None => format!(
                "registry `{}`: the repository has no default branch to read pack folders from",
                at.registry
            ),
        })
        .with_hint("set `ref = \"<branch>\"` on the registry in strata.toml")
        .into())
    }
}

impl Format for Palette {
    fn name(&self) -> &'static str {
        "palette"
    }

    fn index(&self, at: Reader) -> Result<Index> {
        if !at.source.lists_packs() {
            return Ok(Index::new());
        }
        let rev = self.head(at)?;
        let root = at.source.root();
        let mut packs = Index::new();
        for folder in at.source.subdirs(rev.as_deref(), root)? {
            let dir = join(root, &folder);
            let file = join(&dir, MANIFEST);
            let Some(bytes) = at.source.read_file(rev.as_deref(), &file)? else {
                continue;
            };
            let shown = at.source.display(rev.as_deref(), &file);
            let parsed: Option<(String, String)> =
                serde_json::from_slice::<serde_json::Value>(&bytes)
                    .ok()
                    .and_then(|v| {
                        Some((
                            v["name"].as_str()?.to_string(),
                            version_text(&v["version"])?,
                        ))
                    });
            let Some((name, version)) = parsed else {
                at.warnings.warn(Diagnostic::plain(format!(
                    "registry `{}`: `{shown}` has no readable `name` and `version`; that folder is skipped",
                    at.registry
                )));
                continue;
            };
            let Some(v) = Version::parse(&version) else {
                at.warnings.warn(Diagnostic::plain(format!(
                    "registry `{}`: `{shown}` states version `{version}`, which is not a version; that release is skipped",
                    at.registry
                )));
                continue;
            };
            packs.entry(name).or_default().push(ReleaseRef {
                version: v,
                path: dir,
                rev: rev.clone(),
            });
        }
        Ok(packs)
    }

    /// A source that keeps each pack apart (an OCI registry's repository per pack): its
    /// releases are the pack's tags `<pack>-<version>`, each at the folder `<pack>`.
    fn pack_releases(&self, at: Reader, pack: &str) -> Result<Option<Vec<ReleaseRef>>> {
        let Some(tags) = at.source.pack_tags(pack)? else {
            return Ok(None);
        };
        Ok(Some(
            tags.names()
                .iter()
                .filter_map(|tag| {
                    let version = Version::parse(tag.strip_prefix(&format!("{pack}-"))?)?;
                    Some(ReleaseRef {
                        version,
                        path: pack.to_string(),
                        rev: Some(tag.clone()),
                    })
                })
                .collect(),
        ))
    }

    fn release_at(
        &self,
        at: Reader,
        _folder: &str,
        _rev: &str,
        reference: &str,
    ) -> Result<ReleaseRef> {
        Err(Diagnostic::plain(format!(
            "registry `{}` is a palette repository: its releases are the pack folders of one branch, so a layer cannot name `ref = \"{reference}\"`",
            at.registry
        ))
        .with_hint("give a `version` (or set `ref` on the registry to follow another branch)")
        .into())
    }

    fn branch(&self) -> Option<String> {
        Some(match &self.branch {
            Some(b) => format!("branch `{b}`"),
            None => "the default branch".to_string(),
        })
    }

    fn load(&self, at: Reader, pack: &str, release: &ReleaseRef) -> Result<Pack> {
        let super::Release {
            files,
            base,
            manifest,
        } = super::read_release(at, release, MANIFEST)?;
        let mut problems = Vec::new();
        let m = parse_pack_json(&manifest)?;
        let find = |needle: &str| -> std::ops::Range<usize> {
            manifest
                .text
                .find(needle)
                .map_or(0..0, |i| i..i + needle.len())
        };
        if m.name != pack {
            problems.push(Diagnostic::at(
                &manifest,
                find(&format!("\"{}\"", m.name)),
                format!("pack name `{}` is not `{pack}`", m.name),
            ));
        }
        if version_text(&m.version)
            .and_then(|v| Version::parse(&v))
            .as_ref()
            != Some(&release.version)
        {
            problems.push(Diagnostic::at(
                &manifest,
                find("\"version\""),
                format!("pack.json does not state version `{}`", release.version),
            ));
        }
        let layer = match layer_of(&m.layer) {
            Some(l) => l,
            None => {
                problems.push(
                    Diagnostic::at(
                        &manifest,
                        find(&format!("\"{}\"", m.layer)),
                        format!("unknown layer `{}`", m.layer),
                    )
                    .with_hint("Palette layers are os, k8s, cni, csi and addon"),
                );
                LayerType::Addon
            }
        };
        let (requires, conflicts, mut facts) = dependencies(&m, &manifest, &find, &mut problems);
        if let Some(t) = &m.addon_type {
            facts.push(("addonType".to_string(), t.clone()));
        }
        facts.extend(m.annotations.iter().map(|(k, v)| {
            (
                format!("annotation {k}"),
                v.as_str().map_or_else(|| v.to_string(), str::to_string),
            )
        }));
        facts.extend(
            m.other
                .keys()
                .map(|k| ("not used".to_string(), format!("`{k}` of pack.json"))),
        );
        let document = super::values::read(&files, &base, &mut problems);
        if let Some(doc) = &document {
            for n in &doc.notes {
                facts.push(("note".to_string(), n.clone()));
            }
        }
        let charts = document
            .as_ref()
            .map(|d| charts_of(&d.default, pack))
            .unwrap_or_default();
        if !problems.is_empty() {
            return Err(Error::Catalog(problems));
        }
        let clouds = if m.cloud_types.is_empty() {
            vec!["all".to_string()]
        } else {
            m.cloud_types.clone()
        };
        let display = if m.display_name.is_empty() {
            m.name.clone()
        } else {
            m.display_name.clone()
        };
        Ok(Pack {
            layer,
            category: m.addon_type.clone().unwrap_or_else(|| m.layer.clone()),
            display_name: display.clone(),
            description: display,
            clouds,
            requires,
            conflicts,
            charts,
            document,
            facts,
            ..Pack::new(m.name.clone(), release.version.clone(), manifest, files)
        })
    }
}

/// `pack.json`, or the problem at the line and column its parser stopped.
fn parse_pack_json(manifest: &crate::diagnostic::Source) -> Result<PackJson> {
    serde_json::from_str(&manifest.text).map_err(|e| {
        Error::Catalog(vec![Diagnostic::at(
            manifest,
            offset(&manifest.text, e.line(), e.column()),
            format!(
                "invalid pack.json: {}",
                e.to_string()
                    .rsplit_once(" at line ")
                    .map_or(e.to_string(), |(m, _)| m.to_string())
            ),
        )])
    })
}

/// A pack.json's `constraints.dependencies` as strata reads them: `required` (or no type)
/// and `optional` ones as requires, `notSupported` as conflicts; the rest are notes.
fn dependencies(
    m: &PackJson,
    manifest: &crate::diagnostic::Source,
    find: &dyn Fn(&str) -> std::ops::Range<usize>,
    problems: &mut Vec<Diagnostic>,
) -> (Vec<Constraint>, Vec<Constraint>, Vec<(String, String)>) {
    let mut requires = Vec::new();
    let mut conflicts = Vec::new();
    let mut facts = Vec::new();
    for d in m.constraints.iter().flat_map(|c| &c.dependencies) {
        if !d.layer.is_empty() && layer_of(&d.layer).is_none() {
            problems.push(
                Diagnostic::at(
                    manifest,
                    find(&format!("\"{}\"", d.layer)),
                    format!(
                        "dependency on `{}` names unknown layer `{}`",
                        d.pack_name, d.layer
                    ),
                )
                .with_hint("Palette layers are os, k8s, cni, csi and addon"),
            );
            continue;
        }
        let bound = |op: &str, v: &str| {
            if v.trim().is_empty() {
                None
            } else {
                Some(format!("{op}{}", v.trim()))
            }
        };
        let parts: Vec<String> = [bound(">=", &d.min_version), bound("<=", &d.max_version)]
            .into_iter()
            .flatten()
            .collect();
        let text = if parts.is_empty() {
            "*".to_string()
        } else {
            parts.join(", ")
        };
        let spec = match VersionSpec::parse(&text) {
            Ok(s) => s,
            Err(e) => {
                problems.push(Diagnostic::at(
                    manifest,
                    find(&format!("\"{}\"", d.pack_name)),
                    format!("dependency on `{}`: {}", d.pack_name, e.message),
                ));
                continue;
            }
        };
        let c = |optional| Constraint {
            target: Target::Pack(d.pack_name.clone()),
            spec: spec.clone(),
            text: text.clone(),
            optional,
        };
        match d.ty.as_deref() {
            Some("required") | None => requires.push(c(false)),
            Some("optional") => requires.push(c(true)),
            Some("notSupported") => conflicts.push(c(false)),
            Some(other) => facts.push((
                "note".to_string(),
                format!(
                    "dependency on `{}` of type `{other}` is not enforced",
                    d.pack_name
                ),
            )),
        }
        if d.ty.is_none() {
            facts.push((
                "note".to_string(),
                format!(
                    "dependency on `{}` has no `type`; read as required",
                    d.pack_name
                ),
            ));
        }
    }
    (requires, conflicts, facts)
}

/// The charts a Palette pack's values name (`pack.content.charts`, `pack.namespace`).
fn charts_of(values: &yaml_rust2::Yaml, pack: &str) -> Vec<Chart> {
    let namespace = values["pack"]["namespace"]
        .as_str()
        .unwrap_or(pack)
        .to_string();
    values["pack"]["content"]["charts"]
        .as_vec()
        .map(|list| {
            list.iter()
                .filter_map(|c| {
                    Some(Chart {
                        provides_externally: Vec::new(),
                        name: c["name"].as_str()?.to_string(),
                        repo: c["repo"].as_str().unwrap_or_default().to_string(),
                        version: match &c["version"] {
                            yaml_rust2::Yaml::String(s) => s.clone(),
                            yaml_rust2::Yaml::Real(r) => r.clone(),
                            yaml_rust2::Yaml::Integer(i) => i.to_string(),
                            _ => return None,
                        },
                        namespace: namespace.clone(),
                        release: None,
                        values: "values.yaml".to_string(),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The byte offset of a 1-based line and column.
pub fn offset(text: &str, line: usize, column: usize) -> std::ops::Range<usize> {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let at = (start + column.saturating_sub(1)).min(text.len());
    at..at
}
