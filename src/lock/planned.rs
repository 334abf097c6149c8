//! What planning locks gives: for each profile its old and new lock (and their text), the
//! lines saying what changed, and why `lock --check` would fail.

use std::collections::BTreeSet;

use crate::diagnostic::Diagnostic;
use crate::lockfile::{Lock, LockedLayer};

/// Which layers leave their lock behind.
#[derive(Debug, Clone, Default)]
pub enum Unlock {
    /// `lock`: keep every valid locked release.
    #[default]
    Nothing,
    /// `update`: every layer moves to its newest release.
    All,
    /// `update --pack P…`: only layers of these packs move.
    Packs(BTreeSet<String>),
}

/// The outcome for one profile.
pub struct Planned {
    pub name: String,
    /// `profiles/<name>/profile.lock`, relative to the catalog root.
    pub file: String,
    /// The profile's `profile.toml`, relative to the catalog root.
    pub profile_file: String,
    pub old_text: Option<String>,
    /// The lock as read, when it differs from `new` (messages compare the two); `None`
    /// for a lock that is current, and for none or one that could not be read.
    pub old: Option<Lock>,
    pub new_text: String,
    pub new: Lock,
    /// Why the old lock file could not be read, when it could not.
    pub corrupt: Option<Diagnostic>,
}

impl Planned {
    pub fn changed(&self) -> bool {
        self.old_text.as_deref() != Some(self.new_text.as_str())
    }

    /// One line per layer change, e.g. `aws-prod network calico 3.27.1 -> 3.27.2`.
    pub fn change_lines(&self) -> Vec<String> {
        let p = &self.name;
        let mut lines = Vec::new();
        let (pairs, gone) = pair_layers(self.old.as_ref(), &self.new);
        for (l, old) in pairs {
            match old {
                None => lines.push(format!("{p} {} {} {} (new)", l.name, l.pack, l.version)),
                Some(o) if o.pack != l.pack => lines.push(format!(
                    "{p} {} {} {} -> {} {}",
                    l.name, o.pack, o.version, l.pack, l.version
                )),
                Some(o) if o.version != l.version => lines.push(format!(
                    "{p} {} {} {} -> {}",
                    l.name, l.pack, o.version, l.version
                )),
                Some(o) if o.commit != l.commit || o.digest != l.digest => lines.push(format!(
                    "{p} {} {} {} (content changed)",
                    l.name, l.pack, l.version
                )),
                Some(_) => {}
            }
        }
        for l in gone {
            lines.push(format!("{p} {} {} {} (removed)", l.name, l.pack, l.version));
        }
        if lines.is_empty() && self.changed() {
            lines.push(format!("{p} lock refreshed"));
        }
        lines
    }
}

/// Everything a lock run found.
#[derive(Default)]
pub struct Plan {
    pub profiles: Vec<Planned>,
    pub problems: Vec<Diagnostic>,
    /// Lock files whose profile.toml is gone (reported, never deleted).
    pub orphans: Vec<String>,
}

impl Planned {
    /// Why `lock --check` fails for this lock; `None` when it is current.
    pub fn check_problem(&self) -> Option<Diagnostic> {
        if !self.changed() {
            return None;
        }
        Some(match &self.old_text {
            None => Diagnostic::file(&self.file, "lock file is missing")
                .with_hint("run `strata lock` and commit the result"),
            Some(t) if t.contains("\r\n") && t.replace("\r\n", "\n") == self.new_text => {
                Diagnostic::file(
                    &self.file,
                    "lock file has Windows line endings (CRLF); strata writes LF",
                )
                .with_hint(
                    "run `strata lock`; a `.gitattributes` line `profile.lock text eol=lf` keeps git from converting it",
                )
            }
            Some(_) => {
                let bases = self
                    .old
                    .as_ref()
                    .map(|o| o.changed_bases(&self.new))
                    .unwrap_or_default();
                let message = match bases.as_slice() {
                    [] => match &self.old {
                        Some(old) => format!("lock file is stale: {}", what_changed(old, &self.new)),
                        None => "lock file is stale".to_string(),
                    },
                    [one] => format!("lock file is stale: its base `{one}` changed"),
                    many => format!(
                        "lock file is stale: its bases `{}` changed",
                        many.join("`, `")
                    ),
                };
                Diagnostic::file(&self.file, message)
                    .with_hint("run `strata lock` and commit the result")
            }
        })
    }
}

/// What differs between a lock as written and as it would be written now, in words: the
/// layers whose release, request, values or rendering changed, those added and removed.
fn what_changed(old: &Lock, new: &Lock) -> String {
    let (pairs, gone) = pair_layers(Some(old), new);
    let mut parts = Vec::new();
    for (l, old) in pairs {
        match old {
            None => parts.push(format!("layer `{}` is new", l.name)),
            Some(o) if o == l => {}
            Some(o) => {
                let mut what = Vec::new();
                let release = (&o.pack, &o.version) != (&l.pack, &l.version);
                if o.pack != l.pack {
                    what.push(format!(
                        "{} {} -> {} {}",
                        o.pack, o.version, l.pack, l.version
                    ));
                } else if release {
                    what.push(format!("{} {} -> {}", l.pack, o.version, l.version));
                }
                if o.requested != l.requested {
                    what.push(format!("requested `{}` -> `{}`", o.requested, l.requested));
                }
                if o.signer != l.signer {
                    let show = |s: &Option<String>| s.clone().unwrap_or_else(|| "none".to_string());
                    what.push(format!(
                        "signer `{}` -> `{}`",
                        show(&o.signer),
                        show(&l.signer)
                    ));
                }
                if o.values != l.values {
                    what.push("its values changed".to_string());
                }
                if o.rendered != l.rendered && o.values == l.values && !release {
                    what.push("what it renders changed".to_string());
                }
                if what.is_empty() {
                    what.push("where its release comes from changed".to_string());
                }
                parts.push(format!("layer `{}`: {}", l.name, what.join(", ")));
            }
        }
    }
    for o in gone {
        parts.push(format!("layer `{}` is gone", o.name));
    }
    if parts.is_empty() {
        "the profile or strata.toml changed, though no layer's release, values or rendering did"
            .to_string()
    } else {
        parts.join("; ")
    }
}

/// Each layer of `new` with the layer of the same name in `old` (if any), and the layers of
/// `old` that `new` no longer has: matched by name once, whatever the layer count.
fn pair_layers<'a>(
    old: Option<&'a Lock>,
    new: &'a Lock,
) -> (
    Vec<(&'a LockedLayer, Option<&'a LockedLayer>)>,
    Vec<&'a LockedLayer>,
) {
    let mut before: std::collections::HashMap<&str, &LockedLayer> = old
        .map(|o| o.layers.iter().map(|l| (l.name.as_str(), l)).collect())
        .unwrap_or_default();
    let pairs: Vec<_> = new
        .layers
        .iter()
        .map(|l| (l, before.remove(l.name.as_str())))
        .collect();
    let gone = old
        .map(|o| {
            o.layers
                .iter()
                .filter(|l| before.contains_key(l.name.as_str()))
                .collect()
        })
        .unwrap_or_default();
    (pairs, gone)
}
