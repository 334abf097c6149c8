//! Composition: a profile merged with the chain of profiles it `extends`. A layer with the
//! name of an inherited layer overrides it (pack, version and registry replace, values
//! merge key by key) or removes an inherited add-on; a new name appends a layer.

use std::collections::BTreeMap;

use toml::{Spanned, Value};

use super::file::{LayerDeclParsed, ProfileDoc};
use super::stack::{Layer, LayerValue, Profile, ProfileType, Request};
use crate::diagnostic::{Diagnostic, Source, suggest};
use crate::model::param::with_article;
use crate::model::variable::{Variable, var_ref};
use crate::model::version::VersionSpec;

impl Profile {
    /// Parses a profile that extends no other, and checks every rule that needs no
    /// registry.
    pub fn parse(source: Source, dir: &str, folder_name: &str) -> Result<Profile, Vec<Diagnostic>> {
        let doc = ProfileDoc::parse(source, dir, folder_name)?;
        Profile::compose(&doc, &|_| None, &[])
    }

    /// Merges a profile with the chain of profiles it extends (`lookup` finds a profile of
    /// the catalog by name: `None` when there is none, `Some(Err)` when it has problems of
    /// its own), then checks the layout. `known` lists the catalog's profile names, for the
    /// near miss.
    pub fn compose(
        doc: &ProfileDoc,
        lookup: &dyn Fn(&str) -> Option<Result<ProfileDoc, String>>,
        known: &[String],
    ) -> Result<Profile, Vec<Diagnostic>> {
        let chain = chain_of(doc, lookup, known)?;
        let mut problems = Vec::new();
        let root = chain.last().expect("not empty");
        let mut ty = root.ty.as_ref().map_or(ProfileType::Full, |t| *t.get_ref());
        let mut cloud: Option<(Spanned<String>, Source)> = None;
        let mut tags: Vec<(Spanned<String>, Source)> = Vec::new();
        let mut variables: BTreeMap<String, Variable> = BTreeMap::new();
        let mut layers: Vec<Layer> = Vec::new();
        for (depth, d) in chain.iter().enumerate().rev() {
            let at = |span, msg: String| Diagnostic::at(&d.source, span, msg);
            if depth + 1 < chain.len()
                && let Some(t) = &d.ty
                && *t.get_ref() != ty
            {
                let base = &chain[depth + 1];
                problems.push(
                    at(
                        t.span(),
                        format!(
                            "{} profile cannot extend `{}`, {} profile",
                            with_article(t.get_ref().as_str()),
                            base.name,
                            with_article(ty.as_str())
                        ),
                    )
                    .with_hint("a profile extends a profile of its own type"),
                );
                ty = *t.get_ref();
            }
            if let Some(c) = &d.cloud {
                cloud = Some((c.clone(), d.source.clone()));
            }
            for tag in &d.tags {
                let key = crate::model::tags::split(tag.get_ref()).0;
                tags.retain(|(t, _)| crate::model::tags::split(t.get_ref()).0 != key);
                tags.push((tag.clone(), d.source.clone()));
            }
            for v in &d.variables {
                variables.insert(v.name.clone(), v.clone());
            }
            // Only layers of the bases are overridden; two layers of one file are two.
            let mut inherited = layers.len();
            for decl in &d.layers {
                apply_layer(&mut layers, &mut inherited, decl, &d.source, &mut problems);
            }
        }
        let Some((cloud, cloud_source)) = cloud else {
            // Reported by ProfileDoc::parse for a root without `cloud`.
            return Err(problems);
        };
        for (tag, src) in &tags {
            if let Err(why) = crate::model::tags::check(tag.get_ref(), cloud.get_ref()) {
                problems.push(Diagnostic::at(
                    src,
                    tag.span(),
                    format!("tag `{}`: {why}", tag.get_ref()),
                ));
            }
        }
        let profile = Profile {
            name: doc.name.clone(),
            dir: doc.dir.clone(),
            description: doc.description.clone(),
            cloud,
            cloud_source,
            ty,
            tags: tags.into_iter().map(|(t, _)| t.into_inner()).collect(),
            version: doc.version.clone(),
            layers,
            variables,
            bases: chain[1..]
                .iter()
                .map(|d| (d.name.clone(), d.source.clone()))
                .collect(),
            source: doc.source.clone(),
        };
        problems.extend(profile.check_layout());
        problems.extend(profile.check_variables());
        if problems.is_empty() {
            Ok(profile)
        } else {
            Err(problems)
        }
    }
}

