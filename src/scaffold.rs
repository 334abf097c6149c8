//! New files strata writes for the user: `strata.toml` and profile scaffolds, rendered from
//! the templates in `templates/`.

use std::sync::Arc;

use minijinja::Environment;
use serde::Serialize;

use crate::catalog::Catalog;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::model::pack::{LayerType, Pack};
use crate::profile::ProfileType;
use crate::registry::Registry;

const PROFILE_TEMPLATE: &str = include_str!("../templates/profile.toml.j2");
const CONFIG_TEMPLATE: &str = include_str!("../templates/strata.toml.j2");

/// The add-on a `full` or `add-on` scaffold starts with, when a registry has it.
const STARTER_ADDON: &str = "cert-manager";

fn environment() -> Environment<'static> {
    let mut env = crate::render::environment();
    env.add_filter("toml", |s: String| toml::Value::String(s).to_string());
    env
}

fn render<S: Serialize>(name: &str, template: &str, ctx: S) -> String {
    environment()
        .render_str(template, minijinja::value::Serde(&ctx))
        .unwrap_or_else(|e| panic!("built-in template {name} failed to render: {e}"))
}

/// `strata.toml` for a new catalog.
pub fn config(name: &str, profiles: &str) -> String {
    #[derive(Serialize)]
    struct Ctx<'a> {
        name: &'a str,
        profiles: &'a str,
    }
    render("strata.toml.j2", CONFIG_TEMPLATE, Ctx { name, profiles })
}

#[derive(Debug, Serialize)]
pub struct ScaffoldLayer {
    #[serde(rename = "type")]
    pub ty: String,
    pub name: Option<String>,
    pub pack: String,
    pub version: String,
    pub registry: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ScaffoldProfile {
    pub name: String,
    pub description: String,
    pub cloud: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub layers: Vec<ScaffoldLayer>,
}

impl ScaffoldProfile {
    pub fn render(&self) -> String {
        render("profile.toml.j2", PROFILE_TEMPLATE, self)
    }
}

/// A cloud named on the command line, lower-cased (`AWS` is `aws`), that strata or a pack
/// of the catalog knows; otherwise a usage error with the near miss (no file position: the
/// mistake is on the command line).
pub fn cloud_arg(catalog: &Catalog, given: &str) -> Result<String> {
    let cloud = given.trim().to_lowercase();
    let mut known: std::collections::BTreeSet<String> = crate::check::KNOWN_CLOUDS
        .iter()
        .map(|c| c.to_string())
        .collect();
    for reg in catalog.registries.iter() {
        for name in reg.pack_names()? {
            if let Ok(Some(p)) = reg.newest(&name) {
                known.extend(p.clouds.iter().filter(|c| *c != "all").cloned());
            }
        }
    }
    if known.contains(&cloud) {
        return Ok(cloud);
    }
    Err(Error::usage_hint(
        format!("unknown cloud `{given}`"),
        crate::diagnostic::suggest(&cloud, known.iter().map(String::as_str)),
    ))
}

/// A candidate pack for a layer: the registry, and its releases newest first.
struct Candidate<'c> {
    registry: &'c Registry,
    releases: Vec<Arc<Pack>>,
    cloud_specific: bool,
}

