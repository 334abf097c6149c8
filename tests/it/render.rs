//! Parameters, templates and rendering: the built-in catalog renders valid YAML, `render`
//! and `explain`, the lock's `values` and `rendered` digests, and every way a value or a
//! template can be wrong.

use std::collections::BTreeMap;

use crate::util::{Env, aws_profile};
use strata::model::pack::Pack;
use strata::registry::Registry;
use strata::render::{LayerInfo, ProfileInfo};

/// Each parameter's default, and a value for each required one that has none.
fn defaults(pack: &Pack) -> BTreeMap<String, toml::Value> {
    pack.params
        .iter()
        .filter_map(|(k, s)| match &s.default {
            Some(d) => Some((k.clone(), d.get_ref().clone())),
            None if s.required => Some((k.clone(), required_value(&pack.name, k))),
            None => None,
        })
        .collect()
}

/// The value a profile must give a built-in pack's required parameter.
fn required_value(pack: &str, param: &str) -> toml::Value {
    match (pack, param) {
        ("kube-prometheus-stack", "grafana_admin_secret") => "grafana-admin".into(),
        _ => panic!("{pack}: required parameter {param} has no test value: add one"),
    }
}

fn render(pack: &Pack, params: &BTreeMap<String, toml::Value>) -> BTreeMap<String, String> {
    let profile = ProfileInfo {
        name: "prod".into(),
        cloud: "aws".into(),
        tags: [("env".to_string(), "prod".to_string())].into(),
    };
    let mut layers = BTreeMap::new();
    layers.insert(
        "network".to_string(),
        LayerInfo {
            name: "network".into(),
            ty: "network".into(),
            pack: "calico".into(),
            version: "3.32.1".into(),
            params: BTreeMap::new(),
        },
    );
    let profile = minijinja::Value::from(minijinja::value::Serde(&profile));
    let layers = minijinja::Value::from(minijinja::value::Serde(&layers));
    strata::render::compile(pack)
        .and_then(|t| t.render(params, pack, &profile, &layers, &Default::default()))
        .unwrap_or_else(|d| panic!("{} {}: {d}", pack.name, pack.version))
}

#[track_caller]
fn assert_yaml(label: &str, text: &str) -> usize {
    let docs = crate::util::load_yaml(text).unwrap_or_else(|e| panic!("{label}: {e}\n{text}"));
    assert!(!docs.is_empty(), "{label}: no YAML document");
    for doc in &docs {
        assert!(
            doc.as_hash().is_some(),
            "{label}: a document is not a mapping:\n{text}"
        );
    }
    docs.len()
}

/// Overrides that switch on the optional parts of each template.
fn overrides(pack: &str) -> Vec<(&'static str, toml::Value)> {
    use toml::Value::{Array, Boolean, Integer, String as S, Table};
    let mut gates = toml::Table::new();
    gates.insert("SidecarContainers".into(), Boolean(true));
    match pack {
        "ubuntu" => vec![
            (
                "extra_packages",
                Array(vec![S("jq".into()), S("nfs-common".into())]),
            ),
            ("cis_hardening", Boolean(false)),
            ("auditd", Boolean(false)),
            ("swap", Boolean(true)),
        ],
        "kubernetes" => vec![
            ("feature_gates", Table(gates)),
            ("audit_logging", Boolean(false)),
            ("encryption_at_rest", Boolean(false)),
            ("pod_security", S("restricted".into())),
        ],
        "calico" => vec![
            ("default_deny", Boolean(true)),
            ("wireguard", Boolean(true)),
            ("bgp", Boolean(true)),
        ],
        "cilium" => vec![
            ("encryption", S("wireguard".into())),
            ("hubble", Boolean(false)),
            ("ipam_mode", S("kubernetes".into())),
            ("kube_proxy_replacement", Boolean(true)),
            ("k8s_service_host", S("api.prod.example.com".into())),
        ],
        "aws-ebs-csi" => vec![
            ("kms_key_id", S("arn:aws:kms:eu-west-1:1:key/x".into())),
            ("default_storage_class", Boolean(false)),
        ],
        "azure-disk-csi" => vec![("disk_encryption_set_id", S("/subscriptions/x/des".into()))],
        "gcp-pd-csi" => vec![
            ("disk_encryption_kms_key", S("projects/p/keys/k".into())),
            ("replication_type", S("regional-pd".into())),
        ],
        "longhorn" => vec![
            ("backup_target", S("s3://backups@us-east-1/".into())),
            ("replica_count", Integer(2)),
        ],
        "kube-prometheus-stack" => vec![
            ("grafana", Boolean(false)),
            ("alertmanager", Boolean(false)),
        ],
        "metallb" => vec![("mode", S("bgp".into())), ("frr", Boolean(true))],
        "cert-manager" => vec![
            ("dns01_nameservers", Array(vec![S("1.1.1.1:53".into())])),
            ("replicas", Integer(1)),
        ],
        _ => vec![],
    }
}

