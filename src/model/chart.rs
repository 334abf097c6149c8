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
    /// Objects its workloads need that the cluster provides, not a layer: `Kind/name` (in
    /// the chart's namespace) or `Kind/namespace/name`; `{{ params.<name> }}` stands for a
    /// parameter's value.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub provides_externally: Vec<String>,
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

/// The kinds a workload refers to by name, in its own namespace, which a chart may declare
/// provided by the cluster (`provides_externally`).
pub const PROVIDED_KINDS: [&str; 4] = [
    "ConfigMap",
    "PersistentVolumeClaim",
    "Secret",
    "ServiceAccount",
];

/// `(kind, namespace, name)` of one object a workload may need.
pub type Key = (String, String, String);

/// One entry of `provides_externally`: `Kind/name` (in the chart's namespace) or
/// `Kind/namespace/name`; `Err` says why it is neither.
pub fn parse_provided(entry: &str, namespace: &str) -> Result<Key, String> {
    let parts: Vec<&str> = entry.split('/').collect();
    let (kind, ns, name) = match parts.as_slice() {
        [kind, name] => (*kind, namespace, *name),
        [kind, ns, name] => (*kind, *ns, *name),
        _ => {
            return Err(format!(
                "`{}` is not `Kind/name` or `Kind/namespace/name`",
                crate::shown::one_line(entry)
            ));
        }
    };
    if !PROVIDED_KINDS.contains(&kind) {
        return Err(format!(
            "`{}` is not one of {}",
            crate::shown::one_line(kind),
            PROVIDED_KINDS.map(|k| format!("`{k}`")).join(", ")
        ));
    }
    if name.is_empty() || ns.is_empty() {
        return Err(format!(
            "`{}` names no object",
            crate::shown::one_line(entry)
        ));
    }
    Ok((kind.to_string(), ns.to_string(), name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::parse_provided;

    #[test]
    fn provided_entries_name_a_kind_and_an_object() {
        let key = |k: &str, n: &str, o: &str| (k.to_string(), n.to_string(), o.to_string());
        assert_eq!(
            parse_provided("Secret/grafana-admin", "monitoring"),
            Ok(key("Secret", "monitoring", "grafana-admin"))
        );
        assert_eq!(
            parse_provided("ConfigMap/kube-system/ca", "monitoring"),
            Ok(key("ConfigMap", "kube-system", "ca"))
        );
        assert_eq!(
            parse_provided("Secrets/x", "m"),
            Err("`Secrets` is not one of `ConfigMap`, `PersistentVolumeClaim`, `Secret`, `ServiceAccount`".to_string())
        );
        assert_eq!(
            parse_provided("grafana-admin", "m"),
            Err("`grafana-admin` is not `Kind/name` or `Kind/namespace/name`".to_string())
        );
        assert_eq!(
            parse_provided("Secret/", "m"),
            Err("`Secret/` names no object".to_string())
        );
    }
}
