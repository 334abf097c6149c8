//! `strata registry list`, `strata registry add` and `strata registry remove`: the
//! registries of strata.toml.

use serde::Serialize;

use crate::atomic;
use crate::catalog::Catalog;
use crate::context::Context;
use crate::diagnostic::{Source, suggest};
use crate::error::{Error, Result};
use crate::model::config::{self, Config, RegistryKind, is_identifier};
use crate::registry::url::GitUrl;

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
    /// Registry kind: git or dir [default: dir for a folder that is not a git repository, else git]
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
    source: String,
    /// `built in`, `local`, `cached` or `not fetched`.
    cache: &'static str,
    /// Unknown for a git registry that is not in the cache.
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
            RegistryKind::Git if reg.is_cached() => "cached",
            RegistryKind::Git => "not fetched",
        };
        let packs = if reg.is_cached() {
            Some(reg.pack_names()?.len())
        } else {
            None
        };
        rows.push(Row {
            name: reg.name.clone(),
            kind: reg.kind().as_str(),
            source: reg.source(),
            cache,
            packs,
        });
    }
    if ctx.out.json() {
        ctx.out.print_json_list("registries", &rows);
    } else {
        let table: Vec<[String; 5]> = rows
            .iter()
            .map(|r| {
                [
                    r.name.clone(),
                    r.kind.to_string(),
                    r.source.clone(),
                    r.cache.to_string(),
                    r.packs.map_or("-".to_string(), |n| n.to_string()),
                ]
            })
            .collect();
        ctx.out.print(&crate::output::format_table(
            ["NAME", "KIND", "SOURCE", "CACHE", "PACKS"],
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
    let current =
        Config::parse(&Source::new(config::FILE_NAME, text.as_str())).map_err(Error::Catalog)?;

    if !is_identifier(&args.name) {
        return Err(Error::usage_hint(
            format!("invalid registry name `{}`", args.name),
            Some("use lowercase letters, digits, `-`, `_` and `.`".to_string()),
        ));
    }
    if current
        .registry
        .iter()
        .any(|r| r.get_ref().name.get_ref() == &args.name)
        || (current.registry.is_empty() && args.name == "public")
    {
        return Err(Error::usage(format!(
            "registry `{}` already exists",
            args.name
        )));
    }
    let kind = match args.kind.as_deref() {
        Some("git") => RegistryKind::Git,
        Some("dir") => RegistryKind::Dir,
        Some(other) => {
            return Err(Error::usage_hint(
                format!("unknown registry kind `{other}`"),
                suggest(other, ["git", "dir"]),
            ));
        }
        None if root.join(&args.url).is_dir()
            && !looks_like_url(&args.url)
            && git2::Repository::open(root.join(&args.url)).is_err() =>
        {
            RegistryKind::Dir
        }
        None => RegistryKind::Git,
    };
    let mut entry = toml_edit::Table::new();
    let mut shown_url = args.url.clone();
    entry.insert("name", toml_edit::value(args.name.as_str()));
    entry.insert("kind", toml_edit::value(kind.as_str()));
    match kind {
        RegistryKind::Dir => {
            if args.path.is_some() {
                return Err(Error::usage_hint(
                    "`--path` is for git registries",
                    Some(format!(
                        "for a dir registry, give the folder as the URL: `strata registry add {} FOLDER --kind dir`",
                        args.name
                    )),
                ));
            }
            config::check_relative_path(&args.url).map_err(|why| {
                Error::usage_hint(
                    why,
                    Some("give the folder relative to the catalog root".to_string()),
                )
            })?;
            if !root.join(&args.url).is_dir() {
                return Err(Error::usage(format!(
                    "folder `{}` does not exist (relative to the catalog root)",
                    args.url
                )));
            }
            entry.insert("path", toml_edit::value(args.url.as_str()));
        }
        RegistryKind::Git => {
            let url = GitUrl::parse(&args.url, &root).map_err(Error::usage)?;
            if let Some(p) = &args.path {
                config::check_relative_path(p).map_err(Error::usage)?;
            }
            // strata.toml is committed: strata never writes credentials into it.
            if url.credentials {
                return Err(Error::usage_hint(
                    format!(
                        "the URL carries credentials; strata does not write them into `{}`",
                        config::FILE_NAME
                    ),
                    Some(format!(
                        "add `{}` and let git supply the credentials (a credential helper, ssh-agent, or GIT_ASKPASS)",
                        url.display
                    )),
                ));
            }
            entry.insert("url", toml_edit::value(args.url.as_str()));
            if let Some(p) = &args.path {
                entry.insert("path", toml_edit::value(p.as_str()));
            }
            shown_url = url.display;
        }
        RegistryKind::Builtin => unreachable!("not selectable"),
    }

    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| Error::usage(e.to_string()))?;
    let had_none = current.registry.is_empty();
    let array = doc
        .entry("registry")
        .or_insert_with(|| toml_edit::Item::ArrayOfTables(toml_edit::ArrayOfTables::new()))
        .as_array_of_tables_mut()
        .ok_or_else(|| Error::usage("`registry` in strata.toml is not an array of tables"))?;
    if had_none {
        // Without any [[registry]] the builtin one was implied; keep it first.
        let mut public = toml_edit::Table::new();
        public.insert("name", toml_edit::value("public"));
        public.insert("kind", toml_edit::value("builtin"));
        array.push(public);
    }
    array.push(entry);
    let new_text = doc.to_string();
    // Never write a file strata itself would refuse.
    Config::parse(&Source::new(config::FILE_NAME, new_text.as_str())).map_err(Error::Catalog)?;
    atomic::write(&path, new_text.as_bytes())?;
    ctx.out.status(
        "Added",
        &format!("{} registry `{}` ({shown_url})", kind.as_str(), args.name),
    );
    Ok(())
}

fn looks_like_url(s: &str) -> bool {
    s.contains("://") || s.ends_with(".git") || (s.contains('@') && s.contains(':'))
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
    // Who uses it: a layer that names it, or a lock that holds a release from it.
    let mut users = Vec::new();
    let mut problems = Vec::new();
    for (entry, parsed) in catalog.load_profiles(&[])? {
        let profile = match parsed {
            Ok(p) => p,
            Err(mut d) => {
                problems.append(&mut d);
                continue;
            }
        };
        let lock = crate::lock::current::readable_lock(&catalog, &entry, &profile.name)?;
        let mut layers: Vec<&str> = profile
            .layers
            .iter()
            .filter(|l| {
                l.registry
                    .as_ref()
                    .is_some_and(|r| r.get_ref() == &args.name)
            })
            .map(|l| l.name.as_str())
            .collect();
        for l in lock.iter().flat_map(|l| &l.layers) {
            if l.registry == args.name && !layers.contains(&l.name.as_str()) {
                layers.push(&l.name);
            }
        }
        if !layers.is_empty() {
            users.push(format!("{} ({})", profile.name, layers.join(", ")));
        }
    }
    if !problems.is_empty() {
        // A profile that does not parse might use it: say why strata cannot tell.
        return Err(Error::Catalog(problems));
    }
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
    let text = catalog.config_source.text.clone();
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| Error::usage(e.to_string()))?;
    let array = doc
        .get_mut("registry")
        .and_then(|r| r.as_array_of_tables_mut())
        .ok_or_else(|| Error::usage("`registry` in strata.toml is not an array of tables"))?;
    let at = array
        .iter()
        .position(|t| t.get("name").and_then(|n| n.as_str()) == Some(args.name.as_str()))
        .ok_or_else(|| Error::usage(format!("unknown registry `{}`", args.name)))?;
    array.remove(at);
    if array.is_empty() {
        doc.remove("registry");
    }
    let new_text = doc.to_string();
    // Never write a file strata itself would refuse.
    Config::parse(&Source::new(config::FILE_NAME, new_text.as_str())).map_err(Error::Catalog)?;
    atomic::write(&path, new_text.as_bytes())?;
    ctx.out
        .status("Removed", &format!("registry `{}`", args.name));
    Ok(())
}

/// The JSON Schema of this command's `--format json` output.
pub(crate) fn json_schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![("registry-list", crate::schema::list::<Row>("registries"))]
}
