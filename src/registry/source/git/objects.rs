//! Reading a mirror's objects: tags peeled to commits, folders, blobs. Nothing here touches
//! the network or the work tree (a mirror has none).

use std::collections::HashMap;
use std::path::Path;

use git2::{ObjectType, Repository};

use crate::registry::source::{Tree, bad_name};

/// What each tag points at, from one pass over the refs.
pub type Targets = HashMap<String, git2::Oid>;

/// libgit2's settings for the run, set once before any repository is read:
/// - objects were checked when they were fetched into the mirror: hashing every object
///   again on each read is most of the cost of reading a thousand pack releases;
/// - trees up to 1 MiB stay in libgit2's object cache (its default limit is 4 KiB): a
///   `profiles` or `packs` tree of a thousand entries is otherwise inflated again for every
///   file read below it (most of `diff`'s time over 1,000 profiles).
pub fn libgit2_settings() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        git2::opts::strict_hash_verification(false);
        // SAFETY: called once (under `Once`), before this process reads any repository
        // through the cache the limit applies to.
        let _ = unsafe { git2::opts::set_cache_object_limit(git2::ObjectType::Tree, 1 << 20) };
    });
}

/// Every tag with its target, in ref order, from the refs alone: whether a tag names a
/// commit ([`names_commit`]) is asked only of the tags of a pack a layer uses.
pub fn tags(repo: &Repository) -> Result<(Vec<String>, Targets), git2::Error> {
    let mut names = Vec::new();
    let mut targets = Targets::new();
    for reference in repo.references_glob("refs/tags/*")? {
        let Ok(reference) = reference else { continue };
        let (Ok(name), Some(target)) = (reference.name(), reference.target()) else {
            continue;
        };
        let Some(tag) = name.strip_prefix("refs/tags/") else {
            continue;
        };
        targets.insert(tag.to_string(), target);
        names.push(tag.to_string());
    }
    Ok((names, targets))
}

/// Whether an object is a commit, or an annotated tag that leads to one (a missing object
/// is neither).
pub fn names_commit(repo: &Repository, odb: &git2::Odb, mut oid: git2::Oid) -> bool {
    for _ in 0..16 {
        match odb.read_header(oid).map(|(_, kind)| kind) {
            Ok(ObjectType::Commit) => return true,
            Ok(ObjectType::Tag) => match repo.find_tag(oid) {
                Ok(tag) => oid = tag.target_id(),
                Err(_) => return false,
            },
            _ => return false,
        }
    }
    false
}

/// The commit a tag, commit id or `HEAD` names, through annotated tags.
pub fn peel<'r>(
    repo: &'r Repository,
    targets: &Targets,
    rev: &str,
) -> Result<git2::Commit<'r>, git2::Error> {
    match targets.get(rev) {
        Some(oid) => repo.find_object(*oid, None)?.peel_to_commit(),
        None if rev == "HEAD" => repo.head()?.peel_to_commit(),
        None => match repo.find_reference(&format!("refs/tags/{rev}")) {
            Ok(r) => r.peel_to_commit(),
            Err(_) => repo.find_commit(git2::Oid::from_str(rev)?),
        },
    }
}

/// The folder at `dir` of a revision (`""` is the root), or `None` when it is not a folder.
pub fn folder<'r>(
    repo: &'r Repository,
    targets: &Targets,
    rev: &str,
    dir: &str,
) -> Result<Option<git2::Tree<'r>>, git2::Error> {
    let tree = peel(repo, targets, rev)?.tree()?;
    if dir.is_empty() {
        return Ok(Some(tree));
    }
    match tree.get_path(Path::new(dir)) {
        Ok(entry) if entry.kind() == Some(ObjectType::Tree) => {
            Ok(Some(repo.find_tree(entry.id())?))
        }
        _ => Ok(None),
    }
}

/// The names of the folders directly inside `dir`, sorted.
pub fn subdirs(
    repo: &Repository,
    targets: &Targets,
    rev: &str,
    dir: &str,
) -> Result<Vec<String>, git2::Error> {
    let mut names: Vec<String> = match folder(repo, targets, rev, dir)? {
        Some(tree) => tree
            .iter()
            .filter(|e| e.kind() == Some(ObjectType::Tree))
            .filter_map(|e| e.name().ok().map(str::to_string))
            .filter(|n| bad_name(n).is_none())
            .collect(),
        None => Vec::new(),
    };
    names.sort();
    Ok(names)
}

/// A file's bytes at a revision, or `None` when it is not there.
pub fn read_blob(
    repo: &Repository,
    targets: &Targets,
    rev: &str,
    path: &str,
) -> Result<Option<Vec<u8>>, git2::Error> {
    let tree = peel(repo, targets, rev)?.tree()?;
    match tree.get_path(Path::new(path)) {
        Ok(entry) if entry.kind() == Some(ObjectType::Blob) => {
            Ok(Some(repo.find_blob(entry.id())?.content().to_vec()))
        }
        _ => Ok(None),
    }
}

/// The revision a tag, branch or commit id names: the tag itself, or a commit id.
pub fn resolve_ref(repo: &Repository, reference: &str) -> Option<String> {
    // strata's own refs (`refs/strata/remote-head`: the remote's default branch).
    if reference.starts_with("refs/strata/") {
        return repo
            .find_reference(reference)
            .and_then(|r| r.peel_to_commit())
            .ok()
            .map(|c| c.id().to_string());
    }
    if repo
        .find_reference(&format!("refs/tags/{reference}"))
        .is_ok()
    {
        return Some(reference.to_string());
    }
    if let Ok(r) = repo.find_reference(&format!("refs/heads/{reference}")) {
        return r.peel_to_commit().ok().map(|c| c.id().to_string());
    }
    if reference.len() >= 4 && reference.bytes().all(|b| b.is_ascii_hexdigit()) {
        return repo
            .revparse_single(reference)
            .and_then(|o| o.peel_to_commit())
            .ok()
            .map(|c| c.id().to_string());
    }
    None
}

/// Why a folder could not be read as a pack.
pub enum Bad {
    Git(git2::Error),
    /// A symlink or submodule at `path`.
    Entry {
        path: String,
        what: &'static str,
    },
    /// A name that is not UTF-8.
    Name,
    /// An entry whose name cannot be a file name (see [`bad_name`](super::super::bad_name)).
    Unnamed {
        path: String,
        why: &'static str,
    },
}

impl From<git2::Error> for Bad {
    fn from(e: git2::Error) -> Bad {
        Bad::Git(e)
    }
}

/// Every blob under a folder, by path relative to it; symlinks and submodules are refused.
pub fn collect(
    repo: &Repository,
    tree: &git2::Tree,
    prefix: &str,
    out: &mut Tree,
) -> Result<(), Bad> {
    for entry in tree.iter() {
        let Ok(name) = entry.name() else {
            return Err(Bad::Name);
        };
        let rel = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}/{name}")
        };
        if let Some(why) = bad_name(name) {
            return Err(Bad::Unnamed {
                path: rel.escape_debug().to_string(),
                why,
            });
        }
        match entry.kind() {
            Some(ObjectType::Blob) if entry.filemode() == 0o120000 => {
                return Err(Bad::Entry {
                    path: rel,
                    what: "a symlink",
                });
            }
            Some(ObjectType::Blob) => {
                out.insert(rel, repo.find_blob(entry.id())?.content().to_vec());
            }
            Some(ObjectType::Tree) => collect(repo, &repo.find_tree(entry.id())?, &rel, out)?,
            _ => {
                return Err(Bad::Entry {
                    path: rel,
                    what: "a submodule",
                });
            }
        }
    }
    Ok(())
}
