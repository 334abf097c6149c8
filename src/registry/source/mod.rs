//! Where a registry's bytes come from: the embedded catalog, a folder of the catalog
//! repository, or a git repository mirrored in the cache. A source knows nothing of pack
//! formats; it lists folders and tags and reads files, at a revision where it has them.

pub(crate) mod builtin;
pub(crate) mod dir;
pub(crate) mod git;
pub(crate) mod http;
#[cfg(test)]
pub(crate) mod memory;
pub(crate) mod net;
pub(crate) mod oci;

use std::collections::BTreeMap;

use crate::error::Result;
use crate::model::config::RegistryKind;

/// The files of one folder: `/`-separated paths relative to it, and their bytes.
pub type Tree = BTreeMap<String, Vec<u8>>;

/// A source's tag names, sorted, so the tags of one pack (one prefix) are found by binary
/// search rather than by a pass over thousands of tags per pack.
#[derive(Debug, Default)]
pub struct Tags {
    names: Vec<String>,
    /// Whether a tag has no `/` (`v1.2.0`: a release of a one-pack repository).
    bare: bool,
}

impl Tags {
    pub fn new(mut names: Vec<String>) -> Tags {
        // Refs come sorted from git's packed-refs: checking that is one pass.
        names.sort_unstable();
        names.dedup();
        let bare = names.iter().any(|t| !t.contains('/'));
        Tags { names, bare }
    }

    /// Every tag, sorted.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The tags that start with `prefix`, sorted.
    pub fn with_prefix(&self, prefix: &str) -> &[String] {
        let start = self.names.partition_point(|t| t.as_str() < prefix);
        let len = self.names[start..].partition_point(|t| t.starts_with(prefix));
        &self.names[start..start + len]
    }

    /// Whether some tag has no `/` in it.
    pub fn any_bare(&self) -> bool {
        self.bare
    }
}

/// What a registry reads its packs from. Paths are `/`-separated and relative to the
/// source's location; `rev` is a tag or commit id for git sources and `None` elsewhere.
pub trait Source: Send + Sync {
    fn kind(&self) -> RegistryKind;

    /// The source as written in lock files: `builtin`, a folder relative to the catalog
    /// root, or a URL without credentials.
    fn location(&self) -> String;

    /// The folder inside the source that holds the packs (`""` for its root).
    fn root(&self) -> &str {
        ""
    }

    /// Makes the source ready to read (a git source fetches its mirror).
    fn prepare(&self) -> Result<()> {
        Ok(())
    }

    /// Whether the source's data is on this machine without fetching.
    fn is_cached(&self) -> bool {
        true
    }

    /// The tag names of a source whose releases are tags; `None` for a folder source.
    fn tags(&self) -> Result<Option<std::sync::Arc<Tags>>> {
        Ok(None)
    }

    /// Whether each tag of [`Source::tags`] names a commit (through annotated tags); a tag
    /// that names a tree or a file is no release. Other revisions: `true`. Asked of one
    /// pack's tags at once, so the object database is opened once for them.
    fn names_commits(&self, tags: &[&str]) -> Result<Vec<bool>> {
        Ok(vec![true; tags.len()])
    }

    /// What a chart repository's index says of a pack (its newest release's description),
    /// so that listing its packs downloads no archive; `None` elsewhere.
    fn describe(&self, _pack: &str) -> Result<Option<String>> {
        Ok(None)
    }

    /// Whether the source can list its packs (an OCI registry lists no repositories: its
    /// packs are read by name only).
    fn lists_packs(&self) -> bool {
        true
    }

    /// One pack's release tags where the source lists them by pack (an OCI repository);
    /// `None`: [`Source::tags`] has them all.
    fn pack_tags(&self, _pack: &str) -> Result<Option<std::sync::Arc<Tags>>> {
        Ok(None)
    }

    /// The names of the folders directly inside `dir`, sorted.
    /// The verdict on the signature of release tag `tag` by `signers` (git registries).
    fn verify_tag(
        &self,
        tag: &str,
        _signers: &crate::trust::Signers,
    ) -> Result<crate::trust::Verdict> {
        Err(crate::error::Error::Internal(format!(
            "a {} registry has no signed tags (`{tag}`)",
            self.kind().as_str()
        )))
    }

    fn subdirs(&self, rev: Option<&str>, dir: &str) -> Result<Vec<String>>;

    /// A file's bytes, or `None` when there is no such file.
    fn read_file(&self, rev: Option<&str>, path: &str) -> Result<Option<Vec<u8>>>;

    /// Every regular file under a folder, or `None` when the folder does not exist. A symlink
    /// or submodule inside it is an error.
    fn read_dir(&self, rev: Option<&str>, dir: &str) -> Result<Option<Tree>>;

    /// The digest that identifies a release's bytes where the source has one of its own
    /// (`sha256:` of a chart archive); `None`: the pack folder's `h1` identifies it.
    fn release_digest(&self, _rev: Option<&str>) -> Result<Option<String>> {
        Ok(None)
    }

    /// The commit a revision names (tags peeled); `None` for sources without commits.
    fn commit(&self, _rev: &str) -> Result<Option<String>> {
        Ok(None)
    }

    /// The revision a tag, branch or commit id names: the tag itself, or a commit id.
    /// `None` when the reference does not exist or the source has no revisions.
    fn resolve_ref(&self, _reference: &str) -> Result<Option<String>> {
        Ok(None)
    }

    /// How a file is named in messages.
    fn display(&self, rev: Option<&str>, path: &str) -> String;
}

/// `base/name`, or `name` when `base` is empty.
pub fn join(base: &str, name: &str) -> String {
    if base.is_empty() || base == "." {
        name.to_string()
    } else if name.is_empty() {
        base.to_string()
    } else {
        format!("{base}/{name}")
    }
}

/// Why a file or folder name in a pack cannot be used: `.`, `..`, empty, or holding a
/// separator, a NUL or a line break (which would let two packs share one `h1` digest).
/// Such names never come from git itself, only from a hand-made tree or a hostile folder.
pub fn bad_name(name: &str) -> Option<&'static str> {
    if name.is_empty() || name == "." || name == ".." {
        Some("is not a file name")
    } else if name.contains(['/', '\\', '\0']) {
        Some("holds a path separator")
    } else if name.contains(['\n', '\r']) {
        Some("holds a line break")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::Tags;

    #[test]
    fn a_prefix_is_one_sorted_range() {
        let tags = Tags::new(
            [
                "ab/v1.0.0",
                "a/v2.0.0",
                "a-b/v1.0.0",
                "a/v1.0.0",
                "a/vnext",
                "a/",
                "b/v1",
                "a/v1.0.0",
            ]
            .map(String::from)
            .to_vec(),
        );
        assert_eq!(tags.with_prefix("a/v"), ["a/v1.0.0", "a/v2.0.0", "a/vnext"]);
        assert_eq!(tags.with_prefix("a-"), ["a-b/v1.0.0"]);
        assert_eq!(tags.with_prefix("c/v"), [] as [&str; 0]);
        assert_eq!(tags.names().len(), 7);
        assert!(!tags.any_bare());
        assert!(Tags::new(vec!["v1.0.0".to_string()]).any_bare());
    }
}