/// The key paths each built-in chart version reads, from the chart's own `values.yaml` /
/// `values.schema.json` (see docs/catalog.md). `a.*` is a free-form map (a Kubernetes
/// object's spec, resource requirements) whose insides the chart passes through; a list's
/// items are not looked into.
fn chart_keys(chart: &str, version: &str) -> &'static [&'static str] {
    match (chart, version) {
        ("tigera-operator", "v3.31.7" | "v3.32.1") => &[
            "installation.*",
            "apiServer.enabled",
            "defaultFelixConfiguration.*",
            "resources.*",
        ],
        ("cilium", "1.19.6" | "1.20.0") => &[
            "ipam.mode",
            "ipam.operator.clusterPoolIPv4PodCIDRList",
            "ipam.operator.clusterPoolIPv4MaskSize",
            "kubeProxyReplacement",
            "k8sServiceHost",
            "k8sServicePort",
            "policyEnforcementMode",
            "encryption.enabled",
            "encryption.type",
            "hubble.enabled",
            "hubble.relay.enabled",
            "hubble.metrics.enabled",
            "operator.replicas",
            "operator.resources.*",
            "resources.*",
            "prometheus.enabled",
            "securityContext.privileged",
        ],
        ("aws-ebs-csi-driver", "2.48.0" | "2.64.0") => &[
            "controller.replicaCount",
            "controller.resources.*",
            "controller.k8sTagClusterId",
            "controller.extraVolumeTags.*",
            "node.tolerateAllTaints",
            "node.resources.*",
            "storageClasses",
        ],
        ("azuredisk-csi-driver", "v1.34.5") => &[
            "controller.replicas",
            "controller.runOnControlPlane",
            "controller.resources.csiProvisioner.*",
            "linux.enabled",
            "windows.enabled",
        ],
        ("cert-manager", "v1.21.1") => &[
            "crds.enabled",
            "crds.keep",
            "replicaCount",
            "podDisruptionBudget.enabled",
            "resources.*",
            "securityContext.*",
            "containerSecurityContext.*",
            "prometheus.enabled",
            "prometheus.servicemonitor.enabled",
            "extraArgs",
            "webhook.replicaCount",
        ],
        ("kube-prometheus-stack", "88.5.3" | "81.6.2") => &[
            "prometheus.prometheusSpec.replicas",
            "prometheus.prometheusSpec.retention",
            "prometheus.prometheusSpec.scrapeInterval",
            "prometheus.prometheusSpec.externalLabels.*",
            "prometheus.prometheusSpec.serviceMonitorSelectorNilUsesHelmValues",
            "prometheus.prometheusSpec.podMonitorSelectorNilUsesHelmValues",
            "prometheus.prometheusSpec.resources.*",
            "prometheus.prometheusSpec.securityContext.*",
            "prometheus.prometheusSpec.storageSpec.*",
            "alertmanager.enabled",
            "alertmanager.alertmanagerSpec.replicas",
            "grafana.enabled",
            "grafana.admin.existingSecret",
            "kubeEtcd.enabled",
        ],
        ("longhorn", "1.11.3" | "1.12.1") => &[
            "persistence.defaultClass",
            "persistence.defaultClassReplicaCount",
            "persistence.reclaimPolicy",
            "defaultSettings.defaultDataPath",
            "defaultSettings.defaultReplicaCount",
            "defaultSettings.storageMinimalAvailablePercentage",
            "defaultSettings.storageOverProvisioningPercentage",
            "defaultSettings.replicaSoftAntiAffinity",
            "defaultSettings.nodeDownPodDeletionPolicy",
            "defaultBackupStore.backupTarget",
            "longhornUI.replicas",
        ],
        ("metallb", "0.15.3" | "0.16.1") => &[
            "speaker.frr.enabled",
            "speaker.resources.*",
            "controller.resources.*",
        ],
        _ => panic!("no key paths recorded for chart {chart} {version}: look them up and add them"),
    }
}

