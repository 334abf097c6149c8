//! OCI registries: a real registry (Debian's `docker-registry`, the CNCF Distribution
//! server) on loopback, filled through the Distribution API (and by the real `helm push`
//! where helm is installed); strata lists tags page by page, locks releases by manifest
//! digest, reads them from the cache afterwards, and authenticates as Docker and Helm do.

use std::sync::OnceLock;

use strata_test_support::http::chart;
use strata_test_support::oci::Registry;

use crate::util::{Env, aws_profile};

const VALUES: &str = "# Replicas of the demo.\nreplicas: 1\n";

/// The registry shared by this run's tests (each test uses its own repositories).
fn shared() -> Option<&'static Registry> {
    static REGISTRY: OnceLock<Option<Registry>> = OnceLock::new();
    REGISTRY
        .get_or_init(|| {
            strata_test_support::tool("docker-registry", "oci tests").then(|| {
                let dir = std::env::temp_dir().join(format!("strata-oci-{}", std::process::id()));
                Registry::start(&dir, None)
            })
        })
        .as_ref()
}

/// A catalog whose registry `charts` is `oci://<host>/<prefix>`, and a profile with the
/// add-on `demo` at `spec`.
fn catalog(host: &str, prefix: &str, spec: &str) -> Env {
    let env = Env::new();
    env.write(
        "strata.toml",
        &format!(
            "[catalog]\nname = \"test\"\n\n[[registry]]\nname = \"public\"\nkind = \"builtin\"\n\n[[registry]]\nname = \"charts\"\nkind = \"oci\"\nurl = \"oci://{host}/{prefix}\"\n"
        ),
    );
    env.profile(
        "aws-prod",
        &(aws_profile("")
            + &format!("\n[[layer]]\ntype = \"addon\"\nname = \"demo\"\npack = \"demo\"\nversion = \"{spec}\"\n[layer.values]\nreplicas = 3\n")),
    );
    env
}

#[test]
fn an_oci_chart_locks_by_manifest_digest_and_reads_from_the_cache_after() {
    if !strata_test_support::tool("docker-registry", "oci::an_oci_chart_locks") {
        return;
    }
    let env0 = Env::new();
    let registry = Registry::start(&env0.outside("registry"), None);
    registry.push_chart(
        "team/charts/demo",
        "1.0.0",
        &chart("demo", "1.0.0", VALUES, &[]),
    );
    let v11 = chart("demo", "1.1.0+build.7", VALUES, &[]);
    let digest = registry.push_chart("team/charts/demo", "1.1.0_build.7", &v11);
    registry.push_chart("team/charts/demo", "latest", &v11);
    let env = catalog(&registry.host, "team/charts", "1.x");
    env.run(&["lock", "-q"]).success();
    let lock = env.read("profiles/aws-prod/profile.lock");
    assert!(
        lock.contains(&format!(
            "registry = \"charts\"\nsource = \"oci://{}/team/charts\"\npath = \"demo\"\nrequested = \"1.x\"\nversion = \"1.1.0+build.7\"\ndigest = \"{digest}\"\n",
            registry.host
        )),
        "{lock}"
    );
    let render = env.run(&["render", "aws-prod", "--layer", "demo"]);
    render.success();
    assert!(
        render
            .stdout
            .ends_with("# Replicas of the demo.\nreplicas: 3\n"),
        "{}",
        render.stdout
    );
    env.run(&["fetch", "-q"]).success();
    drop(registry);
    env.run(&["lock", "--check"]).success();
    assert_eq!(
        env.run(&["render", "aws-prod", "--layer", "demo"]).stdout,
        render.stdout
    );
    env.run(&["--offline", "render", "aws-prod"]).success();
    assert_eq!(env.run(&["verify"]).code, 3);
}

