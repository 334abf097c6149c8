//! YAML documents, with no knowledge of packs: parsing, key paths, and values documents (a
//! Palette pack's or a Helm chart's `values.yaml`). A layer's values merge into the default
//! document by key path (tables merge, arrays and scalars replace), and [`patch`] writes the
//! merged document back into the default document's text, so its comments stay where their
//! keys survive.

pub mod bounds;
pub mod patch;

use std::collections::BTreeMap;

use yaml_rust2::yaml::Hash;
use yaml_rust2::{Yaml, YamlEmitter, YamlLoader};

/// A key path in a document.
pub type Path = Vec<String>;

/// Every document of a YAML text, within the [`bounds`] on aliases and nesting. The error is
/// (line, message). Everything strata reads as YAML is read through here.
#[allow(clippy::disallowed_methods)]
pub fn load(text: &str) -> Result<Vec<Yaml>, (usize, String)> {
    bounds::check(text)?;
    YamlLoader::load_from_str(text).map_err(|e| (e.marker().line(), e.info().to_string()))
}

/// Parses a values document: empty text is an empty mapping; several documents, or one
/// that is not a mapping, are refused. The error is (line, message).
pub fn parse(text: &str) -> Result<Yaml, (usize, String)> {
    let docs = load(text)?;
    match docs.len() {
        0 => Ok(Yaml::Hash(Hash::new())),
        1 => match &docs[0] {
            Yaml::Hash(_) => Ok(docs[0].clone()),
            Yaml::Null => Ok(Yaml::Hash(Hash::new())),
            _ => Err((1, "a values document is a mapping of keys".to_string())),
        },
        _ => Err((1, "a values document is one YAML document".to_string())),
    }
}

