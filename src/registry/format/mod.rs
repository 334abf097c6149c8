//! How a registry's releases are laid out and read: which folders or tags are releases,
//! and how a release's files become a [`Pack`]. A format reads only through a
//! [`Source`], so adding one touches no source code (and no git code).

pub mod helm;
pub mod palette;
pub mod strata;
mod values;

use std::collections::BTreeMap;

use crate::error::Result;
use crate::model::pack::Pack;
use crate::registry::ReleaseRef;
use crate::registry::source::Source;

pub use strata::{MANIFEST, Strata};

/// Every pack of a registry and its releases, in no particular order.
pub type Index = BTreeMap<String, Vec<ReleaseRef>>;

/// A source and the registry name messages give it.
#[derive(Clone, Copy)]
pub struct Reader<'a> {
    pub registry: &'a str,
    pub source: &'a dyn Source,
}

/// A release folder as read at its revision.
pub struct Release {
    /// Every file of the folder by its path inside it.
    pub files: crate::registry::source::Tree,
    /// The folder as messages show it, ending in `/`.
    pub base: String,
    /// The manifest (`pack.json`, `Chart.yaml`), named as messages show it.
    pub manifest: crate::diagnostic::Source,
}

/// Reads a release folder and its manifest; a missing folder or manifest is a problem of
/// that release.
pub fn read_release(at: Reader, release: &ReleaseRef, manifest: &str) -> Result<Release> {
    use crate::diagnostic::Diagnostic;
    let rev = release.rev.as_deref();
    let Some(files) = at.source.read_dir(rev, &release.path)? else {
        return Err(Diagnostic::plain(format!(
            "registry `{}`: `{}` does not exist{}",
            at.registry,
            release.path,
            rev.map(|r| format!(" at `{r}`")).unwrap_or_default()
        ))
        .into());
    };
    let shown = at
        .source
        .display(rev, &crate::registry::source::join(&release.path, manifest));
    let base = shown.strip_suffix(manifest).unwrap_or(&shown).to_string();
    let Some(bytes) = files.get(manifest) else {
        return Err(
            Diagnostic::plain(format!("registry `{}`: `{shown}` is missing", at.registry)).into(),
        );
    };
    let manifest = crate::diagnostic::Source::from_bytes(shown.clone(), bytes)?;
    Ok(Release {
        files,
        base,
        manifest,
    })
}

pub trait Format: Send + Sync {
    /// Every pack and its releases, read once per run.
    fn index(&self, at: Reader) -> Result<Index>;

    /// The release in `folder` at a revision the user named with `ref =` (`reference` is
    /// what they wrote, `rev` the tag or commit it names); an error when no release is there.
    fn release_at(
        &self,
        at: Reader,
        folder: &str,
        rev: &str,
        reference: &str,
    ) -> Result<ReleaseRef>;

    /// Reads and checks one release.
    fn load(&self, at: Reader, pack: &str, release: &ReleaseRef) -> Result<Pack>;

    /// The branch whose folders are the releases, for a format that follows one (palette);
    /// `None` when releases are tags or folders.
    fn branch(&self) -> Option<String> {
        None
    }
}
