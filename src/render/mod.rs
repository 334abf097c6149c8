//! Rendering: a layer's effective parameters ([`values`]) fed to its pack's templates
//! ([`templates`]), with the profile and its other layers as context; [`locked`] renders a
//! profile from its lock.

pub mod locked;
pub mod templates;
pub mod values;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalog::Catalog;
use crate::diagnostic::Diagnostic;
use crate::digest::{hex, sha256};
use crate::model::pack::{LayerType, Pack};
use crate::model::profile::{Layer, Profile};
use crate::model::version::Version;

pub use templates::{FUEL, MAX_OUTPUT, Templates, compile, environment};

/// What templates see of the profile.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileInfo {
    pub name: String,
    pub cloud: String,
    pub tags: Vec<String>,
}

impl ProfileInfo {
    pub fn of(profile: &Profile) -> ProfileInfo {
        ProfileInfo {
            name: profile.name.clone(),
            cloud: profile.cloud.get_ref().clone(),
            tags: profile.tags.clone(),
        }
    }
}

/// What templates see of every layer of the profile (`layers.<name>`).
#[derive(Debug, Clone, Serialize)]
pub struct LayerInfo {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub pack: String,
    pub version: String,
}

impl LayerInfo {
    pub fn new(name: &str, ty: LayerType, pack: &str, version: &Version) -> LayerInfo {
        LayerInfo {
            name: name.to_string(),
            ty: ty.to_string(),
            pack: pack.to_string(),
            version: version.to_string(),
        }
    }
}

/// One layer's effective parameters and rendered files.
pub struct Rendered {
    pub values: BTreeMap<String, values::Effective>,
    pub files: BTreeMap<String, String>,
}

/// What the templates of every layer of one profile see: the profile, and each layer's
/// pack and version (`layers.<name>`).
/// Built once per profile: a profile of many layers must not convert them all for each.
pub struct Stack {
    profile: minijinja::Value,
    layers: minijinja::Value,
}

impl Stack {
    pub fn new(profile: &Profile, layers: impl IntoIterator<Item = LayerInfo>) -> Stack {
        let layers: BTreeMap<String, LayerInfo> =
            layers.into_iter().map(|l| (l.name.clone(), l)).collect();
        Stack {
            profile: minijinja::Value::from(minijinja::value::Serde(ProfileInfo::of(profile))),
            layers: minijinja::Value::from(minijinja::value::Serde(&layers)),
        }
    }

    /// Renders one layer of `profile` with the release `pack`.
    pub fn render(
        &self,
        catalog: &Catalog,
        profile: &Profile,
        layer: &Layer,
        pack: &Pack,
    ) -> Result<Rendered, Diagnostic> {
        let values = values::effective(
            pack,
            layer,
            profile,
            &catalog.config,
            &catalog.config_source,
        );
        let files = pack.compiled()?.render(
            &values::plain(&values),
            pack,
            &self.profile,
            &self.layers,
            &catalog.rendered,
        )?;
        Ok(Rendered { values, files })
    }
}

/// The lock's `rendered` digest: `sha256:` of a line `<sha256 hex>  <file>` per rendered
/// file, sorted by file name, so names and contents both count.
pub fn digest(files: &BTreeMap<String, String>) -> String {
    let mut text = String::new();
    for (name, content) in files {
        use sha2::Digest as _;
        text.push_str(&hex(&sha2::Sha256::digest(content.as_bytes())));
        text.push_str("  ");
        text.push_str(name);
        text.push('\n');
    }
    sha256(text.as_bytes())
}
