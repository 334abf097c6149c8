//! Checking clusters (`cluster validate`, and `validate` without names): each one built as
//! of the profile releases it pins.

use super::build::{Built, build_without_secrets};
use super::file::{Cluster, LoadedCluster};
use crate::catalog::Catalog;
use crate::diagnostic::Diagnostic;
use crate::error::Result;
use crate::output::plural;
use crate::registry::Settings;

/// What checking clusters found.
pub struct Checks {
    /// One line per good cluster: (name, `aws-prod 1.1.0 + observability 2.0.0, 7 layers`).
    pub ok: Vec<(String, String)>,
    /// The problems of the others.
    pub problems: Vec<Diagnostic>,
    pub invalid: usize,
    pub total: usize,
}

/// Checks each cluster: parsed, pinned, fitting, its variables bound (`flags`, then `env`)
/// and every layer rendered. A sensitive variable may have no value here (pull-request
/// checks run without production secrets); one that has a value is checked.
pub fn check(
    catalog: &Catalog,
    settings: &Settings,
    loaded: Vec<LoadedCluster>,
    flags: &[String],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Checks> {
    let mut checks = Checks {
        ok: Vec::new(),
        problems: Vec::new(),
        invalid: 0,
        total: loaded.len(),
    };
    for (_, parsed) in loaded {
        let c = match parsed {
            Ok(c) => c,
            Err(mut d) => {
                checks.invalid += 1;
                checks.problems.append(&mut d);
                continue;
            }
        };
        match build_without_secrets(catalog, settings, &c, flags, env)? {
            Ok(b) => checks.ok.push((c.name.clone(), summary(&c, &b))),
            Err(mut d) => {
                checks.invalid += 1;
                checks.problems.append(&mut d);
            }
        }
    }
    Ok(checks)
}

/// `aws-prod 1.1.0 + observability 2.0.0, 7 layers`.
fn summary(c: &Cluster, b: &Built) -> String {
    let pins: Vec<String> = std::iter::once(&c.profile)
        .chain(&c.addons)
        .map(|r| r.label())
        .collect();
    format!("{}, {}", pins.join(" + "), plural(b.layers.len(), "layer"))
}
