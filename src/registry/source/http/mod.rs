//! Helm chart repositories over HTTP(S): a repository's `index.yaml` lists its charts and
//! their releases, and each release is a chart archive downloaded when a layer needs it,
//! checked against the index's digest and kept in the cache by its sha256
//! (`<cache>/blobs/sha256/<hex>`).
//!
//! The source speaks the helm format's layout: a release is the revision
//! `<chart>-<version>` and its chart is the folder `<chart>`. `index.yaml` is fetched once
//! per run, and not at all by locked reads that find it in the cache (as git mirrors);
//! a `304 Not Modified` keeps the cached copy.

mod archive;
mod index;

pub use self::archive::{MAX_ARCHIVE, unpack, unpack_pack};
pub use self::index::parse as parse_index;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use self::index::{ChartIndex, Entry};
use super::net::{self as client, Client, Limit};
use super::{Source, Tags, Tree};
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::model::config::RegistryKind;
use crate::model::http_url::HttpUrl;
use crate::registry::settings::Settings;

pub struct HelmRepo {
    registry: String,
    url: HttpUrl,
    settings: Settings,
    /// `<cache>/helm/<digest of the URL>`: `index.json`, `meta.json`.
    dir: PathBuf,
    client: Client,
    state: Mutex<Option<std::result::Result<Arc<Loaded>, String>>>,
    /// Archives read by this run, by revision.
    trees: Mutex<HashMap<String, Arc<(Tree, String)>>>,
}

/// The index as this run reads it.
struct Loaded {
    index: ChartIndex,
    tags: Arc<Tags>,
    /// Each revision's chart and entry.
    by_tag: HashMap<String, (String, usize)>,
}

/// What was last fetched of `index.yaml`, to ask the server whether it changed.
#[derive(Serialize, Deserialize, Default)]
struct Meta {
    etag: String,
    last_modified: String,
}

impl HelmRepo {
    pub fn new(registry: &str, url: HttpUrl, settings: &Settings) -> HelmRepo {
        let key = crate::digest::sha256_hex(url.display.as_bytes())[..24].to_string();
        HelmRepo {
            registry: registry.to_string(),
            client: Client::new(registry, &url, settings.fetch_timeout, &settings.progress),
            dir: settings.cache_dir.join("helm").join(key),
            url,
            settings: settings.clone(),
            state: Mutex::new(None),
            trees: Mutex::default(),
        }
    }

    fn fail(&self, message: impl Into<String>) -> Error {
        Error::registry(&self.registry, message)
    }

