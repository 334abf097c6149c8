//! One `profile.toml` as written: its format, and the checks that need neither the
//! profiles it extends nor a registry (names, versions, variables, duplicate layers).

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::{Spanned, Value};

use super::stack::{ProfileType, Request, line_of};
use crate::diagnostic::{Diagnostic, Source};
use crate::model::config::is_identifier;
use crate::model::pack::LayerType;
use crate::model::variable::{Variable, VariableDecl};
use crate::model::version::{Version, VersionSpec};

pub const FILE_NAME: &str = "profile.toml";

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProfileFile {
    profile: ProfileMeta,
    #[serde(default)]
    #[schemars(with = "Vec<VariableDecl>")]
    variable: Vec<Spanned<VariableDecl>>,
    #[serde(default)]
    #[schemars(with = "Vec<LayerDecl>")]
    layer: Vec<Spanned<LayerDecl>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct ProfileMeta {
    #[schemars(with = "Option<String>")]
    name: Option<Spanned<String>>,
    #[serde(default)]
    description: String,
    #[schemars(with = "Option<String>")]
    cloud: Option<Spanned<String>>,
    #[serde(rename = "type")]
    #[schemars(with = "Option<ProfileType>")]
    ty: Option<Spanned<ProfileType>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    tags: Vec<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    version: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    extends: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct LayerDecl {
    #[serde(rename = "type")]
    #[schemars(with = "Option<LayerType>")]
    ty: Option<Spanned<LayerType>>,
    #[schemars(with = "Option<String>")]
    name: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pack: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    version: Option<Spanned<String>>,
    #[serde(rename = "ref")]
    #[schemars(with = "Option<String>")]
    git_ref: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    registry: Option<Spanned<String>>,
    #[schemars(with = "Option<bool>")]
    remove: Option<Spanned<bool>>,
    /// Palette presets to apply (`Group:name`).
    #[schemars(with = "Option<Vec<String>>")]
    presets: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    #[schemars(with = "std::collections::BTreeMap<String, serde_json::Value>")]
    values: BTreeMap<Spanned<String>, Spanned<Value>>,
}

/// One `profile.toml` as written, before the profiles it extends are merged in.
#[derive(Debug, Clone)]
pub struct ProfileDoc {
    pub name: String,
    pub dir: String,
    pub source: Source,
    pub extends: Option<Spanned<String>>,
    pub(super) description: String,
    pub(super) cloud: Option<Spanned<String>>,
    pub(super) ty: Option<Spanned<ProfileType>>,
    pub(super) tags: Vec<Spanned<String>>,
    pub(super) version: Version,
    pub(super) variables: Vec<Variable>,
    pub(super) layers: Vec<Spanned<LayerDeclParsed>>,
}

/// A `[[layer]]` entry with its version spec read.
#[derive(Debug, Clone)]
pub(super) struct LayerDeclParsed {
    pub(super) ty: Option<Spanned<LayerType>>,
    pub(super) name: Option<Spanned<String>>,
    pub(super) pack: Option<Spanned<String>>,
    pub(super) requested: Option<(Spanned<String>, Request)>,
    pub(super) registry: Option<Spanned<String>>,
    pub(super) remove: Option<Spanned<bool>>,
    pub(super) presets: Option<Vec<Spanned<String>>>,
    pub(super) values: Vec<(Spanned<String>, Spanned<Value>)>,
    /// Lines of keys inside the values, by top key then path below it.
    pub(super) lines: BTreeMap<String, BTreeMap<Vec<String>, usize>>,
}

impl LayerDeclParsed {
    /// The layer's name: given, or the type for core layers, or the pack for add-ons.
    pub(super) fn layer_name(&self) -> Option<String> {
        if let Some(n) = &self.name {
            return Some(n.get_ref().clone());
        }
        match (&self.ty, &self.pack) {
            (Some(t), _) if t.get_ref().is_core() => Some(t.get_ref().as_str().to_string()),
            (_, Some(p)) => Some(p.get_ref().clone()),
            _ => None,
        }
    }
}

impl ProfileDoc {
    /// Parses one profile file and checks what needs neither its bases nor a registry.
    pub fn parse(
        source: Source,
        dir: &str,
        folder_name: &str,
    ) -> Result<ProfileDoc, Vec<Diagnostic>> {
        let file: ProfileFile = source.parse_counted().map_err(|d| vec![d])?;
        let mut problems = Vec::new();
        let meta = file.profile;
        let name = profile_name(&source, &meta, folder_name, &mut problems);
        let version = profile_version(&source, &meta, &mut problems);
        if meta.cloud.is_none() && meta.extends.is_none() {
            problems.push(
                Diagnostic::file(&source.name, "missing `cloud` in `[profile]`".to_string())
                    .with_hint("add `cloud = \"aws\"` (or the cloud the profile is for)"),
            );
        }
        let variables = read_variables(&source, file.variable, &mut problems);
        let layers = read_layers(&source, file.layer, &mut problems);
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(ProfileDoc {
            name,
            dir: dir.to_string(),
            source,
            extends: meta.extends,
            description: meta.description,
            cloud: meta.cloud,
            ty: meta.ty,
            tags: meta.tags,
            version,
            variables,
            layers,
        })
    }
}

/// The profile's name: `name`, else its folder's name; either must be an identifier.
fn profile_name(
    source: &Source,
    meta: &ProfileMeta,
    folder_name: &str,
    problems: &mut Vec<Diagnostic>,
) -> String {
    match &meta.name {
        Some(n) => {
            if !is_identifier(n.get_ref()) {
                problems.push(
                    Diagnostic::at(
                        source,
                        n.span(),
                        format!("invalid profile name `{}`", n.get_ref()),
                    )
                    .with_hint("use lowercase letters, digits, `-`, `_` and `.`"),
                );
            }
            n.get_ref().clone()
        }
        None => {
            if !is_identifier(folder_name) {
                problems.push(
                    Diagnostic::file(&source.name, format!("folder name `{folder_name}` is not a valid profile name"))
                        .with_hint("set `name` in `[profile]`, or rename the folder to lowercase letters, digits and `-`"),
                );
            }
            folder_name.to_string()
        }
    }
}

/// The profile's own version (`1.0.0` when not given, or when given wrong).
fn profile_version(source: &Source, meta: &ProfileMeta, problems: &mut Vec<Diagnostic>) -> Version {
    let default = || Version::parse("1.0.0").expect("valid literal");
    let Some(v) = &meta.version else {
        return default();
    };
    Version::parse(v.get_ref()).unwrap_or_else(|| {
        problems.push(
            Diagnostic::at(
                source,
                v.span(),
                format!("invalid profile version `{}`", v.get_ref()),
            )
            .with_hint("a profile version is a semantic version such as `1.2.0`"),
        );
        default()
    })
}

/// The `[[variable]]` entries, each checked, none declared twice.
fn read_variables(
    source: &Source,
    decls: Vec<Spanned<VariableDecl>>,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Variable> {
    let mut variables: Vec<Variable> = Vec::new();
    for decl in decls {
        let Some(v) = Variable::read(source, decl, problems) else {
            continue;
        };
        if let Some(first) = variables.iter().find(|f| f.name == v.name) {
            problems.push(Diagnostic::at(
                source,
                v.span.clone(),
                format!(
                    "variable `{}` is declared twice (the first at line {})",
                    v.name,
                    line_of(source, first.span.start)
                ),
            ));
            continue;
        }
        variables.push(v);
    }
    variables
}

/// The `[[layer]]` entries with their version specs read; two layers of one file with one
/// name are a problem (core layers named by default are checked by the layout rules).
fn read_layers(
    source: &Source,
    decls: Vec<Spanned<LayerDecl>>,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Spanned<LayerDeclParsed>> {
    let mut layers = Vec::new();
    let mut names: BTreeMap<String, std::ops::Range<usize>> = BTreeMap::new();
    // Lines inside nested values need a second parse that keeps every key's span:
    // only profiles with a table among their values pay for it.
    let nested = decls.iter().any(|d| {
        d.get_ref()
            .values
            .values()
            .any(|v| matches!(v.get_ref(), Value::Table(_)))
    });
    let mut value_lines = if nested {
        value_lines(source)
    } else {
        Vec::new()
    }
    .into_iter();
    for decl in decls {
        let span = decl.span();
        let d = decl.into_inner();
        if let Some(n) = &d.name
            && !is_identifier(n.get_ref())
        {
            problems.push(
                Diagnostic::at(
                    source,
                    n.span(),
                    format!("invalid layer name `{}`", n.get_ref()),
                )
                .with_hint("use lowercase letters, digits, `-`, `_` and `.`"),
            );
        }
        let requested = read_request(source, d.version, d.git_ref, problems);
        let parsed = LayerDeclParsed {
            ty: d.ty,
            name: d.name,
            pack: d.pack,
            requested,
            registry: d.registry,
            remove: d.remove,
            presets: d.presets,
            values: d.values.into_iter().collect(),
            lines: value_lines.next().unwrap_or_default(),
        };
        if let Some(layer_name) = parsed.layer_name() {
            let name_span = parsed.name.as_ref().map_or(span.clone(), |n| n.span());
            let defaulted_core =
                parsed.name.is_none() && parsed.ty.as_ref().is_some_and(|t| t.get_ref().is_core());
            if let Some(first) = names.get(&layer_name).filter(|_| !defaulted_core) {
                problems.push(
                    Diagnostic::at(
                        source,
                        name_span,
                        format!(
                            "two layers are named `{layer_name}` (the first at line {})",
                            line_of(source, first.start)
                        ),
                    )
                    .with_hint("give one of them a distinct `name = \"...\"`"),
                );
            } else {
                names.entry(layer_name).or_insert(name_span);
            }
        }
        layers.push(Spanned::new(span, parsed));
    }
    layers
}

/// What a layer asks for: `version` (a spec) or `ref`. A layer whose version is unusable is
/// still kept, so the layout checks see it; the problem recorded makes the profile invalid.
fn read_request(
    source: &Source,
    version: Option<Spanned<String>>,
    git_ref: Option<Spanned<String>>,
    problems: &mut Vec<Diagnostic>,
) -> Option<(Spanned<String>, Request)> {
    let at = |span, msg: String| Diagnostic::at(source, span, msg);
    match (version, git_ref) {
        (Some(v), None) => Some(match VersionSpec::parse(v.get_ref()) {
            Ok(spec) => (v, Request::Version(spec)),
            Err(e) => {
                problems.push(at(v.span(), e.message).with_hint(e.hint));
                (v, Request::Version(VersionSpec::Any))
            }
        }),
        (None, Some(r)) => {
            let text = r.get_ref().clone();
            if text.trim().is_empty() {
                problems.push(at(r.span(), "empty `ref`".to_string()));
            }
            Some((r, Request::Ref(text)))
        }
        (Some(v), Some(r)) => {
            problems.push(
                at(
                    r.span(),
                    "a layer gives either `version` or `ref`, not both".to_string(),
                )
                .with_hint("remove one of them"),
            );
            Some((v, Request::Version(VersionSpec::Any)))
        }
        (None, None) => None,
    }
}

/// For each `[[layer]]` of a profile file, the line of every key inside its values, by
/// top key and path below it (toml's own spans stop at the top keys).
fn value_lines(source: &Source) -> Vec<BTreeMap<String, BTreeMap<Vec<String>, usize>>> {
    fn walk(
        table: &dyn toml_edit::TableLike,
        path: &mut Vec<String>,
        source: &Source,
        out: &mut BTreeMap<Vec<String>, usize>,
    ) {
        for (k, v) in table.iter() {
            path.push(k.to_string());
            if let Some(span) = table.key(k).and_then(|key| key.span()) {
                out.insert(path.clone(), line_of(source, span.start));
            }
            if let Some(t) = v.as_table_like() {
                walk(t, path, source, out);
            }
            path.pop();
        }
    }
    let Ok(doc) = toml_edit::Document::parse(source.text.as_ref()) else {
        return Vec::new();
    };
    let Some(layers) = doc.get("layer").and_then(|l| l.as_array_of_tables()) else {
        return Vec::new();
    };
    layers
        .iter()
        .map(|layer| {
            let mut per_key = BTreeMap::new();
            if let Some(values) = layer.get("values").and_then(|v| v.as_table_like()) {
                for (k, v) in values.iter() {
                    let mut lines = BTreeMap::new();
                    if let Some(t) = v.as_table_like() {
                        walk(t, &mut Vec::new(), source, &mut lines);
                    }
                    per_key.insert(k.to_string(), lines);
                }
            }
            per_key
        })
        .collect()
}
