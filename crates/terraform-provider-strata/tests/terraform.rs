//! The provider under the real `terraform`: `dev_overrides` point Terraform at the binary
//! this build made, and `plan`, `apply` and `output -json` run against the quickstart's
//! catalog (plus a profile with a variable, released, and a cluster pinning it). Every
//! attribute is compared with what the `strata` binary prints for the same catalog.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const PROVIDER: &str = env!("CARGO_BIN_EXE_terraform-provider-strata");

/// A catalog and a Terraform working folder beside it, in a temporary folder.
struct Setup {
    tmp: tempfile::TempDir,
}

use strata_test_support::Run;

/// The `strata` binary the workspace built beside the provider.
fn strata_bin() -> PathBuf {
    let bin = Path::new(PROVIDER).with_file_name("strata");
    assert!(
        bin.is_file(),
        "{} is missing: run the tests with `cargo test --workspace`, which builds it",
        bin.display()
    );
    bin
}

/// Whether `terraform` is on PATH; prints a SKIP line when it is not.
fn terraform_here(test: &str) -> bool {
    let found = Command::new("terraform")
        .arg("version")
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("SKIP {test}: terraform is not on PATH");
    }
    found
}

const PAYMENTS: &str = r#"[profile]
name = "payments"
extends = "aws-prod"
version = "1.0.0"

[[variable]]
name = "pod_cidr"
format = "ipv4cidr"
description = "Pod network of this cluster"

[[layer]]
name = "kubernetes"
[layer.values]
pod_cidr = { var = "pod_cidr" }
"#;

const CLUSTER: &str = r#"[cluster]
name = "pay-eu-1"
profile = "payments"
version = "1.0.0"
tags = ["cost-center:4711"]
"#;

impl Setup {
    /// The quickstart's catalog, with `payments` (a variable, released as
    /// `profiles/payments/v1.0.0`) and cluster `pay-eu-1` pinning that release.
    fn new() -> Setup {
        let tmp = tempfile::Builder::new()
            .prefix("strata-tf")
            .tempdir()
            .unwrap();
        let s = Setup { tmp };
        fs_err::create_dir_all(s.path("home")).unwrap();
        fs_err::create_dir_all(s.path("tf")).unwrap();
        s.strata_in(&s.path(""), &["init", "cat", "-q"]).success();
        for args in [
            &["profile", "new", "aws-prod", "--cloud", "aws", "-q"][..],
            &["profile", "new", "azure-prod", "--cloud", "azure", "-q"],
            &[
                "profile",
                "new",
                "edge-small",
                "--cloud",
                "edge",
                "--type",
                "infra",
                "-q",
            ],
        ] {
            s.strata(args).success();
        }
        s.write("cat/profiles/payments/profile.toml", PAYMENTS);
        s.write("cat/clusters/pay-eu-1/cluster.toml", CLUSTER);
        s.strata(&["lock", "-q"]).success();
        s.git(&["add", "-A"]);
        s.git(&["commit", "-qm", "payments"]);
        s.strata(&["release", "payments", "-q"]).success();
        // The documented `dev_overrides` block, pointing at this build.
        let (_, overrides) = doc_blocks()
            .into_iter()
            .find(|(_, b)| b.contains("dev_overrides"))
            .unwrap();
        s.write(
            "terraformrc",
            &overrides.replace(
                "/path/to/strata/target/release",
                &Path::new(PROVIDER).parent().unwrap().display().to_string(),
            ),
        );
        s
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        fs_err::create_dir_all(p.parent().unwrap()).unwrap();
        fs_err::write(p, text).unwrap();
    }

    fn command(&self, program: &Path, dir: &Path) -> Command {
        let mut c = Command::new(program);
        strata_test_support::hermetic(&mut c, &self.path("home"))
            .current_dir(dir)
            .env("TF_CLI_CONFIG_FILE", self.path("terraformrc"))
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1");
        c
    }

    fn run(&self, mut c: Command) -> Run {
        Run::of(c.output().expect("run"), |text| text)
    }

