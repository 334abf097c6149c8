//! Git registry URLs: what to fetch, what to show (never credentials), and the key that
//! names the registry's mirror in the cache.

use std::path::Path;

use sha2::{Digest, Sha256};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitUrl {
    /// What libgit2 fetches: the URL as written, or an absolute path for a local folder.
    pub fetch: String,
    /// The URL as written without user-info secrets: safe to print and to write.
    pub display: String,
    /// The normalized URL the cache is keyed by.
    pub normalized: String,
    /// Whether the URL as written carries a secret (a password, or any user-info over
    /// http(s), where tokens travel as user names).
    pub credentials: bool,
}

impl GitUrl {
    /// Reads a registry URL: `https://`, `http://`, `ssh://`, `git://`, `file://`, scp-like
    /// `user@host:path`, or a local path (relative to `base`).
    pub fn parse(written: &str, base: &Path) -> Result<GitUrl, String> {
        let written = written.trim();
        if written.is_empty() {
            return Err("empty URL".to_string());
        }
        if let Some((scheme, rest)) = written.split_once("://") {
            let scheme_lc = scheme.to_ascii_lowercase();
            if !matches!(
                scheme_lc.as_str(),
                "https" | "http" | "ssh" | "git" | "file"
            ) {
                return Err(format!(
                    "unsupported URL scheme `{scheme}` (use https, ssh, file, or a path)"
                ));
            }
            if scheme_lc == "file" {
                let path = rest.strip_prefix("localhost").unwrap_or(rest);
                return Ok(GitUrl {
                    fetch: written.to_string(),
                    display: written.to_string(),
                    normalized: format!("file:///{}", trim_repo_suffix(path)),
                    credentials: false,
                });
            }
            let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
            let (userinfo, host) = match authority.rsplit_once('@') {
                Some((u, h)) => (Some(u), h),
                None => (None, authority),
            };
            if host.is_empty() {
                return Err(format!("URL `{}` has no host", redact(written)));
            }
            // Over http(s) a user name is as secret as a password (tokens travel there);
            // over ssh the user name (`git`) selects the account and is kept.
            let kept_user = match (scheme_lc.as_str(), userinfo) {
                ("ssh" | "git", Some(u)) => Some(u.split(':').next().unwrap_or(u)),
                _ => None,
            };
            let user_prefix = kept_user.map(|u| format!("{u}@")).unwrap_or_default();
            let display = format!("{scheme_lc}://{user_prefix}{host}/{path}");
            let display = display.strip_suffix('/').unwrap_or(&display).to_string();
            let normalized = format!(
                "{scheme_lc}://{}/{}",
                host.to_ascii_lowercase(),
                trim_repo_suffix(path)
            );
            let credentials = match (scheme_lc.as_str(), userinfo) {
                ("ssh" | "git", Some(u)) => u.contains(':'),
                (_, Some(_)) => true,
                (_, None) => false,
            };
            return Ok(GitUrl {
                fetch: written.to_string(),
                display,
                normalized,
                credentials,
            });
        }
        if let Some((userhost, path)) = scp_like(written) {
            let (user, host) = match userhost.rsplit_once('@') {
                Some((u, h)) => (Some(u.split(':').next().unwrap_or(u)), h),
                None => (None, userhost),
            };
            let user_prefix = user.map(|u| format!("{u}@")).unwrap_or_default();
            return Ok(GitUrl {
                fetch: written.to_string(),
                display: format!("{user_prefix}{host}:{path}"),
                normalized: format!(
                    "ssh://{}/{}",
                    host.to_ascii_lowercase(),
                    trim_repo_suffix(path)
                ),
                credentials: userhost
                    .rsplit_once('@')
                    .is_some_and(|(u, _)| u.contains(':')),
            });
        }
        let abs = std::path::absolute(base.join(written)).map_err(|e| e.to_string())?;
        let abs_text = abs.to_string_lossy().replace('\\', "/");
        Ok(GitUrl {
            fetch: abs_text.clone(),
            display: written.to_string(),
            normalized: format!("file:///{}", trim_repo_suffix(&abs_text)),
            credentials: false,
        })
    }

