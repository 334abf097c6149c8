//! strata's own pack format: a `pack.toml` manifest beside `*.j2` templates. In a folder
//! source (builtin, dir) a release is `<pack>/<version>/`; in a git source it is
//! `<path>/<pack>/` at a tag `<pack>/v<version>`, or `<path>/` at `v<version>` in a repository
//! whose `<path>` holds one pack.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::{Format, Index, Reader};
use crate::diagnostic::{Diagnostic, Source};
use crate::error::{Error, Result};
use crate::model::pack::{Constraint, LayerType, Pack, Target, is_pack_name};
use crate::model::param::ParamSpec;
use crate::model::version::{Version, VersionSpec};
use crate::registry::ReleaseRef;
use crate::registry::source::{Tree, join};

pub const MANIFEST: &str = "pack.toml";

pub struct Strata;

impl Format for Strata {
    fn index(&self, at: Reader) -> Result<Index> {
        match at.source.tags()? {
            Some(tags) => index_tags(at, &tags),
            None => index_folders(at),
        }
    }

    fn release_at(
        &self,
        at: Reader,
        folder: &str,
        rev: &str,
        reference: &str,
    ) -> Result<ReleaseRef> {
        let manifest = join(folder, MANIFEST);
        let version = at
            .source
            .read_file(Some(rev), &manifest)?
            .as_deref()
            .and_then(manifest_field(&["pack", "version"]))
            .and_then(|v| Version::parse(&v));
        match version {
            Some(version) => Ok(ReleaseRef {
                version,
                path: folder.to_string(),
                rev: Some(rev.to_string()),
            }),
            None => Err(Diagnostic::plain(format!(
                "registry `{}`: `{manifest}` at `{reference}` is missing or states no valid `[pack] version`",
                at.registry
            ))
            .into()),
        }
    }

    fn load(&self, at: Reader, pack: &str, release: &ReleaseRef) -> Result<Pack> {
        let rev = release.rev.as_deref();
        let Some(mut files) = at.source.read_dir(rev, &release.path)? else {
            let root = at.source.root();
            let (at_rev, hint) = match rev {
                Some(rev) => (
                    format!(" at `{rev}`"),
                    Some(format!(
                        "the registry's `path` is `{}`; packs live at `<path>/<pack>/pack.toml`",
                        if root.is_empty() { "." } else { root }
                    )),
                ),
                None => (String::new(), None),
            };
            return Err(Diagnostic::plain(format!(
                "registry `{}`: `{}` does not exist{at_rev}",
                at.registry, release.path
            ))
            .with_hint_opt(hint)
            .into());
        };
        let manifest_name = at.source.display(rev, &join(&release.path, MANIFEST));
        let Some(bytes) = files.remove(MANIFEST) else {
            return Err(Diagnostic::plain(format!(
                "registry `{}`: release `{}` of pack `{pack}` has no `{MANIFEST}` (looked for `{manifest_name}`)",
                at.registry, release.version
            ))
            .into());
        };
        let source = Source::from_bytes(manifest_name, &bytes)?;
        files.insert(MANIFEST.to_string(), bytes);
        read_manifest(pack, &release.version, source, files).map_err(Error::Catalog)
    }
}

