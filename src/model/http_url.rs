//! The URL of a chart repository over HTTP(S): parsed once, its credentials kept apart from
//! what is shown and written, plain HTTP only to this machine (or when the registry says
//! `plain_http = true`).

/// Why a URL cannot be used, and a hint.
pub struct Refused(pub String, pub Option<String>);

/// A chart repository's URL.
#[derive(Debug, Clone)]
pub struct HttpUrl {
    /// The URL without credentials and without a trailing `/`: what locks and messages show.
    pub display: String,
    /// The base that relative archive URLs resolve against (with a trailing `/`).
    pub base: url::Url,
    /// `user:password` written in the URL, if any (never shown).
    pub userinfo: Option<(String, String)>,
}

/// Whether `host` is this machine.
pub fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(a) => a.is_loopback(),
        url::Host::Ipv6(a) => a.is_loopback(),
    }
}

/// Checks a repository URL as `strata.toml` writes it.
pub fn check(text: &str, plain_http: bool) -> Result<HttpUrl, Refused> {
    let parsed = url::Url::parse(text).map_err(|e| {
        Refused(
            format!("`{}` is not a URL: {e}", shown(text)),
            Some("write the repository's address, e.g. `https://charts.example.com`".to_string()),
        )
    })?;
    let host = parsed
        .host()
        .ok_or_else(|| Refused(format!("`{}` names no host", shown(text)), None))?;
    match parsed.scheme() {
        "https" => {}
        "http" if plain_http || is_loopback(&host) => {}
        "http" => {
            return Err(Refused(
                format!(
                    "`{}` is plain HTTP to another machine: anyone on the way can change the charts",
                    shown(text)
                ),
                Some("use `https://`, or set `plain_http = true` on the registry if the network is trusted".to_string()),
            ));
        }
        other => {
            return Err(Refused(
                format!("a helm registry is read over `https://`, not `{other}://`"),
                Some(
                    "a chart repository in git is `kind = \"git\"` with `format = \"helm\"`"
                        .to_string(),
                ),
            ));
        }
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Refused(
            format!(
                "`{}` has a query or fragment; a repository URL is the folder of its `index.yaml`",
                shown(text)
            ),
            None,
        ));
    }
    let userinfo = (!parsed.username().is_empty()).then(|| {
        (
            pct_decode(parsed.username()),
            pct_decode(parsed.password().unwrap_or_default()),
        )
    });
    let mut clean = parsed.clone();
    let _ = clean.set_username("");
    let _ = clean.set_password(None);
    let display = clean.as_str().trim_end_matches('/').to_string();
    let mut base = clean;
    if !base.path().ends_with('/') {
        let path = format!("{}/", base.path());
        base.set_path(&path);
    }
    Ok(HttpUrl {
        display,
        base,
        userinfo,
    })
}

/// A URL as written, for a message: one line, at most 80 characters, credentials removed.
fn shown(text: &str) -> String {
    let without = match text.find("://") {
        Some(i) => {
            let rest = &text[i + 3..];
            let host_end = rest.find('/').unwrap_or(rest.len());
            match rest[..host_end].rfind('@') {
                Some(at) => format!("{}{}", &text[..i + 3], &rest[at + 1..]),
                None => text.to_string(),
            }
        }
        None => text.to_string(),
    };
    crate::shown::shorten(&crate::shown::one_line(&without), 80).into_owned()
}

fn pct_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

impl HttpUrl {
    /// An archive URL from `index.yaml`, resolved against the repository as Helm does
    /// (relative to the folder of `index.yaml`).
    pub fn resolve(&self, reference: &str) -> Option<url::Url> {
        self.base.join(reference).ok()
    }

    /// The URL of `index.yaml`.
    pub fn index(&self) -> url::Url {
        self.base
            .join("index.yaml")
            .expect("a relative file name joins")
    }

    /// Whether `other` is on the repository's own host and port (credentials go nowhere
    /// else).
    pub fn same_origin(&self, other: &url::Url) -> bool {
        self.base.scheme() == other.scheme()
            && self.base.host_str() == other.host_str()
            && self.base.port_or_known_default() == other.port_or_known_default()
    }
}

