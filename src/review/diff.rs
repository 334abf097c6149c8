//! The review model: what changed between two sides, profile by profile and layer by
//! layer (see [`super::layers`]), and the clusters. JSON output serializes it as it is
//! (`schema_version` 1); [`super::text`] and [`super::markdown`] print it.

use std::collections::BTreeSet;

use serde::Serialize;

use super::clusters::ClusterDiff;
use super::layers::{LayerDiff, layers_between};
use super::side::Side;
use super::status::Status;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Diff {
    pub schema_version: u32,
    pub base: String,
    pub head: String,
    pub profiles: Vec<ProfileDiff>,
    /// Profiles present and identical at both sides.
    pub unchanged: usize,
    /// Clusters added, removed, or whose pinned releases, variables or tags changed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub clusters: Vec<ClusterDiff>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.profiles.is_empty() && self.clusters.is_empty()
    }
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ProfileDiff {
    pub name: String,
    /// `invalid`: problems at one side.
    pub status: Status,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    pub layers: Vec<LayerDiff>,
    /// With `--manifests`: the Kubernetes objects of its changed layers that differ.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<super::objects::ObjectDiff>,
}

/// Compares two sides. A renamed profile is reported as removed and added.
pub fn diff(base_label: &str, head_label: &str, base: &Side, head: &Side) -> Diff {
    let names: BTreeSet<&String> = base.keys().chain(head.keys()).collect();
    let mut profiles = Vec::new();
    let mut unchanged = 0;
    for name in names {
        let (b, h) = (base.get(name), head.get(name));
        let mut notes = Vec::new();
        let (b_state, h_state) = match (b, h) {
            (Some(Err(d)), _) | (_, Some(Err(d))) => {
                let side = if matches!(b, Some(Err(_))) {
                    base_label
                } else {
                    head_label
                };
                profiles.push(ProfileDiff {
                    name: name.clone(),
                    status: Status::Invalid,
                    notes: d.iter().map(|d| format!("at {side}: {d}")).collect(),
                    layers: Vec::new(),
                    objects: Vec::new(),
                });
                continue;
            }
            (Some(Ok(x)), Some(Ok(y))) => (Some(x), Some(y)),
            (None, Some(Ok(y))) => (None, Some(y)),
            (Some(Ok(x)), None) => (Some(x), None),
            (None, None) => continue,
        };
        for (label, s) in [(base_label, b_state), (head_label, h_state)] {
            if let Some(note) = s.and_then(|s| s.note.as_ref()) {
                notes.push(format!("at {label}: {note}"));
            }
        }
        let status = match (b_state, h_state) {
            (None, _) => Status::Added,
            (_, None) => Status::Removed,
            _ => Status::Changed,
        };
        let empty = Vec::new();
        let layers = layers_between(
            b_state.map_or(&empty, |s| &s.layers),
            h_state.map_or(&empty, |s| &s.layers),
        );
        if status == Status::Changed && layers.is_empty() {
            unchanged += 1;
            continue;
        }
        profiles.push(ProfileDiff {
            name: name.clone(),
            status,
            notes,
            layers,
            objects: Vec::new(),
        });
    }
    Diff {
        schema_version: SCHEMA_VERSION,
        base: base_label.to_string(),
        head: head_label.to_string(),
        profiles,
        unchanged,
        clusters: Vec::new(),
    }
}
