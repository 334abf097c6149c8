//! `strata export (PROFILE | --cluster NAME) --to TARGET [--out DIR]`: a locked profile or
//! a cluster handed to Palette, Terraform, Flux, Argo CD or helmfile.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::cluster::{build_with, load_clusters};
use crate::commands::cluster::select;
use crate::commands::render::env_var;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::export::{Subject, Target, export};
use crate::lock::current::current_lock;
use crate::model::variable::{Binding, BindingOrigin, Bindings};
use crate::render::locked::render_locked;

/// Export a locked profile or a cluster to a deployment engine (read from the lock only)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Profile to export
    #[arg(required_unless_present = "cluster", conflicts_with = "cluster", add = clap_complete::engine::ArgValueCandidates::new(crate::completion::profiles))]
    pub profile: Option<String>,
    /// Export a cluster instead: its pinned profile releases with its variables
    #[arg(long, value_name = "NAME")]
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
            let loaded = select(load_clusters(&catalog)?, std::slice::from_ref(name))?;
            let Some((_, parsed)) = loaded.into_iter().next() else {
                return Err(Error::Internal("a selected cluster was lost".to_string()));
            };
            let c = parsed.map_err(Error::Catalog)?;
            let built = build_with(
                &catalog,
                &ctx.registries.locked_reads(),
                &c,
                &args.vars,
                &env_var,
                &|n| target.reference(n),
            )?
            .map_err(Error::Catalog)?;
            let sensitive_bound = built
                .profile
                .variables
                .values()
                .filter(|v| v.sensitive && built.bindings.contains_key(&v.name))
                .map(|v| v.name.clone())
                .collect();
            Subject {
                name: c.name.clone(),
                description: c.description.clone(),
                ty: built.profile.ty,
                cloud: built.profile.cloud.get_ref().clone(),
                tags: built.profile.tags.clone(),
                version: built.profile.version.clone(),
                variables: built.profile.variables.clone(),
                layers: built.layers,
                sensitive_bound,
            }
        }
        None => {
            let name = args.profile.as_deref().unwrap_or_default();
            let (profile, lock) = current_lock(&catalog, name)?;
            // Palette and Terraform take the profile's variables as Palette profile
            // variables; the GitOps targets get the defaults (a variable without one is
            // its placeholder), and a sensitive default is a reference or refused.
            let mut bindings = Bindings::new();
            let mut sensitive_bound = Vec::new();
            for v in profile.variables.values() {
                let value = match target {
                    Target::Palette | Target::Terraform => {
                        Some(format!("{{{{.spectro.var.{}}}}}", v.name))
                    }
                    _ if v.sensitive && v.default.is_some() => {
                        sensitive_bound.push(v.name.clone());
                        target.reference(&v.name)
                    }
                    _ => None,
                };
                match value {
                    Some(text) => {
                        bindings.insert(
                            v.name.clone(),
                            Binding {
                                value: toml::Value::String(text),
                                origin: BindingOrigin::Reference,
                            },
                        );
                    }
                    None => {
                        if let Some(d) = &v.default {
                            bindings.insert(
                                v.name.clone(),
                                Binding {
                                    value: d.clone(),
                                    origin: BindingOrigin::Default,
                                },
                            );
                        }
                    }
                }
            }
            let layers = render_locked(&catalog, &profile, &lock, None, &bindings)?;
            Subject {
                name: profile.name.clone(),
                description: profile.description.clone(),
                ty: profile.ty,
                cloud: profile.cloud.get_ref().clone(),
                tags: profile.tags.clone(),
                version: profile.version.clone(),
                variables: profile.variables.clone(),
                layers,
                sensitive_bound,
            }
        }
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
