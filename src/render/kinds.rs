//! What each rendered file is: chart values (one YAML mapping), a manifest (every
//! document a Kubernetes object) or a plain file; rendered YAML must parse, and a file that
//! does not is a problem at its template, naming the rendered line.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use serde::Serialize;
use yaml_rust2::Yaml;

use crate::diagnostic::Diagnostic;
use crate::model::pack::Pack;
use crate::shown::shorten;

/// What a rendered file is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum FileKind {
    /// The values of one of the layer's charts.
    Values { chart: String },
    /// Kubernetes objects: every document has `apiVersion` and `kind`.
    Manifest,
    /// Anything else (kubeadm configuration, cloud-init).
    File,
}

impl FileKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            FileKind::Values { .. } => "values",
            FileKind::Manifest => "manifest",
            FileKind::File => "file",
        }
    }
}

/// What each rendered file is, for every release a run renders. Profiles of one catalog
/// often render the same file of the same release byte for byte, so the answer is kept for
/// the run, keyed by the release, the file and a digest of its content.
#[derive(Default)]
pub struct Kinds(Mutex<HashMap<(String, String, String), KindsResult>>);

impl Kinds {
    /// What each of `files` is; a YAML file that does not parse is a problem at its
    /// template, naming the rendered line and the parser's message.
    pub fn of(
        &self,
        pack: &Pack,
        files: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, FileKind>, Vec<Diagnostic>> {
        use sha2::Digest as _;
        let mut digest = sha2::Sha256::new();
        for (name, content) in files {
            digest.update(name.as_bytes());
            digest.update([0]);
            digest.update(content.as_bytes());
            digest.update([0]);
        }
        let key = (
            format!("{}\0{}", pack.name, pack.digest),
            pack.manifest.name.clone(),
            crate::digest::hex(&digest.finalize()),
        );
        let hit = self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .cloned();
        if let Some(hit) = hit {
            return hit;
        }
        let result = kinds_of(pack, files);
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, result.clone());
        result
    }
}

type KindsResult = Result<BTreeMap<String, FileKind>, Vec<Diagnostic>>;

fn kinds_of(pack: &Pack, files: &BTreeMap<String, String>) -> KindsResult {
    let mut kinds = BTreeMap::new();
    let mut problems = Vec::new();
    for (name, content) in files {
        let template = pack.file_display(&format!("{name}.j2"));
        let chart = pack.charts.iter().find(|c| c.values_file() == name);
        let yaml = name.ends_with(".yaml") || name.ends_with(".yml");
        let docs = if yaml {
            match crate::yaml::load(content) {
                Ok(docs) => docs,
                Err((line, info)) => {
                    let lines: Vec<&str> = content.lines().collect();
                    let text = lines.get(line.saturating_sub(1)).copied().unwrap_or("");
                    // At the end of the input the parser points past the last line: show
                    // the last line that has something on it.
                    let at = if text.trim().is_empty() {
                        match lines.iter().rposition(|l| !l.trim().is_empty()) {
                            Some(k) => format!(
                                "at the end of the rendered file; rendered line {}: `{}`",
                                k + 1,
                                shorten(lines[k].trim_end(), 80)
                            ),
                            None => "at the end of the rendered file".to_string(),
                        }
                    } else {
                        format!("rendered line {line}: `{}`", shorten(text.trim_end(), 80))
                    };
                    problems.push(Diagnostic::file(
                        template,
                        format!("renders invalid YAML in `{name}`: {} ({at})", info),
                    ));
                    continue;
                }
            }
        } else {
            Vec::new()
        };
        let kind = match chart {
            Some(c) => {
                if !docs.iter().all(|d| matches!(d, Yaml::Hash(_) | Yaml::Null)) || docs.len() > 1 {
                    problems.push(Diagnostic::file(
                        template,
                        format!("the values of chart `{}` must be one YAML mapping", c.name),
                    ));
                    continue;
                }
                FileKind::Values {
                    chart: c.name.clone(),
                }
            }
            None if !docs.is_empty() && docs.iter().all(is_object) => FileKind::Manifest,
            None => FileKind::File,
        };
        kinds.insert(name.clone(), kind);
    }
    if problems.is_empty() {
        Ok(kinds)
    } else {
        Err(problems)
    }
}

/// A Kubernetes object: a mapping with string `apiVersion` and `kind`, whose API group is
/// served by the API server. Component configuration (`kubeadm.k8s.io`,
/// `*.config.k8s.io`: kubeadm, kubelet, API server admission) has the same shape but is a
/// file a node reads, never applied.
fn is_object(doc: &Yaml) -> bool {
    let Some(api) = doc["apiVersion"].as_str() else {
        return false;
    };
    let group = api.rsplit_once('/').map_or("", |(g, _)| g);
    let component = group == "kubeadm.k8s.io" || group.ends_with(".config.k8s.io");
    !component && doc["kind"].as_str().is_some()
}
