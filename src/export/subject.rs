//! What every target exports: the subject (a profile from its lock, or a cluster with its
//! variables bound), its output, the charts its layers deliver, and Palette's names.

use std::collections::BTreeMap;

use yaml_rust2::Yaml;

use super::target::Target;
use crate::catalog::Catalog;
use crate::cluster::{Cluster, build_with};
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::lock::render::{PackOrigin, RenderedLayer, render_locked};
use crate::lock::why::current_lock;
use crate::model::chart::Chart;
use crate::model::pack::LayerType;
use crate::model::variable::{Binding, BindingOrigin, Bindings, Variable};
use crate::model::version::Version;
use crate::profile::ProfileType;
use crate::registry::Settings;
use crate::render::FileKind;
use crate::render::effective::Origin;
use crate::yaml;

/// What is exported: a profile (its variables unbound, as references or placeholders) or a
/// cluster (its variables bound, sensitive ones as references).
pub struct Subject {
    pub name: String,
    pub description: String,
    pub ty: ProfileType,
    pub cloud: String,
    pub tags: Vec<String>,
    pub version: Version,
    pub variables: BTreeMap<String, Variable>,
    pub layers: Vec<RenderedLayer>,
    /// The sensitive variables the target must take by reference: a cluster's that have
    /// values, a profile's for the GitOps targets.
    pub sensitive_bound: Vec<String>,
}

impl Subject {
    /// Charts whose repository has a `[[mirror]]` are exported from the mirror.
    fn mirror(&mut self, config: &crate::model::config::Config) {
        for chart in self.layers.iter_mut().flat_map(|l| l.charts.iter_mut()) {
            if let Some(m) = config.mirror_of(&chart.repo) {
                chart.repo = m.url.get_ref().trim_end_matches('/').to_string();
            }
        }
    }

    /// The pack secrets (Palette `${password}` values) set in the catalog rather than
    /// through a sensitive variable: an export would carry them in clear, so each is a
    /// problem naming its layer and value.
    pub fn secrets_in_clear(&self) -> Vec<Diagnostic> {
        self.layers
            .iter()
            .flat_map(|l| {
                l.values
                    .iter()
                    .filter(|(_, e)| {
                        e.secret && e.holds_secret() && e.origin != Origin::PackDefault
                    })
                    .map(|(key, _)| {
                        Diagnostic::plain(format!(
                            "layer `{}`: `{key}` is a password set in the catalog, and an export never carries it in clear",
                            l.name
                        ))
                        .with_hint(format!(
                            "set it from a sensitive variable: `{key} = {{ var = \"NAME\" }}` with `[[variable]]` `sensitive = true`, which the export passes by reference"
                        ))
                    })
            })
            .collect()
    }

    /// Keeps the variables the exported values refer to (`{{.spectro.var.NAME}}`): a
    /// cluster's bound variables, and a profile's unused ones, are not declared.
    fn keep_referenced(&mut self) {
        let layers = &self.layers;
        self.variables.retain(|name, _| {
            let reference = format!("{{{{.spectro.var.{name}}}}}");
            layers
                .iter()
                .any(|l| l.files.values().any(|t| t.contains(&reference)))
        });
    }
}

/// A profile as its export takes it, from its lock (never re-resolved). Palette and
/// Terraform take its variables as Palette profile variables; the GitOps targets get the
/// defaults (a variable without one is its placeholder), and a sensitive default is the
/// target's reference (or refused by [`export`]).
pub fn profile_subject(catalog: &Catalog, name: &str, target: Target) -> Result<Subject> {
    let (profile, lock) = current_lock(catalog, name)?;
    let mut bindings = Bindings::new();
    let mut sensitive_bound = Vec::new();
    for v in profile.variables.values() {
        let value = match target {
            Target::Palette | Target::Terraform => Some(format!("{{{{.spectro.var.{}}}}}", v.name)),
            // A sensitive value reaches a GitOps engine only by reference, whether the
            // profile has a default for it or the cluster must give it.
            _ if v.sensitive => {
                sensitive_bound.push(v.name.clone());
                target.reference(&v.name)
            }
            _ => None,
        };
        let binding = match (value, &v.default) {
            (Some(text), _) => Binding {
                value: toml::Value::String(text),
                origin: BindingOrigin::Reference,
            },
            (None, Some(d)) => Binding {
                value: d.clone(),
                origin: BindingOrigin::Default,
            },
            (None, None) => continue,
        };
        bindings.insert(v.name.clone(), binding);
    }
    let layers = render_locked(catalog, &profile, &lock, None, &bindings)?;
    let mut subject = Subject {
        name: profile.name.clone(),
        description: profile.description.clone(),
        ty: profile.ty,
        cloud: profile.cloud.get_ref().clone(),
        tags: profile.tags.clone(),
        version: profile.version.clone(),
        variables: profile.variables.clone(),
        layers,
        sensitive_bound,
    };
    subject.keep_referenced();
    subject.mirror(&catalog.config);
    Ok(subject)
}