#[test]
fn tags_are_listed_page_by_page_and_only_versions_count() {
    let Some(registry) = shared() else { return };
    let archive = chart("demo", "2.0.0", VALUES, &[]);
    let manifest = registry.push_chart("pages/demo", "not-a-version", &archive);
    let bytes = {
        // The same manifest under 249 more tags: 2.0.0 … 2.0.248.
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut r = agent
            .get(format!(
                "http://{}/v2/pages/demo/manifests/{manifest}",
                registry.host
            ))
            .header("Accept", "application/vnd.oci.image.manifest.v1+json")
            .call()
            .unwrap();
        r.body_mut().read_to_vec().unwrap()
    };
    for patch in 0..249 {
        registry.push_manifest(
            "pages/demo",
            &format!("2.0.{patch}"),
            "application/vnd.oci.image.manifest.v1+json",
            &bytes,
        );
    }
    // The newest of 249 versions is on the third page; its chart states 2.0.0, which is
    // reported at Chart.yaml's line.
    let env = catalog(&registry.host, "pages", "2.0.x");
    env.run(&["lock"]).fails(
        1,
        "error: charts@demo-2.0.248:demo/Chart.yaml:3:1: Chart.yaml states version `2.0.0`, but it is the release `2.0.248`\n   |\n 3 | version: 2.0.0\n   | ^^^^^^^^^^^^^^\n  hint: a tag `<chart>-<version>` must hold that version of the chart\nerror: 1 problem; no lock file was written\n",
    );
    let env = catalog(&registry.host, "pages", "2.0.0");
    env.run(&["lock", "-q"]).success();
    assert!(
        env.read("profiles/aws-prod/profile.lock")
            .contains(&format!("version = \"2.0.0\"\ndigest = \"{manifest}\""))
    );
}

#[test]
fn an_artifact_that_is_no_helm_chart_is_refused() {
    let Some(registry) = shared() else { return };
    let config = registry.push_blob("nochart/demo", b"{}");
    let layer = registry.push_blob("nochart/demo", b"layer");
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config, "size": 2},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer, "size": 5}]
    });
    let bytes = serde_json::to_vec(&manifest).unwrap();
    let digest = registry.push_manifest(
        "nochart/demo",
        "1.0.0",
        "application/vnd.oci.image.manifest.v1+json",
        &bytes,
    );
    let env = catalog(&registry.host, "nochart", "1.x");
    let run = env.run(&["lock"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "registry `charts`: `nochart/demo:1.0.0` ({digest}) is not a Helm chart (its config is `application/vnd.oci.image.config.v1+json`, not `application/vnd.cncf.helm.config.v1+json`)"
        )),
        "{}",
        run.stderr
    );
    assert!(!env.path("profiles/aws-prod/profile.lock").exists());
}

