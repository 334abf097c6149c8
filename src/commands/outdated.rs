//! `strata outdated [PROFILE…]`: per layer the locked release, the newest in its train and
//! the newest overall.

use serde::Serialize;

use crate::check::check_with;
use crate::context::Context;
use crate::error::{Error, Result, problems as split};
use crate::lock::current::readable_lock;
use crate::model::pack::LayerType;
use crate::model::version::Version;
use crate::resolve::{Preferences, gather};

/// Show layers whose locked release is behind the newest in its train or overall
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Profiles (default: all)
    #[arg(value_name = "PROFILE", add = clap_complete::engine::ArgValueCandidates::new(crate::completion::profiles))]
    pub profiles: Vec<String>,
    /// Clusters instead: the pinned profile releases behind their profile's newest release
    #[arg(long, conflicts_with = "profiles")]
    pub clusters: bool,
    /// Exit with 1 when anything is behind (0 when everything is on its newest release)
    #[arg(long)]
    pub exit_code: bool,
}

#[derive(Serialize, schemars::JsonSchema)]
struct ClusterRow {
    cluster: String,
    profile: String,
    pinned: String,
    newest: String,
}

/// `--clusters`: every pinned profile release (the infra profile and each add-on profile)
/// that is behind the newest release tag of its profile.
fn clusters(ctx: &Context, exit_code: bool) -> Result<()> {
    let catalog = ctx.catalog_unfetched()?;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut total = 0;
    for (_, parsed) in crate::cluster::load_clusters(&catalog)? {
        let c = match parsed {
            Ok(c) => c,
            Err(mut d) => {
                problems.append(&mut d);
                continue;
            }
        };
        total += 1;
        for r in std::iter::once(&c.profile).chain(&c.addons) {
            let Some((_, pinned)) = &r.version else {
                continue;
            };
            let newest = crate::cluster::releases(&catalog, r.profile.get_ref())
                .into_iter()
                .rev()
                .find(|v| !v.is_prerelease());
            if let Some(newest) = newest.filter(|n| n > pinned) {
                rows.push(ClusterRow {
                    cluster: c.name.clone(),
                    profile: r.profile.get_ref().clone(),
                    pinned: pinned.to_string(),
                    newest: newest.to_string(),
                });
            }
        }
    }
    if !problems.is_empty() {
        return Err(Error::Catalog(problems));
    }
    if ctx.out.json() {
        ctx.out.print_json(&ClustersOut {
            schema_version: 1,
            clusters: &rows,
        });
    } else if rows.is_empty() {
        ctx.out.status(
            "Up to date",
            &format!(
                "every profile release pinned by {} is the newest",
                crate::output::plural(total, "cluster")
            ),
        );
    } else {
        let table: Vec<[String; 4]> = rows
            .iter()
            .map(|r| {
                [
                    r.cluster.clone(),
                    r.profile.clone(),
                    r.pinned.clone(),
                    r.newest.clone(),
                ]
            })
            .collect();
        ctx.out.print(&crate::output::format_table(
            ["CLUSTER", "PROFILE", "PINNED", "NEWEST"],
            &table,
        ));
    }
    if exit_code && !rows.is_empty() {
        return Err(Error::Exit(1));
    }
    Ok(())
}

#[derive(Serialize, schemars::JsonSchema)]
struct Row {
    profile: String,
    layer: String,
    pack: String,
    requested: String,
    locked: String,
    newest_in_train: String,
    newest: String,
    /// `major` when the newest release is another major version; `skips-minor` when a
    /// Kubernetes layer would skip a minor version to reach it (upgrade one minor at a time).
    flags: Vec<&'static str>,
}

pub fn run(args: Args, ctx: &Context) -> Result<()> {
    if args.clusters {
        return clusters(ctx, args.exit_code);
    }
    let catalog = ctx.catalog()?;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut profiles = 0;
    for (entry, parsed) in catalog.load_profiles(&args.profiles)? {
        let profile = match parsed {
            Ok(p) => p,
            Err(mut d) => {
                problems.append(&mut d);
                continue;
            }
        };
        let lock = match split(readable_lock(&catalog, &entry, &profile.name))? {
            Ok(l) => l,
            Err(mut d) => {
                problems.append(&mut d);
                continue;
            }
        };
        let prefs = Preferences {
            lock: lock.as_ref(),
            ..Preferences::default()
        };
        profiles += 1;
        let checked = match check_with(&catalog, profile, &prefs)? {
            Ok(c) => c,
            Err(mut d) => {
                problems.append(&mut d);
                continue;
            }
        };
        for (c, layer) in checked.layers.iter().zip(&checked.profile.layers) {
            let (registry, train) = gather(&catalog, layer)?.map_err(Error::Catalog)?;
            let newest_in_train = train
                .first()
                .map_or(c.pack.version.clone(), |r| r.version.clone());
            let all = registry.releases(layer.pack.get_ref())?;
            let newest: Version = all
                .iter()
                .rev()
                .find(|r| !r.version.is_prerelease())
                .map_or(newest_in_train.clone(), |r| r.version.clone());
            let locked = &c.pack.version;
            let mut flags = Vec::new();
            if newest.major() > locked.major() {
                flags.push("major");
            }
            if layer.ty == LayerType::Kubernetes
                && newest.major() == locked.major()
                && newest.minor() > locked.minor() + 1
            {
                flags.push("skips-minor");
            }
            rows.push(Row {
                profile: checked.profile.name.clone(),
                layer: layer.name.clone(),
                pack: c.pack.name.clone(),
                requested: layer.requested.get_ref().clone(),
                locked: locked.to_string(),
                newest_in_train: newest_in_train.to_string(),
                newest: newest.to_string(),
                flags,
            });
        }
    }
    if !problems.is_empty() {
        return Err(Error::Catalog(problems));
    }
    let behind: Vec<&Row> = rows
        .iter()
        .filter(|r| r.locked != r.newest_in_train || r.locked != r.newest)
        .collect();
    if ctx.out.json() {
        ctx.out.print_json_list("layers", &behind);
    } else if behind.is_empty() {
        ctx.out.status(
            "Up to date",
            &format!(
                "every layer of {} is on its newest release",
                crate::output::plural(profiles, "profile")
            ),
        );
    } else {
        let table: Vec<[String; 7]> = behind
            .iter()
            .map(|r| {
                [
                    r.profile.clone(),
                    r.layer.clone(),
                    r.pack.clone(),
                    r.locked.clone(),
                    r.newest_in_train.clone(),
                    r.newest.clone(),
                    r.flags.join(", "),
                ]
            })
            .collect();
        ctx.out.print(&crate::output::format_table(
            [
                "PROFILE", "LAYER", "PACK", "LOCKED", "TRAIN", "NEWEST", "NOTE",
            ],
            &table,
        ));
    }
    if args.exit_code && !behind.is_empty() {
        return Err(Error::Exit(1));
    }
    Ok(())
}

/// `outdated --clusters --format json`.
#[derive(Serialize, schemars::JsonSchema)]
struct ClustersOut<'a> {
    schema_version: u32,
    clusters: &'a [ClusterRow],
}

/// The JSON Schemas of `outdated` and `outdated --clusters`.
pub(crate) fn json_schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![
        ("outdated", crate::schema::list::<Row>("layers")),
        (
            "outdated-clusters",
            crate::schema::generate_value::<ClustersOut<'static>>(),
        ),
    ]
}
