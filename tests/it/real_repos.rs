//! Repositories as they really are: chart folders not named after their charts, Palette
//! packs that keep their default presets in `values.yaml`, hostile file names and file
//! types, and profile folders with odd names.

use crate::util::Env;
use crate::util::git::PackRepo;

const CONFIG: &str = "[catalog]\nname = \"test\"\n\n[[registry]]\nname = \"public\"\nkind = \"builtin\"\n\n[[registry]]\nname = \"charts\"\nkind = \"git\"\nformat = \"helm\"\nurl = \"../helm-repo\"\npath = \"charts\"\n";

/// A chart-releaser repository: chart `yace` in folder `prometheus-yace` (as a real
/// repository holds `yet-another-cloudwatch-exporter`), chart `web` in `web`, and a tag
/// `ghost-1.0.0` whose chart is nowhere.
fn chart_repo(env: &Env) {
    let mut repo = PackRepo::init(&env.outside("helm-repo"));
    repo.write(
        "charts/prometheus-yace/Chart.yaml",
        "apiVersion: v2\nname: yace\nversion: 0.39.0\n",
    )
    .write("charts/prometheus-yace/values.yaml", "replicas: 1\n")
    .write(
        "charts/web/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 1.0.0\n",
    )
    .write("charts/web/values.yaml", "port: 80\n");
    let c = repo.commit("yace 0.39.0, web 1.0.0");
    repo.tag("yace-0.39.0", c)
        .tag("web-1.0.0", c)
        .tag("ghost-1.0.0", c);
    repo.write(
        "charts/prometheus-yace/Chart.yaml",
        "apiVersion: v2\nname: yace\nversion: 0.39.1\n",
    );
    let c = repo.commit("yace 0.39.1");
    repo.tag("yace-0.39.1", c);
}

#[test]
fn a_chart_is_found_by_the_name_its_chart_yaml_states() {
    let env = Env::with_config(CONFIG);
    chart_repo(&env);
    let run = env.run(&["pack", "list", "--registry", "charts"]);
    run.success();
    let names: Vec<&str> = run
        .stdout
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(names, ["web", "yace"], "{}", run.stdout);
    let list = env.run(&["registry", "list"]);
    let formats: Vec<&str> = list
        .stdout
        .lines()
        .map(|l| l.split_whitespace().nth(2).unwrap())
        .collect();
    assert_eq!(formats, ["FORMAT", "strata", "helm"], "{}", list.stdout);
    assert_eq!(
        run.stderr,
        "warning: registry `charts`: tag `ghost-1.0.0` names chart `ghost`, and no `Chart.yaml` under `charts` at that tag has that name; the tag is skipped\n"
    );
    env.profile(
        "p",
        "[profile]\nname = \"p\"\ncloud = \"aws\"\ntype = \"add-on\"\n\n[[layer]]\ntype = \"addon\"\npack = \"yace\"\nversion = \"0.39.x\"\n",
    );
    env.run(&["lock", "-q"]).success();
    let lock = env.read("profiles/p/profile.lock");
    assert!(
        lock.contains("path = \"charts/prometheus-yace\"\nrequested = \"0.39.x\"\nversion = \"0.39.1\"\ntag = \"yace-0.39.1\"\n"),
        "{lock}"
    );
    env.run(&["verify", "-q"]).success();
}

const PALETTE_CONFIG: &str = "[catalog]\nname = \"t\"\n\n[[registry]]\nname = \"public\"\nkind = \"builtin\"\n\n[[registry]]\nname = \"pal\"\nkind = \"dir\"\npath = \"palette\"\nformat = \"palette\"\n";

