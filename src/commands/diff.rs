//! `strata diff [--base REF] [--head REF]`: what a change does to every profile's resolved
//! stack, for review.

use super::manifests::Manifests;
use crate::catalog::Catalog;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::output::OutputFormat;
use crate::review;

/// Compare two revisions of the catalog (default: HEAD against the working tree): releases,
/// parameter values and rendered files of every profile
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The old side: a tag, branch or commit
    #[arg(long, default_value = "HEAD", value_name = "REF")]
    pub base: String,
    /// The new side [default: the working tree]
    #[arg(long, value_name = "REF")]
    pub head: Option<String>,
    /// Exit with 1 when there are changes
    #[arg(long)]
    pub exit_code: bool,
    /// Markdown: lines of each file's diff shown before it is cut short
    #[arg(long, default_value_t = 200, value_name = "N")]
    pub max_diff_lines: usize,
    /// Also render the changed layers with helm at both sides and show the Kubernetes
    /// objects added, removed and changed
    #[arg(long)]
    pub manifests: bool,
}

pub fn run(args: Args, ctx: &Context) -> Result<()> {
    if ctx.at.is_some() {
        return Err(Error::usage(
            "`strata diff` takes `--base` and `--head`, not `--at`",
        ));
    }
    let root = Catalog::find_root(&ctx.start_dir())?;
    // In a repository with no commit yet, HEAD is an empty catalog: everything is added.
    let unborn = args.base == "HEAD"
        && git2::Repository::discover(&root).is_ok_and(|r| {
            r.head()
                .is_err_and(|e| e.code() == git2::ErrorCode::UnbornBranch)
        });
    let base = match unborn {
        true => None,
        false => Some(Catalog::open_at(
            &root,
            &args.base,
            &ctx.registries.locked_reads(),
        )?),
    };
    let head = match &args.head {
        Some(rev) => Catalog::open_at(&root, rev, &ctx.registries.locked_reads())?,
        None => Catalog::open(&root, &ctx.registries.locked_reads())?,
    };
    let head_label = args
        .head
        .clone()
        .unwrap_or_else(|| "working tree".to_string());
    let (base_side, head_side, unchanged) = review::sides(base.as_ref(), &head)?;
    let mut diff = review::diff(&args.base, &head_label, &base_side, &head_side);
    diff.unchanged += unchanged;
    let base_clusters = match &base {
        Some(base) => review::clusters::side(base)?,
        None => review::clusters::ClusterSide {
            clusters: Default::default(),
            sensitive: Default::default(),
        },
    };
    diff.clusters = review::clusters::diff(&base_clusters, &review::clusters::side(&head)?);
    review::cluster_stacks(
        &mut diff.clusters,
        base.as_ref(),
        &head,
        &ctx.registries.locked_reads(),
    )?;
    if args.manifests {
        let base_label = args.base.as_str();
        fill_objects(
            &mut diff,
            (base.as_ref(), base_label),
            (&head, &head_label),
            ctx,
        )?;
    }
    match ctx.out.format {
        OutputFormat::Json => ctx.out.print_json(&diff),
        OutputFormat::Markdown => ctx.out.print(&diff.markdown(args.max_diff_lines)),
        // `commands::formats` admits no other format for `diff`.
        _ => ctx.out.print(&diff.text()),
    }
    let changed = !diff.is_empty();
    // The run ends here (`exit_now`): the two sides of a large review are not worth
    // freeing one value at a time.
    std::mem::forget((diff, base_side, head_side, base, head));
    if args.exit_code && changed {
        return Err(Error::Exit(1));
    }
    Ok(())
}

/// Each changed profile's objects (of its changed layers) and each changed cluster's at
/// both sides, compared; a side that cannot be rendered (no current lock there, a template
/// that fails) is a note.
fn fill_objects(
    diff: &mut review::diff::Diff,
    (base, base_label): (Option<&Catalog>, &str),
    (head, head_label): (&Catalog, &str),
    ctx: &Context,
) -> Result<()> {
    use review::status::Status;
    if diff.profiles.iter().all(|p| p.status == Status::Invalid) && diff.clusters.is_empty() {
        return Ok(());
    }
    let helm = super::manifests::find_helm(ctx)?;
    let labels = (base_label, head_label);
    // Each side's changed profiles in one batch: their charts render in one pool.
    let wanted: Vec<(usize, Vec<String>)> = diff
        .profiles
        .iter()
        .enumerate()
        .filter(|(_, p)| p.status != Status::Invalid)
        .map(|(i, p)| (i, p.layers.iter().map(|l| l.name.clone()).collect()))
        .collect();
    let side =
        |catalog: Option<&Catalog>, skip: Status| -> Result<Vec<Option<Result<Manifests>>>> {
            let asks: Vec<(&str, &[String])> = wanted
                .iter()
                .filter(|(i, _)| diff.profiles[*i].status != skip)
                .map(|(i, only)| (diff.profiles[*i].name.as_str(), only.as_slice()))
                .collect();
            let mut done = match catalog {
                Some(c) => super::manifests::batch(c, &asks, ctx, &helm)?.into_iter(),
                None => Vec::new().into_iter(),
            };
            Ok(wanted
                .iter()
                .map(
                    |(i, _)| match diff.profiles[*i].status == skip || catalog.is_none() {
                        true => None,
                        false => done.next(),
                    },
                )
                .collect())
        };
    let olds = side(base, Status::Added)?;
    let news = side(Some(head), Status::Removed)?;
    for (((i, _), old), new) in wanted.iter().zip(olds).zip(news) {
        let p = &mut diff.profiles[*i];
        p.objects = compare(old, new, labels, &mut p.notes)?;
    }
    for c in diff.clusters.iter_mut() {
        let render = |catalog: Option<&Catalog>, skip: Status| match catalog {
            Some(catalog) if c.status != skip => Some(super::manifests::cluster_objects(
                catalog,
                (&c.name, &[]),
                true,
                ctx,
                &helm,
            )),
            _ => None,
        };
        let (old, new) = (
            render(base, Status::Added),
            render(Some(head), Status::Removed),
        );
        c.objects = compare(old, new, labels, &mut c.notes)?;
    }
    Ok(())
}

/// The objects that differ between two sides' renders (`None`: the side has none); `notes`
/// gets why a side could not be rendered (then nothing is compared).
fn compare(
    old: Option<Result<Manifests>>,
    new: Option<Result<Manifests>>,
    (base_label, head_label): (&str, &str),
    notes: &mut Vec<String>,
) -> Result<Vec<review::objects::ObjectDiff>> {
    let mut secrets = Vec::new();
    let mut side = |r: Option<Result<Manifests>>, label: &str| -> Result<Option<Vec<_>>> {
        match r {
            None => Ok(Some(Vec::new())),
            Some(Ok(m)) => {
                secrets.extend(m.secrets);
                Ok(Some(m.objects))
            }
            Some(Err(Error::Catalog(d))) => {
                for d in d {
                    notes.push(format!("at {label}: objects not rendered: {}", d.message));
                }
                Ok(None)
            }
            Some(Err(e)) => Err(e),
        }
    };
    let old = side(old, base_label)?;
    let new = side(new, head_label)?;
    Ok(match (old, new) {
        (Some(old), Some(new)) => review::objects::between(&old, &new, &secrets),
        _ => Vec::new(),
    })
}

/// The JSON Schema of this command's `--format json` output.
pub(crate) fn json_schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![(
        "diff",
        crate::schema::generate_value::<crate::review::diff::Diff>(),
    )]
}
