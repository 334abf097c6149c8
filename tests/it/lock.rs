//! lock, update, verify and --commit: exact lock files, staleness, moved tags, changed
//! content, hand edits, removed profiles, and commits that hold only lock files.

use std::process::Command;

use crate::util::git::{PackRepo, manifest};
use crate::util::{Env, aws_profile, git};

/// A catalog with the builtin registry and a git registry at `../packs-repo` (a relative
/// path, so lock files do not depend on the temporary folder).
pub(crate) fn git_env() -> (Env, PackRepo) {
    git_env_with(Env::new())
}

/// [`git_env`] whose runs see `path` as PATH (to run without the `git` program).
pub(crate) fn git_env_with_path(path: &str) -> (Env, PackRepo) {
    let env = Env::new();
    env.set_var("PATH", path);
    git_env_with(env)
}

fn git_env_with(env: Env) -> (Env, PackRepo) {
    let mut repo = PackRepo::init(&env.outside("packs-repo"));
    for v in ["1.0.0", "1.1.0"] {
        repo.write(
            "packs/acme-agent/pack.toml",
            &manifest("acme-agent", v, "addon", "agent"),
        );
        repo.write(
            "packs/acme-agent/values.yaml.j2",
            &format!("replicas: {{{{ params.replicas }}}} # {v}\n"),
        );
        let c = repo.commit(&format!("acme-agent {v}"));
        repo.annotated_tag(&format!("acme-agent/v{v}"), c);
    }
    env.write(
        "strata.toml",
        "[catalog]\nname = \"test\"\n\n[[registry]]\nname = \"public\"\nkind = \"builtin\"\n\n[[registry]]\nname = \"acme\"\nkind = \"git\"\nurl = \"../packs-repo\"\npath = \"packs\"\n",
    );
    env.profile(
        "aws-prod",
        &(aws_profile("") + "\n[[layer]]\ntype = \"addon\"\nname = \"agent\"\npack = \"acme-agent\"\nversion = \"1.x\"\n"),
    );
    (env, repo)
}

fn release(repo: &mut PackRepo, v: &str, description: &str) -> git2::Oid {
    repo.write(
        "packs/acme-agent/pack.toml",
        &manifest("acme-agent", v, "addon", description),
    );
    let c = repo.commit(&format!("acme-agent {v}"));
    repo.tag(&format!("acme-agent/v{v}"), c);
    c
}

#[test]
fn lock_writes_a_deterministic_lock_file() {
    let (env, _repo) = git_env();
    let run = env.run(&["lock"]);
    run.success();
    assert_eq!(
        run.stderr,
        "    Locked `profiles/aws-prod/profile.lock`\n           aws-prod os ubuntu 22.04.5 (new)\n           aws-prod kubernetes kubernetes 1.36.4 (new)\n           aws-prod network calico 3.32.1 (new)\n           aws-prod storage aws-ebs-csi 1.64.0 (new)\n           aws-prod agent acme-agent 1.1.0 (new)\n"
    );
    let first = env.read("profiles/aws-prod/profile.lock");
    insta::assert_snapshot!("lock_file", first);
    // Same inputs, same bytes; nothing to do a second time.
    let run = env.run(&["lock"]);
    run.success();
    assert_eq!(run.stderr, " Unchanged 1 lock file is up to date\n");
    env.run(&["lock", "--check"]).success();
    fs_err::remove_file(env.path("profiles/aws-prod/profile.lock")).unwrap();
    fs_err::remove_dir_all(env.cache()).unwrap();
    env.run(&["lock"]).success();
    assert_eq!(env.read("profiles/aws-prod/profile.lock"), first);
}

