//! `strata site [--out DIR]`: a static website of the catalog, from its locks, release tags
//! and the cache only (see `crate::site`); `--format json` prints the site's records instead.

use std::path::PathBuf;

use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};

/// Write a static website of the catalog: profiles, their stacks, clusters and packs
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder to write the site into (relative to where strata runs)
    #[arg(long, value_name = "DIR", default_value = "site")]
    pub out: PathBuf,
}

pub fn run(args: Args, ctx: &Context) -> Result<()> {
    // Nothing is fetched: the site shows what the locks, the tags and the cache hold.
    let catalog = ctx.catalog_cached()?;
    let site = crate::site::gather(&catalog, &ctx.registries.offline())?;
    if ctx.out.json() {
        ctx.out.print_json(&site);
    } else {
        let pages = crate::site::html::pages(&site)?;
        let files: Vec<(PathBuf, &[u8])> = pages
            .iter()
            .map(|(path, html)| (PathBuf::from(path), html.as_bytes()))
            .collect();
        crate::atomic::write_under(&ctx.start_dir().join(&args.out), &files)?;
        ctx.out.status(
            "Wrote",
            &format!(
                "{} into `{}`",
                crate::output::plural(files.len(), "page"),
                args.out.display()
            ),
        );
    }
    let mut problems = Vec::new();
    for p in site.profiles.iter().filter(|p| !p.problems.is_empty()) {
        problems.push(format!("profile `{}`", p.name));
        p.problems.iter().for_each(|d| ctx.out.warn(d));
    }
    for c in site.clusters.iter().filter(|c| !c.problems.is_empty()) {
        problems.push(format!("cluster `{}`", c.name));
        c.problems.iter().for_each(|d| ctx.out.warn(d));
    }
    if problems.is_empty() {
        return Ok(());
    }
    let verb = if problems.len() == 1 { "has" } else { "have" };
    Err(Error::Catalog(vec![
        Diagnostic::plain(format!("{} {verb} problems", problems.join(", ")))
            .with_hint("the site shows them on their pages; `strata validate` says the same"),
    ]))
}

/// The JSON Schema of this command's `--format json` output.
pub(crate) fn json_schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![("site", crate::schema::generate_value::<crate::site::Site>())]
}