/// The key paths of a YAML mapping, down to its scalars and lists.
fn key_paths(prefix: &str, doc: &yaml_rust2::Yaml, out: &mut Vec<String>) {
    match doc.as_hash() {
        Some(map) if !map.is_empty() => {
            for (k, v) in map {
                let k = k.as_str().expect("string keys");
                let path = if prefix.is_empty() {
                    k.to_string()
                } else {
                    format!("{prefix}.{k}")
                };
                key_paths(&path, v, out);
            }
        }
        _ => out.push(prefix.to_string()),
    }
}

/// Every key the values of `chart` set is one the chart reads.
#[track_caller]
fn assert_chart_keys(label: &str, chart: &strata::model::chart::Chart, text: &str) {
    let allowed = chart_keys(&chart.name, &chart.version);
    let docs = crate::util::load_yaml(text).unwrap();
    let mut paths = Vec::new();
    key_paths("", &docs[0], &mut paths);
    for path in paths {
        let known = allowed.iter().any(|a| match a.strip_suffix(".*") {
            Some(free) => path == free || path.starts_with(&format!("{free}.")),
            None => path == *a,
        });
        assert!(
            known,
            "{label}: chart {} {} does not read `{path}`",
            chart.name, chart.version
        );
    }
}

#[test]
fn every_builtin_release_renders_valid_yaml_with_defaults_and_overrides() {
    let reg = Registry::builtin();
    let mut rendered = 0;
    for name in reg.pack_names().unwrap() {
        for r in reg.releases(&name).unwrap().iter() {
            let pack = reg.pack(&name, r).unwrap();
            let label = format!("{name} {}", r.version);
            let base = defaults(&pack);
            for (file, text) in render(&pack, &base) {
                assert_yaml(&format!("{label} {file}"), &text);
                if let Some(c) = pack.charts.iter().find(|c| c.values_file() == file) {
                    assert_chart_keys(&label, c, &text);
                }
                assert!(
                    text.contains(pack.version.as_str()),
                    "{label} {file} does not name its version"
                );
                rendered += 1;
            }
            let mut changed = base.clone();
            let over = overrides(&name);
            assert!(!over.is_empty(), "{name} has no override set");
            for (k, v) in over {
                let spec = pack
                    .params
                    .get(k)
                    .unwrap_or_else(|| panic!("{label} has no parameter {k}"));
                spec.check_value(&v)
                    .unwrap_or_else(|e| panic!("{label} {k}: {e}"));
                changed.insert(k.to_string(), v);
            }
            let with = render(&pack, &changed);
            let without = render(&pack, &base);
            assert_ne!(with, without, "{label}: overrides change nothing");
            for (file, text) in with {
                assert_yaml(&format!("{label} {file} (overrides)"), &text);
                if let Some(c) = pack.charts.iter().find(|c| c.values_file() == file) {
                    assert_chart_keys(&label, c, &text);
                }
            }
        }
    }
    assert_eq!(rendered, 26);
}

