//! Pull-request review: what a change does to the resolved stacks. Each side (a revision, or
//! the working tree) is read straight from git objects; every profile is taken from its
//! current lock, or resolved in memory when its lock is missing or stale at that side.
//! [`diff`] compares two sides into a model that [`text`] and [`markdown`] print (and JSON
//! serializes as it is).

pub mod clusters;
pub mod diff;
mod markdown;
mod text;

use std::collections::BTreeMap;

use crate::catalog::Catalog;
use crate::check::check_with;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result, problems};
use crate::lock::LockedLayer;
use crate::lock::current::{lock_of, readable_lock};
use crate::lock::plan::locked_layers;
use crate::render::locked::render_locked;
use crate::render::values::Effective;
use crate::resolve::Preferences;

pub use diff::{Diff, diff};

/// One profile as one side sees it.
pub struct State {
    pub layers: Vec<LayerState>,
    /// Set when the side has no current lock and the profile was resolved for the review.
    pub note: Option<String>,
}

pub struct LayerState {
    pub locked: LockedLayer,
    pub values: BTreeMap<String, Effective>,
    pub files: BTreeMap<String, String>,
}

/// Every profile of one side by name; a profile with problems at that side carries them
/// instead.
pub type Side = BTreeMap<String, std::result::Result<State, Vec<Diagnostic>>>;

/// Reads one side.
pub fn side(catalog: &Catalog) -> Result<Side> {
    side_except(catalog, &Default::default())
}

/// What a profile's review reads from the catalog repository: its file, the files it
/// extends and its lock (with `strata.toml`, the same for every profile of a side).
fn inputs_of(
    catalog: &Catalog,
    entry: &crate::catalog::ProfileEntry,
    profile: &crate::model::profile::Profile,
) -> Result<Vec<Vec<u8>>> {
    let mut out = vec![profile.source.text.as_bytes().to_vec()];
    out.extend(
        profile
            .bases
            .iter()
            .map(|(_, s)| s.text.as_bytes().to_vec()),
    );
    out.push(
        catalog
            .files
            .read(&format!("{}/{}", entry.dir, crate::lock::FILE_NAME))
            .ok()
            .flatten()
            .unwrap_or_default(),
    );
    Ok(out)
}

/// The profiles whose inputs are byte for byte the same at both sides (and `strata.toml`
/// too): their review is empty, so neither side resolves or renders them.
pub fn unchanged(base: &Catalog, head: &Catalog) -> Result<std::collections::BTreeSet<String>> {
    let mut same = std::collections::BTreeSet::new();
    // A dir registry's packs are files of the catalog repository too: any of them may have
    // changed, so every profile is read.
    let dir_registry = head
        .config
        .registry
        .iter()
        .any(|r| *r.get_ref().kind.get_ref() == crate::model::config::RegistryKind::Dir);
    if base.config_source.text != head.config_source.text || dir_registry {
        return Ok(same);
    }
    let read = |c: &Catalog| -> Result<BTreeMap<String, Vec<Vec<u8>>>> {
        let mut m = BTreeMap::new();
        for (entry, parsed) in c.load_profiles(&[])? {
            if let Ok(p) = parsed {
                m.insert(p.name.clone(), inputs_of(c, &entry, &p)?);
            }
        }
        Ok(m)
    };
    let (b, h) = (read(base)?, read(head)?);
    for (name, inputs) in &h {
        if b.get(name) == Some(inputs) {
            same.insert(name.clone());
        }
    }
    Ok(same)
}

/// Reads one side, leaving out the profiles in `skip` (unchanged between the sides).
pub fn side_except(catalog: &Catalog, skip: &std::collections::BTreeSet<String>) -> Result<Side> {
    let mut out = BTreeMap::new();
    for (entry, parsed) in catalog.load_profiles(&[])? {
        let profile = match parsed {
            Ok(p) => p,
            Err(d) => {
                out.insert(entry.folder_name.clone(), Err(d));
                continue;
            }
        };
        let name = profile.name.clone();
        if skip.contains(&name) {
            continue;
        }
        let state = match lock_of(catalog, &entry, &profile) {
            Ok(lock) => match render_locked(catalog, &profile, &lock, None, &Default::default()) {
                Ok(rendered) => Ok(State {
                    layers: lock
                        .layers
                        .iter()
                        .zip(rendered)
                        .map(|(l, r)| LayerState {
                            locked: l.clone(),
                            values: r.values,
                            files: r.files,
                        })
                        .collect(),
                    note: None,
                }),
                Err(Error::Catalog(d)) => Err(d),
                Err(e) => return Err(e),
            },
            // No current lock at this side: resolve as `strata lock` would, in memory.
            Err(Error::Catalog(why)) => {
                let old = match problems(readable_lock(catalog, &entry, &name))? {
                    Ok(old) => old,
                    Err(d) => {
                        out.insert(name, Err(d));
                        continue;
                    }
                };
                let prefs = Preferences {
                    lock: old.as_ref(),
                    ..Preferences::default()
                };
                match check_with(catalog, profile, &prefs)? {
                    Ok(checked) => {
                        let locked = locked_layers(&checked);
                        Ok(State {
                            layers: locked
                                .into_iter()
                                .zip(checked.outputs)
                                .map(|(l, o)| LayerState {
                                    locked: l,
                                    values: o.values,
                                    files: o.files,
                                })
                                .collect(),
                            note: Some(format!(
                                "{}; resolved for this review",
                                why.first()
                                    .map_or("no current lock".to_string(), |d| d.message.clone())
                            )),
                        })
                    }
                    Err(d) => Err(d),
                }
            }
            Err(e) => return Err(e),
        };
        out.insert(name, state);
    }
    Ok(out)
}
