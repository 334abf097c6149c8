//! Pinning: a profile as a cluster pins it, read from the catalog as of its release tag
//! (or the working tree), with its lock and its locked releases.

use std::sync::Arc;

use super::file::{Cluster, ProfileRef, releases};
use crate::catalog::Catalog;
use crate::diagnostic::{Diagnostic, suggest};
use crate::error::{Error, Result};
use crate::lock::render::locked_packs;
use crate::model::pack::Pack;
use crate::profile::Profile;
use crate::registry::Settings;

/// A profile as a cluster pins it: the catalog as of its tag (or the working one), the
/// merged profile and its lock, and its locked releases.
pub(super) struct Pinned {
    pub(super) catalog: Option<Catalog>,
    pub(super) profile: Profile,
    pub(super) lock: crate::lockfile::Lock,
    pub(super) packs: Vec<Arc<Pack>>,
}

impl Pinned {
    pub(super) fn catalog<'a>(&'a self, working: &'a Catalog) -> &'a Catalog {
        self.catalog.as_ref().unwrap_or(working)
    }
}

/// Outer error: a failure to read; inner: problems of the cluster.
pub type Checked<T> = Result<std::result::Result<T, Vec<Diagnostic>>>;

/// Splits an error into problems of the cluster (catalog problems) and failures.
pub(super) fn problems_of<T>(r: Result<T>) -> Checked<T> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(Error::Catalog(d)) => Ok(Err(d)),
        Err(e) => Err(e),
    }
}

pub(super) fn pin(
    working: &Catalog,
    settings: &Settings,
    cluster: &Cluster,
    r: &ProfileRef,
) -> Checked<Pinned> {
    let at = |span, msg: String| Diagnostic::at(&cluster.source, span, msg);
    let name = r.profile.get_ref();
    let opened = match r.tag() {
        None => None,
        Some(tag) => {
            let exists = git2::Repository::discover(&working.root)
                .ok()
                .is_some_and(|repo| repo.find_reference(&format!("refs/tags/{tag}")).is_ok());
            if !exists {
                let (span, _) = r.version.as_ref().expect("a tag has a version");
                let list: Vec<String> = releases(working, name)
                    .iter()
                    .map(|v| v.to_string())
                    .collect();
                let hint = if list.is_empty() {
                    format!("`{name}` has no release yet: `strata release {name}` tags one")
                } else {
                    format!("releases of `{name}`: {}", list.join(", "))
                };
                return Ok(Err(vec![
                    at(
                        span.span(),
                        format!(
                            "profile `{name}` has no release {} (no tag `{tag}`)",
                            span.get_ref()
                        ),
                    )
                    .with_hint(hint),
                ]));
            }
            match problems_of(Catalog::open_at(
                &working.root,
                &format!("refs/tags/{tag}"),
                settings,
            ))? {
                Ok(c) => Some(c),
                Err(d) => return Ok(Err(d)),
            }
        }
    };
    let catalog = opened.as_ref().unwrap_or(working);
    let loaded = catalog.load_profiles(&[])?;
    let names: Vec<String> = loaded
        .iter()
        .filter_map(|(_, p)| p.as_ref().ok().map(|p| p.name.clone()))
        .collect();
    let Some((entry, parsed)) = loaded.into_iter().find(|(e, p)| {
        p.as_ref()
            .map_or(e.folder_name == *name, |p| p.name == *name)
    }) else {
        let where_ = r
            .tag()
            .map_or("in the catalog".to_string(), |t| format!("at `{t}`"));
        return Ok(Err(vec![
            at(
                r.profile.span(),
                format!("no profile named `{name}` {where_}"),
            )
            .with_hint_opt(suggest(name, names.iter().map(String::as_str))),
        ]));
    };
    let profile = match parsed {
        Ok(p) => p,
        Err(d) => return Ok(Err(d)),
    };
    let lock = match problems_of(crate::lock::why::lock_of(catalog, &entry, &profile))? {
        Ok(l) => l,
        Err(d) => return Ok(Err(d)),
    };
    let packs = match problems_of(locked_packs(catalog, &lock))? {
        Ok(p) => p,
        Err(d) => return Ok(Err(d)),
    };
    Ok(Ok(Pinned {
        catalog: opened,
        profile,
        lock,
        packs,
    }))
}
