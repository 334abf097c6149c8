//! `strata render PROFILE --manifests`: the Kubernetes objects a profile's layers run, as
//! one YAML stream (`# Source: <layer>/<chart>/<template>` before each), as JSON, or into a
//! folder.

use std::path::PathBuf;

use serde::Serialize;

use crate::catalog::Catalog;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::lock::render::{all_secrets, locked_packs, render_profile, render_with_lock};
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
    /// What the reader should know (a chart rendered without a lock of its own).
    pub notes: Vec<String>,
    /// Charts rendered by helm, and taken from the render cache.
    pub counts: (usize, usize),
}

/// The helm program of a run, and the renders it made: each distinct chart input is
/// rendered once per run.
pub struct Renderer {
    pub helm: Helm,
    pub memo: std::sync::Arc<crate::manifests::Memo>,
}

/// The helm program of the run (said with `-v`).
pub fn find_helm(ctx: &Context) -> Result<Renderer> {
    let mut helm = Helm::find(Some(&ctx.registries.cache_dir.join("helm-version")))?;
    (helm.time, helm.max_output) = crate::context::helm_limits();
    ctx.out.verbose(
        "Using",
        &format!("helm {} (`{}`)", helm.version, helm.program.display()),
    );
    Ok(Renderer {
        helm,
        memo: Default::default(),
    })
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
    helm: &Renderer,
) -> Result<Manifests> {
    let env = |n: &str| std::env::var(n).ok();
    let r = render_profile(catalog, args.profile, args.layer, args.vars, &env)?;
    let m = objects_of(catalog, r, args.only, ctx, helm)?;
    say(ctx, &[&m]);
    Ok(m)
}

/// The objects of a rendered profile (only the layers named in `only`, when given).
pub fn objects_of(
    catalog: &Catalog,
    r: crate::lock::render::RenderedProfile,
    only: Option<&[String]>,
    ctx: &Context,
    helm: &Renderer,
) -> Result<Manifests> {
    render_one(catalog, prepare(catalog, r, only)?, ctx, helm)
}

/// One prepared stack's objects.
fn render_one(
    catalog: &Catalog,
    prepared: Prepared,
    ctx: &Context,
    helm: &Renderer,
) -> Result<Manifests> {
    render_prepared(catalog, vec![Ok(prepared)], ctx, helm)?
        .pop()
        .unwrap_or_else(|| Err(Error::Internal("a render was lost".to_string())))
}

/// A stack ready for helm: its Kubernetes version, layers, releases and sensitive values.
struct Prepared {
    kube: Option<String>,
    layers: Vec<crate::lock::render::RenderedLayer>,
    packs: Vec<std::sync::Arc<crate::model::pack::Pack>>,
    secrets: Vec<String>,
}

fn prepare(
    catalog: &Catalog,
    mut r: crate::lock::render::RenderedProfile,
    only: Option<&[String]>,
) -> Result<Prepared> {
    if let Some(only) = only {
        r.layers.retain(|l| only.contains(&l.name));
    }
    Ok(Prepared {
        packs: locked_packs(catalog, &r.lock)?,
        secrets: all_secrets(&r.secrets, r.layers.iter()),
        kube: crate::manifests::kube_version(&r.lock),
        layers: r.layers,
    })
}

