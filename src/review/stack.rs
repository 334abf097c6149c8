//! What moving a cluster's pin changes in its stack: the profile as the old pin gives it
//! against the profile as the new pin gives it, layer by layer and value by value (each
//! from its release's lock).

use std::collections::HashMap;

use super::clusters::{ClusterDiff, WORKING_TREE};
use super::layers::layers_between;
use super::side::{State, state_of};
use crate::catalog::Catalog;
use crate::cluster::release_tag;
use crate::error::{Result, problems};
use crate::model::version::Version;
use crate::registry::Settings;

/// Fills in, for every pin that moved from one release to another, the layers and values
/// the move changes. A pin on the working tree is read from its side (`base` or `head`);
/// a release from its tag. A release that cannot be read gets a note instead.
pub fn fill(
    diffs: &mut [ClusterDiff],
    base: Option<&Catalog>,
    head: &Catalog,
    settings: &Settings,
) -> Result<()> {
    let mut reader = Reader {
        head,
        settings,
        tags: HashMap::new(),
        states: HashMap::new(),
    };
    for d in diffs {
        for pin in &mut d.pins {
            let (Some(old), Some(new)) = (&pin.old, &pin.new) else {
                continue;
            };
            let old = reader.state(base, &pin.name, old)?;
            let new = reader.state(Some(head), &pin.name, new)?;
            match (&reader.states[&old], &reader.states[&new]) {
                (Ok(o), Ok(n)) => pin.layers = layers_between(&o.layers, &n.layers),
                (Err(why), _) | (_, Err(why)) => pin.note = Some(why.clone()),
            }
            // The files' diffs are the profile's review; the cluster's shows releases and
            // values.
            for l in &mut pin.layers {
                l.files.clear();
            }
        }
    }
    Ok(())
}

/// Reads each release tag's catalog and each pinned state once per run.
struct Reader<'a> {
    head: &'a Catalog,
    settings: &'a Settings,
    tags: HashMap<String, std::result::Result<Catalog, String>>,
    states: HashMap<Key, std::result::Result<State, String>>,
}

/// A pinned state: (side, profile, pin label); the side is `None` for a release tag,
/// `Some(true)` for the head's working tree.
type Key = (Option<bool>, String, String);

impl Reader<'_> {
    fn state(&mut self, side: Option<&Catalog>, profile: &str, label: &str) -> Result<Key> {
        let version = (label != WORKING_TREE)
            .then(|| Version::parse(label))
            .flatten();
        let key = (
            version
                .is_none()
                .then(|| side.is_some_and(|s| std::ptr::eq(s, self.head))),
            profile.to_string(),
            label.to_string(),
        );
        if !self.states.contains_key(&key) {
            let state = match &version {
                Some(v) => {
                    let tag = release_tag(profile, v);
                    if !self.tags.contains_key(&tag) {
                        let exists = git2::Repository::discover(&self.head.root)
                            .is_ok_and(|r| r.find_reference(&format!("refs/tags/{tag}")).is_ok());
                        let opened = if !exists {
                            Err(format!("no tag `{tag}`"))
                        } else {
                            problems(Catalog::open_at(
                                &self.head.root,
                                &format!("refs/tags/{tag}"),
                                self.settings,
                            ))
                            .map_err(|e| e.to_string())
                            .and_then(|r| r.map_err(|d| first(&d)))
                        };
                        self.tags.insert(
                            tag.clone(),
                            opened.map_err(|e| format!("cannot read `{profile}` {label}: {e}")),
                        );
                    }
                    match &self.tags[&tag] {
                        Ok(catalog) => read(catalog, profile, label)?,
                        Err(why) => Err(why.clone()),
                    }
                }
                None => match side {
                    Some(catalog) => read(catalog, profile, label)?,
                    None => Err(format!("`{profile}` is not in the catalog at the base")),
                },
            };
            self.states.insert(key.clone(), state);
        }
        Ok(key)
    }
}

fn first(d: &[crate::diagnostic::Diagnostic]) -> String {
    d.first()
        .map_or("it has problems".to_string(), |d| d.message.clone())
}

/// The profile named `profile` in `catalog`, from its lock.
fn read(
    catalog: &Catalog,
    profile: &str,
    label: &str,
) -> Result<std::result::Result<State, String>> {
    let cannot = |why: String| format!("cannot read `{profile}` {label}: {why}");
    let found = catalog.load_profiles(&[])?.into_iter().find(|(e, p)| {
        p.as_ref()
            .map_or(e.folder_name == profile, |p| p.name == profile)
    });
    let Some((entry, parsed)) = found else {
        return Ok(Err(cannot("no such profile".to_string())));
    };
    let parsed = match parsed {
        Ok(p) => p,
        Err(d) => return Ok(Err(cannot(first(&d)))),
    };
    Ok(state_of(catalog, &entry, parsed)?.map_err(|d| cannot(first(&d))))
}
