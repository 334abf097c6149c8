//! Releases whose configuration is a values document (Palette packs, Helm charts): the
//! default document, presets, and the rules the merged document must obey (Palette's
//! `schema.yaml`, a chart's `values.schema.json`).

use crate::diagnostic::{Diagnostic, Source};
use crate::yaml::{Path, key_text};
use yaml_rust2::Yaml;

/// A release's values document and what constrains it.
#[derive(Debug)]
pub struct ValuesDoc {
    /// The rendered file's name.
    pub file: String,
    /// `values.yaml` as shown in messages, with its text.
    pub source: Source,
    /// The parsed default document.
    pub default: Yaml,
    pub presets: Vec<Preset>,
    /// Palette `schema.yaml` rules.
    pub rules: Vec<Rule>,
    /// A chart's `values.schema.json`, compiled, with its name for messages.
    pub json_schema: Option<(String, jsonschema::Validator)>,
    /// Schema forms read but not enforced, for `pack show`.
    pub notes: Vec<String>,
}

/// A Palette preset: keys it removes, then a document it merges in.
#[derive(Debug, Clone)]
pub struct Preset {
    pub name: String,
    pub display_name: String,
    pub group: String,
    pub remove: Vec<Path>,
    pub add: Yaml,
}

impl Preset {
    /// `Group:name`, as a layer selects it.
    pub fn id(&self) -> String {
        format!("{}:{}", self.group, self.name)
    }
}

/// One step of a rule's path: a key, or every element of a sequence (`$[]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Each,
}

/// What a value must look like.
#[derive(Debug, Clone)]
pub enum Form {
    String,
    Password,
    Boolean,
    Number,
    List(Vec<String>),
    Ipv4,
    Version,
}

/// One `schema.yaml` entry.
#[derive(Debug, Clone)]
pub struct Rule {
    pub path: Vec<Seg>,
    pub shown: String,
    pub required: bool,
    pub readonly: bool,
    pub form: Option<Form>,
    pub regex: Option<regex::Regex>,
    pub range: Option<(f64, f64)>,
    pub hints: Option<String>,
}

impl Rule {
    /// Whether the values at this rule's path are secrets (`${password}`).
    pub fn is_password(&self) -> bool {
        matches!(self.form, Some(Form::Password))
    }
}

/// Reads a Palette `schema.yaml`: `<dotted.path>: {schema: '{{ required | readonly |
/// format "${...}" | hints "..." }}'}`. Forms strata does not know are kept as notes and
/// not enforced.
pub fn read_rules(source: &Source) -> Result<(Vec<Rule>, Vec<String>), Vec<Diagnostic>> {
    let doc = crate::yaml::parse(&source.text)
        .map_err(|(line, msg)| vec![Diagnostic::at_line(source, line.max(1), msg)])?;
    let mut rules = Vec::new();
    let mut notes = Vec::new();
    let mut problems = Vec::new();
    let Yaml::Hash(h) = doc else {
        return Ok((rules, notes));
    };
    for (k, v) in h {
        let Some(path_text) = key_text(&k) else {
            continue;
        };
        let line = source
            .text
            .lines()
            .position(|l| l.trim_start().starts_with(&path_text))
            .map_or(1, |i| i + 1);
        let at = |msg: String| Diagnostic::at_line(source, line, msg);
        let Some(text) = v["schema"].as_str() else {
            problems.push(at(format!("`{path_text}` has no `schema` string")));
            continue;
        };
        let inner = text
            .trim()
            .strip_prefix("{{")
            .and_then(|t| t.strip_suffix("}}"))
            .unwrap_or(text)
            .trim();
        let mut rule = Rule {
            path: path_text
                .split('.')
                .map(|s| {
                    if s == "$[]" {
                        Seg::Each
                    } else {
                        Seg::Key(s.to_string())
                    }
                })
                .collect(),
            shown: path_text.clone(),
            required: false,
            readonly: false,
            form: None,
            regex: None,
            range: None,
            hints: None,
        };
        for part in split_pipes(inner) {
            let part = part.trim();
            let (word, arg) = part
                .split_once(' ')
                .map_or((part, ""), |(w, a)| (w, a.trim()));
            let arg = arg.trim_matches('"');
            match word {
                "required" => rule.required = true,
                "readonly" => rule.readonly = true,
                "hints" => rule.hints = Some(arg.to_string()),
                "format" => match read_form(arg) {
                    Ok((form, regex, range)) => {
                        rule.form = Some(form);
                        rule.range = range;
                        rule.regex = match regex {
                            Some(r) => match regex::RegexBuilder::new(&r).size_limit(1 << 20).build() {
                                Ok(re) => Some(re),
                                Err(e) => {
                                    problems.push(at(format!("`{path_text}`: invalid regex `{r}`: {e}")));
                                    None
                                }
                            },
                            None => None,
                        };
                    }
                    Err(()) => notes.push(format!(
                        "schema.yaml: `{path_text}` has format `{arg}`, which strata reads but does not enforce"
                    )),
                },
                "" => {}
                other => notes.push(format!(
                    "schema.yaml: `{path_text}` uses `{other}`, which strata reads but does not enforce"
                )),
            }
        }
        rules.push(rule);
    }
    if problems.is_empty() {
        Ok((rules, notes))
    } else {
        Err(problems)
    }
}

