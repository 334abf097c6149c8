//! What the palette and helm formats share: a release's values document with its presets
//! and schema, read from the release's files, every problem at its file and line.

use crate::diagnostic::{Diagnostic, Source};
use crate::model::document::{Preset, ValuesDoc, read_rules};
use crate::registry::source::Tree;
use crate::yaml::{self, Path};
use yaml_rust2::Yaml;

/// How a file of a release is named in messages.
pub fn shown(base: &str, file: &str) -> String {
    format!("{base}{file}")
}

/// A UTF-8 file of the release as a [`Source`]; `None` when absent.
pub fn text(files: &Tree, base: &str, file: &str) -> Result<Option<Source>, Diagnostic> {
    match files.get(file) {
        None => Ok(None),
        Some(bytes) => Source::from_bytes(shown(base, file), bytes).map(Some),
    }
}

/// A YAML parse error as a diagnostic at its line.
pub fn yaml_error(source: &Source, line: usize, msg: String) -> Diagnostic {
    Diagnostic::at_line(source, line.max(1), format!("invalid YAML: {msg}"))
}

/// Reads the values document: `values.yaml` (an empty or absent one is an empty mapping),
/// Palette `presets.yaml` and `schema.yaml`, a chart's `values.schema.json`.
pub fn read(files: &Tree, base: &str, problems: &mut Vec<Diagnostic>) -> Option<ValuesDoc> {
    let source = match text(files, base, "values.yaml") {
        Ok(Some(s)) => s,
        Ok(None) => Source::new(shown(base, "values.yaml"), ""),
        Err(d) => {
            problems.push(d);
            return None;
        }
    };
    let default = match yaml::parse(&source.text) {
        Ok(y) => y,
        Err((line, msg)) => {
            problems.push(yaml_error(&source, line, msg));
            return None;
        }
    };
    let mut notes = Vec::new();
    let presets = match text(files, base, "presets.yaml") {
        Ok(Some(s)) => read_presets(&s, problems),
        Ok(None) => Vec::new(),
        Err(d) => {
            problems.push(d);
            Vec::new()
        }
    };
    let rules = match text(files, base, "schema.yaml") {
        Ok(Some(s)) => match read_rules(&s) {
            Ok((rules, mut n)) => {
                notes.append(&mut n);
                rules
            }
            Err(mut d) => {
                problems.append(&mut d);
                Vec::new()
            }
        },
        Ok(None) => Vec::new(),
        Err(d) => {
            problems.push(d);
            Vec::new()
        }
    };
    let json_schema = match text(files, base, "values.schema.json") {
        Ok(Some(s)) => match serde_json::from_str::<serde_json::Value>(&s.text) {
            Ok(schema) => match jsonschema::validator_for(&schema) {
                Ok(v) => Some((s.name.clone(), v)),
                Err(e) => {
                    problems.push(Diagnostic::file(
                        &s.name,
                        format!("not a usable JSON schema: {e}"),
                    ));
                    None
                }
            },
            Err(e) => {
                problems.push(Diagnostic::at_line(
                    &s,
                    e.line().max(1),
                    format!("invalid JSON: {e}"),
                ));
                None
            }
        },
        Ok(None) => None,
        Err(d) => {
            problems.push(d);
            None
        }
    };
    Some(ValuesDoc {
        file: "values.yaml".to_string(),
        source,
        default,
        presets,
        rules,
        json_schema,
        notes,
    })
}

/// `presets: [{name, displayName, group, remove: [paths], add: "<yaml>"}]`; one preset per
/// group per layer is checked where a layer selects them.
fn read_presets(source: &Source, problems: &mut Vec<Diagnostic>) -> Vec<Preset> {
    let doc = match yaml::parse(&source.text) {
        Ok(y) => y,
        Err((line, msg)) => {
            problems.push(yaml_error(source, line, msg));
            return Vec::new();
        }
    };
    let mut out: Vec<Preset> = Vec::new();
    let list = match &doc["presets"] {
        Yaml::Array(a) => a.clone(),
        Yaml::BadValue | Yaml::Null => Vec::new(),
        _ => {
            problems.push(Diagnostic::file(&source.name, "`presets` is not a list"));
            return Vec::new();
        }
    };
    for p in list {
        let name = p["name"].as_str().unwrap_or_default().to_string();
        let line = source
            .text
            .lines()
            .position(|l| {
                l.contains(&format!("name: {name}")) || l.contains(&format!("name: \"{name}\""))
            })
            .map_or(1, |i| i + 1);
        let at = |msg: String| Diagnostic::at_line(source, line, msg);
        let group = p["group"].as_str().unwrap_or_default().to_string();
        if name.is_empty() || group.is_empty() {
            problems.push(at("a preset needs a `name` and a `group`".to_string()));
            continue;
        }
        let remove: Vec<Path> = p["remove"]
            .as_vec()
            .map(|v| {
                v.iter()
                    .filter_map(|x| x.as_str())
                    .map(|x| x.split('.').map(str::to_string).collect())
                    .collect()
            })
            .unwrap_or_default();
        let add = match &p["add"] {
            Yaml::String(s) => match yaml::parse(s) {
                Ok(y) => y,
                Err((_, msg)) => {
                    problems.push(at(format!(
                        "preset `{group}:{name}`: `add` is not YAML: {msg}"
                    )));
                    continue;
                }
            },
            Yaml::BadValue | Yaml::Null => Yaml::Hash(Default::default()),
            other => other.clone(),
        };
        if out.iter().any(|x| x.name == name && x.group == group) {
            problems.push(at(format!("preset `{group}:{name}` is defined twice")));
            continue;
        }
        out.push(Preset {
            display_name: p["displayName"].as_str().unwrap_or(&name).to_string(),
            name,
            group,
            remove,
            add,
        });
    }
    out
}
