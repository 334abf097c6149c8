//! Rendering a profile from its lock, never re-resolving: each locked release is read
//! again at its locked revision and must still hash to its locked digest.

use std::collections::BTreeMap;

use super::why::current_lock;
use crate::catalog::Catalog;
use crate::diagnostic::{Diagnostic, Source, suggest};
use crate::error::{Error, Result};
use crate::lockfile::{Lock, LockedLayer, integrity};
use crate::model::chart::Chart;
use crate::model::pack::Pack;
use crate::model::variable::{self, Bindings, bind};
use crate::model::version::Version;
use crate::profile::{Layer, Profile};
use crate::render::effective::Effective;
use crate::render::{FileKind, Rendered, Stack};

/// One rendered layer.
pub struct RenderedLayer {
    pub name: String,
    pub ty: crate::model::pack::LayerType,
    pub pack: String,
    pub version: Version,
    /// The registry it came from, and the spec the layer asked for.
    pub registry: String,
    pub requested: String,
    /// The locked commit (git registries) and content digest of the release.
    pub commit: Option<String>,
    pub digest: String,
    /// What kind of release it is (its registry's format).
    pub origin: PackOrigin,
    /// The charts the layer installs.
    pub charts: Vec<Chart>,
    /// The digest each chart was locked at, by chart name (`lock_charts`; a chart of a chart
    /// registry is the layer's own `digest`).
    pub chart_digests: BTreeMap<String, String>,
    pub files: BTreeMap<String, String>,
    /// What each file is (chart values, manifest, file).
    pub kinds: BTreeMap<String, FileKind>,
    pub values: BTreeMap<String, Effective>,
    /// The files that show something of a secret, as they may be shown (see
    /// [`crate::render::taint`]).
    pub masked: BTreeMap<String, String>,
}

impl RenderedLayer {
    /// A layer rendered with `pack`, described by its lock entry when it has one.
    fn new(layer: &Layer, pack: &Pack, locked: Option<&LockedLayer>, r: Rendered) -> Self {
        let from_pack = || {
            (
                layer.name.clone(),
                layer.ty,
                pack.name.clone(),
                pack.version.clone(),
                String::new(),
                layer.requested.get_ref().clone(),
            )
        };
        let (name, ty, pack_name, version, registry, requested) = match locked {
            Some(l) => (
                l.name.clone(),
                l.ty,
                l.pack.clone(),
                l.version.clone(),
                l.registry.clone(),
                l.requested.clone(),
            ),
            None => from_pack(),
        };
        RenderedLayer {
            name,
            ty,
            pack: pack_name,
            version,
            registry,
            requested,
            commit: locked.and_then(|l| l.commit.clone()),
            digest: locked.map_or_else(|| pack.digest.clone(), |l| l.digest.clone()),
            origin: PackOrigin::of(pack),
            chart_digests: locked
                .map(|l| {
                    l.charts
                        .iter()
                        .map(|c| (c.name.clone(), c.digest.clone()))
                        .collect()
                })
                .unwrap_or_default(),
            charts: pack.charts.clone(),
            files: r.files,
            kinds: r.kinds,
            values: r.values,
            masked: BTreeMap::new(),
        }
    }

    /// A file as it may be shown: with every line that depends on a secret masked.
    pub fn shown<'a>(&'a self, file: &str, content: &'a str) -> &'a str {
        self.masked.get(file).map_or(content, String::as_str)
    }

    /// Every file as it may be shown.
    pub fn shown_files(&self) -> BTreeMap<String, String> {
        self.files
            .iter()
            .map(|(f, c)| (f.clone(), self.shown(f, c).to_string()))
            .collect()
    }

    /// The layer's values document: its first chart values file, else its one file that is
    /// not a manifest.
    pub fn values_file(&self) -> Option<(&String, &String)> {
        let kind = |f: &String| self.kinds.get(f);
        self.files
            .iter()
            .find(|(f, _)| matches!(kind(f), Some(FileKind::Values { .. })))
            .or_else(|| {
                let mut others = self
                    .files
                    .iter()
                    .filter(|(f, _)| kind(f) != Some(&FileKind::Manifest));
                match (others.next(), others.next()) {
                    (Some(one), None) => Some(one),
                    _ => None,
                }
            })
    }
}

/// The format a release was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackOrigin {
    Strata,
    Palette,
    Helm,
}

impl PackOrigin {
    pub fn of(pack: &Pack) -> PackOrigin {
        match (&pack.document, pack.any_layer) {
            (None, _) => PackOrigin::Strata,
            (Some(_), true) => PackOrigin::Helm,
            (Some(_), false) => PackOrigin::Palette,
        }
    }
}

/// A profile rendered from its lock, as `strata render` shows it.
pub struct RenderedProfile {
    pub profile: Profile,
    /// The current lock it was rendered from.
    pub lock: crate::lockfile::Lock,
    pub layers: Vec<RenderedLayer>,
    /// The sensitive variables' values, to mask wherever the files are shown.
    pub secrets: Vec<String>,
}