/// Splits at `|` outside double quotes.
fn split_pipes(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '|' if !quoted => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

type FormParts = (Form, Option<String>, Option<(f64, f64)>);

/// `${kind}`, `${kind:/regex/}`, `${kind:[min-max]}`, `${list:[A,B]}`; anything else
/// (composites, `${input}`) is not enforced.
fn read_form(arg: &str) -> Result<FormParts, ()> {
    let inner = arg
        .strip_prefix("${")
        .and_then(|a| a.strip_suffix('}'))
        .ok_or(())?;
    if inner.contains("${") {
        return Err(());
    }
    let (kind, extra) = inner
        .split_once(':')
        .map_or((inner, None), |(k, e)| (k, Some(e)));
    let mut regex = None;
    let mut range = None;
    let form = match kind {
        "string" => Form::String,
        "password" => Form::Password,
        "boolean" => Form::Boolean,
        "number" => Form::Number,
        "ipv4" => Form::Ipv4,
        "version" => Form::Version,
        "list" => {
            let items = extra
                .and_then(|e| e.strip_prefix('['))
                .and_then(|e| e.strip_suffix(']'))
                .ok_or(())?;
            return Ok((
                Form::List(items.split(',').map(|s| s.trim().to_string()).collect()),
                None,
                None,
            ));
        }
        _ => return Err(()),
    };
    match extra {
        None => {}
        Some(e) if e.starts_with('/') && e.ends_with('/') && e.len() >= 2 => {
            regex = Some(e[1..e.len() - 1].to_string());
        }
        Some(e) if e.starts_with('[') && e.ends_with(']') => {
            let (a, b) = e[1..e.len() - 1].split_once('-').ok_or(())?;
            range = Some((
                a.trim().parse().map_err(|_| ())?,
                b.trim().parse().map_err(|_| ())?,
            ));
        }
        Some(_) => return Err(()),
    }
    Ok((form, regex, range))
}

/// Every value at a rule's path (sequences expanded at `$[]`), with its concrete path.
pub fn values_at<'a>(doc: &'a Yaml, path: &[Seg]) -> Vec<(Path, Option<&'a Yaml>)> {
    fn walk<'a>(
        y: Option<&'a Yaml>,
        path: &[Seg],
        here: &mut Path,
        out: &mut Vec<(Path, Option<&'a Yaml>)>,
    ) {
        let Some((first, rest)) = path.split_first() else {
            out.push((here.clone(), y));
            return;
        };
        match first {
            Seg::Key(k) => {
                let next = y.and_then(|y| y.as_hash()).and_then(|h| {
                    h.iter()
                        .find(|(x, _)| key_text(x).as_deref() == Some(k))
                        .map(|(_, v)| v)
                });
                here.push(k.clone());
                walk(next, rest, here, out);
                here.pop();
            }
            Seg::Each => {
                if let Some(items) = y.and_then(|y| y.as_vec()) {
                    for (i, item) in items.iter().enumerate() {
                        here.push(i.to_string());
                        walk(Some(item), rest, here, out);
                        here.pop();
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(Some(doc), path, &mut Vec::new(), &mut out);
    out
}

/// Why a value breaks a rule (the value is shown unless the rule is a password).
pub fn check_value(rule: &Rule, value: Option<&Yaml>, sensitive: bool) -> Option<String> {
    let present = value.filter(|v| !matches!(v, Yaml::Null | Yaml::BadValue));
    let Some(v) = present else {
        return rule.required.then(|| "is required".to_string());
    };
    let text = match v {
        Yaml::String(s) => s.clone(),
        Yaml::Integer(i) => i.to_string(),
        Yaml::Real(r) => r.clone(),
        Yaml::Boolean(b) => b.to_string(),
        _ => String::new(),
    };
    if rule.required && text.is_empty() && !matches!(v, Yaml::Hash(_) | Yaml::Array(_)) {
        return Some("is required".to_string());
    }
    let shown = if rule.is_password() || sensitive {
        "(sensitive)".to_string()
    } else {
        format!("`{}`", crate::shown::shorten(&text, 60))
    };
    let form_ok = match &rule.form {
        None | Some(Form::String) | Some(Form::Password) => {
            !matches!(v, Yaml::Hash(_) | Yaml::Array(_))
        }
        Some(Form::Boolean) => matches!(v, Yaml::Boolean(_)) || text == "true" || text == "false",
        Some(Form::Number) => text.parse::<f64>().is_ok(),
        Some(Form::Ipv4) => text.parse::<std::net::Ipv4Addr>().is_ok(),
        Some(Form::Version) => crate::model::version::Version::parse(&text).is_some(),
        Some(Form::List(items)) => items.contains(&text),
    };
    if !form_ok {
        let expected = match &rule.form {
            Some(Form::List(items)) => format!("one of {}", items.join(", ")),
            Some(Form::Boolean) => "a boolean".to_string(),
            Some(Form::Number) => "a number".to_string(),
            Some(Form::Ipv4) => "an IPv4 address".to_string(),
            Some(Form::Version) => "a version".to_string(),
            _ => "a scalar".to_string(),
        };
        let near = match &rule.form {
            Some(Form::List(items)) if !(rule.is_password() || sensitive) => {
                crate::diagnostic::near_miss(&text, items.iter().map(String::as_str))
                    .map(|best| format!("; did you mean `{best}`?"))
                    .unwrap_or_default()
            }
            _ => String::new(),
        };
        return Some(format!("{shown} is not {expected}{near}"));
    }
    if let (Some((min, max)), Ok(n)) = (rule.range, text.parse::<f64>())
        && (n < min || n > max)
    {
        return Some(format!("{shown} is not in [{min}-{max}]"));
    }
    if let Some(re) = &rule.regex
        && !re.is_match(&text)
    {
        return Some(format!("{shown} does not match /{}/", re.as_str()));
    }
    None
}
