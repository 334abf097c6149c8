//! Why a lock no longer describes its profile, in the words `lock --check`, `render` and
//! the other readers of locks use: missing, Windows line endings, a changed base, changed
//! content of a release, or a changed profile or strata.toml.

use crate::catalog::Catalog;
use crate::diagnostic::{Diagnostic, Source};
use crate::error::{Error, Result};
use std::collections::BTreeSet;

use crate::lockfile::{Lock, LockedLayer, inputs, inputs_v2};
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
    /// A layer's recorded signer is no longer trusted by its registry's signers (or the
    /// registry requires signatures and the lock records none): the layer and why.
    Signer(String, String),
}

/// Whether a lock is current: see [`staleness`].
pub fn is_current(catalog: &Catalog, profile: &Profile, lock: &Lock, text: &str) -> Result<bool> {
    Ok(staleness(catalog, profile, lock, text)?.is_none())
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
) -> Result<Option<Stale>> {
    let rendered = lock.render();
    if rendered != text {
        let crlf = text.contains("\r\n") && text.replace("\r\n", "\n") == rendered;
        if !crlf {
            return Ok(Some(Stale::Changed));
        }
        // Judge the rest as if the line endings were right, to say only what is wrong.
        return Ok(Some(
            staleness(catalog, profile, lock, &rendered)?.unwrap_or(Stale::LineEndings),
        ));
    }
    if !inputs_hold(&catalog.config_source, profile, lock)
        || lock.layers.len() != profile.layers.len()
    {
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
        if let Some(stale) = release_stale(catalog, l)? {
            return Ok(Some(stale));
        }
    }
    Ok(None)
}

/// Why a locked release is no longer what its registry holds for this catalog: the
/// registry is gone or is read from elsewhere, its signers no longer trust the recorded
/// signer, or (builtin and dir registries, whose content is on this machine) its content
/// changed. Git and chart repositories are trusted as locked (`verify` reads them again).
pub fn release_stale(catalog: &Catalog, l: &LockedLayer) -> Result<Option<Stale>> {
    let Some(registry) = catalog.registries.get(&l.registry) else {
        return Ok(Some(Stale::Changed));
    };
    if registry.source() != l.source {
        return Ok(Some(Stale::Changed));
    }
    if let Some(signers) = &registry.signers {
        let why = match &l.signer {
            None => Some(format!(
                "it records no signer, and registry `{}` requires releases signed by a key of `{}`",
                l.registry, signers.file
            )),
            Some(signer) => signers
                .distrusts(signer, &crate::trust::signers::today())
                .map(|why| format!("its signer `{signer}` is no longer trusted: {why}")),
        };
        if let Some(why) = why {
            return Ok(Some(Stale::Signer(l.name.clone(), why)));
        }
    }
    if matches!(registry.kind(), RegistryKind::Builtin | RegistryKind::Dir) {
        match registry.pack(&l.pack, &l.release()) {
            Ok(p) => {
                if let Some(mismatch) = crate::lockfile::integrity::check(l, None, Some(&p.digest))
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
    Ok(None)
}

/// Whether a lock's `inputs` matches the files and its own facts (as this strata counts
/// them, or as strata did before `inputs` counted only the part of strata.toml a profile
/// uses: such a lock is not rewritten until it is stale for another reason).
fn inputs_hold(config: &Source, profile: &Profile, lock: &Lock) -> bool {
    if inputs(&files_of(config, profile, &lock.layers), &lock.layers) == lock.inputs {
        return true;
    }
    let mut whole = files_of(config, profile, &[]);
    whole[0].1 = config.content_digest().to_string();
    inputs_v2(&whole, &lock.layers) == lock.inputs
}

/// The catalog files a resolution reads, for `inputs`: the part of strata.toml the locked
/// `layers` use ([`config_digest`]), the profile, and the profiles it extends, each with
/// its content digest.
pub fn files_of<'a>(
    config: &Source,
    profile: &'a Profile,
    layers: &[LockedLayer],
) -> Vec<(&'a str, String)> {
    let mut files = vec![
        (config::FILE_NAME, config_digest(config, layers)),
        (profile.file(), profile.source.content_digest().to_string()),
    ];
    files.extend(
        profile
            .bases
            .iter()
            .map(|(_, s)| (s.name.as_str(), s.content_digest().to_string())),
    );
    files
}

/// The digest of the part of strata.toml a profile's locked layers use: every setting but
/// the registries and pack defaults, the `[[registry]]` entries its layers are locked
/// from, and the `[defaults.<pack>]` of the packs they use (as parsed: keys sorted,
/// comments and layout gone). A registry or pack defaults that no layer of the profile
/// uses leave its lock current.
pub fn config_digest(config: &Source, layers: &[LockedLayer]) -> String {
    let Some(table) = config.table() else {
        return config.content_digest().to_string();
    };
    let registries: BTreeSet<&str> = layers.iter().map(|l| l.registry.as_str()).collect();
    let packs: BTreeSet<&str> = layers.iter().map(|l| l.pack.as_str()).collect();
    let mut used = toml::Table::new();
    for (key, value) in table {
        let value = match (key.as_str(), value) {
            ("registry", toml::Value::Array(all)) => toml::Value::Array(
                all.iter()
                    .filter(|r| {
                        r.get("name")
                            .and_then(toml::Value::as_str)
                            .is_some_and(|n| registries.contains(n))
                    })
                    .cloned()
                    .collect(),
            ),
            ("defaults", toml::Value::Table(all)) => toml::Value::Table(
                all.iter()
                    .filter(|(pack, _)| packs.contains(pack.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            ),
            _ => value.clone(),
        };
        // A section left empty counts as absent: adding the first unused registry or
        // defaults changes nothing either.
        let empty = match &value {
            toml::Value::Array(a) => a.is_empty(),
            toml::Value::Table(t) => t.is_empty(),
            _ => false,
        };
        // Mirrors change where a registry is read from, which its layers' `source` records,
        // and what exports name: neither is an input of a lock.
        if key == "mirror" {
            continue;
        }
        if !empty || !matches!(key.as_str(), "registry" | "defaults") {
            used.insert(key.clone(), value);
        }
    }
    crate::digest::table_digest(&used).unwrap_or_else(|| config.content_digest().to_string())
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
