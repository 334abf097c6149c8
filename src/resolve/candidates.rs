//! Each layer's candidates: its registry, the releases its spec admits (newest first, the
//! locked release first when it is still valid), and why a release cannot serve the layer.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::catalog::Catalog;
use crate::diagnostic::{Diagnostic, suggest};
use crate::error::Result;
use crate::lockfile::LockedLayer;
use crate::model::config::RegistryKind;
use crate::model::pack::{LayerType, Pack};
use crate::model::param::with_article;
use crate::model::version::VersionSpec;
use crate::profile::{Layer, Profile, Request};
use crate::registry::{Registry, ReleaseRef};

/// A layer's candidate releases, most preferred first: positions in the registry's list of
/// the pack's releases (shared for the run), so that a train over hundreds of tags copies
/// no release.
#[derive(Clone)]
pub struct Candidates {
    all: Arc<Vec<ReleaseRef>>,
    order: Vec<u32>,
}

impl Candidates {
    fn of(all: Arc<Vec<ReleaseRef>>, order: Vec<u32>) -> Candidates {
        Candidates { all, order }
    }

    /// One release that is not in a registry's list (a `ref` or a locked commit).
    fn one(release: ReleaseRef) -> Candidates {
        Candidates::of(Arc::new(vec![release]), vec![0])
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    pub fn first(&self) -> Option<&ReleaseRef> {
        self.order.first().map(|&i| &self.all[i as usize])
    }

    pub fn iter(&self) -> impl Iterator<Item = &ReleaseRef> {
        self.order.iter().map(|&i| &self.all[i as usize])
    }

    /// Moves the `k`th candidate to the front.
    fn prefer(&mut self, k: usize) {
        let i = self.order.remove(k);
        self.order.insert(0, i);
    }
}

impl std::ops::Index<usize> for Candidates {
    type Output = ReleaseRef;

    fn index(&self, k: usize) -> &ReleaseRef {
        &self.all[self.order[k] as usize]
    }
}

impl<'a> IntoIterator for &'a Candidates {
    type Item = &'a ReleaseRef;
    type IntoIter = Box<dyn Iterator<Item = &'a ReleaseRef> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

/// One layer's options.
pub(super) struct Options<'c> {
    pub(super) registry: &'c Registry,
    /// Most preferred first.
    pub(super) releases: Candidates,
    /// The locked release, when it is among `releases` (always first then).
    pub(super) locked: Option<LockedLayer>,
    /// Loaded on first use: `None` until tried, then the pack or why it cannot serve.
    pub(super) loaded: Vec<Option<Loaded>>,
}

#[derive(Clone)]
pub(super) enum Loaded {
    Fit(Arc<Pack>),
    Unfit(Vec<Diagnostic>),
}

/// A layer's options: its candidates, with the locked release first when the lock may keep
/// it.
pub(super) fn options<'c, 'l>(
    catalog: &'c Catalog,
    layer: &Layer,
    kept: impl FnOnce(&Registry) -> Option<&'l LockedLayer>,
) -> Result<Result<Options<'c>, Vec<Diagnostic>>> {
    let (registry, mut releases) = match gather(catalog, layer)? {
        Ok(g) => g,
        Err(d) => return Ok(Err(d)),
    };
    let locked = kept(registry);
    // A branch or commit `ref` keeps its locked commit until `update`.
    if let (Request::Ref(_), Some(l)) = (&layer.request, locked)
        && l.tag.is_none()
        && l.commit.is_some()
    {
        releases = Candidates::one(l.release());
    }
    let locked = locked.and_then(|l| {
        // The locked facts must agree with each other: a lock whose version was edited by
        // hand (path or tag still of another release) is not kept.
        let pos = releases.iter().position(|r| {
            r.version == l.version
                && !r.version.clashes_with(&l.version)
                && same_rev(r, l)
                && (r.path == l.path || (r.path.is_empty() && l.path == "."))
        })?;
        releases.prefer(pos);
        Some(l.clone())
    });
    let n = releases.len();
    Ok(Ok(Options {
        registry,
        releases,
        locked,
        loaded: vec![None; n],
    }))
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

/// The registry a layer reads: the one it names, else the only one that has its pack.
fn registry_of<'c>(
    catalog: &'c Catalog,
    layer: &Layer,
) -> Result<Result<&'c Registry, Vec<Diagnostic>>> {
    let pack_name = layer.pack.get_ref();
    let regs = &catalog.registries;
    Ok(Ok(match &layer.registry {
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
                            &layer.pack_src,
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
                    Diagnostic::at(
                        &layer.registry_src,
                        r.span(),
                        format!("unknown registry `{}`", r.get_ref()),
                    )
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
                            &layer.pack_src,
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
                            &layer.pack_src,
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
    }))
}

/// A layer's registry and its candidate releases, newest first.
pub type Gathered<'c> = (&'c Registry, Candidates);

/// The registry of a layer and its candidate releases, newest first.
pub fn gather<'c>(
    catalog: &'c Catalog,
    layer: &Layer,
) -> Result<Result<Gathered<'c>, Vec<Diagnostic>>> {
    let pack_name = layer.pack.get_ref();
    let registry = match registry_of(catalog, layer)? {
        Ok(r) => r,
        Err(d) => return Ok(Err(d)),
    };
    let releases = registry.releases(pack_name)?;
    let candidates = match &layer.request {
        Request::Version(spec) => {
            let admitted: Vec<u32> = (0..releases.len() as u32)
                .rev()
                .filter(|&i| spec.admits(&releases[i as usize].version))
                .collect();
            if admitted.is_empty() {
                return Ok(Err(vec![no_release(layer, spec, registry, &releases)]));
            }
            let admitted = match super::signed::signed_only(registry, layer, &releases, admitted)? {
                Ok(a) => a,
                Err(d) => return Ok(Err(vec![d])),
            };
            Candidates::of(releases, admitted)
        }
        Request::Ref(reference) => {
            if registry.kind() != RegistryKind::Git {
                return Ok(Err(vec![
                    Diagnostic::at(
                        &layer.requested_src,
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
                Some(r) => match super::signed::refused(registry, &r)? {
                    Some(why) => {
                        return Ok(Err(vec![
                            Diagnostic::at(
                                &layer.requested_src,
                                layer.requested.span(),
                                format!(
                                    "`{reference}` of registry `{}` is refused: it {why}",
                                    registry.name
                                ),
                            )
                            .with_hint("sign it with a listed key, or ask for a signed release"),
                        ]));
                    }
                    None => Candidates::one(r),
                },
                None => {
                    let tags: Vec<String> = releases
                        .iter()
                        .rev()
                        .take(3)
                        .filter_map(|r| r.rev.as_ref().map(|t| format!("`{t}`")))
                        .collect();
                    return Ok(Err(vec![
                        Diagnostic::at(
                            &layer.requested_src,
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
    let pack_name = layer.pack.get_ref();
    let mut problems = Vec::new();
    if pack.layer != layer.ty && !pack.any_layer {
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
                &layer.pack_src,
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
                &layer.pack_src,
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
    layer: &Layer,
    spec: &VersionSpec,
    registry: &Registry,
    releases: &[ReleaseRef],
) -> Diagnostic {
    let pack = layer.pack.get_ref();
    let at = |msg: String| Diagnostic::at(&layer.requested_src, layer.requested.span(), msg);
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