    /// The folder name of this URL's mirror: a digest of the normalized URL.
    pub fn cache_key(&self) -> String {
        let digest = Sha256::digest(self.normalized.as_bytes());
        digest[..12].iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// `user@host:path` (not a Windows drive like `C:\x`, not a path with `/` before the `:`).
fn scp_like(s: &str) -> Option<(&str, &str)> {
    let (left, right) = s.split_once(':')?;
    if left.is_empty() || right.is_empty() || left.contains('/') || left.len() == 1 {
        return None;
    }
    Some((left, right))
}

fn trim_repo_suffix(path: &str) -> String {
    let p = path.trim_end_matches('/');
    let p = p.strip_suffix(".git").unwrap_or(p);
    p.trim_start_matches('/').to_string()
}

/// Removes user-info secrets from any URL-looking text, for messages from libgit2 that
/// may quote the URL.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail.find(['/', ' ', '\'', '"', '`']).unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rsplit_once('@') {
            Some((_, host)) if !head.starts_with("ssh") || authority.contains(':') => {
                out.push_str(host)
            }
            _ => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let base = Path::new("/cat");
        // (written, fetch, display, normalized)
        let table = [
            (
                "https://user:s3cret@Git.Example.com/platform/packs.git",
                "https://user:s3cret@Git.Example.com/platform/packs.git",
                "https://Git.Example.com/platform/packs.git",
                "https://git.example.com/platform/packs",
            ),
            (
                "https://ghp_token@github.com/acme/packs/",
                "https://ghp_token@github.com/acme/packs/",
                "https://github.com/acme/packs",
                "https://github.com/acme/packs",
            ),
            (
                "ssh://git:pw@git.example.com:2222/packs.git",
                "ssh://git:pw@git.example.com:2222/packs.git",
                "ssh://git@git.example.com:2222/packs.git",
                "ssh://git.example.com:2222/packs",
            ),
            (
                "git@github.com:acme/packs.git",
                "git@github.com:acme/packs.git",
                "git@github.com:acme/packs.git",
                "ssh://github.com/acme/packs",
            ),
            (
                "file:///srv/packs.git",
                "file:///srv/packs.git",
                "file:///srv/packs.git",
                "file:///srv/packs",
            ),
            (
                "../packs",
                "/cat/../packs",
                "../packs",
                "file:///cat/../packs",
            ),
            (
                "/srv/packs",
                "/srv/packs",
                "/srv/packs",
                "file:///srv/packs",
            ),
        ];
        for (written, fetch, display, normalized) in table {
            let u = GitUrl::parse(written, base).unwrap();
            assert_eq!(u.fetch, fetch, "{written}");
            assert_eq!(u.display, display, "{written}");
            assert_eq!(u.normalized, normalized, "{written}");
            assert_eq!(
                u.credentials,
                written.contains("s3cret") || written.contains("token") || written.contains(":pw@"),
                "{written}"
            );
        }
    }

    #[test]
    fn same_repository_same_cache_key() {
        let base = Path::new("/cat");
        let a = GitUrl::parse("https://git.example.com/packs.git", base).unwrap();
        let b = GitUrl::parse("https://tok@GIT.example.com/packs/", base).unwrap();
        let c = GitUrl::parse("https://git.example.com/other.git", base).unwrap();
        assert_eq!(a.cache_key(), b.cache_key());
        assert_ne!(a.cache_key(), c.cache_key());
        assert_eq!(a.cache_key().len(), 24);
    }

    #[test]
    fn bad_urls() {
        let base = Path::new("/cat");
        assert_eq!(
            GitUrl::parse("ftp://x/y", base).unwrap_err(),
            "unsupported URL scheme `ftp` (use https, ssh, file, or a path)"
        );
        assert_eq!(
            GitUrl::parse("https://tok@/y", base).unwrap_err(),
            "URL `https:///y` has no host"
        );
        assert_eq!(GitUrl::parse(" ", base).unwrap_err(), "empty URL");
    }

    #[test]
    fn redacts_messages() {
        assert_eq!(
            redact("failed to connect to https://u:p@h.example/x: refused"),
            "failed to connect to https://h.example/x: refused"
        );
        assert_eq!(redact("ssh://git@h/x"), "ssh://git@h/x");
        assert_eq!(redact("ssh://git:pw@h/x"), "ssh://h/x");
        assert_eq!(redact("no url here"), "no url here");
    }
}
