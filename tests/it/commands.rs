//! init, profile new, registry add, pack list/show and the global options.

use crate::util::{CONFIG, Env};

#[test]
fn init_creates_a_valid_catalog_repository() {
    let env = Env::empty();
    let run = env.run(&["init", "platform"]);
    run.success();
    assert_eq!(run.stdout, "");
    let root = env.path("platform");
    assert!(root.join(".git").is_dir());
    let repo = git2::Repository::open(&root).unwrap();
    // What it created is committed, so `diff` and `release` work at once.
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    assert_eq!(head.message().unwrap(), "strata: new catalog `platform`\n");
    assert_eq!(head.parent_count(), 0);
    let mut files = Vec::new();
    head.tree()
        .unwrap()
        .walk(git2::TreeWalkMode::PreOrder, |dir, e| {
            if e.kind() == Some(git2::ObjectType::Blob) {
                files.push(format!("{dir}{}", e.name().unwrap()));
            }
            git2::TreeWalkResult::Ok
        })
        .unwrap();
    assert_eq!(
        files,
        [
            ".gitattributes",
            ".gitignore",
            ".strata/schemas/cluster.schema.json",
            ".strata/schemas/pack.schema.json",
            ".strata/schemas/profile.schema.json",
            ".strata/schemas/strata.schema.json",
            "profiles/example/profile.toml",
            "strata.toml"
        ]
    );
    // The schemas are those of `strata schema`, and the scaffolds point editors at them.
    assert_eq!(
        env.read("platform/.strata/schemas/profile.schema.json"),
        env.run(&["schema", "profile.toml"]).stdout
    );
    assert!(
        env.read("platform/strata.toml")
            .starts_with("#:schema ./.strata/schemas/strata.schema.json\n")
    );
    assert!(
        env.read("platform/profiles/example/profile.toml")
            .starts_with("#:schema ../../.strata/schemas/profile.schema.json\n")
    );
    assert_eq!(
        run.stderr,
        format!(
            "   Created git repository in `platform`\n   Created `strata.toml` (catalog `platform`)\n   Created `profiles/example/profile.toml`\n   Created `.strata/schemas/` (JSON Schemas for editors)\n Committed {} (8 files)\n      Next `strata validate`, then `strata profile new NAME --cloud C` for your own stacks\n",
            head.id()
        )
    );
    assert_eq!(
        env.read("platform/.gitignore"),
        "# Temporary files of an interrupted strata run\n.strata-tmp-*\n"
    );
    assert_eq!(
        env.read("platform/.gitattributes"),
        "profile.lock text eol=lf\n"
    );
    assert_eq!(
        repo.find_reference("HEAD")
            .unwrap()
            .symbolic_target()
            .unwrap(),
        Some("refs/heads/main")
    );
    insta::assert_snapshot!("init_strata_toml", env.read("platform/strata.toml"));
    insta::assert_snapshot!(
        "init_example_profile",
        env.read("platform/profiles/example/profile.toml")
    );
    let run = env.run_in(&root, &["validate"]);
    run.success();
    assert_eq!(
        run.stdout,
        "ok example: ubuntu 24.04.2, kubernetes 1.36.4, calico 3.32.1, aws-ebs-csi 1.64.0, cert-manager 1.21.1\n"
    );
}

#[test]
fn init_refuses_an_existing_catalog_and_changes_nothing() {
    let env = Env::new();
    env.run(&["init"]).fails(
        2,
        "error: `./strata.toml` already exists\n  hint: this folder is already a catalog; `strata validate` checks it\n",
    );
    assert_eq!(env.read("strata.toml"), CONFIG);
    assert!(!env.path("profiles").exists());
    assert!(!env.path(".git").exists());
}