/// How a key path is shown: keys joined with `.`, a key holding `.`, a space or a quote in
/// double quotes.
pub fn show_path(path: &[String]) -> String {
    path.iter()
        .map(|k| {
            if k.is_empty() || k.contains(['.', ' ', '"', '\'']) {
                serde_json::to_string(k).unwrap_or_default()
            } else {
                k.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// A YAML value as TOML (for templates, digests and messages); `None` for null.
pub fn to_toml(y: &Yaml) -> Option<toml::Value> {
    Some(match y {
        Yaml::Integer(i) => toml::Value::Integer(*i),
        Yaml::Real(r) => toml::Value::Float(r.parse().unwrap_or(0.0)),
        Yaml::String(s) => toml::Value::String(s.clone()),
        Yaml::Boolean(b) => toml::Value::Boolean(*b),
        Yaml::Array(a) => toml::Value::Array(a.iter().filter_map(to_toml).collect()),
        Yaml::Hash(h) => toml::Value::Table(
            h.iter()
                .filter_map(|(k, v)| Some((key_text(k)?, to_toml(v)?)))
                .collect(),
        ),
        Yaml::Null | Yaml::BadValue | Yaml::Alias(_) => return None,
    })
}

/// A TOML value as YAML.
pub fn from_toml(v: &toml::Value) -> Yaml {
    match v {
        toml::Value::String(s) => Yaml::String(s.clone()),
        toml::Value::Integer(i) => Yaml::Integer(*i),
        toml::Value::Float(f) => Yaml::Real(format!("{f:?}")),
        toml::Value::Boolean(b) => Yaml::Boolean(*b),
        toml::Value::Datetime(d) => Yaml::String(d.to_string()),
        toml::Value::Array(a) => Yaml::Array(a.iter().map(from_toml).collect()),
        toml::Value::Table(t) => {
            let mut h = Hash::new();
            for (k, v) in t {
                h.insert(Yaml::String(k.clone()), from_toml(v));
            }
            Yaml::Hash(h)
        }
    }
}

/// A mapping key as text (strings, numbers and booleans as written).
pub fn key_text(k: &Yaml) -> Option<String> {
    match k {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Real(r) => Some(r.clone()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

pub(crate) fn key_of(h: &Hash, k: &str) -> Option<Yaml> {
    h.keys()
        .find(|x| key_text(x).as_deref() == Some(k))
        .cloned()
}

/// Sets the value at a path, making the mappings on the way (a non-mapping on the way is
/// replaced by one); an existing key keeps its place. `None` removes the key.
pub fn set(doc: &mut Yaml, path: &[String], value: Option<Yaml>) {
    let Some((last, parents)) = path.split_last() else {
        if let Some(v) = value {
            *doc = v;
        }
        return;
    };
    let mut y = doc;
    for k in parents {
        if !matches!(y, Yaml::Hash(_)) {
            if value.is_none() {
                return;
            }
            *y = Yaml::Hash(Hash::new());
        }
        let Yaml::Hash(h) = y else { unreachable!() };
        let key = key_of(h, k).unwrap_or_else(|| Yaml::String(k.clone()));
        if !h.contains_key(&key) {
            if value.is_none() {
                return;
            }
            h.insert(key.clone(), Yaml::Hash(Hash::new()));
        }
        y = h.get_mut(&key).expect("just made");
    }
    if !matches!(y, Yaml::Hash(_)) {
        if value.is_none() {
            return;
        }
        *y = Yaml::Hash(Hash::new());
    }
    let Yaml::Hash(h) = y else { unreachable!() };
    let key = key_of(h, last).unwrap_or_else(|| Yaml::String(last.clone()));
    match value {
        Some(v) => match h.get_mut(&key) {
            Some(slot) => *slot = v,
            None => {
                h.insert(key, v);
            }
        },
        None => {
            h.remove(&key);
        }
    }
}

/// Merges `add` into `doc`: mappings merge key by key, anything else replaces; a null
/// removes the key (as Helm does).
pub fn merge(doc: &mut Yaml, add: &Yaml) {
    let Yaml::Hash(add) = add else {
        *doc = add.clone();
        return;
    };
    if !matches!(doc, Yaml::Hash(_)) {
        *doc = Yaml::Hash(Hash::new());
    }
    let Yaml::Hash(h) = doc else { unreachable!() };
    for (k, v) in add {
        match (h.get_mut(k), v) {
            (_, Yaml::Null) => {
                h.remove(k);
            }
            (Some(slot @ Yaml::Hash(_)), Yaml::Hash(_)) => merge(slot, v),
            (Some(slot), _) => *slot = v.clone(),
            (None, _) => {
                h.insert(k.clone(), v.clone());
            }
        }
    }
}

/// Every leaf of a document by path: scalars, sequences, and empty mappings. Nulls are
/// left out (a null is an absent key).
pub fn leaves(doc: &Yaml) -> BTreeMap<Path, Yaml> {
    fn walk(y: &Yaml, path: &mut Path, out: &mut BTreeMap<Path, Yaml>) {
        match y {
            Yaml::Hash(h) if !h.is_empty() => {
                for (k, v) in h {
                    if let Some(k) = key_text(k) {
                        path.push(k);
                        walk(v, path, out);
                        path.pop();
                    }
                }
            }
            Yaml::Null | Yaml::BadValue => {}
            _ => {
                out.insert(path.clone(), y.clone());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(doc, &mut Vec::new(), &mut out);
    out
}

/// One value emitted as YAML (block style), without the document marker.
pub fn emit(y: &Yaml) -> String {
    let mut out = String::new();
    let mut e = YamlEmitter::new(&mut out);
    e.multiline_strings(true);
    if e.dump(y).is_err() {
        return "null".to_string();
    }
    let body = out.strip_prefix("---").unwrap_or(&out);
    body.strip_prefix(['\n', ' ']).unwrap_or(body).to_string()
}

/// The whole document as YAML text.
pub fn emit_document(doc: &Yaml) -> String {
    match doc {
        Yaml::Hash(h) if h.is_empty() => String::new(),
        _ => {
            let mut s = emit(doc);
            s.push('\n');
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::patch::write;
    use super::*;

    fn merged(text: &str, f: impl FnOnce(&mut Yaml)) -> String {
        let orig = parse(text).unwrap();
        let mut new = orig.clone();
        f(&mut new);
        write(text, &orig, &new)
    }

    fn p(s: &str) -> Path {
        s.split('.').map(str::to_string).collect()
    }

    #[test]
    fn comments_stay_where_keys_survive() {
        let text = "# The agent.\nreplicas: 1 # one is enough\n\n# Where it sends data.\nserver:\n  # The host.\n  host: example.com\n  port: 443\n# Extra.\nextra: {}\nlist:\n- a\n- b\n";
        let out = merged(text, |d| {
            set(d, &p("replicas"), Some(Yaml::Integer(3)));
            set(d, &p("server.port"), None);
            set(d, &p("server.tls"), Some(Yaml::Boolean(true)));
            set(d, &p("extra.key"), Some(Yaml::String("v".into())));
            set(
                d,
                &p("list"),
                Some(Yaml::Array(vec![Yaml::String("c".into())])),
            );
            set(d, &p("new.deep"), Some(Yaml::Integer(1)));
        });
        assert_eq!(
            out,
            "# The agent.\nreplicas: 3 # one is enough\n\n# Where it sends data.\nserver:\n  # The host.\n  host: example.com\n  tls: true\n# Extra.\nextra:\n  key: v\nlist:\n  - c\nnew:\n  deep: 1\n"
        );
    }

    #[test]
    fn null_removes_and_tables_merge() {
        let mut doc = parse("a:\n  b: 1\n  c: 2\nd: [1, 2]\n").unwrap();
        merge(&mut doc, &parse("a:\n  b: ~\n  e: 3\nd: [3]\n").unwrap());
        assert_eq!(emit_document(&doc), "a:\n  c: 2\n  e: 3\nd:\n  - 3\n");
        let flat: Vec<String> = leaves(&doc).keys().map(|k| show_path(k)).collect();
        assert_eq!(flat, ["a.c", "a.e", "d"]);
        assert_eq!(
            show_path(&["pack".into(), "spectrocloud.com/x".into()]),
            "pack.\"spectrocloud.com/x\""
        );
    }

    #[test]
    fn unusual_yaml_falls_back_to_the_merged_document() {
        let text = "a: &x\n  b: 1\nc: *x\n";
        let out = merged(text, |d| set(d, &p("a.b"), Some(Yaml::Integer(2))));
        assert_eq!(parse(&out).unwrap(), {
            let mut d = parse(text).unwrap();
            set(&mut d, &p("a.b"), Some(Yaml::Integer(2)));
            d
        });
        assert_eq!(
            merged("", |d| set(d, &p("x"), Some(Yaml::Integer(1)))),
            "x: 1\n"
        );
    }
}
