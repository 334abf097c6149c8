//! The `dir` registry: a folder of the catalog repository (or beside it) laid out as
//! `<pack>/<version>/pack.toml`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{Backend, ReleaseRef};
use crate::config::RegistryKind;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::pack::is_pack_name;
use crate::version::Version;

pub struct DirBackend {
    /// The folder as written in strata.toml (relative to the catalog root).
    rel: String,
    root: PathBuf,
}

impl DirBackend {
    pub fn open(name: &str, catalog_root: &Path, rel: &str) -> Result<DirBackend> {
        let root = catalog_root.join(rel);
        if !root.is_dir() {
            return Err(Error::registry(
                name,
                format!("folder `{rel}` does not exist (relative to the catalog root)"),
            ));
        }
        let rel = rel.trim_end_matches('/').to_string();
        Ok(DirBackend { rel, root })
    }

    fn subdirs(path: &Path) -> Result<Vec<String>> {
        let mut names = Vec::new();
        for entry in fs_err::read_dir(path)? {
            let entry = entry?;
            if entry.file_type()?.is_dir()
                && let Some(n) = entry.file_name().to_str()
            {
                names.push(n.to_string());
            }
        }
        names.sort();
        Ok(names)
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
        Ok(Self::subdirs(&self.root)?
            .into_iter()
            .filter(|n| is_pack_name(n))
            .collect())
    }

    fn releases(&self, pack: &str) -> Result<Vec<ReleaseRef>> {
        if !is_pack_name(pack) {
            return Ok(Vec::new());
        }
        let dir = self.root.join(pack);
        if !dir.is_dir() {
            return Ok(Vec::new());
        }
        Ok(Self::subdirs(&dir)?
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
        let base = self.root.join(&release.path);
        let mut files = BTreeMap::new();
        for entry in walkdir::WalkDir::new(&base)
            .follow_links(false)
            .sort_by_file_name()
        {
            let entry = entry.map_err(|e| {
                let path = e.path().unwrap_or(&base).to_path_buf();
                let io = e
                    .into_io_error()
                    .unwrap_or_else(|| std::io::Error::other("walk failed"));
                Error::Io(std::io::Error::new(
                    io.kind(),
                    format!("cannot read `{}`: {io}", path.display()),
                ))
            })?;
            let rel = entry
                .path()
                .strip_prefix(&base)
                .unwrap_or(entry.path())
                .to_string_lossy()
                .replace('\\', "/");
            let ft = entry.file_type();
            if ft.is_symlink() {
                return Err(Diagnostic::plain(format!(
                    "`{}` is a symlink; packs may hold only regular files and folders",
                    self.display(release, &rel)
                ))
                .into());
            }
            if ft.is_file() {
                files.insert(rel, fs_err::read(entry.path())?);
            }
        }
        Ok(files)
    }

    fn display(&self, release: &ReleaseRef, file: &str) -> String {
        if self.rel.is_empty() || self.rel == "." {
            format!("{}/{file}", release.path)
        } else {
            format!("{}/{}/{file}", self.rel, release.path)
        }
    }
}
