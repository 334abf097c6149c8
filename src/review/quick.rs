//! The sides of a review read without parsing what did not change: when `strata.toml` is
//! the same at both sides, a profile whose file and lock are the same blobs at both and
//! that extends no profile (its text never says `extends`, nor escapes a key) has the same
//! review at both sides, so it is counted unchanged unread. The others are each read by
//! itself with its bases ([`Catalog::load_by_folder`]); when one cannot be (a profile
//! outside a folder of its name, a base elsewhere, a profile with problems), the whole
//! review takes the full path, which reads every profile and says what is wrong.

use std::collections::BTreeSet;

use super::side::{Side, all_sides, own_files_decide, state_of};
use crate::catalog::{Catalog, ProfileEntry};
use crate::error::Result;
use crate::lockfile::FILE_NAME as LOCK_FILE;
use crate::profile::FILE_NAME;

/// Reads both sides of a review (`base` absent: an empty catalog), and how many profiles
/// are the same at both: unread where it can ([`unread`]), else every profile read
/// ([`all_sides`]).
pub fn sides(base: Option<&Catalog>, head: &Catalog) -> Result<(Side, Side, usize)> {
    if let Some(base) = base
        && let Some(quick) = unread(base, head)?
    {
        return Ok(quick);
    }
    all_sides(base, head)
}

/// Both sides and how many profiles are the same at both, reading only the profiles that
/// changed; `None`: take the full path.
fn unread(base: &Catalog, head: &Catalog) -> Result<Option<(Side, Side, usize)>> {
    if !own_files_decide(base, head) {
        return Ok(None);
    }
    let (base_entries, head_entries) = (base.profile_entries()?, head.profile_entries()?);
    let dirs: BTreeSet<&str> = base_entries
        .iter()
        .chain(&head_entries)
        .map(|e| e.dir.as_str())
        .collect();
    let dirs: Vec<&str> = dirs.into_iter().collect();
    let same_at_both =
        crate::parallel::map(&dirs, 8, "a review", |dir| unchanged(base, head, dir))?;
    let mut changed = Vec::new();
    let mut same = 0;
    for (dir, unchanged) in dirs.iter().zip(same_at_both) {
        if unchanged? {
            same += 1;
        } else {
            changed.push(*dir);
        }
    }
    let (Some(b), Some(h)) = (
        side(base, &base_entries, &changed)?,
        side(head, &head_entries, &changed)?,
    ) else {
        return Ok(None);
    };
    Ok(Some((b, h, same)))
}

/// Whether the profile in `dir` has the same file and lock at both sides and extends none.
fn unchanged(base: &Catalog, head: &Catalog, dir: &str) -> Result<bool> {
    let (file, lock) = (format!("{dir}/{FILE_NAME}"), format!("{dir}/{LOCK_FILE}"));
    let ids = |c: &Catalog| -> Result<_> {
        let ok = |r: Result<Option<git2::Oid>>| crate::error::problems(r).map(|r| r.ok().flatten());
        Ok((ok(c.files.blob_id(&file))?, ok(c.files.blob_id(&lock))?))
    };
    let (b, h) = (ids(base)?, ids(head)?);
    if b != h || b.0.is_none() {
        return Ok(false);
    }
    let text = match crate::error::problems(head.files.read(&file))? {
        Ok(Some(bytes)) => bytes,
        _ => return Ok(false),
    };
    Ok(!mentions_a_base(&text))
}

/// Whether a profile file may extend another: it says `extends`, or escapes a character
/// (a quoted key can spell `extends` with escapes).
fn mentions_a_base(text: &[u8]) -> bool {
    text.windows(7).any(|w| w == b"extends") || text.contains(&b'\\')
}

/// The states of the `changed` profiles at one side, each read by folder; `None` when one
/// cannot be.
fn side(catalog: &Catalog, entries: &[ProfileEntry], changed: &[&str]) -> Result<Option<Side>> {
    let present: Vec<&ProfileEntry> = changed
        .iter()
        .filter_map(|dir| entries.iter().find(|e| e.dir == *dir))
        .collect();
    let states = crate::parallel::map(&present, 8, "a review", |entry| {
        let Some((found, profile)) = catalog.load_by_folder(&entry.folder_name)? else {
            return Ok::<_, crate::error::Error>(None);
        };
        if found.dir != entry.dir {
            return Ok(None);
        }
        let name = profile.name.clone();
        Ok(Some((name, state_of(catalog, &found, profile)?)))
    })?;
    let mut out = Side::new();
    for state in states {
        match state? {
            Some((name, state)) => {
                out.insert(name, state);
            }
            None => return Ok(None),
        }
    }
    Ok(Some(out))
}
