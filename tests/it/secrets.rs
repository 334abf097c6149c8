//! Sensitive values stay secret: in errors (their lines too), in what templates make of
//! them, and in every export.

use crate::util::{Env, Run};

const CONFIG: &str = r#"[catalog]
name = "secrets"

[[registry]]
name = "public"
kind = "builtin"

[[registry]]
name = "local"
kind = "dir"
path = "packs"

[[registry]]
name = "pal"
kind = "dir"
path = "palette"
format = "palette"

[[registry]]
name = "charts"
kind = "dir"
path = "charts"
format = "helm"
chart_repo = "https://charts.example.com"
"#;

const APP_VALUES: &str = "pack:
  namespace: app
  content:
    charts:
      - repo: https://charts.example.com
        name: app
        version: 1.0.0
charts:
  app:
    adminPassword: \"\"
    mode: a
";

const APP_SCHEMA: &str = r#"charts.app.adminPassword:
  schema: '{{ format "${password}" }}'
charts.app.mode:
  schema: '{{ format "${string:/^[a-z]+$/}" }}'
"#;

const TOKEN_PACK: &str = r#"[pack]
name = "token"
version = "1.0.0"
layer = "addon"
description = "Uses a token in several ways"

[[chart]]
name = "token"
repo = "https://charts.example.com"
version = "1.0.0"
namespace = "token"

[params.token]
type = "string"
required = true
description = "API token"

[params.name]
type = "string"
default = "plain"
description = "Not a secret"
"#;

/// The token as a template would leak it: cut, upper-cased, measured and compared.
const TOKEN_TEMPLATE: &str = "name: {{ params.name | tojson }}
tail: {{ params.token[4:] | tojson }}
upper: {{ params.token | upper | tojson }}
length: {{ params.token | length }}
{% if params.token[:4] == 'tok-' %}prefixed: true{% else %}prefixed: false{% endif %}
";

/// The sensitive value the tests give.
pub const TOKEN: &str = "tok-zqvkdmwxpa";
/// A Palette password set in the profile itself.
pub const PASSWORD: &str = "S3cretPalettePass";

/// A catalog with a Palette pack (a `${password}` rule and a regex rule), a Helm chart with
/// `values.schema.json`, a strata pack whose template transforms its token, and a profile
/// `p` using all three with a sensitive variable `api_token`.
pub fn env() -> Env {
    let env = Env::with_config(CONFIG);
    env.write(
        "palette/app-1.0.0/pack.json",
        r#"{"name": "app", "version": "1.0.0", "layer": "addon", "cloudTypes": ["all"]}"#,
    )
    .write("palette/app-1.0.0/values.yaml", APP_VALUES)
    .write("palette/app-1.0.0/schema.yaml", APP_SCHEMA)
    .write("charts/web/Chart.yaml", "apiVersion: v2\nname: web\nversion: 1.0.0\n")
    .write("charts/web/values.yaml", "token: \"\"\n")
    .write(
        "charts/web/values.schema.json",
        r#"{"type": "object", "properties": {"token": {"type": "string", "pattern": "^[a-z-]+$", "maxLength": 20}}}"#,
    )
    .pack("token", "1.0.0", TOKEN_PACK)
    .write("packs/token/1.0.0/values.yaml.j2", TOKEN_TEMPLATE);
    env.profile("p", &profile(""));
    env
}

/// Profile `p`; `extra` is added to the palette layer's values.
pub fn profile(extra: &str) -> String {
    format!(
        r#"[profile]
name = "p"
cloud = "aws"
type = "add-on"

[[variable]]
name = "api_token"
sensitive = true

[[layer]]
type = "addon"
pack = "app"
version = "1.0.0"
[layer.values]
{extra}
[[layer]]
type = "addon"
pack = "web"
version = "1.0.0"
[layer.values]
token = {{ var = "api_token" }}

[[layer]]
type = "addon"
pack = "token"
version = "1.0.0"
[layer.values]
token = {{ var = "api_token" }}
"#
    )
}

/// Nothing the run printed holds `secret`, whole or in part.
#[track_caller]
pub fn assert_hidden(run: &Run, secret: &str) {
    let parts = [secret, &secret[4..], &secret[..secret.len() - 3]];
    for text in [&run.stdout, &run.stderr] {
        for part in parts {
            assert!(!text.contains(part), "`{part}` shown:\n{text}");
        }
        assert!(
            !text.contains(&secret.to_uppercase()),
            "upper-cased secret shown:\n{text}"
        );
    }
}

