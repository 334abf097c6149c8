//! Helm chart repositories over HTTP: a real HTTP server on loopback serves `index.yaml`
//! and archives the tests build; strata locks releases by the archive's sha256, reads them
//! from the cache afterwards, and treats every index and archive as hostile.

use strata_test_support::http::{Member, Server, chart, index_yaml, sha256_hex, tgz};

use crate::util::{Env, aws_profile};

const VALUES: &str = "# Replicas of the demo.\nreplicas: 1\nimage:\n  tag: \"1.0\"\n";

/// A repository under `/charts/` with demo 1.0.0 (absolute URL) and 1.1.0 (relative URL).
struct Repo {
    env: Env,
    server: Server,
    dir: std::path::PathBuf,
    v11: Vec<u8>,
}

impl Repo {
    fn new() -> Repo {
        let env = Env::new();
        let dir = env.outside("served");
        fs_err::create_dir_all(dir.join("charts/archives")).unwrap();
        let server = Server::serve(&dir, None);
        let v10 = chart(
            "demo",
            "1.0.0",
            VALUES,
            &[("templates/cm.yaml", "kind: ConfigMap\n")],
        );
        let v11 = chart("demo", "1.1.0", &VALUES.replace("1.0", "1.1"), &[]);
        fs_err::write(dir.join("charts/archives/demo-1.0.0.tgz"), &v10).unwrap();
        fs_err::write(dir.join("charts/archives/demo-1.1.0.tgz"), &v11).unwrap();
        let abs = format!("{}/charts/archives/demo-1.0.0.tgz", server.url);
        let (d10, d11) = (sha256_hex(&v10), sha256_hex(&v11));
        fs_err::write(
            dir.join("charts/index.yaml"),
            index_yaml(&[
                ("demo", "1.0.0", &abs, Some(&d10)),
                ("demo", "1.1.0", "archives/demo-1.1.0.tgz", Some(&d11)),
            ]),
        )
        .unwrap();
        env.write(
            "strata.toml",
            &format!(
                "[catalog]\nname = \"test\"\n\n[[registry]]\nname = \"public\"\nkind = \"builtin\"\n\n[[registry]]\nname = \"charts\"\nkind = \"helm\"\nurl = \"{}/charts\"\n",
                server.url
            ),
        );
        env.profile(
            "aws-prod",
            &(aws_profile("")
                + "\n[[layer]]\ntype = \"addon\"\nname = \"demo\"\npack = \"demo\"\nversion = \"1.x\"\n[layer.values]\nreplicas = 3\n"),
        );
        Repo {
            env,
            server,
            dir,
            v11,
        }
    }
}

