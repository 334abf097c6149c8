//! An opened catalog repository: its root, `strata.toml`, its registries, and its profiles,
//! read through [`Files`] (the working tree or a git revision).

pub(crate) mod edit;
mod one;

use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Source, suggest};
use crate::error::{Error, Result, problems};
use crate::files::{self, Files};
use crate::model::config::{self, Config};
use crate::profile::{self, Profile, ProfileDoc};
use crate::registry::{Registries, Settings};

pub struct Catalog {
    pub root: PathBuf,
    /// Where files are read: the working tree, or a revision (`--at`).
    pub files: Files,
    pub config: Config,
    pub config_source: Source,
    pub registries: Registries,
    /// Bytes rendered by this run, against [`crate::render::templates::MAX_RUN_OUTPUT`].
    pub rendered: std::sync::atomic::AtomicUsize,
    /// The run's caches ([`Settings::memo`]; a catalog made of parts has its own).
    pub memo: crate::memo::Memo,
    /// The files below the profiles folder, listed once per run.
    profile_files: std::sync::OnceLock<Vec<(String, files::Kind)>>,
    /// Every profile file as the last [`Catalog::load_profiles`] parsed it, with its blob id
    /// where known: what the other side of a review reuses.
    parsed: std::sync::OnceLock<Vec<(ProfileEntry, Option<git2::Oid>, SharedDoc)>>,
}

/// One profile file, parsed without the profiles it extends.
type ParsedDoc = Result<ProfileDoc, Vec<Diagnostic>>;

/// A parse shared by both sides of a review (most files are the same at both).
type SharedDoc = std::sync::Arc<ParsedDoc>;

/// The other side's parses of a review, by profile folder and blob id.
type ById<'a> = std::collections::HashMap<(&'a str, git2::Oid), &'a SharedDoc>;

/// A profile file that parsed, and the profile.
pub type ValidProfile = (ProfileEntry, Profile);

/// A profile file and what parsing it gave.
pub type LoadedProfile = (ProfileEntry, Result<Profile, Vec<Diagnostic>>);

/// The names of the sensitive variables the profiles that parse declare: what masks a
/// value given to a variable outside a profile (a cluster's).
pub fn sensitive_variables(loaded: &[LoadedProfile]) -> std::collections::BTreeSet<String> {
    loaded
        .iter()
        .filter_map(|(_, p)| p.as_ref().ok())
        .flat_map(|p| p.variables.values().filter(|v| v.sensitive))
        .map(|v| v.name.clone())
        .collect()
}

/// A profile file found on disk, before it is parsed.
#[derive(Debug, Clone)]
pub struct ProfileEntry {
    /// The folder holding profile.toml, relative to the catalog root, `/`-separated.
    pub dir: String,
    /// The folder's own name: the profile's default name.
    pub folder_name: String,
}

impl ProfileEntry {
    pub fn file(&self) -> String {
        format!("{}/{}", self.dir, profile::FILE_NAME)
    }
}

impl Catalog {
    /// The nearest folder at or above `start` that holds `strata.toml`. One found in a
    /// parent folder must belong to the user (as git's `safe.directory` guards): another
    /// user's catalog above a shared folder is not used unless named with `-C`.
    pub fn find_root(start: &Path) -> Result<PathBuf> {
        let start = std::path::absolute(start)?;
        let root = start
            .ancestors()
            .find(|d| d.join(config::FILE_NAME).is_file())
            .map(Path::to_path_buf);
        if let Some(root) = &root
            && root != &start
        {
            check_owner(root)?;
        }
        root.ok_or_else(|| {
            Error::usage_hint(
                format!(
                    "no `{}` in `{}` or any parent folder",
                    config::FILE_NAME,
                    start.display()
                ),
                Some("run `strata init` to create a catalog, or pass `-C DIR`".to_string()),
            )
        })
    }

    /// Opens a catalog; git registries are not fetched until something reads them.
    pub fn open(root: &Path, git: &Settings) -> Result<Catalog> {
        Catalog::open_files(root, Files::Disk(root.to_path_buf()), git)
    }

