//! Effective parameters: pack default < `[defaults.<pack>]` in strata.toml < the layer's
//! `values`, each value with where it came from.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use toml::Value;

use crate::diagnostic::Source;
use crate::digest::sha256;
use crate::model::config::Config;
use crate::model::pack::Pack;
use crate::model::profile::{Layer, Profile};

/// Where an effective value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Origin {
    /// The pack's `default`.
    PackDefault,
    /// `[defaults.<pack>]` in strata.toml, at this line.
    Defaults { file: String, line: usize },
    /// The layer's `values` in profile.toml, at this line.
    Layer { file: String, line: usize },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::PackDefault => f.write_str("pack default"),
            Origin::Defaults { file, line } | Origin::Layer { file, line } => {
                write!(f, "{file}:{line}")
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Effective {
    pub value: Value,
    pub origin: Origin,
}

/// The effective parameters of one layer. Only declared parameters appear (an undeclared
/// value is a validation error); a parameter with no default and no value is absent.
pub fn effective(
    pack: &Pack,
    layer: &Layer,
    profile: &Profile,
    config: &Config,
    config_source: &Source,
) -> BTreeMap<String, Effective> {
    let line_of =
        |src: &Source, at: usize| src.text[..at.min(src.text.len())].matches('\n').count() + 1;
    let mut out = BTreeMap::new();
    for (name, spec) in &pack.params {
        if let Some(d) = &spec.default {
            out.insert(
                name.clone(),
                Effective {
                    value: d.get_ref().clone(),
                    origin: Origin::PackDefault,
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
                    },
                );
            }
        }
    }
    for (key, (value, key_span)) in &layer.values {
        if pack.params.contains_key(key) {
            out.insert(
                key.clone(),
                Effective {
                    value: value.get_ref().clone(),
                    origin: Origin::Layer {
                        file: profile.source.name.clone(),
                        line: line_of(&profile.source, key_span.start),
                    },
                },
            );
        }
    }
    out
}

/// The plain values, for templates.
pub fn plain(values: &BTreeMap<String, Effective>) -> BTreeMap<String, Value> {
    values
        .iter()
        .map(|(k, e)| (k.clone(), e.value.clone()))
        .collect()
}

/// The lock's `values` digest: `sha256:` of the canonical JSON of the effective values
/// (keys sorted at every level).
pub fn digest(values: &BTreeMap<String, Effective>) -> String {
    let json = serde_json::to_string(&plain(values)).expect("TOML values serialize");
    sha256(json.as_bytes())
}
