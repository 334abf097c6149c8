//! `strata completions SHELL`, `strata man` and `strata schema NAME`: what a shell, `man` and
//! an editor read.

use clap::CommandFactory;

use crate::context::Context;
use crate::error::{Error, Result};

/// Print the shell completion script (completes profile, pack, layer and registry names from
/// the catalog at hand)
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// bash, zsh, fish or powershell
    #[arg(value_parser = clap::builder::PossibleValuesParser::new(crate::completion::SHELLS))]
    pub shell: String,
}

/// Print strata's man page (roff), for `man -l -` or a man1 folder
#[derive(Debug, clap::Args)]
pub struct ManArgs {}

pub fn completions(args: CompletionsArgs, ctx: &Context) -> Result<()> {
    let mut buf = Vec::new();
    crate::completion::script(&args.shell, &mut buf)?;
    ctx.out.print(&String::from_utf8_lossy(&buf));
    Ok(())
}

pub fn man(_: ManArgs, ctx: &Context) -> Result<()> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(crate::cli::Cli::command())
        .render(&mut buf)
        .map_err(Error::Io)?;
    ctx.out.print(&String::from_utf8_lossy(&buf));
    Ok(())
}

/// Print the JSON Schema of strata.toml, profile.toml, pack.toml or cluster.toml (for
/// editors: taplo, Even Better TOML)
#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// strata.toml, profile.toml, pack.toml, cluster.toml, or json/COMMAND for the JSON a
    /// command prints (json/diff, json/pack-list, ...)
    pub name: String,
}

pub fn schema(args: SchemaArgs, ctx: &Context) -> Result<()> {
    let schema = match args.name.strip_prefix("json/") {
        Some(command) => super::output_schemas()
            .into_iter()
            .find(|(n, _)| *n == command)
            .map(|(n, schema)| crate::schema::of_output(n, schema)),
        None => crate::schema::of_file(&args.name),
    };
    let schema = schema.ok_or_else(|| {
        let mut names: Vec<String> = crate::schema::FILES
            .iter()
            .map(|(f, _)| f.to_string())
            .collect();
        names.extend(
            super::output_schemas()
                .into_iter()
                .map(|(n, _)| format!("json/{n}")),
        );
        Error::usage_hint(
            format!("no schema named `{}`", args.name),
            crate::diagnostic::suggest(&args.name, names.iter().map(String::as_str))
                .or_else(|| Some(format!("one of: {}", names.join(", ")))),
        )
    })?;
    ctx.out.print(&crate::schema::text(&schema));
    Ok(())
}
