//! The `dir` registry: a folder of the catalog repository (or beside it) laid out as
//! `<pack>/<version>/pack.toml`, read through the catalog's [`Files`] (the working tree, or
//! a revision).

use std::collections::BTreeMap;

use super::{Backend, ReleaseRef};
use crate::config::RegistryKind;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::files::{Files, Kind};
use crate::pack::is_pack_name;
use crate::version::Version;

pub struct DirBackend {
    /// The folder as written in strata.toml (relative to the catalog root).
    rel: String,
    files: Files,
}

impl DirBackend {
    pub fn open(name: &str, files: &Files, rel: &str) -> Result<DirBackend> {
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
        Ok(DirBackend {
            rel,
            files: files.clone(),
        })
    }

    fn join(&self, path: &str) -> String {
        if self.rel.is_empty() || self.rel == "." {
            path.to_string()
        } else {
            format!("{}/{path}", self.rel)
        }
    }
}

impl Backend for DirBackend {
    fn kind(&self) -> RegistryKind {
        RegistryKind::Dir
    }

    fn source(&self) -> String {
        self.rel.clone()
    }

    fn pack_names(&self) -> Result<Vec<String>> {
        Ok(self
            .files
            .subdirs(&self.rel)?
            .into_iter()
            .filter(|n| is_pack_name(n))
            .collect())
    }

    fn releases(&self, pack: &str) -> Result<Vec<ReleaseRef>> {
        if !is_pack_name(pack) || !self.files.is_dir(&self.join(pack)) {
            return Ok(Vec::new());
        }
        Ok(self
            .files
            .subdirs(&self.join(pack))?
            .into_iter()
            .filter_map(|folder| {
                Some(ReleaseRef {
                    version: Version::parse(&folder)?,
                    path: format!("{pack}/{folder}"),
                    rev: None,
                })
            })
            .collect())
    }

    fn read(&self, _pack: &str, release: &ReleaseRef) -> Result<BTreeMap<String, Vec<u8>>> {
        let base = self.join(&release.path);
        let mut files = BTreeMap::new();
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
                self.display(release, &rel)
            ))
            .into());
        }
        Ok(files)
    }

    fn display(&self, release: &ReleaseRef, file: &str) -> String {
        self.join(&format!("{}/{file}", release.path))
    }
}
