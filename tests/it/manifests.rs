//! `render --manifests`: every layer as the Kubernetes objects it runs, charts through the
//! real `helm template`, compared object by object with helm run directly on the same chart,
//! values and Kubernetes version.

use strata_test_support::http::{Server, chart, index_yaml, sha256_hex};

use crate::util::{Env, aws_profile};

const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-web\n  namespace: {{ .Release.Namespace }}\nspec:\n  replicas: {{ .Values.replicas }}\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: \"registry.example.com/web:{{ .Values.tag }}\"\n";
const CONFIG: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-config\ndata:\n  kube: {{ .Capabilities.KubeVersion.Version | quote }}\n";

/// A catalog with the built-in packs and `web` from a chart repository on loopback.
fn catalog(templates: &[(&str, &str)]) -> (Env, Server, Vec<u8>) {
    let env = Env::new();
    let dir = env.outside("served");
    fs_err::create_dir_all(&dir).unwrap();
    let server = Server::serve(&dir, None);
    let archive = chart(
        "web",
        "1.0.0",
        "# Replicas.\nreplicas: 1\ntag: \"1.0\"\n",
        templates,
    );
    fs_err::write(dir.join("web-1.0.0.tgz"), &archive).unwrap();
    fs_err::write(
        dir.join("index.yaml"),
        index_yaml(&[("web", "1.0.0", "web-1.0.0.tgz", Some(&sha256_hex(&archive)))]),
    )
    .unwrap();
    env.write(
        "strata.toml",
        &format!(
            "[catalog]\nname = \"test\"\n\n[[registry]]\nname = \"public\"\nkind = \"builtin\"\n\n[[registry]]\nname = \"charts\"\nkind = \"helm\"\nurl = \"{}\"\n",
            server.url
        ),
    );
    env.profile(
        "aws-prod",
        &(aws_profile("")
            + "\n[[layer]]\ntype = \"addon\"\nname = \"web\"\npack = \"web\"\nversion = \"1.x\"\n[layer.values]\nreplicas = 3\n"),
    );
    env.run(&["lock", "-q"]).success();
    (env, server, archive)
}

