//! A layer's Kubernetes objects between two sides (`diff --manifests`): added, removed and
//! changed, keyed by (layer, API group, kind, namespace, name); each changed object with a
//! unified diff of its YAML, keys in a stable order. A change made only of Helm's churn
//! (generated checksums, certificates, timestamps) is shown but marked.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use yaml_rust2::{Yaml, YamlEmitter};

use super::status::Status;
use crate::manifests::Object;

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ObjectDiff {
    pub layer: String,
    /// The API group (`""` for the core group).
    pub group: String,
    pub kind: String,
    /// The namespace it lands in (`None`: none it names, and no chart's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
    pub status: Status,
    /// Every changed line is Helm's churn (a `checksum/*` annotation, a generated
    /// certificate or key, a timestamp): reviewers may skip it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub churn: bool,
    /// Unified diff of the object's YAML (`a/<layer>/<kind>/<namespace>/<name>`), keys
    /// sorted; sensitive lines masked.
    pub diff: String,
}

impl ObjectDiff {
    /// `Kind namespace/name`, for text.
    pub fn shown(&self) -> String {
        let ns = self
            .namespace
            .as_ref()
            .map(|n| format!("{n}/"))
            .unwrap_or_default();
        format!("{} {ns}{}", self.kind, self.name)
    }
}

/// Markdown: the objects' counts per layer and kind, one row per distinct count across
/// profiles (`| layer | kind | added | removed | changed | only churn | profiles |`); rows past
/// `room` characters are cut, and how many is returned.
pub fn markdown_summary(profiles: &[(&str, &[ObjectDiff])], room: usize) -> (String, usize) {
    use super::escape::{code, text};
    type Counts = [usize; 4];
    type Row<'a> = ((String, String, Counts), Vec<&'a str>);
    let mut rows: Vec<Row> = Vec::new();
    for (name, objects) in profiles {
        let mut counts: BTreeMap<(&str, &str), Counts> = BTreeMap::new();
        for o in objects.iter() {
            let c = counts.entry((&o.layer, &o.kind)).or_default();
            let i = match (o.status, o.churn) {
                (Status::Added, _) => 0,
                (Status::Removed, _) => 1,
                (_, false) => 2,
                (_, true) => 3,
            };
            c[i] += 1;
        }
        for ((layer, kind), c) in counts {
            let key = (layer.to_string(), kind.to_string(), c);
            match rows.iter_mut().find(|(k, _)| *k == key) {
                Some((_, names)) => names.push(name),
                None => rows.push((key, vec![name])),
            }
        }
    }
    if rows.is_empty() {
        return (String::new(), 0);
    }
    let mut table = String::from(
        "\n#### Kubernetes objects\n\n| layer | kind | added | removed | changed | only Helm churn | profiles |\n|---|---|---|---|---|---|---|\n",
    );
    for (i, ((layer, kind, c), names)) in rows.iter().enumerate() {
        let names: Vec<String> = names.iter().map(|n| code(n)).collect();
        let row = format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            text(layer),
            text(kind),
            c[0],
            c[1],
            c[2],
            c[3],
            names.join(", ")
        );
        if table.chars().count() + row.chars().count() > room {
            return (table, rows.len() - i);
        }
        table.push_str(&row);
    }
    (table, 0)
}

/// Markdown: each object that differs, a changed one with its diff (at most
/// `max_diff_lines` lines).
pub fn markdown_details(objects: &[ObjectDiff], max_diff_lines: usize) -> String {
    use super::escape::code;
    let mut s = String::new();
    for o in objects {
        let churn = if o.churn { ", only Helm churn" } else { "" };
        s.push_str(&format!(
            "{} {} (layer {}{churn})\n\n",
            o.status,
            code(&o.shown()),
            code(&o.layer)
        ));
        if o.status != Status::Changed {
            continue;
        }
        s.push_str(&super::escape::fenced_diff(
            &o.diff,
            max_diff_lines,
            "strata diff --manifests",
        ));
        s.push('\n');
    }
    s
}

/// Text: an object that differs, and for a changed one its diff.
pub fn text_lines(s: &mut String, o: &ObjectDiff, indent: &str) {
    let churn = if o.churn { " (only Helm churn)" } else { "" };
    s.push_str(&format!("{indent}{} {}{churn}\n", o.status, o.shown()));
    if o.status == Status::Changed {
        for line in o.diff.lines() {
            s.push_str(indent);
            s.push_str("  ");
            s.push_str(line);
            s.push('\n');
        }
    }
}

type Key = (String, String, String, String, String);

fn key(o: &Object) -> Key {
    let group = match o.api_version.rsplit_once('/') {
        Some((g, _)) => g.to_string(),
        None => String::new(),
    };
    let ns = o
        .namespace
        .clone()
        .unwrap_or_else(|| o.release_namespace.clone());
    (o.layer.clone(), group, o.kind.clone(), ns, o.name.clone())
}

