//! Validating a catalog (`strata validate`): `[defaults]` of strata.toml, every profile
//! checked with the releases its lock would keep (on every core, reported in catalog
//! order), and, when no profile is named, every cluster as of the releases it pins. A
//! problem outside a profile's own file (a bad default, a broken pack release) is reported
//! once, however many profiles meet it.

use std::collections::BTreeSet;

use crate::catalog::{Catalog, ProfileEntry};
use crate::check::{Checked, check_defaults, check_with};
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result, problems};
use crate::lock::current::readable_lock;
use crate::registry::Settings;
use crate::resolve::Preferences;

/// What validating a catalog found.
pub struct Validation<'c> {
    /// Problems of `[defaults]` in strata.toml.
    pub defaults: Vec<Diagnostic>,
    /// Each profile checked, in catalog order: its checked stack, or its problems.
    pub profiles: Vec<(
        ProfileEntry,
        std::result::Result<Checked<'c>, Vec<Diagnostic>>,
    )>,
    /// The clusters, when every profile was asked for and the catalog has clusters.
    pub clusters: Option<crate::cluster::Checks>,
    /// A registry that could not be read: the profiles that read it are left out, and the
    /// run fails with this once the rest is reported.
    pub unreadable: Option<Error>,
}

/// Validates the named profiles (all, and then every cluster, when none is named; `env`
/// gives clusters' variables from the environment).
pub fn validate<'c>(
    catalog: &'c Catalog,
    settings: &Settings,
    names: &[String],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Validation<'c>> {
    let loaded = catalog.load_profiles(names)?;
    let mut validation = Validation {
        defaults: check_defaults(catalog)?,
        profiles: Vec::new(),
        clusters: None,
        unreadable: None,
    };
    // Profiles are independent: checked on every core, reported in catalog order.
    let outcomes = crate::parallel::map(&loaded, 8, "a validation", |(entry, parsed)| {
        Ok::<_, Error>(match parsed {
            // With a lock, validate the releases `strata lock` would keep.
            Ok(profile) => match problems(readable_lock(catalog, entry, &profile.name))? {
                Ok(lock) => {
                    let prefs = Preferences {
                        lock: lock.as_ref(),
                        ..Preferences::default()
                    };
                    match check_with(catalog, profile.clone(), &prefs) {
                        Err(e @ Error::Registry { .. }) => return Ok(Err(e)),
                        other => Ok(other?),
                    }
                }
                Err(d) => Ok(Err(d)),
            },
            Err(problems) => Ok(Err(problems.clone())),
        })
    })?;
    // A problem in a profile's own file is that profile's to report (a base's, however
    // many children meet it); any other, the first profile's that meets it.
    let mut seen: BTreeSet<_> = loaded
        .iter()
        .zip(&outcomes)
        .filter_map(|((entry, _), outcome)| match outcome {
            Ok(Ok(Err(problems))) => Some((entry.file(), problems)),
            _ => None,
        })
        .flat_map(|(own, problems)| {
            problems
                .iter()
                .filter(move |d| d.file.as_deref() == Some(own.as_str()))
                .map(|d| (d.location(), d.message.clone()))
        })
        .collect();
    for ((entry, _), outcome) in loaded.into_iter().zip(outcomes) {
        let checked = match outcome? {
            Ok(checked) => checked,
            Err(e) => {
                validation.unreadable.get_or_insert(e);
                continue;
            }
        };
        let checked = checked.map_err(|mut problems| {
            let own = entry.file();
            problems.retain(|d| {
                d.file.as_deref() == Some(own.as_str())
                    || seen.insert((d.location(), d.message.clone()))
            });
            problems
        });
        validation.profiles.push((entry, checked));
    }
    // Without names, the clusters too (each as of the profile releases it pins).
    if names.is_empty() {
        let loaded = crate::cluster::load_clusters(catalog)?;
        if !loaded.is_empty() {
            validation.clusters = Some(crate::cluster::check(
                catalog,
                &settings.locked_reads(),
                loaded,
                &[],
                env,
            )?);
        }
    }
    Ok(validation)
}