#[test]
fn a_chart_repository_locks_by_archive_digest_and_reads_from_the_cache_after() {
    let repo = Repo::new();
    let env = &repo.env;
    env.run(&["lock", "-q"]).success();
    let lock = env.read("profiles/aws-prod/profile.lock");
    let demo = lock.split("[[layer]]").last().unwrap();
    let rendered = demo
        .lines()
        .find(|l| l.starts_with("rendered"))
        .unwrap()
        .to_string();
    let values = demo
        .lines()
        .find(|l| l.starts_with("values"))
        .unwrap()
        .to_string();
    assert_eq!(
        demo,
        format!(
            "\ntype = \"addon\"\nname = \"demo\"\npack = \"demo\"\nregistry = \"charts\"\nsource = \"{}/charts\"\npath = \"demo\"\nrequested = \"1.x\"\nversion = \"1.1.0\"\ndigest = \"sha256:{}\"\n{values}\n{rendered}\n",
            repo.server.url,
            sha256_hex(&repo.v11)
        )
    );
    // Only the index and the one archive the lock needs were downloaded.
    assert_eq!(
        repo.server.requests(),
        [
            "GET /charts/index.yaml",
            "GET /charts/archives/demo-1.1.0.tgz"
        ]
    );
    let render = env.run(&["render", "aws-prod", "--layer", "demo"]);
    render.success();
    assert!(
        render
            .stdout
            .contains("# Replicas of the demo.\nreplicas: 3\nimage:\n  tag: \"1.1\"\n"),
        "{}",
        render.stdout
    );
    // The server gone: locked reads come from the cache.
    let url = repo.server.url.clone();
    drop(repo.server);
    env.run(&["lock", "--check"]).success();
    assert_eq!(
        env.run(&["render", "aws-prod", "--layer", "demo"]).stdout,
        render.stdout
    );
    env.run(&["explain", "aws-prod", "demo"]).success();
    // verify downloads again: with the server gone, that is a registry failure.
    let run = env.run(&["verify"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "registry `charts`: cannot read `{url}/charts/index.yaml`"
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn a_chart_republished_with_other_bytes_fails_verify_and_locked_reads() {
    let repo = Repo::new();
    let env = &repo.env;
    env.run(&["lock", "-q"]).success();
    env.run(&["verify", "-q"]).success();
    let was = sha256_hex(&repo.v11);
    // The same version, other bytes, and an index that agrees with them.
    let other = chart("demo", "1.1.0", "replicas: 2\n", &[]);
    let now = sha256_hex(&other);
    fs_err::write(repo.dir.join("charts/archives/demo-1.1.0.tgz"), &other).unwrap();
    let index = fs_err::read_to_string(repo.dir.join("charts/index.yaml")).unwrap();
    fs_err::write(
        repo.dir.join("charts/index.yaml"),
        index.replace(&was, &now),
    )
    .unwrap();
    let run = env.run(&["verify"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("sha256:{was}"))
            && run.stderr.contains(&format!("sha256:{now}")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("demo 1.1.0"), "{}", run.stderr);
}

#[test]
fn an_archive_that_is_not_what_the_index_says_is_refused_and_nothing_is_written() {
    let repo = Repo::new();
    let env = &repo.env;
    let good = sha256_hex(&repo.v11);
    fs_err::write(
        repo.dir.join("charts/archives/demo-1.1.0.tgz"),
        b"something else",
    )
    .unwrap();
    let run = env.run(&["lock"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(&format!(
            "error: registry `charts`: chart `demo` 1.1.0: the archive `{}/charts/archives/demo-1.1.0.tgz` has sha256 `{}`, but `index.yaml` says `{good}`\n",
            repo.server.url,
            sha256_hex(b"something else")
        )),
        "{}",
        run.stderr
    );
    assert!(!env.path("profiles/aws-prod/profile.lock").exists());
}

/// Writes `archive` as demo 1.1.0 with a matching digest, and returns `lock`'s stderr.
fn lock_with_archive(repo: &Repo, archive: &[u8]) -> (i32, String) {
    let old = sha256_hex(&repo.v11);
    fs_err::write(repo.dir.join("charts/archives/demo-1.1.0.tgz"), archive).unwrap();
    let index = fs_err::read_to_string(repo.dir.join("charts/index.yaml")).unwrap();
    fs_err::write(
        repo.dir.join("charts/index.yaml"),
        index.replace(&old, &sha256_hex(archive)),
    )
    .unwrap();
    let run = repo.env.run(&["lock"]);
    assert!(!repo.env.path("profiles/aws-prod/profile.lock").exists());
    (run.code, run.stderr)
}

#[test]
fn hostile_archives_are_refused() {
    let chart_yaml = b"apiVersion: v2\nname: demo\nversion: 1.1.0\n".as_slice();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            tgz(&[
                Member::File("demo/Chart.yaml", chart_yaml),
                Member::Symlink("demo/values.yaml", "/etc/passwd"),
            ]),
            "`demo/values.yaml` is a symbolic link; a chart archive may hold only regular files and folders",
        ),
        (
            tgz(&[
                Member::File("demo/Chart.yaml", chart_yaml),
                Member::File("demo/../../escape.yaml", b"x: 1\n"),
            ]),
            "`demo/../../escape.yaml`: a name in the path is not a file name",
        ),
        (
            tgz(&[
                Member::File("demo/Chart.yaml", chart_yaml),
                Member::File("other/values.yaml", b"x: 1\n"),
            ]),
            "`other/values.yaml` is outside the chart's folder `demo`",
        ),
        (
            tgz(&[
                Member::File("demo/Chart.yaml", chart_yaml),
                Member::File("demo/big.yaml", &vec![b' '; 4 << 20]),
            ]),
            "`demo/big.yaml` cannot be read: it unpacks to more than 100 times its size (a decompression bomb?)",
        ),
        (b"not an archive".to_vec(), "it cannot be read"),
    ];
    for (archive, why) in cases {
        let repo = Repo::new();
        let (code, stderr) = lock_with_archive(&repo, &archive);
        assert_eq!(code, 1, "{why}: {stderr}");
        assert!(
            stderr.starts_with(&format!(
                "error: registry `charts`: the archive of chart `demo` 1.1.0: {why}"
            )),
            "{why}: {stderr}"
        );
    }
}

#[test]
fn http_failures_are_registry_errors_with_what_to_do() {
    let repo = Repo::new();
    let env = &repo.env;
    let url = repo.server.url.clone();
    for (status, message) in [
        (
            404,
            format!("`{url}/charts/index.yaml` answered 404: there is no such file"),
        ),
        (
            401,
            format!(
                "`{url}/charts/index.yaml` answered 401: the repository wants credentials, or refused the ones given; set STRATA_REGISTRY_CHARTS_USERNAME and _PASSWORD (see docs/registries.md)"
            ),
        ),
        (
            429,
            format!("`{url}/charts/index.yaml` answered 429: too many requests; try again later"),
        ),
        (
            503,
            format!("`{url}/charts/index.yaml` answered 503: the server failed; try again later"),
        ),
    ] {
        repo.server.overrides.lock().unwrap().clear();
        repo.server.answer("/charts/index.yaml", status);
        let run = env.run(&["lock"]);
        assert_eq!(run.code, 3, "{status}: {}", run.stderr);
        assert!(
            run.stderr
                .contains(&format!("registry `charts`: {message}")),
            "{status}: {}",
            run.stderr
        );
    }
    repo.server.overrides.lock().unwrap().clear();
    fs_err::write(repo.dir.join("charts/index.yaml"), "entries: {}\n").unwrap();
    let run = env.run(&["lock"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains("registry `charts`: `index.yaml` has no `apiVersion: v1`: it is not a Helm repository index"),
        "{}",
        run.stderr
    );
}

#[test]
fn credentials_go_to_the_repository_only_and_are_never_shown() {
    let env = Env::new();
    let dir = env.outside("served");
    fs_err::create_dir_all(&dir).unwrap();
    let server = Server::serve(&dir, Some(("bot", "s3cret-pass")));
    let archive = chart("demo", "1.1.0", VALUES, &[]);
    fs_err::write(dir.join("demo-1.1.0.tgz"), &archive).unwrap();
    fs_err::write(
        dir.join("index.yaml"),
        index_yaml(&[(
            "demo",
            "1.1.0",
            "demo-1.1.0.tgz",
            Some(&sha256_hex(&archive)),
        )]),
    )
    .unwrap();
    env.write(
        "strata.toml",
        &format!(
            "[catalog]\nname = \"test\"\n\n[[registry]]\nname = \"public\"\nkind = \"builtin\"\n\n[[registry]]\nname = \"private-charts\"\nkind = \"helm\"\nurl = \"{}\"\n",
            server.url
        ),
    );
    env.profile(
        "aws-prod",
        &(aws_profile("") + "\n[[layer]]\ntype = \"addon\"\npack = \"demo\"\nversion = \"1.x\"\n"),
    );
    assert_eq!(env.run(&["lock"]).code, 3);
    env.set_var("STRATA_REGISTRY_PRIVATE_CHARTS_USERNAME", "bot");
    env.set_var("STRATA_REGISTRY_PRIVATE_CHARTS_PASSWORD", "s3cret-pass");
    let run = env.run(&["lock", "-v"]);
    run.success();
    let lock = env.read("profiles/aws-prod/profile.lock");
    for text in [&run.stdout, &run.stderr, &lock] {
        assert!(!text.contains("s3cret-pass"), "{text}");
    }
    for entry in walkdir::WalkDir::new(env.cache()) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let bytes = fs_err::read(entry.path()).unwrap();
            assert!(!String::from_utf8_lossy(&bytes).contains("s3cret-pass"));
        }
    }
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.ends_with("(with Authorization)") || r == "GET /index.yaml")
    );
    // The index moves to another host (a redirect), and its archive is on that host too:
    // neither request carries the credentials.
    let other_dir = env.outside("other");
    fs_err::create_dir_all(&other_dir).unwrap();
    let other = Server::serve(&other_dir, None);
    fs_err::write(other_dir.join("demo-1.1.0.tgz"), &archive).unwrap();
    fs_err::write(
        other_dir.join("index.yaml"),
        index_yaml(&[(
            "demo",
            "1.1.0",
            &format!("{}/demo-1.1.0.tgz", other.url),
            Some(&sha256_hex(&archive)),
        )]),
    )
    .unwrap();
    server.redirect("/index.yaml", &format!("{}/index.yaml", other.url));
    fs_err::remove_dir_all(env.cache()).unwrap();
    fs_err::remove_file(env.path("profiles/aws-prod/profile.lock")).unwrap();
    env.run(&["lock", "-q"]).success();
    assert_eq!(other.requests(), ["GET /index.yaml", "GET /demo-1.1.0.tgz"]);
}

