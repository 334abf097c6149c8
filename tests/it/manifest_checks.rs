//! `validate --manifests`: the objects every layer renders (through the real `helm`),
//! checked against the profile's Kubernetes (removed and deprecated APIs) and for
//! references no layer creates.

use strata_test_support::http::{Server, chart, index_yaml, sha256_hex};

use crate::util::{Env, aws_profile};

const PDB: &str = "apiVersion: policy/{{ .Values.pdbApi }}\nkind: PodDisruptionBudget\nmetadata:\n  name: {{ .Release.Name }}-pdb\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels: {app: web}\n";
const WEB: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      serviceAccountName: default\n      containers:\n        - name: web\n          image: registry.example.com/web:1.0\n          env:\n            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef: {name: web-db, key: password}\n            - name: OPTIONAL\n              valueFrom:\n                secretKeyRef: {name: maybe, key: x, optional: true}\n          envFrom:\n            - configMapRef: {name: {{ .Release.Name }}-config}\n      volumes:\n        - name: ca\n          configMap: {name: kube-root-ca.crt}\n        - name: data\n          persistentVolumeClaim: {claimName: web-data}\n";
const CONFIG: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-config\ndata: {}\n";
const GRAFANA: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: grafana\nspec:\n  selector:\n    matchLabels: {app: grafana}\n  template:\n    metadata:\n      labels: {app: grafana}\n    spec:\n      containers:\n        - name: grafana\n          image: grafana/grafana:12.0.0\n          env:\n            - name: GF_SECURITY_ADMIN_USER\n              valueFrom:\n                secretKeyRef:\n                  name: {{ .Values.grafana.admin.existingSecret }}\n                  key: admin-user\n";

/// A gcp profile: calico's chart from a mirror, `web` from a chart registry, and the
/// built-in kube-prometheus-stack (its chart mirrored too), all served on loopback.
fn catalog(pdb_api: &str) -> (Env, Server) {
    let env = Env::new();
    let dir = env.outside("served");
    fs_err::create_dir_all(&dir).unwrap();
    let server = Server::serve(&dir, None);
    let charts = [
        (
            "tigera-operator",
            "v3.32.1",
            "installation: {}\n".to_string(),
            vec![(
                "templates/sa.yaml",
                "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: tigera-operator\n",
            )],
        ),
        (
            "web",
            "1.0.0",
            format!("pdbApi: {pdb_api}\n"),
            vec![
                ("templates/pdb.yaml", PDB),
                ("templates/web.yaml", WEB),
                ("templates/config.yaml", CONFIG),
            ],
        ),
        (
            "kube-prometheus-stack",
            "88.5.3",
            "grafana:\n  admin:\n    existingSecret: \"\"\n".to_string(),
            vec![("templates/grafana.yaml", GRAFANA)],
        ),
    ];
    let mut entries = Vec::new();
    for (name, version, values, templates) in &charts {
        let archive = chart(name, version, values, templates);
        let file = format!("{name}-{version}.tgz");
        fs_err::write(dir.join(&file), &archive).unwrap();
        entries.push((*name, *version, file, sha256_hex(&archive)));
    }
    let index: Vec<(&str, &str, &str, Option<&str>)> = entries
        .iter()
        .map(|(n, v, f, d)| (*n, *v, f.as_str(), Some(d.as_str())))
        .collect();
    fs_err::write(dir.join("index.yaml"), index_yaml(&index)).unwrap();
    env.write(
        "strata.toml",
        &format!(
            "[catalog]\nname = \"test\"\nlock_charts = true\n\n[[registry]]\nname = \"public\"\nkind = \"builtin\"\n\n[[registry]]\nname = \"charts\"\nkind = \"helm\"\nurl = \"{0}\"\n\n[[mirror]]\nrepo = \"https://docs.tigera.io/calico/charts\"\nurl = \"{0}\"\n\n[[mirror]]\nrepo = \"https://prometheus-community.github.io/helm-charts\"\nurl = \"{0}\"\n",
            server.url
        ),
    );
    env.profile(
        "aws-prod",
        &(aws_profile("")
            .replace("cloud = \"aws\"", "cloud = \"gcp\"")
            .replace("pack = \"aws-ebs-csi\"", "pack = \"gcp-pd-csi\"")
            + "\n[[layer]]\ntype = \"addon\"\nname = \"web\"\npack = \"web\"\nversion = \"1.x\"\n\n[[layer]]\ntype = \"addon\"\npack = \"kube-prometheus-stack\"\nregistry = \"public\"\nversion = \"88.5.3\"\n[layer.values]\ngrafana_admin_secret = \"grafana-admin\"\n"),
    );
    env.run(&["lock", "-q"]).success();
    (env, server)
}

const DANGLING: &str = "warning: layer `web`: chart `web`: Deployment `web-web` needs Secret `web-db` (env `DB_PASSWORD` of container `web`), which no layer creates\n  hint: if the cluster provides it, say so in the pack's `[[chart]]`: `provides_externally = [\"Secret/web-db\"]`\nwarning: layer `web`: chart `web`: Deployment `web-web` needs PersistentVolumeClaim `web-data` (volume `data`), which no layer creates\n  hint: if the cluster provides it, say so in the pack's `[[chart]]`: `provides_externally = [\"PersistentVolumeClaim/web-data\"]`\n";

