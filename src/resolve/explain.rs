//! Explanations in terms of the user's own lines: why no combination of releases works,
//! and why a newer release was passed over (`strata explain`).

use std::sync::Arc;

use super::candidates::Loaded;
use super::search::{Chosen, Search, broken, missing_requirement};
use crate::diagnostic::Diagnostic;
use crate::model::pack::Pack;
use crate::profile::{Layer, Profile};

impl Search<'_, '_> {
    /// Why there is no solution, in terms of the user's lines.
    pub(super) fn explain(&mut self) -> Vec<Diagnostic> {
        let n = self.options.len();
        // Load every candidate (this is the error path).
        let mut fit: Vec<Vec<Arc<Pack>>> = Vec::new();
        for i in 0..n {
            let mut list = Vec::new();
            for k in 0..self.options[i].releases.len() {
                if let Ok(Some(p)) = self.load(i, k) {
                    list.push(p);
                }
            }
            fit.push(list);
        }
        if let Some(d) = self.no_fit(&fit) {
            return d;
        }
        // A pair of layers that no two of their releases can satisfy.
        for i in 0..n {
            for j in (0..n).filter(|j| *j != i) {
                let any = fit[i]
                    .iter()
                    .any(|a| fit[j].iter().any(|b| self.compatible(i, a, j, b)));
                if !any && let Some(d) = self.blame(&fit, i, j) {
                    return vec![d];
                }
            }
        }
        let layers: Vec<String> = self
            .profile
            .layers
            .iter()
            .map(|l| format!("{} {}", l.pack.get_ref(), l.requested.get_ref()))
            .collect();
        vec![
            Diagnostic::file(
                &self.profile.source.name,
                format!(
                    "no combination of releases satisfies every `requires` and `conflicts` of {}",
                    layers.join(", ")
                ),
            )
            .with_hint("`strata pack show PACK` lists each release's constraints"),
        ]
    }

    /// A layer none of whose releases fits (every one of another layer type or cloud), or
    /// whose every release requires what the profile lacks.
    fn no_fit(&self, fit: &[Vec<Arc<Pack>>]) -> Option<Vec<Diagnostic>> {
        for (i, candidates) in fit.iter().enumerate() {
            let layer = &self.profile.layers[i];
            if candidates.is_empty() {
                // Every candidate is of another layer type or another cloud.
                if let Some(Some(Loaded::Unfit(d))) = self.options[i].loaded.first() {
                    return Some(d.clone());
                }
                continue;
            }
            if candidates
                .iter()
                .all(|p| self.missing_requirement(p).is_some())
            {
                let p = &candidates[0];
                let c = self.missing_requirement(p).expect("checked above");
                return Some(vec![
                    Diagnostic::at(
                        &layer.pack_src,
                        layer.pack.span(),
                        format!(
                            "{} {} requires {} {}, and the profile has none",
                            p.name,
                            layer.requested.get_ref(),
                            c.target,
                            c.text
                        ),
                    )
                    .with_hint("add a layer for it"),
                ]);
            }
        }
        None
    }

    /// The constraint the newest release of layer `i` puts on layer `j`, when no two of
    /// their releases fit together.
    fn blame(&self, fit: &[Vec<Arc<Pack>>], i: usize, j: usize) -> Option<Diagnostic> {
        // Blame the constraint the newest release of layer `i` puts on layer `j`.
        let a = &fit[i][0];
        let (c, conflict) = fit[j].iter().find_map(|b| self.broken(a, j, b))?;
        let (li, lj) = (&self.profile.layers[i], &self.profile.layers[j]);
        let other = &fit[j][0];
        // A conflict is about the other layer's pack; a requirement about its version.
        let (verb, link, (span_src, span), hint) = if conflict {
            (
                "conflicts with",
                "and",
                (&lj.pack_src, lj.pack.span()),
                format!("a profile holds either `{}` or `{}`", a.name, other.name),
            )
        } else {
            (
                "requires",
                "but",
                (&lj.requested_src, lj.requested.span()),
                format!(
                    "choose {} releases in `{}`, or {} releases that accept {} {}",
                    other.name,
                    c.text,
                    a.name,
                    other.name,
                    lj.requested.get_ref()
                ),
            )
        };
        Some(
            Diagnostic::at(
                span_src,
                span,
                format!(
                    "{} {} ({}) {verb} {} {}, {link} this layer asks for {} {}",
                    a.name,
                    li.requested.get_ref(),
                    line_in(&self.profile.source, li),
                    other.name,
                    c.text,
                    other.name,
                    lj.requested.get_ref()
                ),
            )
            .with_hint(hint),
        )
    }
}

/// A line of the profile's file (`line 12`), or `file:line` of a base's.
fn line_in(src: &crate::diagnostic::Source, l: &Layer) -> String {
    let s = &l.source;
    let line = s.text[..l.span.start.min(s.text.len())]
        .matches('\n')
        .count()
        + 1;
    if s.name == src.name {
        format!("line {line}")
    } else {
        format!("{}:{line}", s.name)
    }
}

/// How a broken constraint reads: a `conflicts` entry, or a `requires` entry.
fn verb(conflict: bool) -> &'static str {
    if conflict {
        "conflicts with"
    } else {
        "requires"
    }
}

/// Why `candidate` cannot replace the release of layer `index` next to the other chosen
/// releases: the first broken `requires` or `conflicts`, in words.
pub fn why_not(
    profile: &Profile,
    chosen: &[Chosen],
    index: usize,
    candidate: &Pack,
) -> Option<String> {
    for (j, other) in chosen.iter().enumerate() {
        if j == index {
            continue;
        }
        let b = &other.pack;
        if let Some((c, conflict)) = broken(profile, candidate, j, b) {
            return Some(format!(
                "it {} {} {}, and layer `{}` has {} {}",
                verb(conflict),
                b.name,
                c.text,
                other.layer.name,
                b.name,
                b.version
            ));
        }
        if let Some((c, conflict)) = broken(profile, b, index, candidate) {
            return Some(format!(
                "{} {} (layer `{}`) {} {} {}",
                b.name,
                b.version,
                other.layer.name,
                verb(conflict),
                candidate.name,
                c.text
            ));
        }
    }
    missing_requirement(profile, candidate).map(|c| {
        format!(
            "it requires {} {}, and the profile has none",
            c.target, c.text
        )
    })
}
