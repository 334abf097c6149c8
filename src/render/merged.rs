//! A layer of a release with a values document (palette, helm): the default document, the
//! layer's presets, `[defaults.<pack>]`, then the layer's values, merged by key path, with
//! the origin of every leaf; the merged text; and the document's rules checked on it.

use std::collections::BTreeMap;

use yaml_rust2::Yaml;

use super::effective::{Effective, Origin, VarUse};
use crate::diagnostic::{Diagnostic, Source, suggest};
use crate::model::config::Config;
use crate::model::document::{ValuesDoc, check_value, values_at};
use crate::model::pack::Pack;
use crate::model::variable::Variable;
use crate::model::variable::{Bindings, placeholder, var_ref};
use crate::profile::Layer;
use crate::yaml::{self, Path, from_toml, leaves, show_path, to_toml};

/// The merged document of one layer.
pub struct Merged {
    pub tree: Yaml,
    /// Who set each path (leaves and replaced subtrees); a path not here is the pack's.
    pub origins: BTreeMap<Path, Origin>,
    pub vars: BTreeMap<Path, VarUse>,
    /// The presets applied, as the first line of the rendered values records them.
    pub presets: Vec<String>,
}

impl Merged {
    /// Who set a path: itself or its nearest ancestor that someone set.
    pub fn origin(&self, path: &[String]) -> Origin {
        (0..=path.len())
            .rev()
            .find_map(|n| self.origins.get(&path[..n]))
            .cloned()
            .unwrap_or(Origin::PackDefault)
    }

    fn var(&self, path: &[String]) -> Option<VarUse> {
        (0..=path.len())
            .rev()
            .find_map(|n| self.vars.get(&path[..n]))
            .cloned()
    }
}

/// The presets a layer selects, checked: each exists (with the near miss), one per group,
/// and the pack has presets at all. Problems point at the layer's `presets`.
pub fn check_presets(layer: &Layer, pack: &Pack) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let label = format!("{} {}", pack.name, pack.version);
    let Some(doc) = &pack.document else {
        if let Some(p) = layer.presets.first() {
            problems.push(Diagnostic::at(
                &layer.presets_src,
                p.span(),
                format!("{label} is not a palette pack; `presets` apply to palette packs"),
            ));
        }
        return problems;
    };
    let mut groups: BTreeMap<String, String> = BTreeMap::new();
    for p in &layer.presets {
        let at = |msg: String| Diagnostic::at(&layer.presets_src, p.span(), msg);
        if doc.presets.is_empty() {
            problems.push(at(format!("{label} has no presets (no presets.yaml)")));
            continue;
        }
        let Some(preset) = doc.presets.iter().find(|x| x.id() == *p.get_ref()) else {
            let ids: Vec<String> = doc.presets.iter().map(|x| x.id()).collect();
            problems.push(
                at(format!("{label} has no preset `{}`", p.get_ref()))
                    .with_hint_opt(suggest(p.get_ref(), ids.iter().map(String::as_str))),
            );
            continue;
        };
        if let Some(other) = groups.insert(preset.group.clone(), preset.id()) {
            problems.push(
                at(format!(
                    "presets `{other}` and `{}` are of the same group `{}`; a layer takes one preset per group",
                    preset.id(),
                    preset.group
                ))
                .with_hint("keep one of them"),
            );
        }
    }
    problems
}

