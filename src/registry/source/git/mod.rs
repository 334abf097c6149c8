//! The `git` source: a repository mirrored (bare, all heads and tags, moved tags moved,
//! deleted refs pruned) under `<cache>/git/<digest of the normalized URL>`, fetched at most
//! once per run, and read straight from git objects: never a checkout.
//!
//! [`mirror`] keeps the cache entry, [`transport`] talks to the remote, [`objects`] reads
//! trees and blobs.

mod mirror;
mod objects;
mod transport;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use git2::Repository;

use super::{Source, Tree};
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::model::config::RegistryKind;
use crate::registry::settings::Settings;
use crate::registry::url::{GitUrl, redact};

pub struct GitSource {
    registry: String,
    url: GitUrl,
    /// The packs folder inside the repository, `/`-separated, empty for the root.
    path: String,
    mirror_dir: PathBuf,
    settings: Settings,
    state: Mutex<Option<std::result::Result<Arc<Mirror>, Stored>>>,
    /// Fetch the remote's `HEAD` too (a registry that follows the default branch).
    follow_head: bool,
}

/// An opened mirror and what one pass over its tags found.
struct Mirror {
    repo: Mutex<Repository>,
    /// Tag names, sorted.
    tags: Arc<super::Tags>,
    /// What each tag points at (a commit, or an annotated tag object), so reading a release
    /// needs no ref lookup.
    targets: objects::Targets,
}

/// A failure kept for the rest of the run, so a registry is tried once.
#[derive(Clone)]
enum Stored {
    Registry(String),
    Catalog(Vec<Diagnostic>),
    /// This machine, not the registry (a cache folder that is not ours, a full disk).
    Local(String, Option<String>),
}

impl GitSource {
    pub fn new(
        registry: &str,
        url: GitUrl,
        path: &str,
        settings: &Settings,
        follow_head: bool,
    ) -> GitSource {
        crate::files::libgit2_settings();
        GitSource {
            registry: registry.to_string(),
            mirror_dir: settings.cache_dir.join("git").join(url.cache_key()),
            url,
            path: path.trim_matches('/').to_string(),
            settings: settings.clone(),
            state: Mutex::new(None),
            follow_head,
        }
    }

    fn mirror(&self) -> Result<Arc<Mirror>> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let stored = state.get_or_insert_with(|| self.stored(self.open_mirror(false)));
        self.restore(stored)
    }

    fn stored(&self, r: Result<Mirror>) -> std::result::Result<Arc<Mirror>, Stored> {
        r.map(Arc::new).map_err(|e| match e {
            Error::Catalog(d) => Stored::Catalog(d),
            Error::Registry { message, .. } => Stored::Registry(message),
            other => Stored::Local(other.to_string(), other.hint().map(str::to_string)),
        })
    }

    fn restore(&self, stored: &std::result::Result<Arc<Mirror>, Stored>) -> Result<Arc<Mirror>> {
        stored.as_ref().cloned().map_err(|e| match e {
            Stored::Registry(m) => Error::registry(&self.registry, m.clone()),
            Stored::Catalog(d) => Error::Catalog(d.clone()),
            Stored::Local(m, hint) => Error::usage_hint(m.clone(), hint.clone()),
        })
    }

    /// Locked reads: when a read of the cached mirror misses and this run has not fetched
    /// it, fetch it now (once) and say whether there is something new to read.
    fn refresh(&self) -> bool {
        if !self.settings.prefer_cache
            || self.settings.offline
            || self.settings.was_fetched(&self.mirror_dir)
        {
            return false;
        }
        let fresh = self.stored(self.open_mirror(true));
        let ok = fresh.is_ok();
        *self.state.lock().unwrap_or_else(|p| p.into_inner()) = Some(fresh);
        ok
    }

    /// A read at a revision; a miss in a cached mirror fetches it once and reads again.
    fn read_at<T>(&self, f: impl Fn(&Repository, &Mirror) -> Result<T>) -> Result<T> {
        match self.with_repo(&f) {
            Err(e) if self.refresh() => self.with_repo(&f).map_err(|_| e),
            other => other,
        }
    }

    fn fail(&self, what: &str, e: &git2::Error) -> Error {
        Error::registry(
            &self.registry,
            format!("{what} `{}`: {}", self.url.display, redact(e.message())),
        )
    }

    fn with_repo<T>(&self, f: impl FnOnce(&Repository, &Mirror) -> Result<T>) -> Result<T> {
        let mirror = self.mirror()?;
        let repo = mirror.repo.lock().unwrap_or_else(|p| p.into_inner());
        f(&repo, &mirror)
    }

    /// The revision read when none is given: the remote's default branch.
    fn rev_or_head(rev: Option<&str>) -> &str {
        rev.unwrap_or("HEAD")
    }
}

