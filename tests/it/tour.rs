//! strata as a new user meets it: the README's tour run as written, and what a first week
//! with it brings (a fresh repository, file modes, comments, a wider train, a registry
//! that is down, a typo on the command line).

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use crate::util::{Env, WITH_LOCAL, aws_profile, git, with_agent};

/// The README's tour: the lines of its code block up to the part that needs a remote.
fn tour() -> Vec<String> {
    let readme = include_str!("../../README.md");
    let start = readme.find("## A five-minute tour").expect("a tour");
    let block = &readme[start..];
    let block = &block[block.find("```sh\n").expect("a code block") + 6..];
    block
        .lines()
        .take_while(|l| !l.starts_with("# Your own packs") && !l.starts_with("```"))
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split("  #").next().unwrap().trim().to_string())
        .collect()
}

#[test]
fn the_readme_tour_runs_as_written() {
    let env = Env::empty();
    let mut dir: PathBuf = env.root();
    let lines = tour();
    assert!(lines.len() >= 15, "{lines:?}");
    for line in &lines {
        for command in line.split("&&").map(str::trim) {
            let words: Vec<&str> = command.split_whitespace().collect();
            match words.as_slice() {
                ["cargo", ..] => {}
                ["cd", to] => dir = dir.join(to),
                ["git", args @ ..] => {
                    git(&dir, args);
                }
                ["strata", args @ ..] => {
                    let run = env.run_in(&dir, args);
                    assert_eq!(
                        run.code, 0,
                        "`{command}` failed:\n{}\n{}",
                        run.stdout, run.stderr
                    );
                }
                other => panic!("the tour has a line this test cannot run: {other:?}"),
            }
        }
    }
    // The tour ends with a release tag of the profile.
    let tags = git(&dir, &["tag", "--list"]);
    assert_eq!(tags, "profiles/aws-prod/v1.0.0\n");
}

#[test]
fn init_inside_another_repository_makes_a_repository_of_its_own() {
    let env = Env::empty();
    git(&env.root(), &["init", "-q", "-b", "main"]);
    let run = env.run(&["init", "platform"]);
    run.success();
    assert!(
        run.stderr.starts_with(
            "   Created git repository in `platform` (a repository of its own, inside `[TEMP]/cat/`)\n"
        ),
        "{}",
        run.stderr
    );
    assert!(env.path("platform/.git").is_dir());
    assert_eq!(
        git(&env.path("platform"), &["log", "--format=%s"]),
        "strata: new catalog `platform`\n"
    );
}

#[test]
fn diff_in_a_repository_with_no_commit_compares_against_nothing() {
    let env = Env::new();
    env.profile("aws-prod", &aws_profile(""));
    git(&env.root(), &["init", "-q", "-b", "main"]);
    let run = env.run(&["diff"]);
    run.success();
    assert!(
        run.stdout.starts_with("added aws-prod\n  note: at working tree: no lock file; resolved for this review\n  added os: - -> ubuntu 22.04.5\n"),
        "{}",
        run.stdout
    );
}

/// The mode a new file gets: 0666 less the umask of this test process.
fn default_mode() -> u32 {
    let out = std::process::Command::new("sh")
        .args(["-c", "umask"])
        .output()
        .unwrap();
    let mask = u32::from_str_radix(String::from_utf8(out.stdout).unwrap().trim(), 8).unwrap();
    0o666 & !mask
}

fn mode(p: &std::path::Path) -> u32 {
    fs_err::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn written_files_keep_their_mode_or_follow_the_umask() {
    let env = Env::new();
    env.profile("aws-prod", &aws_profile(""));
    env.run(&["lock"]).success();
    assert_eq!(
        mode(&env.path("profiles/aws-prod/profile.lock")),
        default_mode()
    );
    env.run(&["render", "aws-prod", "--out", "out"]).success();
    assert_eq!(mode(&env.path("out/network/values.yaml")), default_mode());
    let config = env.path("strata.toml");
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    fs_err::create_dir_all(env.path("packs")).unwrap();
    env.run(&["registry", "add", "local", "packs", "--kind", "dir"])
        .success();
    assert_eq!(mode(&config), 0o644);
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o640)).unwrap();
    env.run(&["registry", "add", "more", "packs", "--kind", "dir"])
        .success();
    assert_eq!(mode(&config), 0o640);
}

