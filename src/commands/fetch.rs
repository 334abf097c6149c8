//! `strata fetch [REGISTRY…]`: bring git registries' mirrors up to date.

use serde::Serialize;

use crate::context::Context;
use crate::error::{Error, Result};
use crate::model::config::RegistryKind;
use crate::output::plural;
use crate::registry::{Registries, Registry};

/// Fetch git registries into the cache (all of them, or the named ones), in parallel
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Registries to fetch (default: every git registry)
    #[arg(value_name = "REGISTRY", add = clap_complete::engine::ArgValueCandidates::new(crate::completion::registries))]
    pub registries: Vec<String>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct Fetched {
    name: String,
    source: String,
    packs: usize,
    releases: usize,
}

pub fn run(args: Args, ctx: &Context) -> Result<()> {
    if ctx.registries.offline {
        return Err(Error::usage_hint(
            "`strata fetch` needs the network, and `--offline` forbids it",
            Some("drop `--offline`".to_string()),
        ));
    }
    let catalog = ctx.catalog_unfetched()?;
    let selected: Vec<&Registry> = if args.registries.is_empty() {
        catalog
            .registries
            .iter()
            .filter(|r| r.kind() == RegistryKind::Git)
            .collect()
    } else {
        let mut list = Vec::new();
        for name in &args.registries {
            let reg = catalog.registries.require(name)?;
            if reg.kind() != RegistryKind::Git {
                return Err(Error::usage(format!(
                    "registry `{name}` is a {} registry; only git registries are fetched",
                    reg.kind().as_str()
                )));
            }
            list.push(reg);
        }
        list
    };
    Registries::prepare(&selected)?;
    let mut out = Vec::new();
    for reg in &selected {
        let names = reg.pack_names()?;
        let mut releases = 0;
        for n in &names {
            releases += reg.releases(n)?.len();
        }
        out.push(Fetched {
            name: reg.name.clone(),
            source: reg.source(),
            packs: names.len(),
            releases,
        });
    }
    if ctx.out.json() {
        ctx.out.print_json_list("registries", &out);
    } else if out.is_empty() {
        ctx.out
            .status("Fetched", "nothing: the catalog has no git registries");
    } else {
        for f in &out {
            ctx.out.status(
                "Fetched",
                &format!(
                    "`{}` ({}): {}, {}",
                    f.name,
                    f.source,
                    plural(f.packs, "pack"),
                    plural(f.releases, "release")
                ),
            );
        }
    }
    Ok(())
}

/// The JSON Schema of this command's `--format json` output.
pub(crate) fn json_schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![("fetch", crate::schema::list::<Fetched>("registries"))]
}
