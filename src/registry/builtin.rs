//! The `builtin` registry: the `catalog/` folder embedded in the binary at build time,
//! laid out as `<pack>/<version>/pack.toml`.

use std::collections::BTreeMap;

use include_dir::{Dir, DirEntry, include_dir};

use super::{Backend, ReleaseRef};
use crate::config::RegistryKind;
use crate::error::Result;
use crate::version::Version;

static CATALOG: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/catalog");

pub struct Builtin;

impl Backend for Builtin {
    fn kind(&self) -> RegistryKind {
        RegistryKind::Builtin
    }

    fn source(&self) -> String {
        "builtin".to_string()
    }

    fn pack_names(&self) -> Result<Vec<String>> {
        let mut names: Vec<String> = CATALOG.dirs().filter_map(|d| file_name(d.path())).collect();
        names.sort();
        Ok(names)
    }

    fn releases(&self, pack: &str) -> Result<Vec<ReleaseRef>> {
        let Some(dir) = CATALOG.get_dir(pack).filter(|_| !pack.contains('/')) else {
            return Ok(Vec::new());
        };
        Ok(dir
            .dirs()
            .filter_map(|d| {
                let folder = file_name(d.path())?;
                Some(ReleaseRef {
                    version: Version::parse(&folder)?,
                    path: format!("{pack}/{folder}"),
                    rev: None,
                })
            })
            .collect())
    }

    fn read(&self, _pack: &str, release: &ReleaseRef) -> Result<BTreeMap<String, Vec<u8>>> {
        let mut files = BTreeMap::new();
        if let Some(dir) = CATALOG.get_dir(&release.path) {
            collect(dir, &release.path, &mut files);
        }
        Ok(files)
    }

    fn display(&self, release: &ReleaseRef, file: &str) -> String {
        format!("builtin:{}/{file}", release.path)
    }
}

fn collect(dir: &Dir<'static>, base: &str, out: &mut BTreeMap<String, Vec<u8>>) {
    for entry in dir.entries() {
        match entry {
            DirEntry::Dir(d) => collect(d, base, out),
            DirEntry::File(f) => {
                let path = f.path().to_string_lossy().replace('\\', "/");
                let rel = path
                    .strip_prefix(base)
                    .map(|p| p.trim_start_matches('/'))
                    .unwrap_or(&path);
                out.insert(rel.to_string(), f.contents().to_vec());
            }
        }
    }
}

fn file_name(p: &std::path::Path) -> Option<String> {
    p.file_name()?.to_str().map(str::to_string)
}