#[test]
fn credentials_come_from_the_environment_or_the_docker_configuration() {
    if !strata_test_support::tool("docker-registry", "oci::credentials") {
        return;
    }
    let env0 = Env::new();
    let registry = Registry::start(&env0.outside("registry"), Some(("bot", "s3cret-pass")));
    let archive = chart("demo", "1.0.0", VALUES, &[]);
    let digest = registry.push_chart("private/demo", "1.0.0", &archive);
    let env = catalog(&registry.host, "private", "1.x");
    let run = env.run(&["lock"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("answered 401"), "{}", run.stderr);
    // Docker's config.json, as `docker login` writes it.
    let docker = env.outside("docker");
    fs_err::create_dir_all(&docker).unwrap();
    fs_err::write(
        docker.join("config.json"),
        format!(
            "{{\"auths\": {{\"{}\": {{\"auth\": \"{}\"}}}}}}",
            registry.host,
            strata_test_support::http::base64(b"bot:s3cret-pass")
        ),
    )
    .unwrap();
    env.set_var("DOCKER_CONFIG", docker.to_str().unwrap());
    env.run(&["lock", "-q"]).success();
    assert!(
        env.read("profiles/aws-prod/profile.lock")
            .contains(&format!("digest = \"{digest}\""))
    );
    // Or a credential helper the configuration names (`credsStore`), run as
    // `docker-credential-<name> get` with the host on its input.
    let bin = env.outside("bin");
    fs_err::create_dir_all(&bin).unwrap();
    let helper = bin.join("docker-credential-teststore");
    crate::util::script(
        &helper,
        &format!(
            "#!/bin/sh\nread host\n[ \"$host\" = \"{}\" ] || exit 1\necho '{{\"Username\": \"bot\", \"Secret\": \"s3cret-pass\"}}'\n",
            registry.host
        ),
    );
    fs_err::write(
        docker.join("config.json"),
        "{\"credsStore\": \"teststore\"}",
    )
    .unwrap();
    env.set_var(
        "PATH",
        &format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        ),
    );
    fs_err::remove_dir_all(env.cache()).unwrap();
    fs_err::remove_file(env.path("profiles/aws-prod/profile.lock")).unwrap();
    env.run(&["lock", "-q"]).success();
    // Or Helm's registry configuration, as `helm registry login` writes it, with a
    // credential helper for this host only (`credHelpers`).
    let helm_config = env.outside("helm-registry.json");
    fs_err::write(
        &helm_config,
        format!(
            "{{\"credHelpers\": {{\"{}\": \"teststore\"}}}}",
            registry.host
        ),
    )
    .unwrap();
    fs_err::write(docker.join("config.json"), "{}").unwrap();
    env.set_var("HELM_REGISTRY_CONFIG", helm_config.to_str().unwrap());
    fs_err::remove_dir_all(env.cache()).unwrap();
    fs_err::remove_file(env.path("profiles/aws-prod/profile.lock")).unwrap();
    env.run(&["lock", "-q"]).success();
    env.set_var(
        "HELM_REGISTRY_CONFIG",
        env.outside("nowhere.json").to_str().unwrap(),
    );
    // Or the environment, which wins.
    env.set_var("DOCKER_CONFIG", env.outside("nowhere").to_str().unwrap());
    env.set_var("STRATA_REGISTRY_CHARTS_USERNAME", "bot");
    env.set_var("STRATA_REGISTRY_CHARTS_PASSWORD", "s3cret-pass");
    fs_err::remove_dir_all(env.cache()).unwrap();
    let run = env.run(&["render", "aws-prod", "-v"]);
    run.success();
    for text in [
        &run.stdout,
        &run.stderr,
        &env.read("profiles/aws-prod/profile.lock"),
    ] {
        assert!(!text.contains("s3cret-pass"), "{text}");
    }
    for entry in walkdir::WalkDir::new(env.cache()) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let bytes = fs_err::read(entry.path()).unwrap();
            assert!(
                !String::from_utf8_lossy(&bytes).contains("s3cret"),
                "{}",
                entry.path().display()
            );
        }
    }
}

#[test]
fn charts_pushed_by_helm_are_read_as_helm_pushed_them() {
    let Some(registry) = shared() else { return };
    if !strata_test_support::tool("helm", "oci::charts_pushed_by_helm") {
        return;
    }
    let env = catalog(&registry.host, "helm-pushed", "0.x");
    let work = env.outside("work");
    fs_err::create_dir_all(work.join("demo/templates")).unwrap();
    fs_err::write(
        work.join("demo/Chart.yaml"),
        "apiVersion: v2\nname: demo\nversion: 0.3.0\n",
    )
    .unwrap();
    fs_err::write(work.join("demo/values.yaml"), VALUES).unwrap();
    let sh = |script: &str| {
        let out = env
            .shell()
            .arg("-c")
            .arg(script)
            .current_dir(&work)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{script}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
    };
    sh("helm package demo >/dev/null");
    let pushed = sh(&format!(
        "helm push demo-0.3.0.tgz oci://{}/helm-pushed --plain-http",
        registry.host
    ));
    let digest = pushed
        .lines()
        .find_map(|l| l.strip_prefix("Digest: "))
        .unwrap_or_else(|| panic!("{pushed}"))
        .trim()
        .to_string();
    env.run(&["lock", "-q"]).success();
    assert!(
        env.read("profiles/aws-prod/profile.lock")
            .contains(&format!("version = \"0.3.0\"\ndigest = \"{digest}\"")),
        "{}",
        env.read("profiles/aws-prod/profile.lock")
    );
    let run = env.run(&["render", "aws-prod", "--layer", "demo"]);
    assert!(run.stdout.ends_with("replicas: 3\n"), "{}", run.stdout);
}

