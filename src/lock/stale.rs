//! Why a lock no longer describes its profile, in the words `lock --check`, `render` and
//! the other readers of locks use: missing, Windows line endings, a changed base, changed
//! content of a release, or a changed profile or strata.toml.

use crate::catalog::Catalog;
use crate::diagnostic::{Diagnostic, Source};
use crate::error::{Error, Result};
use crate::lockfile::{Lock, LockedLayer, inputs};
use crate::model::config::{self, RegistryKind};
use crate::profile::{Profile, Request};

/// Why a lock is not current.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stale {
    /// The text has CRLF line endings (git converted it); otherwise it would be current.
    LineEndings,
    /// A locked release of a builtin or dir registry no longer hashes to its digest.
    Content {
        layer: Box<LockedLayer>,
        mismatch: crate::lockfile::integrity::Mismatch,
    },
    /// The profile, `strata.toml` or the lock itself changed.
    Changed,
    /// A profile this one extends changed (its file).
    Base(String),
}

/// Whether a lock is current: see [`staleness`].
pub fn is_current(
    catalog: &Catalog,
    profile: &Profile,
    lock: &Lock,
    text: &str,
    files: &[(&str, &str)],
) -> Result<bool> {
    Ok(staleness(catalog, profile, lock, text, files)?.is_none())
}

/// A lock is current when it is in canonical form, its `inputs` match the files and its
/// own facts, it has the profile's layers, every locked release still satisfies its layer,
/// and (for builtin and dir registries, whose content is on this machine) every digest
/// still holds. Git releases are trusted here; `verify` fetches and checks them.
pub fn staleness(
    catalog: &Catalog,
    profile: &Profile,
    lock: &Lock,
    text: &str,
    files: &[(&str, &str)],
) -> Result<Option<Stale>> {
    let rendered = lock.render();
    if rendered != text {
        let crlf = text.contains("\r\n") && text.replace("\r\n", "\n") == rendered;
        if !crlf {
            return Ok(Some(Stale::Changed));
        }
        // Judge the rest as if the line endings were right, to say only what is wrong.
        return Ok(Some(
            staleness(catalog, profile, lock, &rendered, files)?.unwrap_or(Stale::LineEndings),
        ));
    }
    if inputs(files, &lock.layers) != lock.inputs || lock.layers.len() != profile.layers.len() {
        let now = Lock {
            bases: bases_of(profile),
            ..lock.clone()
        };
        return Ok(Some(match lock.changed_bases(&now).into_iter().next() {
            Some(file) => Stale::Base(file),
            None => Stale::Changed,
        }));
    }
    for (l, layer) in lock.layers.iter().zip(&profile.layers) {
        if l.values.is_none()
            || l.rendered.is_none()
            || l.name != layer.name
            || l.ty != layer.ty
            || l.pack != *layer.pack.get_ref()
            || l.requested != *layer.requested.get_ref()
            || layer
                .registry
                .as_ref()
                .is_some_and(|r| *r.get_ref() != l.registry)
        {
            return Ok(Some(Stale::Changed));
        }
        if let Request::Version(spec) = &layer.request
            && !spec.admits(&l.version)
        {
            return Ok(Some(Stale::Changed));
        }
        let Some(registry) = catalog.registries.get(&l.registry) else {
            return Ok(Some(Stale::Changed));
        };
        if registry.source() != l.source {
            return Ok(Some(Stale::Changed));
        }
        if registry.kind() != RegistryKind::Git {
            match registry.pack(&l.pack, &l.release()) {
                Ok(p) => {
                    if let Some(mismatch) =
                        crate::lockfile::integrity::check(l, None, Some(&p.digest))
                    {
                        return Ok(Some(Stale::Content {
                            layer: Box::new(l.clone()),
                            mismatch,
                        }));
                    }
                }
                Err(Error::Catalog(_)) => return Ok(Some(Stale::Changed)),
                Err(e) => return Err(e),
            }
        }
    }
    Ok(None)
}

/// The catalog files a resolution reads, for `inputs`: strata.toml, the profile, and the
/// profiles it extends.
/// Each comes with its content digest, computed once per file and run.
pub fn files_of<'a>(config: &'a Source, profile: &'a Profile) -> Vec<(&'a str, &'a str)> {
    let mut files = vec![
        (config::FILE_NAME, config.content_digest()),
        (profile.file(), profile.source.content_digest()),
    ];
    files.extend(
        profile
            .bases
            .iter()
            .map(|(_, s)| (s.name.as_str(), s.content_digest())),
    );
    files
}

/// The lock's record of the profile's bases.
pub fn bases_of(profile: &Profile) -> Vec<crate::lockfile::BaseFile> {
    profile
        .bases
        .iter()
        .map(|(_, s)| crate::lockfile::BaseFile {
            file: s.name.clone(),
            digest: s.content_digest().to_string(),
        })
        .collect()
}

/// A lock file whose profile is gone (it is reported, never deleted).
pub fn orphan(file: &str) -> Diagnostic {
    Diagnostic::file(
        file,
        "lock file without a profile.toml beside it (the profile was removed or renamed)",
    )
    .with_hint(format!("delete it: `git rm {file}`"))
}
