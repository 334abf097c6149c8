//! What hostile input cannot make strata do: expand YAML aliases without end, let a
//! template build values without end, take time that grows with the square of a profile, or
//! hold every output file open at once.

use crate::util::{Env, Run};

/// A YAML text of 425 bytes whose aliases expand to 9^7 (4.8 million) strings.
fn alias_bomb(key: &str) -> String {
    let mut text = format!(
        "{key}:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
    );
    let names = ["a", "b", "c", "d", "e", "f", "g"];
    for w in names.windows(2) {
        let (prev, name) = (w[0], w[1]);
        text.push_str(&format!(
            "  {name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
    }
    text
}

const PALETTE_CONFIG: &str = "[catalog]\nname = \"t\"\n\n[[registry]]\nname = \"public\"\nkind = \"builtin\"\n\n[[registry]]\nname = \"pal\"\nkind = \"dir\"\npath = \"palette\"\nformat = \"palette\"\n";

fn palette_env(file: &str, text: &str) -> Env {
    let env = Env::with_config(PALETTE_CONFIG);
    env.write(
        "palette/app-1.0.0/pack.json",
        r#"{"name": "app", "version": "1.0.0", "layer": "addon", "cloudTypes": ["all"]}"#,
    )
    .write("palette/app-1.0.0/values.yaml", "charts:\n  app:\n    x: 1\n")
    .write(&format!("palette/app-1.0.0/{file}"), text)
    .profile(
        "p",
        "[profile]\nname = \"p\"\ncloud = \"aws\"\ntype = \"add-on\"\n\n[[layer]]\ntype = \"addon\"\npack = \"app\"\nversion = \"1.0.0\"\n",
    );
    env
}

#[test]
fn yaml_alias_bombs_are_refused_wherever_yaml_is_read() {
    let cases = [
        ("values.yaml", alias_bomb("charts"), 8),
        ("schema.yaml", alias_bomb("rules"), 8),
        ("presets.yaml", alias_bomb("presets"), 8),
    ];
    for (file, text, line) in cases {
        let env = palette_env(file, &text);
        let run = env.run(&["validate"]);
        assert_eq!(run.code, 1, "{file}: {}", run.stderr);
        assert!(
            run.stderr.starts_with(&format!(
                "error: palette/app-1.0.0/{file}:{line}:"
            )) && run.stderr.contains(
                "expands to more than 1000000 nodes through its aliases (`*name`); strata reads no such document"
            ),
            "{file}: {}",
            run.stderr
        );
    }
    // The YAML a preset adds, inside presets.yaml.
    let add = alias_bomb("charts").replace('\n', "\n      ");
    let presets = format!(
        "presets:\n  - name: big\n    displayName: Big\n    group: Size\n    remove: []\n    add: |\n      {add}\n"
    );
    let env = palette_env("presets.yaml", &presets);
    let run = env.run(&["validate"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("preset `Size:big`: `add` is not YAML: expands to more than 1000000 nodes"),
        "{}",
        run.stderr
    );
}

fn template_env(template: &str) -> Env {
    let env = Env::with_config(crate::util::WITH_LOCAL);
    env.pack(
        "bomb",
        "1.0.0",
        "[pack]\nname = \"bomb\"\nversion = \"1.0.0\"\nlayer = \"addon\"\ndescription = \"x\"\nclouds = [\"all\"]\n",
    )
    .write("packs/bomb/1.0.0/out.yaml.j2", template)
    .profile(
        "p",
        "[profile]\nname = \"p\"\ncloud = \"aws\"\ntype = \"add-on\"\n\n[[layer]]\ntype = \"addon\"\npack = \"bomb\"\nversion = \"1.0.0\"\n",
    );
    env
}

#[test]
fn a_template_that_builds_a_huge_value_is_stopped() {
    let env = template_env("{{ dict(a=\"x\"*10000) | items | list * 1000000 }}\n");
    // The memory bound, not the clock, must stop it, however busy the machine.
    env.set_var("STRATA_TEMPLATE_TIMEOUT", "300");
    env.run(&["validate"]).fails(
        1,
        "error: packs/bomb/1.0.0/out.yaml.j2: a template made values larger than 256 MiB (the limit of one render); strata stopped\n",
    );
}

#[test]
fn a_template_that_runs_too_long_is_stopped() {
    let env = template_env(
        "{% set ns = namespace(l=[0]) %}{% for i in range(40) %}{% set ns.l = ns.l + ns.l %}{% endfor %}x: {{ ns.l | length }}\n",
    );
    env.set_var("STRATA_TEMPLATE_TIMEOUT", "1");
    env.run(&["validate"]).fails(
        1,
        "error: packs/bomb/1.0.0/out.yaml.j2: a template ran longer than its time limit (10 s unless STRATA_TEMPLATE_TIMEOUT says otherwise); strata stopped\n",
    );
}

#[test]
fn many_problems_are_cut_to_the_first_and_the_count() {
    let env = Env::new();
    let mut text = String::from("[profile]\nname = \"p\"\ncloud = \"aws\"\ntype = \"add-on\"\n");
    for i in 0..20_000 {
        text.push_str(&format!(
            "\n[[layer]]\ntype = \"addon\"\nname = \"l{i}\"\npack = \"cert-manager\"\nversion = \"9.9.9\"\n"
        ));
    }
    env.profile("p", &text);
    let run = env.run(&["validate"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.len() < 20_000, "{} bytes", run.stderr.len());
    assert_eq!(run.stderr.matches("\nerror: ").count() + 1, 100);
    assert!(
        run.stderr.ends_with(
            "error: … 19902 more problems not shown\nerror: 20000 problems in 1 of 1 profile\n"
        ),
        "{}",
        &run.stderr[run.stderr.len() - 300..]
    );
}

#[test]
fn render_out_of_thousands_of_files_keeps_few_open() {
    let env = template_env("x: 1\n");
    for i in 0..3000 {
        env.write(&format!("packs/bomb/1.0.0/f/{i}.yaml.j2"), "a: 1\n");
    }
    env.run(&["lock", "-q"]).success();
    // With 256 descriptors, a writer that kept every file open would fail.
    let out = env
        .shell()
        .arg("-c")
        .arg(format!(
            "ulimit -n 256 && exec {} render p --out out -q",
            env!("CARGO_BIN_EXE_strata")
        ))
        .output()
        .unwrap();
    let run = Run::of(out, |t| t);
    run.success();
    assert_eq!(env.read("out/bomb/f/2999.yaml"), "a: 1\n");
}
