//! Locked profiles, clusters and exports as plain data, for programs that embed strata (the
//! Terraform provider's data sources). Each is made by the same steps as the command that
//! prints it (`render`, `cluster render`, `export`), from the lock only, with sensitive
//! values shown as `(sensitive)` as everywhere strata shows them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::cluster;
use crate::error::{Error, Result};
use crate::export::{self, Target};
use crate::lock::render::{RenderedLayer, all_secrets, render_profile};
use crate::registry::Settings;
use crate::shown::mask;

/// Asked for `STRATA_VAR_<NAME>`: a program that embeds strata passes its variables as
/// flags, and the environment it runs in is not read.
pub fn no_env(_: &str) -> Option<String> {
    None
}

/// A profile rendered from its lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileView {
    pub name: String,
    pub version: String,
    pub cloud: String,
    #[serde(rename = "type")]
    pub ty: String,
    /// `key:value` tags by key (a bare `key` has an empty value).
    pub tags: BTreeMap<String, String>,
    pub layers: Vec<LayerView>,
}

/// A cluster: its pinned profile releases with its variables bound.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterView {
    pub name: String,
    /// The infra (or full) profile and its pinned release (`None`: the working tree).
    pub profile: String,
    pub version: Option<String>,
    pub cloud: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub tags: BTreeMap<String, String>,
    pub layers: Vec<LayerView>,
    pub addons: Vec<AddonView>,
}

/// An add-on profile a cluster applies, and its pinned release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddonView {
    pub profile: String,
    pub version: Option<String>,
}

/// One rendered layer with its locked release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerView {
    #[serde(rename = "type")]
    pub ty: String,
    pub name: String,
    pub pack: String,
    pub registry: String,
    pub requested: String,
    pub version: String,
    /// The locked commit (`None` for a folder registry).
    pub commit: Option<String>,
    pub digest: String,
    /// The values document (the chart values, or the layer's one file); empty when none.
    pub values: String,
    /// Every rendered file, by name.
    pub files: BTreeMap<String, String>,
    pub charts: Vec<ChartView>,
}

/// A Helm chart a layer installs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartView {
    pub name: String,
    pub repo: String,
    pub version: String,
    pub namespace: String,
    /// The Helm release name (the layer's name unless the pack names one).
    pub release: String,
    /// The chart's rendered values (YAML).
    pub values: String,
}

/// One Kubernetes object a profile's layers run (`render --manifests`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestView {
    pub layer: String,
    /// The chart it came from (`None`: a manifest file of the pack).
    pub chart: Option<String>,
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    /// `<layer>/<chart>/<template>`, or `<layer>/<file>`.
    pub source: String,
    /// The object's YAML, sensitive lines shown as `(sensitive)`.
    pub yaml: String,
}

/// The Kubernetes objects a profile's layers run, charts rendered by the `helm` program
/// (`STRATA_HELM` or PATH) from the locked charts, as `render --manifests` gives them.
pub fn manifests(
    catalog: &Catalog,
    settings: &Settings,
    name: &str,
    flags: &[String],
) -> Result<Vec<ManifestView>> {
    let r = render_profile(catalog, name, None, flags, &no_env)?;
    let packs = crate::lock::render::locked_packs(catalog, &r.lock)?;
    let secrets = all_secrets(&r.secrets, &r.layers);
    let session = crate::manifests::Session::new(
        crate::manifests::helm::Helm::find(Some(&settings.cache_dir.join("helm-version")))?,
        Some(settings.cache_dir.join("manifests")),
        secrets.clone(),
        Default::default(),
    );
    let kube = crate::manifests::kube_version(&r.lock);
    let objects = crate::manifests::render(catalog, kube, &r.layers, &packs, &session)?;
    Ok(objects
        .into_iter()
        .map(|o| ManifestView {
            yaml: mask(o.shown(), &secrets),
            layer: o.layer,
            chart: o.chart,
            api_version: o.api_version,
            kind: o.kind,
            namespace: o.namespace,
            name: o.name,
            source: o.source,
        })
        .collect())
}

/// An export's files by path, and the layers it has nothing to deliver for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportView {
    pub target: String,
    pub files: BTreeMap<String, String>,
    pub skipped: Vec<SkippedView>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedView {
    pub layer: String,
    pub reason: String,
}

