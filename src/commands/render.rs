//! `strata render PROFILE [--layer L] [--out DIR]`: render a profile's layers from its lock,
//! never re-resolving.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::catalog::Catalog;
use crate::config::RegistryKind;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Source, suggest};
use crate::error::{Error, Result};
use crate::lockfile::{self, Lock};
use crate::profile::Profile;
use crate::registry::ReleaseRef;
use crate::render::{LayerInfo, ProfileInfo};
use crate::values;
use crate::version::Version;

/// Render a profile's configuration from its lock file (never re-resolving)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Profile to render
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub profile: Option<String>,
    /// Render every profile (with `--out`, into DIR/<profile>/<layer name>/<file>)
    #[arg(long, conflicts_with = "layer")]
    pub all: bool,
    /// Only this layer (by name)
    #[arg(long)]
    pub layer: Option<String>,
    /// Write DIR/<layer name>/<file> instead of printing
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// One rendered layer.
pub struct RenderedLayer {
    pub name: String,
    pub pack: String,
    pub version: String,
    pub files: BTreeMap<String, String>,
    pub values: BTreeMap<String, values::Effective>,
}

pub fn run(args: Args, ctx: &Context) -> Result<()> {
    let catalog = ctx.catalog_unfetched()?;
    let Some(name) = &args.profile else {
        return render_all(&catalog, args.out.as_deref(), ctx);
    };
    let (profile, lock) = current_lock(&catalog, name)?;
    if let Some(l) = &args.layer
        && lock.layer(l).is_none()
    {
        return Err(Error::usage_hint(
            format!("profile `{}` has no layer `{l}`", profile.name),
            suggest(l, lock.layers.iter().map(|l| l.name.as_str())),
        ));
    }
    let rendered = render_locked(&catalog, &profile, &lock, args.layer.as_deref())?;
    match &args.out {
        None => {
            let mut text = String::new();
            for layer in &rendered {
                for (file, content) in &layer.files {
                    text.push_str(&format!(
                        "==> {}/{file} ({} {}) <==\n",
                        layer.name, layer.pack, layer.version
                    ));
                    text.push_str(content);
                    if !content.ends_with('\n') {
                        text.push('\n');
                    }
                }
            }
            ctx.print(&text);
        }
        Some(dir) => {
            let base = ctx.start_dir().join(dir);
            let mut files = Vec::new();
            for layer in &rendered {
                for (file, content) in &layer.files {
                    files.push((base.join(&layer.name).join(file), content.as_bytes()));
                }
            }
            crate::fs::write_all_atomic(&files)?;
            ctx.status(
                "Rendered",
                &format!("{} files into `{}`", files.len(), dir.display()),
            );
        }
    }
    Ok(())
}

/// `--all`: every profile from its lock; nothing is written unless all of them render.
fn render_all(catalog: &Catalog, out: Option<&std::path::Path>, ctx: &Context) -> Result<()> {
    let mut text = String::new();
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    let mut problems = Vec::new();
    for (entry, parsed) in catalog.load_profiles(&[])? {
        let name = match &parsed {
            Ok(p) => p.name.clone(),
            Err(_) => entry.folder_name.clone(),
        };
        let rendered = parsed
            .map_err(Error::Catalog)
            .and_then(|profile| lock_of(catalog, &entry, &profile).map(|lock| (profile, lock)))
            .and_then(|(profile, lock)| render_locked(catalog, &profile, &lock, None));
        match rendered {
            Ok(layers) => {
                for layer in layers {
                    for (file, content) in layer.files {
                        match out {
                            Some(dir) => files.push((
                                ctx.start_dir()
                                    .join(dir)
                                    .join(&name)
                                    .join(&layer.name)
                                    .join(&file),
                                content,
                            )),
                            None => {
                                text.push_str(&format!(
                                    "==> {name}/{}/{file} ({} {}) <==\n",
                                    layer.name, layer.pack, layer.version
                                ));
                                text.push_str(&content);
                                if !content.ends_with('\n') {
                                    text.push('\n');
                                }
                            }
                        }
                    }
                }
            }
            Err(Error::Catalog(mut d)) => problems.append(&mut d),
            Err(e) => return Err(e),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Catalog(problems));
    }
    match out {
        None => ctx.print(&text),
        Some(dir) => {
            let refs: Vec<(PathBuf, &[u8])> = files
                .iter()
                .map(|(p, c)| (p.clone(), c.as_bytes()))
                .collect();
            crate::fs::write_all_atomic(&refs)?;
            ctx.status(
                "Rendered",
                &format!("{} files into `{}`", refs.len(), dir.display()),
            );
        }
    }
    Ok(())
}

