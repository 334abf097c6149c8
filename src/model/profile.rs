//! `profiles/<name>/profile.toml`: a cluster stack as ordered layers, and the structural
//! rules that need no registry (layer order, unique names, version specs).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use toml::{Spanned, Value};

use crate::diagnostic::{Diagnostic, Source};
use crate::model::config::is_identifier;
use crate::model::pack::LayerType;
use crate::model::param::with_article;
use crate::model::version::{Version, VersionSpec};

pub const FILE_NAME: &str = "profile.toml";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    profile: ProfileMeta,
    #[serde(default)]
    layer: Vec<Spanned<LayerDecl>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileMeta {
    name: Option<Spanned<String>>,
    #[serde(default)]
    description: String,
    cloud: Spanned<String>,
    #[serde(rename = "type")]
    ty: Option<Spanned<ProfileType>>,
    #[serde(default)]
    tags: Vec<Spanned<String>>,
    version: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LayerDecl {
    #[serde(rename = "type")]
    ty: Spanned<LayerType>,
    name: Option<Spanned<String>>,
    pack: Spanned<String>,
    version: Option<Spanned<String>>,
    #[serde(rename = "ref")]
    git_ref: Option<Spanned<String>>,
    registry: Option<Spanned<String>>,
    #[serde(default)]
    values: BTreeMap<Spanned<String>, Spanned<Value>>,
}

/// What a layer asks for: a version spec, or (git registries) a tag, branch or commit.
#[derive(Debug, Clone)]
pub enum Request {
    Version(VersionSpec),
    Ref(String),
}

#[derive(Debug, Clone)]
pub struct Layer {
    pub ty: LayerType,
    pub name: String,
    pub pack: Spanned<String>,
    /// The spec as written (`3.x`), with its span.
    pub requested: Spanned<String>,
    pub request: Request,
    pub registry: Option<Spanned<String>>,
    pub values: BTreeMap<String, (Spanned<Value>, std::ops::Range<usize>)>,
    /// The `[[layer]]` header, for problems with the layer as a whole.
    pub span: std::ops::Range<usize>,
    pub type_span: std::ops::Range<usize>,
}

#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    /// The folder holding profile.toml, relative to the catalog root, `/`-separated.
    pub dir: String,
    pub description: String,
    pub cloud: Spanned<String>,
    pub ty: ProfileType,
    pub tags: Vec<String>,
    pub version: Version,
    pub layers: Vec<Layer>,
    pub source: Source,
}

impl Profile {
    /// Parses a profile and checks every rule that needs no registry.
    pub fn parse(source: Source, dir: &str, folder_name: &str) -> Result<Profile, Vec<Diagnostic>> {
        let file: ProfileFile = source.parse().map_err(|d| vec![d])?;
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
        let ty = meta.ty.as_ref().map_or(ProfileType::Full, |t| *t.get_ref());
        for tag in &meta.tags {
            if let Err(why) = crate::model::tags::check(tag.get_ref(), meta.cloud.get_ref()) {
                problems.push(at(tag.span(), format!("tag `{}`: {why}", tag.get_ref())));
            }
        }

        let mut layers = Vec::new();
        let mut names: BTreeMap<String, std::ops::Range<usize>> = BTreeMap::new();
        for decl in file.layer {
            let span = decl.span();
            let d = decl.into_inner();
            let lty = *d.ty.get_ref();
            let layer_name = match &d.name {
                Some(n) => {
                    if !is_identifier(n.get_ref()) {
                        problems.push(
                            at(n.span(), format!("invalid layer name `{}`", n.get_ref()))
                                .with_hint("use lowercase letters, digits, `-`, `_` and `.`"),
                        );
                    }
                    n.get_ref().clone()
                }
                None if lty.is_core() => lty.as_str().to_string(),
                None => d.pack.get_ref().clone(),
            };
            let name_span = d.name.as_ref().map_or(span.clone(), |n| n.span());
            let defaulted_core = d.name.is_none() && lty.is_core();
            if let Some(first) = names.get(&layer_name).filter(|_| !defaulted_core) {
                let first_line = source.text[..first.start].matches('\n').count() + 1;
                problems.push(
                    at(
                        name_span,
                        format!(
                            "two layers are named `{layer_name}` (the first at line {first_line})"
                        ),
                    )
                    .with_hint("give one of them a distinct `name = \"...\"`"),
                );
            } else {
                names.entry(layer_name.clone()).or_insert(name_span);
            }
            // A layer whose version is unusable is still kept, so the layout checks below
            // see it; the problem already recorded makes the profile invalid.
            let (requested, request) = match (d.version, d.git_ref) {
                (Some(v), None) => match VersionSpec::parse(v.get_ref()) {
                    Ok(spec) => (v, Request::Version(spec)),
                    Err(e) => {
                        problems.push(at(v.span(), e.message).with_hint(e.hint));
                        (v, Request::Version(VersionSpec::Any))
                    }
                },
                (None, Some(r)) => {
                    let text = r.get_ref().clone();
                    if text.trim().is_empty() {
                        problems.push(at(r.span(), "empty `ref`".to_string()));
                    }
                    (r, Request::Ref(text))
                }
                (Some(v), Some(r)) => {
                    problems.push(
                        at(
                            r.span(),
                            "a layer gives either `version` or `ref`, not both".to_string(),
                        )
                        .with_hint("remove one of them"),
                    );
                    (v, Request::Version(VersionSpec::Any))
                }
                (None, None) => {
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
            let values = d
                .values
                .into_iter()
                .map(|(k, v)| {
                    let key_span = k.span();
                    (k.into_inner(), (v, key_span))
                })
                .collect();
            layers.push(Layer {
                ty: lty,
                name: layer_name,
                pack: d.pack,
                requested,
                request,
                registry: d.registry,
                values,
                type_span: d.ty.span(),
                span,
            });
        }

        let profile = Profile {
            name,
            dir: dir.to_string(),
            description: meta.description,
            cloud: meta.cloud,
            ty,
            tags: meta.tags.into_iter().map(Spanned::into_inner).collect(),
            version,
            layers,
            source,
        };
        problems.extend(profile.check_layout());
        if problems.is_empty() {
            Ok(profile)
        } else {
            Err(problems)
        }
    }

    /// infra and full profiles: exactly one os, kubernetes, network and storage layer, in that
    /// order, before any add-on; add-on profiles: only add-ons.
    fn check_layout(&self) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        let at = |span, msg: String| Diagnostic::at(&self.source, span, msg);
        if self.ty == ProfileType::AddOn {
            for layer in self.layers.iter().filter(|l| l.ty.is_core()) {
                problems.push(
                    at(layer.type_span.clone(), format!("an add-on profile holds only add-on layers, not `{}`", layer.ty))
                        .with_hint("set `type = \"full\"` in `[profile]`, or move this layer to an infra profile"),
                );
            }
            return problems;
        }
        let line_of = |l: &Layer| self.source.text[..l.span.start].matches('\n').count() + 1;
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
                        layer.type_span.clone(),
                        format!(
                            "{} profile has exactly one `{}` layer (another at line {})",
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
                        layer.type_span.clone(),
                        format!(
                            "the `{}` layer comes after the add-on `{}` (line {})",
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
                        layer.type_span.clone(),
                        format!(
                            "the `{}` layer must come before the `{}` layer (line {})",
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
