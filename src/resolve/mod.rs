//! Resolution: one release per layer such that every pin, train and requirement, every
//! `requires` and every `conflicts` holds. Among solutions, newer releases for earlier
//! layers win: a depth-first search over the layers in profile order, each trying its
//! candidates newest first (a locked release first, when it is still valid), finds exactly
//! that solution first. When there is none, the explanation names the user's own lines.
//!
//! [`candidates`] gathers each layer's releases in order of preference, [`search`] finds
//! the solution, [`explain`] says why there is none or why a release was passed over.

mod candidates;
mod explain;
mod search;
mod signed;
#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap};

use crate::catalog::Catalog;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::lockfile::integrity;
use crate::lockfile::{Lock, LockedLayer};
use crate::profile::{Layer, Profile, Request};
use crate::registry::Registry;

pub use candidates::{gather, unfit};
pub use explain::why_not;
pub use search::Chosen;

use candidates::Loaded;
use search::Search;

/// Which locked releases a resolution keeps.
#[derive(Default)]
pub struct Preferences<'a> {
    pub lock: Option<&'a Lock>,
    /// Layers whose pack is named here (or every layer, with `all`) ignore their lock and
    /// move to the newest release their spec admits.
    pub unlock: BTreeSet<String>,
    pub unlock_all: bool,
}

impl<'a> Preferences<'a> {
    /// The locked layers by name, looked up once per layer.
    fn index(&self) -> HashMap<&'a str, &'a LockedLayer> {
        self.lock
            .map(|l| l.layers.iter().map(|l| (l.name.as_str(), l)).collect())
            .unwrap_or_default()
    }

    /// The locked release a layer may keep: same pack and registry, not unlocked. A widened
    /// version spec keeps it (when it still admits it); a changed `ref` does not.
    fn keeps<'l>(
        &self,
        locked: Option<&'l LockedLayer>,
        layer: &Layer,
        registry: &Registry,
    ) -> Option<&'l LockedLayer> {
        if self.unlock_all || self.unlock.contains(layer.pack.get_ref()) {
            return None;
        }
        locked.filter(|l| {
            l.pack == *layer.pack.get_ref()
                && l.registry == registry.name
                && (matches!(layer.request, Request::Version(_))
                    || l.requested == *layer.requested.get_ref())
        })
    }
}

/// Resolves a parsed profile. The outer error is a registry or I/O failure; the inner one
/// lists the profile's problems.
pub fn resolve<'c>(
    catalog: &'c Catalog,
    profile: &Profile,
    prefs: &Preferences,
) -> Result<Result<Vec<Chosen<'c>>, Vec<Diagnostic>>> {
    let mut problems = Vec::new();
    let mut options = Vec::new();
    let locked = prefs.index();
    for layer in &profile.layers {
        // A broken pack release is a problem of this profile; a registry that cannot be
        // read stops the command.
        let lock = locked.get(layer.name.as_str()).copied();
        match candidates::options(catalog, layer, |r| prefs.keeps(lock, layer, r)) {
            Ok(Ok(o)) => options.push(o),
            Ok(Err(mut d)) | Err(Error::Catalog(mut d)) => problems.append(&mut d),
            Err(e) => return Err(e),
        }
    }
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let mut search = Search::new(catalog, profile, options);
    let picks = match search.run() {
        Ok(Some(picks)) => picks,
        Ok(None) => return Ok(Err(search.explain())),
        Err(Error::Catalog(d)) => return Ok(Err(d)),
        Err(e) => return Err(e),
    };
    let mut chosen = Vec::new();
    for (i, k) in picks.into_iter().enumerate() {
        let opt = &search.options[i];
        let release = opt.releases[k].clone();
        let Some(Loaded::Fit(pack)) = opt.loaded[k].clone() else {
            return Err(Error::Internal(format!(
                "layer `{}`: a picked release was not loaded",
                profile.layers[i].name
            )));
        };
        let commit = opt.registry.commit(&release)?;
        let layer = &profile.layers[i];
        catalog.registries.out().verbose(
            "Resolved",
            &format!(
                "{} {}: {} {} -> {} from `{}` (candidate {} of {}{})",
                profile.name,
                layer.name,
                pack.name,
                layer.requested.get_ref(),
                pack.version,
                opt.registry.name,
                k + 1,
                opt.releases.len(),
                if opt.locked.is_some() && k == 0 {
                    ", locked"
                } else {
                    ""
                }
            ),
        );
        // A locked release read again must be what was locked.
        if k == 0
            && let Some(l) = &opt.locked
            && let Some(m) = integrity::check(l, commit.as_deref(), Some(&pack.digest))
        {
            problems.push(
                Diagnostic::at(&layer.pack_src, layer.pack.span(), m.message(l, true))
                    .with_hint(integrity::hint(l)),
            );
        }
        chosen.push(Chosen {
            layer: profile.layers[i].clone(),
            registry: opt.registry,
            release,
            pack,
            commit,
        });
    }
    if problems.is_empty() {
        Ok(Ok(chosen))
    } else {
        Ok(Err(problems))
    }
}

/// Each layer that resolves on its own (its registry, pack and train read, a release to
/// offer), with its most preferred release, by the layer's index: when one layer cannot be
/// resolved, the values of the others are checked against these, so one run reports every
/// problem of a profile.
pub fn each_alone(
    catalog: &Catalog,
    profile: &Profile,
    prefs: &Preferences,
) -> Vec<(usize, std::sync::Arc<crate::model::pack::Pack>)> {
    let locked = prefs.index();
    let mut out = Vec::new();
    for (i, layer) in profile.layers.iter().enumerate() {
        let lock = locked.get(layer.name.as_str()).copied();
        let Ok(Ok(opt)) = candidates::options(catalog, layer, |r| prefs.keeps(lock, layer, r))
        else {
            continue;
        };
        if opt.releases.is_empty() {
            continue;
        }
        if let Ok(pack) = opt.registry.pack(layer.pack.get_ref(), &opt.releases[0]) {
            out.push((i, pack));
        }
    }
    out
}
