//! The search: depth first over the layers in profile order, each layer's candidates in
//! order of preference, so the first solution found prefers newer releases for earlier
//! layers. Releases are loaded only when the search reaches them.

use std::sync::Arc;

use super::candidates::{Loaded, Options, unfit};
use crate::catalog::Catalog;
use crate::diagnostic::Diagnostic;
use crate::error::Result;
use crate::model::pack::{Constraint, Pack, Target};
use crate::model::profile::{Profile, ProfileType};

/// A search that has not finished after this many tries gives up with an error.
const STEP_LIMIT: usize = 200_000;

/// The constraint of `a` that `b`, the release of layer `j`, breaks: a `requires` it does
/// not satisfy (`false`) or a `conflicts` it matches (`true`).
pub(super) fn broken<'p>(
    profile: &Profile,
    a: &'p Pack,
    j: usize,
    b: &Pack,
) -> Option<(&'p Constraint, bool)> {
    let targets = |c: &Constraint| match &c.target {
        Target::Layer(t) => profile.layers[j].ty == *t,
        Target::Pack(p) => b.name == *p,
    };
    if let Some(c) = a
        .requires
        .iter()
        .find(|c| targets(c) && !c.spec.covers(&b.version))
    {
        return Some((c, false));
    }
    a.conflicts
        .iter()
        .find(|c| targets(c) && c.spec.covers(&b.version))
        .map(|c| (c, true))
}

/// A non-optional requirement whose target is in no layer of the profile. An add-on profile
/// is applied on top of a cluster built from another profile, so what it lacks may be there.
pub(super) fn missing_requirement<'p>(profile: &Profile, pack: &'p Pack) -> Option<&'p Constraint> {
    if profile.ty == ProfileType::AddOn {
        return None;
    }
    pack.requires.iter().find(|c| {
        !c.optional
            && !profile.layers.iter().any(|l| match &c.target {
                Target::Layer(t) => l.ty == *t,
                Target::Pack(p) => l.pack.get_ref() == p,
            })
    })
}

pub(super) struct Search<'a, 'c> {
    pub(super) catalog: &'c Catalog,
    pub(super) profile: &'a Profile,
    pub(super) options: Vec<Options<'c>>,
    steps: usize,
}

impl<'a, 'c> Search<'a, 'c> {
    pub(super) fn new(
        catalog: &'c Catalog,
        profile: &'a Profile,
        options: Vec<Options<'c>>,
    ) -> Self {
        Search {
            catalog,
            profile,
            options,
            steps: 0,
        }
    }

    /// The index of the chosen candidate of every layer, or `None` when nothing fits.
    pub(super) fn run(&mut self) -> Result<Option<Vec<usize>>> {
        let mut picks = Vec::new();
        Ok(self.dfs(&mut picks)?.then_some(picks))
    }

    /// Loads candidate `k` of layer `i` (once) and says whether it can serve the layer.
    pub(super) fn load(&mut self, i: usize, k: usize) -> Result<Option<Arc<Pack>>> {
        if self.options[i].loaded[k].is_none() {
            let opt = &self.options[i];
            let layer = &self.profile.layers[i];
            let pack = opt.registry.pack(layer.pack.get_ref(), &opt.releases[k])?;
            let unfit = unfit(self.catalog, self.profile, layer, &pack)?;
            self.options[i].loaded[k] = Some(if unfit.is_empty() {
                Loaded::Fit(pack)
            } else {
                Loaded::Unfit(unfit)
            });
        }
        Ok(match &self.options[i].loaded[k] {
            Some(Loaded::Fit(p)) => Some(p.clone()),
            _ => None,
        })
    }

    fn dfs(&mut self, picks: &mut Vec<usize>) -> Result<bool> {
        let i = picks.len();
        if i == self.options.len() {
            return Ok(true);
        }
        for k in 0..self.options[i].releases.len() {
            self.steps += 1;
            if self.steps > STEP_LIMIT {
                return Err(Diagnostic::file(
                    &self.profile.source.name,
                    format!("resolution gave up after {STEP_LIMIT} tries"),
                )
                .with_hint("narrow the trains of some layers (e.g. `1.29.x` instead of `x`)")
                .into());
            }
            let Some(pack) = self.load(i, k)? else {
                continue;
            };
            if self.missing_requirement(&pack).is_some() {
                continue;
            }
            let compatible = (0..i).all(|j| {
                let Some(Loaded::Fit(other)) = &self.options[j].loaded[picks[j]] else {
                    return false;
                };
                self.compatible(i, &pack, j, other)
            });
            if !compatible {
                continue;
            }
            picks.push(k);
            if self.dfs(picks)? {
                return Ok(true);
            }
            picks.pop();
        }
        Ok(false)
    }

    pub(super) fn broken<'p>(
        &self,
        a: &'p Pack,
        j: usize,
        b: &Pack,
    ) -> Option<(&'p Constraint, bool)> {
        broken(self.profile, a, j, b)
    }

    pub(super) fn compatible(&self, i: usize, a: &Pack, j: usize, b: &Pack) -> bool {
        self.broken(a, j, b).is_none() && self.broken(b, i, a).is_none()
    }

    pub(super) fn missing_requirement<'p>(&self, pack: &'p Pack) -> Option<&'p Constraint> {
        missing_requirement(self.profile, pack)
    }
}
