//! `diff --manifests`: the Kubernetes objects a change adds, removes and changes, rendered
//! by the real `helm` at both sides of the review.

use strata_test_support::git;
use strata_test_support::http::{Server, chart, index_yaml, sha256_hex};

use crate::util::Env;

const WEB: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations:\n    checksum/chart: {{ .Chart.Version | sha256sum }}\nspec:\n  replicas: {{ .Values.replicas }}\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: \"registry.example.com/web:{{ .Chart.Version }}\"\n";
const WORKER: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: worker\n  annotations:\n    checksum/chart: {{ .Chart.Version | sha256sum }}\nspec:\n  selector:\n    matchLabels: {app: worker}\n  template:\n    metadata:\n      labels: {app: worker}\n    spec:\n      containers:\n        - name: worker\n          image: registry.example.com/worker:2.0\n";
const CONFIG: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\ndata:\n  mode: quiet\n";
const CANARY: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-canary\ndata: {}\n";

/// Charts `web` 1.0.0 and 1.1.0 on loopback: 1.1.0 runs a new image in `web`, adds the
/// `web-canary` ConfigMap and drops `web-config`; `worker` differs only in its checksum.
fn catalog() -> (Env, Server) {
    let env = Env::empty();
    let dir = env.outside("served");
    fs_err::create_dir_all(&dir).unwrap();
    let server = Server::serve(&dir, None);
    let mut entries = Vec::new();
    for (version, templates) in [
        (
            "1.0.0",
            vec![
                ("templates/web.yaml", WEB),
                ("templates/worker.yaml", WORKER),
                ("templates/config.yaml", CONFIG),
            ],
        ),
        (
            "1.1.0",
            vec![
                ("templates/web.yaml", WEB),
                ("templates/worker.yaml", WORKER),
                ("templates/canary.yaml", CANARY),
            ],
        ),
    ] {
        let values = "replicas: 1\n";
        let archive = chart("web", version, values, &templates);
        let file = format!("web-{version}.tgz");
        fs_err::write(dir.join(&file), &archive).unwrap();
        entries.push((version, file, sha256_hex(&archive)));
    }
    let index: Vec<(&str, &str, &str, Option<&str>)> = entries
        .iter()
        .map(|(v, f, d)| ("web", *v, f.as_str(), Some(d.as_str())))
        .collect();
    fs_err::write(dir.join("index.yaml"), index_yaml(&index)).unwrap();
    env.write(
        "strata.toml",
        &format!(
            "[catalog]\nname = \"test\"\n\n[[registry]]\nname = \"public\"\nkind = \"builtin\"\n\n[[registry]]\nname = \"charts\"\nkind = \"helm\"\nurl = \"{}\"\n",
            server.url
        ),
    );
    env.profile(
        "edge",
        "[profile]\nname = \"edge\"\ncloud = \"edge\"\ntype = \"add-on\"\n\n[[layer]]\ntype = \"addon\"\nname = \"web\"\npack = \"web\"\nversion = \"1.0.0\"\n",
    );
    env.run(&["lock", "-q"]).success();
    let root = env.root();
    git(&root, &["init", "-q", "-b", "main"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "catalog"]);
    (env, server)
}

