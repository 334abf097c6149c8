//! `strata validate [PROFILE…]`: check profiles against every rule of the design.

use serde::Serialize;

use crate::check::{check_defaults, check_with};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result, problems};
use crate::lock::current::readable_lock;
use crate::output::{plural, s};
use crate::resolve::Preferences;

/// Check profiles: layout, packs, releases, clouds, parameters, requires and conflicts
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Profiles to check (default: all)
    #[arg(value_name = "PROFILE")]
    pub profiles: Vec<String>,
}

#[derive(Serialize)]
struct Report {
    profiles: Vec<ProfileReport>,
    problems: Vec<Diagnostic>,
}

#[derive(Serialize)]
struct ProfileReport {
    name: String,
    file: String,
    valid: bool,
    layers: Vec<LayerReport>,
    problems: Vec<Diagnostic>,
}

#[derive(Serialize)]
struct LayerReport {
    name: String,
    #[serde(rename = "type")]
    ty: String,
    pack: String,
    registry: String,
    requested: String,
    version: String,
}

pub fn run(args: Args, ctx: &Context) -> Result<()> {
    let catalog = ctx.catalog()?;
    let loaded = catalog.load_profiles(&args.profiles)?;
    let mut report = Report {
        profiles: Vec::new(),
        problems: check_defaults(&catalog)?,
    };
    // A registry that cannot be read fails the profiles that read it, after the others
    // are reported.
    let mut unreadable = None;
    for (entry, parsed) in loaded {
        let checked = match parsed {
            // With a lock, validate the releases `strata lock` would keep.
            Ok(profile) => match problems(readable_lock(&catalog, &entry, &profile.name))? {
                Ok(lock) => {
                    let prefs = Preferences {
                        lock: lock.as_ref(),
                        ..Preferences::default()
                    };
                    match check_with(&catalog, profile, &prefs) {
                        Err(e @ Error::Registry { .. }) => {
                            unreadable.get_or_insert(e);
                            continue;
                        }
                        other => other?,
                    }
                }
                Err(d) => Err(d),
            },
            Err(problems) => Err(problems),
        };
        report.profiles.push(match checked {
            Ok(c) => ProfileReport {
                name: c.profile.name.clone(),
                file: entry.file(),
                valid: true,
                layers: c
                    .layers
                    .iter()
                    .map(|l| LayerReport {
                        name: l.layer.name.clone(),
                        ty: l.layer.ty.to_string(),
                        pack: l.pack.name.clone(),
                        registry: l.registry.name.clone(),
                        requested: l.layer.requested.get_ref().clone(),
                        version: l.pack.version.to_string(),
                    })
                    .collect(),
                problems: Vec::new(),
            },
            Err(problems) => ProfileReport {
                name: entry.folder_name.clone(),
                file: entry.file(),
                valid: false,
                layers: Vec::new(),
                problems,
            },
        });
    }
    // A problem outside the profile's own file (a bad default in strata.toml, a broken pack
    // release) is reported once, however many profiles meet it.
    let mut seen = std::collections::BTreeSet::new();
    for p in &mut report.profiles {
        let own = p.file.clone();
        p.problems.retain(|d| {
            d.file.as_deref() == Some(own.as_str())
                || seen.insert((d.location(), d.message.clone()))
        });
    }

    let invalid = report.profiles.iter().filter(|p| !p.valid).count();
    if ctx.out.json() {
        ctx.out.print_json(&report);
    } else if ctx.out.verbosity > crate::output::Verbosity::Quiet {
        let mut out = String::new();
        for p in report.profiles.iter().filter(|p| p.valid) {
            let layers: Vec<String> = p
                .layers
                .iter()
                .map(|l| format!("{} {}", l.pack, l.version))
                .collect();
            let layers = if layers.is_empty() {
                "no layers".to_string()
            } else {
                layers.join(", ")
            };
            out.push_str(&format!("ok {}: {layers}\n", p.name));
        }
        if report.profiles.is_empty() && unreadable.is_none() {
            ctx.out.status(
                "Checked",
                "no profiles (create one with `strata profile new NAME --cloud C`)",
            );
        } else if !out.is_empty() {
            ctx.out.print(&out);
        }
    }
    let mut problems = report.problems;
    for p in report.profiles.iter_mut() {
        problems.append(&mut p.problems);
    }
    if let Some(e) = unreadable {
        for d in &problems {
            crate::output::report(&Error::Catalog(vec![d.clone()]));
        }
        return Err(e);
    }
    if problems.is_empty() {
        return Ok(());
    }
    let total = report.profiles.len();
    problems.push(Diagnostic::plain(format!(
        "{} in {invalid} of {total} profile{}",
        plural(problems.len(), "problem"),
        s(total)
    )));
    Err(Error::Catalog(problems))
}
