//! Registries in other layouts: Palette pack repositories and Helm chart repositories in
//! git, made on the fly, mixed with strata packs in one profile.

use crate::util::git::PackRepo;
use crate::util::{Env, aws_profile};

const ARGO_PACK: &str = r#"{
  "name": "argo-cd",
  "displayName": "Argo CD",
  "version": "7.1.0",
  "layer": "addon",
  "addonType": "app services",
  "cloudTypes": ["all"],
  "annotations": {"source": "community"},
  "charts": ["charts/argo-cd-7.1.0.tgz"],
  "constraints": {
    "dependencies": [
      {"packName": "kubernetes", "layer": "k8s", "minVersion": "1.30", "maxVersion": "", "type": "required"},
      {"packName": "nginx", "layer": "addon", "minVersion": "", "maxVersion": "", "type": "notSupported"},
      {"packName": "cert-manager", "layer": "addon", "minVersion": "1.14", "maxVersion": "", "type": "optional"},
      {"packName": "argo-cd", "layer": "addon", "minVersion": "6.0", "maxVersion": "7.0", "type": "upgrade"}
    ],
    "resources": [{"type": "cpu", "minLimit": 500}]
  },
  "kubeManifests": [],
  "eol": "",
  "group": "",
  "commit_msg": "argo-cd 7.1.0"
}
"#;

const ARGO_VALUES: &str = "pack:
  namespace: argocd
  content:
    charts:
      - repo: https://argoproj.github.io/argo-helm
        name: argo-cd
        version: 7.1.0
charts:
  argo-cd:
    # How the UI is reached.
    server:
      service:
        type: ClusterIP  # LoadBalancer to reach it from outside
      replicas: 1
    configs:
      secret:
        adminPassword: \"\"
    ingress:
      enabled: false
";

const ARGO_SCHEMA: &str = r#"charts.argo-cd.server.service.type:
  schema: '{{ required | format "${list:[ClusterIP,LoadBalancer,NodePort]}" | hints "How the UI is reached" }}'
charts.argo-cd.server.replicas:
  schema: '{{ format "${number:[1-5]}" }}'
charts.argo-cd.configs.secret.adminPassword:
  schema: '{{ format "${password}" }}'
pack.namespace:
  schema: '{{ readonly }}'
charts.argo-cd.image:
  schema: '{{ format "${string}/${string}:${version}" }}'
"#;

const ARGO_PRESETS: &str = r#"presets:
  - name: enable-ingress
    displayName: Enable ingress
    group: Ingress
    remove: []
    add: |
      charts:
        argo-cd:
          ingress:
            enabled: true
  - name: no-ingress
    displayName: No ingress
    group: Ingress
    remove: ["charts.argo-cd.ingress"]
    add: ""
"#;

/// A Palette pack repository on branch `main`: argo-cd 7.1.0 and 7.2 (a two-part version in
/// a folder named without one), a folder whose version cannot be read, and two folders of one
/// release.
fn palette_repo(env: &Env) -> PackRepo {
    let mut repo = PackRepo::init(&env.outside("palette-repo"));
    repo.write("packs/argo-cd-7.1.0/pack.json", ARGO_PACK)
        .write("packs/argo-cd-7.1.0/values.yaml", ARGO_VALUES)
        .write("packs/argo-cd-7.1.0/schema.yaml", ARGO_SCHEMA)
        .write("packs/argo-cd-7.1.0/presets.yaml", ARGO_PRESETS)
        .write("packs/argo-cd-7.1.0/logo.png", "\u{89}PNG not really")
        .write("packs/argo-cd-7.1.0/charts/argo-cd-7.1.0.tgz", "not really a tarball")
        .write(
            "packs/argo-cd/pack.json",
            &ARGO_PACK.replace("\"7.1.0\"", "\"7.2\"").replace("argo-cd-7.1.0", "argo-cd-7.2.0"),
        )
        .write("packs/argo-cd/values.yaml", &ARGO_VALUES.replace("version: 7.1.0", "version: 7.2.0"))
        .write(
            "packs/odd/pack.json",
            r#"{"name": "odd", "version": "latest", "layer": "addon", "cloudTypes": ["all"]}"#,
        )
        .write(
            "packs/dupe-a/pack.json",
            r#"{"name": "dupe", "displayName": "Dupe", "version": "1.0.0", "layer": "addon", "addonType": "system app", "cloudTypes": ["all"]}"#,
        )
        .write("packs/dupe-a/values.yaml", "")
        .write(
            "packs/dupe-b/pack.json",
            r#"{"name": "dupe", "displayName": "Dupe", "version": "1.0", "layer": "addon", "addonType": "system app", "cloudTypes": ["all"]}"#,
        )
        .write("packs/dupe-b/values.yaml", "")
        .write(
            "packs/bad-layer-1.0.0/pack.json",
            "{\n  \"name\": \"bad-layer\",\n  \"version\": \"1.0.0\",\n  \"layer\": 5,\n  \"cloudTypes\": [\"all\"]\n}\n",
        )
        .write(
            "packs/bad-dep-1.0.0/pack.json",
            "{\n  \"name\": \"bad-dep\",\n  \"version\": \"1.0.0\",\n  \"layer\": \"addon\",\n  \"cloudTypes\": [\"all\"],\n  \"constraints\": {\"dependencies\": [{\"packName\": \"x\", \"layer\": \"k9s\", \"type\": \"required\"}]}\n}\n",
        );
    repo.commit("packs");
    repo
}

