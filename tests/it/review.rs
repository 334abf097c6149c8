//! diff, outdated, release and --at: reviewing profile changes and pinning profile releases.

use crate::util::git::{PackRepo, manifest};
use crate::util::{Env, aws_profile, git};

/// A committed catalog with two locked profiles.
fn repo_env() -> Env {
    let env = Env::new();
    env.profile("aws-prod", &aws_profile(""));
    env.profile(
        "edge",
        &aws_profile("")
            .replace("aws-prod", "edge")
            .replace("cloud = \"aws\"", "cloud = \"edge\"")
            .replace("aws-ebs-csi", "longhorn"),
    );
    env.run(&["lock"]).success();
    let root = env.root();
    git(&root, &["init", "-q", "-b", "main"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "catalog"]);
    env
}

fn edit(env: &Env, profile: &str, from: &str, to: &str) {
    let file = format!("profiles/{profile}/profile.toml");
    let text = env.read(&file);
    assert!(text.contains(from), "{from}");
    env.write(&file, &text.replacen(from, to, 1));
}

#[test]
fn diff_of_a_pull_request() {
    let env = repo_env();
    let run = env.run(&["diff", "--exit-code"]);
    run.success();
    assert_eq!(run.stdout, "no changes between HEAD and working tree\n");
    edit(
        &env,
        "aws-prod",
        "version = \"3.x\"\n",
        "version = \"3.31.x\"\n[layer.values]\nmtu = 1400\n",
    );
    env.run(&["lock"]).success();
    let run = env.run(&["diff", "--exit-code"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("diff_text", run.stdout);
    let run = env.run(&["diff", "--format", "markdown"]);
    run.success();
    insta::assert_snapshot!("diff_markdown", run.stdout);
    let run = env.run(&["diff", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["base"], "HEAD");
    assert_eq!(v["head"], "working tree");
    assert_eq!(v["unchanged"], 1);
    let layer = &v["profiles"][0]["layers"][0];
    assert_eq!(v["profiles"][0]["name"], "aws-prod");
    assert_eq!(layer["name"], "network");
    assert_eq!(layer["old"]["version"], "3.32.1");
    assert_eq!(layer["new"]["version"], "3.31.7");
    assert_eq!(
        layer["kinds"],
        serde_json::json!(["spec changed", "downgrade"])
    );
    assert_eq!(
        layer["values"][0],
        serde_json::json!({"name": "mtu", "old": 0, "new": 1400, "old_origin": "pack default", "new_origin": "profiles/aws-prod/profile.toml:20"})
    );
    assert_eq!(layer["files"][0]["file"], "network/values.yaml");
    // Two committed revisions compare the same way.
    git(&env.root(), &["commit", "-q", "-am", "calico 3.31"]);
    let run = env.run(&[
        "diff", "--base", "HEAD~1", "--head", "HEAD", "--format", "json",
    ]);
    let w: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(w["profiles"], v["profiles"]);
}

#[test]
fn diff_reports_added_removed_renamed_and_unlocked_profiles() {
    let env = repo_env();
    // A rename is a removal and an addition.
    fs_err::rename(env.path("profiles/edge"), env.path("profiles/edge-small")).unwrap();
    edit(
        &env,
        "edge-small",
        "name = \"edge\"",
        "name = \"edge-small\"",
    );
    fs_err::remove_file(env.path("profiles/edge-small/profile.lock")).unwrap();
    let run = env.run(&["diff"]);
    run.success();
    assert_eq!(
        run.stdout
            .lines()
            .filter(|l| !l.starts_with(' '))
            .collect::<Vec<_>>(),
        ["removed edge", "added edge-small", "1 profile unchanged"]
    );
    assert!(
        run.stdout
            .contains("  note: at working tree: no lock file; resolved for this review\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("  added os: - -> ubuntu 22.04.5\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("  removed storage: longhorn 1.12.1 -> -\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn diff_bad_revisions() {
    let env = repo_env();
    env.run(&["diff", "--base", "nope"]).fails(
        2,
        "error: unknown revision `nope`\n  hint: give a tag, branch or commit of the catalog repository\n",
    );
    let root = env.root();
    git(&root, &["checkout", "-q", "--orphan", "empty"]);
    git(&root, &["rm", "-q", "-rf", "--cached", "."]);
    git(&root, &["commit", "-q", "--allow-empty", "-m", "empty"]);
    git(&root, &["checkout", "-q", "-f", "main"]);
    env.run(&["diff", "--base", "empty"]).fails(
        2,
        "error: revision `empty` has no `strata.toml`\n  hint: it is from before the catalog existed, or the catalog was elsewhere then\n",
    );
    let plain = Env::new();
    plain.run(&["diff"]).fails(
        2,
        "error: `[TEMP]/cat` is not in a git repository, so there is no revision `HEAD` to read\n",
    );
}

#[test]
fn outdated_flags_majors_and_skipped_kubernetes_minors() {
    let env = Env::new();
    let mut repo = PackRepo::init(&env.outside("packs-repo"));
    for v in ["1.0.0", "1.1.0", "2.0.0"] {
        repo.write("agent/pack.toml", &manifest("agent", v, "addon", "agent"));
        let c = repo.commit(v);
        repo.tag(&format!("agent/v{v}"), c);
    }
    env.write(
        "strata.toml",
        "[catalog]\nname = \"test\"\n\n[[registry]]\nname = \"public\"\nkind = \"builtin\"\n\n[[registry]]\nname = \"acme\"\nkind = \"git\"\nurl = \"../packs-repo\"\n",
    );
    env.profile(
        "aws-prod",
        &(aws_profile("")
            .replace("1.36.x", "1.35.9")
            .replace("version = \"3.x\"", "version = \"3.31.x\"")
            + "\n[[layer]]\ntype = \"addon\"\npack = \"agent\"\nversion = \"1.0.x\"\n"),
    );
    env.run(&["lock"]).success();
    let run = env.run(&["outdated"]);
    run.success();
    assert_eq!(
        run.stdout,
        "PROFILE   LAYER       PACK        LOCKED   TRAIN    NEWEST   NOTE\n\
         aws-prod  os          ubuntu      22.04.5  22.04.5  24.04.2  major\n\
         aws-prod  kubernetes  kubernetes  1.35.9   1.35.9   1.37.1   skips-minor\n\
         aws-prod  network     calico      3.31.7   3.31.7   3.32.1\n\
         aws-prod  agent       agent       1.0.0    1.0.0    2.0.0    major\n"
    );
    let run = env.run(&["outdated", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["layers"][3]["flags"], serde_json::json!(["major"]));
    assert_eq!(v["layers"][1]["newest_in_train"], "1.35.9");
    assert_eq!(v["layers"][1]["flags"], serde_json::json!(["skips-minor"]));
    // --exit-code: 1 while anything is behind, with the same table; 0 once nothing is.
    let run = env.run(&["outdated", "--exit-code"]);
    assert_eq!((run.code, run.stdout.lines().count()), (1, 5));
    assert_eq!(env.run(&["outdated", "--exit-code", "aws-prod"]).code, 1);
    env.profile(
        "edge",
        "[profile]\nname = \"edge\"\ncloud = \"edge\"\ntype = \"add-on\"\n",
    );
    env.run(&["lock", "-q"]).success();
    env.run(&["outdated", "--exit-code", "edge"]).success();
    // STRATA_FORMAT applies where a command prints it; STRATA_OFFLINE=0 is not offline.
    env.set_var("STRATA_FORMAT", "json");
    let run = env.run(&["outdated"]);
    assert!(
        run.stdout.starts_with("{\n  \"schema_version\": 1,"),
        "{}",
        run.stdout
    );
    env.run(&["lock", "-q"]).success();
    env.set_var("STRATA_OFFLINE", "0");
    env.run(&["outdated", "-q"]).success();
}

#[test]
fn release_tags_the_committed_locked_state_and_at_reads_it() {
    let env = repo_env();
    let root = env.root();
    let run = env.run(&["release", "aws-prod"]);
    run.success();
    let head = git(&root, &["rev-parse", "HEAD"]);
    assert_eq!(
        run.stderr,
        format!(
            "  Released `profiles/aws-prod/v1.0.0` at commit {}\n",
            head.trim()
        )
    );
    assert_eq!(
        git(&root, &["cat-file", "-t", "profiles/aws-prod/v1.0.0"]),
        "tag\n"
    );
    assert_eq!(
        git(
            &root,
            &[
                "tag",
                "-l",
                "--format=%(contents)",
                "profiles/aws-prod/v1.0.0"
            ]
        ),
        "strata: release aws-prod 1.0.0\n\n"
    );
    env.run(&["release", "aws-prod"]).fails(
        1,
        &format!(
            "error: `profiles/aws-prod/v1.0.0` already exists (at commit {})\n  hint: bump `version` in `profiles/aws-prod/profile.toml`, or pass a new VERSION\n",
            head.trim()
        ),
    );
    // Uncommitted, then stale.
    env.run(&["lock"]).success();
    edit(
        &env,
        "aws-prod",
        "[profile]\n",
        "[profile]\nversion = \"1.1.0\"\n",
    );
    env.run(&["lock"]).success();
    env.run(&["release", "aws-prod"]).fails(
        1,
        "error: profiles/aws-prod/profile.toml: has uncommitted changes; a release tags the committed state\n  hint: commit it first (`git add` and `git commit`)\n",
    );
    edit(
        &env,
        "aws-prod",
        "version = \"3.x\"",
        "version = \"3.31.x\"",
    );
    env.run(&["release", "aws-prod"]).fails(
        1,
        "error: profiles/aws-prod/profile.lock: lock file is stale: layer `network`: calico 3.32.1 -> 3.31.7, requested `3.x` -> `3.31.x`\n  hint: run `strata lock aws-prod` and review the change\n",
    );
    env.run(&["lock"]).success();
    git(
        &root,
        &["commit", "-q", "-am", "calico 3.31, version 1.1.0"],
    );
    env.run(&["release", "aws-prod"]).success();
    assert_at_reads_the_releases(&env);
}

/// `--at` reads a profile as of each release tag; `diff` compares two releases; commands
/// that write refuse `--at`.
fn assert_at_reads_the_releases(env: &Env) {
    let run = env.run(&[
        "--at",
        "profiles/aws-prod/v1.0.0",
        "render",
        "aws-prod",
        "--layer",
        "network",
    ]);
    run.success();
    assert!(
        run.stdout
            .starts_with("---\n# Source: network/values.yaml\n# calico 3.32.1: "),
        "{}",
        run.stdout
    );
    let run = env.run(&[
        "--at",
        "profiles/aws-prod/v1.1.0",
        "render",
        "aws-prod",
        "--layer",
        "network",
    ]);
    assert!(
        run.stdout
            .starts_with("---\n# Source: network/values.yaml\n# calico 3.31.7: "),
        "{}",
        run.stdout
    );
    let run = env.run(&[
        "diff",
        "--base",
        "profiles/aws-prod/v1.0.0",
        "--head",
        "profiles/aws-prod/v1.1.0",
    ]);
    assert!(
        run.stdout
            .contains("changed network: calico 3.32.1 -> calico 3.31.7 (spec changed, downgrade)"),
        "{}",
        run.stdout
    );
    env.run(&["--at", "profiles/aws-prod/v1.0.0", "lock"]).fails(
        2,
        "error: `strata lock` changes the catalog, so it cannot read it `--at profiles/aws-prod/v1.0.0`\n  hint: `--at` is for commands that only read: validate, pack, render, explain, verify, outdated, diff, lock --check\n",
    );
    env.run(&["--at", "profiles/aws-prod/v1.0.0", "lock", "--check"])
        .success();
    env.run(&["--at", "v9", "validate"]).fails(
        2,
        "error: unknown revision `v9`\n  hint: give a tag, branch or commit of the catalog repository\n",
    );
}

#[test]
fn ci_recipe_commands() {
    // The pull-request check of docs/ci.md, on a branch with a change and a stale lock.
    let env = repo_env();
    let root = env.root();
    git(&root, &["checkout", "-q", "-b", "change"]);
    edit(
        &env,
        "aws-prod",
        "version = \"3.x\"",
        "version = \"3.31.x\"",
    );
    git(&root, &["commit", "-q", "-am", "calico 3.31"]);
    env.run(&["validate"]).success();
    let check = env.run(&["lock", "--check"]);
    assert_eq!(check.code, 1);
    let comment = env.run(&[
        "diff", "--base", "main", "--head", "HEAD", "--format", "markdown",
    ]);
    comment.success();
    assert!(
        comment
            .stdout
            .starts_with("### strata: profile changes\n\nComparing `main` with `HEAD`: 1 changed"),
        "{}",
        comment.stdout
    );
    assert!(
        comment.stdout.contains(
            "| network | calico 3.32.1 | calico 3.31.7 | spec changed, downgrade | `aws-prod` |"
        ),
        "{}",
        comment.stdout
    );
    // Scheduled maintenance: update and commit only the locks.
    env.run(&["lock", "--commit"]).success();
    env.run(&["lock", "--check"]).success();
    assert_eq!(
        git(&root, &["log", "-1", "--format=%s"]),
        "strata: lock aws-prod\n"
    );
}

/// One `[defaults.calico]` change in a 150-profile catalog: one comment, under GitHub's
/// limit, that still names every profile.
#[test]
fn markdown_comment_of_a_shared_default_change_fits_and_names_every_profile() {
    let env = Env::with_config("[catalog]\nname = \"test\"\n\n[defaults.calico]\nmtu = 1400\n");
    let names: Vec<String> = (0..150).map(|i| format!("team-{i:03}")).collect();
    for name in &names {
        env.profile(name, &aws_profile("").replace("aws-prod", name));
    }
    env.run(&["lock", "-q"]).success();
    let root = env.root();
    git(&root, &["init", "-q", "-b", "main"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "catalog"]);
    env.write(
        "strata.toml",
        "[catalog]\nname = \"test\"\n\n[defaults.calico]\nmtu = 1450\n",
    );
    env.run(&["lock", "-q"]).success();
    let run = env.run(&["diff", "--format", "markdown"]);
    run.success();
    let comment = &run.stdout;
    assert!(
        comment.chars().count() < 60_000,
        "{}",
        comment.chars().count()
    );
    for name in &names {
        assert!(
            comment.contains(&format!("`{name}`")),
            "{name} is not named"
        );
    }
    // The same change is one row and one folded section.
    assert_eq!(
        comment.matches("| network | calico").count(),
        1,
        "{comment}"
    );
    assert_eq!(comment.matches("<details>").count(), 1, "{comment}");
    assert!(
        comment.contains("<details><summary><code>team-000</code>, <code>team-001</code>, <code>team-002</code>, <code>team-003</code>, <code>team-004</code>, <code>team-005</code>, <code>team-006</code>, <code>team-007</code> and 142 more (150 profiles): 1 value change, 1 rendered file</summary>"),
        "{comment}"
    );
    assert!(
        comment.contains("| network | `mtu` | `1400` | `1450` | strata.toml:5 |\n"),
        "{comment}"
    );
}

/// A layer behind its train says what holds it back: a constraint, or the lock.
#[test]
fn outdated_says_what_holds_a_layer_back() {
    let env = Env::new();
    let mut repo = PackRepo::init(&env.outside("packs-repo"));
    repo.write(
        "agent/pack.toml",
        &manifest("agent", "1.0.0", "addon", "agent"),
    );
    let c = repo.commit("1.0.0");
    repo.tag("agent/v1.0.0", c);
    env.write(
        "strata.toml",
        "[catalog]\nname = \"test\"\n\n[[registry]]\nname = \"public\"\nkind = \"builtin\"\n\n[[registry]]\nname = \"acme\"\nkind = \"git\"\nurl = \"../packs-repo\"\n",
    );
    env.profile(
        "aws-prod",
        &(aws_profile("").replace("1.36.x", "1.35.9")
            + "\n[[layer]]\ntype = \"addon\"\npack = \"agent\"\nversion = \"1.x\"\n"),
    );
    env.run(&["lock", "-q"]).success();
    // 1.1.0 fits, but the lock keeps 1.0.0; 1.2.0 needs a newer Kubernetes.
    repo.write(
        "agent/pack.toml",
        &manifest("agent", "1.1.0", "addon", "agent"),
    );
    let c = repo.commit("1.1.0");
    repo.tag("agent/v1.1.0", c);
    env.run(&["fetch", "-q"]).success();
    let run = env.run(&["outdated", "aws-prod"]);
    run.success();
    let agent = run.stdout.lines().find(|l| l.contains("agent")).unwrap();
    assert_eq!(
        agent.split_whitespace().collect::<Vec<_>>().join(" "),
        "aws-prod agent agent 1.0.0 1.1.0 1.1.0 the lock keeps 1.0.0; `strata update --pack agent` moves to 1.1.0"
    );
    repo.write(
        "agent/pack.toml",
        &(manifest("agent", "1.2.0", "addon", "agent")
            + "\n[[requires]]\nlayer = \"kubernetes\"\nversion = \">=1.36\"\n"),
    );
    let c = repo.commit("1.2.0");
    repo.tag("agent/v1.2.0", c);
    env.run(&["fetch", "-q"]).success();
    env.run(&["update", "--pack", "agent", "-q"]).success();
    let run = env.run(&["outdated", "aws-prod", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let agent = v["layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["pack"] == "agent")
        .unwrap();
    assert_eq!(agent["locked"], "1.1.0");
    assert_eq!(
        agent["held_back"],
        "agent 1.2.0: it requires kubernetes >=1.36, and layer `kubernetes` has kubernetes 1.35.9"
    );
    // A broken newest release holds the layer back and fails nothing.
    repo.write(
        "agent/pack.toml",
        &manifest("agent", "1.3.0", "addon", "agent")
            .replace("layer = \"addon\"", "layer = \"adon\""),
    );
    let c = repo.commit("1.3.0");
    repo.tag("agent/v1.3.0", c);
    env.run(&["fetch", "-q"]).success();
    let run = env.run(&["outdated", "aws-prod", "--format", "json"]);
    run.success();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let held = v["layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["pack"] == "agent")
        .unwrap()["held_back"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(held.starts_with("agent 1.3.0 cannot be read: "), "{held}");
}