/// The chain of profiles `doc` extends, `doc` first; a cycle, an unknown base or a base
/// with problems of its own is a problem at the `extends` line.
fn chain_of(
    doc: &ProfileDoc,
    lookup: &dyn Fn(&str) -> Option<Result<ProfileDoc, String>>,
    known: &[String],
) -> Result<Vec<ProfileDoc>, Vec<Diagnostic>> {
    let mut chain: Vec<ProfileDoc> = vec![doc.clone()];
    loop {
        let last = chain.last().expect("not empty");
        let Some(base) = last.extends.clone() else {
            return Ok(chain);
        };
        let at = |msg: String| Diagnostic::at(&last.source, base.span(), msg);
        if let Some(i) = chain.iter().position(|d| d.name == *base.get_ref()) {
            let mut names: Vec<&str> = chain[i..].iter().map(|d| d.name.as_str()).collect();
            names.push(base.get_ref());
            // At this profile's own `extends` line: the cycle is its problem too.
            let own = doc.extends.as_ref().map_or(base.span(), |e| e.span());
            return Err(vec![Diagnostic::at(
                &doc.source,
                own,
                format!("`extends` goes round in a cycle: {}", names.join(" -> ")),
            )]);
        }
        match lookup(base.get_ref()) {
            None => {
                return Err(vec![
                    at(format!("`extends`: no profile named `{}`", base.get_ref())).with_hint_opt(
                        suggest(
                            base.get_ref(),
                            known.iter().map(String::as_str).filter(|n| *n != doc.name),
                        ),
                    ),
                ]);
            }
            Some(Err(file)) => {
                return Err(vec![at(format!(
                    "`extends`: profile `{}` has problems of its own (`{file}`)",
                    base.get_ref()
                ))]);
            }
            Some(Ok(b)) => chain.push(b),
        }
    }
}

/// Applies one `[[layer]]` entry of a profile to the layers inherited so far: a new name
/// appends a layer; an inherited name overrides it (pack, version, registry replace; values
/// merge key by key) or, with `remove = true`, drops an inherited add-on.
fn apply_layer(
    layers: &mut Vec<Layer>,
    inherited: &mut usize,
    decl: &Spanned<LayerDeclParsed>,
    source: &Source,
    problems: &mut Vec<Diagnostic>,
) {
    let name = decl.get_ref().layer_name();
    let existing = name.as_ref().and_then(|n| {
        layers[..(*inherited).min(layers.len())]
            .iter()
            .position(|l| l.name == *n)
    });
    match existing {
        Some(i) => override_layer(layers, inherited, i, decl, source, problems),
        None => add_layer(layers, decl, name, source, problems),
    }
}

/// A layer's values as written in `source`, each with where its keys are.
fn layer_values(d: &LayerDeclParsed, source: &Source) -> Vec<(String, LayerValue)> {
    d.values
        .iter()
        .map(|(k, v)| {
            (
                k.get_ref().clone(),
                LayerValue {
                    value: v.clone(),
                    key_span: k.span(),
                    source: source.clone(),
                    lines: std::sync::Arc::new(
                        d.lines.get(k.get_ref()).cloned().unwrap_or_default(),
                    ),
                },
            )
        })
        .collect()
}

