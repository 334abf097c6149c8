//! Signed releases: a git registry with `signers` offers only the release tags signed by a
//! listed key (real keys made by `ssh-keygen`, tags signed by the real `git tag -s`), and
//! the lock records who signed.

use std::path::Path;

use strata_test_support::git::{PackRepo, manifest};

use crate::util::Env;

/// An SSH key pair made by `ssh-keygen` under `dir`: (private key file, public key line).
fn ssh_key(dir: &Path, name: &str) -> (std::path::PathBuf, String) {
    fs_err::create_dir_all(dir).unwrap();
    let key = dir.join(name);
    let out = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let public = fs_err::read_to_string(key.with_extension("pub")).unwrap();
    let line: Vec<&str> = public.split_whitespace().take(2).collect();
    (key, line.join(" "))
}

/// `ssh-keygen -l` of a public key line: its `SHA256:` fingerprint.
fn fingerprint(dir: &Path, public: &str) -> String {
    let file = dir.join("fp.pub");
    fs_err::write(&file, format!("{public}\n")).unwrap();
    let out = std::process::Command::new("ssh-keygen")
        .arg("-lf")
        .arg(&file)
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_string()
}

/// Tags `demo/v<version>` of `demo` releases: 1.0.0 signed by alice, 1.1.0 annotated but
/// unsigned, 1.2.0 signed by mallory.
fn registry(env: &Env, alice: &Path, mallory: &Path) -> PackRepo {
    let mut repo = PackRepo::init(&env.outside("packs-repo"));
    for (v, key) in [
        ("1.0.0", Some(alice)),
        ("1.1.0", None),
        ("1.2.0", Some(mallory)),
    ] {
        repo.write(
            "packs/demo/pack.toml",
            &manifest("demo", v, "addon", &format!("demo {v}")),
        );
        repo.write("packs/demo/values.yaml.j2", &format!("release: \"{v}\"\n"));
        let c = repo.commit(&format!("demo {v}"));
        let tag = format!("demo/v{v}");
        let mut args = vec![
            "-c".to_string(),
            "user.name=t".into(),
            "-c".into(),
            "user.email=t@example.com".into(),
        ];
        match key {
            Some(k) => args.extend([
                "-c".into(),
                "gpg.format=ssh".into(),
                "-c".into(),
                format!("user.signingkey={}", k.display()),
                "tag".into(),
                "-s".into(),
            ]),
            None => args.extend(["tag".into(), "-a".into()]),
        }
        args.extend(["-m".into(), format!("demo {v}"), tag, c.to_string()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        strata_test_support::git(&repo.dir, &args);
    }
    repo
}

fn config(url: &str) -> String {
    format!(
        "[catalog]\nname = \"test\"\n\n[[registry]]\nname = \"acme\"\nkind = \"git\"\nurl = \"{url}\"\npath = \"packs\"\nsigners = \"security/allowed_signers\"\n"
    )
}

pub(crate) fn profile(version: &str) -> String {
    format!(
        "[profile]\nname = \"edge\"\ncloud = \"edge\"\ntype = \"add-on\"\n\n[[layer]]\ntype = \"addon\"\npack = \"demo\"\nversion = \"{version}\"\n"
    )
}

/// A catalog of the `registry` above, alice's key listed, and profile `edge` on `1.x`:
/// (env, mallory's public key line, alice's and mallory's fingerprints).
fn ssh_catalog() -> (Env, String, String, String) {
    let env = Env::new();
    let keys = env.outside("keys");
    let (alice, alice_pub) = ssh_key(&keys, "alice");
    let (mallory, mallory_pub) = ssh_key(&keys, "mallory");
    let repo = registry(&env, &alice, &mallory);
    env.write("strata.toml", &config(&repo.url()));
    env.write(
        "security/allowed_signers",
        &format!("# release signers\nalice@example.com namespaces=\"git\" {alice_pub}\n"),
    );
    env.profile("edge", &profile("1.x"));
    let alice_fp = fingerprint(&keys, &alice_pub);
    let mallory_fp = fingerprint(&keys, &mallory_pub);
    (env, mallory_pub, alice_fp, mallory_fp)
}

/// `pack show` and `outdated` say which releases `lock` refuses.
#[test]
fn refused_releases_are_marked_where_releases_are_listed() {
    if !strata_test_support::tool("ssh-keygen", "trust::refused_releases_are_marked") {
        return;
    }
    let (env, ..) = ssh_catalog();
    env.run(&["lock", "-q"]).success();
    let show = env.run(&["pack", "show", "demo", "--all"]);
    show.success();
    assert!(
        show.stdout.contains("releases:  1.2.0 (refused: not signed by a listed key), 1.1.0 (refused: not signed by a listed key), 1.0.0\n"),
        "{}",
        show.stdout
    );
    let list = env.run(&["pack", "list", "--format", "json"]);
    list.success();
    let v: serde_json::Value = serde_json::from_str(&list.stdout).unwrap();
    assert_eq!(v["packs"][0]["newest"], "1.2.0");
    assert!(
        v["packs"][0]["refused"]
            .as_str()
            .is_some_and(|r| r.starts_with("is signed by SHA256:")),
        "{}",
        list.stdout
    );
    // `update` stays on the newest signed release and says why.
    let update = env.run(&["update"]);
    update.success();
    assert!(
        update.stderr.contains("warning: registry `acme`: refused `demo` 1.1.0: its tag `demo/v1.1.0` is not signed; `1.x` stays on 1.0.0\n"),
        "{}",
        update.stderr
    );
    assert!(
        env.read("profiles/edge/profile.lock")
            .contains("version = \"1.0.0\"")
    );
    let outdated = env.run(&["outdated", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&outdated.stdout).unwrap();
    let row = &v["layers"][0];
    assert_eq!(
        (&row["newest"], &row["flags"]),
        (
            &serde_json::json!("1.0.0"),
            &serde_json::json!(["refused-newer"])
        ),
        "{}",
        outdated.stdout
    );
}

#[test]
fn only_releases_signed_by_a_listed_ssh_key_lock_and_the_lock_records_who() {
    if !strata_test_support::tool("ssh-keygen", "trust::only_releases_signed") {
        return;
    }
    let (env, mallory_pub, alice_fp, mallory_fp) = ssh_catalog();
    let run = env.run(&["lock"]);
    run.success();
    // The newer releases are refused, each said once; the train stays on the signed one.
    assert_eq!(
        run.stderr.lines().filter(|l| l.starts_with("warning: ")).collect::<Vec<_>>(),
        [
            format!("warning: registry `acme`: refused `demo` 1.2.0: its tag `demo/v1.2.0` is signed by {mallory_fp}, which the signers do not list; `1.x` stays on 1.0.0"),
            "warning: registry `acme`: refused `demo` 1.1.0: its tag `demo/v1.1.0` is not signed; `1.x` stays on 1.0.0".to_string(),
        ],
        "{}",
        run.stderr
    );
    let lock = env.read("profiles/edge/profile.lock");
    assert!(
        lock.contains("version = \"1.0.0\"\ntag = \"demo/v1.0.0\"\n"),
        "{lock}"
    );
    assert!(
        lock.contains(&format!("signer = \"ssh:{alice_fp} alice@example.com\"\n")),
        "{lock}"
    );
    env.run(&["lock", "--check"]).success();
    let root = env.root();
    strata_test_support::git(&root, &["init", "-q", "-b", "main"]);
    strata_test_support::git(&root, &["add", "-A"]);
    strata_test_support::git(&root, &["commit", "-q", "-m", "catalog"]);
    // A pin of a release no listed key signed is refused, nothing written.
    env.profile("edge", &profile("1.2.0"));
    env.run(&["lock"]).fails(
        1,
        &format!("error: profiles/edge/profile.toml:9:11: no release of `demo` that `1.2.0` admits is signed by a key of `security/allowed_signers` (registry `acme`): 1.2.0: its tag `demo/v1.2.0` is signed by {mallory_fp}, which the signers do not list\n   |\n 9 | version = \"1.2.0\"\n   |           ^^^^^^^\n  hint: sign the release tag with a listed key (`git tag -s`), add the key that signed it to `security/allowed_signers`, or pin a signed release\nerror: 1 problem; no lock file was written\n"),
    );
    assert!(
        env.read("profiles/edge/profile.lock")
            .contains("version = \"1.0.0\"")
    );
    env.profile("edge", &profile("1.x"));
    let verified = env.run(&["verify", "--format", "json"]);
    verified.success();
    let v: serde_json::Value = serde_json::from_str(&verified.stdout).unwrap();
    assert_eq!(
        v["profiles"][0]["signed"],
        serde_json::json!([{"layer": "demo", "signer": format!("ssh:{alice_fp} alice@example.com")}])
    );
    // Alice's key taken out of the signers file: the lock is stale, and `verify` fails.
    env.write(
        "security/allowed_signers",
        &format!("mallory@example.com {mallory_pub}\n"),
    );
    env.run(&["lock", "--check"]).fails(
        1,
        &format!("error: profiles/edge/profile.lock: lock file is stale: layer `demo`: demo 1.0.0 -> 1.2.0, signer `ssh:{alice_fp} alice@example.com` -> `ssh:{mallory_fp} mallory@example.com`\n  hint: run `strata lock` and commit the result\nerror: 1 problem\n"),
    );
    // Readers of the lock say why it is stale.
    let render = env.run(&["render", "edge"]);
    assert_eq!(render.code, 1);
    assert!(
        render.stderr.starts_with(&format!("error: profiles/edge/profile.lock: lock file is stale: layer `demo`: its signer `ssh:{alice_fp} alice@example.com` is no longer trusted: the key {alice_fp} of `alice@example.com` is no longer in `security/allowed_signers`\n")),
        "{}",
        render.stderr
    );
    let verify = env.run(&["verify"]);
    assert_eq!(verify.code, 1, "{}", verify.stderr);
    assert!(
        verify.stderr.contains(&format!(
            "layer `demo`: demo 1.0.0: its tag `demo/v1.0.0` is signed by {alice_fp}, which the signers do not list"
        )),
        "{}",
        verify.stderr
    );
    // Locked again, mallory's release: `diff` shows the new signer for review.
    env.run(&["lock", "-q"]).success();
    let diff = env.run(&["diff"]);
    diff.success();
    assert!(
        diff.stdout.contains(&format!("  changed demo: demo 1.0.0 -> demo 1.2.0 (minor, signer changed)\n    signer ssh:{alice_fp} alice@example.com -> ssh:{mallory_fp} mallory@example.com\n")),
        "{}",
        diff.stdout
    );
}

/// `gpg` in a private home under `dir`: a new signing key for `who`; its fingerprint and
/// its armored public key.
pub(crate) fn pgp_key(dir: &Path, who: &str) -> (String, String) {
    fs_err::create_dir_all(dir).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs_err::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let gpg = |args: &[&str]| {
        let out = std::process::Command::new("gpg")
            .env("GNUPGHOME", dir)
            .args(["--batch", "--passphrase", ""])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    gpg(&["--quick-gen-key", who, "ed25519", "sign", "never"]);
    let listed = gpg(&["--with-colons", "--list-keys", who]);
    let fpr = listed
        .lines()
        .find_map(|l| l.strip_prefix("fpr:"))
        .map(|l| l.trim_matches(':').to_string())
        .unwrap();
    (fpr, gpg(&["--armor", "--export", who]))
}

#[test]
fn an_openpgp_keyring_lists_who_may_sign() {
    if !strata_test_support::tool("gpg", "trust::an_openpgp_keyring") {
        return;
    }
    let env = Env::new();
    let home = env.outside("gnupg");
    let (fpr, public) = pgp_key(&home, "Alice <alice@example.com>");
    let mut repo = PackRepo::init(&env.outside("packs-repo"));
    for (v, signed) in [("1.0.0", true), ("1.1.0", false)] {
        repo.write(
            "packs/demo/pack.toml",
            &manifest("demo", v, "addon", "demo"),
        );
        let c = repo.commit(v);
        let out = std::process::Command::new("git")
            .current_dir(&repo.dir)
            .env("GNUPGHOME", &home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(["-c", &format!("user.signingkey={fpr}")])
            .args(["tag", if signed { "-s" } else { "-a" }, "-m", v])
            .arg(format!("demo/v{v}"))
            .arg(c.to_string())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    env.write(
        "strata.toml",
        &config(&repo.url()).replace("security/allowed_signers", "security/signers.asc"),
    );
    env.write("security/signers.asc", &public);
    env.profile("edge", &profile("1.x"));
    let run = env.run(&["lock"]);
    run.success();
    assert!(
        run.stderr.contains("warning: registry `acme`: refused `demo` 1.1.0: its tag `demo/v1.1.0` is not signed; `1.x` stays on 1.0.0\n"),
        "{}",
        run.stderr
    );
    assert!(
        env.read("profiles/edge/profile.lock")
            .contains("version = \"1.0.0\"\ntag = \"demo/v1.0.0\"\ncommit = "),
    );
    assert!(
        env.read("profiles/edge/profile.lock")
            .contains(&format!("signer = \"pgp:{fpr}\"\n"))
    );
    env.run(&["lock", "--check"]).success();
    // Another keyring: the recorded signer is no longer listed.
    let (_, other) = pgp_key(&env.outside("gnupg-2"), "Bob <bob@example.com>");
    env.write("security/signers.asc", &other);
    let render = env.run(&["render", "edge"]);
    assert_eq!(render.code, 1);
    assert!(
        render.stderr.starts_with(&format!("error: profiles/edge/profile.lock: lock file is stale: layer `demo`: its signer `pgp:{fpr}` is no longer trusted: the OpenPGP key {fpr} is no longer in `security/signers.asc`\n")),
        "{}",
        render.stderr
    );
}

/// A Palette registry that follows a branch releases commits, not tags: the commit must be
/// signed (`git verify-commit`).
#[test]
fn a_branch_registry_needs_a_signed_commit() {
    if !strata_test_support::tool("ssh-keygen", "trust::a_branch_registry") {
        return;
    }
    let env = Env::new();
    let keys = env.outside("keys");
    let (alice, alice_pub) = ssh_key(&keys, "alice");
    let repo = PackRepo::init(&env.outside("palette-repo"));
    repo.write(
        "packs/demo-1.0.0/pack.json",
        r#"{"name": "demo", "version": "1.0.0", "layer": "addon", "addonType": "system app", "cloudTypes": ["all"]}"#,
    )
    .write("packs/demo-1.0.0/values.yaml", "pack:\n  namespace: demo\n");
    let git = |args: &[&str]| {
        let mut all = vec![
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "gpg.format=ssh",
        ];
        let key = format!("user.signingkey={}", alice.display());
        all.extend(["-c", &key]);
        all.extend(args);
        strata_test_support::git(&repo.dir, &all);
    };
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "unsigned"]);
    env.write(
        "strata.toml",
        &format!(
            "[catalog]\nname = \"test\"\n\n[[registry]]\nname = \"pal\"\nkind = \"git\"\nformat = \"palette\"\nref = \"main\"\nurl = \"{}\"\npath = \"packs\"\nsigners = \"security/allowed_signers\"\n",
            repo.url()
        ),
    );
    env.write(
        "security/allowed_signers",
        &format!("alice@example.com {alice_pub}\n"),
    );
    env.profile("edge", &profile("1.x"));
    let run = env.run(&["lock"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("no release of `demo` that `1.x` admits is signed by a key of `security/allowed_signers` (registry `pal`): 1.0.0: its commit `"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("` is not signed\n"), "{}", run.stderr);
    git(&["commit", "-q", "-S", "--allow-empty", "-m", "signed"]);
    let fp = fingerprint(&keys, &alice_pub);
    env.run(&["lock", "-q"]).success();
    assert!(
        env.read("profiles/edge/profile.lock")
            .contains(&format!("signer = \"ssh:{fp} alice@example.com\"\n")),
        "{}",
        env.read("profiles/edge/profile.lock")
    );
}

/// Without `ssh-keygen`, checking SSH signatures is exit 2 with how to install it.
#[test]
fn checking_ssh_signatures_without_ssh_keygen_says_how_to_install_it() {
    if !strata_test_support::tool("ssh-keygen", "trust::checking_ssh_signatures_without") {
        return;
    }
    let (env, ..) = ssh_catalog();
    // A PATH with `git` and nothing else.
    let bin = env.outside("bin");
    fs_err::create_dir_all(&bin).unwrap();
    let git = String::from_utf8(
        std::process::Command::new("sh")
            .args(["-c", "command -v git"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    std::os::unix::fs::symlink(git.trim(), bin.join("git")).unwrap();
    env.set_var("PATH", bin.to_str().unwrap());
    env.run(&["lock"]).fails(
        2,
        "error: checking signed tags needs `ssh-keygen`, which cannot be run\n  hint: install it (`apt-get install openssh-client`; scripts/install-deps does)\n",
    );
}

/// A layer that asks for a tag by `ref` gets it only when it is signed, and the lock records
/// who signed it.
#[test]
fn a_release_asked_for_by_ref_must_be_signed_too() {
    if !strata_test_support::tool("ssh-keygen", "trust::a_release_asked_for_by_ref") {
        return;
    }
    let (env, _, alice_fp, _) = ssh_catalog();
    let by_ref = |r: &str| profile("1.x").replace("version = \"1.x\"", &format!("ref = \"{r}\""));
    env.profile("edge", &by_ref("demo/v1.0.0"));
    env.run(&["lock", "-q"]).success();
    assert!(
        env.read("profiles/edge/profile.lock")
            .contains(&format!("signer = \"ssh:{alice_fp} alice@example.com\"\n"))
    );
    env.run(&["lock", "--check"]).success();
    env.profile("edge", &by_ref("demo/v1.1.0"));
    let run = env.run(&["lock"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("error: profiles/edge/profile.toml:9:7: `demo/v1.1.0` of registry `acme` is refused: it is not signed\n"),
        "{}",
        run.stderr
    );
}