/// Merges a layer's values into its release's document.
pub fn merge(
    pack: &Pack,
    doc: &ValuesDoc,
    layer: &Layer,
    variables: &BTreeMap<String, Variable>,
    config: &Config,
    config_source: &Source,
    bindings: &Bindings,
) -> Merged {
    let mut m = Merged {
        tree: doc.default.clone(),
        origins: BTreeMap::new(),
        vars: BTreeMap::new(),
        presets: Vec::new(),
    };
    for p in &layer.presets {
        if let Some(preset) = doc.presets.iter().find(|x| x.id() == *p.get_ref()) {
            for path in &preset.remove {
                yaml::set(&mut m.tree, path, None);
            }
            yaml::merge(&mut m.tree, &preset.add);
            m.presets.push(preset.id());
        }
    }
    let line_of = |src: &Source, at: usize| src.line_at(at);
    if let Some((_, defaults)) = config
        .defaults
        .iter()
        .find(|(k, _)| *k.get_ref() == pack.name)
    {
        for (key, value) in defaults {
            let origin = |_: &[String]| Origin::Defaults {
                file: config_source.name.clone(),
                line: line_of(config_source, key.span().start),
            };
            apply(
                &mut m,
                vec![key.get_ref().clone()],
                value.get_ref(),
                &origin,
                variables,
                bindings,
            );
        }
    }
    for (key, lv) in &layer.values {
        let origin = |below: &[String]| Origin::Layer {
            file: lv.source.name.clone(),
            line: lv.line_of(below),
        };
        apply(
            &mut m,
            vec![key.clone()],
            lv.value.get_ref(),
            &origin,
            variables,
            bindings,
        );
    }
    m
}

/// Sets `value` at `path`: a table merges key by key (an empty one sets an empty mapping),
/// a variable is its bound value or placeholder, anything else replaces.
fn apply(
    m: &mut Merged,
    path: Path,
    value: &toml::Value,
    origin: &dyn Fn(&[String]) -> Origin,
    variables: &BTreeMap<String, Variable>,
    bindings: &Bindings,
) {
    if let Some(name) = var_ref(value) {
        let (v, var) = match variables.get(name) {
            Some(var) => match bindings.get(name) {
                Some(b) => (
                    b.value.clone(),
                    VarUse {
                        name: name.to_string(),
                        sensitive: var.sensitive,
                        bound: Some(b.origin.clone()),
                    },
                ),
                None => (
                    placeholder(var),
                    VarUse {
                        name: name.to_string(),
                        sensitive: var.sensitive,
                        bound: None,
                    },
                ),
            },
            None => return,
        };
        set(m, &path, from_toml(&v), &origin(&path[1..]));
        m.vars.insert(path, var);
        return;
    }
    match value {
        toml::Value::Table(t) if !t.is_empty() => {
            for (k, v) in t {
                let mut p = path.clone();
                p.push(k.clone());
                apply(m, p, v, origin, variables, bindings);
            }
        }
        _ => set(m, &path, from_toml(value), &origin(&path[1..])),
    }
}

fn set(m: &mut Merged, path: &[String], value: Yaml, origin: &Origin) {
    yaml::set(&mut m.tree, path, Some(value));
    m.origins.retain(|p, _| !p.starts_with(path));
    m.vars.retain(|p, _| !p.starts_with(path));
    m.origins.insert(path.to_vec(), origin.clone());
}

/// The effective values of a document layer: every leaf of the merged document by its
/// path, with who set it.
pub fn effective(
    pack: &Pack,
    layer: &Layer,
    variables: &BTreeMap<String, Variable>,
    config: &Config,
    config_source: &Source,
    bindings: &Bindings,
) -> BTreeMap<String, Effective> {
    let Some(doc) = &pack.document else {
        return BTreeMap::new();
    };
    let m = merge(pack, doc, layer, variables, config, config_source, bindings);
    let secret_paths: Vec<Path> = doc
        .rules
        .iter()
        .filter(|r| r.is_password())
        .flat_map(|r| values_at(&m.tree, &r.path).into_iter().map(|(p, _)| p))
        .collect();
    leaves(&m.tree)
        .into_iter()
        .filter_map(|(path, y)| {
            let value = to_toml(&y)?;
            Some((
                show_path(&path),
                Effective {
                    value,
                    origin: m.origin(&path),
                    var: m.var(&path),
                    secret: secret_paths.iter().any(|s| path.starts_with(s)),
                },
            ))
        })
        .collect()
}

