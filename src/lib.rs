//! strata: Git-native Kubernetes cluster profiles. A profile is an ordered list of layers,
//! each choosing a pack release from a registry; strata checks, resolves and locks them.
//!
//! The binary only calls [`main`]; everything else lives in this library.

pub mod catalog;
pub mod check;
mod cli;
mod commands;
pub mod commit;
pub mod config;
pub mod context;
pub mod diagnostic;
pub mod digest;
pub mod error;
pub mod files;
pub mod fs;
pub mod lockfile;
pub mod locking;
pub mod pack;
pub mod param;
pub mod profile;
pub mod registry;
pub mod render;
pub mod resolve;
pub mod review;
pub mod scaffold;
pub mod values;
pub mod version;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::context::{Context, ERROR, OutputFormat, Verbosity};
use crate::error::Error;

/// Parses the command line, runs the command, prints any error once, and returns the exit code.
pub fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let choice = match cli.global.color {
        cli::Color::Always => anstream::ColorChoice::Always,
        cli::Color::Never => anstream::ColorChoice::Never,
        cli::Color::Auto => anstream::ColorChoice::Auto,
    };
    choice.write_global();
    let ctx = Context {
        dir: cli.global.chdir.clone(),
        cache_dir: cli.global.cache_dir.clone(),
        offline: cli.global.offline,
        at: cli.global.at.clone(),
        format: match cli.global.format {
            cli::Format::Text => OutputFormat::Text,
            cli::Format::Json => OutputFormat::Json,
            cli::Format::Markdown => OutputFormat::Markdown,
        },
        verbosity: if cli.global.quiet {
            Verbosity::Quiet
        } else if cli.global.verbose {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        },
    };
    match commands::run(cli.command, &ctx) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::Exit(code)) => ExitCode::from(code),
        Err(e) => {
            report(&e);
            ExitCode::from(e.exit_code())
        }
    }
}

/// Prints an error with its cause chain and hint, once.
fn report(e: &Error) {
    let mut err = anstream::stderr().lock();
    let _ = writeln!(err, "{ERROR}error{ERROR:#}: {e}");
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        let _ = writeln!(err, "  caused by: {c}");
        cause = c.source();
    }
    if let Some(hint) = e.hint() {
        let _ = writeln!(err, "  hint: {hint}");
    }
}
