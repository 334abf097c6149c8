//! Talking to the remote: a first clone and later fetches, through the `git` program (the
//! default when it is installed: it reuses the remote's packs, hardlinks local clones, and
//! brings git's own credential handling) or through libgit2 (`STRATA_GIT_FETCH=libgit2`, or
//! no `git` on `PATH`), with a spinner on a terminal and credentials never stored.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use git2::{AutotagOption, CredentialType, FetchOptions, FetchPrune, RemoteCallbacks, Repository};

use super::GitSource;
use crate::error::Error;
use crate::registry::url::redact;

/// Why a fetch failed: the remote (exit code 3), or the local mirror (clone it again).
pub enum Fetch {
    Remote(String),
    Corrupt(String),
}

/// Whether fetches go through the `git` program.
fn git_cli() -> bool {
    static CLI: OnceLock<bool> = OnceLock::new();
    *CLI.get_or_init(|| {
        std::env::var("STRATA_GIT_FETCH").map_or(true, |v| v != "libgit2")
            && std::process::Command::new("git")
                .arg("--version")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
    })
}

/// Runs `git` without a terminal prompt; the error is its redacted stderr.
fn run_git(args: &[&std::ffi::OsStr]) -> Result<(), String> {
    let mut cmd = std::process::Command::new("git");
    cmd.args(args).stdin(std::process::Stdio::null());
    // Prompting for a password would hang a CI job; credential helpers and ssh-agent work.
    if !std::io::stdin().is_terminal() {
        cmd.env("GIT_TERMINAL_PROMPT", "0");
    }
    let out = cmd.output().map_err(|e| format!("cannot run `git`: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let message = stderr
        .lines()
        .map(|l| {
            l.trim()
                .trim_start_matches("fatal: ")
                .trim_start_matches("error: ")
        })
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    Err(redact(&message))
}

impl GitSource {
    pub(super) fn cannot_fetch(&self, why: &str) -> Error {
        Error::registry(
            &self.registry,
            format!("cannot fetch `{}`: {}", self.url.display, redact(why)),
        )
    }

    /// A spinner on a terminal while the network works.
    fn spinner(&self) -> indicatif::ProgressBar {
        let bar = self
            .settings
            .progress
            .add(indicatif::ProgressBar::new_spinner());
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} {pos}/{len} objects")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar.set_message(format!("fetching `{}`", self.registry));
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }

    /// A first clone into an empty place.
    pub(super) fn clone_into(&self, tmp: &Path) -> Result<(), String> {
        if git_cli() {
            let bar = self.spinner();
            let result = run_git(&[
                "clone".as_ref(),
                "--bare".as_ref(),
                "--quiet".as_ref(),
                "--".as_ref(),
                self.url.fetch.as_ref(),
                tmp.as_os_str(),
            ]);
            bar.finish_and_clear();
            result?;
            // The URL may carry credentials: the mirror keeps no remote, every fetch names it.
            run_git(&[
                "--git-dir".as_ref(),
                tmp.as_os_str(),
                "config".as_ref(),
                "--remove-section".as_ref(),
                "remote.origin".as_ref(),
            ])?;
            return Ok(());
        }
        let repo = Repository::init_bare(tmp).map_err(|e| e.message().to_string())?;
        match self.fetch(&repo) {
            Ok(()) => Ok(()),
            Err(Fetch::Remote(why) | Fetch::Corrupt(why)) => Err(why),
        }
    }

    /// Brings a mirror up to date: every head and tag, moved tags moved, deleted refs gone.
    pub(super) fn fetch(&self, repo: &Repository) -> Result<(), Fetch> {
        if git_cli() {
            let bar = self.spinner();
            let result = run_git(&[
                "--git-dir".as_ref(),
                repo.path().as_os_str(),
                "fetch".as_ref(),
                "--quiet".as_ref(),
                "--prune".as_ref(),
                "--force".as_ref(),
                "--no-write-fetch-head".as_ref(),
                "--".as_ref(),
                self.url.fetch.as_ref(),
                "+refs/heads/*:refs/heads/*".as_ref(),
                "+refs/tags/*:refs/tags/*".as_ref(),
            ]);
            bar.finish_and_clear();
            result.map_err(|why| {
                let corrupt = [
                    "corrupt",
                    "bad object",
                    "unable to read",
                    "not a git repository",
                ]
                .iter()
                .any(|w| why.contains(w) && !why.contains(&self.url.fetch));
                if corrupt {
                    Fetch::Corrupt(why)
                } else {
                    Fetch::Remote(why)
                }
            })?;
        } else {
            self.fetch_libgit2(repo).map_err(|e| {
                let why = e.message().to_string();
                if is_local_corruption(&e) {
                    Fetch::Corrupt(why)
                } else {
                    Fetch::Remote(why)
                }
            })?;
        }
        // One packed-refs file instead of a loose file per tag: listing thousands of tags
        // then reads one file.
        repo.refdb_compress()
            .map_err(|e| Fetch::Corrupt(e.message().to_string()))
    }

    fn fetch_libgit2(&self, repo: &Repository) -> Result<(), git2::Error> {
        let bar = self.spinner();
        let mut creds = Credentials::default();
        let mut callbacks = RemoteCallbacks::new();
        callbacks.credentials(|url, user, allowed| creds.next(url, user, allowed));
        callbacks.transfer_progress(|p| {
            bar.set_length(p.total_objects() as u64);
            bar.set_position(p.received_objects() as u64);
            true
        });
        let mut opts = FetchOptions::new();
        opts.remote_callbacks(callbacks);
        opts.prune(FetchPrune::On);
        opts.download_tags(AutotagOption::All);
        let result = repo
            .remote_anonymous(&self.url.fetch)
            .and_then(|mut remote| {
                remote.fetch(
                    &["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"],
                    Some(&mut opts),
                    None,
                )
            });
        bar.finish_and_clear();
        result
    }
}

/// Failures that mean the local mirror is damaged (rather than the remote unreachable), so
/// cloning again can help.
fn is_local_corruption(e: &git2::Error) -> bool {
    use git2::ErrorClass as C;
    matches!(
        e.class(),
        C::Odb | C::Zlib | C::Object | C::Reference | C::Index
    )
}

/// Tries each way of authenticating once: ssh-agent, then default keys, then credential
/// helpers, then `GIT_ASKPASS`. Nothing is stored.
#[derive(Default)]
struct Credentials {
    tried_agent: bool,
    keys_tried: usize,
    tried_helper: bool,
    tried_askpass: bool,
    tried_default: bool,
}

impl Credentials {
    fn next(
        &mut self,
        url: &str,
        user: Option<&str>,
        allowed: CredentialType,
    ) -> Result<git2::Cred, git2::Error> {
        if allowed.contains(CredentialType::USERNAME) {
            return git2::Cred::username(user.unwrap_or("git"));
        }
        if allowed.contains(CredentialType::SSH_KEY) {
            let user = user.unwrap_or("git");
            if !self.tried_agent && std::env::var_os("SSH_AUTH_SOCK").is_some() {
                self.tried_agent = true;
                return git2::Cred::ssh_key_from_agent(user);
            }
            let home = std::env::var_os("HOME").map(PathBuf::from);
            let keys: Vec<PathBuf> = ["id_ed25519", "id_ecdsa", "id_rsa"]
                .iter()
                .filter_map(|k| home.as_ref().map(|h| h.join(".ssh").join(k)))
                .filter(|p| p.is_file())
                .collect();
            if let Some(key) = keys.get(self.keys_tried) {
                self.keys_tried += 1;
                return git2::Cred::ssh_key(user, None, key, None);
            }
        }
        if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
            if !self.tried_helper {
                self.tried_helper = true;
                if let Ok(config) = git2::Config::open_default()
                    && let Ok(cred) = git2::Cred::credential_helper(&config, url, user)
                {
                    return Ok(cred);
                }
            }
            if !self.tried_askpass {
                self.tried_askpass = true;
                if let Some(cred) = askpass(url, user) {
                    return Ok(cred);
                }
            }
        }
        if allowed.contains(CredentialType::DEFAULT) && !self.tried_default {
            self.tried_default = true;
            return git2::Cred::default();
        }
        Err(git2::Error::new(
            git2::ErrorCode::Auth,
            git2::ErrorClass::Net,
            "authentication failed (tried ssh-agent, ~/.ssh keys, git credential helpers and GIT_ASKPASS)",
        ))
    }
}

/// Asks the `GIT_ASKPASS` program for a user name and password, as git does.
fn askpass(url: &str, user: Option<&str>) -> Option<git2::Cred> {
    let program = std::env::var_os("GIT_ASKPASS").filter(|p| !p.is_empty())?;
    let ask = |prompt: String| -> Option<String> {
        let out = std::process::Command::new(&program)
            .arg(prompt)
            .output()
            .ok()?;
        out.status.success().then(|| {
            String::from_utf8_lossy(&out.stdout)
                .trim_end_matches(['\r', '\n'])
                .to_string()
        })
    };
    let shown = redact(url);
    let user = match user {
        Some(u) => u.to_string(),
        None => ask(format!("Username for '{shown}': "))?,
    };
    let password = ask(format!("Password for '{shown}': "))?;
    git2::Cred::userpass_plaintext(&user, &password).ok()
}
