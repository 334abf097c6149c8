//! dir registries and strata.toml: search order, pack checks, and their diagnostics.

use crate::util::{Env, WITH_LOCAL, aws_profile};

const GOOD_PACK: &str = r#"[pack]
name = "acme-agent"
version = "1.2.0"
layer = "addon"
category = "security"
description = "Acme's node agent"
clouds = ["aws", "azure"]

[[requires]]
layer = "kubernetes"
version = ">=1.29"

[params.endpoint]
type = "string"
required = true
description = "Where the agent reports"

[params.replicas]
type = "integer"
default = 1
min = 1
description = "Replicas"
"#;

fn with_agent(extra: &str) -> String {
    aws_profile("")
        + "\n[[layer]]\ntype = \"addon\"\npack = \"acme-agent\"\nversion = \"1.x\"\n"
        + extra
}

#[test]
fn dir_registry_pack_is_used_and_checked() {
    let env = Env::with_config(WITH_LOCAL);
    env.pack("acme-agent", "1.2.0", GOOD_PACK);
    env.pack("acme-agent", "1.1.0", &GOOD_PACK.replace("1.2.0", "1.1.0"));
    env.profile(
        "aws-prod",
        &with_agent("[layer.values]\nendpoint = \"https://agent.acme.example\"\n"),
    );
    let run = env.run(&["validate"]);
    run.success();
    assert_eq!(
        run.stdout,
        "ok aws-prod: ubuntu 22.04.5, kubernetes 1.36.4, calico 3.32.1, aws-ebs-csi 1.64.0, acme-agent 1.2.0\n"
    );
}

#[test]
fn required_parameter_without_value() {
    let env = Env::with_config(WITH_LOCAL);
    env.pack("acme-agent", "1.2.0", GOOD_PACK);
    env.profile("aws-prod", &with_agent(""));
    snap!("required_parameter", env.run(&["validate"]));
}

#[test]
fn release_folder_with_another_version() {
    let env = Env::with_config(WITH_LOCAL);
    env.pack("acme-agent", "1.3.0", GOOD_PACK);
    env.profile(
        "aws-prod",
        &with_agent("[layer.values]\nendpoint = \"x\"\n"),
    );
    snap!("folder_version_mismatch", env.run(&["validate"]));
}

#[test]
fn pack_toml_missing_required_fields() {
    let env = Env::with_config(WITH_LOCAL);
    env.pack(
        "acme-agent",
        "1.2.0",
        "[pack]\nname = \"acme-agent\"\nversion = \"1.2.0\"\n",
    );
    env.profile("aws-prod", &with_agent(""));
    snap!("pack_missing_layer", env.run(&["validate"]));
}

#[test]
fn pack_toml_with_bad_schema() {
    let env = Env::with_config(WITH_LOCAL);
    let bad_type = GOOD_PACK.replace("type = \"string\"\nrequired", "type = \"strin\"\nrequired");
    env.pack("acme-agent", "1.2.0", &bad_type);
    env.profile("aws-prod", &with_agent(""));
    snap!("pack_bad_param_type", env.run(&["validate"]));

    let bad_default = GOOD_PACK
        .replace("default = 1\nmin = 1", "default = 0\nmin = 1")
        .replace("version = \">=1.29\"", "version = \">=1.29 <<2\"")
        .replace(
            "[params.replicas]",
            "[params.bad-name]\ntype = \"integer\"\nformat = \"ipv4\"\n\n[params.replicas]",
        );
    env.pack("acme-agent", "1.2.0", &bad_default);
    snap!("pack_bad_schema", env.run(&["validate"]));
}

#[test]
fn releases_that_differ_only_in_build_metadata() {
    let env = Env::with_config(WITH_LOCAL);
    env.pack(
        "acme-agent",
        "1.2.0+a",
        &GOOD_PACK.replace("1.2.0", "1.2.0+a"),
    );
    env.pack(
        "acme-agent",
        "1.2.0+b",
        &GOOD_PACK.replace("1.2.0", "1.2.0+b"),
    );
    env.profile("aws-prod", &with_agent(""));
    env.run(&["validate"]).fails(
        1,
        "error: registry `local`: pack `acme-agent` has releases `1.2.0+a` and `1.2.0+b` that differ only in build metadata\n  hint: remove one of them; build metadata does not make a new release\nerror: 1 problem in 1 of 1 profile\n",
    );
}

