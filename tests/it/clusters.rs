//! Composition and clusters: profiles that extend a base, variables, clusters that pin
//! profile releases with their own variables and add-on profiles, and secrets that stay
//! secret.

use crate::util::{Env, WITH_LOCAL, git};

const BASE: &str = r#"[profile]
name = "aws-base"
cloud = "aws"
tags = ["env:prod"]

[[variable]]
name = "pod_cidr"
format = "ipv4cidr"
default = "10.244.0.0/16"
regex = "^10\\."
description = "Pod network of this cluster"

[[layer]]
type = "os"
pack = "ubuntu"
version = "24.04.x"

[[layer]]
type = "kubernetes"
pack = "kubernetes"
version = "1.36.x"
[layer.values]
pod_cidr = { var = "pod_cidr" }

[[layer]]
type = "network"
pack = "calico"
version = "3.32.x"

[[layer]]
type = "storage"
pack = "aws-ebs-csi"
version = "1.64.x"

[[layer]]
type = "addon"
name = "monitoring"
pack = "kube-prometheus-stack"
version = "81.x"
[layer.values]
grafana_admin_secret = "grafana-admin"
"#;

const PROD: &str = r#"[profile]
name = "aws-prod"
extends = "aws-base"
version = "1.0.0"

[[layer]]
name = "network"
[layer.values]
encapsulation = "VXLAN"
"#;

const LAB: &str = r#"[profile]
name = "aws-lab"
extends = "aws-base"
tags = ["env:lab"]

[[layer]]
name = "monitoring"
remove = true

[[layer]]
type = "addon"
pack = "cert-manager"
version = "1.x"
"#;

const OBSERVABILITY: &str = r#"[profile]
name = "observability"
cloud = "aws"
type = "add-on"
version = "1.0.0"

[[variable]]
name = "api_token"
regex = "^tok-"
sensitive = true
description = "Token the agent sends metrics with"

[[layer]]
type = "addon"
name = "agent"
pack = "agent"
version = "1.x"
[layer.values]
api_token = { var = "api_token" }
"#;

const AGENT: &str = r#"[pack]
name = "agent"
version = "1.0.0"
layer = "addon"
description = "A metrics agent"

[[chart]]
name = "agent"
repo = "https://charts.example.com"
version = "1.0.0"
namespace = "monitoring"

[params.api_token]
type = "string"
required = true
description = "API token"

[params.cluster]
type = "string"
default = "unknown"
description = "Cluster name shown in the dashboards"
"#;

pub(crate) const SECRET: &str = "tok-9f8e7d6c5b4a";

/// A catalog repository: a base, two children, an add-on profile with a sensitive
/// variable, `aws-prod` released at 1.0.0 and 1.1.0, `observability` at 1.0.0.
pub(crate) fn catalog() -> Env {
    let env = Env::with_config(WITH_LOCAL);
    env.pack("agent", "1.0.0", AGENT);
    env.write(
        "packs/agent/1.0.0/values.yaml.j2",
        "cluster: {{ profile.name | tojson }}\napiToken: {{ params.api_token | tojson }}\n",
    );
    env.profile("aws-base", BASE);
    env.profile("aws-prod", PROD);
    env.profile("aws-lab", LAB);
    env.profile("observability", OBSERVABILITY);
    env.run(&["lock", "-q"]).success();
    let root = env.root();
    git(&root, &["init", "-q", "-b", "main"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "catalog"]);
    env.run(&["release", "aws-prod", "-q"]).success();
    env.run(&["release", "observability", "-q"]).success();
    // 1.1.0: WireGuard between nodes.
    env.profile(
        "aws-prod",
        &PROD
            .replace("version = \"1.0.0\"", "version = \"1.1.0\"")
            .replace(
                "encapsulation = \"VXLAN\"",
                "encapsulation = \"VXLAN\"\nwireguard = true",
            ),
    );
    env.run(&["lock", "-q"]).success();
    git(&root, &["commit", "-q", "-am", "aws-prod 1.1.0"]);
    env.run(&["release", "aws-prod", "-q"]).success();
    env.write(
        "clusters/pay-eu-1/cluster.toml",
        "[cluster]\nname = \"pay-eu-1\"\nprofile = \"aws-prod\"\nversion = \"1.0.0\"\n\n[variables]\npod_cidr = \"10.8.0.0/16\"\n",
    );
    env.write(
        "clusters/pay-eu-2/cluster.toml",
        "[cluster]\nname = \"pay-eu-2\"\nprofile = \"aws-prod\"\nversion = \"1.1.0\"\ntags = [\"cost-center:4711\"]\n\n[[addon]]\nprofile = \"observability\"\nversion = \"1.0.0\"\n\n[variables]\npod_cidr = \"10.9.0.0/16\"\n",
    );
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "clusters"]);
    env.set_var("STRATA_VAR_API_TOKEN", SECRET);
    env
}

