//! Computing lock files: which locks are current ([`super::stale`]), re-resolving the rest
//! (keeping every locked release that is still valid, like Cargo), and describing what
//! changed.

use std::collections::BTreeSet;

pub use super::planned::{Plan, Planned, Unlock};
use super::stale::{bases_of, files_of, is_current};
use crate::catalog::{Catalog, LoadedProfile, ProfileEntry};
use crate::check::{Checked, check_with};
use crate::diagnostic::{Diagnostic, Source, suggest};
use crate::error::{Error, Result, problems};
use crate::lockfile::{FILE_NAME, Lock, LockedLayer, inputs, is_newer};
use crate::model::config::RegistryKind;
use crate::profile::Profile;
use crate::resolve::Preferences;

/// Plans the locks of the named profiles (or all). Nothing is written.
pub fn plan(catalog: &Catalog, names: &[String], unlock: &Unlock) -> Result<Plan> {
    // Every lock current by its own record: nothing to parse (see `super::kept`).
    if names.is_empty()
        && matches!(unlock, Unlock::Nothing)
        && let Some(plan) = super::kept::all_kept(catalog)?
    {
        return Ok(plan);
    }
    let loaded = catalog.load_profiles(names)?;
    let config = &catalog.config_source;
    let mut plan = Plan::default();
    if let Unlock::Packs(packs) = unlock {
        check_pack_names(&loaded, packs)?;
    }
    // Profiles without a lock, or an update, will read the registries: fetch the ones not
    // cached yet all at once rather than one by one as planning reaches them.
    let unlocked = loaded
        .iter()
        .any(|(e, _)| !catalog.files.exists(&format!("{}/{}", e.dir, FILE_NAME)));
    if unlocked || !matches!(unlock, Unlock::Nothing) {
        catalog.registries.warm();
    }
    // Profiles are independent: plan them on every core, keeping catalog order.
    type Outcome = Result<Result<Planned, Vec<Diagnostic>>>;
    let outcomes: Vec<Outcome> =
        crate::parallel::map(&loaded, 8, "a planning", |(entry, parsed)| match parsed {
            Ok(p) => plan_profile(catalog, entry, p.clone(), config, unlock),
            Err(d) => Ok(Err(d.clone())),
        })?;
    for outcome in outcomes {
        match outcome? {
            Ok(p) => plan.profiles.push(p),
            Err(mut d) => plan.problems.append(&mut d),
        }
    }
    if names.is_empty() {
        plan.orphans = catalog.orphan_locks()?;
    }
    Ok(plan)
}

pub(super) fn plan_profile(
    catalog: &Catalog,
    entry: &ProfileEntry,
    profile: Profile,
    config: &Source,
    unlock: &Unlock,
) -> Result<Result<Planned, Vec<Diagnostic>>> {
    let file = format!("{}/{}", entry.dir, FILE_NAME);
    // A lock that cannot be read (a symlink, say) or does not parse is rewritten from
    // scratch by `lock`; `--check` reports it.
    let (old_bytes, unreadable) = match problems(catalog.files.read(&file))? {
        Ok(bytes) => (bytes, None),
        Err(d) => (Some(Vec::new()), d.into_iter().next()),
    };
    let old_text = old_bytes
        .as_deref()
        .map(|bytes| String::from_utf8_lossy(bytes).into_owned());
    let (old, corrupt) = match &old_bytes {
        _ if unreadable.is_some() => (None, unreadable),
        Some(bytes) => match Source::from_bytes(&file, bytes).and_then(|s| Lock::parse(&s)) {
            Ok(l) if l.profile == profile.name => (Some(l), None),
            Ok(l) => (
                None,
                Some(Diagnostic::file(
                    &file,
                    format!(
                        "the lock is for profile `{}`, not `{}`",
                        l.profile, profile.name
                    ),
                )),
            ),
            // A newer strata's lock is a problem, not a corrupt lock to write anew.
            Err(d) if is_newer(&String::from_utf8_lossy(bytes)) => return Ok(Err(vec![d])),
            Err(d) => (None, Some(d)),
        },
        None => (None, None),
    };
    if matches!(unlock, Unlock::Nothing)
        && let (Some(lock), Some(text)) = (&old, &old_text)
        && is_current(catalog, &profile, lock, text)?
    {
        return Ok(Ok(Planned {
            name: profile.name.clone(),
            profile_file: profile.file().to_string(),
            file,
            old_text: old_text.clone(),
            old: None,
            new_text: text.clone(),
            new: lock.clone(),
            corrupt: None,
        }));
    }
    let prefs = Preferences {
        lock: old.as_ref(),
        unlock: match unlock {
            Unlock::Packs(p) => p.clone(),
            _ => BTreeSet::new(),
        },
        unlock_all: matches!(unlock, Unlock::All),
    };
    let name = profile.name.clone();
    let checked = match check_with(catalog, profile, &prefs)? {
        Ok(c) => c,
        Err(d) => return Ok(Err(d)),
    };
    let mut layers = locked_layers(&checked);
    if catalog.config.catalog.lock_charts {
        let problems = lock_charts(catalog, &checked, &mut layers)?;
        if !problems.is_empty() {
            return Ok(Err(problems));
        }
    }
    let digest = inputs(&files_of(config, &checked.profile, &layers), &layers);
    let new = Lock {
        profile: name.clone(),
        inputs: digest,
        bases: bases_of(&checked.profile),
        layers,
    };
    Ok(Ok(Planned {
        name,
        profile_file: checked.profile.file().to_string(),
        file,
        old_text,
        old,
        new_text: new.render(),
        new,
        corrupt,
    }))
}

