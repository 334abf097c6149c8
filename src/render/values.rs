//! Effective parameters: pack default < `default_from` (another layer's effective value) <
//! `[defaults.<pack>]` in strata.toml < the layer's `values`, each value with where it came
//! from.

use std::collections::{BTreeMap, BTreeSet};

use toml::Value;

use super::effective::{Effective, Origin, VarUse};
use crate::diagnostic::{Diagnostic, Source};
use crate::digest::sha256;
use crate::model::config::Config;
use crate::model::pack::{LayerType, Pack};
use crate::model::variable::{Bindings, placeholder};
use crate::profile::{Layer, Profile};
use sha2::Digest as _;

/// The effective parameters of one layer. Only declared parameters appear (an undeclared
/// value is a validation error); a parameter with no default and no value is absent.
pub fn effective(
    pack: &Pack,
    layer: &Layer,
    profile: &Profile,
    config: &Config,
    config_source: &Source,
    bindings: &Bindings,
) -> BTreeMap<String, Effective> {
    if pack.document.is_some() {
        return super::merged::effective(
            pack,
            layer,
            &profile.variables,
            config,
            config_source,
            bindings,
        );
    }
    let line_of = |src: &Source, at: usize| src.line_at(at);
    let mut out = BTreeMap::new();
    for (name, spec) in &pack.params {
        if let Some(d) = &spec.default {
            out.insert(
                name.clone(),
                Effective {
                    value: d.get_ref().clone(),
                    origin: Origin::PackDefault,
                    var: None,
                    secret: false,
                },
            );
        }
    }
    if let Some((_, defaults)) = config
        .defaults
        .iter()
        .find(|(k, _)| *k.get_ref() == pack.name)
    {
        for (key, value) in defaults {
            if pack.params.contains_key(key.get_ref()) {
                out.insert(
                    key.get_ref().clone(),
                    Effective {
                        value: value.get_ref().clone(),
                        origin: Origin::Defaults {
                            file: config_source.name.clone(),
                            line: line_of(config_source, key.span().start),
                        },
                        var: None,
                        secret: false,
                    },
                );
            }
        }
    }
    for (key, lv) in &layer.values {
        if pack.params.contains_key(key) {
            let (value, var) = match lv.var().and_then(|n| profile.variables.get(n)) {
                Some(v) => match bindings.get(&v.name) {
                    Some(b) => (
                        b.value.clone(),
                        Some(VarUse {
                            name: v.name.clone(),
                            sensitive: v.sensitive,
                            bound: Some(b.origin.clone()),
                        }),
                    ),
                    None => (
                        placeholder(v),
                        Some(VarUse {
                            name: v.name.clone(),
                            sensitive: v.sensitive,
                            bound: None,
                        }),
                    ),
                },
                None => (lv.value.get_ref().clone(), None),
            };
            out.insert(
                key.clone(),
                Effective {
                    value,
                    origin: Origin::Layer {
                        file: lv.source.name.clone(),
                        line: lv.line(),
                    },
                    var,
                    secret: false,
                },
            );
        }
    }
    out
}

