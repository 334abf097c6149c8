//! Manifests: what a cluster runs. Each layer rendered to Kubernetes objects (its manifest
//! templates, and its charts through Helm's own engine), the objects as a model (keyed by
//! group, kind, namespace and name), their review between two revisions, and the checks on
//! them (APIs the profile's Kubernetes no longer serves, references nothing provides).

pub mod apis;
pub mod helm;
pub mod images;
pub mod objects;
pub mod references;

use std::sync::Arc;

pub use objects::Object;

use crate::catalog::Catalog;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::lock::render::{PackOrigin, RenderedLayer};
use crate::lockfile::Lock;
use crate::model::chart::Chart;
use crate::model::pack::{LayerType, Pack};
use crate::render::FileKind;

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

/// helm's output for one chart input, parsed into documents once; or helm's message.
pub type Rendered = std::result::Result<Arc<Vec<objects::Doc>>, String>;

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

/// Every object the rendered `layers` of a profile run, in layer order: each chart through
/// `helm template` (the chart of a chart registry from its locked release; a chart a pack
/// delivers from its repository, checked against its `[[layer.chart]]` digest when the lock
/// has one), then the layer's manifest files. A chart whose inputs were rendered before is
/// taken from the render cache; charts render in parallel, on every core.
pub fn render(
    catalog: &Catalog,
    kube: Option<String>,
    layers: &[RenderedLayer],
    packs: &[Arc<Pack>],
    session: &Session,
) -> Result<Vec<Object>> {
    let pack_of = |layer: &RenderedLayer| {
        packs
            .iter()
            .find(|p| p.name == layer.pack && p.version == layer.version)
    };
    // Every chart of every layer, rendered on every core, in layer order.
    let jobs: Vec<(&RenderedLayer, &Pack, &Chart)> = layers
        .iter()
        .filter_map(|l| Some((l, pack_of(l)?)))
        .flat_map(|(l, p)| l.charts.iter().map(move |c| (l, p.as_ref(), c)))
        .collect();
    let mut rendered = crate::parallel::map(&jobs, 8, "a chart render", |(l, p, c)| {
        chart_objects(catalog, l, p, c, kube.as_deref(), session)
    })?
    .into_iter();
    let mut objects = Vec::new();
    let mut problems = Vec::new();
    for layer in layers {
        if pack_of(layer).is_none() {
            continue;
        }
        for _ in &layer.charts {
            match rendered.next().transpose()? {
                Some(Ok(mut found)) => objects.append(&mut found),
                Some(Err(d)) => problems.push(d),
                None => {}
            }
        }
        for (file, kind) in &layer.kinds {
            if *kind != FileKind::Manifest {
                continue;
            }
            let text = &layer.files[file];
            let source = format!("{}/{file}", layer.name);
            for doc in objects::parse(text, &source) {
                match object(layer, None, doc.source.clone(), &doc) {
                    Ok(o) => objects.push(o),
                    Err(d) => problems.push(d),
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(objects)
    } else {
        Err(Error::Catalog(problems))
    }
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

/// One chart of a layer through helm.
fn chart_objects(
    catalog: &Catalog,
    layer: &RenderedLayer,
    pack: &Pack,
    chart: &Chart,
    kube: Option<&str>,
    session: &Session,
) -> Result<std::result::Result<Vec<Object>, Diagnostic>> {
    let problem = |why: String| {
        Diagnostic::plain(format!(
            "layer `{}`: chart `{}` {}: {why}",
            layer.name, chart.name, chart.version
        ))
    };
    let fetched;
    let (tree, digest) = if layer.origin == PackOrigin::Helm {
        (&pack.files, layer.digest.clone())
    } else {
        let Some((tree, digest)) =
            catalog
                .registries
                .charts
                .chart(&chart.repo, &chart.name, &chart.version)?
        else {
            return Ok(Err(problem(format!(
                "it is not in its repository `{}`",
                chart.repo
            ))));
        };
        match layer.chart_digests.get(&chart.name) {
            Some(locked) if *locked != digest => {
                return Ok(Err(problem(format!(
                    "it was `{locked}` when locked, and is `{digest}` now"
                ))
                .with_hint(format!(
                    "if the change is intended, accept it with `strata update --pack {}`",
                    layer.pack
                ))));
            }
            Some(_) => {}
            None => session.note(format!(
                "chart `{}` {} of layer `{}` is not locked (`lock_charts` is off): rendered from `{}` as it is now",
                chart.name, chart.version, layer.name, chart.repo
            )),
        }
        fetched = tree;
        (&fetched, digest)
    };
    let values = layer
        .files
        .get(chart.values_file())
        .map_or("", String::as_str);
    let release = chart.release.clone().unwrap_or_else(|| layer.name.clone());
    let inputs = Inputs {
        chart,
        tree,
        digest: &digest,
        release: &release,
        kube,
        values,
    };
    let docs = match helm_output(session, layer, &inputs) {
        Ok(docs) => docs,
        Err(why) => return Ok(Err(problem(format!("helm: {why}")))),
    };
    let fallback = format!("{}/templates", chart.name);
    let mut found = Vec::new();
    for doc in docs.iter() {
        let source = format!("{}/{}", layer.name, doc.source);
        match object(layer, Some(&chart.name), source, doc) {
            Ok(mut o) => {
                o.release_namespace = chart.namespace.clone();
                found.push(o);
            }
            Err(d) => return Ok(Err(d)),
        }
    }
    // Values that hold a secret: render again with decoys, and mask what differs.
    let held: Vec<&String> = session
        .secrets
        .iter()
        .filter(|s| !s.is_empty() && values.contains(s.as_str()))
        .collect();
    if !held.is_empty() {
        let mut decoy_values = values.to_string();
        for s in &held {
            decoy_values = decoy_values.replace(s.as_str(), &crate::render::taint::decoy_text(s));
        }
        let decoy = session
            .helm
            .template(tree, &release, &chart.namespace, kube, &decoy_values)
            .unwrap_or_default();
        let decoys = objects::documents(&decoy, &fallback);
        let same_shape = decoys.len() == found.len();
        for (i, o) in found.iter_mut().enumerate() {
            o.shown = match decoys.get(i).filter(|_| same_shape) {
                Some((_, d)) => crate::render::taint::masked(&o.text, d),
                None => Some(crate::render::taint::whole()),
            };
        }
    }
    Ok(Ok(found))
}

/// What one chart is rendered from.
struct Inputs<'a> {
    chart: &'a Chart,
    tree: &'a crate::registry::source::Tree,
    /// The chart's digest.
    digest: &'a str,
    release: &'a str,
    kube: Option<&'a str>,
    values: &'a str,
}

/// helm's output for one chart: from this run's renders or the render cache when the same
/// inputs were rendered before, else rendered (and kept, unless it shows a secret); `Err`
/// is helm's message.
fn helm_output(session: &Session, layer: &RenderedLayer, inputs: &Inputs) -> Rendered {
    let Inputs {
        chart,
        tree,
        digest,
        release,
        kube,
        values,
    } = *inputs;
    let key = crate::digest::sha256(
        format!(
            "strata-manifests 1\n{digest}\n{}\n{}\n{}\n{release}\n{}\n",
            crate::digest::sha256(values.as_bytes()),
            kube.unwrap_or_default(),
            session.helm.version,
            chart.namespace
        )
        .as_bytes(),
    );
    let cell = session
        .memo
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(key.clone())
        .or_default()
        .clone();
    cell.get_or_init(|| {
        let cached = session
            .cache
            .as_ref()
            .map(|dir| dir.join(key.trim_start_matches("sha256:")));
        let parsed =
            |out: &str| Arc::new(objects::parse(out, &format!("{}/templates", chart.name)));
        if let Some(out) = cached.as_ref().and_then(|f| fs_err::read_to_string(f).ok()) {
            session
                .reused
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return Ok(parsed(&out));
        }
        let out = session
            .helm
            .template(tree, release, &chart.namespace, kube, values)?;
        session
            .rendered
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // Rendered manifests may hold secrets: the cache keeps only those that do not. The
        // cache only saves work: failing to keep an entry is no error.
        let secret_free = layer.masked.is_empty()
            && !crate::render::merged::secrets(&layer.values)
                .iter()
                .any(|s| out.contains(s.as_str()));
        if let Some(file) = &cached
            && secret_free
        {
            let _ = file
                .parent()
                .map(fs_err::create_dir_all)
                .map(|_| crate::atomic::write(file, out.as_bytes()));
        }
        Ok(parsed(&out))
    })
    .clone()
}

/// An object from one document, or why the document is no object.
fn object(
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
