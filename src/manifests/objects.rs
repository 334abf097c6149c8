//! Kubernetes objects as text: a YAML stream (helm's output, or a layer's manifest file)
//! split into documents, each with its template and the fields that identify it.

use serde::Serialize;

/// One object a layer renders.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Object {
    /// The profile it belongs to, when several are rendered (`render --all --manifests`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    pub layer: String,
    /// The chart it came from; `None` for a manifest file of the pack.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chart: Option<String>,
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
    /// `<layer>/<chart>/<template>`, or `<layer>/<file>`.
    pub source: String,
    /// `sha256:` of the object's text.
    pub digest: String,
    #[serde(skip)]
    pub text: String,
    /// The text as it may be shown, when a line of it depends on a sensitive value (found by
    /// rendering again with decoys: see `crate::render::taint`).
    #[serde(skip)]
    pub shown: Option<String>,
    /// The namespace it lands in when it names none: its chart's release namespace, else
    /// `default`.
    #[serde(skip)]
    pub release_namespace: String,
}

impl Object {
    /// The namespace it lands in (cluster-scoped kinds ignore it).
    pub fn namespace_or_release(&self) -> &str {
        self.namespace.as_deref().unwrap_or(&self.release_namespace)
    }

    /// `layer `l`: chart `c`: Kind `ns/name``, for messages.
    pub fn described(&self) -> String {
        let chart = self
            .chart
            .as_ref()
            .map(|c| format!(": chart `{}`", crate::shown::one_line(c)))
            .unwrap_or_default();
        let ns = self
            .namespace
            .as_ref()
            .map(|n| format!("{}/", crate::shown::one_line(n)))
            .unwrap_or_default();
        format!(
            "layer `{}`{chart}: {} `{ns}{}`",
            self.layer,
            crate::shown::one_line(&self.kind),
            crate::shown::one_line(&self.name)
        )
    }

    /// The object as it may be printed.
    pub fn shown(&self) -> &str {
        self.shown.as_deref().unwrap_or(&self.text)
    }
}

/// One document of a stream, parsed once: its template, text, digest and identity (or why
/// it is no object).
#[derive(Debug)]
pub struct Doc {
    pub source: String,
    pub text: String,
    pub digest: String,
    pub ident: Result<Ident, String>,
}

/// `(apiVersion, kind, namespace, name)`.
pub type Ident = (String, String, Option<String>, String);

/// The documents of `stream` (see [`documents`]), each identified.
pub fn parse(stream: &str, fallback: &str) -> Vec<Doc> {
    documents(stream, fallback)
        .into_iter()
        .map(|(source, text)| Doc {
            ident: identify(&text),
            digest: crate::digest::sha256(text.as_bytes()),
            source,
            text,
        })
        .collect()
}

/// The documents of `stream`, each with the template helm names in its `# Source:` line
/// (or `fallback`); empty documents are left out.
pub fn documents(stream: &str, fallback: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut source = fallback.to_string();
    let mut body = String::new();
    let mut flush = |source: &str, body: &mut String| {
        let text = std::mem::take(body);
        if text
            .lines()
            .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        {
            out.push((source.to_string(), text));
        }
    };
    for line in stream.split_inclusive('\n') {
        if line.trim_end() == "---" {
            flush(&source, &mut body);
            source = fallback.to_string();
            continue;
        }
        if let Some(s) = line.trim_end().strip_prefix("# Source: ")
            && body.trim().is_empty()
        {
            source = s.to_string();
            continue;
        }
        body.push_str(line);
    }
    flush(&source, &mut body);
    out
}

/// The identifying fields of one document: `(apiVersion, kind, namespace, name)`, or why
/// it is no object.
pub fn identify(text: &str) -> Result<Ident, String> {
    let docs = crate::yaml::load(text)
        .map_err(|(line, msg)| format!("line {line}: {}", crate::shown::one_line(&msg)))?;
    let doc = docs.into_iter().next().ok_or("it is empty")?;
    let field = |v: &yaml_rust2::Yaml| v.as_str().map(str::to_string);
    let kind = field(&doc["kind"]).ok_or("it has no `kind`")?;
    let name = field(&doc["metadata"]["name"]).ok_or("it has no `metadata.name`")?;
    let api = field(&doc["apiVersion"]).ok_or("it has no `apiVersion`")?;
    Ok((api, kind, field(&doc["metadata"]["namespace"]), name))
}

#[cfg(test)]
mod tests {
    use super::documents;

    #[test]
    fn a_stream_splits_into_documents_with_their_templates() {
        let stream = "---\n# Source: web/templates/a.yaml\nkind: A\n---\n# Source: web/templates/empty.yaml\n---\n# Source: web/templates/b.yaml\n# a comment\nkind: B\n";
        assert_eq!(
            documents(stream, "web/manifest"),
            [
                ("web/templates/a.yaml".to_string(), "kind: A\n".to_string()),
                (
                    "web/templates/b.yaml".to_string(),
                    "# a comment\nkind: B\n".to_string()
                ),
            ]
        );
        assert_eq!(
            documents("kind: C\n", "net/policy.yaml"),
            [("net/policy.yaml".to_string(), "kind: C\n".to_string())]
        );
    }
}