/// The effective parameters of every layer of a stack (`layers[i]` is the layer and the
/// release chosen for it), `default_from` followed across layers. A `default_from` that
/// names a layer of a type the profile lacks (an add-on profile has no kubernetes layer)
/// leaves the pack's own default; one that names no layer or parameter at all, a cycle,
/// or a value of the wrong type is a problem of the pack.
pub fn effective_stack(
    layers: &[(&Layer, &Pack)],
    profile: &Profile,
    config: &Config,
    config_source: &Source,
    bindings: &Bindings,
) -> Result<Vec<BTreeMap<String, Effective>>, Vec<Diagnostic>> {
    let mut out: Vec<BTreeMap<String, Effective>> = layers
        .iter()
        .map(|(layer, pack)| effective(pack, layer, profile, config, config_source, bindings))
        .collect();
    let by_name: BTreeMap<&str, usize> = layers
        .iter()
        .enumerate()
        .map(|(i, (l, _))| (l.name.as_str(), i))
        .collect();
    let mut problems = Vec::new();
    let mut done: BTreeSet<(usize, String)> = BTreeSet::new();
    for (i, (_, pack)) in layers.iter().enumerate() {
        for name in pack.params.keys() {
            let mut chain = Vec::new();
            if let Err(d) = follow(i, name, layers, &by_name, &mut out, &mut done, &mut chain)
                && !problems.contains(&d)
            {
                problems.push(d);
            }
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// A `default_from` cycle, named from its smallest member at that member's
/// `default_from`: the same cycle is met from each of its members and reported once.
fn cycle(ring: &[(String, usize, String)], layers: &[(&Layer, &Pack)]) -> Diagnostic {
    let first = (0..ring.len()).min_by_key(|k| &ring[*k].0).unwrap_or(0);
    let mut names: Vec<&str> = ring[first..]
        .iter()
        .chain(&ring[..first])
        .map(|(l, _, _)| l.as_str())
        .collect();
    names.push(names[0]);
    let (_, li, lname) = &ring[first];
    let owner = layers[*li].1;
    let message = format!(
        "`default_from` goes round in a cycle: {}",
        names.join(" -> ")
    );
    match owner
        .params
        .get(lname)
        .and_then(|s| s.default_from.as_ref())
    {
        Some(f) => Diagnostic::at(&owner.manifest, f.span(), message),
        None => Diagnostic::file(&owner.manifest.name, message),
    }
}

/// The layer a `default_from` names (a layer name, or a layer type): `None` for a type the
/// profile lacks (the pack's own default stands); the message for a name it has no layer of.
fn target_layer(
    target: &str,
    from: &str,
    pack: &Pack,
    layers: &[(&Layer, &Pack)],
    by_name: &BTreeMap<&str, usize>,
) -> Result<Option<usize>, (String, Option<String>)> {
    if let Some(j) = by_name.get(target) {
        return Ok(Some(*j));
    }
    if let Some(t) = LayerType::parse(target) {
        return Ok(layers.iter().position(|(l, _)| l.ty == t));
    }
    let known = by_name
        .keys()
        .copied()
        .chain(LayerType::ALL.iter().map(|t| t.as_str()));
    Err((
        format!(
            "`default_from = \"{from}\"` of {} {}: the profile has no layer `{target}`",
            pack.name, pack.version
        ),
        crate::diagnostic::near_miss(target, known).map(|n| format!("did you mean `{n}`?")),
    ))
}

/// Settles parameter `name` of layer `i`: when its value is the pack's own (or it has none)
/// and it has a `default_from`, takes the referenced layer's effective value, settling that
/// one first. `chain` holds the parameters being settled, to name a cycle.
fn follow(
    i: usize,
    name: &str,
    layers: &[(&Layer, &Pack)],
    by_name: &BTreeMap<&str, usize>,
    out: &mut [BTreeMap<String, Effective>],
    done: &mut BTreeSet<(usize, String)>,
    chain: &mut Vec<(String, usize, String)>,
) -> Result<(), Diagnostic> {
    if done.contains(&(i, name.to_string())) {
        return Ok(());
    }
    let (layer, pack) = layers[i];
    let label = format!("{}.{name}", layer.name);
    if let Some(start) = chain.iter().position(|(l, _, _)| *l == label) {
        return Err(cycle(&chain[start..], layers));
    }
    let Some(spec) = pack.params.get(name) else {
        return Ok(());
    };
    let own = out[i]
        .get(name)
        .is_none_or(|e| e.origin == Origin::PackDefault);
    let Some(from) = spec.default_from.as_ref().filter(|_| own) else {
        done.insert((i, name.to_string()));
        return Ok(());
    };
    let at = |msg: String| Diagnostic::at(&pack.manifest, from.span(), msg);
    let Some((target, param)) = from.get_ref().split_once('.') else {
        return Ok(());
    };
    let j = target_layer(target, from.get_ref(), pack, layers, by_name)
        .map_err(|(message, hint)| at(message).with_hint_opt(hint))?;
    let Some(j) = j else {
        done.insert((i, name.to_string()));
        return Ok(());
    };
    let (other_layer, other) = layers[j];
    if !other.params.contains_key(param) {
        return Err(at(format!(
            "`default_from = \"{}\"` of {} {}: {} {} (layer `{}`) has no parameter `{param}`",
            from.get_ref(),
            pack.name,
            pack.version,
            other.name,
            other.version,
            other_layer.name
        ))
        .with_hint_opt(crate::diagnostic::suggest(
            param,
            other.params.keys().map(String::as_str),
        )));
    }
    chain.push((label, i, name.to_string()));
    follow(j, param, layers, by_name, out, done, chain)?;
    chain.pop();
    if let Some(source) = out[j].get(param).cloned() {
        if !source.is_placeholder()
            && let Err(why) = spec.check_value(&source.value)
        {
            return Err(at(format!(
                "parameter `{name}` of {} {} takes its default from `{}`: {why}",
                pack.name,
                pack.version,
                from.get_ref()
            )));
        }
        out[i].insert(
            name.to_string(),
            Effective {
                value: source.value,
                origin: Origin::From {
                    from: format!("{}.{param}", other_layer.name),
                    via: Box::new(source.origin),
                },
                var: source.var,
                secret: source.secret,
            },
        );
    }
    done.insert((i, name.to_string()));
    Ok(())
}

/// The plain values, for templates.
pub fn plain(values: &BTreeMap<String, Effective>) -> BTreeMap<String, Value> {
    values
        .iter()
        .map(|(k, e)| (k.clone(), e.value.clone()))
        .collect()
}

/// The lock's `values` digest: `sha256:` of the canonical JSON of the effective values
/// (keys sorted at every level). A variable without a value counts as `{"var": NAME}`, so
/// the digest does not depend on any cluster; a sensitive bound value counts as the
/// sha256 of its text, never in clear.
pub fn digest(values: &BTreeMap<String, Effective>) -> String {
    let canonical: BTreeMap<&String, serde_json::Value> = values
        .iter()
        .map(|(k, e)| {
            let v = match &e.var {
                Some(VarUse { name, bound: None, .. }) => serde_json::json!({ "var": name }),
                Some(VarUse { name, sensitive: true, .. }) => serde_json::json!({
                    "var": name,
                    "sha256": crate::digest::hex(&sha2::Sha256::digest(e.value.to_string().as_bytes())),
                }),
                _ => serde_json::to_value(&e.value).expect("TOML values serialize"),
            };
            (k, v)
        })
        .collect();
    let json = serde_json::to_string(&canonical).expect("JSON values serialize");
    sha256(json.as_bytes())
}
