//! A pack release as strata uses it, whatever format its registry stores it in: metadata,
//! constraints on the rest of the profile, the parameter schema, and its files.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Source};
use crate::model::chart::Chart;
use crate::model::config::is_identifier;
use crate::model::param::ParamSpec;
use crate::model::version::{Version, VersionSpec};

/// The layer types of a profile, in the order core layers must appear.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Deserialize,
    schemars::JsonSchema,
    Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum LayerType {
    Os,
    Kubernetes,
    Network,
    Storage,
    Addon,
}

impl LayerType {
    pub const CORE: [LayerType; 4] = [
        LayerType::Os,
        LayerType::Kubernetes,
        LayerType::Network,
        LayerType::Storage,
    ];
    pub const ALL: [LayerType; 5] = [
        LayerType::Os,
        LayerType::Kubernetes,
        LayerType::Network,
        LayerType::Storage,
        LayerType::Addon,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LayerType::Os => "os",
            LayerType::Kubernetes => "kubernetes",
            LayerType::Network => "network",
            LayerType::Storage => "storage",
            LayerType::Addon => "addon",
        }
    }

    pub fn parse(s: &str) -> Option<LayerType> {
        LayerType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn is_core(self) -> bool {
        self != LayerType::Addon
    }
}

impl fmt::Display for LayerType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a `requires` entry targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Layer(LayerType),
    Pack(String),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Layer(t) => f.write_str(t.as_str()),
            Target::Pack(p) => f.write_str(p),
        }
    }
}

/// A checked constraint of a pack release on the rest of its profile.
#[derive(Debug, Clone)]
pub struct Constraint {
    pub target: Target,
    pub spec: VersionSpec,
    /// The range as written in pack.toml, for messages.
    pub text: String,
    pub optional: bool,
}

/// An `[[assert]]`: an expression over the template context that must hold.
#[derive(Debug, Clone)]
pub struct Assertion {
    pub that: String,
    pub message: String,
    /// Where its expression (`that`) is in pack.toml.
    pub span: std::ops::Range<usize>,
}

/// A loaded, checked pack release.
#[derive(Debug)]
pub struct Pack {
    pub name: String,
    pub version: Version,
    pub layer: LayerType,
    /// A release any layer may use (a Helm chart: the profile chooses its layer type).
    pub any_layer: bool,
    pub category: String,
    pub display_name: String,
    pub description: String,
    pub clouds: Vec<String>,
    pub requires: Vec<Constraint>,
    pub conflicts: Vec<Constraint>,
    pub params: BTreeMap<String, ParamSpec>,
    /// The charts this release installs.
    pub charts: Vec<Chart>,
    pub asserts: Vec<Assertion>,
    /// The manifest (`pack.toml`), as shown in messages.
    pub manifest: Source,
    /// Every file of the release, by `/`-separated path relative to the pack folder.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The `h1` content digest of `files`.
    pub digest: String,
    /// A release whose configuration is a values document (Palette packs, Helm charts):
    /// the layer's values merge into it, there are no templates.
    pub document: Option<crate::model::document::ValuesDoc>,
    /// What else the release says, for `pack show` (`appVersion`, `addonType`,
    /// dependencies, keys strata does not use), in order.
    pub facts: Vec<(String, String)>,
}

impl Pack {
    /// A release named `name` and `version` whose files are `files`: every format builds its
    /// releases from this one, so what is derived from the files (the `h1` digest) is
    /// derived in one place. The rest starts empty: an add-on for every cloud, with no
    /// constraints, parameters, charts or templates' document.
    pub fn new(
        name: String,
        version: Version,
        manifest: Source,
        files: BTreeMap<String, Vec<u8>>,
    ) -> Pack {
        Pack {
            display_name: name.clone(),
            name,
            version,
            layer: LayerType::Addon,
            any_layer: false,
            category: String::new(),
            description: String::new(),
            clouds: vec!["all".to_string()],
            requires: Vec::new(),
            conflicts: Vec::new(),
            params: BTreeMap::new(),
            charts: Vec::new(),
            asserts: Vec::new(),
            manifest,
            digest: crate::digest::h1(&files),
            files,
            document: None,
            facts: Vec::new(),
        }
    }

    pub fn supports_cloud(&self, cloud: &str) -> bool {
        self.clouds.iter().any(|c| c == "all" || c == cloud)
    }

    /// How a file of this release is named in messages (beside its pack.toml).
    pub fn file_display(&self, path: &str) -> String {
        format!("{}{path}", folder_display(&self.manifest.name))
    }

    /// Template files (`*.j2`), by path.
    pub fn templates(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files
            .iter()
            .filter(|(p, _)| p.ends_with(".j2"))
            .map(|(p, b)| (p.as_str(), b.as_slice()))
    }
}

/// How the folder of a release is named in messages: its manifest's name without the file
/// name (`builtin:calico/3.30.2/`, `acme@calico/v3.30.2:packs/calico/`).
fn folder_display(manifest: &str) -> &str {
    manifest.rfind(['/', ':']).map_or("", |i| &manifest[..=i])
}

/// Templates whose rendered name is not a file name (`.j2` renders to an empty name,
/// `..j2` to `.`, `...j2` to `..`): they would be written outside their layer's folder or
/// not at all.
pub fn template_name_problems(
    manifest: &Source,
    files: &BTreeMap<String, Vec<u8>>,
) -> Vec<Diagnostic> {
    let base = folder_display(&manifest.name);
    files
        .keys()
        .filter_map(|path| {
            let out = path.strip_suffix(".j2")?;
            let bad = out
                .split('/')
                .find(|c| c.is_empty() || *c == "." || *c == "..")?;
            Some(Diagnostic::file(
                format!("{base}{path}"),
                format!("template renders to `{out}`, and `{bad}` is not a file name"),
            ))
        })
        .collect()
}

/// A pack name as a registry folder or tag prefix may carry it.
pub fn is_pack_name(s: &str) -> bool {
    is_identifier(s)
}
