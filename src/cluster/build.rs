//! Building a cluster: its pinned profiles combined into one stack (the infra profile's
//! layers, then each add-on profile's), checked to fit, its variables bound, every layer
//! rendered.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::file::Cluster;
use super::fit;
use super::pin::{Checked, Pinned, pin};
use crate::catalog::Catalog;
use crate::check::check_values;
use crate::diagnostic::Diagnostic;
use crate::lock::render::{RenderedLayer, render_layers};
use crate::lockfile::LockedLayer;
use crate::model::pack::Pack;
use crate::model::variable::{self, Bindings};
use crate::model::version::Version;
use crate::profile::{Layer, Profile, ProfileType};
use crate::registry::Settings;

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
    /// The release of each layer, in order.
    pub packs: Vec<Arc<Pack>>,
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

/// [`build`] for checks that run without production secrets (`validate`, `cluster
/// validate`): a sensitive variable with no value renders as its placeholder, as in a
/// lock; every value given is still checked.
pub fn build_without_secrets(
    working: &Catalog,
    settings: &Settings,
    cluster: &Cluster,
    flags: &[String],
    env: &dyn Fn(&str) -> Option<String>,
) -> Checked<Built> {
    build_all(working, settings, cluster, (flags, env), &|_| None, false)
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
    build_all(working, settings, cluster, (flags, env), reference, true)
}

/// Values from `--var` flags and the environment.
type Given<'a> = (&'a [String], &'a dyn Fn(&str) -> Option<String>);

fn build_all(
    working: &Catalog,
    settings: &Settings,
    cluster: &Cluster,
    (flags, env): Given,
    reference: &dyn Fn(&str) -> Option<String>,
    need_secrets: bool,
) -> Checked<Built> {
    let (infra, addons) = match pin_all(working, settings, cluster)? {
        Ok(pinned) => pinned,
        Err(d) => return Ok(Err(d)),
    };
    let mut problems = Vec::new();
    let stack = combine(cluster, &infra, &addons, &mut problems);
    let infra_layers = infra.profile.layers.len();
    let cloud = stack.profile.cloud.get_ref().clone();
    problems.extend(fit::clouds(&stack.layers, infra_layers, &cloud, cluster));
    problems.extend(fit::constraints(&stack.layers, infra_layers, cluster));

    // Variables.
    let bindings = match variable::bind(
        &stack.profile.variables,
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
    let secrets = variable::secrets(&stack.profile.variables, &bindings);
    let fail = |problems: Vec<Diagnostic>| -> Checked<Built> {
        Ok(Err(problems
            .into_iter()
            .map(|d| d.masked(&secrets))
            .collect()))
    };
    let catalog = infra.catalog(working);
    problems.extend(check_bound(
        catalog,
        cluster,
        &stack,
        &bindings,
        need_secrets,
    ));
    if !problems.is_empty() {
        return fail(problems);
    }

    // Render (an export: sensitive values as references).
    let bindings = with_references(&stack.profile, bindings, reference);
    let layers: Vec<(&Layer, &Pack, Option<&LockedLayer>)> = stack
        .layers
        .iter()
        .zip(&stack.locked)
        .map(|((l, p), lock)| (l, &**p, lock.as_ref()))
        .collect();
    let sources = std::slice::from_ref(&cluster.source);
    let rendered = match render_layers(catalog, &stack.profile, &layers, &bindings, sources, None) {
        Ok(r) => r,
        Err(d) => return fail(d),
    };
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
        packs: stack.layers.iter().map(|(_, p)| p.clone()).collect(),
        profile: stack.profile,
        pins,
        layers: rendered,
        bindings,
        secrets,
    }))
}

/// The cluster's infra profile and its add-on profiles, each pinned, and each of the
/// right type.
fn pin_all(
    working: &Catalog,
    settings: &Settings,
    cluster: &Cluster,
) -> Checked<(Pinned, Vec<Pinned>)> {
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
    if problems.is_empty() {
        Ok(Ok((infra, addons)))
    } else {
        Ok(Err(problems))
    }
}