#[cfg(unix)]
#[test]
fn symlink_inside_a_pack() {
    let env = Env::with_config(WITH_LOCAL);
    env.pack("acme-agent", "1.2.0", GOOD_PACK);
    std::os::unix::fs::symlink("/etc/passwd", env.path("packs/acme-agent/1.2.0/passwd")).unwrap();
    env.profile(
        "aws-prod",
        &with_agent("[layer.values]\nendpoint = \"x\"\n"),
    );
    env.run(&["validate"]).fails(
        1,
        "error: `packs/acme-agent/1.2.0/passwd` is a symlink; packs may hold only regular files and folders\nerror: 1 problem in 1 of 1 profile\n",
    );
}

#[test]
fn pack_in_two_registries_needs_a_choice() {
    let env = Env::with_config(WITH_LOCAL);
    env.pack(
        "calico",
        "3.30.2",
        &GOOD_PACK
            .replace("acme-agent", "calico")
            .replace("1.2.0", "3.30.2")
            .replace("addon", "network"),
    );
    env.profile("aws-prod", &aws_profile(""));
    snap!("pack_in_two_registries", env.run(&["validate"]));
    env.profile("aws-prod", &aws_profile("registry = \"public\"\n"));
    env.run(&["validate"]).success();
}

#[test]
fn registry_override_without_the_pack() {
    let env = Env::with_config(WITH_LOCAL);
    env.pack("acme-agent", "1.2.0", GOOD_PACK);
    env.profile("aws-prod", &aws_profile("registry = \"local\"\n"));
    snap!("registry_without_pack", env.run(&["validate"]));
}

#[test]
fn conflicts_are_enforced() {
    let env = Env::with_config(WITH_LOCAL);
    let conflicting = GOOD_PACK.replace(
        "[params.endpoint]",
        "[[conflicts]]\npack = \"calico\"\nversion = \">=3.32\"\n\n[params.endpoint]",
    );
    env.pack("acme-agent", "1.2.0", &conflicting);
    let values = "[layer.values]\nendpoint = \"x\"\n";
    env.profile(
        "aws-prod",
        &with_agent(values).replace("version = \"3.x\"", "version = \"3.32.x\""),
    );
    snap!("conflict", env.run(&["validate"]));
    // With a train that has older releases, resolution steps back to one outside the range.
    env.profile("aws-prod", &with_agent(values));
    let run = env.run(&["validate"]);
    run.success();
    assert_eq!(
        run.stdout,
        "ok aws-prod: ubuntu 22.04.5, kubernetes 1.36.4, calico 3.31.7, aws-ebs-csi 1.64.0, acme-agent 1.2.0\n"
    );
}

