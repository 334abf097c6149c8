//! `strata profile new NAME --cloud C [--type T]`: scaffold a profile; `strata profile list`:
//! the profiles of the catalog and the state of their locks.

use crate::atomic;
use crate::context::Context;
use crate::diagnostic::suggest;
use crate::error::{Error, Result};
use crate::model::config::is_identifier;
use crate::profile::{FILE_NAME, ProfileType};
use crate::scaffold;

/// Create and manage profiles
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    New(NewArgs),
    List(ListArgs),
}

/// List the profiles: type, cloud, version, layers and whether the lock is current
#[derive(Debug, clap::Args)]
pub struct ListArgs {}

/// Scaffold a profile with trains of the newest core packs for a cloud
#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// Profile name (also its folder under the profiles folder)
    pub name: String,

    /// Cloud the profile targets (aws, azure, gcp, vsphere, openstack, maas, edge, ...)
    #[arg(long)]
    pub cloud: String,

    /// Profile type: infra, add-on or full
    #[arg(long = "type", default_value = "full", value_name = "TYPE")]
    pub ty: String,
}

pub fn run(cmd: Command, ctx: &Context) -> Result<()> {
    match cmd {
        Command::New(args) => new(args, ctx),
        Command::List(_) => list(ctx),
    }
}

fn new(args: NewArgs, ctx: &Context) -> Result<()> {
    let ty = ProfileType::parse(&args.ty).ok_or_else(|| {
        Error::usage_hint(
            format!("unknown profile type `{}`", args.ty),
            suggest(&args.ty, ["infra", "add-on", "full"]),
        )
    })?;
    if !is_identifier(&args.name) {
        return Err(Error::usage_hint(
            format!("invalid profile name `{}`", args.name),
            Some("use lowercase letters, digits, `-`, `_` and `.`".to_string()),
        ));
    }
    ctx.refuse_at("profile new")?;
    let catalog = ctx.catalog()?;
    let cloud = scaffold::cloud_arg(&catalog, &args.cloud)?;
    let taken = catalog
        .load_profiles(&[])?
        .into_iter()
        .find(|(entry, parsed)| match parsed {
            Ok(p) => p.name == args.name,
            Err(_) => entry.folder_name == args.name,
        });
    if let Some((entry, _)) = taken {
        return Err(Error::usage(format!(
            "profile `{}` already exists in `{}`",
            args.name,
            entry.file()
        )));
    }
    let dir = format!("{}/{}", catalog.profiles_dir(), args.name);
    let path = catalog.root.join(&dir).join(FILE_NAME);
    if path.exists() {
        return Err(Error::usage(format!("`{dir}/{FILE_NAME}` already exists")));
    }
    let plan = scaffold::plan_profile(&catalog, &args.name, &cloud, ty)?;
    let mut text = scaffold::render_checked(&catalog, &plan, &dir)?;
    // Editors find the schema when the catalog keeps one (`strata init` writes them).
    let schema = format!("{}/profile.schema.json", scaffold::SCHEMA_DIR);
    if catalog.root.join(&schema).is_file() {
        text = scaffold::with_schema_line(&text, &dir, FILE_NAME);
    }
    atomic::write(&path, text.as_bytes())?;
    ctx.out.status("Created", &format!("`{dir}/{FILE_NAME}`"));
    if ctx.out.verbosity > crate::output::Verbosity::Quiet {
        let layers: Vec<String> = plan
            .layers
            .iter()
            .map(|l| format!("{} {}", l.pack, l.version))
            .collect();
        ctx.out.status("Layers", &layers.join(", "));
    }
    Ok(())
}

#[derive(serde::Serialize, schemars::JsonSchema)]
struct Row {
    name: String,
    file: String,
    /// `type`, `cloud`, `version` and `layers` are `null` for a profile that does not parse.
    #[serde(rename = "type")]
    ty: Option<&'static str>,
    cloud: Option<String>,
    version: Option<String>,
    layers: Option<usize>,
    /// `current`, `stale`, `missing`, or `invalid` (the profile has problems).
    lock: &'static str,
}

/// Every profile with its lock's state, read without fetching (git releases are judged as
/// `lock --check` judges them: from the lock and the files). Problems are listed too, and
/// make the exit code 1 after the table.
fn list(ctx: &Context) -> Result<()> {
    let catalog = ctx.catalog_cached()?;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (entry, parsed) in catalog.load_profiles(&[])? {
        let profile = match parsed {
            Ok(p) => p,
            Err(mut d) => {
                problems.append(&mut d);
                rows.push(Row {
                    name: entry.folder_name.clone(),
                    file: entry.file(),
                    ty: None,
                    cloud: None,
                    version: None,
                    layers: None,
                    lock: "invalid",
                });
                continue;
            }
        };
        let lock_file = format!("{}/{}", entry.dir, crate::lockfile::FILE_NAME);
        let lock = if !catalog.files.exists(&lock_file) {
            "missing"
        } else {
            match crate::lock::current::lock_of(&catalog, &entry, &profile) {
                Ok(_) => "current",
                Err(Error::Catalog(_)) => "stale",
                Err(e) => return Err(e),
            }
        };
        rows.push(Row {
            name: profile.name.clone(),
            file: entry.file(),
            ty: Some(profile.ty.as_str()),
            cloud: Some(profile.cloud.get_ref().clone()),
            version: Some(profile.version.to_string()),
            layers: Some(profile.layers.len()),
            lock,
        });
    }
    if ctx.out.json() {
        ctx.out.print_json_list("profiles", &rows);
    } else if rows.is_empty() {
        ctx.out.status(
            "Empty",
            &format!(
                "no profiles in `{}`; `strata profile new NAME --cloud C` makes one",
                catalog.profiles_dir()
            ),
        );
    } else {
        let table: Vec<[String; 6]> = rows
            .iter()
            .map(|r| {
                let or_dash = |v: Option<String>| v.unwrap_or_else(|| "-".to_string());
                [
                    r.name.clone(),
                    or_dash(r.ty.map(str::to_string)),
                    or_dash(r.cloud.clone()),
                    or_dash(r.version.clone()),
                    or_dash(r.layers.map(|n| n.to_string())),
                    r.lock.to_string(),
                ]
            })
            .collect();
        ctx.out.print(&crate::output::format_table(
            ["PROFILE", "TYPE", "CLOUD", "VERSION", "LAYERS", "LOCK"],
            &table,
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Catalog(problems))
    }
}

/// The JSON Schema of this command's `--format json` output.
pub(crate) fn json_schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![("profile-list", crate::schema::list::<Row>("profiles"))]
}
