//! How the profiles of a cluster fit together: the add-on profiles' releases support the
//! cloud, and every `requires` and `conflicts` holds against the whole stack.

use std::sync::Arc;

use super::file::Cluster;
use crate::diagnostic::Diagnostic;
use crate::model::pack::{Pack, Target};
use crate::profile::Layer;

/// The add-on layers' releases (those after the first `infra`) support `cloud`.
pub(super) fn clouds(
    layers: &[(Layer, Arc<Pack>)],
    infra: usize,
    cloud: &str,
    cluster: &Cluster,
) -> Vec<Diagnostic> {
    layers
        .iter()
        .skip(infra)
        .filter(|(_, p)| !p.supports_cloud(cloud))
        .map(|(l, p)| {
            Diagnostic::at(
                &l.pack_src,
                l.pack.span(),
                format!(
                    "`{}` {} does not support cloud `{cloud}` of cluster `{}` (it supports {})",
                    p.name,
                    p.version,
                    cluster.name,
                    p.clouds.join(", ")
                ),
            )
        })
        .collect()
}

/// Every `requires` and `conflicts` of the add-on layers' releases holds against the whole
/// stack, and no release of the infra profile conflicts with an add-on.
pub(super) fn constraints(
    layers: &[(Layer, Arc<Pack>)],
    infra: usize,
    cluster: &Cluster,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let present = |t: &Target| -> Vec<&Arc<Pack>> {
        layers
            .iter()
            .filter(|(l, p)| match t {
                Target::Layer(ty) => l.ty == *ty,
                Target::Pack(name) => p.name == *name,
            })
            .map(|(_, p)| p)
            .collect()
    };
    for (i, (l, p)) in layers.iter().enumerate() {
        for r in &p.requires {
            let found = present(&r.target);
            // Within the infra profile, `requires` were checked when it was locked.
            if i < infra
                && found
                    .iter()
                    .all(|q| layers[..infra].iter().any(|(_, x)| Arc::ptr_eq(x, q)))
            {
                continue;
            }
            if found.is_empty() {
                if !r.optional {
                    problems.push(Diagnostic::at(
                        &l.pack_src,
                        l.pack.span(),
                        format!(
                            "{} {} requires {} {}, and cluster `{}` has none",
                            p.name, p.version, r.target, r.text, cluster.name
                        ),
                    ));
                }
                continue;
            }
            for q in found {
                if !r.spec.covers(&q.version) {
                    problems.push(Diagnostic::at(
                        &l.pack_src,
                        l.pack.span(),
                        format!(
                            "{} {} requires {} {}, and cluster `{}` has {} {}",
                            p.name, p.version, r.target, r.text, cluster.name, q.name, q.version
                        ),
                    ));
                }
            }
        }
        for c in &p.conflicts {
            for q in present(&c.target) {
                let both_infra =
                    i < infra && layers[..infra].iter().any(|(_, x)| Arc::ptr_eq(x, q));
                if !both_infra && !Arc::ptr_eq(p, q) && c.spec.covers(&q.version) {
                    problems.push(Diagnostic::at(
                        &l.pack_src,
                        l.pack.span(),
                        format!(
                            "{} {} conflicts with {} {}, and cluster `{}` has {} {}",
                            p.name, p.version, c.target, c.text, cluster.name, q.name, q.version
                        ),
                    ));
                }
            }
        }
    }
    problems
}
