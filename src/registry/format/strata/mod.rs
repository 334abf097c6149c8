//! strata's own pack format: a `pack.toml` manifest beside `*.j2` templates. In a folder
//! source (builtin, dir) a release is `<pack>/<version>/`; in a git source it is
//! `<path>/<pack>/` at a tag `<pack>/v<version>`, or `<path>/` at `v<version>` in a repository
//! whose `<path>` holds one pack.

pub(crate) mod manifest;

use super::ReleaseRef;
use super::{Format, Index, Reader};
use crate::diagnostic::{Diagnostic, Source};
use crate::error::{Error, Result};
use crate::model::pack::{Pack, is_pack_name};
use crate::model::version::Version;
use crate::registry::source::join;

pub use manifest::read_manifest;

pub const MANIFEST: &str = "pack.toml";

pub struct Strata;

impl Format for Strata {
    fn name(&self) -> &'static str {
        "strata"
    }

    fn index(&self, at: Reader) -> Result<Index> {
        match at.source.tags()? {
            Some(tags) => index_tags(at, tags.names()),
            None => index_folders(at),
        }
    }

    fn pack_releases(&self, at: Reader, pack: &str) -> Result<Option<Vec<ReleaseRef>>> {
        let Some(tags) = at.source.tags()? else {
            return Ok(None);
        };
        // A tag `v1.2.0` is a release of the registry's one pack, named in its manifest: that
        // takes the whole index.
        if !is_pack_name(pack) || tags.any_bare() {
            return Ok(None);
        }
        let path = join(at.source.root(), pack);
        let prefix = format!("{pack}/v");
        Ok(Some(
            tags.with_prefix(&prefix)
                .iter()
                .filter_map(|tag| {
                    let v = tag.strip_prefix(&prefix)?;
                    Some(ReleaseRef {
                        version: Version::parse(v)?,
                        path: path.clone(),
                        rev: Some(tag.clone()),
                    })
                })
                .collect(),
        ))
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
            "`[pack] version`",
            &manifest_field(&["pack", "version"]),
        )
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
