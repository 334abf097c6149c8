//! The `git` registry: a pack repository whose releases are tags. Packs live at
//! `<path>/<pack>/` and are released as `<pack>/v<version>` tags, or, for a repository whose
//! `<path>` is itself one pack, as `v<version>` tags.
//!
//! The repository is mirrored (bare, all heads and tags, moved tags moved, deleted refs
//! pruned) under `<cache>/git/<digest of the normalized URL>`, fetched at most once per run,
//! and read straight from git objects: never a checkout.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use git2::{
    AutotagOption, CredentialType, FetchOptions, FetchPrune, ObjectType, RemoteCallbacks,
    Repository,
};

use super::url::{GitUrl, redact};
use super::{Backend, ReleaseRef};
use crate::config::RegistryKind;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::pack::{MANIFEST, is_pack_name};
use crate::version::Version;

/// How git registries reach the network and the cache, shared by all of a run's registries.
pub struct GitSettings {
    pub cache_dir: PathBuf,
    pub offline: bool,
    /// Progress bars (drawn only on a terminal).
    pub progress: indicatif::MultiProgress,
}

impl GitSettings {
    pub fn new(cache_dir: PathBuf, offline: bool, quiet: bool) -> GitSettings {
        let target = if quiet || !std::io::stderr().is_terminal() {
            indicatif::ProgressDrawTarget::hidden()
        } else {
            indicatif::ProgressDrawTarget::stderr()
        };
        GitSettings {
            cache_dir,
            offline,
            progress: indicatif::MultiProgress::with_draw_target(target),
        }
    }

    fn mirror_dir(&self, url: &GitUrl) -> PathBuf {
        self.cache_dir.join("git").join(url.cache_key())
    }
}

pub struct GitBackend {
    registry: String,
    url: GitUrl,
    /// The packs folder inside the repository, `/`-separated, empty for the root.
    path: String,
    mirror_dir: PathBuf,
    offline: bool,
    progress: indicatif::MultiProgress,
    state: OnceLock<std::result::Result<Mirror, Stored>>,
}

/// A fetched mirror and the releases its tags name.
struct Mirror {
    repo: Mutex<Repository>,
    packs: BTreeMap<String, Vec<ReleaseRef>>,
    /// What each tag points at (a commit, or an annotated tag object), from the one pass
    /// over the refs, so reading a release needs no ref lookup.
    targets: Targets,
}

/// Why a fetch failed: the remote (exit code 3), or the local mirror (clone it again).
enum Fetch {
    Remote(String),
    Corrupt(String),
}

/// Whether fetches go through the `git` program (the default when it is installed: it
/// reuses the remote's packs, hardlinks local clones, and brings git's own credential
/// handling), or through libgit2 (`STRATA_GIT_FETCH=libgit2`, or no `git` on `PATH`).
fn git_cli() -> bool {
    static CLI: OnceLock<bool> = OnceLock::new();
    *CLI.get_or_init(|| {
        std::env::var("STRATA_GIT_FETCH").map_or(true, |v| v != "libgit2")
            && std::process::Command::new("git")
                .arg("--version")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
    })
}

