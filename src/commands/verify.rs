//! `strata verify [PROFILE…]`: fetch every registry again and check that every locked tag
//! still points at its commit and every locked digest still holds.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::catalog::Catalog;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Source};
use crate::error::{Error, Result, problems as split};
use crate::lock::render::render_locked;
use crate::lockfile::integrity::{self, Mismatch};
use crate::lockfile::{FILE_NAME, Lock, LockedLayer};
use crate::model::config::RegistryKind;
use crate::output::plural;
use crate::profile::Profile;
use crate::registry::{Registries, Registry};
use crate::render::values;

/// Fetch registries again and check every locked tag, commit and content digest
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Profiles to verify (default: all)
    #[arg(value_name = "PROFILE", add = clap_complete::engine::ArgValueCandidates::new(crate::completion::profiles))]
    pub profiles: Vec<String>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct Report {
    profile: String,
    lock: String,
    layers: usize,
    /// The layers whose releases are signed, and who signed each (as the lock records it
    /// and `verify` found it again).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    signed: Vec<Signed>,
    problems: Vec<Diagnostic>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct Signed {
    layer: String,
    signer: String,
}

pub fn run(args: Args, ctx: &Context) -> Result<()> {
    let catalog = ctx.catalog_downloading_again()?;
    let mut read = Vec::new();
    for (entry, parsed) in catalog.load_profiles(&args.profiles)? {
        let file = format!("{}/{}", entry.dir, FILE_NAME);
        let lock = match split(catalog.files.read(&file))? {
            Err(d) => Err(d),
            Ok(None) => Err(vec![
                Diagnostic::file(&file, "no lock file to verify")
                    .with_hint("run `strata lock` first"),
            ]),
            Ok(Some(bytes)) => Source::from_bytes(&file, &bytes)
                .and_then(|s| Lock::parse(&s))
                .map_err(|d| vec![d.or_hint("run `strata lock` to rewrite it")]),
        };
        read.push((entry, parsed, file, lock));
    }
    // Every registry a lock names is fetched again, in parallel, before anything is read;
    // registries no selected lock names are left alone.
    let named: BTreeSet<&str> = read
        .iter()
        .filter_map(|(.., lock)| lock.as_ref().ok())
        .flat_map(|l| l.layers.iter().map(|l| l.registry.as_str()))
        .collect();
    let used: Vec<&Registry> = catalog
        .registries
        .iter()
        .filter(|r| named.contains(r.name.as_str()))
        .collect();
    Registries::prepare(&used)?;
    let mut reports = Vec::new();
    for (entry, parsed, file, lock) in read {
        let name = parsed
            .as_ref()
            .map_or(entry.folder_name.clone(), |p| p.name.clone());
        let mut problems = Vec::new();
        let mut layers = 0;
        let mut signed = Vec::new();
        match lock {
            Err(mut d) => problems.append(&mut d),
            Ok(lock) => {
                layers = lock.layers.len();
                signed = lock
                    .layers
                    .iter()
                    .filter_map(|l| {
                        Some(Signed {
                            layer: l.name.clone(),
                            signer: l.signer.clone()?,
                        })
                    })
                    .collect();
                for l in &lock.layers {
                    if let Some(d) = verify_layer(&catalog, &file, l)? {
                        problems.push(d);
                    }
                    problems.extend(verify_charts(&catalog, &file, l)?);
                }
                if problems.is_empty()
                    && let Ok(profile) = &parsed
                {
                    problems.extend(verify_outputs(&catalog, &file, profile, &lock)?);
                }
            }
        }
        reports.push(Report {
            profile: name,
            lock: file,
            layers,
            signed,
            problems,
        });
    }
    if ctx.out.json() {
        ctx.out.print_json_list("profiles", &reports);
    } else {
        for r in reports.iter().filter(|r| r.problems.is_empty()) {
            ctx.out.print(&format!(
                "verified {}: {}",
                r.profile,
                plural(r.layers, "layer")
            ));
        }
    }
    let problems: Vec<Diagnostic> = reports.into_iter().flat_map(|r| r.problems).collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Catalog(problems))
    }
}