#[test]
fn plain_http_is_for_this_machine_unless_the_registry_says_so() {
    let env = Env::with_config(
        "[catalog]\nname = \"test\"\n\n[[registry]]\nname = \"charts\"\nkind = \"helm\"\nurl = \"http://charts.example.com/stable\"\n",
    );
    env.run(&["validate"]).fails(
        1,
        "error: strata.toml:7:7: `http://charts.example.com/stable` is plain HTTP to another machine: anyone on the way can change the charts\n   |\n 7 | url = \"http://charts.example.com/stable\"\n   |       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  hint: use `https://`, or set `plain_http = true` on the registry if the network is trusted\n",
    );
}

#[test]
fn a_release_locked_elsewhere_is_found_by_fetching_the_index_once_more() {
    let repo = Repo::new();
    let env = &repo.env;
    let full = fs_err::read_to_string(repo.dir.join("charts/index.yaml")).unwrap();
    // This machine's cache has the index from before 1.1.0 was published...
    let before: String = full
        .split("  - apiVersion")
        .filter(|e| !e.contains("version: 1.1.0"))
        .collect::<Vec<_>>()
        .join("  - apiVersion");
    fs_err::write(repo.dir.join("charts/index.yaml"), &before).unwrap();
    env.run(&["fetch", "-q"]).success();
    // ...and the lock was made on another machine, after it was.
    fs_err::write(repo.dir.join("charts/index.yaml"), &full).unwrap();
    env.set_var("STRATA_CACHE", env.outside("other-cache").to_str().unwrap());
    env.run(&["lock", "-q"]).success();
    assert!(
        env.read("profiles/aws-prod/profile.lock")
            .contains("version = \"1.1.0\"")
    );
    env.set_var("STRATA_CACHE", env.cache().to_str().unwrap());
    let requests = repo.server.requests().len();
    let run = env.run(&["render", "aws-prod", "--layer", "demo"]);
    run.success();
    assert!(run.stdout.contains("tag: \"1.1\""), "{}", run.stdout);
    assert_eq!(
        repo.server.requests()[requests..],
        [
            "GET /charts/index.yaml",
            "GET /charts/archives/demo-1.1.0.tgz"
        ]
    );
}

