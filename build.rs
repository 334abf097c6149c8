// The built-in catalog and strata's own templates are embedded in the binary; rebuild when
// they change (include_dir cannot track files on stable Rust).
//
// `strata --version` names the commit and commit date it was built from: from
// `STRATA_BUILD_COMMIT` / `STRATA_BUILD_DATE` when set (a build from a source archive),
// else from the git checkout this package is the top of, else nothing. The commit date,
// not the build time, keeps two builds of one commit the same.
use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

fn main() {
    println!("cargo:rerun-if-changed=catalog");
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-env-changed=STRATA_BUILD_COMMIT");
    println!("cargo:rerun-if-env-changed=STRATA_BUILD_DATE");
    let root = std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let from_env = |key| std::env::var(key).ok().filter(|v| !v.is_empty());
    let mut commit = from_env("STRATA_BUILD_COMMIT");
    let mut date = from_env("STRATA_BUILD_DATE");
    let top = git(&root, &["rev-parse", "--show-toplevel"]).map(std::path::PathBuf::from);
    let ours = match (top.and_then(|t| t.canonicalize().ok()), root.canonicalize()) {
        (Some(top), Ok(root)) => top == root,
        _ => false,
    };
    if ours && commit.is_none() {
        if let Some(git_dir) = git(&root, &["rev-parse", "--absolute-git-dir"]) {
            let git_dir = Path::new(&git_dir);
            let mut watched = vec![git_dir.join("HEAD"), git_dir.join("packed-refs")];
            if let Some(branch) = git(&root, &["symbolic-ref", "-q", "HEAD"]) {
                watched.push(git_dir.join(branch));
            }
            for path in watched.iter().filter(|p| p.exists()) {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
        commit = git(&root, &["rev-parse", "--short=12", "HEAD"]);
        date = date.or_else(|| git(&root, &["log", "-1", "--format=%cs", "HEAD"]));
    }
    let info = match (commit, date) {
        (Some(c), Some(d)) => format!(" ({c} {d})"),
        (Some(c), None) => format!(" ({c})"),
        _ => String::new(),
    };
    println!("cargo:rustc-env=STRATA_BUILD_INFO={info}");
}