/// An entry naming inherited layer `i`: removes it (an add-on) or overrides it.
fn override_layer(
    layers: &mut Vec<Layer>,
    inherited: &mut usize,
    i: usize,
    decl: &Spanned<LayerDeclParsed>,
    source: &Source,
    problems: &mut Vec<Diagnostic>,
) {
    let span = decl.span();
    let d = decl.get_ref();
    let at = |span, msg: String| Diagnostic::at(source, span, msg);
    let values = |d: &LayerDeclParsed| layer_values(d, source);
    let removing = d.remove.as_ref().filter(|r| *r.get_ref());
    let layer = &mut layers[i];
    if let Some(r) = removing {
        if layer.ty.is_core() {
            problems.push(
                at(
                    r.span(),
                    format!("the core layer `{}` cannot be removed", layer.name),
                )
                .with_hint("override its `pack` and `version` instead"),
            );
        } else {
            layers.remove(i);
            *inherited -= 1;
        }
        return;
    }
    if let Some(t) = &d.ty
        && *t.get_ref() != layer.ty
    {
        problems.push(at(
            t.span(),
            format!(
                "layer `{}` is {} layer where it is inherited, not {}",
                layer.name,
                with_article(layer.ty.as_str()),
                with_article(t.get_ref().as_str())
            ),
        ));
        return;
    }
    if let Some(p) = &d.pack {
        if d.requested.is_none() && *p.get_ref() != *layer.pack.get_ref() {
            problems.push(
                at(
                    p.span(),
                    format!(
                        "layer `{}` changes its pack to `{}` without a `version`",
                        layer.name,
                        p.get_ref()
                    ),
                )
                .with_hint("give the new pack's `version` too"),
            );
        }
        if *p.get_ref() != *layer.pack.get_ref() && d.registry.is_none() {
            layer.registry = None;
        }
        layer.pack = p.clone();
        layer.pack_src = source.clone();
    }
    if let Some((v, r)) = &d.requested {
        layer.requested = v.clone();
        layer.request = r.clone();
        layer.requested_src = source.clone();
    }
    if let Some(r) = &d.registry {
        layer.registry = Some(r.clone());
        layer.registry_src = source.clone();
    }
    for (k, mut v) in values(d) {
        // Tables merge key by key, at every depth; anything else replaces.
        if let Some(old) = layer.values.get(&k)
            && let (Value::Table(a), Value::Table(b)) = (old.value.get_ref(), v.value.get_ref())
            && var_ref(v.value.get_ref()).is_none()
        {
            let mut merged = a.clone();
            merge_tables(&mut merged, b);
            v.value = Spanned::new(v.value.span(), Value::Table(merged));
        }
        layer.values.insert(k, v);
    }
    if let Some(p) = &d.presets {
        layer.presets = p.clone();
        layer.presets_src = source.clone();
    }
    layer.span = span;
    layer.type_span = d.ty.as_ref().map_or(layer.type_span.clone(), |t| t.span());
    layer.source = source.clone();
}

/// An entry with a new name: a new layer, which needs a type, a pack and a version.
fn add_layer(
    layers: &mut Vec<Layer>,
    decl: &Spanned<LayerDeclParsed>,
    name: Option<String>,
    source: &Source,
    problems: &mut Vec<Diagnostic>,
) {
    let span = decl.span();
    let d = decl.get_ref();
    let at = |span, msg: String| Diagnostic::at(source, span, msg);
    let values = |d: &LayerDeclParsed| layer_values(d, source);
    let removing = d.remove.as_ref().filter(|r| *r.get_ref());
    let shown = name.clone().unwrap_or_default();
    if let Some(r) = removing {
        problems.push(
            at(
                r.span(),
                format!("`remove`: no inherited layer is named `{shown}`"),
            )
            .with_hint_opt(suggest(&shown, layers.iter().map(|l| l.name.as_str()))),
        );
        return;
    }
    let Some(ty) = &d.ty else {
        let msg = if layers.is_empty() {
            "missing `type` in `[[layer]]`".to_string()
        } else {
            format!("layer `{shown}` is no inherited layer, and a new layer needs a `type`")
        };
        problems.push(
            at(span.clone(), msg).with_hint_opt(
                name.as_ref()
                    .and_then(|n| suggest(n, layers.iter().map(|l| l.name.as_str())))
                    .filter(|_| !layers.is_empty()),
            ),
        );
        return;
    };
    let Some(pack) = &d.pack else {
        problems.push(at(
            span.clone(),
            "missing `pack` in `[[layer]]`".to_string(),
        ));
        return;
    };
    let layer_name = name.unwrap_or_else(|| pack.get_ref().clone());
    let (requested, request) = match &d.requested {
        Some((v, r)) => (v.clone(), r.clone()),
        None => {
            problems.push(
                at(
                    span.clone(),
                    format!("layer `{layer_name}` has no `version`"),
                )
                .with_hint(
                    "add `version = \"x\"` for the newest release, or a train such as `1.x`",
                ),
            );
            (
                Spanned::new(span.clone(), String::new()),
                Request::Version(VersionSpec::Any),
            )
        }
    };
    layers.push(Layer {
        ty: *ty.get_ref(),
        name: layer_name,
        pack: pack.clone(),
        pack_src: source.clone(),
        requested,
        requested_src: source.clone(),
        request,
        registry: d.registry.clone(),
        registry_src: source.clone(),
        values: values(d).into_iter().collect(),
        presets: d.presets.clone().unwrap_or_default(),
        presets_src: source.clone(),
        type_span: ty.span(),
        span,
        source: source.clone(),
    });
}

/// Merges `b` into `a`: tables key by key, anything else replaced.
fn merge_tables(a: &mut toml::Table, b: &toml::Table) {
    for (k, v) in b {
        match (a.get_mut(k), v) {
            (Some(Value::Table(x)), Value::Table(y)) if var_ref(v).is_none() => merge_tables(x, y),
            _ => {
                a.insert(k.clone(), v.clone());
            }
        }
    }
}