#[test]
fn lock_commit_refuses_locks_of_uncommitted_files() {
    let env = Env::new();
    env.profile("aws-prod", &aws_profile(""));
    let root = env.root();
    git(&root, &["init", "-q", "-b", "main"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "catalog"]);
    env.profile("aws-prod", &aws_profile("[layer.values]\nmtu = 1400\n"));
    env.run(&["lock", "--commit"]).fails(
        2,
        "error: `--commit` commits lock files only, and `profiles/aws-prod/profile.toml` differs from HEAD: the locks would not match the committed files\n  hint: commit them first, or drop `--commit`\n",
    );
    assert!(!env.path("profiles/aws-prod/profile.lock").exists());
    // A comment is no change to what a lock depends on.
    git(&root, &["commit", "-qam", "pool"]);
    env.write("strata.toml", &(env.read("strata.toml") + "# a note\n"));
    env.run(&["lock", "--commit"]).success();
    assert_eq!(
        git(&root, &["log", "-1", "--format=%s"]),
        "strata: lock aws-prod\n"
    );
}

#[test]
fn comments_and_layout_do_not_make_locks_stale() {
    let env = Env::new();
    env.profile("aws-prod", &aws_profile(""));
    env.run(&["lock"]).success();
    env.write(
        "strata.toml",
        &format!("# Our platform\n{}\n\n", env.read("strata.toml")),
    );
    env.profile(
        "aws-prod",
        &aws_profile("").replace("cloud = \"aws\"", "cloud   =   \"aws\"   # AWS only"),
    );
    env.run(&["lock", "--check"]).success();
    env.run(&["render", "aws-prod", "--layer", "os"]).success();
}

#[test]
fn a_widened_train_keeps_its_locked_release() {
    let env = Env::with_config(WITH_LOCAL);
    env.agent("1.0.0").agent("1.1.0");
    env.profile("aws-prod", &with_agent("1.0.x"));
    env.run(&["lock"]).success();
    env.profile("aws-prod", &with_agent("1.x"));
    let run = env.run(&["lock"]);
    run.success();
    let lock = env.read("profiles/aws-prod/profile.lock");
    assert!(
        lock.contains("requested = \"1.x\"\nversion = \"1.0.0\""),
        "{lock}"
    );
    env.run(&["update", "--pack", "agent"]).success();
    assert!(
        env.read("profiles/aws-prod/profile.lock")
            .contains("version = \"1.1.0\"")
    );
}