    fn strata_in(&self, dir: &Path, args: &[&str]) -> Run {
        let mut c = self.command(&strata_bin(), dir);
        c.args(args);
        self.run(c)
    }

    fn strata(&self, args: &[&str]) -> Run {
        self.strata_in(&self.path("cat"), args)
    }

    fn strata_json(&self, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.extend(["--format", "json"]);
        serde_json::from_str(&self.strata(&args).success().stdout).unwrap()
    }

    fn git(&self, args: &[&str]) {
        strata_test_support::git(&self.path("cat"), args);
    }

    fn terraform(&self, args: &[&str]) -> Run {
        let mut c = self.command(Path::new("terraform"), &self.path("tf"));
        c.args(args).arg("-no-color");
        self.run(c)
    }

    /// Writes the configuration: the provider on the catalog, and `body`.
    fn config(&self, body: &str) {
        self.config_at("../cat", body);
    }

    /// Writes the configuration with the provider on the catalog at `catalog`.
    fn config_at(&self, catalog: &str, body: &str) {
        self.write(
            "tf/main.tf",
            &format!(
                "terraform {{\n  required_providers {{\n    strata = {{ source = \"strata/strata\" }}\n  }}\n}}\n\nprovider \"strata\" {{\n  catalog = \"{catalog}\"\n}}\n\n{body}"
            ),
        );
    }
}

const READS: &str = r#"data "strata_profile" "aws" {
  name = "aws-prod"
}

data "strata_profile" "released" {
  name      = "payments"
  at        = "profiles/payments/v1.0.0"
  variables = { pod_cidr = "10.7.0.0/16" }
}

data "strata_cluster" "pay" {
  name      = "pay-eu-1"
  variables = { pod_cidr = "10.8.0.0/16" }
}

data "strata_export" "flux" {
  profile = "aws-prod"
  to      = "flux"
}

data "strata_export" "cluster" {
  cluster   = "pay-eu-1"
  to        = "terraform"
  variables = { pod_cidr = "10.8.0.0/16" }
}

output "aws" {
  value = {
    version = data.strata_profile.aws.version
    cloud   = data.strata_profile.aws.cloud
    type    = data.strata_profile.aws.type
    tags    = data.strata_profile.aws.tags
    layers  = data.strata_profile.aws.layers
  }
}

output "released" {
  value = data.strata_profile.released.layers
}

output "cluster" {
  value = {
    profile = data.strata_cluster.pay.profile
    version = data.strata_cluster.pay.version
    cloud   = data.strata_cluster.pay.cloud
    type    = data.strata_cluster.pay.type
    tags    = data.strata_cluster.pay.tags
    layers  = data.strata_cluster.pay.layers
    addons  = data.strata_cluster.pay.addons
  }
}

output "flux" {
  value = data.strata_export.flux.files
}

output "flux_skipped" {
  value = data.strata_export.flux.skipped
}

output "cluster_export" {
  value = data.strata_export.cluster.files
}

# One helm_release-shaped value per chart layer, as docs/terraform.md shows.
output "charts" {
  value = {
    for l in data.strata_profile.aws.layers : l.name => {
      chart     = l.charts[0].name
      version   = l.charts[0].version
      namespace = l.charts[0].namespace
      values    = l.values
    } if length(l.charts) > 0
  }
}
"#;

/// The files `strata render --format json` (or `cluster render`) prints, by layer.
fn rendered_files(render: &Value) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut by_layer: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for f in render["files"].as_array().unwrap() {
        by_layer
            .entry(f["layer"].as_str().unwrap().to_string())
            .or_default()
            .insert(
                f["file"].as_str().unwrap().to_string(),
                f["content"].as_str().unwrap().to_string(),
            );
    }
    by_layer
}

/// The export's files, path to content, as `strata export --format json` prints them.
fn export_files(export: &Value) -> Value {
    Value::Object(
        export["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().unwrap().to_string(),
                    f["content"].clone(),
                )
            })
            .collect(),
    )
}

