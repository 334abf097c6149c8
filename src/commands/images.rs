//! `strata images PROFILE | --cluster NAME`: every container image a profile's (or a
//! cluster's) layers run, unique and sorted, from the objects `render --manifests` gives.

use serde::Serialize;

use crate::context::Context;
use crate::error::Result;
use crate::manifests::images::{Image, images};

/// List every container image a profile's layers run, for mirroring them
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Profile whose images to list
    #[arg(required_unless_present = "cluster", add = clap_complete::engine::ArgValueCandidates::new(crate::completion::profiles))]
    pub profile: Option<String>,
    /// List the images of this cluster's whole stack instead
    #[arg(long, value_name = "NAME", conflicts_with_all = ["profile", "layer"], add = clap_complete::engine::ArgValueCandidates::new(crate::completion::clusters))]
    pub cluster: Option<String>,
    /// Only this layer (by name)
    #[arg(long, add = clap_complete::engine::ArgValueCandidates::new(crate::completion::layers))]
    pub layer: Option<String>,
    /// A value for a profile variable (repeatable); `STRATA_VAR_<NAME>` in the environment
    /// wins over it
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct Output {
    schema_version: u32,
    images: Vec<Image>,
}

pub fn run(args: Args, ctx: &Context) -> Result<()> {
    let catalog = ctx.catalog_locked()?;
    let helm = super::manifests::find_helm(ctx)?;
    let rendered = match (&args.cluster, &args.profile) {
        (Some(cluster), _) => {
            super::manifests::cluster_objects(&catalog, (cluster, &args.vars), false, ctx, &helm)?
        }
        (None, profile) => {
            let asked = super::manifests::Asked {
                only: None,
                profile: profile.as_deref().unwrap_or_default(),
                layer: args.layer.as_deref(),
                vars: &args.vars,
                out: None,
            };
            super::manifests::objects_with(&catalog, &asked, ctx, &helm)?
        }
    };
    let images = images(&rendered.objects);
    if ctx.out.json() {
        ctx.out.print_json(&Output {
            schema_version: 1,
            images,
        });
        return Ok(());
    }
    let text: String = images.iter().map(|i| format!("{}\n", i.image)).collect();
    ctx.out.print(&text);
    Ok(())
}

/// The JSON Schema of this command's `--format json` output.
pub(crate) fn json_schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![("images", crate::schema::generate_value::<Output>())]
}