/// A PodDisruptionBudget of `policy/v1beta1` on Kubernetes 1.36: an error naming 1.25 and
/// `policy/v1`; the Secret and claim nothing creates are warnings, while grafana's admin
/// Secret, which the built-in pack declares provided, is none.
#[test]
fn a_removed_api_fails_and_dangling_references_warn() {
    if !strata_test_support::tool("helm", "manifest_checks::a_removed_api_fails") {
        return;
    }
    let (env, _server) = catalog("v1beta1");
    env.run(&["validate", "--manifests"]).fails(
        1,
        &format!("{DANGLING}error: layer `web`: chart `web`: PodDisruptionBudget `web-pdb` uses `policy/v1beta1`, which Kubernetes 1.25 removed (the profile runs 1.36)\n  hint: use `policy/v1` (served since 1.21)\nerror: 1 problem in 1 of 1 profile\n"),
    );
    // A cluster of that profile fails the same way, named.
    env.write(
        "clusters/edge-1/cluster.toml",
        "[cluster]\nname = \"edge-1\"\nprofile = \"aws-prod\"\n",
    );
    let run = env.run(&["validate", "--manifests"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.ends_with("error: cluster `edge-1`: layer `web`: chart `web`: PodDisruptionBudget `web-pdb` uses `policy/v1beta1`, which Kubernetes 1.25 removed (the profile runs 1.36)\n  hint: use `policy/v1` (served since 1.21)\nerror: 2 problems in 1 of 1 profile and 1 of 1 cluster\n"),
        "{}",
        run.stderr
    );
    fs_err::remove_dir_all(env.path("clusters")).unwrap();
    // Without `--manifests`, nothing is rendered and the profile is fine.
    let run = env.run(&["validate"]);
    run.success();
    assert_eq!(
        run.stdout,
        "ok aws-prod: ubuntu 22.04.5, kubernetes 1.36.4, calico 3.32.1, gcp-pd-csi 1.15.0, web 1.0.0, kube-prometheus-stack 88.5.3\n"
    );
}

#[test]
fn served_apis_pass_with_their_warnings_in_every_format() {
    if !strata_test_support::tool("helm", "manifest_checks::served_apis_pass") {
        return;
    }
    let (env, _server) = catalog("v1");
    let run = env.run(&["validate", "--manifests"]);
    run.success();
    assert_eq!(
        run.stdout,
        "ok aws-prod: ubuntu 22.04.5, kubernetes 1.36.4, calico 3.32.1, gcp-pd-csi 1.15.0, web 1.0.0, kube-prometheus-stack 88.5.3 (6 objects)\n"
    );
    assert_eq!(run.stderr, DANGLING);
    let run = env.run(&["validate", "--manifests", "--format", "github"]);
    run.success();
    assert_eq!(
        run.stdout,
        "::warning title=strata validate::layer `web`: chart `web`: Deployment `web-web` needs Secret `web-db` (env `DB_PASSWORD` of container `web`), which no layer creates%0Ahint: if the cluster provides it, say so in the pack's `[[chart]]`: `provides_externally = [\"Secret/web-db\"]`\n::warning title=strata validate::layer `web`: chart `web`: Deployment `web-web` needs PersistentVolumeClaim `web-data` (volume `data`), which no layer creates%0Ahint: if the cluster provides it, say so in the pack's `[[chart]]`: `provides_externally = [\"PersistentVolumeClaim/web-data\"]`\n"
    );
    let json = env.run(&["validate", "--manifests", "--format", "json"]);
    json.success();
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["profiles"][0]["objects"], 6);
    assert_eq!(v["profiles"][0]["warnings"].as_array().unwrap().len(), 2);
}

/// A `provides_externally` entry of a pack is checked when the pack is read: a kind a
/// workload cannot refer to is refused with the near miss, at its line.
#[test]
fn a_bad_provides_externally_entry_is_refused_where_it_is() {
    let env = Env::new();
    env.write(
        "packs/web/1.0.0/pack.toml",
        "[pack]\nname = \"web\"\nversion = \"1.0.0\"\nlayer = \"addon\"\n\n[[chart]]\nname = \"web\"\nrepo = \"https://charts.example.com\"\nversion = \"1.0.0\"\nnamespace = \"web\"\nprovides_externally = [\"Secrets/web-db\"]\n",
    );
    env.write("packs/web/1.0.0/values.yaml.j2", "{}\n");
    env.write(
        "strata.toml",
        "[catalog]\nname = \"test\"\n\n[[registry]]\nname = \"local\"\nkind = \"dir\"\npath = \"packs\"\n",
    );
    env.run(&["pack", "show", "web"]).fails(
        1,
        "error: packs/web/1.0.0/pack.toml:11:24: `provides_externally` entry `Secrets` is not one of `ConfigMap`, `PersistentVolumeClaim`, `Secret`, `ServiceAccount`\n    |\n 11 | provides_externally = [\"Secrets/web-db\"]\n    |                        ^^^^^^^^^^^^^^^^\n  hint: did you mean `Secret`?\n",
    );
}

