//! Exports to Palette, Terraform, Flux, Argo CD and helmfile: byte-exact, checked by the
//! engines' own tools where the machine has them, and never a secret in clear.

use std::path::Path;
use std::process::Command;

use yaml_rust2::Yaml;

use crate::clusters::{SECRET, catalog};
use crate::util::Env;

const TARGETS: [&str; 5] = ["palette", "terraform", "flux", "argocd", "helmfile"];

/// The quickstart's catalog: the example profile and profiles for AWS, Azure and an edge site.
fn quickstart() -> Env {
    let env = Env::empty();
    env.run_in(&env.outside(""), &["init", "cat", "-q"])
        .success();
    env.run(&["profile", "new", "aws-prod", "--cloud", "aws", "-q"])
        .success();
    env.run(&["profile", "new", "azure-prod", "--cloud", "azure", "-q"])
        .success();
    env.run(&[
        "profile",
        "new",
        "edge-small",
        "--cloud",
        "edge",
        "--type",
        "infra",
        "-q",
    ])
    .success();
    env.run(&["lock", "-q"]).success();
    env
}

/// The shape of Palette's cluster-profile import entity.
const PALETTE_SCHEMA: &str = r#"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["metadata", "spec"],
  "additionalProperties": false,
  "properties": {
    "metadata": {
      "type": "object",
      "required": ["name", "description", "labels"],
      "additionalProperties": false,
      "properties": {
        "name": {"type": "string", "minLength": 1},
        "description": {"type": "string"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}}
      }
    },
    "spec": {
      "type": "object",
      "required": ["version", "template", "variables"],
      "additionalProperties": false,
      "properties": {
        "version": {"type": "string"},
        "template": {
          "type": "object",
          "required": ["type", "cloudType", "packs"],
          "additionalProperties": false,
          "properties": {
            "type": {"enum": ["cluster", "infra", "add-on"]},
            "cloudType": {"type": "string"},
            "packs": {
              "type": "array",
              "items": {
                "type": "object",
                "required": ["name", "type", "layer", "tag", "version", "values", "registry"],
                "additionalProperties": false,
                "properties": {
                  "name": {"type": "string"},
                  "type": {"enum": ["spectro", "helm", "manifest"]},
                  "layer": {"enum": ["os", "k8s", "cni", "csi", "addon"]},
                  "tag": {"type": "string"},
                  "version": {"type": "string"},
                  "values": {"type": "string"},
                  "registry": {
                    "type": "object",
                    "required": ["metadata"],
                    "properties": {"metadata": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}}
                  },
                  "manifests": {
                    "type": "array",
                    "items": {"type": "object", "required": ["name", "content"], "additionalProperties": false,
                              "properties": {"name": {"type": "string"}, "content": {"type": "string"}}}
                  }
                }
              }
            }
          }
        },
        "variables": {
          "type": "array",
          "items": {
            "type": "object",
            "required": ["name", "displayName", "description", "format", "defaultValue", "regex", "required", "isSensitive", "hidden", "immutable"],
            "additionalProperties": false,
            "properties": {
              "name": {"type": "string"}, "displayName": {"type": "string"}, "description": {"type": "string"},
              "format": {"enum": ["string", "number", "boolean", "ipv4", "ipv4cidr", "ipv6", "version", "base64"]},
              "defaultValue": {"type": "string"}, "regex": {"type": "string"},
              "required": {"type": "boolean"}, "isSensitive": {"type": "boolean"},
              "hidden": {"type": "boolean"}, "immutable": {"type": "boolean"}
            }
          }
        }
      }
    }
  }
}"#;

/// Checks an export the way its engine would read it; returns a line when a tool is missing.
fn check(env: &Env, target: &str, args: &[&str]) -> Vec<String> {
    let mut skipped = Vec::new();
    let out = env.outside(&format!("check-{target}"));
    let _ = fs_err::remove_dir_all(&out);
    let mut full = args.to_vec();
    full.extend(["--to", target, "--out"]);
    let out_text = out.to_string_lossy().into_owned();
    full.push(&out_text);
    full.push("-q");
    env.run(&full).success();
    let files: Vec<(String, String)> = walkdir::WalkDir::new(&out)
        .sort_by_file_name()
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                fs_err::read_to_string(e.path()).unwrap(),
            )
        })
        .collect();
    assert!(!files.is_empty(), "{target}: no files");
    match target {
        "palette" => check_palette(&files),
        "terraform" => skipped.extend(check_terraform(&files, &out)),
        _ => skipped.extend(check_kubernetes(env, target, &files, &out)),
    }
    skipped
}

