//! Rendering a profile from its lock, never re-resolving: each locked release is read
//! again at its locked revision and must still hash to its locked digest.

use std::collections::BTreeMap;

use super::values::Effective;
use super::{FileKind, Stack};
use crate::catalog::Catalog;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::lock::{Lock, integrity};
use crate::model::chart::Chart;
use crate::model::pack::Pack;
use crate::model::profile::{Layer, Profile};
use crate::model::variable::Bindings;
use crate::model::version::Version;

/// One rendered layer.
pub struct RenderedLayer {
    pub name: String,
    pub ty: crate::model::pack::LayerType,
    pub pack: String,
    pub version: Version,
    /// The registry it came from, and the spec the layer asked for.
    pub registry: String,
    pub requested: String,
    /// What kind of release it is (its registry's format).
    pub origin: PackOrigin,
    /// The charts the layer installs.
    pub charts: Vec<Chart>,
    pub files: BTreeMap<String, String>,
    /// What each file is (chart values, manifest, file).
    pub kinds: BTreeMap<String, FileKind>,
    pub values: BTreeMap<String, Effective>,
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

/// Renders the locked releases of a profile (all layers, or one).
pub fn render_locked(
    catalog: &Catalog,
    profile: &Profile,
    lock: &Lock,
    only: Option<&str>,
    bindings: &Bindings,
) -> Result<Vec<RenderedLayer>> {
    let mut problems = Vec::new();
    // Every locked release is read again (all of them: a layer's values may follow
    // another's through `default_from`), and must still be what was locked.
    let packs: Vec<_> = profile
        .layers
        .iter()
        .zip(locked_packs(catalog, lock)?)
        .collect();
    let layers: Vec<(&Layer, &Pack)> = packs.iter().map(|(l, p)| (*l, &**p)).collect();
    let stack = Stack::new(catalog, profile, &layers, bindings).map_err(Error::Catalog)?;
    let mut out = Vec::new();
    for (i, ((l, (layer, pack)), _)) in lock
        .layers
        .iter()
        .zip(&packs)
        .zip(&profile.layers)
        .enumerate()
    {
        if only.is_some_and(|o| o != l.name) {
            continue;
        }
        match stack.render(catalog, i, layer, pack) {
            Ok(r) => out.push(RenderedLayer {
                name: l.name.clone(),
                ty: l.ty,
                pack: l.pack.clone(),
                version: l.version.clone(),
                registry: l.registry.clone(),
                requested: l.requested.clone(),
                origin: PackOrigin::of(pack),
                charts: pack.charts.clone(),
                files: r.files,
                kinds: r.kinds,
                values: r.values,
            }),
            Err(mut d) => problems.append(&mut d),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Error::Catalog(problems))
    }
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