#[test]
fn charts_render_to_exactly_what_helm_template_renders() {
    if !strata_test_support::tool("helm", "manifests::charts_render_to_exactly_what_helm") {
        return;
    }
    let (env, _server, archive) = catalog(&[
        ("templates/deployment.yaml", DEPLOYMENT),
        ("templates/config.yaml", CONFIG),
    ]);
    let run = env.run(&["render", "aws-prod", "--layer", "web", "--manifests"]);
    run.success();
    let helm = helm_template_of_web(&env, &archive);
    let expected: String = helm.replace("# Source: web/", "# Source: web/web/");
    assert_eq!(run.stdout, expected);
    assert!(run.stdout.contains("  replicas: 3\n"), "{}", run.stdout);
    assert!(
        run.stdout.contains("  kube: \"v1.36.4\"\n"),
        "{}",
        run.stdout
    );
    // As JSON: one record per object.
    let run = env.run(&[
        "render",
        "aws-prod",
        "--layer",
        "web",
        "--manifests",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let objects: Vec<(String, String, String)> = v["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["kind"].as_str().unwrap().to_string(),
                o["name"].as_str().unwrap().to_string(),
                o["source"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        objects,
        [
            (
                "ConfigMap".to_string(),
                "web-config".to_string(),
                "web/web/templates/config.yaml".to_string()
            ),
            (
                "Deployment".to_string(),
                "web-web".to_string(),
                "web/web/templates/deployment.yaml".to_string()
            ),
        ]
    );
    // Into a folder, a file per object.
    env.run(&[
        "render",
        "aws-prod",
        "--layer",
        "web",
        "--manifests",
        "--out",
        "out",
        "-q",
    ])
    .success();
    assert!(
        env.read("out/web/deployment-web-web-web.yaml")
            .contains("replicas: 3")
    );
}

#[test]
fn a_failing_template_or_no_helm_is_said_clearly() {
    if !strata_test_support::tool("helm", "manifests::a_failing_template") {
        return;
    }
    let (env, _server, _) = catalog(&[(
        "templates/fail.yaml",
        "{{ fail \"the web chart needs .Values.domain\" }}\n",
    )]);
    let run = env.run(&["render", "aws-prod", "--layer", "web", "--manifests"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("error: layer `web`: chart `web` 1.0.0: helm: Error: execution error at (web/templates/fail.yaml:1:3): the web chart needs .Values.domain\n"),
        "{}",
        run.stderr
    );
    env.set_var("STRATA_HELM", "/nonexistent/helm");
    env.run(&["render", "aws-prod", "--manifests"]).fails(
        2,
        "error: `/nonexistent/helm` cannot be run\n  hint: `--manifests` renders charts with Helm 3.8 or newer: install it (scripts/install-deps does), or set STRATA_HELM to its path\n",
    );
}

/// A chart a built-in pack delivers (calico's tigera-operator, its repository mirrored on
/// loopback): rendered from its repository, checked against `[[layer.chart]]` with
/// `lock_charts`, and said to be unlocked without it.
#[test]
fn a_delivered_chart_renders_from_its_repository_checked_against_the_lock() {
    if !strata_test_support::tool("helm", "manifests::a_delivered_chart") {
        return;
    }
    let env = Env::new();
    let dir = env.outside("served");
    fs_err::create_dir_all(&dir).unwrap();
    let server = Server::serve(&dir, None);
    let operator = chart(
        "tigera-operator",
        "v3.32.1",
        "installation: {}\n",
        &[(
            "templates/operator.yaml",
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ .Release.Name }}-operator\n  namespace: {{ .Release.Namespace }}\n",
        )],
    );
    fs_err::write(dir.join("tigera-operator-v3.32.1.tgz"), &operator).unwrap();
    fs_err::write(
        dir.join("index.yaml"),
        index_yaml(&[(
            "tigera-operator",
            "v3.32.1",
            "tigera-operator-v3.32.1.tgz",
            Some(&sha256_hex(&operator)),
        )]),
    )
    .unwrap();
    let config = format!(
        "[catalog]\nname = \"test\"\nlock_charts = true\n\n[[mirror]]\nrepo = \"https://docs.tigera.io/calico/charts\"\nurl = \"{}\"\n",
        server.url
    );
    env.write("strata.toml", &config);
    // On gcp: its storage pack installs no chart, so only calico's is read.
    env.profile(
        "aws-prod",
        &aws_profile("")
            .replace("cloud = \"aws\"", "cloud = \"gcp\"")
            .replace("pack = \"aws-ebs-csi\"", "pack = \"gcp-pd-csi\""),
    );
    env.run(&["lock", "-q"]).success();
    let run = env.run(&["render", "aws-prod", "--layer", "network", "--manifests"]);
    run.success();
    assert_eq!(
        run.stdout,
        "---\n# Source: network/tigera-operator/templates/operator.yaml\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: calico-operator\n  namespace: tigera-operator\n"
    );
    assert_eq!(run.stderr, "");
    // Without lock_charts, the same chart is read as the repository has it now, and said so.
    env.write("strata.toml", &config.replace("lock_charts = true\n", ""));
    env.run(&["lock", "-q"]).success();
    let run = env.run(&["render", "aws-prod", "--layer", "network", "--manifests"]);
    run.success();
    assert_eq!(
        run.stderr,
        format!(
            "      Note chart `tigera-operator` v3.32.1 of layer `network` is not locked (`lock_charts` is off): rendered from `https://docs.tigera.io/calico/charts` as it is now\n"
        )
    );
}

#[test]
fn images_lists_every_container_image_once() {
    if !strata_test_support::tool("helm", "manifests::images_lists") {
        return;
    }
    let cron = "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: backup\nspec:\n  schedule: \"0 1 * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          initContainers:\n            - name: wait\n              image: busybox:1.37\n          containers:\n            - name: backup\n              image: \"registry.example.com/web:{{ .Values.tag }}\"\n            - name: ship\n              image: ghcr.io/example/ship@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n";
    let (env, _server, _) = catalog(&[
        ("templates/deployment.yaml", DEPLOYMENT),
        ("templates/cron.yaml", cron),
    ]);
    let run = env.run(&["images", "aws-prod", "--layer", "web"]);
    run.success();
    assert_eq!(
        run.stdout,
        "busybox:1.37\nghcr.io/example/ship@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\nregistry.example.com/web:1.0\n"
    );
    let run = env.run(&["images", "aws-prod", "--layer", "web", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        v["images"][0],
        serde_json::json!({"image": "busybox:1.37", "registry": "docker.io", "repository": "library/busybox", "tag": "1.37", "layers": ["web"]})
    );
    assert_eq!(v["images"].as_array().unwrap().len(), 3);
}

/// A chart whose inputs were rendered before comes from the render cache: helm runs again
/// only when the values (or chart, Kubernetes or helm version) change.
#[test]
fn an_unchanged_chart_is_not_rendered_again() {
    if !strata_test_support::tool("helm", "manifests::an_unchanged_chart") {
        return;
    }
    let (env, _server, _) = catalog(&[("templates/deployment.yaml", DEPLOYMENT)]);
    // helm, through a wrapper that counts its renders.
    let bin = env.outside("bin");
    fs_err::create_dir_all(&bin).unwrap();
    let log = env.outside("helm.log");
    let wrapper = bin.join("helm");
    crate::util::script(
        &wrapper,
        &format!(
            "#!/bin/sh\necho \"$1\" >> '{}'\nexec helm \"$@\"\n",
            log.display()
        ),
    );
    env.set_var("STRATA_HELM", wrapper.to_str().unwrap());
    let runs = |what: &str| {
        fs_err::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .filter(|l| *l == what)
            .count()
    };
    let renders = || runs("template");
    let first = env.run(&["render", "aws-prod", "--layer", "web", "--manifests", "-v"]);
    first.success();
    assert!(
        first
            .stderr
            .contains("Rendered 1 chart with helm, 0 from the render cache"),
        "{}",
        first.stderr
    );
    let again = env.run(&["render", "aws-prod", "--layer", "web", "--manifests", "-v"]);
    assert_eq!(again.stdout, first.stdout);
    assert!(
        again
            .stderr
            .contains("Rendered 0 charts with helm, 1 from the render cache"),
        "{}",
        again.stderr
    );
    assert_eq!(renders(), 1);
    // Other values: rendered again.
    env.profile(
        "aws-prod",
        &env.read("profiles/aws-prod/profile.toml")
            .replace("replicas = 3", "replicas = 4"),
    );
    env.run(&["lock", "-q"]).success();
    let changed = env.run(&["render", "aws-prod", "--layer", "web", "--manifests"]);
    assert!(
        changed.stdout.contains("  replicas: 4\n"),
        "{}",
        changed.stdout
    );
    assert_eq!(renders(), 2);
    // helm's version was asked once: it is kept by the binary's path, size, time and inode.
    assert_eq!(runs("version"), 1);
    // A changed binary is asked again.
    crate::util::script(
        &wrapper,
        &format!(
            "#!/bin/sh\n# changed\necho \"$1\" >> '{}'\nexec helm \"$@\"\n",
            log.display()
        ),
    );
    env.run(&["render", "aws-prod", "--layer", "web", "--manifests"])
        .success();
    assert_eq!(runs("version"), 2);
}

/// A sensitive value reaches the objects: every printed form masks it, `--out` writes it and
/// says so, and the render cache never keeps it.
#[test]
fn sensitive_values_in_objects_are_masked_and_never_cached() {
    if !strata_test_support::tool("helm", "manifests::sensitive_values") {
        return;
    }
    let secret = "tok-9f8e7d6c5b4a";
    let (env, _server, _) = catalog(&[(
        "templates/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: web-token\nstringData:\n  token: {{ .Values.token | quote }}\n  encoded: {{ .Values.token | b64enc | quote }}\n",
    )]);
    let profile = env.read("profiles/aws-prod/profile.toml");
    env.profile(
        "aws-prod",
        &profile
            .replace(
                "[profile]\nname = \"aws-prod\"\ncloud = \"aws\"\n",
                "[profile]\nname = \"aws-prod\"\ncloud = \"aws\"\n\n[[variable]]\nname = \"api_token\"\nsensitive = true\ndescription = \"The web token\"\n",
            )
            .replace("replicas = 3\n", "replicas = 3\ntoken = { var = \"api_token\" }\n"),
    );
    env.run(&["lock", "-q"]).success();
    env.set_var("STRATA_VAR_API_TOKEN", secret);
    let run = env.run(&["render", "aws-prod", "--layer", "web", "--manifests"]);
    run.success();
    // By provenance: what a template makes of the value (here base64) is masked too.
    assert!(
        run.stdout
            .ends_with("stringData:\n  token: (sensitive)\n  encoded: (sensitive)\n"),
        "{}",
        run.stdout
    );
    let encoded = strata_test_support::http::base64(secret.as_bytes());
    for text in [&run.stdout, &run.stderr] {
        assert!(!text.contains(secret) && !text.contains(&encoded), "{text}");
    }
    let run = env.run(&[
        "render",
        "aws-prod",
        "--layer",
        "web",
        "--manifests",
        "--out",
        "objects",
    ]);
    run.success();
    assert_eq!(
        run.stderr,
        "  Rendered 1 object into `objects` (they hold sensitive values)\n"
    );
    assert!(
        env.read("objects/web/secret-cluster-web-token.yaml")
            .contains(secret)
    );
    for entry in walkdir::WalkDir::new(env.cache()) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let bytes = fs_err::read(entry.path()).unwrap();
            assert!(
                !String::from_utf8_lossy(&bytes).contains(secret),
                "{}",
                entry.path().display()
            );
        }
    }
}

#[test]
fn a_document_that_is_no_object_or_an_old_helm_is_refused() {
    if !strata_test_support::tool("helm", "manifests::a_document_that_is_no_object") {
        return;
    }
    let (env, _server, _) = catalog(&[("templates/odd.yaml", "just: data\n")]);
    env.run(&["render", "aws-prod", "--layer", "web", "--manifests"]).fails(
        1,
        "error: layer `web`: `web/web/templates/odd.yaml` renders a document that is no Kubernetes object: it has no `kind`\n",
    );
    // A helm older than 3.8.
    let bin = env.outside("bin");
    fs_err::create_dir_all(&bin).unwrap();
    let old = bin.join("helm");
    crate::util::script(&old, "#!/bin/sh\necho v3.7.2\n");
    env.set_var("STRATA_HELM", old.to_str().unwrap());
    let run = env.run(&["render", "aws-prod", "--manifests"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.ends_with("is helm `v3.7.2`; strata needs 3.8 or newer\n  hint: `--manifests` renders charts with Helm 3.8 or newer: install it (scripts/install-deps does), or set STRATA_HELM to its path\n"),
        "{}",
        run.stderr
    );
}

/// helm that crashes is exit 2 (helm's failure, not the chart's); helm past its time or
/// output bound (set by STRATA_HELM_TIMEOUT and STRATA_HELM_MAX_OUTPUT) is stopped and said.
#[test]
fn a_crashing_or_unbounded_helm_is_stopped_clearly() {
    if !strata_test_support::tool("helm", "manifests::a_crashing_helm") {
        return;
    }
    let (env, _server, _) = catalog(&[("templates/deployment.yaml", DEPLOYMENT)]);
    let fake = |name: &str, template: &str| {
        let path = env.outside(name);
        crate::util::script(
            &path,
            &format!(
                "#!/bin/sh\n[ \"$1\" = version ] && {{ echo v3.14.0; exit 0; }}\n{template}\n"
            ),
        );
        path.to_str().unwrap().to_string()
    };
    env.set_var("STRATA_HELM", &fake("crash", "kill -SEGV $$"));
    let run = env.run(&["render", "aws-prod", "--layer", "web", "--manifests"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("error: layer `web`: chart `web` 1.0.0: helm crashed: it was killed by a signal\n  hint: this is helm's failure, not the chart's: run `"),
        "{}",
        run.stderr
    );
    env.set_var("STRATA_HELM", &fake("panic", "echo 'panic: runtime error: index out of range' >&2\necho 'goroutine 1 [running]:' >&2\nexit 2"));
    let run = env.run(&["render", "aws-prod", "--layer", "web", "--manifests"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("error: layer `web`: chart `web` 1.0.0: helm crashed: panic: runtime error: index out of range\n"),
        "{}",
        run.stderr
    );
    env.set_var("STRATA_HELM", &fake("slow", "sleep 30"));
    env.set_var("STRATA_HELM_TIMEOUT", "1");
    let started = std::time::Instant::now();
    env.run(&["render", "aws-prod", "--layer", "web", "--manifests"]).fails(
        1,
        "error: layer `web`: chart `web` 1.0.0: helm: helm ran longer than 1 s and was stopped (STRATA_HELM_TIMEOUT sets the bound)\n",
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    env.set_var(
        "STRATA_HELM",
        &fake("loud", "head -c 3000000 /dev/zero | tr '\\0' 'a'"),
    );
    env.set_var("STRATA_HELM_MAX_OUTPUT", "1");
    env.run(&["render", "aws-prod", "--layer", "web", "--manifests"]).fails(
        1,
        "error: layer `web`: chart `web` 1.0.0: helm: helm printed more than 1 MiB and was stopped (STRATA_HELM_MAX_OUTPUT sets the bound)\n",
    );
}

/// What helm itself renders of the `web` layer of `aws-prod`: `helm template` of `archive`
/// with the values strata renders for the layer, in namespace `web`, for Kubernetes 1.36.4.
pub(crate) fn helm_template_of_web(env: &Env, archive: &[u8]) -> String {
    let values: String = env
        .run(&["render", "aws-prod", "--layer", "web"])
        .stdout
        .lines()
        .filter(|l| !l.starts_with("---") && !l.starts_with("# Source:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let work = env.outside("helm");
    fs_err::create_dir_all(&work).unwrap();
    fs_err::write(work.join("web.tgz"), archive).unwrap();
    fs_err::write(work.join("values.yaml"), &values).unwrap();
    let out = env
        .shell()
        .arg("-c")
        .arg("helm template web web.tgz --namespace web --kube-version 1.36.4 --include-crds -f values.yaml")
        .current_dir(&work)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
