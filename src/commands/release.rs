//! `strata release PROFILE [VERSION]`: tag a profile's current, committed, locked state as
//! `profiles/<name>/v<version>`, so a cluster can pin it (`--at profiles/<name>/v<version>`).

use git2::{Repository, Signature, Status};

use crate::catalog::Catalog;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::model::version::Version;

/// Tag the profile's current locked state as profiles/<name>/v<version> (an annotated tag)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Profile to release
    #[arg(add = clap_complete::engine::ArgValueCandidates::new(crate::completion::profiles))]
    pub profile: String,
    /// Release version [default: `[profile] version`, else 1.0.0]
    pub version: Option<String>,
}

pub fn run(args: Args, ctx: &Context) -> Result<()> {
    ctx.refuse_at("release")?;
    let catalog = ctx.catalog_unfetched()?;
    let repo = Repository::discover(&catalog.root).map_err(|_| {
        Error::usage_hint(
            "`strata release` needs the catalog in a git repository",
            Some("run `git init` and commit the catalog first".to_string()),
        )
    })?;
    let (profile, _lock) = crate::lock::why::current_lock(&catalog, &args.profile)?;
    let version = match &args.version {
        Some(v) => Version::parse(v).ok_or_else(|| {
            Error::usage_hint(
                format!("invalid version `{v}`"),
                Some("a release version is a semantic version such as `1.2.0`".to_string()),
            )
        })?,
        None => profile.version.clone(),
    };
    let tag = format!("profiles/{}/v{version}", profile.name);
    if let Ok(existing) = repo.find_reference(&format!("refs/tags/{tag}")) {
        let at = existing
            .peel_to_commit()
            .map(|c| c.id().to_string())
            .unwrap_or_default();
        return Err(
            Diagnostic::plain(format!("`{tag}` already exists (at commit {at})"))
                .with_hint(format!(
                    "bump `version` in `{}`, or pass a new VERSION",
                    profile.file()
                ))
                .into(),
        );
    }
    // The released state must be the committed one: profile and lock unchanged, unstaged or
    // staged, against HEAD.
    let head = repo.head().and_then(|h| h.peel_to_commit()).map_err(|_| {
        Diagnostic::plain("the repository has no commit yet").with_hint("commit the catalog first")
    })?;
    let lock_file = format!("{}/{}", profile.dir, crate::lockfile::FILE_NAME);
    for file in [
        profile.file().to_string(),
        lock_file,
        crate::model::config::FILE_NAME.to_string(),
    ] {
        let path = relative(&repo, &catalog, &file)?;
        let status = repo
            .status_file(std::path::Path::new(&path))
            .unwrap_or(Status::WT_NEW);
        if !status.is_empty() {
            let what = if status.intersects(Status::WT_NEW | Status::INDEX_NEW)
                && head_lacks(&repo, &head, &path)
            {
                "is not committed"
            } else {
                "has uncommitted changes"
            };
            return Err(Diagnostic::file(
                &file,
                format!("{what}; a release tags the committed state"),
            )
            .with_hint("commit it first (`git add` and `git commit`)")
            .into());
        }
    }
    let sig = repo
        .signature()
        .or_else(|_| Signature::now("strata", "strata@localhost"))?;
    let message = format!("strata: release {} {version}\n", profile.name);
    let target = repo.find_object(head.id(), None)?;
    repo.tag(&tag, &target, &sig, &message, false)?;
    ctx.out
        .status("Released", &format!("`{tag}` at commit {}", head.id()));
    Ok(())
}

/// A catalog path relative to the repository's work tree.
fn relative(repo: &Repository, catalog: &Catalog, file: &str) -> Result<String> {
    let workdir = repo
        .workdir()
        .ok_or_else(|| Error::usage("the repository is bare"))?;
    let canon = |p: &std::path::Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let full = canon(&catalog.root).join(file);
    Ok(full
        .strip_prefix(canon(workdir))
        .unwrap_or(&full)
        .to_string_lossy()
        .replace('\\', "/"))
}

fn head_lacks(repo: &Repository, head: &git2::Commit, path: &str) -> bool {
    let _ = repo;
    head.tree()
        .map_or(true, |t| t.get_path(std::path::Path::new(path)).is_err())
}
