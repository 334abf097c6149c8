//! Manifests: what a cluster runs. Each layer rendered to Kubernetes objects (its manifest
//! templates, and its charts through Helm's own engine), the objects as a model (keyed by
//! group, kind, namespace and name), their review between two revisions, and the checks on
//! them (APIs the profile's Kubernetes no longer serves, references nothing provides).

pub mod apis;
pub mod chart;
pub mod helm;
pub mod images;
pub mod objects;
pub mod references;
pub mod stacks;

use std::sync::Arc;

pub use objects::Object;

use crate::catalog::Catalog;
use crate::diagnostic::Diagnostic;
use crate::error::Result;
use crate::lock::render::RenderedLayer;
use crate::lockfile::Lock;
use crate::model::pack::{LayerType, Pack};

/// One run's rendering of charts: the helm program, the render cache, and what the reader
/// should know afterwards.
pub struct Session {
    pub helm: helm::Helm,
    /// `<cache>/manifests`: helm's output by (chart digest, values, Kubernetes version, helm
    /// version, release, namespace); `None`: no cache.
    pub cache: Option<std::path::PathBuf>,
    /// What the reader should know (a chart rendered without a lock of its own).
    pub notes: std::sync::Mutex<Vec<String>>,
    /// Charts rendered by helm, and taken from the cache.
    pub rendered: std::sync::atomic::AtomicUsize,
    pub reused: std::sync::atomic::AtomicUsize,
    /// The sensitive values of the run: a chart whose values hold one is rendered a second
    /// time with decoys, and every line that differs is masked.
    pub secrets: Vec<String>,
    /// Renders of this run by cache key, shared by the sessions of one run (`render --all`
    /// renders each distinct chart input once, even when profiles render in parallel).
    pub memo: Arc<Memo>,
}

/// helm's output (or its message) by render key: the first session to ask renders, the
/// others wait for it.
pub type Memo =
    std::sync::Mutex<std::collections::HashMap<String, Arc<std::sync::OnceLock<Rendered>>>>;

/// helm's output for one chart input, parsed into documents once; or why there is none.
pub type Rendered = std::result::Result<Arc<Vec<objects::Doc>>, helm::Failure>;

impl Session {
    pub fn new(
        helm: helm::Helm,
        cache: Option<std::path::PathBuf>,
        secrets: Vec<String>,
        memo: Arc<Memo>,
    ) -> Session {
        Session {
            helm,
            cache,
            secrets,
            memo,
            notes: std::sync::Mutex::default(),
            rendered: std::sync::atomic::AtomicUsize::new(0),
            reused: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    fn note(&self, note: String) {
        self.notes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(note);
    }
}

/// Every object the rendered `layers` of a profile run, in layer order (see
/// [`stacks::render`], of which this is the one-stack case).
pub fn render(
    catalog: &Catalog,
    kube: Option<String>,
    layers: &[RenderedLayer],
    packs: &[Arc<Pack>],
    session: &Session,
) -> Result<Vec<Object>> {
    let stack = stacks::Stack {
        kube,
        layers,
        packs,
        session,
    };
    stacks::render(catalog, std::slice::from_ref(&stack))?
        .pop()
        .unwrap_or_else(|| Ok(Vec::new()))
}

/// The checks on a profile's objects: APIs its Kubernetes (`kube`, the version of its
/// Kubernetes layer) no longer serves are errors, deprecated ones warnings; references no
/// layer creates and no chart declares provided are warnings. `(errors, warnings)`.
pub fn check(
    objects: &[Object],
    kube: Option<&str>,
    layers: &[RenderedLayer],
) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let (mut errors, mut warnings) = match kube.and_then(apis::minor) {
        Some(minor) => apis::check(objects, minor),
        None => (Vec::new(), Vec::new()),
    };
    let (external, mut bad) = references::external(layers);
    errors.append(&mut bad);
    warnings.extend(references::check(objects, &external));
    (errors, warnings)
}

/// The version of the profile's Kubernetes layer, as locked.
pub fn kube_version(lock: &Lock) -> Option<String> {
    lock.layers
        .iter()
        .find(|l| l.ty == LayerType::Kubernetes)
        .map(|l| l.version.as_str().to_string())
}

/// The version of the Kubernetes layer of a whole stack (a cluster's).
pub fn kube_of_layers(layers: &[RenderedLayer]) -> Option<String> {
    layers
        .iter()
        .find(|l| l.ty == LayerType::Kubernetes)
        .map(|l| l.version.to_string())
}

/// An object from one document, or why the document is no object.
pub(crate) fn object(
    layer: &RenderedLayer,
    chart: Option<&str>,
    source: String,
    doc: &objects::Doc,
) -> std::result::Result<Object, Diagnostic> {
    let (api_version, kind, namespace, name) = doc.ident.clone().map_err(|why| {
        Diagnostic::plain(format!(
            "layer `{}`: `{}` renders a document that is no Kubernetes object: {why}",
            layer.name,
            crate::shown::one_line(&source)
        ))
    })?;
    Ok(Object {
        profile: None,
        layer: layer.name.clone(),
        chart: chart.map(str::to_string),
        api_version,
        kind,
        namespace,
        name,
        source,
        digest: doc.digest.clone(),
        text: doc.text.clone(),
        shown: None,
        release_namespace: "default".to_string(),
    })
}
