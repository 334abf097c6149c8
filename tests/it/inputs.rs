//! What a lock's `inputs` counts: the part of strata.toml its layers use, the profile and
//! its bases, and its own facts. Computed here independently from docs/lockfile.md.

use sha2::{Digest, Sha256};

use crate::lock::git_env;

fn sha256(bytes: &[u8]) -> String {
    let hex: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

/// `sha256:` of a TOML file as parsed: JSON with keys sorted, comments and layout gone.
fn content(toml_text: &str) -> String {
    let table: toml::Table = toml_text.parse().unwrap();
    sha256(serde_json::to_string(&table).unwrap().as_bytes())
}

/// The `inputs` of a lock as docs/lockfile.md defines it, for header `version` and the
/// given digest of strata.toml.
fn inputs(version: u32, config: &str, profile: &str, lock: &str) -> String {
    let mut text = format!("strata-inputs {version}\n");
    for (name, digest) in [
        ("strata.toml", config.to_string()),
        ("profiles/aws-prod/profile.toml", content(profile)),
    ] {
        text.push_str(&serde_json::json!(["file", name, digest]).to_string());
        text.push('\n');
    }
    let lock: toml::Table = lock.parse().unwrap();
    let fields = [
        "type",
        "name",
        "pack",
        "registry",
        "source",
        "path",
        "requested",
        "version",
        "tag",
        "commit",
        "digest",
        "values",
        "rendered",
    ];
    for layer in lock["layer"].as_array().unwrap() {
        let mut line = vec![serde_json::json!("layer")];
        line.extend(fields.iter().map(|f| {
            layer
                .get(*f)
                .map_or(serde_json::Value::Null, |v| v.as_str().unwrap().into())
        }));
        text.push_str(&serde_json::Value::Array(line).to_string());
        text.push('\n');
    }
    sha256(text.as_bytes())
}

fn recorded(lock: &str) -> String {
    let lock: toml::Table = lock.parse().unwrap();
    lock["inputs"].as_str().unwrap().to_string()
}

#[test]
fn inputs_count_only_the_strata_toml_a_profile_uses() {
    let (env, _repo) = git_env();
    env.run(&["lock", "-q"]).success();
    let config = env.read("strata.toml");
    let profile = env.read("profiles/aws-prod/profile.toml");
    let lock = env.read("profiles/aws-prod/profile.lock");
    // Version 3: strata.toml as the layers use it (here: all of it, both registries are
    // used and there are no defaults).
    assert_eq!(
        recorded(&lock),
        inputs(3, &content(&config), &profile, &lock)
    );

    // A registry and pack defaults no layer uses: every lock stays current.
    fs_err::create_dir_all(env.path("other-packs")).unwrap();
    let unrelated = format!(
        "{config}\n[[registry]]\nname = \"other\"\nkind = \"dir\"\npath = \"other-packs\"\n\n[defaults.cilium]\nmtu = 1450\n"
    );
    env.write("strata.toml", &unrelated);
    env.run(&["lock", "--check"]).success();
    env.run(&["render", "aws-prod"]).success();
    assert_eq!(
        recorded(&env.read("profiles/aws-prod/profile.lock")),
        inputs(3, &content(&config), &profile, &lock)
    );

    // Defaults of a pack the profile uses: stale, and `lock --check` says which layer.
    env.write(
        "strata.toml",
        &unrelated.replace("[defaults.cilium]", "[defaults.calico]"),
    );
    env.run(&["lock", "--check", "-q"]).fails(
        1,
        "error: profiles/aws-prod/profile.lock: lock file is stale: layer `network`: its values changed\n  hint: run `strata lock` and commit the result\nerror: 1 problem\n",
    );
}

#[test]
fn a_lock_from_before_stays_current_until_its_inputs_change() {
    let (env, _repo) = git_env();
    env.run(&["lock", "-q"]).success();
    let config = env.read("strata.toml");
    let profile = env.read("profiles/aws-prod/profile.toml");
    let lock = env.read("profiles/aws-prod/profile.lock");
    // A lock whose `inputs` is version 2 (the whole strata.toml) is current and kept as
    // it is, byte for byte.
    let old = lock.replace(
        &recorded(&lock),
        &inputs(2, &content(&config), &profile, &lock),
    );
    assert_ne!(old, lock);
    env.write("profiles/aws-prod/profile.lock", &old);
    env.run(&["lock", "--check"]).success();
    let run = env.run(&["lock"]);
    run.success();
    assert_eq!(run.stderr, " Unchanged 1 lock file is up to date\n");
    assert_eq!(env.read("profiles/aws-prod/profile.lock"), old);
    env.run(&["render", "aws-prod"]).success();
    // Once strata.toml changes, the lock is written with version 3.
    env.write(
        "strata.toml",
        &format!("{config}\n[defaults.cilium]\nmtu = 1450\n"),
    );
    assert_eq!(env.run(&["lock", "--check"]).code, 1);
    env.run(&["lock", "-q"]).success();
    assert_eq!(env.read("profiles/aws-prod/profile.lock"), lock);
}

#[test]
fn a_lock_is_current_by_its_record_only_when_it_is_this_profiles() {
    let (env, _repo) = git_env();
    env.run(&["lock", "-q"]).success();
    let lock = env.read("profiles/aws-prod/profile.lock");
    // Nothing its `inputs` counts names the profile: a lock copied from another profile
    // (its name changed, its digest the same) is not this profile's lock.
    env.write(
        "profiles/aws-prod/profile.lock",
        &lock.replace("profile = \"aws-prod\"", "profile = \"aws-dev\""),
    );
    let run = env.run(&["lock", "--check", "-q"]);
    run.fails(
        1,
        "error: profiles/aws-prod/profile.lock: the lock is for profile `aws-dev`, not `aws-prod`\n  hint: `strata lock` writes it anew\nerror: profiles/aws-prod/profile.lock: lock file is stale\n  hint: run `strata lock` and commit the result\nerror: 2 problems\n",
    );
    env.run(&["lock", "-q"]).success();
    assert_eq!(env.read("profiles/aws-prod/profile.lock"), lock);
}
