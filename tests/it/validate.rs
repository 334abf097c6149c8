//! `strata validate` on good and bad catalogs: every rule, with the exact diagnostic and
//! exit code.

use crate::util::{Env, aws_profile};

#[test]
fn valid_profile_lists_chosen_releases() {
    let env = Env::new();
    env.profile("aws-prod", &aws_profile(""));
    let run = env.run(&["validate"]);
    run.success();
    assert_eq!(
        run.stdout,
        "ok aws-prod: ubuntu 22.04.5, kubernetes 1.36.4, calico 3.32.1, aws-ebs-csi 1.64.0\n"
    );
}

#[test]
fn malformed_toml() {
    let env = Env::new();
    env.profile("aws-prod", "[profile\nname = \"x\"\n");
    snap!("malformed_toml", env.run(&["validate"]));
}

#[test]
fn unknown_key_with_hint() {
    let env = Env::new();
    env.profile(
        "aws-prod",
        &aws_profile("").replace("version = \"3.x\"", "versoin = \"3.x\""),
    );
    snap!("unknown_key", env.run(&["validate"]));
}

#[test]
fn wrong_toml_type() {
    let env = Env::new();
    env.profile(
        "aws-prod",
        &aws_profile("").replace("cloud = \"aws\"", "cloud = 3"),
    );
    snap!("wrong_toml_type", env.run(&["validate"]));
}

#[test]
fn unknown_parameter_with_hint() {
    let env = Env::new();
    env.profile(
        "aws-prod",
        &aws_profile("[layer.values]\nipam_cidrr = \"10.10.0.0/16\"\n"),
    );
    snap!("unknown_parameter", env.run(&["validate"]));
}

#[test]
fn parameter_of_wrong_type_and_out_of_range() {
    let env = Env::new();
    env.profile(
        "aws-prod",
        &aws_profile(
            "[layer.values]\nmtu = \"1500\"\ntypha_replicas = 99\nencapsulation = \"GRE\"\n",
        ),
    );
    snap!("parameter_values", env.run(&["validate"]));
}

#[test]
fn missing_core_layer() {
    let env = Env::new();
    let text = aws_profile("");
    let without_storage = &text[..text.find("[[layer]]\ntype = \"storage\"").unwrap()];
    env.profile("aws-prod", without_storage);
    snap!("missing_core_layer", env.run(&["validate"]));
}

#[test]
fn misplaced_core_layers() {
    let env = Env::new();
    env.profile(
        "aws-prod",
        r#"[profile]
cloud = "aws"

[[layer]]
type = "os"
pack = "ubuntu"
version = "22.04.x"

[[layer]]
type = "network"
pack = "calico"
version = "3.x"

[[layer]]
type = "kubernetes"
pack = "kubernetes"
version = "1.36.x"

[[layer]]
type = "addon"
pack = "cert-manager"
version = "1.x"

[[layer]]
type = "storage"
pack = "aws-ebs-csi"
version = "1.x"

[[layer]]
type = "os"
pack = "ubuntu"
version = "24.04.x"
"#,
    );
    snap!("misplaced_core_layers", env.run(&["validate"]));
}

#[test]
fn core_layer_in_addon_profile() {
    let env = Env::new();
    env.profile(
        "tools",
        r#"[profile]
cloud = "aws"
type = "add-on"

[[layer]]
type = "addon"
pack = "cert-manager"
version = "1.x"

[[layer]]
type = "network"
pack = "calico"
version = "3.x"
"#,
    );
    snap!("core_layer_in_addon_profile", env.run(&["validate"]));
}

#[test]
fn pack_layer_does_not_match_type() {
    let env = Env::new();
    env.profile(
        "aws-prod",
        &aws_profile("").replace("pack = \"aws-ebs-csi\"", "pack = \"cert-manager\""),
    );
    snap!("pack_layer_mismatch", env.run(&["validate"]));
}

#[test]
fn pack_does_not_support_cloud() {
    let env = Env::new();
    env.profile(
        "azure-prod",
        &aws_profile("")
            .replace("cloud = \"aws\"", "cloud = \"azure\"")
            .replace("aws-prod", "azure-prod"),
    );
    snap!("cloud_not_supported", env.run(&["validate"]));
}