/// Runs `git` without a terminal prompt; the error is its redacted stderr.
fn run_git(args: &[&std::ffi::OsStr]) -> std::result::Result<(), String> {
    let mut cmd = std::process::Command::new("git");
    cmd.args(args).stdin(std::process::Stdio::null());
    // Prompting for a password would hang a CI job; credential helpers and ssh-agent work.
    if !std::io::stdin().is_terminal() {
        cmd.env("GIT_TERMINAL_PROMPT", "0");
    }
    let out = cmd.output().map_err(|e| format!("cannot run `git`: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let message = stderr
        .lines()
        .map(|l| {
            l.trim()
                .trim_start_matches("fatal: ")
                .trim_start_matches("error: ")
        })
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    Err(redact(&message))
}

/// A failure kept for the rest of the run, so a registry is tried once.
#[derive(Clone)]
enum Stored {
    Registry(String),
    Catalog(Vec<Diagnostic>),
}

impl GitBackend {
    pub fn new(registry: &str, url: GitUrl, path: &str, settings: &GitSettings) -> GitBackend {
        // Objects were checked when they were fetched into the mirror; hashing every object
        // again on each read is most of the cost of reading a thousand pack releases.
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| git2::opts::strict_hash_verification(false));
        GitBackend {
            registry: registry.to_string(),
            mirror_dir: settings.mirror_dir(&url),
            url,
            path: path.trim_matches('/').to_string(),
            offline: settings.offline,
            progress: settings.progress.clone(),
            state: OnceLock::new(),
        }
    }

    fn mirror(&self) -> Result<&Mirror> {
        let state = self.state.get_or_init(|| {
            self.open_mirror().map_err(|e| match e {
                Error::Catalog(d) => Stored::Catalog(d),
                Error::Registry { message, .. } => Stored::Registry(message),
                other => Stored::Registry(other.to_string()),
            })
        });
        state.as_ref().map_err(|e| match e {
            Stored::Registry(m) => Error::registry(&self.registry, m.clone()),
            Stored::Catalog(d) => Error::Catalog(d.clone()),
        })
    }

    fn fail(&self, what: &str, e: &git2::Error) -> Error {
        Error::registry(
            &self.registry,
            format!("{what} `{}`: {}", self.url.display, redact(e.message())),
        )
    }

    /// Fetches (or, offline, opens) the mirror, repairing a broken one.
    fn open_mirror(&self) -> Result<Mirror> {
        // Two catalogs of one run (`diff` reads two revisions) share a mirror: fetch it once.
        static FETCHED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
        let fetched = FETCHED
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(&self.mirror_dir);
        let repo = if self.offline || fetched {
            Repository::open_bare(&self.mirror_dir).map_err(|_| {
                Error::registry(
                    &self.registry,
                    format!(
                        "`{}` is not in the cache and `--offline` forbids fetching it; run `strata fetch` while online",
                        self.url.display
                    ),
                )
            })?
        } else {
            let git_dir = self.mirror_dir.parent().unwrap_or(Path::new("."));
            fs_err::create_dir_all(git_dir)?;
            // One process fetches a mirror at a time; readers need no lock, since a fetch only
            // adds objects and swaps refs atomically, and a clone is renamed into place whole.
            let lock_path = self.mirror_dir.with_extension("lock");
            let lock = fs_err::File::create(&lock_path)?;
            lock.file().lock().map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!("cannot lock `{}`: {e}", lock_path.display()),
                )
            })?;
            let repo = self.fetch_or_clone()?;
            drop(lock);
            FETCHED
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(self.mirror_dir.clone());
            repo
        };
        let (packs, targets) = self.index(&repo)?;
        Ok(Mirror {
            repo: Mutex::new(repo),
            packs,
            targets,
        })
    }

    fn fetch_or_clone(&self) -> Result<Repository> {
        if self.mirror_dir.exists() {
            match Repository::open_bare(&self.mirror_dir) {
                Ok(repo) if repo.is_bare() => match self.fetch(&repo) {
                    Ok(()) => return Ok(repo),
                    Err(Fetch::Remote(why)) => return Err(self.cannot_fetch(&why)),
                    Err(Fetch::Corrupt(why)) => crate::context::warn(&format!(
                        "registry `{}`: the cached mirror of `{}` is broken ({why}); cloning it again",
                        self.registry, self.url.display
                    )),
                },
                _ => crate::context::warn(&format!(
                    "registry `{}`: the cached mirror of `{}` is broken; cloning it again",
                    self.registry, self.url.display
                )),
            }
            fs_err::remove_dir_all(&self.mirror_dir)?;
        }
        // Clone beside the final place and rename, so no reader sees half a mirror.
        let tmp = self
            .mirror_dir
            .with_extension(format!("tmp-{}", std::process::id()));
        if tmp.exists() {
            fs_err::remove_dir_all(&tmp)?;
        }
        if let Err(why) = self.clone_into(&tmp) {
            let _ = fs_err::remove_dir_all(&tmp);
            return Err(self.cannot_fetch(&why));
        }
        fs_err::rename(&tmp, &self.mirror_dir)?;
        Repository::open_bare(&self.mirror_dir)
            .map_err(|e| self.fail("cannot open the mirror of", &e))
    }

    fn cannot_fetch(&self, why: &str) -> Error {
        Error::registry(
            &self.registry,
            format!("cannot fetch `{}`: {}", self.url.display, redact(why)),
        )
    }

    /// A spinner on a terminal while the network works.
    fn spinner(&self) -> indicatif::ProgressBar {
        let bar = self.progress.add(indicatif::ProgressBar::new_spinner());
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} {pos}/{len} objects")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar.set_message(format!("fetching `{}`", self.registry));
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }

    /// A first clone into an empty place.
    fn clone_into(&self, tmp: &Path) -> std::result::Result<(), String> {
        if git_cli() {
            let bar = self.spinner();
            let result = run_git(&[
                "clone".as_ref(),
                "--bare".as_ref(),
                "--quiet".as_ref(),
                "--".as_ref(),
                self.url.fetch.as_ref(),
                tmp.as_os_str(),
            ]);
            bar.finish_and_clear();
            result?;
            // The URL may carry credentials: the mirror keeps no remote, every fetch names it.
            run_git(&[
                "--git-dir".as_ref(),
                tmp.as_os_str(),
                "config".as_ref(),
                "--remove-section".as_ref(),
                "remote.origin".as_ref(),
            ])?;
            return Ok(());
        }
        let repo = Repository::init_bare(tmp).map_err(|e| e.message().to_string())?;
        match self.fetch(&repo) {
            Ok(()) => Ok(()),
            Err(Fetch::Remote(why) | Fetch::Corrupt(why)) => Err(why),
        }
    }

    /// Brings a mirror up to date: every head and tag, moved tags moved, deleted refs gone.
    fn fetch(&self, repo: &Repository) -> std::result::Result<(), Fetch> {
        if git_cli() {
            let bar = self.spinner();
            let result = run_git(&[
                "--git-dir".as_ref(),
                repo.path().as_os_str(),
                "fetch".as_ref(),
                "--quiet".as_ref(),
                "--prune".as_ref(),
                "--force".as_ref(),
                "--no-write-fetch-head".as_ref(),
                "--".as_ref(),
                self.url.fetch.as_ref(),
                "+refs/heads/*:refs/heads/*".as_ref(),
                "+refs/tags/*:refs/tags/*".as_ref(),
            ]);
            bar.finish_and_clear();
            result.map_err(|why| {
                let corrupt = [
                    "corrupt",
                    "bad object",
                    "unable to read",
                    "not a git repository",
                ]
                .iter()
                .any(|w| why.contains(w) && !why.contains(&self.url.fetch));
                if corrupt {
                    Fetch::Corrupt(why)
                } else {
                    Fetch::Remote(why)
                }
            })?;
        } else {
            self.fetch_libgit2(repo).map_err(|e| {
                let why = e.message().to_string();
                if is_local_corruption(&e) {
                    Fetch::Corrupt(why)
                } else {
                    Fetch::Remote(why)
                }
            })?;
        }
        // One packed-refs file instead of a loose file per tag: listing thousands of tags
        // then reads one file.
        repo.refdb_compress()
            .map_err(|e| Fetch::Corrupt(e.message().to_string()))
    }

    fn fetch_libgit2(&self, repo: &Repository) -> std::result::Result<(), git2::Error> {
        let bar = self.spinner();
        let mut creds = Credentials::default();
        let mut callbacks = RemoteCallbacks::new();
        callbacks.credentials(|url, user, allowed| creds.next(url, user, allowed));
        callbacks.transfer_progress(|p| {
            bar.set_length(p.total_objects() as u64);
            bar.set_position(p.received_objects() as u64);
            true
        });
        let mut opts = FetchOptions::new();
        opts.remote_callbacks(callbacks);
        opts.prune(FetchPrune::On);
        opts.download_tags(AutotagOption::All);
        let result = repo
            .remote_anonymous(&self.url.fetch)
            .and_then(|mut remote| {
                remote.fetch(
                    &["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"],
                    Some(&mut opts),
                    None,
                )
            });
        bar.finish_and_clear();
        result
    }

    /// Lists releases from tag names alone: no object is read per tag.
    fn index(&self, repo: &Repository) -> Result<(BTreeMap<String, Vec<ReleaseRef>>, Targets)> {
        let mut packs: BTreeMap<String, Vec<ReleaseRef>> = BTreeMap::new();
        let mut targets = Targets::new();
        let mut single = Vec::new();
        let refs = repo
            .references_glob("refs/tags/*")
            .map_err(|e| self.fail("cannot read the tags of", &e))?;
        for reference in refs {
            let Ok(reference) = reference else { continue };
            let (Ok(name), Some(target)) = (reference.name(), reference.target()) else {
                continue;
            };
            let Some(tag) = name.strip_prefix("refs/tags/") else {
                continue;
            };
            targets.insert(tag.to_string(), target);
            match tag.rsplit_once('/') {
                Some((pack, v)) => {
                    let Some(version) = v.strip_prefix('v').and_then(Version::parse) else {
                        continue;
                    };
                    if !is_pack_name(pack) {
                        continue;
                    }
                    packs.entry(pack.to_string()).or_default().push(ReleaseRef {
                        version,
                        path: join(&self.path, pack),
                        rev: Some(tag.to_string()),
                    });
                }
                None => {
                    let Some(version) = tag.strip_prefix('v').and_then(Version::parse) else {
                        continue;
                    };
                    single.push(ReleaseRef {
                        version,
                        path: self.path.clone(),
                        rev: Some(tag.to_string()),
                    });
                }
            }
        }
        if let Some(newest) = single.iter().max_by(|a, b| a.version.cmp(&b.version)) {
            // A single-pack repository: its name is in the newest release's pack.toml.
            let name = self.manifest_name(repo, &targets, newest)?;
            packs.entry(name).or_default().extend(single);
        }
        Ok((packs, targets))
    }

    fn manifest_name(
        &self,
        repo: &Repository,
        targets: &Targets,
        release: &ReleaseRef,
    ) -> Result<String> {
        let rev = release.rev.as_deref().unwrap_or_default();
        let bytes = read_blob(repo, targets, rev, &join(&release.path, MANIFEST))
            .map_err(|e| self.fail(&format!("cannot read `{MANIFEST}` at `{rev}` of"), &e))?;
        let Some(bytes) = bytes else {
            return Err(Diagnostic::plain(format!(
                "registry `{}`: tag `{rev}` has no `{}`",
                self.registry,
                join(&release.path, MANIFEST)
            ))
            .into());
        };
        let name = std::str::from_utf8(&bytes)
            .ok()
            .and_then(|t| t.parse::<toml::Table>().ok())
            .and_then(|t| t.get("pack")?.get("name")?.as_str().map(str::to_string));
        match name {
            Some(n) if is_pack_name(&n) => Ok(n),
            _ => Err(Diagnostic::plain(format!(
                "registry `{}`: `{}` at tag `{rev}` has no valid `[pack] name`",
                self.registry,
                join(&release.path, MANIFEST)
            ))
            .into()),
        }
    }

    fn with_repo<T>(&self, f: impl FnOnce(&Repository, &Mirror) -> Result<T>) -> Result<T> {
        let mirror = self.mirror()?;
        let repo = mirror.repo.lock().unwrap_or_else(|p| p.into_inner());
        f(&repo, mirror)
    }
}

