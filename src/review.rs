//! Pull-request review: what a change does to the resolved stacks. Each side (a revision, or
//! the working tree) is read straight from git objects; every profile is taken from its
//! current lock, or resolved in memory when its lock is missing or stale at that side.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::catalog::Catalog;
use crate::check::check_with;
use crate::commands::render::{lock_of, render_locked};
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::lockfile::LockedLayer;
use crate::resolve::Preferences;
use crate::values::Effective;
use crate::version::Version;

pub const SCHEMA_VERSION: u32 = 1;

/// One profile as one side sees it.
pub struct State {
    pub layers: Vec<LayerState>,
    /// Set when the side has no current lock and the profile was resolved for the review.
    pub note: Option<String>,
}

pub struct LayerState {
    pub locked: LockedLayer,
    pub values: BTreeMap<String, Effective>,
    pub files: BTreeMap<String, String>,
}

/// Every profile of one side; a profile with problems at that side carries them instead.
pub fn side(
    catalog: &Catalog,
) -> Result<BTreeMap<String, std::result::Result<State, Vec<Diagnostic>>>> {
    let mut out = BTreeMap::new();
    for (entry, parsed) in catalog.load_profiles(&[])? {
        let profile = match parsed {
            Ok(p) => p,
            Err(d) => {
                out.insert(entry.folder_name.clone(), Err(d));
                continue;
            }
        };
        let name = profile.name.clone();
        let state = match lock_of(catalog, &entry, &profile) {
            Ok(lock) => match render_locked(catalog, &profile, &lock, None) {
                Ok(rendered) => Ok(State {
                    layers: lock
                        .layers
                        .iter()
                        .zip(rendered)
                        .map(|(l, r)| LayerState {
                            locked: l.clone(),
                            values: r.values,
                            files: r.files,
                        })
                        .collect(),
                    note: None,
                }),
                Err(Error::Catalog(d)) => Err(d),
                Err(e) => return Err(e),
            },
            // No current lock at this side: resolve as `strata lock` would, in memory.
            Err(Error::Catalog(why)) => {
                let old = catalog.readable_lock(&entry, &name)?;
                let prefs = Preferences {
                    lock: old.as_ref(),
                    ..Preferences::default()
                };
                match check_with(catalog, profile, &prefs)? {
                    Ok(checked) => {
                        let locked = crate::locking::locked_layers(&checked);
                        Ok(State {
                            layers: locked
                                .into_iter()
                                .zip(checked.outputs)
                                .map(|(l, o)| LayerState {
                                    locked: l,
                                    values: o.values,
                                    files: o.files,
                                })
                                .collect(),
                            note: Some(format!(
                                "{}; resolved for this review",
                                why.first()
                                    .map_or("no current lock".to_string(), |d| d.message.clone())
                            )),
                        })
                    }
                    Err(d) => Err(d),
                }
            }
            Err(e) => return Err(e),
        };
        out.insert(name, state);
    }
    Ok(out)
}

#[derive(Debug, Serialize)]
pub struct Diff {
    pub schema_version: u32,
    pub base: String,
    pub head: String,
    pub profiles: Vec<ProfileDiff>,
    /// Profiles present and identical at both sides.
    pub unchanged: usize,
}

#[derive(Debug, Serialize)]
pub struct ProfileDiff {
    pub name: String,
    /// `added`, `removed`, `changed`, or `invalid` (problems at one side).
    pub status: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    pub layers: Vec<LayerDiff>,
}

#[derive(Debug, Serialize)]
pub struct Release {
    pub pack: String,
    pub registry: String,
    pub requested: String,
    pub version: String,
}

#[derive(Debug, Serialize)]
pub struct LayerDiff {
    pub name: String,
    /// `added`, `removed` or `changed`.
    pub status: &'static str,
    pub old: Option<Release>,
    pub new: Option<Release>,
    /// `major`, `minor`, `patch`, `downgrade`, `pre-release`, `pack swapped`,
    /// `registry changed`, `spec changed`, `content changed`.
    pub kinds: Vec<&'static str>,
    pub values: Vec<ValueChange>,
    pub files: Vec<FileDiff>,
}

#[derive(Debug, Serialize)]
pub struct ValueChange {
    pub name: String,
    pub old: Option<toml::Value>,
    pub new: Option<toml::Value>,
    pub old_origin: Option<String>,
    pub new_origin: Option<String>,
}

impl ValueChange {
    /// Where the new value came from (or the old one, for a value that is gone).
    fn origin(&self) -> &str {
        self.new_origin
            .as_deref()
            .or(self.old_origin.as_deref())
            .unwrap_or("")
    }
}

