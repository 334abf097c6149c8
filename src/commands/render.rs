//! `strata render PROFILE [--layer L] [--out DIR]`: render a profile's layers from its lock,
//! never re-resolving.

use std::path::{Path, PathBuf};

use crate::atomic;
use crate::catalog::Catalog;
use crate::context::Context;
use crate::diagnostic::suggest;
use crate::error::{Error, Result};
use crate::lock::current::{current_lock, lock_of};
use crate::render::locked::{RenderedLayer, render_locked};

/// Render a profile's configuration from its lock file (never re-resolving)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Profile to render
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub profile: Option<String>,
    /// Render every profile (with `--out`, into DIR/<profile>/<layer name>/<file>)
    #[arg(long, conflicts_with = "layer")]
    pub all: bool,
    /// Only this layer (by name)
    #[arg(long)]
    pub layer: Option<String>,
    /// Write DIR/<layer name>/<file> instead of printing
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub fn run(args: Args, ctx: &Context) -> Result<()> {
    let catalog = ctx.catalog_unfetched()?;
    let Some(name) = &args.profile else {
        return render_all(&catalog, args.out.as_deref(), ctx);
    };
    let (profile, lock) = current_lock(&catalog, name)?;
    if let Some(l) = &args.layer
        && lock.layer(l).is_none()
    {
        return Err(Error::usage_hint(
            format!("profile `{}` has no layer `{l}`", profile.name),
            suggest(l, lock.layers.iter().map(|l| l.name.as_str())),
        ));
    }
    let rendered = render_locked(&catalog, &profile, &lock, args.layer.as_deref())?;
    emit(&[(None, rendered)], args.out.as_deref(), ctx)
}

/// `--all`: every profile from its lock; nothing is written unless all of them render.
fn render_all(catalog: &Catalog, out: Option<&Path>, ctx: &Context) -> Result<()> {
    let mut all = Vec::new();
    let mut problems = Vec::new();
    for (entry, parsed) in catalog.load_profiles(&[])? {
        let name = match &parsed {
            Ok(p) => p.name.clone(),
            Err(_) => entry.folder_name.clone(),
        };
        let rendered = parsed
            .map_err(Error::Catalog)
            .and_then(|profile| lock_of(catalog, &entry, &profile).map(|lock| (profile, lock)))
            .and_then(|(profile, lock)| render_locked(catalog, &profile, &lock, None));
        match rendered {
            Ok(layers) => all.push((Some(name), layers)),
            Err(Error::Catalog(mut d)) => problems.append(&mut d),
            Err(e) => return Err(e),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Catalog(problems));
    }
    emit(&all, out, ctx)
}

/// Prints rendered layers, or writes them under `out` as `[<profile>/]<layer>/<file>`.
fn emit(
    rendered: &[(Option<String>, Vec<RenderedLayer>)],
    out: Option<&Path>,
    ctx: &Context,
) -> Result<()> {
    let mut text = String::new();
    let mut files: Vec<(PathBuf, &[u8])> = Vec::new();
    for (profile, layers) in rendered {
        let prefix = profile
            .as_ref()
            .map(|p| format!("{p}/"))
            .unwrap_or_default();
        for layer in layers {
            for (file, content) in &layer.files {
                let rel = format!("{prefix}{}/{file}", layer.name);
                if out.is_some() {
                    files.push((PathBuf::from(rel), content.as_bytes()));
                    continue;
                }
                text.push_str(&format!(
                    "==> {rel} ({} {}) <==\n",
                    layer.pack, layer.version
                ));
                text.push_str(content);
                if !content.ends_with('\n') {
                    text.push('\n');
                }
            }
        }
    }
    match out {
        None => ctx.out.print(&text),
        Some(dir) => {
            atomic::write_under(&ctx.start_dir().join(dir), &files)?;
            ctx.out.status(
                "Rendered",
                &format!(
                    "{} into `{}`",
                    crate::output::plural(files.len(), "file"),
                    dir.display()
                ),
            );
        }
    }
    Ok(())
}
