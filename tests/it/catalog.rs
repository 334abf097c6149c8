//! The built-in catalog: every release loads, has described parameters, a template that
//! compiles, and the clouds and constraints of the real component.

use strata::model::pack::LayerType;
use strata::registry::Registry;

fn registry() -> Registry {
    Registry::builtin()
}

#[test]
fn every_release_loads_with_described_parameters_and_templates() {
    let reg = registry();
    let names = reg.pack_names().unwrap();
    assert_eq!(
        names,
        [
            "aws-ebs-csi",
            "azure-disk-csi",
            "calico",
            "cert-manager",
            "cilium",
            "gcp-pd-csi",
            "kube-prometheus-stack",
            "kubernetes",
            "longhorn",
            "metallb",
            "ubuntu",
        ]
    );
    let mut releases = 0;
    for name in &names {
        let list = reg.releases(name).unwrap();
        assert!(!list.is_empty(), "{name} has no release");
        for r in list.iter() {
            let pack = reg
                .pack(name, r)
                .unwrap_or_else(|e| panic!("{name} {}: {e}", r.version));
            releases += 1;
            assert!(!pack.description.is_empty(), "{name} {}", r.version);
            for (p, spec) in &pack.params {
                assert!(
                    !spec.description.is_empty(),
                    "{name} {} parameter {p}",
                    r.version
                );
                assert!(
                    spec.default.is_some() || spec.required,
                    "{name} {} parameter {p}",
                    r.version
                );
            }
            let templates: Vec<_> = pack.templates().collect();
            assert!(
                !templates.is_empty(),
                "{name} {} has no template",
                r.version
            );
            strata::render::compile(&pack).unwrap_or_else(|e| panic!("{name} {}: {e}", r.version));
        }
    }
    assert_eq!(releases, 23);
}

#[test]
fn clouds_and_layers_match_the_real_components() {
    let reg = registry();
    let newest = |n: &str| reg.newest(n).unwrap().unwrap();
    let table: [(&str, LayerType, &[&str]); 8] = [
        ("ubuntu", LayerType::Os, &["all"]),
        ("kubernetes", LayerType::Kubernetes, &["all"]),
        ("calico", LayerType::Network, &["all"]),
        ("aws-ebs-csi", LayerType::Storage, &["aws"]),
        ("azure-disk-csi", LayerType::Storage, &["azure"]),
        ("gcp-pd-csi", LayerType::Storage, &["gcp"]),
        ("cert-manager", LayerType::Addon, &["all"]),
        (
            "metallb",
            LayerType::Addon,
            &[
                "vsphere",
                "openstack",
                "maas",
                "edge",
                "baremetal",
                "libvirt",
            ],
        ),
    ];
    for (name, layer, clouds) in table {
        let p = newest(name);
        assert_eq!(p.layer, layer, "{name}");
        assert_eq!(p.clouds, clouds, "{name}");
    }
    assert!(!newest("metallb").supports_cloud("aws"));
    // Kubernetes: every minor upstream supports (1.35, 1.36, 1.37 since 1.34 ended on
    // 2026-10-27), each at its newest patch.
    let kube: Vec<String> = reg
        .releases("kubernetes")
        .unwrap()
        .iter()
        .map(|r| r.version.to_string())
        .collect();
    assert_eq!(kube, ["1.35.9", "1.36.3", "1.36.4", "1.37.1"]);
    // A CNI release states the Kubernetes range it supports, and the two CNIs conflict.
    let calico = newest("calico");
    assert_eq!(calico.requires[0].text, ">=1.35, <1.38");
    assert_eq!(
        calico.conflicts[0].target,
        strata::model::pack::Target::Pack("cilium".into())
    );
    let cilium = newest("cilium");
    assert_eq!(
        cilium.conflicts[0].target,
        strata::model::pack::Target::Pack("calico".into())
    );
}

#[test]
fn hardening_defaults() {
    let reg = registry();
    let kube = reg.newest("kubernetes").unwrap().unwrap();
    let default = |p: &strata::model::pack::Pack, k: &str| {
        p.params[k].default.as_ref().unwrap().get_ref().clone()
    };
    assert_eq!(default(&kube, "audit_logging"), toml::Value::Boolean(true));
    assert_eq!(
        default(&kube, "encryption_at_rest"),
        toml::Value::Boolean(true)
    );
    assert_eq!(
        default(&kube, "anonymous_auth"),
        toml::Value::Boolean(false)
    );
    assert_eq!(
        default(&kube, "pod_security"),
        toml::Value::String("baseline".into())
    );
    let ebs = reg.newest("aws-ebs-csi").unwrap().unwrap();
    assert_eq!(default(&ebs, "encrypted"), toml::Value::Boolean(true));
    let calico = reg.newest("calico").unwrap().unwrap();
    assert_eq!(
        default(&calico, "default_deny"),
        toml::Value::Boolean(false)
    );
}

