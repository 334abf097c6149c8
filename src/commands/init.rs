//! `strata init [DIR]`: a new catalog repository with strata.toml and an example profile.

use std::path::{Path, PathBuf};

use crate::atomic;
use crate::catalog::Catalog;
use crate::catalog::files::Files;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::model::config;
use crate::model::profile::{self, ProfileType};
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
    let catalog = Catalog {
        root: dir.clone(),
        files: Files::Disk(dir.clone()),
        registries,
        rendered: Default::default(),
        config: parsed,
        config_source: source,
    };
    let example = scaffold::plan_profile(&catalog, "example", &args.cloud, ProfileType::Full)?;
    let example = scaffold::render_checked(&catalog, &example, "profiles/example")?;

    let created_repo = if git2::Repository::discover(&dir).is_err() {
        let mut opts = git2::RepositoryInitOptions::new();
        opts.initial_head("main");
        git2::Repository::init_opts(&dir, &opts)?;
        true
    } else {
        false
    };
    atomic::write(&config_path, config_text.as_bytes())?;
    let profile_path = dir
        .join("profiles")
        .join("example")
        .join(profile::FILE_NAME);
    atomic::write(&profile_path, example.as_bytes())?;

    let shown = dir.display();
    if created_repo {
        ctx.out
            .status("Created", &format!("git repository in `{shown}`"));
    }
    ctx.out.status(
        "Created",
        &format!("`{}` (catalog `{name}`)", config::FILE_NAME),
    );
    ctx.out.status("Created", "`profiles/example/profile.toml`");
    ctx.out.status(
        "Next",
        "`strata validate`, then `strata profile new NAME --cloud C` for your own stacks",
    );
    Ok(())
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
