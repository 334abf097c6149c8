//! `strata render PROFILE --manifests`: the Kubernetes objects a profile's layers run, as
//! one YAML stream (`# Source: <layer>/<chart>/<template>` before each), as JSON, or into a
//! folder.

use std::path::PathBuf;

use serde::Serialize;

use crate::catalog::Catalog;
use crate::context::Context;
use crate::error::Result;
use crate::lock::render::{all_secrets, locked_packs, render_profile};
use crate::manifests::Object;
use crate::manifests::helm::Helm;

#[derive(Serialize, schemars::JsonSchema)]
struct Output<'a> {
    schema_version: u32,
    objects: &'a [Object],
}

/// What `render --manifests` is asked for.
pub struct Asked<'a> {
    pub profile: &'a str,
    pub layer: Option<&'a str>,
    pub vars: &'a [String],
    pub out: Option<&'a std::path::Path>,
    /// Only these layers (by name).
    pub only: Option<&'a [String]>,
}

/// A profile's layers as objects, with what they were rendered from.
pub struct Manifests {
    pub objects: Vec<Object>,
    /// The run's sensitive values.
    pub secrets: Vec<String>,
    pub layers: Vec<crate::lock::render::RenderedLayer>,
    /// The version of the profile's Kubernetes layer.
    pub kube: Option<String>,
}

/// The helm program of the run (said with `-v`).
pub fn find_helm(ctx: &Context) -> Result<Helm> {
    let helm = Helm::find()?;
    ctx.out.verbose(
        "Using",
        &format!("helm {} (`{}`)", helm.version, helm.program.display()),
    );
    Ok(helm)
}

/// The objects a profile's layers run (notes printed).
pub fn objects(catalog: &Catalog, args: &Asked, ctx: &Context) -> Result<Manifests> {
    objects_with(catalog, args, ctx, &find_helm(ctx)?)
}

/// The objects a profile's layers run, rendered with `helm` (notes printed).
pub fn objects_with(
    catalog: &Catalog,
    args: &Asked,
    ctx: &Context,
    helm: &Helm,
) -> Result<Manifests> {
    let env = |n: &str| std::env::var(n).ok();
    let mut r = render_profile(catalog, args.profile, args.layer, args.vars, &env)?;
    if let Some(only) = args.only {
        r.layers.retain(|l| only.contains(&l.name));
    }
    let packs = locked_packs(catalog, &r.lock)?;
    let secrets = all_secrets(&r.secrets, r.layers.iter());
    let session = crate::manifests::Session::new(
        helm.clone(),
        Some(ctx.registries.cache_dir.join("manifests")),
        secrets.clone(),
    );
    let objects = crate::manifests::render(catalog, &r.lock, &r.layers, &packs, &session)?;
    for n in session
        .notes
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
    {
        ctx.out.status("Note", n);
    }
    let count = |n: &std::sync::atomic::AtomicUsize| n.load(std::sync::atomic::Ordering::Relaxed);
    ctx.out.verbose(
        "Rendered",
        &format!(
            "{} with helm, {} from the render cache",
            crate::output::plural(count(&session.rendered), "chart"),
            count(&session.reused)
        ),
    );
    Ok(Manifests {
        objects,
        secrets,
        kube: crate::manifests::kube_version(&r.lock),
        layers: r.layers,
    })
}

pub fn render(catalog: &Catalog, args: &Asked, ctx: &Context) -> Result<()> {
    let Manifests {
        objects, secrets, ..
    } = objects(catalog, args, ctx)?;
    match args.out {
        Some(dir) => {
            let files: Vec<(PathBuf, &[u8])> = objects
                .iter()
                .map(|o| {
                    let file = format!(
                        "{}/{}-{}-{}.yaml",
                        o.layer,
                        o.kind.to_ascii_lowercase(),
                        o.namespace.as_deref().unwrap_or("cluster"),
                        o.name
                    );
                    (PathBuf::from(file), o.text.as_bytes())
                })
                .collect();
            crate::atomic::write_under(&ctx.start_dir().join(dir), &files)?;
            let held = objects
                .iter()
                .any(|o| secrets.iter().any(|s| o.text.contains(s.as_str())));
            ctx.out.status(
                "Rendered",
                &format!(
                    "{} into `{}`{}",
                    crate::output::plural(objects.len(), "object"),
                    dir.display(),
                    if held {
                        " (they hold sensitive values)"
                    } else {
                        ""
                    }
                ),
            );
        }
        None if ctx.out.json() => ctx.out.print_json(&Output {
            schema_version: 1,
            objects: &objects,
        }),
        None => {
            let mut text = String::new();
            for o in &objects {
                text.push_str("---\n# Source: ");
                text.push_str(&crate::shown::one_line(&o.source));
                text.push('\n');
                let shown = crate::shown::mask(o.shown(), &secrets);
                text.push_str(&shown);
                if !shown.ends_with('\n') {
                    text.push('\n');
                }
            }
            ctx.out.print(&text);
        }
    }
    Ok(())
}

/// The JSON Schema of this command's `--format json` output.
pub(crate) fn json_schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![(
        "render-manifests",
        crate::schema::generate_value::<Output<'static>>(),
    )]
}
