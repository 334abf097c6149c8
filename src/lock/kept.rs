//! The locks that are current by their own record: when every profile of the catalog has a
//! lock whose `inputs` digest still matches the files it was computed from (the part of
//! strata.toml its layers use, the profile file, the bases the lock names) and whose
//! releases are still what their registries hold, `lock` and `lock --check` need not parse
//! a single profile. A lock was current for exactly these files when it was written, and a
//! profile is a function of its files: parsing them again would reach the same verdict.
//! Anything else (a lock missing, changed, in an older form, or naming a base that is gone)
//! sends the whole run down the full path, which says what is wrong.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use super::planned::{Plan, Planned};
use super::stale::{config_digest, release_stale};
use crate::catalog::{Catalog, ProfileEntry};
use crate::diagnostic::Source;
use crate::error::{Result, problems};
use crate::lockfile::{FILE_NAME, Lock, inputs};
use crate::model::config;

/// The plan of a run that changes nothing, when every lock is current by its own record;
/// `None` when some lock is not (or cannot be told without parsing its profile).
pub fn all_kept(catalog: &Catalog) -> Result<Option<Plan>> {
    let entries = catalog.profile_entries()?;
    if entries.is_empty() {
        return Ok(None);
    }
    let digests = Digests::default();
    let missed = AtomicBool::new(false);
    let kept = crate::parallel::map(&entries, 8, "a lock reader", |entry| {
        // One lock that is not kept decides the run: the rest is not worth reading.
        if missed.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let k = kept(catalog, entry, &digests);
        if !matches!(k, Ok(Some(_))) {
            missed.store(true, Ordering::Relaxed);
        }
        k
    })?;
    let mut profiles = Vec::with_capacity(kept.len());
    for k in kept {
        match k? {
            Some(p) => profiles.push(p),
            None => return Ok(None),
        }
    }
    Ok(Some(Plan {
        profiles,
        problems: Vec::new(),
        orphans: catalog.orphan_locks()?,
    }))
}

/// Digests many profiles share, computed once per run: each base profile's content digest
/// by file, and the digest of the part of strata.toml each set of registries and packs uses.
#[derive(Default)]
struct Digests {
    bases: Mutex<HashMap<String, Option<String>>>,
    configs: Mutex<HashMap<String, String>>,
}

/// The value of `key` in `map`, made by `make` the first time.
fn cached<V: Clone, E>(
    map: &Mutex<HashMap<String, V>>,
    key: String,
    make: impl FnOnce() -> std::result::Result<V, E>,
) -> std::result::Result<V, E> {
    if let Some(v) = map.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return Ok(v.clone());
    }
    let v = make()?;
    map.lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key, v.clone());
    Ok(v)
}

impl Digests {
    /// A base profile's content digest; `None` when it cannot be read.
    fn base(&self, catalog: &Catalog, file: &str) -> Result<Option<String>> {
        cached(&self.bases, file.to_string(), || {
            Ok(read(catalog, file)?.map(|s| s.content_digest().to_string()))
        })
    }

    /// [`config_digest`] of the layers' registries and packs.
    fn config(&self, catalog: &Catalog, layers: &[crate::lockfile::LockedLayer]) -> String {
        let set = |f: fn(&crate::lockfile::LockedLayer) -> &str| {
            let names: std::collections::BTreeSet<&str> = layers.iter().map(f).collect();
            names.into_iter().collect::<Vec<_>>().join("\n")
        };
        // Names hold no newline or NUL: the two sets cannot run into each other.
        let key = format!("{}\0{}", set(|l| &l.registry), set(|l| &l.pack));
        let Ok(digest) = cached(&self.configs, key, || {
            Ok::<_, std::convert::Infallible>(config_digest(&catalog.config_source, layers))
        });
        digest
    }
}

/// A catalog file as a source; `None` when it is not there or cannot be read as one.
fn read(catalog: &Catalog, file: &str) -> Result<Option<Source>> {
    let Ok(Some(bytes)) = problems(catalog.files.read(file))? else {
        return Ok(None);
    };
    Ok(Source::from_bytes(file, &bytes).ok())
}

/// A profile's lock, planned as kept, when it is current by its own record.
fn kept(catalog: &Catalog, entry: &ProfileEntry, digests: &Digests) -> Result<Option<Planned>> {
    let file = format!("{}/{}", entry.dir, FILE_NAME);
    let Some(source) = read(catalog, &file)? else {
        return Ok(None);
    };
    let Ok(lock) = Lock::parse(&source) else {
        return Ok(None);
    };
    let text: &str = &source.text;
    if lock.render() != text
        || lock
            .layers
            .iter()
            .any(|l| l.values.is_none() || l.rendered.is_none())
    {
        return Ok(None);
    }
    let profile_file = entry.file();
    let Some(profile) = read(catalog, &profile_file)? else {
        return Ok(None);
    };
    // The profile's name, as parsing it would give it: the lock must be this profile's.
    let name = profile
        .table()
        .and_then(|t| t.get("profile")?.get("name")?.as_str())
        .unwrap_or(&entry.folder_name);
    if lock.profile != name {
        return Ok(None);
    }
    let mut files = vec![
        (config::FILE_NAME, digests.config(catalog, &lock.layers)),
        (profile_file.as_str(), profile.content_digest().to_string()),
    ];
    for b in &lock.bases {
        match digests.base(catalog, &b.file)? {
            Some(d) if d == b.digest => files.push((b.file.as_str(), d)),
            _ => return Ok(None),
        }
    }
    if inputs(&files, &lock.layers) != lock.inputs {
        return Ok(None);
    }
    for l in &lock.layers {
        if release_stale(catalog, l)?.is_some() {
            return Ok(None);
        }
    }
    Ok(Some(Planned {
        name: lock.profile.clone(),
        file,
        profile_file,
        old_text: Some(text.to_string()),
        old: None,
        new_text: text.to_string(),
        new: lock,
        corrupt: None,
    }))
}
