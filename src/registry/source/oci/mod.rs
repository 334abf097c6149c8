//! OCI registries (the Distribution API): a pack is the repository `<url>/<pack>`, its
//! releases are the tags that are versions (`_` in a tag stands for `+`), and a release is
//! identified by its manifest digest. The chart archive is the manifest's chart layer (Helm's
//! `application/vnd.cncf.helm.chart.content.v1.tar+gzip`, or the legacy
//! `application/tar+gzip`), kept in the cache by its digest like the manifest itself.
//!
//! The source speaks the helm format's layout, as chart repositories over HTTP do: a
//! release is the revision `<pack>-<version>` and its chart is the folder `<pack>`.

pub(crate) mod api;
mod auth;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use self::api::Api;
use super::net::{Client, Limit};
use super::{Source, Tags, Tree};
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::model::config::RegistryKind;
use crate::model::http_url::OciUrl;
use crate::model::version::Version;
use crate::registry::settings::Settings;

/// Helm's chart config and chart layer media types.
const HELM_CONFIG: &str = "application/vnd.cncf.helm.config.v1+json";
const CHART_LAYERS: [&str; 2] = [
    "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
    "application/tar+gzip",
];

/// A pack's releases: `(version as spelled, tag)`.
type Releases = Vec<(String, String)>;

pub struct OciSource {
    registry: String,
    url: OciUrl,
    /// Palette packs at `<url>/spectro-packs/archive/<name>`, each a `.tar.gz` of the pack
    /// folder as the manifest's first layer (whatever its media type); else Helm charts.
    palette: bool,
    settings: Settings,
    api: Api,
    /// `<cache>/oci/<digest of the URL>/tags.json`: each release's manifest digest.
    dir: PathBuf,
    /// Each pack's tags, as this run listed them (`None`: no such repository).
    tags: Mutex<HashMap<String, Option<Releases>>>,
    /// Each revision's manifest digest and chart, read once per run.
    trees: Mutex<HashMap<String, Arc<(Tree, String)>>>,
}

impl OciSource {
    pub fn new(registry: &str, url: OciUrl, settings: &Settings, palette: bool) -> OciSource {
        let key = crate::digest::sha256_hex(url.display.as_bytes())[..24].to_string();
        let client = Client::new(
            registry,
            &url.api,
            settings.fetch_timeout,
            &settings.progress,
        );
        OciSource {
            registry: registry.to_string(),
            api: Api::new(client, registry, &url.api.base),
            dir: settings.cache_dir.join("oci").join(key),
            url,
            palette,
            settings: settings.clone(),
            tags: Mutex::default(),
            trees: Mutex::default(),
        }
    }

    fn repo(&self, pack: &str) -> String {
        match self.palette {
            true => crate::registry::source::join(
                &self.url.prefix,
                &format!("spectro-packs/archive/{pack}"),
            ),
            false => crate::registry::source::join(&self.url.prefix, pack),
        }
    }

    fn fail(&self, message: String) -> Error {
        Error::registry(&self.registry, message)
    }

    /// A pack's releases: `(version as spelled, tag)` for each tag that is a version.
    fn releases(&self, pack: &str) -> Result<Option<Releases>> {
        if let Some(hit) = self
            .tags
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(pack)
        {
            return Ok(hit.clone());
        }
        let listed = if self.settings.offline {
            // Offline, the releases are those the cache knows.
            let known = self.known();
            let prefix = format!("{}@", self.repo(pack));
            let list: Vec<(String, String)> = known
                .keys()
                .filter_map(|k| k.strip_prefix(&prefix))
                .map(|tag| (tag.replace('_', "+"), tag.to_string()))
                .collect();
            (!list.is_empty()).then_some(list)
        } else {
            self.api.tags(&self.repo(pack))?.map(|tags| {
                tags.into_iter()
                    .filter_map(|t| {
                        let v = t.replace('_', "+");
                        Version::parse(&v).map(|_| (v, t))
                    })
                    .collect()
            })
        };
        self.tags
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(pack.to_string(), listed.clone());
        Ok(listed)
    }

