//! User text never takes over where it lands: a pull-request comment, workflow commands on
//! stdout and stderr, a shell's completion, a SARIF location, a terminal.

use crate::util::git;

/// A value that tries every way out of a Markdown comment.
const EVIL: &str =
    "a|b\n</details><img src=x onerror=alert(1)> @admin `tick` [link](https://evil.example)";

#[test]
fn user_text_stays_in_its_cell_span_and_fold_of_the_comment() {
    let env = crate::secrets::env();
    let root = env.root();
    env.run(&["lock", "-q"]).success();
    git(&root, &["init", "-q", "-b", "main"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "catalog"]);
    let toml_evil = EVIL.replace('\n', "\\n");
    env.profile(
        "p",
        &(crate::secrets::profile("") + &format!("name = \"{toml_evil}\"\n")),
    );
    env.run(&["lock", "-q"]).success();
    let run = env.run(&["diff", "--format", "markdown"]);
    run.success();
    let md = &run.stdout;
    // The value is one row of the values table, whole inside a code span (where HTML,
    // links and mentions are inert), `|` escaped and its line breaks shown as `⏎`.
    let row = md
        .lines()
        .find(|l| l.starts_with("| token | `name`"))
        .unwrap_or_else(|| panic!("no row:\n{md}"));
    assert_eq!(
        row,
        "| token | `name` | `\"plain\"` | ``\"\"\"⏎a\\|b⏎</details><img src=x onerror=alert(1)> @admin `tick` [link](https://evil.example)\"\"\"`` | profiles/p/profile.toml:29 |"
    );
    // Outside code spans and fences nothing of it is left: the fold opens and closes once,
    // on lines of their own.
    let outside: String = md
        .lines()
        .filter(|l| !l.starts_with('|') && !l.starts_with('+') && !l.starts_with('-'))
        .collect::<Vec<_>>()
        .join("\n");
    for raw in ["<img", "@admin", "[link]("] {
        assert!(!outside.contains(raw), "`{raw}` is live:\n{md}");
    }
    assert_eq!(md.lines().filter(|l| l.starts_with("<details>")).count(), 1);
    assert_eq!(md.lines().filter(|l| *l == "</details>").count(), 1);
}

/// A workflow command a value would smuggle onto a line of its own.
const COMMAND: &str = "::error file=README.md,line=1::pwned";

#[test]
fn no_user_text_starts_a_line_of_stderr() {
    let env = crate::secrets::env();
    // A pack.json version, a Chart.yaml kubeVersion and a cluster name, each with a line
    // break and a workflow command after it.
    env.write(
        "palette/odd-1.0.0/pack.json",
        &format!(r#"{{"name": "odd", "version": "1.0.0\n{COMMAND}", "layer": "addon", "cloudTypes": ["all"]}}"#),
    )
    .write(
        "charts/web/Chart.yaml",
        &format!("apiVersion: v2\nname: web\nversion: 1.0.0\nkubeVersion: \">=1.25\\n{COMMAND}\"\n"),
    )
    .write("profiles/aws-prod/profile.toml", &crate::util::aws_profile(""))
    .write(
        "clusters/c/cluster.toml",
        &format!("[cluster]\nname = \"c\\n{COMMAND}\"\nprofile = \"aws-prod\"\n"),
    );
    for args in [
        &["validate", "--format", "github"][..],
        &["validate"],
        &["cluster", "validate"],
        &["pack", "list"],
    ] {
        let run = env.run(args);
        for line in run.stderr.lines() {
            assert!(
                !line.starts_with("::"),
                "{args:?}: `{line}`\n{}",
                run.stderr
            );
        }
        for line in run.stdout.lines() {
            assert!(!line.starts_with(COMMAND), "{args:?}: `{line}`");
        }
    }
    let run = env.run(&["validate"]);
    assert!(
        run.stderr
            .contains("\\n::error file=README.md,line=1::pwned"),
        "{}",
        run.stderr
    );
}

#[test]
fn completion_candidates_are_quoted_for_the_shell() {
    let env = crate::util::Env::new();
    for name in ["ok", "x;touch PWNED", "$(touch PWNED2)", "*", "it's"] {
        env.profile(name, "[profile]\n");
    }
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_strata"));
    // bash: the function the script registers, as bash calls it; every candidate, put on
    // a command line as bash puts it, is the name itself and runs nothing.
    let script = format!(
        "PATH={}:$PATH\neval \"$(strata completions bash)\"\nCOMP_WORDS=(strata render \"\")\nCOMP_CWORD=2\n_clap_complete_strata strata \"\" strata\nfor w in \"${{COMPREPLY[@]}}\"; do case \"$w\" in -*) ;; *) eval \"set -- $w\"; printf '%s\\n' \"$1\";; esac; done\n",
        bin.parent().unwrap().display()
    );
    let out = env
        .shell()
        .arg("-c")
        .arg(format!("exec bash -c '{}'", script.replace('\'', "'\\''")))
        .output()
        .unwrap();
    let run = crate::util::Run::of(out, |t| t);
    run.success();
    let mut names: Vec<&str> = run.stdout.lines().collect();
    names.sort();
    assert_eq!(
        names,
        ["$(touch PWNED2)", "*", "it's", "ok", "x;touch PWNED"]
    );
    assert!(!env.path("PWNED").exists() && !env.path("PWNED2").exists());
    // PowerShell inserts a candidate as it is: quoted; zsh and fish quote themselves.
    env.set_var("STRATA_COMPLETE", "powershell");
    let run = env.run(&["--", "strata", "render", ""]);
    run.success();
    let shown: Vec<&str> = run.stdout.lines().filter(|l| !l.starts_with('-')).collect();
    assert_eq!(
        shown,
        [
            "'$(touch PWNED2)'",
            "'*'",
            "'it''s'",
            "'x;touch PWNED'",
            "ok"
        ]
    );
}

#[test]
fn sarif_locations_are_uri_references() {
    let env = crate::util::Env::new();
    env.profile(
        "my profile #1?é",
        "[profile]\nname = \"p2\"\ncloud = \"aws\"\ntype = \"add-on\"\n\n[[layer]]\ntype = \"addon\"\npack = \"nope\"\nversion = \"1.x\"\n",
    );
    let run = env.run(&["validate", "--format", "sarif"]);
    assert_eq!(run.code, 1);
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "profiles/my%20profile%20%231%3F%C3%A9/profile.toml"
    );
}

