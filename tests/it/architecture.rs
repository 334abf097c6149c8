//! The shape of the code, kept by CI: no source file over 500 lines, and imports that run
//! one way between the rooms (top-level modules) of `src/` (docs/architecture.md).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 500;

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| e.into_path())
        .collect()
}

#[test]
fn no_source_file_is_over_500_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![root.join("src")];
    for krate in fs_err::read_dir(root.join("crates")).unwrap() {
        dirs.push(krate.unwrap().path().join("src"));
    }
    let long: Vec<String> = dirs
        .iter()
        .flat_map(|d| rust_files(d))
        .filter_map(|f| {
            let n = fs_err::read_to_string(&f).unwrap().lines().count();
            (n > MAX_LINES).then(|| format!("{} ({n} lines)", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "over {MAX_LINES} lines: {long:?}");
}

/// The room of every `crate::` path a file names (comments and strings left out).
fn rooms_named(text: &str) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let code = regex::Regex::new(r#""(?:\\.|[^"\\])*""#)
        .unwrap()
        .replace_all(&code, "\"\"");
    // `use crate::{a, b::c}` names rooms a and b; `crate::a::x` names room a.
    let groups = regex::Regex::new(r"crate::\{([^;]*?)\}").unwrap();
    let single = regex::Regex::new(r"crate::([a-z_][a-z0-9_]*)").unwrap();
    let mut rooms: BTreeSet<String> = single
        .captures_iter(&code)
        .map(|c| c[1].to_string())
        .collect();
    for g in groups.captures_iter(&code) {
        for part in g[1].split(',') {
            let head = part.trim().split("::").next().unwrap_or("").trim();
            if !head.is_empty() {
                rooms.insert(head.to_string());
            }
        }
    }
    rooms
}

#[test]
fn rooms_import_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in rust_files(&src) {
        let rel = f.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let room = first.trim_end_matches(".rs").to_string();
        if room == "lib" || room == "main" {
            continue;
        }
        let text = fs_err::read_to_string(&f).unwrap();
        // Unit tests at the end of a file may reach anywhere.
        let text = text.split("#[cfg(test)]\nmod tests {").next().unwrap();
        for other in rooms_named(text) {
            let is_room = src.join(&other).is_dir() || src.join(format!("{other}.rs")).is_file();
            if other != room && is_room {
                edges.entry(room.clone()).or_default().insert(other);
            }
        }
    }
    // A room that reaches, through any chain, a room that reaches it back.
    let reach = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(r) = todo.pop() {
            for n in edges.get(&r).into_iter().flatten() {
                if seen.insert(n.clone()) {
                    todo.push(n.clone());
                }
            }
        }
        seen
    };
    let allowed = |a: &str, b: &str| matches!((a, b), ("cli", "commands") | ("commands", "cli"));
    let mut loops = Vec::new();
    for (room, targets) in &edges {
        for t in targets {
            if !allowed(room, t) && reach(t).contains(room) {
                loops.push(format!("{room} -> {t}"));
            }
        }
    }
    assert!(loops.is_empty(), "rooms that import each other: {loops:?}");
}
