//! git registries: tags as releases, the shared cache, offline use, and faults. Every
//! repository is made on the fly with git2 and fetched over `file://` or a plain path.

use crate::util::git::{PackRepo, manifest};
use crate::util::{Env, aws_profile};

/// A repository with packs under `packs/`: acme-agent 1.0.0, 1.1.0 (annotated), 1.2.0-rc.1,
/// plus tags that are not versions.
fn agent_repo(env: &Env) -> PackRepo {
    let mut repo = PackRepo::init(&env.outside("packs-repo"));
    repo.write("README.md", "packs\n");
    for (v, annotated) in [("1.0.0", false), ("1.1.0", true), ("1.2.0-rc.1", false)] {
        repo.write(
            "packs/acme-agent/pack.toml",
            &manifest("acme-agent", v, "addon", &format!("agent {v}")),
        );
        repo.write(
            "packs/acme-agent/values.yaml.j2",
            &format!("replicas: {{{{ params.replicas }}}} # {v}\n"),
        );
        let c = repo.commit(&format!("acme-agent {v}"));
        let tag = format!("acme-agent/v{v}");
        if annotated {
            repo.annotated_tag(&tag, c);
        } else {
            repo.tag(&tag, c);
        }
    }
    let head = repo.repo.head().unwrap().target().unwrap();
    repo.tag("release-2024", head)
        .tag("acme-agent/vnext", head)
        .tag("nightly/build-7", head);
    repo
}

fn config(url: &str, path: &str) -> String {
    format!(
        "[catalog]\nname = \"test\"\n\n[[registry]]\nname = \"public\"\nkind = \"builtin\"\n\n[[registry]]\nname = \"acme\"\nkind = \"git\"\nurl = \"{url}\"\n{path}"
    )
}

fn with_agent(version: &str) -> String {
    aws_profile("")
        + &format!(
            "\n[[layer]]\ntype = \"addon\"\npack = \"acme-agent\"\nversion = \"{version}\"\n"
        )
}

