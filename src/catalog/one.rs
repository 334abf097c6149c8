//! One profile read by itself: when it lives in `profiles/<name>/` and every profile it
//! extends does too (the layout `strata profile new` writes), it and its bases are the only
//! files read, whatever the size of the catalog. What needs one profile at many revisions
//! (the releases of a profile) reads it this way.

use super::{Catalog, ProfileEntry};
use crate::error::Result;
use crate::profile::{Profile, ProfileDoc};

/// The most profiles one chain of `extends` is followed through here (a longer one, or a
/// loop, is left to [`Catalog::load_profiles`], which says what is wrong).
const MAX_CHAIN: usize = 16;

impl Catalog {
    /// The profile named `name`, composed with its bases, when it and its bases live in
    /// folders of their names and parse; `None` otherwise (then
    /// [`Catalog::load_profiles`] reads it among all the others).
    pub fn load_by_folder(&self, name: &str) -> Result<Option<(ProfileEntry, Profile)>> {
        let mut chain: Vec<(ProfileEntry, ProfileDoc)> = Vec::new();
        let mut next = Some(name.to_string());
        while let Some(wanted) = next.take() {
            if chain.len() == MAX_CHAIN || chain.iter().any(|(_, d)| d.name == wanted) {
                return Ok(None);
            }
            let entry = ProfileEntry {
                dir: format!("{}/{wanted}", self.profiles_dir()),
                folder_name: wanted.clone(),
            };
            if !self.files.exists(&entry.file()) {
                return Ok(None);
            }
            let doc = match self.read_profile_doc(&entry)? {
                Ok(doc) if doc.name == wanted => doc,
                _ => return Ok(None),
            };
            next = doc.extends.as_ref().map(|e| e.get_ref().clone());
            chain.push((entry, doc));
        }
        let known: Vec<String> = chain.iter().map(|(_, d)| d.name.clone()).collect();
        let lookup = |n: &str| {
            chain
                .iter()
                .find(|(_, d)| d.name == n)
                .map(|(_, d)| Ok(d.clone()))
        };
        let Ok(profile) = Profile::compose(&chain[0].1, &lookup, &known) else {
            return Ok(None);
        };
        Ok(Some((chain[0].0.clone(), profile)))
    }
}
