//! Pack repositories built in code with git2: fixed signature and time, so commit ids are
//! stable, and libgit2 kept away from the user's git configuration.

use std::path::{Path, PathBuf};
use std::sync::Once;

use git2::{IndexAddOption, Oid, Repository, Signature, Time};

/// Points libgit2's global, XDG and system configuration at nothing.
pub fn hermetic() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for level in [
            git2::ConfigLevel::Global,
            git2::ConfigLevel::XDG,
            git2::ConfigLevel::System,
        ] {
            // SAFETY: called once, before any other libgit2 use in this test binary.
            unsafe { git2::opts::set_search_path(level, "").expect("set search path") };
        }
    });
}

pub struct PackRepo {
    pub dir: PathBuf,
    pub repo: Repository,
    time: i64,
}

impl PackRepo {
    pub fn init(dir: &Path) -> PackRepo {
        hermetic();
        fs_err::create_dir_all(dir).unwrap();
        let mut opts = git2::RepositoryInitOptions::new();
        opts.initial_head("main");
        let repo = Repository::init_opts(dir, &opts).unwrap();
        PackRepo {
            dir: dir.to_path_buf(),
            repo,
            time: 1_700_000_000,
        }
    }

    /// `file://` URL of the repository.
    pub fn url(&self) -> String {
        format!("file://{}", self.dir.display())
    }

    #[track_caller]
    pub fn write(&self, rel: &str, text: &str) -> &PackRepo {
        let p = self.dir.join(rel);
        fs_err::create_dir_all(p.parent().unwrap()).unwrap();
        fs_err::write(p, text).unwrap();
        self
    }

    pub fn remove(&self, rel: &str) -> &PackRepo {
        let p = self.dir.join(rel);
        if p.is_dir() {
            fs_err::remove_dir_all(p).unwrap();
        } else {
            fs_err::remove_file(p).unwrap();
        }
        self
    }

    /// Commits the whole working tree (additions, changes and removals).
    pub fn commit(&mut self, message: &str) -> Oid {
        let mut index = self.repo.index().unwrap();
        index.add_all(["*"], IndexAddOption::DEFAULT, None).unwrap();
        index.update_all(["*"], None).unwrap();
        self.commit_index(&mut index, message)
    }

    pub fn commit_index(&mut self, index: &mut git2::Index, message: &str) -> Oid {
        index.write().unwrap();
        let tree = self.repo.find_tree(index.write_tree().unwrap()).unwrap();
        self.time += 60;
        let sig = Signature::new("strata", "strata@example.com", &Time::new(self.time, 0)).unwrap();
        let parent = self.repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        self.repo
            .commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
            .unwrap()
    }

    /// A lightweight tag (moved if it exists).
    pub fn tag(&self, name: &str, commit: Oid) -> &PackRepo {
        self.repo
            .reference(&format!("refs/tags/{name}"), commit, true, "tag")
            .unwrap();
        self
    }

    /// An annotated tag.
    pub fn annotated_tag(&self, name: &str, commit: Oid) -> &PackRepo {
        let sig = Signature::new("strata", "strata@example.com", &Time::new(self.time, 0)).unwrap();
        let obj = self.repo.find_object(commit, None).unwrap();
        self.repo.tag(name, &obj, &sig, name, true).unwrap();
        self
    }

    pub fn delete_tag(&self, name: &str) -> &PackRepo {
        self.repo
            .find_reference(&format!("refs/tags/{name}"))
            .unwrap()
            .delete()
            .unwrap();
        self
    }
}

/// A `pack.toml` for tests.
pub fn manifest(name: &str, version: &str, layer: &str, description: &str) -> String {
    format!(
        r#"[pack]
name = "{name}"
version = "{version}"
layer = "{layer}"
description = "{description}"
clouds = ["all"]

[params.replicas]
type = "integer"
default = 2
min = 1
description = "Replicas"
"#
    )
}
