//! Flux, Argo CD and helmfile: one release per chart, in layer order.

use std::collections::BTreeMap;

use yaml_rust2::Yaml;
use yaml_rust2::yaml::Hash;

use super::subject::{Delivery, Export, Subject, deliveries, dns_label};
use super::target::MARKER;
use crate::diagnostic::Diagnostic;
use crate::yaml::{self, Path, emit_document};

/// A mapping from key/value pairs, in order.
fn map<const N: usize>(pairs: [(&str, Yaml); N]) -> Yaml {
    let mut h = Hash::new();
    for (k, v) in pairs {
        h.insert(Yaml::String(k.to_string()), v);
    }
    Yaml::Hash(h)
}

fn s(text: &str) -> Yaml {
    Yaml::String(text.to_string())
}

/// A repository's name: its host and path as a DNS label.
fn repo_name(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    dns_label(rest)
}

/// Paths in `values` whose scalar is a sensitive marker, removed from `values`.
fn take_markers(values: &mut Yaml) -> Vec<(Path, String)> {
    let mut found = Vec::new();
    for (path, leaf) in yaml::leaves(values) {
        if let Yaml::String(text) = &leaf
            && let Some(name) = text.strip_prefix(MARKER)
        {
            found.push((path, name.to_string()));
        }
    }
    for (path, _) in &found {
        yaml::set(values, path, None);
    }
    found
}

fn stream_file(name: &str, doc: &Yaml) -> (String, String) {
    (name.to_string(), emit_document(doc))
}

/// Flux: a `HelmRepository` per repository, a `HelmRelease` per chart (`dependsOn` the
/// previous one), sensitive values from a Secret (`valuesFrom`).
pub fn flux(subject: &Subject) -> Export {
    let (list, skipped) = deliveries(subject);
    let mut files = Vec::new();
    let mut repos: BTreeMap<String, String> = BTreeMap::new();
    for d in list.iter().filter(|d| d.oci_digest.is_none()) {
        repos
            .entry(repo_name(&d.chart.repo))
            .or_insert_with(|| d.chart.repo.clone());
    }
    // A chart locked by manifest digest is pulled by that digest: an `OCIRepository`.
    for d in &list {
        if let Some(digest) = &d.oci_digest {
            files.push(oci_repository(d, digest));
        }
    }
    for (name, url) in &repos {
        let oci = url.starts_with("oci://");
        let mut spec = vec![("interval", s("1h")), ("url", s(url))];
        if oci {
            spec.push(("type", s("oci")));
        }
        let mut h = Hash::new();
        for (k, v) in spec {
            h.insert(s(k), v);
        }
        let doc = map([
            ("apiVersion", s("source.toolkit.fluxcd.io/v1")),
            ("kind", s("HelmRepository")),
            (
                "metadata",
                map([("name", s(name)), ("namespace", s("flux-system"))]),
            ),
            ("spec", Yaml::Hash(h)),
        ]);
        files.push(stream_file(&format!("helmrepository-{name}.yaml"), &doc));
    }
    let secret = dns_label(&format!("{}-variables", subject.name));
    let mut notes = Vec::new();
    let mut previous: Option<String> = None;
    for d in &list {
        let name = dns_label(&d.release);
        let mut values = d.values.clone();
        let refs = take_markers(&mut values);
        let mut spec = Hash::new();
        spec.insert(s("interval"), s("1h"));
        spec.insert(s("releaseName"), s(&d.release));
        spec.insert(s("targetNamespace"), s(&d.chart.namespace));
        spec.insert(
            s("install"),
            map([("createNamespace", Yaml::Boolean(true))]),
        );
        let (key, source) = chart_source(d, &name);
        spec.insert(s(key), source);
        if let Some(p) = &previous {
            spec.insert(s("dependsOn"), Yaml::Array(vec![map([("name", s(p))])]));
        }
        spec.insert(s("values"), values);
        if !refs.is_empty() {
            let from = refs
                .iter()
                .map(|(path, var)| {
                    notes.push(format!(
                        "variable `{var}` is sensitive: create Secret `{secret}` in namespace flux-system with key `{var}`"
                    ));
                    map([
                        ("kind", s("Secret")),
                        ("name", s(&secret)),
                        ("valuesKey", s(var)),
                        ("targetPath", s(&yaml::show_path(path))),
                    ])
                })
                .collect();
            spec.insert(s("valuesFrom"), Yaml::Array(from));
        }
        let doc = map([
            ("apiVersion", s("helm.toolkit.fluxcd.io/v2")),
            ("kind", s("HelmRelease")),
            (
                "metadata",
                map([("name", s(&name)), ("namespace", s("flux-system"))]),
            ),
            ("spec", Yaml::Hash(spec)),
        ]);
        files.push(stream_file(&format!("helmrelease-{name}.yaml"), &doc));
        previous = Some(name);
    }
    notes.sort();
    notes.dedup();
    with_kustomization(files, skipped, notes)
}

/// Where a `HelmRelease` takes its chart: the `OCIRepository` of a chart locked by digest
/// (`chartRef`), else the chart by version from its `HelmRepository` (`chart`).
fn chart_source(d: &super::subject::Delivery, name: &str) -> (&'static str, Yaml) {
    match &d.oci_digest {
        Some(_) => (
            "chartRef",
            map([
                ("kind", s("OCIRepository")),
                ("name", s(name)),
                ("namespace", s("flux-system")),
            ]),
        ),
        None => (
            "chart",
            map([(
                "spec",
                map([
                    ("chart", s(&d.chart.name)),
                    ("version", s(&d.chart.version)),
                    (
                        "sourceRef",
                        map([
                            ("kind", s("HelmRepository")),
                            ("name", s(&repo_name(&d.chart.repo))),
                        ]),
                    ),
                ]),
            )]),
        ),
    }
}

