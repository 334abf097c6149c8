//! Helm's own engine, run as the `helm` program (`STRATA_HELM`, else `helm` on PATH): found
//! once per run and its version checked (Helm 3.8 or newer), then `helm template` of a
//! chart folder with the layer's values, never talking to a cluster or the network. The
//! values reach helm only through a file readable by the user alone, removed afterwards;
//! helm's time and output are bounded.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::registry::source::Tree;

/// The most helm may print for one chart, unless the run says otherwise
/// (`STRATA_HELM_MAX_OUTPUT`, MiB).
pub const MAX_OUTPUT: u64 = 64 << 20;

/// How long one `helm template` may run, unless the run says otherwise
/// (`STRATA_HELM_TIMEOUT`, seconds).
pub const MAX_TIME: Duration = Duration::from_secs(120);

/// The helm program, its version, and the bounds of one run of it.
#[derive(Clone)]
pub struct Helm {
    pub program: PathBuf,
    pub version: String,
    pub time: Duration,
    pub max_output: u64,
}

/// Why `helm template` gave no objects.
#[derive(Clone, Debug)]
pub enum Failure {
    /// The chart failed (a `fail`, a `required` value, YAML it cannot parse), or a bound
    /// was reached: helm's message.
    Template(String),
    /// helm itself crashed (killed by a signal, a Go runtime panic): not the chart's fault.
    Crashed(String),
}

impl Helm {
    /// The helm program of this run: `STRATA_HELM`, else `helm` on PATH; exit 2 with how to
    /// install it when there is none, or one older than 3.8. Its version is asked once per
    /// binary: kept in `cache` (when given) by the program's path, size, modification time
    /// and inode, so a changed binary is asked again.
    pub fn find(cache: Option<&Path>) -> Result<Helm> {
        let program = std::env::var_os("STRATA_HELM")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("helm"));
        let known = cache.and_then(|dir| Some(dir.join(version_key(&program)?)));
        if let Some(version) = known
            .as_ref()
            .and_then(|f| fs_err::read_to_string(f).ok())
            .filter(|v| new_enough(v))
        {
            return Ok(Helm::with(program, version));
        }
        let helm = Self::ask(program)?;
        if let Some(file) = &known {
            // The cache only saves a run of `helm version`: failing to keep it is no error.
            let _ = file
                .parent()
                .map(fs_err::create_dir_all)
                .map(|_| crate::atomic::write(file, helm.version.as_bytes()));
        }
        Ok(helm)
    }

    fn with(program: PathBuf, version: String) -> Helm {
        Helm {
            program,
            version,
            time: MAX_TIME,
            max_output: MAX_OUTPUT,
        }
    }

    /// `helm version` of `program`, checked.
    fn ask(program: PathBuf) -> Result<Helm> {
        let hint = Some(
            "`--manifests` renders charts with Helm 3.8 or newer: install it (scripts/install-deps does), or set STRATA_HELM to its path"
                .to_string(),
        );
        let out = Command::new(&program)
            .args(["version", "--template", "{{.Version}}"])
            .stdin(Stdio::null())
            .output()
            .map_err(|_| {
                Error::usage_hint(
                    format!("`{}` cannot be run", program.display()),
                    hint.clone(),
                )
            })?;
        let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if !out.status.success() || !new_enough(&version) {
            return Err(Error::usage_hint(
                format!(
                    "`{}` is helm `{}`; strata needs 3.8 or newer",
                    program.display(),
                    crate::shown::shorten(&crate::shown::one_line(&version), 40)
                ),
                hint,
            ));
        }
        Ok(Helm::with(program, version))
    }

    /// `helm template RELEASE CHART --namespace NS --kube-version KV --include-crds -f
    /// VALUES` of the chart whose files are `chart`; helm's output, or why it failed.
    pub fn template(
        &self,
        chart: &Tree,
        release: &str,
        namespace: &str,
        kube_version: Option<&str>,
        values: &str,
    ) -> std::result::Result<String, Failure> {
        let failed = |why: String| Failure::Template(why);
        let dir = tempfile::Builder::new()
            .prefix("strata-helm")
            .tempdir()
            .map_err(|e| failed(format!("cannot make a folder for helm: {e}")))?;
        let chart_dir = dir.path().join("chart");
        write_tree(&chart_dir, chart)
            .map_err(|e| failed(format!("cannot write the chart for helm: {e}")))?;
        // tempfile creates the file readable by the user alone.
        let mut values_file = tempfile::Builder::new()
            .prefix("values")
            .suffix(".yaml")
            .tempfile_in(dir.path())
            .map_err(|e| failed(format!("cannot write the values for helm: {e}")))?;
        std::io::Write::write_all(&mut values_file, values.as_bytes())
            .map_err(|e| failed(format!("cannot write the values for helm: {e}")))?;
        let mut cmd = Command::new(&self.program);
        cmd.arg("template")
            .arg(release)
            .arg(&chart_dir)
            .args(["--namespace", namespace, "--include-crds"])
            .arg("-f")
            .arg(values_file.path());
        if let Some(kv) = kube_version {
            cmd.args(["--kube-version", kv]);
        }
        // Helm's own folders inside the temporary one: nothing of the user's is read.
        for var in ["HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME"] {
            cmd.env(var, dir.path().join(var.to_lowercase()));
        }
        run_bounded(cmd, self.time, self.max_output)
    }
}

