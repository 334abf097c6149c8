//! `strata images PROFILE`: every container image a profile's layers run, unique and
//! sorted, from the objects `render --manifests` gives.

use serde::Serialize;

use crate::context::Context;
use crate::error::Result;
use crate::manifests::images::{Image, images};

/// List every container image a profile's layers run, for mirroring them
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Profile whose images to list
    #[arg(add = clap_complete::engine::ArgValueCandidates::new(crate::completion::profiles))]
    pub profile: String,
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
    let asked = super::manifests::Asked {
        only: None,
        profile: &args.profile,
        layer: args.layer.as_deref(),
        vars: &args.vars,
        out: None,
    };
    let rendered = super::manifests::objects(&catalog, &asked, ctx)?;
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
