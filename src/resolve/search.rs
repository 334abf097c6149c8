//! The search: depth first over the layers in profile order, each layer's candidates in
//! order of preference, so the first solution found prefers newer releases for earlier
//! layers. Releases are loaded only when the search reaches them.

use std::collections::HashMap;
use std::sync::Arc;

use super::candidates::{Loaded, Options, unfit};
use crate::catalog::Catalog;
use crate::diagnostic::Diagnostic;
use crate::error::Result;
use crate::model::pack::{Constraint, LayerType, Pack, Target};
use crate::profile::{Layer, Profile, ProfileType};
use crate::registry::{Registry, ReleaseRef};

/// A layer with the release chosen for it.
pub struct Chosen<'c> {
    pub layer: Layer,
    pub registry: &'c Registry,
    pub release: ReleaseRef,
    pub pack: Arc<Pack>,
    /// Git registries: the commit the release is read at (tags peeled).
    pub commit: Option<String>,
}

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
    /// The layers of each type and of each pack: what a constraint can target. A layer's
    /// type and pack name are fixed, whichever release it gets.
    by_type: HashMap<LayerType, Vec<usize>>,
    by_pack: HashMap<&'a str, Vec<usize>>,
}

/// A constraint of the release picked for layer `from`: the `index`-th of its `requires`
/// (or of its `conflicts`).
#[derive(Clone, Copy)]
struct Incoming {
    from: usize,
    conflict: bool,
    index: usize,
}

impl<'a, 'c> Search<'a, 'c> {
    pub(super) fn new(
        catalog: &'c Catalog,
        profile: &'a Profile,
        options: Vec<Options<'c>>,
    ) -> Self {
        let mut by_type: HashMap<LayerType, Vec<usize>> = HashMap::new();
        let mut by_pack: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, l) in profile.layers.iter().enumerate() {
            by_type.entry(l.ty).or_default().push(i);
            by_pack
                .entry(l.pack.get_ref().as_str())
                .or_default()
                .push(i);
        }
        Search {
            catalog,
            profile,
            options,
            steps: 0,
            by_type,
            by_pack,
        }
    }

    /// The layers a constraint's target names.
    fn targets(&self, target: &Target) -> &[usize] {
        let found = match target {
            Target::Layer(t) => self.by_type.get(t),
            Target::Pack(p) => self.by_pack.get(p.as_str()),
        };
        found.map_or(&[], Vec::as_slice)
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
        Ok(self.fit(i, k))
    }

    fn fit(&self, i: usize, k: usize) -> Option<Arc<Pack>> {
        match &self.options[i].loaded[k] {
            Some(Loaded::Fit(p)) => Some(p.clone()),
            _ => None,
        }
    }

    /// The index of the chosen candidate of every layer, or `None` when nothing fits: a
    /// depth-first search, kept on a stack of its own (a profile may have many layers), that
    /// checks only the constraints that target each layer, so its cost grows with the
    /// constraints, not with the square of the layers.
    pub(super) fn run(&mut self) -> Result<Option<Vec<usize>>> {
        let n = self.options.len();
        let limit = STEP_LIMIT + n;
        let mut picks: Vec<usize> = Vec::with_capacity(n);
        let mut packs: Vec<Arc<Pack>> = Vec::with_capacity(n);
        let mut next = vec![0usize; n];
        // Constraints of the picked releases on later layers, and which layers each pick
        // added to (undone in reverse order when it is taken back).
        let mut incoming: Vec<Vec<Incoming>> = vec![Vec::new(); n];
        let mut added: Vec<Vec<usize>> = Vec::with_capacity(n);
        let mut i = 0;
        while i < n {
            let mut picked = false;
            while next[i] < self.options[i].releases.len() {
                let k = next[i];
                next[i] += 1;
                self.steps += 1;
                if self.steps > limit {
                    return Err(Diagnostic::file(
                        &self.profile.source.name,
                        format!("resolution gave up after {limit} tries"),
                    )
                    .with_hint("narrow the trains of some layers (e.g. `1.29.x` instead of `x`)")
                    .into());
                }
                let Some(pack) = self.load(i, k)? else {
                    continue;
                };
                if self.lacks_requirement(&pack) || !self.agrees(i, &pack, &packs, &incoming[i]) {
                    continue;
                }
                let mut to = Vec::new();
                for (conflict, list) in [(false, &pack.requires), (true, &pack.conflicts)] {
                    for (index, c) in list.iter().enumerate() {
                        for &t in self.targets(&c.target).iter().filter(|&&t| t > i) {
                            incoming[t].push(Incoming {
                                from: i,
                                conflict,
                                index,
                            });
                            to.push(t);
                        }
                    }
                }
                picks.push(k);
                packs.push(pack);
                added.push(to);
                picked = true;
                break;
            }
            if picked {
                i += 1;
                if i < n {
                    next[i] = 0;
                }
                continue;
            }
            // No candidate of layer `i` fits: take back the pick of layer `i - 1`.
            if i == 0 {
                return Ok(None);
            }
            i -= 1;
            picks.pop();
            packs.pop();
            for t in added.pop().unwrap_or_default().into_iter().rev() {
                incoming[t].pop();
            }
        }
        Ok(Some(picks))
    }

    /// Whether `a`, a candidate of layer `i`, agrees with the releases picked for the
    /// layers before it: its constraints on them, and theirs on it.
    fn agrees(&self, i: usize, a: &Pack, picked: &[Arc<Pack>], incoming: &[Incoming]) -> bool {
        let holds = |c: &Constraint, conflict: bool, v: &crate::model::version::Version| {
            c.spec.covers(v) != conflict
        };
        for (conflict, list) in [(false, &a.requires), (true, &a.conflicts)] {
            for c in list {
                for &j in self.targets(&c.target).iter().filter(|&&j| j < i) {
                    if !holds(c, conflict, &picked[j].version) {
                        return false;
                    }
                }
            }
        }
        incoming.iter().all(|inc| {
            let b = &picked[inc.from];
            let c = if inc.conflict {
                &b.conflicts[inc.index]
            } else {
                &b.requires[inc.index]
            };
            holds(c, inc.conflict, &a.version)
        })
    }

    /// A non-optional requirement that no layer of the profile can meet.
    fn lacks_requirement(&self, pack: &Pack) -> bool {
        self.profile.ty != ProfileType::AddOn
            && pack
                .requires
                .iter()
                .any(|c| !c.optional && self.targets(&c.target).is_empty())
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