    /// Opens the catalog as of a revision of its repository, read from git objects.
    pub fn open_at(root: &Path, rev: &str, git: &Settings) -> Result<Catalog> {
        Catalog::open_files(root, Files::at(root, rev)?, git)
    }

    fn open_files(root: &Path, files: Files, git: &Settings) -> Result<Catalog> {
        let Some(bytes) = files.read(config::FILE_NAME)? else {
            return Err(match files.rev() {
                Some(rev) => Error::usage_hint(
                    format!("revision `{rev}` has no `{}`", config::FILE_NAME),
                    Some(
                        "it is from before the catalog existed, or the catalog was elsewhere then"
                            .to_string(),
                    ),
                ),
                None => Error::usage(format!(
                    "no `{}` in `{}`",
                    config::FILE_NAME,
                    root.display()
                )),
            });
        };
        let config_source = Source::from_bytes(config::FILE_NAME, &bytes)?;
        let config = Config::parse(&config_source).map_err(Error::Catalog)?;
        let registries = Registries::open(&config, &config_source, root, &files, git)?;
        let mut catalog = Catalog::new(root, files, config, config_source, registries);
        catalog.memo = git.memo.clone();
        Ok(catalog)
    }

    /// A catalog of parts already read.
    pub fn new(
        root: &Path,
        files: Files,
        config: Config,
        config_source: Source,
        registries: Registries,
    ) -> Catalog {
        Catalog {
            root: root.to_path_buf(),
            files,
            config,
            config_source,
            registries,
            rendered: Default::default(),
            memo: Default::default(),
            profile_files: Default::default(),
            parsed: Default::default(),
        }
    }

    pub fn profiles_dir(&self) -> &str {
        self.config.catalog.profiles.get_ref().trim_end_matches('/')
    }

    /// The files below the profiles folder (hidden ones left out), listed once per run.
    fn profile_files(&self) -> Result<&[(String, files::Kind)]> {
        if let Some(list) = self.profile_files.get() {
            return Ok(list);
        }
        let list = self.files.walk(self.profiles_dir(), true)?;
        Ok(self.profile_files.get_or_init(|| list))
    }

    /// Every `profile.toml` under the profiles folder, sorted by folder.
    pub fn profile_entries(&self) -> Result<Vec<ProfileEntry>> {
        let base = self.profiles_dir();
        let mut entries = Vec::new();
        for (path, kind) in self.profile_files()? {
            let kind = *kind;
            // A symlink named profile.toml is listed, so that reading it reports it.
            if kind.is_other() {
                continue;
            }
            let dir = match path.strip_suffix(profile::FILE_NAME) {
                Some("") => String::new(),
                Some(d) if d.ends_with('/') => d.trim_end_matches('/').to_string(),
                _ => continue,
            };
            let full = if dir.is_empty() {
                base.to_string()
            } else {
                format!("{base}/{dir}")
            };
            let folder_name = full.rsplit('/').next().unwrap_or(&full).to_string();
            entries.push(ProfileEntry {
                dir: full,
                folder_name,
            });
        }
        entries.sort_by(|a, b| a.dir.cmp(&b.dir));
        Ok(entries)
    }

    /// Lock files in the profiles folder whose `profile.toml` is gone.
    pub fn orphan_locks(&self) -> Result<Vec<String>> {
        let base = self.profiles_dir();
        let walk = self.profile_files()?;
        let files: std::collections::BTreeSet<&str> =
            walk.iter().map(|(p, _)| p.as_str()).collect();
        let mut out = Vec::new();
        for (path, _) in walk {
            if let Some(dir) = path.strip_suffix(crate::lockfile::FILE_NAME)
                && (dir.is_empty() || dir.ends_with('/'))
                && !files.contains(format!("{dir}{}", profile::FILE_NAME).as_str())
            {
                out.push(format!("{base}/{path}"));
            }
        }
        Ok(out)
    }

