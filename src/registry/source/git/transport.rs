//! Talking to the remote: a first clone and later fetches, through the `git` program (the
//! default when it is installed: it reuses the remote's packs, hardlinks local clones, and
//! brings git's own transports and credential handling) or, for local and `file://`
//! repositories only, through libgit2 (`STRATA_GIT_FETCH=libgit2`, or no `git` on `PATH`):
//! libgit2 is built without TLS and SSH. A spinner on a terminal; credentials never stored.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use git2::{AutotagOption, FetchOptions, FetchPrune, RemoteCallbacks, Repository};

use super::GitSource;
use crate::error::Error;
use crate::registry::settings::FetchWith;
use crate::registry::url::redact;

/// Why a fetch failed: the remote (exit code 3), the local mirror (clone it again), or this
/// machine (disk full: exit code 2).
pub enum Fetch {
    Remote(String),
    Corrupt(String),
    Local(String),
}

/// Failures of this machine rather than of the remote.
fn is_local(why: &str) -> bool {
    [
        "No space left on device",
        "Disk quota exceeded",
        "Read-only file system",
    ]
    .iter()
    .any(|w| why.contains(w))
}

/// Whether the `git` program runs on this machine (asked once per process: a fact of
/// the machine, not of a run).
fn git_installed() -> bool {
    static FOUND: OnceLock<bool> = OnceLock::new();
    *FOUND.get_or_init(|| {
        std::process::Command::new("git")
            .arg("--version")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Runs `git` without a terminal prompt, killing it when it has said nothing for `quiet`
/// (a stalled server); the error is its redacted stderr.
fn run_git(args: &[&std::ffi::OsStr], quiet: Duration) -> Result<(), String> {
    use std::io::Read;
    let secs = quiet.as_secs().max(1).to_string();
    let mut cmd = std::process::Command::new("git");
    cmd.args(["-c", "http.lowSpeedLimit=1", "-c"])
        .arg(format!("http.lowSpeedTime={secs}"))
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        // Only the transports strata accepts, whatever the user's git configuration allows.
        .env("GIT_ALLOW_PROTOCOL", "https:http:ssh:git:file");
    // Prompting for a password would hang a CI job; credential helpers and ssh-agent work.
    if !std::io::stdin().is_terminal() {
        cmd.env("GIT_TERMINAL_PROMPT", "0");
    }
    let mut child = cmd.spawn().map_err(|e| format!("cannot run `git`: {e}"))?;
    let Some(mut stderr) = child.stderr.take() else {
        return Err("cannot read the output of `git`".to_string());
    };
    // git reports progress on stderr as it receives data: each chunk proves it is alive.
    let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stderr.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut output = Vec::new();
    let stalled = loop {
        match rx.recv_timeout(quiet) {
            Ok(chunk) => {
                // Keep the tail only: progress lines of a long fetch add up.
                output.extend_from_slice(&chunk);
                if output.len() > 64 << 10 {
                    output.drain(..output.len() - (32 << 10));
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break false,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => break true,
        }
    };
    if stalled {
        let _ = child.kill();
    }
    let status = child.wait().map_err(|e| format!("cannot run `git`: {e}"))?;
    let _ = reader.join();
    if stalled {
        return Err(format!(
            "the remote sent nothing for {secs} s (set STRATA_FETCH_TIMEOUT to wait longer)"
        ));
    }
    if status.success() {
        return Ok(());
    }
    let lines = git_lines(&String::from_utf8_lossy(&output));
    if lines.is_empty() {
        return Err(format!("git exited with {status} and said nothing"));
    }
    Err(redact(&lines))
}

/// git's error lines as it wrote them, each on a line of its own after `git: ` (so no line
/// of the remote's starts a line of strata's output), without progress and without the
/// line naming the cache's temporary folder.
fn git_lines(stderr: &str) -> String {
    stderr
        .split(['\n', '\r'])
        .map(str::trim)
        .filter(|l| !l.is_empty() && !is_progress(l) && !l.starts_with("Cloning into "))
        .map(|l| format!("\n  git: {l}"))
        .collect()
}

/// git's progress lines (`Receiving objects:  42% (…)`, the remote's `Counting objects`),
/// which are no part of an error.
fn is_progress(line: &str) -> bool {
    let line = line.strip_prefix("remote: ").unwrap_or(line);
    [
        "Receiving objects",
        "Resolving deltas",
        "Counting objects",
        "Compressing objects",
        "Enumerating objects",
        "Total ",
    ]
    .iter()
    .any(|p| line.starts_with(p))
}

impl GitSource {
    pub(super) fn cannot_fetch(&self, why: &str) -> Error {
        Error::registry(
            &self.registry,
            // git's own lines follow on lines of their own.
            format!(
                "cannot fetch `{}`:{}{}",
                self.url.display,
                if why.starts_with('\n') { "" } else { " " },
                redact(why)
            ),
        )
    }

    /// A spinner on a terminal while the network works (with object counts when they are
    /// known: libgit2 reports them, the git program's are not parsed).
    fn spinner(&self, counts: bool) -> indicatif::ProgressBar {
        let bar = self
            .settings
            .progress
            .add(indicatif::ProgressBar::new_spinner());
        let template = if counts {
            "{spinner} {msg} {pos}/{len} objects"
        } else {
            "{spinner} {msg}"
        };
        bar.set_style(
            indicatif::ProgressStyle::with_template(template)
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar.set_message(format!("fetching `{}`", self.registry));
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }

    /// A first clone into an empty place. With the git program and a URL that carries no
    /// secret: `git clone --bare` (it writes every tag into one packed-refs file, where a
    /// fetch into an empty repository writes a loose file per tag: 1.4 s against 8.5 s for
    /// 12,000 tags), whose `origin` remote is then removed, and a fetch for the rest.
    /// Otherwise an empty bare repository and a fetch that names the URL, so that no
    /// configuration file ever holds the URL's credentials.
    /// Whether fetches go through the `git` program: when the run allows it and it is
    /// installed.
    fn git_cli(&self) -> bool {
        self.settings.fetch_with == FetchWith::GitProgram && git_installed()
    }

    pub(super) fn clone_into(&self, tmp: &Path) -> Result<(), Fetch> {
        if self.git_cli() && !self.url.credentials {
            let bar = self.spinner(false);
            let result = run_git(
                &[
                    "clone".as_ref(),
                    "--bare".as_ref(),
                    "--progress".as_ref(),
                    "--".as_ref(),
                    self.url.fetch.as_ref(),
                    tmp.as_os_str(),
                ],
                self.settings.fetch_timeout,
            );
            bar.finish_and_clear();
            result.map_err(|why| {
                if is_local(&why) {
                    Fetch::Local(why)
                } else {
                    Fetch::Remote(why)
                }
            })?;
            // The clone's `origin` names the URL: no configuration keeps it.
            run_git(
                &[
                    "--git-dir".as_ref(),
                    tmp.as_os_str(),
                    "config".as_ref(),
                    "--remove-section".as_ref(),
                    "remote.origin".as_ref(),
                ],
                self.settings.fetch_timeout,
            )
            .map_err(Fetch::Local)?;
            let repo =
                Repository::open_bare(tmp).map_err(|e| Fetch::Corrupt(e.message().to_string()))?;
            return self.fetch(&repo);
        }
        let repo = Repository::init_bare(tmp).map_err(|e| Fetch::Local(e.message().to_string()))?;
        self.fetch(&repo)
    }

    /// Brings a mirror up to date: every head and tag, moved tags moved, deleted refs gone.
    pub(super) fn fetch(&self, repo: &Repository) -> Result<(), Fetch> {
        if self.git_cli() {
            let bar = self.spinner(false);
            let mut args: Vec<&std::ffi::OsStr> = vec![
                "--git-dir".as_ref(),
                repo.path().as_os_str(),
                "fetch".as_ref(),
                "--progress".as_ref(),
                "--prune".as_ref(),
                "--force".as_ref(),
                "--no-write-fetch-head".as_ref(),
                "--".as_ref(),
                self.url.fetch.as_ref(),
                "+refs/heads/*:refs/heads/*".as_ref(),
                "+refs/tags/*:refs/tags/*".as_ref(),
            ];
            // The remote's default branch, for registries that follow it (palette).
            if self.follow_head {
                args.push("+HEAD:refs/strata/remote-head".as_ref());
            }
            let result = run_git(&args, self.settings.fetch_timeout);
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
                if is_local(&why) {
                    Fetch::Local(why)
                } else if corrupt {
                    Fetch::Corrupt(why)
                } else {
                    Fetch::Remote(why)
                }
            })?;
        } else if !self.url.fetch.starts_with("file://") && !self.url.fetch.starts_with('/') {
            // libgit2 is built without TLS and SSH: remote repositories go through `git`.
            return Err(Fetch::Remote(format!(
                "fetching `{}` needs the `git` program (strata reads local and file:// repositories itself); install git",
                self.url.display
            )));
        } else {
            self.fetch_libgit2(repo).map_err(|e| {
                let why = e.message().to_string();
                if is_local(&why) {
                    Fetch::Local(why)
                } else if is_local_corruption(&e) {
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
        let bar = self.spinner(true);
        let millis = i32::try_from(self.settings.fetch_timeout.as_millis()).unwrap_or(i32::MAX);
        // SAFETY: libgit2 options are process-wide; every fetch of a run sets the same values.
        unsafe {
            git2::opts::set_server_connect_timeout_in_milliseconds(millis)?;
            git2::opts::set_server_timeout_in_milliseconds(millis)?;
        }
        let mut callbacks = RemoteCallbacks::new();
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
                let mut specs = vec!["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"];
                if self.follow_head {
                    specs.push("+HEAD:refs/strata/remote-head");
                }
                remote.fetch(&specs, Some(&mut opts), None)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_lines_are_kept_as_git_wrote_them() {
        let stderr = "Cloning into bare repository '/cache/x.tmp-1'...\nremote: Counting objects: 3\rremote: Repository not found.\nfatal: repository 'https://h/x.git/' not found\n";
        assert_eq!(
            git_lines(stderr),
            "\n  git: remote: Repository not found.\n  git: fatal: repository 'https://h/x.git/' not found"
        );
        assert!(is_progress("Receiving objects:  42% (5/12)"));
        assert!(!is_progress("repository not found"));
    }
}
