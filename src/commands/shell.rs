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

/// Print strata's man page (roff) for `man -l -`, or write one per command (--out DIR)
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write `strata.1` and a page for every command (`strata-lock.1`,
    /// `strata-registry-list.1`, ...) into DIR instead of printing `strata.1`
    #[arg(long, value_name = "DIR")]
    pub out: Option<std::path::PathBuf>,
}

pub fn completions(args: CompletionsArgs, ctx: &Context) -> Result<()> {
    let mut buf = Vec::new();
    crate::completion::script(&args.shell, &mut buf)?;
    ctx.out.print(&String::from_utf8_lossy(&buf));
    Ok(())
}

pub fn man(args: ManArgs, ctx: &Context) -> Result<()> {
    // `strata help COMMAND` is `strata COMMAND --help`: no page of its own.
    let mut cmd = crate::cli::Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut pages = Vec::new();
    man_pages(&cmd, &mut pages)?;
    let Some(dir) = args.out else {
        let (_, main) = pages.swap_remove(0);
        ctx.out.print(&String::from_utf8_lossy(&main));
        return Ok(());
    };
    let files: Vec<(std::path::PathBuf, &[u8])> = pages
        .iter()
        .map(|(name, text)| (dir.join(name), text.as_slice()))
        .collect();
    crate::atomic::write_all(&files)?;
    ctx.out.status(
        "Wrote",
        &format!(
            "{} man pages to {}",
            files.len(),
            crate::shown::one_line(&dir.display().to_string())
        ),
    );
    Ok(())
}

/// The page of `cmd` (`strata-registry-list.1`) and of each of its commands, depth first.
fn man_pages(cmd: &clap::Command, pages: &mut Vec<(String, Vec<u8>)>) -> Result<()> {
    let name = cmd.get_display_name().unwrap_or(cmd.get_name()).to_string();
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut buf)
        .map_err(Error::Io)?;
    pages.push((format!("{name}.1"), buf));
    for sub in cmd.get_subcommands() {
        if !sub.is_hide_set() {
            man_pages(sub, pages)?;
        }
    }
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
