//! `strata validate [PROFILE…]`: check profiles against every rule of the design.

use serde::Serialize;

use crate::annotate::{self, Level};
use crate::catalog::ProfileEntry;
use crate::check::Checked;
use crate::commands::render::env_var;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::output::{OutputFormat, plural, s};

/// Check profiles: layout, packs, releases, clouds, parameters, requires and conflicts
/// (and, without names, every cluster)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Profiles to check (default: all profiles and all clusters)
    #[arg(value_name = "PROFILE", add = clap_complete::engine::ArgValueCandidates::new(crate::completion::profiles))]
    pub profiles: Vec<String>,
    /// Also render every layer with helm and check the objects: APIs the profile's
    /// Kubernetes no longer serves, and references no layer creates
    #[arg(long)]
    pub manifests: bool,
}

#[derive(Serialize, schemars::JsonSchema)]
struct Report {
    profiles: Vec<ProfileReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    clusters: Option<ClusterSummary>,
    problems: Vec<Diagnostic>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct ClusterSummary {
    checked: usize,
    invalid: usize,
    problems: Vec<Diagnostic>,
    /// With `--manifests`: deprecated APIs and references nothing creates.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<Diagnostic>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct ProfileReport {
    name: String,
    file: String,
    valid: bool,
    layers: Vec<LayerReport>,
    problems: Vec<Diagnostic>,
    /// Not problems: variables no value uses, deprecated APIs, references nothing creates.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<Diagnostic>,
    /// With `--manifests`: how many objects its layers render.
    #[serde(skip_serializing_if = "Option::is_none")]
    objects: Option<usize>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct LayerReport {
    name: String,
    #[serde(rename = "type")]
    ty: String,
    pack: String,
    registry: String,
    requested: String,
    version: String,
}

pub fn run(args: Args, ctx: &Context) -> Result<()> {
    let catalog = ctx.catalog_locked()?;
    let mut validation =
        crate::validate::validate(&catalog, &ctx.registries, &args.profiles, &env_var)?;
    let cluster_warnings = match (&mut validation.clusters, args.manifests) {
        (Some(c), true) => check_cluster_manifests(&catalog, c, ctx)?,
        _ => Vec::new(),
    };
    let mut cluster_lines = String::new();
    let mut report = Report {
        profiles: validation
            .profiles
            .into_iter()
            .map(profile_report)
            .collect(),
        clusters: validation.clusters.map(|c| {
            for (name, summary) in &c.ok {
                cluster_lines.push_str(&format!("ok cluster {name}: {summary}\n"));
            }
            ClusterSummary {
                checked: c.total,
                invalid: c.invalid,
                problems: c.problems,
                warnings: cluster_warnings,
            }
        }),
        problems: validation.defaults,
    };
    let unreadable = validation.unreadable;
    if args.manifests {
        check_manifests(&catalog, &mut report.profiles, ctx)?;
    }
    let cluster_warnings = report.clusters.iter().flat_map(|c| &c.warnings);
    for d in report
        .profiles
        .iter()
        .flat_map(|p| &p.warnings)
        .chain(cluster_warnings)
    {
        ctx.out.warn(&d.to_string());
    }
    let invalid = report.profiles.iter().filter(|p| !p.valid).count();
    let annotated = matches!(ctx.out.format, OutputFormat::Github | OutputFormat::Sarif);
    if ctx.out.json() {
        ctx.out.print_json_doc(&report);
    } else if annotated {
        // Printed below, once every problem is collected.
    } else if ctx.out.verbosity > crate::output::Verbosity::Quiet {
        print_ok(ctx, &report, &cluster_lines, unreadable.is_some());
    }
    let mut problems = std::mem::take(&mut report.problems);
    for p in report.profiles.iter_mut() {
        problems.append(&mut p.problems);
    }
    let (clusters_invalid, clusters_total) = match &mut report.clusters {
        Some(c) => {
            problems.append(&mut c.problems);
            (c.invalid, c.checked)
        }
        None => (0, 0),
    };
    if annotated {
        print_annotations(ctx, &problems, &report);
    }
    if let Some(e) = unreadable {
        for d in &problems {
            crate::output::report(&Error::Catalog(vec![d.clone()]));
        }
        return Err(e);
    }
    if problems.is_empty() {
        return Ok(());
    }
    let total = report.profiles.len();
    let clusters = if clusters_total > 0 {
        format!(
            " and {clusters_invalid} of {clusters_total} cluster{}",
            s(clusters_total)
        )
    } else {
        String::new()
    };
    problems.push(Diagnostic::plain(format!(
        "{} in {invalid} of {total} profile{}{clusters}",
        plural(problems.len(), "problem"),
        s(total)
    )));
    Err(Error::Catalog(problems))
}

/// One `ok` line per good profile and cluster (or a note that there is nothing to check).
fn print_ok(ctx: &Context, report: &Report, cluster_lines: &str, unreadable: bool) {
    let mut out = String::new();
    for p in report.profiles.iter().filter(|p| p.valid) {
        let layers: Vec<String> = p
            .layers
            .iter()
            .map(|l| format!("{} {}", l.pack, l.version))
            .collect();
        let layers = if layers.is_empty() {
            "no layers".to_string()
        } else {
            layers.join(", ")
        };
        let objects = p
            .objects
            .map(|n| format!(" ({})", plural(n, "object")))
            .unwrap_or_default();
        out.push_str(&format!("ok {}: {layers}{objects}\n", p.name));
    }
    out.push_str(cluster_lines);
    if report.profiles.is_empty() && report.clusters.is_none() && !unreadable {
        ctx.out.status(
            "Checked",
            "no profiles (create one with `strata profile new NAME --cloud C`)",
        );
    } else if !out.is_empty() {
        ctx.out.print(&out);
    }
}

/// Every problem as an error and every warning of a good profile as a warning, as GitHub
/// annotations or SARIF.
fn print_annotations(ctx: &Context, problems: &[Diagnostic], report: &Report) {
    let mut items: Vec<(Level, &Diagnostic)> = problems.iter().map(|d| (Level::Error, d)).collect();
    // The warnings stay with their profiles (only their problems were moved out).
    items.extend(
        report
            .profiles
            .iter()
            .flat_map(|p| &p.warnings)
            .chain(report.clusters.iter().flat_map(|c| &c.warnings))
            .map(|d| (Level::Warning, d)),
    );
    match ctx.out.format {
        OutputFormat::Github => ctx.out.print(&annotate::github(&items)),
        _ => ctx
            .out
            .print_json(&annotate::sarif(&items, crate::cli::VERSION)),
    }
}

/// Render each valid profile's layers with helm and check the objects: errors make the
/// profile invalid, warnings stay with it.
fn check_manifests(
    catalog: &crate::catalog::Catalog,
    profiles: &mut [ProfileReport],
    ctx: &Context,
) -> Result<()> {
    if !profiles.iter().any(|p| p.valid) {
        return Ok(());
    }
    let helm = super::manifests::find_helm(ctx)?;
    let valid: std::collections::BTreeSet<String> = profiles
        .iter()
        .filter(|p| p.valid)
        .map(|p| p.name.clone())
        .collect();
    let mut rendered: std::collections::BTreeMap<String, Result<super::manifests::Manifests>> =
        super::manifests::every_profile(catalog, &|n| valid.contains(n), ctx, &helm)?
            .into_iter()
            .collect();
    for p in profiles.iter_mut().filter(|p| p.valid) {
        let rendered = match rendered.remove(&p.name) {
            Some(Ok(r)) => r,
            Some(Err(Error::Catalog(problems))) => {
                p.problems = problems;
                p.valid = false;
                continue;
            }
            Some(Err(e)) => return Err(e),
            None => continue,
        };
        let (errors, mut warnings) = crate::manifests::check(
            &rendered.objects,
            rendered.kube.as_deref(),
            &rendered.layers,
        );
        p.objects = Some(rendered.objects.len());
        p.warnings.append(&mut warnings);
        if !errors.is_empty() {
            p.problems = errors;
            p.valid = false;
        }
    }
    Ok(())
}

/// Render each good cluster's stack with helm and check its objects: errors make the
/// cluster invalid (its `ok` line goes); the warnings, each naming the cluster, are
/// returned.
fn check_cluster_manifests(
    catalog: &crate::catalog::Catalog,
    clusters: &mut crate::cluster::Checks,
    ctx: &Context,
) -> Result<Vec<Diagnostic>> {
    if clusters.ok.is_empty() {
        return Ok(Vec::new());
    }
    let helm = super::manifests::find_helm(ctx)?;
    let mut warnings = Vec::new();
    let mut ok = Vec::new();
    for (name, summary) in std::mem::take(&mut clusters.ok) {
        let named = |mut d: Diagnostic| {
            d.message = format!("cluster `{name}`: {}", d.message);
            d
        };
        let (errors, found) =
            match super::manifests::cluster_objects(catalog, (&name, &[]), true, ctx, &helm) {
                Ok(m) => crate::manifests::check(&m.objects, m.kube.as_deref(), &m.layers),
                Err(Error::Catalog(problems)) => (problems, Vec::new()),
                Err(e) => return Err(e),
            };
        warnings.extend(found.into_iter().map(named));
        if errors.is_empty() {
            ok.push((name, summary));
        } else {
            clusters.invalid += 1;
            clusters.problems.extend(errors.into_iter().map(named));
        }
    }
    clusters.ok = ok;
    Ok(warnings)
}

/// A profile as the report shows it.
fn profile_report(
    (entry, checked): (ProfileEntry, std::result::Result<Checked, Vec<Diagnostic>>),
) -> ProfileReport {
    match checked {
        Ok(c) => ProfileReport {
            name: c.profile.name.clone(),
            file: entry.file(),
            valid: true,
            warnings: c.profile.unused_variables(),
            layers: c
                .layers
                .iter()
                .map(|l| LayerReport {
                    name: l.layer.name.clone(),
                    ty: l.layer.ty.to_string(),
                    pack: l.pack.name.clone(),
                    registry: l.registry.name.clone(),
                    requested: l.layer.requested.get_ref().clone(),
                    version: l.pack.version.to_string(),
                })
                .collect(),
            problems: Vec::new(),
            objects: None,
        },
        Err(problems) => ProfileReport {
            name: entry.folder_name.clone(),
            file: entry.file(),
            valid: false,
            layers: Vec::new(),
            problems,
            warnings: Vec::new(),
            objects: None,
        },
    }
}

/// The JSON Schema of this command's `--format json` output.
pub(crate) fn json_schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![("validate", crate::schema::doc::<Report>())]
}