/// `helm` in the test's hermetic environment, in `dir`.
fn helm(env: &Env, dir: &std::path::Path, args: &[&str]) -> String {
    let mut cmd = env.shell();
    let out = cmd
        .arg("-c")
        .arg("exec helm \"$@\"")
        .arg("helm")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "helm {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn charts_packaged_and_indexed_by_helm_are_read_as_helm_wrote_them() {
    if !strata_test_support::tool("helm", "chart_repos::charts_packaged_and_indexed_by_helm") {
        return;
    }
    let env = Env::new();
    let work = env.outside("work");
    let served = env.outside("served");
    fs_err::create_dir_all(work.join("web/templates")).unwrap();
    fs_err::create_dir_all(&served).unwrap();
    let server = Server::serve(&served, None);
    let mut archives = Vec::new();
    for version in ["0.1.0", "0.2.0"] {
        fs_err::write(
            work.join("web/Chart.yaml"),
            format!("apiVersion: v2\nname: web\nversion: {version}\nkubeVersion: \">=1.30.0-0\"\ndescription: A web server\n"),
        )
        .unwrap();
        fs_err::write(
            work.join("web/values.yaml"),
            "# How many pods serve.\nreplicaCount: 2\nservice:\n  port: 80\n",
        )
        .unwrap();
        fs_err::write(
            work.join("web/templates/deployment.yaml"),
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  replicas: {{ .Values.replicaCount }}\n",
        )
        .unwrap();
        helm(
            &env,
            &work,
            &["package", "web", "-d", served.to_str().unwrap()],
        );
        archives.push(fs_err::read(served.join(format!("web-{version}.tgz"))).unwrap());
    }
    helm(
        &env,
        &work,
        &[
            "repo",
            "index",
            served.to_str().unwrap(),
            "--url",
            &format!("{}/", server.url),
        ],
    );
    env.write(
        "strata.toml",
        &format!(
            "[catalog]\nname = \"test\"\n\n[[registry]]\nname = \"public\"\nkind = \"builtin\"\n\n[[registry]]\nname = \"web-charts\"\nkind = \"helm\"\nurl = \"{}\"\n",
            server.url
        ),
    );
    env.profile(
        "aws-prod",
        &(aws_profile("")
            + "\n[[layer]]\ntype = \"addon\"\nname = \"web\"\npack = \"web\"\nversion = \"0.x\"\n[layer.values]\nreplicaCount = 3\n"),
    );
    env.run(&["lock", "-q"]).success();
    let lock = env.read("profiles/aws-prod/profile.lock");
    assert!(
        lock.contains(&format!(
            "registry = \"web-charts\"\nsource = \"{}\"\npath = \"web\"\nrequested = \"0.x\"\nversion = \"0.2.0\"\ndigest = \"sha256:{}\"\n",
            server.url,
            sha256_hex(&archives[1])
        )),
        "{lock}"
    );
    let run = env.run(&["render", "aws-prod", "--layer", "web"]);
    run.success();
    assert!(
        run.stdout
            .ends_with("# How many pods serve.\nreplicaCount: 3\nservice:\n  port: 80\n"),
        "{}",
        run.stdout
    );
    let show = env.run(&["pack", "show", "web"]);
    assert!(
        show.stdout.contains("releases:  0.2.0, 0.1.0\n"),
        "{}",
        show.stdout
    );
    assert!(
        show.stdout.contains("kubernetes >=1.30.0 (if present)\n"),
        "{}",
        show.stdout
    );
}