/// What to export: a profile, or a cluster with its variables (`NAME=VALUE`).
pub enum Exported<'a> {
    Profile(&'a str),
    Cluster(&'a str, &'a [String]),
}

/// A profile from its current lock, its variables bound from `flags` (`NAME=VALUE`) over
/// their defaults, as `strata render PROFILE --var …` renders it.
pub fn profile(catalog: &Catalog, name: &str, flags: &[String]) -> Result<ProfileView> {
    let r = render_profile(catalog, name, None, flags, &no_env)?;
    let secrets = all_secrets(&r.secrets, &r.layers);
    Ok(ProfileView {
        name: r.profile.name.clone(),
        version: r.profile.version.to_string(),
        cloud: r.profile.cloud.get_ref().clone(),
        ty: r.profile.ty.as_str().to_string(),
        tags: tags(&r.profile.tags),
        layers: r.layers.iter().map(|l| layer(l, &secrets)).collect(),
    })
}

/// A cluster with its variables bound from its file and `flags`, as `strata cluster render`
/// renders it.
pub fn cluster(
    catalog: &Catalog,
    settings: &Settings,
    name: &str,
    flags: &[String],
) -> Result<ClusterView> {
    let c = cluster::find(catalog, name)?;
    let built = cluster::build(catalog, &settings.locked_reads(), &c, flags, &no_env)?
        .map_err(Error::Catalog)?;
    let secrets = all_secrets(&built.secrets, &built.layers);
    let version = |v: &Option<crate::model::version::Version>| v.as_ref().map(|v| v.to_string());
    let (profile, pinned) = built.pins.first().cloned().unwrap_or_default();
    Ok(ClusterView {
        name: c.name.clone(),
        profile,
        version: version(&pinned),
        cloud: built.profile.cloud.get_ref().clone(),
        ty: built.profile.ty.as_str().to_string(),
        tags: tags(&built.profile.tags),
        layers: built.layers.iter().map(|l| layer(l, &secrets)).collect(),
        addons: built
            .pins
            .iter()
            .skip(1)
            .map(|(p, v)| AddonView {
                profile: p.clone(),
                version: version(v),
            })
            .collect(),
    })
}

/// A profile or a cluster exported to a target, as `strata export --format json` prints it.
pub fn export(
    catalog: &Catalog,
    settings: &Settings,
    what: Exported<'_>,
    target: Target,
    allow_plaintext: bool,
) -> Result<ExportView> {
    let subject = match what {
        Exported::Profile(name) => export::profile_subject(catalog, name, target)?,
        Exported::Cluster(name, flags) => {
            let c = cluster::find(catalog, name)?;
            export::cluster_subject(catalog, settings, &c, flags, &no_env, target)?
        }
    };
    let out = export::export(&subject, target, allow_plaintext).map_err(Error::Catalog)?;
    Ok(ExportView {
        target: target.as_str().to_string(),
        files: out.files.into_iter().collect(),
        skipped: out
            .skipped
            .into_iter()
            .map(|(layer, reason)| SkippedView { layer, reason })
            .collect(),
        notes: out.notes,
    })
}

fn tags(tags: &[String]) -> BTreeMap<String, String> {
    crate::model::tags::map(tags.iter().map(String::as_str))
}

fn layer(l: &RenderedLayer, secrets: &[String]) -> LayerView {
    LayerView {
        ty: l.ty.as_str().to_string(),
        name: l.name.clone(),
        pack: l.pack.clone(),
        registry: l.registry.clone(),
        requested: l.requested.clone(),
        version: l.version.to_string(),
        commit: l.commit.clone(),
        digest: l.digest.clone(),
        values: l
            .values_file()
            .map_or_else(String::new, |(f, text)| mask(l.shown(f, text), secrets)),
        files: l
            .files
            .iter()
            .map(|(f, text)| (f.clone(), mask(l.shown(f, text), secrets)))
            .collect(),
        charts: l
            .charts
            .iter()
            .map(|c| ChartView {
                name: c.name.clone(),
                repo: c.repo.clone(),
                version: c.version.clone(),
                namespace: c.namespace.clone(),
                release: c.release.clone().unwrap_or_else(|| l.name.clone()),
                values: l
                    .files
                    .get(c.values_file())
                    .map_or_else(String::new, |text| {
                        mask(l.shown(c.values_file(), text), secrets)
                    }),
            })
            .collect(),
    }
}
