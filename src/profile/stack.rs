//! A composed profile as every other room reads it: its layers in order, each with its
//! pack, request, registry and values, and where in the user's files each came from.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use toml::{Spanned, Value};

use crate::diagnostic::Source;
use crate::model::pack::LayerType;
use crate::model::variable::{Variable, var_ref};
use crate::model::version::{Version, VersionSpec};

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

/// The line of byte `at` of a file.
pub(crate) fn line_of(source: &Source, at: usize) -> usize {
    source.line_at(at)
}

impl Profile {
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

    /// The tags as a map (a bare tag maps to `""`).
    pub fn tag_map(&self) -> std::collections::BTreeMap<String, String> {
        crate::model::tags::map(self.tags.iter().map(String::as_str))
    }

    /// The path of profile.toml relative to the catalog root.
    pub fn file(&self) -> &str {
        &self.source.name
    }
}
