//! Palette's cluster-profile import JSON.

use serde_json::{Value, json};

use super::subject::{Export, Subject, palette_layer, palette_type};
use crate::lock::render::{PackOrigin, RenderedLayer};
use crate::model::variable::Variable;
use crate::render::FileKind;

pub fn export(subject: &Subject) -> Export {
    let labels: serde_json::Map<String, Value> = subject
        .tags
        .iter()
        .map(|t| {
            let (k, v) = crate::model::tags::split(t);
            let v = if t.contains(':') { v } else { "spectro__tag" };
            (k.to_string(), json!(v))
        })
        .collect();
    let packs: Vec<Value> = subject.layers.iter().map(pack).collect();
    let variables: Vec<Value> = subject.variables.values().map(variable).collect();
    let doc = json!({
        "metadata": {
            "name": subject.name,
            "description": subject.description,
            "labels": labels,
        },
        "spec": {
            "version": subject.version.to_string(),
            "template": {
                "type": palette_type(subject.ty),
                "cloudType": subject.cloud,
                "packs": packs,
            },
            "variables": variables,
        },
    });
    let mut text = serde_json::to_string_pretty(&doc).expect("JSON serializes");
    text.push('\n');
    Export {
        files: vec![(format!("{}.json", subject.name), text)],
        skipped: Vec::new(),
        notes: sensitive_names(subject)
            .into_iter()
            .map(|n| {
                format!("variable `{n}` is sensitive: give its value in Palette when deploying")
            })
            .collect(),
    }
}

/// A layer as a pack of the profile.
fn pack(l: &RenderedLayer) -> Value {
    let manifests: Vec<(&String, &String)> = l
        .files
        .iter()
        .filter(|(f, _)| l.kinds.get(*f) == Some(&FileKind::Manifest))
        .collect();
    let values_file = l.values_file();
    let ty = match l.origin {
        PackOrigin::Helm => "helm",
        _ if values_file.is_none() && !manifests.is_empty() => "manifest",
        _ => "spectro",
    };
    let mut pack = json!({
        "name": l.pack,
        "type": ty,
        "layer": palette_layer(l.ty),
        "tag": l.requested,
        "version": l.version.to_string(),
        "values": values_file.map_or(String::new(), |(_, t)| t.clone()),
        "registry": {"metadata": {"name": l.registry}},
    });
    if !manifests.is_empty() {
        pack["manifests"] = Value::Array(
            manifests
                .iter()
                .map(|(f, t)| {
                    let name = f.rsplit('/').next().unwrap_or(f);
                    let name = name
                        .strip_suffix(".yaml")
                        .or_else(|| name.strip_suffix(".yml"))
                        .unwrap_or(name);
                    json!({"name": name, "content": t})
                })
                .collect(),
        );
    }
    pack
}

/// A profile variable as a Palette profile variable.
fn variable(v: &Variable) -> Value {
    json!({
        "name": v.name,
        "displayName": v.name,
        "description": v.description,
        "format": v.format.as_str(),
        // A sensitive default is a secret: Palette asks for the value instead.
        "defaultValue": v.default.as_ref().filter(|_| !v.sensitive).map_or(String::new(), |d| match d {
            toml::Value::String(s) => s.clone(),
            other => other.to_string(),
        }),
        "regex": v.regex.as_ref().map_or(String::new(), |r| r.as_str().to_string()),
        "required": v.default.is_none() || v.sensitive,
        "isSensitive": v.sensitive,
        "hidden": false,
        "immutable": false,
    })
}

/// The sensitive variables the deployment gives: a cluster's bound ones, and every declared
/// one (a sensitive default is not exported).
fn sensitive_names(subject: &Subject) -> std::collections::BTreeSet<&str> {
    subject
        .sensitive_bound
        .iter()
        .map(String::as_str)
        .chain(
            subject
                .variables
                .values()
                .filter(|v| v.sensitive)
                .map(|v| v.name.as_str()),
        )
        .collect()
}
