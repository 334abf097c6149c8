//! The data sources: `strata_profile`, `strata_cluster` and `strata_export`. Each read opens
//! the catalog for locked reads and runs strata on a blocking thread; a problem is a
//! diagnostic with strata's text, and nothing is returned.

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tf_provider::value::{Value, ValueEmpty};
use tf_provider::{DataSource, Diagnostics, DynamicDataSource};

use strata::context::Context;
use strata::error::Error;
use strata::export::Target;
use strata::view::{self, AddonView, ExportView, Exported, LayerView, ManifestView, SkippedView};

use crate::{Shared, diagnostics, schema};

pub fn profile(shared: &Shared) -> Box<dyn DynamicDataSource> {
    Box::new(Profile(shared.clone()))
}

pub fn cluster(shared: &Shared) -> Box<dyn DynamicDataSource> {
    Box::new(Cluster(shared.clone()))
}

pub fn export(shared: &Shared) -> Box<dyn DynamicDataSource> {
    Box::new(Export(shared.clone()))
}

struct Profile(Shared);
struct Cluster(Shared);
struct Export(Shared);

/// `strata_profile`'s arguments and attributes.
#[derive(Serialize, Deserialize)]
pub struct ProfileState {
    name: Value<String>,
    at: Value<String>,
    variables: Value<BTreeMap<String, String>>,
    version: Value<String>,
    cloud: Value<String>,
    #[serde(rename = "type")]
    ty: Value<String>,
    tags: Value<BTreeMap<String, String>>,
    layers: Value<Vec<LayerView>>,
    render_manifests: Value<bool>,
    manifests: Value<Vec<ManifestView>>,
}

/// `strata_cluster`'s arguments and attributes.
#[derive(Serialize, Deserialize)]
pub struct ClusterState {
    name: Value<String>,
    variables: Value<BTreeMap<String, String>>,
    profile: Value<String>,
    version: Value<String>,
    cloud: Value<String>,
    #[serde(rename = "type")]
    ty: Value<String>,
    tags: Value<BTreeMap<String, String>>,
    layers: Value<Vec<LayerView>>,
    addons: Value<Vec<AddonView>>,
}

/// `strata_export`'s arguments and attributes.
#[derive(Serialize, Deserialize)]
pub struct ExportState {
    profile: Value<String>,
    cluster: Value<String>,
    to: Value<String>,
    variables: Value<BTreeMap<String, String>>,
    allow_plaintext: Value<bool>,
    files: Value<BTreeMap<String, String>>,
    skipped: Value<Vec<SkippedView>>,
    notes: Value<Vec<String>>,
}

/// `variables` as the `NAME=VALUE` flags strata takes.
fn flags(variables: &Value<BTreeMap<String, String>>) -> Vec<String> {
    variables
        .as_ref_option()
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect()
}

/// A known string argument (`None` when null or not known yet).
fn known(v: &Value<String>) -> Option<String> {
    v.as_ref_option().cloned()
}

/// Runs a read of strata off the async threads; its error (or panic) becomes diagnostics.
async fn run<T: Send + 'static>(
    diags: &mut Diagnostics,
    shared: &Shared,
    at: Option<String>,
    read: impl FnOnce(&Context) -> Result<T, Error> + Send + 'static,
) -> Option<T> {
    let Some(ctx) = shared.context(at) else {
        diagnostics::error(diags, "the strata provider is not configured yet", "");
        return None;
    };
    let offline = ctx.registries.offline;
    match tokio::task::spawn_blocking(move || read(&ctx)).await {
        Ok(Ok(value)) => Some(value),
        Ok(Err(e)) => {
            diagnostics::report(diags, &e);
            if offline
                && matches!(e, Error::Registry { .. })
                && let Some(last) = diags.errors.last_mut()
            {
                last.detail = format!(
                    "{}  hint: this provider reads the cache only (`offline = true`): run `strata fetch` in the catalog first, or set `offline = false`",
                    if last.detail.is_empty() { String::new() } else { format!("{}\n", last.detail) }
                )
                .into();
            }
            None
        }
        Err(e) => {
            diagnostics::error(
                diags,
                "internal error: strata stopped while reading; this is a bug in strata, please report it",
                e.to_string(),
            );
            None
        }
    }
}

