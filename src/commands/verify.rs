//! `strata verify [PROFILE…]`: fetch every registry again and check that every locked tag
//! still points at its commit and every locked digest still holds.

use serde::Serialize;

use crate::config::RegistryKind;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Source};
use crate::error::{Error, Result};
use crate::lockfile::{self, Lock, LockedLayer};
use crate::registry::{Registry, ReleaseRef};
use crate::version::Version;

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
        let file = format!("{}/{}", entry.dir, lockfile::FILE_NAME);
        let name = parsed
            .as_ref()
            .map_or(entry.folder_name.clone(), |p| p.name.clone());
        let mut problems = Vec::new();
        let mut layers = 0;
        match catalog.files.read(&file)? {
            None => problems.push(
                Diagnostic::file(&file, "no lock file to verify")
                    .with_hint("run `strata lock` first"),
            ),
            Some(bytes) => match Source::from_bytes(&file, &bytes).and_then(|s| Lock::parse(&s)) {
                Err(d) => problems.push(d.with_hint("run `strata lock` to rewrite it")),
                Ok(lock) => {
                    layers = lock.layers.len();
                    for l in &lock.layers {
                        if let Some(d) = verify_layer(&catalog, &file, l)? {
                            problems.push(d);
                        }
                    }
                }
            },
        }
        reports.push(Report {
            profile: name,
            lock: file,
            layers,
            problems,
        });
    }
    if ctx.json() {
        ctx.print_json(&reports);
    } else {
        for r in reports.iter().filter(|r| r.problems.is_empty()) {
            ctx.print(&format!("verified {}: {} layers", r.profile, r.layers));
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
fn verify_layer(
    catalog: &crate::catalog::Catalog,
    file: &str,
    l: &LockedLayer,
) -> Result<Option<Diagnostic>> {
    let at = |msg: String| Some(Diagnostic::file(file, format!("layer `{}`: {msg}", l.name)));
    let accept = format!(
        "if the change is intended, accept it with `strata update --pack {}`",
        l.pack
    );
    let Some(registry) = catalog.registries.get(&l.registry) else {
        return Ok(at(format!(
            "registry `{}` is no longer in strata.toml",
            l.registry
        )));
    };
    if registry.source() != l.source {
        return Ok(at(format!(
            "registry `{}` now reads `{}`, but the lock was made from `{}`",
            l.registry,
            registry.source(),
            l.source
        ))
        .map(|d| d.with_hint(accept.clone())));
    }
    let Some(version) = Version::parse(&l.version) else {
        return Ok(at(format!("invalid version `{}`", l.version)));
    };
    let path = if l.path == "." {
        String::new()
    } else {
        l.path.clone()
    };
    let git = registry.kind() == RegistryKind::Git;
    if git && let Some(tag) = &l.tag {
        let now = commit_of(registry, &l.pack, &version, &path, tag)?;
        match (now, &l.commit) {
            (None, _) => {
                return Ok(at(format!(
                    "tag `{tag}` is gone from registry `{}`",
                    l.registry
                ))
                .map(|d| d.with_hint(accept.clone())));
            }
            (Some(now), Some(was)) if now != *was => {
                return Ok(at(format!(
                        "tag `{tag}` of registry `{}` moved: the lock has commit {was}, the registry now has {now}",
                        l.registry
                    ))
                    .map(|d| d.with_hint(accept.clone())));
            }
            _ => {}
        }
    }
    let rev = if git {
        l.commit.clone().or_else(|| l.tag.clone())
    } else {
        None
    };
    let release = ReleaseRef { version, path, rev };
    let digest = match registry.pack(&l.pack, &release) {
        Ok(p) => p.digest.clone(),
        Err(Error::Catalog(d)) => {
            let why = d.first().map_or(String::new(), |d| d.message.clone());
            return Ok(at(format!(
                "{} {} cannot be read from registry `{}`: {why}",
                l.pack, l.version, l.registry
            ))
            .map(|d| d.with_hint(accept.clone())));
        }
        Err(e) => return Err(e),
    };
    if digest != l.digest {
        return Ok(at(format!(
            "the content of {} {} changed: the lock has {}, the registry now has {digest}",
            l.pack, l.version, l.digest
        ))
        .map(|d| d.with_hint(accept)));
    }
    Ok(None)
}

/// The commit a tag names now, or `None` when the tag is gone.
fn commit_of(
    registry: &Registry,
    pack: &str,
    version: &Version,
    path: &str,
    tag: &str,
) -> Result<Option<String>> {
    let listed = registry
        .releases(pack)?
        .iter()
        .any(|r| r.rev.as_deref() == Some(tag));
    if !listed {
        return Ok(None);
    }
    let release = ReleaseRef {
        version: version.clone(),
        path: path.to_string(),
        rev: Some(tag.to_string()),
    };
    registry.commit(&release)
}
