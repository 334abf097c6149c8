//! `strata diff [--base REF] [--head REF]`: what a change does to every profile's resolved
//! stack, for review.

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
    match ctx.out.format {
        OutputFormat::Json => ctx.out.print_json(&diff),
        OutputFormat::Markdown => ctx.out.print(&diff.markdown(args.max_diff_lines)),
        // `commands::formats` admits no other format for `diff`.
        _ => ctx.out.print(&diff.text()),
    }
    if args.exit_code && !diff.is_empty() {
        return Err(Error::Exit(1));
    }
    Ok(())
}

/// The JSON Schema of this command's `--format json` output.
pub(crate) fn json_schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![(
        "diff",
        crate::schema::generate_value::<crate::review::diff::Diff>(),
    )]
}
