//! The parameter schema a pack declares (`[params.<name>]`) and the checks a value must pass.

use std::fmt;

use serde::{Deserialize, Serialize};
use toml::{Spanned, Value};

use crate::diagnostic::{Diagnostic, Source};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema, Serialize)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema, Serialize)]
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

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParamSpec {
    #[serde(rename = "type")]
    #[schemars(with = "ParamType")]
    pub ty: Spanned<ParamType>,
    #[schemars(with = "Option<serde_json::Value>")]
    pub default: Option<Spanned<Value>>,
    #[serde(default)]
    pub description: String,
    #[serde(rename = "enum")]
    #[schemars(with = "Option<Vec<serde_json::Value>>")]
    pub choices: Option<Spanned<Vec<Value>>>,
    #[schemars(with = "Option<serde_json::Value>")]
    pub min: Option<Spanned<Value>>,
    #[schemars(with = "Option<serde_json::Value>")]
    pub max: Option<Spanned<Value>>,
    #[schemars(with = "Option<String>")]
    pub pattern: Option<Spanned<String>>,
    #[serde(default)]
    pub required: bool,
    #[schemars(with = "Option<Format>")]
    pub format: Option<Spanned<Format>>,
    /// `<layer>.<param>`: the default is the effective value of that parameter of another
    /// layer of the profile (a layer type or name).
    #[schemars(with = "Option<String>")]
    pub default_from: Option<Spanned<String>>,
    /// `pattern`, compiled once.
    #[serde(skip)]
    compiled: std::sync::OnceLock<Option<regex::Regex>>,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Ipv4 => "ipv4",
            Format::Ipv4cidr => "ipv4cidr",
            Format::Ipv6 => "ipv6",
            Format::Hostname => "hostname",
            Format::Version => "version",
            Format::Duration => "duration",
            Format::Base64 => "base64",
        }
    }

    /// Whether a string has this format; the error says what was expected.
    pub fn check(self, s: &str) -> Result<(), &'static str> {
        let ok = match self {
            Format::Ipv4 => s.parse::<std::net::Ipv4Addr>().is_ok(),
            Format::Ipv6 => s.parse::<std::net::Ipv6Addr>().is_ok(),
            Format::Ipv4cidr => s.split_once('/').is_some_and(|(ip, bits)| {
                ip.parse::<std::net::Ipv4Addr>().is_ok()
                    && !bits.is_empty()
                    && bits.len() <= 2
                    && bits.bytes().all(|b| b.is_ascii_digit())
                    && bits.parse::<u8>().is_ok_and(|n| n <= 32)
            }),
            Format::Hostname => is_hostname(s),
            Format::Version => crate::model::version::Version::parse(s).is_some(),
            Format::Duration => is_duration(s),
            Format::Base64 => {
                use base64::Engine as _;
                !s.is_empty() && base64::engine::general_purpose::STANDARD.decode(s).is_ok()
            }
        };
        if ok {
            return Ok(());
        }
        Err(match self {
            Format::Ipv4 => "an IPv4 address such as `10.0.0.1`",
            Format::Ipv4cidr => "an IPv4 CIDR such as `10.0.0.0/16`",
            Format::Ipv6 => "an IPv6 address such as `fd00::1`",
            Format::Hostname => {
                "a DNS name such as `cluster.local` (labels of letters, digits and `-`)"
            }
            Format::Version => "a version such as `1.2.3`",
            Format::Duration => "a duration such as `30s`, `5m`, `1h30m` or `15d`",
            Format::Base64 => "standard base64 with padding",
        })
    }
}

/// RFC 1123 host names: dot-separated labels of letters, digits and `-`, 1 to 63 long,
/// not starting or ending with `-`; 253 characters at most.
fn is_hostname(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// `30s`, `1h30m`, `500ms`, `15d`, `2w`: numbers each followed by a unit.
fn is_duration(s: &str) -> bool {
    const UNITS: [&str; 10] = ["ns", "us", "µs", "ms", "s", "m", "h", "d", "w", "y"];
    let mut rest = s;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        // Longest unit first, so `ms` is not read as `m` then `s`.
        let Some(unit) = UNITS
            .iter()
            .filter(|u| rest.starts_with(**u))
            .max_by_key(|u| u.len())
        else {
            return false;
        };
        rest = &rest[unit.len()..];
    }
    true
}

