//! The parameter schema a pack declares (`[params.<name>]`) and the checks a value must pass.

use std::fmt;

use serde::{Deserialize, Serialize};
use toml::{Spanned, Value};

use crate::diagnostic::{Diagnostic, Source};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamType {
    String,
    Integer,
    Float,
    Boolean,
    Array,
    Table,
}

impl ParamType {
    pub fn as_str(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::Integer => "integer",
            ParamType::Float => "float",
            ParamType::Boolean => "boolean",
            ParamType::Array => "array",
            ParamType::Table => "table",
        }
    }

    /// Whether a TOML value has this type (an integer is also a float).
    pub fn accepts(self, value: &Value) -> bool {
        matches!(
            (self, value),
            (ParamType::String, Value::String(_))
                | (ParamType::Integer, Value::Integer(_))
                | (ParamType::Float, Value::Float(_) | Value::Integer(_))
                | (ParamType::Boolean, Value::Boolean(_))
                | (ParamType::Array, Value::Array(_))
                | (ParamType::Table, Value::Table(_))
        )
    }
}

impl fmt::Display for ParamType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Ipv4,
    Ipv4cidr,
    Ipv6,
    Hostname,
    Version,
    Duration,
    Base64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamSpec {
    #[serde(rename = "type")]
    pub ty: Spanned<ParamType>,
    pub default: Option<Spanned<Value>>,
    #[serde(default)]
    pub description: String,
    #[serde(rename = "enum")]
    pub choices: Option<Spanned<Vec<Value>>>,
    pub min: Option<Spanned<Value>>,
    pub max: Option<Spanned<Value>>,
    pub pattern: Option<Spanned<String>>,
    #[serde(default)]
    pub required: bool,
    pub format: Option<Spanned<Format>>,
}

impl ParamSpec {
    /// Checks the schema itself: bounds are numbers on numeric types, and the default obeys it.
    pub fn check(&self, manifest: &Source, name: &str) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        let ty = *self.ty.get_ref();
        for bound in [&self.min, &self.max].into_iter().flatten() {
            let numeric = matches!(ty, ParamType::Integer | ParamType::Float);
            if !numeric || as_f64(bound.get_ref()).is_none() {
                problems.push(Diagnostic::at(
                    manifest,
                    bound.span(),
                    format!("`min`/`max` of parameter `{name}` need a number and an integer or float parameter"),
                ));
            }
        }
        if let Some(choices) = &self.choices
            && let Some(bad) = choices.get_ref().iter().find(|c| !ty.accepts(c))
        {
            problems.push(Diagnostic::at(
                manifest,
                choices.span(),
                format!(
                    "`enum` of parameter `{name}` holds `{bad}`, which is not {}",
                    with_article(ty.as_str())
                ),
            ));
        }
        if let Some(format) = &self.format
            && ty != ParamType::String
        {
            problems.push(Diagnostic::at(
                manifest,
                format.span(),
                format!(
                    "`format` applies to string parameters, and `{name}` is {}",
                    with_article(ty.as_str())
                ),
            ));
        }
        if let Some(default) = &self.default
            && let Err(why) = self.check_value(default.get_ref())
        {
            problems.push(Diagnostic::at(
                manifest,
                default.span(),
                format!("default of parameter `{name}`: {why}"),
            ));
        }
        problems
    }

    /// Checks a value against the type, `enum`, `min` and `max`; the error is a clause
    /// such as "expected an integer, found a string".
    pub fn check_value(&self, value: &Value) -> Result<(), String> {
        let ty = *self.ty.get_ref();
        if !ty.accepts(value) {
            return Err(format!(
                "expected {}, found {}",
                with_article(ty.as_str()),
                with_article(type_name(value))
            ));
        }
        if let Some(choices) = &self.choices {
            let list = choices.get_ref();
            if !list.iter().any(|c| values_equal(c, value)) {
                let shown: Vec<String> = list.iter().map(ToString::to_string).collect();
                return Err(format!("`{value}` is not one of {}", shown.join(", ")));
            }
        }
        if let Some(n) = as_f64(value) {
            if let Some(min) = self.min.as_ref().and_then(|m| as_f64(m.get_ref()))
                && n < min
            {
                return Err(format!(
                    "`{value}` is below the minimum {}",
                    self.min
                        .as_ref()
                        .map_or(String::new(), |m| m.get_ref().to_string())
                ));
            }
            if let Some(max) = self.max.as_ref().and_then(|m| as_f64(m.get_ref()))
                && n > max
            {
                return Err(format!(
                    "`{value}` is above the maximum {}",
                    self.max
                        .as_ref()
                        .map_or(String::new(), |m| m.get_ref().to_string())
                ));
            }
        }
        Ok(())
    }
}

/// "an integer", "a string".
pub fn with_article(word: &str) -> String {
    let article = if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {word}")
}

pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "string",
        Value::Integer(_) => "integer",
        Value::Float(_) => "float",
        Value::Boolean(_) => "boolean",
        Value::Datetime(_) => "datetime",
        Value::Array(_) => "array",
        Value::Table(_) => "table",
    }
}

fn as_f64(value: &Value) -> Option<f64> {
    match value {
        Value::Integer(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

fn values_equal(a: &Value, b: &Value) -> bool {
    match (as_f64(a), as_f64(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}
