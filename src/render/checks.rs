//! What a rendered layer must satisfy: its pack's `[[assert]]` expressions hold, its YAML
//! parses (chart values as a mapping), and each file is told apart as chart values, a
//! manifest (every document has `apiVersion` and `kind`) or a plain file.

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use yaml_rust2::{Yaml, YamlLoader};

use super::{FileKind, Stack};
use crate::catalog::Catalog;
use crate::diagnostic::{Diagnostic, Source, shorten};
use crate::model::pack::Pack;
use crate::profile::Layer;

/// `params.<name>` and `layers.<layer>.params.<name>` in an assertion.
static PARAM: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"(?:layers\.([A-Za-z0-9_.-]+?)\.)?params\.([A-Za-z_][A-Za-z0-9_]*)")
        .expect("valid regex")
});

/// The layer's assertions that do not hold, each reported at the user's line that set a
/// value it reads (or at the layer, when every value it reads is a default).
pub(super) fn assertions(
    stack: &Stack,
    catalog: &Catalog,
    i: usize,
    layer: &Layer,
    pack: &Pack,
    params: &BTreeMap<String, toml::Value>,
) -> Vec<Diagnostic> {
    if pack.asserts.is_empty() {
        return Vec::new();
    }
    let mut env = super::environment();
    env.set_fuel(Some(super::FUEL));
    let ctx = stack.context(pack, params);
    let mut failed = Vec::new();
    for a in &pack.asserts {
        let label = format!("{} {}", pack.name, pack.version);
        // An assertion that reads a variable without a value waits for the cluster that
        // binds it.
        let waits = PARAM.captures_iter(&a.that).any(|cap| {
            let values = match cap.get(1) {
                Some(l) => stack.layer_values(l.as_str()),
                None => Some(stack.values(i)),
            };
            values
                .and_then(|v| v.get(&cap[2]))
                .is_some_and(|e| e.is_placeholder())
        });
        if waits {
            continue;
        }
        let result = env
            .compile_expression(&a.that)
            .and_then(|expr| expr.eval(ctx.clone()));
        let holds = match result {
            Ok(v) => v.is_true(),
            Err(e) => {
                failed.push(Diagnostic::at(
                    &pack.manifest,
                    a.span.clone(),
                    format!(
                        "assertion `{}` of {label} cannot be evaluated: {}",
                        a.that,
                        e.detail().map_or_else(|| e.to_string(), str::to_string)
                    ),
                ));
                continue;
            }
        };
        if holds {
            continue;
        }
        // The values the expression reads, and who set them.
        let mut read = Vec::new();
        let mut at_user = None;
        for cap in PARAM.captures_iter(&a.that) {
            let name = &cap[2];
            let (shown, values) = match cap.get(1) {
                Some(l) => (
                    format!("layers.{}.params.{name}", l.as_str()),
                    stack.layer_values(l.as_str()),
                ),
                None => (format!("params.{name}"), Some(stack.values(i))),
            };
            if let Some(e) = values.and_then(|v| v.get(name)) {
                read.push(format!("{shown} = {}", shorten(&e.shown(), 60)));
                if at_user.is_none() {
                    at_user = e.user_line().map(|(f, l)| (f.to_string(), l));
                }
            }
        }
        let message = format!("{} (assertion of {label}: `{}`)", a.message, a.that);
        let source: Option<&Source> = at_user.as_ref().and_then(|(file, _)| {
            stack
                .sources
                .iter()
                .chain([&catalog.config_source])
                .find(|s| s.name == *file)
        });
        let d = match (source, &at_user) {
            (Some(src), Some((_, line))) => Diagnostic::at_line(src, *line, message),
            _ => Diagnostic::at(&layer.source, layer.span.clone(), message),
        };
        failed.push(d.with_hint_opt((!read.is_empty()).then(|| read.join(", "))));
    }
    failed
}

/// What each rendered file is, for every release a run renders. Profiles of one catalog
/// often render the same file of the same release byte for byte, so the answer is kept for
/// the run, keyed by the release, the file and a digest of its content.
#[derive(Default)]
pub(super) struct Kinds(Mutex<HashMap<(String, String, String), KindsResult>>);

impl Kinds {
    /// What each of `files` is; a YAML file that does not parse is a problem at its
    /// template, naming the rendered line and the parser's message.
    pub(super) fn of(
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
            match YamlLoader::load_from_str(content) {
                Ok(docs) => docs,
                Err(e) => {
                    let line = e.marker().line();
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
                        format!("renders invalid YAML in `{name}`: {} ({at})", e.info()),
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