    /// Parses one profile file, without the profiles it extends.
    pub fn read_profile_doc(
        &self,
        entry: &ProfileEntry,
    ) -> Result<Result<ProfileDoc, Vec<Diagnostic>>> {
        let bytes = match problems(self.files.read(&entry.file()))? {
            Ok(b) => b.unwrap_or_default(),
            Err(d) => return Ok(Err(d)),
        };
        Ok(self.parse_profile_doc(entry, &bytes))
    }

    fn parse_profile_doc(&self, entry: &ProfileEntry, bytes: &[u8]) -> ParsedDoc {
        match Source::from_bytes(entry.file(), bytes) {
            Ok(source) => ProfileDoc::parse(source, &entry.dir, &entry.folder_name),
            Err(d) => Err(vec![d]),
        }
    }

    /// Parses every profile (or the named ones), each merged with the profiles it extends.
    /// Names are matched against `[profile] name` and, for a profile that does not parse,
    /// its folder name. Problems are collected; an unknown name is a usage error with the
    /// near miss.
    pub fn load_profiles(&self, names: &[String]) -> Result<Vec<LoadedProfile>> {
        self.load(names, None)
    }

    /// The named profiles (all when none is named) that parse, and the problems of those
    /// that do not.
    pub fn valid_profiles(&self, names: &[String]) -> Result<(Vec<ValidProfile>, Vec<Diagnostic>)> {
        let mut valid = Vec::new();
        let mut problems = Vec::new();
        for (entry, parsed) in self.load_profiles(names)? {
            match parsed {
                Ok(p) => valid.push((entry, p)),
                Err(mut d) => problems.append(&mut d),
            }
        }
        Ok((valid, problems))
    }

    /// [`Catalog::load_profiles`] for one side of a review: keeps each file's blob id, and
    /// takes the parse of every profile file that `other` (the side loaded first) holds at
    /// the same path with the same bytes instead of reading and parsing it again.
    pub fn load_profiles_beside(&self, other: Option<&Catalog>) -> Result<Vec<LoadedProfile>> {
        let by_id: ById = other
            .and_then(|o| o.parsed.get())
            .into_iter()
            .flatten()
            .filter_map(|(entry, id, doc)| Some(((entry.dir.as_str(), (*id)?), doc)))
            .collect();
        self.load(&[], Some(&by_id))
    }

    /// One profile file parsed, with its blob id when `by_id` is given (then taken from
    /// `by_id` when it holds the same file).
    fn parse_entry(
        &self,
        entry: &ProfileEntry,
        by_id: Option<&ById>,
    ) -> Result<(Option<git2::Oid>, SharedDoc)> {
        let Some(by_id) = by_id else {
            return Ok((None, SharedDoc::new(self.read_profile_doc(entry)?)));
        };
        let known = |id| by_id.get(&(entry.dir.as_str(), id)).map(|d| (*d).clone());
        if let Files::Git(_) = self.files {
            // The id is in the tree: a file the other side parsed is not read at all.
            let id = problems(self.files.blob_id(&entry.file()))?.ok().flatten();
            if let Some(doc) = id.and_then(known) {
                return Ok((id, doc));
            }
            return Ok((id, SharedDoc::new(self.read_profile_doc(entry)?)));
        }
        let bytes = match problems(self.files.read(&entry.file()))? {
            Ok(b) => b.unwrap_or_default(),
            Err(d) => return Ok((None, SharedDoc::new(Err(d)))),
        };
        let id = git2::Oid::hash_object(git2::ObjectType::Blob, &bytes)?;
        Ok(match known(id) {
            Some(doc) => (Some(id), doc),
            None => (
                Some(id),
                SharedDoc::new(self.parse_profile_doc(entry, &bytes)),
            ),
        })
    }

