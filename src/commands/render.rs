//! `strata render PROFILE [--layer L] [--kind K] [--out DIR]`: render a profile's layers from
//! its lock, never re-resolving: as one YAML stream, as JSON, or into a folder.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::atomic;
use crate::catalog::Catalog;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::lock::render::{RenderedLayer, all_secrets, render_locked, render_profile};
use crate::lock::why::lock_of;
use crate::model::chart::Chart;
use crate::model::variable::{self, bind};
use crate::render::FileKind;

/// Render a profile's configuration from its lock file (never re-resolving)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Profile to render
    #[arg(required_unless_present = "all", conflicts_with = "all", add = clap_complete::engine::ArgValueCandidates::new(crate::completion::profiles))]
    pub profile: Option<String>,
    /// Render every profile (with `--out`, into DIR/<profile>/<layer name>/<file>; with
    /// `--manifests`, DIR/<profile>/<layer>/<kind>-<namespace>-<name>.yaml)
    #[arg(long, conflicts_with = "layer")]
    pub all: bool,
    /// Only this layer (by name)
    #[arg(long, add = clap_complete::engine::ArgValueCandidates::new(crate::completion::layers))]
    pub layer: Option<String>,
    /// Write DIR/<layer name>/<file> instead of printing
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Only files of this kind: chart values, manifests (Kubernetes objects), other files
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// A value for a profile variable (repeatable); `STRATA_VAR_<NAME>` in the environment
    /// wins over it
    #[arg(long = "var", value_name = "NAME=VALUE", conflicts_with = "all")]
    pub vars: Vec<String>,
    /// The Kubernetes objects the layers run: charts through `helm template`, and the
    /// manifests (with `--out`, DIR/<layer>/<kind>-<namespace>-<name>.yaml)
    #[arg(long, conflicts_with = "kind")]
    pub manifests: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KindArg {
    Values,
    Manifest,
    File,
}

impl KindArg {
    fn as_str(self) -> &'static str {
        match self {
            KindArg::Values => "values",
            KindArg::Manifest => "manifest",
            KindArg::File => "file",
        }
    }
}

pub fn run(args: Args, ctx: &Context) -> Result<()> {
    let catalog = ctx.catalog_locked()?;
    let Some(name) = &args.profile else {
        if args.manifests {
            return super::manifests::render_all(&catalog, args.out.as_deref(), ctx);
        }
        return render_all(&catalog, args.out.as_deref(), args.kind, ctx);
    };
    if args.manifests {
        let asked = super::manifests::Asked {
            only: None,
            profile: name,
            layer: args.layer.as_deref(),
            vars: &args.vars,
            out: args.out.as_deref(),
        };
        return super::manifests::render(&catalog, &asked, ctx);
    }
    let r = render_profile(&catalog, name, args.layer.as_deref(), &args.vars, &env_var)?;
    emit(
        &[(None, r.layers)],
        args.out.as_deref(),
        args.kind,
        &r.secrets,
        ctx,
    )
}

/// The environment, for `STRATA_VAR_<NAME>`.
pub fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// `--all`: every profile from its lock; nothing is written unless all of them render.
fn render_all(
    catalog: &Catalog,
    out: Option<&Path>,
    kind: Option<KindArg>,
    ctx: &Context,
) -> Result<()> {
    let mut all = Vec::new();
    let mut problems = Vec::new();
    let mut secrets = Vec::new();
    for (entry, parsed) in catalog.load_profiles(&[])? {
        let name = match &parsed {
            Ok(p) => p.name.clone(),
            Err(_) => entry.folder_name.clone(),
        };
        let rendered = parsed
            .map_err(Error::Catalog)
            .and_then(|profile| lock_of(catalog, &entry, &profile).map(|lock| (profile, lock)))
            .and_then(|(profile, lock)| {
                // Defaults and the environment; a variable without either renders as
                // its placeholder.
                let bindings =
                    bind(&profile.variables, None, &[], &env_var).map_err(Error::Catalog)?;
                secrets.extend(variable::secrets(&profile.variables, &bindings));
                render_locked(catalog, &profile, &lock, None, &bindings)
            });
        match rendered {
            Ok(layers) => all.push((Some(name), layers)),
            Err(Error::Catalog(mut d)) => problems.append(&mut d),
            Err(e) => return Err(e),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Catalog(problems));
    }
    emit(&all, out, kind, &secrets, ctx)
}