/// Checks every layer attribute against the lock file and the render output.
#[track_caller]
fn assert_layers(layers: &Value, lock: &toml::Table, render: &Value) {
    let files = rendered_files(render);
    let locked = lock["layer"].as_array().unwrap();
    let layers = layers.as_array().unwrap();
    assert_eq!(layers.len(), locked.len());
    for (l, k) in layers.iter().zip(locked) {
        let name = l["name"].as_str().unwrap();
        for key in [
            "type",
            "name",
            "pack",
            "registry",
            "requested",
            "version",
            "digest",
        ] {
            assert_eq!(
                l[key].as_str(),
                k[key].as_str(),
                "layer {name}: {key} is the lock's"
            );
        }
        // The builtin registry is no git repository: no commit.
        assert_eq!(l["commit"], Value::Null, "layer {name}");
        let want: Value = serde_json::to_value(&files[name]).unwrap();
        assert_eq!(l["files"], want, "layer {name}: files are strata render's");
        // `values` is the chart values file, else the layer's one file.
        let values = render["files"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["layer"] == name)
            .find(|f| f["kind"] == "values")
            .map(|f| f["content"].clone())
            .unwrap_or_else(|| {
                let single: Vec<_> = files[name].values().collect();
                Value::String(if single.len() == 1 {
                    single[0].clone()
                } else {
                    String::new()
                })
            });
        assert_eq!(l["values"], values, "layer {name}: values");
        // Each chart as render names it.
        let charts: Vec<Value> = render["files"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["layer"] == name && !f["chart"].is_null())
            .map(|f| {
                let c = &f["chart"];
                serde_json::json!({
                    "name": c["name"],
                    "repo": c["repo"],
                    "version": c["version"],
                    "namespace": c["namespace"],
                    "release": if c["release"].is_null() { Value::String(name.to_string()) } else { c["release"].clone() },
                    "values": f["content"],
                })
            })
            .collect();
        assert_eq!(l["charts"], Value::Array(charts), "layer {name}: charts");
    }
}

