//! Removed and deprecated Kubernetes APIs: the table in `removed-apis.toml` (written from
//! the Kubernetes deprecated-API migration guide), and the check of rendered objects
//! against the profile's Kubernetes minor.

use std::sync::LazyLock;

use serde::Deserialize;

use super::Object;
use crate::diagnostic::Diagnostic;

/// One API version of some kinds that a Kubernetes release stopped serving.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Removed {
    pub api: String,
    pub kinds: Vec<String>,
    /// The first minor that does not serve it (`1.25`).
    pub removed: String,
    /// What replaces it (`""`: nothing; `note` says what to do).
    pub replacement: String,
    /// The minor the replacement is served from: the old version is deprecated from then.
    pub since: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Deserialize)]
struct Table {
    removed: Vec<Removed>,
}

/// The table, read once.
pub fn table() -> &'static [Removed] {
    static TABLE: LazyLock<Vec<Removed>> = LazyLock::new(|| {
        toml::from_str::<Table>(include_str!("removed-apis.toml"))
            .map(|t| t.removed)
            .unwrap_or_default()
    });
    &TABLE
}

/// The minor of a Kubernetes version (`1.36.4` -> 36), when it is `1.<minor>…`.
pub fn minor(version: &str) -> Option<u32> {
    let mut parts = version.trim_start_matches('v').split('.');
    (parts.next()? == "1").then_some(())?;
    parts.next()?.parse().ok()
}

/// How an object stands against Kubernetes 1.`kube`: an error when that release no longer
/// serves its API version, a warning when the version is deprecated there.
pub fn check(objects: &[Object], kube: u32) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let (mut errors, mut warnings) = (Vec::new(), Vec::new());
    for o in objects {
        let Some(r) = table()
            .iter()
            .find(|r| r.api == o.api_version && r.kinds.contains(&o.kind))
        else {
            continue;
        };
        let (Some(removed), Some(since)) = (minor(&r.removed), minor(&r.since)) else {
            continue;
        };
        let instead = if r.replacement.is_empty() {
            r.note.clone().unwrap_or_default()
        } else {
            let also = r
                .note
                .as_ref()
                .map(|n| format!("; {n}"))
                .unwrap_or_default();
            format!("use `{}` (served since {}){also}", r.replacement, r.since)
        };
        if kube >= removed {
            errors.push(
                Diagnostic::plain(format!(
                    "{} uses `{}`, which Kubernetes {} removed (the profile runs 1.{kube})",
                    o.described(),
                    o.api_version,
                    r.removed
                ))
                .with_hint(instead),
            );
        } else if kube >= since {
            warnings.push(
                Diagnostic::plain(format!(
                    "{} uses `{}`, deprecated in 1.{kube} and removed in {}",
                    o.described(),
                    o.api_version,
                    r.removed
                ))
                .with_hint(instead),
            );
        }
    }
    (errors, warnings)
}

#[cfg(test)]
mod tests {
    use super::{check, minor, table};
    use crate::manifests::Object;

    #[test]
    fn a_version_is_deprecated_once_its_replacement_is_served_and_removed_after() {
        let pdb = Object {
            profile: None,
            layer: "web".into(),
            chart: None,
            api_version: "policy/v1beta1".into(),
            kind: "PodDisruptionBudget".into(),
            namespace: Some("web".into()),
            name: "web".into(),
            source: "web/pdb.yaml".into(),
            digest: String::new(),
            text: String::new(),
            shown: None,
            release_namespace: "default".into(),
        };
        let shown = |(e, w): (Vec<crate::diagnostic::Diagnostic>, Vec<_>)| {
            (
                e.iter().map(ToString::to_string).collect::<Vec<_>>(),
                w.iter().map(ToString::to_string).collect::<Vec<_>>(),
            )
        };
        let objects = [pdb];
        assert_eq!(shown(check(&objects, 20)), (vec![], vec![]));
        let (errors, warnings) = shown(check(&objects, 24));
        assert!(errors.is_empty());
        assert_eq!(
            warnings,
            [
                "layer `web`: PodDisruptionBudget `web/web` uses `policy/v1beta1`, deprecated in 1.24 and removed in 1.25\n  hint: use `policy/v1` (served since 1.21)"
            ]
        );
        let (errors, warnings) = shown(check(&objects, 25));
        assert!(warnings.is_empty());
        assert_eq!(
            errors,
            [
                "layer `web`: PodDisruptionBudget `web/web` uses `policy/v1beta1`, which Kubernetes 1.25 removed (the profile runs 1.25)\n  hint: use `policy/v1` (served since 1.21)"
            ]
        );
    }

    #[test]
    fn the_table_reads_and_every_row_is_whole() {
        let rows = table();
        assert_eq!(rows.len(), 32);
        for r in rows {
            assert!(
                minor(&r.removed).is_some() && minor(&r.since).is_some(),
                "{r:?}"
            );
            assert!(minor(&r.since) <= minor(&r.removed), "{r:?}");
            assert!(!r.replacement.is_empty() || r.note.is_some(), "{r:?}");
            assert!(!r.kinds.is_empty(), "{r:?}");
        }
        assert_eq!(minor("1.36.4"), Some(36));
        assert_eq!(minor("v1.25"), Some(25));
        assert_eq!(minor("2.0.0"), None);
    }
}