#[test]
fn git_registry_lists_shows_and_validates() {
    let env = Env::new();
    let repo = agent_repo(&env);
    env.write("strata.toml", &config(&repo.url(), "path = \"packs\"\n"));
    let run = env.run(&["pack", "list", "--registry", "acme"]);
    run.success();
    assert_eq!(
        run.stdout,
        "PACK        LAYER  CATEGORY  NEWEST  REGISTRY  CLOUDS\nacme-agent  addon            1.1.0   acme      all\n"
    );
    let run = env.run(&["pack", "show", "acme-agent"]);
    run.success();
    assert!(
        run.stdout.starts_with("acme-agent 1.1.0\nagent 1.1.0\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("releases:  1.2.0-rc.1 (pre-release), 1.1.0, 1.0.0\n"),
        "{}",
        run.stdout
    );
    env.profile("aws-prod", &with_agent("1.x"));
    let run = env.run(&["validate"]);
    run.success();
    assert!(
        run.stdout
            .ends_with("aws-ebs-csi 1.64.0, acme-agent 1.1.0\n"),
        "{}",
        run.stdout
    );
    // A pre-release only when pinned exactly.
    env.profile("aws-prod", &with_agent("1.2.0-rc.1"));
    let run = env.run(&["validate"]);
    run.success();
    assert!(
        run.stdout.ends_with("acme-agent 1.2.0-rc.1\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn plain_path_url_and_offline_second_run() {
    let env = Env::new();
    let _repo = agent_repo(&env);
    env.write(
        "strata.toml",
        &config("../packs-repo", "path = \"packs\"\n"),
    );
    env.profile("aws-prod", &with_agent("1.0.x"));
    env.run(&["validate"]).success();
    // The mirror serves an offline run, even with the repository gone.
    fs_err::remove_dir_all(env.outside("packs-repo")).unwrap();
    let run = env.run(&["--offline", "validate"]);
    run.success();
    assert!(run.stdout.ends_with("acme-agent 1.0.0\n"), "{}", run.stdout);
}

#[test]
fn offline_without_cache_names_the_registry() {
    let env = Env::new();
    let repo = agent_repo(&env);
    env.write("strata.toml", &config(&repo.url(), ""));
    let url = repo.url();
    env.run(&["--offline", "pack", "list"]).fails(
        3,
        &format!(
            "error: registry `acme`: `{url}` is not in the cache and `--offline` forbids fetching it; run `strata fetch` while online\n"
        )
        .replace(env.outside("").to_str().unwrap().trim_end_matches('/'), "[TEMP]"),
    );
    assert!(!env.cache().join("git").exists());
    // STRATA_OFFLINE=1 is --offline for every command of a job.
    env.set_var("STRATA_OFFLINE", "1");
    let run = env.run(&["pack", "list"]);
    assert_eq!(run.code, 3);
    assert!(
        run.stderr.contains("`--offline` forbids fetching it"),
        "{}",
        run.stderr
    );
    assert!(!env.cache().join("git").exists());
}

#[test]
fn unreachable_repository_fails_fast_without_credentials_in_output() {
    let env = Env::new();
    env.write(
        "strata.toml",
        &config(
            "https://deploy:s3cret-token@127.0.0.1:9/platform/packs.git",
            "",
        ),
    );
    // The profile reads the registry (a profile that does not is validated regardless).
    env.profile("aws-prod", &with_agent("1.x"));
    let before = env.read("profiles/aws-prod/profile.toml");
    let run = env.run(&["validate"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(
            "error: registry `acme`: cannot fetch `https://127.0.0.1:9/platform/packs.git`:\n  git: "
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("s3cret"), "{}", run.stderr);
    assert!(!run.stderr.contains("deploy"), "{}", run.stderr);
    assert_eq!(env.read("profiles/aws-prod/profile.toml"), before);

    let env = Env::new();
    env.write("strata.toml", &config("file:///nonexistent/packs.git", ""));
    let run = env.run(&["pack", "list"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    // git's lines as git wrote them, each on its own line; no temporary cache path.
    assert_eq!(
        run.stderr,
        "error: registry `acme`: cannot fetch `file:///nonexistent/packs.git`:\n  \
         git: fatal: '/nonexistent/packs.git' does not appear to be a git repository\n  \
         git: fatal: Could not read from remote repository.\n  \
         git: Please make sure you have the correct access rights\n  \
         git: and the repository exists.\n"
    );
    // A failed clone leaves nothing half-made in the cache.
    let leftovers: Vec<_> = fs_err::read_dir(env.cache().join("git"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.ends_with(".lock"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn single_pack_repository_with_plain_tags() {
    let env = Env::new();
    let mut repo = PackRepo::init(&env.outside("agent"));
    for v in ["0.9.0", "1.0.0"] {
        repo.write("pack.toml", &manifest("solo", v, "addon", "one pack"));
        let c = repo.commit(v);
        repo.tag(&format!("v{v}"), c);
    }
    env.write("strata.toml", &config(&repo.url(), ""));
    let run = env.run(&["pack", "show", "solo", "--version", "0.x"]);
    run.success();
    assert!(run.stdout.starts_with("solo 0.9.0\n"), "{}", run.stdout);
    assert!(
        run.stdout.contains("releases:  1.0.0, 0.9.0\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn path_missing_at_a_tag() {
    let env = Env::new();
    let mut repo = PackRepo::init(&env.outside("r"));
    repo.write(
        "elsewhere/acme-agent/pack.toml",
        &manifest("acme-agent", "1.0.0", "addon", "x"),
    );
    let c = repo.commit("misplaced");
    repo.tag("acme-agent/v1.0.0", c);
    env.write("strata.toml", &config(&repo.url(), "path = \"packs\"\n"));
    env.profile("aws-prod", &with_agent("1.x"));
    env.run(&["validate"]).fails(
        1,
        "error: registry `acme`: `packs/acme-agent` does not exist at `acme-agent/v1.0.0`\n  hint: the registry's `path` is `packs`; packs live at `<path>/<pack>/pack.toml`\nerror: 1 problem in 1 of 1 profile\n",
    );
}

#[test]
fn tag_whose_pack_states_another_version() {
    let env = Env::new();
    let mut repo = PackRepo::init(&env.outside("r"));
    repo.write(
        "acme-agent/pack.toml",
        &manifest("acme-agent", "1.0.0", "addon", "x"),
    );
    let c = repo.commit("forgot to bump");
    repo.tag("acme-agent/v1.0.1", c);
    env.write("strata.toml", &config(&repo.url(), ""));
    env.profile("aws-prod", &with_agent("1.x"));
    env.run(&["validate"]).fails(
        1,
        "error: acme@acme-agent/v1.0.1:acme-agent/pack.toml:3:11: pack.toml states version `1.0.0`, but it is the release `1.0.1`\n   |\n 3 | version = \"1.0.0\"\n   |           ^^^^^^^\n  hint: set `version = \"1.0.1\"`\nerror: 1 problem in 1 of 1 profile\n",
    );
}

#[cfg(unix)]
#[test]
fn symlink_and_submodule_inside_a_pack() {
    let env = Env::new();
    let mut repo = PackRepo::init(&env.outside("r"));
    repo.write(
        "acme-agent/pack.toml",
        &manifest("acme-agent", "1.0.0", "addon", "x"),
    );
    std::os::unix::fs::symlink("/etc/passwd", env.outside("r/acme-agent/passwd")).unwrap();
    let c = repo.commit("symlink");
    repo.tag("acme-agent/v1.0.0", c);
    repo.remove("acme-agent/passwd");
    repo.write(
        "acme-agent/pack.toml",
        &manifest("acme-agent", "1.1.0", "addon", "x"),
    );
    repo.commit("no symlink");
    let mut index = repo.repo.index().unwrap();
    let entry = git2::IndexEntry {
        ctime: git2::IndexTime::new(0, 0),
        mtime: git2::IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: 0o160000,
        uid: 0,
        gid: 0,
        file_size: 0,
        id: git2::Oid::from_str("1111111111111111111111111111111111111111").unwrap(),
        flags: 0,
        flags_extended: 0,
        path: b"acme-agent/vendor".to_vec(),
    };
    index.add(&entry).unwrap();
    let c = repo.commit_index(&mut index, "submodule");
    repo.tag("acme-agent/v1.1.0", c);
    env.write("strata.toml", &config(&repo.url(), ""));
    env.profile("aws-prod", &with_agent("1.1.0"));
    env.run(&["validate"]).fails(
        1,
        "error: `acme@acme-agent/v1.1.0:acme-agent/vendor` is a submodule; packs may hold only regular files and folders\nerror: 1 problem in 1 of 1 profile\n",
    );
    env.profile("aws-prod", &with_agent("1.0.0"));
    env.run(&["validate"]).fails(
        1,
        "error: `acme@acme-agent/v1.0.0:acme-agent/passwd` is a symlink; packs may hold only regular files and folders\nerror: 1 problem in 1 of 1 profile\n",
    );
}

#[test]
fn path_that_leaves_the_repository() {
    let env = Env::new();
    env.write(
        "strata.toml",
        &config(
            "https://git.example.com/packs.git",
            "path = \"../../etc\"\n",
        ),
    );
    env.run(&["pack", "list"]).fails(
        1,
        "error: strata.toml:12:8: path `../../etc` must not leave its root (`..`)\n    |\n 12 | path = \"../../etc\"\n    |        ^^^^^^^^^^^\n",
    );
}

#[test]
fn thousands_of_tags() {
    let env = Env::new();
    let mut repo = PackRepo::init(&env.outside("bulk"));
    repo.write("bulk/pack.toml", &manifest("bulk", "1.0.0", "addon", "x"));
    let c = repo.commit("bulk");
    // Every tag points at one commit; only the one that is read must be right.
    for minor in 0..60 {
        for patch in 0..50 {
            repo.tag(&format!("bulk/v1.{minor}.{patch}"), c);
        }
    }
    repo.write(
        "bulk/pack.toml",
        &manifest("bulk", "1.59.49", "addon", "newest"),
    );
    let newest = repo.commit("newest");
    repo.tag("bulk/v1.59.49", newest);
    env.write("strata.toml", &config(&repo.url(), ""));
    let run = env.run(&["--format", "json", "pack", "show", "bulk"]);
    run.success();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["version"], "1.59.49");
    assert_eq!(v["description"], "newest");
    assert_eq!(v["releases"].as_array().unwrap().len(), 3000);
}

#[test]
fn moved_and_deleted_tags_follow_upstream() {
    let env = Env::new();
    let mut repo = agent_repo(&env);
    env.write("strata.toml", &config(&repo.url(), "path = \"packs\"\n"));
    let run = env.run(&["pack", "show", "acme-agent", "--version", "1.0.0"]);
    assert!(
        run.stdout.starts_with("acme-agent 1.0.0\nagent 1.0.0\n"),
        "{}",
        run.stdout
    );
    repo.write(
        "packs/acme-agent/pack.toml",
        &manifest("acme-agent", "1.0.0", "addon", "rebuilt"),
    );
    let c = repo.commit("rebuild 1.0.0");
    repo.tag("acme-agent/v1.0.0", c);
    repo.delete_tag("acme-agent/v1.2.0-rc.1");
    let run = env.run(&["pack", "show", "acme-agent", "--version", "1.0.0"]);
    run.success();
    assert!(
        run.stdout.starts_with("acme-agent 1.0.0\nrebuilt\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("releases:  1.1.0, 1.0.0\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn broken_mirror_is_cloned_again() {
    let env = Env::new();
    let repo = agent_repo(&env);
    env.write("strata.toml", &config(&repo.url(), "path = \"packs\"\n"));
    env.run(&["fetch"]).success();
    let key = strata::registry::url::GitUrl::parse(&repo.url(), &env.root())
        .unwrap()
        .cache_key();
    let mirror = env.cache().join("git").join(&key);
    assert!(mirror.join("HEAD").is_file());
    fs_err::remove_dir_all(&mirror).unwrap();
    fs_err::create_dir_all(&mirror).unwrap();
    fs_err::write(mirror.join("junk"), "not a repository").unwrap();
    let run = env.run(&["pack", "list", "--registry", "acme"]);
    run.success();
    assert_eq!(
        run.stderr,
        format!(
            "warning: registry `acme`: the cached mirror of `{}` is broken; cloning it again\n",
            repo.url()
        )
        .replace(
            env.outside("").to_str().unwrap().trim_end_matches('/'),
            "[TEMP]"
        )
    );
    assert!(run.stdout.contains("acme-agent"), "{}", run.stdout);
    assert!(mirror.join("HEAD").is_file());
}

#[test]
fn concurrent_runs_share_the_cache() {
    let env = Env::new();
    let repo = agent_repo(&env);
    env.write("strata.toml", &config(&repo.url(), "path = \"packs\"\n"));
    let runs: Vec<crate::util::Run> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| env.run(&["pack", "list", "--registry", "acme"])))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for run in &runs {
        run.success();
        assert!(
            run.stdout.contains("acme-agent  addon            1.1.0"),
            "{}",
            run.stdout
        );
    }
    let entries: Vec<String> = fs_err::read_dir(env.cache().join("git"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        entries.len(),
        2,
        "one mirror and its lock file: {entries:?}"
    );
}

#[test]
fn layer_ref_by_tag_branch_and_commit() {
    let env = Env::new();
    let mut repo = agent_repo(&env);
    repo.write(
        "packs/acme-agent/pack.toml",
        &manifest("acme-agent", "1.3.0-dev", "addon", "main"),
    );
    let head = repo.commit("work in progress");
    env.write("strata.toml", &config(&repo.url(), "path = \"packs\"\n"));
    let base = aws_profile("");
    let layer = |r: &str| {
        format!(
            "{base}\n[[layer]]\ntype = \"addon\"\npack = \"acme-agent\"\nref = \"{r}\"\nregistry = \"acme\"\n"
        )
    };
    for (r, version) in [
        ("main", "1.3.0-dev"),
        ("acme-agent/v1.0.0", "1.0.0"),
        (&head.to_string()[..10], "1.3.0-dev"),
    ] {
        env.profile("aws-prod", &layer(r));
        let run = env.run(&["validate"]);
        run.success();
        assert!(
            run.stdout.ends_with(&format!("acme-agent {version}\n")),
            "{r}: {}",
            run.stdout
        );
    }
    env.profile("aws-prod", &layer("mian"));
    let run = env.run(&["validate"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.starts_with("error: profiles/aws-prod/profile.toml:28:7: registry `acme` has no tag, branch or commit `mian`\n"),
        "{}",
        run.stderr
    );
    // `ref` needs a git registry.
    env.profile(
        "aws-prod",
        &aws_profile("").replace("version = \"3.x\"", "ref = \"main\""),
    );
    let run = env.run(&["validate"]);
    assert!(
        run.stderr.starts_with("error: profiles/aws-prod/profile.toml:18:7: `ref` needs a git registry, and `public` is a builtin registry\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn registry_add_git_list_and_fetch() {
    let env = Env::new();
    let repo = agent_repo(&env);
    let secret_url = format!("file://{}", repo.dir.display());
    let run = env.run(&["registry", "add", "acme", &secret_url, "--path", "packs"]);
    run.success();
    // Column widths depend on the temporary path, so compare cells.
    let cells = |text: &str| -> Vec<String> {
        text.lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    };
    let list = env.run(&["registry", "list"]);
    list.success();
    assert_eq!(
        cells(&list.stdout),
        [
            "NAME KIND FORMAT SOURCE CACHE PACKS",
            "public builtin strata builtin built in 11",
            "acme git strata file://[TEMP]/packs-repo not fetched -"
        ]
    );
    let run = env.run(&["fetch"]);
    run.success();
    assert_eq!(
        run.stderr,
        "   Fetched `acme` (file://[TEMP]/packs-repo): 1 pack, 3 releases\n"
    );
    let list = env.run(&["registry", "list"]);
    assert_eq!(
        cells(&list.stdout)[2],
        "acme git strata file://[TEMP]/packs-repo cached 1"
    );
    env.run(&["fetch", "acm"]).fails(
        2,
        "error: unknown registry `acm`\n  hint: did you mean `acme`?\n",
    );
    env.run(&["fetch", "public"]).fails(
        2,
        "error: registry `public` is a builtin registry; only git, helm and oci registries are fetched\n",
    );
    env.run(&["--offline", "fetch"]).fails(
        2,
        "error: `strata fetch` needs the network, and `--offline` forbids it\n  hint: drop `--offline`\n",
    );
}

#[test]
fn credentials_are_never_written_or_shown() {
    let env = Env::new();
    let before = env.read("strata.toml");
    env.run(&["registry", "add", "acme", "https://bot:tok3n@git.example.com/packs.git"]).fails(
        2,
        "error: the URL carries credentials; strata does not write them into `strata.toml`\n  hint: add `https://git.example.com/packs.git` and let git supply the credentials (a credential helper, ssh-agent, or GIT_ASKPASS)\n",
    );
    assert_eq!(env.read("strata.toml"), before);
    let run = env.run(&[
        "registry",
        "add",
        "acme",
        "https://git.example.com/packs.git",
    ]);
    run.success();
    assert_eq!(
        run.stderr,
        "     Added git registry `acme` (https://git.example.com/packs.git)\n"
    );
    // A URL with a token that a user wrote into strata.toml is used but never shown.
    env.write(
        "strata.toml",
        &env.read("strata.toml").replace(
            "https://git.example.com",
            "https://bot:tok3n@git.example.com",
        ),
    );
    let list = env.run(&["registry", "list", "--format", "json"]);
    assert!(!list.stdout.contains("tok3n"), "{}", list.stdout);
    let v: serde_json::Value = serde_json::from_str(&list.stdout).unwrap();
    assert_eq!(
        v["registries"][1]["source"],
        "https://git.example.com/packs.git"
    );
    assert_eq!(v["registries"][1]["cache"], "not fetched");
    // An ssh user name is not a secret.
    env.run(&[
        "registry",
        "add",
        "gh",
        "ssh://git@github.com/acme/packs.git",
    ])
    .success();
}

#[test]
fn a_registry_is_fetched_only_when_read() {
    let env = Env::new();
    env.write("strata.toml", &config("https://127.0.0.1:9/packs.git", ""));
    let run = env.run(&["pack", "list", "--registry", "public", "--layer", "os"]);
    run.success();
    assert_eq!(
        run.stdout,
        "PACK    LAYER  CATEGORY  NEWEST   REGISTRY  CLOUDS\nubuntu  os     os        24.04.2  public    all\n"
    );
    env.run(&["registry", "list"]).success();
    assert!(!env.cache().join("git").exists());
}

/// The same fetches through libgit2, as on a machine without the `git` program.
#[test]
fn libgit2_transport_fetches_moves_prunes_and_repairs() {
    let env = Env::new();
    env.set_var("STRATA_GIT_FETCH", "libgit2");
    let mut repo = agent_repo(&env);
    env.write("strata.toml", &config(&repo.url(), "path = \"packs\"\n"));
    let run = env.run(&["pack", "show", "acme-agent", "--version", "1.0.0"]);
    run.success();
    assert!(
        run.stdout
            .contains("releases:  1.2.0-rc.1 (pre-release), 1.1.0, 1.0.0\n"),
        "{}",
        run.stdout
    );
    repo.write(
        "packs/acme-agent/pack.toml",
        &manifest("acme-agent", "1.0.0", "addon", "rebuilt"),
    );
    let c = repo.commit("rebuild 1.0.0");
    repo.tag("acme-agent/v1.0.0", c);
    repo.delete_tag("acme-agent/v1.2.0-rc.1");
    let run = env.run(&["pack", "show", "acme-agent", "--version", "1.0.0"]);
    assert!(
        run.stdout.starts_with("acme-agent 1.0.0\nrebuilt\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("releases:  1.1.0, 1.0.0\n"),
        "{}",
        run.stdout
    );
    let key = strata::registry::url::GitUrl::parse(&repo.url(), &env.root())
        .unwrap()
        .cache_key();
    let mirror = env.cache().join("git").join(&key);
    fs_err::remove_dir_all(&mirror).unwrap();
    fs_err::create_dir_all(&mirror).unwrap();
    let run = env.run(&["pack", "list", "--registry", "acme"]);
    run.success();
    assert!(
        run.stderr.contains("is broken; cloning it again"),
        "{}",
        run.stderr
    );

    let env = Env::new();
    env.set_var("STRATA_GIT_FETCH", "libgit2");
    env.write(
        "strata.toml",
        &config("https://deploy:s3cret@127.0.0.1:9/packs.git", ""),
    );
    let run = env.run(&["pack", "list"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("error: registry `acme`: cannot fetch `https://127.0.0.1:9/packs.git`: "),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("s3cret"), "{}", run.stderr);
}

#[test]
fn mirror_keeps_no_credentials() {
    let env = Env::new();
    let repo = agent_repo(&env);
    // A file URL with user-info: git ignores it, but it must not be stored.
    let url = format!("file://{}", repo.dir.display());
    env.write("strata.toml", &config(&url, "path = \"packs\"\n"));
    env.run(&["fetch"]).success();
    let key = strata::registry::url::GitUrl::parse(&url, &env.root())
        .unwrap()
        .cache_key();
    let config = fs_err::read_to_string(env.cache().join("git").join(key).join("config")).unwrap();
    assert!(!config.contains("[remote"), "{config}");
    assert!(!config.contains("packs-repo"), "{config}");
}
