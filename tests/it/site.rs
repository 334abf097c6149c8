//! `strata site`: the website of a catalog with a base profile, two releases, a cluster and
//! a profile whose text is hostile; its pages, links, escaping and records, the DOM a real
//! browser (Debian's chromium, headless) builds from them, and the HTML as snapshots.

use std::collections::BTreeSet;
use std::path::Path;

use crate::util::{Env, git};

const WEB: &str = r#"[profile]
name = "aws-web"
extends = "aws-prod"
description = "Web tier on <b>aws</b> & friends"
tags = ["env:prod", "team:web"]

[[variable]]
name = "db_password"
format = "string"
sensitive = true
default = "hunter2-secret"

[[layer]]
name = "network"
[layer.values]
mtu = 1450
"#;

/// Text that would run if it were not escaped, in the places a profile's text lands.
const HOSTILE: &str = r#"[profile]
name = "kiosk"
cloud = "edge"
type = "add-on"
description = "<img src=x onerror=\"document.title='pwned'\"> \u202Eevil"
tags = ["env:edge"]

[[layer]]
type = "addon"
pack = "cert-manager"
version = "1.x"
"#;

/// The quickstart's profiles, a profile that extends one (released twice, its network MTU
/// changed in the second), a cluster pinning the first release, a profile with hostile
/// text, and one whose name is hostile (so it does not parse).
fn catalog() -> Env {
    let env = Env::new();
    env.run(&["profile", "new", "aws-prod", "--cloud", "aws", "-q"])
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
    env.profile("aws-web", WEB);
    env.profile("kiosk", HOSTILE);
    env.run(&["lock", "-q"]).success();
    let root = env.root();
    git(&root, &["init", "-q", "-b", "main"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "catalog"]);
    env.run(&["release", "aws-web", "1.0.0", "-q"]).success();
    env.profile("aws-web", &WEB.replace("mtu = 1450", "mtu = 1440"));
    env.run(&["lock", "-q"]).success();
    git(&root, &["commit", "-q", "-am", "aws-web: mtu 1440"]);
    env.run(&["release", "aws-web", "1.1.0", "-q"]).success();
    env.write(
        "clusters/web-eu-1/cluster.toml",
        "[cluster]\nname = \"web-eu-1\"\nprofile = \"aws-web\"\nversion = \"1.0.0\"\ntags = [\"region:eu\"]\n\n[variables]\ndb_password = \"s3cret-cluster-value\"\n",
    );
    env.profile(
        "broken",
        "[profile]\nname = \"<script>document.title='pwned'</script>\"\ncloud = \"aws\"\n",
    );
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "cluster"]);
    env
}

/// Every file below `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    out.sort();
    out
}

const STDERR: &str = "warning: profiles/broken/profile.toml:2:8: invalid profile name `<script>document.title='pwned'</script>`
   |
 2 | name = \"<script>document.title='pwned'</script>\"
   |        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  hint: use lowercase letters, digits, `-`, `_` and `.`
error: profile `broken` has problems
  hint: the site shows them on their pages; `strata validate` says the same