#[test]
fn a_mirror_is_read_and_exported_in_place_of_the_public_repository() {
    let repo = Repo::new();
    let env = &repo.env;
    // The registry names the public repository; the mirror (the test server) is read.
    env.write(
        "strata.toml",
        &format!(
            "[catalog]\nname = \"test\"\n\n[[registry]]\nname = \"public\"\nkind = \"builtin\"\n\n[[registry]]\nname = \"charts\"\nkind = \"helm\"\nurl = \"https://charts.example.invalid/stable/\"\n\n[[mirror]]\nrepo = \"https://charts.example.invalid/stable\"\nurl = \"{}/charts\"\n\n[[mirror]]\nrepo = \"https://docs.tigera.io/calico/charts\"\nurl = \"oci://registry.internal.example/mirror/calico\"\n",
            repo.server.url
        ),
    );
    env.run(&["lock", "-q"]).success();
    let lock = env.read("profiles/aws-prod/profile.lock");
    assert!(
        lock.contains(&format!(
            "registry = \"charts\"\nsource = \"{}/charts\"\npath = \"demo\"",
            repo.server.url
        )),
        "{lock}"
    );
    let flux = env.run(&["export", "aws-prod", "--to", "flux"]);
    flux.success();
    assert!(
        flux.stdout
            .contains("  url: \"oci://registry.internal.example/mirror/calico\"\n  type: oci\n"),
        "{}",
        flux.stdout
    );
    assert!(!flux.stdout.contains("docs.tigera.io"), "{}", flux.stdout);
    assert!(
        flux.stdout
            .contains(&format!("  url: \"{}/charts\"\n", repo.server.url)),
        "{}",
        flux.stdout
    );
    // A mirror twice, or a copy strata cannot read, is a mistake at its line.
    env.write(
        "strata.toml",
        "[catalog]\nname = \"test\"\n\n[[mirror]]\nrepo = \"https://a.example.com\"\nurl = \"oci://r.example.com/a\"\n\n[[mirror]]\nrepo = \"https://a.example.com/\"\nurl = \"ftp://r.example.com/a\"\n",
    );
    let run = env.run(&["validate"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("strata.toml:9:8: this repository is mirrored twice\n"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("strata.toml:10:7: a helm registry is read over `https://`, not `ftp://`\n"),
        "{}",
        run.stderr
    );
}

/// `[catalog] lock_charts = true` with the built-in packs' chart repositories mirrored on
/// loopback: every chart a pack delivers is locked by digest, checked by `verify`, and a
/// version its repository lacks is a problem at the pack's `[[chart]]`.
#[test]
fn lock_charts_locks_what_packs_deliver_by_digest() {
    let env = Env::new();
    let dir = env.outside("served");
    fs_err::create_dir_all(dir.join("calico")).unwrap();
    fs_err::create_dir_all(dir.join("ebs")).unwrap();
    let server = Server::serve(&dir, None);
    let operator = chart("tigera-operator", "v3.32.1", "installation: {}\n", &[]);
    let ebs = chart("aws-ebs-csi-driver", "2.64.0", "controller: {}\n", &[]);
    fs_err::write(dir.join("calico/tigera-operator-v3.32.1.tgz"), &operator).unwrap();
    fs_err::write(dir.join("ebs/aws-ebs-csi-driver-2.64.0.tgz"), &ebs).unwrap();
    let calico_index = index_yaml(&[(
        "tigera-operator",
        "v3.32.1",
        "tigera-operator-v3.32.1.tgz",
        Some(&sha256_hex(&operator)),
    )]);
    fs_err::write(dir.join("calico/index.yaml"), &calico_index).unwrap();
    fs_err::write(
        dir.join("ebs/index.yaml"),
        index_yaml(&[(
            "aws-ebs-csi-driver",
            "2.64.0",
            "aws-ebs-csi-driver-2.64.0.tgz",
            Some(&sha256_hex(&ebs)),
        )]),
    )
    .unwrap();
    env.write(
        "strata.toml",
        &format!(
            "[catalog]\nname = \"test\"\nlock_charts = true\n\n[[mirror]]\nrepo = \"https://docs.tigera.io/calico/charts\"\nurl = \"{0}/calico\"\n\n[[mirror]]\nrepo = \"https://kubernetes-sigs.github.io/aws-ebs-csi-driver\"\nurl = \"{0}/ebs\"\n",
            server.url
        ),
    );
    env.profile("aws-prod", &aws_profile(""));
    env.run(&["lock", "-q"]).success();
    let lock = env.read("profiles/aws-prod/profile.lock");
    assert!(
        lock.contains(&format!(
            "\n[[layer.chart]]\nname = \"tigera-operator\"\nrepo = \"https://docs.tigera.io/calico/charts\"\nversion = \"v3.32.1\"\ndigest = \"sha256:{}\"\n",
            sha256_hex(&operator)
        )),
        "{lock}"
    );
    assert!(
        lock.contains(&format!("digest = \"sha256:{}\"\n", sha256_hex(&ebs))),
        "{lock}"
    );
    env.run(&["lock", "--check"]).success();
    env.run(&["verify", "-q"]).success();
    // The chart re-published with other bytes: verify names both digests.
    let other = chart("tigera-operator", "v3.32.1", "installation: {x: 1}\n", &[]);
    fs_err::write(dir.join("calico/tigera-operator-v3.32.1.tgz"), &other).unwrap();
    fs_err::write(
        dir.join("calico/index.yaml"),
        calico_index.replace(&sha256_hex(&operator), &sha256_hex(&other)),
    )
    .unwrap();
    let run = env.run(&["verify"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "layer `network`: chart `tigera-operator` v3.32.1 of `https://docs.tigera.io/calico/charts` changed: it was `sha256:{}` when locked, and is `sha256:{}` now",
            sha256_hex(&operator),
            sha256_hex(&other)
        )),
        "{}",
        run.stderr
    );
    // A version the repository does not have.
    fs_err::write(
        dir.join("calico/index.yaml"),
        "apiVersion: v1\nentries: {}\n",
    )
    .unwrap();
    fs_err::remove_file(env.path("profiles/aws-prod/profile.lock")).unwrap();
    fs_err::remove_dir_all(env.cache()).unwrap();
    let run = env.run(&["lock"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("error: builtin:calico/3.32.1/pack.toml:13:1: chart `tigera-operator` v3.32.1 is not in its repository `https://docs.tigera.io/calico/charts`\n"),
        "{}",
        run.stderr
    );
    assert!(!env.path("profiles/aws-prod/profile.lock").exists());
}

#[test]
fn a_large_index_is_downloaded_in_pieces_and_read() {
    let repo = Repo::new();
    let index = fs_err::read_to_string(repo.dir.join("charts/index.yaml")).unwrap();
    let pad: Vec<(String, String)> = (0..6000)
        .map(|i| (format!("1.{}.{}", i / 100, i % 100), format!("pad-{i}.tgz")))
        .collect();
    let entries: Vec<(&str, &str, &str, Option<&str>)> = pad
        .iter()
        .map(|(v, u)| ("pad", v.as_str(), u.as_str(), None))
        .collect();
    let padded = index.replace(
        "generated:",
        &(index_yaml(&entries)
            .replace("apiVersion: v1\nentries:\n", "")
            .replace("generated: \"2026-01-01T00:00:00Z\"\n", "")
            + "generated:"),
    );
    assert!(padded.len() > 1 << 20, "{}", padded.len());
    fs_err::write(repo.dir.join("charts/index.yaml"), padded).unwrap();
    repo.env.run(&["lock", "-q"]).success();
    // Every entry was read: the compact copy in the cache has the last one.
    let cached = walkdir::WalkDir::new(repo.env.cache().join("helm"))
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.file_name() == "index.json")
        .unwrap();
    let json = fs_err::read_to_string(cached.path()).unwrap();
    assert!(
        json.ends_with("{\"version\":\"1.59.99\",\"urls\":[\"pad-5999.tgz\"],\"kube_version\":\">=1.25.0-0\",\"description\":\"The pad chart\"}]},\"skipped\":0}"),
        "{}",
        &json[json.len() - 300..]
    );
}

#[test]
fn offline_says_exactly_what_is_missing() {
    let repo = Repo::new();
    let env = &repo.env;
    let run = env.run(&["--offline", "lock"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "registry `charts`: `{}/charts/index.yaml` is not in the cache and strata is offline; run `strata fetch` while online",
            repo.server.url
        )),
        "{}",
        run.stderr
    );
    env.run(&["lock", "-q"]).success();
    fs_err::remove_dir_all(env.cache().join("blobs")).unwrap();
    let run = env.run(&["--offline", "render", "aws-prod"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "registry `charts`: chart `demo` 1.1.0 (`{}/charts/archives/demo-1.1.0.tgz`) is not in the cache and strata is offline; run `strata fetch` while online",
            repo.server.url
        )),
        "{}",
        run.stderr
    );
    env.run(&["fetch", "-q"]).success();
    env.run(&["--offline", "render", "aws-prod", "-q"])
        .success();
}

