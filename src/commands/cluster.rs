//! `strata cluster list | validate [NAME…] | render NAME`: clusters that pin profile
//! releases and supply their variables.

use std::path::PathBuf;

use serde::Serialize;

use crate::cluster::{self, build, load_clusters, select};
use crate::commands::render::{KindArg, emit, env_var};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::output::{plural, s};

/// Clusters that pin profile releases: list, validate and render them
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List the clusters: the profile release each pins, its add-on profiles
    List,
    /// Check clusters: pinned releases exist, add-on profiles fit, variables are present and
    /// well typed, every layer renders
    Validate(ValidateArgs),
    /// Render a cluster: its pinned profile releases, from their locks, with its variables
    Render(RenderArgs),
}

#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Clusters to check (default: all)
    #[arg(value_name = "NAME", add = clap_complete::engine::ArgValueCandidates::new(crate::completion::clusters))]
    pub clusters: Vec<String>,
    /// A value for a variable (repeatable); `STRATA_VAR_<NAME>` in the environment wins
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    /// Cluster to render
    #[arg(add = clap_complete::engine::ArgValueCandidates::new(crate::completion::clusters))]
    pub cluster: String,
    /// Write DIR/<layer name>/<file> instead of printing (the only output that holds
    /// sensitive values)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Only files of this kind: chart values, manifests (Kubernetes objects), other files
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// A value for a variable (repeatable); `STRATA_VAR_<NAME>` in the environment wins
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Render every layer to the Kubernetes objects it runs (charts through helm) instead of
    /// files (with `--out`, DIR/<layer>/<kind>-<namespace>-<name>.yaml)
    #[arg(long, conflicts_with = "kind")]
    pub manifests: bool,
}

pub fn run(command: Command, ctx: &Context) -> Result<()> {
    match command {
        Command::List => list(ctx),
        Command::Validate(args) => validate(args, ctx),
        Command::Render(args) => render(args, ctx),
    }
}

#[derive(Serialize, schemars::JsonSchema)]
struct Listed {
    schema_version: u32,
    clusters: Vec<ListedCluster>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct ListedCluster {
    name: String,
    file: String,
    profile: String,
    /// `null`: the working tree.
    version: Option<String>,
    addons: Vec<ListedAddon>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct ListedAddon {
    profile: String,
    version: Option<String>,
}

fn list(ctx: &Context) -> Result<()> {
    let catalog = ctx.catalog_locked()?;
    let loaded = load_clusters(&catalog)?;
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for (_, parsed) in loaded {
        match parsed {
            Ok(c) => out.push(ListedCluster {
                name: c.name.clone(),
                file: c.file().to_string(),
                profile: c.profile.profile.get_ref().clone(),
                version: c.profile.version.as_ref().map(|(_, v)| v.to_string()),
                addons: c
                    .addons
                    .iter()
                    .map(|a| ListedAddon {
                        profile: a.profile.get_ref().clone(),
                        version: a.version.as_ref().map(|(_, v)| v.to_string()),
                    })
                    .collect(),
            }),
            Err(mut d) => problems.append(&mut d),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Catalog(problems));
    }
    if ctx.out.json() {
        ctx.out.print_json(&Listed {
            schema_version: 1,
            clusters: out,
        });
        return Ok(());
    }
    if out.is_empty() {
        ctx.out.status(
            "Listed",
            &format!(
                "no clusters (a cluster is `{}/<name>/{}`)",
                cluster::DIR,
                cluster::FILE_NAME
            ),
        );
        return Ok(());
    }
    let version = |v: &Option<String>| v.clone().unwrap_or_else(|| "working tree".to_string());
    let rows: Vec<[String; 4]> = out
        .iter()
        .map(|c| {
            [
                c.name.clone(),
                c.profile.clone(),
                version(&c.version),
                c.addons
                    .iter()
                    .map(|a| format!("{} {}", a.profile, version(&a.version)))
                    .collect::<Vec<_>>()
                    .join(", "),
            ]
        })
        .collect();
    ctx.out.print(&crate::output::format_table(
        ["CLUSTER", "PROFILE", "VERSION", "ADD-ONS"],
        &rows,
    ));
    Ok(())
}

fn validate(args: ValidateArgs, ctx: &Context) -> Result<()> {
    let catalog = ctx.catalog_locked()?;
    let loaded = select(load_clusters(&catalog)?, &args.clusters)?;
    let cluster::Checks {
        ok,
        mut problems,
        invalid,
        total,
    } = cluster::check(
        &catalog,
        &ctx.registries.locked_reads(),
        loaded,
        &args.vars,
        &env_var,
    )?;
    let out: String = ok
        .iter()
        .map(|(name, summary)| format!("ok cluster {name}: {summary}\n"))
        .collect();
    if ctx.out.json() {
        ctx.out.print_json(&ValidateReport {
            schema_version: 1,
            clusters: total,
            invalid,
            problems: &problems,
        });
    } else if total == 0 {
        ctx.out.status(
            "Checked",
            &format!(
                "no clusters (a cluster is `{}/<name>/{}`)",
                cluster::DIR,
                cluster::FILE_NAME
            ),
        );
    } else if !out.is_empty() {
        ctx.out.print(&out);
    }
    if problems.is_empty() {
        return Ok(());
    }
    problems.push(Diagnostic::plain(format!(
        "{} in {invalid} of {total} cluster{}",
        plural(problems.len(), "problem"),
        s(total)
    )));
    Err(Error::Catalog(problems))
}

fn render(args: RenderArgs, ctx: &Context) -> Result<()> {
    let catalog = ctx.catalog_locked()?;
    if args.manifests {
        let helm = super::manifests::find_helm(ctx)?;
        let m = super::manifests::cluster_objects(
            &catalog,
            (&args.cluster, &args.vars),
            false,
            ctx,
            &helm,
        )?;
        return super::manifests::print(&m, args.out.as_deref(), ctx);
    }
    let c = cluster::find(&catalog, &args.cluster)?;
    let built = build(
        &catalog,
        &ctx.registries.locked_reads(),
        &c,
        &args.vars,
        &env_var,
    )?
    .map_err(Error::Catalog)?;
    emit(
        &[(None, built.layers)],
        args.out.as_deref(),
        args.kind,
        &built.secrets,
        ctx,
    )
}

/// `cluster validate --format json`.
#[derive(Serialize, schemars::JsonSchema)]
struct ValidateReport<'a> {
    schema_version: u32,
    clusters: usize,
    invalid: usize,
    problems: &'a [Diagnostic],
}

/// The JSON Schemas of `cluster list`, `cluster validate` and `cluster render`.
pub(crate) fn json_schemas() -> Vec<(&'static str, serde_json::Value)> {
    use crate::schema::generate_value as g;
    vec![
        ("cluster-list", g::<Listed>()),
        ("cluster-validate", g::<ValidateReport<'static>>()),
    ]
}
