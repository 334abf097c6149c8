//! One side of a review (a revision, or the working tree): every profile taken from its
//! current lock, or resolved in memory when its lock is missing or stale at that side.

use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::Catalog;
use crate::check::check_with;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result, problems};
use crate::lock::current::{lock_of, readable_lock};
use crate::lock::plan::locked_layers;
use crate::lock::render::render_locked;
use crate::lockfile::LockedLayer;
use crate::render::effective::Effective;
use crate::resolve::Preferences;

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

/// The profiles of one side, as loaded.
type Loaded = Vec<crate::catalog::LoadedProfile>;

/// Reads both sides of a review (`base` absent: an empty catalog), and how many profiles
/// are the same at both. Each side's profiles are loaded once; a profile whose inputs are
/// byte for byte the same at both sides (see [`unchanged`]) is neither resolved nor
/// rendered at either. (`super::quick::sides` reads less when it can.)
pub fn all_sides(base: Option<&Catalog>, head: &Catalog) -> Result<(Side, Side, usize)> {
    let head_loaded = head.load_profiles_beside(None)?;
    let Some(base) = base else {
        return Ok((
            Side::new(),
            side_of(head, &head_loaded, &BTreeSet::new())?,
            0,
        ));
    };
    let base_loaded = base.load_profiles_beside(Some(head))?;
    let same = unchanged(base, &base_loaded, head, &head_loaded)?;
    Ok((
        side_of(base, &base_loaded, &same)?,
        side_of(head, &head_loaded, &same)?,
        same.len(),
    ))
}

/// What a profile's review reads from the catalog repository: its file, the files it
/// extends and its lock's blob id (with `strata.toml`, the same for every profile of a
/// side); `None` when the lock is there but not a regular file, so that the review reports
/// why.
fn inputs_of(
    catalog: &Catalog,
    entry: &crate::catalog::ProfileEntry,
    profile: &crate::profile::Profile,
) -> Option<(Vec<Vec<u8>>, Option<git2::Oid>)> {
    let mut out = vec![profile.source.text.as_bytes().to_vec()];
    out.extend(
        profile
            .bases
            .iter()
            .map(|(_, s)| s.text.as_bytes().to_vec()),
    );
    let lock = catalog
        .files
        .blob_id(&format!("{}/{}", entry.dir, crate::lockfile::FILE_NAME))
        .ok()?;
    Some((out, lock))
}

/// Whether a profile's review at two sides is decided by the profile's own files (and the
/// files it extends, and its lock): `strata.toml` is the same at both, and no registry is a
/// dir registry (whose packs are files of the catalog repository too: any may have
/// changed).
pub(super) fn own_files_decide(base: &Catalog, head: &Catalog) -> bool {
    base.config_source.text == head.config_source.text
        && !head
            .config
            .registry
            .iter()
            .any(|r| *r.get_ref().kind.get_ref() == crate::model::config::RegistryKind::Dir)
}

/// The profiles whose inputs are byte for byte the same at both sides (and `strata.toml`
/// too): their review is empty.
fn unchanged(
    base: &Catalog,
    base_loaded: &Loaded,
    head: &Catalog,
    head_loaded: &Loaded,
) -> Result<BTreeSet<String>> {
    if !own_files_decide(base, head) {
        return Ok(BTreeSet::new());
    }
    type Inputs = (Vec<Vec<u8>>, Option<git2::Oid>);
    let inputs = |c: &Catalog, loaded: &Loaded| -> BTreeMap<String, Inputs> {
        loaded
            .iter()
            .filter_map(|(entry, parsed)| {
                let p = parsed.as_ref().ok()?;
                Some((p.name.clone(), inputs_of(c, entry, p)?))
            })
            .collect()
    };
    let b = inputs(base, base_loaded);
    Ok(inputs(head, head_loaded)
        .into_iter()
        .filter(|(name, i)| b.get(name) == Some(i))
        .map(|(name, _)| name)
        .collect())
}

/// One side's states, leaving out the profiles in `skip`, on every core.
fn side_of(catalog: &Catalog, loaded: &Loaded, skip: &BTreeSet<String>) -> Result<Side> {
    let states = crate::parallel::map(loaded, 8, "a review", |(entry, parsed)| {
        let profile = match parsed {
            Ok(p) if skip.contains(&p.name) => return Ok::<_, Error>(None),
            Ok(p) => p.clone(),
            Err(d) => return Ok(Some((entry.folder_name.clone(), Err(d.clone())))),
        };
        let name = profile.name.clone();
        Ok(Some((name, state_of(catalog, entry, profile)?)))
    })?;
    let mut out = Side::new();
    for state in states {
        if let Some((name, state)) = state? {
            out.insert(name, state);
        }
    }
    Ok(out)
}

/// One profile's state at one side, reading only it and its bases (see
/// [`Catalog::load_by_folder`]); `None` when the side keeps it elsewhere or it has
/// problems there (a whole review, [`sides`], says what).
pub fn one_profile(catalog: &Catalog, name: &str) -> Result<Option<State>> {
    let Some((entry, profile)) = catalog.load_by_folder(name)? else {
        return Ok(None);
    };
    Ok(state_of(catalog, &entry, profile)?.ok())
}

/// One profile's state at one side: from its lock, or resolved as `strata lock` would.
pub(super) fn state_of(
    catalog: &Catalog,
    entry: &crate::catalog::ProfileEntry,
    profile: crate::profile::Profile,
) -> Result<std::result::Result<State, Vec<Diagnostic>>> {
    let name = profile.name.clone();
    Ok(match lock_of(catalog, entry, &profile) {
        Ok(lock) => match render_locked(catalog, &profile, &lock, None, &Default::default()) {
            Ok(rendered) => Ok(State {
                layers: lock
                    .layers
                    .iter()
                    .zip(rendered)
                    .map(|(l, r)| LayerState {
                        locked: l.clone(),
                        files: r.shown_files(),
                        values: r.values,
                    })
                    .collect(),
                note: None,
            }),
            Err(Error::Catalog(d)) => Err(d),
            Err(e) => return Err(e),
        },
        // No current lock at this side: resolve as `strata lock` would, in memory.
        Err(Error::Catalog(why)) => {
            let old = match problems(readable_lock(catalog, entry, &name))? {
                Ok(old) => old,
                Err(d) => return Ok(Err(d)),
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
    })
}