";
#[test]
fn the_site_shows_profiles_stacks_releases_and_clusters() {
    let env = catalog();
    let run = env.run(&["site", "--out", "public"]);
    run.fails(1, &format!("     Wrote 13 pages into `public`\n{STDERR}"));
    let out = env.path("public");
    assert_eq!(
        files(&out),
        [
            "clusters/web-eu-1.html",
            "index.html",
            "packs/public/aws-ebs-csi.html",
            "packs/public/calico.html",
            "packs/public/cert-manager.html",
            "packs/public/kubernetes.html",
            "packs/public/longhorn.html",
            "packs/public/ubuntu.html",
            "profiles/aws-prod.html",
            "profiles/aws-web.html",
            "profiles/broken.html",
            "profiles/edge-small.html",
            "profiles/kiosk.html",
        ]
    );
    let read = |p: &str| fs_err::read_to_string(out.join(p)).unwrap();
    let index = read("index.html");
    // The matrix: a profile's row, its cells' packs, versions and freshness in words.
    assert!(index.contains("<a class=\"cell\" href=\"profiles/aws-web.html#layer-network\">calico <span class=\"mono\">3.32.1</span></a>\n<span class=\"badge fresh-current\">current</span>"), "{index}");
    assert!(index.contains("<span class=\"badge fresh-newer-train\">newer: 1.37.1</span>"));
    assert!(index.contains("<td><span class=\"badge lock-invalid\">invalid</span></td>"));
    let web = read("profiles/aws-web.html");
    for part in [
        "<dt>Extends</dt><dd><a href=\"../profiles/aws-prod.html\">aws-prod</a></dd>",
        "<h3 id=\"release-1.1.0\">1.1.0 <span class=\"muted mono\">profiles/aws-web/v1.1.0</span></h3>\n<pre>changed network: calico 3.32.1 -&gt; calico 3.32.1\n  mtu 1450 -&gt; 1440 (profiles&#x2f;aws-web&#x2f;profile.toml:16)\n</pre>",
        "<tr><td><code>mtu</code></td><td><code>1440</code></td><td>profiles/aws-web/profile.toml:16</td></tr>",
        "<td><span class=\"badge fresh-behind\">behind: 1.1.0</span></td>",
        "<text x=\"14\" y=\"248\">ubuntu 24.04.2</text>",
    ] {
        assert!(web.contains(part), "{part}\n---\n{web}");
    }
    let cluster = read("clusters/web-eu-1.html");
    assert!(
        cluster.contains(
            "<tr><td><code>db_password</code></td><td><code>(sensitive)</code></td></tr>"
        )
    );
    assert!(cluster.contains("<pre>aws-web 1.0.0 -&gt; 1.1.0\n  changed network: calico 3.32.1 -&gt; calico 3.32.1\n    mtu 1450 -&gt; 1440"));
    let calico = read("packs/public/calico.html");
    assert!(calico.contains("<tr><td><a href=\"../../profiles/aws-web.html\">aws-web</a></td><td>network</td><td>3.32.1</td></tr>"));
    // Secrets never reach a page; hostile text is text.
    for page in files(&out) {
        let html = read(&page);
        for secret in ["hunter2-secret", "s3cret-cluster-value"] {
            assert!(!html.contains(secret), "{page} shows {secret}");
        }
        assert!(!html.contains("<script>document"), "{page}");
        assert!(!html.contains("<img"), "{page}");
        assert!(!html.contains('\u{202e}'), "{page}");
    }
    let kiosk = read("profiles/kiosk.html");
    assert!(kiosk.contains("<p>&lt;img src=x onerror=&quot;document.title=&#x27;pwned&#x27;&quot;&gt; [U+202E]evil</p>"), "{kiosk}");
    assert!(index.contains("data-search=\"kiosk &lt;img src=x onerror=&quot;document.title=&#x27;pwned&#x27;&quot;&gt; [U+202E]evil edge add-on env:edge cert-manager\""), "{index}");
    let broken = read("profiles/broken.html");
    assert!(broken.contains("<pre>profiles&#x2f;broken&#x2f;profile.toml:2:8: invalid profile name `&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;&#x2f;script&gt;`"), "{broken}");
}

