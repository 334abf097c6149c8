//! The registries of a catalog, in search order: opened from `strata.toml` (nothing fetched
//! yet), fetched in parallel, and searched for packs.

use std::path::Path;

use super::Format;
use super::{Registry, Settings, Source, chart_source, charts, format, source, url};
use crate::diagnostic::{Diagnostic, Source as SourceText, suggest};
use crate::error::{Error, Result};
use crate::files::Files;
use crate::model::config::{Config, RegistryKind};
use crate::output::Output;

/// A git registry's signers file, read from the catalog and checked; a problem at its
/// `signers` line when it is missing or cannot be used.
fn signers(
    config_source: &SourceText,
    files: &Files,
    file: &toml::Spanned<String>,
) -> Result<crate::trust::Signers> {
    let at = |why: String| Error::from(Diagnostic::at(config_source, file.span(), why));
    let bytes = match files.read(file.get_ref()) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => {
            return Err(at(format!(
                "signers file `{}` is not in the catalog",
                file.get_ref()
            )));
        }
        Err(Error::Catalog(d)) => {
            return Err(at(format!(
                "signers file `{}`: {}",
                file.get_ref(),
                d.first()
                    .map(|d| d.message.as_str())
                    .unwrap_or("unreadable")
            )));
        }
        Err(e) => return Err(e),
    };
    crate::trust::Signers::parse(file.get_ref(), bytes)
        .map_err(|why| at(format!("signers file `{}`: {why}", file.get_ref())))
}

/// The registries of a catalog, in search order.
pub struct Registries {
    list: Vec<Registry>,
    /// Where `-v` detail about reading them goes.
    out: Output,
    /// The repositories packs deliver charts from (`lock_charts`).
    pub charts: charts::ChartRepos,
}

impl Registries {
    /// Registries in this search order.
    pub fn new(list: Vec<Registry>, out: Output) -> Registries {
        Registries {
            list,
            out,
            charts: charts::ChartRepos::default(),
        }
    }

    /// Opens the registries `strata.toml` declares (the builtin one when it declares none).
    /// Nothing is fetched yet.
    pub fn open(
        config: &Config,
        config_source: &SourceText,
        root: &Path,
        files: &Files,
        settings: &Settings,
    ) -> Result<Registries> {
        if config.registry.is_empty() {
            return Ok(Registries {
                list: vec![Registry::builtin()],
                out: settings.out,
                charts: charts::ChartRepos::new(config, settings),
            });
        }
        let mut list = Vec::new();
        for reg in &config.registry {
            let r = reg.get_ref();
            let name = r.name.get_ref().clone();
            let source: Box<dyn Source> = match r.kind.get_ref() {
                RegistryKind::Builtin => Box::new(source::builtin::Builtin),
                RegistryKind::Dir => {
                    let path = r.path.as_ref().map(|p| p.get_ref().as_str()).unwrap_or(".");
                    Box::new(source::dir::DirSource::open(
                        &name,
                        files,
                        path,
                        &settings.warnings,
                    )?)
                }
                RegistryKind::Git => {
                    let Some(url) = r.url.as_ref() else {
                        return Err(Error::Internal(format!(
                            "git registry `{name}` has no url after strata.toml was checked"
                        )));
                    };
                    let parsed = url::GitUrl::parse(url.get_ref(), root)
                        .map_err(|why| Diagnostic::at(config_source, url.span(), why))?;
                    let path = r.path.as_ref().map(|p| p.get_ref().as_str()).unwrap_or("");
                    Box::new(source::git::GitSource::new(
                        &name,
                        parsed,
                        path,
                        settings,
                        r.format() == crate::model::config::RegistryFormat::Palette
                            && r.git_ref.is_none(),
                    ))
                }
                RegistryKind::Helm | RegistryKind::Oci => {
                    chart_source(config, config_source, r, &name, settings)?
                }
            };
            let fmt: Box<dyn Format> = match r.format() {
                crate::model::config::RegistryFormat::Strata => Box::new(format::strata::Strata),
                crate::model::config::RegistryFormat::Palette => {
                    Box::new(format::palette::Palette {
                        branch: r.git_ref.as_ref().map(|b| b.get_ref().clone()),
                    })
                }
                // A chart repository publishes its charts at its own URL.
                crate::model::config::RegistryFormat::Helm => Box::new(format::helm::Helm {
                    chart_repo: match r.kind.get_ref() {
                        RegistryKind::Helm | RegistryKind::Oci => Some(source.location()),
                        _ => r.chart_repo.as_ref().map(|c| c.get_ref().clone()),
                    },
                }),
            };
            let mut registry = Registry::new(name, source, fmt);
            registry.warnings = settings.warnings.clone();
            let trusted = r
                .signers
                .as_ref()
                .or(r.cosign_key.as_ref())
                .or(r.keyring.as_ref());
            if let Some(file) = trusted {
                use crate::trust::signers::Kind;
                let s = signers(config_source, files, file)?;
                let fits = match r.kind.get_ref() {
                    RegistryKind::Oci => s.kind == Kind::Cosign,
                    RegistryKind::Helm => s.kind == Kind::Pgp,
                    _ => s.kind != Kind::Cosign,
                };
                if !fits {
                    return Err(Diagnostic::at(
                        config_source,
                        file.span(),
                        format!(
                            "`{}` is {}",
                            file.get_ref(),
                            match r.kind.get_ref() {
                                RegistryKind::Oci => "no cosign public key (PEM `-----BEGIN PUBLIC KEY-----`)",
                                RegistryKind::Helm => "no OpenPGP keyring (`.asc`); a helm registry's `keyring` verifies provenance files",
                                _ => "a cosign key; a git registry's `signers` is an SSH allowed-signers file or an OpenPGP keyring",
                            }
                        ),
                    )
                    .into());
                }
                registry.signers = Some(std::sync::Arc::new(s));
            }
            list.push(registry);
        }
        Ok(Registries {
            list,
            out: settings.out,
            charts: charts::ChartRepos::new(config, settings),
        })
    }

    /// Fetches every registry in parallel. Failures are kept by each registry and reported
    /// only when something reads it.
    pub fn prefetch(&self) {
        let _ = Registries::prepare(&self.list.iter().collect::<Vec<_>>());
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
                .map(|h| h.join().unwrap_or_else(|_| Err(Error::panicked("a fetch"))))
                .collect()
        });
        results.into_iter().collect()
    }

    /// How the run prints (for `-v` detail).
    pub fn out(&self) -> Output {
        self.out
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

    /// Every pack name of every registry that can be read, sorted and without repeats (for
    /// hints).
    pub fn all_pack_names(&self) -> Result<Vec<String>> {
        let mut all = Vec::new();
        for r in &self.list {
            match r.pack_names() {
                Ok(names) => all.extend(names),
                Err(Error::Registry { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        all.sort();
        all.dedup();
        Ok(all)
    }

    /// The registries that have a pack, in search order. A registry that cannot be read
    /// fails the search only when no other registry has the pack (it might have been there).
    pub fn having(&self, pack: &str) -> Result<Vec<&Registry>> {
        let mut found = Vec::new();
        let mut unreadable = None;
        for r in &self.list {
            match r.releases(pack) {
                Ok(list) if !list.is_empty() => found.push(r),
                Ok(_) => {}
                Err(e @ Error::Registry { .. }) => {
                    unreadable.get_or_insert(e);
                }
                Err(e) => return Err(e),
            }
        }
        match unreadable {
            Some(e) if found.is_empty() => Err(e),
            _ => Ok(found),
        }
    }
}