#[test]
fn a_chart_bump_shows_exactly_the_objects_it_changes() {
    if !strata_test_support::tool("helm", "manifest_diff::a_chart_bump_shows") {
        return;
    }
    let (env, _server) = catalog();
    let text = env.read("profiles/edge/profile.toml");
    env.write(
        "profiles/edge/profile.toml",
        &text.replace("version = \"1.0.0\"", "version = \"1.1.0\""),
    );
    env.run(&["lock", "-q"]).success();
    let run = env.run(&["diff", "--manifests"]);
    run.success();
    assert_eq!(run.stderr, "");
    assert_eq!(
        run.stdout,
        format!(
            "changed edge\n  changed web: web 1.0.0 -> web 1.1.0 (spec changed, minor)\n    added ConfigMap web/web-canary\n    changed Deployment web/web\n      --- a/web/Deployment/web/web\n      +++ b/web/Deployment/web/web\n      @@ -2,7 +2,7 @@\n       kind: Deployment\n       metadata:\n         annotations:\n      -    checksum/chart: {}\n      +    checksum/chart: {}\n         name: web\n       spec:\n         replicas: 1\n      @@ -15,5 +15,5 @@\n               app: web\n           spec:\n             containers:\n      -        - image: \"registry.example.com/web:1.0.0\"\n      +        - image: \"registry.example.com/web:1.1.0\"\n                 name: web\n    changed Deployment web/worker (only Helm churn)\n      --- a/web/Deployment/web/worker\n      +++ b/web/Deployment/web/worker\n      @@ -2,7 +2,7 @@\n       kind: Deployment\n       metadata:\n         annotations:\n      -    checksum/chart: {}\n      +    checksum/chart: {}\n         name: worker\n       spec:\n         selector:\n    removed ConfigMap web/web-config\n",
            sha256_hex(b"1.0.0"),
            sha256_hex(b"1.1.0"),
            sha256_hex(b"1.0.0"),
            sha256_hex(b"1.1.0"),
        )
    );
    // JSON: every object with its key and status; the churn is marked.
    let json = env.run(&["diff", "--manifests", "--format", "json"]);
    json.success();
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let objects: Vec<String> = v["profiles"][0]["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            format!(
                "{} {} {} {}/{} churn={}",
                o["status"].as_str().unwrap(),
                o["group"].as_str().unwrap(),
                o["kind"].as_str().unwrap(),
                o["namespace"].as_str().unwrap(),
                o["name"].as_str().unwrap(),
                o["churn"].as_bool().unwrap_or(false)
            )
        })
        .collect();
    assert_eq!(
        objects,
        [
            "added  ConfigMap web/web-canary churn=false",
            "changed apps Deployment web/web churn=false",
            "changed apps Deployment web/worker churn=true",
            "removed  ConfigMap web/web-config churn=false",
        ]
    );
}

/// Markdown: the counts per layer and kind first, the objects and their diffs folded.
#[test]
fn markdown_summarises_objects_then_folds_their_diffs() {
    if !strata_test_support::tool("helm", "manifest_diff::markdown_summarises") {
        return;
    }
    let (env, _server) = catalog();
    let text = env.read("profiles/edge/profile.toml");
    env.write(
        "profiles/edge/profile.toml",
        &text.replace("version = \"1.0.0\"", "version = \"1.1.0\""),
    );
    env.run(&["lock", "-q"]).success();
    let run = env.run(&[
        "diff",
        "--manifests",
        "--format",
        "markdown",
        "--max-diff-lines",
        "4",
    ]);
    run.success();
    let md = &run.stdout;
    let summary = "#### Kubernetes objects\n\n| layer | kind | added | removed | changed | only Helm churn | profiles |\n|---|---|---|---|---|---|---|\n| web | ConfigMap | 1 | 1 | 0 | 0 | `edge` |\n| web | Deployment | 0 | 0 | 1 | 1 | `edge` |\n";
    assert!(md.contains(summary), "{md}");
    let details = md.find("<details>").unwrap();
    assert!(md.find(summary).unwrap() < details, "{md}");
    assert!(md[details..].contains("added `ConfigMap web/web-canary` (layer `web`)\n\nchanged `Deployment web/web` (layer `web`)\n\n```diff\n--- a/web/Deployment/web/web\n+++ b/web/Deployment/web/web\n@@ -2,7 +2,7 @@\n kind: Deployment\n```\n\n_14 more lines not shown; run `strata diff --manifests` locally for all of it._\n\nchanged `Deployment web/worker` (layer `web`, only Helm churn)\n"), "{md}");
    assert!(
        md[details..].contains(
            "<summary><code>edge</code>: 0 value changes, 0 rendered files, 4 objects</summary>"
        ),
        "{md}"
    );
}

