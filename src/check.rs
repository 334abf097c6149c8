//! Checks a profile against its registries: every layer's pack and release, layer type,
//! cloud, parameter values, `requires` and `conflicts`, and `[defaults]` in strata.toml.
//!
//! Each layer takes the newest release its spec admits, on its own; a full solver that
//! backtracks across layers belongs to resolution.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::catalog::Catalog;
use crate::config::RegistryKind;
use crate::diagnostic::{Diagnostic, suggest};
use crate::error::{Error, Result};
use crate::pack::{LayerType, Pack, Target};
use crate::param::with_article;
use crate::profile::{Layer, Profile, ProfileType, Request};
use crate::registry::{Registry, ReleaseRef};
use crate::version::VersionSpec;

/// Clouds strata knows even when no pack in use names them.
pub const KNOWN_CLOUDS: [&str; 9] = [
    "aws",
    "azure",
    "baremetal",
    "edge",
    "gcp",
    "maas",
    "openstack",
    "vsphere",
    "libvirt",
];

/// A layer with the release chosen for it.
pub struct Chosen<'c> {
    pub layer: Layer,
    pub registry: &'c Registry,
    pub release: ReleaseRef,
    pub pack: Arc<Pack>,
}

/// A profile whose every layer has a release.
pub struct Checked<'c> {
    pub profile: Profile,
    pub layers: Vec<Chosen<'c>>,
}

/// Checks a parsed profile. The outer error is a registry or I/O failure; the inner one
/// lists the problems of the profile.
pub fn check_profile<'c>(
    catalog: &'c Catalog,
    profile: Profile,
) -> Result<Result<Checked<'c>, Vec<Diagnostic>>> {
    let mut problems = Vec::new();
    let mut chosen = Vec::new();
    for layer in &profile.layers {
        // A broken pack release is a problem of this profile; a registry that cannot be
        // read stops the command.
        match choose(catalog, &profile, layer) {
            Ok(Ok(c)) => chosen.push(c),
            Ok(Err(mut d)) | Err(Error::Catalog(mut d)) => problems.append(&mut d),
            Err(e) => return Err(e),
        }
    }
    for c in &chosen {
        problems.extend(check_values(catalog, &profile, c));
    }
    // Constraints between layers only mean something once every layer has a release.
    if problems.is_empty() {
        problems.extend(check_constraints(&profile, &chosen));
        problems.extend(check_cloud(&profile, &chosen));
    }
    if problems.is_empty() {
        Ok(Ok(Checked {
            profile,
            layers: chosen,
        }))
    } else {
        Ok(Err(problems))
    }
}

fn choose<'c>(
    catalog: &'c Catalog,
    profile: &Profile,
    layer: &Layer,
) -> Result<Result<Chosen<'c>, Vec<Diagnostic>>> {
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
    let release = match &layer.request {
        Request::Version(spec) => match releases.iter().rev().find(|r| spec.admits(&r.version)) {
            Some(r) => r.clone(),
            None => {
                return Ok(Err(vec![no_release(
                    profile, layer, spec, registry, &releases,
                )]));
            }
        },
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
                Some(r) => r,
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
    let pack = registry.pack(pack_name, &release)?;

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
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    Ok(Ok(Chosen {
        layer: layer.clone(),
        registry,
        release,
        pack,
    }))
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

/// Values in the layer and in `[defaults.<pack>]` name declared parameters of the right type;
/// required parameters have a value.
fn check_values(catalog: &Catalog, profile: &Profile, c: &Chosen) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let pack = &c.pack;
    let label = format!("{} {}", pack.name, pack.version);
    let params = || pack.params.keys().map(String::as_str);
    let mut values: Vec<_> = c.layer.values.iter().collect();
    values.sort_by_key(|(_, (_, span))| span.start);
    for (key, (value, key_span)) in values {
        match pack.params.get(key) {
            None => problems.push(
                Diagnostic::at(
                    &profile.source,
                    key_span.clone(),
                    format!("unknown parameter `{key}` for {label}"),
                )
                .with_hint_opt(suggest(key, params())),
            ),
            Some(spec) => {
                if let Err(why) = spec.check_value(value.get_ref()) {
                    problems.push(Diagnostic::at(
                        &profile.source,
                        value.span(),
                        format!("parameter `{key}` of {label}: {why}"),
                    ));
                }
            }
        }
    }
    let defaults = catalog
        .config
        .defaults
        .iter()
        .find(|(k, _)| k.get_ref() == &pack.name)
        .map(|(_, v)| v);
    if let Some(defaults) = defaults {
        for (key, value) in defaults {
            let msg = match pack.params.get(key.get_ref()) {
                None => Some((
                    key.span(),
                    format!("unknown parameter `{}` for {label}", key.get_ref()),
                    suggest(key.get_ref(), params()),
                )),
                Some(spec) => spec.check_value(value.get_ref()).err().map(|why| {
                    (
                        value.span(),
                        format!("parameter `{}` of {label}: {why}", key.get_ref()),
                        None,
                    )
                }),
            };
            if let Some((span, message, hint)) = msg {
                problems.push(
                    Diagnostic::at(&catalog.config_source, span, message).with_hint_opt(hint),
                );
            }
        }
    }
    for (name, spec) in &pack.params {
        let set = c.layer.values.contains_key(name)
            || defaults.is_some_and(|d| d.keys().any(|k| k.get_ref() == name));
        if spec.required && spec.default.is_none() && !set {
            problems.push(
                Diagnostic::at(
                    &profile.source,
                    c.layer.span.clone(),
                    format!("parameter `{name}` of {label} is required"),
                )
                .with_hint(format!(
                    "set it under `[layer.values]`: {}",
                    spec.description
                )),
            );
        }
    }
    problems
}

