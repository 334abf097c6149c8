//! What ships around the binary: the GitHub Action, the pre-commit hooks, the release
//! workflow and its install script, the license. Their YAML is parsed, and the commands
//! they run are run, in a test catalog, with the strata binary under test.

use std::path::{Path, PathBuf};
use std::process::Command;

use yaml_rust2::Yaml;

use crate::util::{Env, aws_profile, git};

fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn yaml(rel: &str) -> Yaml {
    let text = fs_err::read_to_string(repo_file(rel)).unwrap();
    let mut docs = crate::util::load_yaml(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
    assert_eq!(docs.len(), 1, "{rel}");
    docs.remove(0)
}

/// A folder holding `strata` (the binary under test) and a fake `gh` that records how it
/// was called and what body it was given, for the scripts of the action.
fn tools(env: &Env) -> PathBuf {
    let bin = env.outside("bin");
    fs_err::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_strata"), bin.join("strata")).unwrap();
    let log = env.outside("gh.log");
    crate::util::script(
        &bin.join("gh"),
        &format!(
            "#!/bin/sh\necho \"$@\" >> '{log}'\nwhile [ $# -gt 0 ]; do\n  if [ \"$1\" = --body-file ]; then cp \"$2\" '{log}.body'; fi\n  shift\ndone\n",
            log = log.display()
        ),
    );
    bin
}

/// Runs a step's script with bash in `dir`, with `PATH` led by `bin` and `vars`.
fn bash(
    script: &str,
    dir: &Path,
    bin: &Path,
    env: &Env,
    vars: &[(&str, String)],
) -> (i32, String, String) {
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .arg("-euo")
        .arg("pipefail")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .env_clear()
        .env("PATH", path)
        .env("HOME", env.outside("home"))
        .env("STRATA_CACHE", env.outside("home/strata-cache"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("NO_COLOR", "1")
        .envs(vars.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn step<'a>(steps: &'a [Yaml], name: &str) -> &'a Yaml {
    steps
        .iter()
        .find(|s| s["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no step `{name}`"))
}

/// A committed catalog on `main` and a branch `change` that moves calico's train.
fn pull_request() -> Env {
    let env = Env::new();
    env.profile("aws-prod", &aws_profile(""));
    env.run(&["lock", "-q"]).success();
    let root = env.root();
    git(&root, &["init", "-q", "-b", "main"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "catalog"]);
    git(&root, &["checkout", "-q", "-b", "change"]);
    let text = env.read("profiles/aws-prod/profile.toml");
    env.profile(
        "aws-prod",
        &text.replace("version = \"3.x\"", "version = \"3.31.x\""),
    );
    env.run(&["lock", "-q"]).success();
    git(&root, &["commit", "-q", "-am", "calico 3.31"]);
    env
}

#[test]
fn the_action_checks_the_catalog_and_posts_the_diff() {
    let action = yaml("action.yml");
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    assert_eq!(
        action["inputs"]["version"]["default"].as_str(),
        Some(env!("CARGO_PKG_VERSION")),
        "the action installs the release of its own tag"
    );
    let steps = action["runs"]["steps"].as_vec().unwrap();
    for s in steps {
        let run = s["run"].as_str().unwrap();
        assert_eq!(s["shell"].as_str(), Some("bash"));
        // Expressions go through `env:`, never into the script (no injection from inputs).
        assert!(!run.contains("${{"), "{run}");
    }
    let env = pull_request();
    let bin = tools(&env);
    let root = env.root();
    let out = env.outside("runner-temp");
    fs_err::create_dir_all(&out).unwrap();
    let run = |name: &str| {
        let script = step(steps, name)["run"].as_str().unwrap();
        bash(
            script,
            &root,
            &bin,
            &env,
            &[
                ("BASE", "main".to_string()),
                ("PR", "7".to_string()),
                ("GH_TOKEN", "token".to_string()),
                ("OUT", out.display().to_string()),
            ],
        )
    };
    let (code, _, stderr) = run("Locks are current");
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, stderr) = run("Profiles are valid");
    assert_eq!((code, stdout.as_str()), (0, "\n"), "{stderr}");
    let (code, _, stderr) = run("Review comment");
    assert_eq!(code, 0, "{stderr}");
    let log = fs_err::read_to_string(env.outside("gh.log")).unwrap();
    assert_eq!(
        log,
        format!(
            "pr comment 7 --body-file {}/strata-diff.md --edit-last\n",
            out.display()
        )
    );
    let body = fs_err::read_to_string(env.outside("gh.log.body")).unwrap();
    assert!(
        body.starts_with("### strata: profile changes\n\nComparing `main` with `HEAD`: 1 changed"),
        "{body}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&fs_err::read_to_string(out.join("strata-diff.json")).unwrap())
            .unwrap();
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["profiles"][0]["name"], "aws-prod");
    // A stale lock fails its step; an invalid profile is annotated and fails its step.
    env.write(
        "strata.toml",
        &format!(
            "{}\n[defaults.calico]\nmtu = 1450\n",
            env.read("strata.toml")
        ),
    );
    assert_eq!(run("Locks are current").0, 1);
    env.profile(
        "edge",
        &aws_profile("")
            .replace("aws-prod", "edge")
            .replace("pack = \"calico\"", "pack = \"calcio\""),
    );
    let (code, stdout, _) = run("Profiles are valid");
    assert_eq!(code, 1);
    assert!(stdout.starts_with("::error file=profiles/edge/profile.toml,line=17,col=8,title=strata validate::unknown pack `calcio`"), "{stdout}");
}

#[test]
fn the_install_script_checks_the_release_checksum() {
    let env = Env::empty();
    let version = env!("CARGO_PKG_VERSION");
    let arch = match std::env::consts::ARCH {
        "aarch64" => "aarch64",
        _ => "x86_64",
    };
    let name = format!("strata-{version}-{arch}-unknown-linux-musl");
    // A release folder as the workflow publishes it. What is packed is a small program
    // that answers `--version` as strata does (the test binary is 200 MB unoptimised, and
    // the script under test only moves and checks bytes).
    let release = env.outside("release");
    fs_err::create_dir_all(release.join(&name)).unwrap();
    crate::util::script(
        &release.join(&name).join("strata"),
        &format!("#!/bin/sh\necho \"strata {version} (packed)\"\n"),
    );
    let sh = |script: &str| {
        let out = Command::new("sh")
            .arg("-c")
            .arg(script)
            .current_dir(&release)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    sh(&format!(
        "tar -czf {name}.tar.gz {name} && sha256sum {name}.tar.gz > SHA256SUMS"
    ));
    let install = |dest: &Path| {
        Command::new(repo_file("scripts/install-release"))
            .arg(dest)
            .env("STRATA_VERSION", version)
            .env(
                "STRATA_RELEASE_URL",
                format!("file://{}", release.display()),
            )
            .output()
            .unwrap()
    };
    let dest = env.outside("installed");
    let out = install(&dest);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown = Command::new(dest.join("strata"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&shown.stdout),
        format!("strata {version} (packed)\n")
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "installed strata {version} (packed) in {}\n",
            dest.display()
        )
    );
    assert_action_installs(&env, &release, version);
    // An archive that does not match its checksum is not installed.
    sh(&format!(
        "echo tampered >> {name}/strata && tar -czf {name}.tar.gz {name}"
    ));
    let other = env.outside("other");
    let out = install(&other);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("install-release: {name}.tar.gz does not match its checksum in SHA256SUMS\n")
    );
    assert!(!other.join("strata").exists());
    // Nor one the checksums do not name.
    sh("echo '0000  strata-other.tar.gz' > SHA256SUMS");
    let out = install(&other);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("install-release: SHA256SUMS has no line for {name}.tar.gz\n")
    );
    assert!(!other.join("strata").exists());
}