/// Flux's `OCIRepository` for a chart locked by manifest digest: pulled by that digest,
/// the chart layer copied as Helm pushed it.
fn oci_repository(d: &super::subject::Delivery, digest: &str) -> (String, String) {
    let name = dns_label(&d.release);
    let url = format!("{}/{}", d.chart.repo.trim_end_matches('/'), d.chart.name);
    let doc = map([
        ("apiVersion", s("source.toolkit.fluxcd.io/v1")),
        ("kind", s("OCIRepository")),
        (
            "metadata",
            map([("name", s(&name)), ("namespace", s("flux-system"))]),
        ),
        (
            "spec",
            map([
                ("interval", s("1h")),
                ("url", s(&url)),
                ("ref", map([("digest", s(digest))])),
                (
                    "layerSelector",
                    map([
                        (
                            "mediaType",
                            s("application/vnd.cncf.helm.chart.content.v1.tar+gzip"),
                        ),
                        ("operation", s("copy")),
                    ]),
                ),
            ]),
        ),
    ]);
    stream_file(&format!("ocirepository-{name}.yaml"), &doc)
}

/// A `kustomization.yaml` listing every file (for `--out`).
fn with_kustomization(
    mut files: Vec<(String, String)>,
    skipped: Vec<(String, String)>,
    notes: Vec<String>,
) -> Export {
    let resources: Vec<Yaml> = files.iter().map(|(f, _)| s(f)).collect();
    let k = map([
        ("apiVersion", s("kustomize.config.k8s.io/v1beta1")),
        ("kind", s("Kustomization")),
        ("resources", Yaml::Array(resources)),
    ]);
    files.push(("kustomization.yaml".to_string(), emit_document(&k)));
    Export {
        files,
        skipped,
        notes,
    }
}

/// Argo CD: an `Application` per chart, sync waves in layer order.
pub fn argocd(subject: &Subject) -> Export {
    let (list, skipped) = deliveries(subject);
    let mut files = Vec::new();
    for (wave, d) in list.iter().enumerate() {
        let name = dns_label(&format!("{}-{}", subject.name, d.release));
        let repo = d.chart.repo.strip_prefix("oci://").unwrap_or(&d.chart.repo);
        let doc = map([
            ("apiVersion", s("argoproj.io/v1alpha1")),
            ("kind", s("Application")),
            (
                "metadata",
                map([
                    ("name", s(&name)),
                    ("namespace", s("argocd")),
                    (
                        "annotations",
                        map([("argocd.argoproj.io/sync-wave", s(&wave.to_string()))]),
                    ),
                ]),
            ),
            (
                "spec",
                map([
                    ("project", s("default")),
                    (
                        "source",
                        map([
                            ("repoURL", s(repo)),
                            ("chart", s(&d.chart.name)),
                            ("targetRevision", s(&d.chart.version)),
                            (
                                "helm",
                                map([
                                    ("releaseName", s(&d.release)),
                                    ("valuesObject", d.values.clone()),
                                ]),
                            ),
                        ]),
                    ),
                    (
                        "destination",
                        map([
                            ("server", s("https://kubernetes.default.svc")),
                            ("namespace", s(&d.chart.namespace)),
                        ]),
                    ),
                    (
                        "syncPolicy",
                        map([("syncOptions", Yaml::Array(vec![s("CreateNamespace=true")]))]),
                    ),
                ]),
            ),
        ]);
        files.push(stream_file(&format!("application-{name}.yaml"), &doc));
    }
    with_kustomization(files, skipped, Vec::new())
}

/// helmfile: one `helmfile.yaml` with the repositories and a release per chart (`needs`
/// the previous one).
pub fn helmfile(subject: &Subject) -> Result<Export, Vec<Diagnostic>> {
    let (list, skipped) = deliveries(subject);
    let mut repos: BTreeMap<String, (String, bool)> = BTreeMap::new();
    for d in &list {
        let oci = d.chart.repo.starts_with("oci://");
        let url = d
            .chart
            .repo
            .strip_prefix("oci://")
            .unwrap_or(&d.chart.repo)
            .to_string();
        repos.entry(repo_name(&d.chart.repo)).or_insert((url, oci));
    }
    let repositories: Vec<Yaml> = repos
        .iter()
        .map(|(name, (url, oci))| {
            let mut h = Hash::new();
            h.insert(s("name"), s(name));
            h.insert(s("url"), s(url));
            if *oci {
                h.insert(s("oci"), Yaml::Boolean(true));
            }
            Yaml::Hash(h)
        })
        .collect();
    let mut releases = Vec::new();
    let mut previous: Option<(String, String)> = None;
    for d in &list {
        let Delivery {
            chart,
            release,
            values,
            ..
        } = d;
        let mut h = Hash::new();
        h.insert(s("name"), s(release));
        h.insert(s("namespace"), s(&chart.namespace));
        h.insert(s("createNamespace"), Yaml::Boolean(true));
        h.insert(
            s("chart"),
            s(&format!("{}/{}", repo_name(&chart.repo), chart.name)),
        );
        h.insert(s("version"), s(&chart.version));
        if let Some((ns, name)) = &previous {
            h.insert(s("needs"), Yaml::Array(vec![s(&format!("{ns}/{name}"))]));
        }
        h.insert(s("values"), Yaml::Array(vec![values.clone()]));
        releases.push(Yaml::Hash(h));
        previous = Some((chart.namespace.clone(), release.clone()));
    }
    let doc = map([
        ("repositories", Yaml::Array(repositories)),
        ("releases", Yaml::Array(releases)),
    ]);
    Ok(Export {
        files: vec![("helmfile.yaml".to_string(), emit_document(&doc))],
        skipped,
        notes: Vec::new(),
    })
}