/// Releases from tag names alone: `<pack>/v<version>`, or `v<version>` for a repository
/// whose packs folder is one pack (its name is in the newest release's `pack.toml`).
fn index_tags(at: Reader, tags: &[String]) -> Result<Index> {
    let root = at.source.root();
    let mut packs = Index::new();
    let mut single = Vec::new();
    for tag in tags {
        match tag.rsplit_once('/') {
            Some((pack, v)) => {
                let Some(version) = v.strip_prefix('v').and_then(Version::parse) else {
                    continue;
                };
                if !is_pack_name(pack) {
                    continue;
                }
                packs.entry(pack.to_string()).or_default().push(ReleaseRef {
                    version,
                    path: join(root, pack),
                    rev: Some(tag.clone()),
                });
            }
            None => {
                let Some(version) = tag.strip_prefix('v').and_then(Version::parse) else {
                    continue;
                };
                single.push(ReleaseRef {
                    version,
                    path: root.to_string(),
                    rev: Some(tag.clone()),
                });
            }
        }
    }
    if let Some(newest) = single.iter().max_by(|a, b| a.version.cmp(&b.version)) {
        let rev = newest.rev.as_deref().unwrap_or_default();
        let manifest = join(&newest.path, MANIFEST);
        let Some(bytes) = at.source.read_file(Some(rev), &manifest)? else {
            return Err(Diagnostic::plain(format!(
                "registry `{}`: tag `{rev}` has no `{manifest}`",
                at.registry
            ))
            .into());
        };
        match manifest_field(&["pack", "name"])(&bytes) {
            Some(name) if is_pack_name(&name) => packs.entry(name).or_default().extend(single),
            _ => {
                return Err(Diagnostic::plain(format!(
                    "registry `{}`: `{manifest}` at tag `{rev}` has no valid `[pack] name`",
                    at.registry
                ))
                .into());
            }
        }
    }
    Ok(packs)
}

/// Releases from folders: `<pack>/<version>/`.
fn index_folders(at: Reader) -> Result<Index> {
    let root = at.source.root();
    let mut packs = Index::new();
    for pack in at.source.subdirs(None, root)? {
        if !is_pack_name(&pack) {
            continue;
        }
        let dir = join(root, &pack);
        let releases = at
            .source
            .subdirs(None, &dir)?
            .into_iter()
            .filter_map(|folder| {
                Some(ReleaseRef {
                    version: Version::parse(&folder)?,
                    path: join(&dir, &folder),
                    rev: None,
                })
            })
            .collect();
        packs.insert(pack, releases);
    }
    Ok(packs)
}