/// Every `requires` and `conflicts` of every chosen release holds in this profile.
fn check_constraints(profile: &Profile, chosen: &[Chosen]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let line_of = |l: &Layer| profile.source.text[..l.span.start].matches('\n').count() + 1;
    for c in chosen {
        let who = format!("{} {}", c.pack.name, c.pack.version);
        for req in &c.pack.requires {
            let target = chosen.iter().find(|o| match &req.target {
                Target::Layer(t) => o.layer.ty == *t,
                Target::Pack(p) => o.pack.name == *p,
            });
            match target {
                None if req.optional => {}
                // An add-on profile is applied on top of a cluster built from another
                // profile, so what it lacks may be there; what it has is still checked.
                None if profile.ty == ProfileType::AddOn => {}
                None => problems.push(
                    Diagnostic::at(
                        &profile.source,
                        c.layer.pack.span(),
                        format!("{who} requires {} {}, and the profile has none", req.target, req.text),
                    )
                    .with_hint("add a layer for it"),
                ),
                Some(t) if !req.spec.covers(&t.pack.version) => problems.push(
                    Diagnostic::at(
                        &profile.source,
                        t.layer.requested.span(),
                        format!(
                            "{who} (line {}) requires {} {}, but this layer asks for {} {} (newest: {})",
                            line_of(&c.layer),
                            t.pack.name,
                            req.text,
                            t.pack.name,
                            t.layer.requested.get_ref(),
                            t.pack.version
                        ),
                    )
                    .with_hint(format!("choose a {} release in `{}`, or another {} release", t.pack.name, req.text, c.pack.name)),
                ),
                Some(_) => {}
            }
        }
        for con in &c.pack.conflicts {
            for o in chosen.iter().filter(|o| !std::ptr::eq(*o, c)) {
                if Target::Pack(o.pack.name.clone()) == con.target
                    && con.spec.covers(&o.pack.version)
                {
                    let range = if con.text == "*" {
                        String::new()
                    } else {
                        format!(" {}", con.text)
                    };
                    problems.push(
                        Diagnostic::at(
                            &profile.source,
                            o.layer.pack.span(),
                            format!(
                                "{who} (line {}) conflicts with {}{range}",
                                line_of(&c.layer),
                                o.pack.name
                            ),
                        )
                        .with_hint(format!(
                            "a profile holds either `{}` or `{}`",
                            c.pack.name, o.pack.name
                        )),
                    );
                }
            }
        }
    }
    problems
}

/// The profile's cloud is one strata or a pack in use knows.
fn check_cloud(profile: &Profile, chosen: &[Chosen]) -> Vec<Diagnostic> {
    let cloud = profile.cloud.get_ref();
    let mut known: BTreeSet<&str> = KNOWN_CLOUDS.into_iter().collect();
    for c in chosen {
        known.extend(
            c.pack
                .clouds
                .iter()
                .map(String::as_str)
                .filter(|c| *c != "all"),
        );
    }
    if known.contains(cloud.as_str()) {
        return Vec::new();
    }
    vec![
        Diagnostic::at(
            &profile.source,
            profile.cloud.span(),
            format!("unknown cloud `{cloud}`"),
        )
        .with_hint_opt(suggest(cloud, known.iter().copied())),
    ]
}

/// `[defaults.<pack>]` names packs that exist somewhere.
pub fn check_defaults(catalog: &Catalog) -> Result<Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let mut all = None;
    for key in catalog.config.defaults.keys() {
        if catalog.registries.having(key.get_ref())?.is_empty() {
            let all = match &all {
                Some(a) => a,
                None => all.insert(catalog.registries.all_pack_names()?),
            };
            problems.push(
                Diagnostic::at(
                    &catalog.config_source,
                    key.span(),
                    format!("defaults for unknown pack `{}`", key.get_ref()),
                )
                .with_hint_opt(suggest(key.get_ref(), all.iter().map(String::as_str))),
            );
        }
    }
    Ok(problems)
}