#[derive(Debug, Serialize)]
pub struct FileDiff {
    pub file: String,
    /// `added`, `removed` or `changed`.
    pub status: &'static str,
    /// Unified diff (`a/<layer>/<file>`, `b/<layer>/<file>`).
    pub diff: String,
}

fn release(l: &LockedLayer) -> Release {
    Release {
        pack: l.pack.clone(),
        registry: l.registry.clone(),
        requested: l.requested.clone(),
        version: l.version.clone(),
    }
}

/// The kinds of change between two locked releases of a layer.
fn kinds(old: &LockedLayer, new: &LockedLayer) -> Vec<&'static str> {
    let mut k = Vec::new();
    if old.pack != new.pack {
        k.push("pack swapped");
    }
    if old.registry != new.registry || old.source != new.source {
        k.push("registry changed");
    }
    if old.requested != new.requested {
        k.push("spec changed");
    }
    if old.pack == new.pack {
        match (Version::parse(&old.version), Version::parse(&new.version)) {
            (Some(a), Some(b)) if b < a => k.push("downgrade"),
            (Some(a), Some(b)) if b > a => {
                let (sa, sb) = (a.semver(), b.semver());
                k.push(if sb.major != sa.major {
                    "major"
                } else if sb.minor != sa.minor {
                    "minor"
                } else if sb.patch != sa.patch {
                    "patch"
                } else {
                    "pre-release"
                });
            }
            _ => {
                if old.digest != new.digest || old.commit != new.commit {
                    k.push("content changed");
                }
            }
        }
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
            (None, _) => "added",
            (_, None) => "removed",
            _ => "changed",
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
            Some(ValueChange {
                name: n.clone(),
                old: a.map(|e| e.value.clone()),
                new: b.map(|e| e.value.clone()),
                old_origin: a.map(|e| e.origin.to_string()),
                new_origin: b.map(|e| e.origin.to_string()),
            })
        })
        .collect()
}

/// Compares two sides. A renamed profile is reported as removed and added.
pub fn diff(
    base_label: &str,
    head_label: &str,
    base: &BTreeMap<String, std::result::Result<State, Vec<Diagnostic>>>,
    head: &BTreeMap<String, std::result::Result<State, Vec<Diagnostic>>>,
) -> Diff {
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
                    status: "invalid",
                    notes: d.iter().map(|d| format!("at {side}: {d}")).collect(),
                    layers: Vec::new(),
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
            (None, _) => "added",
            (_, None) => "removed",
            _ => "changed",
        };
        let empty = Vec::new();
        let old_layers = b_state.map_or(&empty, |s| &s.layers);
        let new_layers = h_state.map_or(&empty, |s| &s.layers);
        let mut layer_names: Vec<&String> = new_layers.iter().map(|l| &l.locked.name).collect();
        for l in old_layers {
            if !layer_names.contains(&&l.locked.name) {
                layer_names.push(&l.locked.name);
            }
        }
        let mut layers = Vec::new();
        for ln in layer_names {
            let o = old_layers.iter().find(|l| &l.locked.name == ln);
            let n = new_layers.iter().find(|l| &l.locked.name == ln);
            let values = value_changes(o.map(|l| &l.values), n.map(|l| &l.values));
            let files = file_diffs(ln, o.map(|l| &l.files), n.map(|l| &l.files));
            let (st, kinds) = match (o, n) {
                (None, Some(_)) => ("added", Vec::new()),
                (Some(_), None) => ("removed", Vec::new()),
                (Some(a), Some(b)) => ("changed", kinds(&a.locked, &b.locked)),
                (None, None) => continue,
            };
            if st == "changed" && kinds.is_empty() && values.is_empty() && files.is_empty() {
                continue;
            }
            layers.push(LayerDiff {
                name: ln.clone(),
                status: st,
                old: o.map(|l| release(&l.locked)),
                new: n.map(|l| release(&l.locked)),
                kinds,
                values,
                files,
            });
        }
        if status == "changed" && layers.is_empty() {
            unchanged += 1;
            continue;
        }
        profiles.push(ProfileDiff {
            name: name.clone(),
            status,
            notes,
            layers,
        });
    }
    Diff {
        schema_version: SCHEMA_VERSION,
        base: base_label.to_string(),
        head: head_label.to_string(),
        profiles,
        unchanged,
    }
}

fn show_release(r: &Option<Release>) -> String {
    r.as_ref()
        .map_or("-".to_string(), |r| format!("{} {}", r.pack, r.version))
}

