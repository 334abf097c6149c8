//! The container images objects run: every container, init container and ephemeral
//! container of every workload kind (a CronJob's job template too), unique and sorted, each
//! with the layers that run it, for mirroring into air-gapped registries.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::Object;

/// One image reference, split as a registry sees it.
#[derive(Debug, Serialize, schemars::JsonSchema, PartialEq)]
pub struct Image {
    /// As the manifests write it.
    pub image: String,
    /// `docker.io` when the reference names none.
    pub registry: String,
    /// `library/<name>` for an official Docker Hub image.
    pub repository: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// The layers whose objects run it.
    pub layers: Vec<String>,
}

/// Where a kind keeps its pod spec.
pub fn pod_spec(kind: &str, doc: &yaml_rust2::Yaml) -> Option<yaml_rust2::Yaml> {
    let spec = &doc["spec"];
    let found = match kind {
        "Pod" => spec,
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "Job"
        | "ReplicationController" => &spec["template"]["spec"],
        "CronJob" => &spec["jobTemplate"]["spec"]["template"]["spec"],
        _ => return None,
    };
    (!found.is_badvalue()).then(|| found.clone())
}

/// Every image the objects run.
pub fn images(objects: &[Object]) -> Vec<Image> {
    let mut by_image: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for o in objects {
        let Ok(docs) = crate::yaml::load(&o.text) else {
            continue;
        };
        let Some(spec) = docs.first().and_then(|d| pod_spec(&o.kind, d)) else {
            continue;
        };
        for list in ["containers", "initContainers", "ephemeralContainers"] {
            for c in spec[list].as_vec().into_iter().flatten() {
                if let Some(image) = c["image"].as_str() {
                    by_image
                        .entry(image.to_string())
                        .or_default()
                        .insert(o.layer.clone());
                }
            }
        }
    }
    by_image
        .into_iter()
        .map(|(image, layers)| {
            let (registry, repository, tag, digest) = split(&image);
            Image {
                image,
                registry,
                repository,
                tag,
                digest,
                layers: layers.into_iter().collect(),
            }
        })
        .collect()
}

/// `[registry/]repository[:tag][@digest]`, as Docker reads it.
fn split(image: &str) -> (String, String, Option<String>, Option<String>) {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d.to_string())),
        None => (image, None),
    };
    let (name, tag) = match rest.rfind(':') {
        Some(i) if !rest[i..].contains('/') => (&rest[..i], Some(rest[i + 1..].to_string())),
        _ => (rest, None),
    };
    let (registry, repository) = match name.split_once('/') {
        Some((first, path))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (first.to_string(), path.to_string())
        }
        _ => ("docker.io".to_string(), name.to_string()),
    };
    let repository = if registry == "docker.io" && !repository.contains('/') {
        format!("library/{repository}")
    } else {
        repository
    };
    (registry, repository, tag, digest)
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn references_split_as_docker_reads_them() {
        let s = |i: &str| split(i);
        assert_eq!(
            s("nginx"),
            ("docker.io".into(), "library/nginx".into(), None, None)
        );
        assert_eq!(
            s("quay.io/calico/node:v3.32.1"),
            (
                "quay.io".into(),
                "calico/node".into(),
                Some("v3.32.1".into()),
                None
            )
        );
        assert_eq!(
            s("localhost:5000/web@sha256:abc"),
            (
                "localhost:5000".into(),
                "web".into(),
                None,
                Some("sha256:abc".into())
            )
        );
        assert_eq!(
            s("grafana/grafana:12.1.0"),
            (
                "docker.io".into(),
                "grafana/grafana".into(),
                Some("12.1.0".into()),
                None
            )
        );
    }
}
