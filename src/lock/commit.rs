//! `--commit`: one commit on the current branch holding only the lock files a run changed.
//! The user's other staged and unstaged changes stay exactly as they were.

use std::path::{Path, PathBuf};

use git2::{Repository, Signature};

use crate::error::{Error, Result};

/// A repository ready to take a lock commit: its work tree and the branch HEAD names.
pub struct Target {
    repo: Repository,
    workdir: PathBuf,
    branch: String,
    parent: Option<git2::Oid>,
}

/// Checks, before anything is written, that a commit can be made: the catalog is in a git
/// work tree and HEAD is on a branch.
pub fn prepare(catalog_root: &Path) -> Result<Target> {
    let repo = Repository::discover(catalog_root).map_err(|_| {
        Error::usage_hint(
            "`--commit` needs the catalog in a git repository",
            Some("run `git init` (or `strata init`) first, or drop `--commit`".to_string()),
        )
    })?;
    let workdir = repo
        .workdir()
        .ok_or_else(|| Error::usage("`--commit` needs a work tree, and this repository is bare"))?
        .to_path_buf();
    let branch = repo
        .find_reference("HEAD")?
        .symbolic_target()
        .ok()
        .flatten()
        .map(str::to_string);
    let Some(branch) = branch else {
        return Err(Error::usage_hint(
            "`--commit` needs a branch, and HEAD is detached",
            Some(
                "check out a branch (`git switch -c strata-update`), or drop `--commit`"
                    .to_string(),
            ),
        ));
    };
    let parent = match repo.head() {
        Ok(h) => Some(h.peel_to_commit()?.id()),
        Err(e) if e.code() == git2::ErrorCode::UnbornBranch => None,
        Err(e) => return Err(e.into()),
    };
    Ok(Target {
        repo,
        workdir,
        branch,
        parent,
    })
}

impl Target {
    /// The files among `files` (catalog paths) whose content, as a lock's `inputs` sees it,
    /// differs from HEAD's: a lock committed over them would be stale at its own commit.
    /// A comment-only change does not count.
    pub fn uncommitted(
        &self,
        root: &Path,
        files: &[String],
        worktree: &crate::files::Files,
    ) -> Result<Vec<String>> {
        let head = self
            .parent
            .map(|p| self.repo.find_commit(p).and_then(|c| c.tree()))
            .transpose()?;
        let mut out = Vec::new();
        for file in files {
            let rel = self.relative(&root.join(file))?;
            let at_head = match &head {
                Some(tree) => match tree.get_path(Path::new(&rel)) {
                    Ok(e) => Some(self.repo.find_blob(e.id())?.content().to_vec()),
                    Err(_) => None,
                },
                None => None,
            };
            let now = worktree.read(file)?;
            let digest = |b: &Option<Vec<u8>>| b.as_deref().map(crate::digest::content_digest);
            if at_head.is_none() || digest(&at_head) != digest(&now) {
                out.push(file.clone());
            }
        }
        Ok(out)
    }

    /// Path of a file relative to the work tree, `/`-separated.
    fn relative(&self, path: &Path) -> Result<String> {
        let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let work = canon(&self.workdir);
        // The file may not exist yet: canonicalize its folder.
        let dir = canon(path.parent().unwrap_or(path));
        let full = dir.join(path.file_name().unwrap_or_default());
        let rel = full.strip_prefix(&work).map_err(|_| {
            Error::usage(format!(
                "`{}` is outside the git work tree `{}`",
                path.display(),
                work.display()
            ))
        })?;
        Ok(rel.to_string_lossy().replace('\\', "/"))
    }

    /// Makes the commit object for `files` (path, new content) on top of HEAD, without
    /// moving the branch yet.
    pub fn stage(&self, files: &[(PathBuf, &str)], message: &str) -> Result<Staged> {
        let base = match self.parent {
            Some(p) => self.repo.find_commit(p)?.tree()?,
            None => {
                let empty = self.repo.treebuilder(None)?.write()?;
                self.repo.find_tree(empty)?
            }
        };
        let mut update = git2::build::TreeUpdateBuilder::new();
        let mut paths = Vec::new();
        for (path, text) in files {
            let rel = self.relative(path)?;
            let blob = self.repo.blob(text.as_bytes())?;
            update.upsert(&rel, blob, git2::FileMode::Blob);
            paths.push(rel);
        }
        let tree_id = update.create_updated(&self.repo, &base)?;
        let tree = self.repo.find_tree(tree_id)?;
        let sig = self
            .repo
            .signature()
            .or_else(|_| Signature::now("strata", "strata@localhost"))?;
        let parents: Vec<git2::Commit> = self
            .parent
            .iter()
            .map(|p| self.repo.find_commit(*p))
            .collect::<Result<_, _>>()?;
        let parent_refs: Vec<&git2::Commit> = parents.iter().collect();
        let commit = self
            .repo
            .commit(None, &sig, &sig, message, &tree, &parent_refs)?;
        Ok(Staged { commit, paths })
    }

    /// Moves the branch to the staged commit and records the new lock files in the index,
    /// leaving every other index entry alone. Call after the files are written.
    pub fn finish(&self, staged: &Staged) -> Result<()> {
        let message = format!("strata: commit {}", staged.commit);
        match self.parent {
            Some(old) => {
                self.repo
                    .reference_matching(&self.branch, staged.commit, true, old, &message)?
            }
            None => self
                .repo
                .reference(&self.branch, staged.commit, false, &message)?,
        };
        let mut index = self.repo.index()?;
        for rel in &staged.paths {
            index.add_path(Path::new(rel))?;
        }
        index.write()?;
        Ok(())
    }
}

pub struct Staged {
    pub commit: git2::Oid,
    paths: Vec<String>,
}

/// The message of a `--commit`: `strata: update aws-prod, edge-small` and a body line per
/// change (`aws-prod network calico 3.27.1 -> 3.27.2`).
pub fn message(verb: &str, changed: &[&super::plan::Planned]) -> String {
    let names: Vec<&str> = changed.iter().map(|p| p.name.as_str()).collect();
    let mut msg = format!("strata: {verb} {}\n\n", names.join(", "));
    for p in changed {
        for line in p.change_lines() {
            msg.push_str(&line);
            msg.push('\n');
        }
    }
    msg
}
