//! Computing lock files: which locks are current, re-resolving the rest (keeping every
//! locked release that is still valid, like Cargo), and describing what changed.

use std::collections::BTreeSet;

use crate::catalog::{Catalog, LoadedProfile, ProfileEntry};
use crate::check::{Checked, check_with};
use crate::diagnostic::{Diagnostic, Source, suggest};
use crate::error::{Error, Result, problems};
use crate::lockfile::{FILE_NAME, Lock, LockedLayer, inputs, is_newer};
use crate::model::config::{self, RegistryKind};
use crate::profile::{Profile, Request};
use crate::resolve::Preferences;

/// Which layers leave their lock behind.
#[derive(Debug, Clone, Default)]
pub enum Unlock {
    /// `lock`: keep every valid locked release.
    #[default]
    Nothing,
    /// `update`: every layer moves to its newest release.
    All,
    /// `update --pack P…`: only layers of these packs move.
    Packs(BTreeSet<String>),
}

/// The outcome for one profile.
pub struct Planned {
    pub name: String,
    /// `profiles/<name>/profile.lock`, relative to the catalog root.
    pub file: String,
    /// The profile's `profile.toml`, relative to the catalog root.
    pub profile_file: String,
    pub old_text: Option<String>,
    pub old: Option<Lock>,
    pub new_text: String,
    pub new: Lock,
    /// Why the old lock file could not be read, when it could not.
    pub corrupt: Option<Diagnostic>,
}

impl Planned {
    pub fn changed(&self) -> bool {
        self.old_text.as_deref() != Some(self.new_text.as_str())
    }

    /// One line per layer change, e.g. `aws-prod network calico 3.27.1 -> 3.27.2`.
    pub fn change_lines(&self) -> Vec<String> {
        let p = &self.name;
        let mut lines = Vec::new();
        let old = self.old.as_ref();
        for l in &self.new.layers {
            match old.and_then(|o| o.layer(&l.name)) {
                None => lines.push(format!("{p} {} {} {} (new)", l.name, l.pack, l.version)),
                Some(o) if o.pack != l.pack => lines.push(format!(
                    "{p} {} {} {} -> {} {}",
                    l.name, o.pack, o.version, l.pack, l.version
                )),
                Some(o) if o.version != l.version => lines.push(format!(
                    "{p} {} {} {} -> {}",
                    l.name, l.pack, o.version, l.version
                )),
                Some(o) if o.commit != l.commit || o.digest != l.digest => lines.push(format!(
                    "{p} {} {} {} (content changed)",
                    l.name, l.pack, l.version
                )),
                Some(_) => {}
            }
        }
        if let Some(o) = old {
            for l in &o.layers {
                if self.new.layer(&l.name).is_none() {
                    lines.push(format!("{p} {} {} {} (removed)", l.name, l.pack, l.version));
                }
            }
        }
        if lines.is_empty() && self.changed() {
            lines.push(format!("{p} lock refreshed"));
        }
        lines
    }
}

/// Everything a lock run found.
#[derive(Default)]
pub struct Plan {
    pub profiles: Vec<Planned>,
    pub problems: Vec<Diagnostic>,
    /// Lock files whose profile.toml is gone (reported, never deleted).
    pub orphans: Vec<String>,
}

