//! An in-memory folder source, for unit tests of code above the registries (resolution,
//! locking) that need packs without a file system or git.

use std::collections::BTreeMap;

use super::{Source, Tree};
use crate::error::Result;
use crate::model::config::RegistryKind;

/// Files by `/`-separated path, laid out as a folder source.
#[derive(Default)]
pub struct Memory {
    files: BTreeMap<String, Vec<u8>>,
    /// Tag names, for a source laid out as a git registry's tags (the files are the same
    /// at every tag).
    tags: Option<std::sync::Arc<super::Tags>>,
}

impl Memory {
    pub fn with(mut self, path: &str, text: &str) -> Memory {
        self.files
            .insert(path.to_string(), text.as_bytes().to_vec());
        self
    }

    pub fn with_tags(mut self, tags: &[&str]) -> Memory {
        self.tags = Some(std::sync::Arc::new(super::Tags::new(
            tags.iter().map(|t| t.to_string()).collect(),
        )));
        self
    }

    fn under<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = (&'a str, &'a Vec<u8>)> + 'a {
        self.files.iter().filter_map(move |(p, b)| {
            let rel = if dir.is_empty() {
                Some(p.as_str())
            } else {
                p.strip_prefix(dir)?.strip_prefix('/')
            };
            rel.map(|r| (r, b))
        })
    }
}

impl Source for Memory {
    fn kind(&self) -> RegistryKind {
        RegistryKind::Dir
    }

    fn location(&self) -> String {
        "memory".to_string()
    }

    fn tags(&self) -> Result<Option<std::sync::Arc<super::Tags>>> {
        Ok(self.tags.clone())
    }

    fn subdirs(&self, _rev: Option<&str>, dir: &str) -> Result<Vec<String>> {
        let mut names: Vec<String> = self
            .under(dir)
            .filter_map(|(rel, _)| rel.split_once('/').map(|(d, _)| d.to_string()))
            .collect();
        names.dedup();
        Ok(names)
    }

    fn read_file(&self, _rev: Option<&str>, path: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.files.get(path).cloned())
    }

    fn read_dir(&self, _rev: Option<&str>, dir: &str) -> Result<Option<Tree>> {
        let files: Tree = self
            .under(dir)
            .map(|(rel, b)| (rel.to_string(), b.clone()))
            .collect();
        Ok((!files.is_empty()).then_some(files))
    }

    fn display(&self, _rev: Option<&str>, path: &str) -> String {
        format!("memory:{path}")
    }
}