#[test]
fn a_tag_moved_to_another_manifest_fails_verify_with_both_digests() {
    let Some(registry) = shared() else { return };
    let was = registry.push_chart("moved/demo", "1.0.0", &chart("demo", "1.0.0", VALUES, &[]));
    let env = catalog(&registry.host, "moved", "1.x");
    env.run(&["lock", "-q"]).success();
    env.run(&["verify", "-q"]).success();
    let now = registry.push_chart(
        "moved/demo",
        "1.0.0",
        &chart("demo", "1.0.0", "replicas: 9\n", &[]),
    );
    assert_ne!(was, now);
    // Locked reads keep reading what was locked...
    env.run(&["render", "aws-prod", "--layer", "demo"])
        .success();
    // ...and verify reads the tag again.
    let run = env.run(&["verify"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(&was) && run.stderr.contains(&now),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("demo 1.0.0"), "{}", run.stderr);
}

/// A profile mixing built-in packs, a chart repository over HTTP and an OCI registry locks,
/// renders, verifies, diffs and exports.
#[test]
fn a_profile_mixing_builtin_http_and_oci_charts_goes_the_whole_way() {
    use strata_test_support::http::{Server, index_yaml, sha256_hex};
    let Some(registry) = shared() else { return };
    let env = Env::new();
    let served = env.outside("served");
    fs_err::create_dir_all(&served).unwrap();
    let server = Server::serve(&served, None);
    let web = chart("web", "1.0.0", "replicas: 1\n", &[]);
    fs_err::write(served.join("web-1.0.0.tgz"), &web).unwrap();
    fs_err::write(
        served.join("index.yaml"),
        index_yaml(&[("web", "1.0.0", "web-1.0.0.tgz", Some(&sha256_hex(&web)))]),
    )
    .unwrap();
    let digest = registry.push_chart("mixed/demo", "1.0.0", &chart("demo", "1.0.0", VALUES, &[]));
    env.write(
        "strata.toml",
        &format!(
            "[catalog]\nname = \"test\"\n\n[[registry]]\nname = \"public\"\nkind = \"builtin\"\n\n[[registry]]\nname = \"web\"\nkind = \"helm\"\nurl = \"{}\"\n\n[[registry]]\nname = \"oci\"\nkind = \"oci\"\nurl = \"oci://{}/mixed\"\n",
            server.url, registry.host
        ),
    );
    env.profile(
        "aws-prod",
        &(aws_profile("")
            + "\n[[layer]]\ntype = \"addon\"\npack = \"web\"\nversion = \"1.x\"\n\n[[layer]]\ntype = \"addon\"\npack = \"demo\"\nversion = \"1.x\"\n"),
    );
    crate::util::git(&env.root(), &["init", "-q"]);
    env.run(&["lock", "-q"]).success();
    let lock = env.read("profiles/aws-prod/profile.lock");
    assert!(
        lock.contains(&format!("digest = \"sha256:{}\"", sha256_hex(&web))),
        "{lock}"
    );
    assert!(lock.contains(&format!("digest = \"{digest}\"")), "{lock}");
    env.run(&["render", "aws-prod", "-q"]).success();
    env.run(&["verify", "-q"]).success();
    let flux = env.run(&["export", "aws-prod", "--to", "flux"]);
    flux.success();
    assert!(
        flux.stdout
            .contains(&format!("  url: \"{}\"\n", server.url)),
        "{}",
        flux.stdout
    );
    // The OCI chart is pulled by its locked manifest digest.
    assert!(
        flux.stdout.contains(&format!(
            "kind: OCIRepository\nmetadata:\n  name: demo\n  namespace: flux-system\nspec:\n  interval: 1h\n  url: \"oci://{}/mixed/demo\"\n  ref:\n    digest: \"{digest}\"\n  layerSelector:\n    mediaType: application/vnd.cncf.helm.chart.content.v1.tar+gzip\n    operation: copy\n",
            registry.host
        )),
        "{}",
        flux.stdout
    );
    assert!(
        flux.stdout.contains(
            "  chartRef:\n    kind: OCIRepository\n    name: demo\n    namespace: flux-system\n"
        ),
        "{}",
        flux.stdout
    );
    assert!(!flux.stdout.contains("type: oci"), "{}", flux.stdout);
    for to in ["helmfile", "argocd", "terraform", "palette"] {
        let run = env.run(&["export", "aws-prod", "--to", to]);
        assert_eq!(run.code, 0, "{to}: {}", run.stderr);
    }
    crate::util::git(&env.root(), &["add", "-A"]);
    crate::util::git(&env.root(), &["commit", "-qm", "catalog"]);
    registry.push_chart(
        "mixed/demo",
        "1.1.0",
        &chart("demo", "1.1.0", "replicas: 2\n", &[]),
    );
    env.run(&["update", "-q"]).success();
    let diff = env.run(&["diff"]);
    diff.success();
    assert!(
        diff.stdout
            .contains("  changed demo: demo 1.0.0 -> demo 1.1.0 (minor)\n"),
        "{}",
        diff.stdout
    );
}

#[test]
fn a_helm_repository_mirrored_into_an_oci_registry_is_read_from_it() {
    let Some(registry) = shared() else { return };
    let digest = registry.push_chart(
        "mirrored/demo",
        "1.2.0",
        &chart("demo", "1.2.0", VALUES, &[]),
    );
    let env = catalog(&registry.host, "unused", "1.x");
    env.write(
        "strata.toml",
        &format!(
            "[catalog]\nname = \"test\"\n\n[[registry]]\nname = \"public\"\nkind = \"builtin\"\n\n[[registry]]\nname = \"charts\"\nkind = \"helm\"\nurl = \"https://charts.example.invalid\"\n\n[[mirror]]\nrepo = \"https://charts.example.invalid\"\nurl = \"oci://{}/mirrored\"\n",
            registry.host
        ),
    );
    env.run(&["lock", "-q"]).success();
    assert!(
        env.read("profiles/aws-prod/profile.lock").contains(&format!(
            "source = \"oci://{}/mirrored\"\npath = \"demo\"\nrequested = \"1.x\"\nversion = \"1.2.0\"\ndigest = \"{digest}\"\n",
            registry.host
        )),
        "{}",
        env.read("profiles/aws-prod/profile.lock")
    );
}

#[test]
fn palette_packs_pushed_to_an_oci_registry_are_read_by_name() {
    use strata_test_support::http::{Member, tgz};
    let Some(registry) = shared() else { return };
    let pack_json = br#"{"name": "ingress-demo", "displayName": "Ingress demo", "version": "1.2.0", "layer": "addon", "addonType": "ingress", "cloudTypes": ["all"]}"#;
    let values = b"# Ingress demo.\npack:\n  namespace: ingress\ncharts:\n  ingress-demo:\n    replicas: 1\n";
    // The pack folder's files at the top of the archive, as some publishers write them.
    let archive = tgz(&[
        Member::File("pack.json", pack_json),
        Member::File("values.yaml", values),
    ]);
    let repo = "spectro/spectro-packs/archive/ingress-demo";
    let config = registry.push_blob(repo, b"{}");
    let layer = registry.push_blob(repo, &archive);
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config, "size": 2},
        "layers": [{"mediaType": "application/vnd.spectrocloud.pack.v1.tar+gzip", "digest": layer, "size": archive.len()}]
    });
    let digest = registry.push_manifest(
        repo,
        "1.2.0",
        "application/vnd.oci.image.manifest.v1+json",
        &serde_json::to_vec(&manifest).unwrap(),
    );
    let env = Env::new();
    env.write(
        "strata.toml",
        &format!(
            "[catalog]\nname = \"test\"\n\n[[registry]]\nname = \"public\"\nkind = \"builtin\"\n\n[[registry]]\nname = \"spectro\"\nkind = \"oci\"\nformat = \"palette\"\nurl = \"oci://{}/spectro\"\n",
            registry.host
        ),
    );
    env.profile(
        "aws-prod",
        &(aws_profile("")
            + "\n[[layer]]\ntype = \"addon\"\npack = \"ingress-demo\"\nregistry = \"spectro\"\nversion = \"1.x\"\n[layer.values]\ncharts.ingress-demo.replicas = 2\n"),
    );
    env.run(&["lock", "-q"]).success();
    assert!(
        env.read("profiles/aws-prod/profile.lock").contains(&format!(
            "registry = \"spectro\"\nsource = \"oci://{}/spectro\"\npath = \"ingress-demo\"\nrequested = \"1.x\"\nversion = \"1.2.0\"\ndigest = \"{digest}\"\n",
            registry.host
        )),
        "{}",
        env.read("profiles/aws-prod/profile.lock")
    );
    let run = env.run(&["render", "aws-prod", "--layer", "ingress-demo"]);
    run.success();
    assert!(run.stdout.contains("    replicas: 2\n"), "{}", run.stdout);
}