/// Plans the locks of the named profiles (or all). Nothing is written.
pub fn plan(catalog: &Catalog, names: &[String], unlock: &Unlock) -> Result<Plan> {
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

fn plan_profile(
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
    let files = files_of(config, &profile);
    if matches!(unlock, Unlock::Nothing)
        && let (Some(lock), Some(text)) = (&old, &old_text)
        && is_current(catalog, &profile, lock, text, &files)?
    {
        return Ok(Ok(Planned {
            name: profile.name.clone(),
            profile_file: profile.file().to_string(),
            file,
            old_text: old_text.clone(),
            old: old.clone(),
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
    let layers = locked_layers(&checked);
    let digest = inputs(&files_of(config, &checked.profile), &layers);
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

/// The catalog files a resolution reads, for `inputs`: strata.toml, the profile, and the
/// profiles it extends.
/// Each comes with its content digest, computed once per file and run.
pub fn files_of<'a>(config: &'a Source, profile: &'a Profile) -> Vec<(&'a str, &'a str)> {
    let mut files = vec![
        (config::FILE_NAME, config.content_digest()),
        (profile.file(), profile.source.content_digest()),
    ];
    files.extend(
        profile
            .bases
            .iter()
            .map(|(_, s)| (s.name.as_str(), s.content_digest())),
    );
    files
}

/// The lock's record of the profile's bases.
pub fn bases_of(profile: &Profile) -> Vec<crate::lockfile::BaseFile> {
    profile
        .bases
        .iter()
        .map(|(_, s)| crate::lockfile::BaseFile {
            file: s.name.clone(),
            digest: s.content_digest().to_string(),
        })
        .collect()
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
                values: Some(crate::render::values::digest(&out.values)),
                rendered: Some(crate::render::digest(&out.files)),
            }
        })
        .collect()
}

/// Why a lock is not current.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stale {
    /// The text has CRLF line endings (git converted it); otherwise it would be current.
    LineEndings,
    /// A locked release of a builtin or dir registry no longer hashes to its digest.
    Content {
        layer: Box<LockedLayer>,
        mismatch: crate::lockfile::integrity::Mismatch,
    },
    /// The profile, `strata.toml` or the lock itself changed.
    Changed,
    /// A profile this one extends changed (its file).
    Base(String),
}

/// Whether a lock is current: see [`staleness`].
pub fn is_current(
    catalog: &Catalog,
    profile: &Profile,
    lock: &Lock,
    text: &str,
    files: &[(&str, &str)],
) -> Result<bool> {
    Ok(staleness(catalog, profile, lock, text, files)?.is_none())
}

/// A lock is current when it is in canonical form, its `inputs` match the files and its
/// own facts, it has the profile's layers, every locked release still satisfies its layer,
/// and (for builtin and dir registries, whose content is on this machine) every digest
/// still holds. Git releases are trusted here; `verify` fetches and checks them.
pub fn staleness(
    catalog: &Catalog,
    profile: &Profile,
    lock: &Lock,
    text: &str,
    files: &[(&str, &str)],
) -> Result<Option<Stale>> {
    let rendered = lock.render();
    if rendered != text {
        let crlf = text.contains("\r\n") && text.replace("\r\n", "\n") == rendered;
        if !crlf {
            return Ok(Some(Stale::Changed));
        }
        // Judge the rest as if the line endings were right, to say only what is wrong.
        return Ok(Some(
            staleness(catalog, profile, lock, &rendered, files)?.unwrap_or(Stale::LineEndings),
        ));
    }
    if inputs(files, &lock.layers) != lock.inputs || lock.layers.len() != profile.layers.len() {
        let now = Lock {
            bases: bases_of(profile),
            ..lock.clone()
        };
        return Ok(Some(match lock.changed_bases(&now).into_iter().next() {
            Some(file) => Stale::Base(file),
            None => Stale::Changed,
        }));
    }
    for (l, layer) in lock.layers.iter().zip(&profile.layers) {
        if l.values.is_none()
            || l.rendered.is_none()
            || l.name != layer.name
            || l.ty != layer.ty
            || l.pack != *layer.pack.get_ref()
            || l.requested != *layer.requested.get_ref()
            || layer
                .registry
                .as_ref()
                .is_some_and(|r| *r.get_ref() != l.registry)
        {
            return Ok(Some(Stale::Changed));
        }
        if let Request::Version(spec) = &layer.request
            && !spec.admits(&l.version)
        {
            return Ok(Some(Stale::Changed));
        }
        let Some(registry) = catalog.registries.get(&l.registry) else {
            return Ok(Some(Stale::Changed));
        };
        if registry.source() != l.source {
            return Ok(Some(Stale::Changed));
        }
        if registry.kind() != RegistryKind::Git {
            match registry.pack(&l.pack, &l.release()) {
                Ok(p) => {
                    if let Some(mismatch) =
                        crate::lockfile::integrity::check(l, None, Some(&p.digest))
                    {
                        return Ok(Some(Stale::Content {
                            layer: Box::new(l.clone()),
                            mismatch,
                        }));
                    }
                }
                Err(Error::Catalog(_)) => return Ok(Some(Stale::Changed)),
                Err(e) => return Err(e),
            }
        }
    }
    Ok(None)
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
