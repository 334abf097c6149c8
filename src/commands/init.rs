//! `strata init [DIR]`: a new catalog repository with strata.toml and an example profile.

use std::path::{Path, PathBuf};

use crate::atomic;
use crate::catalog::Catalog;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::files::Files;
use crate::model::config;
use crate::profile::{self, ProfileType};
use crate::scaffold;

/// Create a catalog repository: git init, strata.toml, and an example profile
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder of the new catalog (created if missing) [default: .]
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// Catalog name [default: the folder's name]
    #[arg(long)]
    pub name: Option<String>,

    /// Cloud of the example profile
    #[arg(long, default_value = "aws")]
    pub cloud: String,
}

pub fn run(args: Args, ctx: &Context) -> Result<()> {
    let dir = match (&ctx.dir, &args.dir) {
        (Some(c), Some(d)) => c.join(d),
        (Some(c), None) => c.clone(),
        (None, Some(d)) => d.clone(),
        (None, None) => PathBuf::from("."),
    };
    ctx.refuse_at("init")?;
    let config_path = dir.join(config::FILE_NAME);
    if config_path.exists() {
        return Err(Error::usage_hint(
            format!("`{}` already exists", config_path.display()),
            Some("this folder is already a catalog; `strata validate` checks it".to_string()),
        ));
    }
    let name = match args.name {
        Some(n) => n,
        None => default_name(&dir),
    };
    if !config::is_identifier(&name) {
        return Err(Error::usage_hint(
            format!("invalid catalog name `{name}`"),
            Some("use lowercase letters, digits, `-`, `_` and `.`, or pass `--name`".to_string()),
        ));
    }
    fs_err::create_dir_all(&dir)?;
    let config_text = scaffold::config(&name, "profiles");

    // Plan the example profile against the new configuration before writing anything.
    let source = crate::diagnostic::Source::new(config::FILE_NAME, config_text.as_str());
    let parsed = config::Config::parse(&source).map_err(Error::Catalog)?;
    let registries = crate::registry::Registries::open(
        &parsed,
        &source,
        &dir,
        &Files::Disk(dir.clone()),
        &ctx.registries,
    )?;
    let catalog = Catalog::new(&dir, Files::Disk(dir.clone()), parsed, source, registries);
    let cloud = scaffold::cloud_arg(&catalog, &args.cloud)?;
    let example = scaffold::plan_profile(&catalog, "example", &cloud, ProfileType::Full)?;
    let example = scaffold::render_checked(&catalog, &example, "profiles/example")?;

    let repo = own_repository(&dir)?;
    let profile_rel = format!("profiles/example/{}", profile::FILE_NAME);
    let config_text = scaffold::with_schema_line(&config_text, "", config::FILE_NAME);
    let example = scaffold::with_schema_line(&example, "profiles/example", profile::FILE_NAME);
    let schemas = scaffold::schema_files();
    let mut files: Vec<(&str, String)> =
        vec![(config::FILE_NAME, config_text), (&profile_rel, example)];
    files.extend(schemas.iter().map(|(p, t)| (p.as_str(), t.clone())));
    for (file, text) in [(".gitignore", GITIGNORE), (".gitattributes", GITATTRIBUTES)] {
        if !dir.join(file).exists() {
            files.push((file, text.to_string()));
        }
    }
    let paths: Vec<(PathBuf, &[u8])> = files
        .iter()
        .map(|(f, t)| (dir.join(f), t.as_bytes()))
        .collect();
    atomic::write_all(&paths)?;

    report_created(ctx, &dir, &repo, &name, &profile_rel);
    if let Repo::New { repo, .. } = &repo {
        // A first commit, so that `diff`, `release` and `lock --commit` work at once.
        let commit = first_commit(repo, &files, &format!("strata: new catalog `{name}`\n"))?;
        ctx.out.status(
            "Committed",
            &format!("{commit} ({})", crate::output::plural(files.len(), "file")),
        );
    }
    ctx.out.status(
        "Next",
        "`strata validate`, then `strata profile new NAME --cloud C` for your own stacks",
    );
    Ok(())
}

/// The catalog's repository: one that was there, or one `init` made (with the repository
/// around DIR, if any).
enum Repo {
    Existing,
    New {
        repo: git2::Repository,
        outer: Option<PathBuf>,
    },
}

/// DIR is a repository of its own: a catalog nested in another repository (strata run
/// from a checkout) would have its history, and its `git add`, mixed with that one's.
fn own_repository(dir: &Path) -> Result<Repo> {
    if git2::Repository::open(dir).is_ok() {
        return Ok(Repo::Existing);
    }
    let outer = git2::Repository::discover(dir)
        .ok()
        .and_then(|r| r.workdir().map(Path::to_path_buf));
    let mut opts = git2::RepositoryInitOptions::new();
    opts.initial_head("main");
    Ok(Repo::New {
        repo: git2::Repository::init_opts(dir, &opts)?,
        outer,
    })
}

/// Says what `init` created.
fn report_created(ctx: &Context, dir: &Path, repo: &Repo, name: &str, profile_rel: &str) {
    let shown = dir.display();
    match repo {
        Repo::New {
            outer: Some(outer), ..
        } => ctx.out.status(
            "Created",
            &format!(
                "git repository in `{shown}` (a repository of its own, inside `{}`)",
                outer.display()
            ),
        ),
        Repo::New { outer: None, .. } => ctx
            .out
            .status("Created", &format!("git repository in `{shown}`")),
        Repo::Existing => {}
    }
    ctx.out.status(
        "Created",
        &format!("`{}` (catalog `{name}`)", config::FILE_NAME),
    );
    ctx.out.status("Created", &format!("`{profile_rel}`"));
    ctx.out.status(
        "Created",
        &format!("`{}/` (JSON Schemas for editors)", scaffold::SCHEMA_DIR),
    );
}

/// Keeps temporary files of an interrupted write out of `git add`.
const GITIGNORE: &str = "# Temporary files of an interrupted strata run\n.strata-tmp-*\n";
/// Keeps git from converting lock files to CRLF (`lock --check` compares bytes).
const GITATTRIBUTES: &str = "profile.lock text eol=lf\n";

/// Commits `files` (paths relative to the work tree) as the repository's first commit.
fn first_commit(
    repo: &git2::Repository,
    files: &[(&str, String)],
    message: &str,
) -> Result<git2::Oid> {
    let mut index = repo.index()?;
    for (file, _) in files {
        index.add_path(Path::new(file))?;
    }
    index.write()?;
    let tree = repo.find_tree(index.write_tree()?)?;
    let sig = repo
        .signature()
        .or_else(|_| git2::Signature::now("strata", "strata@localhost"))?;
    Ok(repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &[])?)
}

fn default_name(dir: &Path) -> String {
    let abs = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let raw = abs
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let cleaned: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let cleaned = cleaned
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string();
    if cleaned.is_empty() {
        "catalog".to_string()
    } else {
        cleaned
    }
}
