//! One chart of a layer through helm, in two steps so that a run renders each distinct
//! input once: [`job`] finds what the chart is rendered from (its archive, checked against
//! the lock, its values, release and Kubernetes version) and the key of that input;
//! [`Job::rendered`] is helm's output for the key (from this run's renders, the render
//! cache, or helm); [`Job::objects`] makes the layer's objects of it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::helm::Failure;
use super::{Object, Rendered, Session, object, objects};
use crate::catalog::Catalog;
use crate::diagnostic::Diagnostic;
use crate::error::Result;
use crate::lock::render::{PackOrigin, RenderedLayer};
use crate::model::chart::Chart;
use crate::model::pack::Pack;
use crate::registry::source::Tree;

/// Chart archives a run read, by (repository, name, version): each read once.
pub type Fetched = Mutex<HashMap<(String, String, String), Option<(Arc<Tree>, String)>>>;

/// The files a chart is rendered from: a chart registry's release (the pack's own files), or
/// an archive a pack delivers.
enum Files<'a> {
    Pack(&'a Tree),
    Fetched(Arc<Tree>),
}

impl std::ops::Deref for Files<'_> {
    type Target = Tree;
    fn deref(&self) -> &Tree {
        match self {
            Files::Pack(t) => t,
            Files::Fetched(t) => t,
        }
    }
}

/// One chart of one layer, ready for helm.
pub struct Job<'a> {
    layer: &'a RenderedLayer,
    chart: &'a Chart,
    session: &'a Session,
    kube: Option<&'a str>,
    tree: Files<'a>,
    release: String,
    values: &'a str,
    /// The digest of everything helm's output depends on.
    pub key: String,
}

/// What `chart` of `layer` is rendered from; `Err` when the archive is not in its
/// repository or is not the one locked.
pub fn job<'a>(
    catalog: &Catalog,
    fetched: &Fetched,
    (layer, pack, chart): (&'a RenderedLayer, &'a Pack, &'a Chart),
    kube: Option<&'a str>,
    session: &'a Session,
) -> Result<std::result::Result<Job<'a>, Diagnostic>> {
    let problem = |why: String| {
        Diagnostic::plain(format!(
            "layer `{}`: chart `{}` {}: {why}",
            layer.name, chart.name, chart.version
        ))
    };
    let (tree, digest) = if layer.origin == PackOrigin::Helm {
        (Files::Pack(&pack.files), layer.digest.clone())
    } else {
        let id = (
            chart.repo.clone(),
            chart.name.clone(),
            chart.version.clone(),
        );
        let known = fetched
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .cloned();
        let found = match known {
            Some(found) => found,
            None => {
                let found = catalog
                    .registries
                    .charts
                    .chart(&chart.repo, &chart.name, &chart.version)?
                    .map(|(tree, digest)| (Arc::new(tree), digest));
                fetched
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(id, found.clone());
                found
            }
        };
        let Some((tree, digest)) = found else {
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
        (Files::Fetched(tree), digest)
    };
    let values = layer
        .files
        .get(chart.values_file())
        .map_or("", String::as_str);
    let release = chart.release.clone().unwrap_or_else(|| layer.name.clone());
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
    Ok(Ok(Job {
        layer,
        chart,
        session,
        kube,
        tree,
        release,
        values,
        key,
    }))
}

impl Job<'_> {
    /// helm's output for this input: from this run's renders or the render cache when the
    /// same input was rendered before, else rendered (and kept, unless it shows a secret);
    /// `Err` is helm's message.
    pub fn rendered(&self) -> Rendered {
        let session = self.session;
        let cell = session
            .memo
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(self.key.clone())
            .or_default()
            .clone();
        cell.get_or_init(|| {
            let parsed = |out: &str| {
                Arc::new(objects::parse(
                    out,
                    &format!("{}/templates", self.chart.name),
                ))
            };
            let cached = session
                .cache
                .as_ref()
                .map(|dir| dir.join(self.key.trim_start_matches("sha256:")));
            if let Some(out) = cached.as_ref().and_then(|f| fs_err::read_to_string(f).ok()) {
                session
                    .reused
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                return Ok(parsed(&out));
            }
            let out = session.helm.template(
                &self.tree,
                &self.release,
                &self.chart.namespace,
                self.kube,
                self.values,
            )?;
            session
                .rendered
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            // Rendered manifests may hold secrets: the cache keeps only those that do not.
            // The cache only saves work: failing to keep an entry is no error.
            let secret_free = self.layer.masked.is_empty()
                && !crate::render::merged::secrets(&self.layer.values)
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

    /// The layer's objects of this chart; a chart whose values hold a secret is rendered
    /// again with decoys, and every line that differs is masked. A chart that fails is a
    /// problem of the layer; helm crashing is exit 2.
    pub fn objects(&self) -> Result<std::result::Result<Vec<Object>, Diagnostic>> {
        let (layer, chart) = (self.layer, self.chart);
        let docs = match self.rendered() {
            Ok(docs) => docs,
            Err(Failure::Template(why)) => {
                return Ok(Err(Diagnostic::plain(format!(
                    "layer `{}`: chart `{}` {}: helm: {why}",
                    layer.name, chart.name, chart.version
                ))));
            }
            Err(Failure::Crashed(why)) => {
                return Err(crate::error::Error::usage_hint(
                    format!(
                        "layer `{}`: chart `{}` {}: {why}",
                        layer.name, chart.name, chart.version
                    ),
                    Some(format!(
                        "this is helm's failure, not the chart's: run `{} template` on the chart to see it, or use another helm (STRATA_HELM)",
                        self.session.helm.program.display()
                    )),
                ));
            }
        };
        let mut found = Vec::new();
        for doc in docs.iter() {
            let source = format!("{}/{}", layer.name, doc.source);
            let mut o = match object(layer, Some(&chart.name), source, doc) {
                Ok(o) => o,
                Err(d) => return Ok(Err(d)),
            };
            o.release_namespace = chart.namespace.clone();
            found.push(o);
        }
        let held: Vec<&String> = self
            .session
            .secrets
            .iter()
            .filter(|s| !s.is_empty() && self.values.contains(s.as_str()))
            .collect();
        if !held.is_empty() {
            let mut decoy_values = self.values.to_string();
            for s in &held {
                decoy_values =
                    decoy_values.replace(s.as_str(), &crate::render::taint::decoy_text(s));
            }
            let decoy = self
                .session
                .helm
                .template(
                    &self.tree,
                    &self.release,
                    &chart.namespace,
                    self.kube,
                    &decoy_values,
                )
                .unwrap_or_default();
            let decoys = objects::documents(&decoy, &format!("{}/templates", chart.name));
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
}
