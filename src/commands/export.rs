//! `strata export (PROFILE | --cluster NAME) --to TARGET [--out DIR]`: a locked profile or
//! a cluster handed to Palette, Terraform, Flux, Argo CD or helmfile.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::commands::render::env_var;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::export::{Target, cluster_subject, export, profile_subject};

/// Export a locked profile or a cluster to a deployment engine (read from the lock only)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Profile to export
    #[arg(required_unless_present = "cluster", conflicts_with = "cluster", add = clap_complete::engine::ArgValueCandidates::new(crate::completion::profiles))]
    pub profile: Option<String>,
    /// Export a cluster instead: its pinned profile releases with its variables
    #[arg(long, value_name = "NAME", add = clap_complete::engine::ArgValueCandidates::new(crate::completion::clusters))]
    pub cluster: Option<String>,
    /// Where it goes
    #[arg(long = "to", value_enum)]
    pub target: Target,
    /// Write the files into DIR (replaced whole; one that holds other files needs --force)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace an --out folder that holds other files
    #[arg(long, requires = "out")]
    pub force: bool,
    /// Write sensitive values in clear where the target cannot reference them (Argo CD,
    /// helmfile)
    #[arg(long)]
    pub allow_plaintext: bool,
    /// A value for a cluster variable (repeatable); `STRATA_VAR_<NAME>` wins over it
    #[arg(long = "var", value_name = "NAME=VALUE", requires = "cluster")]
    pub vars: Vec<String>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct Output<'a> {
    schema_version: u32,
    target: &'static str,
    files: Vec<FileOut<'a>>,
    skipped: Vec<Skipped<'a>>,
    notes: &'a [String],
}

#[derive(Serialize, schemars::JsonSchema)]
struct FileOut<'a> {
    path: &'a str,
    content: &'a str,
}

#[derive(Serialize, schemars::JsonSchema)]
struct Skipped<'a> {
    layer: &'a str,
    reason: &'a str,
}

pub fn run(args: Args, ctx: &Context) -> Result<()> {
    let catalog = ctx.catalog_locked()?;
    let target = args.target;
    let subject = match &args.cluster {
        Some(name) => {
            let c = crate::cluster::find(&catalog, name)?;
            cluster_subject(&catalog, &ctx.registries, &c, &args.vars, &env_var, target)?
        }
        None => profile_subject(
            &catalog,
            args.profile.as_deref().unwrap_or_default(),
            target,
        )?,
    };
    let out = export(&subject, target, args.allow_plaintext).map_err(Error::Catalog)?;
    if ctx.out.json() && args.out.is_none() {
        ctx.out.print_json(&Output {
            schema_version: 1,
            target: target.as_str(),
            files: out
                .files
                .iter()
                .map(|(p, c)| FileOut {
                    path: p,
                    content: c,
                })
                .collect(),
            skipped: out
                .skipped
                .iter()
                .map(|(l, r)| Skipped {
                    layer: l,
                    reason: r,
                })
                .collect(),
            notes: &out.notes,
        });
        return Ok(());
    }
    if let Some(dir) = &args.out {
        write_folder(&ctx.start_dir().join(dir), &out.files, args.force)?;
    }
    for (layer, reason) in &out.skipped {
        ctx.out.status("Skipped", &format!("{layer}: {reason}"));
    }
    for note in &out.notes {
        ctx.out.status("Note", note);
    }
    match &args.out {
        None => ctx.out.print(&out.stream()),
        Some(_) => {
            ctx.out.status(
                "Exported",
                &format!(
                    "{} for {} into `{}`",
                    crate::output::plural(out.files.len(), "file"),
                    target.as_str(),
                    args.out.as_ref().expect("given").display()
                ),
            );
        }
    }
    Ok(())
}

/// Writes an export folder whole: into a new folder beside it, renamed into place, so a
/// failure leaves the old folder as it was. A folder that holds files this export does not
/// write is refused unless `force`.
fn write_folder(dir: &Path, files: &[(String, String)], force: bool) -> Result<()> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::usage(format!("`{}` is not a folder name", dir.display())))?;
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if dir.exists() {
        if !dir.is_dir() {
            return Err(Error::usage(format!(
                "`{}` exists and is not a folder",
                dir.display()
            )));
        }
        let ours: std::collections::BTreeSet<&str> =
            files.iter().map(|(p, _)| p.as_str()).collect();
        let mut others: Vec<String> = fs_err::read_dir(dir)?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !ours.contains(n.as_str()))
            .collect();
        others.sort();
        if !others.is_empty() && !force {
            return Err(Error::usage_hint(
                format!(
                    "`{}` holds files this export does not write ({})",
                    dir.display(),
                    others.join(", ")
                ),
                Some("export into a new folder, or pass `--force` to replace it whole".to_string()),
            ));
        }
    }
    let pid = std::process::id();
    let tmp = parent.join(format!(".{name}.strata-tmp-{pid}"));
    let old = parent.join(format!(".{name}.strata-old-{pid}"));
    let _ = fs_err::remove_dir_all(&tmp);
    fs_err::create_dir_all(&tmp)?;
    let staged: Vec<(PathBuf, &[u8])> = files
        .iter()
        .map(|(p, c)| (PathBuf::from(p), c.as_bytes()))
        .collect();
    if let Err(e) = crate::atomic::write_under(&tmp, &staged) {
        let _ = fs_err::remove_dir_all(&tmp);
        return Err(e);
    }
    if dir.exists() {
        fs_err::rename(dir, &old)?;
        if let Err(e) = fs_err::rename(&tmp, dir) {
            let _ = fs_err::rename(&old, dir);
            let _ = fs_err::remove_dir_all(&tmp);
            return Err(e.into());
        }
        let _ = fs_err::remove_dir_all(&old);
    } else {
        fs_err::rename(&tmp, dir)?;
    }
    Ok(())
}

/// The JSON Schema of this command's `--format json` output.
pub(crate) fn json_schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![("export", crate::schema::generate_value::<Output<'static>>())]
}
