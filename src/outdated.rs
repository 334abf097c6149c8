//! What is behind: per layer of each profile, its locked release against the newest in its
//! train and the newest overall (`strata outdated`); per cluster, each pinned profile
//! release against the newest release of that profile (`strata outdated --clusters`).

use serde::Serialize;

use crate::catalog::Catalog;
use crate::check::{Checked, check_with};
use crate::error::{Error, Result, problems as split};
use crate::lock::current::readable_lock;
use crate::model::pack::LayerType;
use crate::model::version::Version;
use crate::resolve::{Preferences, gather, unfit, why_not};

// One layer: its locked release, the newest in its train, the newest overall.
#[derive(Serialize, schemars::JsonSchema)]
pub struct Row {
    pub profile: String,
    pub layer: String,
    pub pack: String,
    pub requested: String,
    pub locked: String,
    pub newest_in_train: String,
    pub newest: String,
    /// `major` when the newest release is another major version; `skips-minor` when a
    /// Kubernetes layer would skip a minor version to reach it (upgrade one minor at a time).
    pub flags: Vec<&'static str>,
    /// Why the layer is not at the newest release of its train: a constraint of the release
    /// or of another layer, or the lock keeping its release.
    pub held_back: Option<String>,
}

impl Row {
    /// Whether the layer is behind its train or the newest release, or a newer release
    /// exists that `lock` refuses (not signed by a listed key).
    pub fn is_behind(&self) -> bool {
        self.locked != self.newest_in_train
            || self.locked != self.newest
            || self.flags.contains(&"refused-newer")
    }
}

// One pinned profile release behind the newest release of its profile.
#[derive(Serialize, schemars::JsonSchema)]
pub struct ClusterRow {
    pub cluster: String,
    pub profile: String,
    pub pinned: String,
    pub newest: String,
}

/// Every layer of the named profiles (all when none is named), each resolved with the
/// releases its lock would keep; and how many profiles were read.
pub fn layers(catalog: &Catalog, names: &[String]) -> Result<(Vec<Row>, usize)> {
    let mut rows = Vec::new();
    let (valid, mut problems) = catalog.valid_profiles(names)?;
    let mut profiles = 0;
    for (entry, profile) in valid {
        let lock = match split(readable_lock(catalog, &entry, &profile.name))? {
            Ok(l) => l,
            Err(mut d) => {
                problems.append(&mut d);
                continue;
            }
        };
        let prefs = Preferences {
            lock: lock.as_ref(),
            ..Preferences::default()
        };
        profiles += 1;
        let checked: Checked = match check_with(catalog, profile, &prefs)? {
            Ok(c) => c,
            Err(mut d) => {
                problems.append(&mut d);
                continue;
            }
        };
        for index in 0..checked.layers.len() {
            rows.push(row(catalog, &checked, index)?);
        }
    }
    if !problems.is_empty() {
        return Err(Error::Catalog(problems));
    }
    Ok((rows, profiles))
}

/// A layer's row: the newest release of its train and overall, the flags, and what holds
/// it back.
fn row(catalog: &Catalog, checked: &Checked, index: usize) -> Result<Row> {
    let c = &checked.layers[index];
    let layer = &checked.profile.layers[index];
    let (registry, train) = gather(catalog, layer)?.map_err(Error::Catalog)?;
    let held_back = match train.first() {
        Some(newest) if newest.version > c.pack.version => 'held: {
            // A broken newest release holds the layer back too; it fails no listing.
            let pack = match registry.pack(layer.pack.get_ref(), newest) {
                Ok(p) => p,
                Err(Error::Catalog(d)) => {
                    let why = d.first().map_or("", |d| d.message.as_str());
                    break 'held Some(format!(
                        "{} {} cannot be read: {why}",
                        layer.pack.get_ref(),
                        newest.version
                    ));
                }
                Err(e) => return Err(e),
            };
            let unfit = unfit(catalog, &checked.profile, layer, &pack)?;
            Some(match unfit.first() {
                Some(d) => format!("{} {}: {}", pack.name, pack.version, d.message),
                None => match why_not(&checked.profile, &checked.layers, index, &pack) {
                    Some(why) => format!("{} {}: {why}", pack.name, pack.version),
                    None => format!(
                        "the lock keeps {}; `strata update --pack {}` moves to {}",
                        c.pack.version, c.pack.name, pack.version
                    ),
                },
            })
        }
        _ => None,
    };
    let newest_in_train = train
        .first()
        .map_or(c.pack.version.clone(), |r| r.version.clone());
    let all = registry.releases(layer.pack.get_ref())?;
    // The newest stable release a listed key signed (a registry with signers); a newer one
    // that is refused is flagged.
    let mut newest = None;
    let mut refused_newer = false;
    for r in all.iter().rev().filter(|r| !r.version.is_prerelease()) {
        match registry.signature(r)? {
            Some(crate::trust::Verdict::Refused(_)) => refused_newer = true,
            _ => {
                newest = Some(r.version.clone());
                break;
            }
        }
    }
    let newest: Version = newest.unwrap_or(newest_in_train.clone());
    let locked = &c.pack.version;
    let mut flags = Vec::new();
    if refused_newer {
        flags.push("refused-newer");
    }
    if newest.major() > locked.major() {
        flags.push("major");
    }
    if layer.ty == LayerType::Kubernetes
        && newest.major() == locked.major()
        && newest.minor() > locked.minor() + 1
    {
        flags.push("skips-minor");
    }
    Ok(Row {
        profile: checked.profile.name.clone(),
        layer: layer.name.clone(),
        pack: c.pack.name.clone(),
        requested: layer.requested.get_ref().clone(),
        locked: locked.to_string(),
        newest_in_train: newest_in_train.to_string(),
        newest: newest.to_string(),
        flags,
        held_back,
    })
}

/// Every pinned profile release (the infra profile and each add-on profile) behind the
/// newest release tag of its profile; and how many clusters were read.
pub fn clusters(catalog: &Catalog) -> Result<(Vec<ClusterRow>, usize)> {
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut total = 0;
    let released = crate::cluster::all_releases(catalog);
    for (_, parsed) in crate::cluster::load_clusters(catalog)? {
        let c = match parsed {
            Ok(c) => c,
            Err(mut d) => {
                problems.append(&mut d);
                continue;
            }
        };
        total += 1;
        for r in std::iter::once(&c.profile).chain(&c.addons) {
            let Some((_, pinned)) = &r.version else {
                continue;
            };
            let newest = released
                .get(r.profile.get_ref())
                .into_iter()
                .flatten()
                .rev()
                .find(|v| !v.is_prerelease());
            if let Some(newest) = newest.filter(|n| *n > pinned) {
                rows.push(ClusterRow {
                    cluster: c.name.clone(),
                    profile: r.profile.get_ref().clone(),
                    pinned: pinned.to_string(),
                    newest: newest.to_string(),
                });
            }
        }
    }
    if !problems.is_empty() {
        return Err(Error::Catalog(problems));
    }
    Ok((rows, total))
}
