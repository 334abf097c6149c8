//! Profile variables (`[[variable]]`): values a cluster supplies, referenced from a layer as
//! `{ var = "name" }`, typed by a format, optionally secret.

use serde::Deserialize;
use toml::{Spanned, Value};

use crate::diagnostic::{Diagnostic, Source};
use crate::model::config::is_identifier;
use crate::model::param::{Format, ParamType, type_name};

/// What a variable holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarFormat {
    String,
    Number,
    Boolean,
    /// A string of a parameter format (`ipv4`, `ipv4cidr`, `ipv6`, `version`, `base64`).
    Text(Format),
}

impl VarFormat {
    pub const NAMES: [&'static str; 8] = [
        "string", "number", "boolean", "ipv4", "ipv4cidr", "ipv6", "version", "base64",
    ];

    pub fn parse(s: &str) -> Option<VarFormat> {
        Some(match s {
            "string" => VarFormat::String,
            "number" => VarFormat::Number,
            "boolean" => VarFormat::Boolean,
            "ipv4" => VarFormat::Text(Format::Ipv4),
            "ipv4cidr" => VarFormat::Text(Format::Ipv4cidr),
            "ipv6" => VarFormat::Text(Format::Ipv6),
            "version" => VarFormat::Text(Format::Version),
            "base64" => VarFormat::Text(Format::Base64),
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            VarFormat::String => "string",
            VarFormat::Number => "number",
            VarFormat::Boolean => "boolean",
            VarFormat::Text(f) => f.as_str(),
        }
    }

    /// Whether a parameter of type `ty` can take a value of this format.
    pub fn fits(self, ty: ParamType) -> bool {
        match self {
            VarFormat::String | VarFormat::Text(_) => ty == ParamType::String,
            VarFormat::Number => matches!(ty, ParamType::Integer | ParamType::Float),
            VarFormat::Boolean => ty == ParamType::Boolean,
        }
    }

    /// Reads a value given on the command line or in the environment (always text).
    pub fn read_text(self, text: &str) -> Value {
        match self {
            VarFormat::Number => text
                .parse::<i64>()
                .map(Value::Integer)
                .or_else(|_| text.parse::<f64>().map(Value::Float))
                .unwrap_or_else(|_| Value::String(text.to_string())),
            VarFormat::Boolean => match text {
                "true" => Value::Boolean(true),
                "false" => Value::Boolean(false),
                _ => Value::String(text.to_string()),
            },
            _ => Value::String(text.to_string()),
        }
    }
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct VariableDecl {
    #[schemars(with = "String")]
    name: Spanned<String>,
    #[schemars(with = "Option<String>")]
    format: Option<Spanned<String>>,
    #[schemars(with = "Option<serde_json::Value>")]
    default: Option<Spanned<Value>>,
    #[schemars(with = "Option<String>")]
    regex: Option<Spanned<String>>,
    #[serde(default)]
    sensitive: bool,
    #[serde(default)]
    description: String,
}

/// A declared variable.
#[derive(Debug, Clone)]
pub struct Variable {
    pub name: String,
    pub format: VarFormat,
    pub default: Option<Value>,
    pub regex: Option<regex::Regex>,
    pub sensitive: bool,
    pub description: String,
    /// The file that declares it, and the `name` there.
    pub source: Source,
    pub span: std::ops::Range<usize>,
}

impl Variable {
    pub(crate) fn read(
        source: &Source,
        decl: Spanned<VariableDecl>,
        problems: &mut Vec<Diagnostic>,
    ) -> Option<Variable> {
        let d = decl.into_inner();
        let at = |span, msg: String| Diagnostic::at(source, span, msg);
        let before = problems.len();
        let name = d.name.get_ref().clone();
        if !is_identifier(&name) || name.contains(['-', '.']) {
            problems.push(
                at(d.name.span(), format!("invalid variable name `{name}`")).with_hint(
                    "use lowercase letters, digits and `_` (it becomes STRATA_VAR_<NAME>)",
                ),
            );
        }
        let format = match &d.format {
            None => VarFormat::String,
            Some(f) => match VarFormat::parse(f.get_ref()) {
                Some(v) => v,
                None => {
                    problems.push(
                        at(
                            f.span(),
                            format!("unknown variable format `{}`", f.get_ref()),
                        )
                        .with_hint_opt(crate::diagnostic::suggest(
                            f.get_ref(),
                            VarFormat::NAMES.iter().copied(),
                        )),
                    );
                    VarFormat::String
                }
            },
        };
        let regex = match &d.regex {
            None => None,
            Some(r) if !matches!(format, VarFormat::String | VarFormat::Text(_)) => {
                problems.push(at(
                    r.span(),
                    format!(
                        "`regex` applies to text variables, not a {}",
                        format.as_str()
                    ),
                ));
                None
            }
            Some(r) => match regex::RegexBuilder::new(r.get_ref())
                .size_limit(1 << 20)
                .build()
            {
                Ok(re) => Some(re),
                Err(e) => {
                    problems.push(at(r.span(), format!("invalid `regex`: {e}")));
                    None
                }
            },
        };
        let var = Variable {
            name,
            format,
            default: d.default.as_ref().map(|v| v.get_ref().clone()),
            regex,
            sensitive: d.sensitive,
            description: d.description,
            source: source.clone(),
            span: d.name.span(),
        };
        if let Some(def) = &d.default
            && let Err(why) = var.check(def.get_ref())
        {
            problems.push(at(
                def.span(),
                format!("default of variable `{}`: {why}", var.name),
            ));
        }
        (problems.len() == before).then_some(var)
    }

    /// Whether `value` is of this variable's format and matches its `regex`. The reason
    /// never quotes a sensitive value.
    pub fn check(&self, value: &Value) -> Result<(), String> {
        let shown = || {
            if self.sensitive {
                "(sensitive)".to_string()
            } else {
                crate::shown::shorten(&value.to_string(), 80).into_owned()
            }
        };
        match (self.format, value) {
            (VarFormat::Number, Value::Integer(_) | Value::Float(_)) => {}
            (VarFormat::Boolean, Value::Boolean(_)) => {}
            (VarFormat::String, Value::String(_)) => {}
            (VarFormat::Text(f), Value::String(s)) => {
                if let Err(expected) = f.check(s) {
                    return Err(format!(
                        "`{}` is not in format `{}`: expected {expected}",
                        shown(),
                        f.as_str()
                    ));
                }
            }
            (fmt, v) => {
                return Err(format!(
                    "expected {} ({}), found {}",
                    crate::model::param::with_article(fmt.as_str()),
                    fmt.as_str(),
                    crate::model::param::with_article(type_name(v))
                ));
            }
        }
        if let (Some(re), Value::String(s)) = (&self.regex, value)
            && !re.is_match(s)
        {
            return Err(format!(
                "`{}` does not match the regex `{}`",
                shown(),
                re.as_str()
            ));
        }
        Ok(())
    }
}

/// The variable a layer value refers to: `{ var = "name" }`.
pub fn var_ref(value: &Value) -> Option<&str> {
    match value {
        Value::Table(t) if t.len() == 1 => t.get("var").and_then(Value::as_str),
        _ => None,
    }
}

/// Where a variable's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindingOrigin {
    /// The variable's own `default`.
    Default,
    /// `[variables]` of a cluster file, at this line.
    File { file: String, line: usize },
    /// `--var name=value`.
    Flag,
    /// The environment variable `STRATA_VAR_<NAME>`.
    Env(String),
    /// A reference the deploying engine resolves (`{{.spectro.var.x}}`, a secret), for
    /// exports: checks and assertions that read it wait, as for an unbound variable.
    Reference,
}

impl std::fmt::Display for BindingOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BindingOrigin::Default => f.write_str("variable default"),
            BindingOrigin::File { file, line } => write!(f, "{file}:{line}"),
            BindingOrigin::Flag => f.write_str("--var"),
            BindingOrigin::Env(name) => write!(f, "${name}"),
            BindingOrigin::Reference => f.write_str("a reference for the deploying engine"),
        }
    }
}