const PODINFO_CHART: &str = "apiVersion: v2
name: podinfo
description: A tiny web app
version: 6.5.0
appVersion: 6.5.0
kubeVersion: \">=1.25.0-0\"
dependencies:
  - name: redis
    version: 18.x
    repository: https://charts.bitnami.com/bitnami
    condition: redis.enabled
annotations:
  category: demo
";

const PODINFO_VALUES: &str = "# Replicas of the web app.
replicaCount: 1
service:
  type: ClusterIP # or NodePort
  port: 9898
redis:
  enabled: false
";

const PODINFO_SCHEMA: &str = r#"{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "properties": {
    "replicaCount": {"type": "integer", "minimum": 1},
    "service": {
      "type": "object",
      "properties": {"type": {"enum": ["ClusterIP", "NodePort", "LoadBalancer"]}}
    }
  }
}
"#;

/// A chart-releaser repository: podinfo 6.5.0 and 6.6.0 as tags `podinfo-<version>`, and a
/// tag `podinfo-6.7.0` whose Chart.yaml says otherwise.
fn helm_repo(env: &Env) -> PackRepo {
    let mut repo = PackRepo::init(&env.outside("helm-repo"));
    repo.write("charts/podinfo/Chart.yaml", PODINFO_CHART)
        .write("charts/podinfo/values.yaml", PODINFO_VALUES)
        .write("charts/podinfo/values.schema.json", PODINFO_SCHEMA);
    let c = repo.commit("podinfo 6.5.0");
    repo.tag("podinfo-6.5.0", c);
    repo.write(
        "charts/podinfo/Chart.yaml",
        &PODINFO_CHART.replace("6.5.0", "6.6.0"),
    );
    let c = repo.commit("podinfo 6.6.0");
    repo.tag("podinfo-6.6.0", c);
    repo.write(
        "charts/podinfo/Chart.yaml",
        &PODINFO_CHART.replace("6.5.0", "6.6.1"),
    );
    let c = repo.commit("podinfo 6.6.1");
    repo.tag("podinfo-6.7.0", c);
    repo
}

/// The catalog's strata.toml: the repositories beside the catalog, by relative path.
const CONFIG: &str = "[catalog]\nname = \"test\"\n\n[[registry]]\nname = \"public\"\nkind = \"builtin\"\n\n[[registry]]\nname = \"community\"\nkind = \"git\"\nformat = \"palette\"\nurl = \"../palette-repo\"\npath = \"packs\"\n\n[[registry]]\nname = \"charts\"\nkind = \"git\"\nformat = \"helm\"\nurl = \"../helm-repo\"\npath = \"charts\"\nchart_repo = \"https://charts.example.com\"\n";

