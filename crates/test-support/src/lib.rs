//! What strata's test suites (the CLI's integration tests and the Terraform provider's)
//! share: a hermetic environment for every program they run (no user git configuration,
//! `HOME` and the XDG folders inside the test's folder, no colour), a run's exit code and
//! output with assertions on them, and git fixtures built with git2.

pub mod git;
pub mod http;
pub mod oci;
pub mod token;

use std::path::Path;
use std::process::{Command, Output};

/// Clears `cmd`'s environment but `PATH`, and points `HOME`, the XDG folders and
/// `STRATA_CACHE` into `home`; git reads no system or global configuration; no colour.
pub fn hermetic<'c>(cmd: &'c mut Command, home: &Path) -> &'c mut Command {
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("STRATA_CACHE", home.join("strata-cache"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("NO_COLOR", "1")
}

/// A finished program: its exit code and its output as text.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// A run of `output`, each stream passed through `clean` (temporary paths shown as
    /// `[TEMP]`, say).
    pub fn of(output: Output, clean: impl Fn(String) -> String) -> Run {
        let text = |b: Vec<u8>| clean(String::from_utf8(b).expect("utf-8 output"));
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: text(output.stdout),
            stderr: text(output.stderr),
        }
    }

    #[track_caller]
    pub fn success(&self) -> &Run {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Asserts the exit code and the exact stderr.
    #[track_caller]
    pub fn fails(&self, code: i32, stderr: &str) -> &Run {
        assert_eq!(
            self.stderr, stderr,
            "stderr differs (stdout: {})",
            self.stdout
        );
        assert_eq!(self.code, code, "exit code (stderr: {})", self.stderr);
        self
    }

    /// Exit code, stdout and stderr in one text, for snapshots.
    pub fn transcript(&self) -> String {
        let mut s = format!("exit: {}\n", self.code);
        if !self.stdout.is_empty() {
            s.push_str("--- stdout\n");
            s.push_str(&self.stdout);
        }
        if !self.stderr.is_empty() {
            s.push_str("--- stderr\n");
            s.push_str(&self.stderr);
        }
        s
    }
}

/// Runs the `git` program in `dir` with no user configuration, as a test's user would,
/// and returns its output; a failure fails the test.
#[track_caller]
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// Whether the program `name` runs (`name --version` or `name version` succeeds, or, for a
/// program with neither such as `ssh-keygen`, it can be started at all). Without
/// it a test prints a SKIP line and is skipped, except in CI (`CI` set), where every tool
/// `scripts/install-deps` installs must be there and a missing one fails the test.
pub fn tool(name: &str, test: &str) -> bool {
    let runs = |arg: &str| {
        std::process::Command::new(name)
            .arg(arg)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let starts = || {
        std::process::Command::new(name)
            .arg("-?")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok()
    };
    if runs("version") || runs("--version") || (name == "ssh-keygen" && starts()) {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: `{name}` is not on PATH, and CI must run every test: scripts/install-deps installs it"
    );
    eprintln!("SKIP {test}: `{name}` is not on PATH (scripts/install-deps installs it)");
    false
}
