//! `profiles/<name>/profile.toml`: a cluster stack as ordered layers, and the structural
//! rules that need no registry (layer order, unique names, version specs).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use toml::{Spanned, Value};

use crate::diagnostic::{Diagnostic, Source, suggest};
use crate::model::config::is_identifier;
use crate::model::pack::LayerType;
use crate::model::param::with_article;
use crate::model::variable::{Variable, VariableDecl, var_ref};
use crate::model::version::{Version, VersionSpec};

pub const FILE_NAME: &str = "profile.toml";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema, Serialize)]
pub enum ProfileType {
    #[serde(rename = "infra")]
    Infra,
    #[serde(rename = "add-on")]
    AddOn,
    #[serde(rename = "full")]
    Full,
}

impl ProfileType {
    pub fn as_str(self) -> &'static str {
        match self {
            ProfileType::Infra => "infra",
            ProfileType::AddOn => "add-on",
            ProfileType::Full => "full",
        }
    }

    pub fn parse(s: &str) -> Option<ProfileType> {
        [ProfileType::Infra, ProfileType::AddOn, ProfileType::Full]
            .into_iter()
            .find(|t| t.as_str() == s)
    }
}

impl fmt::Display for ProfileType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
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

/// What a layer asks for: a version spec, or (git registries) a tag, branch or commit.
#[derive(Debug, Clone)]
pub enum Request {
    Version(VersionSpec),
    Ref(String),
}

/// A value set in a layer, and the file that set it (a profile or one of its bases).
#[derive(Debug, Clone)]
pub struct LayerValue {
    pub value: Spanned<Value>,
    pub key_span: std::ops::Range<usize>,
    pub source: Source,
    /// The line of every key inside a table value, by its path below this key (dotted keys
    /// and nested tables), for values that are documents.
    pub lines: std::sync::Arc<BTreeMap<Vec<String>, usize>>,
}

impl LayerValue {
    /// The variable this value refers to (`{ var = "name" }`).
    pub fn var(&self) -> Option<&str> {
        var_ref(self.value.get_ref())
    }

    /// The line of the key in its file.
    pub fn line(&self) -> usize {
        line_of(&self.source, self.key_span.start)
    }

    /// The line of a key inside the value (`path` below this key), or of the nearest
    /// enclosing key.
    pub fn line_of(&self, path: &[String]) -> usize {
        (0..=path.len())
            .rev()
            .find_map(|n| self.lines.get(&path[..n]))
            .copied()
            .unwrap_or_else(|| self.line())
    }
}

#[derive(Debug, Clone)]
pub struct Layer {
    pub ty: LayerType,
    pub name: String,
    pub pack: Spanned<String>,
    /// The file `pack` is written in.
    pub pack_src: Source,
    /// The spec as written (`3.x`), with its span.
    pub requested: Spanned<String>,
    /// The file `version` (or `ref`) is written in.
    pub requested_src: Source,
    pub request: Request,
    pub registry: Option<Spanned<String>>,
    pub registry_src: Source,
    pub values: BTreeMap<String, LayerValue>,
    /// Palette presets (`Group:name`), and the file that chose them.
    pub presets: Vec<Spanned<String>>,
    pub presets_src: Source,
    /// The `[[layer]]` header that last shaped the layer, for problems with the layer as a
    /// whole, and its file.
    pub span: std::ops::Range<usize>,
    pub type_span: std::ops::Range<usize>,
    pub source: Source,
}

#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    /// The folder holding profile.toml, relative to the catalog root, `/`-separated.
    pub dir: String,
    pub description: String,
    pub cloud: Spanned<String>,
    /// The file `cloud` is written in (this profile's, or a base's).
    pub cloud_source: Source,
    pub ty: ProfileType,
    pub tags: Vec<String>,
    pub version: Version,
    pub layers: Vec<Layer>,
    /// Variables declared here and in the bases, by name.
    pub variables: BTreeMap<String, Variable>,
    /// The bases this profile extends, nearest first, with their files.
    pub bases: Vec<(String, Source)>,
    pub source: Source,
}

