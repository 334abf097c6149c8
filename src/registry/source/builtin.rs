//! The `builtin` source: the `catalog/` folder embedded in the binary at build time.

use include_dir::{Dir, DirEntry, include_dir};

use super::{Source, Tree};
use crate::error::Result;
use crate::model::config::RegistryKind;

static CATALOG: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/catalog");

pub struct Builtin;

impl Builtin {
    fn dir(path: &str) -> Option<&'static Dir<'static>> {
        if path.is_empty() {
            Some(&CATALOG)
        } else {
            CATALOG.get_dir(path)
        }
    }
}

impl Source for Builtin {
    fn kind(&self) -> RegistryKind {
        RegistryKind::Builtin
    }

    fn location(&self) -> String {
        "builtin".to_string()
    }

    fn subdirs(&self, _rev: Option<&str>, dir: &str) -> Result<Vec<String>> {
        let mut names: Vec<String> = Builtin::dir(dir)
            .map(|d| d.dirs().filter_map(|d| file_name(d.path())).collect())
            .unwrap_or_default();
        names.sort();
        Ok(names)
    }

    fn read_file(&self, _rev: Option<&str>, path: &str) -> Result<Option<Vec<u8>>> {
        Ok(CATALOG.get_file(path).map(|f| f.contents().to_vec()))
    }

    fn read_dir(&self, _rev: Option<&str>, dir: &str) -> Result<Option<Tree>> {
        Ok(Builtin::dir(dir).map(|d| {
            let mut files = Tree::new();
            collect(d, dir, &mut files);
            files
        }))
    }

    fn display(&self, _rev: Option<&str>, path: &str) -> String {
        format!("builtin:{path}")
    }
}

fn collect(dir: &Dir<'static>, base: &str, out: &mut Tree) {
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
