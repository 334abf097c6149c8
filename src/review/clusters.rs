//! What a change does to clusters: the profile releases each pins, its variables and tags.
//! A sensitive variable's value is never shown (`(sensitive)`).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::layers::LayerDiff;
use super::status::Status;
use crate::catalog::Catalog;
use crate::cluster::{Cluster, load_clusters};
use crate::error::Result;

/// The label of a pin on the working tree.
pub const WORKING_TREE: &str = "working tree";

/// The clusters of one side by name, and the names of the variables some profile of that
/// side declares sensitive.
pub struct ClusterSide {
    pub clusters: BTreeMap<String, Cluster>,
    pub sensitive: BTreeSet<String>,
}

pub fn side(catalog: &Catalog) -> Result<ClusterSide> {
    let clusters: BTreeMap<String, Cluster> = load_clusters(catalog)?
        .into_iter()
        .filter_map(|(_, c)| c.ok())
        .map(|c| (c.name.clone(), c))
        .collect();
    // The sensitive variables mask cluster values; without clusters nothing is masked,
    // and the profiles need not be loaded again.
    if clusters.is_empty() {
        return Ok(ClusterSide {
            clusters,
            sensitive: BTreeSet::new(),
        });
    }
    let sensitive = crate::catalog::sensitive_variables(&catalog.load_profiles(&[])?);
    Ok(ClusterSide {
        clusters,
        sensitive,
    })
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ClusterDiff {
    pub name: String,
    pub status: Status,
    /// Pinned profile releases that changed: `profile`, `old`, `new` (`working tree` for
    /// a pin without a version).
    pub pins: Vec<Change>,
    pub variables: Vec<Change>,
    pub tags: Vec<Change>,
    /// With `--manifests`: the Kubernetes objects of its stack that differ.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<super::objects::ObjectDiff>,
    /// Why its objects were not compared.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl ClusterDiff {
    /// Every change with what it is of (`profile`, `variable`, `tag`).
    fn changes(&self) -> impl Iterator<Item = (&'static str, &Change)> {
        [
            ("profile", &self.pins),
            ("variable", &self.variables),
            ("tag", &self.tags),
        ]
        .into_iter()
        .flat_map(|(what, list)| list.iter().map(move |x| (what, x)))
    }
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Change {
    pub name: String,
    pub old: Option<String>,
    pub new: Option<String>,
    /// A pin that moved: what the move changes in the cluster's stack, layer by layer
    /// (values and releases; the rendered files are the profile's review).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<LayerDiff>,
    /// A pin that moved, whose releases could not be read: why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Change {
    fn new(name: String, old: Option<String>, new: Option<String>) -> Change {
        Change {
            name,
            old,
            new,
            layers: Vec::new(),
            note: None,
        }
    }
}

/// Clusters added, removed, or whose pins, variables or tags changed.
pub fn diff(base: &ClusterSide, head: &ClusterSide) -> Vec<ClusterDiff> {
    let sensitive: BTreeSet<&String> = base.sensitive.iter().chain(&head.sensitive).collect();
    let names: BTreeSet<&String> = base.clusters.keys().chain(head.clusters.keys()).collect();
    let mut out = Vec::new();
    for name in names {
        let (b, h) = (base.clusters.get(name), head.clusters.get(name));
        let pins = |c: Option<&Cluster>| -> BTreeMap<String, String> {
            c.map(|c| {
                std::iter::once(&c.profile)
                    .chain(&c.addons)
                    .map(|r| {
                        (
                            r.profile.get_ref().clone(),
                            r.version
                                .as_ref()
                                .map_or(WORKING_TREE.to_string(), |(_, v)| v.to_string()),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
        };
        let vars = |c: Option<&Cluster>| -> BTreeMap<String, String> {
            c.map(|c| {
                c.variables
                    .iter()
                    .map(|(k, v)| {
                        let shown = if sensitive.contains(k.get_ref()) {
                            "(sensitive)".to_string()
                        } else {
                            v.get_ref().to_string()
                        };
                        (k.get_ref().clone(), shown)
                    })
                    .collect()
            })
            .unwrap_or_default()
        };
        let tags = |c: Option<&Cluster>| -> BTreeMap<String, String> {
            c.map(|c| {
                c.tags
                    .iter()
                    .map(|t| {
                        let (k, v) = crate::model::tags::split(t.get_ref());
                        (k.to_string(), v.to_string())
                    })
                    .collect()
            })
            .unwrap_or_default()
        };
        let changes = |old: BTreeMap<String, String>, new: BTreeMap<String, String>| {
            let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
            keys.into_iter()
                .filter(|k| old.get(*k) != new.get(*k))
                .map(|k| Change::new(k.clone(), old.get(k).cloned(), new.get(k).cloned()))
                .collect::<Vec<_>>()
        };
        // A sensitive value that changed shows as a change, never as its value.
        let mut variables = changes(vars(b), vars(h));
        for (k, _) in b.iter().flat_map(|c| c.variables.iter()) {
            let (Some(bc), Some(hc)) = (b, h) else { break };
            if sensitive.contains(k.get_ref())
                && let (Some(x), Some(y)) = (
                    bc.variables
                        .iter()
                        .find(|(n, _)| n.get_ref() == k.get_ref()),
                    hc.variables
                        .iter()
                        .find(|(n, _)| n.get_ref() == k.get_ref()),
                )
                && x.1.get_ref() != y.1.get_ref()
            {
                variables.push(Change::new(
                    k.get_ref().clone(),
                    Some("(sensitive)".to_string()),
                    Some("(sensitive, changed)".to_string()),
                ));
            }
        }
        variables.sort_by(|x, y| x.name.cmp(&y.name));
        let d = ClusterDiff {
            name: name.clone(),
            status: match (b, h) {
                (None, _) => Status::Added,
                (_, None) => Status::Removed,
                _ => Status::Changed,
            },
            pins: changes(pins(b), pins(h)),
            variables,
            tags: changes(tags(b), tags(h)),
            objects: Vec::new(),
            notes: Vec::new(),
        };
        if d.status != Status::Changed
            || !(d.pins.is_empty() && d.variables.is_empty() && d.tags.is_empty())
        {
            out.push(d);
        }
    }
    out
}

fn show(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("-")
}

/// The text lines of cluster changes.
pub fn text(clusters: &[ClusterDiff]) -> String {
    let mut s = String::new();
    for c in clusters {
        s.push_str(&format!("{} cluster {}\n", c.status, c.name));
        for (what, x) in c.changes() {
            s.push_str(&format!(
                "  {what} {}: {} -> {}\n",
                x.name,
                show(&x.old),
                show(&x.new)
            ));
            if let Some(note) = &x.note {
                s.push_str(&format!("    note: {note}\n"));
            }
            for l in &x.layers {
                super::layers::layer_lines(&mut s, l, "    ");
            }
        }
        for n in &c.notes {
            s.push_str(&format!("  note: {n}\n"));
        }
        for o in &c.objects {
            super::objects::text_lines(&mut s, o, "  ");
        }
    }
    s
}

/// The Markdown table of cluster changes.
pub fn markdown(clusters: &[ClusterDiff]) -> String {
    if clusters.is_empty() {
        return String::new();
    }
    let mut s =
        String::from("\n#### Clusters\n\n| cluster | change | old | new |\n|---|---|---|---|\n");
    for c in clusters {
        let name = super::escape::code(&c.name);
        if c.status != Status::Changed {
            s.push_str(&format!("| {name} | {} | | |\n", c.status));
        }
        for (what, x) in c.changes() {
            s.push_str(&format!(
                "| {name} | {what} {} | {} | {} |\n",
                super::escape::code(&x.name),
                super::escape::text(show(&x.old)),
                super::escape::text(show(&x.new))
            ));
            stack_rows(&mut s, &name, x);
        }
    }
    s
}

/// The most rows a moved pin adds to the clusters table; `strata diff` shows the rest.
const STACK_ROWS: usize = 30;

/// Rows under a moved pin: each layer it changes and each value change.
fn stack_rows(s: &mut String, cluster: &str, x: &Change) {
    use super::escape::{code, text};
    if let Some(note) = &x.note {
        s.push_str(&format!("| {cluster} | ↳ {} | | |\n", text(note)));
    }
    let mut rows = Vec::new();
    for l in &x.layers {
        let kinds: Vec<&str> = l.kinds.iter().map(|k| k.as_str()).collect();
        let kinds = match kinds.is_empty() {
            true => String::new(),
            false => format!(" ({})", kinds.join(", ")),
        };
        rows.push(format!(
            "| {cluster} | ↳ {} layer {}{kinds} | {} | {} |\n",
            l.status,
            code(&l.name),
            text(&super::layers::show_release(&l.old)),
            text(&super::layers::show_release(&l.new))
        ));
        for v in &l.values {
            rows.push(format!(
                "| {cluster} | ↳ {}: {} | {} | {} |\n",
                code(&l.name),
                code(&v.name),
                code(&super::layers::show_value(&v.old)),
                code(&super::layers::show_value(&v.new))
            ));
        }
    }
    let more = rows.len().saturating_sub(STACK_ROWS);
    for r in rows.into_iter().take(STACK_ROWS) {
        s.push_str(&r);
    }
    if more > 0 {
        s.push_str(&format!(
            "| {cluster} | ↳ {more} more changes: run `strata diff` locally | | |\n"
        ));
    }
}
