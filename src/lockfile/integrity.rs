//! The one check that a locked release is still what was locked: its tag names the locked
//! commit, and its content hashes to the locked digest. `resolve`, `render` and `verify`
//! all ask it, and each reports the answer where its user looks.

use super::format::LockedLayer;

/// How a locked release differs from its registry now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// The tag now names another commit.
    Moved {
        tag: String,
        was: String,
        now: String,
    },
    /// The tag is no longer in the registry.
    Gone { tag: String },
    /// The release's files hash to another digest.
    Changed { was: String, now: String },
    /// The release's folder changed on the branch a registry follows (palette).
    Branch {
        branch: String,
        was: String,
        now: String,
    },
}

/// Compares a locked layer with what its registry holds now: the commit its tag names
/// (`None`: not looked up, or no tag) and the digest of its files (`None`: not read).
pub fn check(locked: &LockedLayer, commit: Option<&str>, digest: Option<&str>) -> Option<Mismatch> {
    if let (Some(tag), Some(was), Some(now)) = (&locked.tag, &locked.commit, commit)
        && was != now
    {
        return Some(Mismatch::Moved {
            tag: tag.clone(),
            was: was.clone(),
            now: now.to_string(),
        });
    }
    match digest {
        Some(now) if now != locked.digest => Some(Mismatch::Changed {
            was: locked.digest.clone(),
            now: now.to_string(),
        }),
        _ => None,
    }
}

/// How to accept a change that is intended.
pub fn hint(locked: &LockedLayer) -> String {
    format!(
        "if the change is intended, accept it with `strata update --pack {}`",
        locked.pack
    )
}

impl Mismatch {
    /// The mismatch in words, naming the layer's release (and its registry, unless the
    /// message is about a lock entry, which names it already).
    pub fn message(&self, l: &LockedLayer, name_registry: bool) -> String {
        match self {
            Mismatch::Moved { tag, was, now } => format!(
                "tag `{tag}` of registry `{}` moved: the lock has commit {was}, the registry now has {now}",
                l.registry
            ),
            Mismatch::Gone { tag } => format!("tag `{tag}` is gone from registry `{}`", l.registry),
            Mismatch::Branch { branch, was, now } => format!(
                "{} {} changed on {branch} of registry `{}`: the lock has its folder at commit {was}, the branch now has other content at {now}",
                l.pack, l.version, l.registry
            ),
            Mismatch::Changed { was, now } => {
                let registry = if name_registry {
                    format!(" (registry `{}`)", l.registry)
                } else {
                    String::new()
                };
                format!(
                    "the content of {} {}{registry} changed: the lock has {was}, the registry now has {now}",
                    l.pack, l.version
                )
            }
        }
    }
}