#[test]
fn missing_dir_registry_folder_is_an_empty_registry() {
    // git keeps no empty folder: a fresh clone of a catalog with an empty `packs/` lacks it.
    let env = Env::with_config(WITH_LOCAL);
    env.profile("aws-prod", &aws_profile(""));
    let run = env.run(&["validate"]);
    run.success();
    assert_eq!(
        run.stderr,
        "warning: registry `local`: folder `packs` does not exist (relative to the catalog root); the registry has no packs\n"
    );
    env.profile(
        "aws-prod",
        &(aws_profile("") + "\n[[layer]]\ntype = \"addon\"\npack = \"acme-agent\"\nversion = \"1.x\"\nregistry = \"local\"\n"),
    );
    let run = env.run(&["validate"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("registry `local` has no pack `acme-agent`"),
        "{}",
        run.stderr
    );
}

#[test]
fn config_errors() {
    let env = Env::with_config(
        r#"[catalog]
name = "test"

[[registry]]
name = "public"
kind = "builtn"
"#,
    );
    snap!("config_unknown_kind", env.run(&["validate"]));

    let env = Env::with_config(
        r#"[catalog]
name = "test"

[[registry]]
name = "local"
kind = "dir"
path = "packs"

[[registry]]
name = "local"
kind = "dir"
url = "packs"
"#,
    );
    snap!("config_duplicate_registry", env.run(&["validate"]));

    let env = Env::with_config("[catalog]\nname = \"test\"\nprofile = \"profiles\"\n");
    snap!("config_unknown_key", env.run(&["validate"]));
}

#[test]
fn defaults_in_strata_toml_are_checked() {
    let env = Env::with_config(
        r#"[catalog]
name = "test"

[defaults.calico]
ipam_cidr = "10.100.0.0/16"
mtu = "big"

[defaults.calicoo]
mtu = 1400
"#,
    );
    env.profile("aws-prod", &aws_profile(""));
    env.profile("second", &aws_profile("").replace("aws-prod", "second"));
    snap!("defaults_checked", env.run(&["validate"]));
}

#[test]
fn registry_list() {
    let env = Env::with_config(WITH_LOCAL);
    env.pack("acme-agent", "1.2.0", GOOD_PACK);
    let run = env.run(&["registry", "list"]);
    run.success();
    assert_eq!(
        run.stdout,
        "NAME    KIND     FORMAT  SOURCE   CACHE     PACKS\npublic  builtin  strata  builtin  built in  11\nlocal   dir      strata  packs    local     1\n"
    );
    let run = env.run(&["registry", "list", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["registries"][1]["name"], "local");
    assert_eq!(v["registries"][1]["kind"], "dir");
    assert_eq!(v["registries"][1]["format"], "strata");
    assert_eq!(v["registries"][1]["packs"], 1);
}

#[test]
fn a_broken_release_is_reported_once_for_all_its_profiles() {
    let env = Env::with_config(WITH_LOCAL);
    env.pack(
        "acme-agent",
        "1.2.0",
        &GOOD_PACK.replace("layer = \"addon\"", "layer = \"adon\""),
    );
    env.profile("aws-prod", &with_agent(""));
    env.profile("second", &with_agent("").replace("aws-prod", "second"));
    let run = env.run(&["validate"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr.matches("unknown value `adon`").count(),
        1,
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .ends_with("error: 1 problem in 2 of 2 profiles\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn registry_remove_refuses_while_a_profile_uses_it() {
    let config = format!(
        "# platform catalog\n{WITH_LOCAL}\n# mirrors of upstream\n[[registry]]\nname = \"extra\"\nkind = \"dir\"\npath = \"extra\"\n"
    );
    let env = Env::with_config(&config);
    env.agent("1.0.0");
    env.write("extra/.keep", "");
    env.profile("aws-prod", &crate::util::with_agent("1.x"));
    env.profile(
        "edge",
        &crate::util::with_agent("1.x")
            .replace("aws-prod", "edge")
            .replace("pack = \"agent\"", "pack = \"agent\"\nregistry = \"local\""),
    );
    env.run(&["lock", "-q"]).success();
    // By the lock (aws-prod) and by name (edge).
    env.run(&["registry", "remove", "local"]).fails(
        2,
        "error: registry `local` is used by 2 profiles: aws-prod (agent), edge (agent)\n  hint: move those layers to another registry (`registry = \"…\"`) and run `strata lock` first\n",
    );
    env.run(&["registry", "remove", "extr"]).fails(
        2,
        "error: unknown registry `extr`\n  hint: did you mean `extra`?\n",
    );
    assert_eq!(env.read("strata.toml"), config);
    let run = env.run(&["registry", "remove", "extra"]);
    run.success();
    assert_eq!(run.stderr, "   Removed registry `extra`\n");
    assert_eq!(
        env.read("strata.toml"),
        format!("# platform catalog\n{WITH_LOCAL}")
    );
    // A registry no profile uses is not an input of any lock: every lock stays current.
    env.run(&["lock", "--check"]).success();
}

#[test]
fn registry_remove_of_the_implied_builtin_and_with_a_broken_profile() {
    // Without [[registry]], `public` is implied: there is no table to remove.
    let env = Env::new();
    let before = env.read("strata.toml");
    env.run(&["registry", "remove", "public"]).fails(
        2,
        "error: unknown registry `public`\n  hint: `public` is the built-in registry `strata.toml` implies when it lists none\n",
    );
    // A profile that does not parse might use it: strata says so and removes nothing.
    assert_eq!(env.read("strata.toml"), before);
    let env = Env::with_config(WITH_LOCAL);
    env.agent("1.0.0");
    env.profile(
        "broken",
        "[profile]\nname = \"broken\"\ncloud = \"aws\"\nverison = \"1\"\n",
    );
    let run = env.run(&["registry", "remove", "local"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .starts_with("error: profiles/broken/profile.toml:4:1: unknown key `verison`"),
        "{}",
        run.stderr
    );
    assert_eq!(env.read("strata.toml"), WITH_LOCAL);
}
