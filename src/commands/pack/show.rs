//! `strata pack show PACK`: a release's metadata, releases, constraints, charts and
//! parameters with their defaults.

use std::fmt::Write as _;

use serde::Serialize;

use crate::context::Context;
use crate::diagnostic::suggest;
use crate::error::{Error, Result};
use crate::model::pack::Pack;
use crate::model::version::VersionSpec;
use crate::registry::Registry;

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
    /// List every release (by default: the newest of each of the newest trains, and a count)
    #[arg(long)]
    pub all: bool,
}

#[derive(Serialize, schemars::JsonSchema)]
pub(super) struct ShowOut<'a> {
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
    /// Why `lock` would refuse it (a registry with signers: not signed by a listed key).
    #[serde(skip_serializing_if = "Option::is_none")]
    refused: Option<String>,
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

pub(super) fn show(args: ShowArgs, ctx: &Context) -> Result<()> {
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
    // Whether `lock` would refuse a release is asked of the newest few only: for a chart
    // registry it means downloading the archive or signature.
    let mut listed = Vec::new();
    let asked = releases.len().saturating_sub(SIGNATURES_ASKED);
    for (i, r) in releases.iter().enumerate() {
        let verdict = if i >= asked {
            registry.signature(r)?
        } else {
            None
        };
        let refused = match verdict {
            Some(crate::trust::Verdict::Refused(why)) => Some(why),
            _ => None,
        };
        listed.push((r.version.to_string(), r.version.is_prerelease(), refused));
    }
    let out = show_out(&pack, registry, &listed);
    if ctx.out.json() {
        ctx.out.print_json_doc(&out);
    } else {
        ctx.out.print(&show_text(&out, args.all));
    }
    Ok(())
}

/// How many of a pack's newest releases `pack show` asks about signatures.
const SIGNATURES_ASKED: usize = 10;

fn show_out<'a>(
    pack: &'a Pack,
    registry: &'a Registry,
    releases: &[(String, bool, Option<String>)],
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
            .map(|(v, pre, refused)| ReleaseOut {
                version: v.clone(),
                prerelease: *pre,
                refused: refused.clone(),
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

/// A text from a release's own files, as `pack show` prints it: on one line, with nothing
/// a terminal would act on, and cut when it is long.
fn t(text: &str) -> String {
    crate::shown::one_line(&crate::shown::shorten(text, 300)).into_owned()
}

/// The most trains `pack show` names by default.
const TRAINS_SHOWN: usize = 10;

/// The releases as `pack show` lists them, newest first: all of them, or the newest release
/// of each of the [`TRAINS_SHOWN`] newest trains (`major.minor`) and a count.
fn releases_line(releases: &[ReleaseOut], all: bool) -> String {
    let show = |r: &ReleaseOut| match (r.prerelease, &r.refused) {
        (_, Some(_)) => format!("{} (refused: not signed by a listed key)", t(&r.version)),
        (true, None) => format!("{} (pre-release)", t(&r.version)),
        (false, None) => t(&r.version),
    };
    if all {
        return releases
            .iter()
            .rev()
            .map(show)
            .collect::<Vec<_>>()
            .join(", ");
    }
    let train = |v: &str| {
        let v = v.trim_start_matches('v');
        let mut parts = v.split(['.', '-', '+']);
        (
            parts.next().unwrap_or("").to_string(),
            parts.next().unwrap_or("").to_string(),
        )
    };
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut shown = Vec::new();
    for r in releases.iter().rev() {
        let key = train(&r.version);
        if seen.contains(&key) {
            continue;
        }
        if seen.len() == TRAINS_SHOWN {
            break;
        }
        seen.push(key);
        shown.push(show(r));
    }
    let mut line = shown.join(", ");
    if shown.len() < releases.len() {
        line.push_str(&format!(
            " (the newest of {}; {} in all, `--all` lists them)",
            crate::output::plural(shown.len(), "train"),
            crate::output::plural(releases.len(), "release")
        ));
    }
    line
}

fn show_text(o: &ShowOut, all: bool) -> String {
    let mut s = String::new();
    if o.display_name == o.name {
        let _ = writeln!(s, "{} {}", t(o.name), t(&o.version));
    } else {
        let _ = writeln!(s, "{} {} ({})", t(o.name), t(&o.version), t(o.display_name));
    }
    if !o.description.is_empty() {
        let _ = writeln!(s, "{}", t(o.description));
    }
    let _ = writeln!(s);
    let kind = if o.category.is_empty() {
        o.layer.clone()
    } else {
        format!("{} ({})", o.layer, t(o.category))
    };
    let _ = writeln!(s, "layer:     {kind}");
    let _ = writeln!(s, "registry:  {}", o.registry);
    let _ = writeln!(s, "clouds:    {}", t(&o.clouds.join(", ")));
    let _ = writeln!(s, "releases:  {}", releases_line(&o.releases, all));
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
            let _ = writeln!(s, "  {}: {}", t(k), t(v));
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
                "  {} {} from {} into namespace `{}`{}, values from `{}`",
                t(&c.name),
                t(&c.version),
                t(&c.repo),
                t(&c.namespace),
                t(&release),
                t(&c.values)
            );
        }
    }
    for (title, list) in [("requires", &o.requires), ("conflicts", &o.conflicts)] {
        if !list.is_empty() {
            let _ = writeln!(s, "\n{title}:");
            for c in list {
                let opt = if c.optional { " (if present)" } else { "" };
                let _ = writeln!(s, "  {} {}{opt}", t(&c.target), t(&c.version));
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