impl Source for GitSource {
    fn kind(&self) -> RegistryKind {
        RegistryKind::Git
    }

    fn location(&self) -> String {
        self.url.display.clone()
    }

    fn root(&self) -> &str {
        &self.path
    }

    fn prepare(&self) -> Result<()> {
        self.mirror().map(|_| ())
    }

    /// A bare repository's shape is in the cache (opening it is left to the read that
    /// needs it, which repairs a broken one).
    fn is_cached(&self) -> bool {
        self.mirror_dir.join("HEAD").is_file() && self.mirror_dir.join("objects").is_dir()
    }

    fn tags(&self) -> Result<Option<std::sync::Arc<super::Tags>>> {
        Ok(Some(Arc::clone(&self.mirror()?.tags)))
    }

    fn names_commits(&self, tags: &[&str]) -> Result<Vec<bool>> {
        self.read_at(|repo, mirror| {
            let odb = repo
                .odb()
                .map_err(|e| self.fail("cannot read the objects of", &e))?;
            Ok(tags
                .iter()
                .map(|tag| match mirror.targets.get(*tag) {
                    Some(oid) => objects::names_commit(repo, &odb, *oid),
                    None => true,
                })
                .collect())
        })
    }

    fn verify_tag(
        &self,
        tag: &str,
        signers: &crate::trust::Signers,
    ) -> Result<crate::trust::Verdict> {
        let mirror = self.mirror()?;
        let cache = self.settings.cache_dir.join("signatures");
        match mirror.targets.get(tag) {
            Some(target) => crate::trust::tags::verify(
                &self.mirror_dir,
                (tag, &target.to_string()),
                signers,
                Some(&cache),
            ),
            // A release that is a commit (a registry that follows a branch).
            None => match self.commit(tag)? {
                Some(commit) => crate::trust::tags::verify_commit(
                    &self.mirror_dir,
                    &commit,
                    signers,
                    Some(&cache),
                ),
                None => Ok(crate::trust::Verdict::Refused(
                    "names nothing in the repository".to_string(),
                )),
            },
        }
    }

    fn subdirs(&self, rev: Option<&str>, dir: &str) -> Result<Vec<String>> {
        let rev = GitSource::rev_or_head(rev);
        self.read_at(|repo, mirror| {
            objects::subdirs(repo, &mirror.targets, rev, dir)
                .map_err(|e| self.fail(&format!("cannot read `{rev}` of"), &e))
        })
    }

    fn read_file(&self, rev: Option<&str>, path: &str) -> Result<Option<Vec<u8>>> {
        let rev = GitSource::rev_or_head(rev);
        self.read_at(|repo, mirror| {
            objects::read_blob(repo, &mirror.targets, rev, path)
                .map_err(|e| self.fail(&format!("cannot read `{path}` at `{rev}` of"), &e))
        })
    }

    fn read_dir(&self, rev: Option<&str>, dir: &str) -> Result<Option<Tree>> {
        let rev = GitSource::rev_or_head(rev);
        self.read_at(|repo, mirror| {
            let Some(tree) = objects::folder(repo, &mirror.targets, rev, dir)
                .map_err(|e| self.fail(&format!("cannot read `{rev}` of"), &e))?
            else {
                return Ok(None);
            };
            let mut files = Tree::new();
            objects::collect(repo, &tree, "", &mut files).map_err(|e| match e {
                objects::Bad::Git(e) => self.fail("cannot read", &e),
                objects::Bad::Entry { path, what } => Diagnostic::plain(format!(
                    "`{}` is {what}; packs may hold only regular files and folders",
                    self.display(Some(rev), &super::join(dir, &path))
                ))
                .into(),
                objects::Bad::Unnamed { path, why } => Diagnostic::plain(format!(
                    "`{}` {why}; a pack's files must have plain names",
                    self.display(Some(rev), &super::join(dir, &path))
                ))
                .into(),
                objects::Bad::Name => Diagnostic::plain(format!(
                    "registry `{}`: a file name under `{dir}` is not UTF-8",
                    self.registry
                ))
                .into(),
            })?;
            Ok(Some(files))
        })
    }

    fn commit(&self, rev: &str) -> Result<Option<String>> {
        self.read_at(|repo, mirror| {
            objects::peel(repo, &mirror.targets, rev)
                .map(|c| Some(c.id().to_string()))
                .map_err(|e| self.fail(&format!("cannot read `{rev}` of"), &e))
        })
    }

    fn resolve_ref(&self, reference: &str) -> Result<Option<String>> {
        self.with_repo(|repo, _| Ok(objects::resolve_ref(repo, reference)))
    }

    fn display(&self, rev: Option<&str>, path: &str) -> String {
        format!("{}@{}:{path}", self.registry, rev.unwrap_or_default())
    }
}