/// (pack, version, chart, repository, chart version, namespace) of every built-in release
/// that installs a chart.
const UPSTREAM_CHARTS: [(&str, &str, &str, &str, &str, &str); 14] = [
    (
        "aws-ebs-csi",
        "1.48.0",
        "aws-ebs-csi-driver",
        "https://kubernetes-sigs.github.io/aws-ebs-csi-driver",
        "2.48.0",
        "kube-system",
    ),
    (
        "aws-ebs-csi",
        "1.64.0",
        "aws-ebs-csi-driver",
        "https://kubernetes-sigs.github.io/aws-ebs-csi-driver",
        "2.64.0",
        "kube-system",
    ),
    (
        "azure-disk-csi",
        "1.34.5",
        "azuredisk-csi-driver",
        "https://raw.githubusercontent.com/kubernetes-sigs/azuredisk-csi-driver/master/charts",
        "v1.34.5",
        "kube-system",
    ),
    (
        "calico",
        "3.31.7",
        "tigera-operator",
        "https://docs.tigera.io/calico/charts",
        "v3.31.7",
        "tigera-operator",
    ),
    (
        "calico",
        "3.32.1",
        "tigera-operator",
        "https://docs.tigera.io/calico/charts",
        "v3.32.1",
        "tigera-operator",
    ),
    (
        "cert-manager",
        "1.21.1",
        "cert-manager",
        "https://charts.jetstack.io",
        "v1.21.1",
        "cert-manager",
    ),
    (
        "cilium",
        "1.19.6",
        "cilium",
        "https://helm.cilium.io/",
        "1.19.6",
        "kube-system",
    ),
    (
        "cilium",
        "1.20.0",
        "cilium",
        "https://helm.cilium.io/",
        "1.20.0",
        "kube-system",
    ),
    (
        "kube-prometheus-stack",
        "88.5.3",
        "kube-prometheus-stack",
        "https://prometheus-community.github.io/helm-charts",
        "88.5.3",
        "monitoring",
    ),
    (
        "kube-prometheus-stack",
        "81.6.2",
        "kube-prometheus-stack",
        "https://prometheus-community.github.io/helm-charts",
        "81.6.2",
        "monitoring",
    ),
    (
        "longhorn",
        "1.11.3",
        "longhorn",
        "https://charts.longhorn.io",
        "1.11.3",
        "longhorn-system",
    ),
    (
        "longhorn",
        "1.12.1",
        "longhorn",
        "https://charts.longhorn.io",
        "1.12.1",
        "longhorn-system",
    ),
    (
        "metallb",
        "0.15.3",
        "metallb",
        "https://metallb.github.io/metallb",
        "0.15.3",
        "metallb-system",
    ),
    (
        "metallb",
        "0.16.1",
        "metallb",
        "https://metallb.github.io/metallb",
        "0.16.1",
        "metallb-system",
    ),
];

/// Every add-on, network and storage pack names its real upstream chart, at the chart
/// version of that release, in the namespace it is usually installed to.
#[test]
fn packs_name_their_upstream_charts() {
    let reg = registry();
    let table = UPSTREAM_CHARTS;
    let mut seen = 0;
    for name in reg.pack_names().unwrap() {
        for r in reg.releases(&name).unwrap().iter() {
            let pack = reg.pack(&name, r).unwrap();
            let v = pack.version.to_string();
            let charts: Vec<_> = pack
                .charts
                .iter()
                .map(|c| {
                    (
                        c.name.as_str(),
                        c.repo.as_str(),
                        c.version.as_str(),
                        c.namespace.as_str(),
                    )
                })
                .collect();
            let expected: Vec<_> = table
                .iter()
                .filter(|t| t.0 == name && t.1 == v)
                .map(|t| (t.2, t.3, t.4, t.5))
                .collect();
            assert_eq!(charts, expected, "{name} {v}");
            seen += expected.len();
            // Core packs that are not add-ons install no chart; gcp-pd-csi configures the
            // driver GKE manages, which has no upstream chart.
            let chartless =
                matches!(pack.layer, LayerType::Os | LayerType::Kubernetes) || name == "gcp-pd-csi";
            assert_eq!(charts.is_empty(), chartless, "{name} {v}");
        }
    }
    assert_eq!(seen, table.len());
}

/// Every chart version a built-in pack names has a row in docs/catalog.md's table of chart
/// versions checked against their repositories, with where it was confirmed; and every row
/// is a chart version some pack names (the table says nothing stale).
#[test]
fn every_chart_version_has_a_cited_source() {
    let docs = fs_err::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/catalog.md"),
    )
    .unwrap();
    let table = docs
        .split("### Chart versions checked against their repositories")
        .nth(1)
        .expect("docs/catalog.md has the table of checked chart versions");
    let rows: std::collections::BTreeSet<(String, String)> = table
        .lines()
        .skip_while(|l| !l.starts_with("| chart |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            assert!(
                cells.len() == 6 && !cells[3].is_empty() && !cells[4].is_empty(),
                "a row without its source or newest release: {l}"
            );
            (cells[1].to_string(), cells[2].to_string())
        })
        .collect();
    let reg = registry();
    let mut named = std::collections::BTreeSet::new();
    for name in reg.pack_names().unwrap() {
        for r in reg.releases(&name).unwrap().iter() {
            for c in &reg.pack(&name, r).unwrap().charts {
                named.insert((c.name.clone(), c.version.clone()));
            }
        }
    }
    let uncited: Vec<_> = named.difference(&rows).collect();
    assert!(uncited.is_empty(), "no cited source for {uncited:?}");
    let stale: Vec<_> = rows.difference(&named).collect();
    assert!(stale.is_empty(), "rows no pack names: {stale:?}");
}