#[test]
fn unknown_cloud_with_hint() {
    let env = Env::new();
    env.profile(
        "aws-prod",
        &aws_profile("")
            .replace("cloud = \"aws\"", "cloud = \"awz\"")
            .replace("aws-ebs-csi", "longhorn"),
    );
    snap!("unknown_cloud", env.run(&["validate"]));
}

#[test]
fn unknown_pack_with_hint() {
    let env = Env::new();
    env.profile(
        "aws-prod",
        &aws_profile("").replace("pack = \"calico\"", "pack = \"calicoo\""),
    );
    snap!("unknown_pack", env.run(&["validate"]));
}

#[test]
fn unknown_registry_with_hint() {
    let env = Env::new();
    env.profile("aws-prod", &aws_profile("registry = \"publik\"\n"));
    let run = env.run(&["validate"]);
    // The implicit builtin registry is called `public`.
    snap!("unknown_registry", run);
}

#[test]
fn two_layers_with_one_name() {
    let env = Env::new();
    let text = aws_profile("")
        + "\n[[layer]]\ntype = \"addon\"\npack = \"cert-manager\"\nversion = \"1.x\"\n\n[[layer]]\ntype = \"addon\"\npack = \"cert-manager\"\nversion = \"1.15.x\"\n";
    env.profile("aws-prod", &text);
    snap!("duplicate_layer_name", env.run(&["validate"]));
}

#[test]
fn version_spec_that_does_not_parse() {
    let env = Env::new();
    env.profile(
        "aws-prod",
        &aws_profile("").replace("version = \"3.x\"", "version = \"latest\""),
    );
    snap!("bad_version_spec", env.run(&["validate"]));
}

#[test]
fn pin_to_missing_release_lists_nearest() {
    let env = Env::new();
    env.profile(
        "aws-prod",
        &aws_profile("").replace("version = \"3.x\"", "version = \"3.32.0\""),
    );
    snap!("missing_pin", env.run(&["validate"]));
}

#[test]
fn train_without_a_match() {
    let env = Env::new();
    env.profile(
        "aws-prod",
        &aws_profile("").replace("version = \"3.x\"", "version = \"4.x\""),
    );
    snap!("train_without_match", env.run(&["validate"]));
}

#[test]
fn requires_violated() {
    let env = Env::new();
    env.profile(
        "aws-prod",
        &aws_profile("")
            .replace("version = \"3.x\"", "version = \"3.31.x\"")
            .replace("1.36.x", "1.37.x"),
    );
    snap!("requires_violated", env.run(&["validate"]));
}

#[test]
fn resolution_steps_back_on_earlier_layers_when_needed() {
    let env = Env::new();
    // calico 3.31 supports Kubernetes up to 1.36: the newest Kubernetes it accepts wins.
    env.profile(
        "aws-prod",
        &aws_profile("")
            .replace("version = \"3.x\"", "version = \"3.31.x\"")
            .replace("1.36.x", "x"),
    );
    let run = env.run(&["validate"]);
    run.success();
    assert_eq!(
        run.stdout,
        "ok aws-prod: ubuntu 22.04.5, kubernetes 1.36.4, calico 3.31.7, aws-ebs-csi 1.64.0\n"
    );
}

#[test]
fn several_profiles_report_all_problems_and_count() {
    let env = Env::new();
    env.profile("aws-prod", &aws_profile(""));
    env.profile(
        "broken",
        &aws_profile("")
            .replace("aws-prod", "broken")
            .replace("ubuntu", "ubunt"),
    );
    env.profile("other", "[profile]\ncloud = \"aws\"\ntype = \"add-on\"\n");
    snap!("several_profiles", env.run(&["validate"]));
}

#[test]
fn named_profiles_only_and_unknown_name() {
    let env = Env::new();
    env.profile("aws-prod", &aws_profile(""));
    env.profile("broken", "[profile\n");
    let run = env.run(&["validate", "aws-prod"]);
    run.success();
    env.run(&["validate", "aws-prd"]).fails(
        2,
        "error: no profile named `aws-prd`\n  hint: did you mean `aws-prod`?\n",
    );
}

