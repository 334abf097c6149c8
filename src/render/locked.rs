//! Rendering a profile from its lock, never re-resolving: each locked release is read
//! again at its locked revision and must still hash to its locked digest.

use std::collections::BTreeMap;

use super::values::Effective;
use super::{LayerInfo, Stack};
use crate::catalog::Catalog;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::lock::{Lock, integrity};
use crate::model::profile::Profile;
use crate::model::version::Version;

/// One rendered layer.
pub struct RenderedLayer {
    pub name: String,
    pub pack: String,
    pub version: Version,
    pub files: BTreeMap<String, String>,
    pub values: BTreeMap<String, Effective>,
}

/// Renders the locked releases of a profile (all layers, or one).
pub fn render_locked(
    catalog: &Catalog,
    profile: &Profile,
    lock: &Lock,
    only: Option<&str>,
) -> Result<Vec<RenderedLayer>> {
    let stack = Stack::new(
        profile,
        lock.layers
            .iter()
            .map(|l| LayerInfo::new(&l.name, l.ty, &l.pack, &l.version)),
    );
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (l, layer) in lock.layers.iter().zip(&profile.layers) {
        if only.is_some_and(|o| o != l.name) {
            continue;
        }
        let registry = catalog.registries.get(&l.registry).ok_or_else(|| {
            Error::usage(format!("registry `{}` is not in strata.toml", l.registry))
        })?;
        let pack = registry.pack(&l.pack, &l.release())?;
        if let Some(m) = integrity::check(l, None, Some(&pack.digest)) {
            problems.push(Diagnostic::plain(m.message(l, true)).with_hint(integrity::hint(l)));
            continue;
        }
        match stack.render(catalog, profile, layer, &pack) {
            Ok(r) => out.push(RenderedLayer {
                name: l.name.clone(),
                pack: l.pack.clone(),
                version: l.version.clone(),
                files: r.files,
                values: r.values,
            }),
            Err(d) => problems.push(d),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Error::Catalog(problems))
    }
}
