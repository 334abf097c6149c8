//! YAML documents, with no knowledge of packs: parsing, key paths, and values documents (a
//! Palette pack's or a Helm chart's `values.yaml`). A layer's values merge into the default
//! document by key path (tables merge, arrays and scalars replace),
//! and the merged document is written back into the default document's text, so its
//! comments stay where their keys survive.
//!
//! The text is patched line by line for block-style YAML (what values files are written
//! in): a changed scalar is replaced on its line, a removed key loses its lines, a new key
//! is added at the end of its mapping, and a value that is not a block mapping in the text
//! (a flow collection, a scalar becoming a mapping) is written anew. The patched text is
//! parsed again and must equal the merged document; when it does not (YAML the line
//! patcher does not follow), the whole merged document is written out instead.

use std::collections::BTreeMap;

use yaml_rust2::yaml::Hash;
use yaml_rust2::{Yaml, YamlEmitter, YamlLoader};

/// A key path in a document.
pub type Path = Vec<String>;

/// Parses a values document: empty text is an empty mapping; several documents, or one
/// that is not a mapping, are refused. The error is (line, message).
pub fn parse(text: &str) -> Result<Yaml, (usize, String)> {
    let docs =
        YamlLoader::load_from_str(text).map_err(|e| (e.marker().line(), e.info().to_string()))?;
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

fn key_of(h: &Hash, k: &str) -> Option<Yaml> {
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

/// The merged document written into the original text, keeping its comments where it can.
pub fn write(original_text: &str, original: &Yaml, merged: &Yaml) -> String {
    if original == merged {
        return original_text.to_string();
    }
    let lines: Vec<&str> = original_text.lines().collect();
    let mut edits = Vec::new();
    let ok = patch_mapping(&lines, 0, lines.len(), None, original, merged, &mut edits).is_some();
    if ok {
        let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        edits.sort_by_key(|e: &Edit| std::cmp::Reverse((e.start, e.end)));
        for e in edits {
            out.splice(e.start..e.end, e.lines);
        }
        let mut text = out.join("\n");
        if !text.is_empty() {
            text.push('\n');
        }
        if parse(&text).is_ok_and(|y| y == *merged) {
            return text;
        }
    }
    emit_document(merged)
}

struct Edit {
    start: usize,
    end: usize,
    lines: Vec<String>,
}

/// A key of a block mapping in the text: its line, indentation, where its value ends (the
/// next line at its indentation or less, without the comments before it), and what follows
/// the colon on its line.
struct Block {
    key: String,
    line: usize,
    end: usize,
    inline: String,
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_content(line: &str) -> bool {
    let t = line.trim();
    !(t.is_empty() || t.starts_with('#') || t == "---" || t == "...")
}

/// `key: rest` at the start of a trimmed line.
fn split_key(t: &str) -> Option<(String, &str)> {
    if t.starts_with(['-', '?', '[', '{', '&', '*', '!', '|', '>', '%', '@', '`']) {
        return None;
    }
    if let Some(q) = t.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let end = t[1..].find(q)? + 1;
        let key = &t[..=end];
        let rest = t[end + 1..].strip_prefix(':')?;
        if !(rest.is_empty() || rest.starts_with(' ')) {
            return None;
        }
        let parsed = YamlLoader::load_from_str(key).ok()?;
        return Some((key_text(parsed.first()?)?, rest.trim_start()));
    }
    let colon = t
        .match_indices(':')
        .find(|(i, _)| t[i + 1..].is_empty() || t[i + 1..].starts_with(' '))?
        .0;
    let key = t[..colon].trim_end();
    if key.is_empty() || key.contains(" #") {
        return None;
    }
    Some((key.to_string(), t[colon + 1..].trim_start()))
}

/// The keys of the block mapping on lines `start..end`, at indentation deeper than
/// `parent`; `None` when the lines are not a plain block mapping.
fn blocks(
    lines: &[&str],
    start: usize,
    end: usize,
    parent: Option<usize>,
) -> Option<(usize, Vec<Block>)> {
    let first = (start..end).find(|&i| is_content(lines[i]))?;
    let indent = indent_of(lines[first]);
    if parent.is_some_and(|p| indent <= p) {
        return None;
    }
    let mut out: Vec<Block> = Vec::new();
    let mut i = first;
    while i < end {
        let line = lines[i];
        if !is_content(line) {
            i += 1;
            continue;
        }
        if indent_of(line) != indent {
            return None;
        }
        let (key, rest) = split_key(line.trim_start())?;
        let inline = rest.to_string();
        // The value: deeper lines, and a block sequence at the key's own indentation.
        let mut j = i + 1;
        let mut last = i + 1;
        while j < end {
            let l = lines[j];
            if is_content(l) {
                let d = indent_of(l);
                let seq_here = d == indent && inline.is_empty() && l.trim_start().starts_with("- ")
                    || d == indent && inline.is_empty() && l.trim() == "-";
                if d <= indent && !seq_here {
                    break;
                }
                last = j + 1;
            }
            j += 1;
        }
        out.push(Block {
            key,
            line: i,
            end: last,
            inline,
        });
        i = j;
    }
    Some((indent, out))
}

/// A key and its value as lines at `indent`.
fn emit_entry(key: &str, value: &Yaml, indent: usize, comment: Option<&str>) -> Vec<String> {
    let pad = " ".repeat(indent);
    let key = {
        let k = emit(&Yaml::String(key.to_string()));
        if k.contains('\n') {
            serde_json::to_string(key).unwrap_or_default()
        } else {
            k
        }
    };
    let inline = match value {
        Yaml::Hash(h) if !h.is_empty() => None,
        Yaml::Array(a) if !a.is_empty() => None,
        _ => Some(emit(value)),
    };
    match inline {
        Some(v) if !v.contains('\n') => {
            let c = comment.map(|c| format!(" {c}")).unwrap_or_default();
            vec![format!("{pad}{key}: {v}{c}")]
        }
        _ => {
            let mut out = vec![format!("{pad}{key}:")];
            for l in emit(value).lines() {
                out.push(format!("{pad}  {l}"));
            }
            out
        }
    }
}

/// The trailing comment of a key line whose value is a plain scalar (` # ...`).
fn trailing_comment(inline: &str) -> Option<&str> {
    if inline.starts_with(['"', '\'', '|', '>', '{', '[', '&', '*', '!']) {
        return None;
    }
    inline.find(" #").map(|i| inline[i + 1..].trim())
}

fn patch_mapping(
    lines: &[&str],
    start: usize,
    end: usize,
    parent: Option<usize>,
    old: &Yaml,
    new: &Yaml,
    edits: &mut Vec<Edit>,
) -> Option<()> {
    let (Yaml::Hash(oh), Yaml::Hash(nh)) = (old, new) else {
        return None;
    };
    let found = blocks(lines, start, end, parent);
    let (indent, list) = match found {
        Some(f) => f,
        None if oh.is_empty() => (parent.map_or(0, |p| p + 2), Vec::new()),
        None => return None,
    };
    if list.len() != oh.len() {
        return None;
    }
    for b in &list {
        let key = key_of(oh, &b.key)?;
        match nh.get(&key) {
            None => edits.push(Edit {
                start: b.line,
                end: b.end,
                lines: Vec::new(),
            }),
            Some(nv) => {
                let ov = oh.get(&key)?;
                if ov == nv {
                    continue;
                }
                let block_mapping = b.inline.is_empty() || b.inline.starts_with('#');
                if matches!((ov, nv), (Yaml::Hash(o), Yaml::Hash(_)) if !o.is_empty())
                    && block_mapping
                {
                    patch_mapping(lines, b.line + 1, b.end, Some(indent), ov, nv, edits)?;
                } else {
                    edits.push(Edit {
                        start: b.line,
                        end: b.end,
                        lines: emit_entry(&b.key, nv, indent, trailing_comment(&b.inline)),
                    });
                }
            }
        }
    }
    let at = list.last().map_or(end, |b| b.end);
    let mut added = Vec::new();
    for (k, v) in nh {
        if oh.contains_key(k) {
            continue;
        }
        added.extend(emit_entry(&key_text(k)?, v, indent, None));
    }
    if !added.is_empty() {
        edits.push(Edit {
            start: at,
            end: at,
            lines: added,
        });
    }
    Some(())
}

#[cfg(test)]
mod tests {
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
