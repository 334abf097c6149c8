//! The pack records of the site: every pack a profile locks, its releases as the cache
//! lists them, and the constraints, parameters and charts of the newest release in use.

use std::collections::BTreeMap;

use super::{ChartRecord, PackPage, ParamRecord, ProfilePage, UseRecord, pack_page};
use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::model::pack::{Constraint, Pack, Target};
use crate::model::version::Version;

/// Every (registry, pack) some profile's lock names, sorted.
pub fn all(catalog: &Catalog, profiles: &[ProfilePage]) -> Result<Vec<PackPage>> {
    let mut uses: BTreeMap<(String, String), Vec<UseRecord>> = BTreeMap::new();
    for p in profiles {
        for l in &p.layers {
            uses.entry((l.registry.clone(), l.pack.clone()))
                .or_default()
                .push(UseRecord {
                    profile: p.name.clone(),
                    profile_page: p.page.clone(),
                    layer: l.name.clone(),
                    version: l.version.clone(),
                });
        }
    }
    let mut out = Vec::new();
    for ((registry, pack), used_by) in uses {
        out.push(one(catalog, &registry, &pack, used_by)?);
    }
    Ok(out)
}

fn one(catalog: &Catalog, registry: &str, pack: &str, used_by: Vec<UseRecord>) -> Result<PackPage> {
    let newest_used = used_by
        .iter()
        .filter_map(|u| Version::parse(&u.version))
        .max()
        .map_or_else(String::new, |v| v.to_string());
    let mut page = PackPage {
        name: pack.to_string(),
        registry: registry.to_string(),
        page: pack_page(registry, pack),
        description: String::new(),
        layer: String::new(),
        version: newest_used.clone(),
        releases: Vec::new(),
        requires: Vec::new(),
        conflicts: Vec::new(),
        params: Vec::new(),
        charts: Vec::new(),
        used_by,
        problems: Vec::new(),
    };
    let Some(reg) = catalog.registries.get(registry) else {
        page.problems
            .push(format!("strata.toml has no registry `{registry}`"));
        return Ok(page);
    };
    let releases = match reg.releases(pack) {
        Ok(r) => r,
        Err(Error::Catalog(d)) => {
            page.problems.extend(d.iter().map(ToString::to_string));
            return Ok(page);
        }
        Err(e) => {
            page.problems.push(format!(
                "its releases are not in the cache ({e}); `strata fetch` reads them"
            ));
            return Ok(page);
        }
    };
    page.releases = releases
        .iter()
        .rev()
        .map(|r| r.version.to_string())
        .collect();
    let Some(release) = releases.iter().find(|r| r.version.as_str() == newest_used) else {
        page.problems.push(format!(
            "release {newest_used} is not among the releases the cache lists"
        ));
        return Ok(page);
    };
    match reg.pack(pack, release) {
        Ok(p) => describe(&mut page, &p),
        Err(Error::Catalog(d)) => page.problems.extend(d.iter().map(ToString::to_string)),
        Err(e) => page
            .problems
            .push(format!("release {newest_used} cannot be read: {e}")),
    }
    Ok(page)
}

/// What a release says of itself.
fn describe(page: &mut PackPage, pack: &Pack) {
    let constraint = |c: &Constraint| {
        let target = match &c.target {
            Target::Layer(t) => format!("layer {t}"),
            Target::Pack(p) => p.clone(),
        };
        let optional = if c.optional { " (if present)" } else { "" };
        format!("{target} {}{optional}", c.text)
    };
    page.description = pack.description.clone();
    page.layer = if pack.any_layer {
        "any".to_string()
    } else {
        pack.layer.to_string()
    };
    page.requires = pack.requires.iter().map(constraint).collect();
    page.conflicts = pack.conflicts.iter().map(constraint).collect();
    page.params = pack
        .params
        .iter()
        .map(|(name, spec)| ParamRecord {
            name: name.clone(),
            ty: spec.ty.get_ref().as_str().to_string(),
            default: spec.default.as_ref().map(|d| d.get_ref().to_string()),
            required: spec.required,
            description: spec.description.clone(),
        })
        .collect();
    page.charts = pack
        .charts
        .iter()
        .map(|c| ChartRecord::of((&c.name, &c.repo, &c.version), None))
        .collect();
}