/// Palette exports validate against the import schema.
fn check_palette(files: &[(String, String)]) {
    let schema: serde_json::Value = serde_json::from_str(PALETTE_SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for (name, text) in files {
        let doc: serde_json::Value = serde_json::from_str(text).unwrap();
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
    }
}

/// Terraform exports parse as HCL, hold one profile resource, and pass `terraform fmt`.
fn check_terraform(files: &[(String, String)], out: &Path) -> Option<String> {
    for (name, text) in files {
        let body: hcl::Body = hcl::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
        let resources = body
            .blocks()
            .filter(|b| {
                b.identifier() == "resource"
                    && b.labels()[0].as_str() == "spectrocloud_cluster_profile"
            })
            .count();
        assert_eq!(resources, 1, "{name}");
    }
    match Command::new("terraform")
        .arg("fmt")
        .arg("-check")
        .arg("-diff")
        .arg(out)
        .output()
    {
        Ok(o) => assert!(
            o.status.success(),
            "terraform fmt: {}",
            String::from_utf8_lossy(&o.stdout)
        ),
        Err(_) => {
            return Some("SKIP terraform fmt -check: terraform is not on PATH".to_string());
        }
    }
    None
}

/// GitOps exports are Kubernetes objects (or helmfile releases) that kustomize builds.
fn check_kubernetes(
    env: &Env,
    target: &str,
    files: &[(String, String)],
    out: &Path,
) -> Option<String> {
    for (name, text) in files {
        let docs = crate::util::load_yaml(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        for d in &docs {
            match target {
                "helmfile" => {
                    for r in d["releases"].as_vec().unwrap() {
                        for key in ["name", "namespace", "chart", "version"] {
                            assert!(r[key].as_str().is_some(), "{name}: release without {key}");
                        }
                    }
                }
                _ if name == "kustomization.yaml" => {}
                _ => {
                    for key in ["apiVersion", "kind"] {
                        assert!(d[key].as_str().is_some(), "{name}: no {key}");
                    }
                    assert!(d["metadata"]["name"].as_str().is_some(), "{name}");
                    assert!(!matches!(d["spec"], Yaml::BadValue), "{name}: no spec");
                }
            }
        }
    }
    if target != "helmfile" {
        match Command::new("kubectl")
            .arg("kustomize")
            .arg(out)
            .env("HOME", env.outside("home"))
            .output()
        {
            Ok(o) => assert!(
                o.status.success(),
                "kubectl kustomize: {}",
                String::from_utf8_lossy(&o.stderr)
            ),
            Err(_) => {
                return Some("SKIP kubectl kustomize: kubectl is not on PATH".to_string());
            }
        }
    }
    None
}

#[test]
fn quickstart_profiles_export_to_every_target() {
    let env = quickstart();
    for target in TARGETS {
        let run = env.run(&["export", "aws-prod", "--to", target]);
        run.success();
        insta::assert_snapshot!(format!("export_aws_prod_{target}"), run.stdout);
        for profile in ["example", "aws-prod", "azure-prod", "edge-small"] {
            for line in check(&env, target, &["export", profile]) {
                eprintln!("{line}");
            }
        }
    }
    // What a GitOps target cannot deliver is said, with the reason.
    let run = env.run(&["export", "edge-small", "--to", "flux"]);
    assert_eq!(
        run.stderr,
        "   Skipped os/cloud-init.yaml: node configuration (cloud-init) for the machines, not the cluster\n   Skipped kubernetes/kubeadm-config.yaml: kubeadm configuration for bootstrapping, not the cluster\n"
    );
    let run = env.run(&["export", "edge-small", "--to", "argocd", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["skipped"][1]["layer"], "kubernetes/kubeadm-config.yaml");
    assert_eq!(v["files"].as_array().unwrap().len(), 3, "{v}");
    // The same lock, the same bytes.
    let a = env.run(&["export", "azure-prod", "--to", "palette"]).stdout;
    assert_eq!(
        a,
        env.run(&["export", "azure-prod", "--to", "palette"]).stdout
    );
}

#[test]
fn a_cluster_exports_with_its_variables_and_never_its_secret() {
    let env = catalog();
    let mut seen = Vec::new();
    for target in ["palette", "terraform", "flux"] {
        let run = env.run(&["export", "--cluster", "pay-eu-2", "--to", target]);
        run.success();
        insta::assert_snapshot!(format!("export_cluster_{target}"), run.stdout);
        seen.push(run.stdout);
        seen.push(run.stderr);
        for line in check(&env, target, &["export", "--cluster", "pay-eu-2"]) {
            eprintln!("{line}");
        }
    }
    let flux = env.run(&["export", "--cluster", "pay-eu-2", "--to", "flux"]);
    assert!(
        flux.stdout.contains("  valuesFrom:\n    - kind: Secret\n      name: pay-eu-2-variables\n      valuesKey: api_token\n      targetPath: apiToken\n"),
        "{}",
        flux.stdout
    );
    assert!(
        flux.stderr.contains("      Note variable `api_token` is sensitive: create Secret `pay-eu-2-variables` in namespace flux-system with key `api_token`\n"),
        "{}",
        flux.stderr
    );
    let tf = env
        .run(&["export", "--cluster", "pay-eu-2", "--to", "terraform"])
        .stdout;
    assert!(tf.contains("apiToken: \"${var.api_token}\"\n"), "{tf}");
    assert!(
        tf.contains("variable \"api_token\" {\n  type      = string\n  sensitive = true\n}\n"),
        "{tf}"
    );
    // Argo CD and helmfile cannot hold a secret by reference.
    for target in ["argocd", "helmfile"] {
        let run = env.run(&["export", "--cluster", "pay-eu-2", "--to", target]);
        assert_eq!(
            run.stderr,
            format!(
                "error: variable `api_token` is sensitive, and {target} cannot take a value by reference\n  hint: export to flux (a Secret in `valuesFrom`), palette or terraform; or pass `--allow-plaintext` to write the value in clear\n"
            )
        );
        assert_eq!(run.code, 1);
        seen.push(run.stdout);
        let run = env.run(&["export", "--cluster", "pay-eu-1", "--to", target]);
        run.success();
        seen.push(run.stdout);
    }
    for (i, text) in seen.iter().enumerate() {
        assert!(
            !text.contains(SECRET),
            "output {i} shows the secret:\n{text}"
        );
    }
    let plain = env.run(&[
        "export",
        "--cluster",
        "pay-eu-2",
        "--to",
        "helmfile",
        "--allow-plaintext",
    ]);
    plain.success();
    assert!(
        plain.stdout.contains(&format!("apiToken: {SECRET}")),
        "{}",
        plain.stdout
    );
}

#[test]
fn export_mistakes() {
    let env = quickstart();
    let run = env.run(&["export", "aws-prod", "--to", "pulumi"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("[possible values: palette, terraform, flux, argocd, helmfile]"),
        "{}",
        run.stderr
    );
    fs_err::remove_file(env.path("profiles/aws-prod/profile.lock")).unwrap();
    env.run(&["export", "aws-prod", "--to", "flux"]).fails(
        1,
        "error: profiles/aws-prod/profile.lock: no lock file\n  hint: run `strata lock aws-prod` first\n",
    );
    env.run(&["lock", "-q"]).success();
    // A folder of other files is kept unless --force; a failed export leaves it as it was.
    env.write("out/notes.txt", "mine\n");
    env.run(&["export", "aws-prod", "--to", "argocd", "--out", "out"]).fails(
        2,
        "error: `./out` holds files this export does not write (notes.txt)\n  hint: export into a new folder, or pass `--force` to replace it whole\n",
    );
    assert_eq!(env.read("out/notes.txt"), "mine\n");
    env.run(&[
        "export", "aws-prod", "--to", "argocd", "--out", "out", "--force", "-q",
    ])
    .success();
    assert!(!env.path("out/notes.txt").exists());
    assert!(env.path("out/kustomization.yaml").exists());
    // An add-on profile to Terraform: type add-on, cloud all.
    env.profile(
        "tools",
        "[profile]\nname = \"tools\"\ncloud = \"aws\"\ntype = \"add-on\"\n\n[[layer]]\ntype = \"addon\"\npack = \"cert-manager\"\nversion = \"1.x\"\n",
    );
    env.run(&["lock", "tools", "-q"]).success();
    let run = env.run(&["export", "tools", "--to", "terraform"]);
    run.success();
    assert!(
        run.stdout
            .contains("  cloud       = \"all\"\n  type        = \"add-on\"\n"),
        "{}",
        run.stdout
    );
    // A cluster whose variables are missing.
    let env = catalog();
    env.set_var("STRATA_VAR_API_TOKEN", "");
    let run = env.run(&["export", "--cluster", "pay-eu-2", "--to", "palette"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.starts_with("error: clusters/pay-eu-2/cluster.toml:11:1: cluster `pay-eu-2`: variable `api_token` has no value"),
        "{}",
        run.stderr
    );
}