#[test]
fn init_with_an_unknown_cloud_writes_nothing() {
    let env = Env::empty();
    let run = env.run(&["init", "x", "--cloud", "awz"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("unknown cloud `awz`"), "{}", run.stderr);
    assert!(
        run.stderr.contains("hint: did you mean `aws`?"),
        "{}",
        run.stderr
    );
    assert!(!env.path("x/strata.toml").exists());
    assert!(!env.path("x/.git").exists());
}

#[test]
fn profile_new_scaffolds_newest_compatible_trains() {
    let env = Env::new();
    env.run(&[
        "profile",
        "new",
        "edge-small",
        "--cloud",
        "edge",
        "--type",
        "infra",
    ])
    .success();
    insta::assert_snapshot!(
        "profile_new_edge",
        env.read("profiles/edge-small/profile.toml")
    );
    env.run(&["profile", "new", "gcp-prod", "--cloud", "gcp"])
        .success();
    let text = env.read("profiles/gcp-prod/profile.toml");
    assert!(
        text.contains("pack = \"gcp-pd-csi\"\nversion = \"1.15.x\"\n"),
        "{text}"
    );
    env.run(&[
        "profile", "new", "tools", "--cloud", "azure", "--type", "add-on",
    ])
    .success();
    let text = env.read("profiles/tools/profile.toml");
    assert!(text.contains("type = \"add-on\""), "{text}");
    assert!(!text.contains("type = \"os\""), "{text}");
    let run = env.run(&["validate"]);
    run.success();
    assert_eq!(
        run.stdout,
        "ok edge-small: ubuntu 24.04.2, kubernetes 1.37.1, calico 3.32.1, longhorn 1.12.1\n\
         ok gcp-prod: ubuntu 24.04.2, kubernetes 1.36.4, calico 3.32.1, gcp-pd-csi 1.15.0, cert-manager 1.21.1\n\
         ok tools: cert-manager 1.21.1\n"
    );
}

#[test]
fn profile_new_bad_input() {
    let env = Env::new();
    env.run(&["profile", "new", "a", "--cloud", "aws", "--type", "ful"])
        .fails(
            2,
            "error: unknown profile type `ful`\n  hint: did you mean `full`?\n",
        );
    env.run(&["profile", "new", "Prod X", "--cloud", "aws"]).fails(
        2,
        "error: invalid profile name `Prod X`\n  hint: use lowercase letters, digits, `-`, `_` and `.`\n",
    );
    env.run(&["profile", "new", "a", "--cloud", "aws"])
        .success();
    let before = env.read("profiles/a/profile.toml");
    env.run(&["profile", "new", "a", "--cloud", "gcp"]).fails(
        2,
        "error: profile `a` already exists in `profiles/a/profile.toml`\n",
    );
    assert_eq!(env.read("profiles/a/profile.toml"), before);
    let run = env.run(&["profile", "new", "b", "--cloud", "azur"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown cloud `azur`"),
        "{}",
        run.stderr
    );
    assert!(!env.path("profiles/b").exists());
}

const COMMENTED: &str = r#"# Acme platform catalog
[catalog]
name = "acme"   # shown in reviews

# Org-wide defaults
[defaults.calico]
ipam_cidr = "10.100.0.0/16"
"#;

#[test]
fn registry_add_keeps_comments_and_the_builtin_registry() {
    let env = Env::with_config(COMMENTED);
    env.write("vendor/packs/.keep", "");
    let run = env.run(&["registry", "add", "local", "vendor/packs", "--kind", "dir"]);
    run.success();
    assert_eq!(
        run.stderr,
        "     Added dir registry `local` (vendor/packs)\n"
    );
    insta::assert_snapshot!("registry_add_dir", env.read("strata.toml"));
    let run = env.run(&["registry", "list"]);
    assert_eq!(
        run.stdout,
        "NAME    KIND     FORMAT  SOURCE        CACHE     PACKS\npublic  builtin  strata  builtin       built in  11\nlocal   dir      strata  vendor/packs  local     0\n"
    );
}

#[test]
fn registry_add_bad_input_changes_nothing() {
    let env = Env::with_config(COMMENTED);
    env.write("packs/.keep", "");
    env.run(&["registry", "add", "public", "packs", "--kind", "dir"])
        .fails(2, "error: registry `public` already exists\n");
    env.run(&["registry", "add", "local", "nowhere", "--kind", "dir"])
        .fails(
            2,
            "error: folder `nowhere` does not exist (relative to the catalog root)\n",
        );
    env.run(&["registry", "add", "local", "/abs/packs", "--kind", "dir"]).fails(
        2,
        "error: path `/abs/packs` must be relative\n  hint: give the folder relative to the catalog root\n",
    );
    env.run(&["registry", "add", "local", "packs", "--kind", "dri"])
        .fails(
            2,
            "error: unknown registry kind `dri`\n  hint: did you mean `dir`?\n",
        );
    env.run(&["registry", "add", "Local", "packs", "--kind", "dir"]).fails(
        2,
        "error: invalid registry name `Local`\n  hint: use lowercase letters, digits, `-`, `_` and `.`\n",
    );
    env.run(&["registry", "add", "local", "packs", "--kind", "dir", "--path", "x"]).fails(
        2,
        "error: `--path` is for git registries\n  hint: for a dir registry, give the folder as the URL: `strata registry add local FOLDER --kind dir`\n",
    );
    assert_eq!(env.read("strata.toml"), COMMENTED);
}

#[test]
fn pack_list_filters() {
    let env = Env::new();
    let run = env.run(&["pack", "list", "--layer", "storage", "--cloud", "azure"]);
    run.success();
    assert_eq!(
        run.stdout,
        "PACK            LAYER    CATEGORY  NEWEST  REGISTRY  CLOUDS\nazure-disk-csi  storage  csi       1.34.5  public    azure\nlonghorn        storage  csi       1.12.1  public    all\n"
    );
    let run = env.run(&["pack", "list", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["schema_version"], 1);
    let names: Vec<&str> = v["packs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "ubuntu",
            "kubernetes",
            "calico",
            "cilium",
            "aws-ebs-csi",
            "azure-disk-csi",
            "gcp-pd-csi",
            "longhorn",
            "cert-manager",
            "kube-prometheus-stack",
            "metallb"
        ]
    );
    assert_eq!(v["packs"][1]["releases"].as_array().unwrap().len(), 4);
    env.run(&["pack", "list", "--layer", "netwrk"]).fails(
        2,
        "error: unknown layer type `netwrk`\n  hint: did you mean `network`?\n",
    );
    env.run(&["pack", "list", "--registry", "pub"]).fails(
        2,
        "error: unknown registry `pub`\n  hint: did you mean `public`?\n",
    );
}

#[test]
fn pack_show() {
    let env = Env::new();
    let run = env.run(&["pack", "show", "cert-manager", "--version", "1.21.x"]);
    run.success();
    insta::assert_snapshot!("pack_show_cert_manager", run.stdout);
    let run = env.run(&["pack", "show", "kubernetes", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["version"], "1.37.1");
    assert_eq!(v["releases"][0]["version"], "1.35.9");
    let audit = v["params"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "audit_logging")
        .unwrap();
    assert_eq!(audit["default"], true);
    assert_eq!(audit["type"], "boolean");
    env.run(&["pack", "show", "calcio"]).fails(
        2,
        "error: unknown pack `calcio`\n  hint: did you mean `calico`?\n",
    );
    env.run(&["pack", "show", "calico", "--version", "9.x"])
        .fails(
            2,
            "error: no release of `calico` matches `9.x`\n  hint: releases: 3.31.7, 3.32.1\n",
        );
    env.run(&["pack", "show", "calico", "--version", "three"]).fails(
        2,
        "error: invalid version `three`\n  hint: use a pin (`1.27.5`), a train (`1.27.x`, `1.x`), `x` for the newest, or a requirement (`>=1.27, <1.30`)\n",
    );
}

#[test]
fn help_and_bad_invocation() {
    let env = Env::new();
    let run = env.run(&["--help"]);
    run.success();
    insta::assert_snapshot!("help", run.stdout);
    let run = env.run(&["valdate"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unrecognized subcommand 'valdate'"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("similar: 'validate'") || run.stderr.contains("'validate'"),
        "{}",
        run.stderr
    );
}

#[test]
fn dash_c_points_at_the_catalog() {
    let env = Env::new();
    env.run(&["profile", "new", "a", "--cloud", "aws"])
        .success();
    let outside = env.path("..");
    let run = env.run_in(&outside, &["-C", "cat", "validate", "-q"]);
    run.success();
    assert_eq!(run.stdout, "");
    let run = env.run_in(&outside, &["-C", "cat", "validate"]);
    assert!(run.stdout.starts_with("ok a: "), "{}", run.stdout);
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let env = Env::new();
    // Runs have NO_COLOR=1 and no terminal: plain text, unless colour is forced.
    let run = env.run(&["pack", "show", "nope"]);
    assert!(
        run.stderr.starts_with("error: unknown pack `nope`"),
        "{}",
        run.stderr
    );
    let run = env.run(&["--color", "always", "pack", "show", "nope"]);
    assert!(
        run.stderr
            .starts_with("\u{1b}[1m\u{1b}[31merror\u{1b}[0m: unknown pack `nope`"),
        "{:?}",
        run.stderr
    );
    env.set_var("STRATA_COLOR", "always");
    let run = env.run(&["pack", "show", "nope"]);
    assert!(
        run.stderr.starts_with("\u{1b}[1m\u{1b}[31merror"),
        "{:?}",
        run.stderr
    );
    // So is a command line that does not parse.
    let run = env.run(&["pack", "shwo"]);
    assert!(
        run.stderr.starts_with("\u{1b}[1m\u{1b}[31merror"),
        "{:?}",
        run.stderr
    );
    env.set_var("STRATA_COLOR", "never");
    let run = env.run(&[
        "--color", "never", "-q", "profile", "new", "a", "--cloud", "aws",
    ]);
    run.success();
    assert_eq!(run.stderr, "");
}

/// One JSON contract: a command prints one JSON object with `schema_version` under
/// `--format json`, or refuses the flag with exit 2 and says what it prints.
/// `v` (printed as `stdout`) is valid against the published schema `schema`, and a
/// `schema_version` of 2 is not.
#[track_caller]
fn check_published(schema: &str, v: &serde_json::Value, stdout: &str) {
    let published = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("schemas/json/{schema}.schema.json"));
    let published: serde_json::Value =
        serde_json::from_str(&fs_err::read_to_string(published).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&published).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(v)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{schema}: {errors:#?}\n{stdout}");
    let mut wrong = v.clone();
    wrong["schema_version"] = 2.into();
    assert!(!validator.is_valid(&wrong), "{schema}");
}

#[test]
fn every_command_prints_json_with_a_schema_version_or_refuses_it() {
    let env = Env::new();
    env.profile("aws-prod", &crate::util::aws_profile(""));
    env.run(&["lock", "-q"]).success();
    crate::util::git(&env.root(), &["init", "-q", "-b", "main"]);
    let json = [
        (vec!["diff"], "diff"),
        (vec!["fetch"], "fetch"),
        (vec!["registry", "list"], "registry-list"),
        (vec!["profile", "list"], "profile-list"),
        (vec!["pack", "list"], "pack-list"),
        (vec!["pack", "show", "calico"], "pack-show"),
        (vec!["validate"], "validate"),
        (vec!["verify"], "verify"),
        (vec!["render", "aws-prod"], "render"),
        (vec!["explain", "aws-prod", "network"], "explain"),
        (vec!["cluster", "list"], "cluster-list"),
        (vec!["cluster", "validate"], "cluster-validate"),
        (vec!["export", "aws-prod", "--to", "helmfile"], "export"),
        (vec!["outdated"], "outdated"),
        (vec!["outdated", "--clusters"], "outdated-clusters"),
        (vec!["site"], "site"),
    ];
    let mut covered = std::collections::BTreeSet::new();
    let mut json = json.to_vec();
    // Rendering manifests runs helm (a layer without charts: no network).
    if strata_test_support::tool(
        "helm",
        "commands::every_command_prints_json (render --manifests)",
    ) {
        json.push((
            vec!["render", "aws-prod", "--manifests", "--layer", "os"],
            "render-manifests",
        ));
        json.push((vec!["images", "aws-prod", "--layer", "os"], "images"));
    } else {
        covered.insert("render-manifests");
        covered.insert("images");
    }
    for (args, schema) in json {
        let mut line = args.clone();
        line.extend(["--format", "json"]);
        let run = env.run(&line);
        assert!(run.code == 0 || run.code == 1, "{args:?}: {}", run.stderr);
        let v: serde_json::Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", run.stdout));
        assert_eq!(v["schema_version"], 1, "{args:?}: {}", run.stdout);
        let first = run.stdout.lines().nth(1).unwrap_or_default();
        assert_eq!(first, "  \"schema_version\": 1,", "{args:?}");
        // And it is what the published schema says.
        check_published(schema, &v, &run.stdout);
        covered.insert(schema);
    }
    // Every published output schema is exercised here.
    let shipped: std::collections::BTreeSet<String> =
        fs_err::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/json"))
            .unwrap()
            .map(|e| {
                e.unwrap()
                    .file_name()
                    .to_string_lossy()
                    .replace(".schema.json", "")
            })
            .collect();
    assert_eq!(shipped, covered.iter().map(|s| s.to_string()).collect());
    let before = env.read("profiles/aws-prod/profile.lock");
    for (args, name) in [
        (vec!["lock"], "lock"),
        (vec!["lock", "--check"], "lock --check"),
        (vec!["update"], "update"),
        (
            vec!["profile", "new", "edge", "--cloud", "edge"],
            "profile new",
        ),
        (vec!["registry", "add", "more", "packs"], "registry add"),
        (vec!["release", "aws-prod"], "release"),
        (vec!["init", "elsewhere"], "init"),
    ] {
        let mut line = args.clone();
        line.extend(["--format", "json"]);
        env.run(&line).fails(
            2,
            &format!(
                "error: `strata {name}` does not print `--format json`\n  hint: it prints text\n"
            ),
        );
    }
    env.run(&["render", "aws-prod", "--out", "rendered", "--format", "json"]).fails(
        2,
        "error: `strata render` with `--out` writes files and prints no `--format json`\n  hint: drop `--out` to print the files as JSON\n",
    );
    assert!(!env.path("rendered").exists());
    env.run(&["pack", "list", "--format", "sarif"]).fails(
        2,
        "error: `strata pack list` does not print `--format sarif`\n  hint: it prints text or json\n",
    );
    env.run(&["validate", "--format", "markdown"]).fails(
        2,
        "error: `strata validate` does not print `--format markdown`\n  hint: it prints text, json, github or sarif\n",
    );
    // Nothing was written by a refused command.
    assert_eq!(env.read("profiles/aws-prod/profile.lock"), before);
    assert!(!env.path("profiles/edge").exists());
    assert!(!env.path("elsewhere").exists());
}

#[test]
fn version_names_the_commit_and_its_date() {
    let env = Env::empty();
    let run = env.run(&["--version"]);
    run.success();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let git = |args: &[&str]| crate::util::git(root, args).trim().to_string();
    let expected = if root.join(".git").exists() {
        format!(
            "strata {} ({} {})\n",
            env!("CARGO_PKG_VERSION"),
            git(&["rev-parse", "--short=12", "HEAD"]),
            git(&["log", "-1", "--format=%cs", "HEAD"])
        )
    } else {
        format!("strata {}\n", env!("CARGO_PKG_VERSION"))
    };
    assert_eq!(run.stdout, expected);
}

#[test]
fn profile_list_shows_each_profile_and_its_lock() {
    let env = Env::new();
    env.profile("aws-prod", &crate::util::aws_profile(""));
    env.profile(
        "edge",
        "[profile]\nname = \"edge\"\ncloud = \"edge\"\ntype = \"add-on\"\nversion = \"2.1.0\"\n",
    );
    env.run(&["lock", "-q"]).success();
    env.profile(
        "new-one",
        "[profile]\nname = \"new-one\"\ncloud = \"aws\"\ntype = \"add-on\"\n",
    );
    let edge = env.read("profiles/edge/profile.toml");
    env.profile("edge", &format!("{edge}description = \"edge sites\"\n"));
    let run = env.run(&["profile", "list"]);
    run.success();
    assert_eq!(
        run.stdout,
        "PROFILE   TYPE    CLOUD  VERSION  LAYERS  LOCK\n\
         aws-prod  full    aws    1.0.0    4       current\n\
         edge      add-on  edge   2.1.0    0       stale\n\
         new-one   add-on  aws    1.0.0    0       missing\n"
    );
    let run = env.run(&["profile", "list", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        v["profiles"][1],
        serde_json::json!({"name": "edge", "file": "profiles/edge/profile.toml", "type": "add-on",
            "cloud": "edge", "version": "2.1.0", "layers": 0, "lock": "stale"})
    );
    // A profile with a mistake is listed, and the mistake shown: exit 1.
    env.profile(
        "broken",
        "[profile]\nname = \"broken\"\ncloud = \"aws\"\nversoin = \"1\"\n",
    );
    let run = env.run(&["profile", "list"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("\nbroken    -       -      -        -       invalid\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .starts_with("error: profiles/broken/profile.toml:4:1: unknown"),
        "{}",
        run.stderr
    );
}

#[test]
fn completions_scripts_parse_and_complete_names_from_the_catalog() {
    let env = Env::with_config(crate::util::WITH_LOCAL);
    env.agent("1.0.0");
    env.profile("aws-prod", &crate::util::with_agent("1.x"));
    env.profile(
        "edge",
        &crate::util::aws_profile("").replace("aws-prod", "edge"),
    );
    env.write(
        "clusters/pay-eu-1/cluster.toml",
        "[cluster]\nname = \"payments-eu-1\"\nprofile = \"aws-prod\"\n",
    )
    .write("clusters/broken/cluster.toml", "[cluster\n");
    let bash = env.run(&["completions", "bash"]);
    bash.success();
    assert!(
        bash.stdout.contains("STRATA_COMPLETE=\"bash\""),
        "{}",
        bash.stdout
    );
    env.write("strata.bash", &bash.stdout);
    let script = env.path("strata.bash");
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    for shell in ["zsh", "fish", "powershell"] {
        let run = env.run(&["completions", shell]);
        run.success();
        assert!(
            run.stdout.contains("STRATA_COMPLETE"),
            "{shell}: {}",
            run.stdout
        );
    }
    env.run(&["completions", "ksh"]).fails(
        2,
        "error: invalid value 'ksh' for '<SHELL>'\n  [possible values: bash, zsh, fish, powershell]\n\n  tip: a similar value exists: 'zsh'\n\nFor more information, try '--help'.\n",
    );
    // What the scripts ask strata: the names of this catalog.
    env.set_var("STRATA_COMPLETE", "fish");
    let words = |line: &[&str]| -> Vec<String> {
        let mut args = vec!["--", "strata"];
        args.extend(line);
        let run = env.run(&args);
        run.success();
        run.stdout
            .lines()
            .filter(|l| !l.starts_with('-'))
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect()
    };
    assert_eq!(words(&["render", ""]), ["aws-prod", "edge"]);
    assert_eq!(
        words(&["explain", "aws-prod", ""]),
        ["agent", "kubernetes", "network", "os", "storage"]
    );
    // Only the layers of the profile named before the word.
    assert_eq!(
        words(&["explain", "edge", ""]),
        ["kubernetes", "network", "os", "storage"]
    );
    assert_eq!(
        words(&["render", "edge", "--layer", ""]),
        ["kubernetes", "network", "os", "storage"]
    );
    assert_eq!(
        words(&["cluster", "render", ""]),
        ["broken", "payments-eu-1"]
    );
    assert_eq!(words(&["export", "--cluster", "pay"]), ["payments-eu-1"]);
    assert_eq!(words(&["pack", "show", "cal"]), ["calico"]);
    assert_eq!(words(&["update", "--pack", "ag"]), ["agent"]);
    assert_eq!(words(&["registry", "remove", ""]), ["local", "public"]);
    assert_eq!(words(&["lock", "ed"]), ["edge"]);
}

#[test]
fn man_page_renders() {
    let env = Env::empty();
    let run = env.run(&["man"]);
    run.success();
    assert!(
        run.stdout.starts_with(".ie \\n(.g .ds Aq \\(aq\n"),
        "{}",
        &run.stdout[..200]
    );
    assert!(run.stdout.contains("\n.SH SUBCOMMANDS\n"), "{}", run.stdout);
    if std::process::Command::new("man")
        .arg("--version")
        .output()
        .is_err()
    {
        println!("SKIP man -l: `man` is not on PATH");
        return;
    }
    env.write("strata.1", &run.stdout);
    let page = env.path("strata.1");
    let shown = std::process::Command::new("man")
        .arg("-l")
        .arg(&page)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "80")
        .output()
        .unwrap();
    assert!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        text.contains("NAME\n       strata - Git-native Kubernetes cluster profiles"),
        "{text}"
    );
    assert!(text.contains("strata-registry(1)"), "{text}");
}

#[test]
fn help_and_a_man_page_for_every_command() {
    let env = Env::empty();
    let help = env.run(&["help", "lock"]);
    help.success();
    assert_eq!(help.stdout, env.run(&["lock", "--help"]).stdout);
    assert!(
        help.stdout
            .starts_with("Write missing and stale lock files")
    );

    let run = env.run(&["man", "--out", "man1"]);
    run.success();
    let mut pages: Vec<String> = fs_err::read_dir(env.path("man1"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    pages.sort();
    assert_eq!(
        run.stderr,
        format!("     Wrote {} man pages to man1\n", pages.len())
    );
    for page in [
        "strata.1",
        "strata-lock.1",
        "strata-registry-list.1",
        "strata-cluster-render.1",
    ] {
        assert!(pages.iter().any(|p| p == page), "{page} in {pages:?}");
    }
    // Every page a page refers to is there, and a command's page has its options.
    for page in &pages {
        let text = env.read(&format!("man1/{page}"));
        for (i, _) in text.match_indices("(1)") {
            let start = text[..i]
                .rfind(|c: char| c.is_whitespace())
                .map_or(0, |s| s + 1);
            let name = text[start..i].replace("\\-", "-");
            if name.starts_with("strata") {
                assert!(
                    pages.contains(&format!("{name}.1")),
                    "{page} refers to {name}(1)"
                );
            }
        }
    }
    let lock = env.read("man1/strata-lock.1");
    assert!(lock.contains("\\-\\-check"), "{lock}");
    assert!(
        !pages.iter().any(|p| p.starts_with("strata-help")),
        "{pages:?}"
    );
}
