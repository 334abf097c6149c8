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