/// The charts a layer locked (`lock_charts`), downloaded again from their repositories.
fn verify_charts(catalog: &Catalog, file: &str, l: &LockedLayer) -> Result<Vec<Diagnostic>> {
    let mut problems = Vec::new();
    for c in &l.charts {
        let now = catalog
            .registries
            .charts
            .digest(&c.repo, &c.name, &c.version)?;
        let what = match now {
            Some(now) if now == c.digest => continue,
            Some(now) => format!(
                "chart `{}` {} of `{}` changed: it was `{}` when locked, and is `{now}` now",
                c.name, c.version, c.repo, c.digest
            ),
            None => format!(
                "chart `{}` {} is gone from `{}` (it was `{}` when locked)",
                c.name, c.version, c.repo, c.digest
            ),
        };
        problems.push(
            Diagnostic::file(file, format!("layer `{}`: {what}", l.name))
                .with_hint(integrity::hint(l)),
        );
    }
    Ok(problems)
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
        let release = crate::registry::ReleaseRef {
            rev: Some(tag.clone()),
            ..l.release()
        };
        if let Some(problem) =
            signature_holds(registry, l, (&release, &format!("its tag `{tag}`")), &at)?
        {
            return Ok(Some(problem));
        }
    }
    let what = match registry.kind() {
        RegistryKind::Helm => "its archive",
        _ => "its manifest",
    };
    if matches!(registry.kind(), RegistryKind::Oci | RegistryKind::Helm)
        && let Some(problem) = signature_holds(registry, l, (&l.release(), what), &at)?
    {
        return Ok(Some(problem));
    }
    // A palette registry follows a branch: the release is its folder at the branch's
    // commit now, which must still hold the locked content.
    if registry.kind() == RegistryKind::Git
        && let (Some(branch), Some(was)) = (registry.branch(), &l.commit)
    {
        let now = registry
            .releases(&l.pack)?
            .iter()
            .find(|r| r.version == l.version)
            .cloned();
        let Some(now) = now else {
            return Ok(Some(
                at(format!(
                    "{} {} is gone from {branch} of registry `{}`",
                    l.pack, l.version, l.registry
                ))
                .with_hint(integrity::hint(l)),
            ));
        };
        let pack = registry.pack(&l.pack, &now)?;
        if pack.digest != l.digest {
            return Ok(mismatch(Mismatch::Branch {
                branch,
                was: was.clone(),
                now: now.rev.clone().unwrap_or_default(),
            }));
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

/// The lock's `values` and `rendered` digests, computed again from the locked releases: a
/// lock whose digests were edited to match its `inputs` is caught here.
fn verify_outputs(
    catalog: &Catalog,
    file: &str,
    profile: &Profile,
    lock: &Lock,
) -> Result<Vec<Diagnostic>> {
    let same_layers = lock.layers.len() == profile.layers.len()
        && lock
            .layers
            .iter()
            .zip(&profile.layers)
            .all(|(l, p)| l.name == p.name);
    if !same_layers {
        return Ok(vec![
            Diagnostic::file(file, "the lock's layers are not the profile's layers")
                .with_hint(format!("run `strata lock {}`", profile.name)),
        ]);
    }
    let rendered = match split(render_locked(
        catalog,
        profile,
        lock,
        None,
        &Default::default(),
    ))? {
        Ok(r) => r,
        Err(d) => return Ok(d),
    };
    let mut problems = Vec::new();
    for (l, r) in lock.layers.iter().zip(&rendered) {
        for (what, locked, now) in [
            ("values", &l.values, values::digest(&r.values)),
            ("rendered", &l.rendered, crate::render::digest(&r.files)),
        ] {
            if locked.as_deref() != Some(now.as_str()) {
                problems.push(
                    Diagnostic::file(
                        file,
                        format!(
                            "layer `{}`: the lock's `{what}` digest is not what the locked release gives ({now})",
                            l.name
                        ),
                    )
                    .with_hint(format!(
                        "the lock was edited, or the profile changed since: run `strata lock {}` and review the change",
                        profile.name
                    )),
                );
            }
        }
    }
    Ok(problems)
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

/// The JSON Schema of this command's `--format json` output.
pub(crate) fn json_schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![("verify", crate::schema::list::<Report>("profiles"))]
}

/// Whether the release tag of a layer from a registry with `signers` is still signed by a
/// listed key, and by the signer the lock records.
fn signature_holds(
    registry: &crate::registry::Registry,
    l: &crate::lockfile::LockedLayer,
    (release, what): (&crate::registry::ReleaseRef, &str),
    at: &dyn Fn(String) -> Diagnostic,
) -> Result<Option<Diagnostic>> {
    let Some(signers) = &registry.signers else {
        return Ok(None);
    };
    let hint = format!(
        "lock a release a key of `{}` signed (`strata update --pack {}`), or add the signer's key to it",
        signers.file, l.pack
    );
    Ok(match registry.signature(release)? {
        Some(crate::trust::Verdict::Refused(why)) => {
            Some(at(format!("{} {}: {what} {why}", l.pack, l.version)).with_hint(hint))
        }
        Some(crate::trust::Verdict::Signed(now)) if l.signer.as_ref() != Some(&now) => Some(
            at(format!(
                "{} {}: {what} is signed by `{now}`, and the lock records `{}`",
                l.pack,
                l.version,
                l.signer.as_deref().unwrap_or("no signer")
            ))
            .with_hint(hint),
        ),
        _ => None,
    })
}