impl Backend for GitBackend {
    fn kind(&self) -> RegistryKind {
        RegistryKind::Git
    }

    fn source(&self) -> String {
        self.url.display.clone()
    }

    fn prepare(&self) -> Result<()> {
        self.mirror().map(|_| ())
    }

    fn is_cached(&self) -> bool {
        Repository::open_bare(&self.mirror_dir).is_ok()
    }

    fn commit(&self, release: &ReleaseRef) -> Result<Option<String>> {
        let rev = release.rev.as_deref().unwrap_or_default();
        self.with_repo(|repo, mirror| {
            peel(repo, &mirror.targets, rev)
                .map(|c| Some(c.id().to_string()))
                .map_err(|e| self.fail(&format!("cannot read `{rev}` of"), &e))
        })
    }

    fn pack_names(&self) -> Result<Vec<String>> {
        Ok(self.mirror()?.packs.keys().cloned().collect())
    }

    fn releases(&self, pack: &str) -> Result<Vec<ReleaseRef>> {
        Ok(self.mirror()?.packs.get(pack).cloned().unwrap_or_default())
    }

    fn read(&self, _pack: &str, release: &ReleaseRef) -> Result<BTreeMap<String, Vec<u8>>> {
        let rev = release.rev.as_deref().unwrap_or_default();
        self.with_repo(|repo, mirror| {
            let commit = peel(repo, &mirror.targets, rev).map_err(|e| self.fail(&format!("cannot read `{rev}` of"), &e))?;
            let tree = commit.tree().map_err(|e| self.fail("cannot read", &e))?;
            let folder = if release.path.is_empty() {
                tree
            } else {
                match tree.get_path(Path::new(&release.path)) {
                    Ok(entry) if entry.kind() == Some(ObjectType::Tree) => entry
                        .to_object(repo)
                        .and_then(|o| o.peel_to_tree())
                        .map_err(|e| self.fail("cannot read", &e))?,
                    _ => {
                        return Err(Diagnostic::plain(format!(
                            "registry `{}`: `{}` does not exist at `{rev}`",
                            self.registry, release.path
                        ))
                        .with_hint(format!(
                            "the registry's `path` is `{}`; packs live at `<path>/<pack>/pack.toml`",
                            if self.path.is_empty() { "." } else { &self.path }
                        ))
                        .into());
                    }
                }
            };
            let mut files = BTreeMap::new();
            self.collect(repo, &folder, "", release, &mut files)?;
            Ok(files)
        })
    }