fn lock_of(s: &Setup, profile: &str) -> toml::Table {
    fs_err::read_to_string(s.path(&format!("cat/profiles/{profile}/profile.lock")))
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn plan_apply_and_outputs_are_what_strata_prints() {
    if !terraform_here("plan_apply_and_outputs_are_what_strata_prints") {
        return;
    }
    let s = Setup::new();
    s.config(READS);
    let plan = s.terraform(&["plan"]);
    plan.success();
    for line in [
        "data.strata_profile.aws: Read complete after",
        "data.strata_cluster.pay: Read complete after",
        "data.strata_export.flux: Read complete after",
    ] {
        assert!(plan.stdout.contains(line), "{line}\n{}", plan.stdout);
    }
    s.terraform(&["apply", "-auto-approve"]).success();
    let out: Value =
        serde_json::from_str(&s.terraform(&["output", "-json"]).success().stdout).unwrap();

    // strata_profile
    let aws = &out["aws"]["value"];
    let profile_toml: toml::Table =
        fs_err::read_to_string(s.path("cat/profiles/aws-prod/profile.toml"))
            .unwrap()
            .parse()
            .unwrap();
    // The version (the default 1.0.0 here), as the Palette export gives it.
    let palette = s.strata_json(&["export", "aws-prod", "--to", "palette"]);
    let palette: Value =
        serde_json::from_str(palette["files"][0]["content"].as_str().unwrap()).unwrap();
    assert_eq!(aws["version"], palette["spec"]["version"]);
    assert_eq!(aws["version"], "1.0.0");
    assert_eq!(aws["cloud"], "aws");
    assert_eq!(aws["type"], "full");
    let tags: BTreeMap<String, String> = profile_toml["profile"]
        .get("tags")
        .and_then(|t| t.as_array())
        .map(|t| {
            t.iter()
                .map(|t| {
                    let t = t.as_str().unwrap();
                    let (k, v) = t.split_once(':').unwrap_or((t, ""));
                    (k.to_string(), v.to_string())
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(aws["tags"], serde_json::to_value(&tags).unwrap());
    let render = s.strata_json(&["render", "aws-prod"]);
    assert_layers(&aws["layers"], &lock_of(&s, "aws-prod"), &render);
    assert_eq!(
        aws["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["name"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["os", "kubernetes", "network", "storage", "cert-manager"]
    );

    assert_released(&s, &out);
    assert_cluster(&s, &out);
    assert_exports(&s, &out, aws);
}

/// `at`: the released profile, from that tag's lock, with the variable given.
fn assert_released(s: &Setup, out: &Value) {
    let released = s.strata_json(&[
        "--at",
        "profiles/payments/v1.0.0",
        "render",
        "payments",
        "--var",
        "pod_cidr=10.7.0.0/16",
    ]);
    assert_layers(
        &out["released"]["value"],
        &lock_of(s, "payments"),
        &released,
    );
    assert!(
        out["released"]["value"][1]["files"]
            .as_object()
            .unwrap()
            .values()
            .any(|t| t.as_str().unwrap().contains("podSubnet: \"10.7.0.0/16\"")),
        "{}",
        out["released"]["value"][1]
    );
}

/// `strata_cluster`: the cluster as `cluster render` renders it.
fn assert_cluster(s: &Setup, out: &Value) {
    let cluster = &out["cluster"]["value"];
    assert_eq!(cluster["profile"], "payments");
    assert_eq!(cluster["version"], "1.0.0");
    assert_eq!(cluster["cloud"], "aws");
    assert_eq!(cluster["addons"], serde_json::json!([]));
    assert_eq!(cluster["tags"]["cost-center"], "4711");
    let render = s.strata_json(&[
        "cluster",
        "render",
        "pay-eu-1",
        "--var",
        "pod_cidr=10.8.0.0/16",
    ]);
    assert_layers(&cluster["layers"], &lock_of(s, "payments"), &render);
}

/// `strata_export`: the files `export` writes; and a helm_release per chart layer.
fn assert_exports(s: &Setup, out: &Value, aws: &Value) {
    let flux = s.strata_json(&["export", "aws-prod", "--to", "flux"]);
    assert_eq!(out["flux"]["value"], export_files(&flux));
    assert_eq!(out["flux_skipped"]["value"], flux["skipped"]);
    let tf = s.strata_json(&[
        "export",
        "--cluster",
        "pay-eu-1",
        "--to",
        "terraform",
        "--var",
        "pod_cidr=10.8.0.0/16",
    ]);
    assert_eq!(out["cluster_export"]["value"], export_files(&tf));

    // A helm_release per chart layer.
    let charts = out["charts"]["value"].as_object().unwrap();
    assert!(charts.contains_key("cert-manager"), "{charts:?}");
    assert_eq!(charts["cert-manager"]["values"], aws["layers"][4]["values"]);
}

/// `terraform plan`'s exit code and text for a configuration.
fn plan_fails(s: &Setup, body: &str) -> String {
    s.config(body);
    let plan = s.terraform(&["plan"]);
    assert_eq!(
        plan.code, 1,
        "stdout:\n{}\nstderr:\n{}",
        plan.stdout, plan.stderr
    );
    plan.stderr
}

#[test]
fn mistakes_are_terraform_diagnostics_with_strata_s_text() {
    if !terraform_here("mistakes_are_terraform_diagnostics_with_strata_s_text") {
        return;
    }
    let s = Setup::new();

    // An unknown profile: strata's message and near miss, at the data block's line.
    let err = plan_fails(
        &s,
        "data \"strata_profile\" \"aws\" {\n  name = \"aws-prd\"\n}\n",
    );
    assert!(
        err.contains(
            "Error: no profile named `aws-prd`\n\n  with data.strata_profile.aws,\n  on main.tf line 11, in data \"strata_profile\" \"aws\":\n  11: data \"strata_profile\" \"aws\" {\n\n  hint: did you mean `aws-prod`?\n"
        ),
        "{err}"
    );

    // A missing variable: the cluster file, line and column, the line itself, the hint.
    let err = plan_fails(
        &s,
        "data \"strata_cluster\" \"pay\" {\n  name = \"pay-eu-1\"\n}\n",
    );
    assert!(
        err.contains("Error: clusters/pay-eu-1/cluster.toml:3:11: cluster `pay-eu-1`: variable `pod_cidr` has no value (Pod network of this cluster)\n"),
        "{err}"
    );
    assert!(
        err.contains("  on main.tf line 11, in data \"strata_cluster\" \"pay\":\n"),
        "{err}"
    );
    assert!(err.contains(" 3 | profile = \"payments\"\n"), "{err}");
    assert!(
        err.contains("hint: give it with `--var pod_cidr=VALUE`"),
        "{err}"
    );

    // A stale lock is an error, never a silent re-resolution: the lock stays as it was.
    let lock = fs_err::read_to_string(s.path("cat/profiles/aws-prod/profile.lock")).unwrap();
    let toml_path = s.path("cat/profiles/aws-prod/profile.toml");
    let text = fs_err::read_to_string(&toml_path).unwrap();
    assert!(text.contains("pack = \"calico\"\n"), "{text}");
    fs_err::write(
        &toml_path,
        text.replace("pack = \"calico\"\n", "pack = \"calico\"\nname = \"cni\"\n"),
    )
    .unwrap();
    let err = plan_fails(
        &s,
        "data \"strata_profile\" \"aws\" {\n  name = \"aws-prod\"\n}\n",
    );
    assert!(
        err.contains("Error: profiles/aws-prod/profile.lock: lock file is stale: layer `cni` is new; layer `network` is gone\n"),
        "{err}"
    );
    assert!(
        err.contains("hint: run `strata lock aws-prod` and review the change"),
        "{err}"
    );
    assert_eq!(
        fs_err::read_to_string(s.path("cat/profiles/aws-prod/profile.lock")).unwrap(),
        lock
    );

    // Arguments the provider checks before reading.
    let err = plan_fails(
        &s,
        "data \"strata_export\" \"x\" {\n  profile = \"edge-small\"\n  to      = \"pulumi\"\n}\n",
    );
    assert!(
        err.contains("Error: `to = \"pulumi\"` is not an export target\n"),
        "{err}"
    );
    assert!(
        err.contains("hint: one of `palette`, `terraform`, `flux`, `argocd`, `helmfile`"),
        "{err}"
    );
    let err = plan_fails(&s, "data \"strata_export\" \"x\" {\n  to = \"flux\"\n}\n");
    assert!(
        err.contains("Error: strata_export takes one of `profile` and `cluster`\n"),
        "{err}"
    );

    // `variables` are sensitive: an output of them must say so.
    let err = plan_fails(
        &s,
        "data \"strata_cluster\" \"pay\" {\n  name      = \"pay-eu-1\"\n  variables = { pod_cidr = \"10.8.0.0/16\" }\n}\n\noutput \"v\" {\n  value = data.strata_cluster.pay.variables\n}\n",
    );
    assert!(
        err.contains("Error: Output refers to sensitive values"),
        "{err}"
    );

    // A catalog that is not there: an error of the provider block.
    s.config_at(
        "/nonexistent/catalog",
        "data \"strata_profile\" \"aws\" {\n  name = \"aws-prod\"\n}\n",
    );
    let plan = s.terraform(&["plan"]);
    assert_eq!(plan.code, 1);
    assert!(plan.stderr.contains("strata.toml"), "{}", plan.stderr);
}

#[test]
fn the_binary_says_what_it_is_when_run_by_hand() {
    let out = Command::new(PROVIDER).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "terraform-provider-strata is a Terraform plugin: Terraform (or OpenTofu) starts it.\n  hint: see docs/terraform.md to install it, then run `terraform plan`\n"
    );
    let out = Command::new(PROVIDER).arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("terraform-provider-strata {}\n", env!("CARGO_PKG_VERSION"))
    );
}

/// The `hcl` blocks of docs/terraform.md, and whether each is under "## Examples".
fn doc_blocks() -> Vec<(bool, String)> {
    let doc = fs_err::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/terraform.md"),
    )
    .unwrap();
    let mut blocks = Vec::new();
    let mut examples = false;
    let mut current: Option<String> = None;
    for line in doc.lines() {
        match (&mut current, line) {
            (None, l) if l.starts_with("## ") => examples = l == "## Examples",
            (None, "```hcl") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push((examples, std::mem::take(block)));
                current = None;
            }
            (Some(block), l) => {
                block.push_str(l);
                block.push('\n');
            }
            _ => {}
        }
    }
    blocks
}

#[test]
fn the_documented_configurations_are_formatted_and_the_first_example_plans() {
    if !terraform_here("the_documented_configurations_are_formatted_and_the_first_example_plans") {
        return;
    }
    let s = Setup::new();
    let blocks = doc_blocks();
    assert_eq!(blocks.len(), 7, "{blocks:#?}");
    // CLI configuration (which quotes names, as `terraform fmt` does not take) is used
    // as it is by the other tests; the rest is configuration `terraform fmt` checks.
    for (i, (_, block)) in blocks.iter().enumerate() {
        if block.starts_with("provider_installation") {
            continue;
        }
        s.write(&format!("fmt/{i}.tf"), block);
        let mut c = s.command(Path::new("terraform"), &s.path("fmt"));
        c.args(["fmt", "-check", "-diff", &format!("{i}.tf")]);
        let run = s.run(c);
        assert_eq!(
            run.code, 0,
            "block {i} is not as terraform fmt writes it:\n{}",
            run.stdout
        );
    }
    let (_, first) = blocks.iter().find(|(example, _)| *example).unwrap();
    s.config(first);
    s.terraform(&["apply", "-auto-approve"]).success();
    let out: Value =
        serde_json::from_str(&s.terraform(&["output", "-json"]).success().stdout).unwrap();
    let lock = lock_of(&s, "aws-prod");
    for l in lock["layer"].as_array().unwrap() {
        let name = l["name"].as_str().unwrap();
        assert_eq!(
            out["releases"]["value"][name],
            format!(
                "{} {}",
                l["pack"].as_str().unwrap(),
                l["version"].as_str().unwrap()
            )
        );
        assert_eq!(out["digests"]["value"][name], l["digest"].as_str().unwrap());
    }
}

#[test]
fn terraform_init_installs_it_from_a_filesystem_mirror() {
    if !terraform_here("terraform_init_installs_it_from_a_filesystem_mirror") {
        return;
    }
    let s = Setup::new();
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    let version = env!("CARGO_PKG_VERSION");
    let dir = s.path(&format!(
        "mirror/registry.terraform.io/strata/strata/{version}/{}_{arch}",
        std::env::consts::OS
    ));
    fs_err::create_dir_all(&dir).unwrap();
    fs_err::copy(
        PROVIDER,
        dir.join(format!("terraform-provider-strata_v{version}")),
    )
    .unwrap();
    // The documented mirror block, with this test's folder.
    let (_, mirror) = doc_blocks()
        .into_iter()
        .find(|(_, b)| b.contains("filesystem_mirror"))
        .unwrap();
    s.write(
        "terraformrc",
        &mirror.replace(
            "/opt/terraform/mirror",
            &s.path("mirror").display().to_string(),
        ),
    );
    s.write(
        "tf/main.tf",
        &format!(
            "terraform {{\n  required_providers {{\n    strata = {{\n      source  = \"strata/strata\"\n      version = \"{version}\"\n    }}\n  }}\n}}\n\nprovider \"strata\" {{\n  catalog = \"../cat\"\n}}\n\ndata \"strata_profile\" \"aws\" {{\n  name = \"aws-prod\"\n}}\n\noutput \"cloud\" {{\n  value = data.strata_profile.aws.cloud\n}}\n"
        ),
    );
    let init = s.terraform(&["init"]);
    init.success();
    assert!(
        init.stdout
            .contains(&format!("- Installing strata/strata v{version}...")),
        "{}",
        init.stdout
    );
    s.terraform(&["apply", "-auto-approve"]).success();
    let out = s.terraform(&["output", "-raw", "cloud"]);
    out.success();
    assert_eq!(out.stdout, "aws");
}

/// A git pack repository made with git2: `acme-agent` 1.0.0, tagged `acme-agent/v1.0.0`.
fn agent_repo(dir: &Path) {
    let repo = git2::Repository::init(dir).unwrap();
    fs_err::create_dir_all(dir.join("acme-agent")).unwrap();
    fs_err::write(
        dir.join("acme-agent/pack.toml"),
        "[pack]\nname = \"acme-agent\"\nversion = \"1.0.0\"\nlayer = \"addon\"\ndescription = \"agent\"\nclouds = [\"all\"]\n\n[params.replicas]\ntype = \"integer\"\ndefault = 2\nmin = 1\ndescription = \"Replicas\"\n",
    )
    .unwrap();
    fs_err::write(
        dir.join("acme-agent/values.yaml.j2"),
        "replicas: {{ params.replicas }}\n",
    )
    .unwrap();
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig =
        git2::Signature::new("t", "t@example.com", &git2::Time::new(1_700_000_000, 0)).unwrap();
    let commit = repo
        .commit(Some("HEAD"), &sig, &sig, "acme-agent 1.0.0", &tree, &[])
        .unwrap();
    repo.tag_lightweight(
        "acme-agent/v1.0.0",
        &repo.find_object(commit, None).unwrap(),
        false,
    )
    .unwrap();
}

#[test]
fn a_plan_reads_the_cache_only_unless_told_to_fetch() {
    if !terraform_here("a_plan_reads_the_cache_only_unless_told_to_fetch") {
        return;
    }
    let s = Setup::new();
    agent_repo(&s.path("agent-repo"));
    let url = format!("file://{}", s.path("agent-repo").display());
    s.strata(&["registry", "add", "acme", &url, "-q"]).success();
    s.write(
        "cat/profiles/agent/profile.toml",
        "[profile]\nname = \"agent\"\nextends = \"aws-prod\"\n\n[[layer]]\ntype = \"addon\"\nname = \"agent\"\npack = \"acme-agent\"\nversion = \"1.x\"\n",
    );
    s.strata(&["lock", "-q"]).success();
    let commit = lock_of(&s, "agent")["layer"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"].as_str() == Some("agent"))
        .unwrap()["commit"]
        .as_str()
        .unwrap()
        .to_string();
    let body = "data \"strata_profile\" \"agent\" {\n  name = \"agent\"\n}\n\noutput \"agent\" {\n  value = data.strata_profile.agent.layers[5]\n}\n";
    let provider = |extra: &str| {
        format!(
            "terraform {{\n  required_providers {{\n    strata = {{ source = \"strata/strata\" }}\n  }}\n}}\n\nprovider \"strata\" {{\n  catalog   = \"../cat\"\n  cache_dir = \"../empty-cache\"\n{extra}}}\n\n{body}"
        )
    };

    // The cache the lock was made with is not the provider's: by default, no fetch.
    s.write("tf/main.tf", &provider(""));
    let plan = s.terraform(&["plan"]);
    assert_eq!(plan.code, 1, "{}", plan.stdout);
    assert!(
        plan.stderr.contains(&format!("Error: registry `acme`: `{url}` is not in the cache and `--offline` forbids fetching it; run `strata fetch` while online\n")),
        "{}",
        plan.stderr
    );
    assert!(
        plan.stderr.contains("  hint: this provider reads the cache only (`offline = true`): run `strata fetch` in the catalog first, or set `offline = false`\n"),
        "{}",
        plan.stderr
    );
    // Nothing was fetched: the provider's cache is as empty as it was.
    assert!(!s.path("empty-cache").exists());

    // Told to fetch, it mirrors the registry once and reads the locked commit.
    s.write("tf/main.tf", &provider("  offline   = false\n"));
    s.terraform(&["apply", "-auto-approve"]).success();
    let out: Value =
        serde_json::from_str(&s.terraform(&["output", "-json"]).success().stdout).unwrap();
    let agent = &out["agent"]["value"];
    assert_eq!(agent["registry"], "acme");
    assert_eq!(agent["version"], "1.0.0");
    assert_eq!(agent["commit"], commit.as_str());
    assert_eq!(agent["files"]["values.yaml"], "replicas: 2\n");
}

/// `render_manifests = true`: `manifests` holds the objects `strata render --manifests`
/// gives (the real helm, a chart served on loopback); without it, `manifests` is null.
#[test]
fn manifests_are_the_objects_strata_renders() {
    if !terraform_here("manifests_are_the_objects_strata_renders")
        || !strata_test_support::tool("helm", "terraform::manifests_are_the_objects")
    {
        return;
    }
    use strata_test_support::http::{Server, chart, index_yaml, sha256_hex};
    let s = Setup::new();
    let served = s.path("served");
    fs_err::create_dir_all(&served).unwrap();
    let server = Server::serve(&served, None);
    let archive = chart(
        "web",
        "1.0.0",
        "replicas: 2\n",
        &[
            (
                "templates/web.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: {{ .Values.replicas }}\n",
            ),
            (
                "templates/config.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n  namespace: {{ .Release.Namespace }}\n",
            ),
        ],
    );
    fs_err::write(served.join("web-1.0.0.tgz"), &archive).unwrap();
    fs_err::write(
        served.join("index.yaml"),
        index_yaml(&[("web", "1.0.0", "web-1.0.0.tgz", Some(&sha256_hex(&archive)))]),
    )
    .unwrap();
    let config = fs_err::read_to_string(s.path("cat/strata.toml")).unwrap();
    s.write(
        "cat/strata.toml",
        &format!(
            "{config}\n[[registry]]\nname = \"charts\"\nkind = \"helm\"\nurl = \"{}\"\n",
            server.url
        ),
    );
    s.write(
        "cat/profiles/web/profile.toml",
        "[profile]\nname = \"web\"\ncloud = \"edge\"\ntype = \"add-on\"\n\n[[layer]]\ntype = \"addon\"\nname = \"web\"\npack = \"web\"\nversion = \"1.x\"\n[layer.values]\nreplicas = 3\n",
    );
    s.strata(&["lock", "-q"]).success();
    s.config(
        "data \"strata_profile\" \"web\" {\n  name             = \"web\"\n  render_manifests = true\n}\n\ndata \"strata_profile\" \"plain\" {\n  name = \"web\"\n}\n\noutput \"manifests\" {\n  value = data.strata_profile.web.manifests\n}\n\noutput \"plain\" {\n  value = data.strata_profile.plain.manifests\n}\n",
    );
    s.terraform(&["apply", "-auto-approve"]).success();
    let out: Value =
        serde_json::from_str(&s.terraform(&["output", "-json"]).success().stdout).unwrap();
    let rendered = s.strata_json(&["render", "web", "--manifests"]);
    let text = s
        .strata(&["render", "web", "--manifests"])
        .success()
        .stdout
        .clone();
    let objects: Vec<Value> = rendered["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let source = o["source"].as_str().unwrap();
            // Each object's text, as the YAML stream prints it after its `# Source:` line.
            let start = text.find(&format!("# Source: {source}\n")).unwrap()
                + format!("# Source: {source}\n").len();
            let end = text[start..]
                .find("---\n")
                .map_or(text.len(), |e| start + e);
            serde_json::json!({
                "layer": o["layer"],
                "chart": o["chart"],
                "api_version": o["apiVersion"],
                "kind": o["kind"],
                "namespace": o.get("namespace").cloned().unwrap_or(Value::Null),
                "name": o["name"],
                "source": o["source"],
                "yaml": &text[start..end],
            })
        })
        .collect();
    assert_eq!(out["manifests"]["value"], Value::Array(objects));
    assert_eq!(
        out["manifests"]["value"][1]["yaml"],
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n"
    );
    assert_eq!(out["plain"]["value"], Value::Null);
}