/// Every prepared stack's objects, all charts in one pool of helm runs (each distinct
/// input rendered once); a stack that could not be prepared keeps its error.
fn render_prepared(
    catalog: &Catalog,
    prepared: Vec<Result<Prepared>>,
    ctx: &Context,
    helm: &Renderer,
) -> Result<Vec<Result<Manifests>>> {
    let sessions: Vec<Option<crate::manifests::Session>> = prepared
        .iter()
        .map(|p| {
            let p = p.as_ref().ok()?;
            Some(crate::manifests::Session::new(
                helm.helm.clone(),
                Some(ctx.registries.cache_dir.join("manifests")),
                p.secrets.clone(),
                helm.memo.clone(),
            ))
        })
        .collect();
    let stacks: Vec<crate::manifests::stacks::Stack> = prepared
        .iter()
        .zip(&sessions)
        .filter_map(|(p, session)| {
            let (p, session) = (p.as_ref().ok()?, session.as_ref()?);
            Some(crate::manifests::stacks::Stack {
                kube: p.kube.clone(),
                layers: &p.layers,
                packs: &p.packs,
                session,
            })
        })
        .collect();
    let mut objects = crate::manifests::stacks::render(catalog, &stacks)?.into_iter();
    drop(stacks);
    let count = |n: &std::sync::atomic::AtomicUsize| n.load(std::sync::atomic::Ordering::Relaxed);
    Ok(prepared
        .into_iter()
        .zip(sessions)
        .map(|(p, session)| {
            let (p, session) = (p?, session.expect("a session for each prepared stack"));
            let objects = objects.next().unwrap_or_else(|| Ok(Vec::new()))?;
            let mut notes =
                std::mem::take(&mut *session.notes.lock().unwrap_or_else(|p| p.into_inner()));
            // Charts render in parallel: their notes in a stable order.
            notes.sort();
            Ok(Manifests {
                objects,
                secrets: p.secrets,
                kube: p.kube,
                layers: p.layers,
                notes,
                counts: (count(&session.rendered), count(&session.reused)),
            })
        })
        .collect())
}

/// The objects of several profiles (each by name, only the layers it names), all charts in
/// one pool of helm runs; a profile that cannot be rendered gives its error.
pub fn batch(
    catalog: &Catalog,
    asks: &[(&str, &[String])],
    ctx: &Context,
    helm: &Renderer,
) -> Result<Vec<Result<Manifests>>> {
    let env = |n: &str| std::env::var(n).ok();
    let prepared = asks
        .iter()
        .map(|(name, only)| {
            render_profile(catalog, name, None, &[], &env)
                .and_then(|r| prepare(catalog, r, Some(only)))
        })
        .collect();
    let out = render_prepared(catalog, prepared, ctx, helm)?;
    let done: Vec<&Manifests> = out.iter().filter_map(|r| r.as_ref().ok()).collect();
    say(ctx, &done);
    Ok(out)
}

/// Every profile of the catalog (loaded once) that `wanted` names, as objects, by name, on
/// every core; a profile that cannot be rendered gives its problems.
pub fn every_profile(
    catalog: &Catalog,
    wanted: &(dyn Fn(&str) -> bool + Sync),
    ctx: &Context,
    helm: &Renderer,
) -> Result<Vec<(String, Result<Manifests>)>> {
    let mut loaded = catalog.load_profiles(&[])?;
    loaded.retain(|(entry, parsed)| match parsed {
        Ok(p) => wanted(&p.name),
        Err(_) => wanted(&entry.folder_name),
    });
    // Each profile from its lock (cheap, on every core), then every chart in one pool.
    let prepared = crate::parallel::map(&loaded, 8, "a profile's render", |(entry, parsed)| {
        let profile = match parsed {
            Ok(p) => p.clone(),
            Err(d) => return (entry.folder_name.clone(), Err(Error::Catalog(d.clone()))),
        };
        let name = profile.name.clone();
        let env = |n: &str| std::env::var(n).ok();
        let r = crate::lock::why::lock_of(catalog, entry, &profile)
            .and_then(|lock| render_with_lock(catalog, (profile, lock), None, &[], &env))
            .and_then(|r| prepare(catalog, r, None));
        (name, r)
    })?;
    let (names, prepared): (Vec<String>, Vec<Result<Prepared>>) = prepared.into_iter().unzip();
    let out: Vec<(String, Result<Manifests>)> = names
        .into_iter()
        .zip(render_prepared(catalog, prepared, ctx, helm)?)
        .collect();
    let done: Vec<&Manifests> = out.iter().filter_map(|(_, r)| r.as_ref().ok()).collect();
    say(ctx, &done);
    Ok(out)
}