/// What a document layer renders with beside its release and layer: the profile's
/// variables and their values, strata.toml (for `[defaults]`), the files values may be set
/// in, and whether secrets are replaced by decoys (see [`crate::render::taint`]).
pub struct Inputs<'a> {
    pub variables: &'a BTreeMap<String, Variable>,
    pub config: &'a Config,
    pub config_source: &'a Source,
    pub bindings: &'a Bindings,
    pub sources: &'a [Source],
    pub decoy: bool,
}

/// The rendered document (presets recorded on its first line), and the problems of its
/// rules: `schema.yaml` (required, read-only, formats) and `values.schema.json`. A problem
/// with a value the user set is reported at that line; otherwise at the rules' file.
pub fn render(pack: &Pack, layer: &Layer, inputs: &Inputs) -> Result<String, Vec<Diagnostic>> {
    let Inputs {
        variables,
        config,
        config_source,
        bindings,
        sources,
        decoy,
    } = *inputs;
    let doc = pack.document.as_ref().expect("a document pack");
    let mut m = merge(pack, doc, layer, variables, config, config_source, bindings);
    if decoy {
        decoy_passwords(doc, &mut m);
    }
    let label = format!("{} {}", pack.name, pack.version);
    // A decoy render only shows what depends on secrets: the real render checked it.
    if !decoy {
        check_rules(doc, &m, &label, config_source, sources)?;
    }
    let text = yaml::patch::write(&doc.source.text, &doc.default, &m.tree);
    if m.presets.is_empty() {
        return Ok(text);
    }
    // Palette keeps the presets in force on the document's first line: the pack's defaults
    // there, each replaced by the layer's choice of its group.
    let (defaults, body) = match text.split_once('\n') {
        Some((first, rest)) if first.starts_with(PRESETS_LINE) => (
            first[PRESETS_LINE.len()..]
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect(),
            rest,
        ),
        _ => (Vec::new(), text.as_str()),
    };
    let in_force = presets_in_force(&defaults, &m.presets);
    Ok(format!("{PRESETS_LINE} {}\n{body}", in_force.join(",")))
}

/// The first line of a Palette values document that names the presets in force.
const PRESETS_LINE: &str = "# spectrocloud.com/enabled-presets:";

/// The default presets with each one replaced by the chosen preset of its group (in its
/// place), then the chosen presets of other groups.
fn presets_in_force(defaults: &[String], chosen: &[String]) -> Vec<String> {
    let group = |id: &str| id.split_once(':').map_or(id, |(g, _)| g).to_string();
    let mut out: Vec<String> = defaults
        .iter()
        .map(|d| {
            chosen
                .iter()
                .find(|c| group(c) == group(d))
                .unwrap_or(d)
                .clone()
        })
        .collect();
    for c in chosen {
        if !out.contains(c) {
            out.push(c.clone());
        }
    }
    out
}