/// A cluster pinned to the working tree's profile runs the same objects and images as the
/// profile: `cluster render --manifests` and `images --cluster` read its whole stack.
#[test]
fn a_cluster_renders_the_objects_and_images_of_its_stack() {
    if !strata_test_support::tool("helm", "manifest_checks::a_cluster_renders") {
        return;
    }
    let (env, _server) = catalog("v1");
    env.write(
        "clusters/edge-1/cluster.toml",
        "[cluster]\nname = \"edge-1\"\nprofile = \"aws-prod\"\n",
    );
    let profile = env.run(&["render", "aws-prod", "--manifests"]);
    profile.success();
    let cluster = env.run(&["cluster", "render", "edge-1", "--manifests"]);
    cluster.success();
    // The same objects; a template that names the profile names the cluster.
    assert_eq!(
        cluster.stdout,
        profile.stdout.replace("for aws-prod\n", "for edge-1\n")
    );
    assert!(
        cluster.stdout.contains(
            "# Source: web/web/templates/web.yaml\napiVersion: apps/v1\nkind: Deployment\n"
        ),
        "{}",
        cluster.stdout
    );
    let images = env.run(&["images", "--cluster", "edge-1"]);
    images.success();
    assert_eq!(
        images.stdout,
        "grafana/grafana:12.0.0\nregistry.example.com/web:1.0\n"
    );
    env.run(&["images", "aws-prod"]).success();
    assert_eq!(env.run(&["images", "aws-prod"]).stdout, images.stdout);
    env.run(&["cluster", "render", "edge-2", "--manifests"])
        .fails(
            2,
            "error: no cluster named `edge-2`\n  hint: did you mean `edge-1`?\n",
        );
}

/// `render --all --manifests`: every profile's objects, each source named with its profile;
/// `--out` writes DIR/<profile>/<layer>/<kind>-<namespace>-<name>.yaml.
#[test]
fn every_profile_renders_to_objects_at_once() {
    if !strata_test_support::tool("helm", "manifest_checks::every_profile_renders") {
        return;
    }
    let (env, _server) = catalog("v1");
    let one = env.run(&["render", "aws-prod", "--manifests"]);
    one.success();
    let all = env.run(&["render", "--all", "--manifests"]);
    all.success();
    assert_eq!(
        all.stdout,
        one.stdout.replace("# Source: ", "# Source: aws-prod/")
    );
    let json = env.run(&["render", "--all", "--manifests", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["objects"][0]["profile"], "aws-prod");
    assert_eq!(v["objects"].as_array().unwrap().len(), 6);
    env.run(&["render", "--all", "--manifests", "--out", "objects", "-q"])
        .success();
    assert_eq!(
        env.read("objects/aws-prod/web/configmap-cluster-web-config.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\ndata: {}\n"
    );
}

/// A chart from an OCI registry (the real `docker-registry` on loopback) renders to exactly
/// what `helm template` renders of the same archive, values and Kubernetes version, and
/// `images` lists exactly its images.
#[test]
fn an_oci_chart_renders_to_what_helm_template_renders() {
    if !strata_test_support::tool("helm", "manifest_checks::an_oci_chart")
        || !strata_test_support::tool("docker-registry", "manifest_checks::an_oci_chart")
    {
        return;
    }
    let (env, _server) = catalog("v1");
    let registry = strata_test_support::oci::Registry::start(&env.outside("registry"), None);
    let archive = chart(
        "web",
        "1.0.0",
        "pdbApi: v1\n",
        &[
            ("templates/web.yaml", WEB),
            ("templates/config.yaml", CONFIG),
        ],
    );
    registry.push_chart("team/charts/web", "1.0.0", &archive);
    let config = env.read("strata.toml");
    let helm_registry = config
        .lines()
        .find(|l| l.starts_with("url = "))
        .unwrap()
        .to_string();
    env.write(
        "strata.toml",
        &config.replacen(
            &format!("kind = \"helm\"\n{helm_registry}"),
            &format!(
                "kind = \"oci\"\nurl = \"oci://{}/team/charts\"",
                registry.host
            ),
            1,
        ),
    );
    env.run(&["lock", "-q"]).success();
    assert!(
        env.read("profiles/aws-prod/profile.lock")
            .contains(&format!("source = \"oci://{}/team/charts\"", registry.host))
    );
    let run = env.run(&["render", "aws-prod", "--layer", "web", "--manifests"]);
    run.success();
    // helm itself, on the same archive, values and Kubernetes version.
    let helm = crate::manifests::helm_template_of_web(&env, &archive);
    assert_eq!(
        run.stdout,
        helm.replace("# Source: web/", "# Source: web/web/")
    );
    assert!(run.stdout.contains("kind: Deployment\n"), "{}", run.stdout);
    let images = env.run(&["images", "aws-prod", "--layer", "web"]);
    images.success();
    assert_eq!(images.stdout, "registry.example.com/web:1.0\n");
}
