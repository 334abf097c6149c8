//! Registries: where packs and their releases come from. Each kind (`builtin`, `dir`, and
//! later `git`) implements [`Backend`], which only lists releases and reads a release's
//! files; [`Registry`] adds checking and caching, and [`Registries`] the search order.

mod builtin;
mod dir;
mod git;
pub mod url;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::config::{Config, RegistryKind};
use crate::diagnostic::{Diagnostic, Source, suggest};
use crate::error::{Error, Result};
use crate::pack::{MANIFEST, Pack};
use crate::version::{Version, sort_releases};

pub use builtin::Builtin;
pub use dir::DirBackend;
pub use git::{GitBackend, GitSettings};

/// One release of a pack as a registry lists it.
#[derive(Debug, Clone)]
pub struct ReleaseRef {
    pub version: Version,
    /// The pack folder inside the registry source, `/`-separated (`calico/3.27.2`).
    pub path: String,
    /// Git registries: the tag (`calico/v3.27.2`) or commit id the release is read at.
    pub rev: Option<String>,
}

/// What a kind of registry must provide. Everything else (checking manifests, ordering
/// releases, caching) is shared.
pub trait Backend: Send + Sync {
    fn kind(&self) -> RegistryKind;
    /// The source as written in lock files: `builtin`, a folder relative to the catalog
    /// root, or a URL without credentials.
    fn source(&self) -> String;
    /// Pack names, sorted.
    fn pack_names(&self) -> Result<Vec<String>>;
    /// The releases of a pack, in any order; empty when the registry does not have it.
    fn releases(&self, pack: &str) -> Result<Vec<ReleaseRef>>;
    /// Every regular file of a release, keyed by `/`-separated path inside the pack folder.
    fn read(&self, pack: &str, release: &ReleaseRef) -> Result<BTreeMap<String, Vec<u8>>>;
    /// How a file of a release is named in messages.
    fn display(&self, release: &ReleaseRef, file: &str) -> String;
    /// Makes the registry ready to read (a git registry fetches its mirror).
    fn prepare(&self) -> Result<()> {
        Ok(())
    }
    /// A release named by a tag, branch or commit (git registries only); `None` when the
    /// reference does not exist.
    fn resolve_ref(&self, _pack: &str, _reference: &str) -> Result<Option<ReleaseRef>> {
        Ok(None)
    }
    /// Whether the registry's data is on this machine without fetching.
    fn is_cached(&self) -> bool {
        true
    }
    /// Git registries: the commit a release is read at (its tag peeled).
    fn commit(&self, _release: &ReleaseRef) -> Result<Option<String>> {
        Ok(None)
    }
}

/// A loaded release: pack name, version as spelled, and git revision.
type PackKey = (String, String, Option<String>);

/// A named registry with its caches.
pub struct Registry {
    pub name: String,
    backend: Box<dyn Backend>,
    releases: Mutex<HashMap<String, Arc<Vec<ReleaseRef>>>>,
    packs: Mutex<HashMap<PackKey, Arc<Pack>>>,
}

impl Registry {
    pub fn new(name: impl Into<String>, backend: Box<dyn Backend>) -> Registry {
        Registry {
            name: name.into(),
            backend,
            releases: Mutex::default(),
            packs: Mutex::default(),
        }
    }

    pub fn kind(&self) -> RegistryKind {
        self.backend.kind()
    }

    pub fn source(&self) -> String {
        self.backend.source()
    }

    pub fn pack_names(&self) -> Result<Vec<String>> {
        self.backend.pack_names()
    }

    pub fn prepare(&self) -> Result<()> {
        self.backend.prepare()
    }

    pub fn is_cached(&self) -> bool {
        self.backend.is_cached()
    }

    pub fn resolve_ref(&self, pack: &str, reference: &str) -> Result<Option<ReleaseRef>> {
        self.backend.resolve_ref(pack, reference)
    }

    pub fn commit(&self, release: &ReleaseRef) -> Result<Option<String>> {
        self.backend.commit(release)
    }

    /// The releases of a pack, oldest first. Two releases that differ only in build
    /// metadata are an error.
    pub fn releases(&self, pack: &str) -> Result<Arc<Vec<ReleaseRef>>> {
        if let Some(hit) = lock(&self.releases).get(pack) {
            return Ok(hit.clone());
        }
        let mut list = self.backend.releases(pack)?;
        if let Some((a, b)) = sort_releases(&mut list, |r| &r.version) {
            return Err(Diagnostic::plain(format!(
                "registry `{}`: pack `{pack}` has releases `{}` and `{}` that differ only in build metadata",
                self.name, list[a].version, list[b].version
            ))
            .with_hint("remove one of them; build metadata does not make a new release")
            .into());
        }
        let list = Arc::new(list);
        lock(&self.releases).insert(pack.to_string(), list.clone());
        Ok(list)
    }

