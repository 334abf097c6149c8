//! Requests to chart repositories and OCI registries: bounded in time and size, credentials
//! sent only to the repository's own host (never across a redirect to another), each
//! failure a registry problem (exit code 3) that names the URL without credentials.

use std::time::Duration;

use crate::error::{Error, Result};
use crate::model::http_url::HttpUrl;

/// What one response may hold.
pub struct Limit {
    pub bytes: u64,
    /// What is read, for the message past the limit.
    pub what: &'static str,
}

/// A response: its body, or `None` for `304 Not Modified`; and its validators.
pub struct Fetched {
    pub body: Option<Vec<u8>>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A response as it came: status, headers (names lower-case) and body (bounded; for a
/// status other than 2xx, at most 64 KiB of it).
pub struct Raw {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Raw {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A client for one repository.
pub struct Client {
    agent: ureq::Agent,
    /// Where download bars go (drawn only on a terminal).
    progress: indicatif::MultiProgress,
    registry: String,
    url: HttpUrl,
    /// `Basic …` for the repository's host, when credentials were given.
    authorization: Option<String>,
}

impl Client {
    pub fn new(
        registry: &str,
        url: &HttpUrl,
        timeout: Duration,
        progress: &indicatif::MultiProgress,
    ) -> Client {
        let config = ureq::Agent::config_builder()
            .timeout_connect(Some(Duration::from_secs(15)))
            .timeout_recv_response(Some(timeout))
            .timeout_recv_body(Some(timeout.max(Duration::from_secs(60)) * 10))
            .max_redirects(5)
            // An `Authorization` never follows a redirect (not even to the same host).
            .redirect_auth_headers(ureq::config::RedirectAuthHeaders::Never)
            .http_status_as_error(false)
            .user_agent(concat!("strata/", env!("CARGO_PKG_VERSION")))
            .build();
        Client {
            agent: config.into(),
            progress: progress.clone(),
            registry: registry.to_string(),
            url: url.clone(),
            authorization: credentials(registry, url).map(|(u, p)| basic(&u, &p)),
        }
    }

    /// GETs `url`, conditionally on `etag` / `last_modified` when given.
    pub fn get(
        &self,
        url: &url::Url,
        limit: &Limit,
        validators: Option<(&str, &str)>,
    ) -> Result<Fetched> {
        let shown = shown(url);
        let mut headers = Vec::new();
        if let Some((etag, modified)) = validators {
            if !etag.is_empty() {
                headers.push(("If-None-Match", etag.to_string()));
            }
            if !modified.is_empty() {
                headers.push(("If-Modified-Since", modified.to_string()));
            }
        }
        if let Some(auth) = &self.authorization
            && self.url.same_origin(url)
        {
            headers.push(("Authorization", auth.clone()));
        }
        let raw = self.send(url, &headers, limit)?;
        let etag = raw.header("etag").map(str::to_string);
        let last_modified = raw.header("last-modified").map(str::to_string);
        match raw.status {
            304 => Ok(Fetched {
                body: None,
                etag,
                last_modified,
            }),
            200 => Ok(Fetched {
                body: Some(raw.body),
                etag,
                last_modified,
            }),
            status => Err(self.status_error(&shown, status, raw.header("retry-after"))),
        }
    }

    /// The `Basic …` header of the credentials given for this registry, if any.
    pub fn basic(&self) -> Option<&str> {
        self.authorization.as_deref()
    }

    /// Sends a GET with `headers`; any status is an answer, a failure to talk is an error.
    pub fn send(&self, url: &url::Url, headers: &[(&str, String)], limit: &Limit) -> Result<Raw> {
        let shown = shown(url);
        let mut request = self.agent.get(url.as_str());
        for (k, v) in headers {
            request = request.header(*k, v);
        }
        let response = request.call().map_err(|e| {
            Error::registry(
                &self.registry,
                format!("cannot read `{shown}`: {}", ureq_error(&e)),
            )
        })?;
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .filter_map(|(k, v)| {
                Some((
                    k.as_str().to_ascii_lowercase(),
                    v.to_str().ok()?.to_string(),
                ))
            })
            .collect();
        let ok = (200..300).contains(&status);
        let bytes = if ok { limit.bytes } else { 64 << 10 };
        let length = response
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        let body = match ok && length.unwrap_or(u64::MAX) > 1 << 20 {
            // Something big: a bar on a terminal while it downloads.
            true => self.download(response.into_body(), bytes, length, &shown),
            false => response
                .into_body()
                .with_config()
                .limit(bytes)
                .read_to_vec(),
        };
        let body = match body {
            Ok(b) => b,
            Err(_) if !(200..300).contains(&status) => Vec::new(),
            Err(ureq::Error::BodyExceedsLimit(_)) => {
                return Err(Error::registry(
                    &self.registry,
                    format!(
                        "`{shown}` is larger than {} MiB, the most strata reads of {}",
                        limit.bytes >> 20,
                        limit.what
                    ),
                ));
            }
            Err(e) => {
                return Err(Error::registry(
                    &self.registry,
                    format!("cannot read `{shown}`: {}", ureq_error(&e)),
                ));
            }
        };
        Ok(Raw {
            status,
            headers,
            body,
        })
    }

    /// Reads a body of up to `limit` bytes with a progress bar (drawn only on a terminal).
    fn download(
        &self,
        body: ureq::Body,
        limit: u64,
        length: Option<u64>,
        shown: &str,
    ) -> std::result::Result<Vec<u8>, ureq::Error> {
        use std::io::Read;
        let bar = self
            .progress
            .add(indicatif::ProgressBar::new(length.unwrap_or(0)));
        bar.set_style(
            indicatif::ProgressStyle::with_template("{msg} {bytes}/{total_bytes} {bytes_per_sec}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_message(format!(
            "downloading `{}`",
            crate::shown::shorten(shown, 80)
        ));
        let mut reader = body.into_with_config().limit(limit).reader();
        let mut out =
            Vec::with_capacity(usize::try_from(length.unwrap_or(0).min(limit)).unwrap_or(0));
        let mut chunk = vec![0u8; 64 << 10];
        let read = loop {
            match reader.read(&mut chunk) {
                Ok(0) => break Ok(out),
                Ok(n) => {
                    out.extend_from_slice(&chunk[..n]);
                    bar.inc(n as u64);
                }
                Err(e) => {
                    break Err(
                        match e.into_inner().map(|inner| inner.downcast::<ureq::Error>()) {
                            Some(Ok(inner)) => *inner,
                            Some(Err(other)) => {
                                ureq::Error::Io(std::io::Error::other(other.to_string()))
                            }
                            None => ureq::Error::Io(std::io::Error::other("the read failed")),
                        },
                    );
                }
            }
        };
        bar.finish_and_clear();
        read
    }

    /// The registry problem of an answer other than the one expected.
    pub fn status_error(&self, shown: &str, status: u16, retry: Option<&str>) -> Error {
        let what = match status {
            401 | 403 => format!(
                "`{shown}` answered {status}: the repository wants credentials, or refused the ones given"
            ),
            404 => format!("`{shown}` answered 404: there is no such file"),
            429 => format!(
                "`{shown}` answered 429: too many requests{}",
                retry
                    .map(|r| format!(
                        " (retry after {})",
                        crate::shown::shorten(&crate::shown::one_line(r), 40)
                    ))
                    .unwrap_or_default()
            ),
            500..=599 => format!("`{shown}` answered {status}: the server failed"),
            _ => format!("`{shown}` answered {status}"),
        };
        let hint = match status {
            401 | 403 => Some(format!(
                "set STRATA_REGISTRY_{}_USERNAME and _PASSWORD (see docs/registries.md)",
                env_name(&self.registry)
            )),
            429 | 500..=599 => Some("try again later".to_string()),
            _ => None,
        };
        match hint {
            Some(h) => Error::registry(&self.registry, format!("{what}; {h}")),
            None => Error::registry(&self.registry, what),
        }
    }
}

/// The `Authorization` value of HTTP Basic credentials.
pub fn basic(user: &str, password: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// A URL as shown: without credentials, on one line.
pub fn shown(url: &url::Url) -> String {
    let mut clean = url.clone();
    let _ = clean.set_username("");
    let _ = clean.set_password(None);
    crate::shown::one_line(clean.as_str()).into_owned()
}

/// Why a request failed, without anything that could carry a credential.
fn ureq_error(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(t) => format!("timed out ({t})"),
        ureq::Error::HostNotFound => "the host is not known".to_string(),
        ureq::Error::ConnectionFailed => "the connection failed".to_string(),
        ureq::Error::TooManyRedirects => "too many redirects".to_string(),
        ureq::Error::Io(io) => crate::shown::one_line(&io.to_string()).into_owned(),
        other => {
            crate::shown::shorten(&crate::shown::one_line(&other.to_string()), 200).into_owned()
        }
    }
}

/// The registry name as it appears in environment variable names: `my-charts` →
/// `MY_CHARTS`.
pub fn env_name(registry: &str) -> String {
    registry
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// Credentials for a registry: `STRATA_REGISTRY_<NAME>_USERNAME` / `_PASSWORD`, else the
/// user and password written in the URL.
fn credentials(registry: &str, url: &HttpUrl) -> Option<(String, String)> {
    let var = |suffix: &str| {
        std::env::var(format!("STRATA_REGISTRY_{}_{suffix}", env_name(registry)))
            .ok()
            .filter(|v| !v.is_empty())
    };
    match (var("USERNAME"), var("PASSWORD")) {
        (Some(u), Some(p)) => Some((u, p)),
        _ => url.userinfo.clone(),
    }
}