#[test]
fn kubeadm_configuration_carries_the_hardening_defaults() {
    let reg = Registry::builtin();
    let pack = reg.newest("kubernetes").unwrap().unwrap();
    let files = render(&pack, &defaults(&pack));
    let text = &files["kubeadm-config.yaml"];
    let docs = crate::util::load_yaml(text).unwrap();
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "InitConfiguration",
            "JoinConfiguration",
            "ClusterConfiguration",
            "KubeletConfiguration",
            "AdmissionConfiguration"
        ]
    );
    // kubeadm v1beta4 extra arguments are lists of `name`/`value`.
    let arg = |args: &yaml_rust2::Yaml, name: &str| -> Option<String> {
        args.as_vec()?
            .iter()
            .find(|a| a["name"].as_str() == Some(name))
            .and_then(|a| a["value"].as_str().map(str::to_string))
    };
    let api = &docs[2]["apiServer"]["extraArgs"];
    assert_eq!(arg(api, "anonymous-auth").as_deref(), Some("false"));
    assert_eq!(arg(api, "audit-log-maxage").as_deref(), Some("30"));
    assert_eq!(
        arg(api, "encryption-provider-config").as_deref(),
        Some("/etc/kubernetes/encryption/config.yaml")
    );
    assert_eq!(docs[2]["kubernetesVersion"].as_str(), Some("v1.37.1"));
    assert_eq!(
        docs[2]["networking"]["serviceSubnet"].as_str(),
        Some("10.96.0.0/12")
    );
    // Profile tags become node labels on every node; a cloud profile's kubelet uses the
    // external cloud provider.
    for doc in &docs[..2] {
        let kubelet = &doc["nodeRegistration"]["kubeletExtraArgs"];
        assert_eq!(arg(kubelet, "node-labels").as_deref(), Some("env=prod"));
        assert_eq!(arg(kubelet, "cloud-provider").as_deref(), Some("external"));
    }
    assert_eq!(docs[3]["readOnlyPort"].as_i64(), Some(0));
    assert_eq!(docs[3]["clusterDNS"][0].as_str(), Some("10.96.0.10"));
    assert_eq!(
        docs[4]["plugins"][0]["configuration"]["defaults"]["enforce"].as_str(),
        Some("baseline")
    );
}

const LOCAL: &str = "[catalog]\nname = \"test\"\n\n[[registry]]\nname = \"public\"\nkind = \"builtin\"\n\n[[registry]]\nname = \"local\"\nkind = \"dir\"\npath = \"packs\"\n\n[defaults.demo]\nregion = \"eu-west-1\"\n";

const DEMO: &str = r#"[pack]
name = "demo"
version = "1.0.0"
layer = "addon"
description = "demo"

[params.replicas]
type = "integer"
default = 2
min = 1
max = 10
description = "Replicas"

[params.region]
type = "string"
default = "us-east-1"
pattern = "[a-z]+-[a-z]+-[0-9]"
description = "Region"

[params.endpoint]
type = "string"
default = "10.0.0.1"
format = "ipv4"
description = "Endpoint"

[params.timeout]
type = "string"
default = "30s"
format = "duration"
description = "Timeout"
"#;

const DEMO_TEMPLATE: &str = "# {{ pack.name }} {{ pack.version }} on {{ profile.cloud }} beside {{ layers.network.pack }} {{ layers.network.version }}\nreplicas: {{ params.replicas }}\nregion: {{ params.region | tojson }}\nendpoint: {{ params.endpoint | tojson }}\n";

fn demo_env(values: &str) -> Env {
    let env = Env::with_config(LOCAL);
    env.pack("demo", "1.0.0", DEMO);
    env.write("packs/demo/1.0.0/demo.yaml.j2", DEMO_TEMPLATE);
    env.profile(
        "aws-prod",
        &(aws_profile("")
            + "\n[[layer]]\ntype = \"addon\"\npack = \"demo\"\nversion = \"1.x\"\n"
            + values),
    );
    env
}