/// The lock's view of each chosen release.
pub fn locked_layers(checked: &Checked) -> Vec<LockedLayer> {
    checked
        .layers
        .iter()
        .zip(&checked.outputs)
        .map(|(c, out)| {
            let git = c.registry.kind() == RegistryKind::Git;
            let tag = c
                .release
                .rev
                .clone()
                .filter(|rev| git && Some(rev) != c.commit.as_ref());
            LockedLayer {
                ty: c.layer.ty,
                name: c.layer.name.clone(),
                pack: c.pack.name.clone(),
                registry: c.registry.name.clone(),
                source: c.registry.source(),
                path: if c.release.path.is_empty() {
                    ".".to_string()
                } else {
                    c.release.path.clone()
                },
                requested: c.layer.requested.get_ref().clone(),
                version: c.pack.version.clone(),
                tag,
                commit: c.commit.clone(),
                digest: c.pack.digest.clone(),
                signer: c.registry.signer_of(&c.release),
                values: Some(crate::render::values::digest(&out.values)),
                rendered: Some(crate::render::digest(&out.files)),
                charts: Vec::new(),
            }
        })
        .collect()
}

/// `lock_charts`: each chart a strata or palette pack delivers, resolved in its repository
/// and recorded in the layer; a version the repository does not have is a problem at the
/// pack's `[[chart]]`. A layer that is itself a chart of a chart registry or a helm-format
/// registry is identified by its own digest already.
fn lock_charts(
    catalog: &Catalog,
    checked: &Checked,
    layers: &mut [LockedLayer],
) -> Result<Vec<Diagnostic>> {
    let mut problems = Vec::new();
    for (locked, c) in layers.iter_mut().zip(&checked.layers) {
        if c.registry.format_name() == "helm" {
            continue;
        }
        for chart in &c.pack.charts {
            match catalog
                .registries
                .charts
                .digest(&chart.repo, &chart.name, &chart.version)?
            {
                Some(digest) => locked.charts.push(crate::lockfile::LockedChart {
                    name: chart.name.clone(),
                    repo: chart.repo.clone(),
                    version: chart.version.clone(),
                    digest,
                }),
                None => {
                    let manifest = &c.pack.manifest;
                    let line = manifest
                        .text
                        .lines()
                        .position(|l| l.trim() == format!("version = \"{}\"", chart.version))
                        .map_or(1, |i| i + 1);
                    problems.push(
                        Diagnostic::at_line(
                            manifest,
                            line,
                            format!(
                                "chart `{}` {} is not in its repository `{}`",
                                chart.name, chart.version, chart.repo
                            ),
                        )
                        .with_hint("check the chart's version in its repository; `lock_charts` locks only charts that exist"),
                    );
                }
            }
        }
    }
    Ok(problems)
}

/// `update --pack` names packs some selected profile uses.
fn check_pack_names(loaded: &[LoadedProfile], packs: &BTreeSet<String>) -> Result<()> {
    let used: BTreeSet<&str> = loaded
        .iter()
        .filter_map(|(_, p)| p.as_ref().ok())
        .flat_map(|p| p.layers.iter().map(|l| l.pack.get_ref().as_str()))
        .collect();
    for p in packs {
        if !used.contains(p.as_str()) {
            return Err(Error::usage_hint(
                format!("no selected profile uses pack `{p}`"),
                suggest(p, used.iter().copied()),
            ));
        }
    }
    Ok(())
}