    fn loaded(&self) -> Result<Arc<Loaded>> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let stored = state.get_or_insert_with(|| kept(self.load()));
        stored.clone().map_err(|m| self.fail(m))
    }

    /// The cached index, fetched (or revalidated) first unless locked reads find it cached
    /// or this run fetched it already.
    fn load(&self) -> Result<Loaded> {
        let cached = self.read_cached();
        let fetch = !self.settings.offline
            && !(cached.is_some()
                && (self.settings.prefer_cache || self.settings.was_fetched(&self.dir)));
        let index = if fetch {
            self.fetch_index(cached)?
        } else {
            cached.ok_or_else(|| {
                self.fail(format!(
                    "`{}` is not in the cache and strata is offline; run `strata fetch` while online",
                    client::shown(&self.url.index())
                ))
            })?
        };
        if index.skipped > 0 {
            self.settings.warnings.warn(Diagnostic::plain(format!(
                "registry `{}`: {} entries of `index.yaml` name no chart, version or archive strata can read; they are skipped",
                self.registry, index.skipped
            )));
        }
        let mut names = Vec::new();
        let mut by_tag = HashMap::new();
        for (chart, entries) in &index.charts {
            for (i, e) in entries.iter().enumerate() {
                let tag = ChartIndex::tag(chart, &e.version);
                names.push(tag.clone());
                by_tag.insert(tag, (chart.clone(), i));
            }
        }
        Ok(Loaded {
            tags: Arc::new(Tags::new(names)),
            index,
            by_tag,
        })
    }

    fn read_cached(&self) -> Option<ChartIndex> {
        let bytes = fs_err::read(self.dir.join("index.json")).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    fn fetch_index(&self, cached: Option<ChartIndex>) -> Result<ChartIndex> {
        let meta: Meta = fs_err::read(self.dir.join("meta.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        let validators = cached
            .is_some()
            .then_some((meta.etag.as_str(), meta.last_modified.as_str()));
        let url = self.url.index();
        let got = self.client.get(
            &url,
            &Limit {
                bytes: index::MAX_BYTES,
                what: "an index",
            },
            validators,
        )?;
        self.settings.mark_fetched(&self.dir);
        let index = match (got.body, cached) {
            (None, Some(cached)) => return Ok(cached),
            (None, None) => {
                return Err(self.fail(format!(
                    "`{}` answered 304 to a request that had nothing to compare",
                    client::shown(&url)
                )));
            }
            (Some(body), _) => index::parse(&body).map_err(|why| self.fail(why))?,
        };
        fs_err::create_dir_all(&self.dir)?;
        let json = serde_json::to_vec(&index).map_err(|e| Error::Internal(e.to_string()))?;
        crate::atomic::write(&self.dir.join("index.json"), &json)?;
        let meta = Meta {
            etag: got.etag.unwrap_or_default(),
            last_modified: got.last_modified.unwrap_or_default(),
        };
        let meta = serde_json::to_vec(&meta).map_err(|e| Error::Internal(e.to_string()))?;
        crate::atomic::write(&self.dir.join("meta.json"), &meta)?;
        Ok(index)
    }

    /// The chart and entry of a revision `<chart>-<version>`. Locked reads that miss in a
    /// cached index (a release locked elsewhere, after this cache was filled) fetch the
    /// index once and look again.
    fn entry(&self, rev: &str) -> Result<Option<(String, Entry)>> {
        let find = |loaded: &Loaded| {
            loaded
                .by_tag
                .get(rev)
                .map(|(chart, i)| (chart.clone(), loaded.index.charts[chart][*i].clone()))
        };
        let found = find(&*self.loaded()?);
        if found.is_some()
            || !self.settings.prefer_cache
            || self.settings.offline
            || self.settings.was_fetched(&self.dir)
        {
            return Ok(found);
        }
        let fresh = self
            .fetch_index(self.read_cached())
            .and_then(|_| self.load());
        *self.state.lock().unwrap_or_else(|p| p.into_inner()) = Some(kept(fresh));
        Ok(find(&*self.loaded()?))
    }

    /// The files of a release's chart and the archive's sha256 (hex), read once per run.
    fn tree(&self, rev: &str) -> Result<Option<Arc<(Tree, String)>>> {
        if let Some(hit) = self
            .trees
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(rev)
        {
            return Ok(Some(hit.clone()));
        }
        let Some((chart, entry)) = self.entry(rev)? else {
            return Ok(None);
        };
        let (bytes, hex) = self.archive(&chart, &entry)?;
        let tree = archive::unpack(&bytes).map_err(|why| {
            Error::Catalog(vec![Diagnostic::plain(format!(
                "registry `{}`: the archive of chart `{chart}` {}: {why}",
                self.registry, entry.version
            ))])
        })?;
        let tree = Arc::new((tree, hex));
        self.trees
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(rev.to_string(), tree.clone());
        Ok(Some(tree))
    }

    /// A release's archive bytes and sha256 (hex): from the cache when the index names its
    /// digest and the cache has it, else downloaded and checked against that digest.
    fn archive(&self, chart: &str, entry: &Entry) -> Result<(Vec<u8>, String)> {
        let blobs = self.settings.cache_dir.join("blobs").join("sha256");
        if let Some(hex) = &entry.digest
            && !self.settings.download_again
            && let Ok(bytes) = fs_err::read(blobs.join(hex))
            && crate::digest::sha256_hex(&bytes) == *hex
        {
            return Ok((bytes, hex.clone()));
        }
        let Some(url) = self.url.resolve(&entry.urls[0]) else {
            return Err(self.fail(format!(
                "chart `{chart}` {}: `{}` is not a URL",
                entry.version,
                crate::shown::shorten(&crate::shown::one_line(&entry.urls[0]), 120)
            )));
        };
        if self.settings.offline {
            return Err(self.fail(format!(
                "chart `{chart}` {} (`{}`) is not in the cache and strata is offline; run `strata fetch` while online",
                entry.version,
                client::shown(&url)
            )));
        }
        let got = self.client.get(
            &url,
            &Limit {
                bytes: archive::MAX_ARCHIVE,
                what: "a chart archive",
            },
            None,
        )?;
        let bytes = got.body.unwrap_or_default();
        let hex = crate::digest::sha256_hex(&bytes);
        match &entry.digest {
            Some(want) if *want != hex => {
                return Err(Error::Catalog(vec![Diagnostic::plain(format!(
                    "registry `{}`: chart `{chart}` {}: the archive `{}` has sha256 `{hex}`, but `index.yaml` says `{want}`",
                    self.registry,
                    entry.version,
                    client::shown(&url)
                ))
                .with_hint("the archive was changed or replaced after it was indexed; tell the repository's owners")]));
            }
            Some(_) => {}
            None => self.settings.warnings.warn(Diagnostic::plain(format!(
                "registry `{}`: `index.yaml` gives no digest for chart `{chart}` {}; its archive is checked by nothing but the lock",
                self.registry, entry.version
            ))),
        }
        fs_err::create_dir_all(&blobs)?;
        crate::atomic::write(&blobs.join(&hex), &bytes)?;
        Ok((bytes, hex))
    }

    /// What `index.yaml` says of a release, as a `Chart.yaml` would: enough to find its
    /// chart without downloading the archive.
    fn chart_yaml(chart: &str, entry: &Entry) -> Vec<u8> {
        let quote = |s: &str| serde_json::to_string(s).unwrap_or_default();
        let mut text = format!(
            "name: {}\nversion: {}\n",
            quote(chart),
            quote(&entry.version)
        );
        if let Some(kv) = &entry.kube_version {
            text.push_str(&format!("kubeVersion: {}\n", quote(kv)));
        }
        text.into_bytes()
    }
}

/// An index as the run keeps it: a failure is kept as its message, so that it is reported
/// again without another fetch.
fn kept(r: Result<Loaded>) -> std::result::Result<Arc<Loaded>, String> {
    r.map(Arc::new).map_err(|e| match e {
        Error::Registry { message, .. } => message,
        other => other.to_string(),
    })
}

impl Source for HelmRepo {
    fn kind(&self) -> RegistryKind {
        RegistryKind::Helm
    }

    fn location(&self) -> String {
        self.url.display.clone()
    }

    fn prepare(&self) -> Result<()> {
        self.loaded().map(|_| ())
    }

    fn is_cached(&self) -> bool {
        self.dir.join("index.json").is_file()
    }

    fn tags(&self) -> Result<Option<Arc<Tags>>> {
        Ok(Some(self.loaded()?.tags.clone()))
    }

    fn describe(&self, pack: &str) -> Result<Option<String>> {
        let loaded = self.loaded()?;
        let newest = loaded.index.charts.get(pack).and_then(|entries| {
            entries
                .iter()
                .filter_map(|e| Some((crate::model::version::Version::parse(&e.version)?, e)))
                .max_by(|a, b| a.0.cmp(&b.0))
        });
        Ok(newest.map(|(_, e)| e.description.clone().unwrap_or_else(|| pack.to_string())))
    }

    fn verify_tag(
        &self,
        rev: &str,
        signers: &crate::trust::Signers,
    ) -> Result<crate::trust::Verdict> {
        use crate::trust::{Verdict, prov};
        let Some((chart, entry)) = self.entry(rev)? else {
            return Ok(Verdict::Refused("is gone from `index.yaml`".to_string()));
        };
        let (_, hex) = self.archive(&chart, &entry)?;
        let Some(url) = self.url.resolve(&format!("{}.prov", entry.urls[0])) else {
            return Ok(Verdict::Refused(
                "has an archive URL no provenance URL follows from".to_string(),
            ));
        };
        let kept = format!("strata-prov 1\n{url}\n{hex}\n{}\n", signers.digest);
        let cache = self.settings.cache_dir.join("signatures");
        crate::trust::kept(Some(&cache), &kept, || {
            // The repository's credentials go to the repository only.
            let mut headers = Vec::new();
            if let Some(auth) = self.client.basic()
                && self.url.same_origin(&url)
            {
                headers.push(("Authorization", auth.to_string()));
            }
            let limit = Limit {
                bytes: prov::MAX_PROV,
                what: "a provenance file",
            };
            let raw = self.client.send(&url, &headers, &limit)?;
            match raw.status {
                200 => {}
                404 => {
                    return Ok(Verdict::Refused(format!(
                        "has no provenance file (`{}`)",
                        client::shown(&url)
                    )));
                }
                status => {
                    return Err(self.client.status_error(&client::shown(&url), status, None));
                }
            }
            let keys = prov::keys(&signers.bytes)
                .map_err(|why| self.fail(format!("the keyring `{}`: {why}", signers.file)))?;
            let name = url
                .path_segments()
                .and_then(|mut s| s.next_back())
                .map(|n| n.trim_end_matches(".prov").to_string())
                .unwrap_or_default();
            let text = String::from_utf8_lossy(&raw.body);
            Ok(prov::check(&text, &name, &hex, &keys))
        })
    }

    fn subdirs(&self, rev: Option<&str>, dir: &str) -> Result<Vec<String>> {
        if !dir.is_empty() {
            return Ok(Vec::new());
        }
        Ok(match rev {
            Some(rev) => self.entry(rev)?.map(|(c, _)| c).into_iter().collect(),
            None => self.loaded()?.index.charts.keys().cloned().collect(),
        })
    }

    fn read_file(&self, rev: Option<&str>, path: &str) -> Result<Option<Vec<u8>>> {
        let Some(rev) = rev else { return Ok(None) };
        let Some((chart, entry)) = self.entry(rev)? else {
            return Ok(None);
        };
        let Some(inner) = path.strip_prefix(&format!("{chart}/")) else {
            return Ok(None);
        };
        if inner == "Chart.yaml" {
            return Ok(Some(HelmRepo::chart_yaml(&chart, &entry)));
        }
        Ok(self.tree(rev)?.and_then(|t| t.0.get(inner).cloned()))
    }

    fn read_dir(&self, rev: Option<&str>, dir: &str) -> Result<Option<Tree>> {
        let Some(rev) = rev else { return Ok(None) };
        let Some((chart, _)) = self.entry(rev)? else {
            return Ok(None);
        };
        if dir != chart {
            return Ok(None);
        }
        Ok(self.tree(rev)?.map(|t| t.0.clone()))
    }

    fn release_digest(&self, rev: Option<&str>) -> Result<Option<String>> {
        let Some(rev) = rev else { return Ok(None) };
        Ok(self.tree(rev)?.map(|t| format!("sha256:{}", t.1)))
    }

    fn display(&self, rev: Option<&str>, path: &str) -> String {
        format!("{}@{}:{path}", self.registry, rev.unwrap_or_default())
    }
}
