//! A catalog's (or a dir registry's) files, read either from the working tree or straight
//! from the git objects of a revision (`--at REF`, `diff --base`): never a checkout. Also
//! how this process reads any git repository with libgit2 ([`libgit2_settings`]).

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use git2::{ObjectType, Repository};

use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};

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

/// What a file on disk is that is neither a file, a folder nor a symlink.
fn special(ft: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_socket() {
            return "a socket";
        }
        if ft.is_block_device() || ft.is_char_device() {
            return "a device";
        }
    }
    let _ = ft;
    "not a regular file"
}

/// The largest catalog file strata reads (a profile of 100,000 layers is 7 MiB).
pub const MAX_FILE: u64 = 64 << 20;

/// Reads a regular file of at most `max` bytes; `None` when there is nothing (or a folder)
/// at `path`. `shown` names the file in diagnostics. A symlink, FIFO, socket or device is
/// refused without being opened.
pub fn read_regular(path: &Path, shown: &str, max: u64) -> Result<Option<Vec<u8>>> {
    use std::io::Read;
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
            return Ok(None);
        }
        Err(e) => {
            return Err(std::io::Error::new(
                e.kind(),
                format!("cannot read `{}`: {e}", path.display()),
            )
            .into());
        }
    };
    let ft = meta.file_type();
    if ft.is_dir() {
        // A folder where a file was expected reads as no file, as in git.
        return Ok(None);
    }
    if ft.is_symlink() {
        return Err(not_regular(shown, "a symlink").into());
    }
    if !ft.is_file() {
        return Err(not_regular(shown, "not a regular file (a FIFO, socket or device)").into());
    }
    if meta.len() > max {
        return Err(too_large(shown, meta.len(), max).into());
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Never follow a symlink swapped in since the check, never block on a FIFO.
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let cannot = |e: std::io::Error| {
        Error::from(std::io::Error::new(
            e.kind(),
            format!("cannot read `{}`: {e}", path.display()),
        ))
    };
    let file = options.open(path).map_err(cannot)?;
    if !file.metadata().map_err(cannot)?.is_file() {
        return Err(not_regular(shown, "not a regular file").into());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max + 1).read_to_end(&mut bytes).map_err(cannot)?;
    if bytes.len() as u64 > max {
        return Err(too_large(shown, bytes.len() as u64, max).into());
    }
    Ok(Some(bytes))
}

fn not_regular(shown: &str, what: &str) -> Diagnostic {
    Diagnostic::file(shown, format!("is {what}; strata reads only regular files"))
        .with_hint("replace it with the file itself")
}

fn too_large(shown: &str, size: u64, max: u64) -> Diagnostic {
    Diagnostic::file(
        shown,
        format!(
            "is {size} bytes; strata reads files of at most {} MiB",
            max >> 20
        ),
    )
}

/// Where the catalog's files are read from.
#[derive(Clone)]
pub enum Files {
    /// The catalog root on disk.
    Disk(PathBuf),
    /// A revision of the repository holding the catalog.
    Git(Arc<GitTree>),
}

pub struct GitTree {
    repo: Mutex<Repository>,
    tree: git2::Oid,
    /// The catalog root inside the repository (`""` or `platform/`).
    prefix: String,
    /// The revision as the user wrote it.
    pub rev: String,
    /// The commit it names.
    pub commit: git2::Oid,
}

/// A file or folder found by [`Files::walk`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    File,
    Symlink,
    /// A submodule (in git), or a FIFO, socket or device (on disk): named for messages.
    Other(&'static str),
}

impl Kind {
    /// Whether it is neither a file nor a symlink.
    pub fn is_other(self) -> bool {
        matches!(self, Kind::Other(_))
    }
}

impl Files {
    /// The catalog at `root` as of `rev` (a tag, branch or commit of its repository).
    pub fn at(root: &Path, rev: &str) -> Result<Files> {
        libgit2_settings();
        let repo = Repository::discover(root).map_err(|_| {
            Error::usage(format!(
                "`{}` is not in a git repository, so there is no revision `{rev}` to read",
                root.display()
            ))
        })?;
        let workdir = repo
            .workdir()
            .ok_or_else(|| Error::usage("the catalog's repository is bare"))?
            .to_path_buf();
        let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let prefix = canon(root)
            .strip_prefix(canon(&workdir))
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        let prefix = if prefix.is_empty() {
            prefix
        } else {
            format!("{prefix}/")
        };
        let (commit, tree) = {
            let c = repo
                .revparse_single(rev)
                .and_then(|o| o.peel_to_commit())
                .map_err(|_| {
                    Error::usage_hint(
                        format!("unknown revision `{rev}`"),
                        Some("give a tag, branch or commit of the catalog repository".to_string()),
                    )
                })?;
            (c.id(), c.tree_id())
        };
        Ok(Files::Git(Arc::new(GitTree {
            repo: Mutex::new(repo),
            tree,
            prefix,
            rev: rev.to_string(),
            commit,
        })))
    }

