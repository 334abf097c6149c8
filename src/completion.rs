//! Shell completion: `strata completions SHELL` prints the script a shell sources, which asks
//! strata itself (with `STRATA_COMPLETE=<shell>`) for candidates, so profile, pack, layer and
//! registry names are completed from the catalog at hand. Candidates are read from the
//! nearest catalog without fetching or printing anything; a catalog that cannot be read
//! completes nothing.

use clap_complete::engine::CompletionCandidate;

use crate::catalog::Catalog;
use crate::output::{Output, OutputFormat, Verbosity};

/// The variable the completion scripts set when they ask strata for candidates.
pub const VAR: &str = "STRATA_COMPLETE";

/// The shells `strata completions` writes a script for.
pub const SHELLS: [&str; 4] = ["bash", "zsh", "fish", "powershell"];

/// Answers a completion request and exits, when this run is one.
pub fn answer_if_asked(factory: fn() -> clap::Command) {
    clap_complete::CompleteEnv::with_factory(factory)
        .var(VAR)
        .complete();
}

/// The script that registers completions for `shell` (one of [`SHELLS`]).
pub fn script(shell: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let shells = clap_complete::env::Shells::builtins();
    let Some(completer) = shells.completer(shell) else {
        return Err(std::io::Error::other(format!("unknown shell `{shell}`")));
    };
    completer.write_registration(VAR, "strata", "strata", "strata", out)
}

fn catalog() -> Option<Catalog> {
    let root = Catalog::find_root(std::path::Path::new(".")).ok()?;
    let out = Output {
        format: OutputFormat::Text,
        verbosity: Verbosity::Quiet,
    };
    let settings =
        crate::context::registry_settings(crate::context::default_cache_dir(), true, out);
    Catalog::open(&root, &settings).ok()
}

fn candidates(names: impl IntoIterator<Item = String>) -> Vec<CompletionCandidate> {
    let mut names: Vec<String> = names.into_iter().collect();
    names.sort();
    names.dedup();
    names.into_iter().map(CompletionCandidate::new).collect()
}

/// Profile names: the folders of the profiles folder (nothing is parsed).
pub fn profiles() -> Vec<CompletionCandidate> {
    let Some(catalog) = catalog() else {
        return Vec::new();
    };
    candidates(
        catalog
            .profile_entries()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.folder_name),
    )
}

/// Layer names of every profile.
pub fn layers() -> Vec<CompletionCandidate> {
    let Some(catalog) = catalog() else {
        return Vec::new();
    };
    let loaded = catalog.load_profiles(&[]).unwrap_or_default();
    candidates(
        loaded
            .into_iter()
            .filter_map(|(_, p)| p.ok())
            .flat_map(|p| p.layers.into_iter().map(|l| l.name)),
    )
}

/// Pack names of every registry that can be read without fetching.
pub fn packs() -> Vec<CompletionCandidate> {
    let Some(catalog) = catalog() else {
        return Vec::new();
    };
    candidates(catalog.registries.all_pack_names().unwrap_or_default())
}

/// Registry names of strata.toml.
pub fn registries() -> Vec<CompletionCandidate> {
    let Some(catalog) = catalog() else {
        return Vec::new();
    };
    candidates(catalog.registries.names().map(str::to_string))
}
