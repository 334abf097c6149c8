//! A `spectrocloud_cluster_profile` resource for Spectro Cloud's Terraform provider, in the
//! layout `terraform fmt` keeps.

use std::collections::BTreeSet;

use super::subject::{Export, Subject, palette_type};
use super::target::{REF_CLOSE, REF_OPEN};
use crate::lock::render::{PackOrigin, RenderedLayer};
use crate::render::FileKind;

/// A Terraform identifier made of a name.
fn ident(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        s.insert(0, '_');
    }
    s
}

/// An HCL string literal.
fn string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' => out.push('$'),
            c => out.push(c),
        }
    }
    // `${` and `%{` start templates in HCL strings: write them literally.
    out.replace("${", "$${").replace("%{", "%%{") + "\""
}

/// Attributes of one block, `=` aligned as `terraform fmt` aligns a run of single-line
/// attributes.
fn attributes(out: &mut String, indent: &str, attrs: &[(&str, String)]) {
    let width = attrs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in attrs {
        out.push_str(&format!("{indent}{k:<width$} = {v}\n"));
    }
}

/// A heredoc of `text` (templates escaped; sensitive markers become `${var.NAME}`).
fn heredoc(text: &str, variables: &mut BTreeSet<String>) -> String {
    let mut body = text.replace("${", "$${").replace("%{", "%%{");
    while let Some(start) = body.find(REF_OPEN) {
        let rest = &body[start + REF_OPEN.len()..];
        let Some(end) = rest.find(REF_CLOSE) else {
            break;
        };
        let name = rest[..end].to_string();
        variables.insert(name.clone());
        body.replace_range(
            start..start + REF_OPEN.len() + end + REF_CLOSE.len(),
            &format!("${{var.{name}}}"),
        );
    }
    if !body.ends_with('\n') {
        body.push('\n');
    }
    let mut delim = "EOT".to_string();
    while body.lines().any(|l| l.trim() == delim) {
        delim.push('X');
    }
    format!("<<{delim}\n{body}{delim}")
}

pub fn export(subject: &Subject) -> Export {
    let mut out = String::new();
    let registries: BTreeSet<&str> = subject.layers.iter().map(|l| l.registry.as_str()).collect();
    for r in &registries {
        out.push_str(&format!(
            "data \"spectrocloud_registry\" \"{}\" {{\n",
            ident(r)
        ));
        attributes(&mut out, "  ", &[("name", string(r))]);
        out.push_str("}\n\n");
    }
    let tags: Vec<String> = subject.tags.iter().map(|t| string(t)).collect();
    let cloud = if subject.ty == crate::profile::ProfileType::AddOn {
        "all".to_string()
    } else {
        subject.cloud.clone()
    };
    out.push_str(&format!(
        "resource \"spectrocloud_cluster_profile\" \"{}\" {{\n",
        ident(&subject.name)
    ));
    attributes(
        &mut out,
        "  ",
        &[
            ("name", string(&subject.name)),
            ("description", string(&subject.description)),
            ("tags", format!("[{}]", tags.join(", "))),
            ("cloud", string(&cloud)),
            ("type", string(palette_type(subject.ty))),
            ("version", string(&subject.version.to_string())),
        ],
    );
    let mut sensitive = BTreeSet::new();
    for l in &subject.layers {
        pack_block(&mut out, l, &mut sensitive);
    }
    if !subject.variables.is_empty() {
        variables_block(&mut out, subject);
    }
    out.push_str("}\n");
    for name in &sensitive {
        out.push_str(&format!("\nvariable \"{}\" {{\n", ident(name)));
        attributes(
            &mut out,
            "  ",
            &[
                ("type", "string".to_string()),
                ("sensitive", "true".to_string()),
            ],
        );
        out.push_str("}\n");
    }
    let mut notes: Vec<String> = sensitive
        .iter()
        .map(|n| {
            format!("variable `{n}` is sensitive: give it as Terraform variable `{n}` (TF_VAR_{n})")
        })
        .collect();
    notes.extend(subject.variables.values().filter(|v| v.sensitive).map(|v| {
        format!(
            "profile variable `{}` is sensitive: give its value in Palette when deploying",
            v.name
        )
    }));
    Export {
        files: vec![(format!("{}.tf", subject.name), out)],
        skipped: Vec::new(),
        notes,
    }
}

/// A layer as a `pack` block; references to sensitive variables are collected.
fn pack_block(out: &mut String, l: &RenderedLayer, sensitive: &mut BTreeSet<String>) {
    let values = l
        .files
        .iter()
        .find(|(f, _)| matches!(l.kinds.get(*f), Some(FileKind::Values { .. })))
        .or_else(|| l.files.iter().next())
        .map_or(String::new(), |(_, t)| t.clone());
    let ty = match l.origin {
        PackOrigin::Helm => "helm",
        _ => "spectro",
    };
    out.push_str("\n  pack {\n");
    attributes(
        out,
        "    ",
        &[
            ("name", string(&l.pack)),
            ("tag", string(&l.version.to_string())),
            ("type", string(ty)),
            (
                "registry_uid",
                format!("data.spectrocloud_registry.{}.id", ident(&l.registry)),
            ),
            ("values", heredoc(&values, sensitive)),
        ],
    );
    out.push_str("  }\n");
}

/// The profile's variables as a `profile_variables` block.
fn variables_block(out: &mut String, subject: &Subject) {
    out.push_str("\n  profile_variables {\n");
    for (i, v) in subject.variables.values().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str("    variable {\n");
        let mut attrs = vec![
            ("name", string(&v.name)),
            ("display_name", string(&v.name)),
            ("format", string(v.format.as_str())),
            ("description", string(&v.description)),
        ];
        // A sensitive default is a secret: it is given when deploying instead.
        if let Some(d) = v.default.as_ref().filter(|_| !v.sensitive) {
            let text = match d {
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            attrs.push(("default_value", string(&text)));
        }
        if let Some(r) = &v.regex {
            attrs.push(("regex", string(r.as_str())));
        }
        attrs.push(("required", (v.default.is_none() || v.sensitive).to_string()));
        attrs.push(("is_sensitive", v.sensitive.to_string()));
        attributes(out, "      ", &attrs);
        out.push_str("    }\n");
    }
    out.push_str("  }\n");
}
