//! Clusters: `clusters/<name>/cluster.toml` pins a released profile (its tag
//! `profiles/<profile>/v<version>`), add-on profiles on top (each pinned the same way), tags,
//! and the values of the profiles' variables. A cluster is rendered from the pinned tags'
//! trees and locks, never from the working tree unless a `version` is left out.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use crate::catalog::Catalog;
use crate::check::check_values;
use crate::diagnostic::{Diagnostic, Source, suggest};
use crate::error::{Error, Result};
use crate::lock::render::{RenderedLayer, locked_packs};
use crate::lockfile::LockedLayer;
use crate::model::config::is_identifier;
use crate::model::pack::{Pack, Target};
use crate::model::variable::{self, Bindings, ValueTable};
use crate::model::version::Version;
use crate::profile::{Layer, Profile, ProfileType};
use crate::registry::Settings;
use crate::render::Stack;

/// The folder of cluster files, at the catalog root.
pub const DIR: &str = "clusters";
pub const FILE_NAME: &str = "cluster.toml";

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClusterFile {
    cluster: ClusterMeta,
    #[serde(default)]
    addon: Vec<AddonDecl>,
    #[schemars(with = "Option<std::collections::BTreeMap<String, serde_json::Value>>")]
    variables: Option<Spanned<ValueTable>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct ClusterMeta {
    #[schemars(with = "Option<String>")]
    name: Option<Spanned<String>>,
    #[serde(default)]
    description: String,
    #[schemars(with = "String")]
    profile: Spanned<String>,
    #[schemars(with = "Option<String>")]
    version: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    tags: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct AddonDecl {
    #[schemars(with = "String")]
    profile: Spanned<String>,
    #[schemars(with = "Option<String>")]
    version: Option<Spanned<String>>,
}

/// A profile a cluster pins: its name, and the release (`None`: the working tree).
#[derive(Debug, Clone)]
pub struct ProfileRef {
    pub profile: Spanned<String>,
    pub version: Option<(Spanned<String>, Version)>,
}

impl ProfileRef {
    /// The release tag, when pinned.
    pub fn tag(&self) -> Option<String> {
        self.version
            .as_ref()
            .map(|(_, v)| release_tag(self.profile.get_ref(), v))
    }

    /// `aws-prod 1.2.0`, or `aws-prod (working tree)`.
    pub fn label(&self) -> String {
        match &self.version {
            Some((_, v)) => format!("{} {v}", self.profile.get_ref()),
            None => format!("{} (working tree)", self.profile.get_ref()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Cluster {
    pub name: String,
    pub description: String,
    pub source: Source,
    pub profile: ProfileRef,
    pub addons: Vec<ProfileRef>,
    pub tags: Vec<Spanned<String>>,
    pub variables: ValueTable,
    /// Where `[variables]` is (or the `profile` key, without it), for problems about a
    /// variable the file does not give.
    pub variables_span: std::ops::Range<usize>,
}

/// The release tag of a profile version.
pub fn release_tag(profile: &str, version: &Version) -> String {
    format!("profiles/{profile}/v{version}")
}

impl Cluster {
    pub fn parse(
        source: Source,
        folder_name: &str,
    ) -> std::result::Result<Cluster, Vec<Diagnostic>> {
        let file: ClusterFile = source.parse().map_err(|d| vec![d])?;
        let mut problems = Vec::new();
        let at = |span, msg: String| Diagnostic::at(&source, span, msg);
        let name = match &file.cluster.name {
            Some(n) => {
                if !is_identifier(n.get_ref()) {
                    problems.push(
                        at(n.span(), format!("invalid cluster name `{}`", n.get_ref()))
                            .with_hint("use lowercase letters, digits, `-`, `_` and `.`"),
                    );
                }
                n.get_ref().clone()
            }
            None => folder_name.to_string(),
        };
        let mut pin = |profile: Spanned<String>, version: Option<Spanned<String>>| {
            let version = version.and_then(|v| match Version::parse(v.get_ref()) {
                Some(parsed) => Some((v, parsed)),
                None => {
                    problems.push(
                        at(v.span(), format!("invalid profile version `{}`", v.get_ref()))
                            .with_hint("a release version such as `1.2.0` (its tag is profiles/<profile>/v1.2.0)"),
                    );
                    None
                }
            });
            ProfileRef { profile, version }
        };
        let profile = pin(file.cluster.profile, file.cluster.version);
        let addons: Vec<ProfileRef> = file
            .addon
            .into_iter()
            .map(|a| pin(a.profile, a.version))
            .collect();
        let variables_span = file
            .variables
            .as_ref()
            .map_or(profile.profile.span(), |v| v.span());
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Cluster {
            name,
            description: file.cluster.description,
            source,
            profile,
            addons,
            tags: file.cluster.tags,
            variables: file.variables.map(Spanned::into_inner).unwrap_or_default(),
            variables_span,
        })
    }

    pub fn file(&self) -> &str {
        &self.source.name
    }
}

/// A cluster file and what parsing it gave.
pub type LoadedCluster = (String, std::result::Result<Cluster, Vec<Diagnostic>>);

/// Every `clusters/<name>/cluster.toml`, sorted by path; names are unique.
pub fn load_clusters(catalog: &Catalog) -> Result<Vec<LoadedCluster>> {
    let mut out: Vec<LoadedCluster> = Vec::new();
    for (path, kind) in catalog.files.walk(DIR, true)? {
        if kind == crate::files::Kind::Other {
            continue;
        }
        let Some(dir) = path.strip_suffix(FILE_NAME) else {
            continue;
        };
        if !(dir.is_empty() || dir.ends_with('/')) {
            continue;
        }
        let file = format!("{DIR}/{path}");
        let folder = format!("{DIR}/{}", dir.trim_end_matches('/'));
        let folder_name = folder.rsplit('/').next().unwrap_or(&folder).to_string();
        let parsed = match crate::error::problems(catalog.files.read(&file))? {
            Ok(bytes) => match Source::from_bytes(&file, &bytes.unwrap_or_default()) {
                Ok(source) => Cluster::parse(source, &folder_name),
                Err(d) => Err(vec![d]),
            },
            Err(d) => Err(d),
        };
        out.push((file, parsed));
    }
    let mut first: BTreeMap<String, String> = BTreeMap::new();
    for (file, parsed) in &mut out {
        let Ok(c) = parsed else { continue };
        match first.get(&c.name) {
            Some(other) => {
                *parsed = Err(vec![
                    Diagnostic::file(
                        file.as_str(),
                        format!("cluster name `{}` is already used by `{other}`", c.name),
                    )
                    .with_hint("cluster names are unique; set a distinct `name` in `[cluster]`"),
                ]);
            }
            None => {
                first.insert(c.name.clone(), file.clone());
            }
        }
    }
    Ok(out)
}

/// The released versions of a profile: its tags `profiles/<profile>/v<version>`, oldest
/// first (none when the catalog is not in a git repository).
pub fn releases(catalog: &Catalog, profile: &str) -> Vec<Version> {
    let Ok(repo) = git2::Repository::discover(&catalog.root) else {
        return Vec::new();
    };
    let prefix = format!("profiles/{profile}/v");
    let mut out: Vec<Version> = repo
        .tag_names(Some(&format!("{prefix}*")))
        .map(|names| {
            names
                .iter()
                .filter_map(|n| {
                    n.ok()??
                        .strip_prefix(prefix.as_str())
                        .and_then(Version::parse)
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out.dedup();
    out
}

/// A profile as a cluster pins it: the catalog as of its tag (or the working one), the
/// merged profile and its lock, and its locked releases.
struct Pinned {
    catalog: Option<Catalog>,
    profile: Profile,
    lock: crate::lockfile::Lock,
    packs: Vec<Arc<Pack>>,
}

impl Pinned {
    fn catalog<'a>(&'a self, working: &'a Catalog) -> &'a Catalog {
        self.catalog.as_ref().unwrap_or(working)
    }
}

/// Outer error: a failure to read; inner: problems of the cluster.
type Checked<T> = Result<std::result::Result<T, Vec<Diagnostic>>>;

/// Splits an error into problems of the cluster (catalog problems) and failures.
fn problems_of<T>(r: Result<T>) -> Checked<T> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(Error::Catalog(d)) => Ok(Err(d)),
        Err(e) => Err(e),
    }
}

fn pin(
    working: &Catalog,
    settings: &Settings,
    cluster: &Cluster,
    r: &ProfileRef,
) -> Checked<Pinned> {
    let at = |span, msg: String| Diagnostic::at(&cluster.source, span, msg);
    let name = r.profile.get_ref();
    let opened = match r.tag() {
        None => None,
        Some(tag) => {
            let exists = git2::Repository::discover(&working.root)
                .ok()
                .is_some_and(|repo| repo.find_reference(&format!("refs/tags/{tag}")).is_ok());
            if !exists {
                let (span, _) = r.version.as_ref().expect("a tag has a version");
                let list: Vec<String> = releases(working, name)
                    .iter()
                    .map(|v| v.to_string())
                    .collect();
                let hint = if list.is_empty() {
                    format!("`{name}` has no release yet: `strata release {name}` tags one")
                } else {
                    format!("releases of `{name}`: {}", list.join(", "))
                };
                return Ok(Err(vec![
                    at(
                        span.span(),
                        format!(
                            "profile `{name}` has no release {} (no tag `{tag}`)",
                            span.get_ref()
                        ),
                    )
                    .with_hint(hint),
                ]));
            }
            match problems_of(Catalog::open_at(
                &working.root,
                &format!("refs/tags/{tag}"),
                settings,
            ))? {
                Ok(c) => Some(c),
                Err(d) => return Ok(Err(d)),
            }
        }
    };
    let catalog = opened.as_ref().unwrap_or(working);
    let loaded = catalog.load_profiles(&[])?;
    let names: Vec<String> = loaded
        .iter()
        .filter_map(|(_, p)| p.as_ref().ok().map(|p| p.name.clone()))
        .collect();
    let Some((entry, parsed)) = loaded.into_iter().find(|(e, p)| {
        p.as_ref()
            .map_or(e.folder_name == *name, |p| p.name == *name)
    }) else {
        let where_ = r
            .tag()
            .map_or("in the catalog".to_string(), |t| format!("at `{t}`"));
        return Ok(Err(vec![
            at(
                r.profile.span(),
                format!("no profile named `{name}` {where_}"),
            )
            .with_hint_opt(suggest(name, names.iter().map(String::as_str))),
        ]));
    };
    let profile = match parsed {
        Ok(p) => p,
        Err(d) => return Ok(Err(d)),
    };
    let lock = match problems_of(crate::lock::current::lock_of(catalog, &entry, &profile))? {
        Ok(l) => l,
        Err(d) => return Ok(Err(d)),
    };
    let packs = match problems_of(locked_packs(catalog, &lock))? {
        Ok(p) => p,
        Err(d) => return Ok(Err(d)),
    };
    Ok(Ok(Pinned {
        catalog: opened,
        profile,
        lock,
        packs,
    }))
}

/// The named clusters (all when none is named); an unknown name is a usage error with the
/// near miss.
pub fn select(loaded: Vec<LoadedCluster>, names: &[String]) -> Result<Vec<LoadedCluster>> {
    if names.is_empty() {
        return Ok(loaded);
    }
    let known = self::names(&loaded);
    for n in names {
        if !known.contains(n) {
            return Err(Error::usage_hint(
                format!("no cluster named `{n}`"),
                suggest(n, known.iter().map(String::as_str)).or_else(|| {
                    known
                        .is_empty()
                        .then(|| format!("a cluster is `{}/<name>/{}`", DIR, FILE_NAME))
                }),
            ));
        }
    }
    Ok(loaded
        .into_iter()
        .filter(|(_, c)| c.as_ref().is_ok_and(|c| names.contains(&c.name)))
        .collect())
}

/// One cluster by name, parsed; an unknown name is a usage error with the near miss.
pub fn find(catalog: &Catalog, name: &str) -> Result<Cluster> {
    let loaded = select(
        load_clusters(catalog)?,
        std::slice::from_ref(&name.to_string()),
    )?;
    match loaded.into_iter().next() {
        Some((_, parsed)) => parsed.map_err(Error::Catalog),
        None => Err(Error::Internal("a selected cluster was lost".to_string())),
    }
}

/// A cluster ready to render: the combined stack (the infra profile's layers, then each
/// add-on profile's), its variables bound, every layer rendered.
pub struct Built {
    /// The combined profile: named after the cluster, with every profile's layers,
    /// variables and tags (the cluster's own tags last).
    pub profile: Profile,
    /// The pinned profile releases, infra first: (profile, version or None).
    pub pins: Vec<(String, Option<Version>)>,
    pub layers: Vec<RenderedLayer>,
    pub bindings: Bindings,
    /// The text of every sensitive value, to mask wherever it would be shown.
    pub secrets: Vec<String>,
}

/// Builds a cluster: pins its profiles, checks that they fit together, binds variables
/// (`[variables]` < `--var` < `STRATA_VAR_<NAME>`), and renders every layer.
pub fn build(
    working: &Catalog,
    settings: &Settings,
    cluster: &Cluster,
    flags: &[String],
    env: &dyn Fn(&str) -> Option<String>,
) -> Checked<Built> {
    build_with(working, settings, cluster, flags, env, &|_| None)
}

/// [`build`], rendering each sensitive variable as `reference(name)` when it gives one (an
/// export hands the engine a reference, never the value); the value is still checked.
pub fn build_with(
    working: &Catalog,
    settings: &Settings,
    cluster: &Cluster,
    flags: &[String],
    env: &dyn Fn(&str) -> Option<String>,
    reference: &dyn Fn(&str) -> Option<String>,
) -> Checked<Built> {
    let mut problems = Vec::new();
    let at = |span, msg: String| Diagnostic::at(&cluster.source, span, msg);
    let infra = match pin(working, settings, cluster, &cluster.profile)? {
        Ok(p) => p,
        Err(d) => return Ok(Err(d)),
    };
    if infra.profile.ty == ProfileType::AddOn {
        problems.push(
            at(
                cluster.profile.profile.span(),
                format!(
                    "`{}` is an add-on profile; a cluster's `profile` is an infra or full profile",
                    infra.profile.name
                ),
            )
            .with_hint("put it under `[[addon]]`"),
        );
    }
    let mut addons = Vec::new();
    for r in &cluster.addons {
        match pin(working, settings, cluster, r)? {
            Ok(p) if p.profile.ty != ProfileType::AddOn => problems.push(
                at(
                    r.profile.span(),
                    format!(
                        "`{}` is {} profile; `[[addon]]` takes add-on profiles",
                        p.profile.name,
                        crate::model::param::with_article(p.profile.ty.as_str())
                    ),
                )
                .with_hint("an add-on profile has `type = \"add-on\"` and only add-on layers"),
            ),
            Ok(p) => addons.push(p),
            Err(mut d) => problems.append(&mut d),
        }
    }
    if !problems.is_empty() {
        return Ok(Err(problems));
    }

    // The combined profile.
    let mut combined = infra.profile.clone();
    combined.name = cluster.name.clone();
    let mut layers: Vec<(Layer, Arc<Pack>)> = infra
        .profile
        .layers
        .iter()
        .cloned()
        .zip(infra.packs.iter().cloned())
        .collect();
    // Each layer's locked release, from the lock of the profile it comes from.
    let mut locked: Vec<Option<LockedLayer>> =
        infra.lock.layers.iter().cloned().map(Some).collect();
    let mut owner: BTreeMap<String, String> = layers
        .iter()
        .map(|(l, _)| (l.name.clone(), infra.profile.file().to_string()))
        .collect();
    let mut tags: Vec<String> = infra.profile.tags.clone();
    let add_tag = |tags: &mut Vec<String>, t: &str| {
        let key = crate::model::tags::split(t).0.to_string();
        tags.retain(|x| crate::model::tags::split(x).0 != key);
        tags.push(t.to_string());
    };
    for a in &addons {
        for (l, p) in a.profile.layers.iter().zip(&a.packs) {
            if let Some(first) = owner.get(&l.name) {
                problems.push(
                    Diagnostic::at(
                        &l.source,
                        l.span.clone(),
                        format!(
                            "layer `{}` of `{}` has the name of a layer of `{first}`",
                            l.name,
                            a.profile.file()
                        ),
                    )
                    .with_hint(
                        "layer names are unique in a cluster; give one of them another `name`",
                    ),
                );
                continue;
            }
            owner.insert(l.name.clone(), a.profile.file().to_string());
            layers.push((l.clone(), p.clone()));
            locked.push(a.lock.layer(&l.name).cloned());
        }
        for t in &a.profile.tags {
            add_tag(&mut tags, t);
        }
        for (name, v) in &a.profile.variables {
            match combined.variables.get(name) {
                Some(other) if other.format != v.format || other.sensitive != v.sensitive => {
                    problems.push(Diagnostic::at(
                        &v.source,
                        v.span.clone(),
                        format!(
                            "variable `{name}` is declared in `{}` and `{}` differently",
                            other.source.name, v.source.name
                        ),
                    ));
                }
                Some(_) => {}
                None => {
                    combined.variables.insert(name.clone(), v.clone());
                }
            }
        }
        combined
            .bases
            .push((a.profile.name.clone(), a.profile.source.clone()));
        combined.bases.extend(a.profile.bases.iter().cloned());
    }
    for t in &cluster.tags {
        if let Err(why) = crate::model::tags::check(t.get_ref(), combined.cloud.get_ref()) {
            problems.push(at(t.span(), format!("tag `{}`: {why}", t.get_ref())));
        }
        add_tag(&mut tags, t.get_ref());
    }
    combined.tags = tags;
    combined.layers = layers.iter().map(|(l, _)| l.clone()).collect();

    // The add-on profiles' releases fit the cloud and the rest of the stack.
    let cloud = combined.cloud.get_ref().clone();
    for (l, p) in layers.iter().skip(infra.profile.layers.len()) {
        if !p.supports_cloud(&cloud) {
            problems.push(Diagnostic::at(
                &l.pack_src,
                l.pack.span(),
                format!(
                    "`{}` {} does not support cloud `{cloud}` of cluster `{}` (it supports {})",
                    p.name,
                    p.version,
                    cluster.name,
                    p.clouds.join(", ")
                ),
            ));
        }
    }
    problems.extend(constraints(&layers, infra.profile.layers.len(), cluster));

    // Variables.
    let bindings = match variable::bind(
        &combined.variables,
        Some((&cluster.source, &cluster.variables)),
        flags,
        env,
    ) {
        Ok(b) => b,
        Err(mut d) => {
            // Values that are wrong are the problem; nothing more is checked with them.
            problems.append(&mut d);
            return Ok(Err(problems));
        }
    };
    // From here on, a problem never shows a sensitive value.
    let secrets = variable::secrets(&combined.variables, &bindings);
    let fail = |problems: Vec<Diagnostic>| -> Checked<Built> {
        Ok(Err(problems
            .into_iter()
            .map(|d| d.masked(&secrets))
            .collect()))
    };
    let used = combined.used_variables();
    problems.extend(variable::missing(
        &combined.variables,
        &used,
        &bindings,
        &|_, msg| {
            at(
                cluster.variables_span.clone(),
                format!("cluster `{}`: {msg}", cluster.name),
            )
        },
    ));
    let catalog = infra.catalog(working);
    for (l, p) in &layers {
        problems.extend(check_values(
            catalog,
            &combined,
            l,
            p,
            &bindings,
            std::slice::from_ref(&cluster.source),
        ));
    }
    if !problems.is_empty() {
        return fail(problems);
    }

    // Render (an export: sensitive values as references).
    let mut bindings = bindings;
    for (name, v) in &combined.variables {
        if v.sensitive
            && bindings.contains_key(name)
            && let Some(r) = reference(name)
        {
            bindings.insert(
                name.clone(),
                variable::Binding {
                    value: toml::Value::String(r),
                    origin: variable::BindingOrigin::Reference,
                },
            );
        }
    }
    let pairs: Vec<(&Layer, &Pack)> = layers.iter().map(|(l, p)| (l, &**p)).collect();
    let mut stack = match Stack::new(catalog, &combined, &pairs, &bindings) {
        Ok(s) => s,
        Err(d) => return fail(d),
    };
    stack.sources.push(cluster.source.clone());
    let mut rendered = Vec::new();
    for (i, ((l, p), lock)) in layers.iter().zip(&locked).enumerate() {
        match stack.render(catalog, i, l, p) {
            Ok(r) => rendered.push(RenderedLayer {
                name: l.name.clone(),
                ty: l.ty,
                pack: p.name.clone(),
                version: p.version.clone(),
                registry: lock
                    .as_ref()
                    .map_or_else(String::new, |x| x.registry.clone()),
                requested: l.requested.get_ref().clone(),
                commit: lock.as_ref().and_then(|x| x.commit.clone()),
                digest: lock
                    .as_ref()
                    .map_or_else(|| p.digest.clone(), |x| x.digest.clone()),
                origin: crate::lock::render::PackOrigin::of(p),
                charts: p.charts.clone(),
                files: r.files,
                kinds: r.kinds,
                values: r.values,
            }),
            Err(mut d) => problems.append(&mut d),
        }
    }
    if !problems.is_empty() {
        return fail(problems);
    }
    let mut pins = vec![(
        infra.profile.name.clone(),
        cluster.profile.version.as_ref().map(|(_, v)| v.clone()),
    )];
    pins.extend(cluster.addons.iter().zip(&addons).map(|(r, a)| {
        (
            a.profile.name.clone(),
            r.version.as_ref().map(|(_, v)| v.clone()),
        )
    }));
    Ok(Ok(Built {
        profile: combined,
        pins,
        layers: rendered,
        bindings,
        secrets,
    }))
}

/// Every `requires` and `conflicts` of the add-on layers' releases holds against the whole
/// stack, and no release of the infra profile conflicts with an add-on.
fn constraints(layers: &[(Layer, Arc<Pack>)], infra: usize, cluster: &Cluster) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let present = |t: &Target| -> Vec<&Arc<Pack>> {
        layers
            .iter()
            .filter(|(l, p)| match t {
                Target::Layer(ty) => l.ty == *ty,
                Target::Pack(name) => p.name == *name,
            })
            .map(|(_, p)| p)
            .collect()
    };
    for (i, (l, p)) in layers.iter().enumerate() {
        for r in &p.requires {
            let found = present(&r.target);
            // Within the infra profile, `requires` were checked when it was locked.
            if i < infra
                && found
                    .iter()
                    .all(|q| layers[..infra].iter().any(|(_, x)| Arc::ptr_eq(x, q)))
            {
                continue;
            }
            if found.is_empty() {
                if !r.optional {
                    problems.push(Diagnostic::at(
                        &l.pack_src,
                        l.pack.span(),
                        format!(
                            "{} {} requires {} {}, and cluster `{}` has none",
                            p.name, p.version, r.target, r.text, cluster.name
                        ),
                    ));
                }
                continue;
            }
            for q in found {
                if !r.spec.covers(&q.version) {
                    problems.push(Diagnostic::at(
                        &l.pack_src,
                        l.pack.span(),
                        format!(
                            "{} {} requires {} {}, and cluster `{}` has {} {}",
                            p.name, p.version, r.target, r.text, cluster.name, q.name, q.version
                        ),
                    ));
                }
            }
        }
        for c in &p.conflicts {
            for q in present(&c.target) {
                let both_infra =
                    i < infra && layers[..infra].iter().any(|(_, x)| Arc::ptr_eq(x, q));
                if !both_infra && !Arc::ptr_eq(p, q) && c.spec.covers(&q.version) {
                    problems.push(Diagnostic::at(
                        &l.pack_src,
                        l.pack.span(),
                        format!(
                            "{} {} conflicts with {} {}, and cluster `{}` has {} {}",
                            p.name, p.version, c.target, c.text, cluster.name, q.name, q.version
                        ),
                    ));
                }
            }
        }
    }
    problems
}

/// The clusters' names, for near misses.
pub fn names(loaded: &[LoadedCluster]) -> BTreeSet<String> {
    loaded
        .iter()
        .filter_map(|(_, c)| c.as_ref().ok().map(|c| c.name.clone()))
        .collect()
}