    fn display(&self, release: &ReleaseRef, file: &str) -> String {
        let rev = release.rev.as_deref().unwrap_or_default();
        format!("{}@{rev}:{}", self.registry, join(&release.path, file))
    }

    fn resolve_ref(&self, pack: &str, reference: &str) -> Result<Option<ReleaseRef>> {
        self.with_repo(|repo, mirror| {
            let folder = mirror
                .packs
                .get(pack)
                .and_then(|r| r.first())
                .map(|r| r.path.clone())
                .unwrap_or_else(|| join(&self.path, pack));
            let tag = format!("refs/tags/{reference}");
            let branch = format!("refs/heads/{reference}");
            let rev = if repo.find_reference(&tag).is_ok() {
                reference.to_string()
            } else if let Ok(r) = repo.find_reference(&branch) {
                match r.peel_to_commit() {
                    Ok(c) => c.id().to_string(),
                    Err(_) => return Ok(None),
                }
            } else if reference.len() >= 4 && reference.bytes().all(|b| b.is_ascii_hexdigit()) {
                match repo.revparse_single(reference).and_then(|o| o.peel_to_commit()) {
                    Ok(c) => c.id().to_string(),
                    Err(_) => return Ok(None),
                }
            } else {
                return Ok(None);
            };
            let manifest = join(&folder, MANIFEST);
            let bytes = read_blob(repo, &mirror.targets, &rev, &manifest)
                .map_err(|e| self.fail("cannot read", &e))?;
            let version = bytes
                .as_deref()
                .and_then(|b| std::str::from_utf8(b).ok())
                .and_then(|t| t.parse::<toml::Table>().ok())
                .and_then(|t| Version::parse(t.get("pack")?.get("version")?.as_str()?));
            match version {
                Some(version) => Ok(Some(ReleaseRef {
                    version,
                    path: folder,
                    rev: Some(rev),
                })),
                None => Err(Diagnostic::plain(format!(
                    "registry `{}`: `{manifest}` at `{reference}` is missing or states no valid `[pack] version`",
                    self.registry
                ))
                .into()),
            }
        })
    }
}