/// A cluster whose pin moves from one profile release to the next shows the objects the
/// move changes in its stack.
#[test]
fn a_cluster_pin_move_shows_the_objects_it_changes() {
    if !strata_test_support::tool("helm", "manifest_diff::a_cluster_pin_move") {
        return;
    }
    let (env, _server) = catalog();
    let root = env.root();
    // An infra profile for the cluster, its network and storage from packs of the catalog
    // that install no chart.
    for (pack, layer) in [("cni", "network"), ("disk", "storage")] {
        env.write(
            &format!("packs/{pack}/1.0.0/pack.toml"),
            &format!("[pack]\nname = \"{pack}\"\nversion = \"1.0.0\"\nlayer = \"{layer}\"\n"),
        );
    }
    let config = env.read("strata.toml");
    env.write(
        "strata.toml",
        &format!("{config}\n[[registry]]\nname = \"local\"\nkind = \"dir\"\npath = \"packs\"\n"),
    );
    env.profile(
        "base",
        "[profile]\nname = \"base\"\ncloud = \"edge\"\ntype = \"infra\"\n\n[[layer]]\ntype = \"os\"\npack = \"ubuntu\"\nversion = \"22.04.x\"\n\n[[layer]]\ntype = \"kubernetes\"\npack = \"kubernetes\"\nversion = \"1.36.x\"\n\n[[layer]]\ntype = \"network\"\npack = \"cni\"\nversion = \"1.0.0\"\n\n[[layer]]\ntype = \"storage\"\npack = \"disk\"\nversion = \"1.0.0\"\n",
    );
    env.run(&["lock", "-q"]).success();
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "base"]);
    env.run(&["release", "edge", "-q"]).success();
    env.run(&["release", "base", "-q"]).success();
    let text = env.read("profiles/edge/profile.toml");
    env.write(
        "profiles/edge/profile.toml",
        &text
            .replace("version = \"1.0.0\"", "version = \"1.1.0\"")
            .replace(
                "type = \"add-on\"\n",
                "type = \"add-on\"\nversion = \"1.1.0\"\n",
            ),
    );
    env.run(&["lock", "-q"]).success();
    env.write(
        "clusters/edge-1/cluster.toml",
        "[cluster]\nname = \"edge-1\"\nprofile = \"base\"\nversion = \"1.0.0\"\n\n[[addon]]\nprofile = \"edge\"\nversion = \"1.0.0\"\n",
    );
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "edge 1.1.0"]);
    env.run(&["release", "edge", "-q"]).success();
    env.write(
        "clusters/edge-1/cluster.toml",
        "[cluster]\nname = \"edge-1\"\nprofile = \"base\"\nversion = \"1.0.0\"\n\n[[addon]]\nprofile = \"edge\"\nversion = \"1.1.0\"\n",
    );
    let run = env.run(&["diff", "--manifests"]);
    run.success();
    let cluster = &run.stdout[run.stdout.find("changed cluster edge-1\n").unwrap()..];
    assert_eq!(
        cluster
            .lines()
            // Every line but the diffs' (their text is the profile test's).
            .filter(|l| ["changed ", "added ", "removed ", "profile ", "note: "]
                .iter()
                .any(|w| l.trim_start().starts_with(w)))
            .collect::<Vec<_>>(),
        [
            "changed cluster edge-1",
            "  profile edge: 1.0.0 -> 1.1.0",
            "    changed web: web 1.0.0 -> web 1.1.0 (spec changed, minor)",
            "  added ConfigMap web/web-canary",
            "  changed Deployment web/web",
            "  changed Deployment web/worker (only Helm churn)",
            "  removed ConfigMap web/web-config",
        ],
        "{}",
        run.stdout
    );
    let md = env.run(&["diff", "--manifests", "--format", "markdown"]);
    assert!(
        md.stdout
            .contains("| web | ConfigMap | 1 | 1 | 0 | 0 | `cluster edge-1` |\n"),
        "{}",
        md.stdout
    );
    assert!(
        md.stdout
            .contains("<details><summary>cluster <code>edge-1</code>: 4 objects</summary>"),
        "{}",
        md.stdout
    );
}
