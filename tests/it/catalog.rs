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
            "ingress-nginx",
            "kube-prometheus-stack",
            "kubernetes",
            "longhorn",
            "metallb",
            "ubuntu",
            "vsphere-csi"
        ]
    );
    let mut releases = 0;
    for name in &names {
        let list = reg.releases(name).unwrap();
        assert!(list.len() >= 2, "{name} has {} releases", list.len());
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
            let env = minijinja::Environment::new();
            for (path, bytes) in templates {
                let text = std::str::from_utf8(bytes).unwrap();
                env.template_from_str(text)
                    .unwrap_or_else(|e| panic!("{name} {} {path}: {e}", r.version));
            }
        }
    }
    assert_eq!(releases, 41);
}

#[test]
fn clouds_and_layers_match_the_real_components() {
    let reg = registry();
    let newest = |n: &str| reg.newest(n).unwrap().unwrap();
    let table: [(&str, LayerType, &[&str]); 9] = [
        ("ubuntu", LayerType::Os, &["all"]),
        ("kubernetes", LayerType::Kubernetes, &["all"]),
        ("calico", LayerType::Network, &["all"]),
        ("aws-ebs-csi", LayerType::Storage, &["aws"]),
        ("azure-disk-csi", LayerType::Storage, &["azure"]),
        ("gcp-pd-csi", LayerType::Storage, &["gcp"]),
        ("vsphere-csi", LayerType::Storage, &["vsphere"]),
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
    // Kubernetes has at least three minor trains, each with patch releases.
    let kube = reg.releases("kubernetes").unwrap();
    let mut minors: Vec<u64> = kube.iter().map(|r| r.version.minor()).collect();
    minors.dedup();
    assert!(minors.len() >= 3, "{minors:?}");
    for m in &minors {
        assert!(
            kube.iter().filter(|r| r.version.minor() == *m).count() >= 2,
            "1.{m}"
        );
    }
    // A CNI release states the Kubernetes range it supports, and the two CNIs conflict.
    let calico = newest("calico");
    assert_eq!(calico.requires[0].text, ">=1.30, <1.34");
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
    let nginx = reg.newest("ingress-nginx").unwrap().unwrap();
    assert_eq!(
        default(&nginx, "allow_snippet_annotations"),
        toml::Value::Boolean(false)
    );
}