/// The objects a cluster's stack runs, rendered with `helm` (notes printed); for a review
/// (`review`), a sensitive variable without a value renders as its placeholder.
pub fn cluster_objects(
    catalog: &Catalog,
    (name, vars): (&str, &[String]),
    review: bool,
    ctx: &Context,
    helm: &Renderer,
) -> Result<Manifests> {
    let c = crate::cluster::find(catalog, name)?;
    let build = match review {
        true => crate::cluster::build_without_secrets,
        false => crate::cluster::build,
    };
    let built = build(
        catalog,
        &ctx.registries.locked_reads(),
        &c,
        vars,
        &|n: &str| std::env::var(n).ok(),
    )?
    .map_err(Error::Catalog)?;
    let prepared = Prepared {
        kube: crate::manifests::kube_of_layers(&built.layers),
        secrets: all_secrets(&built.secrets, built.layers.iter()),
        layers: built.layers,
        packs: built.packs,
    };
    let m = render_one(catalog, prepared, ctx, helm)?;
    say(ctx, &[&m]);
    Ok(m)
}

/// Prints what the reader should know of renders: their notes, and (with `-v`) how many
/// charts helm rendered and how many came from the render cache.
fn say(ctx: &Context, rendered: &[&Manifests]) {
    for n in rendered.iter().flat_map(|m| &m.notes) {
        ctx.out.status("Note", n);
    }
    let (helm, cached) = rendered
        .iter()
        .fold((0, 0), |(a, b), m| (a + m.counts.0, b + m.counts.1));
    ctx.out.verbose(
        "Rendered",
        &format!(
            "{} with helm, {cached} from the render cache",
            crate::output::plural(helm, "chart"),
        ),
    );
}

/// `render --all --manifests`: every profile's objects (each named with its profile),
/// rendered on every core; nothing is printed or written unless all of them render.
pub fn render_all(catalog: &Catalog, out: Option<&std::path::Path>, ctx: &Context) -> Result<()> {
    let helm = find_helm(ctx)?;
    let mut problems = Vec::new();
    let mut all = Manifests {
        objects: Vec::new(),
        secrets: Vec::new(),
        layers: Vec::new(),
        kube: None,
        notes: Vec::new(),
        counts: (0, 0),
    };
    for (name, r) in every_profile(catalog, &|_| true, ctx, &helm)? {
        match r {
            Ok(m) => {
                all.secrets.extend(m.secrets);
                all.objects.extend(m.objects.into_iter().map(|mut o| {
                    o.profile = Some(name.clone());
                    o
                }));
            }
            Err(Error::Catalog(mut d)) => problems.append(&mut d),
            Err(e) => return Err(e),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Catalog(problems));
    }
    print(&all, out, ctx)
}

/// `render --manifests`: a profile's objects, printed.
pub fn render(catalog: &Catalog, args: &Asked, ctx: &Context) -> Result<()> {
    print(&objects(catalog, args, ctx)?, args.out, ctx)
}

/// Objects as one YAML stream, as JSON, or into `out`.
pub fn print(m: &Manifests, out: Option<&std::path::Path>, ctx: &Context) -> Result<()> {
    let (objects, secrets) = (&m.objects, &m.secrets);
    match out {
        Some(dir) => {
            let files: Vec<(PathBuf, &[u8])> = objects
                .iter()
                .map(|o| {
                    let file = format!(
                        "{}{}/{}-{}-{}.yaml",
                        o.profile
                            .as_ref()
                            .map(|p| format!("{p}/"))
                            .unwrap_or_default(),
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
            objects,
        }),
        None => {
            let mut text = String::new();
            for o in objects {
                text.push_str("---\n# Source: ");
                if let Some(p) = &o.profile {
                    text.push_str(p);
                    text.push('/');
                }
                text.push_str(&crate::shown::one_line(&o.source));
                text.push('\n');
                let shown = crate::shown::mask(o.shown(), secrets);
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
