//! Delivery: charts, rendered YAML that parses, layers that agree (`default_from`,
//! `[[assert]]`), profile tags that reach the cloud, and every way a pack or a profile can
//! get them wrong.

use std::collections::{BTreeMap, BTreeSet};

use yaml_rust2::Yaml;

use crate::util::{Env, WITH_LOCAL, aws_profile};
use strata::registry::Registry;

/// A full profile of exact pins: (name, cloud, os, kubernetes, network, storage, add-ons).
type Stack<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    (&'a str, &'a str),
    (&'a str, &'a str),
    &'a [(&'a str, &'a str)],
);

/// Profiles that, together, use every release of the built-in catalog.
const STACKS: [Stack; 6] = [
    (
        "aws-a",
        "aws",
        "22.04.4",
        "1.35.9",
        ("cilium", "1.19.6"),
        ("aws-ebs-csi", "1.48.0"),
        &[
            ("cert-manager", "1.21.1"),
            ("kube-prometheus-stack", "88.5.3"),
        ],
    ),
    (
        "aws-b",
        "aws",
        "22.04.5",
        "1.36.3",
        ("calico", "3.31.7"),
        ("aws-ebs-csi", "1.64.0"),
        &[("kube-prometheus-stack", "81.6.2")],
    ),
    (
        "azure",
        "azure",
        "24.04.1",
        "1.36.4",
        ("cilium", "1.20.0"),
        ("azure-disk-csi", "1.34.5"),
        &[],
    ),
    (
        "gcp",
        "gcp",
        "24.04.2",
        "1.37.1",
        ("calico", "3.32.1"),
        ("gcp-pd-csi", "1.15.0"),
        &[],
    ),
    (
        "edge-a",
        "edge",
        "24.04.2",
        "1.36.4",
        ("calico", "3.32.1"),
        ("longhorn", "1.12.1"),
        &[("metallb", "0.16.1")],
    ),
    (
        "edge-b",
        "edge",
        "24.04.2",
        "1.35.9",
        ("calico", "3.31.7"),
        ("longhorn", "1.11.3"),
        &[("metallb", "0.15.3")],
    ),
];

fn profile_text(stack: &Stack, name: &str, kube_values: &str) -> String {
    let (_, cloud, os, kube, (net, net_v), (sto, sto_v), addons) = stack;
    let mut text = format!(
        "[profile]\nname = \"{name}\"\ncloud = \"{cloud}\"\ntags = [\"env:prod\"]\n\n\
         [[layer]]\ntype = \"os\"\npack = \"ubuntu\"\nversion = \"{os}\"\n\n\
         [[layer]]\ntype = \"kubernetes\"\npack = \"kubernetes\"\nversion = \"{kube}\"\n{kube_values}\n\
         [[layer]]\ntype = \"network\"\npack = \"{net}\"\nversion = \"{net_v}\"\n\n\
         [[layer]]\ntype = \"storage\"\npack = \"{sto}\"\nversion = \"{sto_v}\"\n"
    );
    for (pack, v) in addons.iter() {
        text.push_str(&format!(
            "\n[[layer]]\ntype = \"addon\"\npack = \"{pack}\"\nversion = \"{v}\"\n"
        ));
        if *pack == "kube-prometheus-stack" {
            text.push_str("[layer.values]\ngrafana_admin_secret = \"grafana-admin\"\n");
        }
    }
    text
}

fn yaml(label: &str, text: &str) -> Vec<Yaml> {
    crate::util::load_yaml(text).unwrap_or_else(|e| panic!("{label}: {e}\n{text}"))
}

#[test]
fn every_builtin_release_renders_yaml_and_follows_the_pod_cidr() {
    let env = Env::new();
    for stack in &STACKS {
        env.profile(stack.0, &profile_text(stack, stack.0, ""));
        let name = format!("{}-cidr", stack.0);
        env.profile(
            &name,
            &profile_text(
                stack,
                &name,
                "[layer.values]\npod_cidr = \"10.244.0.0/16\"\n",
            ),
        );
    }
    env.run(&["lock", "-q"]).success();
    let run = env.run(&["render", "--all", "--format", "json"]);
    run.success();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["schema_version"], 1);
    let files = v["files"].as_array().unwrap();

    assert_every_release_rendered();
    assert_pools_follow_the_pod_cidr(files);
    assert_render_prints_one_stream(&env, files);
}

