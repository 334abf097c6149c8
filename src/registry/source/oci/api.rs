//! The Distribution API, as a reader needs it: tags (following `Link` pagination),
//! manifests by tag, blobs by digest; anonymous first, then on `401` the challenge the
//! registry answers with (a Bearer token from its realm, or Basic), with the credentials of
//! [`super::auth`]. Tokens live for the run, per repository.

use std::collections::HashMap;
use std::sync::Mutex;

use super::auth;
use crate::error::{Error, Result};
use crate::registry::source::net::{Client, Limit, Raw, basic, shown};

/// The most tags strata lists of one repository.
pub const MAX_TAGS: usize = 100_000;
/// The most bytes of one manifest or tag list page.
pub const MAX_MANIFEST: u64 = 4 << 20;

pub const MANIFEST_TYPES: &str = "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

pub struct Api {
    pub client: Client,
    registry: String,
    /// `http(s)://host[:port]/`.
    base: url::Url,
    /// `host[:port]`, for the credential configuration.
    host: String,
    /// `Authorization` values by repository.
    tokens: Mutex<HashMap<String, String>>,
}

/// A manifest: its digest (`sha256:<hex>` of its bytes) and bytes.
pub struct Manifest {
    pub digest: String,
    pub bytes: Vec<u8>,
}

impl Api {
    pub fn new(client: Client, registry: &str, base: &url::Url) -> Api {
        let host = match base.port() {
            Some(p) => format!("{}:{p}", base.host_str().unwrap_or_default()),
            None => base.host_str().unwrap_or_default().to_string(),
        };
        Api {
            client,
            registry: registry.to_string(),
            base: base.clone(),
            host,
            tokens: Mutex::default(),
        }
    }

    fn fail(&self, message: String) -> Error {
        Error::registry(&self.registry, message)
    }

    fn credentials(&self) -> Option<String> {
        if let Some(b) = self.client.basic() {
            return Some(b.to_string());
        }
        auth::from_config(&self.host).map(|(u, p)| basic(&u, &p))
    }

    /// GETs `path` (relative to the registry) for `repo`, answering a challenge once.
    fn get(&self, repo: &str, path: &str, accept: Option<&str>, limit: &Limit) -> Result<Raw> {
        let url = self
            .base
            .join(path)
            .map_err(|e| self.fail(format!("`{path}` is not a path of the registry: {e}")))?;
        let mut headers: Vec<(&str, String)> = Vec::new();
        if let Some(a) = accept {
            headers.push(("Accept", a.to_string()));
        }
        let token = self
            .tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(repo)
            .cloned();
        if let Some(t) = &token {
            headers.push(("Authorization", t.clone()));
        }
        let raw = self.client.send(&url, &headers, limit)?;
        if raw.status != 401 || token.is_some() && raw.header("www-authenticate").is_none() {
            return Ok(raw);
        }
        let Some(authorization) = self.answer(repo, raw.header("www-authenticate"))? else {
            return Ok(raw);
        };
        self.tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(repo.to_string(), authorization.clone());
        headers.retain(|(k, _)| *k != "Authorization");
        headers.push(("Authorization", authorization));
        self.client.send(&url, &headers, limit)
    }

    /// The `Authorization` that answers a challenge, or `None` when there is nothing to try.
    fn answer(&self, repo: &str, challenge: Option<&str>) -> Result<Option<String>> {
        let basic = self.credentials();
        let Some((scheme, params)) = challenge.and_then(auth::challenge) else {
            return Ok(basic);
        };
        if scheme == "basic" {
            return Ok(basic);
        }
        if scheme != "bearer" {
            return Ok(None);
        }
        let param = |k: &str| params.iter().find(|(p, _)| p == k).map(|(_, v)| v.clone());
        let Some(realm) = param("realm") else {
            return Ok(None);
        };
        let mut url = url::Url::parse(&realm)
            .map_err(|_| self.fail("the registry's token realm is not a URL".to_string()))?;
        if url.scheme() != "https" && !(url.scheme() == "http" && self.base.scheme() == "http") {
            return Err(self.fail(format!(
                "the registry asks for tokens from `{}`, which is not HTTPS",
                shown(&url)
            )));
        }
        {
            let mut q = url.query_pairs_mut();
            if let Some(s) = param("service") {
                q.append_pair("service", &s);
            }
            q.append_pair(
                "scope",
                &param("scope").unwrap_or_else(|| format!("repository:{repo}:pull")),
            );
        }
        let mut headers = Vec::new();
        if let Some(b) = basic {
            headers.push(("Authorization", b));
        }
        let raw = self.client.send(
            &url,
            &headers,
            &Limit {
                bytes: 1 << 20,
                what: "a token",
            },
        )?;
        if raw.status != 200 {
            return Err(self.client.status_error(&shown(&url), raw.status, None));
        }
        let v: serde_json::Value = serde_json::from_slice(&raw.body)
            .map_err(|_| self.fail("the registry's token answer is not JSON".to_string()))?;
        let token = v["token"].as_str().or(v["access_token"].as_str());
        Ok(token.map(|t| format!("Bearer {t}")))
    }

