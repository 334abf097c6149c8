//! One layer between two states of a stack: the old and new release, the kind of change,
//! the values and rendered files that differ. Profile reviews and cluster reviews share it.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::side::LayerState;
use super::status::{Kind, Status};
use crate::lockfile::LockedLayer;
use crate::model::version::Version;
use crate::render::effective::Effective;

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Release {
    pub pack: String,
    pub registry: String,
    pub requested: String,
    pub version: Version,
    /// Who signed it, when its registry requires signatures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct LayerDiff {
    pub name: String,
    pub status: Status,
    pub old: Option<Release>,
    pub new: Option<Release>,
    pub kinds: Vec<Kind>,
    pub values: Vec<ValueChange>,
    pub files: Vec<FileDiff>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ValueChange {
    pub name: String,
    #[schemars(with = "Option<serde_json::Value>")]
    pub old: Option<toml::Value>,
    #[schemars(with = "Option<serde_json::Value>")]
    pub new: Option<toml::Value>,
    pub old_origin: Option<String>,
    pub new_origin: Option<String>,
}

impl ValueChange {
    /// Where the new value came from (or the old one, for a value that is gone).
    pub fn origin(&self) -> &str {
        self.new_origin
            .as_deref()
            .or(self.old_origin.as_deref())
            .unwrap_or("")
    }
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct FileDiff {
    pub file: String,
    pub status: Status,
    /// Unified diff (`a/<layer>/<file>`, `b/<layer>/<file>`).
    pub diff: String,
}

fn release(l: &LockedLayer) -> Release {
    Release {
        pack: l.pack.clone(),
        registry: l.registry.clone(),
        requested: l.requested.clone(),
        version: l.version.clone(),
        signer: l.signer.clone(),
    }
}

/// The kinds of change between two locked releases of a layer.
fn kinds(old: &LockedLayer, new: &LockedLayer) -> Vec<Kind> {
    let mut k = Vec::new();
    if old.pack != new.pack {
        k.push(Kind::PackSwapped);
    }
    if old.registry != new.registry || old.source != new.source {
        k.push(Kind::RegistryChanged);
    }
    if old.requested != new.requested {
        k.push(Kind::SpecChanged);
    }
    if old.pack == new.pack {
        let (a, b) = (&old.version, &new.version);
        if b < a {
            k.push(Kind::Downgrade);
        } else if b > a {
            let (sa, sb) = (a.semver(), b.semver());
            k.push(if sb.major != sa.major {
                Kind::Major
            } else if sb.minor != sa.minor {
                Kind::Minor
            } else if sb.patch != sa.patch {
                Kind::Patch
            } else {
                Kind::PreRelease
            });
        } else if old.digest != new.digest || old.commit != new.commit {
            k.push(Kind::ContentChanged);
        }
    }
    if old.signer != new.signer {
        k.push(Kind::SignerChanged);
    }
    k
}

fn file_diffs(
    layer: &str,
    old: Option<&BTreeMap<String, String>>,
    new: Option<&BTreeMap<String, String>>,
) -> Vec<FileDiff> {
    let empty = BTreeMap::new();
    let (old, new) = (old.unwrap_or(&empty), new.unwrap_or(&empty));
    let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut out = Vec::new();
    for name in names {
        let (a, b) = (old.get(name), new.get(name));
        if a == b {
            continue;
        }
        let status = match (a, b) {
            (None, _) => Status::Added,
            (_, None) => Status::Removed,
            _ => Status::Changed,
        };
        let diff = similar::TextDiff::from_lines(
            a.map_or("", String::as_str),
            b.map_or("", String::as_str),
        )
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{layer}/{name}"), &format!("b/{layer}/{name}"))
        .to_string();
        out.push(FileDiff {
            file: format!("{layer}/{name}"),
            status,
            diff,
        });
    }
    out
}

fn value_changes(
    old: Option<&BTreeMap<String, Effective>>,
    new: Option<&BTreeMap<String, Effective>>,
) -> Vec<ValueChange> {
    let empty = BTreeMap::new();
    let (old, new) = (old.unwrap_or(&empty), new.unwrap_or(&empty));
    let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    names
        .into_iter()
        .filter_map(|n| {
            let (a, b) = (old.get(n), new.get(n));
            if a.map(|e| &e.value) == b.map(|e| &e.value) {
                return None;
            }
            let shown = |e: &Effective| {
                if e.is_sensitive() {
                    toml::Value::String("(sensitive)".to_string())
                } else {
                    e.value.clone()
                }
            };
            Some(ValueChange {
                name: n.clone(),
                old: a.map(shown),
                new: b.map(shown),
                old_origin: a.map(|e| e.origin.to_string()),
                new_origin: b.map(|e| e.origin.to_string()),
            })
        })
        .collect()
}

/// What changed in layer `ln` between its old and new state (`None`: nothing).
fn layer_diff(ln: &str, old_layers: &[LayerState], new_layers: &[LayerState]) -> Option<LayerDiff> {
    let o = old_layers.iter().find(|l| l.locked.name == ln);
    let n = new_layers.iter().find(|l| l.locked.name == ln);
    let values = value_changes(o.map(|l| &l.values), n.map(|l| &l.values));
    // A pack's own secrets (Palette passwords) never reach a review.
    let secrets: Vec<String> = o
        .iter()
        .chain(n.iter())
        .flat_map(|l| crate::render::merged::secrets(&l.values))
        .collect();
    let mask = |files: &BTreeMap<String, String>| -> BTreeMap<String, String> {
        files
            .iter()
            .map(|(k, v)| (k.clone(), crate::shown::mask(v, &secrets)))
            .collect()
    };
    let (of, nf) = (o.map(|l| mask(&l.files)), n.map(|l| mask(&l.files)));
    let files = file_diffs(ln, of.as_ref(), nf.as_ref());
    let (st, kinds) = match (o, n) {
        (None, Some(_)) => (Status::Added, Vec::new()),
        (Some(_), None) => (Status::Removed, Vec::new()),
        (Some(a), Some(b)) => (Status::Changed, kinds(&a.locked, &b.locked)),
        (None, None) => return None,
    };
    if st == Status::Changed && kinds.is_empty() && values.is_empty() && files.is_empty() {
        return None;
    }
    Some(LayerDiff {
        name: ln.to_string(),
        status: st,
        old: o.map(|l| release(&l.locked)),
        new: n.map(|l| release(&l.locked)),
        kinds,
        values,
        files,
    })
}

/// What changed layer by layer between two states of a stack, in the new stack's order
/// and then the removed layers.
pub fn layers_between(old: &[LayerState], new: &[LayerState]) -> Vec<LayerDiff> {
    let mut names: Vec<&String> = new.iter().map(|l| &l.locked.name).collect();
    let kept: BTreeSet<&String> = names.iter().copied().collect();
    names.extend(
        old.iter()
            .map(|l| &l.locked.name)
            .filter(|n| !kept.contains(n)),
    );
    names
        .into_iter()
        .filter_map(|ln| layer_diff(ln, old, new))
        .collect()
}

pub(super) fn show_release(r: &Option<Release>) -> String {
    r.as_ref()
        .map_or("-".to_string(), |r| format!("{} {}", r.pack, r.version))
}

pub(super) fn show_value(v: &Option<toml::Value>) -> String {
    v.as_ref().map_or("(unset)".to_string(), |v| v.to_string())
}

/// A changed layer's line, its value changes and its files' diffs, indented by `indent`.
pub(super) fn layer_lines(s: &mut String, l: &LayerDiff, indent: &str) {
    release_lines(s, l, indent);
    for f in &l.files {
        for line in f.diff.lines() {
            s.push_str(indent);
            s.push_str("  ");
            s.push_str(line);
            s.push('\n');
        }
    }
}

/// A layer's change as `strata diff` prints it, without the rendered files' diffs: its
/// release, its signer when that changed, and one line per value.
pub fn summary(l: &LayerDiff) -> String {
    let mut s = String::new();
    release_lines(&mut s, l, "");
    s
}

fn release_lines(s: &mut String, l: &LayerDiff, indent: &str) {
    let kinds = if l.kinds.is_empty() {
        String::new()
    } else {
        let kinds: Vec<&str> = l.kinds.iter().map(|k| k.as_str()).collect();
        format!(" ({})", kinds.join(", "))
    };
    s.push_str(&format!(
        "{indent}{} {}: {} -> {}{kinds}\n",
        l.status,
        l.name,
        show_release(&l.old),
        show_release(&l.new)
    ));
    if l.kinds.contains(&Kind::SignerChanged) {
        let signer = |r: &Option<Release>| {
            r.as_ref()
                .and_then(|r| r.signer.clone())
                .unwrap_or_else(|| "(none)".to_string())
        };
        s.push_str(&format!(
            "{indent}  signer {} -> {}\n",
            signer(&l.old),
            signer(&l.new)
        ));
    }
    for v in &l.values {
        let origin = v.origin();
        s.push_str(&format!(
            "{indent}  {} {} -> {} ({origin})\n",
            v.name,
            show_value(&v.old),
            show_value(&v.new)
        ));
    }
}
