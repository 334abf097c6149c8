//! Git registry URLs: what to fetch, what to show (never credentials), and the key that
//! names the registry's mirror in the cache.
//!
//! Accepted: `https://`, `http://`, `ssh://`, `git://` and `file://` URLs (checked with the
//! `url` crate), scp-like `[user@]host:path`, and local paths. Refused: git's
//! `<transport>::<address>` forms (`ext::` runs a command, `fd::` reads a descriptor), and
//! anything that starts with `-` (git would read it as an option).
//!
//! User info is found conservatively: everything up to the last `@` of the authority is
//! user info, even when a password holds a `/` (`https://user:ab/cd@host/x`), so that no
//! secret is ever shown or stored.

use std::path::Path;

use sha2::{Digest, Sha256};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitUrl {
    /// What git fetches: the URL as written (credentials included, for git's use only), or
    /// an absolute path for a local folder.
    pub fetch: String,
    /// The URL as written without user-info secrets: safe to print and to write.
    pub display: String,
    /// The normalized URL the cache is keyed by.
    pub normalized: String,
    /// Whether the URL as written carries a secret (a password, or any user info over
    /// http(s) and file, where tokens travel as user names).
    pub credentials: bool,
}

const SCHEMES: [&str; 5] = ["https", "http", "ssh", "git", "file"];

