//! A review reads only what changed: a profile whose file and lock are the same at both
//! sides and that extends none is counted unchanged unread, and every other is reviewed as
//! when every profile is read (a base that changed, a key spelt with escapes, a profile in
//! a folder of another name).

use crate::util::{Env, aws_profile, git};

const CHILD: &str = "[profile]\nname = \"child\"\nextends = \"base\"\n\n[[layer]]\nname = \"network\"\n[layer.values]\nmtu = 1400\n";

/// `base`, `child` (extends `base`), `plain` and `other` (in `profiles/team/other-folder`),
/// locked and committed.
fn catalog(child: &str) -> Env {
    let env = Env::new();
    env.profile("base", &aws_profile("").replace("aws-prod", "base"));
    env.profile("child", child);
    env.profile("plain", &aws_profile("").replace("aws-prod", "plain"));
    env.profile(
        "team/other-folder",
        &aws_profile("").replace("aws-prod", "other"),
    );
    env.run(&["lock", "-q"]).success();
    let root = env.root();
    git(&root, &["init", "-q", "-b", "main"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "catalog"]);
    env
}

/// Changes calico's train of `base` to `3.31.x` and locks `base` alone: `child`'s file
/// and lock stay as they are (its lock is now stale).
fn change_base(env: &Env) {
    let file = "profiles/base/profile.toml";
    env.write(
        file,
        &env.read(file)
            .replace("version = \"3.x\"", "version = \"3.31.x\""),
    );
    env.run(&["lock", "base", "-q"]).success();
}

#[test]
fn a_changed_base_reviews_its_unchanged_child() {
    let env = catalog(CHILD);
    change_base(&env);
    let run = env.run(&["diff"]);
    run.success();
    assert_eq!(
        run.stdout
            .lines()
            .filter(|l| !l.starts_with("    "))
            .collect::<Vec<_>>(),
        [
            "changed base",
            "  changed network: calico 3.32.1 -> calico 3.31.7 (spec changed, downgrade)",
            "changed child",
            "  note: at working tree: lock file is stale: its base `profiles/base/profile.toml` changed since it was written; resolved for this review",
            "  changed network: calico 3.32.1 -> calico 3.31.7 (spec changed, downgrade)",
            "2 profiles unchanged",
        ],
        "{}",
        run.stdout
    );
}

#[test]
fn a_key_spelt_with_escapes_is_read_as_what_it_says() {
    // `"\u0065xtends"` is `extends`: the text never says it, the profile extends `base`.
    let env = catalog(&CHILD.replace("extends = ", "\"\\u0065xtends\" = "));
    change_base(&env);
    let run = env.run(&["diff"]);
    run.success();
    assert!(run.stdout.contains("changed child\n"), "{}", run.stdout);
}

#[test]
fn a_profile_in_a_folder_of_another_name_is_reviewed_too() {
    let env = catalog(CHILD);
    let file = "profiles/team/other-folder/profile.toml";
    env.write(
        file,
        &env.read(file)
            .replace("version = \"3.x\"", "version = \"3.31.x\""),
    );
    env.run(&["lock", "-q"]).success();
    let run = env.run(&["diff"]);
    run.success();
    assert_eq!(
        run.stdout
            .lines()
            .filter(|l| !l.starts_with("    "))
            .collect::<Vec<_>>(),
        [
            "changed other",
            "  changed network: calico 3.32.1 -> calico 3.31.7 (spec changed, downgrade)",
            "3 profiles unchanged",
        ],
        "{}",
        run.stdout
    );
}
