//! Resolution: one release per layer such that every pin, train and requirement, every
//! `requires` and every `conflicts` holds. Among solutions, newer releases for earlier
//! layers win: a depth-first search over the layers in profile order, each trying its
//! candidates newest first (a locked release first, when it is still valid), finds exactly
//! that solution first. When there is none, the explanation names the user's own lines.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::catalog::Catalog;
use crate::config::RegistryKind;
use crate::diagnostic::{Diagnostic, suggest};
use crate::error::{Error, Result};
use crate::lockfile::{Lock, LockedLayer};
use crate::pack::{Constraint, LayerType, Pack, Target};
use crate::param::with_article;
use crate::profile::{Layer, Profile, ProfileType, Request};
use crate::registry::{Registry, ReleaseRef};
use crate::version::{Version, VersionSpec};

/// A search that has not finished after this many tries gives up with an error.
const STEP_LIMIT: usize = 200_000;

/// A layer with the release chosen for it.
pub struct Chosen<'c> {
    pub layer: Layer,
    pub registry: &'c Registry,
    pub release: ReleaseRef,
    pub pack: Arc<Pack>,
    /// Git registries: the commit the release is read at (tags peeled).
    pub commit: Option<String>,
}

/// Which locked releases a resolution keeps.
#[derive(Default)]
pub struct Preferences<'a> {
    pub lock: Option<&'a Lock>,
    /// Layers whose pack is named here (or every layer, with `all`) ignore their lock and
    /// move to the newest release their spec admits.
    pub unlock: BTreeSet<String>,
    pub unlock_all: bool,
}

impl Preferences<'_> {
    fn locked(&self, layer: &Layer, registry: &Registry) -> Option<&LockedLayer> {
        if self.unlock_all || self.unlock.contains(layer.pack.get_ref()) {
            return None;
        }
        self.lock?.layer(&layer.name).filter(|l| {
            l.pack == *layer.pack.get_ref()
                && l.registry == registry.name
                && l.requested == *layer.requested.get_ref()
        })
    }
}

/// One layer's options.
struct Options<'c> {
    registry: &'c Registry,
    /// Most preferred first.
    releases: Vec<ReleaseRef>,
    /// The locked release, when it is among `releases` (always first then).
    locked: Option<LockedLayer>,
    /// Loaded on first use: `None` until tried, then the pack or why it cannot serve.
    loaded: Vec<Option<Loaded>>,
}