    /// The revision, when reading one.
    pub fn rev(&self) -> Option<&str> {
        match self {
            Files::Disk(_) => None,
            Files::Git(g) => Some(&g.rev),
        }
    }

    /// A file's bytes, or `None` when there is no such file. Only regular files are read
    /// (a symlink, FIFO or device is a catalog problem, and is never opened), up to
    /// [`MAX_FILE`] bytes.
    pub fn read(&self, rel: &str) -> Result<Option<Vec<u8>>> {
        match self {
            Files::Disk(root) => read_regular(&root.join(rel), rel, MAX_FILE),
            Files::Git(g) => g
                .with(rel, |repo, entry| match entry {
                    Some(e) if e.kind() == Some(ObjectType::Blob) && e.filemode() == 0o120000 => {
                        Ok(Err(not_regular(rel, "a symlink")))
                    }
                    Some(e) if e.kind() == Some(ObjectType::Blob) => {
                        let (size, _) = repo.odb()?.read_header(e.id())?;
                        if size as u64 > MAX_FILE {
                            return Ok(Err(too_large(rel, size as u64, MAX_FILE)));
                        }
                        Ok(Ok(Some(repo.find_blob(e.id())?.content().to_vec())))
                    }
                    _ => Ok(Ok(None)),
                })?
                .map_err(Error::from),
        }
    }

    /// The git blob id of a regular file without reading it from a revision (the same id
    /// git gives the bytes of a working-tree file, which are read for it); `None` when
    /// there is nothing at `rel`; a symlink is refused as [`Files::read`] refuses it. Two
    /// sides with the same id hold the same bytes.
    pub fn blob_id(&self, rel: &str) -> Result<Option<git2::Oid>> {
        match self {
            Files::Disk(_) => Ok(self
                .read(rel)?
                .map(|b| git2::Oid::hash_object(ObjectType::Blob, &b))
                .transpose()?),
            Files::Git(g) => g
                .with(rel, |_, entry| {
                    Ok(match entry {
                        Some(e)
                            if e.kind() == Some(ObjectType::Blob) && e.filemode() == 0o120000 =>
                        {
                            Err(not_regular(rel, "a symlink"))
                        }
                        Some(e) if e.kind() == Some(ObjectType::Blob) => Ok(Some(e.id())),
                        _ => Ok(None),
                    })
                })?
                .map_err(Error::from),
        }
    }

    pub fn exists(&self, rel: &str) -> bool {
        match self {
            Files::Disk(root) => root.join(rel).is_file(),
            Files::Git(_) => self.read(rel).ok().flatten().is_some(),
        }
    }

    pub fn is_dir(&self, rel: &str) -> bool {
        match self {
            Files::Disk(root) => root.join(rel).is_dir(),
            Files::Git(g) => g
                .with(rel, |_, entry| {
                    Ok(entry.is_some_and(|e| e.kind() == Some(ObjectType::Tree))
                        || rel.is_empty()
                        || rel == ".")
                })
                .unwrap_or(false),
        }
    }

    /// The folder names directly inside `rel`, sorted.
    pub fn subdirs(&self, rel: &str) -> Result<Vec<String>> {
        let mut names = Vec::new();
        match self {
            Files::Disk(root) => {
                for entry in fs_err::read_dir(root.join(rel))? {
                    let entry = entry?;
                    let ft = entry.file_type()?;
                    let Some(n) = entry.file_name().to_str().map(str::to_string) else {
                        continue;
                    };
                    if ft.is_symlink() {
                        return Err(Diagnostic::plain(format!(
                            "`{rel}/{n}` is a symlink; packs may hold only regular files and folders"
                        ))
                        .into());
                    }
                    if ft.is_dir() {
                        names.push(n);
                    }
                }
            }
            Files::Git(g) => g.with_tree(rel, |_, tree| {
                if let Some(tree) = tree {
                    for e in tree.iter() {
                        if e.kind() == Some(ObjectType::Tree)
                            && let Ok(n) = e.name()
                        {
                            names.push(n.to_string());
                        }
                    }
                }
                Ok(())
            })?,
        }
        names.sort();
        Ok(names)
    }

