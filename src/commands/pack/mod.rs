//! `strata pack list` and `strata pack show`: browse the packs of every registry.

mod show;

use serde::Serialize;

use crate::context::Context;
use crate::diagnostic::suggest;
use crate::error::{Error, Result};
use crate::model::pack::LayerType;
use crate::registry::Registry;

/// Browse the packs of the catalog's registries
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    List(ListArgs),
    Show(show::ShowArgs),
}

/// List packs with their newest release
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only packs of this layer type (os, kubernetes, network, storage, addon)
    #[arg(long)]
    pub layer: Option<String>,
    /// Only packs that support this cloud
    #[arg(long)]
    pub cloud: Option<String>,
    /// Only packs of this registry
    #[arg(long, add = clap_complete::engine::ArgValueCandidates::new(crate::completion::registries))]
    pub registry: Option<String>,
}

pub fn run(cmd: Command, ctx: &Context) -> Result<()> {
    match cmd {
        Command::List(args) => list(args, ctx),
        Command::Show(args) => show::show(args, ctx),
    }
}

#[derive(Serialize, schemars::JsonSchema)]
struct ListRow {
    name: String,
    registry: String,
    layer: String,
    category: String,
    display_name: String,
    description: String,
    clouds: Vec<String>,
    newest: String,
    releases: Vec<String>,
    /// Why `lock` would refuse the newest release (a git registry with `signers`).
    #[serde(skip_serializing_if = "Option::is_none")]
    refused: Option<String>,
}

fn parse_layer(s: &str) -> Result<LayerType> {
    LayerType::parse(s).ok_or_else(|| {
        Error::usage_hint(
            format!("unknown layer type `{s}`"),
            suggest(s, LayerType::ALL.iter().map(|t| t.as_str())),
        )
    })
}

fn list(args: ListArgs, ctx: &Context) -> Result<()> {
    // With `--registry`, only that registry is read (and fetched).
    let catalog = match args.registry {
        Some(_) => ctx.catalog_unfetched()?,
        None => ctx.catalog()?,
    };
    let layer = args.layer.as_deref().map(parse_layer).transpose()?;
    let registries: Vec<&Registry> = match &args.registry {
        Some(r) => vec![catalog.registries.require(r)?],
        None => catalog.registries.iter().collect(),
    };
    let mut rows = Vec::new();
    for reg in registries {
        for name in reg.pack_names()? {
            // A chart repository's packs are listed from its index: no archive downloaded.
            if let Some(description) = reg.describe(&name)? {
                rows.extend(chart_row(reg, &name, description, layer)?);
                continue;
            }
            let Some(newest) = reg.newest(&name)? else {
                continue;
            };
            if layer.is_some_and(|l| l != newest.layer) {
                continue;
            }
            if args
                .cloud
                .as_deref()
                .is_some_and(|c| !newest.supports_cloud(c))
            {
                continue;
            }
            let releases = reg.releases(&name)?;
            let newest_ref = releases.iter().rev().find(|r| r.version == newest.version);
            let refused = match newest_ref.map(|r| reg.signature(r)).transpose()?.flatten() {
                Some(crate::trust::Verdict::Refused(why)) => Some(why),
                _ => None,
            };
            rows.push(ListRow {
                refused,
                name: name.clone(),
                registry: reg.name.clone(),
                layer: newest.layer.to_string(),
                category: newest.category.clone(),
                display_name: newest.display_name.clone(),
                description: newest.description.clone(),
                clouds: newest.clouds.clone(),
                newest: newest.version.to_string(),
                releases: releases.iter().map(|r| r.version.to_string()).collect(),
            });
        }
    }
    // Core layers first, in profile order, then add-ons; by name within a layer.
    rows.sort_by(|a, b| {
        let rank = |r: &ListRow| LayerType::parse(&r.layer);
        (rank(a), &a.name, &a.registry).cmp(&(rank(b), &b.name, &b.registry))
    });
    if ctx.out.json() {
        ctx.out.print_json_list("packs", &rows);
        return Ok(());
    }
    if rows.is_empty() {
        ctx.out.status("Found", "no packs match");
        return Ok(());
    }
    let table: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                r.name.clone(),
                r.layer.clone(),
                r.category.clone(),
                match &r.refused {
                    Some(_) => format!("{} (refused)", r.newest),
                    None => r.newest.clone(),
                },
                r.registry.clone(),
                r.clouds.join(","),
            ]
        })
        .collect();
    ctx.out.print(&crate::output::format_table(
        ["PACK", "LAYER", "CATEGORY", "NEWEST", "REGISTRY", "CLOUDS"],
        &table,
    ));
    Ok(())
}

/// The row of a chart from a chart repository's index: a chart fits any layer and cloud.
fn chart_row(
    reg: &Registry,
    name: &str,
    description: String,
    layer: Option<LayerType>,
) -> Result<Option<ListRow>> {
    if layer.is_some_and(|l| l != LayerType::Addon) {
        return Ok(None);
    }
    let releases = reg.releases(name)?;
    let Some(newest) = releases
        .iter()
        .rev()
        .find(|r| !r.version.is_prerelease())
        .or(releases.last())
    else {
        return Ok(None);
    };
    Ok(Some(ListRow {
        // A chart repository's packs are listed from its index: their signatures (which
        // need the archives) are asked by `lock` and `pack show`.
        refused: None,
        name: name.to_string(),
        registry: reg.name.clone(),
        layer: LayerType::Addon.to_string(),
        category: "chart".to_string(),
        display_name: name.to_string(),
        description,
        clouds: vec!["all".to_string()],
        newest: newest.version.to_string(),
        releases: releases.iter().map(|r| r.version.to_string()).collect(),
    }))
}

/// The JSON Schema of this command's `--format json` output.
pub(crate) fn json_schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![
        ("pack-list", crate::schema::list::<ListRow>("packs")),
        ("pack-show", crate::schema::doc::<show::ShowOut<'static>>()),
    ]
}