#[derive(Clone)]
enum Loaded {
    Fit(Arc<Pack>),
    Unfit(Vec<Diagnostic>),
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
    for layer in &profile.layers {
        // A broken pack release is a problem of this profile; a registry that cannot be
        // read stops the command.
        match gather(catalog, profile, layer) {
            Ok(Ok((registry, mut releases))) => {
                // A branch or commit `ref` keeps its locked commit until `update`.
                if let (Request::Ref(_), Some(l)) = (&layer.request, prefs.locked(layer, registry))
                    && l.tag.is_none()
                    && let (Some(commit), Some(version)) = (&l.commit, Version::parse(&l.version))
                {
                    releases = vec![ReleaseRef {
                        version,
                        path: if l.path == "." {
                            String::new()
                        } else {
                            l.path.clone()
                        },
                        rev: Some(commit.clone()),
                    }];
                }
                let locked = prefs.locked(layer, registry).and_then(|l| {
                    let v = Version::parse(&l.version)?;
                    // The locked facts must agree with each other: a lock whose version was
                    // edited by hand (path or tag still of another release) is not kept.
                    let pos = releases.iter().position(|r| {
                        r.version == v
                            && !r.version.clashes_with(&v)
                            && same_rev(r, l)
                            && (r.path == l.path || (r.path.is_empty() && l.path == "."))
                    })?;
                    let r = releases.remove(pos);
                    releases.insert(0, r);
                    Some(l.clone())
                });
                let n = releases.len();
                options.push(Options {
                    registry,
                    releases,
                    locked,
                    loaded: vec![None; n],
                });
            }
            Ok(Err(mut d)) | Err(Error::Catalog(mut d)) => problems.append(&mut d),
            Err(e) => return Err(e),
        }
    }
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let mut search = Search {
        catalog,
        profile,
        options,
        steps: 0,
    };
    let mut picks = Vec::new();
    match search.dfs(&mut picks) {
        Ok(true) => {}
        Ok(false) => return Ok(Err(search.explain())),
        Err(Error::Catalog(d)) => return Ok(Err(d)),
        Err(e) => return Err(e),
    }
    let mut chosen = Vec::new();
    for (i, k) in picks.into_iter().enumerate() {
        let opt = &search.options[i];
        let release = opt.releases[k].clone();
        let Some(Loaded::Fit(pack)) = opt.loaded[k].clone() else {
            unreachable!("a picked release was loaded and fit")
        };
        let commit = opt.registry.commit(&release)?;
        // A locked release read again must be what was locked.
        if k == 0
            && let Some(l) = &opt.locked
            && let Some(d) = integrity(
                profile,
                &profile.layers[i],
                opt.registry,
                l,
                commit.as_deref(),
                &pack.digest,
            )
        {
            problems.push(d);
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

/// The constraint of `a` that `b`, the release of layer `j`, breaks: a `requires` it does
/// not satisfy (`false`) or a `conflicts` it matches (`true`).
fn broken<'p>(
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
fn missing_requirement<'p>(profile: &Profile, pack: &'p Pack) -> Option<&'p Constraint> {
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

/// Whether a listed release is the locked one (for git, the same tag).
fn same_rev(r: &ReleaseRef, l: &LockedLayer) -> bool {
    match (&r.rev, &l.tag, &l.commit) {
        (None, _, _) => true,
        (Some(rev), Some(tag), _) => rev == tag,
        (Some(rev), None, Some(commit)) => rev == commit,
        (Some(_), None, None) => false,
    }
}

/// A locked release whose tag now names another commit, or whose content changed.
fn integrity(
    profile: &Profile,
    layer: &Layer,
    registry: &Registry,
    locked: &LockedLayer,
    commit: Option<&str>,
    digest: &str,
) -> Option<Diagnostic> {
    let pack = &locked.pack;
    let hint = format!("if the change is intended, accept it with `strata update --pack {pack}`");
    let at = |msg: String| {
        Diagnostic::at(&profile.source, layer.pack.span(), msg).with_hint(hint.clone())
    };
    if let (Some(tag), Some(was), Some(now)) = (&locked.tag, &locked.commit, commit)
        && was != now
    {
        return Some(at(format!(
            "tag `{tag}` of registry `{}` moved: the lock has commit {was}, the registry now has {now}",
            registry.name
        )));
    }
    if locked.digest != digest {
        return Some(at(format!(
            "the content of {pack} {} (registry `{}`) changed: the lock has {}, the registry now has {digest}",
            locked.version, registry.name, locked.digest
        )));
    }
    None
}

struct Search<'a, 'c> {
    catalog: &'c Catalog,
    profile: &'a Profile,
    options: Vec<Options<'c>>,
    steps: usize,
}

impl Search<'_, '_> {
    /// Loads candidate `k` of layer `i` (once) and says whether it can serve the layer.
    fn load(&mut self, i: usize, k: usize) -> Result<Option<Arc<Pack>>> {
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

    fn broken<'p>(&self, a: &'p Pack, j: usize, b: &Pack) -> Option<(&'p Constraint, bool)> {
        broken(self.profile, a, j, b)
    }

    fn compatible(&self, i: usize, a: &Pack, j: usize, b: &Pack) -> bool {
        self.broken(a, j, b).is_none() && self.broken(b, i, a).is_none()
    }

    fn missing_requirement<'p>(&self, pack: &'p Pack) -> Option<&'p Constraint> {
        missing_requirement(self.profile, pack)
    }

