//! The command line, as clap sees it: the global options and the subcommand tree. Each
//! subcommand's own `Args` struct lives beside its code in `commands/`; `lib.rs` turns the
//! global options into a plain [`crate::context::Context`], and no domain module sees a clap
//! type.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::commands;

/// `strata --version`: the release, and the commit and commit date of the build when known.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), env!("STRATA_BUILD_INFO"));

/// Git-native Kubernetes cluster profiles: layered packs, version trains, and lock files.
#[derive(Debug, Parser)]
#[command(
    name = "strata",
    version = VERSION,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
    /// Run as if started in DIR (default: the nearest parent folder with strata.toml)
    #[arg(short = 'C', global = true, value_name = "DIR")]
    pub chdir: Option<PathBuf>,

    /// Where git registries are cached [default: $STRATA_CACHE, else the user cache folder]
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        env = "STRATA_CACHE",
        hide_env = true
    )]
    pub cache_dir: Option<PathBuf>,

    /// Read the catalog as of a tag or commit (read-only commands)
    #[arg(long, global = true, value_name = "REF")]
    pub at: Option<String>,

    /// Use the cache only; never touch the network [env: STRATA_OFFLINE=1]
    #[arg(long, global = true, env = "STRATA_OFFLINE", hide_env = true, value_parser = clap::builder::FalseyValueParser::new())]
    pub offline: bool,

    /// Output format for commands that print data [env: STRATA_FORMAT]
    #[arg(long, global = true, value_enum, default_value_t = Format::Text, env = "STRATA_FORMAT", hide_env = true)]
    pub format: Format,

    /// Print only errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print more detail
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// `--format` came from `STRATA_FORMAT`: a command that cannot print it prints text
    /// (an explicit `--format` it cannot print is refused).
    #[arg(skip)]
    pub format_from_env: bool,

    /// When to use colour (honours NO_COLOR) [env: STRATA_COLOR]
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto, value_name = "WHEN", env = "STRATA_COLOR", hide_env = true)]
    pub color: Color,
}

/// Parses the command line. `--color` is honoured even by the message of a command line
/// that does not parse: clap draws that message before it knows the option's value.
pub fn parse() -> Result<Cli, clap::Error> {
    use clap::{CommandFactory, FromArgMatches};
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let mut when = std::env::var("STRATA_COLOR").ok();
    for (i, a) in args.iter().enumerate() {
        let a = a.to_string_lossy();
        if a == "--" {
            break;
        }
        if let Some(v) = a.strip_prefix("--color=") {
            when = Some(v.to_string());
        } else if a == "--color" {
            when = args.get(i + 1).map(|v| v.to_string_lossy().into_owned());
        }
    }
    let choice = match when.as_deref() {
        Some("never") => clap::ColorChoice::Never,
        Some("always") => clap::ColorChoice::Always,
        _ => clap::ColorChoice::Auto,
    };
    let matches = Cli::command().color(choice).try_get_matches_from(args)?;
    let mut cli = Cli::from_arg_matches(&matches)?;
    cli.global.format_from_env =
        global_source(&matches, "format") == Some(clap::parser::ValueSource::EnvVariable);
    Ok(cli)
}

/// Where a global option's value came from: a global option given after the subcommand is
/// held by the subcommand's matches.
fn global_source(m: &clap::ArgMatches, id: &str) -> Option<clap::parser::ValueSource> {
    let mut source = m.value_source(id);
    let mut at = m;
    while let Some((_, sub)) = at.subcommand() {
        if let Some(s) = sub.value_source(id) {
            source = Some(s);
        }
        at = sub;
    }
    source
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    /// `diff` only: a pull-request comment
    Markdown,
    /// `validate` only: GitHub workflow annotations
    Github,
    /// `validate` only: SARIF 2.1.0, for code scanning
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Init(commands::init::Args),
    #[command(subcommand)]
    Registry(commands::registry::Command),
    Fetch(commands::fetch::Args),
    #[command(subcommand)]
    Pack(commands::pack::Command),
    #[command(subcommand)]
    Profile(commands::profile::Command),
    Validate(commands::validate::Args),
    Lock(commands::lock::LockArgs),
    Update(commands::lock::UpdateArgs),
    Verify(commands::verify::Args),
    Render(commands::render::Args),
    Images(commands::images::Args),
    Explain(commands::explain::Args),
    Diff(commands::diff::Args),
    Outdated(commands::outdated::Args),
    Release(commands::release::Args),
    Site(commands::site::Args),
    #[command(subcommand)]
    Cluster(commands::cluster::Command),
    Export(commands::export::Args),
    Completions(commands::shell::CompletionsArgs),
    Man(commands::shell::ManArgs),
    Schema(commands::shell::SchemaArgs),
}