/// Plans a profile of trains on the newest minor of the best core pack for `cloud`, choosing
/// the newest Kubernetes minor whose releases every other chosen pack accepts.
pub fn plan_profile(
    catalog: &Catalog,
    name: &str,
    cloud: &str,
    ty: ProfileType,
) -> Result<ScaffoldProfile> {
    let mut layers = Vec::new();
    let mut candidates = Vec::new();
    let core: &[LayerType] = if ty == ProfileType::AddOn {
        &[]
    } else {
        &LayerType::CORE
    };
    for &lt in core {
        let c = best_candidate(catalog, lt, cloud, None)?.ok_or_else(|| {
            Error::usage_hint(
                format!("no {lt} pack in any registry supports cloud `{cloud}`"),
                Some(format!(
                    "`strata pack list --layer {lt}` shows the {lt} packs and their clouds"
                )),
            )
        })?;
        candidates.push((lt, c));
    }
    let addon = if ty == ProfileType::Infra {
        None
    } else {
        best_candidate(catalog, LayerType::Addon, cloud, Some(STARTER_ADDON))?
    };
    if let Some(a) = addon {
        candidates.push((LayerType::Addon, a));
    }
    let chosen: Vec<(LayerType, &Candidate)> = candidates.iter().map(|(lt, c)| (*lt, c)).collect();

    // The Kubernetes release every other layer is checked against, newest minor first.
    let kube = chosen
        .iter()
        .find(|(lt, _)| *lt == LayerType::Kubernetes)
        .map(|(_, c)| *c);
    let kube_minors: Vec<Option<Arc<Pack>>> = match kube {
        Some(k) => {
            let mut minors: Vec<Arc<Pack>> = Vec::new();
            for p in &k.releases {
                if !minors.iter().any(|m| {
                    (m.version.major(), m.version.minor()) == (p.version.major(), p.version.minor())
                }) {
                    minors.push(p.clone());
                }
            }
            minors.into_iter().map(Some).collect()
        }
        None => vec![None],
    };
    'minors: for k in &kube_minors {
        layers.clear();
        for (lt, c) in &chosen {
            let pick = if *lt == LayerType::Kubernetes {
                k.clone()
            } else {
                c.releases
                    .iter()
                    .find(|p| accepts_kubernetes(p, k.as_deref()))
                    .cloned()
            };
            let Some(pick) = pick else { continue 'minors };
            let shared = catalog.registries.having(&pick.name)?.len() > 1;
            layers.push(ScaffoldLayer {
                ty: lt.as_str().to_string(),
                name: None,
                pack: pick.name.clone(),
                version: train_of(&pick),
                registry: shared.then(|| c.registry.name.clone()),
            });
        }
        return Ok(ScaffoldProfile {
            name: name.to_string(),
            description: format!("{} stack on {cloud}", capitalize(ty.as_str())),
            cloud: cloud.to_string(),
            ty: ty.as_str().to_string(),
            layers,
        });
    }
    Err(Error::Catalog(vec![Diagnostic::plain(format!(
        "no Kubernetes release is accepted by the newest {} packs for `{cloud}`",
        chosen
            .iter()
            .map(|(lt, _)| lt.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ))]))
}

/// The best pack of a layer type for a cloud: one made for that cloud over one that runs
/// anywhere, then by name. With `only`, just that pack.
fn best_candidate<'c>(
    catalog: &'c Catalog,
    lt: LayerType,
    cloud: &str,
    only: Option<&str>,
) -> Result<Option<Candidate<'c>>> {
    let mut best: Option<Candidate> = None;
    for reg in catalog.registries.iter() {
        for pack in reg.pack_names()? {
            if only.is_some_and(|o| o != pack) {
                continue;
            }
            let mut releases = Vec::new();
            for r in reg
                .releases(&pack)?
                .iter()
                .rev()
                .filter(|r| !r.version.is_prerelease())
            {
                match reg.pack(&pack, r) {
                    Ok(p) if p.layer == lt && p.supports_cloud(cloud) => releases.push(p),
                    Ok(_) => {}
                    // A broken release is reported by `validate`; a scaffold skips it.
                    Err(Error::Catalog(_)) => {}
                    Err(e) => return Err(e),
                }
            }
            let Some(newest) = releases.first() else {
                continue;
            };
            let specific = !newest.clouds.iter().any(|c| c == "all");
            // Registries in search order, packs by name: the first found wins a tie.
            if best.as_ref().is_none_or(|b| specific && !b.cloud_specific) {
                best = Some(Candidate {
                    registry: reg,
                    releases,
                    cloud_specific: specific,
                });
            }
        }
    }
    Ok(best)
}

/// Whether a release's Kubernetes requirement (if any) admits this Kubernetes release.
fn accepts_kubernetes(pack: &Pack, kube: Option<&Pack>) -> bool {
    let Some(kube) = kube else { return true };
    pack.requires.iter().all(|r| {
        let targets_kube = match &r.target {
            crate::model::pack::Target::Layer(t) => *t == LayerType::Kubernetes,
            crate::model::pack::Target::Pack(p) => *p == kube.name,
        };
        !targets_kube || r.spec.covers(&kube.version)
    })
}

/// `<major>.<minor>.x` in the release's own spelling (`24.04.x`).
fn train_of(pack: &Pack) -> String {
    let text = pack.version.as_str();
    let core = text.split(['-', '+']).next().unwrap_or(text);
    let mut parts = core.split('.');
    match (parts.next(), parts.next()) {
        (Some(major), Some(minor)) => format!("{major}.{minor}.x"),
        (Some(major), None) => format!("{major}.x"),
        _ => "x".to_string(),
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Where a catalog keeps the JSON Schemas of its files, for editors (`strata init` writes
/// them; `strata schema NAME` prints them anew).
pub const SCHEMA_DIR: &str = ".strata/schemas";

/// The schema files of a new catalog: (path, text).
pub fn schema_files() -> Vec<(String, String)> {
    crate::schema::FILES
        .iter()
        .filter_map(|(file, name)| {
            crate::schema::of_file(file).map(|v| {
                (
                    format!("{SCHEMA_DIR}/{name}"),
                    crate::schema::text(&v) + "\n",
                )
            })
        })
        .collect()
}

/// `text` led by the taplo directive that points an editor at the schema of `file`, from a
/// file in the catalog folder `dir` (`""` for the root).
pub fn with_schema_line(text: &str, dir: &str, file: &str) -> String {
    let up = if dir.is_empty() {
        "./".to_string()
    } else {
        "../".repeat(dir.split('/').count())
    };
    let name = file.trim_end_matches(".toml");
    format!("#:schema {up}{SCHEMA_DIR}/{name}.schema.json\n{text}")
}

/// Renders a planned profile and checks it like `validate` would, so that a scaffold is
/// never written broken (an unknown cloud, say).
pub fn render_checked(catalog: &Catalog, plan: &ScaffoldProfile, dir: &str) -> Result<String> {
    let text = plan.render();
    let source = crate::diagnostic::Source::new(
        format!("{dir}/{}", crate::profile::FILE_NAME),
        text.as_str(),
    );
    let folder = dir.rsplit('/').next().unwrap_or(dir);
    let profile = crate::profile::Profile::parse(source, dir, folder).map_err(Error::Catalog)?;
    crate::check::check_profile(catalog, profile)?.map_err(Error::Catalog)?;
    Ok(text)
}
