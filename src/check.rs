//! Checks a profile against its registries: resolution (packs, releases, layer types,
//! clouds, `requires`, `conflicts`), then parameter values, the cloud, and `[defaults]` in
//! strata.toml.

use std::collections::BTreeSet;

use crate::catalog::Catalog;
use crate::diagnostic::{Diagnostic, Source, suggest};
use crate::error::Result;
use crate::model::pack::Pack;
use crate::model::param::with_article;
use crate::model::variable::{BindingOrigin, Bindings, secrets};
use crate::profile::Layer;
use crate::profile::Profile;
use crate::render::{Rendered, Stack};
use crate::resolve::{Chosen, Preferences, resolve};
use crate::shown::mask;

/// Clouds strata knows even when no pack in use names them.
pub const KNOWN_CLOUDS: [&str; 9] = [
    "aws",
    "azure",
    "baremetal",
    "edge",
    "gcp",
    "maas",
    "openstack",
    "vsphere",
    "libvirt",
];

/// A profile whose every layer has a release, with each layer's effective parameters and
/// rendered files (in layer order).
pub struct Checked<'c> {
    pub profile: Profile,
    pub layers: Vec<Chosen<'c>>,
    pub outputs: Vec<Rendered>,
}

/// Checks a parsed profile, resolving it afresh. The outer error is a registry or I/O
/// failure; the inner one lists the problems of the profile.
pub fn check_profile<'c>(
    catalog: &'c Catalog,
    profile: Profile,
) -> Result<Result<Checked<'c>, Vec<Diagnostic>>> {
    check_with(catalog, profile, &Preferences::default())
}

/// Checks a profile, keeping the locked releases `prefs` allows.
pub fn check_with<'c>(
    catalog: &'c Catalog,
    profile: Profile,
    prefs: &Preferences,
) -> Result<Result<Checked<'c>, Vec<Diagnostic>>> {
    let unbound = Bindings::new();
    let chosen = match resolve(catalog, &profile, prefs)? {
        Ok(c) => c,
        Err(mut problems) => {
            // A layer that cannot be resolved hides no mistake of the others.
            let alone = crate::resolve::each_alone(catalog, &profile, prefs);
            if alone.len() < profile.layers.len() {
                for (i, pack) in alone {
                    let layer = &profile.layers[i];
                    problems.extend(check_values(catalog, &profile, layer, &pack, &unbound, &[]));
                }
                crate::diagnostic::dedup(&mut problems);
                problems
                    .sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
            }
            return Ok(Err(problems));
        }
    };
    let mut problems = Vec::new();
    for c in &chosen {
        problems.extend(check_values(
            catalog,
            &profile,
            &c.layer,
            &c.pack,
            &unbound,
            &[],
        ));
    }
    problems.extend(check_cloud(&profile, &chosen));
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let layers: Vec<(&Layer, &Pack)> = chosen.iter().map(|c| (&c.layer, &*c.pack)).collect();
    let stack = match Stack::new(catalog, &profile, &layers, &unbound) {
        Ok(s) => s,
        Err(d) => return Ok(Err(d)),
    };
    let mut outputs = Vec::new();
    for (i, c) in chosen.iter().enumerate() {
        match stack.render(catalog, i, &c.layer, &c.pack) {
            Ok(r) => outputs.push(r),
            Err(mut d) => problems.append(&mut d),
        }
    }
    if problems.is_empty() {
        Ok(Ok(Checked {
            profile,
            layers: chosen,
            outputs,
        }))
    } else {
        Ok(Err(problems))
    }
}

/// Values in the layer and in `[defaults.<pack>]` name declared parameters of the right type;
/// required parameters have a value. A value that is a variable fits the parameter's type;
/// bound (`bindings`), its value obeys the parameter's rules, reported where it was bound
/// when that is one of `sources` (a cluster file), else at the `{ var }` value.
pub fn check_values(
    catalog: &Catalog,
    profile: &Profile,
    layer: &Layer,
    pack: &Pack,
    bindings: &Bindings,
    sources: &[Source],
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    if pack.document.is_some() || !layer.presets.is_empty() {
        problems.extend(crate::render::merged::check_presets(layer, pack));
    }
    if pack.document.is_some() {
        // Values are key paths into the release's document; its rules are checked on the
        // merged document when the layer renders.
        return problems;
    }
    let label = format!("{} {}", pack.name, pack.version);
    let params = || pack.params.keys().map(String::as_str);
    let mut values: Vec<_> = layer.values.iter().collect();
    values.sort_by_key(|(_, v)| (v.source.name.clone(), v.key_span.start));
    for (key, lv) in values {
        let Some(spec) = pack.params.get(key) else {
            problems.push(
                Diagnostic::at(
                    &lv.source,
                    lv.key_span.clone(),
                    format!("unknown parameter `{key}` for {label}"),
                )
                .with_hint_opt(suggest(key, params())),
            );
            continue;
        };
        let Some(var) = lv.var().and_then(|n| profile.variables.get(n)) else {
            if let Err(why) = spec.check_value(lv.value.get_ref()) {
                problems.push(Diagnostic::at(
                    &lv.source,
                    lv.value.span(),
                    format!("parameter `{key}` of {label}: {why}"),
                ));
            }
            continue;
        };
        let site = Site {
            key,
            value: lv,
            label: &label,
        };
        problems.extend(check_variable_value(
            profile, &site, spec, var, bindings, sources,
        ));
    }
    let defaults = catalog
        .config
        .defaults
        .iter()
        .find(|(k, _)| k.get_ref() == &pack.name)
        .map(|(_, v)| v);
    if let Some(defaults) = defaults {
        problems.extend(check_pack_defaults(catalog, pack, defaults, &label));
    }
    for (name, spec) in &pack.params {
        let set = layer.values.contains_key(name)
            || defaults.is_some_and(|d| d.keys().any(|k| k.get_ref() == name));
        if spec.required && spec.default.is_none() && spec.default_from.is_none() && !set {
            problems.push(
                Diagnostic::at(
                    &layer.source,
                    layer.span.clone(),
                    format!("parameter `{name}` of {label} is required"),
                )
                .with_hint(format!(
                    "set it under `[layer.values]`: {}",
                    spec.description
                )),
            );
        }
    }
    problems
}