impl GitBackend {
    /// Every blob under a pack folder; symlinks and submodules are errors.
    fn collect(
        &self,
        repo: &Repository,
        tree: &git2::Tree,
        prefix: &str,
        release: &ReleaseRef,
        out: &mut BTreeMap<String, Vec<u8>>,
    ) -> Result<()> {
        for entry in tree.iter() {
            let Ok(name) = entry.name() else {
                return Err(Diagnostic::plain(format!(
                    "registry `{}`: a file name under `{}` is not UTF-8",
                    self.registry, release.path
                ))
                .into());
            };
            let rel = if prefix.is_empty() {
                name.to_string()
            } else {
                format!("{prefix}/{name}")
            };
            let shown = || self.display(release, &rel);
            match entry.kind() {
                Some(ObjectType::Blob) if entry.filemode() == 0o120000 => {
                    return Err(Diagnostic::plain(format!(
                        "`{}` is a symlink; packs may hold only regular files and folders",
                        shown()
                    ))
                    .into());
                }
                Some(ObjectType::Blob) => {
                    let blob = repo
                        .find_blob(entry.id())
                        .map_err(|e| self.fail("cannot read", &e))?;
                    out.insert(rel, blob.content().to_vec());
                }
                Some(ObjectType::Tree) => {
                    let sub = repo
                        .find_tree(entry.id())
                        .map_err(|e| self.fail("cannot read", &e))?;
                    self.collect(repo, &sub, &rel, release, out)?;
                }
                _ => {
                    return Err(Diagnostic::plain(format!(
                        "`{}` is a submodule; packs may hold only regular files and folders",
                        shown()
                    ))
                    .into());
                }
            }
        }
        Ok(())
    }
}

type Targets = std::collections::HashMap<String, git2::Oid>;

/// The commit a tag (or commit id) names, through annotated tags.
fn peel<'r>(
    repo: &'r Repository,
    targets: &Targets,
    rev: &str,
) -> std::result::Result<git2::Commit<'r>, git2::Error> {
    match targets.get(rev) {
        Some(oid) => repo.find_object(*oid, None)?.peel_to_commit(),
        None => match repo.find_reference(&format!("refs/tags/{rev}")) {
            Ok(r) => r.peel_to_commit(),
            Err(_) => repo.find_commit(git2::Oid::from_str(rev)?),
        },
    }
}

