//! The profile records of the site: each profile's lock as it stands, its layers with their
//! freshness against the releases the cache knows, and every effective value with where it
//! came from, rendered from the lock (never re-resolved).

use std::collections::{BTreeMap, BTreeSet};

use super::history::History;
use super::{
    ChartRecord, Freshness, LayerRecord, Link, ProfilePage, ValueRecord, pack_page, page_of,
};
use crate::catalog::{Catalog, ProfileEntry};
use crate::error::{Error, Result};
use crate::lock::current::{lock_of, readable_lock};
use crate::lock::render::{RenderedLayer, render_locked};
use crate::lockfile::{Lock, LockedLayer};
use crate::model::variable::bind;
use crate::model::version::{Version, VersionSpec};
use crate::profile::Profile;
use crate::render::effective::Effective;

/// Every profile of the catalog, in catalog order (one that does not parse is a page that
/// shows why), and the names of the sensitive variables any of them declares.
pub fn all(
    catalog: &Catalog,
    history: &mut History,
) -> Result<(Vec<ProfilePage>, BTreeSet<String>)> {
    let loaded = catalog.load_profiles(&[])?;
    let sensitive = crate::catalog::sensitive_variables(&loaded);
    let names: BTreeMap<String, String> = loaded
        .iter()
        .filter_map(|(_, p)| p.as_ref().ok())
        .map(|p| (p.name.clone(), page_of(&p.name)))
        .collect();
    let mut pages = Vec::new();
    for (entry, parsed) in loaded {
        let page = match parsed {
            Ok(profile) => {
                let mut page = one(catalog, &entry, &profile, &names)?;
                page.releases = history.releases(&profile.name)?;
                page.newest_release = history.newest(&profile.name).map(ToString::to_string);
                page
            }
            Err(problems) => ProfilePage {
                name: entry.folder_name.clone(),
                page: page_of(&entry.folder_name),
                file: entry.file(),
                description: String::new(),
                cloud: String::new(),
                ty: String::new(),
                tags: Vec::new(),
                bases: Vec::new(),
                lock: "invalid",
                problems: problems.iter().map(ToString::to_string).collect(),
                layers: Vec::new(),
                releases: Vec::new(),
                newest_release: None,
                clusters: Vec::new(),
            },
        };
        pages.push(page);
    }
    Ok((pages, sensitive))
}

/// One valid profile's record (its releases are added by the caller).
fn one(
    catalog: &Catalog,
    entry: &ProfileEntry,
    profile: &Profile,
    names: &BTreeMap<String, String>,
) -> Result<ProfilePage> {
    let mut problems = Vec::new();
    let (lock, state) = match lock_of(catalog, entry, profile) {
        Ok(lock) => (Some(lock), "current"),
        Err(Error::Catalog(d)) => {
            problems.extend(d.iter().map(ToString::to_string));
            let old = readable_lock(catalog, entry, &profile.name)?;
            let state = if old.is_some() { "stale" } else { "missing" };
            (old, state)
        }
        Err(e) => return Err(e),
    };
    let rendered = match (&lock, state) {
        (Some(lock), "current") => match values(catalog, profile, lock) {
            Ok(r) => r,
            Err(Error::Catalog(d)) => {
                problems.extend(d.iter().map(ToString::to_string));
                Vec::new()
            }
            Err(e) => return Err(e),
        },
        _ => Vec::new(),
    };
    let layers = lock.as_ref().map_or_else(Vec::new, |lock| {
        lock.layers
            .iter()
            .enumerate()
            .map(|(i, l)| layer(catalog, l, rendered.get(i)))
            .collect()
    });
    Ok(ProfilePage {
        name: profile.name.clone(),
        page: page_of(&profile.name),
        file: profile.file().to_string(),
        description: profile.description.clone(),
        cloud: profile.cloud.get_ref().clone(),
        ty: profile.ty.as_str().to_string(),
        tags: profile.tags.clone(),
        bases: profile
            .bases
            .iter()
            .map(|(name, _)| Link {
                name: name.clone(),
                page: names.get(name).cloned().unwrap_or_else(|| page_of(name)),
            })
            .collect(),
        lock: state,
        problems,
        layers,
        releases: Vec::new(),
        newest_release: None,
        clusters: Vec::new(),
    })
}

/// The layers of a current lock rendered, with the profile's variables bound to their
/// defaults only (a variable without one shows as its placeholder).
fn values(catalog: &Catalog, profile: &Profile, lock: &Lock) -> Result<Vec<RenderedLayer>> {
    let bindings = bind(&profile.variables, None, &[], &|_| None).map_err(Error::Catalog)?;
    render_locked(catalog, profile, lock, None, &bindings)
}

fn layer(catalog: &Catalog, l: &LockedLayer, rendered: Option<&RenderedLayer>) -> LayerRecord {
    let charts = match rendered {
        Some(r) if l.charts.is_empty() => r
            .charts
            .iter()
            .map(|c| {
                let digest = r.chart_digests.get(&c.name).cloned();
                ChartRecord::of((&c.name, &c.repo, &c.version), digest)
            })
            .collect(),
        _ => l
            .charts
            .iter()
            .map(|c| ChartRecord::of((&c.name, &c.repo, &c.version), Some(c.digest.clone())))
            .collect(),
    };
    LayerRecord {
        name: l.name.clone(),
        ty: l.ty.as_str().to_string(),
        pack: l.pack.clone(),
        pack_page: pack_page(&l.registry, &l.pack),
        registry: l.registry.clone(),
        requested: l.requested.clone(),
        version: l.version.to_string(),
        tag: l.tag.clone(),
        commit: l.commit.clone(),
        digest: l.digest.clone(),
        signer: l.signer.clone(),
        charts,
        freshness: freshness(catalog, l),
        values: rendered.map_or_else(Vec::new, |r| {
            r.values.iter().map(|(k, e)| value(k, e)).collect()
        }),
    }
}

/// A value as `strata explain` shows it.
fn value(name: &str, e: &Effective) -> ValueRecord {
    let value = e.explained();
    let origin = match &e.var {
        Some(var) => match &var.bound {
            Some(b) => format!("{}, variable {} bound at {b}", e.origin, var.name),
            None => format!("{}, variable {} (unbound)", e.origin, var.name),
        },
        None => e.origin.to_string(),
    };
    ValueRecord {
        name: name.to_string(),
        value,
        origin,
    }
}

/// The locked release against the releases its registry lists in the cache.
fn freshness(catalog: &Catalog, l: &LockedLayer) -> Freshness {
    let unknown = Freshness {
        status: "unknown",
        newest_in_train: None,
        newest: None,
    };
    let Some(registry) = catalog.registries.get(&l.registry) else {
        return unknown;
    };
    let Ok(releases) = registry.releases(&l.pack) else {
        return unknown;
    };
    let spec = VersionSpec::parse(&l.requested).ok();
    let stable = |v: &&Version| !v.is_prerelease() || l.version.is_prerelease();
    let versions: Vec<&Version> = releases.iter().map(|r| &r.version).filter(stable).collect();
    let newest = versions.iter().copied().max();
    let newest_in_train = versions
        .iter()
        .copied()
        .filter(|v| spec.as_ref().is_none_or(|s| s.admits(v)))
        .max();
    let status = match (newest_in_train, newest) {
        (Some(t), _) if *t > l.version => "behind",
        (_, Some(n)) if *n > l.version => "newer-train",
        (None, None) => return unknown,
        _ => "current",
    };
    Freshness {
        status,
        newest_in_train: newest_in_train.map(ToString::to_string),
        newest: newest.map(ToString::to_string),
    }
}