    /// What the cache knows: `<repo>@<tag>` → manifest digest.
    fn known(&self) -> BTreeMap<String, String> {
        fs_err::read(self.dir.join("tags.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    fn remember(&self, key: String, digest: &str) -> Result<()> {
        let mut known = self.known();
        if known.get(&key).map(String::as_str) == Some(digest) {
            return Ok(());
        }
        known.insert(key, digest.to_string());
        fs_err::create_dir_all(&self.dir)?;
        let json = serde_json::to_vec(&known).map_err(|e| Error::Internal(e.to_string()))?;
        crate::atomic::write(&self.dir.join("tags.json"), &json)
    }

    fn blobs(&self) -> PathBuf {
        self.settings.cache_dir.join("blobs").join("sha256")
    }

    /// A blob from the cache (checked against its digest) or the registry (then cached).
    fn blob(&self, repo: &str, digest: &str, limit: &Limit) -> Result<Vec<u8>> {
        let file = self.blobs().join(digest.trim_start_matches("sha256:"));
        if !self.settings.download_again
            && let Ok(bytes) = fs_err::read(&file)
            && crate::digest::sha256(&bytes) == digest
        {
            return Ok(bytes);
        }
        if self.settings.offline {
            return Err(self.fail(format!(
                "blob `{digest}` of `{repo}` is not in the cache and strata is offline; run `strata fetch` while online"
            )));
        }
        let bytes = self.api.blob(repo, digest, limit)?;
        fs_err::create_dir_all(self.blobs())?;
        crate::atomic::write(&file, &bytes)?;
        Ok(bytes)
    }

    /// The manifest digest of a release: from the cache for locked reads, else the registry.
    fn manifest(&self, pack: &str, tag: &str) -> Result<Option<(String, Vec<u8>)>> {
        let repo = self.repo(pack);
        let key = format!("{repo}@{tag}");
        if (self.settings.prefer_cache || self.settings.offline)
            && !self.settings.download_again
            && let Some(digest) = self.known().get(&key)
            && let Ok(bytes) = self.blob(
                &repo,
                digest,
                &Limit {
                    bytes: api::MAX_MANIFEST,
                    what: "a manifest",
                },
            )
        {
            return Ok(Some((digest.clone(), bytes)));
        }
        if self.settings.offline {
            return Err(self.fail(format!(
                "`{repo}:{tag}` is not in the cache and strata is offline; run `strata fetch` while online"
            )));
        }
        let Some(m) = self.api.manifest(&repo, tag)? else {
            return Ok(None);
        };
        fs_err::create_dir_all(self.blobs())?;
        crate::atomic::write(
            &self.blobs().join(m.digest.trim_start_matches("sha256:")),
            &m.bytes,
        )?;
        self.remember(key, &m.digest)?;
        Ok(Some((m.digest, m.bytes)))
    }

    /// The pack and tag of a revision `<pack>-<version>`: the version as the tag spells it,
    /// `+` written `_` (no request: a locked read needs no tag list).
    fn split(&self, rev: &str) -> Result<Option<(String, String)>> {
        let Some((pack, _)) = crate::registry::format::helm::split_tag(rev) else {
            return Ok(None);
        };
        let spelled = &rev[pack.len() + 1..];
        Ok(Some((pack.to_string(), spelled.replace('+', "_"))))
    }

    /// A release's chart files and manifest digest, read once per run.
    fn tree(&self, rev: &str) -> Result<Option<Arc<(Tree, String)>>> {
        if let Some(hit) = self
            .trees
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(rev)
        {
            return Ok(Some(hit.clone()));
        }
        let Some((pack, tag)) = self.split(rev)? else {
            return Ok(None);
        };
        let Some((digest, bytes)) = self.manifest(&pack, &tag)? else {
            return Ok(None);
        };
        let repo = self.repo(&pack);
        let problem = |why: String| {
            Error::Catalog(vec![Diagnostic::plain(format!(
                "registry `{}`: `{repo}:{tag}` ({digest}) {why}",
                self.registry
            ))])
        };
        let layer_digest = match self.palette {
            true => pack_layer(&bytes).map_err(problem)?,
            false => chart_layer(&bytes).map_err(problem)?,
        };
        let archive = self.blob(
            &repo,
            &layer_digest,
            &Limit {
                bytes: crate::registry::source::http::MAX_ARCHIVE,
                what: "a chart archive",
            },
        )?;
        let tree = match self.palette {
            true => crate::registry::source::http::unpack_pack(&archive)
                .map_err(|why| problem(format!("has a pack archive that {why}")))?,
            false => crate::registry::source::http::unpack(&archive)
                .map_err(|why| problem(format!("has a chart archive that {why}")))?,
        };
        let tree = Arc::new((tree, digest));
        self.trees
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(rev.to_string(), tree.clone());
        Ok(Some(tree))
    }
}

/// The digest of a Helm chart manifest's chart layer, or why the manifest is no Helm chart.
pub fn chart_layer(bytes: &[u8]) -> std::result::Result<String, String> {
    let manifest: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|_| "has a manifest that is not JSON".to_string())?;
    if manifest["config"]["mediaType"].as_str() != Some(HELM_CONFIG) {
        return Err(format!(
            "is not a Helm chart (its config is `{}`, not `{HELM_CONFIG}`)",
            crate::shown::shorten(
                &crate::shown::one_line(manifest["config"]["mediaType"].as_str().unwrap_or("none")),
                80
            )
        ));
    }
    let layer = manifest["layers"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|l| {
            l["mediaType"]
                .as_str()
                .is_some_and(|m| CHART_LAYERS.contains(&m))
        })
        .ok_or_else(|| "has no chart layer".to_string())?;
    layer["digest"]
        .as_str()
        .filter(|d| crate::digest::is_sha256(d))
        .map(str::to_string)
        .ok_or_else(|| "names its chart layer with no sha256 digest".to_string())
}

/// The digest of a Palette pack manifest's first layer (the pack folder's archive).
fn pack_layer(bytes: &[u8]) -> std::result::Result<String, String> {
    let manifest: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|_| "has a manifest that is not JSON".to_string())?;
    manifest["layers"][0]["digest"]
        .as_str()
        .filter(|d| crate::digest::is_sha256(d))
        .map(str::to_string)
        .ok_or_else(|| "has no layer with a sha256 digest".to_string())
}