impl GitUrl {
    /// Reads a registry URL: `https://`, `http://`, `ssh://`, `git://`, `file://`, scp-like
    /// `user@host:path`, or a local path (relative to `base`). Errors never quote a secret.
    pub fn parse(written: &str, base: &Path) -> Result<GitUrl, String> {
        let written = written.trim();
        if written.is_empty() {
            return Err("empty URL".to_string());
        }
        if written.chars().any(char::is_control) {
            return Err("the URL holds a control character".to_string());
        }
        if written.starts_with('-') {
            return Err(format!(
                "`{}` starts with `-`, which git would read as an option",
                redact(written)
            ));
        }
        if let Some(transport) = transport_prefix(written) {
            return Err(format!(
                "`{transport}::` addresses make git run programs or read descriptors; use an https, ssh, git or file URL, an scp-like address, or a path"
            ));
        }
        if let Some((scheme, rest)) = written.split_once("://") {
            return hierarchical(written, scheme, rest);
        }
        if let Some((userinfo, host, path)) = scp_like(written) {
            let user = userinfo.map(|u| u.split(':').next().unwrap_or(u));
            let user_prefix = user.map(|u| format!("{u}@")).unwrap_or_default();
            return Ok(GitUrl {
                fetch: written.to_string(),
                display: format!("{user_prefix}{host}:{path}"),
                normalized: format!(
                    "ssh://{}/{}",
                    host.to_ascii_lowercase(),
                    trim_repo_suffix(path)
                ),
                credentials: userinfo.is_some_and(|u| u.contains(':')),
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

/// `scheme://[userinfo@]authority/path`.
fn hierarchical(written: &str, scheme: &str, rest: &str) -> Result<GitUrl, String> {
    let scheme_lc = scheme.to_ascii_lowercase();
    if !SCHEMES.contains(&scheme_lc.as_str()) {
        return Err(format!(
            "unsupported URL scheme `{}` (use https, ssh, file, or a path)",
            redact(scheme)
        ));
    }
    let (userinfo, after) = split_userinfo(rest);
    if userinfo.is_some_and(|u| u.contains(['?', '#'])) {
        // URL parsers (git's among them) would end the authority there and send the rest
        // as a query: refuse it rather than guess, without quoting it.
        return Err(
            "the user info of the URL holds `?` or `#`: percent-encode them (`%3F`, `%23`)"
                .to_string(),
        );
    }
    let clean = format!("{scheme_lc}://{after}");
    let parsed = url::Url::parse(&clean).map_err(|e| format!("invalid URL `{clean}`: {e}"))?;
    let (authority, path) = after.split_once('/').unwrap_or((after, ""));
    if scheme_lc == "file" {
        if parsed.host_str().is_some_and(|h| h != "localhost") {
            return Err(format!(
                "invalid URL `{clean}`: a file URL names no host (write `file:///path`)"
            ));
        }
        let path = authority
            .strip_prefix("localhost")
            .unwrap_or(authority)
            .to_string()
            + "/"
            + path;
        return Ok(GitUrl {
            // git never sees user info it cannot use.
            fetch: clean.clone(),
            display: clean,
            normalized: format!("file:///{}", trim_repo_suffix(&path)),
            credentials: userinfo.is_some(),
        });
    }
    if authority.is_empty() {
        return Err(format!("URL `{clean}` has no host"));
    }
    let (user, password) = match userinfo {
        Some(u) => match u.split_once(':') {
            Some((user, password)) => (Some(user), Some(password)),
            None => (Some(u), None),
        },
        None => (None, None),
    };
    // Over http(s) a user name is as secret as a password (tokens travel there); over ssh
    // and git the user name (`git`) selects the account and is kept.
    let kept_user = user.filter(|_| matches!(scheme_lc.as_str(), "ssh" | "git"));
    let user_prefix = kept_user.map(|u| format!("{u}@")).unwrap_or_default();
    let display = format!("{scheme_lc}://{user_prefix}{after}");
    Ok(GitUrl {
        fetch: written.to_string(),
        display: display.strip_suffix('/').unwrap_or(&display).to_string(),
        normalized: format!(
            "{scheme_lc}://{}/{}",
            authority.to_ascii_lowercase(),
            trim_repo_suffix(path)
        ),
        credentials: password.is_some() || (user.is_some() && kept_user.is_none()),
    })
}

/// git's `<transport>::<address>` form (`ext::…`, `fd::…`, `https::…`).
fn transport_prefix(s: &str) -> Option<&str> {
    let (head, _) = s.split_once("::")?;
    let valid = head.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && head
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some(head)
}

/// The user info of what follows `scheme://`, and the rest. Everything up to the last `@`
/// is user info unless it holds a `/` that a password cannot explain (`host/@scope` is a
/// path). A `?` or `#` does not end the search: `user:pa?ss@host` holds a password, not a
/// query, and it must never be shown.
fn split_userinfo(rest: &str) -> (Option<&str>, &str) {
    let Some(at) = rest.rfind('@') else {
        return (None, rest);
    };
    let candidate = &rest[..at];
    let userinfo = match candidate.split_once('/') {
        None => true,
        // `user:pa/ss@host`: a password holding a slash. `host:8080/x@y` is a port and a path.
        Some((first, _)) => first
            .split_once(':')
            .is_some_and(|(_, p)| !p.is_empty() && !p.bytes().all(|b| b.is_ascii_digit())),
    };
    if userinfo {
        (Some(candidate), &rest[at + 1..])
    } else {
        (None, rest)
    }
}

/// `[userinfo@]host:path` (not a Windows drive like `C:\x`, not a path with `/` before the
/// host's `:`). User info is everything up to the last `@` before any `/`.
fn scp_like(s: &str) -> Option<(Option<&str>, &str, &str)> {
    let slash = s.find('/').unwrap_or(s.len());
    let (userinfo, rest) = match s[..slash].rfind('@') {
        Some(at) => (Some(&s[..at]), &s[at + 1..]),
        None => (None, s),
    };
    let (host, path) = rest.split_once(':')?;
    if host.is_empty()
        || path.is_empty()
        || host.contains('/')
        || (userinfo.is_none() && host.len() == 1)
    {
        return None;
    }
    Some((userinfo, host, path))
}

fn trim_repo_suffix(path: &str) -> String {
    let p = path.trim_end_matches('/');
    let p = p.strip_suffix(".git").unwrap_or(p);
    p.trim_start_matches('/').to_string()
}

/// Removes user-info secrets from any URL-looking text (messages from git or libgit2 may
/// quote the URL): `scheme://user:pw@host` and scp-like `user:pw@host:path` lose their
/// secrets; an ssh user name without a password is kept.
pub fn redact(text: &str) -> String {
    static SCP: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"(^|[\s'"`(])([A-Za-z0-9._~-]+):[^\s'"`@/]+@"#).expect("valid regex")
    });
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | '`' | '>' | ')'))
            .unwrap_or(tail.len());
        let token = &tail[..end];
        match split_userinfo(token) {
            (Some(info), after) => {
                let ssh = head.to_ascii_lowercase().ends_with("ssh://");
                if ssh && !info.contains(':') {
                    out.push_str(info);
                    out.push('@');
                }
                out.push_str(after);
            }
            (None, _) => out.push_str(token),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    SCP.replace_all(&out, "$1$2@").into_owned()
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
    fn secrets_found_however_they_are_written() {
        let base = Path::new("/cat");
        // (written, display, credentials)
        let table = [
            (
                "https://user:ab/cd@host/repo.git",
                "https://host/repo.git",
                true,
            ),
            ("file://user:pw@/srv/x", "file:///srv/x", true),
            ("git://u:pw@host/x.git", "git://u@host/x.git", true),
            ("git:pw@host:x.git", "git@host:x.git", true),
            ("user:pw@host:x.git", "user@host:x.git", true),
            (
                "https://host/@scope/x.git",
                "https://host/@scope/x.git",
                false,
            ),
            ("https://host:8080/x@y", "https://host:8080/x@y", false),
        ];
        for (written, display, credentials) in table {
            let u = GitUrl::parse(written, base).unwrap_or_else(|e| panic!("{written}: {e}"));
            assert_eq!(u.display, display, "{written}");
            assert_eq!(u.credentials, credentials, "{written}");
            assert!(!u.display.contains("pw") && !u.display.contains("ab/cd"));
        }
        assert_eq!(
            GitUrl::parse("file://user:pw@/srv/x", base).unwrap().fetch,
            "file:///srv/x"
        );
        // A `user:pw@` after the host's `/` is path, which git sends as such, with no
        // credentials (found by fuzzing: the target's own check took it for user info).
        let path = GitUrl::parse("https://host//user:pr:pw@w@gig", base).unwrap();
        assert_eq!(path.display, "https://host//user:pr:pw@w@gig");
        assert!(!path.credentials);
        // A `?` or `#` in a password (found by fuzzing): refused, never quoted.
        for written in [
            "https://u?P:^|[r:pw@ipackS.git",
            "https://user:pa#ss@host/x.git",
        ] {
            let e = GitUrl::parse(written, base).unwrap_err();
            assert_eq!(
                e,
                "the user info of the URL holds `?` or `#`: percent-encode them (`%3F`, `%23`)"
            );
        }
        assert_eq!(
            GitUrl::parse("https://host/x.git?ref=a@b", base)
                .unwrap()
                .display,
            "https://host/x.git?ref=a@b"
        );
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
        let table = [
            (
                "ftp://x/y",
                "unsupported URL scheme `ftp` (use https, ssh, file, or a path)",
            ),
            ("https://tok@/y", "URL `https:///y` has no host"),
            (" ", "empty URL"),
            (
                "ext::sh -c touch% /tmp/pwned",
                "`ext::` addresses make git run programs or read descriptors; use an https, ssh, git or file URL, an scp-like address, or a path",
            ),
            (
                "fd::17",
                "`fd::` addresses make git run programs or read descriptors; use an https, ssh, git or file URL, an scp-like address, or a path",
            ),
            (
                "-oProxyCommand=touch /tmp/x",
                "`-oProxyCommand=touch /tmp/x` starts with `-`, which git would read as an option",
            ),
            ("https://h/x\ny", "the URL holds a control character"),
            (
                "file://evil.example.com/x",
                "invalid URL `file://evil.example.com/x`: a file URL names no host (write `file:///path`)",
            ),
        ];
        for (written, message) in table {
            assert_eq!(
                GitUrl::parse(written, base).unwrap_err(),
                message,
                "{written:?}"
            );
        }
    }

    #[test]
    fn redacts_messages() {
        let table = [
            (
                "failed to connect to https://u:p@h.example/x: refused",
                "failed to connect to https://h.example/x: refused",
            ),
            ("ssh://git@h/x", "ssh://git@h/x"),
            ("ssh://git:pw@h/x", "ssh://h/x"),
            ("no url here", "no url here"),
            (
                "'https://user:ab/cd@host/repo.git' not found",
                "'https://host/repo.git' not found",
            ),
            ("git://u:pw@h/x failed", "git://h/x failed"),
            ("https://user:pa?ss@h/x failed", "https://h/x failed"),
            (
                "ssh: git:pw@host:x.git: no route",
                "ssh: git@host:x.git: no route",
            ),
        ];
        for (text, clean) in table {
            assert_eq!(redact(text), clean, "{text}");
        }
    }
}
