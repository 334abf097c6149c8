//! A pack release: its `pack.toml` manifest (metadata, constraints, parameter schema) and
//! its files, however the registry stores them.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::config::is_identifier;
use crate::diagnostic::{Diagnostic, Source};
use crate::param::ParamSpec;
use crate::version::{Version, VersionSpec};

pub const MANIFEST: &str = "pack.toml";

/// The layer types of a profile, in the order core layers must appear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub pack: PackMeta,
    #[serde(default)]
    pub requires: Vec<Spanned<Requirement>>,
    #[serde(default)]
    pub conflicts: Vec<Spanned<Conflict>>,
    #[serde(default)]
    pub params: BTreeMap<Spanned<String>, Spanned<ParamSpec>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackMeta {
    pub name: Spanned<String>,
    pub version: Spanned<String>,
    pub layer: Spanned<LayerType>,
    #[serde(default)]
    pub category: String,
    pub display_name: Option<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default = "all_clouds")]
    pub clouds: Spanned<Vec<String>>,
}

fn all_clouds() -> Spanned<Vec<String>> {
    Spanned::new(0..0, vec!["all".to_string()])
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub layer: Option<Spanned<LayerType>>,
    pub pack: Option<Spanned<String>>,
    #[serde(default = "any_version")]
    pub version: Spanned<String>,
    #[serde(default)]
    pub optional: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conflict {
    pub pack: Spanned<String>,
    #[serde(default = "any_version")]
    pub version: Spanned<String>,
}

fn any_version() -> Spanned<String> {
    Spanned::new(0..0, "*".to_string())
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

/// A loaded, checked pack release.
#[derive(Debug)]
pub struct Pack {
    pub name: String,
    pub version: Version,
    pub layer: LayerType,
    pub category: String,
    pub display_name: String,
    pub description: String,
    pub clouds: Vec<String>,
    pub requires: Vec<Constraint>,
    pub conflicts: Vec<Constraint>,
    pub params: BTreeMap<String, ParamSpec>,
    /// Where pack.toml is shown in messages.
    pub manifest: Source,
    /// Every file of the release, by `/`-separated path relative to the pack folder.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The `h1` content digest of `files`.
    pub digest: String,
    /// The compiled templates, built on first use.
    compiled: std::sync::OnceLock<Result<std::sync::Arc<crate::render::Templates>, Diagnostic>>,
}

impl Pack {
    /// Checks a release's manifest against the folder or tag it was found under.
    pub fn load(
        expected_name: &str,
        expected_version: &Version,
        manifest: Source,
        files: BTreeMap<String, Vec<u8>>,
    ) -> Result<Pack, Vec<Diagnostic>> {
        let m: Manifest = manifest.parse().map_err(|d| vec![d])?;
        let mut problems = Vec::new();
        let at = |span, msg: String| Diagnostic::at(&manifest, span, msg);

        let name = m.pack.name.get_ref();
        if name != expected_name {
            problems.push(at(
                m.pack.name.span(),
                format!("pack name `{name}` does not match its folder `{expected_name}`"),
            ));
        }
        match Version::parse(m.pack.version.get_ref()) {
            Some(v) if v == *expected_version && !v.clashes_with(expected_version) => {}
            Some(v) => problems.push(
                at(
                    m.pack.version.span(),
                    format!(
                        "pack.toml states version `{v}`, but it is the release `{expected_version}`"
                    ),
                )
                .with_hint(format!("set `version = \"{expected_version}\"`")),
            ),
            None => problems.push(at(
                m.pack.version.span(),
                format!("invalid version `{}`", m.pack.version.get_ref()),
            )),
        }
        if m.pack.clouds.get_ref().is_empty() {
            problems.push(
                at(m.pack.clouds.span(), "`clouds` is empty".to_string())
                    .with_hint("write `clouds = [\"all\"]` for a pack that runs anywhere"),
            );
        }

        let mut requires = Vec::new();
        for r in &m.requires {
            let req = r.get_ref();
            let target = match (&req.layer, &req.pack) {
                (Some(l), None) => Target::Layer(*l.get_ref()),
                (None, Some(p)) => Target::Pack(p.get_ref().clone()),
                _ => {
                    problems.push(
                        at(
                            r.span(),
                            "a `requires` entry names either `layer` or `pack`".into(),
                        )
                        .with_hint("write `layer = \"kubernetes\"` or `pack = \"cert-manager\"`"),
                    );
                    continue;
                }
            };
            match constraint_spec(&manifest, &req.version) {
                Ok(spec) => requires.push(Constraint {
                    target,
                    spec,
                    text: req.version.get_ref().clone(),
                    optional: req.optional,
                }),
                Err(d) => problems.push(d),
            }
        }
        let mut conflicts = Vec::new();
        for c in &m.conflicts {
            let c = c.get_ref();
            match constraint_spec(&manifest, &c.version) {
                Ok(spec) => conflicts.push(Constraint {
                    target: Target::Pack(c.pack.get_ref().clone()),
                    spec,
                    text: c.version.get_ref().clone(),
                    optional: false,
                }),
                Err(d) => problems.push(d),
            }
        }

        let mut params = BTreeMap::new();
        for (key, spec) in m.params {
            if !is_param_name(key.get_ref()) {
                problems.push(at(
                    key.span(),
                    format!("invalid parameter name `{}`", key.get_ref()),
                ).with_hint("use letters, digits and `_`, starting with a letter (templates read it as `params.<name>`)"));
            }
            problems.extend(spec.get_ref().check(&manifest, key.get_ref()));
            params.insert(key.into_inner(), spec.into_inner());
        }

        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Pack {
            name: name.clone(),
            version: expected_version.clone(),
            layer: *m.pack.layer.get_ref(),
            display_name: m.pack.display_name.unwrap_or_else(|| name.clone()),
            category: m.pack.category,
            description: m.pack.description,
            clouds: m.pack.clouds.into_inner(),
            requires,
            conflicts,
            params,
            manifest,
            digest: crate::digest::h1(&files),
            files,
            compiled: std::sync::OnceLock::new(),
        })
    }

    pub fn supports_cloud(&self, cloud: &str) -> bool {
        self.clouds.iter().any(|c| c == "all" || c == cloud)
    }

    /// The release's templates, compiled once.
    pub fn compiled(&self) -> Result<std::sync::Arc<crate::render::Templates>, Diagnostic> {
        self.compiled
            .get_or_init(|| crate::render::compile(self))
            .clone()
    }

    /// How a file of this release is named in messages (beside its pack.toml).
    pub fn file_display(&self, path: &str) -> String {
        let base = self
            .manifest
            .name
            .strip_suffix(MANIFEST)
            .unwrap_or(&self.manifest.name);
        format!("{base}{path}")
    }

    /// Template files (`*.j2`), by path.
    pub fn templates(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files
            .iter()
            .filter(|(p, _)| p.ends_with(".j2"))
            .map(|(p, b)| (p.as_str(), b.as_slice()))
    }
}

fn constraint_spec(
    manifest: &Source,
    version: &Spanned<String>,
) -> Result<VersionSpec, Diagnostic> {
    VersionSpec::parse(version.get_ref())
        .map_err(|e| Diagnostic::at(manifest, version.span(), e.message).with_hint(e.hint))
}

/// Parameter names are identifiers so templates can write `params.name`.
fn is_param_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A pack name as a registry folder or tag prefix may carry it.
pub fn is_pack_name(s: &str) -> bool {
    is_identifier(s)
}
