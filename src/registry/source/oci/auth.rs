//! Credentials for an OCI registry, in the order Docker and Helm look for them:
//! `STRATA_REGISTRY_<NAME>_USERNAME` / `_PASSWORD`, then the Docker configuration
//! (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`) and Helm's registry
//! configuration (`$HELM_REGISTRY_CONFIG`, else `<config>/helm/registry/config.json`):
//! `credHelpers` for the host, `auths` for the host, then `credsStore`. A helper runs as
//! `docker-credential-<name> get` with the host on its input. Nothing read here is written
//! anywhere or shown.

use std::io::Write;
use std::path::PathBuf;

/// A user name and password (or identity token, with the user `<token>`).
pub type Basic = (String, String);

/// The config files to read, in order.
fn config_files() -> Vec<PathBuf> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let mut files = Vec::new();
    match std::env::var_os("DOCKER_CONFIG") {
        Some(dir) => files.push(PathBuf::from(dir).join("config.json")),
        None => files.extend(home.as_ref().map(|h| h.join(".docker/config.json"))),
    }
    match std::env::var_os("HELM_REGISTRY_CONFIG") {
        Some(file) => files.push(PathBuf::from(file)),
        None => {
            let config = std::env::var_os("XDG_CONFIG_HOME")
                .map(PathBuf::from)
                .or_else(|| home.map(|h| h.join(".config")));
            files.extend(config.map(|c| c.join("helm/registry/config.json")));
        }
    }
    files
}

/// The credentials the Docker and Helm configuration give for `host` (`host:port`).
pub fn from_config(host: &str) -> Option<Basic> {
    for file in config_files() {
        let Ok(bytes) = fs_err::read(&file) else {
            continue;
        };
        if bytes.len() > 1 << 20 {
            continue;
        }
        let Ok(config) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
            continue;
        };
        if let Some(helper) = config["credHelpers"][host].as_str() {
            return run_helper(helper, host);
        }
        let keys = [
            host.to_string(),
            format!("https://{host}"),
            format!("http://{host}"),
        ];
        for key in &keys {
            let entry = &config["auths"][key.as_str()];
            if let Some(auth) = entry["auth"].as_str() {
                use base64::Engine;
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(auth.trim())
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())?;
                let (user, password) = decoded.split_once(':')?;
                return Some((user.to_string(), password.to_string()));
            }
            if let (Some(u), Some(p)) = (entry["username"].as_str(), entry["password"].as_str()) {
                return Some((u.to_string(), p.to_string()));
            }
        }
        if let Some(store) = config["credsStore"].as_str()
            && let Some(found) = run_helper(store, host)
        {
            return Some(found);
        }
    }
    None
}

/// `docker-credential-<helper> get`, given the host; its `Username` and `Secret`.
fn run_helper(helper: &str, host: &str) -> Option<Basic> {
    if !helper
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
    {
        return None;
    }
    let mut child = std::process::Command::new(format!("docker-credential-{helper}"))
        .arg("get")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(host.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    if !out.status.success() || out.stdout.len() > 1 << 20 {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    Some((
        v["Username"].as_str()?.to_string(),
        v["Secret"].as_str()?.to_string(),
    ))
}

/// A `WWW-Authenticate` challenge: the scheme (lower case) and its parameters.
pub fn challenge(header: &str) -> Option<(String, Vec<(String, String)>)> {
    let (scheme, rest) = header.trim().split_once(' ').unwrap_or((header.trim(), ""));
    let mut params = Vec::new();
    let mut rest = rest.trim();
    while !rest.is_empty() {
        let (key, after) = rest.split_once('=')?;
        let after = after.trim_start();
        let (value, next) = if let Some(quoted) = after.strip_prefix('"') {
            let end = quoted.find('"')?;
            (&quoted[..end], &quoted[end + 1..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        params.push((key.trim().to_ascii_lowercase(), value.to_string()));
        rest = next.trim_start().trim_start_matches(',').trim_start();
    }
    Some((scheme.to_ascii_lowercase(), params))
}

#[cfg(test)]
mod tests {
    use super::challenge;

    #[test]
    fn challenges_are_read_with_quoted_commas() {
        let (scheme, params) = challenge(
            "Bearer realm=\"https://auth.example.com/token\",service=\"registry.example.com\",scope=\"repository:a/b:pull,push\"",
        )
        .unwrap();
        assert_eq!(scheme, "bearer");
        assert_eq!(
            params,
            [
                (
                    "realm".to_string(),
                    "https://auth.example.com/token".to_string()
                ),
                ("service".to_string(), "registry.example.com".to_string()),
                ("scope".to_string(), "repository:a/b:pull,push".to_string()),
            ]
        );
        assert_eq!(challenge("Basic realm=\"x\"").unwrap().0, "basic");
    }
}