#[test]
fn a_deprecated_chart_is_said_to_be_deprecated() {
    use strata_test_support::http::{Member, tgz};
    let repo = Repo::new();
    let archive = tgz(&[
        Member::File(
            "demo/Chart.yaml",
            b"apiVersion: v2\nname: demo\nversion: 1.1.0\ndeprecated: true\n",
        ),
        Member::File("demo/values.yaml", b"replicas: 1\n"),
    ]);
    let (code, stderr) = {
        let old = sha256_hex(&repo.v11);
        fs_err::write(repo.dir.join("charts/archives/demo-1.1.0.tgz"), &archive).unwrap();
        let index = fs_err::read_to_string(repo.dir.join("charts/index.yaml")).unwrap();
        fs_err::write(
            repo.dir.join("charts/index.yaml"),
            index.replace(&old, &sha256_hex(&archive)),
        )
        .unwrap();
        let run = repo.env.run(&["lock"]);
        (run.code, run.stderr)
    };
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("warning: registry `charts`: chart `demo` 1.1.0 is deprecated (`deprecated: true` in its Chart.yaml)\n"),
        "{stderr}"
    );
    let show = repo.env.run(&["pack", "show", "demo"]);
    assert!(
        show.stdout
            .contains("  deprecated: yes: its maintainers no longer support it\n"),
        "{}",
        show.stdout
    );
}