    /// Why there is no solution, in terms of the user's lines.
    fn explain(&mut self) -> Vec<Diagnostic> {
        let n = self.options.len();
        let src = &self.profile.source;
        let line_of = |l: &Layer| src.text[..l.span.start].matches('\n').count() + 1;
        // Load every candidate (this is the error path).
        let mut fit: Vec<Vec<Arc<Pack>>> = Vec::new();
        for i in 0..n {
            let mut list = Vec::new();
            for k in 0..self.options[i].releases.len() {
                if let Ok(Some(p)) = self.load(i, k) {
                    list.push(p);
                }
            }
            fit.push(list);
        }
        for (i, candidates) in fit.iter().enumerate() {
            let layer = &self.profile.layers[i];
            if candidates.is_empty() {
                // Every candidate is of another layer type or another cloud.
                if let Some(Some(Loaded::Unfit(d))) = self.options[i].loaded.first() {
                    return d.clone();
                }
                continue;
            }
            if candidates
                .iter()
                .all(|p| self.missing_requirement(p).is_some())
            {
                let p = &candidates[0];
                let c = self.missing_requirement(p).expect("checked above");
                return vec![
                    Diagnostic::at(
                        src,
                        layer.pack.span(),
                        format!(
                            "{} {} requires {} {}, and the profile has none",
                            p.name,
                            layer.requested.get_ref(),
                            c.target,
                            c.text
                        ),
                    )
                    .with_hint("add a layer for it"),
                ];
            }
        }
        // A pair of layers that no two of their releases can satisfy.
        for i in 0..n {
            for j in 0..n {
                if i == j {
                    continue;
                }
                let any = fit[i]
                    .iter()
                    .any(|a| fit[j].iter().any(|b| self.compatible(i, a, j, b)));
                if any {
                    continue;
                }
                // Blame the constraint the newest release of layer `i` puts on layer `j`.
                let a = &fit[i][0];
                let Some((c, conflict)) = fit[j].iter().find_map(|b| self.broken(a, j, b)) else {
                    continue;
                };
                let (li, lj) = (&self.profile.layers[i], &self.profile.layers[j]);
                let other = &fit[j][0];
                // A conflict is about the other layer's pack; a requirement about its version.
                let (verb, link, span, hint) = if conflict {
                    (
                        "conflicts with",
                        "and",
                        lj.pack.span(),
                        format!("a profile holds either `{}` or `{}`", a.name, other.name),
                    )
                } else {
                    (
                        "requires",
                        "but",
                        lj.requested.span(),
                        format!(
                            "choose {} releases in `{}`, or {} releases that accept {} {}",
                            other.name,
                            c.text,
                            a.name,
                            other.name,
                            lj.requested.get_ref()
                        ),
                    )
                };
                return vec![
                    Diagnostic::at(
                        src,
                        span,
                        format!(
                            "{} {} (line {}) {verb} {} {}, {link} this layer asks for {} {}",
                            a.name,
                            li.requested.get_ref(),
                            line_of(li),
                            other.name,
                            c.text,
                            other.name,
                            lj.requested.get_ref()
                        ),
                    )
                    .with_hint(hint),
                ];
            }
        }
        let layers: Vec<String> = self
            .profile
            .layers
            .iter()
            .map(|l| format!("{} {}", l.pack.get_ref(), l.requested.get_ref()))
            .collect();
        vec![
            Diagnostic::file(
                &src.name,
                format!(
                    "no combination of releases satisfies every `requires` and `conflicts` of {}",
                    layers.join(", ")
                ),
            )
            .with_hint("`strata pack show PACK` lists each release's constraints"),
        ]
    }
}

/// A layer's registry and its candidate releases, newest first.
pub type Gathered<'c> = (&'c Registry, Vec<ReleaseRef>);