/// Renders a profile from its current lock (all layers, or one): its variables bound
/// (defaults < `flags` `NAME=VALUE` < `env` for `STRATA_VAR_<NAME>`), and every variable a
/// layer uses given a value.
pub fn render_profile(
    catalog: &Catalog,
    name: &str,
    only: Option<&str>,
    flags: &[String],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<RenderedProfile> {
    let (profile, lock) = current_lock(catalog, name)?;
    render_with_lock(catalog, (profile, lock), only, flags, env)
}

/// [`render_profile`] of a profile already loaded, with its current lock.
pub fn render_with_lock(
    catalog: &Catalog,
    (profile, lock): (Profile, Lock),
    only: Option<&str>,
    flags: &[String],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<RenderedProfile> {
    if let Some(l) = only
        && lock.layer(l).is_none()
    {
        return Err(Error::usage_hint(
            format!("profile `{}` has no layer `{l}`", profile.name),
            suggest(l, lock.layers.iter().map(|l| l.name.as_str())),
        ));
    }
    let bindings = bind(&profile.variables, None, flags, env).map_err(Error::Catalog)?;
    let missing = variable::missing(
        &profile.variables,
        &profile.used_variables(),
        &bindings,
        &|v, msg| Diagnostic::at(&v.source, v.span.clone(), msg),
    );
    if !missing.is_empty() {
        return Err(Error::Catalog(missing));
    }
    let secrets = variable::secrets(&profile.variables, &bindings);
    let layers = render_locked(catalog, &profile, &lock, only, &bindings)?;
    Ok(RenderedProfile {
        profile,
        lock,
        layers,
        secrets,
    })
}

/// Every text to mask where rendered layers are shown: the sensitive variables' values and
/// the packs' own secrets (Palette passwords), longest first, so a secret that holds
/// another is masked whole.
pub fn all_secrets<'a>(
    variables: &[String],
    layers: impl IntoIterator<Item = &'a RenderedLayer>,
) -> Vec<String> {
    let mut secrets = variables.to_vec();
    for l in layers {
        secrets.extend(crate::render::merged::secrets(&l.values));
    }
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.dedup();
    secrets
}

/// Renders the locked releases of a profile (all layers, or one).
pub fn render_locked(
    catalog: &Catalog,
    profile: &Profile,
    lock: &Lock,
    only: Option<&str>,
    bindings: &Bindings,
) -> Result<Vec<RenderedLayer>> {
    // Every locked release is read again (all of them: a layer's values may follow
    // another's through `default_from`), and must still be what was locked.
    let packs = locked_packs(catalog, lock)?;
    let layers: Vec<(&Layer, &Pack, Option<&LockedLayer>)> = profile
        .layers
        .iter()
        .zip(&packs)
        .zip(&lock.layers)
        .map(|((layer, pack), l)| (layer, &**pack, Some(l)))
        .collect();
    render_layers(catalog, profile, &layers, bindings, &[], only).map_err(Error::Catalog)
}

/// Renders a stack whose releases are chosen (a profile's, or a cluster's combined one):
/// each layer with its release and its lock entry (`None` for a cluster layer its lock
/// lacks); only the layer named `only` when one is. `sources` are further files the
/// values came from, for messages. The one render loop of profiles and clusters.
pub fn render_layers(
    catalog: &Catalog,
    profile: &Profile,
    layers: &[(&Layer, &Pack, Option<&LockedLayer>)],
    bindings: &Bindings,
    sources: &[Source],
    only: Option<&str>,
) -> std::result::Result<Vec<RenderedLayer>, Vec<Diagnostic>> {
    let pairs: Vec<(&Layer, &Pack)> = layers.iter().map(|(l, p, _)| (*l, *p)).collect();
    let mut stack = Stack::new(catalog, profile, &pairs, bindings)?;
    stack.sources.extend(sources.iter().cloned());
    // With secrets in the stack, each layer is rendered again with decoys, to find what its
    // files show of them.
    let decoy = stack
        .has_secrets()
        .then(|| stack.decoy(catalog, profile, &pairs).ok());
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for (i, (layer, pack, locked)) in layers.iter().enumerate() {
        if only.is_some_and(|o| o != layer.name) {
            continue;
        }
        match stack.render(catalog, i, layer, pack) {
            Ok(r) => {
                let mut rendered = RenderedLayer::new(layer, pack, *locked, r);
                if let Some(decoy) = &decoy {
                    let files = decoy
                        .as_ref()
                        .and_then(|d| d.render(catalog, i, layer, pack).ok())
                        .map(|r| r.files);
                    rendered.masked = masked_files(&rendered.files, files.as_ref());
                }
                out.push(rendered);
            }
            Err(mut d) => problems.append(&mut d),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// What each file may show, given the same layer rendered with decoys (`None`: the decoys
/// did not render, so every file is taken to depend on a secret).
fn masked_files(
    files: &BTreeMap<String, String>,
    decoy: Option<&BTreeMap<String, String>>,
) -> BTreeMap<String, String> {
    files
        .iter()
        .filter_map(|(name, real)| {
            let shown = match decoy.map(|d| d.get(name)) {
                Some(Some(other)) => crate::render::taint::masked(real, other)?,
                _ => crate::render::taint::whole(),
            };
            Some((name.clone(), shown))
        })
        .collect()
}

/// The locked release of every layer of a lock, read again from its registry; a release
/// whose content no longer hashes to its locked digest is a problem.
pub fn locked_packs(catalog: &Catalog, lock: &Lock) -> Result<Vec<std::sync::Arc<Pack>>> {
    let mut problems = Vec::new();
    let mut packs = Vec::new();
    for l in &lock.layers {
        let registry = catalog.registries.get(&l.registry).ok_or_else(|| {
            Error::usage(format!("registry `{}` is not in strata.toml", l.registry))
        })?;
        let pack = registry.pack(&l.pack, &l.release())?;
        if let Some(m) = integrity::check(l, None, Some(&pack.digest)) {
            problems.push(Diagnostic::plain(m.message(l, true)).with_hint(integrity::hint(l)));
        }
        packs.push(pack);
    }
    if problems.is_empty() {
        Ok(packs)
    } else {
        Err(Error::Catalog(problems))
    }
}