#[test]
fn render_names_the_layer_whose_content_changed() {
    let env = Env::with_config(WITH_LOCAL);
    env.agent("1.0.0");
    env.profile("aws-prod", &with_agent("1.x"));
    env.run(&["lock"]).success();
    env.pack(
        "agent",
        "1.0.0",
        &crate::util::git::manifest("agent", "1.0.0", "addon", "changed"),
    );
    let run = env.run(&["render", "aws-prod"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.starts_with("error: profiles/aws-prod/profile.lock: layer `agent`: the content of agent 1.0.0 (registry `local`) changed: the lock has h1:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.ends_with(
            "  hint: if the change is intended, accept it with `strata update --pack agent`\n"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn a_registry_that_is_down_fails_only_what_reads_it() {
    let env = Env::with_config(
        "[catalog]\nname = \"test\"\n\n[[registry]]\nname = \"public\"\nkind = \"builtin\"\n\n[[registry]]\nname = \"down\"\nkind = \"git\"\nurl = \"../nowhere\"\n",
    );
    env.profile("aws-prod", &aws_profile(""));
    env.profile(
        "edge",
        &(aws_profile("").replace("aws-prod", "edge")
            + "\n[[layer]]\ntype = \"addon\"\npack = \"agent\"\nversion = \"1.x\"\nregistry = \"down\"\n"),
    );
    let run = env.run(&["validate"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "ok aws-prod: ubuntu 22.04.5, kubernetes 1.36.4, calico 3.32.1, aws-ebs-csi 1.64.0\n"
    );
    assert!(
        run.stderr
            .starts_with("error: registry `down`: cannot fetch `../nowhere`:\n  git: "),
        "{}",
        run.stderr
    );
    env.run(&["validate", "aws-prod"]).success();
}

#[test]
fn clouds_on_the_command_line() {
    let env = Env::new();
    env.run(&["profile", "new", "big", "--cloud", "AWS"])
        .success();
    assert!(
        env.read("profiles/big/profile.toml")
            .contains("cloud = \"aws\"")
    );
    env.run(&["profile", "new", "b", "--cloud", "azur"]).fails(
        2,
        "error: unknown cloud `azur`\n  hint: did you mean `azure`?\n",
    );
    assert!(!env.path("profiles/b").exists());
}

#[test]
fn color_is_honoured_by_command_line_errors() {
    let env = Env::new();
    let run = env.run(&["--color", "always", "bogus"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains('\u{1b}'), "{:?}", run.stderr);
    let run = env.run(&["--color", "never", "bogus"]);
    assert!(!run.stderr.contains('\u{1b}'), "{:?}", run.stderr);
}

#[test]
fn counts_read_as_english() {
    let env = Env::new();
    env.profile("aws-prod", &aws_profile(""));
    let run = env.run(&["explain", "aws-prod", "kubernetes"]);
    run.success();
    assert!(
        run.stdout.contains("  (1 older release also matches)\n"),
        "{}",
        run.stdout
    );
}

/// The files of docs/clusters.md's worked example: each code block under a line that
/// starts with its path in backticks.
fn worked_example() -> Vec<(String, String)> {
    let doc = include_str!("../../docs/clusters.md");
    let start = doc.find("## A worked example").expect("a worked example");
    let end = doc[start..].find("\n## ").map_or(doc.len(), |e| start + e);
    let mut files = Vec::new();
    let mut lines = doc[start..end].lines().peekable();
    while let Some(line) = lines.next() {
        let Some(path) = line.strip_prefix('`').and_then(|l| l.split('`').next()) else {
            continue;
        };
        while lines.peek().is_some_and(|l| l.is_empty()) {
            lines.next();
        }
        if path.contains('.') && lines.peek().is_some_and(|l| l.starts_with("```")) {
            lines.next();
            let body: Vec<&str> = lines
                .by_ref()
                .take_while(|l| !l.starts_with("```"))
                .collect();
            files.push((path.to_string(), body.join("\n") + "\n"));
        }
    }
    files
}

#[test]
fn the_clusters_worked_example_runs_as_written() {
    let env = Env::empty();
    let files = worked_example();
    let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "profiles/aws-base/profile.toml",
            "profiles/aws-prod/profile.toml",
            "profiles/aws-lab/profile.toml",
            "strata.toml",
            "packs/agent/1.0.0/pack.toml",
            "packs/agent/1.0.0/secret.yaml.j2",
            "profiles/observability/profile.toml",
            "clusters/pay-eu-2/cluster.toml",
        ]
    );
    for (path, text) in &files {
        env.write(path, text);
    }
    let root = env.root();
    env.run(&["lock", "-q"]).success();
    git(&root, &["init", "-q", "-b", "main"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-qm", "profiles"]);
    env.run(&["release", "aws-prod", "-q"]).success();
    env.run(&["release", "observability", "-q"]).success();
    env.set_var("STRATA_VAR_API_TOKEN", "tok-123");
    let run = env.run(&["cluster", "validate"]);
    run.success();
    assert_eq!(
        run.stdout,
        "ok cluster pay-eu-2: aws-prod 1.1.0 + observability 1.0.0, 6 layers\n"
    );
    env.run(&[
        "cluster",
        "render",
        "pay-eu-2",
        "--out",
        "rendered/pay-eu-2",
        "-q",
    ])
    .success();
    assert!(
        env.read("rendered/pay-eu-2/agent/secret.yaml")
            .contains("  token: \"tok-123\"\n")
    );
}

/// The quickstart needs only what the CLI needs: `install-deps --cli` does not ask for
/// `protoc`, which only the Terraform provider uses, and the quickstart builds only the CLI
/// with cargo's progress shown.
#[test]
fn the_quickstart_needs_only_what_the_cli_needs() {
    let env = Env::empty();
    let bin = env.path("bin");
    fs_err::create_dir_all(&bin).unwrap();
    for tool in ["cc", "git"] {
        std::os::unix::fs::symlink("/bin/true", bin.join(tool)).unwrap();
    }
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/install-deps");
    let run = |args: &[&str]| {
        let out = std::process::Command::new("/bin/bash")
            .arg(&script)
            .args(args)
            .env_clear()
            .env("PATH", &bin)
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8(out.stderr).unwrap())
    };
    assert_eq!(run(&["--cli"]), (Some(0), String::new()));
    assert_eq!(
        run(&[]),
        (
            Some(1),
            "strata needs: protobuf-compiler docker-registry openssh-client gnupg chromium npm unzip (Debian/Ubuntu package names); install them and run again\n".to_string()
        )
    );
    let quickstart = include_str!("../../scripts/quickstart");
    assert!(quickstart.contains("\nscripts/install-deps --cli\n"));
    assert!(quickstart.contains("\ncargo build --locked -p strata --bin strata\n"));
    assert!(!quickstart.contains("--quiet"));
}