/// The registry of a layer and its candidate releases, newest first.
pub fn gather<'c>(
    catalog: &'c Catalog,
    profile: &Profile,
    layer: &Layer,
) -> Result<Result<Gathered<'c>, Vec<Diagnostic>>> {
    let src = &profile.source;
    let pack_name = layer.pack.get_ref();
    let regs = &catalog.registries;
    let registry = match &layer.registry {
        Some(r) => match regs.get(r.get_ref()) {
            Some(reg) => {
                // A `ref` may name a commit of a pack that has no release tag yet.
                let by_ref = matches!(layer.request, Request::Ref(_));
                if reg.releases(pack_name)?.is_empty() && !by_ref {
                    let mut hint = suggest(pack_name, reg.pack_names()?.iter().map(String::as_str));
                    let elsewhere: Vec<&str> = regs
                        .having(pack_name)?
                        .iter()
                        .map(|r| r.name.as_str())
                        .collect();
                    if !elsewhere.is_empty() {
                        hint = Some(format!(
                            "`{pack_name}` is in registry `{}`",
                            elsewhere.join("`, `")
                        ));
                    }
                    return Ok(Err(vec![
                        Diagnostic::at(
                            src,
                            layer.pack.span(),
                            format!("registry `{}` has no pack `{pack_name}`", reg.name),
                        )
                        .with_hint_opt(hint),
                    ]));
                }
                reg
            }
            None => {
                return Ok(Err(vec![
                    Diagnostic::at(src, r.span(), format!("unknown registry `{}`", r.get_ref()))
                        .with_hint_opt(suggest(r.get_ref(), regs.names())),
                ]));
            }
        },
        None => {
            let having = regs.having(pack_name)?;
            match having.as_slice() {
                [] => {
                    let all = regs.all_pack_names()?;
                    let hint = suggest(pack_name, all.iter().map(String::as_str)).or_else(|| {
                        Some("`strata pack list` shows the packs of every registry".to_string())
                    });
                    return Ok(Err(vec![
                        Diagnostic::at(
                            src,
                            layer.pack.span(),
                            format!("unknown pack `{pack_name}`"),
                        )
                        .with_hint_opt(hint),
                    ]));
                }
                [one] => *one,
                many => {
                    let names: Vec<&str> = many.iter().map(|r| r.name.as_str()).collect();
                    return Ok(Err(vec![
                        Diagnostic::at(
                            src,
                            layer.pack.span(),
                            format!(
                                "pack `{pack_name}` is in more than one registry: `{}`",
                                names.join("`, `")
                            ),
                        )
                        .with_hint(format!(
                            "choose one with `registry = \"{}\"` in this layer",
                            names[0]
                        )),
                    ]));
                }
            }
        }
    };

    let releases = registry.releases(pack_name)?;
    let candidates = match &layer.request {
        Request::Version(spec) => {
            let admitted: Vec<ReleaseRef> = releases
                .iter()
                .rev()
                .filter(|r| spec.admits(&r.version))
                .cloned()
                .collect();
            if admitted.is_empty() {
                return Ok(Err(vec![no_release(
                    profile, layer, spec, registry, &releases,
                )]));
            }
            admitted
        }
        Request::Ref(reference) => {
            if registry.kind() != RegistryKind::Git {
                return Ok(Err(vec![
                    Diagnostic::at(
                        src,
                        layer.requested.span(),
                        format!(
                            "`ref` needs a git registry, and `{}` is a {} registry",
                            registry.name,
                            registry.kind().as_str()
                        ),
                    )
                    .with_hint("use `version = \"...\"` for this layer"),
                ]));
            }
            match registry.resolve_ref(pack_name, reference)? {
                Some(r) => vec![r],
                None => {
                    let tags: Vec<String> = releases
                        .iter()
                        .rev()
                        .take(3)
                        .filter_map(|r| r.rev.as_ref().map(|t| format!("`{t}`")))
                        .collect();
                    return Ok(Err(vec![
                        Diagnostic::at(
                            src,
                            layer.requested.span(),
                            format!(
                                "registry `{}` has no tag, branch or commit `{reference}`",
                                registry.name
                            ),
                        )
                        .with_hint_opt(
                            (!tags.is_empty())
                                .then(|| format!("newest release tags: {}", tags.join(", "))),
                        ),
                    ]));
                }
            }
        }
    };
    Ok(Ok((registry, candidates)))
}

/// Why a release cannot serve a layer: another layer type, or not for the profile's cloud.
pub fn unfit(
    catalog: &Catalog,
    profile: &Profile,
    layer: &Layer,
    pack: &Pack,
) -> Result<Vec<Diagnostic>> {
    let src = &profile.source;
    let pack_name = layer.pack.get_ref();
    let mut problems = Vec::new();
    if pack.layer != layer.ty {
        let hint = if layer.ty == LayerType::Addon || pack.layer == LayerType::Addon {
            format!(
                "set `type = \"{}\"`, or choose {} pack",
                pack.layer,
                with_article(layer.ty.as_str())
            )
        } else {
            format!(
                "set `type = \"{}\"`, or choose {} pack (`strata pack list --layer {}`)",
                pack.layer,
                with_article(layer.ty.as_str()),
                layer.ty
            )
        };
        problems.push(
            Diagnostic::at(
                src,
                layer.pack.span(),
                format!(
                    "`{pack_name}` is {} pack, but this layer's type is `{}`",
                    with_article(pack.layer.as_str()),
                    layer.ty
                ),
            )
            .with_hint(hint),
        );
    }
    let cloud = profile.cloud.get_ref();
    if !pack.supports_cloud(cloud) {
        let alternatives = alternatives_for(catalog, layer.ty, cloud)?;
        let hint = if alternatives.is_empty() {
            None
        } else {
            Some(format!(
                "{} packs for {cloud}: `{}`",
                layer.ty,
                alternatives.join("`, `")
            ))
        };
        problems.push(
            Diagnostic::at(
                src,
                layer.pack.span(),
                format!(
                    "`{pack_name}` {} does not support cloud `{cloud}` (it supports {})",
                    pack.version,
                    pack.clouds.join(", ")
                ),
            )
            .with_hint_opt(hint),
        );
    }
    Ok(problems)
}