/// Every release of the built-in catalog is in one of the stacks.
fn assert_every_release_rendered() {
    let mut used = BTreeSet::new();
    for stack in &STACKS {
        used.insert(("ubuntu".to_string(), stack.2.to_string()));
        used.insert(("kubernetes".to_string(), stack.3.to_string()));
        used.insert((stack.4.0.to_string(), stack.4.1.to_string()));
        used.insert((stack.5.0.to_string(), stack.5.1.to_string()));
        for (p, v) in stack.6 {
            used.insert((p.to_string(), v.to_string()));
        }
    }
    let reg = Registry::builtin();
    let mut all = BTreeSet::new();
    for name in reg.pack_names().unwrap() {
        for r in reg.releases(&name).unwrap().iter() {
            all.insert((name.clone(), r.version.to_string()));
        }
    }
    assert_eq!(used, all);
}

/// Every YAML file parses; the network layer's pool is the kubernetes pod CIDR.
fn assert_pools_follow_the_pod_cidr(files: &[serde_json::Value]) {
    let mut pools: BTreeMap<String, String> = BTreeMap::new();
    let mut subnets: BTreeMap<String, String> = BTreeMap::new();
    for f in files {
        let profile = f["profile"].as_str().unwrap();
        let file = f["file"].as_str().unwrap();
        let label = format!("{profile} {} {file}", f["layer"].as_str().unwrap());
        let content = f["content"].as_str().unwrap();
        assert!(file.ends_with(".yaml"), "{label}");
        let docs = yaml(&label, content);
        assert!(!docs.is_empty(), "{label}");
        match (f["layer"].as_str().unwrap(), f["kind"].as_str().unwrap()) {
            ("network", "values") => {
                let d = &docs[0];
                let pool = match f["chart"]["name"].as_str().unwrap() {
                    "tigera-operator" => &d["installation"]["calicoNetwork"]["ipPools"][0]["cidr"],
                    "cilium" => &d["ipam"]["operator"]["clusterPoolIPv4PodCIDRList"][0],
                    other => panic!("{label}: chart {other}"),
                };
                pools.insert(profile.to_string(), pool.as_str().unwrap().to_string());
            }
            ("kubernetes", "file") => {
                let cluster = docs
                    .iter()
                    .find(|d| d["kind"].as_str() == Some("ClusterConfiguration"))
                    .unwrap();
                subnets.insert(
                    profile.to_string(),
                    cluster["networking"]["podSubnet"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                );
            }
            _ => {}
        }
    }
    assert_eq!(pools.len(), 12);
    for (profile, pool) in &pools {
        let expected = if profile.ends_with("-cidr") {
            "10.244.0.0/16"
        } else {
            "192.168.0.0/16"
        };
        assert_eq!(pool, expected, "{profile}");
        assert_eq!(&subnets[profile], expected, "{profile}");
    }
}

/// `render PROFILE` prints one YAML stream that a YAML reader takes whole: one
/// `# Source:` comment per file, every document of every file.
fn assert_render_prints_one_stream(env: &Env, files: &[serde_json::Value]) {
    for stack in &STACKS {
        let run = env.run(&["render", stack.0]);
        run.success();
        let sources: Vec<&str> = run
            .stdout
            .lines()
            .filter_map(|l| l.strip_prefix("# Source: "))
            .collect();
        let mine: Vec<&serde_json::Value> =
            files.iter().filter(|f| f["profile"] == stack.0).collect();
        let expected: Vec<String> = mine
            .iter()
            .map(|f| {
                format!(
                    "{}/{}",
                    f["layer"].as_str().unwrap(),
                    f["file"].as_str().unwrap()
                )
            })
            .collect();
        assert_eq!(sources, expected, "{}", stack.0);
        let docs = yaml(stack.0, &run.stdout);
        let count: usize = mine
            .iter()
            .map(|f| yaml("file", f["content"].as_str().unwrap()).len())
            .sum();
        assert_eq!(docs.len(), count, "{}", stack.0);
    }
}

#[test]
fn overriding_only_the_calico_pool_fails_at_the_users_line() {
    let env = Env::new();
    env.profile(
        "aws-prod",
        &aws_profile("[layer.values]\nipam_cidr = \"10.10.0.0/16\"\n"),
    );
    let expected = "error: profiles/aws-prod/profile.toml:20:1: the Calico pool must equal the Kubernetes pod CIDR (set `pod_cidr` on the kubernetes layer; calico follows it) (assertion of calico 3.32.1: `layers.kubernetes is not defined or params.ipam_cidr == layers.kubernetes.params.pod_cidr`)\n    |\n 20 | ipam_cidr = \"10.10.0.0/16\"\n    | ^^^^^^^^^^^^^^^^^^^^^^^^^^\n  hint: params.ipam_cidr = \"10.10.0.0/16\", layers.kubernetes.params.pod_cidr = \"192.168.0.0/16\"\n";
    env.run(&["validate"]).fails(
        1,
        &format!("{expected}error: 1 problem in 1 of 1 profile\n"),
    );
    env.run(&["lock"]).fails(
        1,
        &format!("{expected}error: 1 problem; no lock file was written\n"),
    );
    assert!(!env.path("profiles/aws-prod/profile.lock").exists());

    // Set in strata.toml for every profile: reported there.
    let env = Env::with_config(
        "[catalog]\nname = \"test\"\n\n[defaults.calico]\nipam_cidr = \"10.100.0.0/16\"\n",
    );
    env.profile("aws-prod", &aws_profile(""));
    let run = env.run(&["validate"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.starts_with(
            "error: strata.toml:5:1: the Calico pool must equal the Kubernetes pod CIDR"
        ),
        "{}",
        run.stderr
    );

    // The same value set in one place, on the kubernetes layer, is followed; a
    // `[defaults.calico]` value beats `default_from`, and `explain` says where each came from.
    let env = Env::new();
    let text = aws_profile("").replace(
        "version = \"1.36.x\"\n",
        "version = \"1.36.x\"\n[layer.values]\npod_cidr = \"10.10.0.0/16\"\n",
    );
    env.profile("aws-prod", &text);
    env.run(&["lock", "-q"]).success();
    let run = env.run(&["explain", "aws-prod", "network"]);
    run.success();
    assert!(
        run.stdout.contains(
            "  ipam_cidr       \"10.10.0.0/16\"      from kubernetes.pod_cidr (profiles/aws-prod/profile.toml:15)\n"
        ),
        "{}",
        run.stdout
    );
    let run = env.run(&["explain", "aws-prod", "network", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let origin = v["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "ipam_cidr")
        .unwrap()["origin"]
        .clone();
    assert_eq!(origin["kind"], "from");
    assert_eq!(origin["from"], "kubernetes.pod_cidr");
}

#[test]
fn profile_tags_reach_ebs_volume_tags_node_labels_and_cloud_init() {
    let env = Env::new();
    env.profile(
        "aws-prod",
        &aws_profile("").replace(
            "cloud = \"aws\"\n",
            "cloud = \"aws\"\ntags = [\"env:prod\", \"team:payments\"]\n",
        ),
    );
    env.run(&["lock", "-q"]).success();
    let run = env.run(&["render", "aws-prod", "--format", "json"]);
    run.success();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let file = |layer: &str, name: &str| -> Vec<Yaml> {
        let f = v["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["layer"] == layer && f["file"] == name)
            .unwrap_or_else(|| panic!("{layer}/{name}"));
        yaml(name, f["content"].as_str().unwrap())
    };
    let ebs = &file("storage", "values.yaml")[0];
    let tags = &ebs["controller"]["extraVolumeTags"];
    assert_eq!(tags["env"].as_str(), Some("prod"));
    assert_eq!(tags["team"].as_str(), Some("payments"));
    assert_eq!(tags.as_hash().unwrap().len(), 2);
    for doc in file("kubernetes", "kubeadm-config.yaml")
        .iter()
        .filter(|d| {
            matches!(
                d["kind"].as_str(),
                Some("InitConfiguration" | "JoinConfiguration")
            )
        })
    {
        let args = doc["nodeRegistration"]["kubeletExtraArgs"]
            .as_vec()
            .unwrap();
        let labels = args
            .iter()
            .find(|a| a["name"].as_str() == Some("node-labels"))
            .unwrap();
        assert_eq!(labels["value"].as_str(), Some("env=prod,team=payments"));
    }
    let init = &file("os", "cloud-init.yaml")[0];
    let tags_file = init["write_files"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str() == Some("/etc/strata/profile-tags.json"))
        .unwrap();
    assert_eq!(
        tags_file["content"].as_str(),
        Some("{\"env\": \"prod\", \"team\": \"payments\"}")
    );
}

#[test]
fn tags_a_cloud_cannot_hold_are_refused_at_their_column() {
    let env = Env::new();
    env.profile(
        "p",
        &aws_profile("")
            .replace("name = \"aws-prod\"", "name = \"p\"")
            .replace(
                "cloud = \"aws\"\n",
                "cloud = \"gcp\"\ntags = [\"Env:Prod\", \"team:pay ments\", \":x\"]\n",
            ),
    );
    env.run(&["validate"]).fails(
        1,
        "error: profiles/p/profile.toml:4:9: tag `Env:Prod`: GCP labels are lower case\n   |\n 4 | tags = [\"Env:Prod\", \"team:pay ments\", \":x\"]\n   |         ^^^^^^^^^^\n\
         error: profiles/p/profile.toml:4:21: tag `team:pay ments`: a tag holds no whitespace\n   |\n 4 | tags = [\"Env:Prod\", \"team:pay ments\", \":x\"]\n   |                     ^^^^^^^^^^^^^^^^\n\
         error: profiles/p/profile.toml:4:39: tag `:x`: a tag is `key:value` or `key`, and this one has no key\n   |\n 4 | tags = [\"Env:Prod\", \"team:pay ments\", \":x\"]\n   |                                       ^^^^\n\
         error: 3 problems in 1 of 1 profile\n",
    );
    env.run(&["lock"]).fails(
        1,
        &env.run(&["validate"]).stderr.replace(
            "error: 3 problems in 1 of 1 profile\n",
            "error: 3 problems; no lock file was written\n",
        ),
    );
    assert!(!env.path("profiles/p/profile.lock").exists());
}

const DEMO_HEAD: &str =
    "[pack]\nname = \"demo\"\nversion = \"1.0.0\"\nlayer = \"addon\"\ndescription = \"demo\"\n\n";
const DEMO_PARAMS: &str =
    "\n[params.replicas]\ntype = \"integer\"\ndefault = 2\ndescription = \"Replicas\"\n";

/// A catalog with the aws profile and an add-on layer of the local pack `demo`, whose
/// manifest is `DEMO_HEAD + body + DEMO_PARAMS + tail`.
fn demo(body: &str, tail: &str) -> Env {
    let env = Env::with_config(WITH_LOCAL);
    env.pack(
        "demo",
        "1.0.0",
        &format!("{DEMO_HEAD}{body}{DEMO_PARAMS}{tail}"),
    );
    env.write(
        "packs/demo/1.0.0/values.yaml.j2",
        "replicas: {{ params.replicas }}\n",
    );
    env.profile(
        "aws-prod",
        &(aws_profile("") + "\n[[layer]]\ntype = \"addon\"\npack = \"demo\"\nversion = \"1.x\"\n"),
    );
    env
}

#[test]
fn bad_chart_entries_are_pack_problems_at_their_line() {
    let env = demo(
        "[[chart]]\nname = \"demo\"\nrepo = \"https://charts.example.com\"\nversion = \"1.0.0\"\nnamespace = \"demo\"\ncolour = \"red\"\n",
        "",
    );
    env.run(&["validate"]).fails(
        1,
        "error: packs/demo/1.0.0/pack.toml:12:1: unknown key `colour`\n    |\n 12 | colour = \"red\"\n    | ^^^^^^\n  hint: expected one of `name`, `repo`, `version`, `namespace`, `release`, `values`, `provides_externally`\nerror: 1 problem in 1 of 1 profile\n",
    );
    let env = demo(
        "[[chart]]\nname = \"acme/demo\"\nrepo = \"http://charts.example.com\"\nversion = \"1.0.0\"\nnamespace = \"demo\"\nvalues = \"value.yaml.j2\"\n",
        "",
    );
    env.run(&["validate"]).fails(
        1,
        "error: packs/demo/1.0.0/pack.toml:8:8: chart name `acme/demo` is not a chart name (letters, digits, `-`, `_`, `.`; no `/`)\n   |\n 8 | name = \"acme/demo\"\n   |        ^^^^^^^^^^^\n\
         error: packs/demo/1.0.0/pack.toml:9:8: chart repository `http://charts.example.com` is neither an `https://` Helm repository nor an `oci://` registry\n   |\n 9 | repo = \"http://charts.example.com\"\n   |        ^^^^^^^^^^^^^^^^^^^^^^^^^^^\n\
         error: packs/demo/1.0.0/pack.toml:12:10: chart values template `value.yaml.j2` is not a template of this release\n    |\n 12 | values = \"value.yaml.j2\"\n    |          ^^^^^^^^^^^^^^^\n  hint: did you mean `values.yaml.j2`?\n\
         error: 3 problems in 1 of 1 profile\n",
    );
    env.run(&["lock"]).fails(
        1,
        &env.run(&["validate"]).stderr.replace(
            "error: 3 problems in 1 of 1 profile\n",
            "error: 3 problems; no lock file was written\n",
        ),
    );
    assert!(!env.path("profiles/aws-prod/profile.lock").exists());
    // An OCI chart is fine, and `pack show` lists it.
    let env = demo(
        "[[chart]]\nname = \"demo\"\nrepo = \"oci://registry.example.com/charts\"\nversion = \"1.0.0\"\nnamespace = \"demo\"\n",
        "",
    );
    env.run(&["validate"]).success();
    let run = env.run(&["pack", "show", "demo"]);
    run.success();
    assert!(
        run.stdout.contains("\ncharts:\n  demo 1.0.0 from oci://registry.example.com/charts into namespace `demo`, values from `values.yaml.j2`\n\nparameters:\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn an_oci_chart_exports_to_helmfile_and_flux_as_oci() {
    let env = demo(
        "[[chart]]\nname = \"demo\"\nrepo = \"oci://registry.example.com/charts\"\nversion = \"1.0.0\"\nnamespace = \"demo\"\n",
        "",
    );
    env.run(&["lock", "-q"]).success();
    let run = env.run(&["export", "aws-prod", "--to", "helmfile"]);
    run.success();
    assert!(
        run.stdout.contains("  - name: registry-example-com-charts\n    url: registry.example.com/charts\n    oci: true\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("    chart: registry-example-com-charts/demo\n"),
        "{}",
        run.stdout
    );
    let run = env.run(&["export", "aws-prod", "--to", "flux"]);
    run.success();
    assert!(
        run.stdout
            .contains("  url: \"oci://registry.example.com/charts\"\n  type: oci\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn assertions_that_do_not_compile_or_read_unknown_names() {
    let env = demo(
        "",
        "\n[[assert]]\nthat = \"params.replicas >\"\nmessage = \"broken\"\n",
    );
    env.run(&["validate"]).fails(
        1,
        "error: packs/demo/1.0.0/pack.toml:14:8: assertion does not compile: unexpected end of input, expected expression\n    |\n 14 | that = \"params.replicas >\"\n    |        ^^^^^^^^^^^^^^^^^^^\nerror: 1 problem in 1 of 1 profile\n",
    );
    let env = demo(
        "",
        "\n[[assert]]\nthat = \"params.replicass > 1\"\nmessage = \"typo\"\n",
    );
    env.run(&["validate"]).fails(
        1,
        "error: packs/demo/1.0.0/pack.toml:14:8: assertion `params.replicass > 1` of demo 1.0.0 cannot be evaluated: `params.replicass` is undefined\n    |\n 14 | that = \"params.replicass > 1\"\n    |        ^^^^^^^^^^^^^^^^^^^^^^\nerror: 1 problem in 1 of 1 profile\n",
    );
    // A failing assertion on a pack default points at the layer.
    let env = demo(
        "",
        "\n[[assert]]\nthat = \"params.replicas > 2\"\nmessage = \"demo needs three replicas\"\n",
    );
    env.run(&["validate"]).fails(
        1,
        "error: profiles/aws-prod/profile.toml:25:1: demo needs three replicas (assertion of demo 1.0.0: `params.replicas > 2`)\n    |\n 25 | [[layer]]\n    | ^^^^^^^^^\n  hint: params.replicas = 2\nerror: 1 problem in 1 of 1 profile\n",
    );
}

#[test]
fn default_from_problems_name_the_pack_line() {
    let param = |name: &str, from: &str| {
        format!(
            "\n[params.{name}]\ntype = \"string\"\ndefault = \"x\"\ndefault_from = \"{from}\"\ndescription = \"x\"\n"
        )
    };
    let env = demo("", &param("cidr", "kubernetes.pod_cidrs"));
    env.run(&["validate"]).fails(
        1,
        "error: packs/demo/1.0.0/pack.toml:16:16: `default_from = \"kubernetes.pod_cidrs\"` of demo 1.0.0: kubernetes 1.36.4 (layer `kubernetes`) has no parameter `pod_cidrs`\n    |\n 16 | default_from = \"kubernetes.pod_cidrs\"\n    |                ^^^^^^^^^^^^^^^^^^^^^^\n  hint: did you mean `pod_cidr`?\nerror: 1 problem in 1 of 1 profile\n",
    );
    let env = demo("", &param("cidr", "netwrk.ipam_cidr"));
    env.run(&["validate"]).fails(
        1,
        "error: packs/demo/1.0.0/pack.toml:16:16: `default_from = \"netwrk.ipam_cidr\"` of demo 1.0.0: the profile has no layer `netwrk`\n    |\n 16 | default_from = \"netwrk.ipam_cidr\"\n    |                ^^^^^^^^^^^^^^^^^^\n  hint: did you mean `network`?\nerror: 1 problem in 1 of 1 profile\n",
    );
    let env = demo("", &(param("a", "addon.b") + &param("b", "demo.a")));
    env.run(&["validate"]).fails(
        1,
        "error: packs/demo/1.0.0/pack.toml:16:16: `default_from` goes round in a cycle: demo.a -> demo.b -> demo.a\n    |\n 16 | default_from = \"addon.b\"\n    |                ^^^^^^^^^\nerror: 1 problem in 1 of 1 profile\n",
    );
    // A malformed reference is refused when the pack is read.
    let env = demo("", &param("cidr", "pod_cidr"));
    let run = env.run(&["validate"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.starts_with(
            "error: packs/demo/1.0.0/pack.toml:16:16: `default_from` of parameter `cidr`: "
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn invalid_yaml_is_a_catalog_problem_in_validate_lock_and_update() {
    let env = demo("", "");
    env.run(&["lock", "-q"]).success();
    let locked = env.read("profiles/aws-prod/profile.lock");
    env.write(
        "packs/demo/1.0.0/values.yaml.j2",
        "replicas: {{ params.replicas }}\nlist: [a, b\nx: 1\n",
    );
    let problem = "error: packs/demo/1.0.0/values.yaml.j2: renders invalid YAML in `values.yaml`: illegal placement of ':' indicator (rendered line 3: `x: 1`)\n";
    env.run(&["update"]).fails(
        1,
        &format!("{problem}error: 1 problem; no lock file was written\n"),
    );
    assert_eq!(env.read("profiles/aws-prod/profile.lock"), locked);
    fs_err::remove_file(env.path("profiles/aws-prod/profile.lock")).unwrap();
    env.run(&["validate"])
        .fails(1, &format!("{problem}error: 1 problem in 1 of 1 profile\n"));
    env.write(
        "packs/demo/1.0.0/values.yaml.j2",
        "replicas: {{ params.replicas }}\nlist: [\n",
    );
    env.run(&["lock"]).fails(
        1,
        "error: packs/demo/1.0.0/values.yaml.j2: renders invalid YAML in `values.yaml`: while parsing a node, did not find expected node content (at the end of the rendered file; rendered line 2: `list: [`)\nerror: 1 problem; no lock file was written\n",
    );
    assert!(!env.path("profiles/aws-prod/profile.lock").exists());
}

#[test]
fn render_kind_filters_and_manifests_build_with_kustomize() {
    let env = Env::new();
    let stack = &STACKS[4];
    env.profile("edge", &profile_text(stack, "edge", ""));
    env.run(&["lock", "-q"]).success();
    let run = env.run(&["render", "edge", "--kind", "manifest"]);
    run.success();
    let sources: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("# Source: "))
        .collect();
    assert_eq!(sources, ["# Source: metallb/pools.yaml"]);
    let docs = yaml("pools", &run.stdout);
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["IPAddressPool", "L2Advertisement"]);
    let run = env.run(&["render", "edge", "--kind", "values", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let charts: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["chart"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(charts, ["tigera-operator", "longhorn", "metallb"]);

    // kubectl builds the manifests offline, as `kubectl apply -k` would read them.
    if std::process::Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_err()
    {
        eprintln!("SKIP kustomize check: kubectl is not on PATH");
        return;
    }
    let dir = env.outside("kustomize");
    fs_err::create_dir_all(&dir).unwrap();
    fs_err::write(
        dir.join("manifests.yaml"),
        &env.run(&["render", "edge", "--kind", "manifest"]).stdout,
    )
    .unwrap();
    fs_err::write(
        dir.join("kustomization.yaml"),
        "resources:\n  - manifests.yaml\n",
    )
    .unwrap();
    let out = std::process::Command::new("kubectl")
        .arg("kustomize")
        .arg(&dir)
        .env("HOME", env.outside("home"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let built = String::from_utf8(out.stdout).unwrap();
    let docs = yaml("kustomize", &built);
    let mut kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    kinds.sort();
    assert_eq!(kinds, ["IPAddressPool", "L2Advertisement"]);
    assert!(built.contains("namespace: metallb-system"), "{built}");
}

#[test]
fn kubernetes_networks_agree_and_layers_are_found_by_type() {
    // A service CIDR that leaves the cluster DNS address out, and a pod CIDR inside it.
    let env = Env::new();
    env.profile(
        "aws-prod",
        &aws_profile("").replace(
            "version = \"1.36.x\"\n",
            "version = \"1.36.x\"\n[layer.values]\nservice_cidr = \"192.168.0.0/24\"\n",
        ),
    );
    env.run(&["validate"]).fails(
        1,
        "error: profiles/aws-prod/profile.toml:15:1: the cluster DNS address must lie in the service CIDR (assertion of kubernetes 1.36.4: `params.cluster_dns is within(params.service_cidr)`)\n    |\n 15 | service_cidr = \"192.168.0.0/24\"\n    | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  hint: params.cluster_dns = \"10.96.0.10\", params.service_cidr = \"192.168.0.0/24\"\n\
         error: profiles/aws-prod/profile.toml:15:1: the pod CIDR and the service CIDR must not overlap (assertion of kubernetes 1.36.4: `not (params.pod_cidr is overlapping(params.service_cidr))`)\n    |\n 15 | service_cidr = \"192.168.0.0/24\"\n    | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  hint: params.pod_cidr = \"192.168.0.0/16\", params.service_cidr = \"192.168.0.0/24\"\n\
         error: 2 problems in 1 of 1 profile\n",
    );
    // A kubernetes layer with its own name is still `layers.kubernetes` to calico.
    let env = Env::new();
    env.profile(
        "aws-prod",
        &aws_profile("").replace(
            "version = \"1.36.x\"\n",
            "version = \"1.36.x\"\nname = \"k8s\"\n[layer.values]\npod_cidr = \"10.20.0.0/16\"\n",
        ),
    );
    env.run(&["lock", "-q"]).success();
    let run = env.run(&["render", "aws-prod", "--kind", "values"]);
    run.success();
    assert!(
        run.stdout.contains("        cidr: \"10.20.0.0/16\"\n"),
        "{}",
        run.stdout
    );
}