impl Source for OciSource {
    fn kind(&self) -> RegistryKind {
        RegistryKind::Oci
    }

    fn location(&self) -> String {
        self.url.display.clone()
    }

    fn is_cached(&self) -> bool {
        self.dir.join("tags.json").is_file()
    }

    fn lists_packs(&self) -> bool {
        false
    }

    /// An OCI registry lists no packs: only the packs a layer names are read.
    fn tags(&self) -> Result<Option<Arc<Tags>>> {
        Ok(Some(Arc::new(Tags::new(Vec::new()))))
    }

    fn pack_tags(&self, pack: &str) -> Result<Option<Arc<Tags>>> {
        let list = self.releases(pack)?.unwrap_or_default();
        Ok(Some(Arc::new(Tags::new(
            list.into_iter()
                .map(|(v, _)| format!("{pack}-{v}"))
                .collect(),
        ))))
    }

    fn verify_tag(
        &self,
        rev: &str,
        signers: &crate::trust::Signers,
    ) -> Result<crate::trust::Verdict> {
        use crate::trust::{Verdict, cosign};
        let Some(key) = signers.cosign.as_ref() else {
            return Err(Error::Internal(format!(
                "registry `{}` checks cosign signatures without a cosign key",
                self.registry
            )));
        };
        let Some((pack, tag)) = self.split(rev)? else {
            return Ok(Verdict::Refused("is no release".to_string()));
        };
        let Some((digest, _)) = self.manifest(&pack, &tag)? else {
            return Ok(Verdict::Refused("is gone from the registry".to_string()));
        };
        let repo = self.repo(&pack);
        let kept = format!("strata-cosign 1\n{repo}\n{digest}\n{}\n", key.digest);
        let cache = self.settings.cache_dir.join("signatures");
        crate::trust::kept(Some(&cache), &kept, || {
            let sig_tag = cosign::signature_tag(&digest);
            let Some(m) = self.api.manifest(&repo, &sig_tag)? else {
                return Ok(Verdict::Refused(format!(
                    "has no cosign signature (no `{sig_tag}` in `{repo}`)"
                )));
            };
            let mut results = Vec::new();
            for (blob, sig) in cosign::signed_layers(&m.bytes).into_iter().take(16) {
                let limit = Limit {
                    bytes: cosign::MAX_PAYLOAD,
                    what: "a cosign payload",
                };
                let payload = self.api.blob(&repo, &blob, &limit)?;
                results.push(cosign::check(key, &digest, &payload, &sig));
            }
            Ok(cosign::verdict(key, results))
        })
    }

    fn subdirs(&self, rev: Option<&str>, dir: &str) -> Result<Vec<String>> {
        if !dir.is_empty() {
            return Ok(Vec::new());
        }
        Ok(match rev {
            Some(rev) => self.split(rev)?.map(|(p, _)| p).into_iter().collect(),
            None => Vec::new(),
        })
    }

    fn read_file(&self, rev: Option<&str>, path: &str) -> Result<Option<Vec<u8>>> {
        let Some(rev) = rev else { return Ok(None) };
        let Some((pack, version)) = crate::registry::format::helm::split_tag(rev) else {
            return Ok(None);
        };
        let Some(inner) = path.strip_prefix(&format!("{pack}/")) else {
            return Ok(None);
        };
        if inner == "Chart.yaml" {
            // The repository is the chart: its name and the tag's version, without a request.
            let quote = |s: &str| serde_json::to_string(s).unwrap_or_default();
            return Ok(Some(
                format!(
                    "name: {}\nversion: {}\n",
                    quote(pack),
                    quote(version.as_str())
                )
                .into_bytes(),
            ));
        }
        Ok(self.tree(rev)?.and_then(|t| t.0.get(inner).cloned()))
    }

    fn read_dir(&self, rev: Option<&str>, dir: &str) -> Result<Option<Tree>> {
        let Some(rev) = rev else { return Ok(None) };
        match crate::registry::format::helm::split_tag(rev) {
            Some((pack, _)) if pack == dir => Ok(self.tree(rev)?.map(|t| t.0.clone())),
            _ => Ok(None),
        }
    }

    fn release_digest(&self, rev: Option<&str>) -> Result<Option<String>> {
        let Some(rev) = rev else { return Ok(None) };
        Ok(self.tree(rev)?.map(|t| t.1.clone()))
    }

    fn display(&self, rev: Option<&str>, path: &str) -> String {
        format!("{}@{}:{path}", self.registry, rev.unwrap_or_default())
    }
}
