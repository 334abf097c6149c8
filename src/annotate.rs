//! Diagnostics for CI systems: GitHub workflow annotations (`::error file=…,line=…::…`) and
//! SARIF 2.1.0, the format GitHub code scanning takes (`validate --format github|sarif`).

use serde_json::{Value, json};

use crate::diagnostic::Diagnostic;

/// How serious a diagnostic is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
        }
    }
}

/// The message of an annotation: the diagnostic's message and its hint.
fn text(d: &Diagnostic) -> String {
    match &d.hint {
        Some(hint) => format!("{}\nhint: {hint}", d.message),
        None => d.message.clone(),
    }
}

/// A workflow command's message, escaped as the runner reads it.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value (also `:` and `,`, which end it).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One GitHub workflow annotation per diagnostic, each on its own line.
pub fn github(items: &[(Level, &Diagnostic)]) -> String {
    let mut out = String::new();
    for (level, d) in items {
        let mut props = Vec::new();
        if let Some(file) = &d.file {
            props.push(format!("file={}", escape_property(file)));
        }
        if let Some(line) = d.line {
            props.push(format!("line={line}"));
        }
        if let Some(col) = d.column {
            props.push(format!("col={col}"));
        }
        props.push("title=strata validate".to_string());
        out.push_str(&format!(
            "::{} {}::{}\n",
            level.name(),
            props.join(","),
            escape_data(&text(d))
        ));
    }
    out
}

/// The rule of a diagnostic: SARIF results name one, and code scanning groups by it.
/// (id, name, description).
const RULES: [(&str, &str, &str); 2] = [
    (
        "strata/problem",
        "CatalogProblem",
        "A file that does not parse, an invalid profile, pack or cluster, or an unsatisfiable resolution.",
    ),
    (
        "strata/warning",
        "CatalogWarning",
        "Not a problem, but likely a mistake: a variable no value uses.",
    ),
];

/// A SARIF 2.1.0 log of one run of `strata validate`. A diagnostic without a file is
/// placed at `strata.toml` (code scanning needs a location for every result).
pub fn sarif(items: &[(Level, &Diagnostic)], version: &str) -> Value {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|(id, name, help)| {
            json!({
                "id": id,
                "name": name,
                "shortDescription": {"text": if *id == "strata/problem" { "A catalog problem" } else { "A catalog warning" }},
                "fullDescription": {"text": help},
                "defaultConfiguration": {"level": if *id == "strata/problem" { "error" } else { "warning" }},
            })
        })
        .collect();
    let results: Vec<Value> = items
        .iter()
        .map(|(level, d)| {
            let mut region = serde_json::Map::new();
            region.insert("startLine".into(), json!(d.line.unwrap_or(1)));
            if let Some(col) = d.column {
                region.insert("startColumn".into(), json!(col));
            }
            let (rule, index) = match level {
                Level::Error => ("strata/problem", 0),
                Level::Warning => ("strata/warning", 1),
            };
            json!({
                "ruleId": rule,
                "ruleIndex": index,
                "level": level.name(),
                "message": {"text": text(d)},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {
                            "uri": uri(d.file.as_deref().unwrap_or(crate::model::config::FILE_NAME)),
                            "uriBaseId": "%SRCROOT%",
                        },
                        "region": region,
                    }
                }],
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "strata",
                "version": version,
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": "./"}},
            "results": results,
        }],
    })
}

/// A relative path as a URI reference (RFC 3986): every byte but unreserved characters
/// and `/` percent-encoded, so a space, `#`, `?` or a non-ASCII name points at the file.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_escape_what_ends_them() {
        let mut d = Diagnostic::file("profiles/a,b/profile.toml", "100% wrong:\nreally");
        d.line = Some(3);
        d.column = Some(7);
        let d = d.with_hint("fix it");
        assert_eq!(
            github(&[(Level::Error, &d)]),
            "::error file=profiles/a%2Cb/profile.toml,line=3,col=7,title=strata validate::100%25 wrong:%0Areally%0Ahint: fix it\n"
        );
        let plain = Diagnostic::plain("a registry failed");
        assert_eq!(
            github(&[(Level::Warning, &plain)]),
            "::warning title=strata validate::a registry failed\n"
        );
    }
}
