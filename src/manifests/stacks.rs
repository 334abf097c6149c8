//! Rendering many stacks at once (`render --all --manifests`, `validate --manifests`):
//! every chart of every stack is one job of one pool, so that helm stays busy on every core
//! while each distinct chart input is rendered once (the run's memo: see
//! [`super::Session::memo`]). Objects come back per stack, in layer order.

use std::sync::Arc;

use super::{Object, Session, chart, object, objects};
use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::lock::render::RenderedLayer;
use crate::model::chart::Chart;
use crate::model::pack::Pack;
use crate::render::FileKind;

/// One stack to render: its layers, their releases, its Kubernetes version and session.
pub struct Stack<'a> {
    pub kube: Option<String>,
    pub layers: &'a [RenderedLayer],
    pub packs: &'a [Arc<Pack>],
    pub session: &'a Session,
}

impl Stack<'_> {
    fn pack_of(&self, layer: &RenderedLayer) -> Option<&Pack> {
        self.packs
            .iter()
            .find(|p| p.name == layer.pack && p.version == layer.version)
            .map(|p| &**p)
    }
}

/// How many helm runs at once: helm is a process of its own, and a job that waits for
/// another's render of the same input holds no core, so twice the cores.
fn helm_workers() -> usize {
    std::thread::available_parallelism()
        .map_or(2, |c| c.get() * 2)
        .min(16)
}

/// Every object of each stack, in layer order: each chart through `helm template` (the
/// chart of a chart registry from its locked release; a chart a pack delivers from its
/// repository, checked against its `[[layer.chart]]` digest when the lock has one), then the
/// layer's manifest files; a stack with problems gives them. A chart whose inputs were
/// rendered before is taken from this run's renders or the render cache.
pub fn render(catalog: &Catalog, stacks: &[Stack]) -> Result<Vec<Result<Vec<Object>>>> {
    let jobs: Vec<(usize, &RenderedLayer, &Pack, &Chart)> = stacks
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            s.layers
                .iter()
                .filter_map(move |l| Some((l, s.pack_of(l)?)))
                .flat_map(move |(l, p)| l.charts.iter().map(move |c| (i, l, p, c)))
        })
        .collect();
    // What each chart is rendered from (each archive read once), then each distinct input
    // through helm once, on every core (no job waits for another's render), then the
    // objects.
    let fetched = chart::Fetched::default();
    let workers = helm_workers();
    let prepared = crate::parallel::pool(&jobs, workers, "a chart's archive", |(i, l, p, c)| {
        let s = &stacks[*i];
        chart::job(catalog, &fetched, (l, p, c), s.kube.as_deref(), s.session)
    })?;
    let mut seen = std::collections::HashSet::new();
    let distinct: Vec<&chart::Job> = prepared
        .iter()
        .filter_map(|r| r.as_ref().ok()?.as_ref().ok())
        .filter(|j| seen.insert(j.key.clone()))
        .collect();
    crate::parallel::pool(&distinct, workers, "a chart render", |j| {
        let _ = j.rendered();
    })?;
    let mut rendered = prepared
        .into_iter()
        .map(|r| match r? {
            Ok(job) => job.objects(),
            Err(d) => Ok(Err(d)),
        })
        .collect::<Vec<_>>()
        .into_iter();
    let mut out = Vec::with_capacity(stacks.len());
    for s in stacks {
        out.push(assemble(s, &mut rendered));
    }
    Ok(out)
}

type Rendered = Result<std::result::Result<Vec<Object>, crate::diagnostic::Diagnostic>>;

/// One stack's objects from its charts' results (taken from `rendered` in order) and its
/// manifest files.
fn assemble(s: &Stack, rendered: &mut impl Iterator<Item = Rendered>) -> Result<Vec<Object>> {
    let mut objects = Vec::new();
    let mut problems = Vec::new();
    let mut failed = None;
    for layer in s.layers {
        if s.pack_of(layer).is_none() {
            continue;
        }
        for _ in &layer.charts {
            match rendered.next() {
                Some(Ok(Ok(mut found))) => objects.append(&mut found),
                Some(Ok(Err(d))) => problems.push(d),
                Some(Err(e)) => failed = failed.or(Some(e)),
                None => {}
            }
        }
        for (file, kind) in &layer.kinds {
            if *kind != FileKind::Manifest {
                continue;
            }
            let source = format!("{}/{file}", layer.name);
            for doc in objects::parse(&layer.files[file], &source) {
                match object(layer, None, doc.source.clone(), &doc) {
                    Ok(o) => objects.push(o),
                    Err(d) => problems.push(d),
                }
            }
        }
    }
    if let Some(e) = failed {
        return Err(e);
    }
    if problems.is_empty() {
        Ok(objects)
    } else {
        Err(Error::Catalog(problems))
    }
}
