//! `strata verify [PROFILE…]`: fetch every registry again and check that every locked tag
//! still points at its commit and every locked digest still holds.

use serde::Serialize;

use crate::catalog::Catalog;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Source};
use crate::error::{Error, Result, problems as split};
use crate::lock::integrity::{self, Mismatch};
use crate::lock::{FILE_NAME, Lock, LockedLayer};
use crate::model::config::RegistryKind;
use crate::registry::Registry;

/// Fetch registries again and check every locked tag, commit and content digest
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Profiles to verify (default: all)
    #[arg(value_name = "PROFILE")]
    pub profiles: Vec<String>,
}

#[derive(Serialize)]
struct Report {
    profile: String,
    lock: String,
    layers: usize,
    problems: Vec<Diagnostic>,
}

pub fn run(args: Args, ctx: &Context) -> Result<()> {
    let catalog = ctx.catalog_unfetched()?;
    let loaded = catalog.load_profiles(&args.profiles)?;
    // Every registry a lock names is fetched again, in parallel, before anything is read.
    catalog.registries.prepare_all()?;
    let mut reports = Vec::new();
    for (entry, parsed) in loaded {
        let file = format!("{}/{}", entry.dir, FILE_NAME);
        let name = parsed
            .as_ref()
            .map_or(entry.folder_name.clone(), |p| p.name.clone());
        let mut problems = Vec::new();
        let mut layers = 0;
        match split(catalog.files.read(&file))? {
            Err(mut d) => problems.append(&mut d),
            Ok(None) => problems.push(
                Diagnostic::file(&file, "no lock file to verify")
                    .with_hint("run `strata lock` first"),
            ),
            Ok(Some(bytes)) => {
                match Source::from_bytes(&file, &bytes).and_then(|s| Lock::parse(&s)) {
                    Err(d) => problems.push(d.with_hint("run `strata lock` to rewrite it")),
                    Ok(lock) => {
                        layers = lock.layers.len();
                        for l in &lock.layers {
                            if let Some(d) = verify_layer(&catalog, &file, l)? {
                                problems.push(d);
                            }
                        }
                    }
                }
            }
        }
        reports.push(Report {
            profile: name,
            lock: file,
            layers,
            problems,
        });
    }
    if ctx.out.json() {
        ctx.out.print_json(&reports);
    } else {
        for r in reports.iter().filter(|r| r.problems.is_empty()) {
            ctx.out
                .print(&format!("verified {}: {} layers", r.profile, r.layers));
        }
    }
    let problems: Vec<Diagnostic> = reports.into_iter().flat_map(|r| r.problems).collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Catalog(problems))
    }
}

/// Checks one locked layer against its registry as it is now.
fn verify_layer(catalog: &Catalog, file: &str, l: &LockedLayer) -> Result<Option<Diagnostic>> {
    let at = |msg: String| Diagnostic::file(file, format!("layer `{}`: {msg}", l.name));
    let Some(registry) = catalog.registries.get(&l.registry) else {
        return Ok(Some(at(format!(
            "registry `{}` is no longer in strata.toml",
            l.registry
        ))));
    };
    let mismatch = |m: Mismatch| Some(at(m.message(l, false)).with_hint(integrity::hint(l)));
    if registry.source() != l.source {
        return Ok(Some(
            at(format!(
                "registry `{}` now reads `{}`, but the lock was made from `{}`",
                l.registry,
                registry.source(),
                l.source
            ))
            .with_hint(integrity::hint(l)),
        ));
    }
    if registry.kind() == RegistryKind::Git
        && let Some(tag) = &l.tag
    {
        let Some(now) = commit_of(registry, l, tag)? else {
            return Ok(mismatch(Mismatch::Gone { tag: tag.clone() }));
        };
        if let Some(m) = integrity::check(l, Some(&now), None) {
            return Ok(mismatch(m));
        }
    }
    let digest = match registry.pack(&l.pack, &l.release()) {
        Ok(p) => p.digest.clone(),
        Err(Error::Catalog(d)) => {
            let why = d.first().map_or(String::new(), |d| d.message.clone());
            return Ok(Some(
                at(format!(
                    "{} {} cannot be read from registry `{}`: {why}",
                    l.pack, l.version, l.registry
                ))
                .with_hint(integrity::hint(l)),
            ));
        }
        Err(e) => return Err(e),
    };
    Ok(integrity::check(l, None, Some(&digest)).and_then(mismatch))
}

/// The commit a locked tag names now, or `None` when the tag is gone.
fn commit_of(registry: &Registry, l: &LockedLayer, tag: &str) -> Result<Option<String>> {
    let listed = registry
        .releases(&l.pack)?
        .iter()
        .any(|r| r.rev.as_deref() == Some(tag));
    if !listed {
        return Ok(None);
    }
    let mut release = l.release();
    release.rev = Some(tag.to_string());
    registry.commit(&release)
}
