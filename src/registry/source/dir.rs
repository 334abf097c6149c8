//! The `dir` source: a folder inside the catalog repository, read through the catalog's
//! [`Files`] (the working tree, or a revision).

use super::{Source, Tree, bad_name, join};
use crate::diagnostic::Diagnostic;
use crate::error::Result;
use crate::files::{Files, Kind};
use crate::model::config::RegistryKind;

pub struct DirSource {
    /// The folder as written in strata.toml (relative to the catalog root).
    rel: String,
    files: Files,
}

impl DirSource {
    pub fn open(
        name: &str,
        files: &Files,
        rel: &str,
        warnings: &crate::diagnostic::Warnings,
    ) -> Result<DirSource> {
        let rel = rel.trim_end_matches('/').to_string();
        // `strata.toml` cannot name a folder outside the catalog; a symlink must not either.
        if let Files::Disk(root) = files
            && let (Ok(folder), Ok(root)) = (root.join(&rel).canonicalize(), root.canonicalize())
            && !folder.starts_with(&root)
        {
            return Err(Diagnostic::plain(format!(
                "registry `{name}`: folder `{rel}` leads outside the catalog (through a symlink)"
            ))
            .with_hint("a dir registry's folder lies inside the catalog repository")
            .into());
        }
        // git keeps no empty folder, so a fresh clone (or an older revision) may lack it:
        // the registry is empty then, which the working tree is worth a warning for.
        if !files.is_dir(&rel) && files.rev().is_none() {
            warnings.warn(Diagnostic::plain(format!(
                "registry `{name}`: folder `{rel}` does not exist (relative to the catalog root); the registry has no packs"
            )));
        }
        Ok(DirSource {
            rel,
            files: files.clone(),
        })
    }

    fn full(&self, path: &str) -> String {
        join(&self.rel, path)
    }
}

impl Source for DirSource {
    fn kind(&self) -> RegistryKind {
        RegistryKind::Dir
    }

    fn location(&self) -> String {
        self.rel.clone()
    }

    fn subdirs(&self, _rev: Option<&str>, dir: &str) -> Result<Vec<String>> {
        let full = self.full(dir);
        if !self.files.is_dir(&full) {
            return Ok(Vec::new());
        }
        self.files.subdirs(&full)
    }

    fn read_file(&self, _rev: Option<&str>, path: &str) -> Result<Option<Vec<u8>>> {
        self.files.read(&self.full(path))
    }

    fn read_dir(&self, rev: Option<&str>, dir: &str) -> Result<Option<Tree>> {
        let base = self.full(dir);
        if !self.files.is_dir(&base) {
            return Ok(None);
        }
        let mut files = Tree::new();
        for (rel, kind) in self.files.walk(&base, false)? {
            if let Some(why) = rel.split('/').find_map(bad_name) {
                return Err(Diagnostic::plain(format!(
                    "`{}` {why}; a pack's files must have plain names",
                    self.display(rev, &join(dir, &rel)).escape_debug()
                ))
                .into());
            }
            let what = match kind {
                Kind::File => {
                    let bytes = self
                        .files
                        .read(&format!("{base}/{rel}"))?
                        .unwrap_or_default();
                    files.insert(rel, bytes);
                    continue;
                }
                Kind::Symlink => "a symlink",
                Kind::Other(what) => what,
            };
            return Err(Diagnostic::plain(format!(
                "`{}` is {what}; packs may hold only regular files and folders",
                self.display(rev, &join(dir, &rel))
            ))
            .into());
        }
        Ok(Some(files))
    }

    fn display(&self, _rev: Option<&str>, path: &str) -> String {
        self.full(path)
    }
}