const MIXED_LAYERS: &str = "
[[layer]]
type = \"addon\"
name = \"argo\"
pack = \"argo-cd\"
version = \"7.1.x\"
presets = [\"Ingress:enable-ingress\"]
[layer.values]
charts.argo-cd.server.service.type = \"LoadBalancer\"
charts.argo-cd.configs.secret.adminPassword = \"s3cr3t-admin\"

[[layer]]
type = \"addon\"
pack = \"podinfo\"
version = \"6.6.x\"
[layer.values]
replicaCount = 2
";

/// stderr without the repository's warning about its unreadable release.
fn errors(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|l| !l.starts_with("warning: registry `community`"))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn mixed() -> (Env, PackRepo, PackRepo) {
    let env = Env::empty();
    let palette = palette_repo(&env);
    let helm = helm_repo(&env);
    env.write("strata.toml", CONFIG);
    env.profile(
        "mixed",
        &(aws_profile("").replace("aws-prod", "mixed") + MIXED_LAYERS),
    );
    (env, palette, helm)
}

#[test]
fn palette_and_helm_packs_lock_render_and_explain_beside_strata_packs() {
    let (env, palette, _helm) = mixed();
    let head = palette
        .repo
        .head()
        .unwrap()
        .peel_to_commit()
        .unwrap()
        .id()
        .to_string();
    let run = env.run(&["validate"]);
    run.success();
    assert_eq!(
        run.stdout,
        "ok mixed: ubuntu 22.04.5, kubernetes 1.36.4, calico 3.32.1, aws-ebs-csi 1.64.0, argo-cd 7.1.0, podinfo 6.6.0\n"
    );
    assert_eq!(
        run.stderr,
        format!(
            "warning: registry `community`: `community@{head}:packs/odd/pack.json` states version `latest`, which is not a version; that release is skipped\n"
        )
    );
    env.run(&["lock", "-q"]).success();
    insta::assert_snapshot!("mixed_lock", env.read("profiles/mixed/profile.lock"));
    let run = env.run(&["render", "mixed", "--layer", "argo"]);
    run.success();
    insta::assert_snapshot!("mixed_render_argo", run.stdout);
    let run = env.run(&["render", "mixed", "--layer", "podinfo"]);
    run.success();
    assert_eq!(
        run.stdout,
        "---\n# Source: podinfo/values.yaml\n# podinfo 6.6.0: values of chart podinfo 6.6.0 (https://charts.example.com)\n# Replicas of the web app.\nreplicaCount: 2\nservice:\n  type: ClusterIP # or NodePort\n  port: 9898\nredis:\n  enabled: false\n"
    );
    // The password reaches only files written with --out.
    env.run(&["render", "mixed", "--out", "out"]).success();
    assert!(
        env.read("out/argo/values.yaml")
            .contains("adminPassword: s3cr3t-admin\n")
    );
    let run = env.run(&["explain", "mixed", "argo"]);
    run.success();
    assert!(!run.stdout.contains("s3cr3t-admin"), "{}", run.stdout);
    let rows: Vec<Vec<&str>> = run
        .stdout
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    for row in [
        vec![
            "charts.argo-cd.configs.secret.adminPassword",
            "(sensitive)",
            "profiles/mixed/profile.toml:33",
        ],
        vec!["charts.argo-cd.ingress.enabled", "true", "pack", "default"],
        vec![
            "charts.argo-cd.server.service.type",
            "\"LoadBalancer\"",
            "profiles/mixed/profile.toml:32",
        ],
        vec!["pack.namespace", "\"argocd\"", "pack", "default"],
    ] {
        assert!(rows.contains(&row), "{row:?}\n{}", run.stdout);
    }
    let run = env.run(&["verify"]);
    run.success();
    assert_eq!(run.stdout, "verified mixed: 6 layers\n");
    let run = env.run(&["pack", "show", "podinfo", "--version", "6.6.x"]);
    run.success();
    assert!(
        run.stdout.contains("appVersion: 6.6.0\n") && run.stdout.contains("dependency: redis 18.x from https://charts.bitnami.com/bitnami (when redis.enabled)\n"),
        "{}",
        run.stdout
    );
    let run = env.run(&["pack", "show", "argo-cd", "--version", "7.1.0"]);
    run.success();
    for line in [
        "addonType: app services\n",
        "note: dependency on `argo-cd` of type `upgrade` is not enforced\n",
        "note: schema.yaml: `charts.argo-cd.image` has format `${string}/${string}:${version}`, which strata reads but does not enforce\n",
        "not used: `commit_msg` of pack.json\n",
    ] {
        assert!(run.stdout.contains(line), "{line}\n{}", run.stdout);
    }
    // A change of values shows in diff by key path.
    let root = env.root();
    crate::util::git(&root, &["init", "-q", "-b", "main"]);
    crate::util::git(&root, &["add", "-A"]);
    crate::util::git(&root, &["commit", "-q", "-m", "catalog"]);
    let text = env.read("profiles/mixed/profile.toml");
    env.write(
        "profiles/mixed/profile.toml",
        &text.replace("replicaCount = 2", "replicaCount = 3"),
    );
    let run = env.run(&["diff"]);
    run.success();
    assert!(
        run.stdout
            .contains("    replicaCount 2 -> 3 (profiles/mixed/profile.toml:40)\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_changed_palette_folder_on_the_branch_is_caught_by_verify() {
    let (env, mut palette, _helm) = mixed();
    env.run(&["lock", "-q"]).success();
    let locked = env.read("profiles/mixed/profile.lock");
    let was = palette
        .repo
        .head()
        .unwrap()
        .peel_to_commit()
        .unwrap()
        .id()
        .to_string();
    palette.write(
        "packs/argo-cd-7.1.0/values.yaml",
        &ARGO_VALUES.replace("replicas: 1", "replicas: 2"),
    );
    let now = palette.commit("argo-cd: two replicas").to_string();
    let run = env.run(&["verify"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        errors(&run.stderr),
        format!(
            "error: profiles/mixed/profile.lock: layer `argo`: argo-cd 7.1.0 changed on the default branch of registry `community`: the lock has its folder at commit {was}, the branch now has other content at {now}\n  hint: if the change is intended, accept it with `strata update --pack argo-cd`\n"
        )
    );
    // The lock keeps reading the locked commit; update accepts the change.
    env.run(&["render", "mixed", "--layer", "argo"]).success();
    assert_eq!(env.read("profiles/mixed/profile.lock"), locked);
    env.run(&["update", "--pack", "argo-cd", "-q"]).success();
    env.run(&["verify"]).success();
}

#[test]
fn document_pack_mistakes() {
    let (env, _palette, _helm) = mixed();
    let base = aws_profile("").replace("aws-prod", "mixed");
    let with = |layers: &str| env.profile("mixed", &(base.clone() + layers));
    let argo =
        "\n[[layer]]\ntype = \"addon\"\nname = \"argo\"\npack = \"argo-cd\"\nversion = \"7.1.x\"\n";
    // Presets: unknown, two of one group, on a chart.
    with(&format!(
        "{argo}presets = [\"Ingress:enable-ingres\", \"Ingress:no-ingress\", \"Ingress:enable-ingress\"]\n"
    ));
    let run = env.run(&["validate"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("error: profiles/mixed/profile.toml:30:12: argo-cd 7.1.0 has no preset `Ingress:enable-ingres`\n"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("  hint: did you mean `Ingress:enable-ingress`?\n"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("presets `Ingress:no-ingress` and `Ingress:enable-ingress` are of the same group `Ingress`; a layer takes one preset per group\n"), "{}", run.stderr);
    with(
        "\n[[layer]]\ntype = \"addon\"\npack = \"podinfo\"\nversion = \"6.6.x\"\npresets = [\"A:b\"]\n",
    );
    let run = env.run(&["validate"]);
    assert!(
        run.stderr
            .contains("podinfo 6.6.0 has no presets (no presets.yaml)"),
        "{}",
        run.stderr
    );
    // schema.yaml rules at the user's line: a range, a list, a read-only key.
    with(&format!(
        "{argo}[layer.values]\ncharts.argo-cd.server.replicas = 9\ncharts.argo-cd.server.service.type = \"NodePrt\"\npack.namespace = \"other\"\n"
    ));
    let run = env.run(&["validate"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        errors(&run.stderr),
        "error: profiles/mixed/profile.toml:32:1: `charts.argo-cd.server.service.type` of argo-cd 7.1.0: `NodePrt` is not one of ClusterIP, LoadBalancer, NodePort; did you mean `NodePort`? (schema.yaml)\n    |\n 32 | charts.argo-cd.server.service.type = \"NodePrt\"\n    | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  hint: How the UI is reached\n\
         error: profiles/mixed/profile.toml:31:1: `charts.argo-cd.server.replicas` of argo-cd 7.1.0: `9` is not in [1-5] (schema.yaml)\n    |\n 31 | charts.argo-cd.server.replicas = 9\n    | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n\
         error: profiles/mixed/profile.toml:33:1: `pack.namespace` of argo-cd 7.1.0: is read-only (schema.yaml)\n    |\n 33 | pack.namespace = \"other\"\n    | ^^^^^^^^^^^^^^^^^^^^^^^^\n\
         error: 3 problems in 1 of 1 profile\n"
    );
    // values.schema.json of a chart.
    with(
        "\n[[layer]]\ntype = \"addon\"\npack = \"podinfo\"\nversion = \"6.6.x\"\n[layer.values]\nreplicaCount = 0\n",
    );
    let run = env.run(&["validate"]);
    assert_eq!(
        errors(&run.stderr),
        "error: profiles/mixed/profile.toml:30:1: `replicaCount` of podinfo 6.6.0: 0 is less than the minimum of 1 (values.schema.json)\n    |\n 30 | replicaCount = 0\n    | ^^^^^^^^^^^^^^^^\nerror: 1 problem in 1 of 1 profile\n"
    );
    // A tag whose Chart.yaml states another version.
    with("\n[[layer]]\ntype = \"addon\"\npack = \"podinfo\"\nversion = \"6.7.0\"\n");
    let run = env.run(&["validate"]);
    assert!(
        run.stderr
            .contains(":4:1: Chart.yaml states version `6.6.1`, but it is the release `6.7.0`\n"),
        "{}",
        run.stderr
    );
    // Malformed pack.json, a dependency on an unknown layer, two folders of one release.
    for (pack, expected) in [
        (
            "bad-layer",
            "packs/bad-layer-1.0.0/pack.json:4:12: invalid pack.json: invalid type: integer `5`, expected a string\n",
        ),
        (
            "bad-dep",
            "packs/bad-dep-1.0.0/pack.json:6:63: dependency on `x` names unknown layer `k9s`\n",
        ),
        (
            "dupe",
            "registry `community`: pack `dupe` has `packs/dupe-a` and `packs/dupe-b`, which are the same release 1.0.0\n",
        ),
    ] {
        with(&format!(
            "\n[[layer]]\ntype = \"addon\"\npack = \"{pack}\"\nversion = \"1.x\"\n"
        ));
        let run = env.run(&["validate"]);
        assert_eq!(run.code, 1, "{pack}");
        assert!(run.stderr.contains(expected), "{pack}: {}", run.stderr);
    }
}

#[test]
fn outdated_offline_and_registry_keys() {
    let (env, _palette, _helm) = mixed();
    env.run(&["lock", "-q"]).success();
    let run = env.run(&["outdated"]);
    run.success();
    assert!(
        run.stdout
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()
                == ["mixed", "podinfo", "podinfo", "6.6.0", "6.6.0", "6.7.0"]),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()
                == ["mixed", "argo", "argo-cd", "7.1.0", "7.1.0", "7.2"]),
        "{}",
        run.stdout
    );
    // With the mirrors in the cache, nothing needs the network.
    fs_err::rename(env.outside("palette-repo"), env.outside("palette-gone")).unwrap();
    fs_err::rename(env.outside("helm-repo"), env.outside("helm-gone")).unwrap();
    env.run(&["--offline", "render", "mixed", "--layer", "podinfo"])
        .success();
    env.run(&["--offline", "validate"]).success();
    // `ref` and `chart_repo` belong to their formats.
    env.write(
        "strata.toml",
        &CONFIG
            .replace(
                "format = \"palette\"\n",
                "format = \"helm\"\nref = \"main\"\n",
            )
            .replace(
                "chart_repo = \"https://charts.example.com\"",
                "chart_repo = \"http://charts.example.com\"",
            ),
    );
    let run = env.run(&["validate"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(
            "error: strata.toml:12:7: `ref` is for git registries in the palette format\n"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("chart repository `http://charts.example.com` is neither an `https://` Helm repository nor an `oci://` registry\n"),
        "{}",
        run.stderr
    );
}