/// One `profile.toml` as written, before the profiles it extends are merged in.
#[derive(Debug, Clone)]
pub struct ProfileDoc {
    pub name: String,
    pub dir: String,
    pub source: Source,
    pub extends: Option<Spanned<String>>,
    description: String,
    cloud: Option<Spanned<String>>,
    ty: Option<Spanned<ProfileType>>,
    tags: Vec<Spanned<String>>,
    version: Version,
    variables: Vec<Variable>,
    layers: Vec<Spanned<LayerDeclParsed>>,
}

/// A `[[layer]]` entry with its version spec read.
#[derive(Debug, Clone)]
struct LayerDeclParsed {
    ty: Option<Spanned<LayerType>>,
    name: Option<Spanned<String>>,
    pack: Option<Spanned<String>>,
    requested: Option<(Spanned<String>, Request)>,
    registry: Option<Spanned<String>>,
    remove: Option<Spanned<bool>>,
    presets: Option<Vec<Spanned<String>>>,
    values: Vec<(Spanned<String>, Spanned<Value>)>,
    /// Lines of keys inside the values, by top key then path below it.
    lines: BTreeMap<String, BTreeMap<Vec<String>, usize>>,
}

impl LayerDeclParsed {
    /// The layer's name: given, or the type for core layers, or the pack for add-ons.
    fn layer_name(&self) -> Option<String> {
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

fn line_of(source: &Source, at: usize) -> usize {
    source.text[..at.min(source.text.len())]
        .matches('\n')
        .count()
        + 1
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
        let at = |span, msg: String| Diagnostic::at(&source, span, msg);

        let meta = file.profile;
        let name = match &meta.name {
            Some(n) => {
                if !is_identifier(n.get_ref()) {
                    problems.push(
                        at(n.span(), format!("invalid profile name `{}`", n.get_ref()))
                            .with_hint("use lowercase letters, digits, `-`, `_` and `.`"),
                    );
                }
                n.get_ref().clone()
            }
            None => folder_name.to_string(),
        };
        if meta.name.is_none() && !is_identifier(&name) {
            problems.push(
                Diagnostic::file(&source.name, format!("folder name `{name}` is not a valid profile name"))
                    .with_hint("set `name` in `[profile]`, or rename the folder to lowercase letters, digits and `-`"),
            );
        }
        let version = match &meta.version {
            Some(v) => match Version::parse(v.get_ref()) {
                Some(parsed) => parsed,
                None => {
                    problems.push(
                        at(
                            v.span(),
                            format!("invalid profile version `{}`", v.get_ref()),
                        )
                        .with_hint("a profile version is a semantic version such as `1.2.0`"),
                    );
                    Version::parse("1.0.0").expect("valid literal")
                }
            },
            None => Version::parse("1.0.0").expect("valid literal"),
        };
        if meta.cloud.is_none() && meta.extends.is_none() {
            problems.push(
                Diagnostic::file(&source.name, "missing `cloud` in `[profile]`".to_string())
                    .with_hint("add `cloud = \"aws\"` (or the cloud the profile is for)"),
            );
        }

        let mut variables: Vec<Variable> = Vec::new();
        for decl in file.variable {
            if let Some(v) = Variable::read(&source, decl, &mut problems) {
                if let Some(first) = variables.iter().find(|f| f.name == v.name) {
                    problems.push(at(
                        v.span.clone(),
                        format!(
                            "variable `{}` is declared twice (the first at line {})",
                            v.name,
                            line_of(&source, first.span.start)
                        ),
                    ));
                    continue;
                }
                variables.push(v);
            }
        }

        let mut layers = Vec::new();
        let mut names: BTreeMap<String, std::ops::Range<usize>> = BTreeMap::new();
        // Lines inside nested values need a second parse that keeps every key's span:
        // only profiles with a table among their values pay for it.
        let nested = file.layer.iter().any(|d| {
            d.get_ref()
                .values
                .values()
                .any(|v| matches!(v.get_ref(), Value::Table(_)))
        });
        let mut value_lines = if nested {
            value_lines(&source)
        } else {
            Vec::new()
        }
        .into_iter();
        for decl in file.layer {
            let span = decl.span();
            let d = decl.into_inner();
            if let Some(n) = &d.name
                && !is_identifier(n.get_ref())
            {
                problems.push(
                    at(n.span(), format!("invalid layer name `{}`", n.get_ref()))
                        .with_hint("use lowercase letters, digits, `-`, `_` and `.`"),
                );
            }
            // A layer whose version is unusable is still kept, so the layout checks see
            // it; the problem already recorded makes the profile invalid.
            let requested = match (d.version, d.git_ref) {
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
            };
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
                let defaulted_core = parsed.name.is_none()
                    && parsed.ty.as_ref().is_some_and(|t| t.get_ref().is_core());
                if let Some(first) = names.get(&layer_name).filter(|_| !defaulted_core) {
                    problems.push(
                        at(
                            name_span,
                            format!(
                                "two layers are named `{layer_name}` (the first at line {})",
                                line_of(&source, first.start)
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
        // The chain, this profile first.
        let mut chain: Vec<ProfileDoc> = vec![doc.clone()];
        let mut problems = Vec::new();
        loop {
            let last = chain.last().expect("not empty");
            let Some(base) = last.extends.clone() else {
                break;
            };
            let at = |msg: String| Diagnostic::at(&last.source, base.span(), msg);
            if let Some(i) = chain.iter().position(|d| d.name == *base.get_ref()) {
                let mut names: Vec<&str> = chain[i..].iter().map(|d| d.name.as_str()).collect();
                names.push(base.get_ref());
                // At this profile's own `extends` line: the cycle is its problem too.
                let own = doc.extends.as_ref().map_or(base.span(), |e| e.span());
                problems.push(Diagnostic::at(
                    &doc.source,
                    own,
                    format!("`extends` goes round in a cycle: {}", names.join(" -> ")),
                ));
                break;
            }
            match lookup(base.get_ref()) {
                None => {
                    problems.push(
                        at(format!("`extends`: no profile named `{}`", base.get_ref()))
                            .with_hint_opt(suggest(
                                base.get_ref(),
                                known.iter().map(String::as_str).filter(|n| *n != doc.name),
                            )),
                    );
                    break;
                }
                Some(Err(file)) => {
                    problems.push(at(format!(
                        "`extends`: profile `{}` has problems of its own (`{file}`)",
                        base.get_ref()
                    )));
                    break;
                }
                Some(Ok(b)) => chain.push(b),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
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

    /// Every `{ var = "..." }` names a declared variable; a declared variable that no value
    /// uses is reported by [`Profile::unused_variables`].
    fn check_variables(&self) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        for layer in &self.layers {
            for v in layer.values.values() {
                if let Some(name) = v.var()
                    && !self.variables.contains_key(name)
                {
                    problems.push(
                        Diagnostic::at(
                            &v.source,
                            v.value.span(),
                            format!("`{{ var = \"{name}\" }}` names no variable of this profile"),
                        )
                        .with_hint_opt(
                            suggest(name, self.variables.keys().map(String::as_str)).or_else(
                                || {
                                    Some(format!(
                                        "declare it: `[[variable]]` with `name = \"{name}\"`"
                                    ))
                                },
                            ),
                        ),
                    );
                }
            }
        }
        problems
    }

    /// Warnings: declared variables that no layer value uses.
    pub fn unused_variables(&self) -> Vec<Diagnostic> {
        self.variables
            .values()
            .filter(|v| {
                !self
                    .layers
                    .iter()
                    .any(|l| l.values.values().any(|x| x.var() == Some(v.name.as_str())))
            })
            .map(|v| {
                Diagnostic::at(
                    &v.source,
                    v.span.clone(),
                    format!("variable `{}` is used by no layer value", v.name),
                )
                .with_hint(format!(
                    "use it as `{{ var = \"{}\" }}`, or remove it",
                    v.name
                ))
            })
            .collect()
    }

    /// The variables some layer value uses.
    pub fn used_variables(&self) -> std::collections::BTreeSet<String> {
        self.layers
            .iter()
            .flat_map(|l| {
                l.values
                    .values()
                    .filter_map(|v| v.var().map(str::to_string))
            })
            .collect()
    }

    /// infra and full profiles: exactly one os, kubernetes, network and storage layer, in that
    /// order, before any add-on; add-on profiles: only add-ons.
    fn check_layout(&self) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        let at = |layer: &Layer, msg: String| {
            Diagnostic::at(&layer.source, layer.type_span.clone(), msg)
        };
        if self.ty == ProfileType::AddOn {
            for layer in self.layers.iter().filter(|l| l.ty.is_core()) {
                problems.push(
                    at(layer, format!("an add-on profile holds only add-on layers, not `{}`", layer.ty))
                        .with_hint("set `type = \"full\"` in `[profile]`, or move this layer to an infra profile"),
                );
            }
            return problems;
        }
        let line_of = |l: &Layer| {
            let line = line_of(&l.source, l.span.start);
            if l.source.name == self.source.name {
                format!("line {line}")
            } else {
                format!("{}:{line}", l.source.name)
            }
        };
        let mut seen: BTreeMap<LayerType, &Layer> = BTreeMap::new();
        let mut highest: Option<&Layer> = None;
        let mut first_addon: Option<&Layer> = None;
        for layer in &self.layers {
            if layer.ty == LayerType::Addon {
                first_addon.get_or_insert(layer);
                continue;
            }
            if let Some(first) = seen.get(&layer.ty) {
                problems.push(
                    at(
                        layer,
                        format!(
                            "{} profile has exactly one `{}` layer (another at {})",
                            with_article(self.ty.as_str()),
                            layer.ty,
                            line_of(first)
                        ),
                    )
                    .with_hint("remove one of them; add-ons go in `type = \"addon\"` layers"),
                );
                continue;
            }
            seen.insert(layer.ty, layer);
            let hint = "core layers come first, in this order: os, kubernetes, network, storage";
            if let Some(addon) = first_addon {
                problems.push(
                    at(
                        layer,
                        format!(
                            "the `{}` layer comes after the add-on `{}` ({})",
                            layer.ty,
                            addon.name,
                            line_of(addon)
                        ),
                    )
                    .with_hint(hint),
                );
            } else if let Some(prev) = highest.filter(|p| p.ty > layer.ty) {
                problems.push(
                    at(
                        layer,
                        format!(
                            "the `{}` layer must come before the `{}` layer ({})",
                            layer.ty,
                            prev.ty,
                            line_of(prev)
                        ),
                    )
                    .with_hint(hint),
                );
            }
            if highest.is_none_or(|p| layer.ty > p.ty) {
                highest = Some(layer);
            }
        }
        let missing: Vec<&str> = LayerType::CORE
            .iter()
            .filter(|t| !self.layers.iter().any(|l| l.ty == **t))
            .map(|t| t.as_str())
            .collect();
        if !missing.is_empty() {
            let list = missing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ");
            problems.push(
                Diagnostic::file(
                    &self.source.name,
                    format!(
                        "{} profile needs one layer of each core type; missing {list}",
                        with_article(self.ty.as_str())
                    ),
                )
                .with_hint("add the missing `[[layer]]` entries, or set `type = \"add-on\"` for a profile of add-ons only"),
            );
        }
        problems
    }

    /// The tags as a map (a bare tag maps to `""`).
    pub fn tag_map(&self) -> std::collections::BTreeMap<String, String> {
        crate::model::tags::map(self.tags.iter().map(String::as_str))
    }

    /// The path of profile.toml relative to the catalog root.
    pub fn file(&self) -> &str {
        &self.source.name
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
    let span = decl.span();
    let d = decl.get_ref();
    let at = |span, msg: String| Diagnostic::at(source, span, msg);
    let values = |d: &LayerDeclParsed| {
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
            .collect::<Vec<_>>()
    };
    let name = d.layer_name();
    let existing = name.as_ref().and_then(|n| {
        layers[..(*inherited).min(layers.len())]
            .iter()
            .position(|l| l.name == *n)
    });
    let removing = d.remove.as_ref().filter(|r| *r.get_ref());
    match existing {
        Some(i) => {
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
                    && let (Value::Table(a), Value::Table(b)) =
                        (old.value.get_ref(), v.value.get_ref())
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
        None => {
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
                        at(span.clone(), format!("layer `{layer_name}` has no `version`")).with_hint(
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
    }
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

/// The JSON Schema of `profile.toml`, from the types that parse it.
pub fn json_schema() -> schemars::Schema {
    crate::schema::generate::<ProfileFile>()
}