#[test]
fn every_link_of_the_site_resolves() {
    let env = catalog();
    env.run(&["site", "-q"]).fails(1, STDERR);
    let out = env.path("site");
    let href = regex::Regex::new(r#"href="([^"]*)""#).unwrap();
    let id = regex::Regex::new(r#"id="([^"]*)""#).unwrap();
    let mut links = 0;
    for page in files(&out) {
        let html = fs_err::read_to_string(out.join(&page)).unwrap();
        let dir = Path::new(&page).parent().unwrap();
        for cap in href.captures_iter(&html) {
            let target = &cap[1];
            assert!(
                !target.contains("://") && !target.starts_with('/'),
                "{page}: {target}"
            );
            let (file, fragment) = target.split_once('#').unwrap_or((target, ""));
            let file = if file.is_empty() {
                page.clone()
            } else {
                normalize(&dir.join(file))
            };
            let text = fs_err::read_to_string(out.join(&file))
                .unwrap_or_else(|e| panic!("{page}: `{target}` does not resolve: {e}"));
            if !fragment.is_empty() {
                let ids: BTreeSet<&str> = id
                    .captures_iter(&text)
                    .map(|c| c.get(1).unwrap().as_str())
                    .collect();
                assert!(
                    ids.contains(fragment),
                    "{page}: `{target}`: no id `{fragment}`"
                );
            }
            links += 1;
        }
    }
    assert_eq!(links, 93);
}

/// `a/../b` as `b`.
fn normalize(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in path.components() {
        match c.as_os_str().to_str().unwrap() {
            ".." => {
                parts.pop();
            }
            "." => {}
            p => parts.push(p.to_string()),
        }
    }
    parts.join("/")
}

#[test]
fn the_same_catalog_builds_the_same_site_and_json_prints_its_records() {
    let env = catalog();
    env.run(&["site", "--out", "a", "-q"]).fails(1, STDERR);
    env.run(&["site", "--out", "b", "-q"]).fails(1, STDERR);
    let (a, b) = (env.path("a"), env.path("b"));
    assert_eq!(files(&a), files(&b));
    for f in files(&a) {
        assert_eq!(
            fs_err::read(a.join(&f)).unwrap(),
            fs_err::read(b.join(&f)).unwrap(),
            "{f}"
        );
    }
    let run = env.run(&["site", "--format", "json", "-q"]);
    assert_eq!(run.code, 1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["schema_version"], 1);
    let names: Vec<&str> = v["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["aws-prod", "aws-web", "broken", "edge-small", "kiosk"]
    );
    let web = &v["profiles"][1];
    assert_eq!(web["newest_release"], "1.1.0");
    assert_eq!(
        web["releases"][0]["changes"][1],
        "  mtu 1450 -> 1440 (profiles/aws-web/profile.toml:16)"
    );
    assert_eq!(web["clusters"][0]["newer"], "1.1.0");
    assert_eq!(web["layers"][2]["freshness"]["status"], "current");
    assert_eq!(v["clusters"][0]["variables"][0]["value"], "(sensitive)");
    // JSON writes no page.
    assert!(!env.path("site").exists());

    // `--at`: the catalog as of the first release.
    let run = env.run(&[
        "--at",
        "profiles/aws-web/v1.0.0",
        "site",
        "--format",
        "json",
        "-q",
    ]);
    run.success();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let web = &v["profiles"][1];
    assert_eq!(web["name"], "aws-web");
    let mtu = web["layers"][2]["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "mtu")
        .unwrap();
    assert_eq!(mtu["value"], "1450");

    // A stale lock and a cluster that does not parse are shown where they are.
    env.profile(
        "edge-small",
        &env.read("profiles/edge-small/profile.toml")
            .replace("1.37.x", "1.36.x"),
    );
    env.write("clusters/bad/cluster.toml", "[cluster]\nprofile = 7\n");
    let run = env.run(&["site", "--format", "json", "-q"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.ends_with("error: profile `broken`, profile `edge-small`, cluster `bad` have problems\n  hint: the site shows them on their pages; `strata validate` says the same\n"), "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let edge = &v["profiles"][3];
    assert_eq!(edge["lock"], "stale");
    assert_eq!(
        edge["problems"][0],
        "profiles/edge-small/profile.lock: lock file is stale: the profile, strata.toml or the lock itself changed since it was written\n  hint: run `strata lock edge-small` and review the change"
    );
    assert_eq!(edge["layers"][1]["version"], "1.37.1");
    assert_eq!(edge["layers"][1]["values"], serde_json::json!([]));
    assert_eq!(v["clusters"][0]["name"], "bad");
    assert!(
        v["clusters"][0]["problems"][0]
            .as_str()
            .unwrap()
            .starts_with("clusters/bad/cluster.toml:2:"),
        "{}",
        v["clusters"][0]
    );
}

#[test]
fn the_site_is_never_written_through_a_symlink() {
    let env = Env::new();
    env.run(&["profile", "new", "aws-prod", "--cloud", "aws", "-q"])
        .success();
    env.run(&["lock", "-q"]).success();
    let outside = env.outside("elsewhere");
    fs_err::create_dir_all(&outside).unwrap();
    fs_err::create_dir_all(env.path("site")).unwrap();
    std::os::unix::fs::symlink(&outside, env.path("site/profiles")).unwrap();
    env.run(&["site", "-q"]).fails(
        2,
        "error: `./site/profiles` is a symlink; strata does not write through symlinks\n  hint: remove it, or choose another output folder\n",
    );
    assert_eq!(fs_err::read_dir(&outside).unwrap().count(), 0);
    assert!(!env.path("site/index.html").exists());
}

/// Runs headless chromium on `args` (a page to load last), returning stdout.
fn chromium(env: &Env, args: &[&str]) -> String {
    let profile = env.outside(&format!("chromium-{}", args.len()));
    let _ = fs_err::remove_dir_all(&profile);
    fs_err::create_dir_all(&profile).unwrap();
    let out = std::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            &format!("--user-data-dir={}", profile.display()),
        ])
        .args(args)
        .env("HOME", env.outside("home"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_browser_shows_the_matrix_and_the_stack_and_runs_nothing_hostile() {
    if !strata_test_support::tool("chromium", "site::a_browser_shows_the_matrix") {
        return;
    }
    let env = catalog();
    env.run(&["site", "-q"]).fails(1, STDERR);
    let url = |p: &str| format!("file://{}", env.path("site").join(p).display());
    let index = chromium(&env, &["--dump-dom", &url("index.html")]);
    // The script ran: the filters are shown and count the profiles.
    assert!(index.contains("<form id=\"filters\">"), "{index}");
    assert!(index.contains(
        "<span id=\"f-count\" class=\"muted\" aria-live=\"polite\">5 of 5 profiles</span>"
    ));
    assert!(index.contains("<title>Profiles · test</title>"));
    for profile in ["aws-prod", "aws-web", "edge-small", "kiosk", "broken"] {
        assert!(
            index.contains(&format!(
                "<a href=\"profiles/{profile}.html\">{profile}</a>"
            )),
            "{profile}"
        );
    }
    // The filters read the address's fragment: a filtered view is a link.
    let edge = chromium(
        &env,
        &["--dump-dom", &format!("{}#cloud=edge", url("index.html"))],
    );
    assert!(edge.contains(">2 of 5 profiles</span>"), "{edge}");
    assert!(edge.contains("<option value=\"edge\">edge</option>"));
    let hidden = |dom: &str, profile: &str| {
        let row = format!("data-search=\"{profile} ");
        let at = dom.find(&row).unwrap_or_else(|| panic!("{profile}"));
        let start = dom[..at].rfind("<tr").unwrap();
        let end = at + dom[at..].find('>').unwrap();
        dom[start..end].contains(" hidden")
    };
    for (profile, shown) in [("aws-prod", false), ("edge-small", true), ("kiosk", true)] {
        assert_eq!(hidden(&edge, profile), !shown, "{profile}");
    }
    let search = chromium(
        &env,
        &[
            "--dump-dom",
            &format!("{}#search=WEB+tier", url("index.html")),
        ],
    );
    assert!(search.contains(">1 of 5 profiles</span>"), "{search}");
    assert!(!hidden(&search, "aws-web"));
    assert!(hidden(&search, "aws-prod"));
    // Hostile text is text in the DOM: no element was made of it, no script changed the title.
    let kiosk = chromium(&env, &["--dump-dom", &url("profiles/kiosk.html")]);
    assert!(kiosk.contains("<title>kiosk · test</title>"), "{kiosk}");
    assert!(
        kiosk.contains("<p>&lt;img src=x onerror=\"document.title='pwned'\"&gt; [U+202E]evil</p>"),
        "{kiosk}"
    );
    assert!(!kiosk.contains("<img"));
    let broken = chromium(&env, &["--dump-dom", &url("profiles/broken.html")]);
    assert!(broken.contains("<title>broken · test</title>"));
    assert!(
        broken
            .contains("invalid profile name `&lt;script&gt;document.title='pwned'&lt;/script&gt;`")
    );
    // The stack: one block per layer, the OS at the bottom, each a link to its section.
    let web = chromium(&env, &["--dump-dom", &url("profiles/aws-web.html")]);
    let blocks: Vec<&str> = web.matches("<rect class=\"t-").collect();
    assert_eq!(blocks.len(), 5);
    assert!(web.contains("<a href=\"#layer-os\">\n<rect class=\"t-os\" x=\"0\" y=\"224\""));
    assert!(web.contains("<section id=\"layer-os\">"));
}

#[test]
fn screenshots_of_the_index_and_a_profile_are_not_blank() {
    if !strata_test_support::tool("chromium", "site::screenshots") {
        return;
    }
    let env = catalog();
    env.run(&["site", "-q"]).fails(1, STDERR);
    env.write("blank.html", "<!DOCTYPE html><title>blank</title>");
    let shot = |page: &Path, name: &str| {
        let png = env.outside(name);
        chromium(
            &env,
            &[
                &format!("--screenshot={}", png.display()),
                "--window-size=1024,768",
                &format!("file://{}", page.display()),
            ],
        );
        let bytes = fs_err::read(&png).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{name}");
        bytes.len()
    };
    let blank = shot(&env.path("blank.html"), "blank.png");
    let index = shot(&env.path("site/index.html"), "index.png");
    let web = shot(&env.path("site/profiles/aws-web.html"), "web.png");
    // A page of text, tables and coloured blocks compresses far worse than an empty one.
    assert!(index > 5 * blank, "index {index} bytes, blank {blank}");
    assert!(web > 5 * blank, "profile {web} bytes, blank {blank}");
}

#[test]
fn the_html_of_a_small_catalog() {
    let env = Env::new();
    env.profile(
        "edge-small",
        &crate::util::aws_profile("").replace("aws-prod", "edge-small"),
    );
    env.run(&["lock", "-q"]).success();
    env.run(&["site", "-q"]).success();
    insta::assert_snapshot!("site_index", env.read("site/index.html"));
    insta::assert_snapshot!("site_profile", env.read("site/profiles/edge-small.html"));
}

#[test]
fn a_release_of_a_profile_in_a_folder_of_another_name_says_what_it_changed() {
    let env = Env::new();
    let text = crate::util::aws_profile("[layer.values]\nmtu = 1450\n").replace("aws-prod", "web");
    env.profile("team-a/web-folder", &text);
    env.run(&["lock", "-q"]).success();
    let root = env.root();
    git(&root, &["init", "-q", "-b", "main"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "web"]);
    env.run(&["release", "web", "1.0.0", "-q"]).success();
    env.profile(
        "team-a/web-folder",
        &text.replace("mtu = 1450", "mtu = 1400"),
    );
    env.run(&["lock", "-q"]).success();
    git(&root, &["commit", "-q", "-am", "mtu"]);
    env.run(&["release", "web", "1.1.0", "-q"]).success();
    let run = env.run(&["site", "--format", "json", "-q"]);
    run.success();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        v["profiles"][0]["releases"][0]["changes"],
        serde_json::json!([
            "changed network: calico 3.32.1 -> calico 3.32.1",
            "  mtu 1450 -> 1400 (profiles/team-a/web-folder/profile.toml:20)"
        ])
    );
}