/// Whether `version` is Helm 3.8 or newer.
fn new_enough(version: &str) -> bool {
    crate::model::version::Version::parse(version).is_some_and(|v| {
        let s = v.semver();
        s.major > 3 || (s.major == 3 && s.minor >= 8)
    })
}

/// The file name under which the version of `program` is kept: the digest of its resolved
/// path (PATH searched for a bare name), size, modification time and inode; `None` when it
/// is not found.
fn version_key(program: &Path) -> Option<String> {
    let found = if program.components().count() > 1 {
        Some(program.to_path_buf())
    } else {
        std::env::split_paths(&std::env::var_os("PATH")?)
            .map(|dir| dir.join(program))
            .find(|p| p.is_file())
    }?;
    let path = std::fs::canonicalize(found).ok()?;
    let meta = std::fs::metadata(&path).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    let key = format!(
        "helm-version 1\n{}\n{}\n{modified}\n{inode}\n",
        path.display(),
        meta.len(),
    );
    Some(
        crate::digest::sha256(key.as_bytes())
            .trim_start_matches("sha256:")
            .to_string(),
    )
}

/// Writes `tree` under `dir`.
fn write_tree(dir: &Path, tree: &Tree) -> std::io::Result<()> {
    for (rel, bytes) in tree {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs_err::create_dir_all(parent)?;
        }
        fs_err::write(&path, bytes)?;
    }
    Ok(())
}

/// Runs `cmd`, killed past `time` or `max_output` bytes of output; its output, or why not.
fn run_bounded(
    mut cmd: Command,
    time: Duration,
    max_output: u64,
) -> std::result::Result<String, Failure> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Failure::Crashed(format!("helm cannot be run: {e}")))?;
    let stdout = child.stdout.take().expect("piped");
    let stderr = child.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.take(max_output + 1).read_to_end(&mut out);
        out
    });
    let errors = std::thread::spawn(move || {
        let mut err = Vec::new();
        let _ = stderr.take(1 << 20).read_to_end(&mut err);
        err
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child
            .try_wait()
            .map_err(|e| Failure::Crashed(e.to_string()))?
        {
            break status;
        }
        if started.elapsed() > time {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Failure::Template(format!(
                "helm ran longer than {} s and was stopped (STRATA_HELM_TIMEOUT sets the bound)",
                time.as_secs()
            )));
        }
        // Most renders end within a few tens of milliseconds: look often at first.
        let pause = if started.elapsed() < Duration::from_millis(200) {
            1
        } else {
            10
        };
        std::thread::sleep(Duration::from_millis(pause));
    };
    let out = reader.join().unwrap_or_default();
    let err = errors.join().unwrap_or_default();
    if out.len() as u64 > max_output {
        return Err(Failure::Template(format!(
            "helm printed more than {} MiB and was stopped (STRATA_HELM_MAX_OUTPUT sets the bound)",
            max_output >> 20
        )));
    }
    let text = String::from_utf8_lossy(&err);
    // A Go runtime panic or a signal is helm's own failure, not the chart's.
    let panicked = text
        .lines()
        .any(|l| l.starts_with("panic: ") || l.starts_with("fatal error: "));
    if status.code().is_none() || panicked {
        let why = match status.code() {
            None => "it was killed by a signal".to_string(),
            Some(_) => crate::shown::shorten(
                &crate::shown::one_line(
                    text.lines()
                        .find(|l| l.starts_with("panic: ") || l.starts_with("fatal error: "))
                        .unwrap_or_default(),
                ),
                300,
            )
            .into_owned(),
        };
        return Err(Failure::Crashed(format!("helm crashed: {why}")));
    }
    if !status.success() {
        let message = text
            .lines()
            .map(|l| l.trim())
            // Advice about helm's own flags means nothing to strata's user.
            .filter(|l| !l.is_empty() && !l.starts_with("Use --debug"))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(Failure::Template(
            crate::shown::shorten(&crate::shown::one_line(&message), 600).into_owned(),
        ));
    }
    String::from_utf8(out)
        .map_err(|_| Failure::Template("helm printed text that is not UTF-8".to_string()))
}