fn show_value(v: &Option<toml::Value>) -> String {
    v.as_ref().map_or("(unset)".to_string(), |v| v.to_string())
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.profiles.is_empty()
    }

    pub fn text(&self) -> String {
        let mut s = String::new();
        if self.profiles.is_empty() {
            s.push_str(&format!(
                "no changes between {} and {}\n",
                self.base, self.head
            ));
            return s;
        }
        for p in &self.profiles {
            s.push_str(&format!("{} {}\n", p.status, p.name));
            for n in &p.notes {
                s.push_str(&format!("  note: {n}\n"));
            }
            for l in &p.layers {
                let kinds = if l.kinds.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", l.kinds.join(", "))
                };
                s.push_str(&format!(
                    "  {} {}: {} -> {}{kinds}\n",
                    l.status,
                    l.name,
                    show_release(&l.old),
                    show_release(&l.new)
                ));
                for v in &l.values {
                    let origin = v.origin();
                    s.push_str(&format!(
                        "    {} {} -> {} ({origin})\n",
                        v.name,
                        show_value(&v.old),
                        show_value(&v.new)
                    ));
                }
                for f in &l.files {
                    for line in f.diff.lines() {
                        s.push_str("    ");
                        s.push_str(line);
                        s.push('\n');
                    }
                }
            }
        }
        if self.unchanged > 0 {
            s.push_str(&format!(
                "{} profile{} unchanged\n",
                self.unchanged,
                if self.unchanged == 1 { "" } else { "s" }
            ));
        }
        s
    }

    /// A pull-request comment: a summary table, then the details folded.
    pub fn markdown(&self, max_diff_lines: usize) -> String {
        let mut s = String::from("### strata: profile changes\n\n");
        if self.profiles.is_empty() {
            s.push_str(&format!(
                "No profile changes between `{}` and `{}`.\n",
                self.base, self.head
            ));
            return s;
        }
        let count = |st: &str| self.profiles.iter().filter(|p| p.status == st).count();
        let invalid = match count("invalid") {
            0 => String::new(),
            n => format!(", {n} with problems"),
        };
        s.push_str(&format!(
            "Comparing `{}` with `{}`: {} changed, {} added, {} removed, {} unchanged{invalid}.\n\n",
            self.base,
            self.head,
            count("changed"),
            count("added"),
            count("removed"),
            self.unchanged
        ));
        s.push_str("| profile | layer | old | new | change |\n|---|---|---|---|---|\n");
        for p in &self.profiles {
            if p.layers.is_empty() {
                s.push_str(&format!("| `{}` | | | | {} |\n", p.name, p.status));
            }
            for l in &p.layers {
                let mut kinds: Vec<&str> = l.kinds.clone();
                if l.status != "changed" {
                    kinds.insert(0, l.status);
                }
                if !l.values.is_empty() {
                    kinds.push("values");
                }
                s.push_str(&format!(
                    "| `{}` | {} | {} | {} | {} |\n",
                    p.name,
                    l.name,
                    show_release(&l.old),
                    show_release(&l.new),
                    kinds.join(", ")
                ));
            }
        }
        for p in &self.profiles {
            let values: Vec<(&str, &ValueChange)> = p
                .layers
                .iter()
                .flat_map(|l| l.values.iter().map(move |v| (l.name.as_str(), v)))
                .collect();
            let files: Vec<&FileDiff> = p.layers.iter().flat_map(|l| l.files.iter()).collect();
            if values.is_empty() && files.is_empty() && p.notes.is_empty() {
                continue;
            }
            s.push_str(&format!("\n<details><summary><code>{}</code>: {} value change{}, {} rendered file{}</summary>\n\n",
                p.name, values.len(), if values.len() == 1 { "" } else { "s" }, files.len(), if files.len() == 1 { "" } else { "s" }));
            for n in &p.notes {
                s.push_str(&format!("```text\n{n}\n```\n\n"));
            }
            if !values.is_empty() {
                s.push_str("| layer | parameter | old | new | from |\n|---|---|---|---|---|\n");
                for (layer, v) in values {
                    let origin = v.origin();
                    s.push_str(&format!(
                        "| {layer} | `{}` | `{}` | `{}` | {origin} |\n",
                        v.name,
                        show_value(&v.old),
                        show_value(&v.new)
                    ));
                }
                s.push('\n');
            }
            for f in files {
                let lines: Vec<&str> = f.diff.lines().collect();
                s.push_str(&format!("`{}` ({})\n\n```diff\n", f.file, f.status));
                for line in lines.iter().take(max_diff_lines) {
                    s.push_str(line);
                    s.push('\n');
                }
                s.push_str("```\n");
                if lines.len() > max_diff_lines {
                    s.push_str(&format!(
                        "\n_{} more lines not shown; run `strata diff` locally for all of it._\n",
                        lines.len() - max_diff_lines
                    ));
                }
                s.push('\n');
            }
            s.push_str("</details>\n");
        }
        s
    }
}