/// A layer value being checked: its parameter's name, the value, and the release
/// (`calico 3.30.2`).
struct Site<'a> {
    key: &'a str,
    value: &'a crate::profile::LayerValue,
    label: &'a str,
}

/// A value that is a variable (`{ var = "..." }`): the variable's format fits the
/// parameter's type, and its bound value (when bound) obeys the parameter's rules.
fn check_variable_value(
    profile: &Profile,
    site: &Site,
    spec: &crate::model::param::ParamSpec,
    var: &crate::model::variable::Variable,
    bindings: &Bindings,
    sources: &[Source],
) -> Option<Diagnostic> {
    let (key, lv, label) = (site.key, site.value, site.label);
    let ty = *spec.ty.get_ref();
    if !var.format.fits(ty) {
        return Some(
            Diagnostic::at(
                &lv.source,
                lv.value.span(),
                format!(
                    "variable `{}` is {} ({}); parameter `{key}` of {label} takes {}",
                    var.name,
                    with_article(var.format.as_str()),
                    var.format.as_str(),
                    with_article(ty.as_str())
                ),
            )
            .with_hint("change the variable's `format`, or use it for another parameter"),
        );
    }
    let b = bindings.get(&var.name)?;
    let why = spec.check_value(&b.value).err()?;
    let why = if var.sensitive {
        mask(&why, &secrets(&profile.variables, bindings))
    } else {
        why
    };
    let message = format!(
        "parameter `{key}` of {label} (variable `{}`): {why}",
        var.name
    );
    let at_binding = match &b.origin {
        BindingOrigin::File { file, line } => sources
            .iter()
            .find(|s| s.name == *file)
            .map(|s| Diagnostic::at_line(s, *line, message.clone())),
        _ => None,
    };
    Some(at_binding.unwrap_or_else(|| Diagnostic::at(&lv.source, lv.value.span(), message)))
}

/// `[defaults.<pack>]` of strata.toml names declared parameters, with values they take.
fn check_pack_defaults(
    catalog: &Catalog,
    pack: &Pack,
    defaults: &std::collections::BTreeMap<toml::Spanned<String>, toml::Spanned<toml::Value>>,
    label: &str,
) -> Vec<Diagnostic> {
    let params = || pack.params.keys().map(String::as_str);
    let mut problems = Vec::new();
    for (key, value) in defaults {
        let msg = match pack.params.get(key.get_ref()) {
            None => Some((
                key.span(),
                format!("unknown parameter `{}` for {label}", key.get_ref()),
                suggest(key.get_ref(), params()),
            )),
            Some(spec) => spec.check_value(value.get_ref()).err().map(|why| {
                (
                    value.span(),
                    format!("parameter `{}` of {label}: {why}", key.get_ref()),
                    None,
                )
            }),
        };
        if let Some((span, message, hint)) = msg {
            problems
                .push(Diagnostic::at(&catalog.config_source, span, message).with_hint_opt(hint));
        }
    }
    problems
}

/// The profile's cloud is one strata or a pack in use knows.
fn check_cloud(profile: &Profile, chosen: &[Chosen]) -> Vec<Diagnostic> {
    let cloud = profile.cloud.get_ref();
    let mut known: BTreeSet<&str> = KNOWN_CLOUDS.into_iter().collect();
    for c in chosen {
        known.extend(
            c.pack
                .clouds
                .iter()
                .map(String::as_str)
                .filter(|c| *c != "all"),
        );
    }
    if known.contains(cloud.as_str()) {
        return Vec::new();
    }
    vec![
        Diagnostic::at(
            &profile.cloud_source,
            profile.cloud.span(),
            format!("unknown cloud `{cloud}`"),
        )
        .with_hint_opt(suggest(cloud, known.iter().copied())),
    ]
}

/// `[defaults.<pack>]` names packs that exist somewhere.
pub fn check_defaults(catalog: &Catalog) -> Result<Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let mut all = None;
    for key in catalog.config.defaults.keys() {
        if catalog.registries.having(key.get_ref())?.is_empty() {
            let all = match &all {
                Some(a) => a,
                None => all.insert(catalog.registries.all_pack_names()?),
            };
            problems.push(
                Diagnostic::at(
                    &catalog.config_source,
                    key.span(),
                    format!("defaults for unknown pack `{}`", key.get_ref()),
                )
                .with_hint_opt(suggest(key.get_ref(), all.iter().map(String::as_str))),
            );
        }
    }
    Ok(problems)
}
