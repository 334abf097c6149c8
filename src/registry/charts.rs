//! The chart repositories packs deliver from (`[[chart]] repo`), read only with `[catalog]
//! lock_charts = true`: each chart version is found in its repository (through its
//! `[[mirror]]` when one matches) and identified by its digest, the archive's sha256 from a
//! Helm repository, the manifest digest from an OCI registry.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::Settings;
use super::source::Source;
use crate::error::{Error, Result};
use crate::model::config::Config;

/// One repository's source per run, opened when a chart of it is first resolved.
#[derive(Default)]
pub struct ChartRepos {
    settings: Option<Settings>,
    /// `(repo, copy, plain_http)` of each `[[mirror]]`.
    mirrors: Vec<(String, String, bool)>,
    sources: Mutex<HashMap<String, Arc<dyn Source>>>,
}

impl ChartRepos {
    pub fn new(config: &Config, settings: &Settings) -> ChartRepos {
        ChartRepos {
            settings: Some(settings.clone()),
            mirrors: config
                .mirror
                .iter()
                .map(|m| {
                    let m = m.get_ref();
                    (
                        m.repo.get_ref().clone(),
                        m.url.get_ref().clone(),
                        m.plain_http(),
                    )
                })
                .collect(),
            sources: Mutex::default(),
        }
    }

    fn source(&self, repo: &str) -> Result<Arc<dyn Source>> {
        let mut sources = self.sources.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = sources.get(repo) {
            return Ok(s.clone());
        }
        let settings = self.settings.as_ref().ok_or_else(|| {
            Error::Internal("chart repositories read without settings".to_string())
        })?;
        let (text, plain) = self
            .mirrors
            .iter()
            .find(|(r, _, _)| crate::model::config::same_repo(r, repo))
            .map_or((repo, false), |(_, url, plain)| (url.as_str(), *plain));
        let name = format!("chart repository {}", repo.trim_end_matches('/'));
        let refused = |why: crate::model::http_url::Refused| Error::registry(&name, why.0);
        let source: Arc<dyn Source> = if text.starts_with("oci://") {
            let url = crate::model::http_url::check_oci(text, plain).map_err(refused)?;
            Arc::new(super::source::oci::OciSource::new(
                &name, url, settings, false,
            ))
        } else {
            let url = crate::model::http_url::check(text, plain).map_err(refused)?;
            Arc::new(super::source::http::HelmRepo::new(&name, url, settings))
        };
        sources.insert(repo.to_string(), source.clone());
        Ok(source)
    }

    /// The files of chart `name` at `version` in `repo` and its digest; `None` when the
    /// repository has no such release.
    pub fn chart(
        &self,
        repo: &str,
        name: &str,
        version: &str,
    ) -> Result<Option<(super::source::Tree, String)>> {
        let source = self.source(repo)?;
        let rev = format!("{name}-{version}");
        let Some(tree) = source.read_dir(Some(&rev), name)? else {
            return Ok(None);
        };
        let digest = source.release_digest(Some(&rev))?.unwrap_or_default();
        Ok(Some((tree, digest)))
    }

    /// The digest of chart `name` at `version` in `repo`; `None` when the repository has
    /// no such release.
    pub fn digest(&self, repo: &str, name: &str, version: &str) -> Result<Option<String>> {
        let source = self.source(repo)?;
        source.release_digest(Some(&format!("{name}-{version}")))
    }
}
