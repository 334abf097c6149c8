//! `strata fetch [REGISTRY…]`: bring git registries' mirrors and chart repositories'
//! indexes up to date, and download the chart archives the locks name, so that every
//! locked read works offline afterwards.

use serde::Serialize;

use crate::context::Context;
use crate::error::{Error, Result};
use crate::model::config::RegistryKind;
use crate::output::plural;
use crate::registry::{Registries, Registry};

/// Fetch git registries and chart repositories into the cache, in parallel
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Registries to fetch (default: every git and helm registry)
    #[arg(value_name = "REGISTRY", add = clap_complete::engine::ArgValueCandidates::new(crate::completion::registries))]
    pub registries: Vec<String>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct Fetched {
    name: String,
    /// `git`, `helm` or `oci`.
    kind: &'static str,
    source: String,
    packs: usize,
    releases: usize,
    /// Chart archives the locks name, now in the cache (helm registries).
    #[serde(skip_serializing_if = "Option::is_none")]
    archives: Option<usize>,
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
            .filter(|r| {
                matches!(
                    r.kind(),
                    RegistryKind::Git | RegistryKind::Helm | RegistryKind::Oci
                )
            })
            .collect()
    } else {
        let mut list = Vec::new();
        for name in &args.registries {
            let reg = catalog.registries.require(name)?;
            if !matches!(
                reg.kind(),
                RegistryKind::Git | RegistryKind::Helm | RegistryKind::Oci
            ) {
                return Err(Error::usage(format!(
                    "registry `{name}` is a {} registry; only git, helm and oci registries are fetched",
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
        let archives = match reg.kind() {
            RegistryKind::Helm | RegistryKind::Oci => Some(locked_archives(&catalog, reg)?),
            _ => None,
        };
        // An OCI registry lists no packs: what is fetched of it is what the locks name.
        let (names, releases) = match reg.kind() {
            RegistryKind::Oci => (Vec::new(), 0),
            _ => {
                let names = reg.pack_names()?;
                let mut releases = 0;
                for n in &names {
                    releases += reg.releases(n)?.len();
                }
                (names, releases)
            }
        };
        out.push(Fetched {
            name: reg.name.clone(),
            kind: reg.kind().as_str(),
            source: reg.source(),
            packs: names.len(),
            releases,
            archives,
        });
    }
    if ctx.out.json() {
        ctx.out.print_json_list("registries", &out);
    } else if out.is_empty() {
        ctx.out.status(
            "Fetched",
            "nothing: the catalog has no git or helm registries",
        );
    } else {
        for f in &out {
            ctx.out.status(
                "Fetched",
                &match (f.kind, f.archives) {
                    ("oci", Some(n)) => format!(
                        "`{}` ({}): {} of locked releases",
                        f.name,
                        f.source,
                        plural(n, "chart")
                    ),
                    (_, archives) => format!(
                        "`{}` ({}): {}, {}{}",
                        f.name,
                        f.source,
                        plural(f.packs, "pack"),
                        plural(f.releases, "release"),
                        archives
                            .map(|n| format!(", {} of locked releases", plural(n, "chart archive")))
                            .unwrap_or_default()
                    ),
                },
            );
        }
    }
    Ok(())
}

/// Downloads (into the cache) the archive of every release of `reg` a readable lock names;
/// how many there are.
fn locked_archives(catalog: &crate::catalog::Catalog, reg: &Registry) -> Result<usize> {
    let (profiles, _) = catalog.valid_profiles(&[])?;
    let mut seen = std::collections::BTreeSet::new();
    for (entry, profile) in profiles {
        let Some(lock) = crate::lock::current::readable_lock(catalog, &entry, &profile.name)?
        else {
            continue;
        };
        for l in lock.layers.iter().filter(|l| l.registry == reg.name) {
            if seen.insert((l.pack.clone(), l.version.as_str().to_string())) {
                reg.pack(&l.pack, &l.release())?;
            }
        }
    }
    Ok(seen.len())
}

/// The JSON Schema of this command's `--format json` output.
pub(crate) fn json_schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![("fetch", crate::schema::list::<Fetched>("registries"))]
}