#[test]
fn a_sensitive_value_that_breaks_a_chart_schema_is_never_quoted() {
    let env = env();
    env.run(&["lock", "-q"]).success();
    env.set_var("STRATA_VAR_API_TOKEN", "Bad-Token-9999");
    let run = env.run(&["render", "p"]);
    run.fails(
        1,
        "error: profiles/p/profile.toml:21:1: `token` of web 1.0.0: the value (sensitive) breaks `pattern` of values.schema.json\n",
    );
    assert_hidden(&run, "Bad-Token-9999");
}

#[test]
fn a_sensitive_value_that_breaks_a_palette_rule_is_never_quoted_nor_its_line_shown() {
    let env = env();
    env.profile(
        "p",
        &profile("charts.app.mode = { var = \"api_token\" }\n")
            .replace("token = { var = \"api_token\" }\n", "token = \"x\"\n"),
    );
    env.run(&["lock", "-q"]).success();
    env.set_var("STRATA_VAR_API_TOKEN", TOKEN);
    let run = env.run(&["render", "p"]);
    run.fails(
        1,
        "error: profiles/p/profile.toml:15:1: `charts.app.mode` of app 1.0.0: (sensitive) does not match /^[a-z]+$/ (schema.yaml)\n",
    );
    assert_hidden(&run, TOKEN);
}