#[test]
fn text_from_pack_files_reaches_the_terminal_inert_and_bounded() {
    let env = crate::secrets::env();
    env.write(
        "palette/app-1.0.0/pack.json",
        r#"{"name": "app", "displayName": "App\rEVIL\u001b[31m", "version": "1.0.0", "layer": "addon", "cloudTypes": ["all"], "annotations": {"note": "a\nb"}}"#,
    );
    let run = env.run(&["pack", "show", "app"]);
    run.success();
    assert!(
        !run.stdout.contains('\r') && !run.stdout.contains('\u{1b}'),
        "{:?}",
        run.stdout
    );
    assert!(
        run.stdout
            .starts_with("app 1.0.0 (App\\rEVIL\\u{1b}[31m)\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("  annotation note: a\\nb\n"),
        "{}",
        run.stdout
    );
    // A 10,000-character version and a megabyte of cloud are not printed back whole.
    env.write(
        "palette/odd-1.0.0/pack.json",
        &format!(
            r#"{{"name": "odd", "version": "{}", "layer": "addon", "cloudTypes": ["all"]}}"#,
            "9".repeat(10_000)
        ),
    );
    env.profile(
        "huge",
        &format!(
            "[profile]\nname = \"huge\"\ncloud = \"{}\"\ntype = \"add-on\"\n",
            "c".repeat(1 << 20)
        ),
    );
    let run = env.run(&["validate"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.len() < 4_000,
        "{} bytes:\n{}",
        run.stderr.len(),
        &run.stderr[..2000]
    );
    assert!(
        run.stderr.contains(&format!("`{}…`", "9".repeat(120))),
        "{}",
        run.stderr
    );
}

#[test]
fn pack_show_names_the_newest_of_each_train_unless_asked_for_all() {
    let env = crate::util::Env::with_config(crate::util::WITH_LOCAL);
    for minor in 0..30 {
        for patch in 0..30 {
            let v = format!("1.{minor}.{patch}");
            env.pack(
                "many",
                &v,
                &crate::util::git::manifest("many", &v, "addon", "many"),
            );
        }
    }
    let run = env.run(&["pack", "show", "many"]);
    run.success();
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("releases:"))
        .unwrap();
    assert_eq!(
        line,
        "releases:  1.29.29, 1.28.29, 1.27.29, 1.26.29, 1.25.29, 1.24.29, 1.23.29, 1.22.29, 1.21.29, 1.20.29 (the newest of 10 trains; 900 releases in all, `--all` lists them)"
    );
    let run = env.run(&["pack", "show", "many", "--all"]);
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("releases:"))
        .unwrap();
    assert_eq!(line.matches(", ").count(), 899);
    assert!(line.starts_with("releases:  1.29.29, 1.29.28,"), "{line}");
}
