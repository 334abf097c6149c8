//! `strata profile new NAME --cloud C [--type T]`: scaffold a profile.

use crate::atomic;
use crate::context::Context;
use crate::diagnostic::suggest;
use crate::error::{Error, Result};
use crate::model::config::is_identifier;
use crate::model::profile::{FILE_NAME, ProfileType};
use crate::scaffold;

/// Create and manage profiles
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    New(NewArgs),
}

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
    let text = scaffold::render_checked(&catalog, &plan, &dir)?;
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