/// A valid profile and its current lock; a missing, corrupt or stale lock is an error
/// pointing to `strata lock`.
pub fn current_lock(catalog: &Catalog, name: &str) -> Result<(Profile, Lock)> {
    let names = [name.to_string()];
    let (entry, parsed) = catalog
        .load_profiles(&names)?
        .into_iter()
        .next()
        .expect("load_profiles returns the named profile");
    let profile = parsed.map_err(Error::Catalog)?;
    let lock = lock_of(catalog, &entry, &profile)?;
    Ok((profile, lock))
}

/// The current lock of a parsed profile.
pub fn lock_of(
    catalog: &Catalog,
    entry: &crate::catalog::ProfileEntry,
    profile: &Profile,
) -> Result<Lock> {
    let file = format!("{}/{}", entry.dir, lockfile::FILE_NAME);
    let bytes = match catalog.files.read(&file)? {
        Some(b) => b,
        None => {
            return Err(Diagnostic::file(&file, "no lock file")
                .with_hint(format!("run `strata lock {}` first", profile.name))
                .into());
        }
    };
    let source = Source::from_bytes(&file, &bytes)?;
    let lock = Lock::parse(&source).map_err(|d| d.with_hint("run `strata lock` to rewrite it"))?;
    let files = crate::locking::files_of(catalog.config_source.text.as_bytes(), profile);
    if lock.profile != profile.name
        || !crate::locking::is_current(catalog, profile, &lock, &source.text, &files)?
    {
        return Err(Diagnostic::file(
            &file,
            "lock file is stale: the profile or strata.toml changed since it was written",
        )
        .with_hint(format!(
            "run `strata lock {}` and review the change",
            profile.name
        ))
        .into());
    }
    Ok(lock)
}

/// Renders the locked releases of a profile (all layers, or one).
pub fn render_locked(
    catalog: &Catalog,
    profile: &Profile,
    lock: &Lock,
    only: Option<&str>,
) -> Result<Vec<RenderedLayer>> {
    let infos: BTreeMap<String, LayerInfo> = lock
        .layers
        .iter()
        .map(|l| {
            let info = LayerInfo {
                name: l.name.clone(),
                ty: l.ty.to_string(),
                pack: l.pack.clone(),
                version: l.version.clone(),
            };
            (l.name.clone(), info)
        })
        .collect();
    let profile_info = ProfileInfo::of(profile);
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (l, layer) in lock.layers.iter().zip(&profile.layers) {
        if only.is_some_and(|o| o != l.name) {
            continue;
        }
        let registry = catalog.registries.get(&l.registry).ok_or_else(|| {
            Error::usage(format!("registry `{}` is not in strata.toml", l.registry))
        })?;
        let version = Version::parse(&l.version)
            .ok_or_else(|| Diagnostic::plain(format!("invalid locked version `{}`", l.version)))?;
        let git = registry.kind() == RegistryKind::Git;
        let release = ReleaseRef {
            version,
            path: if l.path == "." {
                String::new()
            } else {
                l.path.clone()
            },
            rev: if git {
                l.commit.clone().or_else(|| l.tag.clone())
            } else {
                None
            },
        };
        let pack = registry.pack(&l.pack, &release)?;
        if pack.digest != l.digest {
            problems.push(
                Diagnostic::plain(format!(
                    "the content of {} {} (registry `{}`) changed: the lock has {}, the registry now has {}",
                    l.pack, l.version, l.registry, l.digest, pack.digest
                ))
                .with_hint(format!("if the change is intended, accept it with `strata update --pack {}`", l.pack)),
            );
            continue;
        }
        let values = values::effective(
            &pack,
            layer,
            profile,
            &catalog.config,
            &catalog.config_source,
        );
        match pack
            .compiled()
            .and_then(|t| t.render(&values::plain(&values), &pack, &profile_info, &infos))
        {
            Ok(files) => out.push(RenderedLayer {
                name: l.name.clone(),
                pack: l.pack.clone(),
                version: l.version.clone(),
                files,
                values,
            }),
            Err(d) => problems.push(d),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Error::Catalog(problems))
    }
}
