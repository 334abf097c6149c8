//! The `dir` source: a folder of the catalog repository (or beside it), read through the
//! catalog's [`Files`] (the working tree, or a revision).

use super::{Source, Tree, join};
use crate::catalog::files::{Files, Kind};
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::model::config::RegistryKind;

pub struct DirSource {
    /// The folder as written in strata.toml (relative to the catalog root).
    rel: String,
    files: Files,
}

impl DirSource {
    pub fn open(name: &str, files: &Files, rel: &str) -> Result<DirSource> {
        let rel = rel.trim_end_matches('/').to_string();
        if !files.is_dir(&rel) {
            let at = files
                .rev()
                .map(|r| format!(" at `{r}`"))
                .unwrap_or_default();
            return Err(Error::registry(
                name,
                format!("folder `{rel}` does not exist{at} (relative to the catalog root)"),
            ));
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
                Kind::Other => "a submodule",
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