impl ParamSpec {
    /// The compiled `pattern`, anchored to the whole value.
    fn regex(&self) -> Option<&regex::Regex> {
        self.compiled
            .get_or_init(|| {
                let p = self.pattern.as_ref()?;
                regex::Regex::new(&format!("^(?:{})$", p.get_ref())).ok()
            })
            .as_ref()
    }

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
        let bad_enum = self.choices.as_ref().and_then(|choices| {
            let bad = choices.get_ref().iter().find(|c| !ty.accepts(c))?;
            Some((
                choices.span(),
                format!("`enum` of parameter `{name}` holds `{bad}`, which is not"),
            ))
        });
        let bad_format = self
            .format
            .as_ref()
            .filter(|_| ty != ParamType::String)
            .map(|f| {
                (
                    f.span(),
                    format!("`format` applies to string parameters, and `{name}` is"),
                )
            });
        for (span, start) in bad_enum.into_iter().chain(bad_format) {
            problems.push(Diagnostic::at(
                manifest,
                span,
                format!("{start} {}", with_article(ty.as_str())),
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
        // A value is quoted in messages, so a huge one is cut short there.
        let text = value.to_string();
        let shown = crate::shown::shorten(&text, 80);
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
                let choices: Vec<String> = list.iter().map(ToString::to_string).collect();
                let near = match value {
                    Value::String(s) => {
                        crate::diagnostic::near_miss(s, list.iter().filter_map(Value::as_str))
                            .map(|best| format!("; did you mean `{}`?", Value::from(best)))
                            .unwrap_or_default()
                    }
                    _ => String::new(),
                };
                return Err(format!(
                    "`{shown}` is not one of {}{near}",
                    choices.join(", ")
                ));
            }
        }
        if let Value::String(text) = value {
            if let (Some(p), Some(re)) = (&self.pattern, self.regex())
                && !re.is_match(text)
            {
                return Err(format!(
                    "`{shown}` does not match the pattern `{}`",
                    p.get_ref()
                ));
            }
            if let Some(f) = &self.format
                && let Err(expected) = f.get_ref().check(text)
            {
                return Err(format!(
                    "`{shown}` is not in format `{}`: expected {expected}",
                    f.get_ref().as_str()
                ));
            }
        }
        if let Some(n) = as_f64(value) {
            if let Some(min) = self.min.as_ref().and_then(|m| as_f64(m.get_ref()))
                && n < min
            {
                return Err(format!(
                    "`{shown}` is below the minimum {}",
                    self.min
                        .as_ref()
                        .map_or(String::new(), |m| m.get_ref().to_string())
                ));
            }
            if let Some(max) = self.max.as_ref().and_then(|m| as_f64(m.get_ref()))
                && n > max
            {
                return Err(format!(
                    "`{shown}` is above the maximum {}",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        // (format, value, ok)
        let table = [
            (Format::Ipv4, "10.0.0.1", true),
            (Format::Ipv4, "10.0.0.256", false),
            (Format::Ipv4cidr, "10.0.0.0/16", true),
            (Format::Ipv4cidr, "10.0.0.0/33", false),
            (Format::Ipv4cidr, "10.0.0.0", false),
            (Format::Ipv4cidr, "10.0.0.0/", false),
            (Format::Ipv6, "fd00::1", true),
            (Format::Ipv6, "fd00:::1", false),
            (Format::Hostname, "cluster.local", true),
            (Format::Hostname, "-bad.local", false),
            (Format::Hostname, "a..b", false),
            (Format::Hostname, "under_score", false),
            (Format::Version, "1.2.3", true),
            (Format::Version, "latest", false),
            (Format::Duration, "30s", true),
            (Format::Duration, "1h30m", true),
            (Format::Duration, "500ms", true),
            (Format::Duration, "15d", true),
            (Format::Duration, "15", false),
            (Format::Duration, "s", false),
            (Format::Duration, "1x", false),
            (Format::Base64, "aGVsbG8=", true),
            (Format::Base64, "aGVsbG8", false),
            (Format::Base64, "", false),
        ];
        for (f, v, ok) in table {
            assert_eq!(f.check(v).is_ok(), ok, "{} {v}", f.as_str());
        }
    }
}
