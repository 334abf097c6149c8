//! strata: Git-native Kubernetes cluster profiles. A profile is an ordered list of layers,
//! each choosing a pack release from a registry; strata checks, resolves and locks them.
//!
//! The binary only calls [`main`]; everything else lives in this library. Imports run one
//! way, from the ground floor (digests, diagnostics, errors, YAML, output) up through
//! `model` → `profile` → [`registry`] (source × format) → [`lockfile`] → [`catalog`] →
//! `resolve` / [`render`] → [`check`] → `lock` → `cluster` → `review` / [`export`] /
//! `validate` / [`view`] → `commands` → `cli`; `docs/architecture.md` maps every concept to
//! its file.

pub(crate) mod annotate;
pub(crate) mod atomic;
pub mod catalog;
pub mod check;
mod cli;
pub(crate) mod cluster;
mod commands;
pub(crate) mod completion;
pub mod context;
pub mod diagnostic;
pub mod digest;
pub mod error;
pub mod export;
pub(crate) mod files;
pub mod limits;
pub(crate) mod lock;
pub mod lockfile;
pub(crate) mod manifests;
pub(crate) mod memo;
pub mod model;
pub(crate) mod outdated;
pub mod output;
pub(crate) mod parallel;
pub mod profile;
pub mod registry;
pub mod render;
pub(crate) mod resolve;
pub(crate) mod review;
pub(crate) mod scaffold;
pub(crate) mod schema;
pub mod shown;
pub(crate) mod site;
pub(crate) mod trust;
pub(crate) mod validate;
pub mod view;
pub(crate) mod yaml;

use crate::context::Context;
use crate::error::Error;
use crate::output::{Output, OutputFormat, Verbosity};

/// Ends the process with `code` once stdout and stderr are flushed, without the exit
/// handlers: the allocator would otherwise walk and free the whole heap (a few percent of
/// a short run such as `lock --check`). Call it only when the run is over: every file is
/// closed and every temporary removed by then (they are values that were dropped).
pub fn exit_now(code: u8) -> ! {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: `_exit` takes no pointers and never returns; nothing runs after it.
    unsafe { libc::_exit(i32::from(code)) }
}

/// Parses the command line, runs the command, prints any error once, and returns the exit
/// code.
pub fn run() -> u8 {
    completion::answer_if_asked(<cli::Cli as clap::CommandFactory>::command);
    let cli = match cli::parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let choice = match cli.global.color {
        cli::Color::Always => anstream::ColorChoice::Always,
        cli::Color::Never => anstream::ColorChoice::Never,
        cli::Color::Auto => anstream::ColorChoice::Auto,
    };
    choice.write_global();
    let mut format = match cli.global.format {
        cli::Format::Text => OutputFormat::Text,
        cli::Format::Json => OutputFormat::Json,
        cli::Format::Markdown => OutputFormat::Markdown,
        cli::Format::Github => OutputFormat::Github,
        cli::Format::Sarif => OutputFormat::Sarif,
    };
    // `STRATA_FORMAT=json` for a whole CI job: the commands that print no JSON print text.
    if cli.global.format_from_env && !commands::formats(&cli.command).contains(&format) {
        format = OutputFormat::Text;
    }
    let out = Output {
        format,
        verbosity: if cli.global.quiet {
            Verbosity::Quiet
        } else if cli.global.verbose {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        },
    };
    context::template_limits();
    let cache_dir = cli
        .global
        .cache_dir
        .clone()
        .unwrap_or_else(context::default_cache_dir);
    let ctx = Context {
        dir: cli.global.chdir.clone(),
        at: cli.global.at.clone(),
        out,
        registries: context::registry_settings(cache_dir, cli.global.offline, out),
    };
    match commands::run(cli.command, &ctx) {
        Ok(()) => 0,
        Err(Error::Exit(code)) => code,
        Err(e) => {
            output::report(&e);
            e.exit_code()
        }
    }
}