    /// Every tag of `repo`; `None` when the repository does not exist. The first page is
    /// asked for without `n`, so the registry answers with as many tags as it gives at once
    /// (all of them, for many); its `Link` names the next page when there is one.
    pub fn tags(&self, repo: &str) -> Result<Option<Vec<String>>> {
        let mut path = format!("v2/{repo}/tags/list");
        let mut tags = Vec::new();
        for _ in 0..1000 {
            let raw = self.get(
                repo,
                &path,
                None,
                &Limit {
                    bytes: MAX_MANIFEST,
                    what: "a tag list",
                },
            )?;
            if !self.found(&path, &raw)? {
                return Ok(None);
            }
            let page = tag_page(&raw.body)
                .ok_or_else(|| self.fail(format!("the tag list of `{repo}` is not JSON")))?;
            tags.extend(page);
            if tags.len() > MAX_TAGS {
                return Err(self.fail(format!(
                    "`{repo}` has more than {MAX_TAGS} tags, the most strata lists"
                )));
            }
            match raw.header("link").and_then(next_link) {
                Some(next) => path = self.same_registry(&next)?,
                None => return Ok(Some(tags)),
            }
        }
        Err(self.fail(format!(
            "the tag list of `{repo}` has more than 1,000 pages"
        )))
    }

    /// Whether an answer to `path` found what it asked for (`200`) or nothing (`404`);
    /// any other status is the registry problem it names.
    fn found(&self, path: &str, raw: &Raw) -> Result<bool> {
        match raw.status {
            200 => Ok(true),
            404 => Ok(false),
            _ => Err(self.unexpected(path, raw)),
        }
    }

    /// The registry problem of an answer to `path` other than the one expected.
    fn unexpected(&self, path: &str, raw: &Raw) -> Error {
        self.client.status_error(
            &format!("{}{path}", shown(&self.base)),
            raw.status,
            raw.header("retry-after"),
        )
    }

    /// A `Link` target as a path of this registry; one on another host is refused (the
    /// token goes nowhere else).
    fn same_registry(&self, next: &str) -> Result<String> {
        let url = self
            .base
            .join(next)
            .map_err(|_| self.fail("the registry's next page is not a URL".to_string()))?;
        if url.origin() != self.base.origin() {
            return Err(self.fail(format!(
                "the registry's next page of tags is on another host (`{}`)",
                shown(&url)
            )));
        }
        Ok(match url.query() {
            Some(q) => format!("{}?{q}", url.path().trim_start_matches('/')),
            None => url.path().trim_start_matches('/').to_string(),
        })
    }

    /// The manifest `reference` (a tag or digest) of `repo`; `None` when there is none.
    pub fn manifest(&self, repo: &str, reference: &str) -> Result<Option<Manifest>> {
        let path = format!("v2/{repo}/manifests/{reference}");
        let raw = self.get(
            repo,
            &path,
            Some(MANIFEST_TYPES),
            &Limit {
                bytes: MAX_MANIFEST,
                what: "a manifest",
            },
        )?;
        if !self.found(&path, &raw)? {
            return Ok(None);
        }
        let digest = crate::digest::sha256(&raw.body);
        if let Some(said) = raw.header("docker-content-digest")
            && said.starts_with("sha256:")
            && said != digest
        {
            return Err(self.fail(format!(
                "the manifest `{repo}:{reference}` has digest `{digest}`, but the registry says `{}`",
                crate::shown::shorten(&crate::shown::one_line(said), 80)
            )));
        }
        Ok(Some(Manifest {
            digest,
            bytes: raw.body,
        }))
    }

    /// The blob `digest` of `repo`, checked against its digest.
    pub fn blob(&self, repo: &str, digest: &str, limit: &Limit) -> Result<Vec<u8>> {
        let path = format!("v2/{repo}/blobs/{digest}");
        let raw = self.get(repo, &path, None, limit)?;
        if raw.status != 200 {
            return Err(self.unexpected(&path, &raw));
        }
        let got = crate::digest::sha256(&raw.body);
        if got != digest {
            return Err(Error::Catalog(vec![crate::diagnostic::Diagnostic::plain(
                format!(
                    "registry `{}`: the blob `{digest}` of `{repo}` has digest `{got}`",
                    self.registry
                ),
            )]));
        }
        Ok(raw.body)
    }
}

/// The tags of one page of a tag list (`{"tags": [...]}`; `null` is none).
pub fn tag_page(bytes: &[u8]) -> Option<Vec<String>> {
    let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    Some(
        v["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t.as_str().map(str::to_string))
            .collect(),
    )
}

/// The target of a `Link: <…>; rel="next"` header.
pub fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        params.contains("rel=\"next\"").then(|| {
            target
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn next_links() {
        assert_eq!(
            super::next_link("</v2/a/tags/list?n=100&last=b>; rel=\"next\"").as_deref(),
            Some("/v2/a/tags/list?n=100&last=b")
        );
        assert_eq!(super::next_link("<x>; rel=\"prev\""), None);
    }
}
