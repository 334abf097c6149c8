//! What a pack release installs: Helm charts (`[[chart]]`), whatever format the pack comes
//! in, and the checks a chart entry must pass.

use serde::Serialize;

/// A Helm chart a release installs (`[[chart]]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Chart {
    /// The chart's name in its repository.
    pub name: String,
    /// An `https://` Helm repository, or `oci://host/path`.
    pub repo: String,
    /// The chart version, as the repository spells it.
    pub version: String,
    pub namespace: String,
    /// The Helm release name; `None`: the layer's name.
    pub release: Option<String>,
    /// The template whose output is the chart's values.
    pub values: String,
}

impl Chart {
    /// The rendered file that holds this chart's values.
    pub fn values_file(&self) -> &str {
        self.values.strip_suffix(".j2").unwrap_or(&self.values)
    }

    /// Whether the repository is an OCI registry.
    pub fn is_oci(&self) -> bool {
        self.repo.starts_with("oci://")
    }
}

/// Why a chart's fields cannot be used, as a clause: the chart name (no `/`), the
/// repository (`https://` or `oci://`), the version, the namespace and release name (DNS
/// labels).
pub fn check_fields(
    name: &str,
    repo: &str,
    version: &str,
    namespace: &str,
    release: Option<&str>,
) -> Vec<(&'static str, String)> {
    let mut problems = Vec::new();
    if name.is_empty()
        || name.contains('/')
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        problems.push((
            "name",
            format!(
                "chart name `{name}` is not a chart name (letters, digits, `-`, `_`, `.`; no `/`)"
            ),
        ));
    }
    let scheme_ok = match url::Url::parse(repo) {
        Ok(u) => {
            matches!(u.scheme(), "https" | "oci") && u.host_str().is_some_and(|h| !h.is_empty())
        }
        Err(_) => false,
    };
    if !scheme_ok {
        problems.push(("repo", format!("chart repository `{repo}` is neither an `https://` Helm repository nor an `oci://` registry")));
    }
    if version.trim().is_empty() || version.chars().any(char::is_whitespace) {
        problems.push((
            "version",
            format!("chart version `{version}` is empty or holds spaces"),
        ));
    }
    if !is_dns_label(namespace, 63) {
        problems.push(("namespace", format!("namespace `{namespace}` is not a DNS label (lowercase letters, digits and `-`, at most 63)")));
    }
    if let Some(r) = release
        && !is_dns_label(r, 53)
    {
        problems.push((
            "release",
            format!("release name `{r}` is not a DNS label of at most 53 characters"),
        ));
    }
    problems
}

/// An RFC 1123 label: lowercase letters, digits and `-`, starting and ending alphanumeric.
pub fn is_dns_label(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}
