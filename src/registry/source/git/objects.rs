//! Reading a mirror's objects: tags peeled to commits, folders, blobs. Nothing here touches
//! the network or the work tree (a mirror has none).

use std::collections::HashMap;
use std::path::Path;

use git2::{ObjectType, Repository};

use crate::registry::source::{Tree, bad_name};

/// What each tag points at, from one pass over the refs.
pub type Targets = HashMap<String, git2::Oid>;

/// Every tag with its target, in ref order, from the refs alone: whether a tag names a
/// commit ([`names_commit`]) is asked only of the tags of a pack a layer uses, all at once.
pub fn tags(repo: &Repository) -> Result<(Vec<String>, Targets), git2::Error> {
    if let Some(found) = packed_tags(repo.path()) {
        return Ok(found);
    }
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

/// The tags of a mirror whose tags are all in its `packed-refs` file (strata packs the refs
/// after every fetch), read from that file: a third of the time of one small `lock` went to
/// libgit2 loading and sorting every packed ref. `None` when a loose tag exists or the file
/// is not as git writes it: libgit2 reads the refs then.
fn packed_tags(git_dir: &std::path::Path) -> Option<(Vec<String>, Targets)> {
    let loose = walkdir::WalkDir::new(git_dir.join("refs").join("tags"))
        .into_iter()
        .any(|e| e.map_or(true, |e| !e.file_type().is_dir()));
    if loose {
        return None;
    }
    let text = match fs_err::read_to_string(git_dir.join("packed-refs")) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(_) => return None,
    };
    // Sized once: growing a map of thousands of tags rehashes it a dozen times.
    let lines = line_count(&text);
    let mut names = Vec::with_capacity(lines);
    let mut targets = Targets::with_capacity(lines);
    for line in text.lines() {
        if line.starts_with('#') || line.starts_with('^') {
            continue;
        }
        // `<40 hex digits> <ref name>`, as git writes it.
        let (oid, name) = match (line.get(..40), line.get(40..)) {
            (Some(oid), Some(rest)) => (oid, rest.strip_prefix(' ')?),
            _ => return None,
        };
        let oid = oid_from_hex(oid)?;
        if let Some(tag) = name.strip_prefix("refs/tags/") {
            targets.insert(tag.to_string(), oid);
            names.push(tag.to_string());
        }
    }
    Some((names, targets))
}

/// A full 40-digit object id (libgit2's parser, which takes prefixes too, was a third of
/// reading a thousand packed tags).
fn oid_from_hex(hex: &str) -> Option<git2::Oid> {
    let hex = hex.as_bytes();
    if hex.len() != 40 {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    let mut bytes = [0u8; 20];
    for (b, pair) in bytes.iter_mut().zip(hex.chunks_exact(2)) {
        *b = (digit(pair[0])? << 4) | digit(pair[1])?;
    }
    git2::Oid::from_bytes(&bytes).ok()
}

/// The number of lines of a text.
fn line_count(text: &str) -> usize {
    text.bytes().filter(|b| *b == b'\n').count() + 1
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_ids_are_40_hex_digits() {
        let hex = "0123456789abcdefABCDEF0123456789abcdef01";
        assert_eq!(oid_from_hex(hex), Some(git2::Oid::from_str(hex).unwrap()),);
        for bad in [
            "0123",
            "0123456789abcdef0123456789abcdef0123456g",
            &format!("{hex}0"),
        ] {
            assert_eq!(oid_from_hex(bad), None, "{bad}");
        }
    }

    #[test]
    fn packed_tags_are_read_from_the_file_and_loose_ones_through_libgit2() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init_bare(dir.path()).unwrap();
        let sig = git2::Signature::new("t", "t@example.com", &git2::Time::new(0, 0)).unwrap();
        let tree = repo.treebuilder(None).unwrap().write().unwrap();
        let tree = repo.find_tree(tree).unwrap();
        let commit = repo.commit(None, &sig, &sig, "c", &tree, &[]).unwrap();
        let object = repo.find_object(commit, None).unwrap();
        repo.tag("a/v1.0.0", &object, &sig, "annotated", false)
            .unwrap();
        repo.tag_lightweight("a/v1.1.0", &object, false).unwrap();
        // Loose tags: libgit2 reads them.
        assert_eq!(packed_tags(repo.path()), None);
        let (names, targets) = tags(&repo).unwrap();
        assert_eq!(names, ["a/v1.0.0", "a/v1.1.0"]);
        repo.refdb_compress().unwrap();
        let packed = packed_tags(repo.path()).unwrap();
        assert_eq!(packed.0, names);
        assert_eq!(packed.1, targets);
        assert_eq!(packed.1["a/v1.1.0"], commit);
        assert_ne!(
            packed.1["a/v1.0.0"], commit,
            "an annotated tag names its tag object"
        );
    }
}