#[test]
fn a_cluster_variable_failing_its_rule_shows_neither_value_nor_line() {
    let env = env();
    env.profile(
        "p",
        &profile("").replace(
            "sensitive = true\n",
            "sensitive = true\nregex = \"^tok-\"\n",
        ),
    );
    env.run(&["lock", "-q"]).success();
    env.profile("aws-prod", &crate::util::aws_profile(""));
    env.run(&["lock", "-q"]).success();
    let cluster = |variables: &str| {
        format!(
            "[cluster]\nname = \"c\"\nprofile = \"aws-prod\"\n\n[[addon]]\nprofile = \"p\"\n\n[variables]\n{variables}"
        )
    };
    env.write(
        "clusters/c/cluster.toml",
        &cluster("api_token = \"WRONG-Zq8vKd93mWx\"\n"),
    );
    let run = env.run(&["cluster", "render", "c"]);
    run.fails(
        1,
        "error: clusters/c/cluster.toml:9:13: variable `api_token`: `(sensitive)` does not match the regex `^tok-`\n",
    );
    assert_hidden(&run, "WRONG-zqvkdmwxpa");
    // A misspelt sensitive variable: its line is not shown either.
    env.write(
        "clusters/c/cluster.toml",
        &cluster("api_tokn = \"tok-zqvkdmwxpa\"\n"),
    );
    let run = env.run(&["cluster", "validate", "c"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.starts_with("error: clusters/c/cluster.toml:9:1: unknown variable `api_tokn`\n  hint: did you mean `api_token`?\n"),
        "{}",
        run.stderr
    );
    assert_hidden(&run, TOKEN);
}

#[test]
fn what_a_template_makes_of_a_secret_is_masked_by_provenance() {
    let env = env();
    env.run(&["lock", "-q"]).success();
    env.set_var("STRATA_VAR_API_TOKEN", TOKEN);
    let run = env.run(&["render", "p", "--layer", "token"]);
    run.success();
    assert_eq!(
        run.stdout,
        "---\n# Source: token/values.yaml\n# token 1.0.0: values of chart token 1.0.0 (https://charts.example.com)\nname: \"plain\"\ntail: (sensitive)\nupper: (sensitive)\nlength: (sensitive)\nprefixed: (sensitive)\n"
    );
    let run = env.run(&["render", "p", "--format", "json"]);
    run.success();
    assert_hidden(&run, TOKEN);
    assert!(run.stdout.contains("tail: (sensitive)"), "{}", run.stdout);
    // A cluster renders the same way.
    env.profile("aws-prod", &crate::util::aws_profile(""));
    env.run(&["lock", "-q"]).success();
    env.write(
        "clusters/c/cluster.toml",
        &format!("[cluster]\nname = \"c\"\nprofile = \"aws-prod\"\n\n[[addon]]\nprofile = \"p\"\n\n[variables]\napi_token = \"{TOKEN}\"\n"),
    );
    let run = env.run(&["cluster", "render", "c"]);
    run.success();
    assert_hidden(&run, TOKEN);
    assert!(run.stdout.contains("upper: (sensitive)"), "{}", run.stdout);
    // `--out` writes what the cluster gets.
    env.run(&["render", "p", "--out", "out", "-q"]).success();
    assert_eq!(
        env.read("out/token/values.yaml"),
        format!(
            "name: \"plain\"\ntail: \"{}\"\nupper: \"{}\"\nlength: {}\nprefixed: true\n",
            &TOKEN[4..],
            TOKEN.to_uppercase(),
            TOKEN.len()
        )
    );
}

/// Profile `p` without the layer whose template transforms the token (an export passes a
/// sensitive value by reference, which a template must not take apart).
fn exported_profile(extra: &str) -> String {
    let text = profile(extra);
    text[..text
        .find("\n[[layer]]\ntype = \"addon\"\npack = \"token\"")
        .unwrap()]
        .to_string()
        + "\n"
}

const TARGETS: [&str; 5] = ["palette", "terraform", "flux", "argocd", "helmfile"];

#[test]
fn a_password_set_in_the_profile_is_never_exported() {
    let env = env();
    env.profile(
        "p",
        &exported_profile(&format!("charts.app.adminPassword = \"{PASSWORD}\"\n")),
    );
    env.run(&["lock", "-q"]).success();
    for target in TARGETS {
        let run = env.run(&["export", "p", "--to", target]);
        run.fails(
            1,
            "error: layer `app`: `charts.app.adminPassword` is a password set in the catalog, and an export never carries it in clear\n  hint: set it from a sensitive variable: `charts.app.adminPassword = { var = \"NAME\" }` with `[[variable]]` `sensitive = true`, which the export passes by reference\n",
        );
        assert_eq!(run.stdout, "", "{target}");
        assert_hidden(&run, PASSWORD);
    }
    // Through a sensitive variable it is a reference.
    env.profile(
        "p",
        &exported_profile("charts.app.adminPassword = { var = \"api_token\" }\n"),
    );
    env.run(&["lock", "-q"]).success();
    let run = env.run(&["export", "p", "--to", "palette"]);
    run.success();
    assert!(
        run.stdout
            .contains("adminPassword: \\\"{{.spectro.var.api_token}}\\\""),
        "{}",
        run.stdout
    );
}

#[test]
fn a_sensitive_default_is_never_exported() {
    let env = env();
    env.profile(
        "p",
        &exported_profile("").replace(
            "sensitive = true\n",
            &format!("sensitive = true\ndefault = \"{TOKEN}\"\n"),
        ),
    );
    env.run(&["lock", "-q"]).success();
    for target in TARGETS {
        let run = env.run(&["export", "p", "--to", target]);
        assert_hidden(&run, TOKEN);
        if target == "palette" {
            run.success();
            assert!(
                run.stdout.contains("\"defaultValue\": \"\""),
                "{}",
                run.stdout
            );
            assert_eq!(
                run.stderr,
                "      Note variable `api_token` is sensitive: give its value in Palette when deploying\n"
            );
        }
        if target == "terraform" {
            run.success();
            assert!(!run.stdout.contains("default_value"), "{}", run.stdout);
        }
    }
}

#[test]
fn a_required_sensitive_variable_reaches_gitops_engines_by_reference_or_not_at_all() {
    let env = env();
    env.profile("p", &exported_profile(""));
    env.run(&["lock", "-q"]).success();
    let run = env.run(&["export", "p", "--to", "flux"]);
    run.success();
    assert!(!run.stdout.contains("${var.api_token}"), "{}", run.stdout);
    assert!(
        run.stdout.contains("  valuesFrom:\n    - kind: Secret\n      name: p-variables\n      valuesKey: api_token\n      targetPath: token\n"),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stderr,
        "      Note variable `api_token` is sensitive: create Secret `p-variables` in namespace flux-system with key `api_token`\n"
    );
    for target in ["argocd", "helmfile"] {
        env.run(&["export", "p", "--to", target]).fails(
            1,
            &format!("error: variable `api_token` is sensitive, and {target} cannot take a value by reference\n  hint: export to flux (a Secret in `valuesFrom`), palette or terraform; or pass `--allow-plaintext` to write the value in clear\n"),
        );
    }
}