#[test]
fn digest_matches_an_independent_computation() {
    let (env, _repo) = git_env();
    env.run(&["lock"]).success();
    let lock = env.read("profiles/aws-prod/profile.lock");
    let script = "find . -type f | cut -c3- | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-64 | xxd -r -p | base64";
    for (folder, layer) in [
        (env.outside("packs-repo/packs/acme-agent"), "agent"),
        (
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("catalog/calico/3.32.1"),
            "network",
        ),
    ] {
        let out = Command::new("sh")
            .arg("-c")
            .arg(script)
            .current_dir(&folder)
            .output()
            .unwrap();
        assert!(out.status.success());
        let expected = format!("h1:{}", String::from_utf8(out.stdout).unwrap().trim());
        let block = lock
            .split("[[layer]]")
            .find(|b| b.contains(&format!("name = \"{layer}\"")))
            .unwrap();
        assert!(
            block.contains(&format!("digest = \"{expected}\"")),
            "{layer}: {expected}\n{block}"
        );
    }
}

#[test]
fn lock_keeps_releases_and_update_moves_them() {
    let (env, mut repo) = git_env();
    env.run(&["lock"]).success();
    let before = env.read("profiles/aws-prod/profile.lock");
    release(&mut repo, "1.2.0", "agent");
    // A new release in the train does not make the lock stale, and validate checks the
    // locked release.
    env.run(&["lock", "--check"]).success();
    let run = env.run(&["validate"]);
    assert!(run.stdout.ends_with("acme-agent 1.1.0\n"), "{}", run.stdout);
    env.profile(
        "aws-prod",
        &env.read("profiles/aws-prod/profile.toml")
            .replace("22.04.x", "22.04.5"),
    );
    let run = env.run(&["lock"]);
    run.success();
    assert_eq!(
        run.stderr,
        "  Relocked `profiles/aws-prod/profile.lock`\n           aws-prod lock refreshed\n"
    );
    let after = env.read("profiles/aws-prod/profile.lock");
    assert!(after.contains("version = \"1.1.0\""), "{after}");
    assert_ne!(before, after);
    env.run(&["update", "--pack", "calcio"]).fails(
        2,
        "error: no selected profile uses pack `calcio`\n  hint: did you mean `calico`?\n",
    );
    // --dry-run: the same change, shown as a diff of the lock; nothing written.
    let locked = env.read("profiles/aws-prod/profile.lock");
    let run = env.run(&["update", "--pack", "acme-agent", "--dry-run"]);
    run.success();
    assert_eq!(
        run.stderr,
        "   Changes `profiles/aws-prod/profile.lock`\n           aws-prod agent acme-agent 1.1.0 -> 1.2.0\n   Dry run 1 lock file would change; nothing was written\n"
    );
    assert!(
        run.stdout.starts_with(
            "--- a/profiles/aws-prod/profile.lock\n+++ b/profiles/aws-prod/profile.lock\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("\n-version = \"1.1.0\"\n-tag = \"acme-agent/v1.1.0\"\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("\n+version = \"1.2.0\"\n+tag = \"acme-agent/v1.2.0\"\n"),
        "{}",
        run.stdout
    );
    assert_eq!(env.read("profiles/aws-prod/profile.lock"), locked);
    let run = env.run(&["update", "--dry-run", "--commit"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("error: the argument '--dry-run' cannot be used with '--commit'\n"),
        "{}",
        run.stderr
    );
    let run = env.run(&["update", "--pack", "acme-agent"]);
    run.success();
    assert_eq!(
        run.stderr,
        "   Updated `profiles/aws-prod/profile.lock`\n           aws-prod agent acme-agent 1.1.0 -> 1.2.0\n"
    );
    env.run(&["lock", "--check"]).success();
    let run = env.run(&["update", "--dry-run"]);
    run.success();
    assert_eq!(
        (run.stdout.as_str(), run.stderr.as_str()),
        ("", " Unchanged 1 lock file is up to date\n")
    );
}

#[test]
fn check_reports_stale_and_missing_locks_and_writes_nothing() {
    let (env, _repo) = git_env();
    env.profile("second", &aws_profile("").replace("aws-prod", "second"));
    let run = env.run(&["lock", "--check"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("+++ b/profiles/aws-prod/profile.lock\n"),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stderr,
        "error: profiles/aws-prod/profile.lock: lock file is missing\n  hint: run `strata lock` and commit the result\nerror: profiles/second/profile.lock: lock file is missing\n  hint: run `strata lock` and commit the result\nerror: 2 problems\n"
    );
    assert!(!env.path("profiles/aws-prod/profile.lock").exists());
    env.run(&["lock"]).success();
    env.profile(
        "aws-prod",
        &env.read("profiles/aws-prod/profile.toml")
            .replace("3.x", "3.31.x"),
    );
    let run = env.run(&["lock", "--check"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("\n-version = \"3.32.1\"\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("\n+version = \"3.31.7\"\n"),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stderr,
        "error: profiles/aws-prod/profile.lock: lock file is stale: layer `network`: calico 3.32.1 -> 3.31.7, requested `3.x` -> `3.31.x`\n  hint: run `strata lock` and commit the result\nerror: 1 problem\n"
    );
}

#[test]
fn unsatisfiable_profile_writes_no_lock_at_all() {
    let (env, _repo) = git_env();
    env.profile(
        "broken",
        &aws_profile("")
            .replace("aws-prod", "broken")
            .replace("3.x", "3.31.x")
            .replace("1.36.x", "1.37.x"),
    );
    let run = env.run(&["lock"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error: profiles/broken/profile.toml:13:11: calico 3.31.x (line 15) requires kubernetes >=1.34, <1.37, but this layer asks for kubernetes 1.37.x\n    |\n 13 | version = \"1.37.x\"\n    |           ^^^^^^^^\n  hint: choose kubernetes releases in `>=1.34, <1.37`, or calico releases that accept kubernetes 1.37.x\nerror: 1 problem; no lock file was written\n"
    );
    assert!(!env.path("profiles/aws-prod/profile.lock").exists());
    assert!(!env.path("profiles/broken/profile.lock").exists());
}

#[test]
fn moved_tag_is_caught_and_accepted_by_update() {
    let (env, mut repo) = git_env();
    env.run(&["lock"]).success();
    let old = repo
        .repo
        .revparse_single("acme-agent/v1.1.0^{commit}")
        .unwrap()
        .id();
    let new = release(&mut repo, "1.1.0", "rebuilt");
    let run = env.run(&["verify"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        format!(
            "error: profiles/aws-prod/profile.lock: layer `agent`: tag `acme-agent/v1.1.0` of registry `acme` moved: the lock has commit {old}, the registry now has {new}\n  hint: if the change is intended, accept it with `strata update --pack acme-agent`\n"
        )
    );
    // Reading the locked release again (the profile changed elsewhere) stops as well.
    env.profile(
        "aws-prod",
        &env.read("profiles/aws-prod/profile.toml")
            .replace("22.04.x", "22.04.5"),
    );
    let run = env.run(&["lock"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.starts_with(&format!(
            "error: profiles/aws-prod/profile.toml:28:8: tag `acme-agent/v1.1.0` of registry `acme` moved: the lock has commit {old}, the registry now has {new}\n"
        )),
        "{}",
        run.stderr
    );
    let run = env.run(&["update", "--pack", "acme-agent"]);
    run.success();
    assert!(
        run.stderr
            .contains("aws-prod agent acme-agent 1.1.0 (content changed)"),
        "{}",
        run.stderr
    );
    assert!(
        env.read("profiles/aws-prod/profile.lock")
            .contains(&format!("commit = \"{new}\""))
    );
    let run = env.run(&["verify"]);
    run.success();
    assert_eq!(run.stdout, "verified aws-prod: 5 layers\n");
}

#[test]
fn changed_content_under_the_same_version() {
    let env = Env::with_config(
        "[catalog]\nname = \"test\"\n\n[[registry]]\nname = \"public\"\nkind = \"builtin\"\n\n[[registry]]\nname = \"local\"\nkind = \"dir\"\npath = \"packs\"\n",
    );
    env.pack(
        "acme-agent",
        "1.0.0",
        &manifest("acme-agent", "1.0.0", "addon", "agent"),
    );
    env.profile(
        "aws-prod",
        &(aws_profile("")
            + "\n[[layer]]\ntype = \"addon\"\npack = \"acme-agent\"\nversion = \"1.x\"\n"),
    );
    env.run(&["lock"]).success();
    let locked = env.read("profiles/aws-prod/profile.lock");
    env.pack(
        "acme-agent",
        "1.0.0",
        &manifest("acme-agent", "1.0.0", "addon", "agent, quietly changed"),
    );
    let run = env.run(&["lock", "--check"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.starts_with("error: profiles/aws-prod/profile.toml:27:8: the content of acme-agent 1.0.0 (registry `local`) changed: the lock has h1:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "  hint: if the change is intended, accept it with `strata update --pack acme-agent`\n"
        ),
        "{}",
        run.stderr
    );
    let run = env.run(&["verify"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("layer `acme-agent`: the content of acme-agent 1.0.0 changed"),
        "{}",
        run.stderr
    );
    assert_eq!(env.read("profiles/aws-prod/profile.lock"), locked);
    env.run(&["update", "--pack", "acme-agent"]).success();
    env.run(&["lock", "--check"]).success();
}

#[test]
fn hand_edited_and_corrupted_locks_are_repaired() {
    let (env, _repo) = git_env();
    env.run(&["lock"]).success();
    let good = env.read("profiles/aws-prod/profile.lock");
    env.write(
        "profiles/aws-prod/profile.lock",
        &good.replace("version = \"3.32.1\"", "version = \"3.31.7\""),
    );
    let run = env.run(&["lock", "--check"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .starts_with("error: profiles/aws-prod/profile.lock: lock file is stale: layer `network`: calico 3.31.7 -> 3.32.1\n"),
        "{}",
        run.stderr
    );
    // The edited layer no longer agrees with itself (its path and digest are of 3.32.1), so
    // it is resolved afresh.
    env.run(&["lock"]).success();
    assert_eq!(env.read("profiles/aws-prod/profile.lock"), good);

    env.write(
        "profiles/aws-prod/profile.lock",
        "lock_version = 1\n[[layer]\n",
    );
    let run = env.run(&["lock", "--check"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error: profiles/aws-prod/profile.lock:2:9: unclosed array table, expected `]`\n   |\n 2 | [[layer]\n   |         ^\n  hint: `strata lock` writes it anew\nerror: profiles/aws-prod/profile.lock: lock file is stale\n  hint: run `strata lock` and commit the result\nerror: 2 problems\n"
    );
    let run = env.run(&["lock"]);
    run.success();
    assert!(
        run.stderr
            .starts_with("warning: profiles/aws-prod/profile.lock:2:9: unclosed array table"),
        "{}",
        run.stderr
    );
    env.run(&["update", "--pack", "calico"]).success();
    assert_eq!(env.read("profiles/aws-prod/profile.lock"), good);
}

#[test]
fn removed_profile_lock_is_reported_not_deleted() {
    let (env, _repo) = git_env();
    env.run(&["lock"]).success();
    env.write(
        "profiles/old/profile.lock",
        "# Generated by strata. Do not edit.\n",
    );
    let run = env.run(&["lock"]);
    run.success();
    assert_eq!(
        run.stderr,
        "warning: profiles/old/profile.lock: lock file without a profile.toml beside it (the profile was removed or renamed)\n  hint: delete it: `git rm profiles/old/profile.lock`\n Unchanged 1 lock file is up to date\n"
    );
    assert!(env.path("profiles/old/profile.lock").exists());
    let run = env.run(&["lock", "--check"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .starts_with("error: profiles/old/profile.lock: lock file without a profile.toml"),
        "{}",
        run.stderr
    );
}

#[test]
fn commit_holds_only_the_changed_locks_and_keeps_the_users_changes() {
    let (env, mut repo) = git_env();
    let root = env.root();
    git(&root, &["init", "-q", "-b", "main"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "catalog"]);
    env.run(&["lock", "--commit"]).success();
    assert_eq!(
        git(&root, &["log", "-1", "--format=%s"]),
        "strata: lock aws-prod\n"
    );
    release(&mut repo, "1.2.0", "agent");
    // The user's own work in progress: one staged change, one unstaged.
    env.write("notes.md", "staged\n");
    git(&root, &["add", "notes.md"]);
    env.write("strata.toml", &(env.read("strata.toml") + "# unstaged\n"));
    let status_before = git(&root, &["status", "--porcelain"]);
    let run = env.run(&["update", "--commit"]);
    run.success();
    assert_eq!(
        git(&root, &["log", "-1", "--format=%B"]),
        "strata: update aws-prod\n\naws-prod agent acme-agent 1.1.0 -> 1.2.0\n\n"
    );
    assert_eq!(
        git(&root, &["show", "--name-only", "--format=", "HEAD"]),
        "profiles/aws-prod/profile.lock\n"
    );
    assert_eq!(git(&root, &["status", "--porcelain"]), status_before);
    assert_eq!(
        git(&root, &["diff", "--cached", "--name-only"]),
        "notes.md\n"
    );
    // Nothing changed: no commit.
    let head = git(&root, &["rev-parse", "HEAD"]);
    let run = env.run(&["update", "--commit"]);
    run.success();
    assert_eq!(git(&root, &["rev-parse", "HEAD"]), head);
}

#[test]
fn commit_refuses_without_a_repository_or_a_branch() {
    let (env, _repo) = git_env();
    env.run(&["lock", "--commit"]).fails(
        2,
        "error: `--commit` needs the catalog in a git repository\n  hint: run `git init` (or `strata init`) first, or drop `--commit`\n",
    );
    assert!(!env.path("profiles/aws-prod/profile.lock").exists());
    let root = env.root();
    git(&root, &["init", "-q", "-b", "main"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "catalog"]);
    git(&root, &["checkout", "-q", "--detach"]);
    env.run(&["lock", "--commit"]).fails(
        2,
        "error: `--commit` needs a branch, and HEAD is detached\n  hint: check out a branch (`git switch -c strata-update`), or drop `--commit`\n",
    );
    assert!(!env.path("profiles/aws-prod/profile.lock").exists());
}

#[test]
fn train_with_only_prereleases() {
    let (env, mut repo) = git_env();
    release(&mut repo, "2.0.0-rc.1", "next");
    let text = env.read("profiles/aws-prod/profile.toml");
    env.profile(
        "aws-prod",
        &text.replace(
            "pack = \"acme-agent\"\nversion = \"1.x\"",
            "pack = \"acme-agent\"\nversion = \"2.x\"",
        ),
    );
    let run = env.run(&["lock"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error: profiles/aws-prod/profile.toml:29:11: `acme-agent` 2.x has no stable release\n    |\n 29 | version = \"2.x\"\n    |           ^^^^^\n  hint: pre-releases are used only when pinned exactly: `2.0.0-rc.1`\nerror: 1 problem; no lock file was written\n"
    );
}

#[test]
fn locked_reads_never_touch_the_network() {
    let (env, _repo) = git_env();
    env.run(&["lock", "-q"]).success();
    env.write(
        "clusters/c1/cluster.toml",
        "[cluster]\nname = \"c1\"\nprofile = \"aws-prod\"\n",
    );
    let root = env.root();
    git(&root, &["init", "-q", "-b", "main"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "catalog"]);
    // The registry's origin is gone: every read of current locks comes from the cache.
    fs_err::rename(env.outside("packs-repo"), env.outside("packs-repo-gone")).unwrap();
    for args in [
        &["render", "aws-prod"][..],
        &["render", "--all"],
        &["explain", "aws-prod", "agent"],
        &["validate"],
        &["lock", "--check"],
        &["diff"],
        &["export", "aws-prod", "--to", "flux"],
        &["cluster", "validate"],
        &["cluster", "render", "c1"],
    ] {
        let run = env.run(args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert!(
            !run.stderr.contains("cannot fetch"),
            "{args:?}: {}",
            run.stderr
        );
    }
    // What goes to the network says so when it cannot.
    assert_eq!(env.run(&["fetch"]).code, 3);
}

#[test]
fn a_locked_commit_missing_from_the_cache_is_fetched() {
    let (env, mut repo) = git_env();
    env.run(&["lock", "-q"]).success();
    // Another machine locks a release this cache has never seen.
    release(&mut repo, "1.2.0", "agent");
    let other = env.outside("other-cache");
    env.set_var("STRATA_CACHE", other.to_str().unwrap());
    env.run(&["update", "--pack", "acme-agent", "-q"]).success();
    assert!(
        env.read("profiles/aws-prod/profile.lock")
            .contains("version = \"1.2.0\"")
    );
    // Back on this machine: rendering reads the locked commit, fetching it first.
    env.set_var("STRATA_CACHE", env.cache().to_str().unwrap());
    let run = env.run(&["render", "aws-prod", "--layer", "agent"]);
    run.success();
    assert!(
        run.stdout.contains("# acme-agent 1.2.0: file\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn diff_reads_no_profile_that_is_the_same_at_both_sides() {
    let (env, _repo) = git_env();
    env.run(&["lock", "-q"]).success();
    let root = env.root();
    git(&root, &["init", "-q", "-b", "main"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "catalog"]);
    // Reading aws-prod now would need its registry: the origin is gone, the cache is new.
    fs_err::rename(env.outside("packs-repo"), env.outside("packs-repo-gone")).unwrap();
    env.set_var("STRATA_CACHE", env.outside("empty-cache").to_str().unwrap());
    env.profile(
        "edge",
        "[profile]\nname = \"edge\"\ncloud = \"edge\"\ntype = \"add-on\"\n",
    );
    let run = env.run(&["diff"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "added edge\n  note: at working tree: no lock file; resolved for this review\n1 profile unchanged\n"
    );
    // A change to aws-prod makes diff read it, and say that it cannot.
    let text = env.read("profiles/aws-prod/profile.toml");
    env.profile(
        "aws-prod",
        &text.replace("version = \"1.x\"", "version = \"1.1.x\""),
    );
    assert_eq!(env.run(&["diff"]).code, 3);
    // So does a change to its lock alone: the lock is compared by its bytes' id.
    env.profile("aws-prod", &text);
    assert_eq!(env.run(&["diff"]).code, 0);
    let lock = env.read("profiles/aws-prod/profile.lock");
    env.write("profiles/aws-prod/profile.lock", &format!("{lock}\n"));
    assert_eq!(env.run(&["diff"]).code, 3);
}

/// A lock from a newer strata: every command that reads it says to upgrade strata, none
/// suggests `strata lock` (which refuses to rewrite it).
#[test]
fn a_newer_lock_says_upgrade_everywhere() {
    let env = Env::new();
    env.profile("aws-prod", &aws_profile(""));
    env.run(&["lock", "-q"]).success();
    let lock = env.read("profiles/aws-prod/profile.lock");
    env.write(
        "profiles/aws-prod/profile.lock",
        &lock.replace("lock_version = 1\n", "lock_version = 99\n"),
    );
    for args in [&["render", "aws-prod"][..], &["verify"], &["lock"]] {
        let run = env.run(args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr
                .contains("  hint: upgrade strata; an older one must not rewrite a newer lock\n"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(
            !run.stderr.contains("run `strata lock`"),
            "{args:?}: {}",
            run.stderr
        );
    }
}