/// A cluster as its export takes it: its pinned profile releases with its variables bound
/// (`flags` are `NAME=VALUE`, `env` is asked for `STRATA_VAR_<NAME>`), each sensitive one
/// as the target's reference.
pub fn cluster_subject(
    catalog: &Catalog,
    settings: &Settings,
    cluster: &Cluster,
    flags: &[String],
    env: &dyn Fn(&str) -> Option<String>,
    target: Target,
) -> Result<Subject> {
    let built = build_with(
        catalog,
        &settings.locked_reads(),
        cluster,
        flags,
        env,
        &|n| target.reference(n),
    )?
    .map_err(Error::Catalog)?;
    let sensitive_bound = built
        .profile
        .variables
        .values()
        .filter(|v| v.sensitive && built.bindings.contains_key(&v.name))
        .map(|v| v.name.clone())
        .collect();
    let mut subject = Subject {
        name: cluster.name.clone(),
        description: cluster.description.clone(),
        ty: built.profile.ty,
        cloud: built.profile.cloud.get_ref().clone(),
        tags: built.profile.tags.clone(),
        version: built.profile.version.clone(),
        variables: built.profile.variables.clone(),
        layers: built.layers,
        sensitive_bound,
    };
    subject.keep_referenced();
    subject.mirror(&catalog.config);
    Ok(subject)
}

/// An export's output: files (a path relative to the export folder, and the text), and the
/// layers that have nothing to deliver to the target, with the reason.
pub struct Export {
    pub files: Vec<(String, String)>,
    pub skipped: Vec<(String, String)>,
    /// What the user must provide for the export to apply (a Secret, a variable).
    pub notes: Vec<String>,
}

impl Export {
    /// The files as one text for stdout: a YAML stream, or the one file.
    pub fn stream(&self) -> String {
        if self.files.len() == 1 {
            return self.files[0].1.clone();
        }
        let mut out = String::new();
        for (path, text) in &self.files {
            out.push_str(&format!("---\n# Source: {path}\n{text}"));
            if !text.ends_with('\n') {
                out.push('\n');
            }
        }
        out
    }
}

/// Palette's name of a layer type.
pub fn palette_layer(ty: LayerType) -> &'static str {
    match ty {
        LayerType::Os => "os",
        LayerType::Kubernetes => "k8s",
        LayerType::Network => "cni",
        LayerType::Storage => "csi",
        LayerType::Addon => "addon",
    }
}

/// Palette's name of a profile type.
pub fn palette_type(ty: ProfileType) -> &'static str {
    match ty {
        ProfileType::Full => "cluster",
        ProfileType::Infra => "infra",
        ProfileType::AddOn => "add-on",
    }
}

/// One chart a layer installs, with its values as a document.
pub struct Delivery<'a> {
    pub layer: &'a RenderedLayer,
    pub chart: &'a Chart,
    /// The Helm release name: the chart's `release`, else the layer's name.
    pub release: String,
    pub values: Yaml,
    /// The manifest digest an `oci://` chart was locked at (its layer's, for a chart of an
    /// OCI registry; its `[[layer.chart]]`'s with `lock_charts`), for engines that pin it.
    pub oci_digest: Option<String>,
}

/// The charts of every layer, in layer order, and the layers (or files) with no chart, with
/// the reason they are not delivered by a chart.
pub fn deliveries(subject: &Subject) -> (Vec<Delivery<'_>>, Vec<(String, String)>) {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for layer in &subject.layers {
        if layer.origin == PackOrigin::Helm
            && layer.charts.iter().any(|c| {
                !["https://", "http://", "oci://"]
                    .iter()
                    .any(|s| c.repo.starts_with(s))
            })
        {
            skipped.push((
                layer.name.clone(),
                format!(
                    "chart {} lives in a git repository; set `chart_repo` on registry `{}` to where it is published",
                    layer.pack, layer.registry
                ),
            ));
            continue;
        }
        for chart in &layer.charts {
            let values = match layer.origin {
                PackOrigin::Palette => layer
                    .files
                    .values()
                    .next()
                    .and_then(|t| {
                        yaml::parse(
                            t.lines()
                                .filter(|l| !l.starts_with("# spectrocloud.com/"))
                                .collect::<Vec<_>>()
                                .join("\n")
                                .as_str(),
                        )
                        .ok()
                    })
                    .map(|d| d["charts"][chart.name.as_str()].clone())
                    .filter(|v| !v.is_badvalue())
                    .unwrap_or(Yaml::Hash(Default::default())),
                _ => layer
                    .files
                    .get(chart.values_file())
                    .and_then(|t| yaml::parse(t).ok())
                    .unwrap_or(Yaml::Hash(Default::default())),
            };
            let oci_digest = chart
                .repo
                .starts_with("oci://")
                .then(|| {
                    layer.chart_digests.get(&chart.name).cloned().or_else(|| {
                        (layer.origin == PackOrigin::Helm && layer.digest.starts_with("sha256:"))
                            .then(|| layer.digest.clone())
                    })
                })
                .flatten();
            out.push(Delivery {
                layer,
                chart,
                release: chart.release.clone().unwrap_or_else(|| layer.name.clone()),
                values,
                oci_digest,
            });
        }
        for (file, kind) in &layer.kinds {
            match kind {
                FileKind::Values { .. } => {}
                FileKind::Manifest => skipped.push((
                    format!("{}/{file}", layer.name),
                    "Kubernetes manifests, not a chart: apply them with `kubectl apply -f` (see `strata render --kind manifest`)".to_string(),
                )),
                FileKind::File => skipped.push((
                    format!("{}/{file}", layer.name),
                    match layer.ty {
                        LayerType::Os => "node configuration (cloud-init) for the machines, not the cluster".to_string(),
                        LayerType::Kubernetes => "kubeadm configuration for bootstrapping, not the cluster".to_string(),
                        _ => "a file for the nodes, not a chart".to_string(),
                    },
                )),
            }
        }
    }
    (out, skipped)
}

/// A DNS label made of text (lower case, `[a-z0-9-]`, at most 63).
pub fn dns_label(text: &str) -> String {
    let mut s: String = text
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    let s = s.trim_matches('-');
    s.chars()
        .take(63)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string()
}