    fn load(&self, names: &[String], by_id: Option<&ById>) -> Result<Vec<LoadedProfile>> {
        let mut docs = Vec::new();
        if let Some(memo) = self.parsed.get() {
            // This side was loaded for a review already (its clusters load it again).
            docs.extend(memo.iter().map(|(e, _, d)| (e.clone(), d.clone())));
        } else {
            // Parsing is most of the work of a run over current locks: on every core.
            let entries = self.profile_entries()?;
            let parsed = crate::parallel::map(&entries, 8, "a profile parser", |entry| {
                self.parse_entry(entry, by_id)
            })?;
            let mut memo = Vec::new();
            for (entry, parsed) in entries.into_iter().zip(parsed) {
                let (id, parsed) = parsed?;
                if by_id.is_some() {
                    memo.push((entry.clone(), id, parsed.clone()));
                }
                docs.push((entry, parsed));
            }
            if by_id.is_some() {
                let _ = self.parsed.set(memo);
            }
        }
        let name_of = |(entry, parsed): &(ProfileEntry, SharedDoc)| match &**parsed {
            Ok(p) => p.name.clone(),
            Err(_) => entry.folder_name.clone(),
        };
        // Profile names are unique in the catalog.
        let mut first: std::collections::BTreeMap<String, String> = Default::default();
        for item in &mut docs {
            let name = name_of(item);
            let (entry, parsed) = item;
            if let Some(other) = first.get(&name) {
                let d = Diagnostic::file(
                    entry.file(),
                    format!("profile name `{name}` is already used by `{other}`"),
                )
                .with_hint(
                    "profile names are unique in the catalog; set a distinct `name` in `[profile]`",
                );
                match std::sync::Arc::make_mut(parsed) {
                    Ok(_) => *parsed = SharedDoc::new(Err(vec![d])),
                    Err(list) => list.push(d),
                }
            } else {
                first.insert(name, entry.file());
            }
        }
        let known: Vec<String> = docs.iter().map(name_of).collect();
        let by_name: std::collections::BTreeMap<&str, usize> = known
            .iter()
            .enumerate()
            .rev()
            .map(|(i, n)| (n.as_str(), i))
            .collect();
        let lookup = |n: &str| {
            by_name.get(n).map(|i| {
                let (entry, doc) = &docs[*i];
                match &**doc {
                    Ok(d) => Ok(d.clone()),
                    Err(_) => Err(entry.file()),
                }
            })
        };
        // Composing is the rest of loading: on every core too.
        let mut loaded: Vec<LoadedProfile> =
            crate::parallel::map(&docs, 8, "a profile composer", |(entry, parsed)| {
                let profile = match &**parsed {
                    Ok(doc) => Profile::compose(doc, &lookup, &known),
                    Err(d) => Err(d.clone()),
                };
                (entry.clone(), profile)
            })?;
        let name_of = |(entry, parsed): &LoadedProfile| match parsed {
            Ok(p) => p.name.clone(),
            Err(_) => entry.folder_name.clone(),
        };
        if names.is_empty() {
            return Ok(loaded);
        }
        for wanted in names {
            if !known.iter().any(|k| k == wanted) {
                let hint = suggest(wanted, known.iter().map(String::as_str)).or_else(|| {
                    known
                        .is_empty()
                        .then(|| "create one with `strata profile new NAME --cloud C`".to_string())
                });
                return Err(Error::usage_hint(
                    format!("no profile named `{wanted}`"),
                    hint,
                ));
            }
        }
        loaded.retain(|item| names.contains(&name_of(item)));
        Ok(loaded)
    }
}

/// A catalog found above the start folder must belong to the user running strata.
fn check_owner(root: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let file = root.join(config::FILE_NAME);
        let owner = fs_err::metadata(&file)?.uid();
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        if owner != me {
            return Err(Error::usage_hint(
                format!(
                    "`{}` in a parent folder belongs to another user (uid {owner}); strata does not use it",
                    file.display()
                ),
                Some(format!(
                    "if you trust it, name it: `strata -C {} ...`",
                    root.display()
                )),
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = root;
    Ok(())
}