#[test]
fn duplicate_profile_names() {
    let env = Env::new();
    env.profile("a", &aws_profile(""));
    env.profile("b", &aws_profile(""));
    snap!("duplicate_profile_names", env.run(&["validate"]));
}

#[test]
fn json_report() {
    let env = Env::new();
    env.profile("aws-prod", &aws_profile(""));
    env.profile(
        "broken",
        &aws_profile("[layer.values]\nipam_cidrr = \"x\"\n").replace("aws-prod", "broken"),
    );
    let run = env.run(&["validate", "--format", "json"]);
    assert_eq!(run.code, 1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(v["profiles"][0]["name"], "aws-prod");
    assert_eq!(v["profiles"][0]["valid"], true);
    assert_eq!(v["profiles"][0]["layers"][2]["pack"], "calico");
    assert_eq!(v["profiles"][0]["layers"][2]["requested"], "3.x");
    assert_eq!(v["profiles"][0]["layers"][2]["version"], "3.32.1");
    assert_eq!(v["profiles"][1]["valid"], false);
    let problem = &v["profiles"][1]["problems"][0];
    assert_eq!(problem["file"], "profiles/broken/profile.toml");
    assert_eq!(problem["line"], 20);
    assert_eq!(problem["column"], 1);
    assert_eq!(
        problem["message"],
        "unknown parameter `ipam_cidrr` for calico 3.32.1"
    );
    assert_eq!(problem["hint"], "did you mean `ipam_cidr`?");
}

#[test]
fn no_catalog_is_a_usage_error() {
    let env = Env::empty();
    let run = env.run(&["validate"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "error: no `strata.toml` in `[TEMP]/cat` or any parent folder\n  hint: run `strata init` to create a catalog, or pass `-C DIR`\n"
    );
}

#[test]
fn runs_from_a_subfolder() {
    let env = Env::new();
    env.profile("aws-prod", &aws_profile(""));
    let run = env.run_in(&env.path("profiles/aws-prod"), &["validate"]);
    run.success();
    assert!(run.stdout.starts_with("ok aws-prod: "), "{}", run.stdout);
}

/// A catalog with one problem (an unknown pack) and one warning (an unused variable).
fn annotated_env() -> Env {
    let env = Env::new();
    env.profile(
        "aws-prod",
        &(aws_profile("") + "\n[[variable]]\nname = \"region\"\n"),
    );
    env.profile(
        "edge",
        &aws_profile("")
            .replace("aws-prod", "edge")
            .replace("pack = \"calico\"", "pack = \"calcio\""),
    );
    env
}

#[test]
fn github_annotations_name_file_line_and_column() {
    let env = annotated_env();
    let run = env.run(&["validate", "--format", "github"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "::error file=profiles/edge/profile.toml,line=17,col=8,title=strata validate::unknown pack `calcio`%0Ahint: did you mean `calico`?\n\
         ::warning file=profiles/aws-prod/profile.toml,line=26,col=8,title=strata validate::variable `region` is used by no layer value%0Ahint: use it as `{ var = \"region\" }`, or remove it\n"
    );
    // The same diagnostics, readable, on stderr.
    assert!(
        run.stderr
            .contains("error: profiles/edge/profile.toml:17:8: unknown pack `calcio`\n"),
        "{}",
        run.stderr
    );
    // Nothing to say: nothing on stdout, exit 0.
    env.profile("edge", &aws_profile("").replace("aws-prod", "edge"));
    env.profile("aws-prod", &aws_profile(""));
    let run = env.run(&["validate", "--format", "github"]);
    run.success();
    assert_eq!(run.stdout, "\n");
}

#[test]
fn sarif_is_valid_sarif_2_1_0() {
    let env = annotated_env();
    let run = env.run(&["validate", "--format", "sarif"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let log: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    // rtm.4's pattern for a language tag is not a valid regex (a stray `]`); the final
    // 2.1.0 schema has the one put in its place here.
    let schema = include_str!("../fixtures/sarif-2.1.0-rtm.4.json").replace(
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#,
        r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#,
    );
    let schema: serde_json::Value = serde_json::from_str(&schema).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // A misspelt SARIF field would not pass: the schema allows no other properties.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["levle"] = "error".into();
    assert!(!validator.is_valid(&broken));
    let results = &log["runs"][0]["results"];
    assert_eq!(results.as_array().unwrap().len(), 2);
    assert_eq!(results[0]["level"], "error");
    assert_eq!(results[0]["ruleId"], "strata/problem");
    assert_eq!(
        results[0]["message"]["text"],
        "unknown pack `calcio`\nhint: did you mean `calico`?"
    );
    let location = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "profiles/edge/profile.toml"
    );
    assert_eq!(
        location["region"],
        serde_json::json!({"startLine": 17, "startColumn": 8})
    );
    assert_eq!(results[1]["level"], "warning");
    assert_eq!(log["runs"][0]["tool"]["driver"]["name"], "strata");
}

#[test]
fn an_enum_typo_gets_the_near_choice() {
    let env = Env::new();
    env.profile(
        "aws-prod",
        &aws_profile("[layer.values]\nencapsulation = \"VXLANCrossSubnt\"\n"),
    );
    env.run(&["validate"]).fails(
        1,
        "error: profiles/aws-prod/profile.toml:20:17: parameter `encapsulation` of calico 3.32.1: `\"VXLANCrossSubnt\"` is not one of \"VXLAN\", \"VXLANCrossSubnet\", \"IPIP\", \"IPIPCrossSubnet\", \"None\"; did you mean `\"VXLANCrossSubnet\"`?\n    |\n 20 | encapsulation = \"VXLANCrossSubnt\"\n    |                 ^^^^^^^^^^^^^^^^^\nerror: 1 problem in 1 of 1 profile\n",
    );
}

/// A problem in a base is the base's: shown once, at its line, however many profiles
/// extend it (and whichever comes first in the catalog).
#[test]
fn a_base_problem_is_shown_once() {
    let env = Env::new();
    env.profile(
        "base",
        &aws_profile("[layer.values]\nwireguard = \"yes\"\n").replace("aws-prod", "base"),
    );
    for child in ["a-child", "z-child"] {
        env.profile(
            child,
            &format!("[profile]\nname = \"{child}\"\nextends = \"base\"\n"),
        );
    }
    env.run(&["validate"]).fails(
        1,
        "error: profiles/base/profile.toml:20:13: parameter `wireguard` of calico 3.32.1: expected a boolean, found a string\n    |\n 20 | wireguard = \"yes\"\n    |             ^^^^^\nerror: 1 problem in 3 of 3 profiles\n",
    );
    let run = env.run(&["validate", "--format", "github"]);
    assert_eq!(run.stdout.matches("::error ").count(), 1, "{}", run.stdout);
    env.run(&["lock"]).fails(
        1,
        "error: profiles/base/profile.toml:20:13: parameter `wireguard` of calico 3.32.1: expected a boolean, found a string\n    |\n 20 | wireguard = \"yes\"\n    |             ^^^^^\nerror: 1 problem; no lock file was written\n",
    );
}

/// An unknown pack hides no other mistake of the profile: every problem in one run, in
/// line order.
#[test]
fn an_unknown_pack_hides_no_other_mistake() {
    let env = Env::new();
    env.profile(
        "aws-prod",
        &aws_profile("")
            .replace("pack = \"calico\"", "pack = \"calicoo\"")
            .replace(
                "version = \"22.04.x\"\n",
                "version = \"22.04.x\"\n[layer.values]\nswap = \"yes\"\n",
            ),
    );
    let run = env.run(&["validate"]);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error"))
        .collect();
    assert_eq!(
        errors,
        [
            "error: profiles/aws-prod/profile.toml:10:8: parameter `swap` of ubuntu 22.04.5: expected a boolean, found a string",
            "error: profiles/aws-prod/profile.toml:19:8: unknown pack `calicoo`",
            "error: 2 problems in 1 of 1 profile",
        ],
        "{}",
        run.stderr
    );
    assert_eq!(run.code, 1);
}