/// An OCI registry's URL: `oci://host[:port]/path`.
#[derive(Debug, Clone)]
pub struct OciUrl {
    /// `oci://host[:port]/path`, as locks and messages show it.
    pub display: String,
    /// `https://host[:port]/` (`http://` to this machine, or with `plain_http`): where the
    /// Distribution API is.
    pub api: HttpUrl,
    /// The repositories' common prefix (`path`, without slashes at either end).
    pub prefix: String,
}

/// Checks an OCI registry URL as `strata.toml` writes it.
pub fn check_oci(text: &str, plain_http: bool) -> Result<OciUrl, Refused> {
    let Some(rest) = text.strip_prefix("oci://") else {
        return Err(Refused(
            format!("`{}` is not an `oci://` URL", shown(text)),
            Some("write the registry and path, e.g. `oci://ghcr.io/example/charts`".to_string()),
        ));
    };
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    if host.contains('@') {
        return Err(Refused(
            "an `oci://` URL carries no credentials".to_string(),
            Some("give them in the environment or the Docker/Helm registry configuration (see docs/registries.md)".to_string()),
        ));
    }
    let parsed = url::Url::parse(&format!("https://{host}/"))
        .map_err(|e| Refused(format!("`{}` is not a URL: {e}", shown(text)), None))?;
    let loopback = parsed.host().is_some_and(|h| is_loopback(&h));
    let scheme = if loopback || plain_http {
        "http"
    } else {
        "https"
    };
    let api = check(&format!("{scheme}://{host}/"), true)?;
    let prefix = path.trim_matches('/').to_string();
    if prefix.split('/').any(|p| p == "." || p == "..")
        || !prefix
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-/".contains(&b))
    {
        return Err(Refused(
            format!(
                "`{}`: a repository path is lowercase letters, digits, `.`, `_`, `-` and `/`",
                shown(text)
            ),
            None,
        ));
    }
    let display = match prefix.is_empty() {
        true => format!("oci://{host}"),
        false => format!("oci://{host}/{prefix}"),
    };
    Ok(OciUrl {
        display,
        api,
        prefix,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_kept_apart_from_credentials() {
        let u = check("https://bot:s%40cret@charts.example.com/sub/", false)
            .ok()
            .unwrap();
        assert_eq!(u.display, "https://charts.example.com/sub");
        assert_eq!(u.userinfo, Some(("bot".to_string(), "s@cret".to_string())));
        assert_eq!(
            u.index().as_str(),
            "https://charts.example.com/sub/index.yaml"
        );
        assert_eq!(
            u.resolve("charts/a-1.0.0.tgz").unwrap().as_str(),
            "https://charts.example.com/sub/charts/a-1.0.0.tgz"
        );
        assert_eq!(
            u.resolve("https://cdn.example.com/a.tgz").unwrap().as_str(),
            "https://cdn.example.com/a.tgz"
        );
        assert!(!u.same_origin(&u.resolve("https://cdn.example.com/a.tgz").unwrap()));
        assert!(check("http://127.0.0.1:8080/x", false).is_ok());
        assert!(check("http://localhost/x", false).is_ok());
        assert!(check("http://[::1]:9/x", false).is_ok());
        assert_eq!(
            check("http://charts.example.com", false).err().unwrap().0,
            "`http://charts.example.com` is plain HTTP to another machine: anyone on the way can change the charts"
        );
        assert!(check("http://charts.example.com", true).is_ok());
        assert!(check("oci://r.example.com/x", false).is_err());
        assert!(check("https://x.example.com/?a=b", false).is_err());
        let o = check_oci("oci://127.0.0.1:5000/team/charts/", false)
            .ok()
            .unwrap();
        assert_eq!(o.display, "oci://127.0.0.1:5000/team/charts");
        assert_eq!(o.api.base.as_str(), "http://127.0.0.1:5000/");
        assert_eq!(o.prefix, "team/charts");
        let o = check_oci("oci://ghcr.io/example", false).ok().unwrap();
        assert_eq!(o.api.base.as_str(), "https://ghcr.io/");
        assert!(check_oci("oci://u:p@ghcr.io/x", false).is_err());
        assert!(check_oci("oci://ghcr.io/../x", false).is_err());
        assert!(check_oci("https://ghcr.io/x", false).is_err());
        assert_eq!(
            check("http://u:pw@charts.example.com", false)
                .err()
                .unwrap()
                .0,
            "`http://charts.example.com` is plain HTTP to another machine: anyone on the way can change the charts"
        );
    }
}