/// The objects that differ between `old` and `new` (each as it may be shown: `secrets`
/// masked), in the order of `new`, then the removed ones in the order of `old`.
pub fn between(old: &[Object], new: &[Object], secrets: &[String]) -> Vec<ObjectDiff> {
    let shown = |o: &Object| normalized(&crate::shown::mask(o.shown(), secrets));
    let old_by: BTreeMap<Key, &Object> = old.iter().map(|o| (key(o), o)).collect();
    let new_keys: BTreeSet<Key> = new.iter().map(key).collect();
    let mut out = Vec::new();
    let mut push = |k: Key, a: Option<String>, b: Option<String>| {
        let status = match (&a, &b) {
            (None, _) => Status::Added,
            (_, None) => Status::Removed,
            _ => Status::Changed,
        };
        let (layer, group, kind, ns, name) = k;
        let path = format!("{layer}/{kind}/{ns}/{name}");
        let diff =
            similar::TextDiff::from_lines(a.as_deref().unwrap_or(""), b.as_deref().unwrap_or(""));
        let churn = status == Status::Changed
            && diff
                .iter_all_changes()
                .filter(|c| c.tag() != similar::ChangeTag::Equal)
                .all(|c| is_churn(c.value()));
        out.push(ObjectDiff {
            diff: diff
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{path}"), &format!("b/{path}"))
                .to_string(),
            layer,
            group,
            kind,
            namespace: (!ns.is_empty()).then_some(ns),
            name,
            status,
            churn,
        });
    };
    for o in new {
        let k = key(o);
        let b = shown(o);
        match old_by.get(&k) {
            Some(before) => {
                let a = shown(before);
                if a != b {
                    push(k, Some(a), Some(b));
                }
            }
            None => push(k, None, Some(b)),
        }
    }
    for o in old {
        let k = key(o);
        if !new_keys.contains(&k) {
            push(k, Some(shown(o)), None);
        }
    }
    out
}

/// An object's YAML with every mapping's keys sorted, so that two renders differ only where
/// their content does; the text as it is when it is not one YAML document.
fn normalized(text: &str) -> String {
    let Ok(docs) = crate::yaml::load(text) else {
        return text.to_string();
    };
    let [doc] = docs.as_slice() else {
        return text.to_string();
    };
    let mut out = String::new();
    let mut emitter = YamlEmitter::new(&mut out);
    emitter.multiline_strings(true);
    if emitter.dump(&sorted(doc)).is_err() {
        return text.to_string();
    }
    let mut out = out.strip_prefix("---\n").unwrap_or(&out).to_string();
    out.push('\n');
    out
}

fn sorted(y: &Yaml) -> Yaml {
    match y {
        Yaml::Hash(h) => {
            let mut entries: Vec<(&Yaml, &Yaml)> = h.iter().collect();
            entries.sort_by(|a, b| a.0.partial_cmp(b.0).unwrap_or(std::cmp::Ordering::Equal));
            Yaml::Hash(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted(v)))
                    .collect(),
            )
        }
        Yaml::Array(a) => Yaml::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// Keys whose values Helm charts generate on every render (`genCA`, `genSignedCert`,
/// `randAlphaNum`-made webhook certificates).
const GENERATED: [&str; 5] = ["caBundle", "tls.crt", "tls.key", "ca.crt", "ca.key"];

/// Whether a changed line is Helm's churn: a `checksum/*` annotation, a generated
/// certificate or key, or a timestamp.
fn is_churn(line: &str) -> bool {
    let line = line.trim().trim_start_matches("- ");
    let Some((k, v)) = line.split_once(':') else {
        return false;
    };
    let k = k.trim().trim_matches(['"', '\'']);
    let v = v.trim().trim_matches(['"', '\'']);
    k.starts_with("checksum/") || GENERATED.contains(&k) || is_timestamp(v)
}

/// `2026-12-06T06:40:57Z`-like (RFC 3339, as `now` prints it).
fn is_timestamp(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() >= 20
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
}

#[cfg(test)]
mod tests {
    use super::{is_churn, normalized};

    #[test]
    fn keys_are_sorted_and_churn_is_recognised() {
        assert_eq!(
            normalized(
                "kind: A\napiVersion: v1\nmetadata:\n  name: x\n  annotations: {b: 1, a: 2}\n"
            ),
            "apiVersion: v1\nkind: A\nmetadata:\n  annotations:\n    a: 2\n    b: 1\n  name: x\n"
        );
        assert!(is_churn("        checksum/config: 0a1b"));
        assert!(is_churn("    caBundle: LS0t"));
        assert!(is_churn("  deployed-at: \"2026-12-06T06:40:57Z\""));
        assert!(!is_churn("  replicas: 3"));
        assert!(!is_churn("  image: web:1.1"));
    }
}