#[test]
fn children_inherit_override_and_remove_layers() {
    let env = catalog();
    let run = env.run(&["validate"]);
    run.success();
    assert_eq!(
        run.stdout,
        "ok aws-base: ubuntu 24.04.2, kubernetes 1.36.4, calico 3.32.1, aws-ebs-csi 1.64.0, kube-prometheus-stack 81.6.2\n\
         ok aws-lab: ubuntu 24.04.2, kubernetes 1.36.4, calico 3.32.1, aws-ebs-csi 1.64.0, cert-manager 1.21.1\n\
         ok aws-prod: ubuntu 24.04.2, kubernetes 1.36.4, calico 3.32.1, aws-ebs-csi 1.64.0, kube-prometheus-stack 81.6.2\n\
         ok observability: agent 1.0.0\n\
         ok cluster pay-eu-1: aws-prod 1.0.0, 5 layers\n\
         ok cluster pay-eu-2: aws-prod 1.1.0 + observability 1.0.0, 6 layers\n"
    );
    // The child's lock holds the merged stack and names its base.
    let lock = env.read("profiles/aws-lab/profile.lock");
    assert!(
        lock.contains(
            "\nbases = [\n  { file = \"profiles/aws-base/profile.toml\", digest = \"sha256:"
        ),
        "{lock}"
    );
    assert!(lock.contains("name = \"cert-manager\""), "{lock}");
    assert!(!lock.contains("kube-prometheus-stack"), "{lock}");
    // explain says which file shaped the layer and each value.
    let run = env.run(&["explain", "aws-prod", "network"]);
    run.success();
    assert!(
        run.stdout.contains(
            "defined:   profiles/aws-base/profile.toml:27, profiles/aws-prod/profile.toml:6\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "  encapsulation   \"VXLAN\"              profiles/aws-prod/profile.toml:9\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("  ipam_cidr       (variable pod_cidr)  from kubernetes.pod_cidr (profiles/aws-base/profile.toml:23), unbound\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn editing_the_base_makes_exactly_its_childrens_locks_stale() {
    let env = catalog();
    let text = env.read("profiles/aws-base/profile.toml");
    env.write(
        "profiles/aws-base/profile.toml",
        &text.replace("version = \"1.36.x\"", "version = \"1.36.3\""),
    );
    let run = env.run(&["lock", "--check"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error: profiles/aws-base/profile.lock: lock file is stale: layer `kubernetes`: kubernetes 1.36.4 -> 1.36.3, requested `1.36.x` -> `1.36.3`\n  hint: run `strata lock` and commit the result\n\
         error: profiles/aws-lab/profile.lock: lock file is stale: its base `profiles/aws-base/profile.toml` changed\n  hint: run `strata lock` and commit the result\n\
         error: profiles/aws-prod/profile.lock: lock file is stale: its base `profiles/aws-base/profile.toml` changed\n  hint: run `strata lock` and commit the result\n\
         error: 3 problems\n"
    );
    // `diff` shows the effect on every child; the released profile is untouched.
    let run = env.run(&["diff"]);
    run.success();
    for child in ["aws-base", "aws-lab", "aws-prod"] {
        assert!(
            run.stdout.contains(&format!(
                "changed {child}\n  note: at working tree: lock file is stale: "
            )),
            "{child}: {}",
            run.stdout
        );
    }
    assert_eq!(
        run.stdout
            .matches("  changed kubernetes: kubernetes 1.36.4 -> kubernetes 1.36.3 (spec changed, downgrade)\n")
            .count(),
        3,
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("observability"), "{}", run.stdout);
    env.run(&["cluster", "validate"]).success();
}

#[test]
fn cluster_render_binds_variables_and_masks_the_secret() {
    let env = catalog();
    let run = env.run(&["cluster", "list"]);
    run.success();
    assert_eq!(
        run.stdout,
        "CLUSTER   PROFILE   VERSION  ADD-ONS\npay-eu-1  aws-prod  1.0.0\npay-eu-2  aws-prod  1.1.0    observability 1.0.0\n"
    );
    let run = env.run(&["cluster", "render", "pay-eu-2", "--kind", "values"]);
    run.success();
    insta::assert_snapshot!("cluster_render_values", run.stdout);
    let full = env.run(&["cluster", "render", "pay-eu-2"]);
    full.success();
    // The cluster's variables and tags reached kubeadm and calico; the name is the cluster's.
    for line in [
        "  podSubnet: \"10.9.0.0/16\"\n",
        "clusterName: \"pay-eu-2\"\n",
        "      value: \"cost-center=4711,env=prod\"\n",
        "wireguardEnabled: true\n",
    ] {
        assert!(full.stdout.contains(line), "{line}");
    }
    // pay-eu-1 is on 1.0.0: no WireGuard, its own pod CIDR.
    let one = env.run(&["cluster", "render", "pay-eu-1"]);
    one.success();
    assert!(one.stdout.contains("  podSubnet: \"10.8.0.0/16\"\n"));
    assert!(one.stdout.contains("wireguardEnabled: false\n"));

    // The secret is in the files written with --out, and nowhere else.
    env.run(&["cluster", "render", "pay-eu-2", "--out", "out"])
        .success();
    assert_eq!(
        env.read("out/agent/values.yaml"),
        format!("cluster: \"pay-eu-2\"\napiToken: \"{SECRET}\"\n")
    );
    let mut seen = vec![full.stdout, full.stderr, run.stderr];
    for args in [
        &["cluster", "render", "pay-eu-2", "--format", "json"][..],
        &["cluster", "validate"],
        &["cluster", "validate", "--format", "json"],
        &["validate"],
        &["explain", "observability", "agent"],
        &["explain", "observability", "agent", "--format", "json"],
        &[
            "render",
            "observability",
            "--var",
            &format!("api_token={SECRET}"),
        ],
        &["render", "observability", "--format", "json"],
        &["diff"],
        &["outdated", "--clusters"],
        &["lock", "--check"],
    ] {
        let r = env.run(args);
        seen.push(r.stdout);
        seen.push(r.stderr);
    }
    for (i, text) in seen.iter().enumerate() {
        assert!(
            !text.contains(SECRET),
            "output {i} shows the secret:\n{text}"
        );
    }
    for entry in walkdir::WalkDir::new(env.root()) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() || entry.path().starts_with(env.path("out")) {
            continue;
        }
        let bytes = fs_err::read(entry.path()).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(SECRET),
            "{} holds the secret",
            entry.path().display()
        );
    }
    let masked = env.run(&[
        "render",
        "observability",
        "--var",
        &format!("api_token={SECRET}"),
    ]);
    assert!(
        masked.stdout.contains("apiToken: (sensitive)\n"),
        "{}",
        masked.stdout
    );
}

#[test]
fn outdated_flags_the_cluster_behind_and_diff_shows_pin_changes() {
    let env = catalog();
    let run = env.run(&["outdated", "--clusters"]);
    run.success();
    assert_eq!(
        run.stdout,
        "CLUSTER   PROFILE   PINNED  NEWEST\npay-eu-1  aws-prod  1.0.0   1.1.0\n"
    );
    assert_eq!(env.run(&["outdated", "--clusters", "--exit-code"]).code, 1);
    let run = env.run(&["outdated", "--clusters", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"schema_version": 1, "clusters": [
            {"cluster": "pay-eu-1", "profile": "aws-prod", "pinned": "1.0.0", "newest": "1.1.0"}
        ]})
    );
    let text = env.read("clusters/pay-eu-1/cluster.toml");
    env.write(
        "clusters/pay-eu-1/cluster.toml",
        &text
            .replace("version = \"1.0.0\"", "version = \"1.1.0\"")
            .replace("10.8.0.0/16", "10.10.0.0/16"),
    );
    let run = env.run(&["diff"]);
    run.success();
    assert_eq!(
        run.stdout,
        "changed cluster pay-eu-1\n  profile aws-prod: 1.0.0 -> 1.1.0\n    changed network: calico 3.32.1 -> calico 3.32.1\n      wireguard false -> true (profiles/aws-prod/profile.toml:10)\n  variable pod_cidr: \"10.8.0.0/16\" -> \"10.10.0.0/16\"\n4 profiles unchanged\n"
    );
    // What the pin's move changes in the cluster's stack, in the review comment and JSON.
    let run = env.run(&["diff", "--format", "markdown"]);
    assert!(
        run.stdout.contains(
            "| `pay-eu-1` | profile `aws-prod` | 1.0.0 | 1.1.0 |\n| `pay-eu-1` | ↳ changed layer `network` | calico 3.32.1 | calico 3.32.1 |\n| `pay-eu-1` | ↳ `network`: `wireguard` | `false` | `true` |\n| `pay-eu-1` | variable `pod_cidr` |"
        ),
        "{}",
        run.stdout
    );
    let run = env.run(&["diff", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let pin = &v["clusters"][0]["pins"][0];
    assert_eq!(pin["layers"][0]["name"], "network");
    assert_eq!(
        pin["layers"][0]["values"][0],
        serde_json::json!({"name": "wireguard", "old": false, "new": true,
            "old_origin": "pack default", "new_origin": "profiles/aws-prod/profile.toml:10"})
    );
    // A release that cannot be read says so, and the rest of the review stands.
    git(&env.root(), &["tag", "-d", "profiles/aws-prod/v1.0.0"]);
    let run = env.run(&["diff"]);
    run.success();
    assert_eq!(
        run.stdout,
        "changed cluster pay-eu-1\n  profile aws-prod: 1.0.0 -> 1.1.0\n    note: cannot read `aws-prod` 1.0.0: no tag `profiles/aws-prod/v1.0.0`\n  variable pod_cidr: \"10.8.0.0/16\" -> \"10.10.0.0/16\"\n4 profiles unchanged\n"
    );
    env.run(&["outdated", "--clusters"]).success();
    env.run(&["outdated", "--clusters", "--exit-code"])
        .success();
}

#[test]
fn cluster_mistakes_are_shown_at_their_line() {
    let env = catalog();
    let set = |text: &str| env.write("clusters/pay-eu-1/cluster.toml", text);
    let head = "[cluster]\nname = \"pay-eu-1\"\nprofile = \"aws-prod\"\n";
    set(&format!("{head}version = \"1.2.0\"\n"));
    let run = env.run(&["cluster", "validate", "pay-eu-1"]);
    run.fails(
        1,
        "error: clusters/pay-eu-1/cluster.toml:4:11: profile `aws-prod` has no release 1.2.0 (no tag `profiles/aws-prod/v1.2.0`)\n   |\n 4 | version = \"1.2.0\"\n   |           ^^^^^^^\n  hint: releases of `aws-prod`: 1.0.0, 1.1.0\nerror: 1 problem in 1 of 1 cluster\n",
    );
    // No cluster is ok: stdout stays empty, not an empty line.
    assert_eq!(run.stdout, "");
    set(&format!(
        "{head}version = \"1.0.0\"\n\n[variables]\npod_cidr = \"10.8.0.0/33\"\n"
    ));
    env.run(&["cluster", "validate", "pay-eu-1"]).fails(
        1,
        "error: clusters/pay-eu-1/cluster.toml:7:12: variable `pod_cidr`: `\"10.8.0.0/33\"` is not in format `ipv4cidr`: expected an IPv4 CIDR such as `10.0.0.0/16`\n   |\n 7 | pod_cidr = \"10.8.0.0/33\"\n   |            ^^^^^^^^^^^^^\nerror: 1 problem in 1 of 1 cluster\n",
    );
    set(&format!(
        "{head}version = \"1.0.0\"\n\n[variables]\npod_cidrr = \"10.8.0.0/16\"\n"
    ));
    env.run(&["cluster", "validate", "pay-eu-1"]).fails(
        1,
        "error: clusters/pay-eu-1/cluster.toml:7:1: unknown variable `pod_cidrr`\n   |\n 7 | pod_cidrr = \"10.8.0.0/16\"\n   | ^^^^^^^^^\n  hint: did you mean `pod_cidr`?\nerror: 1 problem in 1 of 1 cluster\n",
    );
    // The regex of a variable; a sensitive value is never quoted.
    set(&format!(
        "{head}version = \"1.0.0\"\n\n[variables]\npod_cidr = \"192.168.0.0/16\"\n"
    ));
    env.run(&["cluster", "validate", "pay-eu-1"]).fails(
        1,
        "error: clusters/pay-eu-1/cluster.toml:7:12: variable `pod_cidr`: `\"192.168.0.0/16\"` does not match the regex `^10\\.`\n   |\n 7 | pod_cidr = \"192.168.0.0/16\"\n   |            ^^^^^^^^^^^^^^^^\nerror: 1 problem in 1 of 1 cluster\n",
    );
    env.set_var("STRATA_VAR_API_TOKEN", "secret-without-prefix");
    let run = env.run(&["cluster", "validate", "pay-eu-2"]);
    assert_eq!(
        run.stderr,
        "error: variable `api_token` (from $STRATA_VAR_API_TOKEN): `(sensitive)` does not match the regex `^tok-`\nerror: 1 problem in 1 of 1 cluster\n"
    );
    env.set_var("STRATA_VAR_API_TOKEN", "");
    // A sensitive variable with no value anywhere: checks run without secrets (a
    // pull request has none), rendering for the cluster needs it.
    for args in [&["cluster", "validate", "pay-eu-2"][..], &["validate"]] {
        let run = env.run(args);
        assert!(
            run.stdout
                .contains("ok cluster pay-eu-2: aws-prod 1.1.0 + observability 1.0.0, 6 layers\n"),
            "{args:?}: {}{}",
            run.stdout,
            run.stderr
        );
        assert!(!run.stderr.contains("api_token"), "{}", run.stderr);
    }
    let run = env.run(&["cluster", "render", "pay-eu-2"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.starts_with(
            "error: clusters/pay-eu-2/cluster.toml:11:1: cluster `pay-eu-2`: variable `api_token` has no value (Token the agent sends metrics with)\n"
        ),
        "{}",
        run.stderr
    );
    let run = env.run(&["render", "observability"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.starts_with(
            "error: profiles/observability/profile.toml:8:8: variable `api_token` has no value (Token the agent sends metrics with)\n"
        ),
        "{}",
        run.stderr
    );
    // An add-on slot holding a full profile; a full profile released by its working tree.
    set(&format!(
        "{head}version = \"1.0.0\"\n\n[[addon]]\nprofile = \"aws-lab\"\n"
    ));
    env.run(&["cluster", "validate", "pay-eu-1"]).fails(
        1,
        "error: clusters/pay-eu-1/cluster.toml:7:11: `aws-lab` is a full profile; `[[addon]]` takes add-on profiles\n   |\n 7 | profile = \"aws-lab\"\n   |           ^^^^^^^^^\n  hint: an add-on profile has `type = \"add-on\"` and only add-on layers\nerror: 1 problem in 1 of 1 cluster\n",
    );
    // Two clusters of one name.
    set("[cluster]\nname = \"pay-eu-2\"\nprofile = \"aws-prod\"\n");
    let run = env.run(&["cluster", "list"]);
    assert_eq!(
        run.stderr,
        "error: clusters/pay-eu-2/cluster.toml: cluster name `pay-eu-2` is already used by `clusters/pay-eu-1/cluster.toml`\n  hint: cluster names are unique; set a distinct `name` in `[cluster]`\n"
    );
    assert_eq!(run.code, 1);
    env.run(&["cluster", "render", "pay-eu-3"]).fails(
        2,
        "error: no cluster named `pay-eu-3`\n  hint: did you mean `pay-eu-2`?\n",
    );
}

#[test]
fn composition_mistakes_are_shown_at_the_childs_line() {
    let env = Env::new();
    let base = BASE;
    env.profile("aws-base", base);
    env.profile(
        "loop-a",
        "[profile]\nname = \"loop-a\"\nextends = \"loop-b\"\n",
    );
    env.profile(
        "loop-b",
        "[profile]\nname = \"loop-b\"\nextends = \"loop-a\"\n",
    );
    env.profile(
        "typo",
        "[profile]\nname = \"typo\"\nextends = \"aws-bsae\"\n",
    );
    env.profile(
        "core",
        "[profile]\nname = \"core\"\nextends = \"aws-base\"\n\n[[layer]]\nname = \"network\"\nremove = true\n",
    );
    env.profile(
        "infra",
        "[profile]\nname = \"infra\"\ntype = \"infra\"\nextends = \"aws-base\"\n",
    );
    env.profile(
        "unused",
        "[profile]\nname = \"unused\"\nextends = \"aws-base\"\n\n[[variable]]\nname = \"region\"\n\n[[layer]]\nname = \"network\"\n[layer.values]\nmtu = { var = \"mtu\" }\n",
    );
    let run = env.run(&["validate"]);
    assert_eq!(run.code, 1);
    let expected = [
        "error: profiles/core/profile.toml:7:10: the core layer `network` cannot be removed\n   |\n 7 | remove = true\n   |          ^^^^\n  hint: override its `pack` and `version` instead\n",
        "error: profiles/infra/profile.toml:3:8: an infra profile cannot extend `aws-base`, a full profile\n   |\n 3 | type = \"infra\"\n   |        ^^^^^^^\n  hint: a profile extends a profile of its own type\n",
        "error: profiles/loop-a/profile.toml:3:11: `extends` goes round in a cycle: loop-a -> loop-b -> loop-a\n   |\n 3 | extends = \"loop-b\"\n   |           ^^^^^^^^\n",
        "error: profiles/loop-b/profile.toml:3:11: `extends` goes round in a cycle: loop-b -> loop-a -> loop-b\n",
        "error: profiles/typo/profile.toml:3:11: `extends`: no profile named `aws-bsae`\n   |\n 3 | extends = \"aws-bsae\"\n   |           ^^^^^^^^^^\n  hint: did you mean `aws-base`?\n",
        "error: profiles/unused/profile.toml:11:7: `{ var = \"mtu\" }` names no variable of this profile\n    |\n 11 | mtu = { var = \"mtu\" }\n    |       ^^^^^^^^^^^^^^^\n  hint: expected one of `pod_cidr`, `region`\n",
    ];
    for e in expected {
        assert!(run.stderr.contains(e), "missing:\n{e}\nin:\n{}", run.stderr);
    }
    // A declared variable that no value uses is a warning, not a problem.
    env.profile(
        "unused",
        "[profile]\nname = \"unused\"\nextends = \"aws-base\"\n\n[[variable]]\nname = \"region\"\n",
    );
    let run = env.run(&["validate", "unused"]);
    run.success();
    assert_eq!(
        run.stderr,
        "warning: profiles/unused/profile.toml:6:8: variable `region` is used by no layer value\n   |\n 6 | name = \"region\"\n   |        ^^^^^^^^\n  hint: use it as `{ var = \"region\" }`, or remove it\n"
    );
    // A variable's format must fit the parameter it feeds.
    env.profile(
        "unused",
        "[profile]\nname = \"unused\"\nextends = \"aws-base\"\n\n[[variable]]\nname = \"mtu\"\nformat = \"boolean\"\n\n[[layer]]\nname = \"network\"\n[layer.values]\nmtu = { var = \"mtu\" }\n",
    );
    let run = env.run(&["validate", "unused"]);
    assert_eq!(
        run.stderr,
        "error: profiles/unused/profile.toml:12:7: variable `mtu` is a boolean (boolean); parameter `mtu` of calico 3.32.1 takes an integer\n    |\n 12 | mtu = { var = \"mtu\" }\n    |       ^^^^^^^^^^^^^^^\n  hint: change the variable's `format`, or use it for another parameter\nerror: 1 problem in 1 of 1 profile\n"
    );
}

#[test]
fn add_on_profiles_must_fit_the_stack() {
    let env = catalog();
    env.pack(
        "legacy-agent",
        "1.0.0",
        "[pack]\nname = \"legacy-agent\"\nversion = \"1.0.0\"\nlayer = \"addon\"\ndescription = \"An old agent\"\n\n[[requires]]\nlayer = \"kubernetes\"\nversion = \"<1.30\"\n",
    );
    env.write("packs/legacy-agent/1.0.0/values.yaml.j2", "a: 1\n");
    env.profile(
        "legacy",
        "[profile]\nname = \"legacy\"\ncloud = \"aws\"\ntype = \"add-on\"\n\n[[layer]]\ntype = \"addon\"\npack = \"legacy-agent\"\nversion = \"1.x\"\n\n[[layer]]\ntype = \"addon\"\nname = \"monitoring\"\npack = \"agent\"\nversion = \"1.x\"\n[layer.values]\napi_token = \"tok-x\"\n",
    );
    env.run(&["lock", "legacy", "-q"]).success();
    env.write(
        "clusters/pay-eu-1/cluster.toml",
        "[cluster]\nname = \"pay-eu-1\"\nprofile = \"aws-prod\"\nversion = \"1.0.0\"\n\n[[addon]]\nprofile = \"legacy\"\n",
    );
    env.run(&["cluster", "validate", "pay-eu-1"]).fails(
        1,
        "error: profiles/legacy/profile.toml:11:1: layer `monitoring` of `profiles/legacy/profile.toml` has the name of a layer of `profiles/aws-prod/profile.toml`\n    |\n 11 | [[layer]]\n    | ^^^^^^^^^\n  hint: layer names are unique in a cluster; give one of them another `name`\n\
         error: profiles/legacy/profile.toml:8:8: legacy-agent 1.0.0 requires kubernetes <1.30, and cluster `pay-eu-1` has kubernetes 1.36.4\n   |\n 8 | pack = \"legacy-agent\"\n   |        ^^^^^^^^^^^^^^\n\
         error: 2 problems in 1 of 1 cluster\n",
    );
}