    /// Loads and checks one release (cached for the run).
    pub fn pack(&self, name: &str, release: &ReleaseRef) -> Result<Arc<Pack>> {
        let key = (
            name.to_string(),
            release.version.as_str().to_string(),
            release.rev.clone(),
        );
        if let Some(hit) = lock(&self.packs).get(&key) {
            return Ok(hit.clone());
        }
        let mut files = self.backend.read(name, release)?;
        let manifest_name = self.backend.display(release, MANIFEST);
        let Some(bytes) = files.remove(MANIFEST) else {
            return Err(Diagnostic::plain(format!(
                "registry `{}`: release `{}` of pack `{name}` has no `{MANIFEST}` (looked for `{manifest_name}`)",
                self.name, release.version
            ))
            .into());
        };
        let source = Source::from_bytes(manifest_name, &bytes)?;
        files.insert(MANIFEST.to_string(), bytes);
        let pack = Pack::load(name, &release.version, source, files).map_err(Error::Catalog)?;
        let pack = Arc::new(pack);
        lock(&self.packs).insert(key, pack.clone());
        Ok(pack)
    }

    /// The newest stable release's pack, or the newest of all when there is no stable one.
    pub fn newest(&self, name: &str) -> Result<Option<Arc<Pack>>> {
        let releases = self.releases(name)?;
        let pick = releases
            .iter()
            .rev()
            .find(|r| !r.version.is_prerelease())
            .or(releases.last());
        pick.map(|r| self.pack(name, r)).transpose()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The registries of a catalog, in search order.
pub struct Registries {
    list: Vec<Registry>,
}

impl Registries {
    /// Opens the registries `strata.toml` declares (the builtin one when it declares none).
    /// Nothing is fetched yet.
    pub fn open(
        config: &Config,
        config_source: &Source,
        root: &Path,
        files: &crate::files::Files,
        git: &GitSettings,
    ) -> Result<Registries> {
        if config.registry.is_empty() {
            return Ok(Registries {
                list: vec![Registry::new("public", Box::new(Builtin))],
            });
        }
        let mut list = Vec::new();
        for reg in &config.registry {
            let r = reg.get_ref();
            let name = r.name.get_ref().clone();
            let backend: Box<dyn Backend> = match r.kind.get_ref() {
                RegistryKind::Builtin => Box::new(Builtin),
                RegistryKind::Dir => {
                    let path = r.path.as_ref().map(|p| p.get_ref().as_str()).unwrap_or(".");
                    Box::new(DirBackend::open(&name, files, path)?)
                }
                RegistryKind::Git => {
                    let url = r.url.as_ref().expect("checked by Config::parse");
                    let parsed = url::GitUrl::parse(url.get_ref(), root)
                        .map_err(|why| Diagnostic::at(config_source, url.span(), why))?;
                    let path = r.path.as_ref().map(|p| p.get_ref().as_str()).unwrap_or("");
                    Box::new(GitBackend::new(&name, parsed, path, git))
                }
            };
            list.push(Registry::new(name, backend));
        }
        Ok(Registries { list })
    }

    /// Makes every registry ready, fetching git registries in parallel; the first failure
    /// (in search order) is returned.
    pub fn prepare_all(&self) -> Result<()> {
        Registries::prepare(&self.list.iter().collect::<Vec<_>>())
    }

    /// Fetches, in parallel, the registries that are not in the cache yet, so that a run
    /// about to read many of them does not fetch them one by one. Failures are kept by each
    /// registry and reported only if something reads it.
    pub fn warm(&self) {
        let cold: Vec<&Registry> = self.list.iter().filter(|r| !r.is_cached()).collect();
        if cold.len() > 1 {
            let _ = Registries::prepare(&cold);
        }
    }

    /// Makes these registries ready, in parallel.
    pub fn prepare(list: &[&Registry]) -> Result<()> {
        let results: Vec<Result<()>> = std::thread::scope(|s| {
            let handles: Vec<_> = list.iter().map(|r| s.spawn(move || r.prepare())).collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(Error::usage("a fetch thread panicked")))
                })
                .collect()
        });
        results.into_iter().collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Registry> {
        self.list.iter()
    }

    pub fn get(&self, name: &str) -> Option<&Registry> {
        self.list.iter().find(|r| r.name == name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> + Clone {
        self.list.iter().map(|r| r.name.as_str())
    }

    /// A registry by name, or a usage error with the near miss.
    pub fn require(&self, name: &str) -> Result<&Registry> {
        self.get(name).ok_or_else(|| {
            Error::usage_hint(
                format!("unknown registry `{name}`"),
                suggest(name, self.names()),
            )
        })
    }

    /// Every pack name of every registry, sorted and without repeats.
    pub fn all_pack_names(&self) -> Result<Vec<String>> {
        let mut all = Vec::new();
        for r in &self.list {
            all.extend(r.pack_names()?);
        }
        all.sort();
        all.dedup();
        Ok(all)
    }

    /// The registries that have a pack, in search order.
    pub fn having(&self, pack: &str) -> Result<Vec<&Registry>> {
        let mut found = Vec::new();
        for r in &self.list {
            if !r.releases(pack)?.is_empty() {
                found.push(r);
            }
        }
        Ok(found)
    }
}
