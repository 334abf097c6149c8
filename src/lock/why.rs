//! A profile's current lock for the commands that need one (`render`, `release`,
//! `export`, clusters): a stale lock is an error that says what changed, in the words of
//! `lock --check` (the profile is planned again in memory to tell).

use super::current::{read_checked, stale_problem};
use super::plan::plan_profile;
use super::planned::Unlock;
use super::stale::Stale;
use crate::catalog::{Catalog, ProfileEntry};
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::lockfile::Lock;
use crate::profile::Profile;

/// A valid profile and its current lock.
pub fn current_lock(catalog: &Catalog, name: &str) -> Result<(Profile, Lock)> {
    let names = [name.to_string()];
    let Some((entry, parsed)) = catalog.load_profiles(&names)?.into_iter().next() else {
        return Err(Error::Internal(format!(
            "profile `{name}` was found and then lost"
        )));
    };
    let profile = parsed.map_err(Error::Catalog)?;
    let lock = lock_of(catalog, &entry, &profile)?;
    Ok((profile, lock))
}

/// The current lock of a parsed profile, or why it is not current: which layers' releases,
/// requests, values or renderings changed, or that no layer did.
pub fn lock_of(catalog: &Catalog, entry: &ProfileEntry, profile: &Profile) -> Result<Lock> {
    let (lock, file, stale) = read_checked(catalog, entry, profile)?;
    let problem = match stale {
        None => return Ok(lock),
        Some(Stale::Changed) => what_changed(catalog, entry, profile, &file)
            .unwrap_or_else(|| stale_problem(&file, &profile.name, Stale::Changed)),
        Some(stale) => stale_problem(&file, &profile.name, stale),
    };
    Err(problem.into())
}

/// What `lock --check` would say of this lock; `None` when planning it again fails (a
/// registry that cannot be read, say): the caller then says less.
fn what_changed(
    catalog: &Catalog,
    entry: &ProfileEntry,
    profile: &Profile,
    file: &str,
) -> Option<Diagnostic> {
    let config = &catalog.config_source;
    let planned = plan_profile(catalog, entry, profile.clone(), config, &Unlock::Nothing)
        .ok()?
        .ok()?;
    let problem = planned.check_problem()?;
    Some(Diagnostic::file(file, problem.message).with_hint(format!(
        "run `strata lock {}` and review the change",
        profile.name
    )))
}
