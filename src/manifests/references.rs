//! Dangling references: a workload that needs a Secret, ConfigMap, ServiceAccount or
//! PersistentVolumeClaim of its namespace that no layer of the profile creates, and that no
//! pack declares provided by the cluster (`provides_externally` of a `[[chart]]`).

use std::collections::BTreeSet;

use yaml_rust2::Yaml;

use super::Object;
use crate::diagnostic::Diagnostic;

use crate::lock::render::RenderedLayer;
use crate::model::chart::{Key, PROVIDED_KINDS as KINDS, parse_provided};

/// What the layers' charts declare the cluster provides, their templates rendered with each
/// layer's parameters; an entry that renders to no object is a problem.
pub fn external(layers: &[RenderedLayer]) -> (BTreeSet<Key>, Vec<Diagnostic>) {
    let env = crate::render::templates::environment();
    let mut keys = BTreeSet::new();
    let mut problems = Vec::new();
    for layer in layers {
        let params = crate::render::values::plain(&layer.values);
        for chart in &layer.charts {
            for entry in &chart.provides_externally {
                let rendered = env
                    .render_str(
                        entry,
                        minijinja::context! { params => minijinja::value::Serde(&params) },
                    )
                    .map_err(|e| e.detail().unwrap_or("it does not render").to_string())
                    .and_then(|text| parse_provided(&text, &chart.namespace));
                match rendered {
                    Ok(key) => {
                        keys.insert(key);
                    }
                    Err(why) => problems.push(Diagnostic::plain(format!(
                        "layer `{}`: chart `{}`: `provides_externally` entry `{}`: {why}",
                        layer.name,
                        chart.name,
                        crate::shown::one_line(entry)
                    ))),
                }
            }
        }
    }
    (keys, problems)
}

/// What each workload needs that neither a layer creates nor the cluster provides, as
/// warnings.
pub fn check(objects: &[Object], external: &BTreeSet<Key>) -> Vec<Diagnostic> {
    let created: BTreeSet<Key> = objects
        .iter()
        .filter(|o| KINDS.contains(&o.kind.as_str()))
        .map(|o| {
            (
                o.kind.clone(),
                o.namespace_or_release().to_string(),
                o.name.clone(),
            )
        })
        .collect();
    let mut warnings = Vec::new();
    for o in objects {
        let Ok(docs) = crate::yaml::load(&o.text) else {
            continue;
        };
        let Some(spec) = docs
            .first()
            .and_then(|d| super::images::pod_spec(&o.kind, d))
        else {
            continue;
        };
        let ns = o.namespace_or_release();
        let mut seen = BTreeSet::new();
        for (kind, name, place) in needs(&spec) {
            let key = (kind.to_string(), ns.to_string(), name.clone());
            if created.contains(&key) || external.contains(&key) || !seen.insert(key) {
                continue;
            }
            warnings.push(
                Diagnostic::plain(format!(
                    "{} needs {kind} `{}` ({place}), which no layer creates",
                    o.described(),
                    crate::shown::one_line(&name)
                ))
                .with_hint(format!(
                    "if the cluster provides it, say so in the pack's `[[chart]]`: `provides_externally = [\"{kind}/{}\"]`",
                    crate::shown::one_line(&name)
                )),
            );
        }
    }
    warnings
}

/// Every `(kind, name, where)` a pod spec needs; optional references, the `default`
/// ServiceAccount and the `kube-root-ca.crt` ConfigMap (Kubernetes makes both in every
/// namespace) are left out.
fn needs(spec: &Yaml) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    let required = |v: &Yaml| v["optional"].as_bool() != Some(true);
    let mut add = |kind: &'static str, name: &Yaml, place: String| {
        if let Some(n) = name.as_str() {
            out.push((kind, n.to_string(), place));
        }
    };
    for field in ["serviceAccountName", "serviceAccount"] {
        if spec[field].as_str().is_some_and(|n| n != "default") {
            add("ServiceAccount", &spec[field], format!("`{field}`"));
        }
    }
    for s in spec["imagePullSecrets"].as_vec().into_iter().flatten() {
        add("Secret", &s["name"], "`imagePullSecrets`".to_string());
    }
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        for c in spec[list].as_vec().into_iter().flatten() {
            let container = crate::shown::one_line(c["name"].as_str().unwrap_or("?"));
            for e in c["env"].as_vec().into_iter().flatten() {
                let from = &e["valueFrom"];
                let place = format!(
                    "env `{}` of container `{container}`",
                    crate::shown::one_line(e["name"].as_str().unwrap_or("?"))
                );
                if required(&from["secretKeyRef"]) {
                    add("Secret", &from["secretKeyRef"]["name"], place.clone());
                }
                if required(&from["configMapKeyRef"]) {
                    add("ConfigMap", &from["configMapKeyRef"]["name"], place);
                }
            }
            for e in c["envFrom"].as_vec().into_iter().flatten() {
                let place = format!("`envFrom` of container `{container}`");
                if required(&e["secretRef"]) {
                    add("Secret", &e["secretRef"]["name"], place.clone());
                }
                if required(&e["configMapRef"]) {
                    add("ConfigMap", &e["configMapRef"]["name"], place);
                }
            }
        }
    }
    for v in spec["volumes"].as_vec().into_iter().flatten() {
        let place = format!(
            "volume `{}`",
            crate::shown::one_line(v["name"].as_str().unwrap_or("?"))
        );
        if required(&v["secret"]) {
            add("Secret", &v["secret"]["secretName"], place.clone());
        }
        if required(&v["configMap"]) && v["configMap"]["name"].as_str() != Some("kube-root-ca.crt")
        {
            add("ConfigMap", &v["configMap"]["name"], place.clone());
        }
        add(
            "PersistentVolumeClaim",
            &v["persistentVolumeClaim"]["claimName"],
            place.clone(),
        );
        for s in v["projected"]["sources"].as_vec().into_iter().flatten() {
            if required(&s["secret"]) {
                add("Secret", &s["secret"]["name"], place.clone());
            }
            if required(&s["configMap"])
                && s["configMap"]["name"].as_str() != Some("kube-root-ca.crt")
            {
                add("ConfigMap", &s["configMap"]["name"], place.clone());
            }
        }
    }
    out
}