#[async_trait]
impl DataSource for Profile {
    type State<'a> = ProfileState;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, _: &mut Diagnostics) -> Option<tf_provider::schema::Schema> {
        Some(schema::profile())
    }

    async fn read<'a>(
        &self,
        diags: &mut Diagnostics,
        config: ProfileState,
        _: ValueEmpty,
    ) -> Option<ProfileState> {
        let name = known(&config.name)?;
        let flags = flags(&config.variables);
        let with_manifests = config.render_manifests.as_ref_option() == Some(&true);
        let (v, manifests) = run(diags, &self.0, known(&config.at), move |ctx| {
            let catalog = ctx.catalog_locked()?;
            let v = view::profile(&catalog, &name, &flags)?;
            let manifests = match with_manifests {
                true => Some(view::manifests(&catalog, &ctx.registries, &name, &flags)?),
                false => None,
            };
            Ok((v, manifests))
        })
        .await?;
        Some(ProfileState {
            manifests: manifests.map_or(Value::Null, Value::Value),
            version: Value::Value(v.version),
            cloud: Value::Value(v.cloud),
            ty: Value::Value(v.ty),
            tags: Value::Value(v.tags),
            layers: Value::Value(v.layers),
            ..config
        })
    }
}

#[async_trait]
impl DataSource for Cluster {
    type State<'a> = ClusterState;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, _: &mut Diagnostics) -> Option<tf_provider::schema::Schema> {
        Some(schema::cluster())
    }

    async fn read<'a>(
        &self,
        diags: &mut Diagnostics,
        config: ClusterState,
        _: ValueEmpty,
    ) -> Option<ClusterState> {
        let name = known(&config.name)?;
        let flags = flags(&config.variables);
        let v = run(diags, &self.0, None, move |ctx| {
            view::cluster(&ctx.catalog_locked()?, &ctx.registries, &name, &flags)
        })
        .await?;
        Some(ClusterState {
            profile: Value::Value(v.profile),
            version: v.version.map_or(Value::Null, Value::Value),
            cloud: Value::Value(v.cloud),
            ty: Value::Value(v.ty),
            tags: Value::Value(v.tags),
            layers: Value::Value(v.layers),
            addons: Value::Value(v.addons),
            ..config
        })
    }
}

#[async_trait]
impl DataSource for Export {
    type State<'a> = ExportState;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, _: &mut Diagnostics) -> Option<tf_provider::schema::Schema> {
        Some(schema::export())
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, config: ExportState) -> Option<()> {
        let given = |v: &Value<String>| !v.is_null();
        if given(&config.profile) == given(&config.cluster) {
            diagnostics::error(
                diags,
                "strata_export takes one of `profile` and `cluster`",
                "",
            );
        }
        if let Value::Value(to) = &config.to
            && Target::parse(to).is_none()
        {
            diagnostics::error(
                diags,
                format!("`to = \"{to}\"` is not an export target"),
                format!("  hint: one of {}", target_names()),
            );
        }
        if config.cluster.is_null() && !config.variables.is_null() {
            diagnostics::error(
                diags,
                "`variables` are a cluster's: a profile is exported with its variables as references",
                "",
            );
        }
        diags.errors.is_empty().then_some(())
    }

    async fn read<'a>(
        &self,
        diags: &mut Diagnostics,
        config: ExportState,
        _: ValueEmpty,
    ) -> Option<ExportState> {
        let target = Target::parse(&known(&config.to)?)?;
        let flags = flags(&config.variables);
        let plaintext = config
            .allow_plaintext
            .as_ref_option()
            .copied()
            .unwrap_or(false);
        let profile = known(&config.profile);
        let cluster = known(&config.cluster);
        let v: ExportView = run(diags, &self.0, None, move |ctx| {
            let catalog = ctx.catalog_locked()?;
            let what = match (&profile, &cluster) {
                (_, Some(c)) => Exported::Cluster(c, &flags),
                (Some(p), None) => Exported::Profile(p),
                (None, None) => {
                    return Err(Error::usage("strata_export takes `profile` or `cluster`"));
                }
            };
            view::export(&catalog, &ctx.registries, what, target, plaintext)
        })
        .await?;
        Some(ExportState {
            files: Value::Value(v.files),
            skipped: Value::Value(v.skipped),
            notes: Value::Value(v.notes),
            ..config
        })
    }
}

fn target_names() -> String {
    Target::ALL
        .iter()
        .map(|t| format!("`{}`", t.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}