/// The action's install step, as the runner runs it, installs the release into `DEST`
/// and puts that on the runner's PATH.
fn assert_action_installs(env: &Env, release: &Path, version: &str) {
    let action = yaml("action.yml");
    let script = step(action["runs"]["steps"].as_vec().unwrap(), "Install strata")["run"]
        .as_str()
        .unwrap()
        .to_string();
    let github_path = env.outside("github-path");
    let (code, _, stderr) = bash(
        &script,
        &env.root(),
        Path::new("/nonexistent"),
        env,
        &[
            ("GITHUB_ACTION_PATH", env!("CARGO_MANIFEST_DIR").to_string()),
            ("STRATA_VERSION", version.to_string()),
            (
                "STRATA_RELEASE_URL",
                format!("file://{}", release.display()),
            ),
            ("DEST", env.outside("runner-bin").display().to_string()),
            ("GITHUB_PATH", github_path.display().to_string()),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        fs_err::read_to_string(&github_path).unwrap(),
        format!("{}\n", env.outside("runner-bin").display())
    );
    assert!(env.outside("runner-bin/strata").is_file());
}

#[test]
fn pre_commit_hooks_run_in_a_catalog() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_vec().unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["strata-validate", "strata-lock-check"]);
    let env = Env::new();
    env.profile("aws-prod", &aws_profile(""));
    env.run(&["lock", "-q"]).success();
    let bin = tools(&env);
    for h in hooks {
        assert_eq!(h["pass_filenames"].as_bool(), Some(false));
        let files = regex::Regex::new(h["files"].as_str().unwrap()).unwrap();
        assert!(files.is_match("profiles/aws-prod/profile.toml"));
        assert!(files.is_match("strata.toml"));
        assert!(!files.is_match("README.md"));
        let entry = h["entry"].as_str().unwrap();
        let (code, _, stderr) = bash(entry, &env.root(), &bin, &env, &[]);
        assert_eq!(code, 0, "{entry}: {stderr}");
    }
    // The lock hook stops a commit whose lock is stale.
    let text = env.read("profiles/aws-prod/profile.toml");
    env.profile(
        "aws-prod",
        &text.replace("version = \"3.x\"", "version = \"3.31.x\""),
    );
    let lock_check = hooks[1]["entry"].as_str().unwrap();
    let (code, _, stderr) = bash(lock_check, &env.root(), &bin, &env, &[]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("error: profiles/aws-prod/profile.lock: lock file is stale"),
        "{stderr}"
    );
}