/// The document's rules (`schema.yaml`, `values.schema.json`) on the merged values; a
/// problem with a value the user set is reported at that line.
fn check_rules(
    doc: &ValuesDoc,
    m: &Merged,
    label: &str,
    config_source: &Source,
    sources: &[Source],
) -> Result<(), Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let locate = |path: &[String], message: String, fallback: &dyn Fn(String) -> Diagnostic| match m
        .origin(path)
        .user_line()
    {
        Some((file, line)) => match sources
            .iter()
            .chain([config_source])
            .find(|s| s.name == file)
        {
            Some(s) => Diagnostic::at_line(s, line, message),
            None => fallback(message),
        },
        None => fallback(message),
    };
    let waits = |path: &[String]| {
        m.var(path).is_some_and(|v| {
            matches!(
                v.bound,
                None | Some(crate::model::variable::BindingOrigin::Reference)
            )
        })
    };
    // A value of a sensitive variable, or under a `${password}` rule, is never quoted, nor
    // is the line that set it shown.
    let password_paths: Vec<Path> = doc
        .rules
        .iter()
        .filter(|r| r.is_password())
        .flat_map(|r| values_at(&m.tree, &r.path).into_iter().map(|(p, _)| p))
        .collect();
    let sensitive = |path: &[String]| {
        m.var(path).is_some_and(|v| v.sensitive)
            || password_paths.iter().any(|p| path.starts_with(p))
    };
    let hide = |d: Diagnostic, path: &[String]| {
        if sensitive(path) {
            d.without_excerpt()
        } else {
            d
        }
    };
    let schema_file = doc.source.name.replace("values.yaml", "schema.yaml");
    for rule in &doc.rules {
        for (path, value) in values_at(&m.tree, &rule.path) {
            if waits(&path) {
                continue;
            }
            let set_by_user = m.origin(&path).is_users();
            let why = if rule.readonly && set_by_user {
                Some("is read-only".to_string())
            } else {
                check_value(rule, value, sensitive(&path))
            };
            if let Some(why) = why {
                let hint = rule.hints.clone();
                let message = format!("`{}` of {label}: {why} (schema.yaml)", show_path(&path));
                let fallback = |msg: String| Diagnostic::file(&schema_file, msg);
                problems.push(hide(locate(&path, message, &fallback), &path).with_hint_opt(hint));
            }
        }
    }
    if let Some((name, validator)) = &doc.json_schema {
        let instance = to_json(&m.tree);
        for e in validator.iter_errors(&instance) {
            let pointer = e.instance_path().to_string();
            let path: Path = pointer
                .split('/')
                .skip(1)
                .map(|s| s.replace("~1", "/").replace("~0", "~"))
                .collect();
            if waits(&path) {
                continue;
            }
            let shown = if path.is_empty() {
                "(the document)".to_string()
            } else {
                show_path(&path)
            };
            let message = if sensitive(&path) {
                // The schema's own message quotes the value.
                let keyword = e.schema_path().to_string();
                let keyword = keyword.rsplit('/').next().unwrap_or("");
                format!(
                    "`{shown}` of {label}: the value (sensitive) breaks `{keyword}` of values.schema.json"
                )
            } else {
                format!("`{shown}` of {label}: {e} (values.schema.json)")
            };
            let fallback = |msg: String| Diagnostic::file(name, msg);
            problems.push(hide(locate(&path, message, &fallback), &path));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Every `${password}` value replaced by its decoy.
fn decoy_passwords(doc: &ValuesDoc, m: &mut Merged) {
    let found: Vec<(Path, Yaml)> = doc
        .rules
        .iter()
        .filter(|r| r.is_password())
        .flat_map(|r| values_at(&m.tree, &r.path))
        .filter_map(|(p, v)| {
            let text = v.and_then(to_toml)?;
            Some((p, from_toml(&crate::render::taint::decoy_value(&text))))
        })
        .collect();
    for (path, value) in found {
        yaml::set(&mut m.tree, &path, Some(value));
    }
}

/// A YAML document as JSON, for JSON schema validation.
fn to_json(y: &Yaml) -> serde_json::Value {
    match y {
        Yaml::Integer(i) => serde_json::json!(i),
        Yaml::Real(r) => r
            .parse::<f64>()
            .map_or(serde_json::Value::Null, |f| serde_json::json!(f)),
        Yaml::String(s) => serde_json::json!(s),
        Yaml::Boolean(b) => serde_json::json!(b),
        Yaml::Array(a) => serde_json::Value::Array(a.iter().map(to_json).collect()),
        Yaml::Hash(h) => serde_json::Value::Object(
            h.iter()
                .filter_map(|(k, v)| Some((yaml::key_text(k)?, to_json(v))))
                .collect(),
        ),
        _ => serde_json::Value::Null,
    }
}

/// The sensitive values of rendered layers (Palette passwords), as text to mask.
pub fn secrets(values: &BTreeMap<String, Effective>) -> Vec<String> {
    values
        .values()
        .filter(|e| e.secret)
        .filter_map(|e| match &e.value {
            toml::Value::String(s) if !s.is_empty() => Some(s.clone()),
            toml::Value::String(_) => None,
            v => Some(v.to_string()),
        })
        .collect()
}
