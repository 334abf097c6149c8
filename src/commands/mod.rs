//! One module per subcommand; [`run`] is the single dispatch.

pub mod cluster;
pub mod diff;
pub mod explain;
pub mod export;
pub mod fetch;
pub mod init;
pub mod lock;
pub mod outdated;
pub mod pack;
pub mod profile;
pub mod registry;
pub mod release;
pub mod render;
pub mod validate;
pub mod verify;

use crate::cli::Command;
use crate::context::Context;
use crate::error::Result;

pub fn run(command: Command, ctx: &Context) -> Result<()> {
    if ctx.out.format == crate::output::OutputFormat::Markdown
        && !matches!(command, Command::Diff(_))
    {
        return Err(crate::error::Error::usage(
            "`--format markdown` is for `strata diff`; use text or json",
        ));
    }
    match command {
        Command::Init(args) => init::run(args, ctx),
        Command::Fetch(args) => fetch::run(args, ctx),
        Command::Registry(cmd) => registry::run(cmd, ctx),
        Command::Pack(cmd) => pack::run(cmd, ctx),
        Command::Profile(cmd) => profile::run(cmd, ctx),
        Command::Validate(args) => validate::run(args, ctx),
        Command::Lock(args) => lock::lock(args, ctx),
        Command::Update(args) => lock::update(args, ctx),
        Command::Verify(args) => verify::run(args, ctx),
        Command::Render(args) => render::run(args, ctx),
        Command::Explain(args) => explain::run(args, ctx),
        Command::Cluster(cmd) => cluster::run(cmd, ctx),
        Command::Export(args) => export::run(args, ctx),
        Command::Diff(args) => diff::run(args, ctx),
        Command::Outdated(args) => outdated::run(args, ctx),
        Command::Release(args) => release::run(args, ctx),
    }
}