/// A file's bytes at a revision, or `None` when it is not there.
fn read_blob(
    repo: &Repository,
    targets: &Targets,
    rev: &str,
    path: &str,
) -> std::result::Result<Option<Vec<u8>>, git2::Error> {
    let tree = peel(repo, targets, rev)?.tree()?;
    match tree.get_path(Path::new(path)) {
        Ok(entry) if entry.kind() == Some(ObjectType::Blob) => {
            Ok(Some(repo.find_blob(entry.id())?.content().to_vec()))
        }
        _ => Ok(None),
    }
}

fn join(base: &str, name: &str) -> String {
    if base.is_empty() {
        name.to_string()
    } else {
        format!("{base}/{name}")
    }
}

/// Failures that mean the local mirror is damaged (rather than the remote unreachable), so
/// cloning again can help.
fn is_local_corruption(e: &git2::Error) -> bool {
    use git2::ErrorClass as C;
    matches!(
        e.class(),
        C::Odb | C::Zlib | C::Object | C::Reference | C::Index
    )
}

/// Tries each way of authenticating once: ssh-agent, then default keys, then credential
/// helpers, then `GIT_ASKPASS`. Nothing is stored.
#[derive(Default)]
struct Credentials {
    tried_agent: bool,
    keys_tried: usize,
    tried_helper: bool,
    tried_askpass: bool,
    tried_default: bool,
}

impl Credentials {
    fn next(
        &mut self,
        url: &str,
        user: Option<&str>,
        allowed: CredentialType,
    ) -> std::result::Result<git2::Cred, git2::Error> {
        if allowed.contains(CredentialType::USERNAME) {
            return git2::Cred::username(user.unwrap_or("git"));
        }
        if allowed.contains(CredentialType::SSH_KEY) {
            let user = user.unwrap_or("git");
            if !self.tried_agent && std::env::var_os("SSH_AUTH_SOCK").is_some() {
                self.tried_agent = true;
                return git2::Cred::ssh_key_from_agent(user);
            }
            let home = std::env::var_os("HOME").map(PathBuf::from);
            let keys: Vec<PathBuf> = ["id_ed25519", "id_ecdsa", "id_rsa"]
                .iter()
                .filter_map(|k| home.as_ref().map(|h| h.join(".ssh").join(k)))
                .filter(|p| p.is_file())
                .collect();
            if let Some(key) = keys.get(self.keys_tried) {
                self.keys_tried += 1;
                return git2::Cred::ssh_key(user, None, key, None);
            }
        }
        if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
            if !self.tried_helper {
                self.tried_helper = true;
                if let Ok(config) = git2::Config::open_default()
                    && let Ok(cred) = git2::Cred::credential_helper(&config, url, user)
                {
                    return Ok(cred);
                }
            }
            if !self.tried_askpass {
                self.tried_askpass = true;
                if let Some(cred) = askpass(url, user) {
                    return Ok(cred);
                }
            }
        }
        if allowed.contains(CredentialType::DEFAULT) && !self.tried_default {
            self.tried_default = true;
            return git2::Cred::default();
        }
        Err(git2::Error::new(
            git2::ErrorCode::Auth,
            git2::ErrorClass::Net,
            "authentication failed (tried ssh-agent, ~/.ssh keys, git credential helpers and GIT_ASKPASS)",
        ))
    }
}

/// Asks the `GIT_ASKPASS` program for a user name and password, as git does.
fn askpass(url: &str, user: Option<&str>) -> Option<git2::Cred> {
    let program = std::env::var_os("GIT_ASKPASS").filter(|p| !p.is_empty())?;
    let ask = |prompt: String| -> Option<String> {
        let out = std::process::Command::new(&program)
            .arg(prompt)
            .output()
            .ok()?;
        out.status.success().then(|| {
            String::from_utf8_lossy(&out.stdout)
                .trim_end_matches(['\r', '\n'])
                .to_string()
        })
    };
    let shown = redact(url);
    let user = match user {
        Some(u) => u.to_string(),
        None => ask(format!("Username for '{shown}': "))?,
    };
    let password = ask(format!("Password for '{shown}': "))?;
    git2::Cred::userpass_plaintext(&user, &password).ok()
}
