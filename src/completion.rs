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

/// The shell asking, for [`candidates`] (clap's completer takes [`VAR`] out of the
/// environment before it asks for them).
static SHELL: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Answers a completion request and exits, when this run is one.
pub fn answer_if_asked(factory: fn() -> clap::Command) {
    if let Ok(shell) = std::env::var(VAR) {
        let _ = SHELL.set(shell);
    }
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

/// Names as the asking shell inserts them into the command line: bash and PowerShell
/// insert a candidate as it is, so a name that is not plain is quoted for them (zsh and
/// fish quote what they insert themselves). A name with a control character is left out.
fn candidates(names: impl IntoIterator<Item = String>) -> Vec<CompletionCandidate> {
    let shell = SHELL.get().map_or("", String::as_str);
    let mut names: Vec<String> = names
        .into_iter()
        .filter(|n| !n.chars().any(char::is_control))
        .map(|n| quoted(shell, &n))
        .collect();
    names.sort();
    names.dedup();
    names.into_iter().map(CompletionCandidate::new).collect()
}

/// Whether a name is inserted as it is by every shell.
fn is_plain(name: &str) -> bool {
    !name.is_empty()
        && name.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '-' | '_' | '.' | '/' | '+' | ',' | '=' | ':' | '@')
        })
}

/// `name` quoted for `shell`'s command line.
fn quoted(shell: &str, name: &str) -> String {
    if is_plain(name) {
        return name.to_string();
    }
    match shell {
        // Backslashes keep the typed prefix matching, and keep the name literal both
        // on the command line and in the word bash globs when it reads the candidates.
        "bash" => name
            .chars()
            .flat_map(|c| {
                let plain = c.is_ascii_alphanumeric()
                    || matches!(c, '-' | '_' | '.' | '/' | '+' | ',' | '=' | ':' | '@');
                (!plain).then_some('\\').into_iter().chain([c])
            })
            .collect(),
        "powershell" => format!("'{}'", name.replace('\'', "''")),
        _ => name.to_string(),
    }
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

/// Layer names of the profile the command line names before the word being completed
/// (`explain aws-prod <TAB>`, `render aws-prod --layer <TAB>`), with its bases' layers; of
/// every profile when it names none.
pub fn layers() -> Vec<CompletionCandidate> {
    let Some(catalog) = catalog() else {
        return Vec::new();
    };
    let loaded = catalog.load_profiles(&[]).unwrap_or_default();
    let profiles: Vec<_> = loaded.into_iter().filter_map(|(_, p)| p.ok()).collect();
    let words = typed_words();
    let named = profiles.iter().find(|p| words.contains(&p.name));
    match named {
        Some(p) => candidates(p.layers.iter().map(|l| l.name.clone())),
        None => candidates(
            profiles
                .into_iter()
                .flat_map(|p| p.layers.into_iter().map(|l| l.name)),
        ),
    }
}

/// The words typed before the one being completed: the completion scripts run
/// `strata -- strata WORD… CURRENT`.
fn typed_words() -> Vec<String> {
    let args: Vec<String> = std::env::args().collect();
    let Some(dashes) = args.iter().position(|a| a == "--") else {
        return Vec::new();
    };
    let mut words: Vec<String> = args.into_iter().skip(dashes + 2).collect();
    words.pop();
    words
}

/// Cluster names: `[cluster] name`, or the folder's name for a file that does not parse.
pub fn clusters() -> Vec<CompletionCandidate> {
    let Some(catalog) = catalog() else {
        return Vec::new();
    };
    let loaded = crate::cluster::load_clusters(&catalog).unwrap_or_default();
    candidates(loaded.into_iter().map(|(file, parsed)| match parsed {
        Ok(c) => c.name,
        Err(_) => file.rsplit('/').nth(1).unwrap_or_default().to_string(),
    }))
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
