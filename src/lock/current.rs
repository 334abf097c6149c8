//! A profile's lock as the commands that read it need it: the current lock (`render`,
//! `release`, `diff`: a missing, corrupt or stale lock is an error pointing to
//! `strata lock`), or any readable lock whose releases a fresh resolution keeps
//! (`validate`, `explain`, `outdated`).

use super::stale::{Stale, staleness};
use crate::catalog::{Catalog, ProfileEntry};
use crate::diagnostic::{Diagnostic, Source};
use crate::error::{Error, Result};
use crate::lockfile::{FILE_NAME, Lock, integrity};
use crate::profile::Profile;

/// The current lock of a parsed profile; a stale one is an error saying only which kind
/// of input changed (cheap: readers that resolve a stale profile anyway use it, the
/// others [`super::why::lock_of`]).
pub fn lock_of(catalog: &Catalog, entry: &ProfileEntry, profile: &Profile) -> Result<Lock> {
    let (lock, file, stale) = read_checked(catalog, entry, profile)?;
    match stale {
        None => Ok(lock),
        Some(stale) => Err(stale_problem(&file, &profile.name, stale).into()),
    }
}

/// A profile's lock file (relative to the catalog root), parsed, and why it is stale if it
/// is.
pub(super) fn read_checked(
    catalog: &Catalog,
    entry: &ProfileEntry,
    profile: &Profile,
) -> Result<(Lock, String, Option<Stale>)> {
    let file = format!("{}/{FILE_NAME}", entry.dir);
    let bytes = match catalog.files.read(&file)? {
        Some(b) => b,
        None => {
            return Err(Diagnostic::file(&file, "no lock file")
                .with_hint(format!("run `strata lock {}` first", profile.name))
                .into());
        }
    };
    let source = Source::from_bytes(&file, &bytes)?;
    let lock = Lock::parse(&source).map_err(|d| d.or_hint("run `strata lock` to rewrite it"))?;
    let stale = if lock.profile == profile.name {
        staleness(catalog, profile, &lock, &source.text)?
    } else {
        Some(Stale::Changed)
    };
    Ok((lock, file, stale))
}

/// What a reader of locks says about a stale lock `file` of profile `name`.
pub(super) fn stale_problem(file: &str, name: &str, stale: Stale) -> Diagnostic {
    let review = format!("run `strata lock {name}` and review the change");
    match stale {
        Stale::LineEndings => Diagnostic::file(
            file,
            "lock file has Windows line endings (CRLF); strata writes LF",
        )
        .with_hint(format!(
            "run `strata lock {name}`; a `.gitattributes` line `profile.lock text eol=lf` keeps git from converting it"
        )),
        Stale::Content { layer, mismatch } => Diagnostic::file(
            file,
            format!("layer `{}`: {}", layer.name, mismatch.message(&layer, true)),
        )
        .with_hint(integrity::hint(&layer)),
        Stale::Base(base) => Diagnostic::file(
            file,
            format!("lock file is stale: its base `{base}` changed since it was written"),
        )
        .with_hint(review),
        Stale::Signer(layer, why) => Diagnostic::file(
            file,
            format!("lock file is stale: layer `{layer}`: {why}"),
        )
        .with_hint(format!(
            "run `strata lock {name}` to lock a release a listed key signed, or add the signer's key back"
        )),
        Stale::Changed => Diagnostic::file(
            file,
            "lock file is stale: the profile, strata.toml or the lock itself changed since it was written",
        )
        .with_hint(review),
    }
}

/// A profile's lock, when there is one that parses and is for this profile (commands that
/// only read use it as `strata lock` would: its releases are kept when valid).
pub fn readable_lock(
    catalog: &Catalog,
    entry: &ProfileEntry,
    profile: &str,
) -> Result<Option<Lock>> {
    let file = format!("{}/{FILE_NAME}", entry.dir);
    Ok(catalog
        .files
        .read(&file)?
        .and_then(|b| Source::from_bytes(file, &b).ok())
        .and_then(|s| Lock::parse(&s).ok())
        .filter(|l| l.profile == profile))
}

/// The profiles that use registry `name` (a layer names it, or a lock holds a release from
/// it), each with those layers: `aws-prod (network, monitoring)`.
pub fn users_of_registry(catalog: &Catalog, name: &str) -> Result<Vec<String>> {
    let mut users = Vec::new();
    let (profiles, problems) = catalog.valid_profiles(&[])?;
    for (entry, profile) in profiles {
        let lock = readable_lock(catalog, &entry, &profile.name)?;
        let mut layers: Vec<&str> = profile
            .layers
            .iter()
            .filter(|l| l.registry.as_ref().is_some_and(|r| r.get_ref() == name))
            .map(|l| l.name.as_str())
            .collect();
        for l in lock.iter().flat_map(|l| &l.layers) {
            if l.registry == name && !layers.contains(&l.name.as_str()) {
                layers.push(&l.name);
            }
        }
        if !layers.is_empty() {
            users.push(format!("{} ({})", profile.name, layers.join(", ")));
        }
    }
    if !problems.is_empty() {
        // A profile that does not parse might use it: say why strata cannot tell.
        return Err(Error::Catalog(problems));
    }
    Ok(users)
}