const NGINX_PRESETS: &str = "presets:
  - name: enable-ingress
    displayName: Enable
    group: Ingress
    remove: [\"ingress\"]
    add: |
      ingress:
        enabled: true
  - name: disable-ingress
    displayName: Disable
    group: Ingress
    remove: [\"ingress\"]
    add: |
      ingress:
        enabled: false
  - name: small
    displayName: Small
    group: Size
    remove: []
    add: |
      replicas: 1
";

#[test]
fn the_presets_line_names_the_presets_in_force_once() {
    let env = Env::with_config(PALETTE_CONFIG);
    env.write(
        "palette/nginx-1.0.0/pack.json",
        r#"{"name": "nginx", "version": "1.0.0", "layer": "addon", "cloudTypes": ["all"]}"#,
    )
    .write(
        "palette/nginx-1.0.0/values.yaml",
        "# spectrocloud.com/enabled-presets: Ingress:disable-ingress,Size:small\nreplicas: 1\ningress:\n  enabled: false\n",
    )
    .write("palette/nginx-1.0.0/presets.yaml", NGINX_PRESETS)
    .profile(
        "p",
        "[profile]\nname = \"p\"\ncloud = \"aws\"\ntype = \"add-on\"\n\n[[layer]]\ntype = \"addon\"\npack = \"nginx\"\nversion = \"1.0.0\"\npresets = [\"Ingress:enable-ingress\"]\n",
    );
    env.run(&["lock", "-q"]).success();
    env.run(&["render", "p", "--out", "out", "-q"]).success();
    assert_eq!(
        env.read("out/nginx/values.yaml"),
        "# spectrocloud.com/enabled-presets: Ingress:enable-ingress,Size:small\nreplicas: 1\ningress:\n  enabled: true\n"
    );
}

#[test]
fn special_files_and_odd_folder_names_are_called_what_they_are() {
    let env = Env::with_config(crate::util::WITH_LOCAL);
    env.agent("1.0.0");
    let fifo = env.path("packs/agent/1.0.0/pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    env.profile("aws-prod", &crate::util::with_agent("1.0.0"));
    env.run(&["validate"]).fails(
        1,
        "error: `packs/agent/1.0.0/pipe` is a FIFO; packs may hold only regular files and folders\nerror: 1 problem in 1 of 1 profile\n",
    );
    let env = Env::new();
    env.profile("a\\b", "[profile]\ncloud = \"aws\"\ntype = \"add-on\"\n");
    assert!(env.path("profiles/a\\b/profile.toml").is_file());
    env.run(&["validate"]).fails(
        1,
        "error: profiles/a\\b/profile.toml: folder name `a\\b` is not a valid profile name\n  hint: set `name` in `[profile]`, or rename the folder to lowercase letters, digits and `-`\nerror: 1 problem in 1 of 1 profile\n",
    );
}

/// The built-in kube-prometheus-stack points Grafana at an admin Secret that the cluster
/// provides: the profile must name it, and the chart gets only that name (no password key,
/// so the chart's own default password never applies).
#[test]
fn the_monitoring_stack_needs_the_grafana_secret_the_cluster_provides() {
    let env = Env::new();
    let layer = "[profile]\nname = \"mon\"\ncloud = \"aws\"\ntype = \"add-on\"\n\n[[layer]]\ntype = \"addon\"\npack = \"kube-prometheus-stack\"\nversion = \"81.6.2\"\n";
    env.profile("mon", layer);
    env.run(&["lock", "-q"]).fails(
        1,
        "error: profiles/mon/profile.toml:6:1: parameter `grafana_admin_secret` of kube-prometheus-stack 81.6.2 is required\n   |\n 6 | [[layer]]\n   | ^^^^^^^^^\n  hint: set it under `[layer.values]`: Secret in the monitoring namespace with Grafana's admin login (keys admin-user and admin-password); the cluster provides it, no layer creates it\nerror: 1 problem; no lock file was written\n",
    );
    env.profile(
        "mon",
        &format!("{layer}[layer.values]\ngrafana_admin_secret = \"grafana-login\"\n"),
    );
    env.run(&["lock", "-q"]).success();
    env.run(&["render", "mon", "--out", "out", "-q"]).success();
    let values = env.read("out/kube-prometheus-stack/values.yaml");
    assert!(
        values.contains(
            "grafana:\n  enabled: true\n  admin:\n    existingSecret: \"grafana-login\"\nkubeEtcd:"
        ),
        "{values}"
    );
    assert!(!values.contains("adminPassword"), "{values}");
}