/// A variable's value and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub value: Value,
    pub origin: BindingOrigin,
}

/// The values variables are bound to; a variable without one renders as a placeholder.
pub type Bindings = std::collections::BTreeMap<String, Binding>;

/// What an unbound variable renders as, so that a profile locks and renders without a
/// cluster: `${var.NAME}` for text, `0` for a number, `false` for a boolean.
pub fn placeholder(var: &Variable) -> Value {
    match var.format {
        VarFormat::Number => Value::Integer(0),
        VarFormat::Boolean => Value::Boolean(false),
        _ => Value::String(format!("${{var.{}}}", var.name)),
    }
}

/// The text forms of the sensitive variables' bound values, longest first (so that a
/// secret holding another is masked whole).
pub fn secrets(
    variables: &std::collections::BTreeMap<String, Variable>,
    bindings: &Bindings,
) -> Vec<String> {
    let mut out: Vec<String> = bindings
        .iter()
        .filter(|(name, _)| variables.get(*name).is_some_and(|v| v.sensitive))
        .flat_map(|(_, b)| {
            let text = match &b.value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            // As written, and as a template would quote it (`tojson`).
            let quoted = serde_json::to_string(&text).unwrap_or_default();
            [text, quoted.trim_matches('"').to_string()]
        })
        .filter(|s| !s.is_empty())
        .collect();
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

/// `[variables]` of a cluster file, as written.
pub type ValueTable = std::collections::BTreeMap<Spanned<String>, Spanned<Value>>;

/// Values for variables, lowest precedence first: the variables' defaults, a cluster
/// file's `[variables]` (with the file, for positions), `--var NAME=VALUE`, and the
/// environment (`STRATA_VAR_<NAME>`, upper case). Every given value is checked against its
/// variable (never quoting a sensitive one); a name no variable has is a problem with the
/// near miss. Variables without any value stay unbound: see [`missing`].
pub fn bind(
    variables: &std::collections::BTreeMap<String, Variable>,
    file: Option<(&Source, &ValueTable)>,
    flags: &[String],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Bindings, Vec<Diagnostic>> {
    let mut out = Bindings::new();
    let mut problems = Vec::new();
    let names = || variables.keys().map(String::as_str);
    for v in variables.values() {
        if let Some(d) = &v.default {
            out.insert(
                v.name.clone(),
                Binding {
                    value: d.clone(),
                    origin: BindingOrigin::Default,
                },
            );
        }
    }
    if let Some((source, table)) = file {
        bind_file(variables, source, table, &mut out, &mut problems);
    }
    let mut given: Vec<(String, String, BindingOrigin)> = Vec::new();
    for flag in flags {
        match flag.split_once('=') {
            Some((name, value)) => given.push((
                name.trim().to_string(),
                value.to_string(),
                BindingOrigin::Flag,
            )),
            None => problems.push(
                Diagnostic::plain(format!("`--var {}` is not NAME=VALUE", shorten_flag(flag)))
                    .with_hint("write `--var pod_cidr=10.8.0.0/16`"),
            ),
        }
    }
    for v in variables.values() {
        let key = format!("STRATA_VAR_{}", v.name.to_ascii_uppercase());
        // An empty environment variable counts as unset.
        if let Some(value) = env(&key).filter(|v| !v.is_empty()) {
            given.push((v.name.clone(), value, BindingOrigin::Env(key)));
        }
    }
    for (name, text, origin) in given {
        let Some(var) = variables.get(&name) else {
            problems.push(
                Diagnostic::plain(format!("`--var`: unknown variable `{name}`"))
                    .with_hint_opt(crate::diagnostic::suggest(&name, names())),
            );
            continue;
        };
        let value = var.format.read_text(&text);
        if let Err(why) = var.check(&value) {
            problems.push(Diagnostic::plain(format!(
                "variable `{}` (from {origin}): {why}",
                var.name
            )));
            continue;
        }
        out.insert(name, Binding { value, origin });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Binds the values of a cluster file's `[variables]`, each checked.
fn bind_file(
    variables: &std::collections::BTreeMap<String, Variable>,
    source: &Source,
    table: &ValueTable,
    out: &mut Bindings,
    problems: &mut Vec<Diagnostic>,
) {
    let names = || variables.keys().map(String::as_str);
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    for (k, value) in entries {
        let Some(var) = variables.get(k.get_ref()) else {
            // A misspelt sensitive variable's line holds its secret.
            let near = crate::diagnostic::near_miss(k.get_ref(), names());
            let d = Diagnostic::at(
                source,
                k.span(),
                format!("unknown variable `{}`", k.get_ref()),
            )
            .with_hint_opt(
                crate::diagnostic::suggest(k.get_ref(), names()).or_else(|| {
                    (variables.is_empty()).then(|| "the profile declares no variables".to_string())
                }),
            );
            problems.push(match near.and_then(|n| variables.get(n)) {
                Some(v) if v.sensitive => d.without_excerpt(),
                _ => d,
            });
            continue;
        };
        if let Err(why) = var.check(value.get_ref()) {
            let d = Diagnostic::at(
                source,
                value.span(),
                format!("variable `{}`: {why}", var.name),
            );
            problems.push(if var.sensitive {
                d.without_excerpt()
            } else {
                d
            });
            continue;
        }
        let line = source.line_at(k.span().start);
        out.insert(
            var.name.clone(),
            Binding {
                value: value.get_ref().clone(),
                origin: BindingOrigin::File {
                    file: source.name.clone(),
                    line,
                },
            },
        );
    }
}

/// `--var` text shown in a message: never a value (it may be a secret).
fn shorten_flag(flag: &str) -> String {
    if flag.len() > 40 {
        format!(
            "{}…",
            &flag[..flag.char_indices().nth(40).map_or(flag.len(), |(i, _)| i)]
        )
    } else {
        flag.to_string()
    }
}

/// Variables used by some layer value that have no value: each is a problem naming it.
pub fn missing(
    variables: &std::collections::BTreeMap<String, Variable>,
    used: &std::collections::BTreeSet<String>,
    bindings: &Bindings,
    at: &dyn Fn(&Variable, String) -> Diagnostic,
) -> Vec<Diagnostic> {
    variables
        .values()
        .filter(|v| used.contains(&v.name) && !bindings.contains_key(&v.name))
        .map(|v| {
            at(
                v,
                format!(
                    "variable `{}` has no value{}",
                    v.name,
                    if v.description.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", v.description)
                    }
                ),
            )
            .with_hint(format!(
                "give it with `--var {0}=VALUE`, `STRATA_VAR_{1}`, or `[variables]` of a cluster",
                v.name,
                v.name.to_ascii_uppercase()
            ))
        })
        .collect()
}