#[test]
fn the_release_workflow_builds_static_binaries_and_checksums() {
    let wf = yaml(".github/workflows/release.yml");
    let targets: Vec<&str> = wf["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|t| t["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        ["x86_64-unknown-linux-musl", "aarch64-unknown-linux-musl"]
    );
    let runs = |job: &str| -> Vec<String> {
        wf["jobs"][job]["steps"]
            .as_vec()
            .unwrap()
            .iter()
            .filter_map(|s| s["run"].as_str().map(str::to_string))
            .collect()
    };
    let build = runs("build");
    assert!(
        build
            .iter()
            .any(|r| r.starts_with("scripts/build-release ")),
        "{build:?}"
    );
    let publish = runs("publish");
    assert!(
        publish.iter().any(|r| r.contains("> SHA256SUMS")),
        "{publish:?}"
    );
    // What binstall downloads is what the workflow publishes.
    let cargo = fs_err::read_to_string(repo_file("Cargo.toml")).unwrap();
    assert!(cargo.contains("pkg-url = \"{ repo }/releases/download/v{ version }/strata-{ version }-{ target-arch }-unknown-linux-musl.tar.gz\""));
    assert!(cargo.contains("\nlicense = \"Apache-2.0\"\n"));
    let license = fs_err::read_to_string(repo_file("LICENSE")).unwrap();
    assert!(
        license.contains("Apache License\n                           Version 2.0, January 2004")
    );
}