/// One rendered file, as `--format json` prints it.
#[derive(Serialize, schemars::JsonSchema)]
struct FileOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<&'a str>,
    layer: &'a str,
    file: &'a str,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    chart: Option<&'a Chart>,
    content: String,
}

#[derive(Serialize, schemars::JsonSchema)]
struct Output<'a> {
    schema_version: u32,
    files: Vec<FileOut<'a>>,
}

/// Prints rendered layers as one YAML stream (or JSON), or writes them under `out` as
/// `[<profile>/]<layer>/<file>`; `kind` keeps only files of that kind. What is printed
/// shows `(sensitive)` for every secret; only files written under `out` hold them.
pub fn emit(
    rendered: &[(Option<String>, Vec<RenderedLayer>)],
    out: Option<&Path>,
    kind: Option<KindArg>,
    secrets: &[String],
    ctx: &Context,
) -> Result<()> {
    let mut text = String::new();
    let mut json = Vec::new();
    let mut files: Vec<(PathBuf, &[u8])> = Vec::new();
    // A pack's own secrets (Palette passwords) are masked like sensitive variables.
    let secrets = &all_secrets(secrets, rendered.iter().flat_map(|(_, l)| l))[..];
    for (profile, layers) in rendered {
        let prefix = profile
            .as_ref()
            .map(|p| format!("{p}/"))
            .unwrap_or_default();
        for layer in layers {
            for (file, content) in &layer.files {
                let file_kind = layer.kinds.get(file).unwrap_or(&FileKind::File);
                if kind.is_some_and(|k| k.as_str() != file_kind.as_str()) {
                    continue;
                }
                let rel = format!("{prefix}{}/{file}", layer.name);
                if out.is_some() {
                    files.push((PathBuf::from(rel), content.as_bytes()));
                    continue;
                }
                let chart = match file_kind {
                    FileKind::Values { chart } => layer.charts.iter().find(|c| &c.name == chart),
                    _ => None,
                };
                let shown = crate::shown::mask(layer.shown(file, content), secrets);
                if ctx.out.json() {
                    json.push(FileOut {
                        profile: profile.as_deref(),
                        layer: &layer.name,
                        file,
                        kind: file_kind.as_str(),
                        chart,
                        content: shown,
                    });
                    continue;
                }
                stream(&mut text, &rel, layer, file, file_kind, chart, &shown);
            }
        }
    }
    match out {
        None if ctx.out.json() => ctx.out.print_json(&Output {
            schema_version: 1,
            files: json,
        }),
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

/// One file as a document of a YAML stream: `---`, a `# Source:` comment naming it, then the
/// file. A file that is not YAML is carried as comments, so the stream stays YAML.
fn stream(
    text: &mut String,
    rel: &str,
    layer: &RenderedLayer,
    file: &str,
    kind: &FileKind,
    chart: Option<&Chart>,
    content: &str,
) {
    let what = match chart {
        Some(c) => format!("values of chart {} {} ({})", c.name, c.version, c.repo),
        None => kind.as_str().to_string(),
    };
    text.push_str(&format!(
        "---\n# Source: {rel}\n# {} {}: {what}\n",
        layer.pack, layer.version
    ));
    if file.ends_with(".yaml") || file.ends_with(".yml") {
        text.push_str(content);
        if !content.ends_with('\n') {
            text.push('\n');
        }
    } else {
        text.push_str("# (not YAML: `--out DIR` writes it as it is)\n");
        for line in content.lines() {
            text.push_str("# ");
            text.push_str(line);
            text.push('\n');
        }
    }
}

/// The JSON Schema of this command's `--format json` output.
pub(crate) fn json_schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![("render", crate::schema::generate_value::<Output<'static>>())]
}
