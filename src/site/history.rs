//! What releases changed: each profile release against the one before, and each cluster's
//! pins against their profiles' newest releases, compared as `strata diff` compares two
//! revisions (each revision's catalog opened once per run).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{
    ClusterPage, PinRecord, ProfilePage, ReleaseRecord, VariableRecord, cluster_page as page,
    page_of,
};
use crate::catalog::Catalog;
use crate::cluster::{Cluster, release_tag};
use crate::error::Result;
use crate::model::version::Version;
use crate::registry::Settings;

/// Every profile's releases (read from the tags once) and the catalog at each revision
/// asked for, opened once.
pub struct History<'a> {
    catalog: &'a Catalog,
    settings: &'a Settings,
    released: BTreeMap<String, Vec<Version>>,
    at: HashMap<String, std::result::Result<Catalog, String>>,
}

impl<'a> History<'a> {
    pub fn new(catalog: &'a Catalog, settings: &'a Settings) -> History<'a> {
        History {
            catalog,
            settings,
            released: crate::cluster::all_releases(catalog),
            at: HashMap::new(),
        }
    }

    /// A profile's released versions, oldest first.
    pub fn versions(&self, profile: &str) -> &[Version] {
        self.released.get(profile).map_or(&[], Vec::as_slice)
    }

    /// A profile's newest stable release.
    pub fn newest(&self, profile: &str) -> Option<&Version> {
        self.versions(profile)
            .iter()
            .rev()
            .find(|v| !v.is_prerelease())
    }

    /// A profile's releases, newest first, each with what it changed against the one
    /// before.
    pub fn releases(&mut self, profile: &str) -> Result<Vec<ReleaseRecord>> {
        let versions = self.versions(profile).to_vec();
        let mut out = Vec::new();
        for (i, v) in versions.iter().enumerate() {
            let tag = release_tag(profile, v);
            let (changes, note) = match i.checked_sub(1).map(|p| &versions[p]) {
                None => (Vec::new(), None),
                Some(before) => match self.changes(profile, &release_tag(profile, before), &tag) {
                    Ok(c) => (c, None),
                    Err(why) => (Vec::new(), Some(why)),
                },
            };
            out.push(ReleaseRecord {
                version: v.to_string(),
                tag,
                changes,
                note,
            });
        }
        out.reverse();
        Ok(out)
    }

    fn open(&mut self, rev: &str) {
        if !self.at.contains_key(rev) {
            let opened = Catalog::open_at(&self.catalog.root, rev, self.settings)
                .map_err(|e| format!("`{rev}` cannot be read: {e}"));
            self.at.insert(rev.to_string(), opened);
        }
    }

    /// What `profile` changed between two revisions: one line per layer change and value
    /// (as `strata diff` prints them, without the files' diffs); the reason when a side
    /// cannot be read.
    pub fn changes(
        &mut self,
        profile: &str,
        from: &str,
        to: &str,
    ) -> std::result::Result<Vec<String>, String> {
        self.open(from);
        self.open(to);
        let (Some(base), Some(head)) = (self.at.get(from), self.at.get(to)) else {
            return Err("the revisions could not be opened".to_string());
        };
        let (base, head) = (base.as_ref()?, head.as_ref()?);
        let quick = (
            crate::review::side::one_profile(base, profile).map_err(|e| e.to_string())?,
            crate::review::side::one_profile(head, profile).map_err(|e| e.to_string())?,
        );
        let (notes, layers) = match quick {
            // The profile and its bases in folders of their names: read only them.
            (Some(b), Some(h)) => {
                let notes = [(from, &b), (to, &h)]
                    .into_iter()
                    .filter_map(|(rev, s)| Some(format!("at {rev}: {}", s.note.as_ref()?)))
                    .collect();
                (
                    notes,
                    crate::review::layers::layers_between(&b.layers, &h.layers),
                )
            }
            // Anything else: the review of the whole catalog says it.
            _ => {
                let (b, h, _) =
                    crate::review::sides(Some(base), head).map_err(|e| e.to_string())?;
                let diff = crate::review::diff(from, to, &b, &h);
                match diff.profiles.into_iter().find(|p| p.name == profile) {
                    Some(p) => (p.notes, p.layers),
                    None => (Vec::new(), Vec::new()),
                }
            }
        };
        let mut lines: Vec<String> = notes;
        for l in &layers {
            lines.extend(
                crate::review::layers::summary(l)
                    .lines()
                    .map(str::to_string),
            );
        }
        Ok(lines)
    }
}

/// Every cluster's record; each pinned profile's page learns which clusters pin it.
pub fn clusters(
    loaded: &[crate::cluster::LoadedCluster],
    profiles: &mut [ProfilePage],
    sensitive: &BTreeSet<String>,
    history: &mut History,
) -> Result<Vec<ClusterPage>> {
    let mut out = Vec::new();
    for (file, parsed) in loaded {
        let cluster = match parsed {
            Ok(c) => c,
            Err(problems) => {
                let folder = file.rsplit('/').nth(1).unwrap_or(file).to_string();
                out.push(ClusterPage {
                    page: page(&folder),
                    name: folder,
                    file: file.clone(),
                    description: String::new(),
                    tags: Vec::new(),
                    pins: Vec::new(),
                    variables: Vec::new(),
                    problems: problems.iter().map(ToString::to_string).collect(),
                    upgrade: Vec::new(),
                });
                continue;
            }
        };
        let record = one(cluster, sensitive, history);
        for pin in &record.pins {
            if let Some(p) = profiles.iter_mut().find(|p| p.name == pin.profile) {
                p.clusters.push(pin.clone());
            }
        }
        out.push(record);
    }
    Ok(out)
}

fn one(cluster: &Cluster, sensitive: &BTreeSet<String>, history: &mut History) -> ClusterPage {
    let mut pins = Vec::new();
    let mut upgrade = Vec::new();
    for r in std::iter::once(&cluster.profile).chain(&cluster.addons) {
        let profile = r.profile.get_ref();
        let newest = history.newest(profile).cloned();
        let pinned: Option<&Version> = r.version.as_ref().map(|(_, v)| v);
        let newer = match (pinned, &newest) {
            (Some(p), Some(n)) if n > p => Some(n.clone()),
            _ => None,
        };
        if let (Some(p), Some(n)) = (pinned, &newer) {
            let (from, to) = (release_tag(profile, p), release_tag(profile, n));
            upgrade.push(format!("{profile} {p} -> {n}"));
            match history.changes(profile, &from, &to) {
                Ok(lines) => upgrade.extend(lines.into_iter().map(|l| format!("  {l}"))),
                Err(why) => upgrade.push(format!("  note: {why}")),
            }
        }
        pins.push(PinRecord {
            cluster: cluster.name.clone(),
            cluster_page: page(&cluster.name),
            profile: profile.clone(),
            profile_page: page_of(profile),
            version: pinned.map(ToString::to_string),
            newer: newer.map(|n| n.to_string()),
        });
    }
    ClusterPage {
        name: cluster.name.clone(),
        page: page(&cluster.name),
        file: cluster.file().to_string(),
        description: cluster.description.clone(),
        tags: cluster.tags.iter().map(|t| t.get_ref().clone()).collect(),
        pins,
        variables: cluster
            .variables
            .iter()
            .map(|(k, v)| VariableRecord {
                name: k.get_ref().clone(),
                value: if sensitive.contains(k.get_ref()) {
                    "(sensitive)".to_string()
                } else {
                    v.get_ref().to_string()
                },
            })
            .collect(),
        problems: Vec::new(),
        upgrade,
    }
}
