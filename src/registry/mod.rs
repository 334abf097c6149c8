//! Registries: where packs and their releases come from. A [`Registry`] is a [`Source`]
//! (where the bytes are: builtin, dir, git) read in a [`Format`] (how releases are laid out
//! and read: strata's `pack.toml`), plus the run's caches; [`Registries`] keeps the search
//! order of `strata.toml`.

pub(crate) mod charts;
pub mod format;
mod list;
pub use list::Registries;
pub(crate) mod settings;
pub(crate) mod source;
pub mod url;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::diagnostic::{Diagnostic, Source as SourceText};
use crate::error::{Error, Result};
use crate::model::config::{Config, RegistryKind};
use crate::model::pack::Pack;
use crate::model::version::sort_releases;

pub use format::{Format, Index, Reader, ReleaseRef};

pub mod hostile;
pub use settings::Settings;
pub use source::Source;

/// A loaded release: pack name, version as spelled, folder, and git revision.
type PackKey = (String, String, String, Option<String>);

/// A named registry: a source read in a format, with the run's caches.
pub struct Registry {
    pub name: String,
    source: Box<dyn Source>,
    format: Box<dyn Format>,
    index: OnceLock<std::result::Result<Index, Stored>>,
    releases: Mutex<HashMap<String, Arc<Vec<ReleaseRef>>>>,
    packs: Mutex<HashMap<PackKey, Arc<Pack>>>,
    /// Where what the registry skips is reported.
    warnings: crate::diagnostic::Warnings,
    /// Who may sign its release tags (`signers`), and the verdicts of this run by tag.
    pub signers: Option<Arc<crate::trust::Signers>>,
    verdicts: Mutex<HashMap<String, crate::trust::Verdict>>,
}

/// An index failure kept for the run, so a registry is listed once.
#[derive(Clone)]
enum Stored {
    Catalog(Vec<Diagnostic>),
    Other(String, u8),
}

impl Registry {
    pub fn new(name: impl Into<String>, source: Box<dyn Source>, format: Box<dyn Format>) -> Self {
        Registry {
            name: name.into(),
            source,
            format,
            index: OnceLock::new(),
            releases: Mutex::default(),
            packs: Mutex::default(),
            warnings: crate::diagnostic::Warnings::default(),
            signers: None,
            verdicts: Mutex::default(),
        }
    }

    /// The verdict on a release's signature (each tag checked once per run, and kept in the
    /// cache); `None` when the registry lists no signers or the release has no tag.
    pub fn signature(&self, release: &ReleaseRef) -> Result<Option<crate::trust::Verdict>> {
        let Some(signers) = &self.signers else {
            return Ok(None);
        };
        let Some(tag) = self.release_tag(release) else {
            return Ok(None);
        };
        let tag = &tag;
        if let Some(v) = lock(&self.verdicts).get(tag) {
            return Ok(Some(v.clone()));
        }
        let verdict = self.source.verify_tag(tag, signers)?;
        lock(&self.verdicts).insert(tag.clone(), verdict.clone());
        Ok(Some(verdict))
    }

    /// Reports something about the registry (printed as it comes).
    pub fn warn(&self, d: Diagnostic) {
        self.warnings.warn(d);
    }

    /// The tag a release is signed as: its git tag, or `<chart>-<version>` of a chart
    /// registry (as [`Registry::pack`] names it).
    fn release_tag(&self, release: &ReleaseRef) -> Option<String> {
        match &release.rev {
            Some(rev) => Some(rev.clone()),
            None if matches!(self.kind(), RegistryKind::Helm | RegistryKind::Oci) => {
                Some(format!("{}-{}", release.path, release.version.as_str()))
            }
            None => None,
        }
    }

    /// Who signed a release this run found signed.
    pub fn signer_of(&self, release: &ReleaseRef) -> Option<String> {
        match lock(&self.verdicts).get(&self.release_tag(release)?)? {
            crate::trust::Verdict::Signed(who) => Some(who.clone()),
            crate::trust::Verdict::Refused(_) => None,
        }
    }

