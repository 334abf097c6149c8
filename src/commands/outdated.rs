//! `strata outdated [PROFILE…]`: per layer the locked release, the newest in its train and
//! the newest overall.

use serde::Serialize;

use crate::context::Context;
use crate::error::{Error, Result};
use crate::outdated::{ClusterRow, Row};

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

/// `--clusters`: every pinned profile release (the infra profile and each add-on profile)
/// that is behind the newest release tag of its profile.
fn clusters(ctx: &Context, exit_code: bool) -> Result<()> {
    let catalog = ctx.catalog_unfetched()?;
    let (rows, total) = crate::outdated::clusters(&catalog)?;
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

pub fn run(args: Args, ctx: &Context) -> Result<()> {
    if args.clusters {
        return clusters(ctx, args.exit_code);
    }
    let catalog = ctx.catalog()?;
    let (rows, profiles) = crate::outdated::layers(&catalog, &args.profiles)?;
    let behind: Vec<&Row> = rows.iter().filter(|r| r.is_behind()).collect();
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
                    match (r.flags.join(", "), &r.held_back) {
                        (flags, None) => flags,
                        (flags, Some(why)) if flags.is_empty() => why.clone(),
                        (flags, Some(why)) => format!("{flags}; {why}"),
                    },
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
