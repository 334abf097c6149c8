//! An effective parameter: its value and where it came from (pack default, `default_from`,
//! `[defaults.<pack>]`, a profile line, a variable), and whether it must never be shown.

use std::fmt;

use serde::Serialize;
use toml::Value;

use crate::model::variable::BindingOrigin;

/// Where an effective value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Origin {
    /// The pack's `default`.
    PackDefault,
    /// `[defaults.<pack>]` in strata.toml, at this line.
    Defaults { file: String, line: usize },
    /// The layer's `values` in profile.toml, at this line.
    Layer { file: String, line: usize },
    /// `default_from`: the effective value of `from` (`<layer>.<parameter>`), which came
    /// from `via`.
    From { from: String, via: Box<Origin> },
}

impl Origin {
    /// Whether the user set the value (in a profile or `strata.toml`), rather than a pack.
    pub fn is_users(&self) -> bool {
        match self {
            Origin::PackDefault => false,
            Origin::Defaults { .. } | Origin::Layer { .. } => true,
            Origin::From { via, .. } => via.is_users(),
        }
    }

    /// The file and line the user set the value at, following `default_from`.
    pub fn user_line(&self) -> Option<(&str, usize)> {
        match self {
            Origin::PackDefault => None,
            Origin::Defaults { file, line } | Origin::Layer { file, line } => Some((file, *line)),
            Origin::From { via, .. } => via.user_line(),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::PackDefault => f.write_str("pack default"),
            Origin::Defaults { file, line } | Origin::Layer { file, line } => {
                write!(f, "{file}:{line}")
            }
            Origin::From { from, via } => write!(f, "from {from} ({via})"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Effective {
    #[schemars(with = "serde_json::Value")]
    pub value: Value,
    pub origin: Origin,
    /// The variable the value is (`{ var = "name" }`), if it is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub var: Option<VarUse>,
    /// A secret of the pack's own schema (a Palette `${password}`): never shown.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub secret: bool,
}

/// A value that is a profile variable: bound to a value, or a placeholder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct VarUse {
    pub name: String,
    pub sensitive: bool,
    /// Where the bound value came from; `None`: unbound, the value is a placeholder.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "shown_origin"
    )]
    #[schemars(with = "Option<String>")]
    pub bound: Option<BindingOrigin>,
}

fn shown_origin<S: serde::Serializer>(o: &Option<BindingOrigin>, s: S) -> Result<S::Ok, S::Error> {
    match o {
        Some(o) => s.serialize_str(&o.to_string()),
        None => s.serialize_none(),
    }
}

impl Effective {
    /// Where the user set this value: the cluster file line that bound its variable, else
    /// the profile or `strata.toml` line.
    pub fn user_line(&self) -> Option<(&str, usize)> {
        if let Some(VarUse {
            bound: Some(BindingOrigin::File { file, line }),
            ..
        }) = &self.var
        {
            return Some((file, *line));
        }
        self.origin.user_line()
    }

    /// A value whose variable has no value yet: checks and assertions wait for a cluster.
    pub fn is_placeholder(&self) -> bool {
        self.var
            .as_ref()
            .is_some_and(|v| matches!(v.bound, None | Some(BindingOrigin::Reference)))
    }

    /// The value as shown to people: `(sensitive)` for a sensitive variable.
    pub fn shown(&self) -> String {
        match &self.var {
            _ if self.secret => "(sensitive)".to_string(),
            Some(v) if v.sensitive => "(sensitive)".to_string(),
            _ => self.value.to_string(),
        }
    }

    /// The value as `strata explain` and the site show it: `(sensitive)` for a secret,
    /// `(variable NAME)` for a variable without a value yet, else the value as TOML.
    pub fn explained(&self) -> String {
        explained(
            self.var.as_ref(),
            (!self.is_sensitive()).then_some(&self.value),
        )
    }

    /// Whether the value must never be shown.
    pub fn is_sensitive(&self) -> bool {
        self.secret || self.var.as_ref().is_some_and(|v| v.sensitive)
    }

    /// Whether the value is a secret's own text: a sensitive variable's bound value, or a
    /// pack secret that is not empty (a placeholder or a reference holds none).
    pub fn holds_secret(&self) -> bool {
        let empty = matches!(&self.value, Value::String(s) if s.is_empty());
        self.is_sensitive() && !self.is_placeholder() && !empty
    }
}

/// [`Effective::explained`] of a value given as its variable and its value (`None`: not to
/// be shown), as `--format json` of `explain` carries them.
pub fn explained(var: Option<&VarUse>, value: Option<&Value>) -> String {
    match (var, value) {
        (Some(var), _) if var.sensitive => "(sensitive)".to_string(),
        (Some(var), _) if var.bound.is_none() => format!("(variable {})", var.name),
        (_, Some(value)) => value.to_string(),
        (_, None) => "(sensitive)".to_string(),
    }
}