/// A string field of a manifest, read leniently (for listing, before the full check).
fn manifest_field(path: &[&'static str]) -> impl Fn(&[u8]) -> Option<String> {
    move |bytes| {
        let table = std::str::from_utf8(bytes)
            .ok()?
            .parse::<toml::Table>()
            .ok()?;
        let (last, parents) = path.split_last()?;
        let mut t = &table;
        for p in parents {
            t = t.get(*p)?.as_table()?;
        }
        t.get(*last)?.as_str().map(str::to_string)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    pack: PackMeta,
    #[serde(default)]
    requires: Vec<Spanned<Requirement>>,
    #[serde(default)]
    conflicts: Vec<Spanned<Conflict>>,
    #[serde(default)]
    params: BTreeMap<Spanned<String>, Spanned<ParamSpec>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PackMeta {
    name: Spanned<String>,
    version: Spanned<String>,
    layer: Spanned<LayerType>,
    #[serde(default)]
    category: String,
    display_name: Option<String>,
    #[serde(default)]
    description: String,
    #[serde(default = "all_clouds")]
    clouds: Spanned<Vec<String>>,
}

fn all_clouds() -> Spanned<Vec<String>> {
    Spanned::new(0..0, vec!["all".to_string()])
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Requirement {
    layer: Option<Spanned<LayerType>>,
    pack: Option<Spanned<String>>,
    #[serde(default = "any_version")]
    version: Spanned<String>,
    #[serde(default)]
    optional: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Conflict {
    pack: Spanned<String>,
    #[serde(default = "any_version")]
    version: Spanned<String>,
}

fn any_version() -> Spanned<String> {
    Spanned::new(0..0, "*".to_string())
}

/// Reads `pack.toml` and checks it against the folder or tag the release was found under.
pub fn read_manifest(
    expected_name: &str,
    expected_version: &Version,
    manifest: Source,
    files: Tree,
) -> Result<Pack, Vec<Diagnostic>> {
    let m: Manifest = manifest.parse().map_err(|d| vec![d])?;
    let mut problems = Vec::new();
    let at = |span, msg: String| Diagnostic::at(&manifest, span, msg);

    let name = m.pack.name.get_ref();
    if name != expected_name {
        problems.push(at(
            m.pack.name.span(),
            format!("pack name `{name}` does not match its folder `{expected_name}`"),
        ));
    }
    match Version::parse(m.pack.version.get_ref()) {
        Some(v) if v == *expected_version && !v.clashes_with(expected_version) => {}
        Some(v) => problems.push(
            at(
                m.pack.version.span(),
                format!(
                    "pack.toml states version `{v}`, but it is the release `{expected_version}`"
                ),
            )
            .with_hint(format!("set `version = \"{expected_version}\"`")),
        ),
        None => problems.push(at(
            m.pack.version.span(),
            format!("invalid version `{}`", m.pack.version.get_ref()),
        )),
    }
    if m.pack.clouds.get_ref().is_empty() {
        problems.push(
            at(m.pack.clouds.span(), "`clouds` is empty".to_string())
                .with_hint("write `clouds = [\"all\"]` for a pack that runs anywhere"),
        );
    }

    let mut requires = Vec::new();
    for r in &m.requires {
        let req = r.get_ref();
        let target = match (&req.layer, &req.pack) {
            (Some(l), None) => Target::Layer(*l.get_ref()),
            (None, Some(p)) => Target::Pack(p.get_ref().clone()),
            _ => {
                problems.push(
                    at(
                        r.span(),
                        "a `requires` entry names either `layer` or `pack`".into(),
                    )
                    .with_hint("write `layer = \"kubernetes\"` or `pack = \"cert-manager\"`"),
                );
                continue;
            }
        };
        match constraint_spec(&manifest, &req.version) {
            Ok(spec) => requires.push(Constraint {
                target,
                spec,
                text: req.version.get_ref().clone(),
                optional: req.optional,
            }),
            Err(d) => problems.push(d),
        }
    }
    let mut conflicts = Vec::new();
    for c in &m.conflicts {
        let c = c.get_ref();
        match constraint_spec(&manifest, &c.version) {
            Ok(spec) => conflicts.push(Constraint {
                target: Target::Pack(c.pack.get_ref().clone()),
                spec,
                text: c.version.get_ref().clone(),
                optional: false,
            }),
            Err(d) => problems.push(d),
        }
    }

    let mut params = BTreeMap::new();
    for (key, spec) in m.params {
        if !is_param_name(key.get_ref()) {
            problems.push(at(
                key.span(),
                format!("invalid parameter name `{}`", key.get_ref()),
            ).with_hint("use letters, digits and `_`, starting with a letter (templates read it as `params.<name>`)"));
        }
        problems.extend(spec.get_ref().check(&manifest, key.get_ref()));
        params.insert(key.into_inner(), spec.into_inner());
    }
    problems.extend(crate::model::pack::template_name_problems(
        &manifest, &files,
    ));

    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Pack {
        name: name.clone(),
        version: expected_version.clone(),
        layer: *m.pack.layer.get_ref(),
        display_name: m.pack.display_name.unwrap_or_else(|| name.clone()),
        category: m.pack.category,
        description: m.pack.description,
        clouds: m.pack.clouds.into_inner(),
        requires,
        conflicts,
        params,
        manifest,
        digest: crate::digest::h1(&files),
        files,
        compiled: std::sync::OnceLock::new(),
    })
}

fn constraint_spec(
    manifest: &Source,
    version: &Spanned<String>,
) -> Result<VersionSpec, Diagnostic> {
    VersionSpec::parse(version.get_ref())
        .map_err(|e| Diagnostic::at(manifest, version.span(), e.message).with_hint(e.hint))
}

/// Parameter names are identifiers so templates can write `params.name`.
fn is_param_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