#[test]
fn an_index_larger_than_the_bound_is_refused_without_reading_it_all() {
    let repo = Repo::new();
    let mut big = String::from("apiVersion: v1\nentries: {}\n");
    big.push_str(&format!("# {}\n", "x".repeat(97 << 20)));
    fs_err::write(repo.dir.join("charts/index.yaml"), big).unwrap();
    let run = repo.env.run(&["lock"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "registry `charts`: `{}/charts/index.yaml` is larger than 96 MiB, the most strata reads of an index",
            repo.server.url
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unchanged_index_is_not_downloaded_again() {
    let repo = Repo::new();
    let env = &repo.env;
    env.run(&["lock", "-q"]).success();
    // Locked reads do not ask; `fetch` asks whether it changed.
    env.run(&["render", "aws-prod", "-q"]).success();
    env.run(&["fetch", "-q"]).success();
    assert_eq!(
        repo.server.requests(),
        [
            "GET /charts/index.yaml",
            "GET /charts/archives/demo-1.1.0.tgz",
            "GET /charts/index.yaml -> 304",
        ]
    );
    // A changed index is read again.
    let index = fs_err::read_to_string(repo.dir.join("charts/index.yaml")).unwrap();
    fs_err::write(
        repo.dir.join("charts/index.yaml"),
        index.replace(
            "generated: \"2026-01-01T00:00:00Z\"",
            "generated: \"2026-02-01T00:00:00Z\"",
        ),
    )
    .unwrap();
    env.run(&["fetch", "-q"]).success();
    assert_eq!(
        repo.server.requests().last().unwrap(),
        "GET /charts/index.yaml"
    );
}

#[test]
fn concurrent_runs_share_the_cache() {
    let repo = Repo::new();
    let other = Env::new();
    other.write("strata.toml", &repo.env.read("strata.toml"));
    other.profile("aws-prod", &repo.env.read("profiles/aws-prod/profile.toml"));
    other.set_var("STRATA_CACHE", repo.env.cache().to_str().unwrap());
    let runs: Vec<_> = std::thread::scope(|s| {
        let a = s.spawn(|| repo.env.run(&["lock", "-q"]));
        let b = s.spawn(|| other.run(&["lock", "-q"]));
        vec![a.join().unwrap(), b.join().unwrap()]
    });
    for run in &runs {
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    assert_eq!(
        repo.env.read("profiles/aws-prod/profile.lock"),
        other.read("profiles/aws-prod/profile.lock")
    );
    repo.env
        .run(&["--offline", "render", "aws-prod", "-q"])
        .success();
}

#[test]
fn pack_list_reads_the_index_and_downloads_no_archive() {
    let repo = Repo::new();
    let run = repo.env.run(&["pack", "list", "--registry", "charts"]);
    run.success();
    assert_eq!(
        run.stdout,
        "PACK  LAYER  CATEGORY  NEWEST  REGISTRY  CLOUDS\ndemo  addon  chart     1.1.0   charts    all\n"
    );
    assert_eq!(repo.server.requests(), ["GET /charts/index.yaml"]);
}