    /// The built-in catalog, as the registry `public`.
    pub fn builtin() -> Registry {
        Registry::new(
            "public",
            Box::new(source::builtin::Builtin),
            Box::new(format::strata::Strata),
        )
    }

    fn reader(&self) -> Reader<'_> {
        Reader {
            registry: &self.name,
            source: self.source.as_ref(),
            warnings: &self.warnings,
        }
    }

    pub fn kind(&self) -> RegistryKind {
        self.source.kind()
    }

    /// The format its packs are read in (`strata`, `palette`, `helm`).
    pub fn format_name(&self) -> &'static str {
        self.format.name()
    }

    /// The source as lock files record it.
    pub fn source(&self) -> String {
        self.source.location()
    }

    pub fn prepare(&self) -> Result<()> {
        self.source.prepare()
    }

    pub fn is_cached(&self) -> bool {
        self.source.is_cached()
    }

    /// Every pack and its releases, listed once per run.
    fn index(&self) -> Result<&Index> {
        let stored = self.index.get_or_init(|| {
            self.format.index(self.reader()).map_err(|e| match e {
                Error::Catalog(d) => Stored::Catalog(d),
                Error::Registry { message, .. } => Stored::Other(message, 3),
                other => Stored::Other(other.to_string(), 2),
            })
        });
        stored.as_ref().map_err(|e| match e {
            Stored::Catalog(d) => Error::Catalog(d.clone()),
            Stored::Other(m, 3) => Error::registry(&self.name, m.clone()),
            Stored::Other(m, _) => Error::Io(std::io::Error::other(m.clone())),
        })
    }

    /// Pack names, sorted.
    pub fn pack_names(&self) -> Result<Vec<String>> {
        Ok(self.index()?.keys().cloned().collect())
    }

    /// The release a tag, branch or commit names (git registries); `None` when the
    /// reference does not exist.
    pub fn resolve_ref(&self, pack: &str, reference: &str) -> Result<Option<ReleaseRef>> {
        let Some(rev) = self.source.resolve_ref(reference)? else {
            return Ok(None);
        };
        let folder = self
            .index()?
            .get(pack)
            .and_then(|r| r.first())
            .map(|r| r.path.clone())
            .unwrap_or_else(|| source::join(self.source.root(), pack));
        self.format
            .release_at(self.reader(), &folder, &rev, reference)
            .map(Some)
    }

    /// The branch a palette registry follows (its releases are that branch's folders).
    pub fn branch(&self) -> Option<String> {
        self.format.branch()
    }

    /// Git registries: the commit a release is read at (its tag peeled).
    pub fn commit(&self, release: &ReleaseRef) -> Result<Option<String>> {
        match &release.rev {
            Some(rev) => self.source.commit(rev),
            None => Ok(None),
        }
    }

    /// The releases of a pack, oldest first. Two releases that differ only in build
    /// metadata are an error.
    pub fn releases(&self, pack: &str) -> Result<Arc<Vec<ReleaseRef>>> {
        if let Some(hit) = lock(&self.releases).get(pack) {
            return Ok(hit.clone());
        }
        // One pack's tags when the layout names them by pack: a profile of a few packs does
        // not list a registry of thousands of tags.
        let list = match self.index.get() {
            Some(_) => None,
            None => self.format.pack_releases(self.reader(), pack)?,
        };
        let list = match list {
            Some(list) => list,
            None => self.index()?.get(pack).cloned().unwrap_or_default(),
        };
        // Asked here, of this pack's tags only, rather than of every tag when listing.
        let tags: Vec<&str> = list.iter().filter_map(|r| r.rev.as_deref()).collect();
        let mut commits = self.source.names_commits(&tags)?.into_iter();
        let mut list: Vec<ReleaseRef> = list
            .into_iter()
            .filter(|r| {
                let Some(tag) = &r.rev else { return true };
                let names_commit = commits.next().unwrap_or(true);
                if !names_commit {
                    self.warnings.warn(Diagnostic::plain(format!(
                        "registry `{}`: tag `{tag}` names no commit (a tree or a file); it is not a release",
                        self.name
                    )));
                }
                names_commit
            })
            .collect();
        if let Some((a, b)) = sort_releases(&mut list, |r| &r.version) {
            return Err(Diagnostic::plain(format!(
                "registry `{}`: pack `{pack}` has releases `{}` and `{}` that differ only in build metadata",
                self.name, list[a].version, list[b].version
            ))
            .with_hint("remove one of them; build metadata does not make a new release")
            .into());
        }
        // `1.2.0`, `v1.2.0`, `1.2` and `01.2.0` are one release: two folders (or tags) for
        // it would let either be picked.
        if let Some(w) = list.windows(2).find(|w| w[0].version == w[1].version) {
            // Folders of one branch share a revision: name them by folder.
            let same_rev = w[0].rev == w[1].rev;
            let name = |r: &ReleaseRef| match &r.rev {
                Some(rev) if !same_rev => rev.clone(),
                _ => r.path.clone(),
            };
            return Err(Diagnostic::plain(format!(
                "registry `{}`: pack `{pack}` has `{}` and `{}`, which are the same release {}",
                self.name,
                name(&w[0]),
                name(&w[1]),
                w[0].version.semver()
            ))
            .with_hint("keep one folder (or tag) per release")
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
            release.path.clone(),
            release.rev.clone(),
        );
        if let Some(hit) = lock(&self.packs).get(&key) {
            return Ok(hit.clone());
        }
        // A chart repository's release is named by its chart and version (its lock
        // records no revision).
        let named;
        let release = match &release.rev {
            None if matches!(self.kind(), RegistryKind::Helm | RegistryKind::Oci) => {
                named = ReleaseRef {
                    rev: Some(format!("{}-{}", release.path, release.version.as_str())),
                    ..release.clone()
                };
                &named
            }
            _ => release,
        };
        let mut pack = self.format.load(self.reader(), name, release)?;
        if let Some(digest) = self.source.release_digest(release.rev.as_deref())? {
            pack.digest = digest;
        }
        let pack = Arc::new(pack);
        lock(&self.packs).insert(key, pack.clone());
        Ok(pack)
    }

    /// What a chart repository's index says of a pack, without downloading it (see
    /// [`Source::describe`]).
    pub fn describe(&self, name: &str) -> Result<Option<String>> {
        self.source.describe(name)
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

/// The source of a chart repository or OCI registry: its `url`, or the `[[mirror]]` of it
/// (which may be of the other kind: a Helm repository copied into an OCI registry).
fn chart_source(
    config: &Config,
    config_source: &SourceText,
    r: &crate::model::config::RegistryConfig,
    name: &str,
    settings: &Settings,
) -> Result<Box<dyn Source>> {
    let Some(url) = r.url.as_ref() else {
        return Err(Error::Internal(format!(
            "registry `{name}` has no url after strata.toml was checked"
        )));
    };
    let (text, span, plain) = match config.mirror_of(url.get_ref()) {
        Some(m) => (m.url.get_ref(), m.url.span(), m.plain_http()),
        None => (
            url.get_ref(),
            url.span(),
            r.plain_http.as_ref().is_some_and(|p| *p.get_ref()),
        ),
    };
    let refused =
        |why: crate::model::http_url::Refused| Diagnostic::at(config_source, span.clone(), why.0);
    Ok(if text.starts_with("oci://") {
        let parsed = crate::model::http_url::check_oci(text, plain).map_err(refused)?;
        let palette = r.format() == crate::model::config::RegistryFormat::Palette;
        Box::new(source::oci::OciSource::new(name, parsed, settings, palette))
    } else {
        let parsed = crate::model::http_url::check(text, plain).map_err(refused)?;
        Box::new(source::http::HelmRepo::new(name, parsed, settings))
    })
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
