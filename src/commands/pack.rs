//! `strata pack list` and `strata pack show`: browse the packs of every registry.

use std::fmt::Write as _;

use serde::Serialize;

use crate::context::Context;
use crate::diagnostic::suggest;
use crate::error::{Error, Result};
use crate::model::pack::{LayerType, Pack};
use crate::model::version::VersionSpec;
use crate::registry::Registry;

/// Browse the packs of the catalog's registries
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    List(ListArgs),
    Show(ShowArgs),
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

/// Show a pack's releases, parameters with defaults, and constraints
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Pack name
    #[arg(add = clap_complete::engine::ArgValueCandidates::new(crate::completion::packs))]
    pub pack: String,
    /// Release to show: a pin, train or requirement [default: the newest stable release]
    #[arg(long)]
    pub version: Option<String>,
    /// Registry to read the pack from [default: the first that has it]
    #[arg(long, add = clap_complete::engine::ArgValueCandidates::new(crate::completion::registries))]
    pub registry: Option<String>,
}

pub fn run(cmd: Command, ctx: &Context) -> Result<()> {
    match cmd {
        Command::List(args) => list(args, ctx),
        Command::Show(args) => show(args, ctx),
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
            rows.push(ListRow {
                name: name.clone(),
                registry: reg.name.clone(),
                layer: newest.layer.to_string(),
                category: newest.category.clone(),
                display_name: newest.display_name.clone(),
                description: newest.description.clone(),
                clouds: newest.clouds.clone(),
                newest: newest.version.to_string(),
                releases: reg
                    .releases(&name)?
                    .iter()
                    .map(|r| r.version.to_string())
                    .collect(),
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
                r.newest.clone(),
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

#[derive(Serialize, schemars::JsonSchema)]
struct ShowOut<'a> {
    name: &'a str,
    version: String,
    registry: &'a str,
    layer: String,
    category: &'a str,
    display_name: &'a str,
    description: &'a str,
    clouds: &'a [String],
    releases: Vec<ReleaseOut>,
    requires: Vec<ConstraintOut>,
    conflicts: Vec<ConstraintOut>,
    params: Vec<ParamOut<'a>>,
    charts: &'a [crate::model::chart::Chart],
    templates: Vec<&'a str>,
    /// A release whose configuration is a values document (palette, helm): its file.
    #[serde(skip_serializing_if = "Option::is_none")]
    document: Option<&'a str>,
    /// Palette presets (`Group:name`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    presets: Vec<String>,
    /// What else the release says (`appVersion`, dependencies, notes), as `[key, value]`.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    facts: &'a [(String, String)],
}

#[derive(Serialize, schemars::JsonSchema)]
struct ReleaseOut {
    version: String,
    prerelease: bool,
}

#[derive(Serialize, schemars::JsonSchema)]
struct ConstraintOut {
    target: String,
    version: String,
    optional: bool,
}

#[derive(Serialize, schemars::JsonSchema)]
struct ParamOut<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    ty: &'a str,
    default: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_from: Option<&'a str>,
    required: bool,
    description: &'a str,
}

fn show(args: ShowArgs, ctx: &Context) -> Result<()> {
    let catalog = match args.registry {
        Some(_) => ctx.catalog_unfetched()?,
        None => ctx.catalog()?,
    };
    let regs = &catalog.registries;
    let registry = match &args.registry {
        Some(r) => {
            let reg = regs.require(r)?;
            if reg.releases(&args.pack)?.is_empty() {
                return Err(Error::usage_hint(
                    format!("registry `{r}` has no pack `{}`", args.pack),
                    suggest(&args.pack, reg.pack_names()?.iter().map(String::as_str)),
                ));
            }
            reg
        }
        None => match regs.having(&args.pack)?.first() {
            Some(reg) => *reg,
            None => {
                let all = regs.all_pack_names()?;
                return Err(Error::usage_hint(
                    format!("unknown pack `{}`", args.pack),
                    suggest(&args.pack, all.iter().map(String::as_str))
                        .or_else(|| Some("`strata pack list` shows every pack".to_string())),
                ));
            }
        },
    };
    let releases = registry.releases(&args.pack)?;
    let release = match &args.version {
        None => releases
            .iter()
            .rev()
            .find(|r| !r.version.is_prerelease())
            .or(releases.last()),
        Some(v) => {
            let spec = VersionSpec::parse(v)
                .map_err(|e| Error::usage_hint(e.message, Some(e.hint.to_string())))?;
            releases.iter().rev().find(|r| spec.admits(&r.version))
        }
    };
    let shown_releases = || {
        releases
            .iter()
            .map(|r| r.version.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(release) = release else {
        return Err(Error::usage_hint(
            format!(
                "no release of `{}` matches `{}`",
                args.pack,
                args.version.as_deref().unwrap_or("x")
            ),
            Some(format!("releases: {}", shown_releases())),
        ));
    };
    let pack = registry.pack(&args.pack, release)?;
    let out = show_out(
        &pack,
        registry,
        &releases
            .iter()
            .map(|r| (r.version.to_string(), r.version.is_prerelease()))
            .collect::<Vec<_>>(),
    );
    if ctx.out.json() {
        ctx.out.print_json_doc(&out);
    } else {
        ctx.out.print(&show_text(&out));
    }
    Ok(())
}

fn show_out<'a>(
    pack: &'a Pack,
    registry: &'a Registry,
    releases: &[(String, bool)],
) -> ShowOut<'a> {
    let constraint = |c: &crate::model::pack::Constraint| ConstraintOut {
        target: match &c.target {
            crate::model::pack::Target::Layer(t) => t.to_string(),
            crate::model::pack::Target::Pack(p) => p.clone(),
        },
        version: c.text.clone(),
        optional: c.optional,
    };
    ShowOut {
        name: &pack.name,
        version: pack.version.to_string(),
        registry: &registry.name,
        layer: pack.layer.to_string(),
        category: &pack.category,
        display_name: &pack.display_name,
        description: &pack.description,
        clouds: &pack.clouds,
        releases: releases
            .iter()
            .map(|(v, pre)| ReleaseOut {
                version: v.clone(),
                prerelease: *pre,
            })
            .collect(),
        requires: pack.requires.iter().map(constraint).collect(),
        conflicts: pack.conflicts.iter().map(constraint).collect(),
        params: pack
            .params
            .iter()
            .map(|(name, spec)| ParamOut {
                name,
                ty: spec.ty.get_ref().as_str(),
                default: spec
                    .default
                    .as_ref()
                    .and_then(|d| serde_json::to_value(d.get_ref()).ok()),
                default_from: spec.default_from.as_ref().map(|f| f.get_ref().as_str()),
                required: spec.required,
                description: &spec.description,
            })
            .collect(),
        charts: &pack.charts,
        templates: pack.templates().map(|(p, _)| p).collect(),
        document: pack.document.as_ref().map(|d| d.file.as_str()),
        presets: pack
            .document
            .iter()
            .flat_map(|d| d.presets.iter().map(|p| p.id()))
            .collect(),
        facts: &pack.facts,
    }
}

fn show_text(o: &ShowOut) -> String {
    let mut s = String::new();
    if o.display_name == o.name {
        let _ = writeln!(s, "{} {}", o.name, o.version);
    } else {
        let _ = writeln!(s, "{} {} ({})", o.name, o.version, o.display_name);
    }
    if !o.description.is_empty() {
        let _ = writeln!(s, "{}", o.description);
    }
    let _ = writeln!(s);
    let kind = if o.category.is_empty() {
        o.layer.clone()
    } else {
        format!("{} ({})", o.layer, o.category)
    };
    let _ = writeln!(s, "layer:     {kind}");
    let _ = writeln!(s, "registry:  {}", o.registry);
    let _ = writeln!(s, "clouds:    {}", o.clouds.join(", "));
    let releases: Vec<String> = o
        .releases
        .iter()
        .rev()
        .map(|r| {
            if r.prerelease {
                format!("{} (pre-release)", r.version)
            } else {
                r.version.clone()
            }
        })
        .collect();
    let _ = writeln!(s, "releases:  {}", releases.join(", "));
    if !o.templates.is_empty() {
        let _ = writeln!(s, "templates: {}", o.templates.join(", "));
    }
    if let Some(d) = o.document {
        let _ = writeln!(s, "values:    {d} (layer values merge into it by key path)");
    }
    if !o.presets.is_empty() {
        let _ = writeln!(s, "presets:   {}", o.presets.join(", "));
    }
    if !o.facts.is_empty() {
        let _ = writeln!(
            s,
            "
about:"
        );
        for (k, v) in o.facts {
            let _ = writeln!(s, "  {k}: {v}");
        }
    }
    show_delivery_and_rules(&mut s, o);
    s
}

/// The rest of `pack show`: the charts, `requires`, `conflicts` and parameters.
fn show_delivery_and_rules(s: &mut String, o: &ShowOut) {
    if !o.charts.is_empty() {
        let _ = writeln!(s, "\ncharts:");
        for c in o.charts {
            let release = c
                .release
                .as_deref()
                .map(|r| format!(", release `{r}`"))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "  {} {} from {} into namespace `{}`{release}, values from `{}`",
                c.name, c.version, c.repo, c.namespace, c.values
            );
        }
    }
    for (title, list) in [("requires", &o.requires), ("conflicts", &o.conflicts)] {
        if !list.is_empty() {
            let _ = writeln!(s, "\n{title}:");
            for c in list {
                let opt = if c.optional { " (if present)" } else { "" };
                let _ = writeln!(s, "  {} {}{opt}", c.target, c.version);
            }
        }
    }
    if !o.params.is_empty() {
        let _ = writeln!(s, "\nparameters:");
        let rows: Vec<[String; 4]> = o
            .params
            .iter()
            .map(|p| {
                let mut default = match &p.default {
                    Some(d) => d.to_string(),
                    None if p.required => "(required)".to_string(),
                    None => "-".to_string(),
                };
                if let Some(from) = p.default_from {
                    default = format!("{from}, else {default}");
                }
                [
                    p.name.to_string(),
                    p.ty.to_string(),
                    default,
                    p.description.to_string(),
                ]
            })
            .collect();
        for line in
            crate::output::format_table(["NAME", "TYPE", "DEFAULT", "DESCRIPTION"], &rows).lines()
        {
            let _ = writeln!(s, "  {line}");
        }
    }
}

/// The JSON Schema of this command's `--format json` output.
pub(crate) fn json_schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![
        ("pack-list", crate::schema::list::<ListRow>("packs")),
        ("pack-show", crate::schema::doc::<ShowOut<'static>>()),
    ]
}