#[test]
fn render_prints_and_writes_from_the_lock() {
    let env = demo_env("[layer.values]\nreplicas = 3\n");
    env.run(&["render", "aws-prod"]).fails(
        1,
        "error: profiles/aws-prod/profile.lock: no lock file\n  hint: run `strata lock aws-prod` first\n",
    );
    env.run(&["lock"]).success();
    let run = env.run(&["render", "aws-prod", "--layer", "demo"]);
    run.success();
    assert_eq!(
        run.stdout,
        "---\n# Source: demo/demo.yaml\n# demo 1.0.0: file\n# demo 1.0.0 on aws beside calico 3.32.1\nreplicas: 3\nregion: \"eu-west-1\"\nendpoint: \"10.0.0.1\"\n"
    );
    let run = env.run(&["render", "aws-prod"]);
    let headers: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("# Source: "))
        .collect();
    assert_eq!(
        headers,
        [
            "# Source: os/cloud-init.yaml",
            "# Source: kubernetes/kubeadm-config.yaml",
            "# Source: network/values.yaml",
            "# Source: storage/values.yaml",
            "# Source: demo/demo.yaml"
        ]
    );
    let run = env.run(&["render", "aws-prod", "--out", "out"]);
    run.success();
    assert_eq!(run.stderr, "  Rendered 5 files into `out`\n");
    let mut written: Vec<String> = walkdir::WalkDir::new(env.path("out"))
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(env.path("out"))
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    written.sort();
    assert_eq!(
        written,
        [
            "demo/demo.yaml",
            "kubernetes/kubeadm-config.yaml",
            "network/values.yaml",
            "os/cloud-init.yaml",
            "storage/values.yaml"
        ]
    );
    assert_eq!(
        env.read("out/demo/demo.yaml"),
        "# demo 1.0.0 on aws beside calico 3.32.1\nreplicas: 3\nregion: \"eu-west-1\"\nendpoint: \"10.0.0.1\"\n"
    );
    env.run(&["render", "aws-prod", "--layer", "dmeo"]).fails(
        2,
        "error: profile `aws-prod` has no layer `dmeo`\n  hint: did you mean `demo`?\n",
    );
    // A changed profile makes the lock stale: render does not re-resolve.
    env.profile(
        "aws-prod",
        &env.read("profiles/aws-prod/profile.toml")
            .replace("replicas = 3", "replicas = 4"),
    );
    env.run(&["render", "aws-prod"]).fails(
        1,
        "error: profiles/aws-prod/profile.lock: lock file is stale: layer `demo`: its values changed\n  hint: run `strata lock aws-prod` and review the change\n",
    );
}

#[test]
fn lock_records_values_and_rendered_digests() {
    let env = demo_env("[layer.values]\nreplicas = 3\n");
    env.run(&["lock"]).success();
    let lock = env.read("profiles/aws-prod/profile.lock");
    let demo = lock.split("[[layer]]").last().unwrap();
    assert!(demo.contains("\nvalues = \"sha256:"), "{demo}");
    assert!(demo.contains("\nrendered = \"sha256:"), "{demo}");
    // The values digest is of the canonical JSON of the effective values.
    use sha2::Digest as _;
    let json = r#"{"endpoint":"10.0.0.1","region":"eu-west-1","replicas":3,"timeout":"30s"}"#;
    let expected: String = sha2::Sha256::digest(json.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(
        demo.contains(&format!("values = \"sha256:{expected}\"")),
        "{demo}"
    );
    let before = demo.to_string();
    env.profile(
        "aws-prod",
        &env.read("profiles/aws-prod/profile.toml")
            .replace("replicas = 3", "replicas = 5"),
    );
    env.run(&["lock"]).success();
    let after = env.read("profiles/aws-prod/profile.lock");
    let after = after.split("[[layer]]").last().unwrap();
    let field = |text: &str, key: &str| {
        text.lines()
            .find(|l| l.starts_with(key))
            .unwrap()
            .to_string()
    };
    assert_ne!(field(&before, "values"), field(after, "values"));
    assert_ne!(field(&before, "rendered"), field(after, "rendered"));
    assert_eq!(field(&before, "digest"), field(after, "digest"));
}

#[test]
fn explain_shows_why_and_where_from() {
    let env = demo_env("[layer.values]\nreplicas = 3\n");
    env.profile(
        "aws-prod",
        &env.read("profiles/aws-prod/profile.toml")
            .replace("version = \"3.x\"", "version = \"3.31.x\"")
            .replace("1.36.x", "x"),
    );
    env.run(&["lock"]).success();
    let run = env.run(&["explain", "aws-prod", "kubernetes"]);
    run.success();
    insta::assert_snapshot!("explain_kubernetes", run.stdout);
    let run = env.run(&["explain", "aws-prod", "demo", "--format", "json"]);
    run.success();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["version"], "1.0.0");
    assert_eq!(v["locked"], true);
    let origin = |name: &str| {
        v["values"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == name)
            .unwrap()["origin"]
            .clone()
    };
    assert_eq!(
        origin("replicas"),
        serde_json::json!({"kind": "layer", "file": "profiles/aws-prod/profile.toml", "line": 30})
    );
    assert_eq!(
        origin("region"),
        serde_json::json!({"kind": "defaults", "file": "strata.toml", "line": 14})
    );
    assert_eq!(
        origin("timeout"),
        serde_json::json!({"kind": "pack-default"})
    );
    env.run(&["explain", "aws-prod", "netwrk"]).fails(
        2,
        "error: profile `aws-prod` has no layer `netwrk`\n  hint: did you mean `network`?\n",
    );
}