/// A cluster's combined stack: one profile, each layer with its release and its locked
/// entry (from the lock of the profile it comes from).
struct Combined {
    profile: Profile,
    layers: Vec<(Layer, Arc<Pack>)>,
    locked: Vec<Option<LockedLayer>>,
}

/// The infra profile with the add-on profiles' layers, variables and tags added, then the
/// cluster's own tags; names that clash and variables declared differently are problems.
fn combine(
    cluster: &Cluster,
    infra: &Pinned,
    addons: &[Pinned],
    problems: &mut Vec<Diagnostic>,
) -> Combined {
    let mut combined = infra.profile.clone();
    combined.name = cluster.name.clone();
    let mut layers: Vec<(Layer, Arc<Pack>)> = infra
        .profile
        .layers
        .iter()
        .cloned()
        .zip(infra.packs.iter().cloned())
        .collect();
    let mut locked: Vec<Option<LockedLayer>> =
        infra.lock.layers.iter().cloned().map(Some).collect();
    let mut owner: BTreeMap<String, String> = layers
        .iter()
        .map(|(l, _)| (l.name.clone(), infra.profile.file().to_string()))
        .collect();
    let mut tags: Vec<String> = infra.profile.tags.clone();
    for a in addons {
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
        add_variables(&mut combined, &a.profile, problems);
        combined
            .bases
            .push((a.profile.name.clone(), a.profile.source.clone()));
        combined.bases.extend(a.profile.bases.iter().cloned());
    }
    for t in &cluster.tags {
        if let Err(why) = crate::model::tags::check(t.get_ref(), combined.cloud.get_ref()) {
            problems.push(Diagnostic::at(
                &cluster.source,
                t.span(),
                format!("tag `{}`: {why}", t.get_ref()),
            ));
        }
        add_tag(&mut tags, t.get_ref());
    }
    combined.tags = tags;
    combined.layers = layers.iter().map(|(l, _)| l.clone()).collect();
    Combined {
        profile: combined,
        layers,
        locked,
    }
}

/// Adds a tag, replacing one with the same key.
fn add_tag(tags: &mut Vec<String>, t: &str) {
    let key = crate::model::tags::split(t).0.to_string();
    tags.retain(|x| crate::model::tags::split(x).0 != key);
    tags.push(t.to_string());
}

/// Adds an add-on profile's variables; one declared again must be declared alike.
fn add_variables(combined: &mut Profile, addon: &Profile, problems: &mut Vec<Diagnostic>) {
    for (name, v) in &addon.variables {
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
}

/// With the variables bound: every variable a value uses has a value, and every layer's
/// values are right for its release.
fn check_bound(
    catalog: &Catalog,
    cluster: &Cluster,
    stack: &Combined,
    bindings: &Bindings,
    need_secrets: bool,
) -> Vec<Diagnostic> {
    let mut used = stack.profile.used_variables();
    if !need_secrets {
        used.retain(|name| {
            !stack
                .profile
                .variables
                .get(name)
                .is_some_and(|v| v.sensitive)
        });
    }
    let mut problems = variable::missing(&stack.profile.variables, &used, bindings, &|_, msg| {
        Diagnostic::at(
            &cluster.source,
            cluster.variables_span.clone(),
            format!("cluster `{}`: {msg}", cluster.name),
        )
    });
    for (l, p) in &stack.layers {
        problems.extend(check_values(
            catalog,
            &stack.profile,
            l,
            p,
            bindings,
            std::slice::from_ref(&cluster.source),
        ));
    }
    problems
}

/// The bindings with each sensitive variable bound as `reference(name)` when it gives one.
fn with_references(
    profile: &Profile,
    mut bindings: Bindings,
    reference: &dyn Fn(&str) -> Option<String>,
) -> Bindings {
    for (name, v) in &profile.variables {
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
    bindings
}