/// A registry in Distribution's token auth mode (as Docker Hub, GHCR and Quay are): the
/// `WWW-Authenticate: Bearer` challenge is answered with a token from its realm, asked for
/// with the credentials, for the repository's pull scope only.
#[test]
fn bearer_tokens_are_fetched_from_the_registry_s_realm() {
    if !strata_test_support::tool("docker-registry", "oci::bearer_tokens") {
        return;
    }
    let env0 = Env::new();
    let tokens = strata_test_support::token::TokenService::start("bot", "s3cret-pass");
    let registry =
        Registry::start_with_tokens(&env0.outside("registry"), &tokens, "bot", "s3cret-pass");
    let digest = registry.push_chart(
        "tokened/demo",
        "1.0.0",
        &chart("demo", "1.0.0", VALUES, &[]),
    );
    tokens.asked.lock().unwrap().clear();
    let env = catalog(&registry.host, "tokened", "1.x");
    // Without credentials the realm refuses, and strata says what to set.
    let run = env.run(&["lock"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("answered 401"), "{}", run.stderr);
    env.set_var("STRATA_REGISTRY_CHARTS_USERNAME", "bot");
    env.set_var("STRATA_REGISTRY_CHARTS_PASSWORD", "s3cret-pass");
    env.run(&["lock", "-q"]).success();
    assert!(
        env.read("profiles/aws-prod/profile.lock")
            .contains(&format!("digest = \"{digest}\""))
    );
    let asked = tokens.asked.lock().unwrap().clone();
    // Refused without credentials, granted with them; always a pull scope of one
    // repository (layers that name no registry are looked for here too).
    assert!(
        asked.contains(&"repository:tokened/demo:pull (refused)".to_string()),
        "{asked:?}"
    );
    assert!(
        asked.contains(&"repository:tokened/demo:pull".to_string()),
        "{asked:?}"
    );
    assert!(
        asked.iter().all(|a| a.starts_with("repository:tokened/")
            && (a.ends_with(":pull") || a.ends_with(":pull (refused)"))),
        "{asked:?}"
    );
    let run = env.run(&["render", "aws-prod", "--layer", "demo"]);
    assert!(run.stdout.ends_with("replicas: 3\n"), "{}", run.stdout);
}

#[test]
fn fetch_and_registry_list_speak_of_an_oci_registry_as_it_is() {
    let Some(registry) = shared() else { return };
    registry.push_chart("listed/demo", "1.0.0", &chart("demo", "1.0.0", VALUES, &[]));
    let env = catalog(&registry.host, "listed", "1.x");
    env.run(&["lock", "-q"]).success();
    let run = env.run(&["fetch"]);
    run.success();
    assert_eq!(
        run.stderr,
        format!(
            "   Fetched `charts` (oci://{}/listed): 1 chart of locked releases\n",
            registry.host
        )
    );
    let run = env.run(&["registry", "list"]);
    assert!(
        run.stdout.ends_with(&format!(
            "charts  oci      helm    oci://{}/listed  by pack   -\n",
            registry.host
        )),
        "{}",
        run.stdout
    );
}
