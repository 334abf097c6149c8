//! `strata registry list`, `strata registry add` and `strata registry remove`: the
//! registries of strata.toml.

use serde::Serialize;

use crate::atomic;
use crate::catalog::{Catalog, edit};
use crate::context::Context;
use crate::diagnostic::suggest;
use crate::error::{Error, Result};
use crate::model::config::{self, RegistryKind};

/// List, add and remove registries
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    List(ListArgs),
    Add(AddArgs),
    Remove(RemoveArgs),
}

/// Remove a registry from strata.toml (refused while a profile's layer or lock names it)
#[derive(Debug, clap::Args)]
pub struct RemoveArgs {
    /// Registry name
    #[arg(add = clap_complete::engine::ArgValueCandidates::new(crate::completion::registries))]
    pub name: String,
}

/// List registries in search order
#[derive(Debug, clap::Args)]
pub struct ListArgs {}

/// Add a registry to strata.toml (keeping its comments and layout)
#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// Registry name
    pub name: String,
    /// Git URL, or for a dir registry the folder relative to the catalog root
    pub url: String,
    /// Registry kind: git, dir, helm or oci [default: dir for a folder that is not a git repository, else git]
    #[arg(long)]
    pub kind: Option<String>,
    /// Folder inside the repository that holds the packs (git registries)
    #[arg(long)]
    pub path: Option<String>,
}

pub fn run(cmd: Command, ctx: &Context) -> Result<()> {
    match cmd {
        Command::List(_) => list(ctx),
        Command::Add(args) => add(args, ctx),
        Command::Remove(args) => remove(args, ctx),
    }
}

#[derive(Serialize, schemars::JsonSchema)]
struct Row {
    name: String,
    kind: &'static str,
    /// `strata`, `palette` or `helm`.
    format: &'static str,
    source: String,
    /// `built in`, `local`, `cached` or `not fetched`.
    cache: &'static str,
    /// Unknown for a git registry or chart repository that is not in the cache, and for an
    /// OCI registry (which lists no packs).
    packs: Option<usize>,
}

fn list(ctx: &Context) -> Result<()> {
    // Reports on the cache without fetching: a git registry's packs are counted only when
    // its mirror is there.
    let catalog = ctx.catalog_cached()?;
    let mut rows = Vec::new();
    for reg in catalog.registries.iter() {
        let cache = match reg.kind() {
            RegistryKind::Builtin => "built in",
            RegistryKind::Dir => "local",
            RegistryKind::Git | RegistryKind::Helm if reg.is_cached() => "cached",
            RegistryKind::Git | RegistryKind::Helm => "not fetched",
            RegistryKind::Oci => "by pack",
        };
        // An OCI registry lists no packs: it is read pack by pack.
        let packs = if reg.is_cached() && reg.kind() != RegistryKind::Oci {
            Some(reg.pack_names()?.len())
        } else {
            None
        };
        rows.push(Row {
            name: reg.name.clone(),
            kind: reg.kind().as_str(),
            format: reg.format_name(),
            source: reg.source(),
            cache,
            packs,
        });
    }
    if ctx.out.json() {
        ctx.out.print_json_list("registries", &rows);
    } else {
        let table: Vec<[String; 6]> = rows
            .iter()
            .map(|r| {
                [
                    r.name.clone(),
                    r.kind.to_string(),
                    r.format.to_string(),
                    r.source.clone(),
                    r.cache.to_string(),
                    r.packs.map_or("-".to_string(), |n| n.to_string()),
                ]
            })
            .collect();
        ctx.out.print(&crate::output::format_table(
            ["NAME", "KIND", "FORMAT", "SOURCE", "CACHE", "PACKS"],
            &table,
        ));
    }
    Ok(())
}

fn add(args: AddArgs, ctx: &Context) -> Result<()> {
    ctx.refuse_at("registry add")?;
    let root = Catalog::find_root(&ctx.start_dir())?;
    let path = root.join(config::FILE_NAME);
    let text = fs_err::read_to_string(&path)?;
    let kind = match args.kind.as_deref() {
        Some(k) => kind_arg(k)?,
        None => edit::default_kind(&root, &args.url),
    };
    let new = edit::NewRegistry {
        name: args.name,
        kind,
        url: args.url,
        path: args.path,
    };
    let (new_text, shown_url) = edit::add_registry(&root, &text, &new)?;
    atomic::write(&path, new_text.as_bytes())?;
    ctx.out.status(
        "Added",
        &format!("{} registry `{}` ({shown_url})", kind.as_str(), new.name),
    );
    Ok(())
}

/// `--kind` as the registry kind it names.
fn kind_arg(kind: &str) -> Result<RegistryKind> {
    match kind {
        "git" => Ok(RegistryKind::Git),
        "dir" => Ok(RegistryKind::Dir),
        "helm" => Ok(RegistryKind::Helm),
        "oci" => Ok(RegistryKind::Oci),
        other => Err(Error::usage_hint(
            format!("unknown registry kind `{other}`"),
            suggest(other, ["git", "dir", "helm", "oci"]),
        )),
    }
}

fn remove(args: RemoveArgs, ctx: &Context) -> Result<()> {
    ctx.refuse_at("registry remove")?;
    let catalog = ctx.catalog_cached()?;
    let names: Vec<&str> = catalog
        .config
        .registry
        .iter()
        .map(|r| r.get_ref().name.get_ref().as_str())
        .collect();
    if !names.contains(&args.name.as_str()) {
        let hint = if names.is_empty() && args.name == "public" {
            Some(format!(
                "`public` is the built-in registry `{}` implies when it lists none",
                config::FILE_NAME
            ))
        } else {
            suggest(&args.name, names.iter().copied())
        };
        return Err(Error::usage_hint(
            format!("unknown registry `{}`", args.name),
            hint,
        ));
    }
    let users = crate::lock::current::users_of_registry(&catalog, &args.name)?;
    if !users.is_empty() {
        return Err(Error::usage_hint(
            format!(
                "registry `{}` is used by {}: {}",
                args.name,
                crate::output::plural(users.len(), "profile"),
                users.join(", ")
            ),
            Some(
                "move those layers to another registry (`registry = \"…\"`) and run `strata lock` first"
                    .to_string(),
            ),
        ));
    }
    let path = catalog.root.join(config::FILE_NAME);
    let new_text = edit::remove_registry(&catalog.config_source.text, &args.name)?;
    atomic::write(&path, new_text.as_bytes())?;
    ctx.out
        .status("Removed", &format!("registry `{}`", args.name));
    Ok(())
}

/// The JSON Schema of this command's `--format json` output.
pub(crate) fn json_schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![("registry-list", crate::schema::list::<Row>("registries"))]
}