/// Why no release matched: the nearest releases for a pin, the pre-releases of a train
/// that has no stable one, or what exists.
fn no_release(
    profile: &Profile,
    layer: &Layer,
    spec: &VersionSpec,
    registry: &Registry,
    releases: &[ReleaseRef],
) -> Diagnostic {
    let pack = layer.pack.get_ref();
    let at = |msg: String| Diagnostic::at(&profile.source, layer.requested.span(), msg);
    let list = |rs: &[&ReleaseRef]| {
        rs.iter()
            .map(|r| format!("`{}`", r.version))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match spec {
        VersionSpec::Pin(v) => {
            let pos = releases.partition_point(|r| r.version < *v);
            let lo = pos.saturating_sub(2);
            let near: Vec<&ReleaseRef> =
                releases[lo..(pos + 2).min(releases.len())].iter().collect();
            at(format!(
                "`{pack}` has no release `{v}` in registry `{}`",
                registry.name
            ))
            .with_hint(format!("nearest releases: {}", list(&near)))
        }
        _ => {
            let pre: Vec<&ReleaseRef> = releases
                .iter()
                .filter(|r| spec.covers(&r.version))
                .collect();
            if !pre.is_empty() {
                at(format!(
                    "`{pack}` {} has no stable release",
                    layer.requested.get_ref()
                ))
                .with_hint(format!(
                    "pre-releases are used only when pinned exactly: {}",
                    list(&pre)
                ))
            } else {
                let newest: Vec<&ReleaseRef> = releases
                    .iter()
                    .rev()
                    .filter(|r| !r.version.is_prerelease())
                    .take(5)
                    .collect();
                at(format!(
                    "no release of `{pack}` matches `{}` in registry `{}`",
                    layer.requested.get_ref(),
                    registry.name
                ))
                .with_hint(format!("newest releases: {}", list(&newest)))
            }
        }
    }
}

/// Packs of a layer type whose newest release supports a cloud, for hints.
fn alternatives_for(catalog: &Catalog, ty: LayerType, cloud: &str) -> Result<Vec<String>> {
    let mut out = BTreeSet::new();
    for reg in catalog.registries.iter() {
        for name in reg.pack_names()? {
            if let Ok(Some(p)) = reg.newest(&name)
                && p.layer == ty
                && p.supports_cloud(cloud)
            {
                out.insert(name);
            }
        }
    }
    Ok(out.into_iter().collect())
}

/// Why `candidate` cannot replace the release of layer `index` next to the other chosen
/// releases: the first broken `requires` or `conflicts`, in words.
pub fn why_not(
    profile: &Profile,
    chosen: &[Chosen],
    index: usize,
    candidate: &Pack,
) -> Option<String> {
    for (j, other) in chosen.iter().enumerate() {
        if j == index {
            continue;
        }
        let b = &other.pack;
        if let Some((c, conflict)) = broken(profile, candidate, j, b) {
            let verb = if conflict {
                "conflicts with"
            } else {
                "requires"
            };
            return Some(format!(
                "it {verb} {} {}, and layer `{}` has {} {}",
                b.name, c.text, other.layer.name, b.name, b.version
            ));
        }
        if let Some((c, conflict)) = broken(profile, b, index, candidate) {
            let verb = if conflict {
                "conflicts with"
            } else {
                "requires"
            };
            return Some(format!(
                "{} {} (layer `{}`) {verb} {} {}",
                b.name, b.version, other.layer.name, candidate.name, c.text
            ));
        }
    }
    missing_requirement(profile, candidate).map(|c| {
        format!(
            "it requires {} {}, and the profile has none",
            c.target, c.text
        )
    })
}