#[test]
fn pattern_and_format_violations_point_at_the_value() {
    let env = demo_env(
        "[layer.values]\nregion = \"EU\"\nendpoint = \"10.0.0.300\"\ntimeout = \"soon\"\nreplicas = 0\n",
    );
    snap!("value_rules", env.run(&["validate"]));
}

/// A pack whose template is `template`, for template faults.
fn template_env(template: &str) -> Env {
    let env = Env::with_config(
        LOCAL
            .replace("[defaults.demo]\nregion = \"eu-west-1\"\n", "")
            .as_str(),
    );
    env.pack("demo", "1.0.0", DEMO);
    env.write("packs/demo/1.0.0/demo.yaml.j2", template);
    env.write("outside.j2", "secret: 1\n");
    env.profile(
        "aws-prod",
        &(aws_profile("") + "\n[[layer]]\ntype = \"addon\"\npack = \"demo\"\nversion = \"1.x\"\n"),
    );
    env
}

#[test]
fn template_faults() {
    let cases = [
        ("undefined", "a: {{ params.replicaz }}\n"),
        ("syntax", "a: 1\nb: {{ params.replicas \n"),
        (
            "endless",
            "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}\n",
        ),
        (
            "huge",
            "{% for i in range(90000) %}{{ 'x' * 100000 }}{% endfor %}\n",
        ),
        ("big", "{{ 'x' * 9000000 }}\n"),
        ("outside", "{% include '../../../outside.j2' %}\n"),
    ];
    for (name, template) in cases {
        let env = template_env(template);
        let run = env.run(&["validate"]);
        insta::assert_snapshot!(format!("template_{name}"), run.transcript());
    }
}

#[test]
fn templates_include_templates_of_their_release() {
    let env = template_env("{% include 'parts/replicas.yaml.j2' %}");
    env.write(
        "packs/demo/1.0.0/parts/replicas.yaml.j2",
        "replicas: {{ params.replicas }}\n",
    );
    env.run(&["lock"]).success();
    let run = env.run(&["render", "aws-prod", "--layer", "demo"]);
    assert_eq!(
        run.stdout,
        "---\n# Source: demo/demo.yaml\n# demo 1.0.0: file\nreplicas: 2\n---\n# Source: demo/parts/replicas.yaml\n# demo 1.0.0: file\nreplicas: 2\n"
    );
}

#[test]
fn render_all_profiles() {
    let env = demo_env("");
    env.profile("second", &aws_profile("").replace("aws-prod", "second"));
    env.run(&["render", "--all"]).fails(
        1,
        "error: profiles/aws-prod/profile.lock: no lock file\n  hint: run `strata lock aws-prod` first\nerror: profiles/second/profile.lock: no lock file\n  hint: run `strata lock second` first\n",
    );
    env.run(&["lock"]).success();
    let run = env.run(&["render", "--all", "--out", "out"]);
    run.success();
    assert_eq!(run.stderr, "  Rendered 9 files into `out`\n");
    assert_eq!(
        env.read("out/aws-prod/demo/demo.yaml"),
        "# demo 1.0.0 on aws beside calico 3.32.1\nreplicas: 2\nregion: \"eu-west-1\"\nendpoint: \"10.0.0.1\"\n"
    );
    assert!(env.path("out/second/network/values.yaml").is_file());
    let run = env.run(&["render", "--all"]);
    assert_eq!(
        run.stdout
            .lines()
            .filter(|l| l.starts_with("# Source: second/"))
            .count(),
        4
    );
}