    /// Everything under `rel`, recursively: paths relative to `rel`, `/`-separated, sorted.
    /// Folders are descended into (hidden ones too, unless `skip_hidden`), not listed.
    pub fn walk(&self, rel: &str, skip_hidden: bool) -> Result<Vec<(String, Kind)>> {
        let mut out = Vec::new();
        match self {
            Files::Disk(root) => {
                let base = root.join(rel);
                if !base.is_dir() {
                    return Ok(out);
                }
                let walk = walkdir::WalkDir::new(&base)
                    .follow_links(false)
                    .sort_by_file_name();
                for entry in walk
                    .into_iter()
                    .filter_entry(|e| !(skip_hidden && e.depth() > 0 && is_hidden(e.file_name())))
                {
                    let entry = entry.map_err(|e| {
                        let path = e.path().unwrap_or(&base).to_path_buf();
                        std::io::Error::other(format!("cannot read `{}`: {e}", path.display()))
                    })?;
                    let ft = entry.file_type();
                    if ft.is_dir() {
                        continue;
                    }
                    // Joined from its components: a `\\` in a name is part of the name.
                    let p = entry
                        .path()
                        .strip_prefix(&base)
                        .unwrap_or(entry.path())
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy())
                        .collect::<Vec<_>>()
                        .join("/");
                    let kind = if ft.is_symlink() {
                        Kind::Symlink
                    } else if ft.is_file() {
                        Kind::File
                    } else {
                        Kind::Other(special(&ft))
                    };
                    out.push((p, kind));
                }
            }
            Files::Git(g) => g.with_tree(rel, |repo, tree| {
                if let Some(tree) = tree {
                    collect(repo, &tree, "", skip_hidden, &mut out)?;
                }
                Ok(())
            })?,
        }
        out.sort();
        Ok(out)
    }
}

fn collect(
    repo: &Repository,
    tree: &git2::Tree,
    prefix: &str,
    skip_hidden: bool,
    out: &mut Vec<(String, Kind)>,
) -> std::result::Result<(), git2::Error> {
    for e in tree.iter() {
        let Ok(name) = e.name() else { continue };
        let path = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}/{name}")
        };
        match e.kind() {
            Some(ObjectType::Tree) => {
                if skip_hidden && name.starts_with('.') {
                    continue;
                }
                collect(repo, &repo.find_tree(e.id())?, &path, skip_hidden, out)?;
            }
            Some(ObjectType::Blob) if e.filemode() == 0o120000 => out.push((path, Kind::Symlink)),
            Some(ObjectType::Blob) => out.push((path, Kind::File)),
            _ => out.push((path, Kind::Other("a submodule"))),
        }
    }
    Ok(())
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|s| s.starts_with('.') && s.len() > 1)
}

impl GitTree {
    /// The repository path of a catalog path, resolving `.` and `..`; `None` when it would
    /// leave the repository.
    fn resolve(&self, rel: &str) -> Option<String> {
        let mut parts: Vec<&str> = Vec::new();
        for part in self.prefix.split('/').chain(rel.split('/')) {
            match part {
                "" | "." => {}
                ".." => {
                    parts.pop()?;
                }
                p => parts.push(p),
            }
        }
        Some(parts.join("/"))
    }

    fn with<T>(
        &self,
        rel: &str,
        f: impl FnOnce(&Repository, Option<git2::TreeEntry>) -> std::result::Result<T, git2::Error>,
    ) -> Result<T> {
        let repo = self.repo.lock().unwrap_or_else(|p| p.into_inner());
        let tree = repo.find_tree(self.tree)?;
        let entry = match self.resolve(rel) {
            Some(p) if !p.is_empty() => tree.get_path(Path::new(&p)).ok(),
            _ => None,
        };
        Ok(f(&repo, entry)?)
    }

    fn with_tree<T>(
        &self,
        rel: &str,
        f: impl FnOnce(&Repository, Option<git2::Tree>) -> std::result::Result<T, git2::Error>,
    ) -> Result<T> {
        let repo = self.repo.lock().unwrap_or_else(|p| p.into_inner());
        let root = repo.find_tree(self.tree)?;
        let tree = match self.resolve(rel) {
            None => None,
            Some(p) if p.is_empty() => Some(root),
            Some(p) => match root.get_path(Path::new(&p)) {
                Ok(e) if e.kind() == Some(ObjectType::Tree) => Some(repo.find_tree(e.id())?),
                _ => None,
            },
        };
        Ok(f(&repo, tree)?)
    }
}
